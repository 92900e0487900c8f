/* ir_shape.c - the "shape" of a cluster's IR: everything its Helm chart's templates, helpers,
 * schema and Chart.yaml are printed from, and nothing they are not. Two clusters of the same
 * shape differ only in knob defaults (values), their name and their namespace - which the chart
 * reads from values, .Release.Name and .Release.Namespace - so one chart serves both
 * (emit/chart_shapes.c). A hash finds candidates fast; ir_same_shape decides exactly.
 * IrObject.name is left out: the chart never prints it (metadata.name is part of the tree), and
 * the Namespace object's is the namespace, which the chart takes from .Release.Namespace. */
#include <stddef.h>
#include <string.h>

#include "ir/ir.h"

typedef struct Hasher {
    uint64_t h;
} Hasher;

/* The hash only buckets candidates for ir_same_shape, which decides; so it reads what tells
 * shapes apart cheaply (kinds, structure, first bytes of strings, knob paths by their
 * precomputed hash; whole strings only for knobs and objects) rather than every byte: a
 * whole-text FNV over a cluster's IR cost more than the comparison it saves. Values depend on
 * the host's byte order; they are never stored. */
static inline void mix_int(Hasher *s, int64_t v)
{
    uint64_t h = (s->h ^ (uint64_t)v) * 0x9e3779b97f4a7c15ULL;
    s->h = h ^ (h >> 29);
}

static void mix_str(Hasher *s, const char *str)
{
    if (!str) {
        mix_int(s, -1);
        return;
    }
    size_t n = strlen(str);
    uint64_t head = 0;
    if (n >= 8)
        memcpy(&head, str, 8);
    else
        for (size_t i = 0; i < n; i++)
            head = (head << 8) | (unsigned char)str[i];
    mix_int(s, (int64_t)(head ^ n));
}

static inline void mix_knob_ref(Hasher *s, const Knob *k) { mix_int(s, k ? (int64_t)k->path_hash : -4); }

/* The next condition of an AND/OR chain (b); NULL for the others, whose operands overlap b's
 * place (ir.h). Chains are walked in a loop, `a` sides recursively. */
static inline const IrCond *cond_rest(const IrCond *c)
{
    return c->op == COND_AND || c->op == COND_OR ? c->b : NULL;
}

static void mix_cond(Hasher *s, const IrCond *c)
{
    for (; c; c = cond_rest(c)) {
        mix_int(s, c->op);
        if (c->op == COND_TRUE_KNOB || c->op == COND_EQ) {
            mix_knob_ref(s, c->knob);
            if (c->op == COND_EQ)
                mix_str(s, c->literal);
        } else {
            mix_cond(s, c->a);
        }
    }
    mix_int(s, -2);
}

/* First byte of a key or string, 0 for none: inside the objects the tree's structure and its
 * knob references tell shapes apart; whole strings would cost a strlen per node. */
static inline int64_t head(const char *str) { return str ? (unsigned char)str[0] + 1 : 0; }

static void mix_node(Hasher *s, const IrNode *n)
{
    for (; n; n = n->next) {
        /* kind, style, whether there is a condition, first bytes of key and string: one mix */
        mix_int(s, (int64_t)n->kind | (int64_t)n->style << 8 | (int64_t)n->has_when << 16 |
                       head(ir_node_key(n)) << 24 | (n->kind == IR_STR ? head(n->u.str) : 0) << 40);
        if (n->has_when)
            mix_cond(s, n->keyed.kw->when);
        switch (n->kind) {
        case IR_MAP:
        case IR_SEQ: mix_node(s, n->u.kids.first); break;
        case IR_INT: mix_int(s, n->u.i); break;
        case IR_BOOL: mix_int(s, n->u.b); break;
        case IR_REF: mix_knob_ref(s, n->u.ref); break;
        case IR_EXPR:
            mix_int(s, n->op);
            mix_node(s, n->u.expr.args);
            break;
        case IR_STR:
        case IR_NULL:
        case IR_INDEX: break;
        }
    }
    mix_int(s, -3); /* end of a sibling list: keeps siblings and children apart */
}

static void mix_knob(Hasher *s, const Knob *k)
{
    mix_knob_ref(s, k);
    mix_int(s, k->type | (int64_t)k->nullable << 8 | (int64_t)k->must_be_odd << 9);
    mix_str(s, k->description);
    mix_int(s, k->min);
    mix_int(s, k->max);
    for (const char *const *c = k->choices; c && *c; c++)
        mix_str(s, *c);
    mix_str(s, k->required_when);
    mix_str(s, k->not_above);
}

