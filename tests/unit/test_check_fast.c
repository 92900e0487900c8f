/* test_check_fast.c - `goversec check` without overrides skips lowering and values
 * (driver_check): on every case of the diagnostics corpus (tests/diagnostics/cases), every
 * example and a generated 20-cluster fleet, the fast path must report exactly what the full path
 * reports (driver_check_file + driver_stream: lowering and default values of every cluster) -
 * the same status and the same rendered diagnostics, byte for byte. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "driver/driver.h"

static const char *const DIRS[] = {GOVERSEC_STDLIB_SOURCE_DIR};

/* The status and diagnostics of one path, copied out of the compilation. */
static char *run(const char *path, bool full, int *status)
{
    DriverOptions opts = {.stdlib_dirs = DIRS, .nstdlib_dirs = 1};
    Compilation comp;
    driver_init(&comp);
    assert_false(driver_check_needs_lowering(&opts));
    if (full) {
        *status = driver_check_file(&comp, path, &opts);
        const char *emit_err = NULL;
        if (*status == DRIVER_OK)
            *status = driver_stream(&comp, &opts, NULL, &emit_err);
    } else {
        *status = driver_check(&comp, path, &opts);
    }
    char *text = strdup(diag_render_string(&comp.diags, false));
    driver_dispose(&comp);
    return text;
}

static int compare_dir(const char *dir, int *with_errors)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".gv") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int fast_status, full_status;
        char *fast = run(path, false, &fast_status);
        char *full = run(path, true, &full_status);
        if (fast_status != full_status || strcmp(fast, full) != 0)
            fail_msg("%s: check without lowering: status %d\n%s\nwith lowering: status %d\n%s", path,
                     fast_status, fast, full_status, full);
        *with_errors += fast_status != 0;
        free(fast);
        free(full);
        n++;
    }
    closedir(d);
    return n;
}

static void test_diagnostics_corpus(void **state)
{
    (void)state;
    int errors = 0;
    int n = compare_dir(TESTS_DIR "/diagnostics/cases", &errors);
    assert_true(n >= 20);
    assert_true(errors >= 10); /* the corpus is mostly errors: both paths must agree on them */
    assert_true(n - errors >= 5); /* and some cases get past the checker, where the paths part */
}

static void test_examples(void **state)
{
    (void)state;
    int errors = 0;
    assert_true(compare_dir(TESTS_DIR "/../examples", &errors) >= 5);
    assert_int_equal(errors, 0);
}

static void test_generated_fleet(void **state)
{
    (void)state;
    char dir[] = "/tmp/goversec-check-fast.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "bash '%s/../bench/gen-fleet.sh' 20 > '%s/fleet.gv'", TESTS_DIR, dir);
    assert_int_equal(system(cmd), 0);
    int errors = 0;
    assert_int_equal(compare_dir(dir, &errors), 1);
    assert_int_equal(errors, 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diagnostics_corpus),
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_generated_fleet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
