/* yamlio.h - all YAML writing and reading (never printf).
 * Writing (yaml_write.c, yaml_scalar.c, yaml_text.c: goversec's own writer, libyaml's emitter text
 * byte for byte, libyaml being its oracle in the tests): Data documents -> a YAML stream, block
 * style, maps in insertion order, strings quoted only when a plain scalar would read back as
 * another type, STYLE_LITERAL strings as `|` blocks.
 * Reading (yaml_read.c, through libyaml's parser): a YAML stream (values files, live `kubectl get
 * -o yaml` dumps) -> Data documents, with located errors. */
#ifndef GOVERSEC_YAMLIO_H
#define GOVERSEC_YAMLIO_H
#include <stdbool.h>
#include <stddef.h>

#include "ir/data.h"
#include "support/diag.h"
#include "support/strbuf.h"

/* Appends the documents to an arena buffer; each document starts with "---" only when n > 1 and
 * it is not the first. Returns false (with *err set) only for text that is not UTF-8. */
bool yaml_write(Arena *a, const Data *const *docs, size_t n, const char **out, size_t *len,
                const char **err);
/* One document's text, for EXPR_YAML (no document markers). */
const char *yaml_write_one(Arena *a, const Data *doc, size_t *len);

/* Text written outside the arena into memory reused from one document to the next (the manifest
 * emitter writes a cluster's objects one after another and copies each into the output tree):
 * no arena copy and, after the first few documents, no allocation for the text. */
typedef struct YamlOut {
    char *text; /* NUL-terminated; NULL before the first write */
    size_t len;
    Arena *arena; /* private, created by the first write */
    StrBuf buf;
    struct YamlKeyCache *keys; /* plain keys and values already written (yaml_emit.h) */
} YamlOut;
/* Replaces out's text by yaml_write_one's text for `doc`; false only for text that is not UTF-8. */
bool yaml_write_to(YamlOut *out, const Data *doc);
void yaml_out_free(YamlOut *out);

/* ---- single scalars (yaml_scalar.c), for text that embeds YAML scalars (chart templates) ---- */

/* The quoting policy: true when a plain scalar `s` (len bytes, NUL-terminated) could read back as
 * something other than this string (bool, null, number, timestamp, indicator, ...). */
bool yaml_needs_quotes(const char *s, size_t len);
/* Appends what libyaml writes for the string `s` with `style` as the value of a block mapping
 * at column 0 (the text after "key: ", without the final newline) and returns true, for ASCII
 * text; returns false and appends nothing otherwise (non-ASCII, "|+" blocks). A `|` block's
 * lines after the first are indented for column 0. Byte-identical to libyaml's emitter by
 * construction and by test (tests/unit/test_yaml_scalar.c); yaml_write uses it for every ASCII
 * scalar. */
bool yaml_scalar_append(StrBuf *b, const char *s, size_t len, DataStyle style);
/* The same for a value whose entry sits at column `indent`: exactly yaml_scalar_append's text
 * with `indent` spaces after every line break (only a `|` block has line breaks). */
bool yaml_scalar_append_indented(StrBuf *b, const char *s, size_t len, DataStyle style, int indent);
/* The same for a mapping key (the text before ':'); false for keys libyaml writes as "? key". */
bool yaml_key_append(StrBuf *b, const char *s, size_t len);
/* yaml_scalar_append_indented and yaml_key_append for NUL-terminated strings (the chart printer's
 * keys and literals). */
bool yaml_scalar_append_str(StrBuf *b, const char *s, DataStyle style, int indent);
bool yaml_key_append_str(StrBuf *b, const char *key);
/* yaml_scalar_append's text, else the general writer's (same form). NULL only for text that is
 * not UTF-8. */
const char *yaml_scalar_text(Arena *a, const char *s, size_t len, DataStyle style);

/* Parses every document of `text` (named `path` in errors). Returns the number of documents
 * (stored in *docs), or -1 after reporting errors to `diags` against `file`. */
int yaml_read(Arena *a, const SourceFile *file, Data ***docs, DiagSink *diags);

#endif
