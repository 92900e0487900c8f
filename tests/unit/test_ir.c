/* test_ir.c - IR evaluation on a hand-built cluster: conditions, knob references with value
 * overrides, every expression op, default values, and SHA-256 against the FIPS 180-2 vectors. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir/ir.h"
#include "support/sha256.h"
#include "yaml/yamlio.h"

typedef struct Fixture {
    Arena *a;
    IrCluster *c;
    Knob *replicas, *enabled, *registry, *greg, *repo, *tag, *mode;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    f->a = arena_new();
    Arena *a = f->a;
    f->c = ir_cluster_new(a, "chat", "chat-ns");
    f->replicas = ir_knob(a, f->c, "nodes.replicas", KNOB_INT, data_int(a, 3), "node pods");
    f->enabled = ir_knob(a, f->c, "postgres.enabled", KNOB_BOOL, data_bool(a, false), "pg");
    f->greg = ir_knob(a, f->c, "global.imageRegistry", KNOB_STRING, data_str(a, ""), "reg");
    f->registry = ir_knob(a, f->c, "nodes.image.registry", KNOB_STRING, data_str(a, "ghcr.io"), "r");
    f->repo = ir_knob(a, f->c, "nodes.image.repository", KNOB_STRING, data_str(a, "goverse/node"), "r");
    f->tag = ir_knob(a, f->c, "nodes.image.tag", KNOB_STRING, data_str(a, "1.2.0"), "t");
    f->mode = ir_knob(a, f->c, "mode", KNOB_ENUM, data_str(a, "fast"), "m");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    arena_free(f->a);
    free(f);
    return 0;
}

static const char *yaml_of(Arena *a, const Data *d)
{
    size_t len;
    const char *s = yaml_write_one(a, d, &len);
    assert_non_null(s);
    return s;
}

static void test_defaults_and_find(void **state)
{
    Fixture *f = *state;
    assert_ptr_equal(ir_find_knob(f->c, "nodes.image.tag"), f->tag);
    assert_null(ir_find_knob(f->c, "nodes.image"));
    Data *v = ir_default_values(f->a, f->c);
    assert_string_equal(yaml_of(f->a, v),
                        "nodes:\n  replicas: 3\n  image:\n    registry: ghcr.io\n    repository: goverse/node\n"
                        "    tag: \"1.2.0\"\npostgres:\n  enabled: false\nglobal:\n  imageRegistry: \"\"\nmode: fast\n");
}

static void test_conditions(void **state)
{
    Fixture *f = *state;
    Arena *a = f->a;
    Data *v = ir_default_values(a, f->c);
    const IrCond *pg = ir_cond_knob(a, f->enabled);
    assert_false(ir_cond_eval(pg, v));
    assert_true(ir_cond_eval(ir_cond_not(a, pg), v));
    assert_true(ir_cond_eval(ir_cond_eq(a, f->mode, "fast"), v));
    assert_false(ir_cond_eval(ir_cond_eq(a, f->mode, "slow"), v));
    assert_true(ir_cond_eval(ir_cond_or(a, pg, ir_cond_knob(a, f->replicas)), v));
    assert_false(ir_cond_eval(ir_cond_and(a, pg, ir_cond_knob(a, f->replicas)), v));
    assert_true(ir_cond_eval(NULL, v));
    data_set_path(a, v, "postgres.enabled", data_bool(a, true));
    assert_true(ir_cond_eval(pg, v));
    /* Missing from values: the knob default decides. */
    assert_false(ir_cond_eval(pg, NULL));
}

