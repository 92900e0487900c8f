/* lower_fragments.c - the Kubernetes fragments every component repeats: metadata and the standard
 * labels, selectors, image references, resources, probes, env entries, ports (always with an
 * explicit protocol, as the API server stores them), config volume, volume claim templates,
 * Services and Ingresses. Each call builds fresh nodes, except the label maps' entries, shared by
 * the maps of the same labels (ir_map_sharing). */
#include <stdarg.h>

#include "lower/lower_internal.h"

IrNode *lower_concat(Lower *l, IrNode *first, ...)
{
    va_list ap;
    va_start(ap, first);
    IrNode *prev = first;
    for (IrNode *n = va_arg(ap, IrNode *); n; n = va_arg(ap, IrNode *)) {
        prev->next = n;
        prev = n;
    }
    va_end(ap);
    return ir_expr(l->a, EXPR_CONCAT, first);
}

IrNode *lower_namespace_expr(Lower *l) { return ir_expr(l->a, EXPR_NAMESPACE, NULL); }

/* The cluster's name, as the chart's release name: no template spells a cluster out. */
IrNode *lower_release_name_expr(Lower *l) { return ir_expr(l->a, EXPR_RELEASE_NAME, NULL); }

/* ~100 label maps per cluster, of ~25 kinds: each (app, component) pair's six entries are built
 * once, as the model its maps share (ir_map_sharing; one that gets a label more copies them).
 * Found by the two strings' addresses (callers pass literals or the model's strings; a pair
 * with other addresses only gets a model of its own). */
enum { LABEL_MODELS = 32 };

struct LowerLabels {
    const char *app, *component;
    IrNode *model;
};

static IrNode *label_model(Lower *l, const char *app, const char *component);

IrNode *lower_labels(Lower *l, const char *app, const char *component)
{
    for (int i = 0; i < l->nlabels; i++)
        if (l->labels[i].app == app && l->labels[i].component == component)
            return ir_map_sharing(l->a, l->labels[i].model);
    if (!l->labels)
        l->labels = ARENA_ARRAY(l->a, struct LowerLabels, LABEL_MODELS);
    IrNode *model = label_model(l, app, component);
    if (l->nlabels == LABEL_MODELS)
        return model; /* (not seen with the stdlib's components: a map of its own) */
    l->labels[l->nlabels++] = (struct LowerLabels){app, component, model};
    return ir_map_sharing(l->a, model);
}

static IrNode *label_model(Lower *l, const char *app, const char *component)
{
    Arena *a = l->a;
    IrNode *m = ir_map(a);
    ir_put(a, m, "app", ir_str(a, app));
    ir_put(a, m, "app.kubernetes.io/name", ir_str(a, app));
    ir_put(a, m, "app.kubernetes.io/instance", lower_release_name_expr(l));
    ir_put(a, m, "app.kubernetes.io/component", ir_str(a, component));
    ir_put(a, m, "app.kubernetes.io/part-of", ir_str(a, "goverse"));
    ir_put(a, m, "app.kubernetes.io/managed-by", ir_str(a, "goversec"));
    return m;
}

IrNode *lower_metadata(Lower *l, const char *name, const char *app, const char *component)
{
    IrNode *md = ir_map(l->a);
    ir_put(l->a, md, "name", ir_str(l->a, name));
    ir_put(l->a, md, "namespace", lower_namespace_expr(l));
    ir_put(l->a, md, "labels", lower_labels(l, app, component));
    return md;
}

/* Selectors are immutable: only the design's `app` label, never the standard ones. */
IrNode *lower_selector(Lower *l, const char *app)
{
    IrNode *sel = ir_map(l->a);
    IrNode *ml = ir_put(l->a, sel, "matchLabels", ir_map(l->a));
    ir_put(l->a, ml, "app", ir_str(l->a, app));
    return sel;
}

static IrNode *ref_at(Lower *l, const char *prefix, const char *rest)
{
    return ir_ref(l->a, lower_knob_at(l, prefix, rest));
}

IrNode *lower_image(Lower *l, const char *prefix)
{
    Arena *a = l->a;
    const LowerImageKnobs *k = lower_image_knobs(l, prefix);
    IrNode *args = ir_chain(lower_ref(l, "global.imageRegistry"), ir_ref(a, k->registry), ir_ref(a, k->repository),
                            ir_ref(a, k->tag), NULL);
    return ir_expr(a, EXPR_IMAGE, args);
}

