/* ir_build.c - constructors for the IR (clusters, knobs, objects, nodes, conditions), used by
 * lower/ while it turns the checked model into Kubernetes objects, and the two ways lists are
 * shared between nodes (ir_map_sharing, ir_with_entry), with the bookkeeping that keeps an append
 * from reaching what is shared. Pure arena allocation; the evaluator lives in ir_eval.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"

/* Knob lookup by path is hashed: lowering, checking and the chart look knobs up by path hundreds
 * of times per cluster (a linear scan over ~340 knobs was ~10% of a build, uthash's Jenkins hash
 * and bucket chains still ~10% of `goversec check`). An open-addressing table of knob pointers,
 * power-of-two size kept under half full: a lookup is one hash of the path and almost always one
 * slot, the knob's own path_hash and one strcmp. A slot is the pointer alone (the hash is the
 * knob's): the table is half the memory it was with the hash beside it, and a probe that meets
 * another knob reads that knob's hash, one load more and rare at this load. IrCluster.knob_index
 * points at it (ir.h names the type `struct KnobEntry`); all of it lives in the compilation's
 * arena. */
typedef struct KnobEntry {
    const Knob **slots; /* NULL: empty */
    uint32_t mask, count;
} KnobTable;

enum { KNOB_TABLE_MIN = 512 }; /* a cluster registers ~190 knobs: one 4 KB table, never regrown */

/* The path is hashed 8 bytes at a time (paths are ~25 bytes; FNV-1a's byte loop was 2/3 of a
 * lookup). Folding the high half into the low half after each multiply makes every byte reach the
 * low bits the table indexes by. The value depends on the host's byte order, which only moves
 * slots: nothing iterates the table. */
uint32_t ir_path_hash(const char *s, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h = (uint64_t)n * k, w;
    const char *end = s + n;
    for (; end - s > 8; s += 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * k;
        h ^= h >> 32;
    }
    if (n >= 8) { /* the last 8 bytes, overlapping the previous word: no byte loop */
        memcpy(&w, end - 8, 8);
    } else {
        w = 0;
        for (; s < end; s++)
            w = (w << 8) | (unsigned char)*s;
    }
    h = (h ^ w) * k;
    h ^= h >> 29;
    return (uint32_t)h;
}

static const Knob **table_slot(const KnobTable *t, const char *path, uint32_t h)
{
    for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
        const Knob **s = &t->slots[i];
        /* The same address first: lowering registers and looks knobs up by the same literals. */
        if (!*s || ((*s)->path_hash == h && ((*s)->path == path || strcmp((*s)->path, path) == 0)))
            return s;
    }
}

static void table_grow(Arena *a, KnobTable *t)
{
    KnobTable old = *t;
    uint32_t size = old.slots ? (old.mask + 1) * 2 : KNOB_TABLE_MIN;
    t->slots = ARENA_ARRAY(a, const Knob *, size);
    t->mask = size - 1;
    for (uint32_t i = 0; old.slots && i <= old.mask; i++)
        if (old.slots[i])
            *table_slot(t, old.slots[i]->path, old.slots[i]->path_hash) = old.slots[i];
}

/* A path registered twice keeps finding its first knob, as the linear scan once did. */
static void table_add(Arena *a, IrCluster *c, Knob *k)
{
    if (!c->knob_index)
        c->knob_index = ARENA_NEW(a, KnobTable);
    KnobTable *t = c->knob_index;
    if (!t->slots || (t->count + 1) * 2 > t->mask + 1)
        table_grow(a, t);
    uint32_t h = ir_path_hash(k->path, strlen(k->path));
    k->path_hash = h;
    const Knob **s = table_slot(t, k->path, h);
    if (*s)
        return;
    *s = k;
    t->count++;
}

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
    Knob *k = ARENA_NEW(a, Knob);
    k->path = path;
    k->type = type;
    k->default_value = default_value ? default_value : data_null(a);
    k->description = description ? description : "";
    k->min = INT64_MIN;
    k->max = INT64_MAX;
    k->ordinal = ++c->nknobs;
    table_add(a, c, k);
    if (c->knobs_tail)
        c->knobs_tail->next = k;
    else
        c->knobs = k;
    c->knobs_tail = k;
    return k;
}

const Knob *ir_find_knob(const IrCluster *c, const char *path)
{
    const KnobTable *t = c->knob_index;
    return t ? *table_slot(t, path, ir_path_hash(path, strlen(path))) : NULL;
}

const Knob *ir_find_knob_n(const IrCluster *c, const char *path, size_t len)
{
    const KnobTable *t = c->knob_index;
    if (!t)
        return NULL;
    uint32_t h = ir_path_hash(path, len);
    for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
        const Knob *k = t->slots[i];
        if (!k || (k->path_hash == h && strncmp(k->path, path, len) == 0 && k->path[len] == '\0'))
            return k;
    }
}

