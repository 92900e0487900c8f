/* yaml_oracle.c - libyaml's emitter as the oracle of goversec's YAML writer (yaml_oracle.h), test
 * suite only: the emitter code goversec used before it had its own writer, a byte-for-byte
 * comparison, and the writer's entry points (yamlio.h) wrapped so that every document a linked
 * program writes is checked. Linked before libgoversec_core, these definitions of yaml_write,
 * yaml_write_one, yaml_write_to and yaml_out_free are the ones the program uses; the archive's
 * yaml_api.o is then never extracted (a duplicate definition would fail the link, loudly). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yaml/yaml_emit.h"
#include "yaml_oracle.h"
#include "yaml/yamlio.h"

typedef struct OracleBuf {
    char *text;
    size_t len, cap;
} OracleBuf;

/* Appends libyaml's output to a YamlOut, keeping a NUL after the text. */
static int out_handler(void *data, unsigned char *buffer, size_t size)
{
    OracleBuf *b = data;
    if (b->len + size + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + size + 1 > cap)
            cap *= 2;
        char *np = realloc(b->text, cap);
        if (!np)
            return 0;
        b->text = np;
        b->cap = cap;
    }
    memcpy(b->text + b->len, buffer, size);
    b->len += size;
    b->text[b->len] = '\0';
    return 1;
}

static int emit_scalar(yaml_emitter_t *em, const char *s, size_t len, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style))
        return 0;
    return yaml_emitter_emit(em, &ev);
}

static int emit_string(yaml_emitter_t *em, const char *s, size_t len, DataStyle style)
{
    yaml_scalar_style_t ys = YAML_PLAIN_SCALAR_STYLE;
    if (style == STYLE_QUOTED || (style == STYLE_AUTO && yaml_needs_quotes(s, len)))
        ys = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    else if (style == STYLE_LITERAL)
        ys = YAML_LITERAL_SCALAR_STYLE;
    return emit_scalar(em, s, len, ys);
}

static int emit_float(yaml_emitter_t *em, double f)
{
    char buf[40];
    if (f != f)
        snprintf(buf, sizeof buf, ".nan");
    else if (f > 1e308 * 10)
        snprintf(buf, sizeof buf, ".inf");
    else if (f < -1e308 * 10)
        snprintf(buf, sizeof buf, "-.inf");
    else {
        snprintf(buf, sizeof buf, "%.17g", f);
        if (!strpbrk(buf, ".eEn"))
            strcat(buf, ".0"); /* keep it a float when read back */
    }
    return emit_scalar(em, buf, strlen(buf), YAML_PLAIN_SCALAR_STYLE);
}

static int emit_node(yaml_emitter_t *em, const Data *d);

static int emit_collection(yaml_emitter_t *em, const Data *d)
{
    yaml_event_t ev;
    bool map = d->kind == DATA_MAP;
    bool empty = d->u.kids.count == 0;
    int ok = map ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                       empty ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
                 : yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                        empty ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
    if (!ok || !yaml_emitter_emit(em, &ev))
        return 0;
    for (const Data *k = d->u.kids.first; k; k = k->next) {
        if (map && !emit_string(em, k->key ? k->key : "", k->key ? strlen(k->key) : 0, STYLE_AUTO))
            return 0;
        if (!emit_node(em, k))
            return 0;
    }
    ok = map ? yaml_mapping_end_event_initialize(&ev) : yaml_sequence_end_event_initialize(&ev);
    return ok && yaml_emitter_emit(em, &ev);
}

static int emit_node(yaml_emitter_t *em, const Data *d)
{
    char buf[32];
    switch (d->kind) {
    case DATA_NULL:
        return emit_scalar(em, "null", 4, YAML_PLAIN_SCALAR_STYLE);
    case DATA_BOOL:
        return emit_scalar(em, d->u.b ? "true" : "false", d->u.b ? 4 : 5, YAML_PLAIN_SCALAR_STYLE);
    case DATA_INT:
        snprintf(buf, sizeof buf, "%" PRId64, d->u.i);
        return emit_scalar(em, buf, strlen(buf), YAML_PLAIN_SCALAR_STYLE);
    case DATA_FLOAT:
        return emit_float(em, d->u.f);
    case DATA_STR:
        return emit_string(em, d->u.str.s, d->u.str.len, d->style);
    case DATA_MAP:
    case DATA_SEQ:
        return emit_collection(em, d);
    }
    return 0;
}

