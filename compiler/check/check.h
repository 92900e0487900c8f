/* check.h - the type checker: resolves `use` (stdlib tiers and cloud presets), `extends` and tier
 * defaults, then checks every statement against the schema (unknown keys with suggestions,
 * duplicates, types and units, ranges, cross-field rules) and produces the typed Model.
 * All errors of a run are reported; a Model is returned only when there are none. */
#ifndef GOVERSEC_CHECK_H
#define GOVERSEC_CHECK_H
#include "check/model.h"
#include "support/diag.h"
#include "syntax/ast.h"

typedef struct CheckOptions {
    const char *const *stdlib_dirs;  /* searched in order for `use "NAME"` -> NAME.gv */
    int nstdlib_dirs;
    const char *only_cluster;        /* NULL: all clusters */
} CheckOptions;

/* Parses the stdlib files the unit uses (into `sources`), checks, returns NULL on any error. */
Model *check_unit(Arena *arena, SourceMap *sources, const Unit *unit, const CheckOptions *opts,
                  DiagSink *diags);

#endif
