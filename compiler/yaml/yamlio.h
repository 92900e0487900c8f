/* yamlio.h - all YAML writing and reading, through libyaml (never printf).
 * Writing: Data documents -> a YAML stream, block style, maps in insertion order, strings quoted
 * only when a plain scalar would read back as another type, STYLE_LITERAL strings as `|` blocks.
 * Reading: a YAML stream (values files, live `kubectl get -o yaml` dumps) -> Data documents, with
 * located errors. */
#ifndef GOVERSEC_YAMLIO_H
#define GOVERSEC_YAMLIO_H
#include <stdbool.h>
#include <stddef.h>

#include "ir/data.h"
#include "support/diag.h"

/* Appends the documents to an arena buffer; each document starts with "---" only when n > 1 and
 * it is not the first. Returns false (with *err set) only if libyaml itself fails. */
bool yaml_write(Arena *a, const Data *const *docs, size_t n, const char **out, size_t *len,
                const char **err);
/* One document's text, for EXPR_YAML (no document markers). */
const char *yaml_write_one(Arena *a, const Data *doc, size_t *len);

/* Parses every document of `text` (named `path` in errors). Returns the number of documents
 * (stored in *docs), or -1 after reporting errors to `diags` against `file`. */
int yaml_read(Arena *a, const SourceFile *file, Data ***docs, DiagSink *diags);

#endif
