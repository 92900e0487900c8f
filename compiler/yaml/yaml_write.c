/* yaml_write.c - goversec's one YAML writer: Data documents -> YAML text (manifests, values files,
 * inventories, chart files, the Goverse config). Block style, maps in insertion order, indent 2,
 * unlimited width, "{}"/"[]" for empty collections, strings quoted by the policy of yaml_scalar.c
 * (double-quoted when a YAML 1.1 or 1.2 reader could take them for something else), STYLE_LITERAL
 * strings as `|` blocks. The text is what libyaml 0.2.5's emitter writes for the same events, byte
 * for byte: the structure follows its state machine (yaml_emit.h), ASCII scalars are written by
 * yaml_scalar.c, anything else by yaml_text.c. The entry points are in yaml_api.c. libyaml is not
 * linked for writing; the test suite keeps it as the oracle (tests/unit/yaml_oracle.c). */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "yaml/yaml_emit.h"
#include "yaml/yamlio.h"

/* ---- scalars -------------------------------------------------------------------------------- */

/* Raises the indentation for a scalar as libyaml does (emit_scalar: increase_indent(flow)). */
static int scalar_indent(const YamlW *w)
{
    return w->indent < 0 ? 2 : w->indent + 2;
}

/* ASCII text that is a plain scalar as it stands (null, booleans, numbers). */
static void plain_ascii(YamlW *w, const char *s, size_t n)
{
    if (!w->whitespace)
        strbuf_addc(w->b, ' ');
    strbuf_addn(w->b, s, n);
    w->whitespace = w->indention = false;
    w->column = 1 << 20;
}

/* The value cache's slot for the string at `s` (see YamlKeyCache). */
static YamlKeySlot *value_slot(struct YamlKeyCache *keys, const char *s)
{
    return &keys->value[((uintptr_t)s >> 3) * 2654435761u % YAML_VALUE_SLOTS];
}

/* A STYLE_AUTO value written plain before from the same address and with the same bytes: it is
 * written plain again (a plain single-line scalar does not depend on where it stands in a block
 * collection, and its text is its bytes). */
static bool cached_value(YamlW *w, const char *s, size_t len)
{
    const YamlKeySlot *v = value_slot(w->keys, s);
    if (v->key != s || v->len != len || memcmp(v->text, s, len) != 0)
        return false;
    char *p = strbuf_reserve(w->b, sizeof v->text + 1, 256);
    if (!w->whitespace)
        *p++ = ' ';
    memcpy(p, v->text, sizeof v->text); /* (see cached_key) */
    p[len] = '\0';
    w->b->len = (size_t)(p + len - w->b->data);
    return true;
}

/* Remembers a STYLE_AUTO value whose text, written at `at`, turned out plain: its own bytes. A
 * text as long as the string is plain (quotes and block headers add bytes, and a plain scalar
 * written on one line is its bytes). */
static void remember_value(YamlW *w, const char *s, size_t len, size_t at)
{
    if (len == 0 || len > YAML_KEY_MAX || w->b->len - at != len)
        return;
    YamlKeySlot *v = value_slot(w->keys, s);
    v->key = s;
    v->len = (unsigned char)len;
    memcpy(v->text, s, len);
}

/* A string value (not a key): yaml_scalar.c's direct text when it takes it, else the general
 * path. False (w->problem set) for text that is not UTF-8. */
