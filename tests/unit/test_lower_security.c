/* test_lower_security.c - design section 9 as lowered: every pod and container of every variant
 * the compiler can emit (persistence modes, inspector, backups and restores, external etcd, TLS)
 * is walked and checked against the restricted profile; the baseline and none levels, the
 * NetworkPolicies (default deny, rules vanishing with their components, no rule with an empty peer
 * list), ServiceAccounts for every pod, the nodes' Role, and the mTLS certificates and mounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lower/lower.h"
#include "support/quantity.h"

/* ---- fixture: the design document's cluster with `security { restricted isolated mtls }` ---- */

static Quantity qty(const char *text)
{
    Quantity q;
    assert_int_equal(quantity_parse(text, &q), QTY_OK);
    return q;
}

static Image img(const char *repo, const char *tag)
{
    return (Image){.registry = "", .repository = repo, .tag = tag, .pull_policy = "IfNotPresent"};
}

static Cluster *secure_cluster(Arena *a)
{
    Cluster *c = ARENA_NEW(a, Cluster);
    c->name = "goverse";
    c->namespace_name = "goverse";
    c->shards = 8192;
    c->etcd = (Etcd){.replicas = 3, .image = img("coreos/etcd", "v3.5.11"), .client_port = 2379, .peer_port = 2380,
                     .storage = {.enabled = true, .size = qty("10Gi")},
                     .backup = {.enabled = true, .cron = "0 * * * *", .keep = 3, .size = qty("10Gi")}};
    c->nodes = (Component){.enabled = true, .replicas = 3, .image = img("goverse/node", "1.0"),
                           .storage = {.enabled = true, .size = qty("20Gi")}, .grpc_port = 50051, .http_port = 8080};
    c->gates = (Component){.enabled = true, .replicas = 2, .image = img("goverse/gate", "1.0"), .grpc_port = 60051,
                           .http_port = 8080,
                           .ingress = {.enabled = true, .host = "g.example.com", .class_name = "nginx"}};
    c->inspector = (Component){.enabled = true, .replicas = 1, .image = img("goverse/inspector", "1.0"),
                               .grpc_port = 8081, .http_port = 8080,
                               .ingress = {.enabled = true, .host = "i.example.com"}};
    c->postgres = (Persistence){.mode = PERSIST_INTERNAL, .port = 5432, .credentials_secret = "pg",
                                .image = img("postgres", "15"), .storage = {.enabled = true, .size = qty("50Gi")},
                                .backup = {.enabled = true, .cron = "0 2 * * *", .keep = 7, .size = qty("50Gi")}};
    c->security = (Security){.pod_security = PODSEC_RESTRICTED, .network = NETWORK_ISOLATED, .mtls = true,
                             .tls_issuer = "ca-issuer"};
    return c;
}

typedef struct Fx {
    Arena *a;
    IrCluster *ir;
    Data *values;
} Fx;

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    f->a = arena_new();
    f->ir = lower_cluster(f->a, secure_cluster(f->a), NULL);
    assert_non_null(f->ir);
    f->values = ir_default_values(f->a, f->ir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    arena_free(f->a);
    free(f);
    return 0;
}

/* Sets `path` when the knob exists (backup knobs belong to another file; absent is fine). */
static void set(Fx *f, const char *path, Data *v)
{
    if (ir_find_knob(f->ir, path))
        assert_true(data_set_path(f->a, f->values, path, v));
}
static void set_b(Fx *f, const char *path, bool b) { set(f, path, data_bool(f->a, b)); }
static void set_s(Fx *f, const char *path, const char *s) { set(f, path, data_str(f->a, s)); }

static Data *at(const Data *d, const char *path) { return d ? data_path(d, path) : NULL; }

static const char *str(const Data *d)
{
    assert_non_null(d);
    assert_int_equal(d->kind, DATA_STR);
    return d->u.str.s;
}

static Data *doc_of(Fx *f, const char *kind, const char *name);
static Data *doc_of_cm(Fx *f) { return doc_of(f, "ConfigMap", "goverse-config"); }

/* config.yaml: a key with a dot, so not reachable through data_path */
static const char *config_text(Fx *f)
{
    return str(data_get(at(doc_of_cm(f), "data"), "config.yaml"));
}

