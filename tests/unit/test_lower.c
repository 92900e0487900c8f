/* test_lower.c - lowering of hand-built clusters (the design document's values) into the IR,
 * checked by evaluating the objects: the file/kind/name set, exact field values against the design
 * document, value overrides, no duplicate env/port names, knob uniqueness and reference integrity,
 * and the external / operator / no-persistence variants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_data_util.h"

#include "lower/dashboard_json.h"
#include "lower/lower.h"
#include "support/quantity.h"
#include "support/sha256.h"
#include "yaml/yamlio.h"

/* ---- fixtures ---------------------------------------------------------------------------------- */

static Quantity qty(const char *text)
{
    Quantity q;
    assert_int_equal(quantity_parse(text, &q), QTY_OK);
    return q;
}

static Resources res(const char *cpu_req, const char *cpu_lim, const char *mem_req, const char *mem_lim)
{
    Resources r = {.cpu_request = qty(cpu_req), .cpu_limit = qty(cpu_lim), .memory_request = qty(mem_req),
                   .memory_limit = qty(mem_lim), .has_cpu_limit = true, .has_memory_limit = true};
    return r;
}

static Image img(const char *registry, const char *repo, const char *tag)
{
    Image i = {.registry = registry, .repository = repo, .tag = tag, .pull_policy = "IfNotPresent"};
    return i;
}

static Ingress ingress(const char *host, const char *tls)
{
    Ingress in = {.enabled = true, .host = host, .class_name = "nginx", .tls_secret = tls,
                  .issuer = "letsencrypt-prod"};
    return in;
}

/* What the checker produces for the design document's cluster (sections 3 and 4 option 1). */
static Cluster *design_cluster(Arena *a)
{
    Cluster *c = ARENA_NEW(a, Cluster);
    c->name = "goverse";
    c->namespace_name = "goverse";
    c->kube_major = 1;
    c->kube_minor = 27;
    c->shards = 8192;
    c->stability_ms = 10000;
    c->registry = "";
    c->etcd = (Etcd){.replicas = 3, .image = img("quay.io", "coreos/etcd", "v3.5.11"),
                     .resources = res("100m", "500m", "128Mi", "512Mi"),
                     .storage = {.enabled = true, .size = qty("10Gi"), .storage_class = "fast-ssd"},
                     .prefix = "/goverse", .client_port = 2379, .peer_port = 2380};
    c->nodes = (Component){.enabled = true, .replicas = 3, .image = img("", "goverse/node", "latest"),
                           .resources = res("500m", "2000m", "512Mi", "2Gi"),
                           .storage = {.enabled = true, .size = qty("20Gi"), .storage_class = "standard"},
                           .grpc_port = 50051, .http_port = 8080};
    c->gates = (Component){.enabled = true, .replicas = 3, .image = img("", "goverse/gate", "latest"),
                           .resources = res("200m", "1000m", "256Mi", "1Gi"), .grpc_port = 60051,
                           .http_port = 8080, .ingress = ingress("goverse.example.com", "goverse-tls")};
    c->inspector = (Component){.enabled = true, .replicas = 1, .image = img("", "goverse/inspector", "latest"),
                               .resources = res("100m", "500m", "128Mi", "512Mi"), .grpc_port = 8081,
                               .http_port = 8080,
                               .ingress = ingress("inspector.goverse.example.com", "inspector-tls")};
    c->postgres = (Persistence){.mode = PERSIST_INTERNAL, .port = 5432, .database = "goverse", .user = "goverse",
                                .credentials_secret = "goverse-postgres-secret", .sslmode = "disable",
                                .instances = 1, .image = img("", "postgres", "15"),
                                .resources = res("500m", "2000m", "1Gi", "4Gi"),
                                .storage = {.enabled = true, .size = qty("100Gi"), .storage_class = "fast-ssd"}};
    c->security = (Security){.pod_security = PODSEC_RESTRICTED, .network = NETWORK_ISOLATED}; /* the defaults */
    return c;
}

typedef struct Fx {
    Arena *a;
    Cluster *cl;
    IrCluster *ir;
    Data *values;
} Fx;

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    f->a = arena_new();
    f->cl = design_cluster(f->a);
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

static void lower(Fx *f)
{
    f->ir = lower_cluster(f->a, f->cl, NULL);
    assert_non_null(f->ir);
    f->values = ir_default_values(f->a, f->ir);
}

static void set(Fx *f, const char *path, Data *v) { assert_true(data_set_path(f->a, f->values, path, v)); }

static const IrObject *object(const Fx *f, const char *path)
{
    for (const IrObject *o = f->ir->objects; o; o = o->next)
        if (strcmp(o->path, path) == 0)
            return o;
    fail_msg("no object %s", path);
    return NULL;
}

static Data *eval(Fx *f, const char *path) { return ir_eval_object(f->a, f->ir, object(f, path), f->values); }

/* ---- Data navigation ------------------------------------------------------------------------- */

static Data *by_name(const Data *seq, const char *name)
{
    for (Data *d = seq->u.kids.first; d; d = d->next) {
        Data *n = data_get(d, "name");
        if (n && n->kind == DATA_STR && strcmp(n->u.str.s, name) == 0)
            return d;
    }
    return NULL;
}

static Data *container(const Data *doc) { return nth(at(doc, "spec.template.spec.containers"), 0); }

static const char *env_value(const Data *c, const char *name)
{
    Data *e = by_name(at(c, "env"), name);
    if (!e)
        fail_msg("no env %s", name);
    return str(at(e, "value"));
}

