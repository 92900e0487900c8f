/* test_check_util.h - shared by the checker's unit tests: compiles a .gv text through the real
 * parser and checker against the repository's stdlib and returns the model and rendered output. */
#ifndef TEST_CHECK_UTIL_H
#define TEST_CHECK_UTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check/check.h"
#include "syntax/syntax.h"

typedef struct Run {
    Arena *arena;
    SourceMap sources;
    DiagSink diags;
    Model *model;
    const char *out; /* rendered diagnostics */
} Run;

static inline Run *run_check_only(const char *text, const char *only)
{
    static const char *const dirs[] = {TESTS_DIR "/../stdlib"};
    Arena *a = arena_new();
    Run *r = ARENA_NEW(a, Run);
    r->arena = a;
    source_map_init(&r->sources, a);
    diag_init(&r->diags, &r->sources, a);
    SourceFile *f = source_add(&r->sources, "t.gv", text, strlen(text));
    Unit *u = syntax_parse(a, f, &r->diags);
    CheckOptions opts = {dirs, 1, only};
    if (u && !diag_has_errors(&r->diags))
        r->model = check_unit(a, &r->sources, u, &opts, &r->diags);
    r->out = diag_render_string(&r->diags, false);
    return r;
}

static inline Run *run_check(const char *text)
{
    return run_check_only(text, NULL);
}

static inline void run_free(Run *r)
{
    arena_free(r->arena);
}

static inline Cluster *run_cluster(Run *r, const char *name)
{
    if (!r->model)
        return NULL;
    for (int i = 0; i < r->model->nclusters; i++)
        if (!strcmp(r->model->clusters[i]->name, name))
            return r->model->clusters[i];
    return NULL;
}

/* Asserts that the rendered output contains `needle` (prints everything on failure). */
#define assert_out_has(r, needle)                                                     \
    do {                                                                              \
        if (!strstr((r)->out, (needle)))                                              \
            fail_msg("expected `%s` in diagnostics:\n%s", (needle), (r)->out);        \
    } while (0)

#define assert_clean(r)                                                               \
    do {                                                                              \
        if ((r)->diags.count != 0 || !(r)->model)                                     \
            fail_msg("expected no diagnostics, got:\n%s", (r)->out);                  \
    } while (0)

static inline int64_t milli(const char *q)
{
    Quantity x;
    assert_int_equal(quantity_parse(q, &x), QTY_OK);
    return x.milli;
}

#endif
