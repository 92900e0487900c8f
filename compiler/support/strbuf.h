/* strbuf.h - a growable string in the arena, for printers that build text (templates, JSON,
 * reports). Old storage is left to the arena; the arena frees everything at once. */
#ifndef GOVERSEC_STRBUF_H
#define GOVERSEC_STRBUF_H
#include <stddef.h>
#include <stdint.h>

#include "support/arena.h"

typedef struct StrBuf {
    Arena *arena;
    char *data;
    size_t len, cap;
} StrBuf;

void strbuf_init(StrBuf *b, Arena *a);
void strbuf_add(StrBuf *b, const char *s);
void strbuf_addn(StrBuf *b, const char *s, size_t n);
void strbuf_indent(StrBuf *b, int n);  /* n spaces */
void strbuf_add_int(StrBuf *b, int64_t i); /* decimal, as "%" PRId64 writes it, without printf */
void strbuf_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *strbuf_str(StrBuf *b);     /* NUL-terminated; stays valid */
/* Room for `n` more bytes and a NUL, for printers that store bytes directly: returns the end of
 * the text (the caller advances b->len). Grows to at least min_cap, then by doubling; the old
 * storage stays with the arena. */
char *strbuf_reserve(StrBuf *b, size_t n, size_t min_cap);

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

/* Inline: printers add most of their text a character at a time. */
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
