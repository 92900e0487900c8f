/* ir.h - the intermediate representation: per cluster, the Kubernetes objects it deploys, as
 * *symbolic* trees that both emitters walk.
 *
 *  - A Knob is one chart value (values path "nodes.replicas", type, default, description,
 *    constraints). Knobs are registered by lower/ while it builds objects; they become values.yaml,
 *    values.schema.json and the chart README, and they are what `--set` overrides.
 *  - An IrNode is a map, a sequence, a literal scalar, a reference to a knob (IR_REF), or a
 *    computed value (IR_EXPR: concatenation, image reference, repetition over a count, join,
 *    YAML text of a subtree, sha256). Any node may carry a condition (`when`), a boolean formula
 *    over knobs: it exists only when the condition holds.
 *  - An IrObject is one Kubernetes object (one file of the manifest tree), itself conditional.
 *  - Trees are immutable once lowered, so a subtree may be shared as an expression argument
 *    (the Goverse config: the ConfigMap's data and each checksum annotation), and a list of kids
 *    by several maps (labels, security contexts: ir_map_sharing) or a list's tail by a copy that
 *    differs in one entry (the etcd restore Jobs: ir_with_entry).
 *
 * The manifest emitter evaluates the IR against a values tree (ir_eval: knobs -> Data) and writes
 * plain YAML; the chart emitter prints the same IR as Helm templates (IR_REF -> {{ .Values.x }},
 * `when` -> {{- if }}, IR_EXPR -> its template form). One IR, two printers: the manifests and the
 * chart cannot drift apart, and tests render the chart and compare. */
#ifndef GOVERSEC_IR_H
#define GOVERSEC_IR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir/data.h"
#include "support/arena.h"
#include "support/source.h"

/* ---- knobs (chart values) ------------------------------------------------------------------- */

#define IR_KNOB_TYPES(X)                                                  \
    X(KNOB_BOOL, "boolean")                                               \
    X(KNOB_INT, "integer")                                                \
    X(KNOB_STRING, "string")                                              \
    X(KNOB_ENUM, "one of a fixed set of strings")                         \
    X(KNOB_CPU, "CPU quantity")                                           \
    X(KNOB_MEMORY, "memory or storage quantity")                          \
    X(KNOB_DURATION, "duration")                                          \
    X(KNOB_CRON, "cron schedule (5 fields: N, *, N/S or */S)")            \
    X(KNOB_HOST, "DNS host name")                                         \
    X(KNOB_NAME, "Kubernetes object name (DNS-1123)")                     \
    X(KNOB_STRING_LIST, "list of strings")                                \
    X(KNOB_OBJECT_LIST, "list of objects")

typedef enum KnobType {
#define X(t, name) t,
    IR_KNOB_TYPES(X)
#undef X
} KnobType;

typedef struct Knob {
    const char *path;           /* dotted values path: "nodes.resources.limits.cpu" */
    const char *description;    /* one line, for values.yaml comments and the chart README */
    Data *default_value;        /* from the description (the model) */
    int64_t min, max;           /* KNOB_INT bounds (inclusive) */
    const char *const *choices; /* KNOB_ENUM: NULL-terminated */
    const char *required_when;  /* path of a boolean knob that makes this one required */
    const char *not_above;      /* KNOB_INT: path of an int knob this one must not exceed (HPA
                                   min <= max); JSON Schema cannot say it: the chart `fail`s */
    struct Knob *next;          /* registration order */
    /* Set by ir_knob, for the shape comparison (ir_shape.c): the knob's 1-based place in its
     * cluster's registration order, and the hash of its path (equal paths, equal hashes). */
    uint32_t ordinal;
    uint32_t path_hash;
    /* The small fields last, together: no padding between pointers (~190 knobs per cluster). */
    KnobType type;
    bool nullable;              /* "" / null allowed (e.g. storageClass: default class) */
    bool must_be_odd;           /* KNOB_INT: odd only (etcd quorum); the chart enforces it with `fail` */
} Knob;

/* ---- conditions ------------------------------------------------------------------------------ */

typedef enum IrCondOp { COND_TRUE_KNOB, COND_NOT, COND_AND, COND_OR, COND_EQ } IrCondOp;

