/* lower_config.c - the Goverse config.yaml (design 3.2) as an IR subtree, and the goverse-config
 * ConfigMap that carries it. The subtree is built by one function called once per use (ConfigMap
 * data and every pod template's checksum/config), so its YAML text and checksum always agree. */
#include "lower/lower_internal.h"
#include "lower/lower_security.h"
#include "support/quantity.h"

void lower_config_knobs(Lower *l)
{
    const Cluster *cl = l->cl;
    char buf[64];
    lower_knob_int(l, "cluster.shards", cl->shards > 0 ? cl->shards : 8192, 1, 65536,
                   "Goverse cluster.shards (changing it re-maps every object)");
    lower_knob_str(l, "cluster.etcdPrefix", KNOB_STRING, lower_pick(cl->etcd.prefix, "/goverse"),
                   "key prefix of the cluster state in etcd");
    lower_knob_str(l, "cluster.stabilityDuration", KNOB_DURATION,
                   duration_format_go(cl->stability_ms > 0 ? cl->stability_ms : 10000, buf, sizeof buf),
                   "cluster_state_stability_duration");
}

/* "etcd-I.etcd-headless.NS.svc.cluster.local:PORT" for I in 0..replicas-1. */
static IrNode *internal_endpoints(Lower *l)
{
    IrNode *body = lower_concat(l, ir_str(l->a, "etcd-"), ir_index(l->a), ir_str(l->a, ".etcd-headless."),
                                lower_namespace_expr(l), ir_str(l->a, ".svc.cluster.local:"),
                                lower_ref(l, "etcd.ports.client"), NULL);
    return ir_expr(l->a, EXPR_REPEAT, ir_chain(lower_ref(l, "etcd.replicas"), body, NULL));
}

static IrNode *cluster_section(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = ir_map(a);
    ir_put(a, c, "shards", lower_ref(l, "cluster.shards"));
    ir_put(a, c, "provider", ir_str(a, "etcd"));
    IrNode *etcd = ir_put(a, c, "etcd", ir_map(a));
    /* Two entries under one key with opposite conditions: exactly one survives evaluation. */
    ir_when(ir_put(a, etcd, "endpoints", internal_endpoints(l)), lower_unless(l, "etcd.external.enabled"));
    ir_when(ir_put(a, etcd, "endpoints", lower_ref(l, "etcd.external.endpoints")),
            lower_if(l, "etcd.external.enabled"));
    ir_put(a, etcd, "prefix", lower_ref(l, "cluster.etcdPrefix"));
    ir_put(a, c, "cluster_state_stability_duration", lower_ref(l, "cluster.stabilityDuration"));
    return c;
}

static IrNode *inspector_section(Lower *l)
{
    Arena *a = l->a;
    IrNode *in = ir_when(ir_map(a), lower_if(l, "inspector.enabled"));
    ir_put(a, in, "grpc_addr",
           lower_concat(l, ir_str(a, "inspector."), lower_namespace_expr(l), ir_str(a, ".svc.cluster.local:"),
                        lower_ref(l, "inspector.ports.grpc"), NULL));
    ir_put(a, in, "http_addr", lower_concat(l, ir_str(a, "0.0.0.0:"), lower_ref(l, "inspector.ports.http"), NULL));
    ir_put(a, in, "advertise_addr",
           lower_concat(l, ir_str(a, "inspector."), lower_namespace_expr(l), ir_str(a, ".svc.cluster.local:"),
                        lower_ref(l, "inspector.ports.grpc"), NULL));
    return in;
}

/* One entry per persistence mode, each under the mode's exclusive condition. */
static void put_alternatives(Lower *l, IrNode *map, const char *key, IrNode *ext, IrNode *op, IrNode *in)
{
    ir_when(ir_put(l->a, map, key, ext), lower_postgres_mode(l, PERSIST_EXTERNAL));
    ir_when(ir_put(l->a, map, key, op), lower_postgres_mode(l, PERSIST_OPERATOR));
    ir_when(ir_put(l->a, map, key, in), lower_postgres_mode(l, PERSIST_INTERNAL));
}

static IrNode *service_host(Lower *l, const char *service)
{
    return lower_concat(l, ir_str(l->a, service), ir_str(l->a, "."), lower_namespace_expr(l),
                        ir_str(l->a, ".svc.cluster.local"), NULL);
}

static IrNode *postgres_section(Lower *l)
{
    Arena *a = l->a;
    IrNode *pg = ir_when(ir_map(a), lower_postgres_on(l));
    put_alternatives(l, pg, "host", lower_ref(l, "postgres.external.host"), service_host(l, "goverse-postgres"),
                     service_host(l, "postgres"));
    put_alternatives(l, pg, "port", lower_ref(l, "postgres.external.port"), ir_int(a, 5432), ir_int(a, 5432));
    put_alternatives(l, pg, "database", lower_ref(l, "postgres.external.database"),
                     ir_str(a, lower_postgres_operator_database(l)), lower_ref(l, "postgres.internal.database"));
    put_alternatives(l, pg, "user", lower_ref(l, "postgres.external.user"),
                     ir_str(a, lower_postgres_operator_user(l)), lower_ref(l, "postgres.internal.user"));
    /* Zalando's Spilo serves TLS by default; the in-cluster StatefulSet has no certificate. */
    put_alternatives(l, pg, "sslmode", lower_ref(l, "postgres.external.sslmode"), ir_str(a, "require"),
                     ir_str(a, "disable"));
    ir_put(a, pg, "password_env", ir_str(a, "POSTGRES_PASSWORD"));
    return pg;
}

IrNode *lower_config_tree(Lower *l)
{
    if (l->config_tree)
        return l->config_tree;
    Arena *a = l->a;
    IrNode *root = l->config_tree = ir_map(a);
    ir_put(a, root, "version", ir_int(a, 1));
    ir_put(a, root, "cluster", cluster_section(l));
    ir_put(a, root, "inspector", inspector_section(l));
    ir_put(a, root, "postgres", postgres_section(l));
    ir_put(a, root, "tls", lower_tls_config(l)); /* lower_tls.c: behind tls.enabled */
    ir_put(a, root, "nodes", ir_seq(a));
    ir_put(a, root, "gates", ir_seq(a));
    return root;
}

void lower_config_objects(Lower *l)
{
    Arena *a = l->a;
    IrObject *o = ir_object(a, l->ir, "configmap.yaml", "cluster", "v1", "ConfigMap", "goverse-config", NULL);
    ir_put(a, o->root, "apiVersion", ir_str(a, "v1"));
    ir_put(a, o->root, "kind", ir_str(a, "ConfigMap"));
    ir_put(a, o->root, "metadata", lower_metadata(l, "goverse-config", "goverse", "cluster"));
    IrNode *data = ir_put(a, o->root, "data", ir_map(a));
    ir_put(a, data, "config.yaml", ir_expr(a, EXPR_YAML, lower_config_tree(l)))->style = STYLE_LITERAL;
}
