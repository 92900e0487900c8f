/* test_diff.c - `goversec diff` drift detection on realistic live fixtures (what an API server
 * returns: status, managedFields, uid, defaults, assigned clusterIP, non-canonical quantities,
 * reordered lists): zero drift in sync, then one test per mutation with its exact classification. */
#include "test_diff_util.h"

static void test_design_in_sync(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    fixture_load_live(f, "live-design-namespace.yaml"); /* the JSON dump has it too: no duplicate */
    DriftReport *r = fixture_compare(f);
    for (const DriftObject *o = r->objects; o; o = o->next)
        if (o->status != DRIFT_UNCHANGED)
            fail_msg("%s/%s is %s: %s", o->kind, o->name, drift_status_name(o->status),
                     o->changes ? o->changes->path : "");
    assert_int_equal(r->count, f->ndesired);
    assert_int_equal(r->nunchanged, 14);
    assert_int_equal(drift_exit_status(r), 0);
    char *text = report_string(r, false);
    assert_non_null(strstr(text, "14 objects: 0 changed, 0 missing, 0 orphaned, 14 unchanged\n"));
    free(text);
    fixture_close(f);
}

static void test_zalando_in_sync(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("zalando");
    DriftReport *r = fixture_compare(f);
    assert_int_equal(r->nunchanged, r->count);
    assert_non_null(drift_find(r, "acid.zalan.do", "postgresql", "goverse-postgres"));
    assert_int_equal(drift_exit_status(r), 0);
    fixture_close(f);
}

static void test_replicas_changed(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    data_set_path(f->a, live_object(f, "StatefulSet", "goverse-node"), "spec.replicas", data_int(f->a, 5));
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "StatefulSet", "goverse-node");
    DriftObject *o = report_object(r, "StatefulSet", "goverse-node");
    assert_int_equal(change_count(o), 1);
    assert_int_equal(change_at(o, "spec.replicas")->impact, IMPACT_IN_PLACE);
    assert_non_null(strstr(o->diff_text, "-  replicas: 5\n+  replicas: 3\n"));
    assert_int_equal(drift_exit_status(r), 1);
    fixture_close(f);
}

static void test_etcd_replicas_is_data_risk(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    data_set_path(f->a, live_object(f, "StatefulSet", "etcd"), "spec.replicas", data_int(f->a, 5));
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "StatefulSet", "etcd");
    const DriftChange *c = change_at(report_object(r, "StatefulSet", "etcd"), "spec.replicas");
    assert_int_equal(c->impact, IMPACT_DATA_RISK);
    /* live 5, described 3: the membership Job removes members before the StatefulSet shrinks */
    assert_non_null(strstr(c->todo, "shrink 5 -> 3 members: run the etcd-membership Job FIRST"));
    assert_non_null(strstr(c->todo, "manifests/etcd/membership-job.yaml"));
    char *text = report_string(r, false);
    assert_non_null(strstr(text, "      what to do: shrink 5 -> 3 members"));
    free(text);
    assert_int_equal(drift_exit_status(r), 3);
    fixture_close(f);
}

static void test_etcd_grow_names_the_procedure(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    data_set_path(f->a, live_object(f, "StatefulSet", "etcd"), "spec.replicas", data_int(f->a, 1));
    DriftReport *r = fixture_compare(f);
    const DriftChange *c = change_at(report_object(r, "StatefulSet", "etcd"), "spec.replicas");
    assert_non_null(strstr(c->todo, "grow 1 -> 3 members: apply the new StatefulSet first"));
    assert_non_null(strstr(c->todo, "Changing the number of etcd members"));
    fixture_close(f);
}

static void test_image_changed(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Data *c = container_of(live_object(f, "Deployment", "goverse-gate"), "goverse-gate");
    data_set_path(f->a, c, "image", data_str(f->a, "goverse/gate:1.3.0"));
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "Deployment", "goverse-gate");
    DriftObject *o = report_object(r, "Deployment", "goverse-gate");
    assert_int_equal(change_count(o), 1);
    const DriftChange *ch = change_at(o, "spec.template.spec.containers[goverse-gate].image");
    assert_int_equal(ch->impact, IMPACT_ROLLING_RESTART);
    assert_int_equal(o->impact, IMPACT_ROLLING_RESTART);
    assert_int_equal(drift_exit_status(r), 1);
    fixture_close(f);
}

