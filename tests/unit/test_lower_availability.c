/* test_lower_availability.c - placement and availability lowering, from .gv text through the real
 * checker: the section 14 affinity, zone spread and toleration, PodDisruptionBudgets, the section
 * 7.3 HorizontalPodAutoscaler (and the gate Deployment without `replicas`), rollout settings;
 * value overrides that switch them; nothing of it for a cluster without tier or zones; the
 * `not_above` value rule (HPA min <= max); `goversec diff` over the new kinds. */
#include "drift.h"
#include "lower/lower.h"
#include "test_check_util.h"
#include "test_data_util.h"
#include "values/values.h"

static const char MULTIZONE[] =
    "use \"tiers\"\n"
    "cluster \"mz\" {\n"
    "    namespace \"goverse-prod\"\n"
    "    tier production-small\n"
    "    zones [\"us-west-2a\", \"us-west-2b\", \"us-west-2c\"]\n"
    "    nodes { image \"goverse/node:1.2.0\"  disruption min 2 }\n"
    "    gates { image \"goverse/gate:1.2.0\"  autoscale 2 .. 10 { cpu 70%  memory 80% } }\n"
    "}\n";

static const char TIERLESS[] = "cluster \"plain\" {\n    nodes { replicas 3 }\n    gates { replicas 3 }\n}\n";

static const char STRICT_NO_ZONES[] =
    "use \"tiers\"\n"
    "cluster \"hosts\" {\n"
    "    tier production-small\n"
    "    nodes { image \"goverse/node:1.2.0\" }\n"
    "    gates { image \"goverse/gate:1.2.0\" }\n"
    "}\n";

typedef struct Fx {
    Run *run;
    IrCluster *ir;
    Data *values;
} Fx;

static Fx lower_text(const char *text, const char *name)
{
    Fx f = {run_check(text), NULL, NULL};
    if (diag_has_errors(&f.run->diags))
        fail_msg("%s", f.run->out);
    f.ir = lower_cluster(f.run->arena, run_cluster(f.run, name), NULL);
    f.values = ir_default_values(f.run->arena, f.ir);
    return f;
}

static void set(Fx *f, const char *path, Data *v) { assert_true(data_set_path(f->run->arena, f->values, path, v)); }

/* The object's document under the current values; NULL when its condition is false. */
static Data *doc(Fx *f, const char *kind, const char *name)
{
    for (const IrObject *o = f->ir->objects; o; o = o->next)
        if (!strcmp(o->kind, kind) && !strcmp(o->name, name))
            return ir_eval_object(f->run->arena, f->ir, o, f->values);
    fail_msg("no object %s/%s", kind, name);
    return NULL;
}

static size_t count(const Data *seq)
{
    assert_int_equal(seq->kind, DATA_SEQ);
    return seq->u.kids.count;
}

static Data *pod(Fx *f, const char *kind, const char *name) { return at(doc(f, kind, name), "spec.template.spec"); }

static void assert_term(const Data *t, int64_t weight, const char *app, const char *key)
{
    assert_int_equal(num(at(t, "weight")), weight);
    assert_string_equal(str(at(t, "podAffinityTerm.labelSelector.matchLabels.app")), app);
    assert_string_equal(str(at(t, "podAffinityTerm.topologyKey")), key);
}