static int emit_document(yaml_emitter_t *em, const Data *doc, bool explicit_start)
{
    yaml_event_t ev;
    if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, explicit_start ? 0 : 1) ||
        !yaml_emitter_emit(em, &ev) || !emit_node(em, doc))
        return 0;
    return yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(em, &ev);
}

static bool write_docs(yaml_emitter_t *em, const Data *const *docs, size_t n)
{
    yaml_event_t ev;
    if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) || !yaml_emitter_emit(em, &ev))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!emit_document(em, docs[i], n > 1 && i > 0))
            return false;
    return yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev) && yaml_emitter_flush(em);
}

/* The documents appended to `out` by one emitter; NULL, or libyaml's reason for failing. */
static const char *write_to(OracleBuf *out, const Data *const *docs, size_t n)
{
    yaml_emitter_t em;
    if (!yaml_emitter_initialize(&em))
        return "cannot initialise the YAML emitter";
    yaml_emitter_set_output(&em, out_handler, out);
    yaml_emitter_set_width(&em, -1);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_indent(&em, 2);
    yaml_emitter_set_break(&em, YAML_LN_BREAK);
    const char *problem = NULL;
    if (!write_docs(&em, docs, n)) /* libyaml's problems are string literals: they outlive em */
        problem = em.problem ? em.problem : "YAML emitter failed";
    yaml_emitter_delete(&em);
    return problem;
}

bool yaml_oracle_libyaml(Arena *a, const Data *const *docs, size_t n, const char **out, size_t *len,
                         const char **err)
{
    OracleBuf buf = {0};
    const char *problem = write_to(&buf, docs, n);
    if (problem)
        *err = problem;
    else {
        *out = arena_strndup(a, buf.text ? buf.text : "", buf.len);
        *len = buf.len;
    }
    free(buf.text);
    return !problem;
}

/* ---- the comparison ------------------------------------------------------------------------- */

static size_t compared; /* test-only counter (yaml_oracle_documents) */

size_t yaml_oracle_documents(void) { return compared; }

/* Up to 40 bytes of `s` around `at`, control and non-ASCII bytes as \xHH. */
static const char *excerpt(Arena *a, const char *s, size_t len, size_t at)
{
    StrBuf b;
    strbuf_init(&b, a);
    size_t from = at > 20 ? at - 20 : 0, to = at + 20 < len ? at + 20 : len;
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == at)
            strbuf_add(&b, "<HERE>");
        if (c >= 0x20 && c < 0x7f && c != '\\')
            strbuf_addc(&b, (char)c);
        else
            strbuf_printf(&b, "\\x%02X", c);
    }
    if (at >= len)
        strbuf_add(&b, "<HERE:end>");
    return strbuf_str(&b);
}

/* True when every string and key of `d` holds only Unicode scalar values (as far as it is
 * UTF-8 at all: libyaml judges the rest). libyaml's emitter accepts surrogates and code points
 * above U+10FFFF and writes them as "\uD800" / "\U00110000", escapes its own parser refuses;
 * goversec's writer refuses such text instead, and the oracle counts libyaml's text for it as a
 * refusal too (the only place where the oracle is not libyaml's emitter as it stands). */
static bool scalar_values_only(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p, n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        if ((size_t)(end - p) < n)
            return true;
        unsigned v = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
        for (unsigned k = 1; k < n; k++)
            v = (v << 6) | (p[k] & 0x3F);
        if (n > 1 && ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF))
            return false;
        p += n;
    }
    return true;
}

