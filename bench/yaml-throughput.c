/* yaml-throughput.c - micro-benchmark of the manifest emitter's YAML output (issue 13: "YAML at
 * 200 MB/s or more" on one core). Compiles a .gv in memory once, then times
 *  1. the whole manifest path: emit_manifests for every cluster into an in-memory OutTree, with a
 *     scratch arena per cluster as driver_emit does (evaluation, YAML, kustomization, inventory);
 *  2. its two halves apart: evaluating every emitted object (ir_eval_object), and writing the
 *     already evaluated objects as YAML with goversec's writer (yaml_write_to);
 *  3. for comparison only, the same documents written by libyaml's emitter (the oracle,
 *     tests/unit/yaml_oracle_libyaml.c: what goversec used before it had its own writer), every
 *     document checked byte for byte against goversec's text.
 * Usage: goversec-bench-yaml FILE.gv [ITERATIONS]. Nothing is written to disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver/driver.h"
#include "emit/emit.h"
#include "support/strbuf.h"
#include "yaml/yamlio.h"
#include "yaml_oracle.h"

typedef struct Clock {
    struct timespec wall, cpu;
} Clock;

static Clock clock_now(void)
{
    Clock c;
    clock_gettime(CLOCK_MONOTONIC, &c.wall);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c.cpu);
    return c;
}

static double seconds(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static void report(const char *what, size_t bytes, Clock t0, Clock t1)
{
    double wall = seconds(t0.wall, t1.wall), cpu = seconds(t0.cpu, t1.cpu);
    printf("%-22s %12zu bytes  %8.4f s wall  %8.4f s cpu  %8.1f MB/s (wall)  %8.1f MB/s (cpu)\n",
           what, bytes, wall, cpu, wall > 0 ? (double)bytes / wall / 1e6 : 0.0,
           cpu > 0 ? (double)bytes / cpu / 1e6 : 0.0);
}

/* The values an object is evaluated under: emit_manifests' own selection (restore Jobs are
 * written with their manual switch on); NULL when the object is not emitted. */
static const Data *object_values(Arena *a, const IrObject *obj, const Data *values)
{
    if (obj->manual_switch) {
        Data *on = data_clone(a, values);
        data_set_path(a, on, obj->manual_switch->path, data_bool(a, true));
        values = on;
    }
    return ir_cond_eval(obj->when, values) ? values : NULL;
}

/* 1: what `goversec build` runs per cluster for its manifests. Returns the bytes added. */
static size_t run_emit_manifests(const Compilation *comp, const char **err)
{
    size_t bytes = 0;
    for (int i = 0; i < comp->ir->nclusters; i++) {
        const IrCluster *c = comp->ir->clusters[i];
        Arena *scratch = arena_new();
        OutTree tree;
        outtree_init(&tree, scratch);
        bool ok = emit_manifests(scratch, c, comp->values[i], &tree, c->name, err);
        bytes += tree.bytes;
        arena_free(scratch);
        if (!ok)
            return 0;
    }
    return bytes;
}

/* 2a: evaluation only; the documents of the last run are kept in `docs` (arena `keep`). */
static size_t run_evaluate(const Compilation *comp, Arena *keep, const Data **docs, size_t *ndocs)
{
    size_t n = 0;
    for (int i = 0; i < comp->ir->nclusters; i++) {
        const IrCluster *c = comp->ir->clusters[i];
        Arena *a = keep ? keep : arena_new();
        for (const IrObject *obj = c->objects; obj; obj = obj->next) {
            const Data *v = object_values(a, obj, comp->values[i]);
            if (!v)
                continue;
            const Data *doc = ir_eval_object(a, c, obj, v);
            if (!doc)
                return 0;
            if (docs)
                docs[n] = doc;
            n++;
        }
        if (!keep)
            arena_free(a);
    }
    *ndocs = n;
    return n;
}

/* 2b: the emitter's YAML writer over already evaluated documents, one text buffer reused as
 * emit_manifests reuses it for a cluster's files. Returns the bytes written. */
static size_t run_write(const Data *const *docs, size_t ndocs)
{
    size_t bytes = 0;
    YamlOut buf = {0};
    for (size_t d = 0; d < ndocs; d++) {
        if (!yaml_write_to(&buf, docs[d])) {
            bytes = 0;
            break;
        }
        bytes += buf.len;
    }
    yaml_out_free(&buf);
    return bytes;
}

/* ---- 3: libyaml's emitter (comparison only) ------------------------------------------------- */

