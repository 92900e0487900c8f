/* test_yaml_oracle.c - goversec's YAML writer against libyaml's emitter (yaml_oracle.c), byte for
 * byte:
 *  - every document a build emits, for every example, every override set of the chart's
 *    differential test (tests/chart/overrides.txt, read from there) and a generated 30-cluster
 *    fleet: this program is linked with the oracle in front of the writer, so each document the
 *    pipeline writes is also written by libyaml and compared (a difference aborts the test);
 *  - a generated table of hostile documents: tricky strings (Unicode, line and paragraph
 *    separators, BOM, controls, "|+" blocks, text that is not UTF-8, 129-byte keys) in every
 *    position the writer knows (root, map value, sequence item, simple and complex key, under a
 *    complex key, in nested sequences), in every style, alone and in multi-document streams. */
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
#include "yaml/yamlio.h"
#include "yaml_oracle.h"

/* ---- the pipeline's documents --------------------------------------------------------------- */

/* Compiles `path` (or `text`) with `sets` and emits it in memory; returns the documents the
 * oracle compared. */
static size_t build(const char *path, const char *text, const char *const *sets, int nsets)
{
    static const char *const dirs[] = {GOVERSEC_STDLIB_SOURCE_DIR};
    DriverOptions opts = {.stdlib_dirs = dirs, .nstdlib_dirs = 1, .sets = sets, .nsets = nsets};
    Compilation comp;
    driver_init(&comp);
    size_t before = yaml_oracle_documents();
    int status = text ? driver_compile_text(&comp, "fleet.gv", text, strlen(text), &opts)
                      : driver_compile_file(&comp, path, &opts);
    if (status != DRIVER_OK)
        fail_msg("%s: compile failed (%d): %s", path ? path : "text", status,
                 diag_render_string(&comp.diags, false));
    OutTree tree;
    outtree_init(&tree, comp.arena);
    const char *err = NULL;
    if (!driver_emit(&comp, &opts, &tree, &err))
        fail_msg("%s: emit failed: %s", path ? path : "text", err ? err : "?");
    driver_dispose(&comp);
    return yaml_oracle_documents() - before;
}

static const char *example(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/../examples/%s.gv", TESTS_DIR, name);
    return path;
}

static void test_examples(void **state)
{
    (void)state;
    DIR *d = opendir(TESTS_DIR "/../examples");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".gv") != 0)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len - 3), e->d_name);
        size_t docs = build(example(name), NULL, NULL, 0);
        if (docs < 10)
            fail_msg("%s: only %zu documents compared", name, docs);
        n++;
    }
    closedir(d);
    assert_true(n >= 5);
}

/* Every line of the chart suite's differential test, on the example it names. */
static void test_override_sets(void **state)
{
    (void)state;
    FILE *f = fopen(TESTS_DIR "/chart/overrides.txt", "r");
    assert_non_null(f);
    char line[4096], ex[256] = "design-doc";
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        if (strncmp(line, "@EXAMPLE ", 9) == 0) {
            snprintf(ex, sizeof ex, "%s", line + 9);
            continue;
        }
        const char *sets[64];
        int nsets = 0;
        for (char *tok = strtok(line, " "); tok && nsets < 64; tok = strtok(NULL, " "))
            sets[nsets++] = tok;
        if (build(example(ex), NULL, sets, nsets) < 10)
            fail_msg("override set %d on %s: too few documents compared", n + 1, ex);
        n++;
    }
    fclose(f);
    assert_true(n >= 50);
}

static void test_generated_fleet(void **state)
{
    (void)state;
    FILE *p = popen("bash '" TESTS_DIR "/../bench/gen-fleet.sh' 30", "r");
    assert_non_null(p);
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    for (size_t got; (got = fread(text + len, 1, cap - len - 1, p)) > 0;) {
        len += got;
        if (len + 1 == cap)
            text = realloc(text, cap *= 2);
    }
    text[len] = '\0';
    assert_int_equal(pclose(p), 0);
    assert_true(build(NULL, text, NULL, 0) > 30 * 15);
    free(text);
}

/* ---- hostile documents ---------------------------------------------------------------------- */