static bool is_true(const Data *d) { return d && d->kind == DATA_BOOL && d->u.b; }

static bool seq_has_str(const Data *seq, const char *s)
{
    for (const Data *e = seq && seq->kind == DATA_SEQ ? seq->u.kids.first : NULL; e; e = e->next)
        if (e->kind == DATA_STR && strcmp(e->u.str.s, s) == 0)
            return true;
    return false;
}

static const Data *named(const Data *seq, const char *field, const char *value)
{
    for (const Data *e = seq && seq->kind == DATA_SEQ ? seq->u.kids.first : NULL; e; e = e->next) {
        const Data *n = data_get(e, field);
        if (n && n->kind == DATA_STR && strcmp(n->u.str.s, value) == 0)
            return e;
    }
    return NULL;
}

static Data *doc_of(Fx *f, const char *kind, const char *name)
{
    for (const IrObject *o = f->ir->objects; o; o = o->next)
        if (strcmp(o->kind, kind) == 0 && strcmp(o->name, name) == 0)
            return ir_eval_object(f->a, f->ir, o, f->values);
    return NULL;
}

static Data *pod_spec(Data *doc)
{
    const char *kind = str(at(doc, "kind"));
    if (strcmp(kind, "CronJob") == 0)
        return at(doc, "spec.jobTemplate.spec.template.spec");
    if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") || !strcmp(kind, "Job"))
        return at(doc, "spec.template.spec");
    return NULL;
}

/* ---- the restricted profile, on one pod -------------------------------------------------------- */

static void check_unique(const Data *seq, const char *field)
{
    for (const Data *x = seq ? seq->u.kids.first : NULL; x; x = x->next)
        for (const Data *y = x->next; y; y = y->next)
            if (data_equal(data_get(x, field), data_get(y, field)))
                fail_msg("duplicate %s %s", field, str(data_get(x, field)));
}

static void check_container(const Data *pod, const Data *c, const char *who)
{
    const Data *sc = data_get(c, "securityContext");
    if (!sc)
        fail_msg("%s: container %s has no securityContext", who, str(data_get(c, "name")));
    assert_false(at(sc, "allowPrivilegeEscalation")->u.b);
    assert_true(seq_has_str(at(sc, "capabilities.drop"), "ALL"));
    assert_true(is_true(at(sc, "readOnlyRootFilesystem")));
    const Data *mounts = data_get(c, "volumeMounts");
    assert_non_null(named(mounts, "mountPath", "/tmp"));
    check_unique(mounts, "mountPath");
    check_unique(mounts, "name");
    for (const Data *m = mounts->u.kids.first; m; m = m->next)
        if (!named(data_get(pod, "volumes"), "name", str(data_get(m, "name"))) && !strstr(who, "StatefulSet"))
            fail_msg("%s: mount %s has no volume", who, str(data_get(m, "name")));
}

static void check_containers(const Data *pod, const Data *seq, const char *who)
{
    for (const Data *c = seq ? seq->u.kids.first : NULL; c; c = c->next)
        if (c->kind == DATA_SEQ) /* a repeated group (restore init containers) */
            check_containers(pod, c, who);
        else
            check_container(pod, c, who);
}

/* Returns the number of pods checked. */
static int check_restricted(Fx *f, int *jobs)
{
    int pods = 0;
    for (const IrObject *o = f->ir->objects; o; o = o->next) {
        Data *doc = ir_eval_object(f->a, f->ir, o, f->values);
        Data *pod = doc ? pod_spec(doc) : NULL;
        if (!pod)
            continue;
        const char *who = arena_printf(f->a, "%s %s", o->kind, o->name);
        pods++;
        *jobs += !strcmp(o->kind, "CronJob") || !strcmp(o->kind, "Job");
        Data *sc = data_get(pod, "securityContext");
        if (!sc)
            fail_msg("%s: no pod securityContext", who);
        assert_true(is_true(data_get(sc, "runAsNonRoot")));
        assert_true(at(sc, "runAsUser")->u.i > 0);
        assert_int_equal(at(sc, "runAsGroup")->u.i, at(sc, "runAsUser")->u.i);
        assert_int_equal(at(sc, "fsGroup")->u.i, at(sc, "runAsUser")->u.i);
        assert_string_equal(str(at(sc, "seccompProfile.type")), "RuntimeDefault");
        check_unique(data_get(pod, "volumes"), "name");
        check_containers(pod, data_get(pod, "containers"), who);
        check_containers(pod, data_get(pod, "initContainers"), who);
        /* every pod runs as an account that exists under the same values */
        const char *sa = str(data_get(pod, "serviceAccountName"));
        if (!doc_of(f, "ServiceAccount", sa))
            fail_msg("%s: ServiceAccount %s is not emitted", who, sa);
    }
    return pods;
}