IrObject *ir_object(Arena *a, IrCluster *c, const char *path, const char *component,
                    const char *api_version, const char *kind, const char *name, const IrCond *when)
{
    IrObject *o = ARENA_NEW(a, IrObject);
    o->path = path;
    o->component = component ? component : "";
    o->api_version = api_version;
    o->kind = kind;
    o->name = name;
    o->when = when;
    o->root = ir_map(a);
    if (c->objects_tail)
        c->objects_tail->next = o;
    else
        c->objects = o;
    c->objects_tail = o;
    return o;
}

_Static_assert(sizeof(IrNode) == 32, "IrNode: 32 bytes (see ir.h)");

/* A map or sequence is allocated with its last kid behind it, for ir_put's and ir_push's
 * appends: the 2 of 3 nodes that are not containers do without the field (a walk to the last
 * kid on each append cost more than the field saves), and readers see an IrNode. Every MAP and
 * SEQ node is made here (ir_map, ir_seq, ir_map_sharing), so an append may take any container
 * for one. A container whose kids are not its own (ir_map_sharing) has `last` NULL with kids
 * present: the append's test for an empty list sends it, and only it, to the slow path. */
typedef enum KidsState {
    KIDS_OWN,    /* appended to in place */
    KIDS_SHARED, /* another map's list (ir_map_sharing): ir_put copies it first */
    KIDS_FROZEN, /* a list that maps share, or a container inside one: never appended to */
} KidsState;

typedef struct IrContainer {
    IrNode node; /* first: an IrNode * to a container is a pointer to this */
    IrNode *last; /* NULL: empty, or the kids are not this container's own */
    uint32_t kids; /* KidsState */
} IrContainer;

_Static_assert(sizeof(IrContainer) == 48, "IrContainer: 48 bytes (the arena's 16-byte multiple)");

IrObject *ir_object_after(Arena *a, IrCluster *c, IrObject *prev, const char *path, const char *component,
                          const char *api_version, const char *kind, const char *name, const IrCond *when,
                          IrNode *root)
{
    IrObject *o = ARENA_NEW(a, IrObject);
    *o = (IrObject){path, component ? component : "", api_version, kind, name, when, NULL, root, prev->next};
    prev->next = o;
    if (c->objects_tail == prev)
        c->objects_tail = o;
    return o;
}

static IrNode *node_new(Arena *a, IrKind kind)
{
    IrNode *n = ARENA_NEW(a, IrNode);
    n->kind = (uint8_t)kind;
    return n;
}

static IrNode *container_new(Arena *a, IrKind kind)
{
    IrContainer *c = ARENA_NEW(a, IrContainer);
    c->node.kind = (uint8_t)kind;
    return &c->node;
}

IrNode *ir_map(Arena *a) { return container_new(a, IR_MAP); }
IrNode *ir_seq(Arena *a) { return container_new(a, IR_SEQ); }
IrNode *ir_index(Arena *a) { return node_new(a, IR_INDEX); }

/* The string is kept, not copied, like ir_put's key: every caller passes a literal, a model
 * string or one built in the compilation's arenas. A literal then has one address in every
 * cluster's IR, which the shape comparison and the chart printer's caches take as equality. */
