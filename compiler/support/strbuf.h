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
