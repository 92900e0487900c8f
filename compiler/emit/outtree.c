/* outtree.c - the in-memory output tree and its atomic commit: write a temporary sibling
 * directory, swap it with the target (renameat2 RENAME_EXCHANGE, or two renames), delete the old
 * tree. Owns the safety rules that keep goversec from clobbering directories it did not write. */
#define _GNU_SOURCE
#include "emit/outtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARKER ".goversec-tree"

void outtree_init(OutTree *t, Arena *a)
{
    memset(t, 0, sizeof *t);
    t->arena = a;
}

/* Relative, '/'-separated, no empty, "." or ".." components, and not the marker itself. */
static bool path_is_safe(const char *path)
{
    if (!path || !*path || path[0] == '/' || strcmp(path, MARKER) == 0)
        return false;
    const char *p = path;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        if (!slash)
            return true;
        p = slash + 1;
    }
}

const OutFile *outtree_find(const OutTree *t, const char *path)
{
    for (const OutFile *f = t->files; f; f = f->next)
        if (strcmp(f->path, path) == 0)
            return f;
    return NULL;
}

bool outtree_add(OutTree *t, const char *path, const char *data, size_t len)
{
    if (!path_is_safe(path) || outtree_find(t, path))
        return false;
    OutFile *f = ARENA_NEW(t->arena, OutFile);
    f->path = arena_strdup(t->arena, path);
    char *copy = arena_alloc(t->arena, len + 1);
    memcpy(copy, data, len);
    f->data = copy;
    f->len = len;
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

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            for (struct dirent *e; (e = readdir(d));) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                size_t n = strlen(path) + strlen(e->d_name) + 2;
                char *child = malloc(n);
                if (!child)
                    break;
                snprintf(child, n, "%s/%s", path, e->d_name);
                remove_tree(child);
                free(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
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
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

/* Creates every directory on the way to `rel` below `root`. */
static int make_parents(Arena *a, const char *root, const char *rel)
{
    for (const char *s = strchr(rel, '/'); s; s = strchr(s + 1, '/')) {
        char *dir = arena_printf(a, "%s/%.*s", root, (int)(s - rel), rel);
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

static int write_file(Arena *a, const char *root, const char *rel, const char *data, size_t len)
{
    if (make_parents(a, root, rel) != 0)
        return -1;
    int fd = open(arena_printf(a, "%s/%s", root, rel), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int r = write_all(fd, data, len) == 0 && fsync(fd) == 0 ? 0 : -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return r;
}

static char *marker_text(const OutTree *t, size_t *len)
{
    Arena *a = t->arena;
    size_t n = 80;
    for (const OutFile *f = t->files; f; f = f->next)
        n += strlen(f->path) + 1;
    char *buf = arena_alloc(a, n);
    size_t at = (size_t)snprintf(buf, n, "# written by goversec; every file of this tree:\n");
    for (const OutFile *f = t->files; f; f = f->next)
        at += (size_t)snprintf(buf + at, n - at, "%s\n", f->path);
    *len = at;
    return buf;
}

/* ---- checking the existing target ------------------------------------------------------- */

typedef struct Listing {
    char **paths;
    size_t n;
} Listing;

static Listing read_marker(Arena *a, const char *dir, bool *found)
{
    Listing l = {0};
    FILE *f = fopen(arena_printf(a, "%s/%s", dir, MARKER), "r");
    *found = f != NULL;
    if (!f)
        return l;
    size_t cap = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        if (l.n == cap) {
            cap = cap ? cap * 2 : 64;
            char **np = arena_alloc(a, cap * sizeof *np);
            if (l.n)
                memcpy(np, l.paths, l.n * sizeof *np);
            l.paths = np;
        }
        l.paths[l.n++] = arena_strdup(a, line);
    }
    fclose(f);
    return l;
}

static bool listed(const Listing *l, const char *rel)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->paths[i], rel) == 0)
            return true;
    return false;
}

/* First non-directory below dir (relative path) not in `l`; NULL when all are listed. */
static const char *first_foreign(Arena *a, const char *dir, const char *rel, const Listing *l)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    const char *found = NULL;
    for (struct dirent *e; !found && (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        const char *crel = rel ? arena_printf(a, "%s/%s", rel, e->d_name) : arena_strdup(a, e->d_name);
        const char *cpath = arena_printf(a, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(cpath, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            found = first_foreign(a, cpath, crel, l);
        else if (!(rel == NULL && strcmp(e->d_name, MARKER) == 0) && !listed(l, crel))
            found = crel;
    }
    closedir(d);
    return found;
}

static bool dir_is_empty(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool empty = true;
    for (struct dirent *e; empty && (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = false;
    closedir(d);
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
    Listing l = read_marker(a, dir, &marked);
    if (!marked)
        return fail(err, errlen, "refusing to replace '%s': it was not created by goversec (use --force)", dir);
    const char *foreign = first_foreign(a, dir, NULL, &l);
    if (foreign)
        return fail(err, errlen,
                    "refusing to replace '%s': it holds '%s', which goversec did not write (use --force)",
                    dir, foreign);
    return 1;
}

/* ---- commit ------------------------------------------------------------------------------ */

static int write_tree(const OutTree *t, const char *tmp, char *err, size_t errlen)
{
    for (const OutFile *f = t->files; f; f = f->next)
        if (write_file(t->arena, tmp, f->path, f->data, f->len) != 0)
            return fail(err, errlen, "cannot write '%s': %s", f->path, strerror(errno));
    size_t mlen;
    const char *marker = marker_text(t, &mlen);
    if (write_file(t->arena, tmp, MARKER, marker, mlen) != 0 || fsync_path(tmp) != 0)
        return fail(err, errlen, "cannot write '%s': %s", MARKER, strerror(errno));
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

int outtree_commit(const OutTree *t, const char *dir, bool force, char *err, size_t errlen)
{
    Arena *a = t->arena;
    const char *parent, *base;
    split_path(a, dir, &parent, &base);
    struct stat st;
    if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
        return fail(err, errlen, "cannot write '%s': directory '%s' does not exist", dir, parent);
    int exists = check_target(a, dir, force, err, errlen);
    if (exists < 0)
        return -1;
    char *tmp = arena_printf(a, "%s/.%s.tmp-XXXXXX", parent, base);
    if (!mkdtemp(tmp))
        return fail(err, errlen, "cannot create a temporary directory in '%s': %s", parent, strerror(errno));
    chmod(tmp, 0755); /* mkdtemp makes it 0700; the tree should look like any other directory */
    if (write_tree(t, tmp, err, errlen) != 0 || swap_in(a, parent, base, tmp, dir, exists, err, errlen) != 0) {
        remove_tree(tmp);
        return -1;
    }
    fsync_path(parent);
    return 0;
}
