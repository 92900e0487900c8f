/* cli.h - shared state of the command-line front end: parsed options and the commands. */
#ifndef GOVERSEC_CLI_H
#define GOVERSEC_CLI_H
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "driver/driver.h"

enum { CLI_MAX_LIST = 256 };

typedef struct CliOptions {
    const char *input;
    const char *output;
    const char *cluster;
    const char *sets[CLI_MAX_LIST];
    int nsets;
    const char *set_strings[CLI_MAX_LIST];
    int nset_strings;
    const char *values_files[CLI_MAX_LIST];
    int nvalues;
    const char *stdlib_dirs[CLI_MAX_LIST];
    int nstdlib;
    char exe_stdlib[PATH_MAX + 32];
    bool force, write, check_only, werror, quiet, color;
    bool no_sync; /* --no-sync: skip the syncfs before the atomic swap (outtree.h) */
    bool time_report; /* --time-report: the phases' times on stderr after a build */
    ChartLayout charts; /* --charts shared|per-cluster|none (driver.h) */
} CliOptions;

bool cli_use_color(FILE *fp);
int cli_usage_error(const char *fmt, const char *arg);
/* Parses argv[2..] into o; returns DRIVER_OK or DRIVER_USAGE_ERROR (message printed). */
int cli_parse_options(int argc, char **argv, CliOptions *o);
void cli_add_stdlib_defaults(CliOptions *o);
void cli_driver_options(const CliOptions *o, DriverOptions *d);
/* Prints the diagnostics and the "N errors generated." line; returns the compile status. */
int cli_report(Compilation *comp, int status, bool color);

int cli_build(const CliOptions *o);
int cli_check(const CliOptions *o);
int cli_fmt(const CliOptions *o);
int cli_diff(int argc, char **argv);

#endif
