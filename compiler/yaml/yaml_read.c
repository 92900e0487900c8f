/* yaml_read.c - YAML text -> Data documents through libyaml's event parser. Owns scalar
 * resolution (YAML 1.2 core schema for plain scalars; quoted scalars are strings), alias expansion
 * under a node budget (billion-laughs inputs fail instead of exhausting memory; the nodes of the
 * text itself are bounded by its length), duplicate-key
 * detection, and located errors (file:line:col from libyaml's byte offsets). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yaml/yamlio.h"

enum { YAML_NODE_BUDGET = 1000000, YAML_MAX_DEPTH = 512 };

typedef struct Anchor {
    const char *name;
    const Data *value;
    size_t nodes;
    struct Anchor *next;
} Anchor;

typedef struct Reader {
    Arena *a;
    yaml_parser_t parser;
    const SourceFile *file;
    DiagSink *diags;
    Anchor *anchors;
    size_t nodes;   /* nodes read from the text so far */
    size_t budget;  /* their limit: YAML_NODE_BUDGET, or the text's length when longer (a node
                     * takes at least one byte: memory stays proportional to the input) */
    size_t aliased; /* nodes copied by aliases so far, counted in full (YAML_NODE_BUDGET) */
    int depth;
} Reader;

static Span span_at(const Reader *r, size_t index)
{
    uint32_t start = index > r->file->len ? r->file->len : (uint32_t)index;
    uint32_t end = start < r->file->len ? start + 1 : start;
    return (Span){r->file->id, start, end};
}

static Data *error_at(Reader *r, size_t index, const char *msg)
{
    diag_error(r->diags, span_at(r, index), "%s", msg);
    return NULL;
}

static bool next_event(Reader *r, yaml_event_t *ev)
{
    if (yaml_parser_parse(&r->parser, ev))
        return true;
    const char *problem = r->parser.problem ? r->parser.problem : "invalid YAML";
    const char *msg = r->parser.context
                          ? arena_printf(r->a, "invalid YAML: %s %s", problem, r->parser.context)
                          : arena_printf(r->a, "invalid YAML: %s", problem);
    error_at(r, r->parser.problem_mark.index, msg);
    return false;
}

/* ---- scalar resolution (YAML 1.2 core schema) ------------------------------------------- */

static bool is_one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return true;
    return false;
}

static bool span_of(const char *s, const char *set, size_t min)
{
    size_t n = strspn(s, set);
    return n >= min && s[n] == '\0';
}

static bool core_int(const char *s, int64_t *out)
{
    const char *body = s + (*s == '+' || *s == '-');
    int base;
    if (strncmp(s, "0x", 2) == 0 && span_of(s + 2, "0123456789abcdefABCDEF", 1))
        base = 16, body = s + 2;
    else if (strncmp(s, "0o", 2) == 0 && span_of(s + 2, "01234567", 1))
        base = 8, body = s + 2;
    else if (span_of(body, "0123456789", 1))
        base = 10, body = s;
    else
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(body, &end, base);
    if (errno == ERANGE || *end)
        return false;
    *out = v;
    return true;
}

static bool core_float(const char *s, double *out)
{
    static const char *const inf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
    static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
    static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
    if (is_one_of(s, inf) || is_one_of(s, ninf)) {
        *out = (is_one_of(s, ninf) ? -1.0 : 1.0) * 1e308 * 10;
        return true;
    }
    if (is_one_of(s, nan)) {
        *out = 0.0 / 0.0 * 0.0;
        return true;
    }
    /* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
    const char *p = s + (*s == '+' || *s == '-');
    size_t intd = strspn(p, "0123456789");
    p += intd;
    size_t fracd = 0;
    if (*p == '.') {
        p++;
        fracd = strspn(p, "0123456789");
        p += fracd;
    }
    if (intd == 0 && fracd == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        p += (*p == '+' || *p == '-');
        size_t ed = strspn(p, "0123456789");
        if (ed == 0)
            return false;
        p += ed;
    }
    if (*p)
        return false;
    *out = strtod(s, NULL);
    return true;
}

static Data *resolve_plain(Arena *a, const char *s, size_t len)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    int64_t i;
    double f;
    if (strlen(s) != len)
        return data_strn(a, s, len);
    if (is_one_of(s, nulls))
        return data_null(a);
    if (is_one_of(s, trues) || is_one_of(s, falses))
        return data_bool(a, is_one_of(s, trues));
    if (core_int(s, &i))
        return data_int(a, i);
    if (core_float(s, &f)) {
        Data *d = data_null(a);
        d->kind = DATA_FLOAT;
        d->u.f = f;
        return d;
    }
    return data_strn(a, s, len);
}

static Data *read_scalar(Reader *r, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    bool as_string = !ev->data.scalar.plain_implicit ||
                     (tag && (strcmp(tag, YAML_STR_TAG) == 0 || strcmp(tag, "!") == 0));
    Data *d = as_string ? data_strn(r->a, s, len) : resolve_plain(r->a, s, len);
    if (d->kind == DATA_STR && ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE)
        d->style = STYLE_LITERAL;
    return d;
}

/* ---- anchors and aliases ---------------------------------------------------------------- */

static size_t count_nodes(const Data *d)
{
    size_t n = 1;
    if (d->kind == DATA_MAP || d->kind == DATA_SEQ)
        for (const Data *k = d->u.kids.first; k; k = k->next)
            n += count_nodes(k);
    return n;
}

static void remember(Reader *r, const yaml_char_t *anchor, const Data *value)
{
    if (!anchor || !value)
        return;
    Anchor *an = ARENA_NEW(r->a, Anchor);
    an->name = arena_strdup(r->a, (const char *)anchor);
    an->value = value;
    an->nodes = count_nodes(value);
    an->next = r->anchors; /* newest first: a redefined anchor shadows the old one */
    r->anchors = an;
}

static Data *read_alias(Reader *r, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    for (const Anchor *an = r->anchors; an; an = an->next) {
        if (strcmp(an->name, name) != 0)
            continue;
        r->aliased += an->nodes;
        if (r->aliased > YAML_NODE_BUDGET)
            return error_at(r, ev->start_mark.index,
                            "YAML aliases expand to more than 1000000 nodes (an alias bomb?)");
        return data_clone(r->a, an->value);
    }
    return error_at(r, ev->start_mark.index, arena_printf(r->a, "unknown YAML anchor '%s'", name));
}

/* ---- collections ------------------------------------------------------------------------ */

static Data *read_node(Reader *r, yaml_event_t *ev);

static Data *read_sequence(Reader *r)
{
    Data *seq = data_seq(r->a);
    for (;;) {
        yaml_event_t ev;
        if (!next_event(r, &ev))
            return NULL;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return seq;
        }
        Data *item = read_node(r, &ev);
        if (!item)
            return NULL;
        data_push(seq, item);
    }
}