/* Limits are optional (a description may give only requests): each entry exists only when its
 * knob is non-empty, and the map only when one of them is. */
IrNode *lower_resources(Lower *l, const char *prefix)
{
    Arena *a = l->a;
    const LowerResourceKnobs *k = lower_resource_knobs(l, prefix);
    const Knob *cpu_lim = k->cpu_limit, *mem_lim = k->memory_limit;
    IrNode *res = ir_map(a);
    IrNode *req = ir_put(a, res, "requests", ir_map(a));
    ir_put(a, req, "cpu", ir_ref(a, k->cpu_request));
    ir_put(a, req, "memory", ir_ref(a, k->memory_request));
    IrNode *lim = ir_put(a, res, "limits", ir_map(a));
    ir_when(l->a, lim, ir_cond_or(a, lower_if_knob(l, cpu_lim), lower_if_knob(l, mem_lim)));
    ir_when(l->a, ir_put(a, lim, "cpu", ir_ref(a, cpu_lim)), lower_if_knob(l, cpu_lim));
    ir_when(l->a, ir_put(a, lim, "memory", ir_ref(a, mem_lim)), lower_if_knob(l, mem_lim));
    return res;
}

IrNode *lower_http_probe(Lower *l, const char *path, const char *port_knob, int initial, int period)
{
    Arena *a = l->a;
    IrNode *p = ir_map(a);
    IrNode *get = ir_put(a, p, "httpGet", ir_map(a));
    ir_put(a, get, "path", ir_str(a, path));
    ir_put(a, get, "port", lower_ref(l, port_knob));
    ir_put(a, p, "initialDelaySeconds", ir_int(a, initial));
    ir_put(a, p, "periodSeconds", ir_int(a, period));
    return p;
}

IrNode *lower_quoted(Lower *l, const char *s)
{
    IrNode *n = ir_str(l->a, s);
    n->style = STYLE_QUOTED;
    return n;
}

IrNode *lower_env_value(Lower *l, const char *name, IrNode *value)
{
    IrNode *e = ir_map(l->a);
    ir_put(l->a, e, "name", ir_str(l->a, name));
    ir_put(l->a, e, "value", value);
    return e;
}

IrNode *lower_env_field(Lower *l, const char *name, const char *field_path)
{
    Arena *a = l->a;
    IrNode *e = ir_map(a);
    ir_put(a, e, "name", ir_str(a, name));
    IrNode *from = ir_put(a, e, "valueFrom", ir_map(a));
    IrNode *ref = ir_put(a, from, "fieldRef", ir_map(a));
    ir_put(a, ref, "fieldPath", ir_str(a, field_path));
    return e;
}

IrNode *lower_env_secret(Lower *l, const char *name, IrNode *secret, const char *key)
{
    Arena *a = l->a;
    IrNode *e = ir_map(a);
    ir_put(a, e, "name", ir_str(a, name));
    IrNode *from = ir_put(a, e, "valueFrom", ir_map(a));
    IrNode *ref = ir_put(a, from, "secretKeyRef", ir_map(a));
    ir_put(a, ref, "name", secret);
    ir_put(a, ref, "key", ir_str(a, key));
    return e;
}

/* `protocol: TCP` is part of the API server's merge key for ports; omitting it shows as drift. */
IrNode *lower_container_port(Lower *l, const char *name, const char *port_knob)
{
    IrNode *p = ir_map(l->a);
    ir_put(l->a, p, "containerPort", lower_ref(l, port_knob));
    if (name)
        ir_put(l->a, p, "name", ir_str(l->a, name));
    ir_put(l->a, p, "protocol", ir_str(l->a, "TCP"));
    return p;
}

IrNode *lower_service_port(Lower *l, const char *name, const char *port_knob)
{
    IrNode *p = ir_map(l->a);
    if (name)
        ir_put(l->a, p, "name", ir_str(l->a, name));
    ir_put(l->a, p, "port", lower_ref(l, port_knob));
    ir_put(l->a, p, "targetPort", lower_ref(l, port_knob));
    ir_put(l->a, p, "protocol", ir_str(l->a, "TCP"));
    return p;
}