/* Writes every document through libyaml; counts those equal to goversec's text (`ours`). */
static size_t run_libyaml(Arena *a, const Data *const *docs, size_t ndocs, const char *const *ours,
                          const size_t *ourlen, size_t *same)
{
    size_t bytes = 0;
    for (size_t d = 0; d < ndocs; d++) {
        const char *text, *err;
        size_t len;
        if (!yaml_oracle_libyaml(a, &docs[d], 1, &text, &len, &err))
            continue;
        bytes += len;
        if (ours && len == ourlen[d] && memcmp(text, ours[d], len) == 0)
            (*same)++;
    }
    return bytes;
}

static int bench(const Compilation *comp, long iterations)
{
    const char *err = NULL;
    size_t total = 0;
    Clock t0 = clock_now();
    for (long it = 0; it < iterations; it++) {
        size_t b = run_emit_manifests(comp, &err);
        if (!b) {
            fprintf(stderr, "emit_manifests failed: %s\n", err ? err : "?");
            return 2;
        }
        total += b;
    }
    report("emit_manifests", total, t0, clock_now());

    /* The evaluated documents, once, for the write-only loop. */
    Arena *keep = arena_new();
    size_t ndocs = 0;
    run_evaluate(comp, NULL, NULL, &ndocs);
    const Data **docs = calloc(ndocs ? ndocs : 1, sizeof *docs);
    if (!docs || !run_evaluate(comp, keep, docs, &ndocs)) {
        fprintf(stderr, "evaluation failed\n");
        return 2;
    }
    size_t bytes = run_write(docs, ndocs); /* the document bytes, reported for both halves */
    t0 = clock_now();
    for (long it = 0; it < iterations; it++) {
        size_t n;
        if (!run_evaluate(comp, NULL, NULL, &n))
            return 2;
    }
    report("  evaluate IR", bytes * (size_t)iterations, t0, clock_now());
    t0 = clock_now();
    for (long it = 0; it < iterations; it++)
        if (run_write(docs, ndocs) != bytes)
            return 2;
    report("  write YAML", bytes * (size_t)iterations, t0, clock_now());

    /* 3: libyaml's emitter over the same documents, each compared with goversec's text. */
    const char **ours = calloc(ndocs ? ndocs : 1, sizeof *ours);
    size_t *ourlen = calloc(ndocs ? ndocs : 1, sizeof *ourlen);
    if (!ours || !ourlen)
        return 2;
    for (size_t d = 0; d < ndocs; d++)
        ours[d] = yaml_write_one(keep, docs[d], &ourlen[d]);
    size_t same = 0, lbytes = 0;
    long lits = iterations / 5 > 0 ? iterations / 5 : 1; /* libyaml is slower: fewer rounds */
    t0 = clock_now();
    for (long it = 0; it < lits; it++) {
        Arena *scratch = arena_new();
        lbytes += run_libyaml(scratch, docs, ndocs, it == 0 ? ours : NULL, ourlen, &same);
        arena_free(scratch);
    }
    report("  write YAML, libyaml*", lbytes, t0, clock_now());
    printf("  * libyaml's emitter (the test suite's oracle, not linked by goversec): %zu of %zu documents "
           "byte-identical to goversec's writer\n", same, ndocs);
    free(ours);
    free(ourlen);
    printf("%zu objects, %zu bytes of object YAML per iteration, %ld iterations\n", ndocs, bytes,
           iterations);
    free(docs);
    arena_free(keep);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s FILE.gv [ITERATIONS]\n", argv[0]);
        return 2;
    }
    long iterations = argc == 3 ? strtol(argv[2], NULL, 10) : 200;
    if (iterations < 1)
        iterations = 1;
    static const char *const dirs[] = {GOVERSEC_STDLIB_SOURCE_DIR};
    DriverOptions opts = {.stdlib_dirs = dirs, .nstdlib_dirs = 1};
    Compilation comp;
    driver_init(&comp);
    int status = driver_compile_file(&comp, argv[1], &opts);
    if (status != DRIVER_OK) {
        fprintf(stderr, "%s: compile failed (%d)%s%s\n%s", argv[1], status,
                comp.io_error ? ": " : "", comp.io_error ? comp.io_error : "",
                diag_render_string(&comp.diags, false));
        driver_dispose(&comp);
        return status;
    }
    int rc = bench(&comp, iterations);
    driver_dispose(&comp);
    return rc;
}
