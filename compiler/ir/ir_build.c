/* ir_build.c - constructors for the IR (clusters, knobs, objects, nodes, conditions), used by
 * lower/ while it turns the checked model into Kubernetes objects. Pure arena allocation; the
 * evaluator lives in ir_eval.c. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "ir/ir.h"

/* Knob lookup by path is hashed (uthash): lowering, checking and the chart look knobs up by path
 * hundreds of times, and a linear scan over ~340 knobs was ~10% of a build. uthash allocates
 * from the compilation's arena (`uthash_arena`, a local at each use); the arena frees it all. */
#define uthash_malloc(sz) arena_alloc(uthash_arena, (sz))
#define uthash_free(ptr, sz) ((void)(ptr), (void)(sz))
#include <uthash.h>

/* Each Knob is allocated inside its hash entry; IrCluster.knob_index is the table's head. */
typedef struct KnobEntry {
    Knob knob;
    UT_hash_handle hh;
} KnobEntry;

IrCluster *ir_cluster_new(Arena *a, const char *name, const char *namespace_name)
{
    IrCluster *c = ARENA_NEW(a, IrCluster);
    c->name = arena_strdup(a, name);
    c->namespace_name = arena_strdup(a, namespace_name ? namespace_name : name);
    c->span = SPAN_NONE;
    return c;
}

Knob *ir_knob(Arena *a, IrCluster *c, const char *path, KnobType type, Data *default_value,
              const char *description)
{
    KnobEntry *e = ARENA_NEW(a, KnobEntry);
    Knob *k = &e->knob;
    k->path = arena_strdup(a, path);
    k->type = type;
    k->default_value = default_value ? default_value : data_null(a);
    k->description = description ? arena_strdup(a, description) : "";
    k->min = INT64_MIN;
    k->max = INT64_MAX;
    /* A path registered twice keeps finding its first knob, as the linear scan did. */
    if (!ir_find_knob(c, k->path)) {
        Arena *uthash_arena = a;
        HASH_ADD_KEYPTR(hh, c->knob_index, k->path, strlen(k->path), e);
    }
    if (c->knobs_tail)
        c->knobs_tail->next = k;
    else
        c->knobs = k;
    c->knobs_tail = k;
    return k;
}

const Knob *ir_find_knob(const IrCluster *c, const char *path)
{
    KnobEntry *e = NULL;
    HASH_FIND_STR(c->knob_index, path, e);
    return e ? &e->knob : NULL;
}

IrObject *ir_object(Arena *a, IrCluster *c, const char *path, const char *component,
                    const char *api_version, const char *kind, const char *name, const IrCond *when)
{
    IrObject *o = ARENA_NEW(a, IrObject);
    o->path = arena_strdup(a, path);
    o->component = component ? arena_strdup(a, component) : "";
    o->api_version = arena_strdup(a, api_version);
    o->kind = arena_strdup(a, kind);
    o->name = arena_strdup(a, name);
    o->when = when;
    o->root = ir_map(a);
    if (c->objects_tail)
        c->objects_tail->next = o;
    else
        c->objects = o;
    c->objects_tail = o;
    return o;
}

static IrNode *node_new(Arena *a, IrKind kind)
{
    IrNode *n = ARENA_NEW(a, IrNode);
    n->kind = kind;
    return n;
}

IrNode *ir_map(Arena *a) { return node_new(a, IR_MAP); }
IrNode *ir_seq(Arena *a) { return node_new(a, IR_SEQ); }
IrNode *ir_index(Arena *a) { return node_new(a, IR_INDEX); }

IrNode *ir_str(Arena *a, const char *s)
{
    IrNode *n = node_new(a, IR_STR);
    n->u.str = arena_strdup(a, s);
    return n;
}

IrNode *ir_int(Arena *a, int64_t i)
{
    IrNode *n = node_new(a, IR_INT);
    n->u.i = i;
    return n;
}

IrNode *ir_bool(Arena *a, bool b)
{
    IrNode *n = node_new(a, IR_BOOL);
    n->u.b = b;
    return n;
}

IrNode *ir_ref(Arena *a, const Knob *k)
{
    IrNode *n = node_new(a, IR_REF);
    n->u.ref = k;
    return n;
}

IrNode *ir_expr(Arena *a, IrExprOp op, IrNode *args)
{
    IrNode *n = node_new(a, IR_EXPR);
    n->u.expr.op = op;
    n->u.expr.args = args;
    return n;
}

IrNode *ir_chain(IrNode *first, ...)
{
    va_list ap;
    va_start(ap, first);
    IrNode *prev = first;
    for (IrNode *n = va_arg(ap, IrNode *); n; n = va_arg(ap, IrNode *)) {
        if (prev)
            prev->next = n;
        prev = n;
    }
    va_end(ap);
    return first;
}

static void kids_append(IrNode *parent, IrNode *value)
{
    value->next = NULL;
    if (parent->u.kids.last)
        parent->u.kids.last->next = value;
    else
        parent->u.kids.first = value;
    parent->u.kids.last = value;
}

IrNode *ir_put(Arena *a, IrNode *map, const char *key, IrNode *value)
{
    value->key = arena_strdup(a, key);
    kids_append(map, value);
    return value;
}

IrNode *ir_push(IrNode *seq, IrNode *value)
{
    kids_append(seq, value);
    return value;
}

IrNode *ir_when(IrNode *node, const IrCond *cond)
{
    node->when = cond;
    return node;
}

static IrCond *cond_new(Arena *a, IrCondOp op)
{
    IrCond *c = ARENA_NEW(a, IrCond);
    c->op = op;
    return c;
}

const IrCond *ir_cond_knob(Arena *a, const Knob *k)
{
    IrCond *c = cond_new(a, COND_TRUE_KNOB);
    c->knob = k;
    return c;
}

const IrCond *ir_cond_not(Arena *a, const IrCond *x)
{
    IrCond *c = cond_new(a, COND_NOT);
    c->a = x;
    return c;
}

const IrCond *ir_cond_and(Arena *a, const IrCond *x, const IrCond *y)
{
    IrCond *c = cond_new(a, COND_AND);
    c->a = x;
    c->b = y;
    return c;
}

const IrCond *ir_cond_or(Arena *a, const IrCond *x, const IrCond *y)
{
    IrCond *c = cond_new(a, COND_OR);
    c->a = x;
    c->b = y;
    return c;
}

const IrCond *ir_cond_eq(Arena *a, const Knob *k, const char *literal)
{
    IrCond *c = cond_new(a, COND_EQ);
    c->knob = k;
    c->literal = arena_strdup(a, literal);
    return c;
}
