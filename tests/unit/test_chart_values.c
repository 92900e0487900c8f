/* test_chart_values.c - the chart's direct writers against the general ones they stand in for:
 * chart_values_plain (a values tree as YAML) must write exactly yaml_write_one's text or nothing,
 * chart_values_yaml must write the same values.yaml whichever of its paths runs (direct, or the
 * libyaml-text splice for trees the direct path leaves), and the streaming JSON writer must keep
 * json_write's layout, as must values.schema.json's own cursor writer (chart_schema.c) for knobs
 * with deep paths, long escaped texts and many choices (its room bounds: asserted in debug and
 * sanitizer builds). Golden trees pin the chart files of the examples; these cover the trees
 * the examples do not have (floats, `|` blocks, non-ASCII text, "? key" keys, lists in lists). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emit/chart_schema.h"
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
/* The text of `direct`, checked to be `other`'s but for the "zfloat" entry that only the other
 * (path-by-path) writer describes, at its end. */
static const char *same_but_float(StrBuf *direct, StrBuf *other)
{
    const char *d = strbuf_str(direct), *o = strbuf_str(other);
    assert_true(other->len > direct->len);
    assert_memory_equal(d, o, direct->len);
    assert_string_equal(o + direct->len, "\nzfloat: 0.5\n");
    return d;
}

static void test_values_yaml_paths_agree(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    Data *with_float = plain_tree(a);
    data_put(a, with_float, "zfloat", float_data(a, 0.5));
    StrBuf direct, other;
    strbuf_init(&direct, a);
    strbuf_init(&other, a);
    chart_values_yaml(a, fx->c, NULL, "demo", plain_tree(a), &direct, NULL);
    chart_values_yaml(a, fx->c, NULL, "demo", with_float, &other, NULL);
    const char *d = same_but_float(&direct, &other);
    assert_non_null(strstr(d, "x:\n  # switch\n  # second line\n  enabled: false\n  # items\n  items:\n"));
    assert_non_null(strstr(d, "\n# a top-level knob\ntop: \"#comment-like\"\n\nother:\n  inner: 1\n"));
}

/* The direct path walks the values with the knob tree: entries in another order than the knobs',
 * maps met again after others, keys the tree does not know (under `global`, a dotted key naming
 * a knob, and what lies below them) must be described exactly as the path-by-path lookup of the
 * other paths describes them. */
static void test_values_yaml_knob_tree_walk(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    ir_knob(a, fx->c, "global.registry", KNOB_STRING, data_str(a, ""), "the registry");
    ir_knob(a, fx->c, "a.b.c", KNOB_BOOL, data_bool(a, true), "c of b");
    ir_knob(a, fx->c, "a.d", KNOB_INT, data_int(a, 1), "d of a");
    ir_knob(a, fx->c, "x.deep.leaf", KNOB_STRING, data_str(a, ""), "a deep leaf");
    Data *trees[2];
    for (int i = 0; i < 2; i++) {
        Data *root = trees[i] = data_map(a);
        data_put(a, root, "top", data_str(a, "t"));
        Data *ad = data_put(a, root, "a", data_map(a));
        data_put(a, ad, "d", data_int(a, 2));
        Data *b = data_put(a, ad, "b", data_map(a));
        data_put(a, b, "extra", data_int(a, 3));
        data_put(a, b, "c", data_bool(a, false));
        Data *g = data_put(a, root, "global", data_map(a));
        data_put(a, data_put(a, g, "foreign", data_map(a)), "registry", data_str(a, "not ours"));
        data_put(a, g, "registry", data_str(a, "r"));
        data_put(a, root, "x.enabled", data_bool(a, true));
        Data *x = data_put(a, root, "x", data_map(a));
        data_put(a, data_put(a, x, "deep", data_map(a)), "leaf", data_str(a, "l"));
        data_put(a, x, "enabled", data_bool(a, false));
    }
    data_put(a, trees[1], "zfloat", float_data(a, 0.5)); /* left by the direct path */
    StrBuf direct, other;
    strbuf_init(&direct, a);
    strbuf_init(&other, a);
    assert_true(chart_values_yaml(a, fx->c, knob_tree(a, fx->c), "demo", trees[0], &direct, NULL));
    assert_false(chart_values_yaml(a, fx->c, NULL, "demo", trees[1], &other, NULL));
    const char *d = same_but_float(&direct, &other);
    assert_non_null(strstr(d, "\na:\n  # d of a\n  d: 2\n  b:\n    extra: 3\n    # c of b\n    c: false\n"));
    assert_non_null(strstr(d, "\nglobal:\n  foreign:\n    registry: not ours\n  # the registry\n  registry: r\n"));
    assert_non_null(strstr(d, "\n# switch\n# second line\nx.enabled: true\n"));
    assert_non_null(strstr(d, "\nx:\n  deep:\n    # a deep leaf\n    leaf: l\n  # switch\n"));
}