static const char *config_text(Fx *f)
{
    Data *cm = eval(f, "configmap.yaml");
    return str(data_get(at(cm, "data"), "config.yaml"));
}

/* The ConfigMap's config.yaml read back, so checks do not depend on the writer's quoting. */
static Data *config(Fx *f)
{
    const char *text = config_text(f);
    SourceMap sources;
    source_map_init(&sources, f->a);
    DiagSink diags;
    diag_init(&diags, &sources, f->a);
    Data **docs = NULL;
    assert_int_equal(yaml_read(f->a, source_add(&sources, "config.yaml", text, strlen(text)), &docs, &diags), 1);
    return docs[0];
}

static const char *cfg_str(Fx *f, const char *path) { return str(at(config(f), path)); }

/* ---- (a) objects ------------------------------------------------------------------------------ */

static void test_object_set(void **state)
{
    Fx *f = *state;
    lower(f);
    static const char *const want[][4] = {
        {"namespace.yaml", "Namespace", "goverse", "1"},
        {"configmap.yaml", "ConfigMap", "goverse-config", "1"},
        {"etcd/service.yaml", "Service", "etcd-headless", "1"},
        {"etcd/statefulset.yaml", "StatefulSet", "etcd", "1"},
        {"postgres/service.yaml", "Service", "postgres", "1"},
        {"postgres/statefulset.yaml", "StatefulSet", "postgres", "1"},
        {"postgres/postgresql.yaml", "postgresql", "goverse-postgres", "0"},
        {"nodes/service.yaml", "Service", "goverse-node-headless", "1"},
        {"nodes/statefulset.yaml", "StatefulSet", "goverse-node", "1"},
        {"gates/service.yaml", "Service", "goverse-gate", "1"},
        {"gates/deployment.yaml", "Deployment", "goverse-gate", "1"},
        {"gates/ingress.yaml", "Ingress", "goverse-gate-ingress", "1"},
        {"inspector/service.yaml", "Service", "inspector", "1"},
        {"inspector/deployment.yaml", "Deployment", "inspector", "1"},
        {"inspector/ingress.yaml", "Ingress", "inspector-ingress", "1"},
    };
    const IrObject *o = f->ir->objects;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++, o = o->next) {
        assert_non_null(o);
        assert_string_equal(o->path, want[i][0]);
        assert_string_equal(o->kind, want[i][1]);
        assert_string_equal(o->name, want[i][2]);
        Data *doc = ir_eval_object(f->a, f->ir, o, f->values);
        if (want[i][3][0] == '0') {
            assert_null(doc);
            continue;
        }
        assert_non_null(doc);
        assert_string_equal(str(at(doc, "kind")), o->kind);
        assert_string_equal(str(at(doc, "metadata.name")), o->name);
        Data *labels = at(doc, "metadata.labels");
        assert_string_equal(str(data_get(labels, "app.kubernetes.io/managed-by")), "goversec");
        assert_string_equal(str(data_get(labels, "app.kubernetes.io/instance")), "goverse");
        if (strcmp(o->kind, "Namespace") != 0)
            assert_string_equal(str(at(doc, "metadata.namespace")), "goverse");
    }
    /* After the components come the production concerns (PDBs, monitoring, backups, security),
     * each tested in its own file; for the design's cluster only the secure defaults are on
     * (design section 9: network policies, service accounts, the nodes' Role). */
    static const char *const secure[] = {"NetworkPolicy", "ServiceAccount", "Role", "RoleBinding"};
    int nsecure = 0;
    for (; o; o = o->next) {
        if (o->manual_switch || !ir_cond_eval(o->when, f->values))
            continue;
        bool ok = false;
        for (size_t i = 0; i < sizeof secure / sizeof secure[0]; i++)
            ok = ok || strcmp(o->kind, secure[i]) == 0;
        if (!ok)
            fail_msg("%s %s is on for the design-document cluster", o->kind, o->name);
        nsecure++;
    }
    assert_true(nsecure > 0);
}

/* ---- (b) exact fields ------------------------------------------------------------------------- */

