/* template.c - the IR printed as Helm templates (see template.h).
 *
 * Layout mirrors what libyaml writes for the evaluated tree (2-space maps, sequences not indented
 * under their key), so a YAML subtree printed here renders to exactly the bytes the manifest
 * emitter produces. Conditional entries use the usual Helm idiom: `{{- if X }}` on its own line at
 * the entry's indentation; the left trim eats the preceding newline, so nothing is left behind.
 * Every value reference is rooted at `$` so it also works inside `range`. Scalars the template
 * computes are piped through `quote` (strings); literals are written by the YAML writer's own
 * scalar rules (yaml_scalar_append: what libyaml would write, libyaml itself for the rest). */
#include "emit/template.h"

#include <stdint.h>
#include <string.h>

#include "support/strbuf.h"
#include "yaml/yamlio.h"

struct TemplatePrinter {
    Arena *a;
    const IrCluster *c;
    const char *chart;           /* chart name: prefix of the defines */
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
    struct DefineMemo *memo;     /* see define_yaml */
};

/* Map keys are shared strings (ir_put keeps its key, trees are immutable once lowered): a key
 * printed once is found again by its address, not classified again. Direct-mapped. String
 * literals are shared the same way (a chart prints ~1500 literals from ~400 distinct strings):
 * their text is cached by (address, style) in a second table. */
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

TemplatePrinter *template_printer_new(Arena *a, const IrCluster *c, const char *chart_name)
{
    TemplatePrinter *p = ARENA_NEW(a, TemplatePrinter);
    p->a = a;
    p->c = c;
    p->chart = chart_name;
    p->scratch.arena = a;
    p->keys = ARENA_ARRAY(a, KeyText, KEY_CACHE);
    p->literals = ARENA_ARRAY(a, KeyText, KEY_CACHE);
    p->conds = ARENA_ARRAY(a, KeyText, COND_CACHE);
    strbuf_init(&p->pool, a);
    return p;
}

const TemplateDefine *template_defines(const TemplatePrinter *p)
{
    return p->defines;
}

/* Where a map sits, so the chart can add Helm's label to each object's metadata.labels. */
typedef enum Hook { HOOK_NONE, HOOK_ROOT, HOOK_METADATA, HOOK_LABELS } Hook;

static void print_map(TemplatePrinter *p, StrBuf *b, const IrNode *map, int indent, Hook hook);
static void print_items(TemplatePrinter *p, StrBuf *b, const IrNode *seq, int indent);
static void pipeline(TemplatePrinter *p, StrBuf *b, const IrNode *n);

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

static inline void put(StrBuf *b, const char *s, size_t n)
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

/* Indentation is short: eight spaces per store, the excess overwritten by what follows. */
static inline void put_indent(StrBuf *b, int n)
{
    if (n <= 0)
        return;
    char *at = room(b, (size_t)n + 8);
    for (int i = 0; i < n; i += 8)
        memcpy(at + i, "        ", 8);
    b->len += (size_t)n;
}

/* The NUL-terminated text. */
static const char *text_of(StrBuf *b)
{
    *room(b, 0) = '\0';
    return b->data;
}

/* ---- literals: the YAML writer's own scalar rules ----------------------------------------- */

/* A mapping key as libyaml writes it. yaml_key_append covers every key but the "? key" forms. */
static void write_key(TemplatePrinter *p, StrBuf *b, const char *key)
{
    if (yaml_key_append_str(b, key))
        return;
    size_t len = strlen(key);
    Data *m = data_map(p->a);
    data_put(p->a, m, key, data_int(p->a, 0));
    size_t n;
    const char *text = yaml_write_one(p->a, m, &n);
    const char *colon = strstr(text, ": 0");
    put(b, text, colon ? (size_t)(colon - text) : len);
}