static bool write_string(YamlW *w, const char *s, size_t len, DataStyle style, bool simple_key)
{
    bool cache = w->keys && style == STYLE_AUTO && !simple_key;
    if (cache && cached_value(w, s, len)) {
        w->whitespace = w->indention = false;
        w->column = 1 << 20;
        return true;
    }
    size_t mark = w->b->len;
    bool ws = w->whitespace;
    if (!ws)
        strbuf_addc(w->b, ' ');
    int indent = scalar_indent(w);
    if (!simple_key && yaml_scalar_append_at(w->b, s, len, style, indent - 2)) {
        w->whitespace = w->indention = false;
        w->column = 1 << 20; /* unknown, and not needed: the next indent breaks the line */
        if (w->b->data[ws ? mark : mark + 1] == '|')
            w->open_ended = 0; /* a block was written: it resets it ("|+" never comes here) */
        else if (cache)
            remember_value(w, s, len, ws ? mark : mark + 1);
        return true;
    }
    w->b->len = mark;
    w->b->data[mark] = '\0';
    if (!yaml_utf8_valid(s, len)) {
        w->problem = "a string is not valid UTF-8 Unicode text";
        return false;
    }
    bool plain = style == STYLE_AUTO && !yaml_needs_quotes(s, len);
    int saved = w->indent;
    w->indent = indent;
    yaml_w_scalar_general(w, s, len, plain, style, simple_key);
    w->indent = saved;
    return true;
}

static bool write_float(YamlW *w, double f)
{
    char buf[40];
    if (isnan(f))
        snprintf(buf, sizeof buf, ".nan");
    else if (isinf(f)) /* (1e308 * 10 is itself infinite: no comparison can stand in for this) */
        snprintf(buf, sizeof buf, f > 0 ? ".inf" : "-.inf");
    else {
        snprintf(buf, sizeof buf, "%.17g", f);
        if (!strpbrk(buf, ".eEn"))
            strcat(buf, ".0"); /* keep it a float when read back */
    }
    plain_ascii(w, buf, strlen(buf));
    return true;
}

/* ---- collections (libyaml's block sequence/mapping states) ---------------------------------- */

typedef struct Ctx {
    bool mapping; /* a key or a value of a mapping (libyaml's mapping_context) */
} Ctx;

static bool write_node(YamlW *w, const Data *d, Ctx ctx);

/* An empty collection: libyaml writes it in flow style. */
static void write_empty(YamlW *w, bool map)
{
    yaml_w_indicator(w, map ? "{" : "[", true, true, false);
    yaml_w_indicator(w, map ? "}" : "]", false, false, false);
}

static bool write_sequence(YamlW *w, const Data *d, Ctx ctx)
{
    int saved = w->indent;
    bool indentless = ctx.mapping && !w->indention;
    if (w->indent < 0)
        w->indent = 0;
    else if (!indentless)
        w->indent += 2;
    for (const Data *e = d->u.kids.first; e; e = e->next) {
        yaml_w_indent(w);
        yaml_w_indicator(w, "-", true, false, true);
        if (!write_node(w, e, (Ctx){.mapping = false}))
            return false;
    }
    w->indent = saved;
    return true;
}

/* A key: simple ("key:") when libyaml takes it as one - a single line of at most 128 bytes -,
 * else complex ("? key" then ":" on the next line). */
static YamlKeySlot *key_slot(struct YamlKeyCache *keys, const char *key)
{
    return &keys->slot[((uintptr_t)key >> 3) * 2654435761u % YAML_KEY_SLOTS];
}

/* A plain key written before (see YamlKeyCache): its text and ':' appended, else false. */
static bool cached_key(YamlW *w, const char *key)
{
    const YamlKeySlot *k = key_slot(w->keys, key);
    /* strncmp, not memcmp: `key` may now be a shorter string (it stops at key's NUL). */
    if (k->key != key || strncmp(k->text, key, k->len) != 0 || key[k->len] != '\0')
        return false;
    /* The whole slot's text, a constant size: a few vector moves, where a copy of k->len bytes
     * was a call or a byte loop. The bytes after the key are overwritten or past the end. */
    char *p = strbuf_reserve(w->b, sizeof k->text + 1, 256);
    memcpy(p, k->text, sizeof k->text);
    p[k->len] = ':';
    p[k->len + 1] = '\0';
    w->b->len += (size_t)k->len + 1;
    return true;
}

/* Remembers the key just written at `mark` when it was written plain (yaml_key_append_str
 * writes it plain or "double-quoted"). */