static void variant_backups(Fx *f, bool on)
{
    set_b(f, "etcd.backup.enabled", on);
    set_b(f, "postgres.backup.enabled", on);
    set_b(f, "etcd.backup.restore.enabled", on);
    set_b(f, "postgres.backup.restore.enabled", on);
}

static void persistence(Fx *f, const char *mode)
{
    set_b(f, "postgres.internal.enabled", strcmp(mode, "internal") == 0);
    set_b(f, "postgres.operator.enabled", strcmp(mode, "operator") == 0);
    set_b(f, "postgres.external.enabled", strcmp(mode, "external") == 0);
    set_s(f, "postgres.external.host", "db.example.com");
}

static void test_restricted_every_variant(void **state)
{
    Fx *f = *state;
    static const char *const modes[] = {"internal", "operator", "external", "none"};
    int total = 0, jobs = 0;
    for (int m = 0; m < 4; m++)
        for (int bits = 0; bits < 8; bits++) {
            f->values = ir_default_values(f->a, f->ir);
            persistence(f, modes[m]);
            set_b(f, "inspector.enabled", bits & 1);
            variant_backups(f, bits & 2);
            set_b(f, "etcd.external.enabled", bits & 4);
            Data *eps = data_seq(f->a);
            data_push(eps, data_str(f->a, "etcd.example.com:2379"));
            set(f, "etcd.external.endpoints", eps);
            set_b(f, "tls.enabled", m & 1);
            int pods = check_restricted(f, &jobs);
            /* nodes + gates at least; inspector, etcd, postgres when on */
            assert_true(pods >= 2 + (bits & 1) + !(bits & 4) + (m == 0));
            total += pods;
        }
    assert_true(total > 4 * 8 * 2);
    /* the backup CronJobs and restore Jobs were among them */
    assert_non_null(ir_find_knob(f->ir, "etcd.backup.enabled"));
    assert_true(jobs > 0);
    Data *ns = doc_of(f, "Namespace", "goverse");
    assert_string_equal(str(data_get(at(ns, "metadata.labels"), "pod-security.kubernetes.io/enforce")), "restricted");
}

static void test_postgres_and_etcd_uids(void **state)
{
    Fx *f = *state;
    Data *pg = pod_spec(doc_of(f, "StatefulSet", "postgres"));
    assert_int_equal(at(pg, "securityContext.runAsUser")->u.i, 999);
    const Data *c = at(pg, "containers")->u.kids.first;
    assert_non_null(named(data_get(c, "volumeMounts"), "mountPath", "/var/run/postgresql"));
    assert_non_null(named(data_get(c, "volumeMounts"), "mountPath", "/var/lib/postgresql/data"));
    Data *etcd = pod_spec(doc_of(f, "StatefulSet", "etcd"));
    assert_int_equal(at(etcd, "securityContext.runAsUser")->u.i, 65532);
    Data *node = pod_spec(doc_of(f, "StatefulSet", "goverse-node"));
    assert_int_equal(at(node, "securityContext.runAsUser")->u.i, 1000);
    set(f, "nodes.securityContext.runAsUser", data_int(f->a, 4242));
    node = pod_spec(doc_of(f, "StatefulSet", "goverse-node"));
    assert_int_equal(at(node, "securityContext.fsGroup")->u.i, 4242);
}

