/* test_chart_values.c - the chart's direct writers against the general ones they stand in for:
 * chart_values_plain (a values tree as YAML) must write exactly yaml_write_one's text or nothing,
 * chart_values_yaml must write the same values.yaml whichever of its paths runs (direct, or the
 * libyaml-text splice for trees the direct path leaves), and the streaming JSON writer must keep
 * json_write's layout. Golden trees pin the chart files of the examples; these cover the trees
 * the examples do not have (floats, `|` blocks, non-ASCII text, "? key" keys, lists in lists). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emit/chart_values.h"
#include "emit/json.h"
#include "yaml/yamlio.h"

typedef struct Fx {
    Arena *a;
    IrCluster *c;
} Fx;

static int setup(void **state)
{
    Fx *fx = calloc(1, sizeof *fx);
    fx->a = arena_new();
    fx->c = ir_cluster_new(fx->a, "demo", "demo-ns");
    ir_knob(fx->a, fx->c, "x.enabled", KNOB_BOOL, data_bool(fx->a, true), "switch\nsecond line");
    ir_knob(fx->a, fx->c, "x.items", KNOB_OBJECT_LIST, data_seq(fx->a), "items");
    ir_knob(fx->a, fx->c, "top", KNOB_STRING, data_str(fx->a, "t"), "a top-level knob");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    arena_free(fx->a);
    free(fx);
    return 0;
}

static Data *float_data(Arena *a, double f)
{
    Data *d = data_null(a);
    d->kind = DATA_FLOAT;
    d->u.f = f;
    return d;
}

/* A values tree of every kind the direct writer covers. */
static Data *plain_tree(Arena *a)
{
    Data *root = data_map(a);
    Data *x = data_put(a, root, "x", data_map(a));
    data_put(a, x, "enabled", data_bool(a, false));
    Data *items = data_put(a, x, "items", data_seq(a));
    Data *item = data_push(items, data_map(a));
    data_put(a, item, "name", data_str(a, "yes"));
    data_put(a, item, "port", data_int(a, -8080));
    Data *nested = data_put(a, item, "nested", data_seq(a));
    data_push(nested, data_str(a, "- dash"));
    data_push(nested, data_map(a));
    data_push(nested, data_seq(a));
    Data *deeper = data_push(nested, data_map(a));
    data_put(a, deeper, "k", data_str(a, "a: b"));
    data_put(a, deeper, "empty", data_str(a, ""));
    data_put(a, deeper, "none", data_null(a));
    data_put(a, x, "emptyMap", data_map(a));
    data_put(a, x, "quoted", data_str(a, "plain"))->style = STYLE_QUOTED;
    data_put(a, x, "breaks", data_str(a, "two\nlines"));
    data_put(a, x, "y", data_str(a, "1.5"));
    data_put(a, root, "top", data_str(a, "#comment-like"));
    data_put(a, root, "other", data_map(a));
    data_put(a, data_get(root, "other"), "inner", data_int(a, 1));
    return root;
}

/* chart_values_plain's text when it takes the tree (asserting it equals the YAML writer's), NULL
 * when it leaves it (asserting it appended nothing). */
static const char *plain_or_null(Arena *a, const Data *tree)
{
    StrBuf b;
    strbuf_init(&b, a);
    strbuf_add(&b, "#head\n");
    if (!chart_values_plain(tree, &b)) {
        assert_string_equal(strbuf_str(&b), "#head\n");
        return NULL;
    }
    size_t len;
    const char *expected = yaml_write_one(a, tree, &len);
    assert_non_null(expected);
    assert_string_equal(strbuf_str(&b) + 6, expected);
    return strbuf_str(&b) + 6;
}

static void test_plain_equals_yaml_writer(void **state)
{
    Fx *fx = *state;
    const char *text = plain_or_null(fx->a, plain_tree(fx->a));
    assert_non_null(text);
    assert_non_null(strstr(text, "  items:\n  - name: \"yes\"\n    port: -8080\n    nested:\n    - \"- dash\"\n"
                                 "    - {}\n    - []\n    - k: \"a: b\"\n      empty: \"\"\n      none: null\n"));
}

