/* strbuf.h - a growable string in the arena, for printers that build text (templates, JSON,
 * reports). Growing may move the text (arena_grow): a pointer into it (strbuf_str) is valid until the
 * next append. The arena frees everything at once. */
#ifndef GOVERSEC_STRBUF_H
#define GOVERSEC_STRBUF_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "support/arena.h"

typedef struct StrBuf {
    Arena *arena;
    char *data;
    size_t len, cap;
} StrBuf;

void strbuf_init(StrBuf *b, Arena *a);
void strbuf_add(StrBuf *b, const char *s);
static inline void strbuf_addn(StrBuf *b, const char *s, size_t n);
void strbuf_indent(StrBuf *b, int n);  /* n spaces */
void strbuf_add_int(StrBuf *b, int64_t i); /* decimal, as "%" PRId64 writes it, without printf */
void strbuf_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *strbuf_str(StrBuf *b);     /* NUL-terminated; stays valid */
/* Room for `n` more bytes and a NUL, for printers that store bytes directly: returns the end of
 * the text (the caller advances b->len). Grows to at least min_cap, then by doubling, in place
 * when it can (arena_grow). */
static inline char *strbuf_reserve(StrBuf *b, size_t n, size_t min_cap);
char *strbuf_grow(StrBuf *b, size_t n, size_t min_cap); /* strbuf_reserve when it must grow */

/* The decimal text of `i` (as "%" PRId64 writes it), right-aligned in out[24]: returns where it
 * starts and sets *len. Printers format integers with it instead of printf. */
static inline char *int64_dec(char out[24], int64_t i, size_t *len)
{
    size_t n = 24;
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i; /* negated as unsigned: INT64_MIN too */
    do {
        out[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (i < 0)
        out[--n] = '-';
    *len = 24 - n;
    return out + n;
}

/* Inline, as strbuf_addn and strbuf_addc: printers add their text in thousands of small pieces,
 * and a call per piece (with one more inside for the room check) was a fifth of the YAML
 * writer's instructions. */
static inline char *strbuf_reserve(StrBuf *b, size_t n, size_t min_cap)
{
    if (b->len + n + 1 <= b->cap)
        return b->data + b->len;
    return strbuf_grow(b, n, min_cap);
}

static inline void strbuf_addn(StrBuf *b, const char *s, size_t n)
{
    char *p = strbuf_reserve(b, n, 256);
    memcpy(p, s, n);
    b->len += n;
    p[n] = '\0';
}

static inline void strbuf_addc(StrBuf *b, char c)
{
    if (b->len + 2 <= b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
    } else {
        strbuf_addn(b, &c, 1);
    }
}

#endif