static void test_baseline_and_none(void **state)
{
    Fx *f = *state;
    set_s(f, "security.podSecurity", "baseline");
    Data *pod = pod_spec(doc_of(f, "StatefulSet", "goverse-node"));
    assert_null(at(pod, "securityContext.runAsNonRoot"));
    assert_string_equal(str(at(pod, "securityContext.seccompProfile.type")), "RuntimeDefault");
    const Data *c = at(pod, "containers")->u.kids.first;
    assert_false(at(c, "securityContext.allowPrivilegeEscalation")->u.b);
    assert_null(at(c, "securityContext.readOnlyRootFilesystem"));
    assert_null(named(data_get(c, "volumeMounts"), "name", "tmp"));
    Data *ns = doc_of(f, "Namespace", "goverse");
    assert_string_equal(str(data_get(at(ns, "metadata.labels"), "pod-security.kubernetes.io/warn")), "baseline");

    set_s(f, "security.podSecurity", "none");
    pod = pod_spec(doc_of(f, "StatefulSet", "goverse-node"));
    assert_null(data_get(pod, "securityContext"));
    assert_null(data_get(at(pod, "containers")->u.kids.first, "securityContext"));
    ns = doc_of(f, "Namespace", "goverse");
    assert_null(data_get(at(ns, "metadata.labels"), "pod-security.kubernetes.io/enforce"));
    /* postgres without the profile: no scratch volumes, so no empty `volumes` either */
    assert_null(data_get(pod_spec(doc_of(f, "StatefulSet", "postgres")), "volumes"));
}

/* ---- network policies ------------------------------------------------------------------------------ */

/* Every NetworkPolicy under the current values; checks no peer list is empty (that would allow all). */
static bool policies_mention(Fx *f, const char *app)
{
    bool found = false;
    for (const IrObject *o = f->ir->objects; o; o = o->next) {
        if (strcmp(o->kind, "NetworkPolicy") != 0)
            continue;
        Data *doc = ir_eval_object(f->a, f->ir, o, f->values);
        if (!doc)
            continue;
        static const char *const dirs[][2] = {{"ingress", "from"}, {"egress", "to"}};
        for (int d = 0; d < 2; d++)
            for (const Data *r = at(doc, arena_printf(f->a, "spec.%s", dirs[d][0])) ?
                                     at(doc, arena_printf(f->a, "spec.%s", dirs[d][0]))->u.kids.first : NULL;
                 r; r = r->next) {
                const Data *peers = data_get(r, dirs[d][1]);
                if (peers)
                    assert_true(peers->u.kids.count > 0);
                for (const Data *p = peers ? peers->u.kids.first : NULL; p; p = p->next) {
                    const Data *a = at(p, "podSelector.matchLabels.app");
                    if (a && strcmp(a->u.str.s, app) == 0)
                        found = true;
                }
            }
        const Data *sel = at(doc, "spec.podSelector.matchLabels.app");
        if (sel && strcmp(sel->u.str.s, app) == 0)
            found = true;
    }
    return found;
}

static void test_network_policies(void **state)
{
    Fx *f = *state;
    Data *deny = doc_of(f, "NetworkPolicy", "default-deny");
    assert_non_null(deny);
    assert_int_equal(at(deny, "spec.podSelector")->u.kids.count, 0);
    assert_true(seq_has_str(at(deny, "spec.policyTypes"), "Ingress"));
    assert_true(seq_has_str(at(deny, "spec.policyTypes"), "Egress"));
    assert_null(at(deny, "spec.ingress"));
    Data *dns = doc_of(f, "NetworkPolicy", "allow-dns");
    const Data *ports = at(dns, "spec.egress")->u.kids.first;
    assert_non_null(named(data_get(ports, "ports"), "protocol", "UDP"));
    assert_non_null(named(data_get(ports, "ports"), "protocol", "TCP"));

    assert_true(policies_mention(f, "inspector"));
    assert_true(policies_mention(f, "postgres"));
    set_b(f, "inspector.enabled", false);
    persistence(f, "external");
    assert_false(policies_mention(f, "inspector"));
    assert_false(policies_mention(f, "postgres"));
    /* external database: egress by port only, to any address */
    Data *node = doc_of(f, "NetworkPolicy", "goverse-node-policy");
    bool port_only = false;
    for (const Data *r = at(node, "spec.egress")->u.kids.first; r; r = r->next)
        if (!data_get(r, "to") && at(r, "ports")->u.kids.first->u.kids.first)
            port_only = port_only || at(r, "ports")->u.kids.first->next == NULL;
    assert_true(port_only);
    set(f, "postgres.external.port", data_int(f->a, 6432));
    assert_non_null(doc_of(f, "NetworkPolicy", "goverse-node-policy"));

    set_b(f, "gates.ingress.enabled", false);
    Data *gate = doc_of(f, "NetworkPolicy", "goverse-gate-policy");
    for (const Data *r = at(gate, "spec.ingress")->u.kids.first; r; r = r->next)
        assert_string_not_equal(str(data_get(at(data_get(r, "from")->u.kids.first, "namespaceSelector.matchLabels"),
                                             "kubernetes.io/metadata.name")),
                                "ingress-nginx");
    set_b(f, "networkPolicy.enabled", false);
    assert_null(doc_of(f, "NetworkPolicy", "default-deny"));
    assert_null(doc_of(f, "NetworkPolicy", "goverse-node-policy"));
}

