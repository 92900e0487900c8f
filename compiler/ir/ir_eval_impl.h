/* ir_eval_impl.h - internal to compiler/ir: the evaluator's state (ir_eval.c), for the manifest
 * writer that walks an object's IR itself (ir_yaml.c) and evaluates only what is not a literal
 * map, sequence or string there, with the same state (knob values, memo, manual switch). */
#ifndef GOVERSEC_IR_EVAL_IMPL_H
#define GOVERSEC_IR_EVAL_IMPL_H
#include "ir/ir.h"

typedef struct Eval {
    Arena *a;
    const IrCluster *c;
    const Data *values;
    int64_t index;     /* current IR_INDEX */
    bool in_repeat;
    IrEvalMemo *memo;  /* NULL: nothing remembered across objects */
    const Knob *on;    /* a manual switch read as true whatever `values` says (NULL: none) */
    DataGetCache *paths; /* knob lookups in `values` one after another (NULL: each from its root) */
} Eval;

/* ir_eval_object_written's state for `obj` in *out; false when the object is not written (its
 * condition does not hold). `paths` (or NULL) serves the knob lookups of the objects of one
 * values tree (data_path_cached). */
bool ir_eval_begin_written(Eval *out, Arena *a, const IrCluster *c, const IrObject *obj, const Data *values,
                           IrEvalMemo *memo, DataGetCache *paths);
/* A node evaluated as it is inside the object (NULL: the evaluation fails). */
Data *ir_eval_in(Eval *ev, const IrNode *n);
/* A condition, and a knob's value (NULL: none), as the evaluation reads them. */
bool ir_cond_in(const Eval *ev, const IrCond *cond);
const Data *ir_knob_in(const Eval *ev, const Knob *k);
/* The text of an EXPR_NAMESPACE or EXPR_RELEASE_NAME node `n` as evaluated (the cluster's own
 * string, the same address every time), or NULL when it must be evaluated (a name cut short). */
const char *ir_cluster_name_in(const Eval *ev, const IrNode *n);

/* Whether a number or boolean of knob k is evaluated as its text (quantities, names, ...: as
 * the chart's `quote`, so `--set nodes.resources.limits.cpu=2` means "2" in both). */
static inline bool ir_knob_is_text(const Knob *k)
{
    return k->type != KNOB_INT && k->type != KNOB_BOOL && k->type != KNOB_STRING_LIST &&
           k->type != KNOB_OBJECT_LIST;
}

#endif
