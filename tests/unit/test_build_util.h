/* test_build_util.h - compiling one cluster's body through the whole driver in unit tests, with
 * the source stdlib and optional --set values; a compile failure fails the test with the
 * rendered diagnostics. */
#ifndef GOVERSEC_TEST_BUILD_UTIL_H
#define GOVERSEC_TEST_BUILD_UTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "driver/driver.h"

typedef struct Built {
    Compilation comp;
} Built;

/* `cluster "NAME" { namespace "NS" BODY }` compiled with `sets` applied. */
static inline Built *build_cluster(const char *name, const char *ns, const char *body,
                                   const char *const *sets, int nsets)
{
    static const char *const dirs[] = {TESTS_DIR "/../stdlib"};
    Built *b = calloc(1, sizeof *b);
    driver_init(&b->comp);
    const char *text =
        arena_printf(b->comp.arena, "cluster \"%s\" {\n namespace \"%s\"\n%s}\n", name, ns, body);
    DriverOptions opts = {.stdlib_dirs = dirs, .nstdlib_dirs = 1, .sets = sets, .nsets = nsets};
    int status = driver_compile_text(&b->comp, "t.gv", text, strlen(text), &opts);
    if (status != DRIVER_OK)
        fail_msg("compile failed (%d): %s", status, diag_render_string(&b->comp.diags, false));
    return b;
}

static inline void built_free(Built *b)
{
    driver_dispose(&b->comp);
    free(b);
}

#endif