static KeyText *cache_slot_bits(KeyText *table, const void *key, int bits)
{
    return &table[((uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15u) >> (64 - bits)];
}

static KeyText *cache_slot(KeyText *table, const char *key)
{
    return cache_slot_bits(table, key, KEY_BITS);
}

/* Copies a cached text of at most 2 * KEY_PAD bytes to `at` as one or two 16-byte copies, the
 * excess to be overwritten by what follows (2 * KEY_PAD bytes can be read at any text). */
static inline void copy_short(char *at, const TemplatePrinter *p, const KeyText *k)
{
    const char *text = p->pool.data + k->off;
    memcpy(at, text, KEY_PAD);
    if (k->len > KEY_PAD)
        memcpy(at + KEY_PAD, text + KEY_PAD, KEY_PAD);
}

/* Appends a cached text: short ones (nearly all) without a call to memcpy. */
static void put_cached(const TemplatePrinter *p, StrBuf *b, const KeyText *k)
{
    if (k->len <= 2 * KEY_PAD) {
        copy_short(room(b, 2 * KEY_PAD), p, k);
        b->len += k->len;
        return;
    }
    put(b, p->pool.data + k->off, k->len);
}

/* Caches the text written since b->len was `start` in slot `k`. */
static void cache_text(TemplatePrinter *p, StrBuf *b, size_t start, KeyText *k, const void *key, DataStyle style)
{
    size_t len = b->len - start;
    if (len > UINT16_MAX || p->pool.len + len > UINT32_MAX)
        return; /* printed again next time */
    char *text = strbuf_reserve(&p->pool, len + 2 * KEY_PAD, POOL_BLOCK);
    memcpy(text, b->data + start, len);
    memset(text + len, 0, 2 * KEY_PAD);
    *k = (KeyText){key, (uint32_t)p->pool.len, (uint16_t)len, (uint16_t)style};
    p->pool.len += len;
}

static void put_key(TemplatePrinter *p, StrBuf *b, const char *key)
{
    KeyText *k = cache_slot(p->keys, key);
    if (k->key == key) {
        put_cached(p, b, k);
        return;
    }
    size_t start = b->len;
    write_key(p, b, key);
    cache_text(p, b, start, k, key, STYLE_AUTO);
}

/* A plain or double-quoted string literal (no line break in its text, so the same at any
 * indentation) through the literal cache; false (nothing written) when the YAML writer's direct
 * path does not take it. */
static bool put_cached_literal(TemplatePrinter *p, StrBuf *b, const char *s, DataStyle style, int indent)
{
    KeyText *k = cache_slot(p->literals, s);
    if (k->key == s && k->style == (uint32_t)style) {
        put_cached(p, b, k);
        return true;
    }
    size_t start = b->len;
    if (!yaml_scalar_append_str(b, s, style, indent))
        return false;
    cache_text(p, b, start, k, s, style);
    return true;
}

/* Writes a scalar after "key: " or "- " at `indent`, and the newline. A multi-line literal (a `|`
 * block such as the dashboard JSON or a script) comes from libyaml indented for column 0: its
 * continuation lines are shifted to this entry's indentation. */
static void put_scalar(StrBuf *b, const char *v, int indent)
{
    for (const char *nl; (nl = strchr(v, '\n')); v = nl + 1) {
        put(b, v, (size_t)(nl - v + 1));
        if (nl[1])
            put_indent(b, indent);
    }
    put_str(b, v);
    put_c(b, '\n');
}

/* A string scalar written at `indent` (a `|` block's lines under it), and the newline. */
static void put_text(TemplatePrinter *p, StrBuf *b, const char *s, size_t len, DataStyle style, int indent)
{
    if (yaml_scalar_append_indented(b, s, len, style, indent))
        put_c(b, '\n');
    else /* non-ASCII, "|+": libyaml's text, indented for column 0 */
        put_scalar(b, yaml_scalar_text(p->a, s, len, style), indent);
}

/* A literal scalar as libyaml writes it as a mapping value; strings inside a YAML define are
 * always double-quoted (the manifest emitter's STYLE_QUOTED for the Goverse config). */
static void put_literal(TemplatePrinter *p, StrBuf *b, const IrNode *n, int indent)
{
    switch (n->kind) {
    case IR_STR: {
        DataStyle style = p->in_define ? STYLE_QUOTED : n->style;
        if (style == STYLE_LITERAL ? yaml_scalar_append_str(b, n->u.str, style, indent)
                                   : put_cached_literal(p, b, n->u.str, style, indent))
            put_c(b, '\n');
        else /* non-ASCII, "|+": libyaml's text, indented for column 0 */
            put_scalar(b, yaml_scalar_text(p->a, n->u.str, strlen(n->u.str), style), indent);
        return;
    }
    case IR_INT: strbuf_add_int(b, n->u.i); break;
    case IR_BOOL: put_str(b, n->u.b ? "true" : "false"); break;
    case IR_NULL:
    case IR_MAP:
    case IR_SEQ:
    case IR_REF:
    case IR_EXPR:
    case IR_INDEX: PUT(b, "null"); break;
    }
    put_c(b, '\n');
}

/* Whether any of the 8 bytes of `w` is '"', '\\' or a control character (< 0x20): the classic
 * "has a zero byte" test (exact as a yes/no answer) on w ^ '"', w ^ '\\' and on w - 0x20 (the
 * test json.c uses for the same set of bytes). */
static inline bool word_needs_escape(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
    uint64_t hits = ((q - ones) & ~q) | ((bs - ones) & ~bs) | ((w - ones * 0x20) & ~w);
    return (hits & highs) != 0;
}

static inline char *go_escape_byte(char *p, unsigned char ch)
{
    static const char hex[] = "0123456789abcdef";
    if (ch >= 0x20 && ch != '"' && ch != '\\') {
        *p++ = (char)ch;
    } else if (ch == '"' || ch == '\\') {
        *p++ = '\\';
        *p++ = (char)ch;
    } else if (ch == '\n') {
        *p++ = '\\';
        *p++ = 'n';
    } else {
        memcpy(p, (char[4]){'\\', 'x', hex[ch >> 4], hex[ch & 0xf]}, 4);
        p += 4;
    }
    return p;
}

/* A Go string literal (Go escapes are a superset of what we need), eight bytes at a time: almost
 * none need an escape. */
static void go_string(StrBuf *b, const char *s)
{
    size_t len = strlen(s), i = 0;
    char *p = room(b, 4 * len + 2), *start = p; /* every byte as \xHH at worst */
    *p++ = '"';
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (!word_needs_escape(w)) {
            memcpy(p, &w, 8);
            p += 8;
            continue;
        }
        for (size_t j = i; j < i + 8; j++)
            p = go_escape_byte(p, (unsigned char)s[j]);
    }
    for (; i < len; i++)
        p = go_escape_byte(p, (unsigned char)s[i]);
    *p++ = '"';
    b->len += (size_t)(p - start);
}

