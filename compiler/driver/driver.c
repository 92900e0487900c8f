/* driver.c - runs the phases in order and stops at the first phase that reported errors
 * (later phases assume a well-formed input). See driver.h. */
#include "driver/driver.h"

#include <string.h>
#include <time.h>

#include "check/check.h"
#include "emit/chart_shapes.h"
#include "emit/emit.h"
#include "emit/fleet.h"
#include "lower/lower.h"
#include "syntax/syntax.h"
#include "values/values.h"
#include "yaml/yamlio.h"

void driver_init(Compilation *comp)
{
    memset(comp, 0, sizeof *comp);
    comp->arena = arena_new();
    source_map_init(&comp->sources, comp->arena);
    diag_init(&comp->diags, &comp->sources, comp->arena);
}

static double monotonic_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

void phase_times_begin(PhaseTimes *t)
{
    memset(t, 0, sizeof *t);
    t->start = t->last = monotonic_us();
}

void phase_mark(PhaseTimes *t, DriverPhase p)
{
    if (!t)
        return;
    double now = monotonic_us();
    t->us[p] += now - t->last;
    t->last = now;
}

void phase_skip(PhaseTimes *t)
{
    if (t)
        t->last = monotonic_us();
}

const char *phase_name(DriverPhase p)
{
    static const char *const names[PHASE_COUNT] = {"parse+check", "lower", "values", "manifests", "chart", "tree"};
    return names[p];
}

void driver_dispose(Compilation *comp)
{
    arena_free(comp->arena);
    memset(comp, 0, sizeof *comp);
}

static Data *cluster_values(Compilation *comp, Arena *a, const IrCluster *c, const DriverOptions *opts,
                            const Data *files);

/* The -f files, read and parsed once for every cluster (their errors reported once). */
static const Data *load_values_files(Compilation *comp, const DriverOptions *opts)
{
    Data *docs = data_seq(comp->arena);
    for (int f = 0; f < opts->nvalues_files; f++)
        values_load_file(comp->arena, &comp->sources, opts->values_files[f], docs, &comp->diags);
    return docs;
}

static bool resolve_values(Compilation *comp, const DriverOptions *opts)
{
    const Data *files = load_values_files(comp, opts);
    comp->values = ARENA_ARRAY(comp->arena, Data *, comp->ir->nclusters + 1);
    for (int i = 0; i < comp->ir->nclusters; i++)
        comp->values[i] = cluster_values(comp, comp->arena, comp->ir->clusters[i], opts, files);
    return !diag_has_errors(&comp->diags);
}

/* Parse + check: comp->unit and comp->model. */
static int check_source(Compilation *comp, const SourceFile *file, const DriverOptions *opts)
{
    comp->diags.warnings_as_errors = opts->warnings_as_errors;
    Unit *unit = syntax_parse(comp->arena, file, &comp->diags);
    comp->unit = unit;
    if (!unit || diag_has_errors(&comp->diags))
        return DRIVER_INPUT_ERROR;
    CheckOptions check = {
        .stdlib_dirs = opts->stdlib_dirs,
        .nstdlib_dirs = opts->nstdlib_dirs,
        .only_cluster = opts->only_cluster,
    };
    comp->model = check_unit(comp->arena, &comp->sources, unit, &check, &comp->diags);
    if (!comp->model || diag_has_errors(&comp->diags))
        return DRIVER_INPUT_ERROR;
    return DRIVER_OK;
}

static int compile_source(Compilation *comp, const SourceFile *file, const DriverOptions *opts)
{
    int status = check_source(comp, file, opts);
    if (status != DRIVER_OK)
        return status;
    comp->ir = lower_model(comp->arena, comp->model, &comp->diags);
    if (!comp->ir || diag_has_errors(&comp->diags))
        return DRIVER_INPUT_ERROR;
    if (!resolve_values(comp, opts))
        return DRIVER_INPUT_ERROR;
    return DRIVER_OK;
}

int driver_compile_file(Compilation *comp, const char *path, const DriverOptions *opts)
{
    const char *err = NULL;
    SourceFile *file = source_load(&comp->sources, path, &err);
    if (!file) {
        comp->io_error = arena_printf(comp->arena, "cannot read '%s': %s", path, err);
        return DRIVER_USAGE_ERROR;
    }
    return compile_source(comp, file, opts);
}