/* The operands overlap (~400 conditions per cluster): read `knob` and `literal` only for
 * TRUE_KNOB and EQ, `a` and `b` only for NOT, AND and OR (`b` is NULL for NOT). */
typedef struct IrCond {
    IrCondOp op;
    union {
        struct {
            const Knob *knob;    /* TRUE_KNOB, EQ */
            const char *literal; /* EQ: knob's string value equals this (kept, not copied) */
        };
        struct {
            const struct IrCond *a, *b; /* NOT (a), AND, OR */
        };
    };
} IrCond;

/* ---- nodes ------------------------------------------------------------------------------------ */

typedef enum IrKind { IR_MAP, IR_SEQ, IR_STR, IR_INT, IR_BOOL, IR_NULL, IR_REF, IR_EXPR, IR_INDEX } IrKind;

typedef enum IrExprOp {
    EXPR_CONCAT,   /* string: args evaluated and joined as text ("$(POD_NAME)." + ns + ...) */
    EXPR_IMAGE,    /* string: args = global registry, image registry, repository, tag ->
                      "reg/repo:tag" (the global registry wins when non-empty) or "repo:tag" */
    EXPR_REPEAT,   /* sequence: args = count, body; body repeated count times, IR_INDEX = 0..n-1 */
    EXPR_JOIN,     /* string: args = separator (STR), sequence-valued node; items joined */
    EXPR_YAML,     /* string: arg = subtree; its YAML text (ConfigMap data) */
    EXPR_SHA256,   /* string: arg = string-valued node; lowercase hex sha256 */
    EXPR_FIRST,    /* string: arg = list-valued node (a KNOB_STRING_LIST); its first item, ""
                      when empty (Goverse takes one etcd address) */
    EXPR_NAMESPACE,/* string, no args: the cluster's namespace (chart: {{ .Release.Namespace }}) */
    EXPR_RELEASE_NAME, /* string: the cluster's name (chart: {{ .Release.Name }}); optional arg: an
                      IR_INT maximum length (truncates). No template names a cluster, so clusters
                      of the same shape share one chart (emit/chart_shape.c). */
} IrExprOp;

/* A conditional node's key and condition, kept out of the node (see IrNode). */
typedef struct IrKeyWhen {
    const char *key;
    const IrCond *when;
} IrKeyWhen;

/* 32 bytes (a cluster has ~4 000 nodes, once 48 bytes each: lowering's biggest use of memory):
 * the kind, style and expression operator are bytes; a map's or sequence's last kid, needed
 * only to append, is kept behind the node, outside this struct (ir_build.c); and the condition,
 * which ~7 % of the nodes have, lives with the key in an IrKeyWhen that `keyed` points to
 * instead. Read the key and the condition with ir_node_key and ir_node_when. */
typedef struct IrNode {
    uint8_t kind;               /* IrKind */
    uint8_t style;              /* DataStyle: scalar presentation hint (STYLE_LITERAL for config.yaml) */
    uint8_t op;                 /* IrExprOp of an IR_EXPR */
    bool has_when;              /* keyed.kw, not keyed.key */
    uint32_t unused;            /* zero */
    union {
        const char *key;        /* set when the node is an entry of a map */
        IrKeyWhen *kw;          /* has_when: the key and the condition (NULL: always present) */
    } keyed;
    struct IrNode *next;        /* next sibling */
    union {
        struct {
            struct IrNode *first;
        } kids;                 /* MAP, SEQ */
        const char *str;        /* STR */
        int64_t i;              /* INT */
        bool b;                 /* BOOL */
        const Knob *ref;        /* REF */
        struct {
            struct IrNode *args; /* linked through next; the operator is `op` */
        } expr;                 /* EXPR */
    } u;
} IrNode;

static inline const char *ir_node_key(const IrNode *n) { return n->has_when ? n->keyed.kw->key : n->keyed.key; }
/* NULL: always present. */
static inline const IrCond *ir_node_when(const IrNode *n) { return n->has_when ? n->keyed.kw->when : NULL; }

