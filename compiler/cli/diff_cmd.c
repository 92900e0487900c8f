/* diff_cmd.c - `goversec diff`: compile the description, then hand each cluster to the runtime's
 * drift detector. Exit statuses are the detector's (0 in sync, 1 drift, 2 error, 3 destructive
 * drift); for several clusters an error wins, then the most severe drift. Any compile
 * problem is an error (2). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "diff.h"

static const char DIFF_USAGE[] =
    "usage: goversec diff FILE.gv [options]\n"
    "\n"
    "Compares what FILE.gv compiles to with the live cluster (read-only) and reports drift.\n"
    "\n"
    "  --cluster NAME        only this cluster of the file\n"
    "  --context CTX         kubectl context (default: the current one)\n"
    "  --kubeconfig PATH     kubeconfig file for kubectl\n"
    "  --live DUMP           compare with a saved `kubectl get -o yaml|json` dump instead\n"
    "  --inventory PATH      inventory.yaml of the previous build (finds orphans)\n"
    "  -o, --output FORMAT   text (default) or json\n"
    "  --set / --set-string / -f / --stdlib   as for `goversec build`\n"
    "\n"
    "exit status: 0 in sync, 1 drift, 2 error, 3 drift with a destructive change\n";

/* Removes the diff-only options from argv (into `d`), leaving the shared ones for the parser. */
static int take_diff_options(int *argc, char **argv, DiffOptions *d)
{
    int out = 2;
    for (int i = 2; i < *argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        const char *names[] = {"--context", "--kubeconfig", "--live", "--inventory", "-o", "--output"};
        const char **slots[] = {&d->context, &d->kubeconfig, &d->live_path, &d->inventory_path, NULL, NULL};
        size_t which = 0;
        for (; which < sizeof names / sizeof *names; which++) {
            size_t n = strlen(names[which]);
            if (strncmp(a, names[which], n) == 0 && (a[n] == '\0' || a[n] == '='))
                break;
        }
        if (which == sizeof names / sizeof *names) {
            argv[out++] = argv[i];
            continue;
        }
        const char *value = strchr(a, '=') ? strchr(a, '=') + 1 : (i + 1 < *argc ? argv[++i] : NULL);
        if (!value)
            return cli_usage_error("%s needs a value", a);
        slot = slots[which];
        if (slot) {
            *slot = value;
        } else if (strcmp(value, "text") == 0) {
            d->format = DIFF_FORMAT_TEXT;
        } else if (strcmp(value, "json") == 0) {
            d->format = DIFF_FORMAT_JSON;
        } else {
            return cli_usage_error("unknown output format '%s' (use text or json)", value);
        }
    }
    *argc = out;
    return DRIVER_OK;
}

int cli_diff(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return fputs(DIFF_USAGE, stdout), DRIVER_OK;
    DiffOptions d = {0};
    CliOptions *o = calloc(1, sizeof *o);
    if (!o)
        return DIFF_EXIT_ERROR;
    int status = take_diff_options(&argc, argv, &d);
    if (status == DRIVER_OK)
        status = cli_parse_options(argc, argv, o);
    if (status == DRIVER_OK && !o->input)
        status = cli_usage_error("%s", "`goversec diff` needs an input file");
    if (status != DRIVER_OK) {
        free(o);
        return DIFF_EXIT_ERROR;
    }
    cli_add_stdlib_defaults(o);
    o->color = cli_use_color(stderr);
    d.color = cli_use_color(stdout);

    DriverOptions dopts;
    cli_driver_options(o, &dopts);
    Compilation comp;
    driver_init(&comp);
    status = cli_report(&comp, driver_compile_file(&comp, o->input, &dopts), o->color);
    if (status != DRIVER_OK) {
        status = DIFF_EXIT_ERROR;
    } else {
        /* Several clusters: an error anywhere wins (the verdict is incomplete), then the
         * most severe drift. */
        bool failed = false;
        for (int i = 0; i < comp.ir->nclusters; i++) {
            int s = diff_run(comp.arena, &d, comp.ir->clusters[i], comp.values[i], stdout, stderr);
            failed |= s == DIFF_EXIT_ERROR;
            if (s != DIFF_EXIT_ERROR && s > status)
                status = s;
        }
        if (failed)
            status = DIFF_EXIT_ERROR;
    }
    driver_dispose(&comp);
    free(o);
    return status;
}
