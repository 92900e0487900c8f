/* template_impl.h - the template printer's internals, shared by template.c (blocks, literals,
 * text caches) and template_expr.c (conditions, pipelines, Go strings): the printer's state and
 * the inline appends everything is written with. Private to those two files. */
#ifndef GOVERSEC_TEMPLATE_IMPL_H
#define GOVERSEC_TEMPLATE_IMPL_H
#include <stdint.h>
#include <string.h>

#include "emit/template.h"
#include "support/strbuf.h"

struct TemplatePrinter {
    Arena *a;
    const IrCluster *c;
    const char *chart;           /* chart name: prefix of the defines */
    const char *chart_label;     /* the line of Helm's label in every object's metadata.labels */
    size_t chart_label_len;
    TemplateDefine *defines, *defines_tail;
    int ndefines, nvars;
    bool in_define;              /* printing a YAML subtree: strings always double-quoted */
    /* Objects are printed one after another into the free end of one big block (see
     * template_object): no buffer growth and copy per object. */
    char *free;
    size_t free_len;
    StrBuf scratch;              /* a YAML define's text before deduplication */
    bool scratch_busy;
    struct KeyText *keys;        /* KEY_CACHE entries, see put_key */
    struct KeyText *literals;    /* KEY_CACHE entries, see put_cached_literal */
    struct KeyText *conds;       /* COND_CACHE entries, see open_when */
    StrBuf pool;                 /* the cached texts, one after another (KeyText.off) */
    struct DefineMemo *memo;     /* see tp_define_yaml */
};

/* Map keys are shared strings (ir_put keeps its key, trees are immutable once lowered): a key
 * printed once is found again by its address, not classified again. Direct-mapped. String
 * literals are shared the same way (a chart prints ~1500 literals from ~400 distinct strings):
 * their text is cached by (address, style) in a second table. An address alone is a safe key
 * because every key, literal and condition printed lives in the IR, which outlives the printer
 * (one printer per chart) and is never written: nothing printed through these caches may come
 * from a buffer that is reused while the printer lives. */
enum { KEY_BITS = 9, KEY_CACHE = 1 << KEY_BITS, KEY_PAD = 16 };
/* Conditions are printed as whole "{{- if ... }}" lines from a smaller table of the same kind
 * (keyed by IrCond address: about half of a chart's conditions are ones printed before). */
enum { COND_BITS = 8, COND_CACHE = 1 << COND_BITS };
/* 16 bytes an entry, the texts packed in one pool: the tables and texts are memory first touched
 * while printing (each page of it costs as much as ~15 K instructions). */
typedef struct KeyText {
    const void *key;
    uint32_t off;                /* of the text in the pool; 2 * KEY_PAD readable bytes past its end */
    uint16_t len;
    uint16_t style;              /* literals: the DataStyle the text was written with */
} KeyText;
enum { POOL_BLOCK = 48 * 1024 }; /* the pool's first size: a chart caches ~40 KB of text */

/* A subtree already defined (by address), when its text cannot differ the next time. */
typedef struct DefineMemo {
    const IrNode *subtree;
    const char *name;
    struct DefineMemo *next;
} DefineMemo;

/* Everything below writes into the caller's StrBuf: no intermediate strings, no printf on the hot
 * path (bench/README.md: the chart printer was most of a build's instructions). */

/* ---- output: inline appends into the StrBuf ---------------------------------------------- */

/* The printer writes ~10^4 small pieces per chart; strbuf_add's strlen, call and NUL per piece
 * were a third of its cost. These store the bytes only; text_of() adds the NUL at the end. */
enum { TEMPLATE_BLOCK = 64 * 1024 };

/* Room for `n` more bytes and a NUL. Growth is by whole blocks: a template is usually the tail of
 * a block shared with the objects printed before it (template_object). */
static inline char *room(StrBuf *b, size_t n)
{
    if (b->len + n + 1 > b->cap)
        return strbuf_reserve(b, n, TEMPLATE_BLOCK);
    return b->data + b->len;
}

