/* arena.c - chunked bump allocator backing all compiler data (see arena.h). */
#include "support/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ARENA_CHUNK = 64 * 1024, ARENA_ALIGN = 16 };

typedef struct Chunk {
    struct Chunk *prev;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} Chunk;

struct Arena {
    Chunk *head;
    size_t total;
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fputs("goversec: fatal: out of memory\n", stderr);
        abort();
    }
    return p;
}

Arena *arena_new(void)
{
    Arena *a = xmalloc(sizeof *a);
    a->head = NULL;
    a->total = 0;
    return a;
}

void arena_free(Arena *arena)
{
    if (!arena)
        return;
    for (Chunk *c = arena->head, *prev; c; c = prev) {
        prev = c->prev;
        free(c);
    }
    free(arena);
}

void *arena_alloc(Arena *arena, size_t size)
{
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (size == 0)
        size = ARENA_ALIGN;
    Chunk *c = arena->head;
    if (!c || c->size - c->used < size) {
        size_t cap = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
        c = xmalloc(sizeof(Chunk) + cap);
        c->size = cap;
        c->used = 0;
        if (cap == size && arena->head) {
            /* A big one-off block goes behind the current chunk so its free space is not lost. */
            c->prev = arena->head->prev;
            arena->head->prev = c;
        } else {
            c->prev = arena->head;
            arena->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += size;
    arena->total += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(Arena *arena, const char *s, size_t n)
{
    char *p = arena_alloc(arena, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(Arena *arena, const char *s)
{
    return arena_strndup(arena, s, strlen(s));
}

char *arena_vprintf(Arena *arena, const char *fmt, va_list ap)
{
    /* Most strings are short: format once into a stack buffer and copy; only long ones pay for
     * a second formatting pass (the printers call this on every line they write). */
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof small)
        return arena_strndup(arena, small, (size_t)n);
    char *p = arena_alloc(arena, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(Arena *arena, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(arena, fmt, ap);
    va_end(ap);
    return p;
}

size_t arena_bytes_used(const Arena *arena)
{
    return arena->total;
}
