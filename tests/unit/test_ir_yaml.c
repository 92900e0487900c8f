/* test_ir_yaml.c - the manifest emitter's direct path (ir/ir_yaml.c) against the Data path
 * (ir_eval_object_written then yaml_write_to) on a hand-built object that holds what the
 * examples hold little of: collections emptied by their conditions, sequences in sequences and
 * in maps, list and map knobs, knob strings with a node style, numbers of text knobs, texts that
 * must be quoted, blocks, non-ASCII text, keys that are not simple, the same key and literal
 * again (the address caches), a manual switch, and evaluations that fail. The examples, override
 * sets and fleets are compared object by object by unit.test_yaml_oracle and goversec-oracle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir/ir_yaml.h"

typedef struct Fixture {
    Arena *a;
    IrCluster *c;
    Knob *replicas, *enabled, *tag, *cpu, *ports, *labels, *empty_list, *mode;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    f->a = arena_new();
    Arena *a = f->a;
    f->c = ir_cluster_new(a, "chat", "chat-ns");
    f->replicas = ir_knob(a, f->c, "nodes.replicas", KNOB_INT, data_int(a, 3), "node pods");
    f->enabled = ir_knob(a, f->c, "postgres.enabled", KNOB_BOOL, data_bool(a, false), "pg");
    f->tag = ir_knob(a, f->c, "nodes.image.tag", KNOB_STRING, data_str(a, "stable"), "t"); /* plain unless quoted */
    f->cpu = ir_knob(a, f->c, "nodes.resources.cpu", KNOB_STRING, data_str(a, "500m"), "cpu");
    Data *ports = data_seq(a);
    data_push(ports, data_int(a, 8080));
    Data *p = data_push(ports, data_map(a));
    data_put(a, p, "name", data_str(a, "grpc"));
    data_put(a, p, "port", data_int(a, 50051));
    f->ports = ir_knob(a, f->c, "nodes.ports", KNOB_OBJECT_LIST, ports, "ports");
    Data *labels = data_map(a);
    data_put(a, labels, "team", data_str(a, "chat"));
    data_put(a, labels, "tier", data_str(a, "true"));
    f->labels = ir_knob(a, f->c, "nodes.labels", KNOB_OBJECT_LIST, labels, "labels");
    f->empty_list = ir_knob(a, f->c, "nodes.extra", KNOB_STRING_LIST, data_seq(a), "extra");
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

