/* test_manifests.c - the manifest emitter on a hand-built cluster: conditional objects, file
 * layout, kustomization.yaml and inventory.yaml byte for byte, and evaluation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "emit/emit.h"

static IrCluster *build(Arena *a)
{
    IrCluster *c = ir_cluster_new(a, "chat", "chat-ns");
    Knob *pg = ir_knob(a, c, "postgres.enabled", KNOB_BOOL, data_bool(a, false), "postgres");
    Knob *rep = ir_knob(a, c, "nodes.replicas", KNOB_INT, data_int(a, 2), "replicas");
    IrObject *ns = ir_object(a, c, "namespace.yaml", "cluster", "v1", "Namespace", "chat-ns", NULL);
    ir_put(a, ns->root, "apiVersion", ir_str(a, "v1"));
    ir_put(a, ns->root, "kind", ir_str(a, "Namespace"));
    ir_put(a, ir_put(a, ns->root, "metadata", ir_map(a)), "name", ir_expr(a, EXPR_NAMESPACE, NULL));
    IrObject *sts = ir_object(a, c, "nodes/statefulset.yaml", "nodes", "apps/v1", "StatefulSet",
                              "goverse-node", NULL);
    IrNode *m = ir_put(a, sts->root, "metadata", ir_map(a));
    ir_put(a, m, "name", ir_str(a, "goverse-node"));
    ir_put(a, m, "namespace", ir_expr(a, EXPR_NAMESPACE, NULL));
    ir_put(a, ir_put(a, sts->root, "spec", ir_map(a)), "replicas", ir_ref(a, rep));
    IrObject *p = ir_object(a, c, "postgres/service.yaml", "postgres", "v1", "Service", "postgres",
                            ir_cond_knob(a, pg));
    IrNode *pm = ir_put(a, p->root, "metadata", ir_map(a));
    ir_put(a, pm, "name", ir_str(a, "postgres"));
    ir_put(a, pm, "namespace", ir_expr(a, EXPR_NAMESPACE, NULL));
    return c;
}

static const char *file_text(const OutTree *t, const char *path)
{
    const OutFile *f = outtree_find(t, path);
    if (!f)
        fail_msg("missing %s", path);
    return f->data;
}

static void test_defaults(void **state)
{
    (void)state;
    Arena *a = arena_new();
    IrCluster *c = build(a);
    OutTree t;
    outtree_init(&t, a);
    const char *err = NULL;
    assert_true(emit_manifests(a, c, ir_default_values(a, c), &t, "chat", &err));
    assert_int_equal(t.count, 4);
    assert_null(outtree_find(&t, "chat/manifests/postgres/service.yaml"));
    assert_string_equal(file_text(&t, "chat/manifests/nodes/statefulset.yaml"),
                        "metadata:\n  name: goverse-node\n  namespace: chat-ns\nspec:\n  replicas: 2\n");
    assert_string_equal(file_text(&t, "chat/manifests/kustomization.yaml"),
                        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
                        "- namespace.yaml\n- nodes/statefulset.yaml\n");
    assert_string_equal(file_text(&t, "chat/inventory.yaml"),
                        "cluster: chat\nnamespace: chat-ns\nobjects:\n"
                        "- apiVersion: v1\n  kind: Namespace\n  name: chat-ns\n  file: manifests/namespace.yaml\n"
                        "- apiVersion: apps/v1\n  kind: StatefulSet\n  namespace: chat-ns\n  name: goverse-node\n"
                        "  file: manifests/nodes/statefulset.yaml\n");
    arena_free(a);
}

static void test_overrides_and_failure(void **state)
{
    (void)state;
    Arena *a = arena_new();
    IrCluster *c = build(a);
    Data *v = ir_default_values(a, c);
    data_set_path(a, v, "postgres.enabled", data_bool(a, true));
    OutTree t;
    outtree_init(&t, a);
    const char *err = NULL;
    assert_true(emit_manifests(a, c, v, &t, "chat", &err));
    assert_int_equal(t.count, 5);
    assert_non_null(strstr(file_text(&t, "chat/manifests/kustomization.yaml"), "- postgres/service.yaml\n"));
    /* An object that cannot be evaluated is an error naming the file. */
    IrObject *bad = ir_object(a, c, "bad.yaml", "x", "v1", "ConfigMap", "bad", NULL);
    ir_put(a, bad->root, "i", ir_index(a));
    OutTree t2;
    outtree_init(&t2, a);
    assert_false(emit_manifests(a, c, v, &t2, "chat", &err));
    assert_non_null(strstr(err, "bad.yaml"));
    /* The same path emitted twice is refused. */
    IrCluster *d = build(a);
    ir_object(a, d, "namespace.yaml", "cluster", "v1", "Namespace", "again", NULL);
    OutTree t3;
    outtree_init(&t3, a);
    assert_false(emit_manifests(a, d, ir_default_values(a, d), &t3, "chat", &err));
    assert_non_null(strstr(err, "namespace.yaml"));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_overrides_and_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
