/* outtree.h - an output tree built in memory, then committed to disk atomically.
 * Commit writes everything into a temporary sibling directory, then swaps it in
 * (renameat2 RENAME_EXCHANGE, falling back to two renames) and removes the old tree.
 * Safety rules: a target directory that exists but was not created by goversec (no
 * `.goversec-tree` marker listing its files) is refused unless `force`; a marked directory that
 * holds files goversec did not write is refused too (they would be lost); paths that would escape
 * the tree (`..`, absolute, empty components) are rejected; on any failure the previous tree is
 * left intact and the temporary directory removed.
 * Symbolic links: a target that is itself a symlink is refused (even with force): replacing it
 * would swap the link, not write where it points, and following it would write into a place the
 * command line does not name. Components of the parent path are followed, as for any tool: the user
 * names that location. Inside the tree nothing is followed: files are created O_EXCL|O_NOFOLLOW in
 * a fresh private temporary directory, the old tree is walked and removed without following links,
 * and a link inside a marked tree counts as a foreign file.
 * Durability (OutSync): by default all files are written, then one syncfs(2) on the temporary
 * directory's filesystem runs before the swap, and the parent directory is fsynced after it; a crash
 * leaves the old tree or the complete new one. OUTTREE_SYNC_EACH fsyncs every file (slower, same
 * guarantee); OUTTREE_SYNC_NONE skips syncing (still atomic for readers, not crash-durable). */
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

typedef enum OutSync {
    OUTTREE_SYNC_FS,   /* default: one syncfs(2) of the whole temporary tree before the swap */
    OUTTREE_SYNC_EACH, /* fsync every file as it is written */
    OUTTREE_SYNC_NONE, /* no syncing (tests, benchmarks, throw-away output) */
} OutSync;

typedef struct OutTree {
    Arena *arena;
    OutFile *files, *tail;
    size_t count, bytes;
    struct OutIndex *index; /* path -> OutFile, for outtree_find and the duplicate check */
    OutSync sync;           /* outtree_init sets OUTTREE_SYNC_FS */
} OutTree;

void outtree_init(OutTree *t, Arena *a);
/* Returns false when `path` is not a safe relative path or is already in the tree (O(1): hashed). */
bool outtree_add(OutTree *t, const char *path, const char *data, size_t len);
const OutFile *outtree_find(const OutTree *t, const char *path);
/* 0 on success; otherwise fills err with a one-line reason and returns -1. */
int outtree_commit(const OutTree *t, const char *dir, bool force, char *err, size_t errlen);

#endif