static void test_env_added_live(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Data *env = data_get(container_of(live_object(f, "StatefulSet", "goverse-node"), "goverse-node"), "env");
    Data *e = data_map(f->a);
    data_put(f->a, e, "name", data_str(f->a, "DEBUG"));
    data_put(f->a, e, "value", data_str(f->a, "1"));
    data_push(env, e);
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "StatefulSet", "goverse-node");
    DriftObject *o = report_object(r, "StatefulSet", "goverse-node");
    assert_int_equal(change_count(o), 1);
    const DriftChange *ch = change_at(o, "spec.template.spec.containers[goverse-node].env[DEBUG]");
    assert_int_equal(ch->impact, IMPACT_ROLLING_RESTART);
    assert_non_null(strstr(ch->reason, "present live, not described"));
    fixture_close(f);
}

static void test_env_reorder_with_references_is_drift(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Data *inits = data_path(live_object(f, "StatefulSet", "etcd"), "spec.template.spec.initContainers");
    Data *env = data_get(seq_named(inits, "name", "member"), "env");
    /* Move ETCD_NAME (referenced as $(ETCD_NAME) later) to the end. */
    assert_string_equal(data_get(env->u.kids.first, "name")->u.str.s, "ETCD_NAME");
    Data *first = env->u.kids.first;
    env->u.kids.first = first->next;
    first->next = NULL;
    env->u.kids.last->next = first;
    env->u.kids.last = first;
    DriftReport *r = fixture_compare(f);
    DriftObject *o = report_object(r, "StatefulSet", "etcd");
    assert_int_equal(o->status, DRIFT_CHANGED);
    assert_non_null(strstr(change_at(o, "spec.template.spec.initContainers[member].env")->reason, "order"));
    fixture_close(f);
}

static void test_label_added_live(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    data_put(f->a, data_path(live_object(f, "Service", "goverse-gate"), "metadata.labels"), "team",
             data_str(f->a, "payments"));
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "Service", "goverse-gate");
    DriftObject *o = report_object(r, "Service", "goverse-gate");
    assert_int_equal(change_count(o), 1);
    assert_int_equal(change_at(o, "metadata.labels.team")->impact, IMPACT_IN_PLACE);
    assert_non_null(strstr(o->diff_text, "-    team: payments\n"));
    fixture_close(f);
}

static void test_annotation_added_live(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Data *meta = data_path(live_object(f, "Ingress", "goverse-gate-ingress"), "metadata.annotations");
    data_put(f->a, meta, "nginx.ingress.kubernetes.io/proxy-body-size", data_str(f->a, "0"));
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "Ingress", "goverse-gate-ingress");
    change_at(report_object(r, "Ingress", "goverse-gate-ingress"),
              "metadata.annotations.nginx.ingress.kubernetes.io/proxy-body-size");
    fixture_close(f);
}

static Data *labelled_object(Arena *a, const char *api, const char *kind, const char *name, const char *instance);

/* The managed-by label of a live object set to VALUE (same length handling as data_str). */
static void set_managed_by(DiffFixture *f, Data *labels, const char *value)
{
    for (Data *l = labels->u.kids.first; l; l = l->next)
        if (!strcmp(l->key, "app.kubernetes.io/managed-by"))
            l->u.str = data_str(f->a, value)->u.str;
}

/* What `helm install` of the emitted chart stamps on every object of a release (Helm 3 and 4, seen
 * on a real API server in tests/k8s): managed-by Helm over the chart's goversec, the chart label,
 * the release annotations. */
static void helm_own(DiffFixture *f, Data *obj, const char *release)
{
    Data *meta = data_get(obj, "metadata");
    Data *labels = data_get(meta, "labels");
    data_put(f->a, labels, "helm.sh/chart", data_str(f->a, "goverse-0.1.0"));
    set_managed_by(f, labels, "Helm");
    Data *ann = data_get(meta, "annotations");
    if (!ann)
        ann = data_put(f->a, meta, "annotations", data_map(f->a));
    data_put(f->a, ann, "meta.helm.sh/release-name", data_str(f->a, release));
    data_put(f->a, ann, "meta.helm.sh/release-namespace", data_str(f->a, "goverse"));
}