uint64_t ir_shape_hash(const IrCluster *c)
{
    Hasher s = {0x243f6a8885a308d3ULL};
    mix_str(&s, c->chart_version);
    mix_str(&s, c->app_version);
    mix_str(&s, c->kube_version);
    for (const Knob *k = c->knobs; k; k = k->next)
        mix_knob(&s, k);
    for (const IrObject *o = c->objects; o; o = o->next) {
        mix_str(&s, o->path);
        mix_str(&s, o->component);
        mix_str(&s, o->api_version);
        mix_str(&s, o->kind);
        mix_cond(&s, o->when);
        mix_knob_ref(&s, o->manual_switch);
        mix_node(&s, o->root);
    }
    return s.h;
}

/* ---- exact comparison -------------------------------------------------------------------------
 * Pointers first: literals (keys, most strings) have one address in every cluster's IR (ir_str,
 * ir_put keep them), so strcmp runs only on strings built per cluster. */

static inline bool same_str(const char *x, const char *y) { return x == y || (x && y && !strcmp(x, y)); }

/* Knobs referenced from two clusters' IR. ir_same_shape compares the knob lists first, so from
 * then on the same ordinal (place in registration order) means the same path: an integer
 * compare instead of a strcmp per reference. This relies on a cluster's IR referencing only its
 * own knobs, which lowering guarantees (it finds them by path in the cluster it builds). A
 * different ordinal still compares the paths: a path registered twice is the same knob. */
static inline bool same_knob_ref(const Knob *x, const Knob *y)
{
    if (x == y)
        return true;
    if (!x || !y)
        return false;
    return (x->ordinal != 0 && x->ordinal == y->ordinal) || strcmp(x->path, y->path) == 0;
}

/* ir_same_shape's state: the condition pairs found equal so far. Lowering hands one condition
 * to many nodes (an object's switch to its parts, a knob's test to every place it guards), so
 * the same pair comes back again and again; a direct-mapped memo answers a repeat with one
 * probe instead of a walk. Only equal pairs are kept: a difference ends the comparison. */
enum { COND_MEMO = 256 };

typedef struct ShapeCmp {
    const IrCond *x[COND_MEMO], *y[COND_MEMO];
} ShapeCmp;

/* By x alone (x is compared with one y only): conditions are 32-byte blocks of the arena, so
 * address bits from the sixth up tell neighbours apart without a multiply. 256 slots (4 KB of
 * stack): 512 compared no fewer instructions and cost a page fault more in a fleet. */
static inline unsigned memo_slot(const IrCond *x) { return (unsigned)((uintptr_t)x >> 5) & (COND_MEMO - 1); }

static bool same_cond_walk(ShapeCmp *cmp, const IrCond *x, const IrCond *y);

/* Identity, absence and the memo inline: most calls end there. */
static inline bool same_cond(ShapeCmp *cmp, const IrCond *x, const IrCond *y)
{
    if (x == y)
        return true;
    if (!x || !y)
        return false;
    unsigned slot = memo_slot(x);
    return (cmp->x[slot] == x && cmp->y[slot] == y) || same_cond_walk(cmp, x, y);
}

/* Recurses on `a` only when the two differ by address (leaves have none), loops on `b`. */
static bool same_cond_walk(ShapeCmp *cmp, const IrCond *x, const IrCond *y)
{
    const IrCond *x0 = x, *y0 = y;
    for (; x != y; x = cond_rest(x), y = cond_rest(y)) {
        if (!x || !y || x->op != y->op)
            return false;
        if (x->op == COND_TRUE_KNOB || x->op == COND_EQ) {
            if (!same_knob_ref(x->knob, y->knob) || (x->op == COND_EQ && !same_str(x->literal, y->literal)))
                return false;
        } else if (x->a != y->a && !same_cond(cmp, x->a, y->a)) {
            return false;
        }
    }
    unsigned slot = memo_slot(x0);
    cmp->x[slot] = x0;
    cmp->y[slot] = y0;
    return true;
}

/* A node's kind, style, operator and whether it has a condition (ir_when keeps has_when true only
 * with a condition), its first 8 bytes with zero padding, as one integer: one compare for all. */
_Static_assert(offsetof(IrNode, unused) == 4 && offsetof(IrNode, keyed) == sizeof(uint64_t),
               "IrNode starts with kind, style, op, has_when and 4 zero bytes");
static inline uint64_t kind_style(const IrNode *n)
{
    uint64_t v;
    memcpy(&v, n, sizeof v);
    return v;
}

/* The keys and conditions of two nodes of equal kind_style (so both have a condition or neither)
 * whose `keyed` differ: two key pointers, or two IrKeyWhen records (one per node, never equal). */
static bool same_keyed(ShapeCmp *cmp, const IrNode *x, const IrNode *y)
{
    if (!x->has_when)
        return same_str(x->keyed.key, y->keyed.key);
    const IrKeyWhen *a = x->keyed.kw, *b = y->keyed.kw;
    return same_str(a->key, b->key) && (a->when == b->when || same_cond(cmp, a->when, b->when));
}

