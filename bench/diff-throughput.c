/* diff-throughput.c - where the time of `goversec diff --live DUMP` goes at scale (issue 13: 100 000
 * objects against a dump in under 3 s and 1 GiB; bench/targets.sh times the command itself and
 * prints these phases under it). Runs diff's own path - compile FILE.gv, evaluate the desired
 * objects as diff_run does, drift_parse_live on the dump, drift_compare with unified diffs, the
 * text report - timing each phase; the dump is read with read(2) (the command reads it with
 * source_load_limited, up to 1 GiB: runtime/diff.c, live_from_file).
 * Prints the phases' wall and CPU times and the peak RSS. Usage: goversec-bench-diff FILE.gv DUMP */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "driver/driver.h"
#include "drift.h"

static double now(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void phase(const char *what, double *w, double *c)
{
    double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
    fprintf(stderr, "%-28s %8.3f s wall %8.3f s cpu\n", what, w1 - *w, c1 - *c);
    *w = w1;
    *c = c1;
}

static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        return NULL;
    char *text = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (text && got < (size_t)st.st_size) {
        ssize_t r = read(fd, text + got, (size_t)st.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!text || got != (size_t)st.st_size)
        return free(text), NULL;
    text[got] = '\0';
    *len = got;
    return text;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return fprintf(stderr, "usage: %s FILE.gv DUMP\n", argv[0]), 2;
    double w = now(CLOCK_MONOTONIC), c = now(CLOCK_PROCESS_CPUTIME_ID), w0 = w, c0 = c;
    static const char *const dirs[] = {GOVERSEC_STDLIB_SOURCE_DIR};
    DriverOptions opts = {.stdlib_dirs = dirs, .nstdlib_dirs = 1};
    Compilation comp;
    driver_init(&comp);
    if (driver_compile_file(&comp, argv[1], &opts) != DRIVER_OK || comp.ir->nclusters < 1)
        return fprintf(stderr, "%s: compile failed\n", argv[1]), 2;
    const IrCluster *cl = comp.ir->clusters[0];
    Arena *a = comp.arena;
    size_t cap = 1;
    for (const IrObject *o = cl->objects; o; o = o->next)
        cap++;
    Data **desired = ARENA_ARRAY(a, Data *, cap);
    size_t ndesired = 0;
    IrEvalMemo memo = {0};
    for (const IrObject *o = cl->objects; o; o = o->next) /* as diff.c's desired_objects */
        if (!o->manual_switch) {
            Data *d = ir_eval_object_memo(a, cl, o, comp.values[0], &memo);
            if (d)
                desired[ndesired++] = d;
        }
    phase("compile + desired objects", &w, &c);
    size_t len = 0;
    char *text = slurp(argv[2], &len);
    if (!text)
        return fprintf(stderr, "%s: cannot read\n", argv[2]), 2;
    phase("read the dump", &w, &c);
    Data **live = NULL;
    long nlive = drift_parse_live(a, argv[2], text, len, &live, stderr);
    if (nlive < 0)
        return 2;
    phase("parse the dump", &w, &c);
    const char *ns = cl->namespace_name ? cl->namespace_name : cl->name;
    DriftInput in = {.cluster = cl->name, .namespace_name = ns, .desired = desired, .ndesired = ndesired,
                     .live = live, .nlive = (size_t)nlive, .want_diff_text = true};
    DriftReport *r = drift_compare(a, &in);
    phase("compare", &w, &c);
    FILE *devnull = fopen("/dev/null", "w");
    drift_report_text(r, devnull ? devnull : stdout, false);
    phase("report", &w, &c);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%zu bytes, %ld live objects, %zu desired: %zu unchanged, %zu changed, %zu missing, %zu orphaned; "
           "exit status %d\ntotal %.3f s wall %.3f s cpu, peak RSS %.1f MiB\n",
           len, nlive, ndesired, r->nunchanged, r->nchanged, r->nmissing, r->norphaned, drift_exit_status(r),
           w - w0, c - c0, (double)ru.ru_maxrss / 1024.0);
    free(text);
    driver_dispose(&comp);
    return 0;
}
