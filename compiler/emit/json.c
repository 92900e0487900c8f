/* json.c - the JSON writer (see json.h).
 *
 * values.schema.json is ~55 KB of mostly plain text. The text is written into one malloc'd
 * buffer (no arena block per growth) and copied into the arena once, at its final size; strings
 * are escaped eight bytes at a time, since almost none of their bytes need an escape. */
#include "emit/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/strbuf.h"

typedef struct JsonOut {
    char *data;
    size_t len, cap;
} JsonOut;

static void grow(JsonOut *o, size_t need)
{
    size_t cap = o->cap ? o->cap : 64 * 1024; /* a whole values.schema.json, usually */
    while (cap < need)
        cap *= 2;
    char *data = realloc(o->data, cap);
    if (!data) {
        fputs("goversec: fatal: out of memory\n", stderr);
        abort();
    }
    o->data = data;
    o->cap = cap;
}

/* Room for `n` more bytes. */
static inline char *room(JsonOut *o, size_t n)
{
    if (o->len + n > o->cap)
        grow(o, o->len + n);
    return o->data + o->len;
}

static inline void put(JsonOut *o, const char *s, size_t n)
{
    memcpy(room(o, n), s, n);
    o->len += n;
}

/* A string literal: its length is known at compile time, the copy is a few moves. */
#define PUT(o, lit) put((o), "" lit, sizeof(lit) - 1)

/* Indentation is short: eight spaces per store, the excess overwritten by what follows. */
static void put_indent(JsonOut *o, int n)
{
    char *at = room(o, (size_t)n + 8);
    for (int i = 0; i < n; i += 8)
        memcpy(at + i, "        ", 8);
    o->len += (size_t)n;
}

/* Whether any of the 8 bytes of `w` is '"', '\\' or a control character (< 0x20): the classic
 * "has a zero byte" test (exact as a yes/no answer) on w ^ '"', w ^ '\\' and on w - 0x20. */
static inline bool word_needs_escape(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
    uint64_t hits = ((q - ones) & ~q) | ((bs - ones) & ~bs) | ((w - ones * 0x20) & ~w);
    return (hits & highs) != 0;
}

/* One byte of a string, escaped per RFC 8259 as json_write always has: the short forms for
 * '"', '\\', '\n', '\r', '\t', \u00XX for the other control characters. */
static inline char *escape_byte(char *p, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    if (c >= 0x20 && c != '"' && c != '\\') {
        *p++ = (char)c;
        return p;
    }
    *p++ = '\\';
    switch (c) {
    case '"':
    case '\\': *p++ = (char)c; break;
    case '\n': *p++ = 'n'; break;
    case '\r': *p++ = 'r'; break;
    case '\t': *p++ = 't'; break;
    default:
        memcpy(p, "u00", 3);
        p[3] = hex[c >> 4];
        p[4] = hex[c & 0xf];
        p += 5;
    }
    return p;
}

static void json_string(JsonOut *o, const char *s, size_t len)
{
    char *p = room(o, 6 * len + 2), *start = p; /* every byte escaped as \u00XX at worst */
    *p++ = '"';
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (!word_needs_escape(w)) {
            memcpy(p, &w, 8);
            p += 8;
            continue;
        }
        for (size_t j = i; j < i + 8; j++)
            p = escape_byte(p, (unsigned char)s[j]);
    }
    for (; i < len; i++)
        p = escape_byte(p, (unsigned char)s[i]);
    *p++ = '"';
    o->len += (size_t)(p - start);
}

static void put_int(JsonOut *o, int64_t i)
{
    char digits[24];
    size_t n;
    const char *d = int64_dec(digits, i, &n);
    put(o, d, n);
}

static void json_value(JsonOut *o, const Data *d, int indent)
{
    switch (d->kind) {
    case DATA_NULL: PUT(o, "null"); return;
    case DATA_BOOL:
        if (d->u.b)
            PUT(o, "true");
        else
            PUT(o, "false");
        return;
    case DATA_INT: put_int(o, d->u.i); return;
    case DATA_FLOAT: {
        char num[40];
        int n = isfinite(d->u.f) ? snprintf(num, sizeof num, "%.17g", d->u.f) : -1;
        if (n > 0)
            put(o, num, (size_t)n);
        else
            PUT(o, "null");
        return;
    }
    case DATA_STR: json_string(o, d->u.str.s, d->u.str.len); return;
    case DATA_MAP:
    case DATA_SEQ: break;
    }
    bool map = d->kind == DATA_MAP;
    if (!d->u.kids.first) {
        put(o, map ? "{}" : "[]", 2);
        return;
    }
    put(o, map ? "{\n" : "[\n", 2);
    for (const Data *e = d->u.kids.first; e; e = e->next) {
        put_indent(o, indent + 2);
        if (map) {
            json_string(o, e->key, strlen(e->key));
            PUT(o, ": ");
        }
        json_value(o, e, indent + 2);
        if (e->next)
            PUT(o, ",\n");
        else
            PUT(o, "\n");
    }
    put_indent(o, indent);
    put(o, map ? "}" : "]", 1);
}

const char *json_write(Arena *a, const Data *d)
{
    JsonOut o = {0};
    json_value(&o, d, 0);
    PUT(&o, "\n");
    char *text = arena_alloc_raw(a, o.len + 1);
    memcpy(text, o.data, o.len);
    text[o.len] = '\0';
    free(o.data);
    return text;
}
