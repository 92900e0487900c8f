/* json.c - the JSON writer (see json.h).
 *
 * Text goes straight into the caller's buffer, no tree or copy in between. Strings (json_quote,
 * also values.schema.json's) are escaped eight bytes at a time, since almost none of their bytes
 * need an escape. */
#include "emit/json.h"
#include "support/swar.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Room for `n` more bytes and a NUL (strbuf_str's); the caller advances b->len. */
static inline char *room(StrBuf *b, size_t n)
{
    if (b->len + n + 1 > b->cap)
        return strbuf_reserve(b, n, 64 * 1024);
    return b->data + b->len;
}

static inline void put(StrBuf *b, const char *s, size_t n)
{
    memcpy(room(b, n), s, n);
    b->len += n;
}

/* A string literal: its length is known at compile time, the copy is a few moves. */
#define PUT(b, lit) put((b), "" lit, sizeof(lit) - 1)

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

/* json_quote's general path: s escaped byte by byte where a word of it needs it. */
static char *quote_escaped(char *p, const char *s, size_t len)
{
    size_t i = 0;
    while ((p = swar_copy_clean(p, s, len, &i)), i + 8 <= len)
        for (size_t end = i + 8; i < end; i++)
            p = escape_byte(p, (unsigned char)s[i]);
    for (; i < len; i++)
        p = escape_byte(p, (unsigned char)s[i]);
    *p++ = '"';
    return p;
}

/* 16 bytes as one value of the vector extension GCC and Clang share: on x86-64 the compares below
 * are one SSE2 instruction each for all 16 bytes (elsewhere the compiler splits them as needed),
 * so a string of descriptions' length is tested in a few steps instead of a word at a time. */
typedef unsigned char Bytes16 __attribute__((vector_size(16)));

/* Whether s[0..16) holds a byte json_quote escapes (swar_escape_bits's classes). */
static inline bool escape16(const char *s)
{
    Bytes16 v;
    memcpy(&v, s, 16);
    Bytes16 hit = (Bytes16)((v < 0x20) | (v == '"') | (v == '\\'));
    uint64_t half[2];
    memcpy(half, &hit, 16);
    return (half[0] | half[1]) != 0;
}

/* Most strings need no escape (keys, descriptions): they are tested and copied 16 bytes at a
 * time (escape16) or as two words, the last piece overlapping the one before it (a string of 4
 * to 7 bytes as two overlapping half-words, a shorter one byte by byte), without a loop per byte
 * or a call to memcpy; the first piece that needs an escape sends the whole string to
 * quote_escaped, which starts over. Kept small so that it needs no saved registers (the schema
 * quotes ~500 strings). */
char *json_quote(char *p, const char *s, size_t len)
{
    *p++ = '"';
    if (len >= 16) {
        for (size_t i = 0; i + 16 < len; i += 16) {
            if (escape16(s + i))
                return quote_escaped(p, s, len);
            memcpy(p + i, s + i, 16);
        }
        if (escape16(s + len - 16))
            return quote_escaped(p, s, len);
        memcpy(p + len - 16, s + len - 16, 16);
    } else if (len >= 8) { /* two words, the second overlapping the first */
        uint64_t w = swar_load(s), x = swar_load(s + len - 8);
        if (swar_escape_bits(w) | swar_escape_bits(x))
            return quote_escaped(p, s, len);
        memcpy(p, &w, 8);
        memcpy(p + len - 8, &x, 8);
    } else if (len >= 4) {
        uint32_t x, y;
        memcpy(&x, s, 4);
        memcpy(&y, s + len - 4, 4);
        if (swar_escape_bits(x | (uint64_t)y << 32))
            return quote_escaped(p, s, len);
        memcpy(p, &x, 4);
        memcpy(p + len - 4, &y, 4);
    } else if (len > 0) {
        /* s[0], s[len / 2] and s[len - 1] are every byte; spaces (no escape) in the others. */
        uint64_t w = 0x2020202020202020u & ~(uint64_t)0xffffff;
        w |= (unsigned char)s[0] | (unsigned)(unsigned char)s[len / 2] << 8 | (unsigned)(unsigned char)s[len - 1] << 16;
        if (swar_escape_bits(w))
            return quote_escaped(p, s, len);
        p[0] = s[0];
        p[len / 2] = s[len / 2];
        p[len - 1] = s[len - 1];
    }
    p[len] = '"';
    return p + len + 1;
}

