/* outtree.h - an output tree built in memory, then committed to disk atomically.
 * Commit writes everything into a temporary sibling directory, then swaps it in
 * (renameat2 RENAME_EXCHANGE, falling back to two renames) and removes the old tree.
 * Safety rules: a target directory that exists but was not created by goversec (no
 * `.goversec-tree` marker listing its files) is refused unless `force`; a marked directory that
 * holds files goversec did not write is refused too (they would be lost); paths that would escape
 * the tree (`..`, absolute, empty components) are rejected; on any failure the previous tree is
 * left intact and the temporary directory removed. */
#ifndef GOVERSEC_OUTTREE_H
#define GOVERSEC_OUTTREE_H
#include <stdbool.h>
#include <stddef.h>

#include "support/arena.h"

typedef struct OutFile {
    const char *path;   /* relative, '/'-separated */
    const char *data;
    size_t len;
    struct OutFile *next;
} OutFile;

typedef struct OutTree {
    Arena *arena;
    OutFile *files, *tail;
    size_t count, bytes;
} OutTree;

void outtree_init(OutTree *t, Arena *a);
/* Returns false when `path` is not a safe relative path or is already in the tree. */
bool outtree_add(OutTree *t, const char *path, const char *data, size_t len);
const OutFile *outtree_find(const OutTree *t, const char *path);
/* 0 on success; otherwise fills err with a one-line reason and returns -1. */
int outtree_commit(const OutTree *t, const char *dir, bool force, char *err, size_t errlen);

#endif