typedef struct IrObject {
    const char *path;           /* file in the tree: "nodes/statefulset.yaml" */
    const char *component;      /* "nodes", "gates", "etcd", "postgres", "inspector", "cluster", ... */
    const char *api_version, *kind, *name;
    const IrCond *when;         /* object emitted only when this holds */
    /* Non-NULL for objects that are written but not applied (restore Jobs): `when` includes this
     * boolean knob (default false), so the chart renders them only on request; the manifest tree
     * writes them as if the switch were on and leaves them out of kustomization and inventory. */
    const Knob *manual_switch;
    IrNode *root;               /* the whole document (a MAP) */
    struct IrObject *next;
} IrObject;

typedef struct IrCluster {
    const char *name;           /* cluster name (output directory) */
    const char *namespace_name;
    const char *chart_version, *app_version, *kube_version; /* for Chart.yaml */
    Knob *knobs, *knobs_tail;
    struct KnobEntry *knob_index; /* knobs by path (ir_build.c); owned by ir_knob */
    uint32_t nknobs;            /* knobs registered so far (ir_knob) */
    IrObject *objects, *objects_tail;
    Span span;
} IrCluster;

typedef struct Ir {
    IrCluster **clusters;
    int nclusters;
} Ir;

/* ---- building (used by lower/) ------------------------------------------------------------ */

IrCluster *ir_cluster_new(Arena *a, const char *name, const char *namespace_name);
/* ir_knob and ir_object keep their strings (no copies), as ir_str and ir_put do: pass literals or
 * strings that live as long as the IR (the model's, or built in the IR's arena). Lowering builds
 * ~340 knobs and ~120 objects per cluster; the copies cost, and a literal kept has one address in
 * every cluster's IR, which the shape comparison takes as equality. */
Knob *ir_knob(Arena *a, IrCluster *c, const char *path, KnobType type, Data *default_value,
              const char *description);
const Knob *ir_find_knob(const IrCluster *c, const char *path);
/* The same for the first `len` bytes of `path` (need not be NUL-terminated there). */
const Knob *ir_find_knob_n(const IrCluster *c, const char *path, size_t len);
/* The hash ir_find_knob indexes paths by (for other tables of paths, e.g. their prefixes). */
uint32_t ir_path_hash(const char *path, size_t len);
IrObject *ir_object(Arena *a, IrCluster *c, const char *path, const char *component,
                    const char *api_version, const char *kind, const char *name, const IrCond *when);

/* ir_object's object with the document `root`, placed right after `prev` (an object of `c`). */
IrObject *ir_object_after(Arena *a, IrCluster *c, IrObject *prev, const char *path, const char *component,
                          const char *api_version, const char *kind, const char *name, const IrCond *when,
                          IrNode *root);

IrNode *ir_map(Arena *a);
IrNode *ir_seq(Arena *a);
IrNode *ir_str(Arena *a, const char *s); /* keeps `s` (no copy), as ir_put keeps its key */
IrNode *ir_int(Arena *a, int64_t i);
IrNode *ir_bool(Arena *a, bool b);
IrNode *ir_ref(Arena *a, const Knob *k);
IrNode *ir_index(Arena *a);
IrNode *ir_expr(Arena *a, IrExprOp op, IrNode *args /* chain via ir_chain */);
IrNode *ir_chain(IrNode *first, ...);  /* links nodes through next; NULL-terminated; returns first */
/* A map with the kids of `model`, a map built for this and not handed out itself: the same kids
 * list, not a copy, for the maps lowering repeats (labels, security contexts). The first ir_put
 * to the new map copies the list; the kids themselves, and `model`, must not change any more
 * (an append to `model` or to a container among its kids aborts). */
IrNode *ir_map_sharing(Arena *a, IrNode *model);
/* A copy of the map or sequence `list` with its kid `entry` replaced by `value`, which takes the
 * entry's key and condition: the kids before `entry` are copied (shallow), the ones after it are
 * `list`'s, shared. For objects that differ from another in a few leaves (lower_restore.c): the
 * path to each leaf is copied, the rest shared. `list` and everything in it must not change any
 * more (an append to them aborts, an ir_put to the copy copies its list first). */
IrNode *ir_with_entry(Arena *a, IrNode *list, const IrNode *entry, IrNode *value);
/* Keeps `key` (not a copy): pass a literal or a string that lives as long as the IR. */
IrNode *ir_put(Arena *a, IrNode *map, const char *key, IrNode *value); /* returns value */
IrNode *ir_push(IrNode *seq, IrNode *value);                           /* returns value */
/* Sets (or replaces) the node's condition; NULL: always present. Returns node. */
IrNode *ir_when(Arena *a, IrNode *node, const IrCond *cond);

