/* lower_tls.c - design 9.4: cert-manager Certificates for the Goverse processes (nodes: the
 * wildcard of their headless Service; gates; inspector), their Secrets mounted read-only at
 * /etc/goverse/tls. Every piece is behind tls.enabled. Goverse itself reads no TLS setting (no
 * flag, no config key): the checker warns that its traffic stays plaintext (docs/security.md).
 * etcd and PostgreSQL keep their own transport. */
#include "lower/lower_security.h"

#define TLS_DIR "/etc/goverse/tls"

static const char *const ISSUER_KINDS[] = {"Issuer", "ClusterIssuer", NULL};

void lower_tls_knobs(Lower *l)
{
    const Security *s = &l->cl->security;
    lower_knob_bool(l, "tls.enabled", s->mtls, "mutual TLS between Goverse processes (cert-manager Certificates)");
    lower_knob_str(l, "tls.issuer.name", KNOB_NAME, s->tls_issuer, "cert-manager issuer signing the certificates")
        ->required_when = "tls.enabled";
    lower_knob_str(l, "tls.issuer.kind", KNOB_ENUM, "Issuer", "kind of the issuer: Issuer (namespaced) or ClusterIssuer")
        ->choices = ISSUER_KINDS;
}

/* "PREFIX" + namespace + ".svc.cluster.local" */
static IrNode *svc_name(Lower *l, const char *prefix, const char *suffix)
{
    return lower_concat(l, ir_str(l->a, prefix), lower_namespace_expr(l), ir_str(l->a, suffix), NULL);
}

static IrNode *certificate(Lower *l, const char *name, const char *app, const char *component, const IrCond *when)
{
    Arena *a = l->a;
    IrObject *o = ir_object(a, l->ir, arena_concat(a, "tls/certificate-", name, ".yaml", NULL), "security",
                            "cert-manager.io/v1", "Certificate", name, when);
    ir_put(a, o->root, "apiVersion", ir_str(a, "cert-manager.io/v1"));
    ir_put(a, o->root, "kind", ir_str(a, "Certificate"));
    ir_put(a, o->root, "metadata", lower_metadata(l, name, app, component));
    IrNode *spec = ir_put(a, o->root, "spec", ir_map(a));
    ir_put(a, spec, "secretName", ir_str(a, name));
    IrNode *ref = ir_put(a, spec, "issuerRef", ir_map(a));
    ir_put(a, ref, "name", lower_ref(l, "tls.issuer.name"));
    ir_put(a, ref, "kind", lower_ref(l, "tls.issuer.kind"));
    /* Both usages: every process is a server to its callers and a client of its peers. */
    IrNode *usages = ir_put(a, spec, "usages", ir_seq(a));
    ir_push(usages, ir_str(a, "server auth"));
    ir_push(usages, ir_str(a, "client auth"));
    return ir_put(a, spec, "dnsNames", ir_seq(a));
}

/* SERVICE, SERVICE.NS.svc, SERVICE.NS.svc.cluster.local */
static void service_names(Lower *l, IrNode *dns, const char *service)
{
    ir_push(dns, ir_str(l->a, service));
    ir_push(dns, svc_name(l, arena_concat(l->a, service, ".", NULL), ".svc"));
    ir_push(dns, svc_name(l, arena_concat(l->a, service, ".", NULL), ".svc.cluster.local"));
}

void lower_tls_objects(Lower *l)
{
    const IrCond *on = lower_if(l, "tls.enabled");
    /* No commonName: it is limited to 64 bytes, which a long namespace would exceed, and TLS
     * clients match dnsNames only. */
    IrNode *dns = certificate(l, "goverse-node-tls", "goverse-node", "node", on);
    ir_push(dns, svc_name(l, "*.goverse-node-headless.", ".svc.cluster.local"));
    ir_push(dns, svc_name(l, "goverse-node-headless.", ".svc.cluster.local"));
    service_names(l, certificate(l, "goverse-gate-tls", "goverse-gate", "gate", on), "goverse-gate");
    service_names(l, certificate(l, "inspector-tls", "inspector", "inspector",
                                 ir_cond_and(l->a, on, lower_if(l, "inspector.enabled"))),
                  "inspector");
}

void lower_tls_pod(Lower *l, IrNode *pod_spec, const SecPodRole *role)
{
    Arena *a = l->a;
    if (!role->tls_secret)
        return;
    const IrCond *on = lower_if(l, "tls.enabled");
    IrNode *vols = sec_seq_of(l, pod_spec, "volumes");
    if (!vols || sec_has_named(vols, "name", "tls"))
        return;
    IrNode *v = sec_push_when(l, vols, ir_map(a), on);
    ir_put(a, v, "name", ir_str(a, "tls"));
    ir_put(a, ir_put(a, v, "secret", ir_map(a)), "secretName", ir_str(a, role->tls_secret));
    IrNode *cs = lower_map_get(pod_spec, "containers");
    for (IrNode *c = cs && cs->kind == IR_SEQ ? cs->u.kids.first : NULL; c; c = c->next) {
        IrNode *mounts = c->kind == IR_MAP ? sec_seq_of(l, c, "volumeMounts") : NULL;
        if (!mounts)
            continue;
        IrNode *m = sec_push_when(l, mounts, lower_volume_mount(l, "tls", TLS_DIR), on);
        ir_put(a, m, "readOnly", ir_bool(a, true));
    }
}
