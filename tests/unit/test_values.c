/* test_values.c - `--set` parsing with Helm's strvals semantics and the validation of values
 * against knobs (the rules values.schema.json states, plus odd and not-above). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "values/values.h"
#include "yaml/yamlio.h"

typedef struct Fx {
    Arena *a;
    SourceMap sources;
    DiagSink diags;
    IrCluster *c;
} Fx;

static int setup(void **state)
{
    Fx *fx = calloc(1, sizeof *fx);
    fx->a = arena_new();
    source_map_init(&fx->sources, fx->a);
    diag_init(&fx->diags, &fx->sources, fx->a);
    Arena *a = fx->a;
    fx->c = ir_cluster_new(a, "t", "t");
    ir_knob(a, fx->c, "nodes.replicas", KNOB_INT, data_int(a, 3), "node pods")->min = 0;
    Knob *e = ir_knob(a, fx->c, "etcd.replicas", KNOB_INT, data_int(a, 3), "etcd members");
    e->min = 1, e->max = 9, e->must_be_odd = true;
    ir_knob(a, fx->c, "hpa.min", KNOB_INT, data_int(a, 2), "min")->not_above = "hpa.max";
    ir_knob(a, fx->c, "hpa.max", KNOB_INT, data_int(a, 10), "max");
    ir_knob(a, fx->c, "nodes.cpu", KNOB_CPU, data_str(a, "500m"), "cpu");
    ir_knob(a, fx->c, "db.enabled", KNOB_BOOL, data_bool(a, false), "external db");
    ir_knob(a, fx->c, "db.host", KNOB_HOST, data_str(a, ""), "db host")->required_when = "db.enabled";
    ir_knob(a, fx->c, "zones", KNOB_STRING_LIST, data_seq(a), "zones");
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

/* Applies `set` to fresh defaults and returns the values as one-line YAML-ish text. */
static const char *apply(Fx *fx, const char *set, bool as_string)
{
    Data *v = ir_default_values(fx->a, fx->c);
    if (!values_apply_set(fx->a, v, set, as_string, &fx->diags))
        return NULL;
    size_t len;
    return yaml_write_one(fx->a, v, &len);
}

static const Data *value_at(Fx *fx, const char *set, const char *path)
{
    Data *v = ir_default_values(fx->a, fx->c);
    assert_true(values_apply_set(fx->a, v, set, false, &fx->diags));
    return data_path(v, path);
}

static void test_set_types_follow_strvals(void **state)
{
    Fx *fx = *state;
    assert_int_equal(value_at(fx, "nodes.replicas=7", "nodes.replicas")->u.i, 7);
    assert_int_equal(value_at(fx, "a=true", "a")->kind, DATA_BOOL);
    assert_int_equal(value_at(fx, "a=FALSE", "a")->kind, DATA_BOOL);
    assert_int_equal(value_at(fx, "a=null", "a")->kind, DATA_NULL);
    assert_int_equal(value_at(fx, "a=0", "a")->kind, DATA_INT);
    assert_string_equal(value_at(fx, "a=007", "a")->u.str.s, "007");   /* leading zero: a string */
    assert_string_equal(value_at(fx, "a=1.5", "a")->u.str.s, "1.5");   /* not an integer */
    assert_string_equal(value_at(fx, "a=x\\,y", "a")->u.str.s, "x,y"); /* escaped comma */
    assert_int_equal(value_at(fx, "a=1,b=2", "b")->u.i, 2);
    Data *v = ir_default_values(fx->a, fx->c);
    assert_true(values_apply_set(fx->a, v, "nodes.replicas=7", true, &fx->diags));
    assert_string_equal(data_path(v, "nodes.replicas")->u.str.s, "7"); /* --set-string */
}

static void test_set_lists_and_indexes(void **state)
{
    Fx *fx = *state;
    const Data *l = value_at(fx, "zones={a,b}", "zones");
    assert_int_equal(l->u.kids.count, 2);
    assert_string_equal(l->u.kids.last->u.str.s, "b");
    /* As Helm: `{}` is a list holding one empty string. */
    l = value_at(fx, "zones={}", "zones");
    assert_int_equal(l->u.kids.count, 1);
    assert_string_equal(l->u.kids.first->u.str.s, "");
    const Data *s = value_at(fx, "secrets[1].name=x", "secrets");
    assert_int_equal(s->u.kids.count, 2);
    assert_int_equal(s->u.kids.first->kind, DATA_NULL);
    assert_string_equal(data_get(s->u.kids.last, "name")->u.str.s, "x");
}

