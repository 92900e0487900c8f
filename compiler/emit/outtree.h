/* outtree.h - an output tree committed to disk atomically, in one of two modes:
 *  - in memory (outtree_init, outtree_add..., outtree_commit): every file's text is kept until the
 *    commit; the fuzzer and the tests inspect it with outtree_find.
 *  - streamed (outtree_init, outtree_begin, then outtree_add... + outtree_flush per batch, and
 *    outtree_finish or outtree_abort): the target is checked and the temporary directory created
 *    up front, each outtree_add writes its file into it at once, straight from the caller's
 *    buffer (the text is never copied nor kept), and outtree_flush reports a write that failed
 *    since the start. Only the paths are kept (duplicate check, marker). Nothing is visible in
 *    the target before outtree_finish swaps.
 * Both modes write everything into a temporary sibling directory, then swap it in
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
    size_t path_len;    /* strlen(path) */
    size_t dir_len;     /* its directory part: up to the last '/', 0 at the top */
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
    struct OutIndex *index;   /* path -> OutFile, for outtree_find and the duplicate check */
    OutSync sync;             /* outtree_init sets OUTTREE_SYNC_FS */
    struct OutStream *stream; /* non-NULL between outtree_begin and outtree_finish/abort */
    double *files_us;         /* NULL, or where streamed mode adds the microseconds its files'
                                 system calls took (mkdirat, openat, write, close): --time-report */
} OutTree;

void outtree_init(OutTree *t, Arena *a);
/* Returns false when `path` is not a safe relative path or is already in the tree (O(1): hashed).
 * In memory mode the text is copied. In streamed mode it is written to the temporary directory
 * before returning and not kept; a failed write still returns true (the file is part of the
 * tree) and is reported, with its path and errno, by the next outtree_flush or outtree_finish. */
bool outtree_add(OutTree *t, const char *path, const char *data, size_t len);
/* In streamed mode every file has data == NULL (its text is on disk only). */
const OutFile *outtree_find(const OutTree *t, const char *path);
/* In-memory mode: 0 on success; otherwise fills err with a one-line reason and returns -1. */
int outtree_commit(const OutTree *t, const char *dir, bool force, char *err, size_t errlen);

/* Streamed mode. Every function returns 0 or fills err and returns -1; after any -1 the caller
 * calls outtree_abort (it is also safe after a failed outtree_begin or outtree_finish, which have
 * already cleaned up). On every failure the target is left as it was and no temporary directory
 * remains. `t` must be empty (no outtree_add yet) for outtree_begin. */
int outtree_begin(OutTree *t, const char *dir, bool force, char *err, size_t errlen);
int outtree_flush(OutTree *t, char *err, size_t errlen); /* -1: a write failed; no-op in memory mode */
int outtree_finish(OutTree *t, char *err, size_t errlen);
void outtree_abort(OutTree *t);

#endif