static IrObject *build_object(Fixture *f)
{
    Arena *a = f->a;
    IrObject *o = ir_object(a, f->c, "nodes/statefulset.yaml", "nodes", "apps/v1", "StatefulSet",
                            "chat-node", NULL);
    IrNode *meta = ir_put(a, o->root, "metadata", ir_map(a));
    ir_put(a, meta, "name", ir_str(a, "chat-node"));
    ir_put(a, meta, "namespace", ir_expr(a, EXPR_NAMESPACE, NULL));
    IrNode *spec = ir_put(a, o->root, "spec", ir_map(a));
    ir_put(a, spec, "replicas", ir_ref(a, f->replicas));
    ir_when(a, ir_put(a, spec, "pg", ir_bool(a, true)), ir_cond_knob(a, f->enabled));
    ir_put(a, spec, "image",
           ir_expr(a, EXPR_IMAGE, ir_chain(ir_ref(a, f->greg), ir_ref(a, f->registry), ir_ref(a, f->repo),
                                          ir_ref(a, f->tag), NULL)));
    IrNode *peers = ir_put(a, spec, "peers",
                           ir_expr(a, EXPR_REPEAT,
                                   ir_chain(ir_ref(a, f->replicas),
                                            ir_expr(a, EXPR_CONCAT,
                                                    ir_chain(ir_str(a, "node-"), ir_index(a), ir_str(a, "."),
                                                             ir_expr(a, EXPR_NAMESPACE, NULL), NULL)),
                                            NULL)));
    (void)peers;
    IrNode *cfg = ir_map(a);
    ir_put(a, cfg, "shards", ir_int(a, 8192));
    ir_put(a, spec, "joined",
           ir_expr(a, EXPR_JOIN, ir_chain(ir_str(a, ","), ir_expr(a, EXPR_REPEAT,
                                                                 ir_chain(ir_int(a, 3), ir_index(a), NULL)),
                                          NULL)));
    ir_put(a, spec, "config", ir_expr(a, EXPR_YAML, cfg));
    ir_put(a, spec, "hash", ir_expr(a, EXPR_SHA256, ir_str(a, "abc")));
    IrNode *list = ir_put(a, spec, "list", ir_seq(a));
    ir_push(list, ir_str(a, "always"));
    ir_when(a, ir_push(list, ir_str(a, "pg-only")), ir_cond_knob(a, f->enabled));
    ir_push(list, ir_str(a, "8080"));
    return o;
}

static void test_eval_object(void **state)
{
    Fixture *f = *state;
    Arena *a = f->a;
    IrObject *o = build_object(f);
    Data *v = ir_default_values(a, f->c);
    Data *d = ir_eval_object(a, f->c, o, v);
    assert_non_null(d);
    assert_string_equal(
        yaml_of(a, d),
        "metadata:\n  name: chat-node\n  namespace: chat-ns\nspec:\n  replicas: 3\n"
        "  image: ghcr.io/goverse/node:1.2.0\n  peers:\n  - node-0.chat-ns\n  - node-1.chat-ns\n"
        "  - node-2.chat-ns\n  joined: 0,1,2\n  config: |\n    shards: 8192\n"
        "  hash: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
        "  list:\n  - always\n  - \"8080\"\n");
    /* Overrides: replicas 1, postgres on, global registry wins. */
    Data *over = data_map(a);
    data_set_path(a, over, "nodes.replicas", data_int(a, 1));
    data_set_path(a, over, "postgres.enabled", data_bool(a, true));
    data_set_path(a, over, "global.imageRegistry", data_str(a, "mirror.local"));
    data_merge(a, v, over);
    d = ir_eval_object(a, f->c, o, v);
    Data *spec = data_get(d, "spec");
    assert_int_equal(data_get(spec, "replicas")->u.i, 1);
    assert_true(data_get(spec, "pg")->u.b);
    assert_string_equal(data_get(spec, "image")->u.str.s, "mirror.local/goverse/node:1.2.0");
    assert_int_equal(data_get(spec, "peers")->u.kids.count, 1);
    assert_int_equal(data_get(spec, "list")->u.kids.count, 3);
    /* No registry at all: no leading slash. */
    data_set_path(a, v, "global.imageRegistry", data_str(a, ""));
    data_set_path(a, v, "nodes.image.registry", data_str(a, ""));
    d = ir_eval_object(a, f->c, o, v);
    assert_string_equal(data_get(data_get(d, "spec"), "image")->u.str.s, "goverse/node:1.2.0");
    /* Result is a deep copy: mutating it leaves the values untouched. */
    Data *r = ir_eval_node(a, f->c, ir_ref(a, f->tag), v);
    assert_string_equal(r->u.str.s, "1.2.0");
    assert_ptr_not_equal(r, data_path(v, "nodes.image.tag"));
}

