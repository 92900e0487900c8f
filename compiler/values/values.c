/* values.c - value overrides (`--set`, `--set-string`, `-f`) and their validation against the
 * knobs. The --set grammar and type inference follow Helm's pkg/strvals so that the same
 * command-line means the same thing to `goversec build` and to `helm install`. */
#include "values/values.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "support/quantity.h"
#include "yaml/yamlio.h"

/* ---- --set parsing ----------------------------------------------------------------------- */

typedef struct SetParser {
    Arena *a;
    const char *src, *p;
    bool as_string;
    DiagSink *diags;
} SetParser;

static bool set_fail(SetParser *sp, const char *msg)
{
    Diag *d = diag_error(sp->diags, SPAN_NONE, "invalid --set%s '%s': %s", sp->as_string ? "-string" : "",
                         sp->src, msg);
    diag_help(sp->diags, d, "the form is PATH=VALUE[,PATH=VALUE...], e.g. nodes.replicas=5 or "
                            "etcd.external.endpoints={a:2379,b:2379}");
    return false;
}

/* Reads up to one of `stops` (unescaped), unescaping backslashes. */
static char *read_token(SetParser *sp, const char *stops, char *stopped)
{
    size_t cap = strlen(sp->p) + 1, n = 0;
    char *out = arena_alloc(sp->a, cap);
    while (*sp->p) {
        if (*sp->p == '\\' && sp->p[1]) {
            out[n++] = sp->p[1];
            sp->p += 2;
            continue;
        }
        if (strchr(stops, *sp->p))
            break;
        out[n++] = *sp->p++;
    }
    *stopped = *sp->p;
    if (*sp->p)
        sp->p++;
    out[n] = '\0';
    return out;
}

/* strvals' typedVal: true/false/null and base-10 integers without a leading zero are typed. */
static Data *typed_value(SetParser *sp, const char *text)
{
    if (sp->as_string)
        return data_str(sp->a, text);
    if (strcasecmp(text, "true") == 0)
        return data_bool(sp->a, true);
    if (strcasecmp(text, "false") == 0)
        return data_bool(sp->a, false);
    if (strcasecmp(text, "null") == 0)
        return data_null(sp->a);
    if (strcmp(text, "0") == 0)
        return data_int(sp->a, 0);
    if (text[0] && text[0] != '0') {
        char *end;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (*end == '\0' && errno == 0 && (isdigit((unsigned char)text[0]) || text[0] == '-'))
            return data_int(sp->a, v);
    }
    return data_str(sp->a, text);
}

static Data *parse_list(SetParser *sp)
{
    Data *seq = data_seq(sp->a);
    for (;;) {
        char stop;
        char *item = read_token(sp, ",}", &stop);
        if (stop == '\0') {
            set_fail(sp, "list is missing its closing '}'");
            return NULL;
        }
        /* As Helm's strvals: every item is kept, even an empty one (`{}` is [""]). */
        data_push(seq, typed_value(sp, item));
        if (stop == '}')
            return seq;
    }
}

/* The map or sequence stored under `key`, replacing whatever else was there. */
static Data *child_of_kind(Arena *a, Data *map, const char *key, DataKind kind)
{
    Data *c = data_get(map, key);
    if (c && c->kind == kind)
        return c;
    data_set_path(a, map, key, kind == DATA_MAP ? data_map(a) : data_seq(a));
    return data_get(map, key);
}

/* Overwrites `slot` with `with`, keeping its place (key, next) in the parent. */
static void replace_node(Data *slot, const Data *with)
{
    Data *next = slot->next;
    const char *key = slot->key;
    *slot = *with;
    slot->next = next;
    slot->key = key;
}

/* Walks/creates `root` along `path` ("a.b[0].c") and stores value there. */
static bool assign_path(SetParser *sp, Data *root, const char *path, Data *value)
{
    Data *cur = root;
    const char *p = path;
    for (;;) {
        size_t n = strcspn(p, ".[");
        if (n == 0)
            return set_fail(sp, "empty key in path");
        char *key = arena_strndup(sp->a, p, n);
        p += n;
        long index = -1;
        if (*p == '[') {
            char *end;
            index = strtol(p + 1, &end, 10);
            if (end == p + 1 || *end != ']' || index < 0 || index > 65535)
                return set_fail(sp, "list index must be a number between 0 and 65535");
            p = end + 1;
        }
        bool last = *p == '\0';
        if (*p == '.')
            p++;
        else if (!last)
            return set_fail(sp, "expected '.' or '=' after a list index");
        if (index < 0) {
            if (last)
                return data_set_path(sp->a, cur, key, value);
            cur = child_of_kind(sp->a, cur, key, DATA_MAP);
            continue;
        }
        Data *seq = child_of_kind(sp->a, cur, key, DATA_SEQ);
        while ((long)seq->u.kids.count <= index)
            data_push(seq, data_null(sp->a));
        Data *slot = seq->u.kids.first;
        for (long i = 0; i < index; i++)
            slot = slot->next;
        if (last) {
            replace_node(slot, value);
            return true;
        }
        if (slot->kind != DATA_MAP)
            replace_node(slot, data_map(sp->a));
        cur = slot;
    }
}

bool values_apply_set(Arena *a, Data *values, const char *assignments, bool as_string, DiagSink *diags)
{
    SetParser sp = {a, assignments, assignments, as_string, diags};
    while (*sp.p) {
        char stop;
        char *path = read_token(&sp, "=,", &stop);
        if (stop != '=')
            return set_fail(&sp, arena_printf(a, "key \"%s\" has no value", path));
        Data *value;
        if (*sp.p == '{' && !as_string) {
            sp.p++;
            if (!(value = parse_list(&sp)))
                return false;
            if (*sp.p == ',')
                sp.p++;
        } else {
            value = typed_value(&sp, read_token(&sp, ",", &stop));
        }
        if (!assign_path(&sp, values, path, value))
            return false;
    }
    return true;
}

bool values_load_file(Arena *a, SourceMap *sources, const char *path, Data *docs_out, DiagSink *diags)
{
    const char *err = NULL;
    SourceFile *file = source_load(sources, path, &err);
    if (!file) {
        diag_error(diags, SPAN_NONE, "cannot read values file '%s': %s", path, err);
        return false;
    }
    Data **docs = NULL;
    int n = yaml_read(a, file, &docs, diags);
    if (n < 0)
        return false;
    for (int i = 0; i < n; i++) {
        if (docs[i]->kind == DATA_NULL)
            continue;
        if (docs[i]->kind != DATA_MAP) {
            diag_error(diags, (Span){file->id, 0, 0}, "a values file must hold a map of values");
            return false;
        }
        data_push(docs_out, docs[i]);
    }
    return true;
}

void values_apply_docs(Arena *a, Data *values, const Data *docs)
{
    for (const Data *d = docs->u.kids.first; d; d = d->next)
        data_merge(a, values, d); /* copies: the same documents serve every cluster */
}
