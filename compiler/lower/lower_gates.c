/* lower_gates.c - the stateless client-facing gates (design 3.6, 3.7): Service goverse-gate,
 * Deployment goverse-gate and the optional gRPC Ingress goverse-gate-ingress. Gates run in
 * Goverse's flag mode (cmd/gate/gateconfig): a Deployment's pods have no stable identity to list
 * in the config file, so each gate is told its id (the pod name), listeners, advertise address
 * (the pod IP), etcd and inspector on its command line. Its ops listener serves /healthz, /ready
 * and /metrics; the http listener is the client REST API. */
#include "lower/lower_internal.h"

void lower_gates_knobs(Lower *l)
{
    const Component *g = &l->cl->gates;
    lower_component_knobs(l, "gates", g, true);
    lower_port_knobs(l, "gates", g);
    lower_knob_port(l, "gates.ports.ops", g->ops_port, 9090, "ops HTTP port (/healthz, /ready, /metrics)");
    lower_ingress_knobs(l, "gates.ingress", &g->ingress);
}

static IrNode *gate_args(Lower *l)
{
    Arena *a = l->a;
    IrNode *args = ir_seq(a);
    ir_push(args, ir_str(a, "--gate-id=$(POD_NAME)"));
    ir_push(args, lower_arg(l, "--listen=", lower_listen_addr(l, "gates.ports.grpc")));
    ir_push(args, lower_arg(l, "--advertise=", lower_concat(l, ir_str(a, "$(POD_IP):"), lower_ref(l, "gates.ports.grpc"), NULL)));
    ir_push(args, lower_arg(l, "--http-listen=", lower_listen_addr(l, "gates.ports.http")));
    ir_push(args, lower_arg(l, "--ops-listen=", lower_listen_addr(l, "gates.ports.ops")));
    lower_args_cluster_state(l, args, "--etcd=");
    ir_when(l->a, ir_push(args, lower_arg(l, "--inspector-address=", lower_inspector_address(l))),
            lower_if(l, "inspector.enabled"));
    return args;
}

static IrNode *gate_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "goverse-gate", "gates");
    ir_put(a, c, "args", gate_args(l));
    IrNode *ports = ir_put(a, c, "ports", ir_seq(a));
    ir_push(ports, lower_container_port(l, "grpc", "gates.ports.grpc"));
    ir_push(ports, lower_container_port(l, "http", "gates.ports.http"));
    ir_push(ports, lower_container_port(l, "ops", "gates.ports.ops"));
    IrNode *env = ir_put(a, c, "env", ir_seq(a));
    lower_env_pod_identity(l, env);
    ir_push(env, lower_env_field(l, "POD_IP", "status.podIP"));
    ir_put(a, c, "resources", lower_resources(l, "gates"));
    ir_put(a, c, "livenessProbe", lower_http_probe(l, "/healthz", "gates.ports.ops", 10, 10));
    ir_put(a, c, "readinessProbe", lower_http_probe(l, "/ready", "gates.ports.ops", 5, 5));
    return c;
}

void lower_gates_objects(Lower *l)
{
    Arena *a = l->a;
    IrObject *svc = ir_object(a, l->ir, "gates/service.yaml", "gates", "v1", "Service", "goverse-gate", NULL);
    IrNode *ports = lower_service(l, svc, "goverse-gate", "goverse-gate", "gate", false);
    ir_push(ports, lower_service_port(l, "grpc", "gates.ports.grpc"));
    ir_push(ports, lower_service_port(l, "http", "gates.ports.http"));
    ir_push(ports, lower_service_port(l, "ops", "gates.ports.ops")); /* ServiceMonitor scrapes it */

    IrObject *o = ir_object(a, l->ir, "gates/deployment.yaml", "gates", "apps/v1", "Deployment", "goverse-gate", NULL);
    IrNode *spec = lower_workload(l, o, "goverse-gate", "gate");
    ir_put(a, spec, "replicas", lower_ref(l, "gates.replicas"));
    ir_put(a, spec, "selector", lower_selector(l, "goverse-gate"));
    lower_pod_template(l, spec, "goverse-gate", "gate", lower_pod_annotations(l, false, true, "gates.ports.ops"),
                       gate_container(l), false);

    IrObject *ing = ir_object(a, l->ir, "gates/ingress.yaml", "gates", "networking.k8s.io/v1", "Ingress",
                              "goverse-gate-ingress", lower_if(l, "gates.ingress.enabled"));
    lower_ingress(l, ing, "gates.ingress", "goverse-gate", "gate", "gates.ports.grpc", true);
}