/* The knobs' values recorded on the direct path are the entries at their paths (the README reads
 * them instead of data_path), flagged plain exactly when yaml_scalar_text gives the string
 * itself, else with yaml_scalar_text's text; a tree the direct path leaves says the record
 * cannot be used. */
static void test_values_yaml_records_knob_values(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    Data *tree = plain_tree(a);
    data_put(a, data_get(tree, "x"), "word", data_str(a, "plain words"));
    ir_knob(a, fx->c, "x.quoted", KNOB_STRING, data_str(a, ""), "quoted by style");
    ir_knob(a, fx->c, "x.y", KNOB_STRING, data_str(a, ""), "quoted: reads as a number");
    ir_knob(a, fx->c, "x.word", KNOB_STRING, data_str(a, ""), "plain");
    ir_knob(a, fx->c, "x.breaks", KNOB_STRING, data_str(a, ""), "quoted: a line break");
    uint64_t plain[1];
    KnobValues seen = {ARENA_ARRAY(a, const Data *, fx->c->nknobs), plain,
                       ARENA_ARRAY(a, struct WrittenScalar, fx->c->nknobs)};
    StrBuf b;
    strbuf_init(&b, a);
    assert_true(chart_values_yaml(a, fx->c, NULL, "demo", tree, &b, &seen));
    int n = 0;
    for (const Knob *k = fx->c->knobs; k; k = k->next, n++) {
        uint32_t slot = k->ordinal - 1;
        const Data *v = seen.entry[slot];
        assert_non_null(v);
        assert_ptr_equal(v, data_path(tree, k->path));
        bool is_plain = plain[0] >> slot & 1;
        const char *text = v->kind == DATA_STR ? yaml_scalar_text(a, v->u.str.s, v->u.str.len, v->style) : NULL;
        assert_int_equal(is_plain, text && text == v->u.str.s);
        if (text && !is_plain) { /* the text as written, which the README shows */
            assert_non_null(seen.written[slot].text);
            assert_int_equal(seen.written[slot].len, strlen(text));
            assert_string_equal(seen.written[slot].text, text);
        }
    }
    assert_int_equal(n, 7);
    assert_int_equal(plain[0], 1u << 5); /* x.word only ("#comment-like" is quoted too) */
    Data *with_float = plain_tree(a);
    data_put(a, with_float, "zfloat", float_data(a, 0.5));
    b.len = 0;
    assert_false(chart_values_yaml(a, fx->c, NULL, "demo", with_float, &b, &seen));
}

/* A path registered twice: values.yaml describes it with the first registration, as ir_find_knob
 * finds it, even where the direct path's knob cursor would meet the second one next. */
static void test_values_yaml_twice_registered_path(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    IrCluster *c = ir_cluster_new(a, "twice", NULL);
    ir_knob(a, c, "x.enabled", KNOB_BOOL, data_bool(a, true), "first");
    ir_knob(a, c, "top", KNOB_STRING, data_str(a, "t"), "a top-level knob");
    ir_knob(a, c, "x.enabled", KNOB_BOOL, data_bool(a, true), "second");
    Data *root = data_map(a); /* "top" first: after it the cursor's next knob is the second x.enabled */
    data_put(a, root, "top", data_str(a, "t"));
    data_put(a, data_put(a, root, "x", data_map(a)), "enabled", data_bool(a, true));
    StrBuf b;
    strbuf_init(&b, a);
    assert_true(chart_values_yaml(a, c, NULL, "twice", root, &b, NULL));
    assert_non_null(strstr(b.data, "\nx:\n  # first\n  enabled: true\n"));
    assert_null(strstr(b.data, "second"));
}

/* ---- values.schema.json against json_write ------------------------------------------------- */