static void test_helm_ownership_is_not_drift(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    for (size_t i = 0; i < f->nlive; i++)
        if (data_get(data_path(f->live[i], "metadata.labels"), "app.kubernetes.io/managed-by") &&
            strcmp(data_get(f->live[i], "kind")->u.str.s, "Namespace"))
            helm_own(f, f->live[i], "goverse"); /* Helm does not own the namespace here */
    DriftReport *r = fixture_compare(f);
    assert_int_equal(r->nchanged, 0);
    assert_int_equal(report_object(r, "StatefulSet", "goverse-node")->status, DRIFT_UNCHANGED);
    assert_int_equal(drift_exit_status(r), 0);
    fixture_close(f);
}

static void test_helm_managed_by_without_release_is_drift(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    set_managed_by(f, data_path(live_object(f, "Service", "goverse-gate"), "metadata.labels"), "Helm");
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "Service", "goverse-gate");
    fixture_close(f);
}

/* An object Helm installed as this cluster's release and no longer described is an orphan;
 * another release's is not ours. */
static void test_helm_release_orphan(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Data *old = labelled_object(f->a, "apps/v1", "Deployment", "old-worker", "goverse");
    helm_own(f, old, "goverse");
    live_add(f, old);
    Data *other = labelled_object(f->a, "apps/v1", "Deployment", "their-worker", "goverse");
    helm_own(f, other, "someone-else");
    live_add(f, other);
    DriftReport *r = fixture_compare(f);
    assert_int_equal(report_object(r, "Deployment", "old-worker")->status, DRIFT_ORPHANED);
    assert_null(drift_find(r, NULL, "Deployment", "their-worker"));
    fixture_close(f);
}

static void test_configmap_key_added(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    data_put(f->a, data_get(live_object(f, "ConfigMap", "goverse-config"), "data"), "extra.yaml",
             data_str(f->a, "a: 1\n"));
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "ConfigMap", "goverse-config");
    DriftObject *o = report_object(r, "ConfigMap", "goverse-config");
    const DriftChange *ch = change_at(o, "data.extra.yaml");
    assert_int_equal(ch->impact, IMPACT_ROLLING_RESTART);
    assert_non_null(strstr(ch->reason, "StatefulSet/goverse-node"));
    assert_int_equal(drift_exit_status(r), 1);
    fixture_close(f);
}

static void test_shards_changed_is_data_risk(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Data *cfg = data_path(live_object(f, "ConfigMap", "goverse-config"), "data");
    Data *text = data_get(cfg, "config.yaml");
    const char *s = text->u.str.s, *at = strstr(s, "shards: 8192");
    assert_non_null(at);
    text->u.str.s = arena_printf(f->a, "%.*sshards: 4096%s", (int)(at - s), s, at + strlen("shards: 8192"));
    text->u.str.len = strlen(text->u.str.s);
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "ConfigMap", "goverse-config");
    DriftObject *o = report_object(r, "ConfigMap", "goverse-config");
    assert_int_equal(change_at(o, "data.config.yaml")->impact, IMPACT_DATA_RISK);
    assert_non_null(strstr(o->diff_text, "-      shards: 4096\n+      shards: 8192\n"));
    assert_true(r->destructive);
    assert_int_equal(drift_exit_status(r), 3);
    fixture_close(f);
}

static void test_vct_storage_shrink(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Data *vct = seq_named(data_path(live_object(f, "StatefulSet", "goverse-node"), "spec.volumeClaimTemplates"),
                          "metadata.name", "data");
    data_set_path(f->a, vct, "spec.resources.requests.storage", data_str(f->a, "40Gi"));
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "StatefulSet", "goverse-node");
    DriftObject *o = report_object(r, "StatefulSet", "goverse-node");
    const DriftChange *ch = change_at(o, "spec.volumeClaimTemplates[data].spec.resources.requests.storage");
    assert_int_equal(ch->impact, IMPACT_DATA_RISK);
    assert_non_null(strstr(ch->reason, "shrink"));
    assert_int_equal(drift_exit_status(r), 3);
    fixture_close(f);
}

