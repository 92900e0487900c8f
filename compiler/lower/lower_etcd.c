/* lower_etcd.c - the etcd quorum (design 3.4): headless Service etcd-headless and StatefulSet etcd,
 * both present only when etcd runs in the cluster (not external). The member list in
 * ETCD_INITIAL_CLUSTER is repeated over the etcd.replicas knob, so scaling at install time stays
 * consistent with the config's endpoint list. */
#include "lower/lower_internal.h"

void lower_etcd_knobs(Lower *l)
{
    const Etcd *e = &l->cl->etcd;
    lower_knob_bool(l, "etcd.enabled", !e->external, "run etcd in the cluster (ignored when etcd.external.enabled)");
    lower_knob_bool(l, "etcd.external.enabled", e->external, "use an etcd outside the cluster");
    Data *eps = data_seq(l->a);
    for (int i = 0; i < e->nendpoints; i++)
        data_push(eps, data_str(l->a, e->endpoints[i]));
    ir_knob(l->a, l->ir, "etcd.external.endpoints", KNOB_STRING_LIST, eps, "external etcd endpoints (host:port)")
        ->required_when = "etcd.external.enabled";
    Knob *members_knob = lower_knob_int(l, "etcd.replicas", e->replicas > 0 ? e->replicas : 3, 1, 9,
                                        "etcd members: odd (3 or 5) so a quorum survives a failure");
    members_knob->must_be_odd = true;
    lower_knobs_image(l, "etcd", e->external ? NULL : &e->image);
    lower_knobs_resources(l, "etcd", e->external ? NULL : &e->resources);
    lower_knobs_storage(l, "etcd", e->external ? NULL : &e->storage);
    lower_knob_port(l, "etcd.ports.client", e->client_port, 2379, "etcd client port");
    lower_knob_port(l, "etcd.ports.peer", e->peer_port, 2380, "etcd peer port");
}

/* http://$(ETCD_NAME).etcd-headless.NS.svc.cluster.local:PORT */
static IrNode *advertise_url(Lower *l, const char *port_knob)
{
    return lower_concat(l, ir_str(l->a, "http://$(ETCD_NAME).etcd-headless."), lower_namespace_expr(l),
                        ir_str(l->a, ".svc.cluster.local:"), lower_ref(l, port_knob), NULL);
}

/* etcd-I=http://etcd-I.etcd-headless.NS.svc.cluster.local:PEER joined with "," over the replicas:
 * the member list the StatefulSet starts with (and the restore Job rebuilds). */
IrNode *lower_etcd_initial_cluster(Lower *l)
{
    Arena *a = l->a;
    IrNode *member = lower_concat(l, ir_str(a, "etcd-"), ir_index(a), ir_str(a, "=http://etcd-"), ir_index(a),
                                  ir_str(a, ".etcd-headless."), lower_namespace_expr(l),
                                  ir_str(a, ".svc.cluster.local:"), lower_ref(l, "etcd.ports.peer"), NULL);
    IrNode *members = ir_expr(a, EXPR_REPEAT, ir_chain(lower_ref(l, "etcd.replicas"), member, NULL));
    return ir_expr(a, EXPR_JOIN, ir_chain(ir_str(a, ","), members, NULL));
}

static IrNode *listen_url(Lower *l, const char *port_knob)
{
    return lower_concat(l, ir_str(l->a, "http://0.0.0.0:"), lower_ref(l, port_knob), NULL);
}

static IrNode *etcd_env(Lower *l)
{
    Arena *a = l->a;
    IrNode *env = ir_seq(a);
    ir_push(env, lower_env_field(l, "ETCD_NAME", "metadata.name"));
    ir_push(env, lower_env_value(l, "ETCD_INITIAL_CLUSTER", lower_etcd_initial_cluster(l)));
    ir_push(env, lower_env_value(l, "ETCD_INITIAL_CLUSTER_STATE", ir_str(a, "new")));
    ir_push(env, lower_env_value(l, "ETCD_INITIAL_CLUSTER_TOKEN", ir_str(a, "goverse-etcd-cluster")));
    ir_push(env, lower_env_value(l, "ETCD_LISTEN_CLIENT_URLS", listen_url(l, "etcd.ports.client")));
    ir_push(env, lower_env_value(l, "ETCD_LISTEN_PEER_URLS", listen_url(l, "etcd.ports.peer")));
    ir_push(env, lower_env_value(l, "ETCD_ADVERTISE_CLIENT_URLS", advertise_url(l, "etcd.ports.client")));
    ir_push(env, lower_env_value(l, "ETCD_INITIAL_ADVERTISE_PEER_URLS", advertise_url(l, "etcd.ports.peer")));
    ir_push(env, lower_env_value(l, "ETCD_DATA_DIR", ir_str(a, "/var/lib/etcd")));
    return env;
}

static IrNode *etcd_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "etcd", "etcd");
    IrNode *ports = ir_put(a, c, "ports", ir_seq(a));
    ir_push(ports, lower_container_port(l, "client", "etcd.ports.client"));
    ir_push(ports, lower_container_port(l, "peer", "etcd.ports.peer"));
    ir_put(a, c, "env", etcd_env(l));
    ir_push(ir_put(a, c, "volumeMounts", ir_seq(a)), lower_volume_mount(l, "etcd-data", "/var/lib/etcd"));
    ir_put(a, c, "resources", lower_resources(l, "etcd"));
    ir_put(a, c, "livenessProbe", lower_http_probe(l, "/health", "etcd.ports.client", 10, 10));
    ir_put(a, c, "readinessProbe", lower_http_probe(l, "/health", "etcd.ports.client", 5, 5));
    return c;
}

void lower_etcd_objects(Lower *l)
{
    Arena *a = l->a;
    const IrCond *on = ir_cond_and(a, lower_if(l, "etcd.enabled"), lower_unless(l, "etcd.external.enabled"));
    IrObject *svc = ir_object(a, l->ir, "etcd/service.yaml", "etcd", "v1", "Service", "etcd-headless", on);
    IrNode *ports = lower_service(l, svc, "etcd-headless", "etcd", "etcd", true);
    ir_push(ports, lower_service_port(l, "client", "etcd.ports.client"));
    ir_push(ports, lower_service_port(l, "peer", "etcd.ports.peer"));
    /* Members must find each other by DNS before any of them is ready: readiness (/health) needs
     * a quorum, and a quorum needs the peers' addresses. Without this the cluster never forms. */
    ir_put(a, lower_map_get(svc->root, "spec"), "publishNotReadyAddresses", ir_bool(a, true));

    IrObject *o = ir_object(a, l->ir, "etcd/statefulset.yaml", "etcd", "apps/v1", "StatefulSet", "etcd", on);
    IrNode *spec = lower_workload(l, o, "etcd", "etcd");
    ir_put(a, spec, "serviceName", ir_str(a, "etcd-headless"));
    ir_put(a, spec, "replicas", lower_ref(l, "etcd.replicas"));
    ir_put(a, spec, "selector", lower_selector(l, "etcd"));
    lower_pod_template(l, spec, "etcd", "etcd", NULL, etcd_container(l), false);
    ir_push(ir_put(a, spec, "volumeClaimTemplates", ir_seq(a)), lower_vct(l, "etcd-data", "etcd"));
}
