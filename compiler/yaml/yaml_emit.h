/* yaml_emit.h - internal to compiler/yaml (and to the manifest emitter's walk of the IR,
 * ir/ir_yaml.c, which takes the writer's steps itself): the state of goversec's YAML writer
 * (yaml_write.c) and its general scalar writer (yaml_text.c). The state is libyaml's emitter state reduced to what a
 * block-style writer with unlimited width needs (column, indentation, whitespace and indention
 * flags, open-ended document), so that every decision libyaml takes on it is taken the same way
 * and the text is libyaml's, byte for byte (tests/unit/yaml_oracle.c, tests/fuzz). */
#ifndef GOVERSEC_YAML_EMIT_H
#define GOVERSEC_YAML_EMIT_H
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "ir/data.h"
#include "support/strbuf.h"

/* Plain texts already written, by their bytes: the documents of a cluster use a few dozen keys
 * ("name", "metadata", "labels", ...) and repeat label values, names and ports over and over
 * (about half of a design-doc build's string values), from the IR, the values tree and texts
 * evaluated anew for each document. Classifying a string again was ~200-300 instructions; a hit
 * is a hash of its length and first and last words, a compare and a copy. Keyed by the bytes,
 * not the address: the same text evaluated into two places ("goverse" as a namespace and as a
 * label) is one entry, and no address can be mistaken for another text. Only plain texts are
 * kept: their text is their bytes, the same wherever they stand in a block collection. */
enum {
    YAML_TEXT_SLOT_BITS = 8,
    YAML_TEXT_SLOTS = 1 << YAML_TEXT_SLOT_BITS, /* a design-doc build writes ~140 keys, ~250 values */
    YAML_TEXT_ROOM = 32, /* whole words; the longest text kept (keys, names: most are shorter) */
};
typedef struct YamlTextCache {
    unsigned char len[YAML_TEXT_SLOTS]; /* 0: a free slot (an empty text is never plain) */
    char text[YAML_TEXT_SLOTS][YAML_TEXT_ROOM]; /* uninitialised until a slot is used */
} YamlTextCache;
struct YamlKeyCache {
    YamlTextCache keys, values; /* apart: keys and values are different sets of texts */
};
/* A cache with its slots free, in `a`: only the lengths are cleared (512 bytes; the texts, 16 KB,
 * are written as slots are used, where zeroing the cache cost ~14 000 instructions up front). */
struct YamlKeyCache *yaml_key_cache_new(Arena *a);

typedef struct YamlW {
    struct YamlKeyCache *keys; /* NULL: no cache */
    StrBuf *b;
    int column;      /* characters since the last line break (large when unknown: never needed) */
    int indent;      /* the current indentation; -1 at the document's root */
    bool whitespace; /* the last thing written was whitespace (no space needed before a token) */
    bool indention;  /* only indentation written on this line so far */
    int open_ended;  /* 2: a "|+" block ended the last document: the stream ends with "..." */
    const char *problem; /* set on failure (text that is not UTF-8) */
} YamlW;

/* libyaml's write_indent: a line break unless the line holds only indentation up to `indent`,
 * then spaces up to it. Inline (as yaml_w_indicator): once per entry of every collection. */
static inline void yaml_w_indent(YamlW *w)
{
    int indent = w->indent >= 0 ? w->indent : 0;
    bool brk = !w->indention || w->column > indent || (w->column == indent && !w->whitespace);
    if (brk)
        w->column = 0;
    int spaces = w->column < indent ? indent - w->column : 0;
    if (brk || spaces) {
        /* The break stored whether or not it is kept (spaces overwrite it), then 32 spaces at a
         * time with constant-size copies (inline stores, no memset call, no loop for the usual
         * depths); the room covers the last, partly used block. */
        static const char blanks[32] = "                                ";
        char *p = strbuf_reserve(w->b, (size_t)spaces + 33, 256);
        *p = '\n';
        p += brk;
        memcpy(p, blanks, 32);
        for (int i = 32; i < spaces; i += 32)
            memcpy(p + i, blanks, 32);
        p[spaces] = '\0';
        w->b->len = (size_t)(p + spaces - w->b->data);
        w->column += spaces;
    }
    w->whitespace = true;
    w->indention = true;
}

