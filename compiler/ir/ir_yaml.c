/* ir_yaml.c - an IR object written straight to YAML text (ir_yaml.h): the walk of the object's
 * IR takes the steps the YAML writer (yaml_write.c) takes for the evaluated document - the same
 * state, indentation and scalar writers - while literal maps, sequences and strings are walked
 * in place instead of being evaluated into Data first; references and expressions are evaluated
 * (ir_eval.c) and written as the writer writes Data. Building the document was ~1/3 of the
 * manifests' instructions, and most of its nodes were only printed. */
#include "ir/ir_yaml.h"

#include <stdint.h>
#include <string.h>

#include "ir/ir_eval_impl.h"
#include "support/swar.h"
#include "yaml/yaml_emit.h"

/* A design-doc cluster writes ~130 distinct keys (~1460 in all) and ~250 literals, most of them
 * once. Memory costs here as much as instructions (a first-touched page is worth ~10 000 of
 * them): addresses and lengths apart (8 + 1 bytes a slot, not 16), the tables are 3.4 KB, and
 * the keys have 256 slots (with 128, ~6 000 more instructions of misses). */
enum { KEY_SET_BITS = 7, VALUE_SET_BITS = 6 };

/* IR texts written plain (their text is their bytes, at most 255 of them), by address, as the
 * chart's template printer caches IR text (emit/template_impl.h): an address stands for one
 * text as long as the IR lives. A hit is a multiply and a compare or two, where the byte caches
 * of the writer (yaml_emit.h) need the length (strlen) and a hash and compare of the text. Two
 * slots per set: with one slot per address, ~40 % of the keys shared theirs with another and
 * the two took turns, a miss each time (~260 misses for ~1460 keys). s[i] NULL: a free slot. */
#define TEXT_TABLE(set_bits)                \
    struct {                                \
        const char *s[2 << (set_bits)];     \
        uint8_t len[2 << (set_bits)];       \
    }
struct IrYamlCache {
    TEXT_TABLE(KEY_SET_BITS) keys;     /* apart: a key and a value are written differently */
    TEXT_TABLE(VALUE_SET_BITS) values;
    DataGetCache paths;                /* the knobs' first lookups in the cluster's values */
};

IrYamlCache *ir_yaml_cache_new(Arena *a)
{
    IrYamlCache *c = arena_alloc_raw(a, sizeof *c);
    memset(c, 0, sizeof *c);
    return c;
}

/* The first slot of the set of the address `t` (of 1 << bits sets). */
static inline size_t set_of(const char *t, int bits)
{
    return 2 * (size_t)(((uintptr_t)t * 0x9e3779b97f4a7c15u) >> (64 - bits));
}

/* The slot holding `t` in the set starting at i, or -1. */
static inline ptrdiff_t find(const char *const *s, size_t i, const char *t)
{
    return s[i] == t ? (ptrdiff_t)i : s[i + 1] == t ? (ptrdiff_t)i + 1 : -1;
}

/* Keeps `t` (n bytes) in the set's first slot; the text there goes to the second. */
static inline void keep(const char **s, uint8_t *len, size_t i, const char *t, size_t n)
{
    s[i + 1] = s[i];
    len[i + 1] = len[i];
    s[i] = t;
    len[i] = (uint8_t)n;
}

typedef struct Walk {
    Eval *ev;
    YamlW *w;
    IrYamlCache *cache;
} Walk;

/* A plain text: one room check and copy, then `after` (':' after a key, nothing after a value);
 * the writer's state after a plain scalar. */
static inline void put_plain(YamlW *w, const char *s, size_t len, bool space, char after)
{
    char *p = strbuf_reserve(w->b, len + 2, 256);
    *p = ' ';
    p += space;
    swar_copy_short(p, s, len);
    p += len;
    *p = after;
    p += after != 0;
    *p = '\0';
    w->b->len = (size_t)(p - w->b->data);
    w->whitespace = w->indention = false;
    w->column = 1 << 20;
}