static void test_vct_storage_growth_needs_recreate(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Data *vct = seq_named(data_path(live_object(f, "StatefulSet", "goverse-node"), "spec.volumeClaimTemplates"),
                          "metadata.name", "data");
    data_set_path(f->a, vct, "spec.resources.requests.storage", data_str(f->a, "10240Mi"));
    DriftReport *r = fixture_compare(f);
    DriftObject *o = report_object(r, "StatefulSet", "goverse-node");
    assert_int_equal(change_at(o, "spec.volumeClaimTemplates[data].spec.resources.requests.storage")->impact,
                     IMPACT_RECREATE);
    fixture_close(f);
}

static void test_selector_change_needs_recreate(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    data_set_path(f->a, live_object(f, "StatefulSet", "goverse-node"), "spec.selector.matchLabels.app",
                  data_str(f->a, "node-old"));
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "StatefulSet", "goverse-node");
    DriftObject *o = report_object(r, "StatefulSet", "goverse-node");
    assert_int_equal(change_at(o, "spec.selector.matchLabels.app")->impact, IMPACT_RECREATE);
    assert_non_null(strstr(change_at(o, "spec.selector.matchLabels.app")->todo, "kubectl delete statefulset goverse-node"));
    assert_int_equal(o->impact, IMPACT_RECREATE);
    assert_int_equal(drift_exit_status(r), 3);
    fixture_close(f);
}

static void test_service_cluster_ip_needs_recreate(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    /* Described headless, live has an address: clusterIP is immutable. */
    data_set_path(f->a, live_object(f, "Service", "etcd-headless"), "spec.clusterIP", data_str(f->a, "10.96.0.50"));
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "Service", "etcd-headless");
    assert_int_equal(change_at(report_object(r, "Service", "etcd-headless"), "spec.clusterIP")->impact, IMPACT_RECREATE);
    fixture_close(f);
}

static Data *labelled_object(Arena *a, const char *api, const char *kind, const char *name, const char *instance)
{
    Data *o = data_map(a);
    data_put(a, o, "apiVersion", data_str(a, api));
    data_put(a, o, "kind", data_str(a, kind));
    Data *m = data_put(a, o, "metadata", data_map(a));
    data_put(a, m, "name", data_str(a, name));
    data_put(a, m, "namespace", data_str(a, "goverse"));
    data_put(a, m, "uid", data_str(a, "0000"));
    Data *l = data_put(a, m, "labels", data_map(a));
    data_put(a, l, "app.kubernetes.io/managed-by", data_str(a, "goversec"));
    data_put(a, l, "app.kubernetes.io/instance", data_str(a, instance));
    data_put(a, o, "spec", data_map(a));
    return o;
}

static void test_orphans(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    live_add(f, labelled_object(f->a, "apps/v1", "Deployment", "old-worker", "goverse"));
    live_add(f, labelled_object(f->a, "apps/v1", "Deployment", "other-cluster", "elsewhere")); /* not ours */
    Data *mine = labelled_object(f->a, "v1", "ConfigMap", "unlabelled", "x");
    data_path(mine, "metadata.labels")->u.kids.count = 0;
    data_path(mine, "metadata.labels")->u.kids.first = NULL;
    live_add(f, mine); /* no ownership label: someone else's */
    DriftReport *r = fixture_compare(f);
    assert_int_equal(r->norphaned, 1);
    DriftObject *o = report_object(r, "Deployment", "old-worker");
    assert_int_equal(o->status, DRIFT_ORPHANED);
    assert_int_equal(o->impact, IMPACT_IN_PLACE);
    assert_null(drift_find(r, NULL, "Deployment", "other-cluster"));
    assert_int_equal(drift_exit_status(r), 1);
    fixture_close(f);
}