static void test_etcd_statefulset(void **state)
{
    Fx *f = *state;
    lower(f);
    Data *ss = eval(f, "etcd/statefulset.yaml");
    assert_string_equal(str(at(ss, "spec.serviceName")), "etcd-headless");
    assert_int_equal(num(at(ss, "spec.replicas")), 3);
    assert_string_equal(str(at(ss, "spec.selector.matchLabels.app")), "etcd");
    assert_int_equal(at(ss, "spec.selector.matchLabels")->u.kids.count, 1);
    Data *c = container(ss);
    assert_string_equal(str(at(c, "image")), "quay.io/coreos/etcd:v3.5.11");
    assert_string_equal(str(nth(at(c, "command"), 1)), "--config-file=/run/etcd/etcd.conf.yml");
    assert_null(data_get(c, "env")); /* etcd reads only its config file, written by the init container */
    Data *p = nth(at(c, "ports"), 1);
    assert_int_equal(num(at(p, "containerPort")), 2380);
    assert_string_equal(str(at(p, "protocol")), "TCP");
    assert_string_equal(str(at(c, "resources.limits.cpu")), "500m");
    assert_string_equal(str(at(c, "resources.requests.memory")), "128Mi");
    assert_string_equal(str(at(c, "livenessProbe.httpGet.path")), "/health");
    c = nth(at(ss, "spec.template.spec.initContainers"), 0); /* "member": new or existing */
    assert_string_equal(str(at(c, "name")), "member");
    assert_string_equal(env_value(c, "ETCD_INITIAL_CLUSTER"),
                        "etcd-0=http://etcd-0.etcd-headless.goverse.svc.cluster.local:2380,"
                        "etcd-1=http://etcd-1.etcd-headless.goverse.svc.cluster.local:2380,"
                        "etcd-2=http://etcd-2.etcd-headless.goverse.svc.cluster.local:2380");
    assert_string_equal(env_value(c, "ETCD_ADVERTISE_CLIENT_URLS"),
                        "http://$(ETCD_NAME).etcd-headless.goverse.svc.cluster.local:2379");
    assert_string_equal(env_value(c, "ETCD_INITIAL_ADVERTISE_PEER_URLS"),
                        "http://$(ETCD_NAME).etcd-headless.goverse.svc.cluster.local:2380");
    assert_string_equal(env_value(c, "ETCD_LISTEN_PEER_URLS"), "http://0.0.0.0:2380");
    assert_string_equal(str(at(nth(at(c, "env"), 0), "valueFrom.fieldRef.fieldPath")), "metadata.name");
    assert_string_equal(env_value(c, "ETCD_DOMAIN"), "etcd-headless.goverse.svc.cluster.local");
    assert_int_equal(num(at(container(ss), "readinessProbe.httpGet.port")), 2379);
    Data *vct = nth(at(ss, "spec.volumeClaimTemplates"), 0);
    assert_string_equal(str(at(vct, "kind")), "PersistentVolumeClaim");
    assert_string_equal(str(at(vct, "metadata.name")), "etcd-data");
    assert_string_equal(str(at(vct, "spec.storageClassName")), "fast-ssd");
    assert_string_equal(str(at(vct, "spec.resources.requests.storage")), "10Gi");
    Data *svc = eval(f, "etcd/service.yaml");
    assert_string_equal(str(at(svc, "spec.clusterIP")), "None");
    assert_string_equal(str(at(nth(at(svc, "spec.ports"), 0), "protocol")), "TCP");
}

static void test_node_statefulset(void **state)
{
    Fx *f = *state;
    lower(f);
    Data *ss = eval(f, "nodes/statefulset.yaml");
    assert_string_equal(str(at(ss, "spec.serviceName")), "goverse-node-headless");
    Data *c = container(ss);
    assert_string_equal(str(at(c, "image")), "goverse/node:latest");
    /* Goverse's node takes flags, not environment variables (node/serverconfig). */
    Data *args = at(c, "args");
    assert_int_equal(args->u.kids.count, 2);
    assert_string_equal(str(nth(args, 0)), "--config=/etc/goverse/config.yaml");
    assert_string_equal(str(nth(args, 1)), "--node-id=$(POD_NAME)");
    Data *env = at(c, "env");
    assert_int_equal(env->u.kids.count, 2);
    assert_string_equal(str(at(nth(env, 0), "name")), "POD_NAME");
    assert_null(data_get(c, "envFrom")); /* the password reaches Goverse only through its file */
    /* PostgreSQL on: the config volume is in memory, filled by render-config from the template. */
    Data *vols = at(ss, "spec.template.spec.volumes");
    assert_string_equal(str(at(by_name(vols, "config"), "emptyDir.medium")), "Memory");
    assert_string_equal(str(at(by_name(vols, "config-template"), "configMap.name")), "goverse-config");
    Data *init = nth(at(ss, "spec.template.spec.initContainers"), 0);
    assert_string_equal(str(at(init, "name")), "render-config");
    /* The password as a file from the Secret, never an environment variable. */
    assert_null(data_get(init, "env"));
    Data *pw = by_name(vols, "postgres-password");
    assert_string_equal(str(at(pw, "secret.secretName")), "goverse-postgres-secret");
    assert_string_equal(str(at(nth(at(pw, "secret.items"), 0), "key")), "POSTGRES_PASSWORD");
    assert_string_equal(str(at(nth(at(pw, "secret.items"), 0), "path")), "password");
    assert_non_null(by_name(at(init, "volumeMounts"), "postgres-password"));
    assert_true(data_get(by_name(at(c, "volumeMounts"), "config"), "readOnly")->u.b);
    assert_string_equal(str(at(c, "resources.limits.cpu")), "2"); /* canonical, not 2000m */
    assert_string_equal(str(at(c, "resources.limits.memory")), "2Gi");
    assert_string_equal(str(at(c, "livenessProbe.httpGet.path")), "/healthz");
    assert_int_equal(num(at(c, "livenessProbe.initialDelaySeconds")), 30);
    assert_string_equal(str(at(c, "readinessProbe.httpGet.path")), "/ready");
    assert_int_equal(num(at(c, "readinessProbe.httpGet.port")), 8080);
    assert_non_null(by_name(at(c, "volumeMounts"), "data"));
    Data *vct = nth(at(ss, "spec.volumeClaimTemplates"), 0);
    assert_string_equal(str(at(vct, "metadata.name")), "data");
    assert_string_equal(str(at(vct, "spec.storageClassName")), "standard");
    Data *an = at(ss, "spec.template.metadata.annotations");
    assert_string_equal(str(data_get(an, "prometheus.io/port")), "8080");
    assert_string_equal(str(data_get(an, "prometheus.io/scrape")), "true");
    /* The checksum is the sha256 of the ConfigMap's text without its `nodes:` list (scaling the
     * StatefulSet must not restart the running nodes). */
    const char *cfg = config_text(f);
    const char *nodes_at = strstr(cfg, "\nnodes:\n"), *gates_at = strstr(cfg, "\ngates:");
    assert_non_null(nodes_at);
    assert_non_null(gates_at);
    char *without = arena_printf(f->a, "%.*s%s", (int)(nodes_at - cfg), cfg, gates_at);
    char hex[65];
    assert_string_equal(str(data_get(an, "checksum/config")), sha256_hex(without, strlen(without), hex));
}