IrNode *lower_volume_mount(Lower *l, const char *name, const char *path)
{
    IrNode *m = ir_map(l->a);
    ir_put(l->a, m, "name", ir_str(l->a, name));
    ir_put(l->a, m, "mountPath", ir_str(l->a, path));
    return m;
}

IrNode *lower_config_volume(Lower *l, const char *name)
{
    IrNode *v = ir_map(l->a);
    ir_put(l->a, v, "name", ir_str(l->a, name));
    IrNode *cm = ir_put(l->a, v, "configMap", ir_map(l->a));
    ir_put(l->a, cm, "name", ir_str(l->a, "goverse-config"));
    return v;
}

/* apiVersion/kind spelled out because the API server adds them to stored templates. */
IrNode *lower_vct(Lower *l, const char *name, const char *storage_prefix)
{
    Arena *a = l->a;
    const char *cls = arena_concat(a, storage_prefix, ".storage.storageClass", NULL);
    IrNode *t = ir_map(a);
    ir_put(a, t, "apiVersion", ir_str(a, "v1"));
    ir_put(a, t, "kind", ir_str(a, "PersistentVolumeClaim"));
    IrNode *md = ir_put(a, t, "metadata", ir_map(a));
    ir_put(a, md, "name", ir_str(a, name));
    IrNode *spec = ir_put(a, t, "spec", ir_map(a));
    ir_push(ir_put(a, spec, "accessModes", ir_seq(a)), ir_str(a, "ReadWriteOnce"));
    ir_when(l->a, ir_put(a, spec, "storageClassName", lower_ref(l, cls)), lower_if(l, cls));
    IrNode *res = ir_put(a, spec, "resources", ir_map(a));
    IrNode *req = ir_put(a, res, "requests", ir_map(a));
    ir_put(a, req, "storage", ref_at(l, storage_prefix, "storage.size"));
    return t;
}

/* checksum/config rolls the pods whenever the Goverse config changes; the config subtree is
 * rebuilt here (not shared with the ConfigMap) because IR nodes are linked into one parent. */
IrNode *lower_pod_annotations(Lower *l, bool config_checksum, bool prometheus, const char *http_knob)
{
    Arena *a = l->a;
    IrNode *an = ir_map(a);
    if (prometheus) {
        ir_put(a, an, "prometheus.io/scrape", ir_str(a, "true"))->style = STYLE_QUOTED;
        ir_put(a, an, "prometheus.io/port", lower_concat(l, lower_ref(l, http_knob), NULL))->style = STYLE_QUOTED;
        ir_put(a, an, "prometheus.io/path", ir_str(a, "/metrics"))->style = STYLE_QUOTED;
    }
    if (config_checksum) {
        IrNode *yaml = ir_expr(a, EXPR_YAML, lower_config_checksum_tree(l));
        ir_put(a, an, "checksum/config", ir_expr(a, EXPR_SHA256, yaml));
    }
    return an;
}

IrNode *lower_container(Lower *l, const char *name, const char *prefix)
{
    IrNode *c = ir_map(l->a);
    ir_put(l->a, c, "name", ir_str(l->a, name));
    ir_put(l->a, c, "image", lower_image(l, prefix));
    ir_put(l->a, c, "imagePullPolicy", ir_ref(l->a, lower_image_knobs(l, prefix)->pull_policy));
    return c;
}

void lower_pull_secrets(Lower *l, IrNode *pod_spec)
{
    ir_when(l->a, ir_put(l->a, pod_spec, "imagePullSecrets", lower_ref(l, "global.imagePullSecrets")),
            lower_if(l, "global.imagePullSecrets"));
}

/* Fills a Service object; returns its (empty) ports sequence. `type: ClusterIP` is explicit even
 * on headless Services because the API server stores it there too. */
IrNode *lower_service(Lower *l, IrObject *o, const char *name, const char *app, const char *component,
                      bool headless)
{
    Arena *a = l->a;
    ir_put(a, o->root, "apiVersion", ir_str(a, "v1"));
    ir_put(a, o->root, "kind", ir_str(a, "Service"));
    ir_put(a, o->root, "metadata", lower_metadata(l, name, app, component));
    IrNode *spec = ir_put(a, o->root, "spec", ir_map(a));
    if (headless)
        ir_put(a, spec, "clusterIP", ir_str(a, "None"));
    ir_put(a, spec, "type", ir_str(a, "ClusterIP"));
    IrNode *sel = ir_put(a, spec, "selector", ir_map(a));
    ir_put(a, sel, "app", ir_str(a, app));
    return ir_put(a, spec, "ports", ir_seq(a));
}