/* ---- expressions -------------------------------------------------------------------------- */

static void values_ref(StrBuf *b, const Knob *k)
{
    PUT(b, "$.Values.");
    put_str(b, k->path);
}

static void cond_into(StrBuf *b, const IrCond *cond)
{
    switch (cond->op) {
    case COND_TRUE_KNOB: values_ref(b, cond->knob); return;
    case COND_NOT:
        PUT(b, "(not ");
        cond_into(b, cond->a);
        put_c(b, ')');
        return;
    case COND_AND:
    case COND_OR:
        put_str(b, cond->op == COND_AND ? "(and " : "(or ");
        cond_into(b, cond->a);
        put_c(b, ' ');
        cond_into(b, cond->b);
        put_c(b, ')');
        return;
    case COND_EQ:
        PUT(b, "(eq (toString ");
        values_ref(b, cond->knob);
        PUT(b, ") ");
        go_string(b, cond->literal);
        put_c(b, ')');
        return;
    }
    PUT(b, "false");
}

const char *template_cond(TemplatePrinter *p, const IrCond *cond)
{
    StrBuf b;
    strbuf_init(&b, p->a);
    cond_into(&b, cond);
    return text_of(&b);
}

static bool knob_is_text(const Knob *k)
{
    return k->type != KNOB_INT && k->type != KNOB_BOOL;
}

