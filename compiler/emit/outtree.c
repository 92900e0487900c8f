/* outtree.c - the output tree and its atomic commit, in memory or streamed (each file written
 * into the temporary directory as it is added, outtree.h): write a temporary sibling directory,
 * make it durable, swap it with the target (renameat2 RENAME_EXCHANGE, or two renames), delete the
 * old tree. Owns the safety rules that keep goversec from clobbering directories it did not write.
 * Kept linear in the number of files and close to the syscall floor: paths are hashed (duplicate
 * check, marker listing), each directory is created once, a file costs openat (relative to the
 * temporary directory's descriptor) + write + close, directories are read with getdents64 (no
 * DIR buffer, fstat or fcntl), and durability costs one syncfs(2) rather than an fsync per file
 * (outtree.h states the guarantee, docs/robustness.md the measurements). */
#define _GNU_SOURCE
#include "emit/outtree.h"
#include "ir/ir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MARKER ".goversec-tree"

/* ---- a string-keyed table in the arena (open addressing, linear probing, load <= 1/2) ------ */

typedef struct Slot {
    const char *key; /* NUL-terminated, owned by the arena or by the value */
    const void *value;
    uint32_t hash;
} Slot;

struct OutIndex {
    Arena *arena;
    Slot *slots;
    size_t cap, n;
};
typedef struct OutIndex Table;

/* Paths are hashed as the IR hashes knob paths (8 bytes at a time: FNV-1a's byte loop over
 * ~40-byte paths, twice per file, was most of outtree_add). */
static uint32_t hash_bytes(const char *s, size_t n)
{
    return ir_path_hash(s, n);
}

static void table_init(Table *t, Arena *a, size_t expect)
{
    t->arena = a;
    t->cap = 64;
    while (t->cap < expect * 2)
        t->cap *= 2;
    t->slots = ARENA_ARRAY(a, Slot, t->cap);
    t->n = 0;
}

/* The slot holding the n-byte key, or the empty slot where it belongs. */
static Slot *table_slot(const Table *t, const char *key, size_t n, uint32_t h)
{
    size_t i = h & (t->cap - 1);
    for (;;) {
        Slot *s = &t->slots[i];
        if (!s->key || (s->hash == h && strncmp(s->key, key, n) == 0 && s->key[n] == '\0'))
            return s;
        i = (i + 1) & (t->cap - 1);
    }
}

static const void *table_get(const Table *t, const char *key, size_t n)
{
    if (!t || !t->cap)
        return NULL;
    const Slot *s = table_slot(t, key, n, hash_bytes(key, n));
    return s->key ? s->value : NULL;
}

/* Fills `s`, the empty slot table_slot found for key[0..n) with hash h (nothing added to the
 * table since). `key` is stored as given when `stable` (an arena string of exactly n bytes),
 * else copied. Growth leaves the old array in the arena: at most as much again as the final
 * table. */
static void table_fill(Table *t, Slot *s, const char *key, size_t n, uint32_t h, bool stable, const void *value)
{
    s->key = stable ? key : arena_strndup(t->arena, key, n);
    s->value = value;
    s->hash = h;
    if (++t->n * 2 > t->cap) {
        Slot *old = t->slots;
        size_t oldcap = t->cap;
        t->cap *= 2;
        t->slots = ARENA_ARRAY(t->arena, Slot, t->cap);
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].key) {
                size_t j = old[i].hash & (t->cap - 1);
                while (t->slots[j].key)
                    j = (j + 1) & (t->cap - 1);
                t->slots[j] = old[i];
            }
    }
}

/* Inserts key[0..n) -> value unless present (returns false then); see table_fill. */
static bool table_put(Table *t, const char *key, size_t n, bool stable, const void *value)
{
    uint32_t h = hash_bytes(key, n);
    Slot *s = table_slot(t, key, n, h);
    if (s->key)
        return false;
    table_fill(t, s, key, n, h, stable, value);
    return true;
}

/* One commit in progress: the checked target and the temporary directory being filled. The
 * in-memory commit runs begin, write, finish in one call; the streamed mode spreads them over
 * outtree_begin, each outtree_flush and outtree_finish, so both share every safety rule. */
