/* defaults.c - the model before any tier or setting is applied: exactly the manifests of the
 * design document (sections 3 and 4), secured by its section 9 (restricted pod security, network
 * policies). Defaults carry SPAN_NONE: no source set them. */
#include <string.h>

#include "check/checkint.h"

static Quantity qty(const char *text)
{
    Quantity q = {0, QTY_DECIMAL_SI};
    (void)quantity_parse(text, &q); /* constant, valid text */
    return q;
}

static Image image(const char *registry, const char *repository, const char *tag)
{
    return (Image){
        .registry = registry,
        .repository = repository,
        .tag = tag,
        .pull_policy = "IfNotPresent",
        .span = SPAN_NONE,
    };
}

static Resources resources(const char *cpu_req, const char *cpu_lim, const char *mem_req, const char *mem_lim)
{
    return (Resources){
        .cpu_request = qty(cpu_req), .cpu_limit = qty(cpu_lim),
        .memory_request = qty(mem_req), .memory_limit = qty(mem_lim),
        .has_cpu_limit = true, .has_memory_limit = true,
        .cpu_span = SPAN_NONE, .memory_span = SPAN_NONE,
    };
}

static Storage storage(const char *size, const char *cls)
{
    return (Storage){.enabled = true, .size = qty(size), .logical_class = cls, .span = SPAN_NONE};
}

static Component component(const char *repo, Resources res, int grpc)
{
    return (Component){
        .enabled = true, .replicas = 3, .replicas_span = SPAN_NONE,
        .image = image("", repo, "latest"), .resources = res,
        .grpc_port = grpc, .http_port = 8080, .ops_port = 9090,
        .disruption = {.min_available = -1, .max_unavailable = -1, .span = SPAN_NONE},
        .autoscale = {.span = SPAN_NONE}, .ingress = {.span = SPAN_NONE}, .storage = {.span = SPAN_NONE},
        .span = SPAN_NONE,
    };
}

static void postgres_for(Persistence *p, PersistenceMode mode)
{
    *p = (Persistence){
        .mode = mode, .port = 5432, .database = "goverse", .user = "goverse",
        .credentials_secret = "goverse-postgres-secret", .sslmode = "disable", .instances = 1,
        .image = image("", "postgres", "15.10"), /* pinned: `15` floats (design: postgres:15) */
        .resources = resources("500m", "2", "1Gi", "4Gi"),
        .storage = storage("100Gi", "fast-ssd"),
        .backup = {.span = SPAN_NONE},
        .span = SPAN_NONE,
    };
    if (mode == PERSIST_EXTERNAL) {
        p->sslmode = "require";
        p->credentials_secret = NULL; /* must be named: the rule reports it */
        p->storage.enabled = false;
    }
    if (mode == PERSIST_OPERATOR) {
        p->team = "goverse";
        p->version = "15";
        p->instances = 3;
    }
    if (mode == PERSIST_NONE)
        p->storage.enabled = false;
}

/* The defaults are the same for every cluster: built once per Checker and copied (they hold
 * literals and numbers only, never anything a cluster's settings write through). */
void defaults_postgres(Checker *ck, Persistence *p, PersistenceMode mode)
{
    if (!ck->default_postgres[mode]) {
        Persistence *d = ARENA_NEW(ck->arena, Persistence);
        postgres_for(d, mode);
        ck->default_postgres[mode] = d;
    }
    *p = *ck->default_postgres[mode];
}

static void cluster_defaults(Checker *ck, Cluster *c)
{
    memset(c, 0, sizeof *c);
    c->kube_major = 1;
    c->kube_minor = 27;
    c->shards = 8192;
    c->stability_ms = 10000;
    c->registry = "";

    Etcd *e = &c->etcd;
    e->replicas = 3;
    e->replicas_span = SPAN_NONE;
    e->image = image("quay.io", "coreos/etcd", "v3.5.11");
    e->resources = resources("100m", "500m", "128Mi", "512Mi");
    e->storage = storage("10Gi", "fast-ssd");
    e->backup.span = SPAN_NONE;
    e->prefix = "/goverse";
    e->client_port = 2379;
    e->peer_port = 2380;
    e->span = SPAN_NONE;

    c->nodes = component("goverse/node", resources("500m", "2", "512Mi", "2Gi"), 50051);
    c->nodes.storage = storage("20Gi", "standard");
    c->gates = component("goverse/gate", resources("200m", "1", "256Mi", "1Gi"), 60051);
    c->inspector = component("goverse/inspector", resources("100m", "500m", "128Mi", "512Mi"), 8081);
    c->inspector.enabled = false;
    c->inspector.replicas = 1;

    defaults_postgres(ck, &c->postgres, PERSIST_NONE);
    c->monitoring = (Monitoring){.interval_ms = 30000, .span = SPAN_NONE};
    /* Secure by default in every tier: restricted pods, default-deny network policies; opting out
     * is written down (`pod_security baseline|privileged|none`, `network open`). */
    c->security = (Security){.pod_security = PODSEC_RESTRICTED, .network = NETWORK_ISOLATED, .span = SPAN_NONE,
                             .pod_security_span = SPAN_NONE, .network_span = SPAN_NONE, .tls_span = SPAN_NONE};
}

void defaults_cluster(Checker *ck, Cluster *c, const char *name, Span name_span)
{
    if (!ck->default_cluster) {
        Cluster *d = ARENA_NEW(ck->arena, Cluster);
        cluster_defaults(ck, d);
        ck->default_cluster = d;
    }
    *c = *ck->default_cluster;
    c->name = name;
    c->name_span = name_span;
    c->namespace_name = name;
    c->span = name_span;
}