/* Prints a YAML subtree and returns the name of the define with that text (a new one if none). */
static const char *define_text(TemplatePrinter *p, const IrNode *subtree)
{
    /* Printed into the printer's scratch buffer (a define inside a define gets its own): the
     * text is kept only when no define has it yet. */
    StrBuf local, *b = &p->scratch;
    if (p->scratch_busy)
        strbuf_init(b = &local, p->a);
    p->scratch_busy = true;
    b->len = 0;
    bool saved = p->in_define;
    p->in_define = true;
    if (subtree->kind == IR_MAP)
        print_map(p, b, subtree, 0, HOOK_NONE);
    p->in_define = saved;
    if (b == &p->scratch)
        p->scratch_busy = false;
    const char *body = text_of(b);
    size_t len = b->len;
    if (len && body[len - 1] == '\n')
        len--;
    for (TemplateDefine *d = p->defines; d; d = d->next)
        if (strncmp(d->body, body, len) == 0 && d->body[len] == '\0')
            return d->name;
    TemplateDefine *d = ARENA_NEW(p->a, TemplateDefine);
    d->name = arena_printf(p->a, "%s.yaml.%d", p->chart, ++p->ndefines);
    d->body = arena_strndup(p->a, body, len);
    if (p->defines_tail)
        p->defines_tail->next = d;
    else
        p->defines = d;
    p->defines_tail = d;
    return d->name;
}

/* Registers a YAML subtree as a named template and returns its name. */
static const char *define_yaml(TemplatePrinter *p, const IrNode *subtree)
{
    /* A subtree shared by several expressions (the Goverse config: ConfigMap and checksums) is
     * printed once. Its text is the same every time unless it numbered join variables ($jN). */
    for (const DefineMemo *m = p->memo; m; m = m->next)
        if (m->subtree == subtree)
            return m->name;
    int nvars = p->nvars;
    const char *name = define_text(p, subtree);
    if (p->nvars == nvars) {
        DefineMemo *m = ARENA_NEW(p->a, DefineMemo);
        *m = (DefineMemo){subtree, name, p->memo};
        p->memo = m;
    }
    return name;
}