static IrNode *ingress_annotations(Lower *l, const char *prefix, bool grpc)
{
    Arena *a = l->a;
    const char *issuer = arena_concat(a, prefix, ".issuer", NULL);
    IrNode *an = ir_map(a);
    if (grpc)
        ir_put(a, an, "nginx.ingress.kubernetes.io/backend-protocol", ir_str(a, "GRPC"))->style = STYLE_QUOTED;
    else
        ir_when(l->a, an, lower_if(l, issuer));
    ir_when(l->a, ir_put(a, an, "cert-manager.io/cluster-issuer", lower_ref(l, issuer)), lower_if(l, issuer));
    return an;
}

static IrNode *ingress_rule(Lower *l, const char *prefix, const char *service, const char *port_knob)
{
    Arena *a = l->a;
    IrNode *rule = ir_map(a);
    ir_put(a, rule, "host", ref_at(l, prefix, "host"));
    IrNode *http = ir_put(a, rule, "http", ir_map(a));
    IrNode *p = ir_push(ir_put(a, http, "paths", ir_seq(a)), ir_map(a));
    ir_put(a, p, "path", ir_str(a, "/"));
    ir_put(a, p, "pathType", ir_str(a, "Prefix"));
    IrNode *svc = ir_put(a, ir_put(a, p, "backend", ir_map(a)), "service", ir_map(a));
    ir_put(a, svc, "name", ir_str(a, service));
    ir_put(a, ir_put(a, svc, "port", ir_map(a)), "number", lower_ref(l, port_knob));
    return rule;
}

void lower_ingress(Lower *l, IrObject *o, const char *prefix, const char *service, const char *component,
                   const char *port_knob, bool grpc)
{
    Arena *a = l->a;
    const char *cls = arena_concat(a, prefix, ".className", NULL);
    const char *secret = arena_concat(a, prefix, ".tls.secretName", NULL);
    ir_put(a, o->root, "apiVersion", ir_str(a, "networking.k8s.io/v1"));
    ir_put(a, o->root, "kind", ir_str(a, "Ingress"));
    IrNode *md = ir_put(a, o->root, "metadata", lower_metadata(l, o->name, service, component));
    ir_put(a, md, "annotations", ingress_annotations(l, prefix, grpc));
    IrNode *spec = ir_put(a, o->root, "spec", ir_map(a));
    ir_when(l->a, ir_put(a, spec, "ingressClassName", lower_ref(l, cls)), lower_if(l, cls));
    IrNode *tls = ir_put(a, spec, "tls", ir_seq(a));
    const char *tls_on = arena_concat(a, prefix, ".tls.enabled", NULL);
    ir_when(l->a, tls, ir_cond_and(a, lower_if(l, tls_on), lower_if(l, secret)));
    IrNode *entry = ir_push(tls, ir_map(a));
    ir_push(ir_put(a, entry, "hosts", ir_seq(a)), ref_at(l, prefix, "host"));
    ir_put(a, entry, "secretName", lower_ref(l, secret));
    ir_push(ir_put(a, spec, "rules", ir_seq(a)), ingress_rule(l, prefix, service, port_knob));
}

/* Ingress knobs shared by gates and inspector: enabled, className, host, issuer, tls. */
void lower_ingress_knobs(Lower *l, const char *prefix, const Ingress *in)
{
    Arena *a = l->a;
    const char *en = arena_concat(a, prefix, ".enabled", NULL);
    const char *tls_en = arena_concat(a, prefix, ".tls.enabled", NULL);
    lower_knob_bool(l, en, in->enabled, "create the Ingress");
    lower_knob_str(l, arena_concat(a, prefix, ".className", NULL), KNOB_NAME, in->class_name,
                   "ingressClassName (empty: the cluster's default class)");
    lower_knob_str(l, arena_concat(a, prefix, ".host", NULL), KNOB_HOST, in->host,
                   "host name routed to the Service")
        ->required_when = en;
    lower_knob_str(l, arena_concat(a, prefix, ".issuer", NULL), KNOB_STRING, in->issuer,
                   "cert-manager ClusterIssuer (empty: no annotation)");
    lower_knob_bool(l, tls_en, in->tls_secret && *in->tls_secret, "terminate TLS at the Ingress");
    lower_knob_str(l, arena_concat(a, prefix, ".tls.secretName", NULL), KNOB_NAME, in->tls_secret,
                   "Secret holding the TLS certificate")
        ->required_when = tls_en;
}

