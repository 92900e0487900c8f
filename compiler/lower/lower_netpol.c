/* lower_netpol.c - design 9.1: `network isolated` as NetworkPolicies. A default deny (ingress and
 * egress) for the namespace, DNS for every pod, then one policy per component holding exactly the
 * flows the topology has. Each policy and each rule carries the condition of the components it
 * concerns, so switching a component off in the values removes its flows too. Ports are the port
 * knobs themselves; external databases are reached by port only (their address is not known). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lower/lower_security.h"

static int external_etcd_port(const Etcd *e)
{
    const char *colon = e->nendpoints > 0 ? strrchr(e->endpoints[0], ':') : NULL;
    int port = colon ? atoi(colon + 1) : 0;
    return port > 0 && port <= 65535 ? port : 2379;
}

void lower_netpol_knobs(Lower *l)
{
    lower_knob_bool(l, "networkPolicy.enabled", l->cl->security.network == NETWORK_ISOLATED,
                    "default-deny NetworkPolicies plus the flows the topology needs");
    lower_knob_str(l, "networkPolicy.ingressNamespace", KNOB_NAME, "ingress-nginx",
                   "namespace of the ingress controller allowed to reach gates and inspector");
    lower_knob_str(l, "networkPolicy.monitoringNamespace", KNOB_NAME, "monitoring",
                   "namespace of Prometheus allowed to scrape metrics (empty: no scraping)")
        ->nullable = true;
    lower_knob_port(l, "networkPolicy.externalEtcdPort", external_etcd_port(&l->cl->etcd), 2379,
                    "port of the external etcd endpoints (egress when etcd.external.enabled)");
}

/* ---- building blocks ------------------------------------------------------------------------------ */

static IrNode *match_labels(Lower *l, IrNode *sel, const char *k1, const char *v1, const char *k2, const char *v2)
{
    IrNode *ml = ir_put(l->a, sel, "matchLabels", ir_map(l->a));
    ir_put(l->a, ml, k1, ir_str(l->a, v1));
    if (k2)
        ir_put(l->a, ml, k2, ir_str(l->a, v2));
    return ml;
}

static IrNode *pods(Lower *l, const char *app)
{
    IrNode *p = ir_map(l->a);
    match_labels(l, ir_put(l->a, p, "podSelector", ir_map(l->a)), "app", app, NULL, NULL);
    return p;
}

/* Zalando labels every pod of a cluster with these two. */
static IrNode *spilo_selector(Lower *l)
{
    IrNode *sel = ir_map(l->a);
    match_labels(l, sel, "application", "spilo", "cluster-name", "goverse-postgres");
    return sel;
}

static IrNode *namespace_named(Lower *l, const char *knob)
{
    IrNode *p = ir_map(l->a);
    IrNode *ml = ir_put(l->a, ir_put(l->a, p, "namespaceSelector", ir_map(l->a)), "matchLabels", ir_map(l->a));
    ir_put(l->a, ml, "kubernetes.io/metadata.name", lower_ref(l, knob));
    return p;
}

static IrNode *port(Lower *l, const char *proto, IrNode *number)
{
    IrNode *p = ir_map(l->a);
    ir_put(l->a, p, "protocol", ir_str(l->a, proto));
    ir_put(l->a, p, "port", number);
    return p;
}

static IrNode *tcp(Lower *l, const char *knob) { return port(l, "TCP", lower_ref(l, knob)); }

typedef struct Policy {
    Lower *l;
    IrNode *spec;
    IrNode *ingress, *egress;
} Policy;

