/* lower_security.c - design section 9: the security knobs, the Pod Security Admission labels of the
 * Namespace and the pass that gives every pod the compiler emits (components, backup CronJobs,
 * restore Jobs) its securityContext, writable scratch volumes, service account and certificate.
 * Network policies, RBAC and certificates live in lower_netpol.c, lower_rbac.c, lower_tls.c. */
#include <string.h>

#include "lower/lower_security.h"

static const char *const LEVELS[] = {"none", "privileged", "baseline", "restricted", NULL};

/* The uid each image runs as. Goverse images: 1000 (design 9.3). postgres: the official image's
 * `postgres` user is 999; its entrypoint only works unprivileged as that user (an unknown uid makes
 * it fall back to nss_wrapper, which writes under /tmp). etcd: the coreos image is distroless and
 * ships the `nonroot` user 65532; etcd writes nothing but its data dir (a PVC, made writable by
 * fsGroup). Backup pods run the image of the database they copy, so they take its uid. */
static const SecPodRole ROLES[] = {
    {"goverse-node", "goverse-node", "nodes.securityContext.runAsUser", "goverse-node-tls"},
    {"goverse-gate", "goverse-gate", "gates.securityContext.runAsUser", "goverse-gate-tls"},
    {"inspector", "inspector", "inspector.securityContext.runAsUser", "inspector-tls"},
    {"etcd", "etcd", "etcd.securityContext.runAsUser", NULL},
    {"postgres", "postgres", "postgres.internal.securityContext.runAsUser", NULL},
    {"etcd-backup", "goverse-backup", "etcd.securityContext.runAsUser", NULL},
    {"postgres-backup", "goverse-backup", "postgres.internal.securityContext.runAsUser", NULL},
};
static const SecPodRole OTHER = {"", "", "security.runAsUser", NULL};