static void remember_key(YamlW *w, const char *key, size_t mark)
{
    size_t n = w->b->len - mark;
    const char *text = w->b->data + mark;
    if (!w->keys || text[0] == '"' || n > YAML_KEY_MAX)
        return;
    YamlKeySlot *k = key_slot(w->keys, key);
    k->key = key;
    k->len = (unsigned char)n;
    memcpy(k->text, text, n);
}

static bool write_key(YamlW *w, const char *key)
{
    /* A key starts a line: no space before it. The _str form finds the length in its scan. */
    bool hit = w->keys && cached_key(w, key);
    size_t mark = w->b->len;
    if (hit || yaml_key_append_str(w->b, key)) {
        if (!hit) {
            remember_key(w, key, mark);
            strbuf_addc(w->b, ':'); /* yaml_w_indicator(w, ":", false, false, false) */
        }
        w->whitespace = w->indention = false;
        w->column = 1 << 20;
        return true;
    }
    size_t len = strlen(key);
    if (!yaml_utf8_valid(key, len)) {
        w->problem = "a mapping key is not valid UTF-8 Unicode text";
        return false;
    }
    YamlScalarInfo in;
    yaml_analyze(key, len, &in);
    bool simple = !in.multiline && len <= 128;
    if (!simple)
        yaml_w_indicator(w, "?", true, false, true);
    if (!write_string(w, key, len, STYLE_AUTO, simple))
        return false;
    if (simple) {
        yaml_w_indicator(w, ":", false, false, false);
    } else {
        yaml_w_indent(w);
        yaml_w_indicator(w, ":", true, false, true);
    }
    return true;
}

static bool write_mapping(YamlW *w, const Data *d)
{
    int saved = w->indent;
    w->indent = w->indent < 0 ? 0 : w->indent + 2;
    for (const Data *e = d->u.kids.first; e; e = e->next) {
        yaml_w_indent(w);
        if (!write_key(w, e->key ? e->key : "") || !write_node(w, e, (Ctx){.mapping = true}))
            return false;
    }
    w->indent = saved;
    return true;
}

static bool write_node(YamlW *w, const Data *d, Ctx ctx)
{
    char digits[24];
    size_t n;
    switch (d->kind) {
    case DATA_NULL: plain_ascii(w, "null", 4); return true;
    case DATA_BOOL: plain_ascii(w, d->u.b ? "true" : "false", d->u.b ? 4 : 5); return true;
    case DATA_INT: {
        const char *t = int64_dec(digits, d->u.i, &n);
        plain_ascii(w, t, n);
        return true;
    }
    case DATA_FLOAT: return write_float(w, d->u.f);
    case DATA_STR: return write_string(w, d->u.str.s, d->u.str.len, d->style, false);
    case DATA_MAP:
    case DATA_SEQ:
        if (!d->u.kids.first) {
            write_empty(w, d->kind == DATA_MAP);
            return true;
        }
        return d->kind == DATA_MAP ? write_mapping(w, d) : write_sequence(w, d, ctx);
    }
    return false;
}

/* ---- documents and streams ------------------------------------------------------------------ */

const char *yaml_emit_stream(StrBuf *b, const Data *const *docs, size_t n)
{
    return yaml_emit_stream_keys(b, docs, n, NULL);
}

const char *yaml_emit_stream_keys(StrBuf *b, const Data *const *docs, size_t n, struct YamlKeyCache *keys)
{
    YamlW w = {.keys = keys, .b = b, .indent = -1, .whitespace = true, .indention = true};
    for (size_t i = 0; i < n; i++) {
        if (i > 0) { /* every document after the first starts with "---" */
            yaml_w_indent(&w);
            yaml_w_indicator(&w, "---", true, false, false);
        }
        w.open_ended = 0;
        if (!write_node(&w, docs[i], (Ctx){.mapping = false}))
            return w.problem ? w.problem : "cannot write YAML";
        yaml_w_indent(&w);
        if (!w.open_ended)
            w.open_ended = 1;
    }
    if (w.open_ended == 2) { /* the stream ends after a "|+" block: libyaml closes it */
        yaml_w_indicator(&w, "...", true, false, false);
        yaml_w_indent(&w);
    }
    return NULL;
}