/* A template pipeline (no braces) computing node `n`'s value. */
static void pipeline(TemplatePrinter *p, StrBuf *b, const IrNode *n)
{
    const IrNode *a = n->kind == IR_EXPR ? n->u.expr.args : NULL;
    switch (n->kind) {
    case IR_STR: go_string(b, n->u.str); return;
    case IR_INT: strbuf_add_int(b, n->u.i); return;
    case IR_BOOL: put_str(b, n->u.b ? "true" : "false"); return;
    case IR_NULL: PUT(b, "nil"); return;
    case IR_REF: values_ref(b, n->u.ref); return;
    case IR_INDEX: PUT(b, "$i"); return;
    case IR_MAP:
    case IR_SEQ: PUT(b, "nil"); return;
    case IR_EXPR: break;
    }
    switch (n->u.expr.op) {
    case EXPR_CONCAT:
        PUT(b, "(printf \"");
        for (const IrNode *x = a; x; x = x->next)
            PUT(b, "%v");
        put_c(b, '"');
        for (const IrNode *x = a; x; x = x->next) {
            put_c(b, ' ');
            pipeline(p, b, x);
        }
        put_c(b, ')');
        return;
    case EXPR_IMAGE:
        PUT(b, "(include \"");
        put_str(b, p->chart);
        PUT(b, ".image\" (list");
        for (int i = 0; i < 4; i++, a = a->next) { /* registry, image registry, repository, tag */
            put_c(b, ' ');
            pipeline(p, b, a);
        }
        PUT(b, "))");
        return;
    case EXPR_YAML: {
        /* define_yaml prints into its own buffer; it never touches `b`. */
        const char *name = define_yaml(p, a);
        PUT(b, "(include \"");
        put_str(b, name);
        PUT(b, "\" $)");
        return;
    }
    case EXPR_SHA256:
        /* Named YAML templates drop the final newline the manifest text has: add it back. */
        if (a->kind == IR_EXPR && a->u.expr.op == EXPR_YAML)
            PUT(b, "(sha256sum (printf \"%s\\n\" ");
        else
            PUT(b, "(sha256sum (toString ");
        pipeline(p, b, a);
        PUT(b, "))");
        return;
    case EXPR_FIRST:
        PUT(b, "(default \"\" (first ");
        pipeline(p, b, a);
        PUT(b, "))");
        return;
    case EXPR_NAMESPACE: PUT(b, "$.Release.Namespace"); return;
    case EXPR_RELEASE_NAME:
        if (a && a->kind == IR_INT) {
            PUT(b, "($.Release.Name | trunc ");
            strbuf_add_int(b, a->u.i);
            put_c(b, ')');
        } else {
            PUT(b, "$.Release.Name");
        }
        return;
    case EXPR_JOIN:
    case EXPR_REPEAT: PUT(b, "nil"); return; /* only in statement position (see put_value) */
    }
    PUT(b, "nil");
}

/* JOIN over a REPEAT, as actions on one line that leave only the joined text behind. */
static void inline_join(TemplatePrinter *p, StrBuf *b, const IrNode *join)
{
    const IrNode *sep = join->u.expr.args, *rep = sep->next;
    if (!rep || rep->kind != IR_EXPR || rep->u.expr.op != EXPR_REPEAT) {
        PUT(b, "null");
        return;
    }
    const IrNode *count = rep->u.expr.args, *body = count->next;
    int v = ++p->nvars;
    PUT(b, "{{ $j");
    strbuf_add_int(b, v);
    PUT(b, " := list }}{{ range $i := until (int ");
    pipeline(p, b, count);
    PUT(b, ") }}{{ $j");
    strbuf_add_int(b, v);
    PUT(b, " = append $j");
    strbuf_add_int(b, v);
    put_c(b, ' ');
    pipeline(p, b, body);
    PUT(b, " }}{{ end }}{{ join ");
    pipeline(p, b, sep);
    PUT(b, " $j");
    strbuf_add_int(b, v);
    PUT(b, " | quote }}");
}

/* A `|` block concatenated from literal text and the release name (the dashboard JSON): printed
 * as a block with the actions inline, so the template reads like the manifest. Only when no
 * literal part holds "{{" (Helm would execute it) and every other part is the release name. */
static bool put_literal_concat(TemplatePrinter *p, StrBuf *b, const IrNode *n, int indent)
{
    if (p->in_define || n->style != STYLE_LITERAL || n->u.expr.op != EXPR_CONCAT)
        return false;
    for (const IrNode *x = n->u.expr.args; x; x = x->next) {
        bool text = x->kind == IR_STR && !strstr(x->u.str, "{{");
        bool name = x->kind == IR_EXPR && x->u.expr.op == EXPR_RELEASE_NAME;
        if (!text && !name)
            return false;
    }
    StrBuf t;
    strbuf_init(&t, p->a);
    for (const IrNode *x = n->u.expr.args; x; x = x->next) {
        if (x->kind == IR_STR) {
            put_str(&t, x->u.str);
            continue;
        }
        PUT(&t, "{{ ");
        pipeline(p, &t, x);
        PUT(&t, " }}");
    }
    put_text(p, b, text_of(&t), t.len, STYLE_LITERAL, indent);
    return true;
}

