/* arena.h - bump allocation for everything a compilation creates.
 * One Arena per compilation; nothing is freed individually, the arena is destroyed once.
 * Allocation never returns NULL: out of memory aborts with a message (a compiler cannot recover). */
#ifndef GOVERSEC_ARENA_H
#define GOVERSEC_ARENA_H
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* The fields are private to arena.c. They are in the header only so that the common case of an
 * allocation (room left in the current chunk) is inlined: a build makes ~10^4 allocations per
 * cluster, and a call plus an out-of-line memset per object was ~10% of it. */
typedef struct Arena {
    unsigned char *cur, *end; /* free space of the current chunk */
    struct ArenaChunk *head;
} Arena;

enum { ARENA_ALIGN = 16 };

Arena *arena_new(void);
void arena_free(Arena *arena);
/* Frees everything allocated so far but keeps one chunk for the allocations to come: a scratch
 * arena cleared after each unit of work (one emitted object) reuses the same memory, whose pages
 * are already mapped, instead of touching new ones. */
void arena_clear(Arena *arena);
void *arena_alloc_slow(Arena *arena, size_t size); /* size already rounded; new chunk */
_Noreturn void arena_out_of_memory(void);          /* prints a fatal error and aborts */

/* Always inlined: with link-time optimisation GCC otherwise makes one out-of-line copy for the
 * whole program (a call per allocation, ~120 k instructions of a design-doc build). */
#define ARENA_INLINE static inline __attribute__((always_inline))

/* Uninitialised, 16-byte aligned: for strings and buffers that are written in full right away. */
ARENA_INLINE void *arena_alloc_raw(Arena *arena, size_t size)
{
    size_t rounded = size ? (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1) : ARENA_ALIGN;
    if (rounded < size) /* wrapped around: no such block exists */
        arena_out_of_memory();
    size = rounded;
    if ((size_t)(arena->end - arena->cur) < size)
        return arena_alloc_slow(arena, size);
    void *p = arena->cur;
    arena->cur += size;
    return p;
}

/* Zeroed, 16-byte aligned. With a constant size (ARENA_NEW) the memset becomes a few stores. */
ARENA_INLINE void *arena_alloc(Arena *arena, size_t size)
{
    return memset(arena_alloc_raw(arena, size), 0, size);
}

#define ARENA_NEW(arena, T) ((T *)arena_alloc((arena), sizeof(T)))
#define ARENA_ARRAY(arena, T, n) ((T *)arena_alloc((arena), sizeof(T) * (size_t)(n)))
/* The block `p` (allocated with `old` bytes, of which the first `used` matter) made `size`
 * bytes long (size > old), for buffers that grow by doubling (strbuf.h): extended in place when
 * it is the last allocation of the current chunk and the chunk has room; reallocated (malloc
 * may extend it or move it and reuse the old memory) when it is a big one-off block; else a new
 * block with the `used` bytes copied, the old one left to the arena. A doubling buffer no longer
 * leaves every smaller copy of itself behind: fewer pages touched for the same text. */
void *arena_grow(Arena *arena, void *p, size_t old, size_t size, size_t used);
char *arena_strdup(Arena *arena, const char *s);
char *arena_strndup(Arena *arena, const char *s, size_t n);
/* The concatenation of the NULL-terminated list of strings: for the paths and names lowering
 * builds by the thousand, where printf's format parsing cost more than the copying. */
char *arena_concat(Arena *arena, const char *first, ...) __attribute__((sentinel));
char *arena_printf(Arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(Arena *arena, const char *fmt, va_list ap);
size_t arena_bytes_used(const Arena *arena);

#endif