static void test_orphaned_statefulset_and_claims(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    live_add(f, labelled_object(f->a, "apps/v1", "StatefulSet", "old-store", "goverse"));
    live_add(f, labelled_object(f->a, "v1", "PersistentVolumeClaim", "data-goverse-node-4", "goverse"));
    live_add(f, labelled_object(f->a, "v1", "PersistentVolumeClaim", "data-old-store-0", "goverse"));
    DriftReport *r = fixture_compare(f);
    assert_int_equal(report_object(r, "StatefulSet", "old-store")->impact, IMPACT_DATA_RISK);
    assert_non_null(strstr(report_object(r, "PersistentVolumeClaim", "data-old-store-0")->todo,
                           "kubectl delete pvc data-old-store-0"));
    assert_int_equal(report_object(r, "PersistentVolumeClaim", "data-old-store-0")->status, DRIFT_ORPHANED);
    /* A claim of a described StatefulSet (kept after scale-down by design) is not an orphan. */
    assert_null(drift_find(r, NULL, "PersistentVolumeClaim", "data-goverse-node-4"));
    assert_int_equal(r->norphaned, 2);
    assert_int_equal(drift_exit_status(r), 3);
    fixture_close(f);
}

static void test_missing_object(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    live_remove(f, "Ingress", "inspector-ingress");
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "Ingress", "inspector-ingress");
    assert_int_equal(report_object(r, "Ingress", "inspector-ingress")->status, DRIFT_MISSING);
    assert_int_equal(r->nmissing, 1);
    char *text = report_string(r, false);
    assert_non_null(strstr(text, "14 objects: 0 changed, 1 missing, 0 orphaned, 13 unchanged\n"));
    free(text);
    assert_int_equal(drift_exit_status(r), 1);
    fixture_close(f);
}

static void test_server_default_overridden_is_drift(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Data *spec = data_path(live_object(f, "Deployment", "goverse-gate"), "spec.template.spec");
    data_set_path(f->a, spec, "dnsPolicy", data_str(f->a, "Default"));
    DriftReport *r = fixture_compare(f);
    assert_only_changed(r, "Deployment", "goverse-gate");
    change_at(report_object(r, "Deployment", "goverse-gate"), "spec.template.spec.dnsPolicy");
    fixture_close(f);
}

static void test_quantity_compared_by_value(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Data *c = container_of(live_object(f, "StatefulSet", "etcd"), "etcd");
    data_set_path(f->a, c, "resources.requests.memory", data_str(f->a, "134217728")); /* 128Mi */
    data_set_path(f->a, c, "resources.requests.cpu", data_str(f->a, "0.1"));
    DriftReport *r = fixture_compare(f);
    assert_int_equal(report_object(r, "StatefulSet", "etcd")->status, DRIFT_UNCHANGED);
    data_set_path(f->a, c, "resources.requests.cpu", data_str(f->a, "200m"));
    r = fixture_compare(f);
    change_at(report_object(r, "StatefulSet", "etcd"), "spec.template.spec.containers[etcd].resources.requests.cpu");
    fixture_close(f);
}

static void test_target_port_int_or_string(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Data *port = seq_named(data_path(live_object(f, "Service", "goverse-gate"), "spec.ports"), "name", "http");
    data_set_path(f->a, port, "targetPort", data_str(f->a, "8080"));
    DriftReport *r = fixture_compare(f);
    assert_int_equal(report_object(r, "Service", "goverse-gate")->status, DRIFT_UNCHANGED);
    data_set_path(f->a, port, "targetPort", data_str(f->a, "http"));
    r = fixture_compare(f);
    change_at(report_object(r, "Service", "goverse-gate"), "spec.ports[http].targetPort");
    fixture_close(f);
}

static void test_hpa_target_replicas_ignored(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    Arena *a = f->a;
    Data *hpa = data_map(a);
    data_put(a, hpa, "apiVersion", data_str(a, "autoscaling/v2"));
    data_put(a, hpa, "kind", data_str(a, "HorizontalPodAutoscaler"));
    Data *m = data_put(a, hpa, "metadata", data_map(a));
    data_put(a, m, "name", data_str(a, "goverse-gate"));
    data_put(a, m, "namespace", data_str(a, "goverse"));
    Data *ref = data_map(a);
    data_put(a, ref, "kind", data_str(a, "Deployment"));
    data_put(a, ref, "name", data_str(a, "goverse-gate"));
    data_put(a, data_put(a, hpa, "spec", data_map(a)), "scaleTargetRef", ref);
    f->desired[f->ndesired++] = hpa;
    live_add(f, data_clone(a, hpa));
    data_set_path(a, live_object(f, "Deployment", "goverse-gate"), "spec.replicas", data_int(a, 7));
    DriftReport *r = fixture_compare(f);
    assert_int_equal(report_object(r, "Deployment", "goverse-gate")->status, DRIFT_UNCHANGED);
    assert_int_equal(drift_exit_status(r), 0);
    fixture_close(f);
}