static const char *const STRINGS[] = {
    "", " ", "a", "plain text", "a: b", "- x", "#c", "'q'", "\"q\"", "yes", "1.5", "0x1F", "~",
    "a\nb", "a\n", "a\n\n", "\n", "\n\n", "a\n\n\n", " a\nb\n", "a\n\nb\n", "\na", "\n z", "a\n\n\nb", "a \nb", "a\rb", "a\tb", "\x01", "\x7f",
    "caf\xc3\xa9", "\xc3\xa9t\xc3\xa9 long", " \xc3\xa9", "\xc3\xa9 ", "\xe6\x97\xa5\xe6\x9c\xac",
    "a\xe2\x80\xa8" "b", "\xe2\x80\xa8", "a\xe2\x80\xa9", "\xe2\x80\xa8x", "a \xe2\x80\xa8" "b",
    "a\xe2\x80\xa8 b", "a\xe2\x80\xa8\xe2\x80\xa8" "b", "a\xe2\x80\xa8\n", "x\xe2\x80\xa8'y'",
    "a\xc2\x85" "b", "\xc2\x85", "\xef\xbb\xbf" "bom", "x\xef\xbb\xbf", "\xc2\xa0nbsp", "\xc2\x9f",
    "\xf0\x9f\x98\x80", "smile \xf0\x9f\x98\x80!", "\xed\xa0\x80", "\xef\xbf\xbe", "\xef\xbf\xbd",
    "\xee\x80\x80", "- \xc3\xa9", "\xc3\xa9: x", "? \xc3\xa9", "\xc3\xa9 #c", "\xc3\xa9\n\xc3\xa9\n",
    "\xc3\xa9\n\n", "#!\xc3\xa9\n  x\n", "\xff", "a\xc3", "\xc0\x80", "\xe0\x80\x80", "\xf8\x88\x80\x80\x80",
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
    "12345678901234567890123456789012345678",
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
    "123456789012345678901234567890123456789",
    "\xc3\xa9" "23456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
    "12345678901234567890123456789012345678",
};
enum { NSTRINGS = sizeof STRINGS / sizeof STRINGS[0] };

static Data *str(Arena *a, const char *s, DataStyle style)
{
    Data *d = data_strn(a, s, strlen(s));
    d->style = style;
    return d;
}

static Data *nested(Arena *a)
{
    Data *m = data_map(a);
    data_put(a, m, "k", data_int(a, 1));
    Data *q = data_put(a, m, "q", data_seq(a));
    data_push(q, data_str(a, "x"));
    data_push(q, data_map(a));
    return m;
}

/* Every position for the string `s` (style `style`), as documents of their own. */
static int positions(Arena *a, const char *s, DataStyle style, Data **out)
{
    int n = 0;
    out[n++] = str(a, s, style);                                      /* root */
    Data *m = data_map(a);
    data_put(a, m, "v", str(a, s, style));                            /* map value */
    data_put(a, m, "after", data_int(a, 1));
    out[n++] = m;
    Data *q = data_seq(a);
    data_push(q, str(a, s, style));                                   /* item */
    Data *inner = data_push(q, data_seq(a));
    data_push(inner, str(a, s, style));                               /* nested item */
    data_push(inner, data_seq(a));
    out[n++] = q;
    Data *k = data_map(a);
    data_put(a, k, s, str(a, s, style));                              /* key (simple or complex) */
    data_put(a, k, s, nested(a));                                     /* key over a map */
    Data *ks = data_put(a, k, s, data_seq(a));                        /* key over a sequence */
    data_push(ks, str(a, s, style));
    data_push(ks, nested(a));
    data_put(a, k, s, data_map(a));                                   /* key over {} */
    out[n++] = k;
    Data *item = data_seq(a);
    Data *im = data_push(item, data_map(a));
    data_put(a, im, s, str(a, s, style));                             /* key first in an item */
    data_put(a, im, "z", str(a, s, style));
    out[n++] = item;
    return n;
}

static void check(Arena *a, const Data *const *docs, size_t n)
{
    const char *why = NULL;
    if (!yaml_oracle_check(a, docs, n, &why))
        fail_msg("%s", why);
}

static void test_hostile_documents(void **state)
{
    (void)state;
    static const DataStyle styles[] = {STYLE_AUTO, STYLE_QUOTED, STYLE_LITERAL};
    Arena *a = arena_new();
    size_t before = yaml_oracle_documents();
    for (size_t i = 0; i < NSTRINGS; i++) {
        for (size_t k = 0; k < 3; k++) {
            Data *docs[8];
            int n = positions(a, STRINGS[i], styles[k], docs);
            for (int d = 0; d < n; d++)
                check(a, (const Data *const *)&docs[d], 1);
            check(a, (const Data *const *)docs, (size_t)n); /* one stream: "---" between them */
            /* the string's document last in a stream, after another one ("|+" then "...") */
            const Data *pair[2] = {docs[1], docs[0]};
            check(a, pair, 2);
        }
    }
    assert_true(yaml_oracle_documents() - before > NSTRINGS * 3 * 10);
    arena_free(a);
}

static void test_scalars_of_every_kind(void **state)
{
    (void)state;
    Arena *a = arena_new();
    Data *m = data_map(a);
    data_put(a, m, "null", data_null(a));
    data_put(a, m, "t", data_bool(a, true));
    data_put(a, m, "f", data_bool(a, false));
    data_put(a, m, "min", data_int(a, INT64_MIN));
    static const double floats[] = {0.0, -0.0, 1.5, 1e300, 1e-300, 3.0, 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0};
    Data *fs = data_put(a, m, "floats", data_seq(a));
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        Data *f = data_null(a);
        f->kind = DATA_FLOAT;
        f->u.f = floats[i];
        data_push(fs, f);
    }
    data_put(a, m, "", data_str(a, "empty key"));
    const Data *doc = m;
    check(a, &doc, 1);
    const Data *empties[3] = {data_map(a), data_seq(a), data_null(a)};
    check(a, empties, 3);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_of_every_kind),
        cmocka_unit_test(test_hostile_documents),
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_override_sets),
        cmocka_unit_test(test_generated_fleet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