const IrCond *ir_cond_knob(Arena *a, const Knob *k);
const IrCond *ir_cond_not(Arena *a, const IrCond *c);
const IrCond *ir_cond_and(Arena *a, const IrCond *x, const IrCond *y);
const IrCond *ir_cond_or(Arena *a, const IrCond *x, const IrCond *y);
const IrCond *ir_cond_eq(Arena *a, const Knob *k, const char *literal); /* keeps `literal`, as ir_str */

/* ---- evaluating (used by the manifest emitter, diff and tests) ------------------------------- */

/* The defaults of every knob as a values tree (what values.yaml holds). Its keys and strings are
 * the knobs' (their paths' last components, their defaults' texts): it must not outlive the IR. */
Data *ir_default_values(Arena *a, const IrCluster *c);
/* A knob's default as a node of a values tree: a node of its own (the tree links it, and
 * overrides replace entries), sharing a scalar's string with the knob (no Data string is ever
 * written in place); lists and maps are cloned whole (their entries are linked in the tree). */
Data *ir_knob_default_node(Arena *a, const Knob *k);
bool ir_cond_eval(const IrCond *cond, const Data *values);
/* The concrete document for `obj` under `values`, or NULL when the object's condition is false.
 * `c` supplies the namespace for EXPR_NAMESPACE. Values missing from `values` fall back to the
 * knob's default. */
Data *ir_eval_object(Arena *a, const IrCluster *c, const IrObject *obj, const Data *values);
/* The same, remembering YAML texts and their sha256 across the objects of one cluster (a subtree
 * shared by several objects, the Goverse config, is written once). A memo starts zeroed and is
 * valid for one cluster, one values tree and the lifetime of `a` (or of memo->arena). */
typedef struct IrEvalMemoEntry {
    IrExprOp op;
    const IrNode *subtree;
    const char *text;
    size_t len;
} IrEvalMemoEntry;
/* A knob's value under the memo's values tree (NULL: none, not even a default). */
typedef struct IrKnobSlot {
    const Knob *knob; /* NULL: a free slot */
    const Data *value;
} IrKnobSlot;
typedef struct IrEvalMemo {
    IrEvalMemoEntry e[8];
    int n;
    /* Where the remembered texts are copied; NULL: they stay in the arena they were evaluated in
     * (which must then last as long as the memo). Set it when each object is evaluated in a
     * scratch arena cleared after it (the manifest emitter). */
    Arena *arena;
    /* Knob values remembered by knob (open addressing on the pointer): a values lookup by dotted
     * path was ~600 instructions, and a cluster's objects look up ~130 knobs ~670 times. When
     * full, further knobs are looked up each time. */
    IrKnobSlot knobs[512];
    int nknobs;
    const Knob *alone_switch; /* a manual switch no other knob's path overlaps (ir_eval_object_written) */
} IrEvalMemo;
Data *ir_eval_object_memo(Arena *a, const IrCluster *c, const IrObject *obj, const Data *values,
                          IrEvalMemo *memo);
/* The object as the manifest tree writes it: a manual_switch object (a restore Job) evaluated as
 * if `values` held its switch set to true, without copying the values tree (the switch knob reads
 * true, every other knob as in `values`). *present is false when the object's condition does not
 * hold (NULL returned); otherwise NULL means the evaluation failed. The memo's texts are not used
 * for a switched object (they may depend on the switch); its knob values are. */
Data *ir_eval_object_written(Arena *a, const IrCluster *c, const IrObject *obj, const Data *values,
                             IrEvalMemo *memo, bool *present);
Data *ir_eval_node(Arena *a, const IrCluster *c, const IrNode *node, const Data *values);

/* ---- shape (ir_shape.c) ------------------------------------------------------------------------ */

/* Two clusters have the same shape when everything their charts are printed from is equal:
 * objects (literals, references, conditions, expressions), knob declarations (not their
 * defaults), chart/app/kube versions. The cluster name and namespace are not part of it. */
uint64_t ir_shape_hash(const IrCluster *c);
bool ir_same_shape(const IrCluster *x, const IrCluster *y);

#endif