static Policy policy(Lower *l, const char *name, IrNode *selector, const IrCond *when, bool in, bool out)
{
    Arena *a = l->a;
    IrObject *o = ir_object(a, l->ir, arena_concat(a, "networkpolicies/", name, ".yaml", NULL), "security",
                            "networking.k8s.io/v1", "NetworkPolicy", name, when);
    ir_put(a, o->root, "apiVersion", ir_str(a, "networking.k8s.io/v1"));
    ir_put(a, o->root, "kind", ir_str(a, "NetworkPolicy"));
    ir_put(a, o->root, "metadata", lower_metadata(l, name, "goverse", "security"));
    Policy p = {l, ir_put(a, o->root, "spec", ir_map(a)), NULL, NULL};
    ir_put(a, p.spec, "podSelector", selector ? selector : ir_map(a));
    IrNode *types = ir_put(a, p.spec, "policyTypes", ir_seq(a));
    ir_push(types, ir_str(a, "Ingress"));
    ir_push(types, ir_str(a, "Egress"));
    if (in)
        p.ingress = ir_put(a, p.spec, "ingress", ir_seq(a));
    if (out)
        p.egress = ir_put(a, p.spec, "egress", ir_seq(a));
    return p;
}

static Policy app_policy(Lower *l, const char *app, const IrCond *when, bool in, bool out)
{
    IrNode *sel = ir_map(l->a);
    match_labels(l, sel, "app", app, NULL, NULL);
    return policy(l, arena_concat(l->a, app, "-policy", NULL), sel, when, in, out);
}

/* One rule: peers under `dir` ("from"/"to"; none: any address), then NULL-terminated ports. A rule
 * whose peers are all conditional is itself conditional on one of them: a rule with its peer list
 * switched off entirely would otherwise allow every address. */
static IrNode *rule(Policy *p, const IrCond *when, const char *dir, IrNode *peers, ...)
{
    Lower *l = p->l;
    IrNode *seq = strcmp(dir, "from") == 0 ? p->ingress : p->egress;
    IrNode *r = sec_push_when(l, seq, ir_map(l->a), NULL);
    if (peers) {
        IrNode *list = ir_put(l->a, r, dir, ir_seq(l->a));
        for (IrNode *n = peers, *next; n; n = next) {
            next = n->next;
            n->next = NULL;
            sec_push_when(l, list, n, ir_node_when(n));
        }
        when = sec_and(l, when, ir_node_when(list));
    }
    va_list ap;
    va_start(ap, peers);
    IrNode *ports = NULL;
    for (IrNode *pt = va_arg(ap, IrNode *); pt; pt = va_arg(ap, IrNode *))
        ir_push(ports ? ports : (ports = ir_put(l->a, r, "ports", ir_seq(l->a))), pt);
    va_end(ap);
    ir_when(l->a, r, when);
    ir_when(l->a, seq, sec_seq_when_any(l, seq));
    return r;
}

/* A peer under a condition (NULL: always). */
static IrNode *peer(Lower *l, IrNode *n, const IrCond *when) { return ir_when(l->a, n, when); }

static IrNode *peers(IrNode *first, ...)
{
    va_list ap;
    va_start(ap, first);
    IrNode *prev = first;
    for (IrNode *n = va_arg(ap, IrNode *); n; n = va_arg(ap, IrNode *))
        prev = prev->next = n;
    va_end(ap);
    return first;
}

/* ---- the flows ---------------------------------------------------------------------------------- */

typedef struct Conds {
    const IrCond *etcd_in, *etcd_ext, *pg_in, *pg_op, *pg_ext, *pg_any, *inspector, *monitoring;
} Conds;

static Conds conds(Lower *l)
{
    return (Conds){sec_etcd_internal(l),
                   lower_if(l, "etcd.external.enabled"),
                   lower_postgres_mode(l, PERSIST_INTERNAL),
                   lower_postgres_mode(l, PERSIST_OPERATOR),
                   lower_postgres_mode(l, PERSIST_EXTERNAL),
                   lower_postgres_on(l),
                   lower_if(l, "inspector.enabled"),
                   lower_if(l, "networkPolicy.monitoringNamespace")};
}

static void egress_etcd(Policy *p, const Conds *c)
{
    rule(p, c->etcd_in, "to", pods(p->l, "etcd"), tcp(p->l, "etcd.ports.client"), NULL);
    rule(p, c->etcd_ext, "to", NULL, tcp(p->l, "networkPolicy.externalEtcdPort"), NULL);
}