static void test_node_storage_off(void **state)
{
    Fx *f = *state;
    f->cl->nodes.storage.storage_class = NULL;
    lower(f);
    Data *ss = eval(f, "nodes/statefulset.yaml");
    assert_null(data_get(at(nth(at(ss, "spec.volumeClaimTemplates"), 0), "spec"), "storageClassName"));
    set(f, "nodes.storage.enabled", data_bool(f->a, false));
    ss = eval(f, "nodes/statefulset.yaml");
    assert_null(data_get(at(ss, "spec"), "volumeClaimTemplates"));
    /* the read-only root filesystem: /var/lib/goverse becomes an emptyDir of the same name */
    assert_string_equal(str(data_get(by_name(at(container(ss), "volumeMounts"), "data"), "mountPath")),
                        "/var/lib/goverse");
    assert_non_null(data_get(by_name(at(ss, "spec.template.spec.volumes"), "data"), "emptyDir"));
    set(f, "security.podSecurity", data_str(f->a, "baseline"));
    ss = eval(f, "nodes/statefulset.yaml");
    assert_null(by_name(at(container(ss), "volumeMounts"), "data"));
}

static void test_gates_and_ingress(void **state)
{
    Fx *f = *state;
    lower(f);
    Data *svc = eval(f, "gates/service.yaml");
    assert_string_equal(str(at(svc, "spec.type")), "ClusterIP");
    assert_int_equal(num(at(nth(at(svc, "spec.ports"), 0), "port")), 60051);
    Data *c = container(eval(f, "gates/deployment.yaml"));
    /* Flag mode (cmd/gate/gateconfig), every listener given; probes on the ops listener. */
    static const char *const want[] = {
        "--gate-id=$(POD_NAME)", "--listen=0.0.0.0:60051", "--advertise=$(POD_IP):60051",
        "--http-listen=0.0.0.0:8080", "--ops-listen=0.0.0.0:9090",
        "--etcd=etcd-headless.goverse.svc.cluster.local:2379", "--etcd-prefix=/goverse",
        "--inspector-address=inspector.goverse.svc.cluster.local:8081"};
    Data *args = at(c, "args");
    assert_int_equal(args->u.kids.count, sizeof want / sizeof *want);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_string_equal(str(nth(args, i)), want[i]);
    assert_string_equal(str(at(by_name(at(c, "env"), "POD_IP"), "valueFrom.fieldRef.fieldPath")), "status.podIP");
    assert_int_equal(num(at(c, "readinessProbe.httpGet.port")), 9090);
    assert_string_equal(str(at(c, "livenessProbe.httpGet.path")), "/healthz");
    assert_int_equal(num(at(nth(at(svc, "spec.ports"), 2), "port")), 9090);
    assert_string_equal(str(at(c, "resources.limits.cpu")), "1");
    /* External etcd: the first endpoint, the one Goverse would use anyway. */
    set(f, "etcd.external.enabled", data_bool(f->a, true));
    Data *eps = data_seq(f->a);
    data_push(eps, data_str(f->a, "etcd-a.example.com:2379"));
    data_push(eps, data_str(f->a, "etcd-b.example.com:2379"));
    set(f, "etcd.external.endpoints", eps);
    c = container(eval(f, "gates/deployment.yaml"));
    assert_string_equal(str(nth(at(c, "args"), 5)), "--etcd=etcd-a.example.com:2379");
    set(f, "inspector.enabled", data_bool(f->a, false));
    c = container(eval(f, "gates/deployment.yaml"));
    assert_int_equal(at(c, "args")->u.kids.count, sizeof want / sizeof *want - 1);
    Data *ing = eval(f, "gates/ingress.yaml");
    Data *an = at(ing, "metadata.annotations");
    assert_string_equal(str(data_get(an, "nginx.ingress.kubernetes.io/backend-protocol")), "GRPC");
    assert_string_equal(str(data_get(an, "cert-manager.io/cluster-issuer")), "letsencrypt-prod");
    assert_string_equal(str(at(ing, "spec.ingressClassName")), "nginx");
    assert_string_equal(str(at(nth(at(ing, "spec.tls"), 0), "secretName")), "goverse-tls");
    Data *rule = nth(at(ing, "spec.rules"), 0);
    assert_string_equal(str(at(rule, "host")), "goverse.example.com");
    assert_int_equal(num(at(nth(at(rule, "http.paths"), 0), "backend.service.port.number")), 60051);
    /* No secret, no class, no issuer: those fields disappear. */
    set(f, "gates.ingress.tls.secretName", data_str(f->a, ""));
    set(f, "gates.ingress.className", data_str(f->a, ""));
    set(f, "gates.ingress.issuer", data_str(f->a, ""));
    ing = eval(f, "gates/ingress.yaml");
    assert_null(data_get(at(ing, "spec"), "tls"));
    assert_null(data_get(at(ing, "spec"), "ingressClassName"));
    assert_null(data_get(at(ing, "metadata.annotations"), "cert-manager.io/cluster-issuer"));
    set(f, "gates.ingress.enabled", data_bool(f->a, false));
    assert_null(eval(f, "gates/ingress.yaml"));
}

