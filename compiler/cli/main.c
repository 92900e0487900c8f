/* main.c - the goversec command line: argument parsing, the build/check/fmt/diff commands,
 * diagnostics output and exit statuses (0 ok, 1 errors in the input, 2 usage or I/O errors).
 * All compiling goes through driver.h; this file only wires options to it. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "driver/driver.h"
#include "syntax/syntax.h"

static const char USAGE[] =
    "usage: goversec <command> [options]\n"
    "\n"
    "commands:\n"
    "  build FILE.gv -o DIR   compile to DIR/<cluster>/manifests (and the chart)\n"
    "  check FILE.gv          type-check only; print diagnostics\n"
    "  fmt FILE.gv            print the canonical formatting (-w: rewrite the file,\n"
    "                         --check: exit 1 when the file is not formatted)\n"
    "  diff FILE.gv           compare with the live cluster (see `goversec diff --help`)\n"
    "\n"
    "options for build and check:\n"
    "  -o, --output DIR       output directory (build); replaced atomically\n"
    "  --cluster NAME         only this cluster of the file\n"
    "  --set PATH=VALUE       override a chart value (repeatable; Helm --set syntax)\n"
    "  --set-string PATH=VAL  the same, keeping VALUE a string\n"
    "  -f, --values FILE      merge a values file (repeatable; applied before --set)\n"
    "  --stdlib DIR           search DIR first for `use` libraries\n"
    "  --force                replace an output directory goversec did not create\n"
    "  -Werror                treat warnings as errors\n"
    "  -q, --quiet            print nothing on success\n"
    "\n"
    "  -h, --help             this help      --version   print the version\n"
    "\n"
    "exit status: 0 success, 1 errors in the input, 2 usage or I/O errors\n"
    "environment: NO_COLOR disables colour; GOVERSEC_STDLIB adds a library directory\n";

static void add_stdlib_defaults(CliOptions *o)
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

static int usage_error(const char *fmt, const char *arg)
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

static int parse_options(int argc, char **argv, CliOptions *o)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        if (matches(a, "-o") || matches(a, "--output")) {
            if (!(v = option_value(argc, argv, &i, matches(a, "-o") ? "-o" : "--output")))
                return usage_error("%s needs a directory", a);
            o->output = v;
        } else if (matches(a, "--cluster")) {
            if (!(v = option_value(argc, argv, &i, "--cluster")))
                return usage_error("%s needs a cluster name", a);
            o->cluster = v;
        } else if (matches(a, "--set") || matches(a, "--set-string")) {
            bool str = matches(a, "--set-string");
            if (!(v = option_value(argc, argv, &i, str ? "--set-string" : "--set")))
                return usage_error("%s needs PATH=VALUE", a);
            if (o->nsets >= CLI_MAX_LIST)
                return usage_error("too many %s options", a);
            if (str)
                o->set_strings[o->nset_strings++] = v;
            else
                o->sets[o->nsets++] = v;
        } else if (matches(a, "-f") || matches(a, "--values")) {
            if (!(v = option_value(argc, argv, &i, matches(a, "-f") ? "-f" : "--values")))
                return usage_error("%s needs a file", a);
            if (o->nvalues >= CLI_MAX_LIST)
                return usage_error("too many %s options", a);
            o->values_files[o->nvalues++] = v;
        } else if (matches(a, "--stdlib")) {
            if (!(v = option_value(argc, argv, &i, "--stdlib")))
                return usage_error("%s needs a directory", a);
            if (o->nstdlib >= CLI_MAX_LIST - 8)
                return usage_error("too many %s options", a);
            o->stdlib_dirs[o->nstdlib++] = v;
        } else if (strcmp(a, "--force") == 0) {
            o->force = true;
        } else if (strcmp(a, "-w") == 0 || strcmp(a, "--write") == 0) {
            o->write = true;
        } else if (strcmp(a, "--check") == 0) {
            o->check_only = true;
        } else if (strcmp(a, "-Werror") == 0) {
            o->werror = true;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option '%s'", a);
        } else if (!o->input) {
            o->input = a;
        } else {
            return usage_error("unexpected argument '%s' (one input file at a time)", a);
        }
    }
    return DRIVER_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return fputs(USAGE, stderr), DRIVER_USAGE_ERROR;
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0)
        return fputs(USAGE, stdout), DRIVER_OK;
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0)
        return printf("goversec %s\n", GOVERSEC_VERSION), DRIVER_OK;
    if (strcmp(cmd, "diff") == 0)
        return cli_diff(argc, argv);

    CliOptions o = {0};
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return fputs(USAGE, stdout), DRIVER_OK;
    int status = parse_options(argc, argv, &o);
    if (status != DRIVER_OK)
        return status;
    add_stdlib_defaults(&o);
    o.color = cli_use_color(stderr);

    if (strcmp(cmd, "build") == 0)
        return cli_build(&o);
    if (strcmp(cmd, "check") == 0)
        return cli_check(&o);
    if (strcmp(cmd, "fmt") == 0)
        return cli_fmt(&o);
    return usage_error("unknown command '%s'", cmd);
}