/* A manual switch (a restore Job) is read as true without copying the values: the document is
 * the one a copy with the switch set would give, the values stay as they are, and other objects
 * evaluated with the same memo still see the switch off. */
static void test_eval_switched(void **state)
{
    Fixture *f = *state;
    Arena *a = f->a;
    Data *v = ir_default_values(a, f->c);
    IrObject *o = build_object(f);
    o->manual_switch = f->enabled;
    o->when = ir_cond_knob(a, f->enabled);
    Data *on = data_clone(a, v);
    data_set_path(a, on, "postgres.enabled", data_bool(a, true));
    const char *expected = yaml_of(a, ir_eval_object(a, f->c, o, on));
    IrEvalMemo memo = {.arena = a};
    bool present = false;
    Data *d = ir_eval_object_written(a, f->c, o, v, &memo, &present);
    assert_true(present);
    assert_non_null(d);
    assert_string_equal(yaml_of(a, d), expected);
    assert_false(data_path(v, "postgres.enabled")->u.b);
    /* The same memo for an object without a switch: postgres is off there. */
    d = ir_eval_object_written(a, f->c, build_object(f), v, &memo, &present);
    assert_true(present);
    assert_null(data_get(data_get(d, "spec"), "pg"));
    /* A condition that does not hold even with the switch on: not present. */
    IrObject *off = build_object(f);
    off->manual_switch = f->enabled;
    off->when = ir_cond_and(a, ir_cond_knob(a, f->enabled), ir_cond_not(a, ir_cond_knob(a, f->replicas)));
    assert_null(ir_eval_object_written(a, f->c, off, v, &memo, &present));
    assert_false(present);
    /* A knob inside the switch's path: a copy with the switch set loses its value (back to the
     * default), and so does the switched evaluation. */
    Knob *sw = ir_knob(a, f->c, "restore.on", KNOB_BOOL, data_bool(a, false), "switch");
    Knob *inner = ir_knob(a, f->c, "restore.on.from", KNOB_STRING, data_str(a, "default"), "inner");
    IrObject *job = ir_object(a, f->c, "restore.yaml", "etcd", "batch/v1", "Job", "restore", ir_cond_knob(a, sw));
    job->manual_switch = sw;
    ir_put(a, job->root, "from", ir_ref(a, inner));
    Data *v2 = ir_default_values(a, f->c);
    data_set_path(a, v2, "restore.on.from", data_str(a, "snapshot-7"));
    IrEvalMemo memo2 = {.arena = a};
    d = ir_eval_object_written(a, f->c, job, v2, &memo2, &present);
    assert_true(present);
    assert_string_equal(data_get(d, "from")->u.str.s, "default");
}

static void test_eval_failures(void **state)
{
    Fixture *f = *state;
    Arena *a = f->a;
    IrObject *o = build_object(f);
    Data *v = ir_default_values(a, f->c);
    data_set_path(a, v, "nodes.replicas", data_int(a, 100000));
    assert_null(ir_eval_object(a, f->c, o, v));
    data_set_path(a, v, "nodes.replicas", data_int(a, -1));
    assert_null(ir_eval_object(a, f->c, o, v));
    assert_null(ir_eval_node(a, f->c, ir_index(a), v));
    /* A conditional object whose condition is false evaluates to NULL. */
    IrObject *pg = ir_object(a, f->c, "postgres/sts.yaml", "postgres", "apps/v1", "StatefulSet", "pg",
                             ir_cond_knob(a, f->enabled));
    assert_null(ir_eval_object(a, f->c, pg, ir_default_values(a, f->c)));
    Data *on = ir_default_values(a, f->c);
    data_set_path(a, on, "postgres.enabled", data_bool(a, true));
    Data *d = ir_eval_object(a, f->c, pg, on);
    assert_non_null(d);
    assert_int_equal(d->kind, DATA_MAP);
}

