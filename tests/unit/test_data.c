/* test_data.c - data trees: construction, dotted paths (set replaces in place, keeping order),
 * deep clones, Helm-style merge (null deletes, lists replace), order-insensitive map equality. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ir/data.h"

static const char *keys(Arena *a, const Data *map)
{
    const char *s = "";
    for (const Data *e = map->u.kids.first; e; e = e->next)
        s = arena_printf(a, "%s%s,", s, e->key);
    return s;
}

static void test_paths(void **state)
{
    (void)state;
    Arena *a = arena_new();
    Data *root = data_map(a);
    assert_true(data_set_path(a, root, "a.b.c", data_int(a, 1)));
    assert_true(data_set_path(a, root, "x", data_str(a, "s")));
    assert_true(data_set_path(a, root, "a.b.d", data_bool(a, true)));
    assert_true(data_set_path(a, root, "a.b.c", data_int(a, 2))); /* replace in place */
    assert_string_equal(keys(a, data_path(root, "a.b")), "c,d,");
    assert_int_equal(data_path(root, "a.b.c")->u.i, 2);
    assert_int_equal(data_path(root, "a.b")->u.kids.count, 2);
    assert_null(data_path(root, "a.q"));
    assert_null(data_path(root, "x.y"));
    assert_false(data_set_path(a, root, "", data_int(a, 1)));
    assert_false(data_set_path(a, data_seq(a), "a", data_int(a, 1)));
    /* Keys containing dots are reachable only through data_get. */
    Data *ann = data_map(a);
    data_put(a, ann, "app.kubernetes.io/name", data_str(a, "node"));
    assert_null(data_path(ann, "app.kubernetes.io/name"));
    assert_string_equal(data_get(ann, "app.kubernetes.io/name")->u.str.s, "node");
    Data *s = data_strn(a, "abcdef", 3);
    assert_int_equal(s->u.str.len, 3);
    assert_string_equal(s->u.str.s, "abc");
    arena_free(a);
}

/* The tree as text, keys in order: data_equal ignores map order, these tests must not. */
static const char *dump(Arena *a, const Data *d)
{
    if (d->kind == DATA_INT)
        return arena_printf(a, "%lld", (long long)d->u.i);
    if (d->kind != DATA_MAP)
        return "?";
    const char *s = "{";
    for (const Data *e = d->u.kids.first; e; e = e->next)
        s = arena_printf(a, "%s%s:%s,", s, e->key, dump(a, e));
    return arena_printf(a, "%s}", s);
}

/* data_set_path_cached builds the tree data_set_path builds from the root each time: paths that
 * share maps, leave them, come back to them, replace a map by a scalar and a scalar by a map,
 * repeat a path, and fail on an empty component. */
static void test_paths_cached(void **state)
{
    (void)state;
    Arena *a = arena_new();
    static const char *const paths[] = {
        "a.b.c", "a.b.d", "a.e", "x", "a.b.f", "a.b.c", "a.b", "a.b.g", "a.bb.h", "a.b.g.i", "y.z..w",
        "y.z.v", "a", "a.b.c", "q.r.s.t.u", "q.r.s.t.v", "q.r.w", "q.r.s.t.u", "",
    };
    int n = (int)(sizeof paths / sizeof paths[0]);
    Data *plain = data_map(a), *cached = data_map(a);
    DataPathCache cache = {0};
    for (int i = 0; i < n; i++) {
        bool want = data_set_path(a, plain, paths[i], data_int(a, i));
        assert_int_equal(data_set_path_cached(a, cached, paths[i], data_int(a, i), &cache), want);
        assert_string_equal(dump(a, cached), dump(a, plain));
    }
    assert_string_equal(dump(a, cached), "{a:{b:{c:13,},},x:3,y:{z:{v:11,},},q:{r:{s:{t:{u:17,v:15,},},w:16,},},}");
    arena_free(a);
}

static void test_clone_and_equal(void **state)
{
    (void)state;
    Arena *a = arena_new();
    Data *m = data_map(a);
    data_put(a, m, "k", data_int(a, 1));
    Data *seq = data_put(a, m, "s", data_seq(a));
    data_push(seq, data_str(a, "x"));
    data_push(seq, data_null(a));
    Data *c = data_clone(a, m);
    assert_true(data_equal(m, c));
    data_path(c, "s")->u.kids.first->u.str.s = "y";
    assert_false(data_equal(m, c));
    assert_string_equal(data_path(m, "s")->u.kids.first->u.str.s, "x");
    /* Map order does not matter for equality, sequence order does. */
    Data *p = data_map(a), *q = data_map(a);
    data_put(a, p, "a", data_int(a, 1));
    data_put(a, p, "b", data_int(a, 2));
    data_put(a, q, "b", data_int(a, 2));
    data_put(a, q, "a", data_int(a, 1));
    assert_true(data_equal(p, q));
    Data *s1 = data_seq(a), *s2 = data_seq(a);
    data_push(s1, data_int(a, 1));
    data_push(s1, data_int(a, 2));
    data_push(s2, data_int(a, 2));
    data_push(s2, data_int(a, 1));
    assert_false(data_equal(s1, s2));
    assert_false(data_equal(data_int(a, 1), data_str(a, "1")));
    assert_false(data_equal(data_str(a, "ab"), data_str(a, "abc")));
    arena_free(a);
}

static void test_merge(void **state)
{
    (void)state;
    Arena *a = arena_new();
    Data *dst = data_map(a);
    data_set_path(a, dst, "nodes.replicas", data_int(a, 3));
    data_set_path(a, dst, "nodes.tag", data_str(a, "1.0"));
    data_set_path(a, dst, "list", data_seq(a));
    data_push(data_path(dst, "list"), data_int(a, 1));
    data_set_path(a, dst, "gone", data_int(a, 1));
    Data *src = data_map(a);
    data_set_path(a, src, "nodes.replicas", data_int(a, 5));
    data_set_path(a, src, "gone", data_null(a));
    data_set_path(a, src, "list", data_seq(a));
    data_set_path(a, src, "extra.x", data_bool(a, true));
    data_merge(a, dst, src);
    assert_int_equal(data_path(dst, "nodes.replicas")->u.i, 5);
    assert_string_equal(data_path(dst, "nodes.tag")->u.str.s, "1.0");
    assert_int_equal(data_path(dst, "list")->u.kids.count, 0);
    assert_null(data_get(dst, "gone"));
    assert_string_equal(keys(a, dst), "nodes,list,extra,");
    assert_int_equal(dst->u.kids.count, 3);
    /* src is copied, not shared. */
    data_path(src, "extra.x")->u.b = false;
    assert_true(data_path(dst, "extra.x")->u.b);
    /* Deleting the last entry keeps the map appendable. */
    Data *last = data_map(a);
    data_set_path(a, last, "z", data_null(a));
    data_merge(a, dst, last);
    data_set_path(a, dst, "extra", data_null(a)); /* explicit null value stays (only merge deletes) */
    Data *del = data_map(a);
    data_put(a, del, "extra", data_null(a));
    data_merge(a, dst, del);
    data_put(a, dst, "after", data_int(a, 1));
    assert_string_equal(keys(a, dst), "nodes,list,after,");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_paths_cached),
        cmocka_unit_test(test_clone_and_equal),
        cmocka_unit_test(test_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