int driver_compile_text(Compilation *comp, const char *name, const char *text, size_t len,
                        const DriverOptions *opts)
{
    SourceFile *file = source_add(&comp->sources, name, text, len);
    return compile_source(comp, file, opts);
}

static ChartLayout chart_layout(const DriverOptions *opts, int nclusters)
{
    if (opts->charts != CHARTS_AUTO)
        return opts->charts;
    return nclusters > 1 ? CHARTS_SHARED : CHARTS_PER_CLUSTER;
}

typedef struct ChartPlan {
    ChartLayout layout;
    ChartShapes *shapes;  /* CHARTS_SHARED */
    LowerShared *lowered; /* what every cluster's lowering shares (in comp->arena), or NULL */
    YamlOut *yaml;        /* every cluster's manifests written through it (see emit.h) */
    DiagSink *diags;
    PhaseTimes *times;    /* --time-report, or NULL */
} ChartPlan;

/* Shared layout: the chart of c's shape, printed now if c is the first of its shape. `model` is
 * c's checked cluster when c lives in a scratch arena: the shape's representative must outlive
 * it, so it is lowered again into the shapes' arena (lowering is deterministic). */
static const char *shared_chart(Arena *a, ChartPlan *plan, const IrCluster *c, const Cluster *model,
                                const Data *values, OutTree *out, const char **err)
{
    const char *chart = chart_shapes_find(plan->shapes, c);
    if (chart)
        return chart;
    const IrCluster *rep =
        model ? lower_cluster_shared(chart_shapes_arena(plan->shapes), plan->lowered, model, plan->diags) : c;
    chart_shapes_add(plan->shapes, rep, c->name);
    return emit_shared_chart(a, c, values, out, c->name, err) ? c->name : NULL;
}

/* One cluster's files: its manifest tree and its chart (or its values for a shared chart), from
 * the same IR and values. */
static bool emit_cluster(Arena *a, ChartPlan *plan, const IrCluster *c, const Cluster *model, const Data *values,
                         OutTree *out, const char **err)
{
    if (!emit_manifests_with(plan->yaml, a, c, values, out, c->name, err))
        return false;
    phase_mark(plan->times, PHASE_MANIFESTS);
    switch (plan->layout) {
    case CHARTS_NONE: return true;
    case CHARTS_AUTO:
    case CHARTS_PER_CLUSTER: return emit_chart(a, c, values, out, c->name, err);
    case CHARTS_SHARED: break;
    }
    const char *chart = shared_chart(a, plan, c, model, values, out, err);
    if (!chart)
        return false;
    chart_shapes_assign(plan->shapes, c->name, chart);
    return emit_cluster_values(a, c, values, out, c->name, chart, err);
}

static ChartPlan chart_plan(Compilation *comp, const DriverOptions *opts, int nclusters)
{
    ChartPlan plan = {chart_layout(opts, nclusters), NULL, NULL, ARENA_NEW(comp->arena, YamlOut), &comp->diags,
                      opts->times};
    if (plan.layout == CHARTS_SHARED)
        plan.shapes = chart_shapes_new(comp->arena);
    return plan;
}

bool driver_emit(Compilation *comp, const DriverOptions *opts, OutTree *out, const char **err)
{
    /* Each cluster is emitted with a scratch arena freed right after: the evaluated objects and
     * intermediate strings are garbage once outtree_add has copied the text, and keeping them
     * would make a fleet's peak memory grow with every cluster (bench/README.md). */
    ChartPlan plan = chart_plan(comp, opts, comp->ir->nclusters);
    for (int i = 0; i < comp->ir->nclusters; i++) {
        const IrCluster *c = comp->ir->clusters[i];
        Arena *scratch = arena_new();
        bool ok = emit_cluster(scratch, &plan, c, NULL, comp->values[i], out, err);
        if (!ok && err && *err)
            *err = arena_strdup(comp->arena, *err); /* it may live in the scratch arena */
        arena_free(scratch);
        if (!ok) {
            yaml_out_free(plan.yaml);
            return false;
        }
    }
    yaml_out_free(plan.yaml);
    /* After the per-cluster trees: the Argo CD objects that deploy them (OUT/argocd/). */
    return emit_fleet(comp->arena, comp->model, plan.shapes, out, err);
}