/* An IR key at the start of its line, and its ':' (yaml_w_key). */
static inline bool put_key(Walk *k, const char *key)
{
    size_t i = set_of(key, KEY_SET_BITS);
    ptrdiff_t at = find(k->cache->keys.s, i, key);
    if (at >= 0) {
        put_plain(k->w, key, k->cache->keys.len[at], false, ':');
        return true;
    }
    size_t len = strlen(key);
    bool plain;
    if (!yaml_w_key(k->w, key, len, &plain))
        return false;
    if (plain && len <= UINT8_MAX)
        keep(k->cache->keys.s, k->cache->keys.len, i, key, len);
    return true;
}

/* An IR string literal as a value (yaml_w_string). */
static bool put_literal(Walk *k, const char *s, DataStyle style)
{
    YamlW *w = k->w;
    size_t i = set_of(s, VALUE_SET_BITS);
    ptrdiff_t at = style == STYLE_AUTO ? find(k->cache->values.s, i, s) : -1;
    if (at >= 0) {
        put_plain(w, s, k->cache->values.len[at], !w->whitespace, 0);
        return true;
    }
    size_t len = strlen(s), mark = w->b->len + !w->whitespace; /* where the text starts */
    if (!yaml_w_string(w, s, len, style))
        return false;
    /* As long as the string: plain (quotes add bytes; only STYLE_AUTO text can be plain). */
    if (style == STYLE_AUTO && len && len <= UINT8_MAX && w->b->len - mark == len)
        keep(k->cache->values.s, k->cache->values.len, i, s, len);
    return true;
}

static bool walk_value(Walk *k, const IrNode *n, bool mapping);

/* A literal map or sequence: write_mapping and write_sequence over its present children. The
 * indentation is raised when the first child is written (nothing is written before it, so the
 * writer's state is the one it would have for the collection), and with none it is "{}" / "[]"
 * as for an empty Data collection. */
static bool walk_collection(Walk *k, const IrNode *n, bool mapping)
{
    YamlW *w = k->w;
    bool map = n->kind == IR_MAP, opened = false;
    int saved = w->indent;
    for (const IrNode *kid = n->u.kids.first; kid; kid = kid->next) {
        const IrCond *when = ir_node_when(kid);
        if (when && !ir_cond_in(k->ev, when))
            continue;
        if (!opened) {
            opened = true;
            bool indentless = !map && mapping && !w->indention; /* a sequence as a map's value */
            w->indent = w->indent < 0 ? 0 : indentless ? w->indent : w->indent + 2;
        }
        yaml_w_indent(w);
        if (!map)
            yaml_w_indicator(w, "-", true, false, true);
        else if (!put_key(k, ir_node_key(kid) ? ir_node_key(kid) : ""))
            return false;
        /* A literal string (most children) here, without walk_value's frame. */
        if (kid->kind == IR_STR ? !put_literal(k, kid->u.str, kid->style) : !walk_value(k, kid, map))
            return false;
    }
    if (!opened)
        yaml_w_empty(w, map);
    w->indent = saved;
    return true;
}

/* A node as a value (`mapping`: of a map entry, else a sequence item), as eval() then
 * write_node would write it. */