struct OutStream {
    const char *dir, *parent, *base;
    char *tmp;            /* NULL once swapped in (or never created) */
    int exists;           /* 1: the target exists and is swapped out at the end */
    int rootfd;           /* the temporary directory, -1 when closed */
    Table made;           /* directories already created below it */
    const char *last_dir; /* parent of the last file written (a prefix of its path), and its length */
    size_t last_len;
    int failed;           /* streamed mode: errno of the first failed write, reported by the next */
    const char *failed_path; /* outtree_flush or outtree_finish; nothing is written after it */
    double *files_us;     /* OutTree.files_us */
};
typedef struct OutStream Stream;

/* ---- the tree ------------------------------------------------------------------------------ */

void outtree_init(OutTree *t, Arena *a)
{
    memset(t, 0, sizeof *t);
    t->arena = a;
    t->sync = OUTTREE_SYNC_FS;
}

/* Relative, '/'-separated, no empty, "." or ".." components, and not the marker itself. */
static void stream_add(Stream *s, const OutFile *f, const char *data, bool each);

/* The length of `path` when it is safe, else 0; *dir_len is the length of its directory part
 * (up to the last '/', 0 for a top-level file). One pass checks every component and measures. */
static size_t safe_path_length(const char *path, size_t *dir_len)
{
    if (!path || !*path || path[0] == '/')
        return 0;
    const char *p = path;
    for (;;) {
        size_t n = (size_t)(strchrnul(p, '/') - p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        if (!p[n]) {
            *dir_len = p == path ? 0 : (size_t)(p - 1 - path);
            size_t len = (size_t)(p - path) + n;
            return len == sizeof MARKER - 1 && memcmp(path, MARKER, len) == 0 ? 0 : len;
        }
        p += n + 1;
    }
}

const OutFile *outtree_find(const OutTree *t, const char *path)
{
    return table_get(t->index, path, strlen(path));
}

bool outtree_add(OutTree *t, const char *path, const char *data, size_t len)
{
    size_t dir_len = 0, n = safe_path_length(path, &dir_len);
    if (!n)
        return false;
    if (!t->index) {
        t->index = ARENA_NEW(t->arena, Table);
        table_init(t->index, t->arena, 128); /* a single-cluster build writes ~100 files */
    }
    /* One hash and one probe for the duplicate check and the insertion: the slot stays the
     * empty one for `path` until it is filled below (nothing else enters the table). */
    uint32_t h = hash_bytes(path, n);
    Slot *slot = table_slot(t->index, path, n, h);
    if (slot->key)
        return false;
    OutFile *f = ARENA_NEW(t->arena, OutFile);
    f->path = arena_strndup(t->arena, path, n);
    f->path_len = n;
    f->dir_len = dir_len;
    f->len = len;
    if (t->stream) {
        /* Written now, straight from the caller's buffer: no copy of the text is ever made (it
         * was 270 KB of copying and ~70 page faults for examples/design-doc.gv); only the path
         * stays (marker, duplicates). data stays NULL: the text is on disk only. */
        stream_add(t->stream, f, data, t->sync == OUTTREE_SYNC_EACH);
    } else {
        char *copy = arena_alloc(t->arena, len + 1);
        memcpy(copy, data, len);
        f->data = copy;
    }
    table_fill(t->index, slot, f->path, n, h, true, f);
    if (t->tail)
        t->tail->next = f;
    else
        t->files = f;
    t->tail = f;
    t->count++;
    t->bytes += len;
    return true;
}

/* ---- filesystem helpers ----------------------------------------------------------------- */

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The entries of one open directory, read with getdents64(2) into a small buffer on the stack:
 * fdopendir/readdir cost an fstat, two fcntl and a 32 KiB malloc per directory, and a rebuild
 * walks the old tree twice (the foreign-file check, then its removal). A read error ends the
 * walk, as readdir's NULL does. */
typedef struct DirIter {
    int fd;
    long n, at;
    bool failed;                /* a read error ended the walk (not the end of the directory) */
    _Alignas(8) char buf[2048]; /* any size >= one entry works; most directories fit at once */
} DirIter;

/* The next entry other than "." and "..", NULL at the end; *is_dir tells a directory (d_type, or
 * an lstat-like fstatat when the filesystem leaves it unknown; a symlink is never a directory). */
static const char *dir_next(DirIter *it, bool *is_dir)
{
    for (;;) {
        if (it->at >= it->n) {
            it->n = getdents64(it->fd, it->buf, sizeof it->buf);
            it->at = 0;
            if (it->n < 0)
                it->failed = true;
            if (it->n <= 0)
                return NULL;
        }
        const struct dirent64 *e = (const struct dirent64 *)(const void *)(it->buf + it->at);
        it->at += e->d_reclen;
        const char *name = e->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
            continue;
        *is_dir = e->d_type == DT_DIR;
        if (e->d_type == DT_UNKNOWN) {
            struct stat st;
            *is_dir = fstatat(it->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        }
        return name;
    }
}

/* Removes `name` below the directory `dirfd` (a whole tree when it is a directory). Never follows
 * a symbolic link: a link is unlinked, not what it points to. d_type spares a stat per entry. */
static void remove_at(int dirfd, const char *name, bool is_dir)
{
    if (!is_dir) {
        if (unlinkat(dirfd, name, 0) == 0 || errno != EISDIR)
            return;
    }
    DirIter it = {.fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
    if (it.fd < 0) {
        unlinkat(dirfd, name, 0); /* a symlink (O_NOFOLLOW) or a file after all */
        return;
    }
    bool sub;
    for (const char *e; (e = dir_next(&it, &sub));)
        remove_at(it.fd, e, sub);
    close(it.fd);
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

static void remove_tree(const char *path)
{
    remove_at(AT_FDCWD, path, true);
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

static char *marker_text(const OutTree *t, size_t *len)
{
    size_t n = 64;
    for (const OutFile *f = t->files; f; f = f->next)
        n += f->path_len + 1;
    char *buf = arena_alloc_raw(t->arena, n); /* written in full below */
    static const char head[] = "# written by goversec; every file of this tree:\n";
    size_t at = sizeof head - 1;
    memcpy(buf, head, at);
    for (const OutFile *f = t->files; f; f = f->next) {
        size_t k = f->path_len;
        memcpy(buf + at, f->path, k);
        at += k;
        buf[at++] = '\n';
    }
    *len = at;
    return buf;
}

/* ---- checking the existing target ------------------------------------------------------- */

/* The paths listed in DIR/.goversec-tree, as a table; *found tells whether the marker exists. */
static Table read_marker(Arena *a, const char *dir, bool *found)
{
    Table l;
    table_init(&l, a, 64);
    FILE *f = fopen(arena_printf(a, "%s/%s", dir, MARKER), "re");
    *found = f != NULL;
    if (!f)
        return l;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\n");
        if (n && line[0] != '#')
            table_put(&l, line, n, false, &l);
    }
    fclose(f);
    return l;
}

/* First non-directory below dirfd (relative path `rel`, NULL at the top) not listed in `l`;
 * NULL when all are listed. Symbolic links count as files, so a link is never walked. A
 * directory that cannot be opened or read is reported too (*unreadable set): what it holds is
 * unknown, so replacing the tree could delete files goversec did not write. Closes dirfd. */
static const char *first_foreign(Arena *a, int dirfd, const char *rel, const Table *l, bool *unreadable)
{
    DirIter it = {.fd = dirfd};
    const char *found = NULL;
    bool sub;
    for (const char *e; !found && (e = dir_next(&it, &sub));) {
        const char *crel = rel ? arena_printf(a, "%s/%s", rel, e) : e;
        if (sub) {
            int fd = openat(dirfd, e, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0)
                found = first_foreign(a, fd, arena_strdup(a, crel), l, unreadable);
            else
                found = arena_strdup(a, crel), *unreadable = true;
        } else if (!(rel == NULL && strcmp(e, MARKER) == 0) && !table_get(l, crel, strlen(crel))) {
            found = arena_strdup(a, crel); /* the name lives in the iterator's buffer */
        }
    }
    if (!found && it.failed)
        found = rel ? rel : ".", *unreadable = true;
    close(dirfd);
    return found;
}

static bool dir_is_empty(const char *dir)
{
    DirIter it = {.fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (it.fd < 0)
        return false;
    bool sub;
    bool empty = dir_next(&it, &sub) == NULL;
    close(it.fd);
    return empty;
}

/* 1: target exists and may be replaced; 0: target absent; -1: refused (err filled). */
static int check_target(Arena *a, const char *dir, bool force, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        return fail(err, errlen, "cannot inspect '%s': %s", dir, strerror(errno));
    }
    if (S_ISLNK(st.st_mode))
        return fail(err, errlen, "refusing to replace '%s': it is a symbolic link", dir);
    if (!S_ISDIR(st.st_mode))
        return fail(err, errlen, "refusing to replace '%s': it is not a directory", dir);
    if (force || dir_is_empty(dir))
        return 1;
    bool marked;
    Table l = read_marker(a, dir, &marked);
    if (!marked)
        return fail(err, errlen, "refusing to replace '%s': it was not created by goversec (use --force)", dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return fail(err, errlen, "cannot inspect '%s': %s", dir, strerror(errno));
    bool unreadable = false;
    const char *foreign = first_foreign(a, fd, NULL, &l, &unreadable);
    if (foreign && unreadable)
        return fail(err, errlen,
                    "refusing to replace '%s': cannot read '%s' to check that it holds only goversec's files "
                    "(use --force)",
                    dir, foreign);
    if (foreign)
        return fail(err, errlen,
                    "refusing to replace '%s': it holds '%s', which goversec did not write (use --force)",
                    dir, foreign);
    return 1;
}

/* ---- commit ------------------------------------------------------------------------------ */

/* Creates, below rootfd, every directory on the way to `rel` that `made` does not hold yet: one
 * mkdirat per directory of the tree, whatever the number of files in it. */
static int make_parents(int rootfd, const char *rel, Table *made)
{
    for (const char *s = strchr(rel, '/'); s; s = strchr(s + 1, '/')) {
        size_t n = (size_t)(s - rel);
        if (table_get(made, rel, n))
            continue;
        char *dir = arena_strndup(made->arena, rel, n);
        if (mkdirat(rootfd, dir, 0755) != 0 && errno != EEXIST)
            return -1;
        table_put(made, dir, n, true, made);
    }
    return 0;
}

static int write_file(int rootfd, const char *rel, const char *data, size_t len, bool each)
{
    /* O_EXCL | O_NOFOLLOW: the temporary directory is new and private (mkdtemp, 0700 until the
     * swap), so nothing may already be there; never write through a link. */
    int fd = openat(rootfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int r = write_all(fd, data, len) == 0 && (!each || fsync(fd) == 0) ? 0 : -1;
    int saved = errno;
    if (close(fd) != 0 && r == 0)
        return -1; /* e.g. a deferred write error (NFS): the data did not reach the file */
    errno = saved;
    return r;
}

/* Makes everything written below rootfd durable: with OUTTREE_SYNC_FS one syncfs(2) (data and
 * metadata of the filesystem, writeback errors reported since Linux 5.8). */
static int sync_tree(int rootfd, OutSync mode)
{
    switch (mode) {
    case OUTTREE_SYNC_FS:
        return syncfs(rootfd);
    case OUTTREE_SYNC_EACH:
        return fsync(rootfd); /* the files were synced one by one; the directory entries now */
    case OUTTREE_SYNC_NONE:
        return 0;
    }
    return 0;
}

/* Without RENAME_EXCHANGE: old tree aside (onto an empty placeholder), new tree in, old removed. */
static int swap_by_renames(Arena *a, const char *parent, const char *base, const char *tmp,
                           const char *dir, char *err, size_t errlen)
{
    char *aside = arena_printf(a, "%s/.%s.old-XXXXXX", parent, base);
    if (!mkdtemp(aside))
        return fail(err, errlen, "cannot create a directory in '%s': %s", parent, strerror(errno));
    if (rename(dir, aside) != 0) {
        int saved = errno;
        rmdir(aside);
        return fail(err, errlen, "cannot move '%s' aside: %s", dir, strerror(saved));
    }
    if (rename(tmp, dir) != 0) {
        int saved = errno;
        rename(aside, dir);
        return fail(err, errlen, "cannot rename the new tree into '%s': %s", dir, strerror(saved));
    }
    remove_tree(aside);
    return 0;
}

static int swap_in(Arena *a, const char *parent, const char *base, const char *tmp, const char *dir,
                   bool exists, char *err, size_t errlen)
{
    if (!exists)
        return rename(tmp, dir) == 0 ? 0 : fail(err, errlen, "cannot rename into '%s': %s", dir, strerror(errno));
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
        remove_tree(tmp); /* now the old tree */
        return 0;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return fail(err, errlen, "cannot swap the new tree into '%s': %s", dir, strerror(errno));
    return swap_by_renames(a, parent, base, tmp, dir, err, errlen);
}

static void split_path(Arena *a, const char *dir, const char **parent, const char **base)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    char *d = arena_strndup(a, dir, n);
    char *slash = strrchr(d, '/');
    if (!slash) {
        *parent = ".";
        *base = d;
    } else {
        *base = slash + 1;
        *slash = '\0';
        *parent = slash == d ? "/" : d;
    }
}


/* Validates `dir`, applies the refusal rules to an existing target and creates the private
 * temporary sibling. Nothing is left behind on failure. */
static int stream_begin(Arena *a, Stream *s, const char *dir, bool force, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->rootfd = -1;
    s->dir = dir;
    split_path(a, dir, &s->parent, &s->base);
    if (errlen)
        err[0] = '\0';
    if (!*dir || !*s->base || strcmp(s->base, ".") == 0 || strcmp(s->base, "..") == 0 || strcmp(s->base, "/") == 0)
        return fail(err, errlen, "cannot write '%s': name a directory to create or replace", dir);
    struct stat st;
    if (stat(s->parent, &st) != 0 || !S_ISDIR(st.st_mode))
        return fail(err, errlen, "cannot write '%s': directory '%s' does not exist", dir, s->parent);
    /* The old marker's table and the walk of the old tree are garbage once decided: a scratch
     * arena keeps them out of the tree's arena (a 75 000-file marker is megabytes). */
    Arena *scratch = arena_new();
    s->exists = check_target(scratch, dir, force, err, errlen);
    arena_free(scratch);
    if (s->exists < 0)
        return -1;
    char *tmp = arena_printf(a, "%s/.%s.tmp-XXXXXX", s->parent, s->base);
    if (!mkdtemp(tmp))
        return fail(err, errlen, "cannot create a temporary directory in '%s': %s", s->parent, strerror(errno));
    s->tmp = tmp;
    s->rootfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (s->rootfd < 0) {
        fail(err, errlen, "cannot open '%s': %s", tmp, strerror(errno));
        remove_tree(tmp);
        s->tmp = NULL;
        return -1;
    }
    table_init(&s->made, a, 64);
    return 0;
}

/* Writes one file into the temporary directory; -1 with errno set on failure. */
static int stream_put(Stream *s, const OutFile *f, const char *data, bool each)
{
    /* Emitters add files directory by directory: skip the lookups when the parent repeats.
     * `f->path` is an arena string that outlives the stream, so last_dir may point into it. */
    const char *path = f->path;
    size_t dlen = f->dir_len;
    bool same = s->last_dir && dlen == s->last_len && memcmp(s->last_dir, path, dlen) == 0;
    if ((!same && make_parents(s->rootfd, path, &s->made) != 0) ||
        write_file(s->rootfd, path, data, f->len, each) != 0)
        return -1;
    s->last_dir = path;
    s->last_len = dlen;
    return 0;
}

static double monotonic_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* Streamed mode: the file goes to disk at once. A failure is kept (outtree_add has no way to say
 * why) and reported by the next outtree_flush/outtree_finish; nothing is written after it. With
 * files_us, the time of its system calls is added there: --time-report splits the emitting
 * phases into compiling and creating files (two vDSO clock reads a file, ~50 ns). */
static void stream_add(Stream *s, const OutFile *f, const char *data, bool each)
{
    if (s->failed)
        return;
    double t0 = s->files_us ? monotonic_us() : 0;
    if (stream_put(s, f, data, each) != 0) {
        s->failed = errno ? errno : EIO;
        s->failed_path = f->path;
    }
    if (s->files_us)
        *s->files_us += monotonic_us() - t0;
}

/* In-memory mode: writes every file of the tree into the temporary directory. */
static int stream_write(Stream *s, const OutFile *from, bool each, char *err, size_t errlen)
{
    for (const OutFile *f = from; f; f = f->next)
        if (stream_put(s, f, f->data, each) != 0)
            return fail(err, errlen, "cannot write '%s': %s", f->path, strerror(errno));
    return 0;
}

/* Marker, durability, permissions, swap. On failure the caller runs stream_abort. */
static int stream_finish(Stream *s, const OutTree *t, char *err, size_t errlen)
{
    bool each = t->sync == OUTTREE_SYNC_EACH;
    size_t mlen;
    const char *marker = marker_text(t, &mlen);
    if (write_file(s->rootfd, MARKER, marker, mlen, each) != 0)
        return fail(err, errlen, "cannot write '%s': %s", MARKER, strerror(errno));
    /* mkdtemp made it 0700; the tree is complete now. Through the descriptor (no path lookup,
     * surely the directory we filled) and before the sync, so the mode is durable too. */
    if (fchmod(s->rootfd, 0755) != 0)
        return fail(err, errlen, "cannot write '%s': %s", s->dir, strerror(errno));
    if (sync_tree(s->rootfd, t->sync) != 0)
        return fail(err, errlen, "cannot make '%s' durable: %s", s->tmp, strerror(errno));
    close(s->rootfd);
    s->rootfd = -1;
    if (swap_in(t->arena, s->parent, s->base, s->tmp, s->dir, s->exists, err, errlen) != 0) {
        if (errlen && !*err)
            fail(err, errlen, "cannot write '%s': %s", s->dir, strerror(errno));
        return -1;
    }
    s->tmp = NULL; /* swapped in: nothing to clean up any more */
    if (t->sync != OUTTREE_SYNC_NONE)
        fsync_path(s->parent); /* the rename itself */
    return 0;
}

static void stream_abort(Stream *s)
{
    if (s->rootfd >= 0)
        close(s->rootfd);
    s->rootfd = -1;
    if (s->tmp)
        remove_tree(s->tmp);
    s->tmp = NULL;
}

int outtree_commit(const OutTree *t, const char *dir, bool force, char *err, size_t errlen)
{
    Stream s;
    if (stream_begin(t->arena, &s, dir, force, err, errlen) != 0)
        return -1;
    if (stream_write(&s, t->files, t->sync == OUTTREE_SYNC_EACH, err, errlen) != 0 ||
        stream_finish(&s, t, err, errlen) != 0) {
        stream_abort(&s);
        return -1;
    }
    return 0;
}

/* ---- streamed mode --------------------------------------------------------------------- */

int outtree_begin(OutTree *t, const char *dir, bool force, char *err, size_t errlen)
{
    if (t->stream || t->files)
        return fail(err, errlen, "cannot write '%s': the output tree was already started", dir);
    Stream *s = ARENA_NEW(t->arena, Stream);
    if (stream_begin(t->arena, s, dir, force, err, errlen) != 0)
        return -1;
    s->files_us = t->files_us;
    t->stream = s;
    return 0;
}

/* Every file is already written (outtree_add): a flush only reports a failed write, so a caller
 * stops emitting at the end of the batch in which a write failed. */
int outtree_flush(OutTree *t, char *err, size_t errlen)
{
    Stream *s = t->stream;
    if (!s || !s->failed)
        return 0;
    return fail(err, errlen, "cannot write '%s': %s", s->failed_path, strerror(s->failed));
}

int outtree_finish(OutTree *t, char *err, size_t errlen)
{
    Stream *s = t->stream;
    if (!s)
        return fail(err, errlen, "cannot finish an output tree that was not started");
    if (outtree_flush(t, err, errlen) != 0 || stream_finish(s, t, err, errlen) != 0) {
        outtree_abort(t);
        return -1;
    }
    t->stream = NULL;
    return 0;
}

void outtree_abort(OutTree *t)
{
    Stream *s = t->stream;
    if (!s)
        return;
    stream_abort(s);
    t->stream = NULL;
}
