/* fuzz_pipeline.c - libFuzzer harness over the whole pipeline in memory: parse, check, lower,
 * resolve values, emit manifests and chart into an OutTree, render diagnostics. Nothing touches
 * the disk. Built only with -DGOVERSEC_FUZZ=ON and clang (see tests/fuzz/run.sh). */
#include <stddef.h>
#include <stdint.h>

#include "driver/driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const stdlib_dirs[] = {GOVERSEC_STDLIB_SOURCE_DIR};
    DriverOptions opts = {.stdlib_dirs = stdlib_dirs, .nstdlib_dirs = 1};
    Compilation comp;
    driver_init(&comp);
    if (driver_compile_text(&comp, "fuzz.gv", (const char *)data, size, &opts) == DRIVER_OK) {
        OutTree tree;
        outtree_init(&tree, comp.arena);
        const char *err = NULL;
        (void)driver_emit(&comp, &opts, &tree, &err);
    }
    (void)diag_render_string(&comp.diags, false);
    driver_dispose(&comp);
    return 0;
}