static void test_postgres_internal(void **state)
{
    Fx *f = *state;
    lower(f);
    Data *ss = eval(f, "postgres/statefulset.yaml");
    Data *c = container(ss);
    assert_string_equal(str(at(c, "image")), "postgres:15");
    Data *pw = by_name(at(c, "env"), "POSTGRES_PASSWORD");
    assert_string_equal(str(at(pw, "valueFrom.secretKeyRef.name")), "goverse-postgres-secret");
    assert_string_equal(str(at(pw, "valueFrom.secretKeyRef.key")), "POSTGRES_PASSWORD");
    assert_string_equal(env_value(c, "PGDATA"), "/var/lib/postgresql/data/pgdata");
    assert_string_equal(str(at(c, "resources.limits.memory")), "4Gi");
    assert_string_equal(str(at(nth(at(ss, "spec.volumeClaimTemplates"), 0), "spec.resources.requests.storage")),
                        "100Gi");
    Data *cfg = config(f);
    assert_string_equal(str(at(cfg, "postgres.host")), "postgres.goverse.svc.cluster.local");
    assert_int_equal(num(at(cfg, "postgres.port")), 5432);
    assert_string_equal(str(at(cfg, "postgres.database")), "goverse");
    assert_string_equal(str(at(cfg, "postgres.sslmode")), "disable");
    assert_null(data_get(at(cfg, "postgres"), "password")); /* added at pod start by render-config */
    assert_null(data_get(at(cfg, "postgres"), "password_env")); /* Goverse does not read it */
}

static void test_config(void **state)
{
    Fx *f = *state;
    lower(f);
    Data *cfg = config(f);
    assert_int_equal(num(at(cfg, "version")), 1);
    assert_int_equal(num(at(cfg, "cluster.shards")), 8192);
    assert_string_equal(str(at(cfg, "cluster.provider")), "etcd");
    /* Goverse uses the first endpoint only: one name that reaches every member. */
    Data *eps = at(cfg, "cluster.etcd.endpoints");
    assert_int_equal(eps->u.kids.count, 1);
    assert_string_equal(str(nth(eps, 0)), "etcd-headless.goverse.svc.cluster.local:2379");
    assert_string_equal(str(at(cfg, "cluster.etcd.prefix")), "/goverse");
    assert_string_equal(str(at(cfg, "cluster.cluster_state_stability_duration")), "10s");
    assert_string_equal(str(at(cfg, "inspector.grpc_addr")), "0.0.0.0:8081");
    assert_string_equal(str(at(cfg, "inspector.http_addr")), "0.0.0.0:8080");
    assert_string_equal(str(at(cfg, "inspector.advertise_addr")), "inspector.goverse.svc.cluster.local:8081");
    /* One entry per StatefulSet ordinal: `--node-id=$(POD_NAME)` must find its own. */
    Data *nodes = at(cfg, "nodes");
    assert_int_equal(nodes->u.kids.count, 3);
    assert_string_equal(str(at(nth(nodes, 2), "id")), "goverse-node-2");
    assert_string_equal(str(at(nth(nodes, 2), "grpc_addr")), "0.0.0.0:50051");
    assert_string_equal(str(at(nth(nodes, 2), "advertise_addr")),
                        "goverse-node-2.goverse-node-headless.goverse.svc.cluster.local:50051");
    assert_string_equal(str(at(nth(nodes, 2), "http_addr")), "0.0.0.0:8080");
    assert_null(data_get(cfg, "tls")); /* no key Goverse's loader would drop */
    assert_int_equal(at(cfg, "gates")->u.kids.count, 0);
    /* No secret value anywhere: only the Secret's name. */
    assert_null(data_get(at(cfg, "postgres"), "password"));
    assert_string_equal(config_text(f) + strlen(config_text(f)) - 1, "\n");
}

/* ---- (c) overrides ------------------------------------------------------------------------------ */

static void test_override_etcd_replicas(void **state)
{
    Fx *f = *state;
    lower(f);
    const char *before = str(data_get(at(eval(f, "nodes/statefulset.yaml"), "spec.template.metadata.annotations"),
                                      "checksum/config"));
    set(f, "etcd.replicas", data_int(f->a, 5));
    Data *c = nth(at(eval(f, "etcd/statefulset.yaml"), "spec.template.spec.initContainers"), 0);
    const char *ic = env_value(c, "ETCD_INITIAL_CLUSTER");
    assert_non_null(strstr(ic, ",etcd-4=http://etcd-4.etcd-headless.goverse.svc.cluster.local:2380"));
    assert_null(strstr(ic, "etcd-5"));
    /* The etcd address is one name whatever the size: the nodes keep running. */
    const char *same = str(data_get(at(eval(f, "nodes/statefulset.yaml"), "spec.template.metadata.annotations"),
                                    "checksum/config"));
    assert_string_equal(before, same);
    /* The node list follows nodes.replicas; the running nodes keep running (same checksum). */
    set(f, "nodes.replicas", data_int(f->a, 5));
    Data *nodes = at(config(f), "nodes");
    assert_int_equal(nodes->u.kids.count, 5);
    assert_string_equal(str(at(nth(nodes, 4), "id")), "goverse-node-4");
    const char *scaled = str(data_get(at(eval(f, "nodes/statefulset.yaml"), "spec.template.metadata.annotations"),
                                      "checksum/config"));
    assert_string_equal(before, scaled);
    /* Any other change of the file restarts them. */
    set(f, "cluster.etcdPrefix", data_str(f->a, "/chat"));
    const char *after = str(data_get(at(eval(f, "nodes/statefulset.yaml"), "spec.template.metadata.annotations"),
                                     "checksum/config"));
    assert_string_not_equal(before, after);
}

