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

/* ---- the cache of plain texts (YamlTextCache) ------------------------------------------ */

static inline uint64_t load8(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

static inline uint32_t load4(const char *s)
{
    uint32_t w;
    memcpy(&w, s, 4);
    return w;
}

/* The slot of the text s[0..len), 1 <= len <= YAML_TEXT_ROOM: a hash of its length and its first
 * and last words (overlapping when short), read inside the text only. Texts that share all three
 * share a slot (the later one replaces the earlier): a miss, never a wrong hit. */
static inline size_t text_slot(const char *s, size_t len)
{
    uint64_t h;
    if (len >= 8)
        h = load8(s) ^ (load8(s + len - 8) * 0xff51afd7ed558ccdu);
    else if (len >= 4)
        h = load4(s) | (uint64_t)load4(s + len - 4) << 32;
    else
        h = (unsigned char)s[0] | (unsigned)(unsigned char)s[len / 2] << 8 | (unsigned)(unsigned char)s[len - 1] << 16;
    h = (h ^ len) * 0x9e3779b97f4a7c15u;
    return (size_t)(h >> (64 - YAML_TEXT_SLOT_BITS)); /* the top bits: the best mixed */
}

/* Whether the slot's text t is s[0..len) (1 <= len <= YAML_TEXT_ROOM): a word at a time, the
 * last word overlapping the one before it; never past s's len bytes. */
static inline bool same_text(const char *t, const char *s, size_t len)
{
    if (len < 4)
        return t[0] == s[0] && t[len / 2] == s[len / 2] && t[len - 1] == s[len - 1];
    if (len < 8)
        return load4(t) == load4(s) && load4(t + len - 4) == load4(s + len - 4);
    for (size_t i = 0; i + 8 < len; i += 8)
        if (load8(t + i) != load8(s + i))
            return false;
    return load8(t + len - 8) == load8(s + len - 8);
}

/* The cache's copy of s[0..len) (YAML_TEXT_ROOM bytes, the text first), NULL when it has none. */
static inline const char *cached(const YamlTextCache *c, const char *s, size_t len)
{
    if (len - 1 >= YAML_TEXT_ROOM) /* (len 0 wraps around) */
        return NULL;
    size_t i = text_slot(s, len);
    return c->len[i] == len && same_text(c->text[i], s, len) ? c->text[i] : NULL;
}

/* Appends `before` (unless NUL), the len bytes of a cached text t and `after` (unless NUL). The
 * whole slot is copied, a constant size: a few vector moves, where a copy of len bytes was a
 * call or a byte loop. The bytes after the text are overwritten or past the end. */
static inline void put_cached(StrBuf *b, const char *t, size_t len, char before, char after)
{
    char *p = strbuf_reserve(b, YAML_TEXT_ROOM + 2, 256);
    *p = before;
    p += before != 0;
    memcpy(p, t, YAML_TEXT_ROOM);
    p += len;
    *p = after;
    p += after != 0;
    *p = '\0';
    b->len = (size_t)(p - b->data);
}

/* Remembers s[0..len), just written plain. */
static void remember(YamlTextCache *c, const char *s, size_t len)
{
    if (len == 0 || len > YAML_TEXT_ROOM)
        return;
    size_t i = text_slot(s, len);
    c->len[i] = (unsigned char)len;
    memcpy(c->text[i], s, len);
}

struct YamlKeyCache *yaml_key_cache_new(Arena *a)
{
    struct YamlKeyCache *k = arena_alloc_raw(a, sizeof *k);
    memset(k->keys.len, 0, sizeof k->keys.len);
    memset(k->values.len, 0, sizeof k->values.len);
    return k;
}

/* ---- scalars, continued --------------------------------------------------------------------- */

/* A string value (not a key): yaml_scalar.c's direct text when it takes it, else the general
 * path. False (w->problem set) for text that is not UTF-8. */
static bool write_string(YamlW *w, const char *s, size_t len, DataStyle style, bool simple_key)
{
    /* A STYLE_AUTO value written plain before is written plain again (a plain single-line
     * scalar does not depend on where it stands in a block collection). Only a C string of len
     * bytes can be plain (yaml_needs_quotes): s[len] is read by the direct writer too. */
    bool cache = w->keys && style == STYLE_AUTO && !simple_key && len && s[len] == '\0';
    const char *hit = cache ? cached(&w->keys->values, s, len) : NULL;
    if (hit) {
        put_cached(w->b, hit, len, w->whitespace ? 0 : ' ', 0);
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
        else if (cache && w->b->len - (ws ? mark : mark + 1) == len)
            remember(&w->keys->values, s, len); /* as long as the string: written plain (quotes
                                                  * and block headers add bytes) */
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

/* An entry of a collection: strings (most entries) straight to write_string, without the
 * recursive write_node's frame. */
static inline bool write_entry(YamlW *w, const Data *d, Ctx ctx)
{
    if (d->kind == DATA_STR)
        return write_string(w, d->u.str.s, d->u.str.len, d->style, false);
    return write_node(w, d, ctx);
}

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
        if (!write_entry(w, e, (Ctx){.mapping = false}))
            return false;
    }
    w->indent = saved;
    return true;
}

/* A key: simple ("key:") when libyaml takes it as one - a single line of at most 128 bytes -,
 * else complex ("? key" then ":" on the next line). */
static bool write_key(YamlW *w, const char *key)
{
    bool plain;
    return yaml_w_key(w, key, strlen(key), &plain);
}

bool yaml_w_key(YamlW *w, const char *key, size_t len, bool *plain)
{
    /* A key starts a line: no space before it. */
    *plain = false;
    const char *hit = w->keys ? cached(&w->keys->keys, key, len) : NULL;
    if (hit) {
        put_cached(w->b, hit, len, 0, ':');
        w->whitespace = w->indention = false;
        w->column = 1 << 20;
        *plain = true;
        return true;
    }
    size_t mark = w->b->len;
    if (yaml_key_append(w->b, key, len)) {
        /* written plain or "double-quoted": plain when it is as long as the key */
        *plain = w->b->len - mark == len;
        if (w->keys && *plain)
            remember(&w->keys->keys, key, len);
        strbuf_addc(w->b, ':'); /* yaml_w_indicator(w, ":", false, false, false) */
        w->whitespace = w->indention = false;
        w->column = 1 << 20;
        return true;
    }
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
        if (!write_key(w, e->key ? e->key : "") || !write_entry(w, e, (Ctx){.mapping = true}))
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

/* ---- the writer's steps, for writers that walk something else than a Data tree (yaml_emit.h) */

bool yaml_w_string(YamlW *w, const char *s, size_t len, DataStyle style)
{
    return write_string(w, s, len, style, false);
}

bool yaml_w_node(YamlW *w, const Data *d, bool mapping)
{
    return write_node(w, d, (Ctx){.mapping = mapping});
}

void yaml_w_empty(YamlW *w, bool map)
{
    write_empty(w, map);
}

void yaml_out_begin(YamlOut *out, YamlW *w)
{
    if (!out->arena) { /* as yaml_write_to does */
        out->arena = arena_new();
        out->keys = yaml_key_cache_new(out->arena);
        strbuf_init(&out->buf, out->arena);
    }
    out->buf.len = 0;
    *w = (YamlW){.keys = out->keys, .b = &out->buf, .indent = -1, .whitespace = true, .indention = true};
}

void yaml_out_end(YamlOut *out, YamlW *w)
{
    /* yaml_emit_stream_keys's end of a stream of one document */
    yaml_w_indent(w);
    if (w->open_ended == 2) {
        yaml_w_indicator(w, "...", true, false, false);
        yaml_w_indent(w);
    }
    out->text = (char *)strbuf_str(&out->buf);
    out->len = out->buf.len;
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
