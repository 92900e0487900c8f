/* strbuf.c - arena-backed growable strings (see strbuf.h). */
#include "support/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void strbuf_init(StrBuf *b, Arena *a)
{
    b->arena = a;
    b->cap = 256;
    b->len = 0;
    b->data = arena_alloc_raw(a, b->cap);
    b->data[0] = '\0';
}

char *strbuf_grow(StrBuf *b, size_t n, size_t min_cap)
{
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        size_t cap = b->cap * 2 > min_cap ? b->cap * 2 : min_cap;
        while (cap < need)
            cap *= 2;
        b->data = arena_grow(b->arena, b->data, b->cap, cap, b->len);
        b->cap = cap;
    }
    return b->data + b->len;
}

static void reserve(StrBuf *b, size_t extra) { (void)strbuf_reserve(b, extra, 256); }

void strbuf_add(StrBuf *b, const char *s)
{
    strbuf_addn(b, s, strlen(s));
}

void strbuf_indent(StrBuf *b, int n)
{
    if (n <= 0)
        return;
    reserve(b, (size_t)n);
    memset(b->data + b->len, ' ', (size_t)n);
    b->len += (size_t)n;
    b->data[b->len] = '\0';
}

void strbuf_add_int(StrBuf *b, int64_t i)
{
    char digits[24];
    size_t n;
    const char *d = int64_dec(digits, i, &n);
    strbuf_addn(b, d, n);
}

void strbuf_printf(StrBuf *b, const char *fmt, ...)
{
    /* Formats straight into the buffer's free space; grows and formats again only if it was
     * too small. */
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= room) {
        reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

const char *strbuf_str(StrBuf *b)
{
    return b->data;
}
