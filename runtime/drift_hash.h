/* drift_hash.h - uthash with its allocator hooked to the arena: a function that adds to a table
 * declares `Arena *hash_arena` in scope; uthash's memory then lives and dies with the arena. */
#ifndef GOVERSEC_DRIFT_HASH_H
#define GOVERSEC_DRIFT_HASH_H
#include <stdio.h>
#include <stdlib.h>

#include "support/arena.h"

#define uthash_malloc(sz) arena_alloc(hash_arena, (sz))
#define uthash_free(ptr, sz) ((void)(ptr), (void)(sz))
#define uthash_fatal(msg) (fputs("goversec: fatal: " msg "\n", stderr), abort())
#include <uthash.h>

#endif