static void test_sha256_vectors(void **state)
{
    (void)state;
    char hex[65];
    assert_string_equal(sha256_hex("abc", 3, hex),
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_string_equal(sha256_hex("", 0, hex),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_string_equal(sha256_hex(two, strlen(two), hex),
                        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* Every way the padding falls: the length field in the last block or in one more (sha256sum). */
    static const struct { size_t n; const char *hex; } as[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
        {127, "c57e9278af78fa3cab38667bef4ce29d783787a2f731d4e12200270f0c32320a"},
    };
    char a128[128];
    memset(a128, 'a', sizeof a128);
    for (size_t i = 0; i < sizeof as / sizeof as[0]; i++)
        assert_string_equal(sha256_hex(a128, as[i].n, hex), as[i].hex);
    Sha256 s;
    unsigned char d[32];
    char chunk[1000];
    memset(chunk, 'a', sizeof chunk);
    sha256_init(&s);
    for (int i = 0; i < 1000; i++)
        sha256_update(&s, chunk, sizeof chunk);
    sha256_final(&s, d);
    static const unsigned char million_a[4] = {0xcd, 0xc7, 0x6e, 0x5c};
    assert_memory_equal(d, million_a, 4);
}

/* A cluster with knobs a, b (booleans), m (a string) and one object whose node is guarded by
 * the condition `make` builds over them. */
typedef const IrCond *MakeCond(Arena *a, const Knob *ka, const Knob *kb, const Knob *km);

static IrCluster *shape_cluster(Arena *a, const char *name, MakeCond *make)
{
    IrCluster *c = ir_cluster_new(a, name, name);
    Knob *ka = ir_knob(a, c, "x.a", KNOB_BOOL, data_bool(a, false), "a");
    Knob *kb = ir_knob(a, c, "x.b", KNOB_BOOL, data_bool(a, true), "b");
    Knob *km = ir_knob(a, c, "x.m", KNOB_STRING, data_str(a, "one"), "m");
    IrObject *o = ir_object(a, c, "o.yaml", "x", "v1", "ConfigMap", "o", NULL);
    IrNode *data = ir_put(a, o->root, "data", ir_map(a));
    for (int i = 0; i < 3; i++) /* the same condition guards several nodes (the comparison's memo) */
        ir_when(a, ir_put(a, data, i == 0 ? "k0" : i == 1 ? "k1" : "k2", ir_str(a, "v")), make(a, ka, kb, km));
    return c;
}

static const IrCond *and_ab(Arena *a, const Knob *ka, const Knob *kb, const Knob *km)
{
    (void)km;
    return ir_cond_and(a, ir_cond_knob(a, ka), ir_cond_not(a, ir_cond_knob(a, kb)));
}
static const IrCond *and_ba(Arena *a, const Knob *ka, const Knob *kb, const Knob *km)
{
    return and_ab(a, kb, ka, km);
}
static const IrCond *or_ab(Arena *a, const Knob *ka, const Knob *kb, const Knob *km)
{
    (void)km;
    return ir_cond_or(a, ir_cond_knob(a, ka), ir_cond_not(a, ir_cond_knob(a, kb)));
}
static const IrCond *eq_one(Arena *a, const Knob *ka, const Knob *kb, const Knob *km)
{
    return ir_cond_and(a, and_ab(a, ka, kb, km), ir_cond_eq(a, km, "one"));
}
static const IrCond *eq_two(Arena *a, const Knob *ka, const Knob *kb, const Knob *km)
{
    return ir_cond_and(a, and_ab(a, ka, kb, km), ir_cond_eq(a, km, "two"));
}

/* ir_same_shape compares conditions by structure, knobs and literals, not by address. */
static void test_same_shape_conditions(void **state)
{
    Fixture *f = *state;
    Arena *a = f->a;
    MakeCond *makes[] = {and_ab, and_ba, or_ab, eq_one, eq_two};
    enum { N = sizeof makes / sizeof makes[0] };
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            IrCluster *x = shape_cluster(a, "x", makes[i]), *y = shape_cluster(a, "y", makes[j]);
            if (ir_same_shape(x, y) != (i == j))
                fail_msg("conditions %d and %d: ir_same_shape says %s", i, j, i == j ? "different" : "same");
            if (i == j)
                assert_true(ir_shape_hash(x) == ir_shape_hash(y));
        }
}

/* A tree deeper than ir_same_shape's stack of sibling lists (every level has a sibling after
 * its nested map, so each level waits on the stack), then a sequence and a last entry.
 * `variant` 0 is the base; each other one differs from it in one place: 1 an item more at the
 * end of the sequence, 2 a string deep down (past the stack), 3 an entry more in a map that has
 * siblings after it, 4 no last entry, 5 an expression's op, 6 the deepest integer. Strings are
 * copies: equal texts at different addresses. */
static IrCluster *tree_cluster(Arena *a, int variant)
{
    IrCluster *c = ir_cluster_new(a, "t", "t");
    IrObject *o = ir_object(a, c, "o.yaml", "x", "v1", "ConfigMap", "o", NULL);
    IrNode *m = o->root;
    for (int depth = 0; depth < 40; depth++) {
        IrNode *kid = ir_put(a, m, "d", ir_map(a));
        if (variant == 3 && depth == 20)
            ir_put(a, m, "extra", ir_int(a, 1));
        ir_put(a, m, "after", ir_str(a, arena_strdup(a, variant == 2 && depth == 35 ? "y" : "x")));
        m = kid;
    }
    ir_put(a, m, "leaf", ir_int(a, variant == 6 ? 2 : 1));
    IrNode *seq = ir_put(a, o->root, "seq", ir_seq(a));
    ir_push(seq, ir_expr(a, variant == 5 ? EXPR_JOIN : EXPR_CONCAT,
                         ir_chain(ir_str(a, arena_strdup(a, "a")), ir_str(a, "b"), NULL)));
    ir_push(seq, ir_str(a, "c"));
    if (variant == 1)
        ir_push(seq, ir_bool(a, true));
    if (variant != 4)
        ir_put(a, o->root, "tail", ir_bool(a, false));
    return c;
}

/* ir_same_shape walks whole trees, however deep, and tells every single difference. */
static void test_same_shape_trees(void **state)
{
    Fixture *f = *state;
    Arena *a = f->a;
    enum { N = 7 };
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            IrCluster *x = tree_cluster(a, i), *y = tree_cluster(a, j);
            if (ir_same_shape(x, y) != (i == j))
                fail_msg("trees %d and %d: ir_same_shape says %s", i, j, i == j ? "different" : "same");
            if (i == j)
                assert_true(ir_shape_hash(x) == ir_shape_hash(y));
        }
}

/* ir_map_sharing: maps that share a model's kids evaluate like copies of it; the first ir_put to
 * one copies the list (the model and the other maps stay as they were, conditions included: the
 * copy's records are its own); an append to the model, or to a container inside the shared list,
 * is refused with an abort (checked in a child process). */
static IrNode *sharing_model(Fixture *f)
{
    Arena *a = f->a;
    IrNode *m = ir_map(a);
    ir_put(a, m, "app", ir_str(a, "node"));
    ir_when(a, ir_put(a, m, "pg", ir_str(a, "on")), ir_cond_knob(a, f->enabled));
    ir_push(ir_put(a, m, "list", ir_seq(a)), ir_str(a, "x"));
    return m;
}

static const char *eval_yaml(Fixture *f, IrNode *map, const Data *values)
{
    IrNode *root = ir_map(f->a);
    ir_put(f->a, root, "m", map);
    return yaml_of(f->a, ir_eval_node(f->a, f->c, root, values));
}

static bool aborts(void (*fn)(Fixture *), Fixture *f)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr); /* the internal error message */
        fn(f);
        _exit(0);
    }
    int status = 0;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void put_to_model(Fixture *f)
{
    IrNode *model = sharing_model(f);
    ir_map_sharing(f->a, model);
    ir_put(f->a, model, "late", ir_str(f->a, "no"));
}