const SecPodRole *sec_pod_role(const char *app)
{
    for (size_t i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
        if (strcmp(ROLES[i].app, app) == 0)
            return &ROLES[i];
    return &OTHER;
}

const char *sec_pod_app(const IrObject *obj)
{
    IrNode *app = lower_map_get(lower_map_get(lower_map_get(obj->root, "metadata"), "labels"), "app");
    return app && app->kind == IR_STR ? app->u.str : obj->name;
}

const IrCond *sec_etcd_internal(Lower *l)
{
    return ir_cond_and(l->a, lower_if(l, "etcd.enabled"), lower_unless(l, "etcd.external.enabled"));
}

const IrCond *sec_and(Lower *l, const IrCond *a, const IrCond *b)
{
    return !a ? b : !b ? a : ir_cond_and(l->a, a, b);
}

const IrCond *sec_or(Lower *l, const IrCond *a, const IrCond *b)
{
    return !a || !b ? NULL : ir_cond_or(l->a, a, b);
}

/* A sequence whose items are all conditional exists only when one of them does: an empty list
 * would be printed as `[]`, which the API server drops (drift) and a chart would print anyway. */
const IrCond *sec_seq_when_any(Lower *l, const IrNode *seq)
{
    const IrCond *any = NULL;
    for (const IrNode *n = seq->u.kids.first; n; n = n->next) {
        if (!n->has_when)
            return NULL;
        any = any ? ir_cond_or(l->a, any, ir_node_when(n)) : ir_node_when(n);
    }
    return any;
}

/* Pushes `item` under `cond`. A sequence this file created, or whose items are all conditional,
 * gets the OR of its items' conditions; one that has an unconditional item is left alone. */
static bool all_conditional(const IrNode *seq)
{
    for (const IrNode *n = seq->u.kids.first; n; n = n->next)
        if (!n->has_when)
            return false;
    return true;
}

IrNode *sec_push_when(Lower *l, IrNode *seq, IrNode *item, const IrCond *cond)
{
    bool recompute = all_conditional(seq); /* (true for an empty one) */
    ir_when(l->a, ir_push(seq, item), cond);
    if (recompute)
        ir_when(l->a, seq, sec_seq_when_any(l, seq));
    return item;
}

IrNode *sec_seq_of(Lower *l, IrNode *map, const char *key)
{
    IrNode *seq = lower_map_get(map, key);
    if (seq)
        return seq->kind == IR_SEQ ? seq : NULL; /* computed lists (knob refs) are left alone */
    return ir_put(l->a, map, key, ir_seq(l->a));
}

bool sec_has_named(const IrNode *seq, const char *field, const char *value)
{
    if (!seq || seq->kind != IR_SEQ)
        return false;
    for (const IrNode *n = seq->u.kids.first; n; n = n->next) {
        if (n->kind != IR_MAP)
            continue;
        const IrNode *f = lower_map_get((IrNode *)n, field);
        if (f && f->kind == IR_STR && strcmp(f->u.str, value) == 0)
            return true;
    }
    return false;
}

/* ---- knobs ---------------------------------------------------------------------------------- */

static void uid_knob(Lower *l, const char *path, int uid, const char *who)
{
    lower_knob_int(l, path, uid, 1, 2147483647,
                   arena_concat(l->a, "uid and gid ", who, " runs as (pod runAsUser/runAsGroup/fsGroup)",
                                NULL));
}

void lower_security_knobs(Lower *l)
{
    const Security *s = &l->cl->security;
    lower_knob_str(l, "security.podSecurity", KNOB_ENUM, LEVELS[s->pod_security],
                   "Pod Security Standard of the namespace and every pod: restricted, baseline, privileged "
                   "(namespace labels only) or none")
        ->choices = LEVELS;
    uid_knob(l, "security.runAsUser", 1000, "any other pod");
    uid_knob(l, "nodes.securityContext.runAsUser", 1000, "the node");
    uid_knob(l, "gates.securityContext.runAsUser", 1000, "the gate");
    uid_knob(l, "inspector.securityContext.runAsUser", 1000, "the inspector");
    uid_knob(l, "etcd.securityContext.runAsUser", 65532, "etcd (distroless `nonroot`)");
    uid_knob(l, "postgres.internal.securityContext.runAsUser", 999, "PostgreSQL (the image's `postgres` user)");
    lower_netpol_knobs(l);
    lower_rbac_knobs(l);
    lower_tls_knobs(l);
}

void lower_security_objects(Lower *l)
{
    lower_netpol_objects(l);
    lower_rbac_objects(l);
    lower_tls_objects(l);
}

/* ---- the pod pass ------------------------------------------------------------------------------ */

/* The security contexts are the same map for every container, and for every pod of a role (they
 * differ only by the uid knob): each is built once, as the model its maps share (ir_map_sharing). */
enum { POD_MODELS = 8 };

typedef struct PodSec {
    const IrCond *labelled;   /* any level but none: the Namespace carries it */
    const IrCond *on;         /* baseline or restricted */
    const IrCond *restricted;
    SecAccounts *accounts;
    IrNode *container_model;  /* a container's securityContext entries */
    struct {
        const SecPodRole *role;
        IrNode *model;
    } pod_models[POD_MODELS]; /* a pod's, by role */
    int npod_models;
} PodSec;

static void namespace_labels(Lower *l, const PodSec *ps)
{
    static const char *const modes[] = {"enforce", "audit", "warn"};
    for (IrObject *o = l->ir->objects; o; o = o->next) {
        if (strcmp(o->kind, "Namespace") != 0)
            continue;
        IrNode *md = lower_map_get(o->root, "metadata");
        IrNode *labels = lower_map_get(md, "labels");
        if (!labels)
            labels = ir_put(l->a, md, "labels", ir_map(l->a));
        for (size_t i = 0; i < 3; i++)
            ir_when(l->a, ir_put(l->a, labels, arena_concat(l->a, "pod-security.kubernetes.io/", modes[i], NULL),
                           lower_ref(l, "security.podSecurity")),
                    ps->labelled);
    }
}

static IrNode *pod_model(Lower *l, const PodSec *ps, const SecPodRole *role)
{
    Arena *a = l->a;
    IrNode *sc = ir_map(a);
    ir_when(l->a, ir_put(a, sc, "runAsNonRoot", ir_bool(a, true)), ps->restricted);
    ir_when(l->a, ir_put(a, sc, "runAsUser", lower_ref(l, role->uid_knob)), ps->restricted);
    ir_when(l->a, ir_put(a, sc, "runAsGroup", lower_ref(l, role->uid_knob)), ps->restricted);
    ir_when(l->a, ir_put(a, sc, "fsGroup", lower_ref(l, role->uid_knob)), ps->restricted);
    ir_put(a, ir_put(a, sc, "seccompProfile", ir_map(a)), "type", ir_str(a, "RuntimeDefault"));
    return sc;
}

static void pod_context(Lower *l, PodSec *ps, IrNode *pod, const SecPodRole *role)
{
    IrNode *model = NULL;
    for (int i = 0; i < ps->npod_models && !model; i++)
        if (ps->pod_models[i].role == role)
            model = ps->pod_models[i].model;
    if (!model) {
        model = pod_model(l, ps, role);
        if (ps->npod_models < POD_MODELS) { /* (one per role: never full) */
            ps->pod_models[ps->npod_models].role = role;
            ps->pod_models[ps->npod_models++].model = model;
        }
    }
    ir_when(l->a, ir_put(l->a, pod, "securityContext", ir_map_sharing(l->a, model)), ps->on);
}

static IrNode *container_model(Lower *l, const PodSec *ps)
{
    Arena *a = l->a;
    IrNode *sc = ir_map(a);
    ir_put(a, sc, "allowPrivilegeEscalation", ir_bool(a, false));
    IrNode *caps = ir_when(l->a, ir_put(a, sc, "capabilities", ir_map(a)), ps->restricted);
    ir_push(ir_put(a, caps, "drop", ir_seq(a)), ir_str(a, "ALL"));
    ir_when(l->a, ir_put(a, sc, "readOnlyRootFilesystem", ir_bool(a, true)), ps->restricted);
    return sc;
}

static void container_context(Lower *l, const PodSec *ps, IrNode *c)
{
    ir_when(l->a, ir_put(l->a, c, "securityContext", ir_map_sharing(l->a, ps->container_model)), ps->on);
}

/* An emptyDir `name` mounted at `path` in container c, unless the pod or container has it already. */
static void scratch(Lower *l, const PodSec *ps, IrNode *pod, IrNode *c, const char *name, const char *path)
{
    Arena *a = l->a;
    IrNode *mounts = lower_map_get(c, "volumeMounts");
    if (mounts && sec_has_named(mounts, "mountPath", path))
        return;
    IrNode *vols = sec_seq_of(l, pod, "volumes");
    IrNode *own = sec_seq_of(l, c, "volumeMounts");
    if (!vols || !own)
        return;
    if (!sec_has_named(vols, "name", name)) {
        IrNode *v = sec_push_when(l, vols, ir_map(a), ps->restricted);
        ir_put(a, v, "name", ir_str(a, name));
        ir_put(a, v, "emptyDir", ir_map(a));
    }
    sec_push_when(l, own, lower_volume_mount(l, name, path), ps->restricted);
}

/* The nodes write /var/lib/goverse: its PVC when nodes.storage.enabled, else an emptyDir of the same
 * name (the read-only root filesystem would refuse the writes). */
static void node_data(Lower *l, const PodSec *ps, IrNode *pod, IrNode *c)
{
    Arena *a = l->a;
    const IrCond *no_pvc = sec_and(l, ps->restricted, lower_unless(l, "nodes.storage.enabled"));
    IrNode *vols = sec_seq_of(l, pod, "volumes");
    IrNode *own = sec_seq_of(l, c, "volumeMounts");
    if (!vols || !own || sec_has_named(vols, "name", "data"))
        return;
    IrNode *v = sec_push_when(l, vols, ir_map(a), no_pvc);
    ir_put(a, v, "name", ir_str(a, "data"));
    ir_put(a, v, "emptyDir", ir_map(a));
    sec_push_when(l, own, lower_volume_mount(l, "data", "/var/lib/goverse"), no_pvc);
}

static void container(Lower *l, const PodSec *ps, IrNode *pod, IrNode *c, const SecPodRole *role)
{
    container_context(l, ps, c);
    /* readOnlyRootFilesystem: every process may write temporary files; postgres also keeps its
     * socket and lock file in /var/run/postgresql (its data dir is on the PVC). */
    scratch(l, ps, pod, c, "tmp", "/tmp");
    if (strcmp(role->app, "postgres") == 0)
        scratch(l, ps, pod, c, "postgres-run", "/var/run/postgresql");
    IrNode *name = lower_map_get(c, "name");
    if (strcmp(role->app, "goverse-node") == 0 && name && name->kind == IR_STR && strcmp(name->u.str, "goverse-node") == 0)
        node_data(l, ps, pod, c); /* the node process only, not its init containers */
}

/* A container list is a sequence of maps, or a repetition (one init container per etcd member in
 * the restore Jobs) whose body is the container: both are visited, so none escapes the profile. */
static void each_container(Lower *l, const PodSec *ps, IrNode *pod, IrNode *n, const SecPodRole *role)
{
    if (!n)
        return;
    if (n->kind == IR_MAP)
        container(l, ps, pod, n, role);
    else if (n->kind == IR_SEQ)
        for (IrNode *c = n->u.kids.first; c; c = c->next)
            each_container(l, ps, pod, c, role);
    else if (n->kind == IR_EXPR && n->op == EXPR_REPEAT && n->u.expr.args)
        each_container(l, ps, pod, n->u.expr.args->next, role);
}

static void pod_fn(Lower *l, IrObject *obj, IrNode *pod, void *arg)
{
    PodSec *ps = arg;
    const SecPodRole *role = sec_pod_role(sec_pod_app(obj));
    pod_context(l, ps, pod, role);
    each_container(l, ps, pod, lower_map_get(pod, "initContainers"), role);
    each_container(l, ps, pod, lower_map_get(pod, "containers"), role);
    lower_tls_pod(l, pod, role);
    lower_rbac_pod(l, ps->accounts, obj, pod, role);
    if (l->twins && l->twins->proto == obj)
        for (int i = 0; i < l->twins->n; i++)
            lower_rbac_twin(l, ps->accounts, l->twins->twin[i].name, l->twins->twin[i].when, role);
}

void lower_security_pass(Lower *l)
{
    const Knob *level = lower_knob(l, "security.podSecurity");
    Arena *a = l->a;
    const IrCond *labelled = ir_cond_not(a, ir_cond_eq(a, level, "none"));
    const IrCond *on = ir_cond_and(a, labelled, ir_cond_not(a, ir_cond_eq(a, level, "privileged")));
    PodSec ps = {.labelled = labelled, .on = on, .restricted = ir_cond_eq(a, level, "restricted"),
                 .accounts = lower_rbac_new_accounts(l)};
    ps.container_model = container_model(l, &ps);
    namespace_labels(l, &ps);
    lower_each_pod(l, pod_fn, &ps);
    lower_rbac_accounts(l, ps.accounts);
}