int driver_check_file(Compilation *comp, const char *path, const DriverOptions *opts)
{
    const char *err = NULL;
    SourceFile *file = source_load(&comp->sources, path, &err);
    if (!file) {
        comp->io_error = arena_printf(comp->arena, "cannot read '%s': %s", path, err);
        return DRIVER_USAGE_ERROR;
    }
    return check_source(comp, file, opts);
}

/* One cluster's values in `a`: knob defaults, then the -f documents, then --set/--set-string. */
static Data *cluster_values(Compilation *comp, Arena *a, const IrCluster *c, const DriverOptions *opts,
                            const Data *files)
{
    Data *values = values_defaults(a, c);
    bool defaults_only = !files->u.kids.first && opts->nsets == 0 && opts->nset_strings == 0;
    values_apply_docs(a, values, files);
    for (int s = 0; s < opts->nsets; s++)
        values_apply_set(a, values, opts->sets[s], false, &comp->diags);
    for (int s = 0; s < opts->nset_strings; s++)
        values_apply_set(a, values, opts->set_strings[s], true, &comp->diags);
    if (diag_has_errors(&comp->diags))
        return values;
    if (defaults_only)
        values_validate_defaults(c, values, &comp->diags);
    else
        values_validate(c, values, &comp->diags);
    return values;
}

int driver_stream(Compilation *comp, const DriverOptions *opts, OutTree *out, const char **emit_err)
{
    /* The same phases and diagnostics as driver_compile_* + driver_emit (lowering reports none,
     * so lowering cluster by cluster changes no message or its order), but each cluster's IR,
     * values and emitted objects live in a scratch arena freed before the next cluster, and its
     * files are flushed to disk when `out` is streamed: peak memory is the checked model plus one
     * cluster, not the whole fleet. Only diagnostics and paths reach comp->arena. */
    *emit_err = NULL;
    const Model *m = comp->model;
    const Data *files = load_values_files(comp, opts);
    ChartPlan plan = chart_plan(comp, opts, m->nclusters);
    /* What lowering builds the same for every cluster is built once, in comp->arena: it
     * outlives every scratch arena and the shapes' representatives that point into it. */
    plan.lowered = lower_shared_new(comp->arena);
    for (int i = 0; i < m->nclusters; i++) {
        Arena *scratch = arena_new();
        phase_skip(opts->times);
        const IrCluster *c = lower_cluster_shared(scratch, plan.lowered, m->clusters[i], &comp->diags);
        phase_mark(opts->times, PHASE_LOWER);
        const Data *values = cluster_values(comp, scratch, c, opts, files);
        phase_mark(opts->times, PHASE_VALUES);
        /* Once an error is known nothing more is emitted (the output is discarded), but every
         * cluster is still checked so the diagnostics are those of the whole description. */
        if (out && !*emit_err && !diag_has_errors(&comp->diags)) {
            const char *err = NULL;
            char buf[1024];
            if (!emit_cluster(scratch, &plan, c, m->clusters[i], values, out, &err))
                *emit_err = arena_strdup(comp->arena, err ? err : "emitting the output failed");
            else if (outtree_flush(out, buf, sizeof buf) != 0)
                *emit_err = arena_strdup(comp->arena, buf);
            phase_mark(opts->times, PHASE_CHART);
        }
        arena_free(scratch);
    }
    yaml_out_free(plan.yaml);
    if (diag_has_errors(&comp->diags))
        return DRIVER_INPUT_ERROR;
    if (out && !*emit_err && !emit_fleet(comp->arena, comp->model, plan.shapes, out, emit_err) && !*emit_err)
        *emit_err = "emitting the Argo CD applications failed";
    return DRIVER_OK;
}

bool driver_check_needs_lowering(const DriverOptions *opts)
{
    return opts->nsets > 0 || opts->nset_strings > 0 || opts->nvalues_files > 0;
}

int driver_check(Compilation *comp, const char *path, const DriverOptions *opts)
{
    int status = driver_check_file(comp, path, opts);
    const char *emit_err = NULL;
    if (status == DRIVER_OK && driver_check_needs_lowering(opts))
        status = driver_stream(comp, opts, NULL, &emit_err);
    return status;
}
