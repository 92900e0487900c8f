/* template.c - the IR printed as Helm templates (see template.h).
 *
 * Layout mirrors what libyaml writes for the evaluated tree (2-space maps, sequences not indented
 * under their key), so a YAML subtree printed here renders to exactly the bytes the manifest
 * emitter produces. Conditional entries use the usual Helm idiom: `{{- if X }}` on its own line at
 * the entry's indentation; the left trim eats the preceding newline, so nothing is left behind.
 * Every value reference is rooted at `$` so it also works inside `range`. Scalars the template
 * computes are piped through `quote` (strings); literals are written by the YAML writer's own
 * scalar rules (yaml_scalar_append: what libyaml would write, libyaml itself for the rest). */
#include "emit/template_impl.h"

#include <stdint.h>
#include <string.h>

#include "yaml/yamlio.h"

static void print_map(TemplatePrinter *p, StrBuf *b, const IrNode *map, int indent);
static void print_items(TemplatePrinter *p, StrBuf *b, const IrNode *seq, int indent);

TemplatePrinter *template_printer_new(Arena *a, const IrCluster *c, const char *chart_name)
{
    TemplatePrinter *p = ARENA_NEW(a, TemplatePrinter);
    p->a = a;
    p->c = c;
    p->chart = chart_name;
    p->chart_label = arena_concat(a, "helm.sh/chart: {{ include \"", chart_name, ".chart\" $ }}\n", (char *)NULL);
    p->chart_label_len = strlen(p->chart_label);
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

/* Two slots per hash value, side by side (one cache line): directly mapped, two of a chart's ~210
 * keys sharing a slot evicted each other on every use (half of the key misses were such repeats).
 * A new text takes a free slot of the pair, else the second one: the first text cached there
 * stays. */
static inline KeyText *cache_probe(KeyText *table, int bits, const void *key, unsigned style, bool styled)
{
    KeyText *pair = &table[((uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15u) >> (64 - bits + 1) << 1];
    if (pair[0].key == key && (!styled || pair[0].style == style))
        return pair;
    if (pair[1].key == key && (!styled || pair[1].style == style))
        return pair + 1;
    return pair[0].key ? pair + 1 : pair;
}

/* A literal's slot: the same string may be cached in two styles. */
static inline KeyText *cache_find(KeyText *table, int bits, const void *key, unsigned style)
{
    return cache_probe(table, bits, key, style, true);
}

/* A key's or condition's slot: those tables cache every text with STYLE_AUTO, so the address
 * alone is compared (two loads and a compare less per line). */
static inline KeyText *cache_find_auto(KeyText *table, int bits, const void *key)
{
    return cache_probe(table, bits, key, STYLE_AUTO, false);
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
    memset(text + len, 0, 2 * KEY_PAD);
    *k = (KeyText){key, (uint32_t)p->pool.len, (uint16_t)len, (uint16_t)style};
    p->pool.len += len;
    /* The copy last, as a tail call: nothing is live after it (~800 texts a chart). */
    memcpy(text, b->data + start, len);
}

/* A key through the key cache, whose slot for it (cache_find_auto) is `k`. */
static void put_key(TemplatePrinter *p, StrBuf *b, const char *key, KeyText *k)
{
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
    KeyText *k = cache_find(p->literals, KEY_BITS, s, style);
    if (k->key == s && k->style == (unsigned)style) {
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
    case IR_BOOL:
        if (n->u.b)
            PUT(b, "true");
        else
            PUT(b, "false");
        break;
    case IR_NULL:
    case IR_MAP:
    case IR_SEQ:
    case IR_REF:
    case IR_EXPR:
    case IR_INDEX: PUT(b, "null"); break;
    }
    put_c(b, '\n');
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
        tp_print_map(p, b, subtree, 0);
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

const char *tp_define_yaml(TemplatePrinter *p, const IrNode *subtree)
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

/* memmove(to, from, n) for to + 32 <= from, 32 bytes per step: each step reads its bytes before
 * writing below them. glibc's memmove of ~20 KB is `rep movsb`, as fast but counted by callgrind
 * (how the build's cost is measured, bench/README.md) as one instruction per byte. */
static void move_down(char *to, const char *from, size_t n)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        memcpy(to + i, from + i, 32);
    memmove(to + i, from + i, n - i);
}

/* A `|` block concatenated from literal text and the release name (the dashboard JSON): printed
 * as a block with the actions inline, so the template reads like the manifest. Only when no
 * literal part holds "{{" (Helm would execute it) and every other part is the release name. */
static bool put_literal_concat(TemplatePrinter *p, StrBuf *b, const IrNode *n, int indent)
{
    if (p->in_define || n->style != STYLE_LITERAL || n->op != EXPR_CONCAT)
        return false;
    for (const IrNode *x = n->u.expr.args; x; x = x->next) {
        bool text = x->kind == IR_STR && !strstr(x->u.str, "{{");
        bool name = x->kind == IR_EXPR && x->op == EXPR_RELEASE_NAME;
        if (!text && !name)
            return false;
    }
    /* The block's text (~20 KB for the dashboard) is assembled in `b` itself, past the template
     * printed so far, its block written after it, and the block moved down over it: the chart's
     * text buffer is reused by larger files (values.schema.json), so these pages are written
     * anyway, where a buffer of its own was ~5 more pages first touched. */
    size_t start = b->len;
    for (const IrNode *x = n->u.expr.args; x; x = x->next) {
        if (x->kind == IR_STR) {
            put_str(b, x->u.str);
            continue;
        }
        PUT(b, "{{ ");
        tp_pipeline(p, b, x);
        PUT(b, " }}");
    }
    size_t len = b->len - start;
    text_of(b);
    /* The block goes to the free end of b's memory after the text's NUL, as a StrBuf of its own:
     * `text` must not move while it is read, and growing `block` copies it elsewhere (arena_grow)
     * rather than move b's data. */
    const char *text = b->data + start;
    StrBuf block = {.arena = p->a, .data = b->data + b->len + 1, .len = 0, .cap = b->cap - b->len - 1};
    bool ok = yaml_scalar_append_indented(&block, text, len, STYLE_LITERAL, indent);
    if (!ok) /* non-ASCII, "|+": libyaml's text, indented for column 0 (copied out of b first) */
        text = yaml_scalar_text(p->a, arena_strndup(p->a, text, len), len, STYLE_LITERAL);
    b->len = start;
    if (ok) {
        /* Still inside b's room when it did not grow (a move down by at least len + 1 bytes),
         * else elsewhere (a copy). */
        char *to = room(b, block.len + 1);
        if (to + 32 <= block.data)
            move_down(to, block.data, block.len);
        else
            memmove(to, block.data, block.len);
        b->len += block.len;
        put_c(b, '\n');
    } else {
        put_scalar(b, text, indent);
    }
    return true;
}

/* {{ $.Values.<path> }} (quoted when text) and the newline: a third of the values put_value
 * does not find cached, sent here directly rather than through put_value_slow's frame. */
__attribute__((noinline)) static void put_ref_value(StrBuf *b, const Knob *k)
{
    if (knob_is_text(k))
        wrapped_ref(b, WRAP("{{ "), k, WRAP(" | quote }}\n"));
    else
        wrapped_ref(b, WRAP("{{ "), k, WRAP(" }}\n"));
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
    case IR_REF: put_ref_value(b, n->u.ref); return; /* not reached: put_value calls it */
    case IR_INDEX: PUT(b, "{{ $i }}\n"); return;
    case IR_MAP:
    case IR_SEQ: PUT(b, "null\n"); return;
    case IR_EXPR: break;
    }
    /* The release's namespace and name are more than half of the expressions a chart prints:
     * their lines are constants (tp_pipeline's text, quoted). */
    if (n->op == EXPR_NAMESPACE) {
        PUT(b, "{{ $.Release.Namespace | quote }}\n");
        return;
    }
    if (n->op == EXPR_RELEASE_NAME && !n->u.expr.args) {
        PUT(b, "{{ $.Release.Name | quote }}\n");
        return;
    }
    if (put_literal_concat(p, b, n, indent))
        return;
    if (n->op == EXPR_JOIN) {
        tp_join(p, b, n);
    } else {
        PUT(b, "{{ ");
        tp_pipeline(p, b, n);
        PUT(b, " | quote }}");
    }
    put_c(b, '\n');
}

/* The cached text of string literal `n` (as a mapping value or an item) when it is short, as
 * nearly every literal printed before is; else NULL. */
static inline const KeyText *short_literal(TemplatePrinter *p, const IrNode *n)
{
    if (n->kind != IR_STR)
        return NULL;
    DataStyle style = p->in_define ? STYLE_QUOTED : n->style;
    const KeyText *k = cache_find(p->literals, KEY_BITS, n->u.str, style);
    return k->key == n->u.str && k->style == (unsigned)style && k->len <= 2 * KEY_PAD ? k : NULL;
}

/* A short_literal's text and the newline at `at` (room for 2 * KEY_PAD + 1 bytes); the length. */
static inline size_t put_short_literal(char *at, const TemplatePrinter *p, const KeyText *v)
{
    copy_short(at, p, v);
    at[v->len] = '\n';
    return v->len + 1u;
}

/* The text after "key: " (or "- ") for a scalar-valued node, and the newline. The common case,
 * a short string literal printed before, is one table probe and one copy. Always inlined: link-
 * time optimisation kept it a call (~1700 a chart), whose frame and moves were a third of it. */
__attribute__((always_inline)) static inline void put_value(TemplatePrinter *p, StrBuf *b, const IrNode *n, int indent)
{
    const KeyText *v = short_literal(p, n);
    if (v) {
        b->len += put_short_literal(room(b, 2 * KEY_PAD + 1), p, v);
        return;
    }
    if (n->kind == IR_REF)
        put_ref_value(b, n->u.ref);
    else
        put_value_slow(p, b, n, indent);
}

/* ---- blocks ------------------------------------------------------------------------------- */

static bool is_repeat(const IrNode *n)
{
    return n->kind == IR_EXPR && n->op == EXPR_REPEAT;
}

static bool is_list_ref(const IrNode *n)
{
    return n->kind == IR_REF && (n->u.ref->type == KNOB_STRING_LIST || n->u.ref->type == KNOB_OBJECT_LIST);
}

/* A condition's line, as the condition cache holds it (tp_cached_cond takes the condition out). */
#define IF_OPEN "{{- if "
#define IF_CLOSE " }}\n"

/* put_if for a condition not cached: printed, then cached in slot `k`. */
__attribute__((noinline)) static void put_if_new(TemplatePrinter *p, StrBuf *b, const IrCond *when, int indent,
                                                 KeyText *k)
{
    put_indent(b, indent);
    size_t start = b->len;
    PUT(b, IF_OPEN);
    tp_cond(p, b, when);
    PUT(b, IF_CLOSE);
    cache_text(p, b, start, k, when, STYLE_AUTO);
}

bool tp_cached_cond(TemplatePrinter *p, StrBuf *b, const IrCond *cond)
{
    const KeyText *k = cache_find_auto(p->conds, COND_BITS, cond);
    if (k->key != cond)
        return false;
    put(b, p->pool.data + k->off + sizeof IF_OPEN - 1, k->len - (sizeof IF_OPEN - 1) - (sizeof IF_CLOSE - 1));
    return true;
}

/* "{{- if COND }}" and the newline at `indent`, through the condition cache. A cached line (most
 * of them, ~40-120 bytes) takes one room check, the spaces, and the copy as a tail call. */
static void put_if(TemplatePrinter *p, StrBuf *b, const IrCond *when, int indent)
{
    KeyText *k = cache_find_auto(p->conds, COND_BITS, when);
    if (k->key != when || indent < 0) {
        put_if_new(p, b, when, indent, k);
        return;
    }
    size_t ind = (size_t)indent, len = k->len;
    char *at = room(b, ind + INDENT_ROOM + len);
    put_spaces(at, ind);
    b->len += ind + len;
    memcpy(at + ind, p->pool.data + k->off, len);
}

/* Inline: most entries have no condition. */
static inline void open_when(TemplatePrinter *p, StrBuf *b, const IrCond *when, int indent)
{
    if (when)
        put_if(p, b, when, indent);
}

__attribute__((always_inline)) static inline void close_when(StrBuf *b, const IrCond *when, int indent)
{
    if (!when)
        return;
    if (indent < 0)
        indent = 0; /* as put_indent */
    /* One room check for the line: the spaces, then the text as one 16-byte copy (11 bytes and
     * the terminator's padding), the excess overwritten by what follows. */
    size_t ind = (size_t)indent;
    char *at = room(b, ind + INDENT_ROOM + 16);
    put_spaces(at, ind);
    memcpy(at + ind, "{{- end }}\n\0\0\0\0", 16);
    b->len += ind + sizeof "{{- end }}\n" - 1;
}

static void print_repeat(TemplatePrinter *p, StrBuf *b, const IrNode *rep, int indent);

/* key_line_n for a key not cached (or long), whose slot is `k`: kept out of line, so that the
 * common case below stays small (no registers to save). */
__attribute__((noinline)) static void key_line_slow(TemplatePrinter *p, StrBuf *b, const char *key, int indent,
                                                    const char *tail, size_t n, KeyText *k)
{
    put_indent(b, indent);
    put_key(p, b, key, k);
    put(b, tail, n);
}

/* `indent` spaces, the key as libyaml writes it, then `tail` (":\n", ": {}\n", ...): n <= 8
 * bytes followed by padding up to 8 readable bytes (key_line adds it). */
__attribute__((always_inline)) static inline void key_line_n(TemplatePrinter *p, StrBuf *b, const char *key, int indent, const char *tail,
                              size_t n)
{
    KeyText *k = cache_find_auto(p->keys, KEY_BITS, key);
    if (k->key != key || k->len > 2 * KEY_PAD || indent < 0) {
        key_line_slow(p, b, key, indent, tail, n, k);
        return;
    }
    /* A short key printed before (nearly every line): one room check for the whole line start,
     * the spaces (put_spaces), the key as one or two 16-byte copies, the tail as one 8-byte copy,
     * each excess overwritten by what follows. */
    size_t ind = (size_t)indent;
    char *at = room(b, ind + INDENT_ROOM + 2 * KEY_PAD + 8);
    put_spaces(at, ind);
    copy_short(at + ind, p, k);
    memcpy(at + ind + k->len, tail, 8);
    b->len += ind + k->len + n;
}
#define key_line(p, b, key, indent, tail)                                                                  \
    key_line_n((p), (b), (key), (indent), "" tail "\0\0\0\0\0\0\0\0", sizeof(tail) - 1)

/* "key:" followed by the value's block, or "key: value". Inlined in both map printers (one copy
 * each): a call per entry was ~15 instructions of its ~100. */
__attribute__((always_inline)) static inline void print_entry(TemplatePrinter *p, StrBuf *b, const IrNode *e, int indent)
{
    const char *key = ir_node_key(e);
    if (e->kind == IR_STR) { /* half of all entries: the last branch below, without its tests */
        key_line(p, b, key, indent, ": ");
        put_value(p, b, e, indent);
    } else if (e->kind == IR_MAP) {
        if (!e->u.kids.first) {
            key_line(p, b, key, indent, ": {}\n");
            return;
        }
        key_line(p, b, key, indent, ":\n");
        print_map(p, b, e, indent + 2);
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
        tp_pipeline(p, b, e->u.expr.args);
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
    } else if (e->kind == IR_EXPR && e->op == EXPR_YAML) {
        key_line(p, b, key, indent, ": |\n");
        put_indent(b, indent + 2);
        PUT(b, "{{- ");
        tp_pipeline(p, b, e);
        PUT(b, " | nindent ");
        strbuf_add_int(b, indent + 2);
        PUT(b, " }}\n");
    } else {
        key_line(p, b, key, indent, ": ");
        put_value(p, b, e, indent);
    }
}

static void print_map(TemplatePrinter *p, StrBuf *b, const IrNode *map, int indent)
{
    for (const IrNode *e = map->u.kids.first; e; e = e->next) {
        open_when(p, b, ir_node_when(e), indent);
        print_entry(p, b, e, indent);
        close_when(b, ir_node_when(e), indent);
    }
}

/* Where a map sits on the way to an object's metadata.labels, where the chart adds Helm's label. */
typedef enum Hook { HOOK_ROOT, HOOK_METADATA, HOOK_LABELS } Hook;

/* print_map for an object's root map, its metadata and metadata.labels: the other maps (nearly
 * all) are printed without looking for these keys. */
static void print_hooked_map(TemplatePrinter *p, StrBuf *b, const IrNode *map, int indent, Hook hook)
{
    const char *next = hook == HOOK_ROOT ? "metadata" : hook == HOOK_METADATA ? "labels" : NULL;
    for (const IrNode *e = map->u.kids.first; e; e = e->next) {
        const IrCond *when = ir_node_when(e);
        open_when(p, b, when, indent);
        /* The first bytes compared before the call: most keys here (apiVersion, kind, spec,
         * name, ...) differ there. */
        const char *key = ir_node_key(e);
        if (next && e->kind == IR_MAP && e->u.kids.first && key[0] == next[0] && strcmp(key, next) == 0) {
            key_line(p, b, key, indent, ":\n");
            print_hooked_map(p, b, e, indent + 2, (Hook)(hook + 1));
        } else {
            print_entry(p, b, e, indent);
        }
        close_when(b, when, indent);
    }
    if (hook == HOOK_LABELS) { /* metadata.labels of an object: the chart adds Helm's own label */
        put_indent(b, indent);
        put(b, p->chart_label, p->chart_label_len);
    }
}

/* One sequence item at `indent` ("- " at that column). */
static void print_item(TemplatePrinter *p, StrBuf *b, const IrNode *item, int indent)
{
    if (item->kind == IR_MAP && item->u.kids.first) {
        if (item->u.kids.first->has_when) {
            put_indent(b, indent);
            PUT(b, "-\n");
            print_map(p, b, item, indent + 2);
        } else {
            /* The map's first line starts with indent + 2 spaces (no condition before it): its
             * last two become the "- " of the item, in place. */
            size_t at = b->len + (size_t)indent;
            print_map(p, b, item, indent + 2);
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
    tp_pipeline(p, b, count);
    PUT(b, ") }}\n");
    print_item(p, b, body, indent);
    put_indent(b, indent);
    PUT(b, "{{- end }}\n");
}

static void print_items(TemplatePrinter *p, StrBuf *b, const IrNode *seq, int indent)
{
    for (const IrNode *item = seq->u.kids.first; item; item = item->next) {
        open_when(p, b, ir_node_when(item), indent);
        if (is_repeat(item))
            print_repeat(p, b, item, indent);
        else
            print_item(p, b, item, indent);
        close_when(b, ir_node_when(item), indent);
    }
}

void tp_print_map(TemplatePrinter *p, StrBuf *b, const IrNode *map, int indent)
{
    print_map(p, b, map, indent);
}

void template_object_to(TemplatePrinter *p, const IrObject *obj, StrBuf *b)
{
    open_when(p, b, obj->when, 0);
    print_hooked_map(p, b, obj->root, 0, HOOK_ROOT);
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