static void test_plain_leaves_what_it_does_not_cover(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    Data *with_float = plain_tree(a);
    data_put(a, data_get(with_float, "x"), "ratio", float_data(a, 1.5));
    assert_null(plain_or_null(a, with_float));

    Data *with_block = plain_tree(a);
    data_put(a, with_block, "script", data_str(a, "echo a\necho b\n"))->style = STYLE_LITERAL;
    assert_null(plain_or_null(a, with_block));

    Data *with_utf8 = plain_tree(a);
    data_put(a, with_utf8, "name", data_str(a, "r\xc3\xa9gistry"));
    assert_null(plain_or_null(a, with_utf8));

    Data *with_complex_key = plain_tree(a);
    data_put(a, with_complex_key, "multi\nline", data_int(a, 1));
    assert_null(plain_or_null(a, with_complex_key));

    Data *with_list_in_list = plain_tree(a);
    Data *outer = data_put(a, with_list_in_list, "outer", data_seq(a));
    data_push(data_push(outer, data_seq(a)), data_str(a, "inner"));
    assert_null(plain_or_null(a, with_list_in_list));

    assert_null(plain_or_null(a, data_map(a))); /* "{}": the YAML writer's */
}

/* values.yaml by the direct path, and by the others: the same tree with a float added at the end
 * (which the direct path leaves) must give the same text plus that entry. */
static void test_values_yaml_paths_agree(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    Data *with_float = plain_tree(a);
    data_put(a, with_float, "zfloat", float_data(a, 0.5));
    StrBuf direct, other;
    strbuf_init(&direct, a);
    strbuf_init(&other, a);
    chart_values_yaml(a, fx->c, "demo", plain_tree(a), &direct, NULL);
    chart_values_yaml(a, fx->c, "demo", with_float, &other, NULL);
    const char *d = strbuf_str(&direct), *o = strbuf_str(&other);
    assert_true(other.len > direct.len);
    assert_memory_equal(d, o, direct.len);
    assert_string_equal(o + direct.len, "\nzfloat: 0.5\n");
    assert_non_null(strstr(d, "x:\n  # switch\n  # second line\n  enabled: false\n  # items\n  items:\n"));
    assert_non_null(strstr(d, "\n# a top-level knob\ntop: \"#comment-like\"\n\nother:\n  inner: 1\n"));
}

/* The knobs' values recorded on the direct path are the entries at their paths (the README reads
 * them instead of data_path); a tree the direct path leaves says the record cannot be used. */
static void test_values_yaml_records_knob_values(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    Data *tree = plain_tree(a);
    const Data **by_knob = ARENA_ARRAY(a, const Data *, fx->c->nknobs);
    StrBuf b;
    strbuf_init(&b, a);
    assert_true(chart_values_yaml(a, fx->c, "demo", tree, &b, by_knob));
    int n = 0;
    for (const Knob *k = fx->c->knobs; k; k = k->next, n++) {
        assert_non_null(by_knob[k->ordinal - 1]);
        assert_ptr_equal(by_knob[k->ordinal - 1], data_path(tree, k->path));
    }
    assert_int_equal(n, 3);
    Data *with_float = plain_tree(a);
    data_put(a, with_float, "zfloat", float_data(a, 0.5));
    b.len = 0;
    assert_false(chart_values_yaml(a, fx->c, "demo", with_float, &b, by_knob));
}

static void test_json_writer_layout(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    Data *root = data_map(a);
    data_put(a, root, "s", data_str(a, "q\"\\\n\t\x01 and a longer tail"));
    data_put(a, root, "short", data_str(a, "a\"b"));
    Data *seq = data_put(a, root, "list", data_seq(a));
    data_push(seq, data_int(a, -3));
    data_push(seq, data_map(a));
    data_push(seq, data_seq(a));
    data_put(a, data_push(seq, data_map(a)), "t", data_bool(a, true));
    data_put(a, root, "n", data_null(a));
    assert_string_equal(json_write(a, root),
                        "{\n"
                        "  \"s\": \"q\\\"\\\\\\n\\t\\u0001 and a longer tail\",\n"
                        "  \"short\": \"a\\\"b\",\n"
                        "  \"list\": [\n"
                        "    -3,\n"
                        "    {},\n"
                        "    [],\n"
                        "    {\n"
                        "      \"t\": true\n"
                        "    }\n"
                        "  ],\n"
                        "  \"n\": null\n"
                        "}\n");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_plain_equals_yaml_writer),
        T(test_plain_leaves_what_it_does_not_cover),
        T(test_values_yaml_paths_agree),
        T(test_values_yaml_records_knob_values),
        T(test_json_writer_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