static void test_set_errors(void **state)
{
    Fx *fx = *state;
    assert_null(apply(fx, "nodes.replicas", false));
    assert_null(apply(fx, "zones={a,b", false));
    assert_null(apply(fx, "a[x]=1", false));
    assert_null(apply(fx, ".a=1", false));
    assert_int_equal(fx->diags.errors, 4);
    assert_non_null(strstr(diag_render_string(&fx->diags, false), "list is missing its closing '}'"));
}

static const char *validate(Fx *fx, const char *set)
{
    Data *v = ir_default_values(fx->a, fx->c);
    assert_true(values_apply_set(fx->a, v, set, false, &fx->diags));
    if (values_validate(fx->c, v, &fx->diags))
        return NULL;
    return diag_render_string(&fx->diags, false);
}

static void test_validation(void **state)
{
    Fx *fx = *state;
    assert_null(validate(fx, "nodes.replicas=5,etcd.replicas=5,nodes.cpu=2"));
    const char *out = validate(fx, "nodes.replica=5");
    assert_non_null(strstr(out, "unknown value `nodes.replica`"));
    assert_non_null(strstr(out, "did you mean `nodes.replicas`?"));
}

static void test_validation_rules(void **state)
{
    Fx *fx = *state;
    static const char *const cases[][2] = {
        {"nodes.replicas=two", "value `nodes.replicas` must be an integer, not a string"},
        {"etcd.replicas=4", "value `etcd.replicas` must be odd"},
        {"etcd.replicas=11", "value `etcd.replicas` must be between 1 and 9, not 11"},
        {"hpa.min=20", "hpa.min"},
        {"nodes.cpu=lots", "value `nodes.cpu` must be a Kubernetes quantity"},
        {"db.enabled=true", "value `db.host` is required when `db.enabled` is true"},
        {"db.host=Not_A_Host", "is not a valid host name"},
        {"zones=x", "value `zones` must be a list, not a string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        diag_init(&fx->diags, &fx->sources, fx->a);
        const char *out = validate(fx, cases[i][0]);
        if (!out || !strstr(out, cases[i][1]))
            fail_msg("--set %s: expected \"%s\", got:\n%s", cases[i][0], cases[i][1], out ? out : "(accepted)");
    }
}

static bool validate_tree(Fx *fx, const Data *v)
{
    diag_init(&fx->diags, &fx->sources, fx->a);
    return values_validate(fx->c, v, &fx->diags);
}

/* A knob's value is the one data_path reads, even where a walk of the tree meets another first:
 * a key with a dot in it that spells a knob's path, and a map key given twice. */
static void test_validation_reads_like_data_path(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    /* {"nodes.replicas": "x", nodes: {replicas: 3}}: data_path reads nodes -> replicas = 3 */
    Data *v = data_map(a);
    data_put(a, v, "nodes.replicas", data_str(a, "x"));
    data_put(a, data_put(a, v, "nodes", data_map(a)), "replicas", data_int(a, 3));
    assert_true(validate_tree(fx, v));
    /* nodes: {} then nodes: {replicas: "two"}: data_path stops at the first `nodes` */
    v = data_map(a);
    data_put(a, v, "nodes", data_map(a));
    data_put(a, data_put(a, v, "nodes", data_map(a)), "replicas", data_str(a, "two"));
    assert_true(validate_tree(fx, v));
    /* the same the other way round: the first `nodes` is the one checked */
    v = data_map(a);
    data_put(a, data_put(a, v, "nodes", data_map(a)), "replicas", data_str(a, "two"));
    data_put(a, data_put(a, v, "nodes", data_map(a)), "replicas", data_int(a, 3));
    assert_false(validate_tree(fx, v));
    assert_non_null(strstr(diag_render_string(&fx->diags, false), "`nodes.replicas` must be an integer"));
    /* a knob given twice: the first value counts */
    v = data_map(a);
    Data *etcd = data_put(a, v, "etcd", data_map(a));
    data_put(a, etcd, "replicas", data_int(a, 5));
    data_put(a, etcd, "replicas", data_int(a, 4));
    assert_true(validate_tree(fx, v));
}

/* values_validate_defaults gives values_validate's verdict and diagnostics on untouched defaults:
 * none for valid ones, the same messages for defaults a model made invalid. */
static void test_validate_defaults_like_validate(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    Data *v = ir_default_values(a, fx->c);
    diag_init(&fx->diags, &fx->sources, a);
    assert_true(values_validate_defaults(fx->c, v, &fx->diags));
    assert_int_equal(fx->diags.errors, 0);
    /* Invalid defaults: even etcd replicas, a CPU that is no quantity, a required host left empty. */
    ir_knob(a, fx->c, "etcd2.replicas", KNOB_INT, data_int(a, 4), "etcd members")->must_be_odd = true;
    ir_knob(a, fx->c, "gates.cpu", KNOB_CPU, data_str(a, "lots"), "cpu");
    ir_knob(a, fx->c, "ext.enabled", KNOB_BOOL, data_bool(a, true), "external");
    ir_knob(a, fx->c, "ext.host", KNOB_HOST, data_str(a, ""), "host")->required_when = "ext.enabled";
    v = ir_default_values(a, fx->c);
    diag_init(&fx->diags, &fx->sources, a);
    assert_false(values_validate(fx->c, v, &fx->diags));
    const char *full = diag_render_string(&fx->diags, false);
    diag_init(&fx->diags, &fx->sources, a);
    assert_false(values_validate_defaults(fx->c, v, &fx->diags));
    const char *fast = diag_render_string(&fx->diags, false);
    assert_int_equal(fx->diags.errors, 3);
    assert_string_equal(fast, full);
}

/* values_defaults builds ir_default_values's tree: the fixture's knobs (groups left and entered
 * again: nodes, etcd, hpa, nodes, db, a top-level list), deeper paths that share only part of
 * the previous one or only its first letters, a map default, and paths with an empty component (set by neither, the maps
 * before it created by both). Compared as written YAML, which has the keys in order. */
static void test_defaults_tree(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    IrCluster *c = fx->c;
    ir_knob(a, c, "nodes.image.registry", KNOB_STRING, data_str(a, "r"), "");
    ir_knob(a, c, "nodes.image.tag", KNOB_STRING, data_str(a, "1"), "");
    ir_knob(a, c, "nodes.resources.limits.cpu", KNOB_CPU, data_str(a, "1"), "");
    ir_knob(a, c, "nodes.resources.requests.cpu", KNOB_CPU, data_str(a, "1"), "");
    ir_knob(a, c, "nodes.resources.limits.memory", KNOB_MEMORY, data_str(a, "1Gi"), "");
    ir_knob(a, c, "hpa.behavior.up", KNOB_INT, data_int(a, 1), "");
    Data *sel = data_map(a);
    data_put(a, sel, "zone", data_str(a, "a"));
    ir_knob(a, c, "nodes.selector", KNOB_OBJECT_LIST, sel, "");
    ir_knob(a, c, "bad..path", KNOB_INT, data_int(a, 1), "");
    ir_knob(a, c, "nodes.image.pullPolicy", KNOB_STRING, data_str(a, "Always"), "");
    ir_knob(a, c, "trailing.", KNOB_INT, data_int(a, 1), "");
    ir_knob(a, c, "nodes.image.x", KNOB_STRING, NULL, "");
    ir_knob(a, c, "nodes.imagex.y", KNOB_STRING, NULL, ""); /* "nodes.image" is not its map */
    ir_knob(a, c, "nodesx.a", KNOB_STRING, NULL, "");
    size_t n1, n2;
    const char *want = yaml_write_one(a, ir_default_values(a, c), &n1);
    const char *got = yaml_write_one(a, values_defaults(a, c), &n2);
    assert_string_equal(got, want);
    assert_non_null(strstr(want, "bad: {}")); /* the map before the empty component exists */
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_set_types_follow_strvals), T(test_set_lists_and_indexes), T(test_set_errors),
        T(test_validation), T(test_validation_rules), T(test_validation_reads_like_data_path),
        T(test_validate_defaults_like_validate), T(test_defaults_tree),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