static void put_string(StrBuf *b, const char *s, size_t len)
{
    char *p = room(b, JSON_QUOTE_ROOM(len));
    b->len += (size_t)(json_quote(p, s, len) - p);
}

void json_writer_init(JsonWriter *w, StrBuf *b)
{
    *w = (JsonWriter){b, 0, true};
}

void json_begin(JsonWriter *w, char open)
{
    put(w->b, &open, 1);
    w->indent += 2;
    w->empty = true;
}

void json_end(JsonWriter *w, char close)
{
    StrBuf *b = w->b;
    w->indent -= 2;
    char *at = room(b, (size_t)w->indent + 10);
    if (!w->empty) { /* the line break and indentation before the bracket */
        *at++ = '\n';
        for (int i = 0; i < w->indent; i += 8)
            memcpy(at + i, "        ", 8);
        at += w->indent;
        b->len += (size_t)w->indent + 1;
    }
    *at = close;
    b->len++;
    w->empty = false; /* the enclosing container has this one as a member */
}

void json_item(JsonWriter *w)
{
    /* ",", the line break and the indentation with one room check (once per member or item). */
    StrBuf *b = w->b;
    char *at = room(b, (size_t)w->indent + 10);
    size_t comma = !w->empty;
    *at = ',';
    at[comma] = '\n';
    at += comma + 1;
    for (int i = 0; i < w->indent; i += 8)
        memcpy(at + i, "        ", 8);
    b->len += comma + 1 + (size_t)w->indent;
    w->empty = false;
}

void json_key(JsonWriter *w, const char *key, size_t len)
{
    json_item(w);
    put_string(w->b, key, len);
    PUT(w->b, ": ");
}

void json_str(JsonWriter *w, const char *s, size_t len)
{
    put_string(w->b, s, len);
}

void json_int(JsonWriter *w, int64_t i)
{
    char digits[24];
    size_t n;
    const char *d = int64_dec(digits, i, &n);
    put(w->b, d, n);
}

void json_bool(JsonWriter *w, bool b)
{
    if (b)
        PUT(w->b, "true");
    else
        PUT(w->b, "false");
}

void json_data(JsonWriter *w, const Data *d)
{
    switch (d->kind) {
    case DATA_NULL: PUT(w->b, "null"); return;
    case DATA_BOOL: json_bool(w, d->u.b); return;
    case DATA_INT: json_int(w, d->u.i); return;
    case DATA_FLOAT: {
        char num[40];
        int n = isfinite(d->u.f) ? snprintf(num, sizeof num, "%.17g", d->u.f) : -1;
        if (n > 0)
            put(w->b, num, (size_t)n);
        else
            PUT(w->b, "null");
        return;
    }
    case DATA_STR: json_str(w, d->u.str.s, d->u.str.len); return;
    case DATA_MAP:
    case DATA_SEQ: break;
    }
    bool map = d->kind == DATA_MAP;
    json_begin(w, map ? '{' : '[');
    for (const Data *e = d->u.kids.first; e; e = e->next) {
        if (map)
            json_key(w, e->key, strlen(e->key));
        else
            json_item(w);
        json_data(w, e);
    }
    json_end(w, map ? '}' : ']');
}

const char *json_write(Arena *a, const Data *d)
{
    StrBuf b;
    strbuf_init(&b, a);
    JsonWriter w;
    json_writer_init(&w, &b);
    json_data(&w, d);
    PUT(&b, "\n");
    *room(&b, 0) = '\0';
    return b.data;
}