static void test_override_inspector_off(void **state)
{
    Fx *f = *state;
    lower(f);
    set(f, "inspector.enabled", data_bool(f->a, false));
    assert_null(eval(f, "inspector/service.yaml"));
    assert_null(eval(f, "inspector/deployment.yaml"));
    assert_null(eval(f, "inspector/ingress.yaml"));
    assert_null(data_get(config(f), "inspector"));
}

static void test_override_image_registry(void **state)
{
    Fx *f = *state;
    lower(f);
    set(f, "global.imageRegistry", data_str(f->a, "mirror.local"));
    set(f, "nodes.image.tag", data_str(f->a, "1.2.0"));
    Data *ss = eval(f, "nodes/statefulset.yaml");
    assert_string_equal(str(at(container(ss), "image")), "mirror.local/goverse/node:1.2.0");
    assert_null(data_get(at(ss, "spec.template.spec"), "imagePullSecrets"));
    Data *secrets = data_seq(f->a);
    data_put(f->a, data_push(secrets, data_map(f->a)), "name", data_str(f->a, "regcred"));
    set(f, "global.imagePullSecrets", secrets);
    ss = eval(f, "nodes/statefulset.yaml");
    assert_string_equal(str(at(nth(at(ss, "spec.template.spec.imagePullSecrets"), 0), "name")), "regcred");
}

/* ---- (d) duplicates ------------------------------------------------------------------------------ */

static void assert_unique_names(const Data *seq, const char *what, const char *obj)
{
    if (!seq)
        return;
    for (const Data *x = seq->u.kids.first; x; x = x->next)
        for (const Data *y = x->next; y; y = y->next) {
            const Data *nx = data_get(x, "name"), *ny = data_get(y, "name");
            if (nx && ny && strcmp(nx->u.str.s, ny->u.str.s) == 0)
                fail_msg("%s: duplicate %s name %s", obj, what, nx->u.str.s);
        }
}

static void check_all_containers(Fx *f)
{
    int seen = 0;
    for (const IrObject *o = f->ir->objects; o; o = o->next) {
        Data *doc = ir_eval_object(f->a, f->ir, o, f->values);
        Data *cs = doc ? data_path(doc, "spec.template.spec.containers") : NULL;
        for (const Data *c = cs ? cs->u.kids.first : NULL; c; c = c->next, seen++) {
            assert_unique_names(data_get(c, "env"), "env", o->path);
            assert_unique_names(data_get(c, "ports"), "port", o->path);
            for (const Data *p = data_get(c, "ports") ? data_get(c, "ports")->u.kids.first : NULL; p; p = p->next)
                assert_string_equal(str(data_get(p, "protocol")), "TCP");
        }
        Data *sp = doc && strcmp(o->kind, "Service") == 0 ? data_path(doc, "spec.ports") : NULL;
        assert_unique_names(sp, "service port", o->path);
    }
    assert_true(seen >= 4);
}

static void test_no_duplicate_names(void **state)
{
    Fx *f = *state;
    lower(f);
    check_all_containers(f);
    /* Every switch on at once: still no duplicates. */
    set(f, "postgres.operator.enabled", data_bool(f->a, true));
    set(f, "postgres.external.enabled", data_bool(f->a, true));
    check_all_containers(f);
    set(f, "postgres.external.enabled", data_bool(f->a, false));
    check_all_containers(f);
}

/* ---- (e) knobs ------------------------------------------------------------------------------------ */

static void check_cond(const IrCluster *c, const IrCond *k)
{
    if (!k)
        return;
    if (k->op == COND_TRUE_KNOB || k->op == COND_EQ) {
        assert_ptr_equal(ir_find_knob(c, k->knob->path), k->knob);
        return;
    }
    check_cond(c, k->a);
    check_cond(c, k->b);
}

static int check_refs(const IrCluster *c, const IrNode *n)
{
    int refs = 0;
    for (; n; n = n->next) {
        check_cond(c, ir_node_when(n));
        if (n->kind == IR_REF) {
            assert_ptr_equal(ir_find_knob(c, n->u.ref->path), n->u.ref);
            refs++;
        } else if (n->kind == IR_MAP || n->kind == IR_SEQ) {
            refs += check_refs(c, n->u.kids.first);
        } else if (n->kind == IR_EXPR) {
            refs += check_refs(c, n->u.expr.args);
        }
    }
    return refs;
}

