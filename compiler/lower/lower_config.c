/* lower_config.c - the Goverse config.yaml (design 3.2) as an IR subtree, the goverse-config
 * ConfigMap that carries it, and the one etcd address every Goverse process is given. The subtree
 * is built once and shared (ConfigMap data and every pod template's checksum/config), so its YAML
 * text and checksum always agree.
 *
 * It holds exactly what Goverse's config.LoadConfig reads (config/config.go; unknown keys are
 * dropped there silently, so none is written): nodes run in config mode (`--config --node-id`)
 * and are listed by StatefulSet ordinal; gates and the inspector run in flag mode (a Deployment's
 * pods have no stable identity to list), so `gates:` is empty. The PostgreSQL password is not
 * here: lower_nodes.c renders it into the pod's in-memory copy of this file at start. */
#include "lower/lower_internal.h"
#include "lower/lower_security.h"
#include "support/quantity.h"

void lower_config_knobs(Lower *l)
{
    const Cluster *cl = l->cl;
    char buf[64];
    lower_knob_str(l, "cluster.etcdPrefix", KNOB_STRING, lower_pick(cl->etcd.prefix, "/goverse"),
                   "key prefix of the cluster state in etcd");
    lower_knob_str(l, "cluster.stabilityDuration", KNOB_DURATION,
                   arena_strdup(l->a, duration_format_go(cl->stability_ms > 0 ? cl->stability_ms : 10000, buf, sizeof buf)),
                   "cluster_state_stability_duration");
}

/* Goverse hands one address to its etcd client (config: the first of cluster.etcd.endpoints;
 * flags: --etcd / --etcd-addr), so every process gets one name that reaches the whole quorum: the
 * headless Service (its DNS answer lists every member and the client tries them in turn), or the
 * first external endpoint (the checker warns when more are given). Pushes `prefix` + address to
 * `seq` twice, under opposite conditions: exactly one survives evaluation. */
void lower_push_etcd_address(Lower *l, IrNode *seq, const char *prefix)
{
    Arena *a = l->a;
    IrNode *internal = lower_concat(l, ir_str(a, prefix), ir_str(a, "etcd-headless."), lower_namespace_expr(l),
                                    ir_str(a, ".svc.cluster.local:"), lower_ref(l, "etcd.ports.client"), NULL);
    IrNode *external = lower_concat(l, ir_str(a, prefix),
                                    ir_expr(a, EXPR_FIRST, lower_ref(l, "etcd.external.endpoints")), NULL);
    ir_when(l->a, ir_push(seq, internal), lower_unless(l, "etcd.external.enabled"));
    ir_when(l->a, ir_push(seq, external), lower_if(l, "etcd.external.enabled"));
}

/* "inspector.NS.svc.cluster.local:GRPC": where nodes and gates report to the inspector. */
IrNode *lower_inspector_address(Lower *l)
{
    return lower_concat(l, ir_str(l->a, "inspector."), lower_namespace_expr(l), ir_str(l->a, ".svc.cluster.local:"),
                        lower_ref(l, "inspector.ports.grpc"), NULL);
}

static IrNode *cluster_section(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = ir_map(a);
    ir_put(a, c, "shards", ir_int(a, GOVERSE_SHARDS)); /* see check/cluster.c key_shards */
    ir_put(a, c, "provider", ir_str(a, "etcd"));
    IrNode *etcd = ir_put(a, c, "etcd", ir_map(a));
    lower_push_etcd_address(l, ir_put(a, etcd, "endpoints", ir_seq(a)), "");
    ir_put(a, etcd, "prefix", lower_ref(l, "cluster.etcdPrefix"));
    ir_put(a, c, "cluster_state_stability_duration", lower_ref(l, "cluster.stabilityDuration"));
    return c;
}

/* Only advertise_addr is read by the nodes (the inspector itself runs in flag mode); the listen
 * addresses are what that mode is given, so the section is also a valid inspector config. */
static IrNode *inspector_section(Lower *l)
{
    Arena *a = l->a;
    IrNode *in = ir_when(l->a, ir_map(a), lower_if(l, "inspector.enabled"));
    ir_put(a, in, "grpc_addr", lower_listen_addr(l, "inspector.ports.grpc"));
    ir_put(a, in, "http_addr", lower_listen_addr(l, "inspector.ports.http"));
    ir_put(a, in, "advertise_addr", lower_inspector_address(l));
    return in;
}

/* nodes: one entry per StatefulSet ordinal, so `--node-id=$(POD_NAME)` finds its own. */
static IrNode *node_list(Lower *l)
{
    Arena *a = l->a;
    IrNode *n = ir_map(a);
    ir_put(a, n, "id", lower_concat(l, ir_str(a, "goverse-node-"), ir_index(a), NULL));
    ir_put(a, n, "grpc_addr", lower_listen_addr(l, "nodes.ports.grpc"));
    ir_put(a, n, "advertise_addr",
           lower_concat(l, ir_str(a, "goverse-node-"), ir_index(a), ir_str(a, ".goverse-node-headless."),
                        lower_namespace_expr(l), ir_str(a, ".svc.cluster.local:"), lower_ref(l, "nodes.ports.grpc"),
                        NULL));
    ir_put(a, n, "http_addr", lower_listen_addr(l, "nodes.ports.http"));
    return ir_expr(a, EXPR_REPEAT, ir_chain(lower_ref(l, "nodes.replicas"), n, NULL));
}

/* One entry per persistence mode, each under the mode's exclusive condition. */
static void put_alternatives(Lower *l, IrNode *map, const char *key, IrNode *ext, IrNode *op, IrNode *in)
{
    ir_when(l->a, ir_put(l->a, map, key, ext), lower_postgres_mode(l, PERSIST_EXTERNAL));
    ir_when(l->a, ir_put(l->a, map, key, op), lower_postgres_mode(l, PERSIST_OPERATOR));
    ir_when(l->a, ir_put(l->a, map, key, in), lower_postgres_mode(l, PERSIST_INTERNAL));
}

static IrNode *service_host(Lower *l, const char *service)
{
    return lower_concat(l, ir_str(l->a, service), ir_str(l->a, "."), lower_namespace_expr(l),
                        ir_str(l->a, ".svc.cluster.local"), NULL);
}

static IrNode *postgres_section(Lower *l)
{
    Arena *a = l->a;
    IrNode *pg = ir_when(l->a, ir_map(a), lower_postgres_on(l));
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
    /* `password` is added at pod start (lower_nodes.c), right under `postgres:`. */
    return pg;
}

static IrNode *config_tree(Lower *l, bool with_nodes)
{
    Arena *a = l->a;
    IrNode *root = ir_map(a);
    ir_put(a, root, "version", ir_int(a, 1));
    ir_put(a, root, "cluster", cluster_section(l));
    ir_put(a, root, "inspector", inspector_section(l));
    ir_put(a, root, "postgres", postgres_section(l));
    if (with_nodes)
        ir_put(a, root, "nodes", node_list(l));
    ir_put(a, root, "gates", ir_seq(a));
    return root;
}

IrNode *lower_config_tree(Lower *l)
{
    if (!l->config_tree)
        l->config_tree = config_tree(l, true);
    return l->config_tree;
}

/* What the pods' checksum/config covers: the config without its `nodes:` list. A node reads only
 * its own entry, so scaling the StatefulSet must not restart every running node (each restart
 * moves its shards); any other change of the file does. */
IrNode *lower_config_checksum_tree(Lower *l)
{
    if (!l->config_checksum_tree)
        l->config_checksum_tree = config_tree(l, false);
    return l->config_checksum_tree;
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
