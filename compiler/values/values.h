/* values.h - a cluster's chart values: the knob defaults, overridden by `-f` files and `--set`
 * assignments (Helm's strvals syntax and coalescing), then validated against the knobs with the
 * same rules values.schema.json states, so `goversec build --set S` accepts exactly what
 * `helm install --set S` accepts and produces the same objects. */
#ifndef GOVERSEC_VALUES_H
#define GOVERSEC_VALUES_H
#include <stdbool.h>

#include "ir/ir.h"
#include "support/diag.h"

/* The knobs' defaults as a values tree: ir_default_values(a, c), built faster (defaults.c). */
Data *values_defaults(Arena *a, const IrCluster *c);
/* Reads a YAML values file once, appending its documents (maps) to the sequence `docs_out`.
 * Errors are located in the file. */
bool values_load_file(Arena *a, SourceMap *sources, const char *path, Data *docs_out, DiagSink *diags);
/* Merges loaded documents into `values` in order (Helm coalescing: maps merge, null deletes). */
void values_apply_docs(Arena *a, Data *values, const Data *docs);
/* Applies one --set (as_string false) or --set-string assignment list: "a.b=1,c[0]=x". */
bool values_apply_set(Arena *a, Data *values, const char *assignments, bool as_string, DiagSink *diags);
/* Checks every value against its knob: unknown keys (with a suggestion), types, bounds, enums,
 * quantities and durations, and `required_when`. Reports all problems. */
bool values_validate(const IrCluster *c, const Data *values, DiagSink *diags);
/* The same verdict and diagnostics for `defaults` = ir_default_values(c) unchanged, faster. */
bool values_validate_defaults(const IrCluster *c, const Data *defaults, DiagSink *diags);

#endif