/* The members of the object schema at `path` (made on the way), under `props` ("properties"). */
static Data *schema_level(Arena *a, Data *props, const char *const *segs, int n)
{
    for (int i = 0; i < n; i++) {
        Data *level = data_get(props, segs[i]);
        if (!level) {
            level = data_put(a, props, segs[i], data_map(a));
            data_put(a, level, "type", data_str(a, "object"));
            data_put(a, level, "properties", data_map(a));
            data_put(a, level, "additionalProperties", data_bool(a, false));
        }
        props = data_get(level, "properties");
    }
    return props;
}

/* {"properties": {s0: {"properties": {s1: ... {}}}} for segs[0..n-1]: returns the innermost. */
static Data *rule_path(Arena *a, Data *at, const char *const *segs, int n)
{
    for (int i = 0; i < n; i++)
        at = data_put(a, data_put(a, at, "properties", data_map(a)), segs[i], data_map(a));
    return at;
}

static void test_schema_writer_layout_and_room(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    IrCluster *c = ir_cluster_new(a, "odd\"name", NULL);
    /* 18 levels deep: indentation past the writer's 32-space store. */
    static const char *const deep[] = {"l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9",
                                       "l10", "l11", "l12", "l13", "l14", "l15", "l16", "l17", "leaf"};
    const char *deep_path = "l1.l2.l3.l4.l5.l6.l7.l8.l9.l10.l11.l12.l13.l14.l15.l16.l17.leaf";
    char nasty[3000]; /* control bytes: each written as \u00XX, six times its length */
    for (size_t i = 0; i < sizeof nasty - 1; i++)
        nasty[i] = (char)(i % 2 ? 1 : '\x1f');
    nasty[sizeof nasty - 1] = '\0';
    Knob *k1 = ir_knob(a, c, deep_path, KNOB_HOST, data_str(a, ""), nasty);
    k1->nullable = true;
    static const char *const choices[] = {"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01", "b\"c", "x", "y", "z",
                                          "\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02", NULL};
    Knob *k2 = ir_knob(a, c, "l1.l2.e\x01num", KNOB_ENUM, data_str(a, "x"), "choices");
    k2->choices = choices;
    Knob *k3 = ir_knob(a, c, "top\x01", KNOB_INT, data_int(a, 1), NULL);
    k3->min = -5;
    k3->max = INT64_MAX - 1;
    Knob *flag = ir_knob(a, c, "l1.l2.l3.l4.l5.l6.l7.l8.l9.l10.flag", KNOB_BOOL, data_bool(a, false), "flag");
    Knob *list = ir_knob(a, c, "l1.l2.l3.l4.l5.l6.l7.l8.l9.l10.l11.l12.list", KNOB_STRING_LIST, data_seq(a), "list");
    list->required_when = flag->path;
    /* Every pattern, with and without "^$|" (written as stored JSON text: compared with the
     * regexes escaped by json_write). */
    static const struct {
        const char *name;
        KnobType type;
        bool nullable;
        const char *regex;
    } patterned[] = {
        {"cpu", KNOB_CPU, false, "^([0-9]+(\\.[0-9]{1,3})?|[0-9]+m)$"},
        {"cpuOrNone", KNOB_CPU, true, "^$|^([0-9]+(\\.[0-9]{1,3})?|[0-9]+m)$"},
        {"mem", KNOB_MEMORY, false, "^[0-9]+(\\.[0-9]+)?([EPTGMK]i|[EPTGMk]|m)?$"},
        {"memOrNone", KNOB_MEMORY, true, "^$|^[0-9]+(\\.[0-9]+)?([EPTGMK]i|[EPTGMk]|m)?$"},
        {"every", KNOB_DURATION, false, "^([0-9]+(ms|s|m|h|d))+$"},
        {"everyOrNone", KNOB_DURATION, true, "^$|^([0-9]+(ms|s|m|h|d))+$"},
        {"cron", KNOB_CRON, false, "^(\\*|[0-9]+)(/[0-9]+)?( +(\\*|[0-9]+)(/[0-9]+)?){4}$"},
        {"cronOrNone", KNOB_CRON, true, "^$|^(\\*|[0-9]+)(/[0-9]+)?( +(\\*|[0-9]+)(/[0-9]+)?){4}$"},
        {"host", KNOB_HOST, false,
         "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$"},
        {"name", KNOB_NAME, false, "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
        {"nameOrNone", KNOB_NAME, true, "^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
    };
    enum { NPATTERNED = sizeof patterned / sizeof patterned[0] };
    for (int i = 0; i < NPATTERNED; i++)
        ir_knob(a, c, patterned[i].name, patterned[i].type, data_str(a, ""), "p")->nullable = patterned[i].nullable;

    Data *root = data_map(a);
    data_put(a, root, "$schema", data_str(a, "http://json-schema.org/draft-07/schema#"));
    data_put(a, root, "title", data_str(a, "Values of the odd\"name chart"));
    data_put(a, root, "type", data_str(a, "object"));
    Data *props = data_put(a, root, "properties", data_map(a));
    Data *global = data_put(a, props, "global", data_map(a));
    data_put(a, global, "type", data_str(a, "object"));
    data_put(a, global, "properties", data_map(a));
    Data *s1 = data_put(a, schema_level(a, props, deep, 17), "leaf", data_map(a));
    data_put(a, s1, "description", data_str(a, nasty));
    Data *types = data_put(a, s1, "type", data_seq(a));
    data_push(types, data_str(a, "string"));
    data_push(types, data_str(a, "null"));
    data_put(a, s1, "maxLength", data_int(a, 253));
    data_put(a, s1, "pattern",
             data_str(a, "^$|^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$"));
    Data *s2 = data_put(a, schema_level(a, props, deep, 2), "e\x01num", data_map(a));
    data_put(a, s2, "description", data_str(a, "choices"));
    data_put(a, s2, "type", data_str(a, "string"));
    Data *e = data_put(a, s2, "enum", data_seq(a));
    for (const char *const *ch = choices; *ch; ch++)
        data_push(e, data_str(a, *ch));
    Data *s3 = data_put(a, props, "top\x01", data_map(a));
    data_put(a, s3, "description", data_str(a, "")); /* ir_knob's for none */
    data_put(a, s3, "type", data_str(a, "integer"));
    data_put(a, s3, "minimum", data_int(a, -5));
    data_put(a, s3, "maximum", data_int(a, INT64_MAX - 1));
    Data *s4 = data_put(a, schema_level(a, props, deep, 10), "flag", data_map(a));
    data_put(a, s4, "description", data_str(a, "flag"));
    data_put(a, s4, "type", data_str(a, "boolean"));
    Data *s5 = data_put(a, schema_level(a, props, deep, 12), "list", data_map(a));
    data_put(a, s5, "description", data_str(a, "list"));
    data_put(a, s5, "type", data_str(a, "array"));
    data_put(a, data_put(a, s5, "items", data_map(a)), "type", data_str(a, "string"));
    for (int i = 0; i < NPATTERNED; i++) {
        Data *p = data_put(a, props, patterned[i].name, data_map(a));
        data_put(a, p, "description", data_str(a, "p"));
        KnobType t = patterned[i].type;
        if (t == KNOB_CPU || t == KNOB_MEMORY || patterned[i].nullable) {
            Data *ts = data_put(a, p, "type", data_seq(a));
            data_push(ts, data_str(a, "string"));
            data_push(ts, data_str(a, t == KNOB_CPU || t == KNOB_MEMORY ? "integer" : "null"));
        } else {
            data_put(a, p, "type", data_str(a, "string"));
        }
        if (t == KNOB_HOST || t == KNOB_NAME)
            data_put(a, p, "maxLength", data_int(a, t == KNOB_HOST ? 253 : 63));
        data_put(a, p, "pattern", data_str(a, patterned[i].regex));
    }
    data_put(a, root, "additionalProperties", data_bool(a, false));
    Data *rule = data_push(data_put(a, root, "allOf", data_seq(a)), data_map(a));
    Data *gate = rule_path(a, data_put(a, rule, "if", data_map(a)), deep, 10);
    data_put(a, data_put(a, data_put(a, gate, "properties", data_map(a)), "flag", data_map(a)), "const",
             data_bool(a, true));
    Data *then = rule_path(a, data_put(a, rule, "then", data_map(a)), deep, 12);
    data_push(data_put(a, then, "required", data_seq(a)), data_str(a, "list"));
    data_put(a, data_put(a, data_put(a, then, "properties", data_map(a)), "list", data_map(a)), "minItems",
             data_int(a, 1));

    StrBuf b;
    strbuf_init(&b, a);
    chart_schema(a, c, NULL, "odd\"name", &b);
    assert_int_equal(strlen(b.data), b.len);
    assert_string_equal(b.data, json_write(a, root));
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
        T(test_values_yaml_knob_tree_walk),
        T(test_values_yaml_records_knob_values),
        T(test_values_yaml_twice_registered_path),
        T(test_json_writer_layout),
        T(test_schema_writer_layout_and_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