/* The text after "key: " (or "- ") for a scalar-valued node, and the newline: put_value's
 * general case, out of line so that its common case stays small. */
__attribute__((noinline)) static void put_value_slow(TemplatePrinter *p, StrBuf *b, const IrNode *n, int indent)
{
    switch (n->kind) {
    case IR_STR:
    case IR_INT:
    case IR_BOOL:
    case IR_NULL: put_literal(p, b, n, indent); return;
    case IR_REF:
        PUT(b, "{{ ");
        values_ref(b, n->u.ref);
        put_str(b, knob_is_text(n->u.ref) ? " | quote }}\n" : " }}\n");
        return;
    case IR_INDEX: PUT(b, "{{ $i }}\n"); return;
    case IR_MAP:
    case IR_SEQ: PUT(b, "null\n"); return;
    case IR_EXPR: break;
    }
    if (put_literal_concat(p, b, n, indent))
        return;
    if (n->u.expr.op == EXPR_JOIN) {
        inline_join(p, b, n);
    } else {
        PUT(b, "{{ ");
        pipeline(p, b, n);
        PUT(b, " | quote }}");
    }
    put_c(b, '\n');
}

/* The text after "key: " (or "- ") for a scalar-valued node, and the newline. The common case,
 * a short string literal printed before, is one table probe and one copy. */
static inline void put_value(TemplatePrinter *p, StrBuf *b, const IrNode *n, int indent)
{
    if (n->kind == IR_STR) {
        DataStyle style = p->in_define ? STYLE_QUOTED : n->style;
        const KeyText *k = cache_slot(p->literals, n->u.str);
        if (k->key == n->u.str && k->style == (uint32_t)style && k->len <= 2 * KEY_PAD) {
            char *at = room(b, 2 * KEY_PAD + 1);
            copy_short(at, p, k);
            at[k->len] = '\n';
            b->len += k->len + 1;
            return;
        }
    }
    put_value_slow(p, b, n, indent);
}

/* ---- blocks ------------------------------------------------------------------------------- */

static bool is_repeat(const IrNode *n)
{
    return n->kind == IR_EXPR && n->u.expr.op == EXPR_REPEAT;
}

static bool is_list_ref(const IrNode *n)
{
    return n->kind == IR_REF && (n->u.ref->type == KNOB_STRING_LIST || n->u.ref->type == KNOB_OBJECT_LIST);
}

static void open_when(TemplatePrinter *p, StrBuf *b, const IrCond *when, int indent)
{
    if (!when)
        return;
    put_indent(b, indent);
    KeyText *k = cache_slot_bits(p->conds, when, COND_BITS);
    if (k->key == when) {
        put_cached(p, b, k);
        return;
    }
    size_t start = b->len;
    PUT(b, "{{- if ");
    cond_into(b, when);
    PUT(b, " }}\n");
    cache_text(p, b, start, k, when, STYLE_AUTO);
}

static void close_when(StrBuf *b, const IrCond *when, int indent)
{
    if (!when)
        return;
    put_indent(b, indent);
    PUT(b, "{{- end }}\n");
}

static void print_repeat(TemplatePrinter *p, StrBuf *b, const IrNode *rep, int indent);

/* key_line_n for a key not cached (or long): kept out of line, so that the common case below
 * stays small (no registers to save). */
__attribute__((noinline)) static void key_line_slow(TemplatePrinter *p, StrBuf *b, const char *key, int indent,
                                                    const char *tail, size_t n)
{
    put_indent(b, indent);
    put_key(p, b, key);
    put(b, tail, n);
}

/* `indent` spaces, the key as libyaml writes it, then `tail` (":\n", ": {}\n", ...): n <= 8
 * bytes followed by padding up to 8 readable bytes (key_line adds it). */
