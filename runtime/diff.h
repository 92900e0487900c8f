/* diff.h - public API of `goversec diff`: drift between a compiled cluster and the live one.
 * The CLI parses the .gv, checks, lowers and evaluates values, then calls diff_run once per
 * selected cluster. Live state comes from the user's kubectl (read-only `get`) or a saved dump.
 * Exit status: 0 in sync, 1 drift, 2 error, 3 drift that includes a destructive change. */
#ifndef GOVERSEC_DIFF_H
#define GOVERSEC_DIFF_H
#include <stdbool.h>
#include <stdio.h>

#include "ir/data.h"
#include "ir/ir.h"
#include "support/arena.h"

enum {
    DIFF_EXIT_IN_SYNC = 0,
    DIFF_EXIT_DRIFT = 1,
    DIFF_EXIT_ERROR = 2,
    DIFF_EXIT_DESTRUCTIVE = 3,
};

typedef enum DiffFormat { DIFF_FORMAT_TEXT, DIFF_FORMAT_JSON } DiffFormat;

typedef struct DiffOptions {
    const char *context;        /* kubectl --context; NULL: current context */
    const char *kubeconfig;     /* kubectl --kubeconfig; NULL: kubectl's default */
    const char *live_path;      /* saved dump (List or multi-document YAML/JSON); NULL: ask kubectl */
    DiffFormat format;
    bool color;                 /* colour +/- lines; the CLI sets it for a terminal without NO_COLOR */
    const char *kubectl;        /* program looked up on PATH; NULL: "kubectl" (tests override) */
    const char *inventory_path; /* optional: inventory.yaml of the previous build (finds orphans) */
} DiffOptions;

/* Compares the objects of `cluster` evaluated under `values` with the live state and writes the
 * report to `out` (errors to `err`). Returns one of DIFF_EXIT_*. */
int diff_run(Arena *a, const DiffOptions *opts, const IrCluster *cluster, const Data *values,
             FILE *out, FILE *err);

#endif
