/* driver.h - the whole pipeline as one library call: source text -> AST -> Model -> IR ->
 * values (defaults + overrides) -> OutTree. Used by the CLI, the fuzzer and the tests, so every
 * entry point runs exactly the same phases. Nothing here names the output directory: a caller
 * that streams passes an OutTree it has begun (outtree_begin), which driver_stream flushes. */
#ifndef GOVERSEC_DRIVER_H
#define GOVERSEC_DRIVER_H
#include <stdbool.h>

#include "check/model.h"
#include "emit/outtree.h"
#include "ir/ir.h"
#include "support/diag.h"
#include "syntax/ast.h"

enum { DRIVER_OK = 0, DRIVER_INPUT_ERROR = 1, DRIVER_USAGE_ERROR = 2 };

/* Where the Helm charts go. AUTO: one chart per cluster for a single cluster, shared charts for a
 * fleet (more than one cluster: OUT/charts/<name>/ per shape + OUT/<cluster>/values.yaml). */
typedef enum ChartLayout { CHARTS_AUTO, CHARTS_PER_CLUSTER, CHARTS_SHARED, CHARTS_NONE } ChartLayout;

/* `goversec build --time-report`: wall-clock time per phase, summed over clusters. The emit
 * phases include writing their files (the output tree is streamed); "tree" is the temporary
 * directory, the marker and the swap. What a reader needs to see where a build's time goes
 * without a profiler (bench/README.md uses it). */
typedef enum DriverPhase {
    PHASE_CHECK,     /* reading, parsing and checking the input */
    PHASE_LOWER,     /* lowering each cluster to the IR */
    PHASE_VALUES,    /* each cluster's values: defaults, -f files, --set */
    PHASE_MANIFESTS, /* each cluster's manifests, evaluated, printed and written */
    PHASE_CHART,     /* each cluster's chart (or its values for a shared chart) */
    PHASE_TREE,      /* the output tree: temporary directory, marker, swap */
    PHASE_COUNT
} DriverPhase;

typedef struct PhaseTimes {
    double us[PHASE_COUNT]; /* microseconds */
    double start, last;     /* CLOCK_MONOTONIC, microseconds: phase_times_begin, the last mark */
    double files_us;        /* within manifests and chart: the emitted files' system calls */
} PhaseTimes;

void phase_times_begin(PhaseTimes *t);
/* Adds the time since the last mark to phase p; nothing when t is NULL (no report asked). */
void phase_mark(PhaseTimes *t, DriverPhase p);
/* Restarts the clock without charging a phase (time that belongs to none of them). */
void phase_skip(PhaseTimes *t);
const char *phase_name(DriverPhase p);

typedef struct DriverOptions {
    const char *only_cluster;          /* NULL: every cluster in the file */
    const char *const *stdlib_dirs;    /* searched in order for `use` */
    int nstdlib_dirs;
    const char *const *sets;           /* "--set" assignments, in order */
    int nsets;
    const char *const *set_strings;    /* "--set-string" assignments */
    int nset_strings;
    const char *const *values_files;   /* "-f" files, in order (applied before --set) */
    int nvalues_files;
    bool warnings_as_errors;
    ChartLayout charts;
    PhaseTimes *times;                 /* --time-report, or NULL */
} DriverOptions;

typedef struct Compilation {
    Arena *arena;
    SourceMap sources;
    DiagSink diags;
    const Unit *unit;
    Model *model;
    Ir *ir;
    Data **values;                     /* per IR cluster: defaults merged with overrides */
    const char *io_error;              /* set when the status is DRIVER_USAGE_ERROR */
} Compilation;

void driver_init(Compilation *comp);
void driver_dispose(Compilation *comp);
/* Parse + check + lower + resolve values. Returns a DRIVER_* status. */
int driver_compile_file(Compilation *comp, const char *path, const DriverOptions *opts);
int driver_compile_text(Compilation *comp, const char *name, const char *text, size_t len,
                        const DriverOptions *opts);
/* Adds every cluster's manifests and charts (opts->charts) to `out`. Returns false with *err on
 * an internal failure. */
bool driver_emit(Compilation *comp, const DriverOptions *opts, OutTree *out, const char **err);

/* The fleet-sized path (the CLI): memory is the checked model plus one cluster at a time.
 * driver_check_file parses and checks (comp->model; comp->ir and comp->values stay NULL).
 * driver_stream then lowers, resolves values and - when `out` is non-NULL - emits each cluster in
 * turn, in a scratch arena freed after it, calling outtree_flush(out) after each one (a no-op for
 * an in-memory tree; a streamed tree writes that cluster's files to its temporary directory).
 * Returns DRIVER_INPUT_ERROR when the values had errors (every cluster is still checked); an
 * emission or write failure sets *emit_err, stops emitting and leaves the status to the input. */
int driver_check_file(Compilation *comp, const char *path, const DriverOptions *opts);
int driver_stream(Compilation *comp, const DriverOptions *opts, OutTree *out, const char **emit_err);

/* `goversec check`: driver_check_file, then driver_stream without output only when there are
 * overrides (--set, --set-string, -f) to check against the knobs. Without them the lowering and
 * the default values add no diagnostic to a checked model, so they are skipped; the test
 * unit.test_check_fast compares both paths on every case of tests/diagnostics and every example. */
bool driver_check_needs_lowering(const DriverOptions *opts);
int driver_check(Compilation *comp, const char *path, const DriverOptions *opts);

#endif