static void push_to_shared_seq(Fixture *f)
{
    IrNode *model = sharing_model(f);
    IrNode *m = ir_map_sharing(f->a, model);
    IrNode *list = NULL;
    for (IrNode *k = m->u.kids.first; k; k = k->next)
        if (strcmp(ir_node_key(k), "list") == 0)
            list = k;
    ir_push(list, ir_str(f->a, "y"));
}

static void test_map_sharing(void **state)
{
    Fixture *f = *state;
    Arena *a = f->a;
    Data *v = ir_default_values(a, f->c);
    Data *pg_on = ir_default_values(a, f->c);
    data_set_path(a, pg_on, "postgres.enabled", data_bool(a, true));
    IrNode *model = sharing_model(f);
    IrNode *x = ir_map_sharing(a, model), *y = ir_map_sharing(a, model);
    assert_ptr_equal(x->u.kids.first, model->u.kids.first); /* shared, not copied */
    assert_string_equal(eval_yaml(f, x, v), "m:\n  app: node\n  list:\n  - x\n");
    ir_put(a, x, "extra", ir_int(a, 1));
    assert_ptr_not_equal(x->u.kids.first, model->u.kids.first);
    ir_when(a, x->u.kids.first->next, NULL); /* x's "pg" made unconditional: its own record */
    ir_put(a, x, "more", ir_int(a, 2));      /* an own list: appended in place */
    assert_string_equal(eval_yaml(f, x, v), "m:\n  app: node\n  pg: \"on\"\n  list:\n  - x\n  extra: 1\n  more: 2\n");
    assert_string_equal(eval_yaml(f, y, v), "m:\n  app: node\n  list:\n  - x\n");
    assert_string_equal(eval_yaml(f, y, pg_on), "m:\n  app: node\n  pg: \"on\"\n  list:\n  - x\n");
    assert_ptr_equal(y->u.kids.first, model->u.kids.first);
    assert_true(aborts(put_to_model, f));
    assert_true(aborts(push_to_shared_seq, f));
}

