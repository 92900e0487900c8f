/* knob_tree.h - a cluster's knobs as the tree of their dotted paths: the shape of the values
 * (one node per map of the values, one leaf per knob), built once per chart for the two files
 * that follow it, values.schema.json (an object schema per map) and values.yaml (walked with the
 * values tree, so that no entry's path is spelt out and looked up). */
#ifndef GOVERSEC_KNOB_TREE_H
#define GOVERSEC_KNOB_TREE_H
#include <stdbool.h>
#include <stddef.h>

#include "ir/ir.h"

/* A map of the values (knob == NULL) or a knob's leaf. A map's children are in first-seen order
 * of the knobs' paths, leaves in registration order; there is one map per name under a parent.
 * Names point into the knobs' paths (a leaf's into its own knob's). */
typedef struct KnobLevel {
    const char *name;
    size_t len;
    const Knob *knob;
    bool open; /* `global`: open to parent charts' keys */
    struct KnobLevel *first, *last, *next;
} KnobLevel;

/* The root of c's tree: `global` first (always, if empty), then the knobs' top-level names. */
const KnobLevel *knob_tree(Arena *a, const IrCluster *c);

#endif