static inline void key_line_n(TemplatePrinter *p, StrBuf *b, const char *key, int indent, const char *tail,
                              size_t n)
{
    const KeyText *k = cache_slot(p->keys, key);
    if (k->key != key || k->len > 2 * KEY_PAD || indent < 0) {
        key_line_slow(p, b, key, indent, tail, n);
        return;
    }
    /* A short key printed before (nearly every line): one room check for the whole line start,
     * the spaces eight at a time, the key as one or two 16-byte copies, the tail as one 8-byte
     * copy, each excess overwritten by what follows. */
    size_t ind = (size_t)indent;
    char *at = room(b, ind + 2 * KEY_PAD + 16);
    for (size_t i = 0; i < ind; i += 8)
        memcpy(at + i, "        ", 8);
    copy_short(at + ind, p, k);
    memcpy(at + ind + k->len, tail, 8);
    b->len += ind + k->len + n;
}
#define key_line(p, b, key, indent, tail)                                                                  \
    key_line_n((p), (b), (key), (indent), "" tail "\0\0\0\0\0\0\0\0", sizeof(tail) - 1)

/* "key:" followed by the value's block, or "key: value". */
static void print_entry(TemplatePrinter *p, StrBuf *b, const IrNode *e, int indent, Hook hook)
{
    const char *key = e->key;
    if (e->kind == IR_MAP) {
        if (!e->u.kids.first) {
            key_line(p, b, key, indent, ": {}\n");
            return;
        }
        key_line(p, b, key, indent, ":\n");
        print_map(p, b, e, indent + 2, hook);
    } else if (e->kind == IR_SEQ) {
        if (!e->u.kids.first) {
            key_line(p, b, key, indent, ": []\n");
            return;
        }
        key_line(p, b, key, indent, ":\n");
        print_items(p, b, e, indent);
    } else if (is_repeat(e)) {
        /* Zero repetitions must print `key: []`, as the manifest writer does, not `key:` (null). */
        put_indent(b, indent);
        PUT(b, "{{- if gt (int ");
        pipeline(p, b, e->u.expr.args);
        PUT(b, ") 0 }}\n");
        key_line(p, b, key, indent, ":\n");
        print_repeat(p, b, e, indent);
        put_indent(b, indent);
        PUT(b, "{{- else }}\n");
        key_line(p, b, key, indent, ": []\n");
        put_indent(b, indent);
        PUT(b, "{{- end }}\n");
    } else if (is_list_ref(e) && p->in_define && e->u.ref->type == KNOB_STRING_LIST) {
        /* Inside a YAML define the text must match libyaml's: quoted items, `[]` when empty. */
        put_indent(b, indent);
        PUT(b, "{{- if ");
        values_ref(b, e->u.ref);
        PUT(b, " }}\n");
        key_line(p, b, key, indent, ":\n");
        put_indent(b, indent);
        PUT(b, "{{- range $e := ");
        values_ref(b, e->u.ref);
        PUT(b, " }}\n");
        put_indent(b, indent);
        PUT(b, "- {{ $e | quote }}\n");
        put_indent(b, indent);
        PUT(b, "{{- end }}\n");
        put_indent(b, indent);
        PUT(b, "{{- else }}\n");
        key_line(p, b, key, indent, ": []\n");
        put_indent(b, indent);
        PUT(b, "{{- end }}\n");
    } else if (is_list_ref(e)) {
        key_line(p, b, key, indent, ":\n");
        put_indent(b, indent + 2);
        PUT(b, "{{- toYaml ");
        values_ref(b, e->u.ref);
        PUT(b, " | nindent ");
        strbuf_add_int(b, indent + 2);
        PUT(b, " }}\n");
    } else if (e->kind == IR_EXPR && e->u.expr.op == EXPR_YAML) {
        key_line(p, b, key, indent, ": |\n");
        put_indent(b, indent + 2);
        PUT(b, "{{- ");
        pipeline(p, b, e);
        PUT(b, " | nindent ");
        strbuf_add_int(b, indent + 2);
        PUT(b, " }}\n");
    } else {
        key_line(p, b, key, indent, ": ");
        put_value(p, b, e, indent);
    }
}

