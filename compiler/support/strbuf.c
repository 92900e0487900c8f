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

static void reserve(StrBuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap * 2;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *data = arena_alloc_raw(b->arena, cap);
    memcpy(data, b->data, b->len);
    b->data = data;
    b->cap = cap;
}

void strbuf_addn(StrBuf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

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
    size_t n = sizeof digits;
    /* Negate as unsigned so INT64_MIN works too. */
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    do {
        digits[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (i < 0)
        digits[--n] = '-';
    strbuf_addn(b, digits + n, sizeof digits - n);
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
