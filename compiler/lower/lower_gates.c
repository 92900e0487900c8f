/* lower_gates.c - the stateless client-facing gates (design 3.6, 3.7): Service goverse-gate,
 * Deployment goverse-gate and the optional gRPC Ingress goverse-gate-ingress. */
#include "lower/lower_internal.h"

void lower_gates_knobs(Lower *l)
{
    const Component *g = &l->cl->gates;
    lower_component_knobs(l, "gates", g, true);
    lower_port_knobs(l, "gates", g);
    lower_ingress_knobs(l, "gates.ingress", &g->ingress);
}

static IrNode *gate_env(Lower *l)
{
    Arena *a = l->a;
    IrNode *env = ir_seq(a);
    lower_env_pod_identity(l, env);
    ir_push(env, lower_env_value(l, "GATE_ID", ir_str(a, "$(POD_NAME)")));
    ir_push(env, lower_env_value(l, "GRPC_ADDR", lower_listen_addr(l, "gates.ports.grpc")));
    ir_push(env, lower_env_value(l, "HTTP_ADDR", lower_listen_addr(l, "gates.ports.http")));
    ir_push(env, lower_env_value(l, "CONFIG_FILE", ir_str(a, "/etc/goverse/config.yaml")));
    return env;
}

static IrNode *gate_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "goverse-gate", "gates");
    IrNode *ports = ir_put(a, c, "ports", ir_seq(a));
    ir_push(ports, lower_container_port(l, "grpc", "gates.ports.grpc"));
    ir_push(ports, lower_container_port(l, "http", "gates.ports.http"));
    ir_put(a, c, "env", gate_env(l));
    ir_push(ir_put(a, c, "volumeMounts", ir_seq(a)), lower_volume_mount(l, "config", "/etc/goverse"));
    ir_put(a, c, "resources", lower_resources(l, "gates"));
    ir_put(a, c, "livenessProbe", lower_http_probe(l, "/healthz", "gates.ports.http", 10, 10));
    ir_put(a, c, "readinessProbe", lower_http_probe(l, "/ready", "gates.ports.http", 5, 5));
    return c;
}

void lower_gates_objects(Lower *l)
{
    Arena *a = l->a;
    IrObject *svc = ir_object(a, l->ir, "gates/service.yaml", "gates", "v1", "Service", "goverse-gate", NULL);
    IrNode *ports = lower_service(l, svc, "goverse-gate", "goverse-gate", "gate", false);
    ir_push(ports, lower_service_port(l, "grpc", "gates.ports.grpc"));
    ir_push(ports, lower_service_port(l, "http", "gates.ports.http"));

    IrObject *o = ir_object(a, l->ir, "gates/deployment.yaml", "gates", "apps/v1", "Deployment", "goverse-gate", NULL);
    IrNode *spec = lower_workload(l, o, "goverse-gate", "gate");
    ir_put(a, spec, "replicas", lower_ref(l, "gates.replicas"));
    ir_put(a, spec, "selector", lower_selector(l, "goverse-gate"));
    lower_pod_template(l, spec, "goverse-gate", "gate", lower_pod_annotations(l, true, true, "gates.ports.http"),
                       gate_container(l), true);

    IrObject *ing = ir_object(a, l->ir, "gates/ingress.yaml", "gates", "networking.k8s.io/v1", "Ingress",
                              "goverse-gate-ingress", lower_if(l, "gates.ingress.enabled"));
    lower_ingress(l, ing, "gates.ingress", "goverse-gate", "gate", "gates.ports.grpc", true);
}