static IrObject *build_object(Fixture *f, const char *path)
{
    Arena *a = f->a;
    const IrCond *pg = ir_cond_knob(a, f->enabled);
    IrObject *o = ir_object(a, f->c, path, "nodes", "apps/v1", "StatefulSet", "chat-node", NULL);
    IrNode *meta = ir_put(a, o->root, "metadata", ir_map(a));
    ir_when(a, ir_put(a, meta, "name", ir_str(a, "pg-name")), pg);
    ir_put(a, meta, "name", ir_str(a, "chat-node"));
    ir_put(a, meta, "namespace", ir_expr(a, EXPR_NAMESPACE, NULL));
    IrNode *labels = ir_put(a, meta, "labels", ir_map(a));
    ir_put(a, labels, "app.kubernetes.io/name", ir_str(a, "chat-node"));
    ir_put(a, labels, "app.kubernetes.io/managed-by", ir_str(a, "goversec"));
    IrNode *spec = ir_put(a, o->root, "spec", ir_map(a));
    ir_put(a, spec, "replicas", ir_ref(a, f->replicas));
    ir_put(a, spec, "pgEnabled", ir_ref(a, f->enabled)); /* a boolean knob: written from the values */
    ir_put(a, spec, "release", ir_expr(a, EXPR_RELEASE_NAME, NULL)); /* the cluster's names: by address */
    ir_put(a, spec, "releaseCut", ir_expr(a, EXPR_RELEASE_NAME, ir_int(a, 2))); /* cut short: evaluated */
    ir_put(a, spec, "releaseUncut", ir_expr(a, EXPR_RELEASE_NAME, ir_int(a, 4)));
    ir_put(a, spec, "nsQuoted", ir_expr(a, EXPR_NAMESPACE, NULL))->style = STYLE_QUOTED;
    ir_put(a, spec, "cpu", ir_ref(a, f->cpu));
    IrNode *quoted = ir_put(a, spec, "tag", ir_ref(a, f->tag));
    quoted->style = STYLE_QUOTED;
    ir_put(a, spec, "ports", ir_ref(a, f->ports));
    ir_put(a, spec, "extraLabels", ir_ref(a, f->labels));
    ir_put(a, spec, "extra", ir_ref(a, f->empty_list));
    ir_when(a, ir_put(a, spec, "pgOnlyMap", ir_map(a)), pg);
    IrNode *emptied = ir_put(a, spec, "emptied", ir_map(a));
    ir_when(a, ir_put(a, emptied, "x", ir_int(a, 1)), pg);
    IrNode *emptied_seq = ir_put(a, spec, "emptiedSeq", ir_seq(a));
    ir_when(a, ir_push(emptied_seq, ir_str(a, "x")), pg);
    IrNode *seqs = ir_put(a, spec, "seqs", ir_seq(a));
    IrNode *inner = ir_push(seqs, ir_seq(a));
    ir_push(inner, ir_str(a, "a"));
    ir_push(inner, ir_seq(a));
    IrNode *item = ir_push(seqs, ir_map(a));
    ir_put(a, item, "name", ir_str(a, "chat-node"));
    IrNode *args = ir_put(a, item, "args", ir_seq(a));
    const char *again = "again";
    ir_push(args, ir_str(a, again));
    ir_push(args, ir_str(a, again));
    ir_push(args, ir_str(a, "8080"));
    ir_push(args, ir_str(a, "true"));
    ir_push(args, ir_str(a, ""));
    ir_push(args, ir_str(a, "a: b # c"));
    ir_push(args, ir_str(a, "- dash"));
    ir_push(args, ir_str(a, "naïve café"));
    IrNode *null = ARENA_NEW(a, IrNode); /* (no builder: lowering writes none, the evaluator takes it) */
    *null = (IrNode){.kind = IR_NULL};
    ir_push(args, null);
    ir_push(args, ir_bool(a, false));
    ir_push(args, ir_int(a, -7));
    IrNode *block = ir_push(args, ir_str(a, "set -eu\n\necho \"hi\"\n"));
    block->style = STYLE_LITERAL;
    IrNode *plus = ir_push(args, ir_str(a, "keep\n\n"));
    plus->style = STYLE_LITERAL;
    IrNode *keys = ir_put(a, spec, "keys", ir_map(a));
    ir_put(a, keys, "true", ir_str(a, "a key read as a boolean"));
    ir_put(a, keys, "with: colon", ir_str(a, "x"));
    ir_put(a, keys, "", ir_str(a, "empty key"));
    ir_put(a, keys, "ключ", ir_str(a, "non-ASCII key"));
    char *long_key = arena_alloc(a, 141);
    memset(long_key, 'k', 140);
    long_key[140] = '\0';
    ir_put(a, keys, long_key, ir_str(a, "complex key"));
    ir_put(a, keys, "line\nbreak", ir_str(a, "complex key"));
    ir_put(a, spec, "peers",
           ir_expr(a, EXPR_REPEAT,
                   ir_chain(ir_ref(a, f->replicas),
                            ir_expr(a, EXPR_CONCAT, ir_chain(ir_str(a, "node-"), ir_index(a), NULL)), NULL)));
    IrNode *cfg = ir_map(a);
    ir_put(a, cfg, "shards", ir_int(a, 8192));
    ir_put(a, spec, "config", ir_expr(a, EXPR_YAML, cfg));
    ir_when(a, ir_put(a, spec, "fastOnly", ir_str(a, "yes")), ir_cond_eq(a, f->mode, "fast"));
    return o;
}

/* Both paths on `obj` under `values`: the same presence, outcome, text and inventory fields. */
static void same_both_ways(Fixture *f, IrYamlCache *cache, const IrObject *obj, const Data *values, bool ok_expected)
{
    Arena *a = f->a;
    IrEvalMemo memo = {.arena = a};
    YamlOut out = {0};
    bool present;
    IrYamlMeta meta;
    bool ok = ir_yaml_object_direct(&out, cache, a, f->c, obj, values, &memo, &present, &meta);
    assert_int_equal(ok, ok_expected);
    const char *direct = ok && present ? arena_strndup(a, out.text, out.len) : NULL;
    size_t direct_len = out.len;
    IrEvalMemo memo2 = {.arena = a};
    bool data_present;
    Data *doc = ir_eval_object_written(a, f->c, obj, values, &memo2, &data_present);
    assert_int_equal(present, data_present);
    if (present && ok) {
        assert_non_null(doc);
        assert_true(yaml_write_to(&out, doc));
        assert_int_equal(out.len, direct_len);
        assert_memory_equal(out.text, direct, direct_len);
        const Data *metadata = data_get(doc, "metadata");
        assert_true(data_equal(meta.name, data_get(metadata, "name")));
        assert_true(data_equal(meta.namespace_, data_get(metadata, "namespace")));
    } else if (present) {
        assert_null(doc); /* (no object here fails only in the writer) */
    }
    yaml_out_free(&out);
}