static bool read_key(Reader *r, yaml_event_t *ev, const Data *map, const char **key)
{
    size_t at = ev->start_mark.index;
    if (ev->type != YAML_SCALAR_EVENT) {
        yaml_event_delete(ev);
        error_at(r, at, "only scalar mapping keys are supported");
        return false;
    }
    *key = arena_strndup(r->a, (const char *)ev->data.scalar.value, ev->data.scalar.length);
    yaml_event_delete(ev);
    if (data_get(map, *key)) {
        error_at(r, at, arena_printf(r->a, "duplicate key '%s'", *key));
        return false;
    }
    return true;
}

static Data *read_mapping(Reader *r)
{
    Data *map = data_map(r->a);
    for (;;) {
        yaml_event_t ev;
        if (!next_event(r, &ev))
            return NULL;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return map;
        }
        const char *key;
        if (!read_key(r, &ev, map, &key))
            return NULL;
        if (!next_event(r, &ev))
            return NULL;
        Data *value = read_node(r, &ev);
        if (!value)
            return NULL;
        data_put(r->a, map, key, value);
    }
}

/* Consumes `ev` (and, for collections, everything up to the matching end event). */
static Data *read_node(Reader *r, yaml_event_t *ev)
{
    Data *d = NULL;
    yaml_char_t *anchor = NULL;
    size_t at = ev->start_mark.index;
    if (++r->nodes > r->budget || r->depth >= YAML_MAX_DEPTH) {
        yaml_event_delete(ev);
        return error_at(r, at, "YAML document is too large or too deeply nested");
    }
    r->depth++;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        d = read_scalar(r, ev);
        anchor = ev->data.scalar.anchor;
        break;
    case YAML_ALIAS_EVENT:
        d = read_alias(r, ev);
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        d = read_sequence(r);
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        d = read_mapping(r);
        break;
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        error_at(r, at, "unexpected YAML event");
        break;
    }
    r->depth--;
    remember(r, anchor, d);
    yaml_event_delete(ev);
    return d;
}

/* ---- documents -------------------------------------------------------------------------- */

static bool expect(Reader *r, yaml_event_type_t type)
{
    yaml_event_t ev;
    if (!next_event(r, &ev))
        return false;
    bool ok = ev.type == type;
    if (!ok)
        error_at(r, ev.start_mark.index, "unexpected YAML structure");
    yaml_event_delete(&ev);
    return ok;
}

static int read_stream(Reader *r, Data ***docs)
{
    size_t n = 0, cap = 4;
    Data **out = ARENA_ARRAY(r->a, Data *, cap);
    if (!expect(r, YAML_STREAM_START_EVENT))
        return -1;
    for (;;) {
        yaml_event_t ev;
        if (!next_event(r, &ev))
            return -1;
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        yaml_event_delete(&ev); /* DOCUMENT_START */
        if (!next_event(r, &ev))
            return -1;
        Data *doc = read_node(r, &ev);
        if (!doc || !expect(r, YAML_DOCUMENT_END_EVENT))
            return -1;
        if (n == cap) {
            Data **grown = ARENA_ARRAY(r->a, Data *, cap * 2);
            memcpy(grown, out, n * sizeof *out);
            out = grown;
            cap *= 2;
        }
        out[n++] = doc;
        r->anchors = NULL; /* anchors do not cross documents */
    }
    *docs = out;
    return (int)n;
}

int yaml_read(Arena *a, const SourceFile *file, Data ***docs, DiagSink *diags)
{
    Reader r = {.a = a, .file = file, .diags = diags,
                .budget = file->len > YAML_NODE_BUDGET ? file->len : YAML_NODE_BUDGET};
    if (!yaml_parser_initialize(&r.parser)) {
        diag_error(diags, (Span){file->id, 0, 0}, "cannot initialise the YAML parser");
        return -1;
    }
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)file->text, file->len);
    int n = read_stream(&r, docs);
    yaml_parser_delete(&r.parser);
    return n;
}
