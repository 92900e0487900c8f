/* fuzz_yaml_writer.c - differential libFuzzer target of goversec's YAML writer. The input bytes
 * decide a stream of Data documents (arbitrary scalars - any bytes, often pieces that matter to
 * YAML: indicators, breaks, Unicode separators, BOM, quotes, YAML 1.1 words -, keys, styles,
 * nesting, empty collections); then
 *  1. goversec's writer and libyaml's emitter (tests/unit/yaml_oracle.c) must write the same
 *     bytes, or both refuse (text that is not UTF-8);
 *  2. what the writer wrote must parse back through libyaml's parser (yaml_read) to the same
 *     documents: same kinds, same strings byte for byte, same keys in the same order.
 * Any difference aborts (a crash for libFuzzer). Built with -DGOVERSEC_FUZZ=ON (tests/fuzz/run.sh). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/source.h"
#include "yaml/yamlio.h"
#include "yaml_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct In {
    const uint8_t *p, *end;
} In;

static unsigned next(In *in)
{
    return in->p < in->end ? *in->p++ : 0;
}

/* Pieces a string is made of (one input byte each, or a raw byte). */
static const char *const PIECES[] = {
    " ", "\n", "\r", "\t", ":", ": ", "#", " #", "-", "- ", "---", "...", "?", "'", "\"", "\\", "|",
    ">", "{", "}", "[", "]", ",", "&", "*", "!", "%", "@", "`", "~", "0", "1", "0x", ".5", "e3", "yes",
    "No", "null", "true", "\xc3\xa9", "\xe6\x97\xa5", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xc2\x85",
    "\xef\xbb\xbf", "\xc2\xa0", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xef\xbf\xbe", "\x01", "\x7f",
    "\xc2\x9f", "a", "b", "key", "value", "2024-01-02", "1:30", "<<", "=",
};
enum { NPIECES = sizeof PIECES / sizeof PIECES[0] };

static Data *gen_string(Arena *a, In *in, bool key)
{
    StrBuf b;
    strbuf_init(&b, a);
    unsigned n = next(in);
    n = n >= 250 ? 120 + (n - 250) * 3 : n % 24; /* now and then around 128 bytes (simple keys) */
    for (unsigned i = 0; i < n && in->p < in->end; i++) {
        unsigned c = next(in);
        if (c < 0x80 + NPIECES && c >= 0x80)
            strbuf_add(&b, PIECES[c - 0x80]);
        else if (c < 0x80 && c >= 0x20)
            strbuf_addc(&b, (char)c);
        else if (!(key && c == 0))
            strbuf_addc(&b, (char)c); /* any byte, invalid UTF-8 too (keys are C strings: no NUL) */
        else
            strbuf_addc(&b, 'k');
    }
    Data *d = data_strn(a, b.data ? b.data : "", b.len);
    d->style = (DataStyle)(next(in) % 3);
    return d;
}

static Data *gen_node(Arena *a, In *in, int depth)
{
    unsigned k = next(in) % (depth >= 6 ? 6 : 9);
    switch (k) {
    case 0: return data_null(a);
    case 1: return data_bool(a, next(in) & 1);
    case 2: {
        uint64_t u = 0;
        for (int i = 0; i < 8; i++)
            u = u << 8 | next(in);
        return data_int(a, (int64_t)u);
    }
    case 3: {
        uint64_t u = 0;
        for (int i = 0; i < 8; i++)
            u = u << 8 | next(in);
        double f;
        memcpy(&f, &u, sizeof f);
        Data *d = data_null(a);
        d->kind = DATA_FLOAT;
        d->u.f = f;
        return d;
    }
    case 4:
    case 5: return gen_string(a, in, false);
    case 6:
    case 7: {
        Data *m = data_map(a);
        unsigned n = next(in) % 5;
        for (unsigned i = 0; i < n && in->p < in->end; i++) {
            Data *key = gen_string(a, in, true);
            if (data_get(m, key->u.str.s)) /* duplicate keys would not read back */
                continue;
            data_put(a, m, key->u.str.s, gen_node(a, in, depth + 1));
        }
        return m;
    }
    default: {
        Data *s = data_seq(a);
        unsigned n = next(in) % 5;
        for (unsigned i = 0; i < n && in->p < in->end; i++)
            data_push(s, gen_node(a, in, depth + 1));
        return s;
    }
    }
}

static bool same(const Data *x, const Data *y)
{
    if (x->kind != y->kind)
        return false;
    switch (x->kind) {
    case DATA_NULL: return true;
    case DATA_BOOL: return x->u.b == y->u.b;
    case DATA_INT: return x->u.i == y->u.i;
    case DATA_FLOAT: return (isnan(x->u.f) && isnan(y->u.f)) || x->u.f == y->u.f;
    case DATA_STR:
        return x->u.str.len == y->u.str.len && memcmp(x->u.str.s, y->u.str.s, x->u.str.len) == 0;
    case DATA_MAP:
    case DATA_SEQ: {
        const Data *a = x->u.kids.first, *b = y->u.kids.first;
        for (; a && b; a = a->next, b = b->next)
            if ((x->kind == DATA_MAP && strcmp(a->key, b->key) != 0) || !same(a, b))
                return false;
        return !a && !b;
    }
    }
    return false;
}

static void fail(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_yaml_writer: %s\n--- text ---\n%s\n---\n", what, text ? text : "(none)");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    In in = {data, data + size};
    Arena *a = arena_new();
    Data *docs[3];
    size_t n = 1 + next(&in) % 3;
    for (size_t i = 0; i < n; i++)
        docs[i] = gen_node(a, &in, 0);
    const char *why = NULL;
    if (!yaml_oracle_check(a, (const Data *const *)docs, n, &why))
        fail(why, NULL);
    const char *text, *err;
    size_t len;
    if (yaml_write(a, (const Data *const *)docs, n, &text, &len, &err)) {
        SourceMap sources;
        source_map_init(&sources, a);
        SourceFile *file = source_add(&sources, "out.yaml", text, len);
        DiagSink diags;
        diag_init(&diags, &sources, a);
        Data **back = NULL;
        int got = yaml_read(a, file, &back, &diags);
        if (got != (int)n)
            fail(got < 0 ? diag_render_string(&diags, false) : "a different number of documents", text);
        for (size_t i = 0; i < n; i++)
            if (!same(docs[i], back[i]))
                fail("the text does not read back as the documents written", text);
    }
    arena_free(a);
    return 0;
}