/* Section 14 exactly, plus the zone restriction and spread. */
static void assert_zonal(Fx *f, const char *kind, const char *name, const char *spread)
{
    Data *p = pod(f, kind, name);
    Data *expr = nth(at(nth(at(p, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"),
                            0), "matchExpressions"), 0);
    assert_string_equal(str(at(expr, "key")), "topology.kubernetes.io/zone");
    assert_string_equal(str(at(expr, "operator")), "In");
    assert_int_equal(count(at(expr, "values")), 3);
    assert_string_equal(str(nth(at(expr, "values"), 2)), "us-west-2c");
    Data *pref = at(p, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution");
    assert_int_equal(count(pref), 2);
    assert_term(nth(pref, 0), 100, name, "topology.kubernetes.io/zone");
    assert_term(nth(pref, 1), 50, name, "kubernetes.io/hostname");
    Data *tsc = at(p, "topologySpreadConstraints");
    assert_int_equal(count(tsc), 1);
    assert_int_equal(num(at(nth(tsc, 0), "maxSkew")), 1);
    assert_string_equal(str(at(nth(tsc, 0), "topologyKey")), "topology.kubernetes.io/zone");
    assert_string_equal(str(at(nth(tsc, 0), "whenUnsatisfiable")), spread);
    assert_string_equal(str(at(nth(tsc, 0), "labelSelector.matchLabels.app")), name);
}

static void test_multizone_placement(void **state)
{
    (void)state;
    Fx f = lower_text(MULTIZONE, "mz");
    assert_zonal(&f, "StatefulSet", "goverse-node", "ScheduleAnyway");
    assert_zonal(&f, "Deployment", "goverse-gate", "ScheduleAnyway");
    assert_zonal(&f, "StatefulSet", "etcd", "DoNotSchedule");
    Data *tol = at(pod(&f, "StatefulSet", "goverse-node"), "tolerations");
    assert_int_equal(count(tol), 1);
    assert_string_equal(str(at(nth(tol, 0), "key")), "node.kubernetes.io/not-ready");
    assert_string_equal(str(at(nth(tol, 0), "operator")), "Exists");
    assert_string_equal(str(at(nth(tol, 0), "effect")), "NoExecute");
    assert_int_equal(num(at(nth(tol, 0), "tolerationSeconds")), 300);
    assert_null(data_get(pod(&f, "Deployment", "goverse-gate"), "tolerations"));
    assert_null(data_get(pod(&f, "StatefulSet", "etcd"), "tolerations"));
    run_free(f.run);
}

/* Zone arithmetic decides how hard etcd spreads: 3 members over 2 zones cannot outlive a zone (the
 * checker warns), so a hard spread buys nothing and the members spread best effort; 5 over 3 can. */
static void test_etcd_spread_follows_quorum(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"cluster \"two\" {\n    zones [\"a\", \"b\"]\n}\n", "two", "ScheduleAnyway"},
        {"cluster \"one\" {\n    zones [\"a\"]\n    etcd { replicas 5 }\n}\n", "one", "ScheduleAnyway"},
        {"cluster \"three\" {\n    zones [\"a\", \"b\", \"c\"]\n    etcd { replicas 5 }\n}\n", "three", "DoNotSchedule"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Fx f = lower_text(cases[i][0], cases[i][1]);
        Data *tsc = at(pod(&f, "StatefulSet", "etcd"), "topologySpreadConstraints");
        assert_int_equal(count(tsc), 1);
        assert_string_equal(str(at(nth(tsc, 0), "whenUnsatisfiable")), cases[i][2]);
        run_free(f.run);
    }
}

static void test_multizone_availability(void **state)
{
    (void)state;
    Fx f = lower_text(MULTIZONE, "mz");
    Data *pdb = doc(&f, "PodDisruptionBudget", "goverse-node-pdb");
    assert_string_equal(str(at(pdb, "apiVersion")), "policy/v1");
    assert_int_equal(num(at(pdb, "spec.minAvailable")), 2);
    assert_null(data_path(pdb, "spec.maxUnavailable"));
    assert_string_equal(str(at(pdb, "spec.selector.matchLabels.app")), "goverse-node");
    assert_int_equal(num(at(doc(&f, "PodDisruptionBudget", "goverse-gate-pdb"), "spec.maxUnavailable")), 1);
    Data *etcd = doc(&f, "PodDisruptionBudget", "etcd-pdb");
    assert_int_equal(num(at(etcd, "spec.maxUnavailable")), 1);
    assert_null(data_path(etcd, "spec.minAvailable"));

    Data *hpa = doc(&f, "HorizontalPodAutoscaler", "goverse-gate-hpa");
    assert_string_equal(str(at(hpa, "apiVersion")), "autoscaling/v2");
    assert_string_equal(str(at(hpa, "metadata.namespace")), "goverse-prod");
    assert_string_equal(str(at(hpa, "spec.scaleTargetRef.apiVersion")), "apps/v1");
    assert_string_equal(str(at(hpa, "spec.scaleTargetRef.kind")), "Deployment");
    assert_string_equal(str(at(hpa, "spec.scaleTargetRef.name")), "goverse-gate");
    assert_int_equal(num(at(hpa, "spec.minReplicas")), 2);
    assert_int_equal(num(at(hpa, "spec.maxReplicas")), 10);
    Data *metrics = at(hpa, "spec.metrics");
    assert_int_equal(count(metrics), 2);
    assert_string_equal(str(at(nth(metrics, 0), "type")), "Resource");
    assert_string_equal(str(at(nth(metrics, 0), "resource.name")), "cpu");
    assert_string_equal(str(at(nth(metrics, 0), "resource.target.type")), "Utilization");
    assert_int_equal(num(at(nth(metrics, 0), "resource.target.averageUtilization")), 70);
    assert_string_equal(str(at(nth(metrics, 1), "resource.name")), "memory");
    assert_int_equal(num(at(nth(metrics, 1), "resource.target.averageUtilization")), 80);

    Data *gate = doc(&f, "Deployment", "goverse-gate");
    assert_null(data_path(gate, "spec.replicas"));
    assert_string_equal(str(at(gate, "spec.strategy.type")), "RollingUpdate");
    assert_string_equal(str(at(gate, "spec.strategy.rollingUpdate.maxSurge")), "25%");
    assert_int_equal(num(at(gate, "spec.strategy.rollingUpdate.maxUnavailable")), 0);
    assert_int_equal(num(at(gate, "spec.template.spec.terminationGracePeriodSeconds")), 30);
    Data *node = doc(&f, "StatefulSet", "goverse-node");
    assert_int_equal(num(at(node, "spec.replicas")), 5);
    assert_string_equal(str(at(node, "spec.updateStrategy.type")), "RollingUpdate");
    assert_int_equal(num(at(node, "spec.updateStrategy.rollingUpdate.partition")), 0);
    assert_int_equal(num(at(node, "spec.template.spec.terminationGracePeriodSeconds")), 120);
    Data *e = doc(&f, "StatefulSet", "etcd");
    assert_string_equal(str(at(e, "spec.podManagementPolicy")), "Parallel");
    assert_string_equal(str(at(e, "spec.updateStrategy.type")), "RollingUpdate");
    run_free(f.run);
}

static void test_overrides_switch_off(void **state)
{
    (void)state;
    Fx f = lower_text(MULTIZONE, "mz");
    Arena *a = f.run->arena;
    set(&f, "gates.autoscaling.enabled", data_bool(a, false));
    set(&f, "placement.zones", data_seq(a));
    set(&f, "nodes.podDisruptionBudget.minAvailable", data_int(a, 0));
    set(&f, "nodes.podDisruptionBudget.maxUnavailable", data_int(a, 2));
    set(&f, "gates.podDisruptionBudget.maxUnavailable", data_int(a, 0));
    set(&f, "rollout.enabled", data_bool(a, false));
    set(&f, "nodes.updateStrategy.partition", data_int(a, 3));
    assert_null(doc(&f, "HorizontalPodAutoscaler", "goverse-gate-hpa"));
    Data *gate = doc(&f, "Deployment", "goverse-gate");
    assert_int_equal(num(at(gate, "spec.replicas")), 2); /* the autoscale minimum */
    assert_null(data_path(gate, "spec.strategy"));
    Data *p = at(gate, "spec.template.spec");
    assert_null(data_get(p, "topologySpreadConstraints"));
    assert_null(data_path(p, "affinity.nodeAffinity"));
    /* strict tier: host anti-affinity stays without zones */
    Data *pref = at(p, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution");
    assert_int_equal(count(pref), 1);
    assert_term(nth(pref, 0), 50, "goverse-gate", "kubernetes.io/hostname");
    assert_null(data_get(pod(&f, "StatefulSet", "goverse-node"), "tolerations"));
    Data *pdb = doc(&f, "PodDisruptionBudget", "goverse-node-pdb");
    assert_int_equal(num(at(pdb, "spec.maxUnavailable")), 2);
    assert_null(data_path(pdb, "spec.minAvailable"));
    assert_null(doc(&f, "PodDisruptionBudget", "goverse-gate-pdb")); /* both numbers 0 */
    Data *node = doc(&f, "StatefulSet", "goverse-node");
    assert_int_equal(num(at(node, "spec.updateStrategy.rollingUpdate.partition")), 3); /* 11.1 staging */
    assert_null(data_path(node, "spec.template.spec.terminationGracePeriodSeconds"));
    set(&f, "gates.autoscaling.enabled", data_bool(a, true));
    set(&f, "gates.autoscaling.targetCPUUtilizationPercentage", data_int(a, 0));
    Data *metrics = at(doc(&f, "HorizontalPodAutoscaler", "goverse-gate-hpa"), "spec.metrics");
    assert_int_equal(count(metrics), 1);
    assert_string_equal(str(at(nth(metrics, 0), "resource.name")), "memory");
    set(&f, "gates.autoscaling.targetMemoryUtilizationPercentage", data_int(a, 0));
    assert_null(data_path(doc(&f, "HorizontalPodAutoscaler", "goverse-gate-hpa"), "spec.metrics"));
    run_free(f.run);
}

/* The design's own cluster shape: none of it, so its manifests stay the design's (but for etcd's
 * parallel start, without which the design's etcd never forms a quorum). */
static void test_tierless_gets_nothing(void **state)
{
    (void)state;
    Fx f = lower_text(TIERLESS, "plain");
    static const char *const pdbs[] = {"goverse-node-pdb", "goverse-gate-pdb", "etcd-pdb"};
    for (size_t i = 0; i < 3; i++)
        assert_null(doc(&f, "PodDisruptionBudget", pdbs[i]));
    assert_null(doc(&f, "HorizontalPodAutoscaler", "goverse-gate-hpa"));
    static const char *const wl[][2] = {{"StatefulSet", "goverse-node"}, {"Deployment", "goverse-gate"}, {"StatefulSet", "etcd"}};
    for (size_t i = 0; i < 3; i++) {
        Data *d = doc(&f, wl[i][0], wl[i][1]);
        Data *p = at(d, "spec.template.spec");
        static const char *const absent[] = {"affinity", "tolerations", "topologySpreadConstraints",
                                             "terminationGracePeriodSeconds"};
        for (size_t k = 0; k < 4; k++)
            if (data_get(p, absent[k]))
                fail_msg("%s has %s", wl[i][1], absent[k]);
        assert_null(data_path(d, "spec.updateStrategy"));
        assert_null(data_path(d, "spec.strategy"));
        /* etcd alone always starts its members in parallel: it cannot form a quorum otherwise. */
        if (strcmp(wl[i][1], "etcd") == 0)
            assert_string_equal(str(at(d, "spec.podManagementPolicy")), "Parallel");
        else
            assert_null(data_path(d, "spec.podManagementPolicy"));
    }
    assert_int_equal(num(at(doc(&f, "Deployment", "goverse-gate"), "spec.replicas")), 3);
    /* turned on at install time: the design's HPA (7.3) */
    set(&f, "gates.autoscaling.enabled", data_bool(f.run->arena, true));
    Data *hpa = doc(&f, "HorizontalPodAutoscaler", "goverse-gate-hpa");
    assert_int_equal(num(at(hpa, "spec.minReplicas")), 2);
    assert_int_equal(num(at(hpa, "spec.maxReplicas")), 10);
    assert_int_equal(count(at(hpa, "spec.metrics")), 2);
    assert_null(data_path(doc(&f, "Deployment", "goverse-gate"), "spec.replicas"));
    run_free(f.run);
}

static void test_strict_without_zones(void **state)
{
    (void)state;
    Fx f = lower_text(STRICT_NO_ZONES, "hosts");
    Data *p = pod(&f, "StatefulSet", "etcd");
    assert_null(data_path(p, "affinity.nodeAffinity"));
    assert_null(data_get(p, "topologySpreadConstraints"));
    Data *pref = at(p, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution");
    assert_int_equal(count(pref), 1);
    assert_term(nth(pref, 0), 50, "etcd", "kubernetes.io/hostname");
    assert_null(data_get(pod(&f, "StatefulSet", "goverse-node"), "tolerations"));
    /* strict tiers: budgets on by default, one pod at a time */
    assert_int_equal(num(at(doc(&f, "PodDisruptionBudget", "goverse-node-pdb"), "spec.maxUnavailable")), 1);
    assert_int_equal(num(at(doc(&f, "PodDisruptionBudget", "etcd-pdb"), "spec.maxUnavailable")), 1);
    assert_null(doc(&f, "HorizontalPodAutoscaler", "goverse-gate-hpa"));
    run_free(f.run);
}

static bool validates(Fx *f)
{
    DiagSink diags;
    diag_init(&diags, &f->run->sources, f->run->arena);
    return values_validate(f->ir, f->values, &diags);
}

static void test_hpa_min_not_above_max(void **state)
{
    (void)state;
    Fx f = lower_text(MULTIZONE, "mz");
    Arena *a = f.run->arena;
    assert_string_equal(ir_find_knob(f.ir, "gates.autoscaling.minReplicas")->not_above, "gates.autoscaling.maxReplicas");
    set(&f, "gates.autoscaling.minReplicas", data_int(a, 10));
    assert_true(validates(&f));
    set(&f, "gates.autoscaling.minReplicas", data_int(a, 11));
    assert_false(validates(&f));
    set(&f, "gates.autoscaling.maxReplicas", data_int(a, 12));
    assert_true(validates(&f));
    run_free(f.run);
}

/* `goversec diff`: the PDB and HPA compare clean against what the API server returns, including
 * the CPU metric it fills in when none is described; a changed budget is drift. */
static void test_diff_understands_new_kinds(void **state)
{
    (void)state;
    Fx f = lower_text(MULTIZONE, "mz");
    Arena *a = f.run->arena;
    set(&f, "gates.autoscaling.targetCPUUtilizationPercentage", data_int(a, 0));
    set(&f, "gates.autoscaling.targetMemoryUtilizationPercentage", data_int(a, 0));
    Data *desired[2] = {doc(&f, "HorizontalPodAutoscaler", "goverse-gate-hpa"),
                        doc(&f, "PodDisruptionBudget", "goverse-node-pdb")};
    Data *live[2] = {data_clone(a, desired[0]), data_clone(a, desired[1])};
    Data *metrics = data_seq(a);
    assert_true(data_set_path(a, live[0], "spec.metrics", metrics));
    Data *m = data_push(metrics, data_map(a));
    data_put(a, m, "type", data_str(a, "Resource"));
    data_set_path(a, m, "resource.name", data_str(a, "cpu"));
    DriftInput in = {.cluster = "mz", .namespace_name = "goverse-prod", .desired = desired, .ndesired = 2,
                     .live = live, .nlive = 2};
    DriftReport *r = drift_compare(a, &in);
    assert_int_equal(r->nunchanged, 2);
    data_set_path(a, live[1], "spec.minAvailable", data_int(a, 1));
    r = drift_compare(a, &in);
    assert_int_equal(r->nchanged, 1);
    assert_int_equal(drift_find(r, "policy", "PodDisruptionBudget", "goverse-node-pdb")->status, DRIFT_CHANGED);
    run_free(f.run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multizone_placement),   cmocka_unit_test(test_multizone_availability),
        cmocka_unit_test(test_overrides_switch_off),  cmocka_unit_test(test_tierless_gets_nothing),
        cmocka_unit_test(test_strict_without_zones),  cmocka_unit_test(test_hpa_min_not_above_max),
        cmocka_unit_test(test_diff_understands_new_kinds),
        cmocka_unit_test(test_etcd_spread_follows_quorum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
