/* source.h - the source files of one compilation and the byte-offset -> line:col map.
 * Every location in the compiler is a Span (file id + byte offsets); line and column are computed
 * only when a diagnostic is printed. */
#ifndef GOVERSEC_SOURCE_H
#define GOVERSEC_SOURCE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/arena.h"

enum { SOURCE_MAX_BYTES = 4 * 1024 * 1024 }; /* larger inputs are refused with a clear error */

typedef struct Span {
    int32_t file;     /* index into SourceMap.files; -1 when there is no source location */
    uint32_t start;   /* byte offset of the first byte */
    uint32_t end;     /* byte offset one past the last byte (end >= start) */
} Span;

#define SPAN_NONE ((Span){-1, 0, 0})

typedef struct SourceFile {
    int32_t id;
    const char *path;     /* as given by the user, or "<stdlib>/tiers.gv" style for library files */
    const char *text;     /* NUL-terminated copy of the contents (re2c scans up to the NUL) */
    uint32_t len;         /* bytes, not counting the terminating NUL */
    uint32_t *line_starts; /* offsets of the first byte of each line */
    uint32_t nlines;
} SourceFile;

typedef struct SourceMap {
    Arena *arena;
    SourceFile **files;
    int32_t nfiles, cap;
} SourceMap;

void source_map_init(SourceMap *map, Arena *arena);
/* Reads a whole file. Returns NULL and sets *err (static text, e.g. strerror) when it cannot. */
SourceFile *source_load(SourceMap *map, const char *path, const char **err);
/* The same with another size limit (`too_large` becomes *err past it): live cluster dumps. */
SourceFile *source_load_limited(SourceMap *map, const char *path, size_t max_bytes, const char *too_large,
                                const char **err);
SourceFile *source_add(SourceMap *map, const char *path, const char *text, size_t len);
const SourceFile *source_get(const SourceMap *map, int32_t id);
/* 1-based line and column (column counts bytes; tabs count as one). */
void source_linecol(const SourceFile *file, uint32_t offset, uint32_t *line, uint32_t *col);
/* The text of 1-based line `line` without its line terminator. */
const char *source_line(const SourceFile *file, uint32_t line, uint32_t *len);
Span span_join(Span a, Span b);

#endif
