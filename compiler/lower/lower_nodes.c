/* lower_nodes.c - the Goverse node StatefulSet over the shards (design 3.5): headless Service
 * goverse-node-headless and StatefulSet goverse-node with its identity env, probes, Prometheus
 * annotations, config checksum, database credentials and the optional `data` volume claim. */
#include "lower/lower_internal.h"

void lower_nodes_knobs(Lower *l)
{
    const Component *n = &l->cl->nodes;
    lower_component_knobs(l, "nodes", n, true);
    lower_knob_bool(l, "nodes.storage.enabled", n->storage.enabled, "give every node a persistent `data` volume");
    lower_knobs_storage(l, "nodes", &n->storage);
    lower_port_knobs(l, "nodes", n);
}

/* Env exactly as the design lists it; names are fixed, so no duplicates can arise. */
static IrNode *node_env(Lower *l)
{
    Arena *a = l->a;
    IrNode *env = ir_seq(a);
    lower_env_pod_identity(l, env);
    ir_push(env, lower_env_value(l, "NODE_ID", ir_str(a, "$(POD_NAME)")));
    ir_push(env, lower_env_value(l, "GRPC_ADDR", lower_listen_addr(l, "nodes.ports.grpc")));
    ir_push(env, lower_env_value(l, "ADVERTISE_ADDR",
                                 lower_concat(l, ir_str(a, "$(POD_NAME).goverse-node-headless.$(POD_NAMESPACE).svc.cluster.local:"),
                                              lower_ref(l, "nodes.ports.grpc"), NULL)));
    ir_push(env, lower_env_value(l, "HTTP_ADDR", lower_listen_addr(l, "nodes.ports.http")));
    ir_push(env, lower_env_value(l, "CONFIG_FILE", ir_str(a, "/etc/goverse/config.yaml")));
    return env;
}

static IrNode *node_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "goverse-node", "nodes");
    IrNode *ports = ir_put(a, c, "ports", ir_seq(a));
    ir_push(ports, lower_container_port(l, "grpc", "nodes.ports.grpc"));
    ir_push(ports, lower_container_port(l, "http", "nodes.ports.http"));
    IrNode *env = ir_put(a, c, "env", node_env(l));
    lower_postgres_node_env(l, c, env);
    IrNode *mounts = ir_put(a, c, "volumeMounts", ir_seq(a));
    ir_push(mounts, lower_volume_mount(l, "config", "/etc/goverse"));
    ir_when(ir_push(mounts, lower_volume_mount(l, "data", "/var/lib/goverse")), lower_if(l, "nodes.storage.enabled"));
    ir_put(a, c, "resources", lower_resources(l, "nodes"));
    ir_put(a, c, "livenessProbe", lower_http_probe(l, "/healthz", "nodes.ports.http", 30, 10));
    ir_put(a, c, "readinessProbe", lower_http_probe(l, "/ready", "nodes.ports.http", 10, 5));
    return c;
}

void lower_nodes_objects(Lower *l)
{
    Arena *a = l->a;
    IrObject *svc = ir_object(a, l->ir, "nodes/service.yaml", "nodes", "v1", "Service", "goverse-node-headless", NULL);
    IrNode *ports = lower_service(l, svc, "goverse-node-headless", "goverse-node", "node", true);
    ir_push(ports, lower_service_port(l, "grpc", "nodes.ports.grpc"));
    ir_push(ports, lower_service_port(l, "http", "nodes.ports.http"));

    IrObject *o = ir_object(a, l->ir, "nodes/statefulset.yaml", "nodes", "apps/v1", "StatefulSet", "goverse-node", NULL);
    IrNode *spec = lower_workload(l, o, "goverse-node", "node");
    ir_put(a, spec, "serviceName", ir_str(a, "goverse-node-headless"));
    ir_put(a, spec, "replicas", lower_ref(l, "nodes.replicas"));
    ir_put(a, spec, "selector", lower_selector(l, "goverse-node"));
    lower_pod_template(l, spec, "goverse-node", "node", lower_pod_annotations(l, true, true, "nodes.ports.http"),
                       node_container(l), true);
    IrNode *vcts = ir_when(ir_put(a, spec, "volumeClaimTemplates", ir_seq(a)), lower_if(l, "nodes.storage.enabled"));
    ir_push(vcts, lower_vct(l, "data", "nodes"));
}