static void egress_postgres(Policy *p, const Conds *c)
{
    Lower *l = p->l;
    rule(p, c->pg_in, "to", pods(l, "postgres"), port(l, "TCP", ir_int(l->a, 5432)), NULL);
    IrNode *spilo = ir_map(l->a);
    ir_put(l->a, spilo, "podSelector", spilo_selector(l));
    rule(p, c->pg_op, "to", spilo, port(l, "TCP", ir_int(l->a, 5432)), NULL);
    rule(p, c->pg_ext, "to", NULL, tcp(l, "postgres.external.port"), NULL);
}

static void ingress_metrics(Policy *p, const Conds *c, const char *port_knob)
{
    rule(p, c->monitoring, "from", namespace_named(p->l, "networkPolicy.monitoringNamespace"), tcp(p->l, port_knob),
         NULL);
}

static void baseline_policies(Lower *l, const IrCond *on)
{
    Arena *a = l->a;
    policy(l, "default-deny", NULL, on, false, false);
    /* DNS for every pod: kube-dns in kube-system, UDP and TCP (large answers fall back to TCP). */
    Policy dns = policy(l, "allow-dns", NULL, on, false, true);
    IrNode *to = ir_map(a);
    match_labels(l, ir_put(a, to, "namespaceSelector", ir_map(a)), "kubernetes.io/metadata.name", "kube-system",
                 NULL, NULL);
    match_labels(l, ir_put(a, to, "podSelector", ir_map(a)), "k8s-app", "kube-dns", NULL, NULL);
    rule(&dns, NULL, "to", to, port(l, "UDP", ir_int(a, 53)), port(l, "TCP", ir_int(a, 53)), NULL);
}

static void gate_policy(Lower *l, const IrCond *on, const Conds *c)
{
    Policy p = app_policy(l, "goverse-gate", on, true, true);
    rule(&p, lower_if(l, "gates.ingress.enabled"), "from", namespace_named(l, "networkPolicy.ingressNamespace"),
         tcp(l, "gates.ports.grpc"), tcp(l, "gates.ports.http"), NULL);
    ingress_metrics(&p, c, "gates.ports.ops");
    rule(&p, NULL, "to", pods(l, "goverse-node"), tcp(l, "nodes.ports.grpc"), NULL);
    egress_etcd(&p, c);
    rule(&p, c->inspector, "to", pods(l, "inspector"), tcp(l, "inspector.ports.grpc"), NULL);
}

static void node_policy(Lower *l, const IrCond *on, const Conds *c)
{
    Policy p = app_policy(l, "goverse-node", on, true, true);
    rule(&p, NULL, "from",
         peers(pods(l, "goverse-gate"), pods(l, "goverse-node"), peer(l, pods(l, "inspector"), c->inspector), NULL),
         tcp(l, "nodes.ports.grpc"), NULL);
    ingress_metrics(&p, c, "nodes.ports.http");
    rule(&p, NULL, "to", pods(l, "goverse-node"), tcp(l, "nodes.ports.grpc"), NULL);
    egress_etcd(&p, c);
    egress_postgres(&p, c);
    rule(&p, c->inspector, "to", pods(l, "inspector"), tcp(l, "inspector.ports.grpc"), NULL);
    /* The nodes read pods and configmaps (their Role, design 9.2): the API server, whose endpoint
     * address is the cluster's own, on its service port (443) or the usual endpoint port (6443). */
    rule(&p, lower_if(l, "rbac.create"), "to", NULL, port(l, "TCP", ir_int(l->a, 443)),
         port(l, "TCP", ir_int(l->a, 6443)), NULL);
}