static void test_knobs(void **state)
{
    Fx *f = *state;
    lower(f);
    int nknobs = 0;
    for (const Knob *k = f->ir->knobs; k; k = k->next, nknobs++) {
        for (const Knob *j = k->next; j; j = j->next)
            if (strcmp(k->path, j->path) == 0)
                fail_msg("duplicate knob %s", k->path);
        assert_true(k->description && *k->description);
        if (k->type == KNOB_ENUM)
            assert_non_null(k->choices);
        if (k->required_when)
            assert_int_equal(ir_find_knob(f->ir, k->required_when)->type, KNOB_BOOL);
    }
    assert_true(nknobs > 60);
    int refs = 0;
    for (const IrObject *o = f->ir->objects; o; o = o->next) {
        check_cond(f->ir, o->when);
        refs += check_refs(f->ir, o->root);
    }
    assert_true(refs > 100);
    assert_string_equal(f->ir->knobs->path, "global.imageRegistry");
    /* No shard knob: gates and inspector run in flag mode, fixed at 8192 (check/cluster.c). */
    assert_null(ir_find_knob(f->ir, "cluster.shards"));
    assert_int_equal(ir_find_knob(f->ir, "nodes.ports.grpc")->max, 65535);
    assert_true(ir_find_knob(f->ir, "etcd.replicas")->must_be_odd);
    assert_string_equal(ir_find_knob(f->ir, "postgres.external.host")->required_when, "postgres.external.enabled");
    assert_string_equal(str(ir_find_knob(f->ir, "nodes.resources.limits.cpu")->default_value), "2");
}

/* ---- variants ------------------------------------------------------------------------------------- */

static void test_external_postgres(void **state)
{
    Fx *f = *state;
    f->cl->postgres = (Persistence){.mode = PERSIST_EXTERNAL, .host = "db.example.com", .port = 6432,
                                    .database = "gv", .user = "gvuser", .credentials_secret = "rds-goverse",
                                    .sslmode = "verify-full"};
    lower(f);
    assert_null(eval(f, "postgres/service.yaml"));
    assert_null(eval(f, "postgres/statefulset.yaml"));
    assert_null(eval(f, "postgres/postgresql.yaml"));
    Data *cfg = config(f);
    assert_string_equal(str(at(cfg, "postgres.host")), "db.example.com");
    assert_int_equal(num(at(cfg, "postgres.port")), 6432);
    assert_string_equal(str(at(cfg, "postgres.database")), "gv");
    assert_string_equal(str(at(cfg, "postgres.user")), "gvuser");
    assert_string_equal(str(at(cfg, "postgres.sslmode")), "verify-full");
    Data *c = container(eval(f, "nodes/statefulset.yaml"));
    assert_null(data_get(c, "envFrom"));
    Data *pw = by_name(at(eval(f, "nodes/statefulset.yaml"), "spec.template.spec.volumes"), "postgres-password");
    assert_string_equal(str(at(pw, "secret.secretName")), "rds-goverse");
    assert_string_equal(str(at(nth(at(pw, "secret.items"), 0), "key")), "POSTGRES_PASSWORD");
}

static void test_operator_postgres(void **state)
{
    Fx *f = *state;
    f->cl->postgres = (Persistence){.mode = PERSIST_OPERATOR, .database = "goverse", .user = "goverse",
                                    .instances = 3, .version = "15", .team = "goverse",
                                    .resources = res("500m", "2000m", "1Gi", "4Gi"),
                                    .storage = {.enabled = true, .size = qty("100Gi"), .storage_class = "fast-ssd"}};
    lower(f);
    assert_null(eval(f, "postgres/statefulset.yaml"));
    Data *pg = eval(f, "postgres/postgresql.yaml");
    assert_non_null(pg);
    assert_string_equal(str(at(pg, "apiVersion")), "acid.zalan.do/v1");
    assert_string_equal(str(at(pg, "spec.teamId")), "goverse");
    assert_string_equal(str(at(pg, "spec.volume.size")), "100Gi");
    assert_string_equal(str(at(pg, "spec.volume.storageClass")), "fast-ssd");
    assert_int_equal(num(at(pg, "spec.numberOfInstances")), 3);
    assert_string_equal(str(nth(at(pg, "spec.users.goverse"), 1)), "createdb");
    assert_string_equal(str(at(pg, "spec.databases.goverse")), "goverse");
    assert_string_equal(str(at(pg, "spec.postgresql.version")), "15");
    assert_string_equal(str(at(pg, "spec.resources.limits.cpu")), "2");
    Data *ss = eval(f, "nodes/statefulset.yaml");
    assert_null(data_get(container(ss), "envFrom"));
    Data *vols = at(ss, "spec.template.spec.volumes");
    Data *pw = by_name(vols, "postgres-password");
    assert_string_equal(str(at(pw, "secret.secretName")), "goverse.goverse-postgres.credentials.postgresql.acid.zalan.do");
    assert_string_equal(str(at(nth(at(pw, "secret.items"), 0), "key")), "password");
    size_t n = 0; /* exactly one of the two alternatives survives */
    for (Data *v = vols->u.kids.first; v; v = v->next)
        n += strcmp(str(data_get(v, "name")), "postgres-password") == 0;
    assert_int_equal(n, 1);
    assert_string_equal(cfg_str(f, "postgres.host"), "goverse-postgres.goverse.svc.cluster.local");
    assert_string_equal(cfg_str(f, "postgres.sslmode"), "require");
}