/* template: {metadata: {labels, annotations}, spec: {containers: [c], volumes, imagePullSecrets}}.
 * Returns the pod spec so callers can add to it. */
IrNode *lower_pod_template(Lower *l, IrNode *workload_spec, const char *app, const char *component,
                           IrNode *annotations, IrNode *container, bool config_volume)
{
    Arena *a = l->a;
    IrNode *tpl = ir_put(a, workload_spec, "template", ir_map(a));
    IrNode *md = ir_put(a, tpl, "metadata", ir_map(a));
    ir_put(a, md, "labels", lower_labels(l, app, component));
    if (annotations)
        ir_put(a, md, "annotations", annotations);
    IrNode *pod = ir_put(a, tpl, "spec", ir_map(a));
    ir_push(ir_put(a, pod, "containers", ir_seq(a)), container);
    if (config_volume)
        ir_push(ir_put(a, pod, "volumes", ir_seq(a)), lower_config_volume(l, "config"));
    lower_pull_secrets(l, pod);
    return pod;
}

/* apiVersion, kind, metadata and spec of a workload; returns the spec. */
IrNode *lower_workload(Lower *l, IrObject *o, const char *app, const char *component)
{
    Arena *a = l->a;
    ir_put(a, o->root, "apiVersion", ir_str(a, o->api_version));
    ir_put(a, o->root, "kind", ir_str(a, o->kind));
    ir_put(a, o->root, "metadata", lower_metadata(l, o->name, app, component));
    return ir_put(a, o->root, "spec", ir_map(a));
}

/* Env entries every Goverse process (node, gate) starts with: its pod identity. */
void lower_env_pod_identity(Lower *l, IrNode *env)
{
    ir_push(env, lower_env_field(l, "POD_NAME", "metadata.name"));
    ir_push(env, lower_env_field(l, "POD_NAMESPACE", "metadata.namespace"));
}

/* "--flag=" + value: one argv item for a Goverse binary (Go's flag package takes this form). */
IrNode *lower_arg(Lower *l, const char *flag_eq, IrNode *value)
{
    return lower_concat(l, ir_str(l->a, flag_eq), value, NULL);
}

/* The cluster-state flags of a Goverse process in flag mode: its one etcd address and the key
 * prefix (the gate says --etcd, the inspector --etcd-addr). */
void lower_args_cluster_state(Lower *l, IrNode *args, const char *etcd_flag_eq)
{
    lower_push_etcd_address(l, args, etcd_flag_eq);
    ir_push(args, lower_arg(l, "--etcd-prefix=", lower_ref(l, "cluster.etcdPrefix")));
}

IrNode *lower_listen_addr(Lower *l, const char *port_knob)
{
    return lower_concat(l, ir_str(l->a, "0.0.0.0:"), lower_ref(l, port_knob), NULL);
}

/* replicas, image, resources and ports knobs of nodes, gates and inspector, in values order. */
void lower_component_knobs(Lower *l, const char *prefix, const Component *c, bool with_replicas)
{
    if (with_replicas)
        lower_knob_int(l, arena_concat(l->a, prefix, ".replicas", NULL), c->replicas > 0 ? c->replicas : 3, 0,
                       1000, "pod replicas");
    lower_knobs_image(l, prefix, &c->image);
    lower_knobs_resources(l, prefix, &c->resources);
}

void lower_port_knobs(Lower *l, const char *prefix, const Component *c)
{
    const LowerDefaults *d = lower_defaults(prefix);
    lower_knob_port(l, arena_concat(l->a, prefix, ".ports.grpc", NULL), c->grpc_port, d->port_a, "gRPC port");
    lower_knob_port(l, arena_concat(l->a, prefix, ".ports.http", NULL), c->http_port, d->port_b,
                    "HTTP port (health, metrics, UI)");
}
