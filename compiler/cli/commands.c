/* commands.c - `goversec build`, `check` and `fmt`: run the driver, print diagnostics with the
 * summary line, write the output tree atomically, and map outcomes to exit statuses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "support/strbuf.h"
#include "syntax/syntax.h"

bool cli_use_color(FILE *fp)
{
    const char *no_color = getenv("NO_COLOR");
    if (no_color && *no_color)
        return false;
    return isatty(fileno(fp)) != 0;
}

void cli_driver_options(const CliOptions *o, DriverOptions *d)
{
    memset(d, 0, sizeof *d);
    d->only_cluster = o->cluster;
    d->stdlib_dirs = o->stdlib_dirs;
    d->nstdlib_dirs = o->nstdlib;
    d->sets = o->sets;
    d->nsets = o->nsets;
    d->set_strings = o->set_strings;
    d->nset_strings = o->nset_strings;
    d->values_files = o->values_files;
    d->nvalues_files = o->nvalues;
    d->warnings_as_errors = o->werror;
    d->charts = o->charts;
}

int cli_report(Compilation *comp, int status, bool color)
{
    if (status == DRIVER_USAGE_ERROR && comp->io_error) {
        fprintf(stderr, "goversec: error: %s\n", comp->io_error);
        return status;
    }
    /* One write for all diagnostics and the summary: stderr is unbuffered, and rendering straight
     * to it cost a write(2) per fragment (~50 per warning, a third of a build's system calls). */
    StrBuf text;
    strbuf_init(&text, comp->arena);
    diag_render_to(&comp->diags, &text, color);
    diag_summary_to(&comp->diags, &text);
    if (text.len)
        fwrite(text.data, 1, text.len, stderr); /* with the length: a source line may hold a NUL byte */
    if (status == DRIVER_OK && diag_has_errors(&comp->diags))
        status = DRIVER_INPUT_ERROR;
    return status;
}

static int need_input(const CliOptions *o, const char *cmd)
{
    if (o->input)
        return DRIVER_OK;
    fprintf(stderr, "goversec: error: `goversec %s` needs an input file\n", cmd);
    return DRIVER_USAGE_ERROR;
}

int cli_check(const CliOptions *o)
{
    int status = need_input(o, "check");
    if (status)
        return status;
    DriverOptions d;
    cli_driver_options(o, &d);
    Compilation comp;
    driver_init(&comp);
    /* With --set/--set-string/-f the values are checked too (lowering each cluster to know its
     * knobs, one at a time); without them lowering has nothing to report (driver_check). */
    status = driver_check(&comp, o->input, &d);
    status = cli_report(&comp, status, o->color);
    driver_dispose(&comp);
    return status;
}

/* --time-report: milliseconds per phase; "other" is option parsing, printing diagnostics and
 * whatever else ran between the marks. Process start-up and exit happen outside main's reach. */
static void print_time_report(const PhaseTimes *t)
{
    double sum = 0, total = t->last - t->start;
    fputs("goversec: time report (wall clock, ms; manifests and chart include writing their files)\n", stderr);
    for (int p = 0; p < PHASE_COUNT; p++) {
        fprintf(stderr, "  %-12s %8.3f\n", phase_name((DriverPhase)p), t->us[p] / 1e3);
        sum += t->us[p];
    }
    fprintf(stderr, "  %-12s %8.3f\n  %-12s %8.3f\n", "other", (total - sum) / 1e3, "total", total / 1e3);
    fprintf(stderr, "  %-12s %8.3f   (part of manifests and chart: creating their files)\n", "files",
            t->files_us / 1e3);
}