IrNode *ir_str(Arena *a, const char *s)
{
    IrNode *n = node_new(a, IR_STR);
    n->u.str = s;
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
    n->op = (uint8_t)op;
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

/* A use of the sharing below that would change what others share: a bug in lowering. */
_Noreturn static void misuse(const char *what)
{
    fprintf(stderr, "goversec: internal error: %s\n", what);
    abort();
}

/* Appends to a container whose kids are its own. */
static void append_own(IrContainer *c, IrNode *value)
{
    value->next = NULL;
    if (c->last)
        c->last->next = value;
    else
        c->node.u.kids.first = value;
    c->last = value;
}

/* A copy of one node of a shared list (for a map that stops sharing it, or the entries before
 * the one ir_with_entry replaces): its own condition record (ir_when changes it in place), and
 * a container copy shares its kids in turn (copied on its first ir_put). */
static IrNode *copy_kid(Arena *a, const IrNode *k)
{
    IrNode *n;
    if (k->kind == IR_MAP || k->kind == IR_SEQ) {
        IrContainer *c = ARENA_NEW(a, IrContainer);
        *c = *(const IrContainer *)k;
        c->kids = k->u.kids.first ? KIDS_SHARED : KIDS_OWN;
        c->last = NULL;
        n = &c->node;
    } else {
        n = arena_alloc_raw(a, sizeof *n);
        *n = *k;
    }
    if (k->has_when) {
        IrKeyWhen *kw = arena_alloc_raw(a, sizeof *kw);
        *kw = *k->keyed.kw;
        n->keyed.kw = kw;
    }
    return n;
}

/* Out of line and cold: inlined into ir_put, its registers made every ir_put save and restore
 * six more (~15 instructions a call, ~3 000 calls per cluster) for the ~10 calls that copy. */
__attribute__((noinline, cold)) static void unshare(Arena *a, IrContainer *c)
{
    if (c->kids != KIDS_SHARED)
        misuse("appending to a list that IR maps share (ir_map_sharing, ir_with_entry)");
    const IrNode *k = c->node.u.kids.first;
    c->node.u.kids.first = c->last = NULL;
    c->kids = KIDS_OWN;
    for (; k; k = k->next)
        append_own(c, copy_kid(a, k));
}

/* Freezes a model's list and every container in it: they are shared from now on. */
static void freeze(IrNode *n)
{
    IrContainer *c = (IrContainer *)n;
    if (c->kids == KIDS_FROZEN)
        return;
    c->kids = KIDS_FROZEN;
    if (n->u.kids.first)
        c->last = NULL; /* appends take the slow path, which refuses them */
    for (IrNode *k = n->u.kids.first; k; k = k->next)
        if (k->kind == IR_MAP || k->kind == IR_SEQ)
            freeze(k);
}

IrNode *ir_map_sharing(Arena *a, IrNode *model)
{
    if (model->kind != IR_MAP)
        misuse("ir_map_sharing of a node that is not a map");
    freeze(model);
    IrContainer *c = (IrContainer *)container_new(a, IR_MAP);
    c->node.u.kids.first = model->u.kids.first;
    c->kids = KIDS_SHARED;
    return &c->node;
}

/* `value` takes `entry`'s key and condition (its own record of it). */
static void take_place(Arena *a, IrNode *value, const IrNode *entry)
{
    value->has_when = entry->has_when;
    value->keyed = entry->keyed;
    if (entry->has_when) {
        IrKeyWhen *kw = arena_alloc_raw(a, sizeof *kw);
        *kw = *entry->keyed.kw;
        value->keyed.kw = kw;
    }
}

IrNode *ir_with_entry(Arena *a, IrNode *list, const IrNode *entry, IrNode *value)
{
    freeze(list);
    IrContainer *c = (IrContainer *)container_new(a, (IrKind)list->kind);
    c->node.style = list->style;
    const IrNode *k = list->u.kids.first;
    for (; k && k != entry; k = k->next)
        append_own(c, copy_kid(a, k));
    if (!k)
        misuse("ir_with_entry of an entry that is not in the list");
    take_place(a, value, entry);
    append_own(c, value);
    value->next = entry->next; /* the rest is `list`'s */
    if (entry->next) {
        c->last = NULL;
        c->kids = KIDS_SHARED;
    }
    return &c->node;
}

/* The key is kept, not copied: every caller passes a string literal or a string of the
 * compilation (model or arena), which outlive the IR. Copying ~2,600 keys per cluster was ~10%
 * of lowering. A caller building a key in a temporary buffer must arena_strdup it. */
IrNode *ir_put(Arena *a, IrNode *map, const char *key, IrNode *value)
{
    if (value->has_when)
        value->keyed.kw->key = key;
    else
        value->keyed.key = key;
    IrContainer *c = (IrContainer *)map;
    if (!c->last && map->u.kids.first) /* kids, but not its own (ir_map_sharing) */
        unshare(a, c);
    append_own(c, value);
    return value;
}

IrNode *ir_push(IrNode *seq, IrNode *value)
{
    IrContainer *c = (IrContainer *)seq;
    if (!c->last && seq->u.kids.first) /* not its own kids: a copy needs ir_put's arena */
        misuse("appending to a list that IR nodes share (ir_with_entry)");
    append_own(c, value);
    return value;
}

IrNode *ir_when(Arena *a, IrNode *node, const IrCond *cond)
{
    if (node->has_when && !cond) { /* back to a plain node: has_when says when is non-NULL */
        node->keyed.key = node->keyed.kw->key;
        node->has_when = false;
    } else if (node->has_when) {
        node->keyed.kw->when = cond;
    } else if (cond) {
        IrKeyWhen *kw = arena_alloc_raw(a, sizeof *kw); /* both fields written now */
        *kw = (IrKeyWhen){node->keyed.key, cond};
        node->keyed.kw = kw;
        node->has_when = true;
    }
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
    c->literal = literal;
    return c;
}
