/* test_diff_linediff.c - the unified line diff used by `goversec diff`: exact hunk headers and
 * context, separate and merged hunks, pure insertions/deletions, and equal inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "drift.h"

static void test_equal_is_empty(void **state)
{
    (void)state;
    Arena *a = arena_new();
    assert_string_equal(drift_unified_diff(a, "a\nb\n", "a\nb\n", "old", "new"), "");
    arena_free(a);
}

static void test_one_change_with_context(void **state)
{
    (void)state;
    Arena *a = arena_new();
    const char *d = drift_unified_diff(a, "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nX\n6\n7\n8\n9\n", "old", "new");
    assert_string_equal(d, "--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n");
    arena_free(a);
}

static void test_far_changes_make_two_hunks(void **state)
{
    (void)state;
    Arena *a = arena_new();
    const char *d = drift_unified_diff(a, "a\n1\n2\n3\n4\n5\n6\n7\n8\nb\n", "A\n1\n2\n3\n4\n5\n6\n7\n8\nB\n", "o", "n");
    assert_string_equal(d, "--- o\n+++ n\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-b\n+B\n");
    arena_free(a);
}

static void test_near_changes_merge(void **state)
{
    (void)state;
    Arena *a = arena_new();
    const char *d = drift_unified_diff(a, "a\n1\n2\n3\nb\n", "A\n1\n2\n3\nB\n", "o", "n");
    assert_string_equal(d, "--- o\n+++ n\n@@ -1,5 +1,5 @@\n-a\n+A\n 1\n 2\n 3\n-b\n+B\n");
    arena_free(a);
}

static void test_insertion_and_deletion(void **state)
{
    (void)state;
    Arena *a = arena_new();
    assert_string_equal(drift_unified_diff(a, "a\nb\n", "a\nx\nb\n", "o", "n"),
                        "--- o\n+++ n\n@@ -1,2 +1,3 @@\n a\n+x\n b\n");
    assert_string_equal(drift_unified_diff(a, "a\nx\nb\n", "a\nb\n", "o", "n"),
                        "--- o\n+++ n\n@@ -1,3 +1,2 @@\n a\n-x\n b\n");
    assert_string_equal(drift_unified_diff(a, "", "a\n", "o", "n"), "--- o\n+++ n\n@@ -0,0 +1,1 @@\n+a\n");
    arena_free(a);
}

static void test_moved_line_is_lcs(void **state)
{
    (void)state;
    Arena *a = arena_new();
    /* LCS keeps b,c,d and reports only the moved line. */
    assert_string_equal(drift_unified_diff(a, "a\nb\nc\nd\n", "b\nc\nd\na\n", "o", "n"),
                        "--- o\n+++ n\n@@ -1,4 +1,4 @@\n-a\n b\n c\n d\n+a\n");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_is_empty),
        cmocka_unit_test(test_one_change_with_context),
        cmocka_unit_test(test_far_changes_make_two_hunks),
        cmocka_unit_test(test_near_changes_merge),
        cmocka_unit_test(test_insertion_and_deletion),
        cmocka_unit_test(test_moved_line_is_lcs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