static void test_same_text(void **state)
{
    Fixture *f = *state;
    Arena *a = f->a;
    IrYamlCache *cache = ir_yaml_cache_new(a);
    IrObject *o = build_object(f, "a.yaml");
    Data *v = ir_default_values(a, f->c);
    same_both_ways(f, cache, o, v, true);
    same_both_ways(f, cache, o, v, true); /* every key and literal now from the caches */
    same_both_ways(f, cache, build_object(f, "b.yaml"), v, true); /* other addresses, same texts */
    /* Overrides: postgres on (the emptied collections fill), other lists and modes. */
    Data *over = data_map(a);
    data_set_path(a, over, "postgres.enabled", data_bool(a, true));
    data_set_path(a, over, "nodes.replicas", data_int(a, 1));
    data_set_path(a, over, "nodes.resources.cpu", data_int(a, 2)); /* a number for a text knob */
    data_set_path(a, over, "nodes.extra", data_seq(a));
    data_push(data_path(over, "nodes.extra"), data_str(a, "--verbose"));
    data_set_path(a, over, "mode", data_str(a, "safe"));
    data_merge(a, v, over);
    same_both_ways(f, ir_yaml_cache_new(a), o, v, true);
    same_both_ways(f, cache, o, v, true);
    data_set_path(a, v, "nodes.resources.cpu", data_null(a)); /* a null for a text knob */
    same_both_ways(f, cache, o, v, true);
}

static void test_switched_and_failing(void **state)
{
    Fixture *f = *state;
    Arena *a = f->a;
    IrYamlCache *cache = ir_yaml_cache_new(a);
    Data *v = ir_default_values(a, f->c);
    IrObject *job = build_object(f, "restore.yaml");
    job->manual_switch = f->enabled;
    job->when = ir_cond_knob(a, f->enabled);
    same_both_ways(f, cache, job, v, true); /* written as if postgres.enabled were true */
    IrObject *off = build_object(f, "off.yaml");
    off->when = ir_cond_knob(a, f->enabled);
    same_both_ways(f, cache, off, v, true); /* not present */
    data_set_path(a, v, "nodes.replicas", data_int(a, 100000)); /* a repeat out of range */
    same_both_ways(f, cache, build_object(f, "c.yaml"), v, false);
    IrObject *bad = ir_object(a, f->c, "bad.yaml", "nodes", "v1", "ConfigMap", "bad", NULL);
    ir_put(a, bad->root, "data", ir_index(a)); /* an index outside a repeat */
    same_both_ways(f, cache, bad, v, false);
}

/* The pieces of a concatenation or an image, read without a Data node each where the text is at
 * hand (ir_eval.c's piece_text): literals, the namespace, string and number knobs (a text knob's
 * number too), a repeat's index; a list knob or an index outside a repeat fails the evaluation. */
static void test_concat_pieces(void **state)
{
    Fixture *f = *state;
    Arena *a = f->a;
    Data *v = ir_default_values(a, f->c);
    data_set_path(a, v, "nodes.resources.cpu", data_int(a, -12)); /* a number for a text knob */
    IrNode *cat = ir_expr(a, EXPR_CONCAT,
                          ir_chain(ir_str(a, "n-"), ir_expr(a, EXPR_NAMESPACE, NULL), ir_str(a, ":"),
                                   ir_ref(a, f->replicas), ir_str(a, "/"), ir_ref(a, f->tag), ir_str(a, "/"),
                                   ir_ref(a, f->cpu), ir_ref(a, f->enabled), NULL));
    Data *d = ir_eval_node(a, f->c, cat, v);
    assert_non_null(d);
    assert_string_equal(d->u.str.s, "n-chat-ns:3/stable/-12false");
    assert_int_equal(d->u.str.len, strlen("n-chat-ns:3/stable/-12false"));
    IrNode *body = ir_expr(a, EXPR_CONCAT, ir_chain(ir_str(a, "p"), ir_index(a), NULL));
    d = ir_eval_node(a, f->c, ir_expr(a, EXPR_REPEAT, ir_chain(ir_ref(a, f->replicas), body, NULL)), v);
    assert_non_null(d);
    assert_int_equal(d->u.kids.count, 3);
    assert_string_equal(d->u.kids.last->u.str.s, "p2");
    IrNode *img = ir_expr(a, EXPR_IMAGE,
                          ir_chain(ir_str(a, ""), ir_ref(a, f->tag), ir_str(a, "repo"), ir_ref(a, f->replicas), NULL));
    d = ir_eval_node(a, f->c, img, v);
    assert_non_null(d);
    assert_string_equal(d->u.str.s, "stable/repo:3");
    assert_null(ir_eval_node(a, f->c, ir_expr(a, EXPR_CONCAT, ir_chain(ir_str(a, "x"), ir_ref(a, f->ports), NULL)), v));
    assert_null(ir_eval_node(a, f->c, ir_expr(a, EXPR_CONCAT, ir_chain(ir_str(a, "x"), ir_index(a), NULL)), v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_switched_and_failing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concat_pieces, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