static bool unicode_only(const Data *d)
{
    if (d->key && !scalar_values_only(d->key, strlen(d->key)))
        return false;
    if (d->kind == DATA_STR)
        return scalar_values_only(d->u.str.s, d->u.str.len);
    if (d->kind == DATA_MAP || d->kind == DATA_SEQ)
        for (const Data *k = d->u.kids.first; k; k = k->next)
            if (!unicode_only(k))
                return false;
    return true;
}

static bool compare(Arena *a, const char *ours, size_t olen, const char *ours_err, const Data *const *docs,
                    size_t n, const char **why)
{
    const char *ref = NULL, *ref_err = NULL;
    size_t rlen = 0;
    bool ref_ok = yaml_oracle_libyaml(a, docs, n, &ref, &rlen, &ref_err);
    for (size_t i = 0; ref_ok && i < n; i++)
        if (!unicode_only(docs[i])) {
            ref_ok = false;
            ref_err = "a code point that is not a Unicode scalar value";
        }
    compared += n;
    if (!ours && !ref_ok)
        return true; /* both refuse (text that is not UTF-8) */
    if (!ours || !ref_ok) {
        *why = arena_printf(a, "goversec's writer %s, libyaml's emitter %s", ours ? "wrote the documents" : ours_err,
                            ref_ok ? "wrote them" : ref_err);
        return false;
    }
    if (olen == rlen && memcmp(ours, ref, olen) == 0)
        return true;
    size_t at = 0;
    while (at < olen && at < rlen && ours[at] == ref[at])
        at++;
    *why = arena_printf(a, "the texts differ at byte %zu (goversec %zu bytes, libyaml %zu):\n  goversec: %s\n  libyaml:  %s",
                        at, olen, rlen, excerpt(a, ours, olen, at), excerpt(a, ref, rlen, at));
    return false;
}

bool yaml_oracle_check(Arena *a, const Data *const *docs, size_t n, const char **why)
{
    StrBuf b;
    strbuf_init(&b, a);
    const char *err = yaml_emit_stream(&b, docs, n);
    return compare(a, err ? NULL : strbuf_str(&b), b.len, err, docs, n, why);
}

/* Stops the program at the first difference: a test that emits a document libyaml would write
 * otherwise fails, whatever it checks itself. */
static void checked_or_abort(const char *ours, size_t olen, const char *err, const Data *const *docs, size_t n)
{
    Arena *a = arena_new();
    const char *why = NULL;
    if (!compare(a, ours, olen, err, docs, n, &why)) {
        fprintf(stderr, "yaml oracle: goversec's YAML writer and libyaml's emitter disagree: %s\n", why);
        fflush(stderr);
        abort();
    }
    arena_free(a);
}

/* ---- the writer's entry points, checked ----------------------------------------------------- */

bool yaml_write(Arena *a, const Data *const *docs, size_t n, const char **out, size_t *len,
                const char **err)
{
    StrBuf b;
    strbuf_init(&b, a);
    const char *problem = yaml_emit_stream(&b, docs, n);
    checked_or_abort(problem ? NULL : strbuf_str(&b), b.len, problem, docs, n);
    if (problem) {
        *err = problem;
        return false;
    }
    *out = strbuf_str(&b);
    *len = b.len;
    return true;
}

const char *yaml_write_one(Arena *a, const Data *doc, size_t *len)
{
    const char *out, *err;
    size_t n;
    if (!yaml_write(a, &doc, 1, &out, &n, &err))
        return NULL;
    if (len)
        *len = n;
    return out;
}

bool yaml_write_to(YamlOut *out, const Data *doc)
{
    if (!out->arena) {
        out->arena = arena_new();
        strbuf_init(&out->buf, out->arena);
    }
    out->buf.len = 0;
    const char *problem = yaml_emit_stream(&out->buf, &doc, 1);
    out->text = (char *)strbuf_str(&out->buf);
    out->len = out->buf.len;
    checked_or_abort(problem ? NULL : out->text, out->len, problem, &doc, 1);
    return problem == NULL;
}

void yaml_out_free(YamlOut *out)
{
    if (out->arena)
        arena_free(out->arena);
    *out = (YamlOut){0};
}
