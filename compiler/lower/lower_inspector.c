/* lower_inspector.c - the optional inspector web UI (design 3.8): Service, Deployment and Ingress
 * named inspector / inspector-ingress, always lowered behind inspector.enabled so the chart can
 * switch it on even when the description leaves it off. The inspector runs in Goverse's flag mode
 * (cmd/inspector/inspectorconfig): its config mode hard-codes the web UI's directory to a path
 * its image does not have, so the static directory is a flag (and a value) here. */
#include "lower/lower_internal.h"

void lower_inspector_knobs(Lower *l)
{
    const Component *in = &l->cl->inspector;
    lower_knob_bool(l, "inspector.enabled", in->enabled, "deploy the inspector web UI");
    lower_component_knobs(l, "inspector", in, false);
    lower_port_knobs(l, "inspector", in);
    lower_knob_str(l, "inspector.staticDir", KNOB_STRING, "/app/web",
                   "directory of the web UI inside the inspector image (--static-dir)");
    lower_ingress_knobs(l, "inspector.ingress", &in->ingress);
}

static IrNode *inspector_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "inspector", "inspector");
    IrNode *args = ir_put(a, c, "args", ir_seq(a));
    ir_push(args, lower_arg(l, "--grpc-addr=", lower_listen_addr(l, "inspector.ports.grpc")));
    ir_push(args, lower_arg(l, "--http-addr=", lower_listen_addr(l, "inspector.ports.http")));
    ir_push(args, lower_arg(l, "--static-dir=", lower_ref(l, "inspector.staticDir")));
    lower_args_cluster_state(l, args, "--etcd-addr=");
    IrNode *ports = ir_put(a, c, "ports", ir_seq(a));
    ir_push(ports, lower_container_port(l, "grpc", "inspector.ports.grpc"));
    ir_push(ports, lower_container_port(l, "http", "inspector.ports.http"));
    ir_put(a, c, "resources", lower_resources(l, "inspector"));
    ir_put(a, c, "livenessProbe", lower_http_probe(l, "/healthz", "inspector.ports.http", 10, 10));
    ir_put(a, c, "readinessProbe", lower_http_probe(l, "/ready", "inspector.ports.http", 5, 5));
    return c;
}

void lower_inspector_objects(Lower *l)
{
    Arena *a = l->a;
    const IrCond *on = lower_if(l, "inspector.enabled");
    IrObject *svc = ir_object(a, l->ir, "inspector/service.yaml", "inspector", "v1", "Service", "inspector", on);
    IrNode *ports = lower_service(l, svc, "inspector", "inspector", "inspector", false);
    ir_push(ports, lower_service_port(l, "grpc", "inspector.ports.grpc"));
    ir_push(ports, lower_service_port(l, "http", "inspector.ports.http"));

    IrObject *o = ir_object(a, l->ir, "inspector/deployment.yaml", "inspector", "apps/v1", "Deployment", "inspector", on);
    IrNode *spec = lower_workload(l, o, "inspector", "inspector");
    ir_put(a, spec, "replicas", ir_int(a, 1));
    ir_put(a, spec, "selector", lower_selector(l, "inspector"));
    lower_pod_template(l, spec, "inspector", "inspector", NULL, inspector_container(l), false);

    IrObject *ing = ir_object(a, l->ir, "inspector/ingress.yaml", "inspector", "networking.k8s.io/v1", "Ingress",
                              "inspector-ingress", ir_cond_and(a, on, lower_if(l, "inspector.ingress.enabled")));
    lower_ingress(l, ing, "inspector.ingress", "inspector", "inspector", "inspector.ports.http", false);
}