int cli_build(const CliOptions *o)
{
    int status = need_input(o, "build");
    if (status)
        return status;
    if (!o->output) {
        fputs("goversec: error: `goversec build` needs an output directory (-o DIR)\n", stderr);
        return DRIVER_USAGE_ERROR;
    }
    PhaseTimes times;
    if (o->time_report)
        phase_times_begin(&times);
    DriverOptions d;
    cli_driver_options(o, &d);
    d.times = o->time_report ? &times : NULL;
    Compilation comp;
    driver_init(&comp);
    status = driver_check_file(&comp, o->input, &d);
    phase_mark(d.times, PHASE_CHECK);
    if (status != DRIVER_OK) {
        status = cli_report(&comp, status, o->color);
        driver_dispose(&comp);
        return status;
    }
    /* Streamed: the target is checked and the temporary directory made before emission, each
     * cluster's files are written there as soon as it is emitted, and the whole tree is swapped
     * in at the end (outtree.h); any failure removes the temporary directory and leaves the
     * target as it was. Messages keep the order of a build that commits at the end: the
     * diagnostics first, then at most one I/O error, and none when the input has errors. */
    OutTree tree;
    outtree_init(&tree, comp.arena);
    if (o->no_sync)
        tree.sync = OUTTREE_SYNC_NONE;
    tree.files_us = d.times ? &d.times->files_us : NULL;
    char buf[1024];
    bool begun = outtree_begin(&tree, o->output, o->force, buf, sizeof buf) == 0;
    phase_mark(d.times, PHASE_TREE);
    const char *emit_err = NULL;
    status = driver_stream(&comp, &d, begun ? &tree : NULL, &emit_err);
    phase_mark(d.times, PHASE_MANIFESTS); /* the fleet's Argo CD objects, written last */
    status = cli_report(&comp, status, o->color);
    phase_skip(d.times);
    if (status != DRIVER_OK) {
        outtree_abort(&tree);
    } else if (!begun) {
        fprintf(stderr, "goversec: error: %s\n", buf);
        status = DRIVER_USAGE_ERROR;
    } else if (emit_err) {
        outtree_abort(&tree);
        fprintf(stderr, "goversec: error: %s\n", emit_err);
        status = DRIVER_USAGE_ERROR;
    } else if (outtree_finish(&tree, buf, sizeof buf) != 0) {
        fprintf(stderr, "goversec: error: %s\n", buf);
        status = DRIVER_USAGE_ERROR;
    } else if (!o->quiet) {
        int n = comp.model->nclusters;
        printf("wrote %zu files (%zu bytes) for %d cluster%s to %s\n", tree.count, tree.bytes, n,
               n == 1 ? "" : "s", o->output);
    }
    phase_mark(d.times, PHASE_TREE);
    if (d.times && status == DRIVER_OK)
        print_time_report(d.times);
    driver_dispose(&comp);
    return status;
}

/* Replaces `path` with `text` through a temporary file in the same directory. */
static int write_in_place(const char *path, const char *text)
{
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp)
        return -1;
    snprintf(tmp, len + 16, "%s.fmt-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    FILE *fp = fdopen(fd, "w");
    int ok = fp && fputs(text, fp) >= 0;
    ok = fp && fclose(fp) == 0 && ok;
    if (ok && rename(tmp, path) == 0) {
        free(tmp);
        return 0;
    }
    int saved = errno;
    unlink(tmp);
    free(tmp);
    errno = saved;
    return -1;
}

int cli_fmt(const CliOptions *o)
{
    int status = need_input(o, "fmt");
    if (status)
        return status;
    Compilation comp;
    driver_init(&comp);
    const char *err = NULL;
    SourceFile *file = source_load(&comp.sources, o->input, &err);
    if (!file) {
        fprintf(stderr, "goversec: error: cannot read '%s': %s\n", o->input, err);
        driver_dispose(&comp);
        return DRIVER_USAGE_ERROR;
    }
    Unit *unit = syntax_parse(comp.arena, file, &comp.diags);
    status = cli_report(&comp, unit ? DRIVER_OK : DRIVER_INPUT_ERROR, o->color);
    if (status == DRIVER_OK) {
        const char *text = syntax_format(comp.arena, unit);
        bool same = strcmp(text, file->text) == 0;
        if (o->check_only) {
            if (!same)
                fprintf(stderr, "%s: not formatted (run `goversec fmt -w %s`)\n", o->input, o->input);
            status = same ? DRIVER_OK : DRIVER_INPUT_ERROR;
        } else if (o->write) {
            if (!same && write_in_place(o->input, text) != 0) {
                fprintf(stderr, "goversec: error: cannot write '%s': %s\n", o->input, strerror(errno));
                status = DRIVER_USAGE_ERROR;
            }
        } else {
            fputs(text, stdout);
        }
    }
    driver_dispose(&comp);
    return status;
}