/* ---- accounts and certificates ---------------------------------------------------------------------- */

static void test_rbac(void **state)
{
    Fx *f = *state;
    Data *role = doc_of(f, "Role", "goverse-node-role");
    assert_non_null(role);
    const Data *r0 = at(role, "rules")->u.kids.first;
    assert_true(seq_has_str(data_get(r0, "resources"), "pods"));
    assert_false(seq_has_str(data_get(r0, "verbs"), "watch"));
    assert_true(seq_has_str(data_get(r0->next, "verbs"), "watch"));
    assert_true(is_true(data_get(doc_of(f, "ServiceAccount", "goverse-node"), "automountServiceAccountToken")));
    assert_false(data_get(doc_of(f, "ServiceAccount", "goverse-gate"), "automountServiceAccountToken")->u.b);
    set_b(f, "rbac.create", false);
    assert_null(doc_of(f, "Role", "goverse-node-role"));
    assert_false(data_get(doc_of(f, "ServiceAccount", "goverse-node"), "automountServiceAccountToken")->u.b);
    set_b(f, "serviceAccount.create", false);
    assert_null(doc_of(f, "ServiceAccount", "goverse-node"));
    assert_null(data_get(pod_spec(doc_of(f, "StatefulSet", "goverse-node")), "serviceAccountName"));
}

static void test_tls(void **state)
{
    Fx *f = *state;
    Data *cert = doc_of(f, "Certificate", "goverse-node-tls");
    assert_string_equal(str(at(cert, "spec.issuerRef.name")), "ca-issuer");
    assert_string_equal(str(at(cert, "spec.issuerRef.kind")), "Issuer");
    assert_true(seq_has_str(at(cert, "spec.dnsNames"), "*.goverse-node-headless.goverse.svc.cluster.local"));
    assert_true(seq_has_str(at(cert, "spec.usages"), "client auth"));
    Data *pod = pod_spec(doc_of(f, "Deployment", "goverse-gate"));
    assert_string_equal(str(at(named(data_get(pod, "volumes"), "name", "tls"), "secret.secretName")), "goverse-gate-tls");
    assert_non_null(named(data_get(at(pod, "containers")->u.kids.first, "volumeMounts"), "mountPath", "/etc/goverse/tls"));
    /* Goverse reads no TLS key: the config stays what its loader knows (check/goverse.c warns). */
    assert_null(strstr(config_text(f), "tls"));
    set_s(f, "tls.issuer.kind", "ClusterIssuer");
    assert_string_equal(str(at(doc_of(f, "Certificate", "goverse-gate-tls"), "spec.issuerRef.kind")), "ClusterIssuer");
    set_b(f, "inspector.enabled", false);
    assert_null(doc_of(f, "Certificate", "inspector-tls"));
    set_b(f, "tls.enabled", false);
    assert_null(doc_of(f, "Certificate", "goverse-node-tls"));
    pod = pod_spec(doc_of(f, "Deployment", "goverse-gate"));
    assert_null(named(data_get(pod, "volumes"), "name", "tls"));
    assert_null(strstr(config_text(f), "cert_file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_restricted_every_variant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_postgres_and_etcd_uids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_baseline_and_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_network_policies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rbac, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