static bool walk_value(Walk *k, const IrNode *n, bool mapping)
{
    switch (n->kind) {
    case IR_MAP:
    case IR_SEQ:
        return walk_collection(k, n, mapping);
    case IR_STR:
        return put_literal(k, n->u.str, n->style);
    case IR_REF: {
        /* A list or map knob: written from the values tree, not from a copy of it (the copy
         * eval makes keeps every key, string and style). A string: as eval's copy of it, with
         * the node's style if it has one. */
        const Data *v = ir_knob_in(k->ev, n->u.ref);
        if (v && (v->kind == DATA_MAP || v->kind == DATA_SEQ))
            return yaml_w_node(k->w, v, mapping);
        if (v && v->kind == DATA_STR)
            return yaml_w_string(k->w, v->u.str.s, v->u.str.len, n->style != STYLE_AUTO ? n->style : v->style);
        /* A number, boolean or null: as eval's copy of it, unless a text knob makes text of it
         * (eval makes that text). */
        if (v && (v->kind == DATA_NULL || !ir_knob_is_text(n->u.ref)))
            return yaml_w_node(k->w, v, mapping);
        break;
    }
    case IR_INT:
    case IR_BOOL:
    case IR_NULL: {
        /* What eval makes of them, on the stack instead of in the arena. */
        Data d = {.kind = n->kind == IR_INT ? DATA_INT : n->kind == IR_BOOL ? DATA_BOOL : DATA_NULL};
        if (n->kind == IR_INT)
            d.u.i = n->u.i;
        else if (n->kind == IR_BOOL)
            d.u.b = n->u.b;
        return yaml_w_node(k->w, &d, mapping);
    }
    case IR_EXPR:
        /* The namespace and the release name (~1 in 5 expressions): the cluster's own string,
         * written as a literal is (by its address), without evaluating a copy. */
        if (n->op == EXPR_NAMESPACE || n->op == EXPR_RELEASE_NAME) {
            const char *s = ir_cluster_name_in(k->ev, n);
            if (s)
                return put_literal(k, s, n->style);
        }
        break;
    case IR_INDEX:
        break;
    }
    const Data *d = ir_eval_in(k->ev, n);
    return d && yaml_w_node(k->w, d, mapping);
}

/* The first present child of a literal map with `key` (as data_get finds it in the document). */
static const IrNode *present_kid(Eval *ev, const IrNode *map, const char *key)
{
    for (const IrNode *kid = map->u.kids.first; kid; kid = kid->next) {
        const char *kkey = ir_node_key(kid);
        const IrCond *when = ir_node_when(kid);
        if ((!when || ir_cond_in(ev, when)) && strcmp(kkey ? kkey : "", key) == 0)
            return kid;
    }
    return NULL;
}

/* data_get(data_get(doc, "metadata"), "name") and "namespace" of the evaluated document: only
 * the nodes on the way are evaluated (the walk evaluated the document without failing), the
 * metadata's children in one pass for both. */
static void meta_fields(Eval *ev, const IrNode *root, IrYamlMeta *meta)
{
    *meta = (IrYamlMeta){NULL, NULL};
    const IrNode *md = root->kind == IR_MAP ? present_kid(ev, root, "metadata") : NULL;
    if (root->kind == IR_MAP && (!md || md->kind == IR_MAP)) {
        const IrNode *name = NULL, *ns = NULL;
        for (const IrNode *kid = md ? md->u.kids.first : NULL; kid && !(name && ns); kid = kid->next) {
            const char *key = ir_node_key(kid) ? ir_node_key(kid) : "";
            const IrCond *when = ir_node_when(kid);
            if (key[0] != 'n' || (when && !ir_cond_in(ev, when)))
                continue;
            if (!name && strcmp(key, "name") == 0)
                name = kid;
            else if (!ns && strcmp(key, "namespace") == 0)
                ns = kid;
        }
        meta->name = name ? ir_eval_in(ev, name) : NULL;
        meta->namespace_ = ns ? ir_eval_in(ev, ns) : NULL;
        return;
    }
    const Data *metadata = md ? ir_eval_in(ev, md) : data_get(ir_eval_in(ev, root), "metadata");
    meta->name = data_get(metadata, "name");
    meta->namespace_ = data_get(metadata, "namespace");
}

bool ir_yaml_object_direct(YamlOut *out, IrYamlCache *cache, Arena *a, const IrCluster *c, const IrObject *obj,
                           const Data *values, IrEvalMemo *memo, bool *present, IrYamlMeta *meta)
{
    Eval ev;
    *present = ir_eval_begin_written(&ev, a, c, obj, values, memo, &cache->paths);
    if (!*present)
        return true;
    if (!obj->root)
        return false;
    YamlW w;
    yaml_out_begin(out, &w);
    Walk k = {&ev, &w, cache};
    if (!walk_value(&k, obj->root, false))
        return false;
    yaml_out_end(out, &w);
    meta_fields(&ev, obj->root, meta);
    return true;
}