static void test_switched_off_parts(void **state)
{
    Fx *f = *state;
    f->cl->postgres = (Persistence){.mode = PERSIST_NONE};
    f->cl->inspector = (Component){.enabled = false};
    lower(f);
    /* Still in the IR (the chart can switch them on), absent from the default manifests. */
    assert_null(eval(f, "postgres/statefulset.yaml"));
    assert_null(eval(f, "inspector/deployment.yaml"));
    Data *cfg = config(f);
    assert_null(data_get(cfg, "postgres"));
    assert_null(data_get(cfg, "inspector"));
    assert_null(data_get(container(eval(f, "nodes/statefulset.yaml")), "envFrom"));
    /* Design defaults fill what the model left unset. */
    set(f, "inspector.enabled", data_bool(f->a, true));
    set(f, "postgres.internal.enabled", data_bool(f->a, true));
    Data *c = container(eval(f, "inspector/deployment.yaml"));
    assert_string_equal(str(at(c, "image")), "goverse/inspector:latest");
    assert_string_equal(str(at(c, "resources.requests.cpu")), "100m");
    assert_null(eval(f, "inspector/ingress.yaml"));
    assert_string_equal(str(at(container(eval(f, "postgres/statefulset.yaml")), "image")), "postgres:15.10");
    assert_string_equal(cfg_str(f, "inspector.http_addr"), "0.0.0.0:8080");
}

static void test_external_etcd(void **state)
{
    Fx *f = *state;
    static const char *eps[] = {"etcd.example.com:2379", "etcd2.example.com:2379"};
    f->cl->etcd.external = true;
    f->cl->etcd.endpoints = eps;
    f->cl->etcd.nendpoints = 2;
    lower(f);
    assert_null(eval(f, "etcd/statefulset.yaml"));
    assert_null(eval(f, "etcd/service.yaml"));
    Data *got = at(config(f), "cluster.etcd.endpoints");
    assert_int_equal(got->u.kids.count, 1); /* Goverse uses the first; the checker warns */
    assert_string_equal(str(nth(got, 0)), "etcd.example.com:2379");
    assert_null(strstr(config_text(f), "etcd-headless"));
}

/* The dashboard text of an IR: the last piece of the ConfigMap's goverse.json concatenation. */
static const char *dashboard_text(const IrCluster *ir)
{
    for (const IrObject *o = ir->objects; o; o = o->next) {
        if (strcmp(o->path, "monitoring/dashboard.yaml") != 0)
            continue;
        const IrNode *n = o->root->u.kids.first;
        for (; n && strcmp(ir_node_key(n), "data") != 0; n = n->next)
            ;
        assert_non_null(n);
        const IrNode *piece = n->u.kids.first->u.expr.args;
        while (piece->next)
            piece = piece->next;
        assert_int_equal(piece->kind, IR_STR);
        return piece->u.str;
    }
    fail_msg("no dashboard object");
    return NULL;
}

static const IrNode *entry(const IrNode *map, const char *key)
{
    const IrNode *n = map->u.kids.first;
    for (; n && strcmp(ir_node_key(n), key) != 0; n = n->next)
        ;
    assert_non_null(n);
    return n;
}

/* The entries of the first alert rule's map (its PromQL reads no knob). */
static const IrNode *first_rule_entries(const IrCluster *ir)
{
    for (const IrObject *o = ir->objects; o; o = o->next)
        if (strcmp(o->path, "monitoring/prometheusrule.yaml") == 0) {
            const IrNode *group = entry(entry(o->root, "spec"), "groups")->u.kids.first;
            const IrNode *rule = entry(group, "rules")->u.kids.first;
            assert_string_equal(entry(rule, "alert")->u.str, "GoverseNodeDown");
            return rule->u.kids.first;
        }
    fail_msg("no alert rules object");
    return NULL;
}

/* lower_cluster_shared: the same IR as lower_cluster (every object evaluates to the same
 * document), with what every cluster shares built once (the entries of the alert rules that read
 * no knob, by address). */
static void test_shared_lowering(void **state)
{
    Fx *f = *state;
    IrCluster *plain = lower_cluster(f->a, f->cl, NULL);
    LowerShared *shared = lower_shared_new(f->a);
    IrCluster *one = lower_cluster_shared(f->a, shared, f->cl, NULL);
    IrCluster *two = lower_cluster_shared(f->a, shared, f->cl, NULL);
    assert_true(ir_same_shape(plain, one));
    assert_true(ir_same_shape(one, two));
    /* The dashboard's panels are text written when goversec is built: one copy for all. */
    assert_ptr_equal(dashboard_text(one), lower_dashboard_rest);
    assert_ptr_equal(dashboard_text(plain), lower_dashboard_rest);
    assert_ptr_equal(first_rule_entries(one), first_rule_entries(two));
    assert_ptr_not_equal(first_rule_entries(plain), first_rule_entries(one));
    Data *vp = ir_default_values(f->a, plain), *v1 = ir_default_values(f->a, one);
    int n = 0;
    const IrObject *op = plain->objects, *o1 = one->objects;
    for (; op && o1; op = op->next, o1 = o1->next, n++) {
        assert_string_equal(op->path, o1->path);
        Data *dp = ir_eval_object(f->a, plain, op, vp), *d1 = ir_eval_object(f->a, one, o1, v1);
        assert_true((!dp && !d1) || (dp && d1 && data_equal(dp, d1)));
    }
    assert_null(op);
    assert_null(o1);
    assert_true(n > 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_object_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_etcd_statefulset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node_statefulset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node_storage_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gates_and_ingress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_postgres_internal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override_etcd_replicas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override_inspector_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override_image_registry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_duplicate_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_knobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_external_postgres, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operator_postgres, setup, teardown),
        cmocka_unit_test_setup_teardown(test_switched_off_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_external_etcd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_lowering, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