static Hook child_hook(Hook hook, const char *key)
{
    if (hook == HOOK_ROOT && strcmp(key, "metadata") == 0)
        return HOOK_METADATA;
    if (hook == HOOK_METADATA && strcmp(key, "labels") == 0)
        return HOOK_LABELS;
    return HOOK_NONE;
}

static void print_map(TemplatePrinter *p, StrBuf *b, const IrNode *map, int indent, Hook hook)
{
    for (const IrNode *e = map->u.kids.first; e; e = e->next) {
        open_when(p, b, e->when, indent);
        print_entry(p, b, e, indent, child_hook(hook, e->key));
        close_when(b, e->when, indent);
    }
    if (hook == HOOK_LABELS) {
        /* metadata.labels of an object: the chart adds Helm's own label. */
        put_indent(b, indent);
        PUT(b, "helm.sh/chart: {{ include \"");
        put_str(b, p->chart);
        PUT(b, ".chart\" $ }}\n");
    }
}

/* One sequence item at `indent` ("- " at that column). */
static void print_item(TemplatePrinter *p, StrBuf *b, const IrNode *item, int indent)
{
    if (item->kind == IR_MAP && item->u.kids.first) {
        if (item->u.kids.first->when) {
            put_indent(b, indent);
            PUT(b, "-\n");
            print_map(p, b, item, indent + 2, HOOK_NONE);
        } else {
            /* The map's first line starts with indent + 2 spaces (no condition before it): its
             * last two become the "- " of the item, in place. */
            size_t at = b->len + (size_t)indent;
            print_map(p, b, item, indent + 2, HOOK_NONE);
            b->data[at] = '-';
            b->data[at + 1] = ' ';
        }
    } else if (item->kind == IR_MAP) {
        put_indent(b, indent);
        PUT(b, "- {}\n");
    } else if (item->kind == IR_SEQ) {
        put_indent(b, indent);
        PUT(b, "-\n");
        print_items(p, b, item, indent + 2);
    } else {
        put_indent(b, indent);
        PUT(b, "- ");
        put_value(p, b, item, indent);
    }
}

static void print_repeat(TemplatePrinter *p, StrBuf *b, const IrNode *rep, int indent)
{
    const IrNode *count = rep->u.expr.args, *body = count->next;
    put_indent(b, indent);
    PUT(b, "{{- range $i := until (int ");
    pipeline(p, b, count);
    PUT(b, ") }}\n");
    print_item(p, b, body, indent);
    put_indent(b, indent);
    PUT(b, "{{- end }}\n");
}

static void print_items(TemplatePrinter *p, StrBuf *b, const IrNode *seq, int indent)
{
    for (const IrNode *item = seq->u.kids.first; item; item = item->next) {
        open_when(p, b, item->when, indent);
        if (is_repeat(item))
            print_repeat(p, b, item, indent);
        else
            print_item(p, b, item, indent);
        close_when(b, item->when, indent);
    }
}

void template_object_to(TemplatePrinter *p, const IrObject *obj, StrBuf *b)
{
    if (obj->when) {
        PUT(b, "{{- if ");
        cond_into(b, obj->when);
        PUT(b, " }}\n");
    }
    print_map(p, b, obj->root, 0, HOOK_ROOT);
    if (obj->when)
        PUT(b, "{{- end }}\n");
    text_of(b);
}

const char *template_object(TemplatePrinter *p, const IrObject *obj)
{
    /* The text goes to the free end of the block the previous object ended in, and what is left
     * after it (and its NUL) is where the next one starts. */
    StrBuf b = {.arena = p->a, .data = p->free, .len = 0, .cap = p->free_len};
    template_object_to(p, obj, &b);
    p->free = b.data + b.len + 1;
    p->free_len = b.cap - b.len - 1;
    return b.data;
}
