/* options.c - parsing the options shared by build, check, fmt and diff, and the library search
 * path. Options may come in any order, as `--opt VALUE` or `--opt=VALUE`. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

void cli_add_stdlib_defaults(CliOptions *o)
{
    const char *env = getenv("GOVERSEC_STDLIB");
    if (env && *env)
        o->stdlib_dirs[o->nstdlib++] = env;
    /* Next to an installed binary: <prefix>/bin/goversec -> <prefix>/share/goversec/stdlib. */
    char *exe_dir = o->exe_stdlib;
    ssize_t n = readlink("/proc/self/exe", exe_dir, PATH_MAX);
    if (n > 0) {
        exe_dir[n] = '\0';
        char *slash = strrchr(exe_dir, '/');
        if (slash) {
            strcpy(slash, "/../share/goversec/stdlib");
            o->stdlib_dirs[o->nstdlib++] = exe_dir;
        }
    }
    o->stdlib_dirs[o->nstdlib++] = GOVERSEC_STDLIB_INSTALL_DIR;
    o->stdlib_dirs[o->nstdlib++] = GOVERSEC_STDLIB_SOURCE_DIR;
}

int cli_usage_error(const char *fmt, const char *arg)
{
    fputs("goversec: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(run `goversec --help` for usage)\n", stderr);
    return DRIVER_USAGE_ERROR;
}

/* Takes the value of an option written `--opt VALUE` or `--opt=VALUE`. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    const char *arg = argv[*i];
    size_t len = strlen(name);
    if (strncmp(arg, name, len) == 0 && arg[len] == '=')
        return arg + len + 1;
    if (strcmp(arg, name) == 0 && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static bool matches(const char *arg, const char *name)
{
    size_t len = strlen(name);
    return strncmp(arg, name, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
}

int cli_parse_options(int argc, char **argv, CliOptions *o)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        if (matches(a, "-o") || matches(a, "--output")) {
            if (!(v = option_value(argc, argv, &i, matches(a, "-o") ? "-o" : "--output")))
                return cli_usage_error("%s needs a directory", a);
            o->output = v;
        } else if (matches(a, "--cluster")) {
            if (!(v = option_value(argc, argv, &i, "--cluster")))
                return cli_usage_error("%s needs a cluster name", a);
            o->cluster = v;
        } else if (matches(a, "--set") || matches(a, "--set-string")) {
            bool str = matches(a, "--set-string");
            if (!(v = option_value(argc, argv, &i, str ? "--set-string" : "--set")))
                return cli_usage_error("%s needs PATH=VALUE", a);
            if (o->nsets >= CLI_MAX_LIST)
                return cli_usage_error("too many %s options", a);
            if (str)
                o->set_strings[o->nset_strings++] = v;
            else
                o->sets[o->nsets++] = v;
        } else if (matches(a, "-f") || matches(a, "--values")) {
            if (!(v = option_value(argc, argv, &i, matches(a, "-f") ? "-f" : "--values")))
                return cli_usage_error("%s needs a file", a);
            if (o->nvalues >= CLI_MAX_LIST)
                return cli_usage_error("too many %s options", a);
            o->values_files[o->nvalues++] = v;
        } else if (matches(a, "--stdlib")) {
            if (!(v = option_value(argc, argv, &i, "--stdlib")))
                return cli_usage_error("%s needs a directory", a);
            if (o->nstdlib >= CLI_MAX_LIST - 8)
                return cli_usage_error("too many %s options", a);
            o->stdlib_dirs[o->nstdlib++] = v;
        } else if (matches(a, "--charts")) {
            if (!(v = option_value(argc, argv, &i, "--charts")))
                return cli_usage_error("%s needs shared, per-cluster or none", a);
            if (!strcmp(v, "shared"))
                o->charts = CHARTS_SHARED;
            else if (!strcmp(v, "per-cluster"))
                o->charts = CHARTS_PER_CLUSTER;
            else if (!strcmp(v, "none"))
                o->charts = CHARTS_NONE;
            else
                return cli_usage_error("--charts takes shared, per-cluster or none, not '%s'", v);
        } else if (strcmp(a, "--force") == 0) {
            o->force = true;
        } else if (strcmp(a, "-w") == 0 || strcmp(a, "--write") == 0) {
            o->write = true;
        } else if (strcmp(a, "--check") == 0) {
            o->check_only = true;
        } else if (strcmp(a, "-Werror") == 0) {
            o->werror = true;
        } else if (strcmp(a, "--no-sync") == 0) {
            o->no_sync = true;
        } else if (strcmp(a, "--time-report") == 0) {
            o->time_report = true;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("unknown option '%s'", a);
        } else if (!o->input) {
            o->input = a;
        } else {
            return cli_usage_error("unexpected argument '%s' (one input file at a time)", a);
        }
    }
    return DRIVER_OK;
}

