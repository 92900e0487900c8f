/* lower_security.h - what the security files (lower_security.c, lower_netpol.c, lower_rbac.c,
 * lower_tls.c; design section 9) share with each other and with the config builder. Private to
 * compiler/lower/. */
#ifndef GOVERSEC_LOWER_SECURITY_H
#define GOVERSEC_LOWER_SECURITY_H
#include "lower/lower_internal.h"

/* Who a pod is, from its `app` label: the service account it runs as, the values prefix of its
 * uid knob and whether it is a Goverse process (mounts the mTLS certificate). */
typedef struct SecPodRole {
    const char *app;
    const char *service_account;
    const char *uid_knob;
    const char *tls_secret; /* NULL: no certificate */
} SecPodRole;

const SecPodRole *sec_pod_role(const char *app);
const char *sec_pod_app(const IrObject *obj); /* the object's `app` label, else its name */

/* Component switches as conditions, shared by policies, accounts and certificates. */
const IrCond *sec_etcd_internal(Lower *l);
const IrCond *sec_and(Lower *l, const IrCond *a, const IrCond *b); /* NULL means "always" */
const IrCond *sec_or(Lower *l, const IrCond *a, const IrCond *b);  /* NULL means "always" */
const IrCond *sec_seq_when_any(Lower *l, const IrNode *seq);      /* OR of the items' conditions */

void lower_netpol_knobs(Lower *l);
void lower_netpol_objects(Lower *l);
void lower_rbac_knobs(Lower *l);
void lower_rbac_objects(Lower *l);
/* Adds serviceAccountName to a pod and records its account; lower_rbac_accounts then writes one
 * ServiceAccount per account seen, present whenever one of its pods is. */
typedef struct SecAccounts SecAccounts;
SecAccounts *lower_rbac_new_accounts(Lower *l);
void lower_rbac_pod(Lower *l, SecAccounts *acc, IrObject *obj, IrNode *pod_spec, const SecPodRole *role);
/* lower_rbac_pod's account bookkeeping for a twin of the object just passed to it (LowerTwins):
 * its pod is that object's, made later. */
void lower_rbac_twin(Lower *l, SecAccounts *acc, const char *obj_name, const IrCond *when, const SecPodRole *role);
void lower_rbac_accounts(Lower *l, SecAccounts *acc);
void lower_tls_knobs(Lower *l);
void lower_tls_objects(Lower *l);
void lower_tls_pod(Lower *l, IrNode *pod_spec, const SecPodRole *role);

/* Volume/mount helpers that never add a second entry of the same name or path. */
IrNode *sec_seq_of(Lower *l, IrNode *map, const char *key); /* existing seq or a new one */
IrNode *sec_push_when(Lower *l, IrNode *seq, IrNode *item, const IrCond *cond);
bool sec_has_named(const IrNode *seq, const char *field, const char *value);

#endif
