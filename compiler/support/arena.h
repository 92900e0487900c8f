/* arena.h - bump allocation for everything a compilation creates.
 * One Arena per compilation; nothing is freed individually, the arena is destroyed once.
 * Allocation never returns NULL: out of memory aborts with a message (a compiler cannot recover). */
#ifndef GOVERSEC_ARENA_H
#define GOVERSEC_ARENA_H
#include <stdarg.h>
#include <stddef.h>

typedef struct Arena Arena;

Arena *arena_new(void);
void arena_free(Arena *arena);
void *arena_alloc(Arena *arena, size_t size);              /* zeroed, 16-byte aligned */
#define ARENA_NEW(arena, T) ((T *)arena_alloc((arena), sizeof(T)))
#define ARENA_ARRAY(arena, T, n) ((T *)arena_alloc((arena), sizeof(T) * (size_t)(n)))
char *arena_strdup(Arena *arena, const char *s);
char *arena_strndup(Arena *arena, const char *s, size_t n);
char *arena_printf(Arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(Arena *arena, const char *fmt, va_list ap);
size_t arena_bytes_used(const Arena *arena);

#endif