static Data *secret(Arena *a, const char *field, const char *key, const char *value)
{
    Data *s = data_map(a);
    data_put(a, s, "apiVersion", data_str(a, "v1"));
    data_put(a, s, "kind", data_str(a, "Secret"));
    Data *m = data_put(a, s, "metadata", data_map(a));
    data_put(a, m, "name", data_str(a, "pg-credentials"));
    data_put(a, m, "namespace", data_str(a, "goverse"));
    data_put(a, data_put(a, s, field, data_map(a)), key, data_str(a, value));
    return s;
}

static void test_secret_values_masked(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    f->desired[f->ndesired++] = secret(f->a, "stringData", "POSTGRES_PASSWORD", "hunter2");
    live_add(f, secret(f->a, "data", "POSTGRES_PASSWORD", "b2xkLXNlY3JldA==")); /* "old-secret" */
    DriftReport *r = fixture_compare(f);
    DriftObject *o = report_object(r, "Secret", "pg-credentials");
    assert_int_equal(o->status, DRIFT_CHANGED);
    change_at(o, "data.POSTGRES_PASSWORD");
    char *text = report_string(r, false), *json = report_string(r, true);
    const char *leaks[] = {"hunter2", "aHVudGVyMg==", "b2xkLXNlY3JldA==", "old-secret"};
    for (size_t i = 0; i < 4; i++) {
        assert_null(strstr(text, leaks[i]));
        assert_null(strstr(json, leaks[i]));
    }
    assert_non_null(strstr(text, "***"));
    free(text);
    free(json);
    fixture_close(f);
}

static void test_secret_equal_values_unchanged(void **state)
{
    (void)state;
    DiffFixture *f = fixture_open("design");
    f->desired[f->ndesired++] = secret(f->a, "stringData", "POSTGRES_PASSWORD", "hunter2");
    live_add(f, secret(f->a, "data", "POSTGRES_PASSWORD", "aHVudGVyMg=="));
    DriftReport *r = fixture_compare(f);
    assert_int_equal(report_object(r, "Secret", "pg-credentials")->status, DRIFT_UNCHANGED);
    fixture_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_design_in_sync),
        cmocka_unit_test(test_zalando_in_sync),
        cmocka_unit_test(test_replicas_changed),
        cmocka_unit_test(test_etcd_replicas_is_data_risk),
        cmocka_unit_test(test_etcd_grow_names_the_procedure),
        cmocka_unit_test(test_image_changed),
        cmocka_unit_test(test_env_added_live),
        cmocka_unit_test(test_env_reorder_with_references_is_drift),
        cmocka_unit_test(test_label_added_live),
        cmocka_unit_test(test_annotation_added_live),
        cmocka_unit_test(test_configmap_key_added),
        cmocka_unit_test(test_shards_changed_is_data_risk),
        cmocka_unit_test(test_vct_storage_shrink),
        cmocka_unit_test(test_vct_storage_growth_needs_recreate),
        cmocka_unit_test(test_selector_change_needs_recreate),
        cmocka_unit_test(test_service_cluster_ip_needs_recreate),
        cmocka_unit_test(test_orphans),
        cmocka_unit_test(test_helm_ownership_is_not_drift),
        cmocka_unit_test(test_helm_managed_by_without_release_is_drift),
        cmocka_unit_test(test_helm_release_orphan),
        cmocka_unit_test(test_orphaned_statefulset_and_claims),
        cmocka_unit_test(test_missing_object),
        cmocka_unit_test(test_server_default_overridden_is_drift),
        cmocka_unit_test(test_quantity_compared_by_value),
        cmocka_unit_test(test_target_port_int_or_string),
        cmocka_unit_test(test_hpa_target_replicas_ignored),
        cmocka_unit_test(test_secret_values_masked),
        cmocka_unit_test(test_secret_equal_values_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