/* libyaml's write_indicator (`ind` a literal: its length is known where this is inlined). */
static inline void yaml_w_indicator(YamlW *w, const char *ind, bool need_ws, bool is_ws, bool is_indention)
{
    if (need_ws && !w->whitespace) {
        strbuf_addc(w->b, ' ');
        w->column++;
    }
    size_t n = strlen(ind);
    strbuf_addn(w->b, ind, n);
    w->column += (int)n;
    w->whitespace = is_ws;
    w->indention = w->indention && is_indention;
}

/* What libyaml's analysis of a scalar found, for the choices the writer makes. */
typedef struct YamlScalarInfo {
    bool multiline, block_plain_allowed, single_quoted_allowed, block_allowed;
} YamlScalarInfo;
/* False when `s` is not UTF-8 (libyaml's yaml_check_utf8: no overlong forms, no truncated
 * sequences) or holds a code point that is not a Unicode scalar value (a surrogate, or above
 * U+10FFFF: libyaml would write an escape that no YAML reader accepts). */
bool yaml_utf8_valid(const char *s, size_t len);
void yaml_analyze(const char *s, size_t len, YamlScalarInfo *info);

/* Writes a scalar (already checked to be UTF-8) with libyaml's style choice for the requested
 * style (plain when `plain`, else `style`), in a simple key when `simple_key`: the general path,
 * any text. The caller has raised w->indent as libyaml does for a scalar. */
void yaml_w_scalar_general(YamlW *w, const char *s, size_t len, bool plain, DataStyle style,
                           bool simple_key);

/* yaml_scalar_append_indented as libyaml writes it for the YAML writer: the empty lines of a `|`
 * block get no indentation (yaml_scalar.c). */
bool yaml_scalar_append_at(StrBuf *b, const char *s, size_t len, DataStyle style, int indent);

/* The writer's steps for a writer that walks something else than a Data tree (the manifest
 * emitter's walk of the IR, ir/ir_yaml.c): each does what yaml_write.c does for the same part of
 * a Data tree, so the text is the same byte for byte.
 * yaml_out_begin: `w` set to write one document into `out` (its text replaced), with its caches;
 * yaml_out_end: the document ended as yaml_write_to ends it, out->text and out->len set. */
struct YamlOut;
void yaml_out_begin(struct YamlOut *out, YamlW *w);
void yaml_out_end(struct YamlOut *out, YamlW *w);
/* A key at the start of its line (after yaml_w_indent), and its ':'; *plain when it was written
 * as it is (its text is its bytes). False (w->problem set) for text that is not UTF-8. */
bool yaml_w_key(YamlW *w, const char *key, size_t len, bool *plain);
/* A string value (after its key's ':' or its "-"). */
bool yaml_w_string(YamlW *w, const char *s, size_t len, DataStyle style);
/* Any node as a value; `mapping`: the value of a mapping entry (else an item of a sequence). */
bool yaml_w_node(YamlW *w, const Data *d, bool mapping);
/* An empty map ("{}") or sequence ("[]") as a value. */
void yaml_w_empty(YamlW *w, bool map);

/* The stream of `n` documents appended to `b` (yaml_write.c); NULL, or why it cannot be written
 * (text that is not UTF-8). */
const char *yaml_emit_stream(StrBuf *b, const Data *const *docs, size_t n);
/* The same, with plain keys and values remembered in `keys` (yaml_key_cache_new, or zeroed) from
 * one call to the next: the writer of many documents (yaml_write_to). */
const char *yaml_emit_stream_keys(StrBuf *b, const Data *const *docs, size_t n, struct YamlKeyCache *keys);

#endif
