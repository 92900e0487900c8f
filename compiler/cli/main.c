/* main.c - the goversec command line: argument parsing, the build/check/fmt/diff commands,
 * diagnostics output and exit statuses (0 ok, 1 errors in the input, 2 usage or I/O errors).
 * All compiling goes through driver.h; this file only wires options to it. */
#define _GNU_SOURCE /* sbrk, MADV_HUGEPAGE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "cli/cli.h"
#include "driver/driver.h"

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
    "  --charts MODE          Helm charts: per-cluster (DIR/<cluster>/chart), shared\n"
    "                         (DIR/charts/<name> per shape + DIR/<cluster>/values.yaml)\n"
    "                         or none; default: per-cluster for one cluster, shared for\n"
    "                         a fleet\n"
    "  --force                replace an output directory goversec did not create\n"
    "  -Werror                treat warnings as errors\n"
    "  --no-sync              do not sync the new tree to disk before the swap (still\n"
    "                         atomic for readers; not crash-durable)\n"
    "  -q, --quiet            print nothing on success\n"
    "  --time-report          print the time of each phase on stderr (build)\n"
    "\n"
    "  -h, --help             this help      --version   print the version\n"
    "\n"
    "exit status: 0 success, 1 errors in the input, 2 usage or I/O errors\n"
    "environment: NO_COLOR disables colour; GOVERSEC_STDLIB adds a library directory\n";

#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
/* Puts the heap's next HUGE_SPAN bytes on transparent huge pages (THP in `madvise` mode: only
 * memory that asks gets them). A build touches ~1.3 MB of heap for one cluster, ~260 first-touch
 * faults of a 4 KiB page at ~2.5 us each; on a huge page that is one fault (77 instead of 306 for
 * examples/design-doc.gv, task-clock 0.5-1.2 ms lower in 3x30 alternated runs; a 1000-cluster
 * fleet: 4540 -> 335 faults, same time and peak RSS).
 * THP needs a 2 MiB-aligned range that nothing has touched yet, and glibc's heap is neither:
 *  - the break is moved up to one page below a 2 MiB boundary (the skipped addresses are only
 *    reserved, never touched: no memory);
 *  - a ballast block is allocated and freed, which makes malloc extend its heap from there (the
 *    old top's remainder stays usable). Its headers are written one page below the boundary and
 *    BALLAST bytes above it, outside the range that is then advised;
 *  - the range is advised MADV_HUGEPAGE; the first allocation that reaches it takes a huge page.
 * The heap the C library started before main (~130 KiB, nearly all free in a static build) would
 * be used first, on small pages (~30 faults): a block that is never touched takes it first; the
 * caller frees it at exit. Any step that fails leaves ordinary pages: nothing else depends on it.
 * Returns that block, or NULL. */
static void *heap_on_huge_pages(void)
{
    enum { HUGE = 2 << 20, HUGE_SPAN = 14 << 20, BALLAST = HUGE_SPAN + (1 << 20), PAGE = 4096 };
    mallopt(M_MMAP_THRESHOLD, 2 * BALLAST); /* the blocks below from the heap, not from mmap */
    void *initial = NULL;
#if __GLIBC_PREREQ(2, 33)
    size_t top = mallinfo2().keepcost; /* the free top of the heap malloc has now */
    if (top > 2 * PAGE)
        initial = malloc(top - PAGE);
#endif
    char *cur = sbrk(0);
    uintptr_t start = ((uintptr_t)cur + 2 * PAGE + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
    if (cur != (char *)-1 && sbrk((intptr_t)(start - PAGE - (uintptr_t)cur)) != (void *)-1) {
        void *volatile ballast = malloc(BALLAST); /* volatile: the pair must not be optimized away */
        free(ballast);
        if ((uintptr_t)sbrk(0) >= start + HUGE_SPAN)
            madvise((void *)start, HUGE_SPAN, MADV_HUGEPAGE);
    }
    mallopt(M_MMAP_THRESHOLD, 128 << 10); /* glibc's default again */
    return initial;
}
#endif

/* A command's options parsed and the command run. */
static int run_command(const char *cmd, int argc, char **argv, CliOptions *o)
{
    int status = cli_parse_options(argc, argv, o);
    if (status != DRIVER_OK)
        return status;
    cli_add_stdlib_defaults(o);
    o->color = cli_use_color(stderr);

    if (strcmp(cmd, "build") == 0)
        return cli_build(o);
    if (strcmp(cmd, "check") == 0)
        return cli_check(o);
    if (strcmp(cmd, "fmt") == 0)
        return cli_fmt(o);
    return cli_usage_error("unknown command '%s'", cmd);
}

static int run(int argc, char **argv)
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

    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return fputs(USAGE, stdout), DRIVER_OK;
    /* On the heap, not the stack: zeroed there, its ~12 KB were three more stack pages faulted
     * in (~2 us each), where a build's heap is the huge page main set up. */
    CliOptions *o = calloc(1, sizeof *o);
    if (!o)
        return fputs("goversec: error: out of memory\n", stderr), DRIVER_USAGE_ERROR;
    int status = run_command(cmd, argc, argv, o);
    free(o);
    return status;
}

int main(int argc, char **argv)
{
    void *reserved = NULL;
#ifdef __GLIBC__
    /* Arenas are freed cluster by cluster: without these, glibc hands the heap top back to the
     * kernel after each cluster and asks for it again for the next (brk pairs, fresh page faults). */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
#ifdef MADV_HUGEPAGE
    /* Only the commands that build the IR of whole clusters: the kernel zeroes all 2 MiB of a huge
     * page at its first touch (~0.3 ms here), which `check` (~50 KB of heap for the design-doc
     * example), `fmt` and `--version` would pay for nothing. */
    if (argc > 1 && (strcmp(argv[1], "build") == 0 || strcmp(argv[1], "diff") == 0))
        reserved = heap_on_huge_pages();
#endif
#endif
    int status = run(argc, argv);
    free(reserved);
    return status;
}
