/* lower_rbac.c - design 9.2: one ServiceAccount per kind of pod (derived from the pods the IR
 * actually holds, so backup Jobs and any later workload get one too), the nodes' Role and
 * RoleBinding, and serviceAccountName on every pod. Only the nodes read the API (pods, configmaps):
 * every other account has automountServiceAccountToken false. */
#include <string.h>

#include "lower/lower_security.h"

#define MAX_ACCOUNTS 16

typedef struct Account {
    const char *name;
    const IrCond *when; /* OR of its pods' object conditions; NULL: always */
} Account;

struct SecAccounts {
    Account acc[MAX_ACCOUNTS];
    int n;
};

/* Accounts and the Role default on whenever any security measure is on, i.e. in every description
 * but one that opts out of all of them (`pod_security none  network open`, no mTLS), which keeps
 * the plain design-document objects. */
static bool hardened(const Lower *l)
{
    const Security *s = &l->cl->security;
    return s->pod_security != PODSEC_NONE || s->network == NETWORK_ISOLATED || s->mtls;
}

void lower_rbac_knobs(Lower *l)
{
    lower_knob_bool(l, "serviceAccount.create", hardened(l),
                    "create one ServiceAccount per component and set serviceAccountName on its pods");
    lower_knob_bool(l, "rbac.create", hardened(l),
                    "create the nodes' Role and RoleBinding (read pods and configmaps; needs serviceAccount.create)");
}

static IrNode *rule(Lower *l, const char *resource, const char *const *verbs)
{
    Arena *a = l->a;
    IrNode *r = ir_map(a);
    ir_push(ir_put(a, r, "apiGroups", ir_seq(a)), ir_str(a, ""));
    ir_push(ir_put(a, r, "resources", ir_seq(a)), ir_str(a, resource));
    IrNode *v = ir_put(a, r, "verbs", ir_seq(a));
    for (; *verbs; verbs++)
        ir_push(v, ir_str(a, *verbs));
    return r;
}

static IrObject *rbac_object(Lower *l, const char *path, const char *api, const char *kind, const char *name,
                             const IrCond *when)
{
    Arena *a = l->a;
    IrObject *o = ir_object(a, l->ir, path, "security", api, kind, name, when);
    ir_put(a, o->root, "apiVersion", ir_str(a, api));
    ir_put(a, o->root, "kind", ir_str(a, kind));
    ir_put(a, o->root, "metadata", lower_metadata(l, name, "goverse-node", "security"));
    return o;
}

void lower_rbac_objects(Lower *l)
{
    static const char *const read[] = {"get", "list", NULL};
    static const char *const watch[] = {"get", "list", "watch", NULL};
    Arena *a = l->a;
    const IrCond *on = ir_cond_and(a, lower_if(l, "rbac.create"), lower_if(l, "serviceAccount.create"));
    const char *api = "rbac.authorization.k8s.io/v1";
    IrObject *role = rbac_object(l, "rbac/role.yaml", api, "Role", "goverse-node-role", on);
    IrNode *rules = ir_put(a, role->root, "rules", ir_seq(a));
    ir_push(rules, rule(l, "pods", read));
    ir_push(rules, rule(l, "configmaps", watch));

    IrObject *rb = rbac_object(l, "rbac/rolebinding.yaml", api, "RoleBinding", "goverse-node-rolebinding", on);
    IrNode *subj = ir_push(ir_put(a, rb->root, "subjects", ir_seq(a)), ir_map(a));
    ir_put(a, subj, "kind", ir_str(a, "ServiceAccount"));
    ir_put(a, subj, "name", ir_str(a, "goverse-node"));
    ir_put(a, subj, "namespace", lower_namespace_expr(l));
    IrNode *ref = ir_put(a, rb->root, "roleRef", ir_map(a));
    ir_put(a, ref, "apiGroup", ir_str(a, "rbac.authorization.k8s.io"));
    ir_put(a, ref, "kind", ir_str(a, "Role"));
    ir_put(a, ref, "name", ir_str(a, "goverse-node-role"));
}

SecAccounts *lower_rbac_new_accounts(Lower *l)
{
    return ARENA_NEW(l->a, SecAccounts);
}

static Account *account(SecAccounts *acc, const char *name, const IrCond *when, bool *fresh)
{
    for (int i = 0; i < acc->n; i++)
        if (strcmp(acc->acc[i].name, name) == 0) {
            *fresh = false;
            return &acc->acc[i];
        }
    if (acc->n == MAX_ACCOUNTS)
        return NULL;
    *fresh = true;
    acc->acc[acc->n] = (Account){name, when};
    return &acc->acc[acc->n++];
}

/* The account of a pod of the object `name` present under `when`: noted, or its condition
 * widened. NULL: none (more kinds of pods than accounts). */
static const char *note_account(Lower *l, SecAccounts *acc, const char *obj_name, const IrCond *when,
                                const SecPodRole *role)
{
    const char *name = *role->service_account ? role->service_account : obj_name;
    bool fresh;
    Account *ac = account(acc, name, when, &fresh);
    if (!ac)
        return NULL;
    if (!fresh)
        ac->when = sec_or(l, ac->when, when);
    return name;
}

void lower_rbac_twin(Lower *l, SecAccounts *acc, const char *obj_name, const IrCond *when, const SecPodRole *role)
{
    note_account(l, acc, obj_name, when, role);
}

void lower_rbac_pod(Lower *l, SecAccounts *acc, IrObject *obj, IrNode *pod_spec, const SecPodRole *role)
{
    const char *name = note_account(l, acc, obj->name, obj->when, role);
    if (!name) /* more kinds of pods than accounts: the pod keeps the namespace's default account */
        return;
    const IrCond *create = lower_if(l, "serviceAccount.create");
    ir_when(l->a, ir_put(l->a, pod_spec, "serviceAccountName", ir_str(l->a, name)), create);
    /* The pod says it too (what a pod-level linter checks, and it holds whatever account the pod
     * ends up with): a token only for the nodes, only while their Role exists. */
    IrNode *mount = strcmp(name, "goverse-node") == 0 ? lower_ref(l, "rbac.create") : ir_bool(l->a, false);
    ir_when(l->a, ir_put(l->a, pod_spec, "automountServiceAccountToken", mount), create);
}

void lower_rbac_accounts(Lower *l, SecAccounts *acc)
{
    Arena *a = l->a;
    for (int i = 0; i < acc->n; i++) {
        const char *name = acc->acc[i].name;
        const IrCond *when = sec_and(l, lower_if(l, "serviceAccount.create"), acc->acc[i].when);
        const char *path = arena_concat(a, "rbac/serviceaccount-", name, ".yaml", NULL);
        IrObject *o = ir_object(a, l->ir, path, "security", "v1", "ServiceAccount", name, when);
        ir_put(a, o->root, "apiVersion", ir_str(a, "v1"));
        ir_put(a, o->root, "kind", ir_str(a, "ServiceAccount"));
        ir_put(a, o->root, "metadata", lower_metadata(l, name, name, "security"));
        /* Only the nodes call the API server, and only while their Role exists. */
        ir_put(a, o->root, "automountServiceAccountToken",
               strcmp(name, "goverse-node") == 0 ? lower_ref(l, "rbac.create") : ir_bool(a, false));
    }
}