/* Sibling lists left to compare: same_node enters a map's or sequence's kids and an expression's
 * arguments in place (a call per list cost ~20% of the walk) and keeps here where the parent's
 * list goes on, unless it ends there. The IR is ~12 levels deep; a deeper list recurses. */
enum { NODE_STACK = 32 };

/* The kinds in the order of their frequency (strings, maps, references, expressions, sequences):
 * a chain of tests that ends early for most nodes, cheaper here than the switch's table jump. */
static bool same_node(ShapeCmp *cmp, const IrNode *x, const IrNode *y)
{
    const IrNode *stack_x[NODE_STACK], *stack_y[NODE_STACK];
    int depth = 0;
    for (;;) {
        if (!x) { /* end of a list: on with the parent's, if any */
            if (y)
                return false;
            if (depth == 0)
                return true;
            depth--;
            x = stack_x[depth];
            y = stack_y[depth];
            continue;
        }
        if (!y)
            return false;
        if (kind_style(x) != kind_style(y) || (x->keyed.key != y->keyed.key && !same_keyed(cmp, x, y)))
            return false;
        IrKind kind = x->kind;
        const IrNode *kids_x, *kids_y;
        if (kind == IR_STR) {
            if (x->u.str != y->u.str && !same_str(x->u.str, y->u.str))
                return false;
            goto next;
        } else if (kind == IR_MAP || kind == IR_SEQ) {
            kids_x = x->u.kids.first;
            kids_y = y->u.kids.first;
        } else if (kind == IR_REF) {
            if (!same_knob_ref(x->u.ref, y->u.ref))
                return false;
            goto next;
        } else if (kind == IR_EXPR) {
            if (x->op != y->op)
                return false;
            kids_x = x->u.expr.args;
            kids_y = y->u.expr.args;
        } else {
            if ((kind == IR_INT && x->u.i != y->u.i) || (kind == IR_BOOL && x->u.b != y->u.b))
                return false;
            goto next; /* IR_NULL, IR_INDEX: nothing more */
        }
        /* One list (lowering shares some across clusters, lower.h) or none: equal. */
        if (kids_x == kids_y)
            goto next;
        /* Into the kids; the siblings after x wait on the stack unless the lists end here. */
        if (!x->next != !y->next)
            return false;
        if (x->next) {
            if (depth == NODE_STACK) {
                if (!same_node(cmp, kids_x, kids_y))
                    return false;
                goto next;
            }
            stack_x[depth] = x->next;
            stack_y[depth] = y->next;
            depth++;
        }
        x = kids_x;
        y = kids_y;
        continue;
    next:
        x = x->next;
        y = y->next;
    }
}

/* An enum's choices are most often one static array, the same for every cluster. */
static bool same_choices(const char *const *x, const char *const *y)
{
    if (x == y)
        return true;
    for (; x && *x && y && *y; x++, y++)
        if (strcmp(*x, *y))
            return false;
    return !(x && *x) && !(y && *y);
}

static bool same_knob(const Knob *x, const Knob *y)
{
    return same_str(x->path, y->path) && x->type == y->type && same_str(x->description, y->description) &&
           x->nullable == y->nullable && x->min == y->min && x->max == y->max &&
           same_choices(x->choices, y->choices) && same_str(x->required_when, y->required_when) &&
           x->must_be_odd == y->must_be_odd && same_str(x->not_above, y->not_above);
}

static bool same_object(ShapeCmp *cmp, const IrObject *x, const IrObject *y)
{
    return same_str(x->path, y->path) && same_str(x->component, y->component) &&
           same_str(x->api_version, y->api_version) && same_str(x->kind, y->kind) &&
           same_cond(cmp, x->when, y->when) && same_knob_ref(x->manual_switch, y->manual_switch) &&
           same_node(cmp, x->root, y->root);
}

bool ir_same_shape(const IrCluster *x, const IrCluster *y)
{
    if (!same_str(x->chart_version, y->chart_version) || !same_str(x->app_version, y->app_version) ||
        !same_str(x->kube_version, y->kube_version))
        return false;
    const Knob *kx = x->knobs, *ky = y->knobs;
    for (; kx && ky; kx = kx->next, ky = ky->next)
        if (!same_knob(kx, ky))
            return false;
    if (kx || ky)
        return false;
    ShapeCmp cmp = {{0}, {0}};
    const IrObject *ox = x->objects, *oy = y->objects;
    for (; ox && oy; ox = ox->next, oy = oy->next)
        if (!same_object(&cmp, ox, oy))
            return false;
    return !ox && !oy;
}
