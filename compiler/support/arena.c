/* arena.c - chunked bump allocator backing all compiler data (see arena.h; the fast path of an
 * allocation is inline there, this file makes chunks). */
#include "support/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ARENA_CHUNK = 64 * 1024 };

typedef struct ArenaChunk {
    struct ArenaChunk *prev;
    size_t size;
    _Alignas(16) unsigned char data[];
} Chunk;

void arena_out_of_memory(void)
{
    fputs("goversec: fatal: out of memory\n", stderr);
    abort();
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        arena_out_of_memory();
    return p;
}

Arena *arena_new(void)
{
    Arena *a = xmalloc(sizeof *a);
    a->cur = a->end = NULL;
    a->head = NULL;
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

void arena_clear(Arena *arena)
{
    Chunk *keep = arena->head && arena->head->size == ARENA_CHUNK ? arena->head : NULL;
    for (Chunk *c = arena->head, *prev; c; c = prev) {
        prev = c->prev;
        if (c != keep)
            free(c);
    }
    arena->head = keep;
    arena->cur = keep ? keep->data : NULL;
    arena->end = keep ? keep->data + keep->size : NULL;
    if (keep)
        keep->prev = NULL;
}

void *arena_alloc_slow(Arena *arena, size_t size)
{
    if (size > ((size_t)-1) / 2 - sizeof(Chunk))
        arena_out_of_memory(); /* a size no allocator can serve: fails loudly, never wraps */
    size_t cap = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
    Chunk *c = xmalloc(sizeof(Chunk) + cap);
    c->size = cap;
    if (cap == size && arena->head) {
        /* A big one-off block goes behind the current chunk so its free space is not lost. */
        c->prev = arena->head->prev;
        arena->head->prev = c;
        return c->data;
    }
    c->prev = arena->head;
    arena->head = c;
    arena->cur = c->data + size;
    arena->end = c->data + cap;
    return c->data;
}

static size_t round_up(size_t n)
{
    return n ? (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1) : ARENA_ALIGN;
}

/* The link that points to the big one-off block whose data is `p` (never the head: a big block
 * is put behind it), or NULL when `p` is not such a block. The list is short (one chunk per
 * 64 KiB and the big blocks); this runs once per doubling of a big buffer. */
static Chunk **big_block_link(Arena *arena, const void *p, size_t old)
{
    if (!arena->head)
        return NULL;
    for (Chunk **link = &arena->head->prev; *link; link = &(*link)->prev)
        if ((*link)->data == p)
            return (*link)->size == old ? link : NULL; /* (sizes are kept rounded) */
    return NULL;
}

void *arena_grow(Arena *arena, void *p, size_t old, size_t size, size_t used)
{
    size_t r_old = round_up(old), r_size = round_up(size);
    if (r_size < size || size > ((size_t)-1) / 2 - sizeof(Chunk))
        arena_out_of_memory();
    unsigned char *b = p;
    if (b && b + r_old == arena->cur && (size_t)(arena->end - b) >= r_size) {
        arena->cur = b + r_size; /* the last allocation: it just takes more of the chunk */
        return p;
    }
    Chunk **link = b && r_size > ARENA_CHUNK / 4 ? big_block_link(arena, p, r_old) : NULL;
    if (link) {
        Chunk *c = realloc(*link, sizeof(Chunk) + r_size);
        if (!c)
            arena_out_of_memory();
        c->size = r_size;
        *link = c;
        return c->data;
    }
    void *n = arena_alloc_raw(arena, size);
    if (used)
        memcpy(n, p, used);
    return n;
}

char *arena_strndup(Arena *arena, const char *s, size_t n)
{
    char *p = arena_alloc_raw(arena, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(Arena *arena, const char *s)
{
    return arena_strndup(arena, s, strlen(s));
}

char *arena_concat(Arena *arena, const char *first, ...)
{
    /* Two passes over the arguments (lengths, then copies); the strings are short. */
    va_list ap;
    size_t n = 0;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        n += strlen(s);
    va_end(ap);
    char *p = arena_alloc_raw(arena, n + 1), *w = p;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        size_t len = strlen(s);
        memcpy(w, s, len);
        w += len;
    }
    va_end(ap);
    *w = '\0';
    return p;
}

char *arena_vprintf(Arena *arena, const char *fmt, va_list ap)
{
    /* Formats straight into the current chunk's free space and keeps it when it fits (most
     * strings are short); only a string longer than that space pays for a second pass. The free
     * space is a multiple of ARENA_ALIGN, so n + 1 <= room means the rounded size fits too and
     * arena_alloc_raw hands out exactly the bytes just written. */
    va_list ap2;
    va_copy(ap2, ap);
    size_t room = (size_t)(arena->end - arena->cur);
    int n = vsnprintf(room ? (char *)arena->cur : NULL, room, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return arena_strndup(arena, "", 0);
    if ((size_t)n < room)
        return arena_alloc_raw(arena, (size_t)n + 1);
    char *p = arena_alloc_raw(arena, (size_t)n + 1);
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
    /* Chunk capacity minus the free space of the current chunk (rounding included). */
    size_t total = 0;
    for (const Chunk *c = arena->head; c; c = c->prev)
        total += c->size;
    return total - (size_t)(arena->end - arena->cur);
}