/* Always inlined: link-time optimisation made it a call (~1400 a chart, from PUT's literals in
 * the expression printers), where inline a literal's copy is a few moves and no memcpy call. */
__attribute__((always_inline)) static inline void put(StrBuf *b, const char *s, size_t n)
{
    memcpy(room(b, n), s, n);
    b->len += n;
}

/* A string literal: its length is known at compile time, the copy is a few moves. */
#define PUT(b, lit) put((b), "" lit, sizeof(lit) - 1)

static inline void put_str(StrBuf *b, const char *s)
{
    put(b, s, strlen(s));
}

static inline void put_c(StrBuf *b, char c)
{
    *room(b, 1) = c;
    b->len++;
}

/* `n` spaces at `at`, which has room for n + INDENT_ROOM bytes. Indentation is short (under 32
 * columns on nearly every line): 32 spaces as two 16-byte stores and no loop, the excess
 * overwritten by what follows; deeper lines add eight at a time. Always inlined: link-time
 * optimisation made it a call from the `{{- end }}` lines (~1200 a chart). */
enum { INDENT_ROOM = 32 };
__attribute__((always_inline)) static inline void put_spaces(char *at, size_t n)
{
    memcpy(at, "                                ", 32);
    for (size_t i = 32; i < n; i += 8)
        memcpy(at + i, "        ", 8);
}

static inline void put_indent(StrBuf *b, int n)
{
    if (n <= 0)
        return;
    put_spaces(room(b, (size_t)n + INDENT_ROOM), (size_t)n);
    b->len += (size_t)n;
}

/* The NUL-terminated text. */
static inline const char *text_of(StrBuf *b)
{
    *room(b, 0) = '\0';
    return b->data;
}

/* `before`, $.Values.<path>, then `after` (n_before, n_after <= 16 bytes, each readable for 16:
 * the callers pass literals padded by WRAP), with one room check: a chart has ~1000 of them. The
 * fixed-size copies' excess is overwritten by what follows, inside the room reserved. */
static inline void wrapped_ref(StrBuf *b, const char *before, size_t n_before, const Knob *k, const char *after,
                               size_t n_after)
{
    size_t len = strlen(k->path);
    char *at = room(b, n_before + 9 + len + 16), *p = at;
    memcpy(p, before, 16);
    p += n_before;
    memcpy(p, "$.Values.", 9);
    memcpy(p + 9, k->path, len);
    p += 9 + len;
    memcpy(p, after, 16);
    p += n_after;
    b->len += (size_t)(p - at);
}
/* A string literal of at most 16 bytes (a longer one fails to compile), padded to 16 readable
 * bytes, and its length: two arguments of wrapped_ref. */
#define WRAP(lit)                                                                                          \
    "" lit "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",                                                               \
        (sizeof(lit) - 1 +                                                                                 \
         0 * sizeof(struct {                                                                               \
             _Static_assert(sizeof(lit) <= 17, "WRAP: at most 16 bytes");                                  \
             int unused;                                                                                   \
         }))

/* $.Values.<path> */
static inline void values_ref(StrBuf *b, const Knob *k)
{
    wrapped_ref(b, WRAP(""), k, WRAP(""));
}

/* template.c */
void tp_print_map(TemplatePrinter *p, StrBuf *b, const IrNode *map, int indent);
/* The name of the named template (a new one, or one with the same text) for a YAML subtree. */
const char *tp_define_yaml(TemplatePrinter *p, const IrNode *subtree);

/* The text of a condition printed before as an `if` line (the condition cache), appended to `b`;
 * false (nothing appended) when there is none. */
bool tp_cached_cond(TemplatePrinter *p, StrBuf *b, const IrCond *cond);

/* template_expr.c */
/* A Go template condition expression (no braces). */
void tp_cond(TemplatePrinter *p, StrBuf *b, const IrCond *cond);
/* A template pipeline (no braces) computing node `n`'s value. */
void tp_pipeline(TemplatePrinter *p, StrBuf *b, const IrNode *n);
/* JOIN over a REPEAT, as actions on one line that leave only the joined text behind. */
void tp_join(TemplatePrinter *p, StrBuf *b, const IrNode *join);

#endif
