/* yaml_oracle.c - libyaml's emitter as the oracle of goversec's YAML writer (yaml_oracle.h), test
 * suite only: a byte-for-byte comparison with libyaml's text (yaml_oracle_libyaml.c), and the
 * writer's entry points (yamlio.h) wrapped so that every document a linked program writes is
 * checked. Linked before libgoversec_core, these definitions of yaml_write,
 * yaml_write_one, yaml_write_to and yaml_out_free are the ones the program uses; the archive's
 * yaml_api.o is then never extracted (a duplicate definition would fail the link, loudly). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml/yaml_emit.h"
#include "yaml_oracle.h"
#include "yaml/yamlio.h"

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
        out->keys = yaml_key_cache_new(out->arena);
        strbuf_init(&out->buf, out->arena);
    }
    out->buf.len = 0;
    const char *problem = yaml_emit_stream_keys(&out->buf, &doc, 1, out->keys);
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