static void inspector_policy(Lower *l, const IrCond *on, const Conds *c)
{
    Policy p = app_policy(l, "inspector", sec_and(l, on, c->inspector), true, true);
    rule(&p, lower_if(l, "inspector.ingress.enabled"), "from", namespace_named(l, "networkPolicy.ingressNamespace"),
         tcp(l, "inspector.ports.http"), NULL);
    rule(&p, NULL, "from", peers(pods(l, "goverse-node"), pods(l, "goverse-gate"), NULL),
         tcp(l, "inspector.ports.grpc"), NULL);
    rule(&p, NULL, "to", pods(l, "goverse-node"), tcp(l, "nodes.ports.grpc"), NULL);
    egress_etcd(&p, c);
}

static void etcd_policy(Lower *l, const IrCond *on, const Conds *c)
{
    Policy p = app_policy(l, "etcd", sec_and(l, on, c->etcd_in), true, true);
    rule(&p, NULL, "from",
         peers(pods(l, "goverse-node"), pods(l, "goverse-gate"), peer(l, pods(l, "inspector"), c->inspector),
               pods(l, "etcd-backup"), NULL),
         tcp(l, "etcd.ports.client"), NULL);
    rule(&p, NULL, "from", pods(l, "etcd"), tcp(l, "etcd.ports.client"), tcp(l, "etcd.ports.peer"), NULL);
    ingress_metrics(&p, c, "etcd.ports.client");
    rule(&p, NULL, "to", pods(l, "etcd"), tcp(l, "etcd.ports.client"), tcp(l, "etcd.ports.peer"), NULL);
}

static void postgres_policies(Lower *l, const IrCond *on, const Conds *c)
{
    Arena *a = l->a;
    Policy in = app_policy(l, "postgres", sec_and(l, on, c->pg_in), true, false);
    rule(&in, NULL, "from", peers(pods(l, "goverse-node"), pods(l, "postgres-backup"), NULL),
         port(l, "TCP", ir_int(a, 5432)), NULL);

    /* Spilo pods: Patroni replicates between members, talks to the API server (any address) and
     * serves its REST API (8008) to the operator, which runs in another namespace. */
    Policy op = policy(l, "goverse-postgres-policy", spilo_selector(l), sec_and(l, on, c->pg_op), true, true);
    rule(&op, NULL, "from", peers(pods(l, "goverse-node"), pods(l, "postgres-backup"), NULL),
         port(l, "TCP", ir_int(a, 5432)), NULL);
    IrNode *members = ir_map(a);
    ir_put(a, members, "podSelector", spilo_selector(l));
    rule(&op, NULL, "from", members, NULL);
    IrNode *anywhere = ir_map(a);
    ir_put(a, anywhere, "namespaceSelector", ir_map(a));
    rule(&op, NULL, "from", anywhere, port(l, "TCP", ir_int(a, 8008)), NULL);
    rule(&op, NULL, "to", NULL, NULL);
}

static void backup_policies(Lower *l, const IrCond *on, const Conds *c)
{
    /* Backup and restore pods exist only with their database's backups. */
    const IrCond *etcd_on = sec_and(l, on, sec_and(l, c->etcd_in, lower_if(l, "etcd.backup.enabled")));
    const IrCond *pg_on = sec_and(l, on, sec_and(l, c->pg_any, lower_if(l, "postgres.backup.enabled")));
    Policy e = app_policy(l, "etcd-backup", etcd_on, false, true);
    rule(&e, NULL, "to", pods(l, "etcd"), tcp(l, "etcd.ports.client"), NULL);
    Policy p = app_policy(l, "postgres-backup", pg_on, false, true);
    egress_postgres(&p, c);
}

void lower_netpol_objects(Lower *l)
{
    const IrCond *on = lower_if(l, "networkPolicy.enabled");
    Conds c = conds(l);
    baseline_policies(l, on);
    gate_policy(l, on, &c);
    node_policy(l, on, &c);
    inspector_policy(l, on, &c);
    etcd_policy(l, on, &c);
    postgres_policies(l, on, &c);
    backup_policies(l, on, &c);
}
