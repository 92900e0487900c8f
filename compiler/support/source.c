/* source.c - loading source files and mapping byte offsets to line:col (see source.h). */
#include "support/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void source_map_init(SourceMap *map, Arena *arena)
{
    memset(map, 0, sizeof *map);
    map->arena = arena;
}

/* Newlines are found with memchr (word-wide in libc) rather than a byte loop: this runs on every
 * source file of a build, the standard library's included. */
static void index_lines(Arena *arena, SourceFile *f)
{
    const char *text = f->text, *end = text + f->len;
    uint32_t n = 1;
    for (const char *p = text; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        n++;
    f->line_starts = ARENA_ARRAY(arena, uint32_t, n);
    f->nlines = n;
    uint32_t k = 0;
    f->line_starts[k++] = 0;
    for (const char *p = text; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        f->line_starts[k++] = (uint32_t)(p - text) + 1;
}

SourceFile *source_add(SourceMap *map, const char *path, const char *text, size_t len)
{
    if (map->nfiles == map->cap) {
        int32_t cap = map->cap ? map->cap * 2 : 8;
        SourceFile **files = ARENA_ARRAY(map->arena, SourceFile *, cap);
        if (map->nfiles)
            memcpy(files, map->files, sizeof(SourceFile *) * (size_t)map->nfiles);
        map->files = files;
        map->cap = cap;
    }
    SourceFile *f = ARENA_NEW(map->arena, SourceFile);
    f->id = map->nfiles;
    f->path = arena_strdup(map->arena, path);
    f->text = arena_strndup(map->arena, text, len);
    f->len = (uint32_t)len;
    index_lines(map->arena, f);
    map->files[map->nfiles++] = f;
    return f;
}

SourceFile *source_load(SourceMap *map, const char *path, const char **err)
{
    return source_load_limited(map, path, SOURCE_MAX_BYTES, "file is larger than the 4 MiB limit", err);
}

/* Reads all of fd into a malloc'd buffer (*out, NUL-terminated) of *len bytes. A regular file is
 * read into a buffer one byte larger than its size, so the short read that returns the whole file
 * also proves the end: one read(2) for a source file, where stdio made three and a copy. Anything
 * else (a pipe, a file growing meanwhile) is read until read(2) returns 0. Returns NULL or the
 * reason it failed. */
static const char *read_all(int fd, size_t max_bytes, const char *too_large, char **out, size_t *len)
{
    struct stat st;
    bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (regular && (size_t)st.st_size > max_bytes)
        return too_large;
    size_t cap = regular ? (size_t)st.st_size + 1 : 64 * 1024, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return "out of memory";
    for (;;) {
        if (n == cap) {
            if (cap > max_bytes) {
                free(buf);
                return too_large;
            }
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                return "out of memory";
            }
            buf = nb;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int saved = errno;
            free(buf);
            return strerror(saved ? saved : EIO);
        }
        bool short_read = (size_t)got < cap - n;
        n += (size_t)got;
        if (got == 0 || (regular && short_read))
            break;
    }
    if (n > max_bytes) {
        free(buf);
        return too_large;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return NULL;
}

SourceFile *source_load_limited(SourceMap *map, const char *path, size_t max_bytes, const char *too_large,
                                const char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = strerror(errno);
        return NULL;
    }
    char *text = NULL;
    size_t len = 0;
    *err = read_all(fd, max_bytes, too_large, &text, &len);
    close(fd);
    if (*err)
        return NULL;
    SourceFile *f = source_add(map, path, text, len);
    free(text);
    return f;
}

const SourceFile *source_get(const SourceMap *map, int32_t id)
{
    if (id < 0 || id >= map->nfiles)
        return NULL;
    return map->files[id];
}

void source_linecol(const SourceFile *file, uint32_t offset, uint32_t *line, uint32_t *col)
{
    uint32_t lo = 0, hi = file->nlines;
    while (hi - lo > 1) { /* last line_start <= offset */
        uint32_t mid = lo + (hi - lo) / 2;
        if (file->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    *line = lo + 1;
    *col = offset - file->line_starts[lo] + 1;
}

const char *source_line(const SourceFile *file, uint32_t line, uint32_t *len)
{
    if (line == 0 || line > file->nlines) {
        *len = 0;
        return "";
    }
    uint32_t start = file->line_starts[line - 1];
    uint32_t end = line < file->nlines ? file->line_starts[line] : file->len;
    while (end > start && (file->text[end - 1] == '\n' || file->text[end - 1] == '\r'))
        end--;
    *len = end - start;
    return file->text + start;
}

Span span_join(Span a, Span b)
{
    if (a.file < 0)
        return b;
    if (b.file < 0 || b.file != a.file)
        return a;
    Span s = a;
    if (b.start < s.start)
        s.start = b.start;
    if (b.end > s.end)
        s.end = b.end;
    return s;
}