/* ir_with_entry: the copy reads like the original with one entry replaced (its key and condition
 * kept), shares the entries after it, and leaves the original as it was; the original can no
 * longer be appended to, the copy can (its list copied first). */
static void put_to_original(Fixture *f)
{
    IrNode *m = sharing_model(f);
    ir_with_entry(f->a, m, m->u.kids.first, ir_str(f->a, "gate"));
    ir_put(f->a, m, "late", ir_str(f->a, "no"));
}

static void test_with_entry(void **state)
{
    Fixture *f = *state;
    Arena *a = f->a;
    Data *v = ir_default_values(a, f->c);
    Data *pg_on = ir_default_values(a, f->c);
    data_set_path(a, pg_on, "postgres.enabled", data_bool(a, true));
    IrNode *m = sharing_model(f); /* app: node, pg (when postgres.enabled): on, list: [x] */
    IrNode *pg = m->u.kids.first->next;
    IrNode *x = ir_with_entry(a, m, pg, ir_str(a, "changed"));
    assert_ptr_equal(x->u.kids.first->next->next, pg->next); /* the entries after it: shared */
    assert_string_equal(eval_yaml(f, x, v), "m:\n  app: node\n  list:\n  - x\n");
    assert_string_equal(eval_yaml(f, x, pg_on), "m:\n  app: node\n  pg: changed\n  list:\n  - x\n");
    IrNode *y = ir_with_entry(a, x, x->u.kids.first, ir_str(a, "gate")); /* a copy of a copy */
    ir_put(a, y, "extra", ir_int(a, 1));
    assert_string_equal(eval_yaml(f, y, pg_on), "m:\n  app: gate\n  pg: changed\n  list:\n  - x\n  extra: 1\n");
    assert_string_equal(eval_yaml(f, x, pg_on), "m:\n  app: node\n  pg: changed\n  list:\n  - x\n");
    assert_string_equal(eval_yaml(f, m, pg_on), "m:\n  app: node\n  pg: \"on\"\n  list:\n  - x\n");
    assert_true(aborts(put_to_original, f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults_and_find, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_switched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_failures, setup, teardown),
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test_setup_teardown(test_same_shape_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_shape_trees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_sharing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_with_entry, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
