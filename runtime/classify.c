/* classify.c - what a difference means when applied: collects the changed paths of a normalised
 * pair and classifies each (in place, rolling restart, needs recreate, data risk) from the kind's
 * immutable fields and Goverse's own invariants (etcd membership, cluster.shards, volume size).
 * Destructive = needs recreate or data risk, or an orphaned StatefulSet/PVC. */
#include <string.h>

#include "drift.h"
#include "support/diag.h"
#include "support/quantity.h"
#include "support/source.h"
#include "yaml/yamlio.h"

typedef struct Walker {
    Arena *a;
    DriftObject *o;
    DriftPath path;
} Walker;

typedef struct Verdict {
    DriftImpact impact;
    const char *reason;
    const char *todo; /* what the operator does about it: every needs-recreate / data-risk verdict */
} Verdict;

static Verdict verdict(DriftImpact impact, const char *reason)
{
    return (Verdict){impact, reason, NULL};
}

static Verdict must(DriftImpact impact, const char *reason, const char *todo)
{
    return (Verdict){impact, reason, todo};
}

#define TODO_STS_ORPHAN                                                                             \
    "delete the StatefulSet but keep its pods and volumes (kubectl delete statefulset %s "          \
    "--cascade=orphan), then apply: the new StatefulSet adopts the pods and their claims, and rolls "  \
    "them one by one"

static bool under(const Walker *w, const char *pattern_prefix)
{
    /* Matches when the path starts with the pattern (any depth below it). */
    DriftPath prefix = w->path;
    for (int n = prefix.n; n >= 0; n--) {
        prefix.n = n;
        if (drift_path_match(pattern_prefix, w->o->kind, &prefix))
            return true;
    }
    return false;
}

static int quantity_cmp(Arena *a, const Data *want, const Data *have, bool *ok)
{
    Quantity qw, qh;
    const char *tw = drift_scalar_text(a, want), *th = drift_scalar_text(a, have);
    *ok = tw && th && quantity_parse(tw, &qw) == QTY_OK && quantity_parse(th, &qh) == QTY_OK;
    if (!*ok)
        return 0;
    return qw.milli < qh.milli ? -1 : qw.milli > qh.milli;
}

static Verdict size_change(Arena *a, const Data *want, const Data *have, DriftImpact grow, const char *todo_grow)
{
    bool ok;
    int cmp = quantity_cmp(a, want, have, &ok);
    if (ok && cmp < 0)
        return must(IMPACT_DATA_RISK, "volume shrink: storage cannot shrink without losing data",
                    "keep the deployed size; a smaller volume means new volumes: back up (docs/backup.md), "
                    "create them, restore");
    if (ok && cmp > 0 && grow == IMPACT_IN_PLACE)
        return verdict(IMPACT_IN_PLACE, "volume expansion (needs an expandable storage class)");
    return must(grow, "volume size changed", todo_grow);
}

static int64_t int_of(const Data *d, bool *ok)
{
    *ok = d && d->kind == DATA_INT;
    return *ok ? d->u.i : 0;
}

/* The procedure of docs/backup.md "Changing the number of etcd members", in the right order. */
static Verdict etcd_members(Arena *a, const Data *want, const Data *have)
{
    bool ok_w, ok_h;
    int64_t w = int_of(want, &ok_w), h = int_of(have, &ok_h);
    const char *reason = "etcd replicas changed: a quorum membership change";
    if (ok_w && ok_h && w > h)
        return must(IMPACT_DATA_RISK, reason,
                    arena_printf(a, "grow %lld -> %lld members: apply the new StatefulSet first (the new pods wait "
                                    "to be added), then the etcd-membership Job (manifests/etcd/membership-job.yaml; "
                                    "chart: etcd.membership.enabled=true), which adds them one at a time; see "
                                    "docs/backup.md, \"Changing the number of etcd members\"",
                                 (long long)h, (long long)w));
    if (ok_w && ok_h && w < h)
        return must(IMPACT_DATA_RISK, reason,
                    arena_printf(a, "shrink %lld -> %lld members: run the etcd-membership Job FIRST "
                                    "(manifests/etcd/membership-job.yaml; chart: etcd.membership.enabled=true) "
                                    "while the StatefulSet still runs %lld pods, then apply the new StatefulSet; "
                                    "see docs/backup.md, \"Changing the number of etcd members\"",
                                 (long long)h, (long long)w, (long long)h));
    return must(IMPACT_DATA_RISK, reason,
                "change the member count with the etcd-membership Job (docs/backup.md, \"Changing the number of "
                "etcd members\")");
}

static bool is_etcd(const DriftObject *o)
{
    const Data *src = o->desired ? o->desired : o->live;
    const Data *comp = data_path(src, "metadata.labels");
    const Data *c = data_get(comp, "app.kubernetes.io/component"), *app = data_get(comp, "app");
    return !strcmp(o->name, "etcd") || (c && c->kind == DATA_STR && !strcmp(c->u.str.s, "etcd")) ||
           (app && app->kind == DATA_STR && !strcmp(app->u.str.s, "etcd"));
}

static Verdict classify_statefulset(Walker *w, const Data *want, const Data *have)
{
    const char *orphan = arena_printf(w->a, TODO_STS_ORPHAN, w->o->name);
    if (under(w, "spec.selector"))
        return must(IMPACT_RECREATE, "StatefulSet selector is immutable",
                    arena_printf(w->a, "delete the StatefulSet (kubectl delete statefulset %s; its volumes stay) and "
                                       "apply: the pods are recreated under the new selector", w->o->name));
    if (under(w, "spec.serviceName"))
        return must(IMPACT_RECREATE, "StatefulSet serviceName is immutable", orphan);
    if (under(w, "spec.podManagementPolicy"))
        return must(IMPACT_RECREATE, "StatefulSet podManagementPolicy is immutable", orphan);
    if (drift_path_match("spec.volumeClaimTemplates.[].spec.resources.requests.storage", "StatefulSet", &w->path))
        return size_change(w->a, want, have, IMPACT_RECREATE,
                           arena_printf(w->a, "expand each existing claim (kubectl patch pvc; the storage class must "
                                              "allow expansion), then %s", orphan));
    if (under(w, "spec.volumeClaimTemplates"))
        return must(IMPACT_RECREATE, "StatefulSet volumeClaimTemplates are immutable",
                    arena_printf(w->a, "%s; existing claims keep their old spec (only new members get the new one)",
                                 orphan));
    if (drift_path_match("spec.replicas", "StatefulSet", &w->path) && is_etcd(w->o))
        return etcd_members(w->a, want, have);
    if (under(w, "spec.template"))
        return verdict(IMPACT_ROLLING_RESTART, "pod template changed");
    return verdict(IMPACT_IN_PLACE, drift_path_match("spec.replicas", "StatefulSet", &w->path) ? "scale" : "in place");
}

static Verdict classify_workload(Walker *w)
{
    if (under(w, "spec.selector"))
        return must(IMPACT_RECREATE, "selector is immutable",
                    arena_printf(w->a, "delete the %s (kubectl delete %s %s) and apply: its pods are replaced, a "
                                       "short outage of this component", w->o->kind, w->o->kind, w->o->name));
    if (under(w, "spec.template"))
        return verdict(IMPACT_ROLLING_RESTART, "pod template changed");
    return verdict(IMPACT_IN_PLACE, "in place");
}

static bool str_is(const Data *d, const char *s)
{
    return d && d->kind == DATA_STR && !strcmp(d->u.str.s, s);
}

static Verdict classify_service(Walker *w, const Data *want, const Data *have)
{
    const char *todo = arena_printf(w->a, "delete the Service (kubectl delete service %s) and apply; clients "
                                          "resolving it by name follow, connections in flight drop", w->o->name);
    if (under(w, "spec.clusterIP") || under(w, "spec.clusterIPs"))
        return must(IMPACT_RECREATE, "Service clusterIP is immutable", todo);
    if (under(w, "spec.type") && (str_is(want, "ExternalName") || str_is(have, "ExternalName")))
        return must(IMPACT_RECREATE, "Service type to or from ExternalName", todo);
    return verdict(IMPACT_IN_PLACE, "in place");
}

static Verdict classify_pvc(Walker *w, const Data *want, const Data *have)
{
    if (drift_path_match("spec.resources.requests.storage", "PersistentVolumeClaim", &w->path))
        return size_change(w->a, want, have, IMPACT_IN_PLACE, NULL);
    if (under(w, "spec"))
        return must(IMPACT_RECREATE, "PersistentVolumeClaim spec is immutable (except a size increase)",
                    arena_printf(w->a, "keep the claim as it is, or: stop its users, copy the data out (a backup, "
                                       "docs/backup.md), kubectl delete pvc %s, apply, restore", w->o->name));
    return verdict(IMPACT_IN_PLACE, "in place");
}

/* The Goverse config.yaml held in a ConfigMap value; NULL when it is not YAML. */
static Data *parse_yaml_text(Arena *a, const Data *text)
{
    if (!text || text->kind != DATA_STR)
        return NULL;
    SourceMap map;
    source_map_init(&map, a);
    SourceFile *file = source_add(&map, "config.yaml", text->u.str.s, text->u.str.len);
    DiagSink sink;
    diag_init(&sink, &map, a);
    Data **docs = NULL;
    int n = yaml_read(a, file, &docs, &sink);
    return n >= 1 ? docs[0] : NULL;
}

static Verdict classify_configmap(Walker *w, const Data *want, const Data *have)
{
    if (!under(w, "data") && !under(w, "binaryData"))
        return verdict(IMPACT_IN_PLACE, "in place");
    if (drift_path_match("data.<config.yaml>", "ConfigMap", &w->path)) {
        const Data *sw = data_path(parse_yaml_text(w->a, want), "cluster");
        const Data *sh = data_path(parse_yaml_text(w->a, have), "cluster");
        if (sw && sh && !data_equal(data_get(sw, "shards"), data_get(sh, "shards")))
            return must(IMPACT_DATA_RISK, "Goverse cluster.shards changed: re-maps every object",
                        "keep the deployed shard count: Goverse does not move objects between shard counts; a new "
                        "count means a new cluster (empty etcd prefix) and migrating the objects' data");
    }
    return verdict(IMPACT_ROLLING_RESTART, "ConfigMap data changed");
}

static Verdict classify_change(Walker *w, const Data *want, const Data *have)
{
    const char *kind = w->o->kind;
    if (under(w, "metadata"))
        return verdict(IMPACT_IN_PLACE, "metadata");
    if (!strcmp(kind, "StatefulSet"))
        return classify_statefulset(w, want, have);
    if (!strcmp(kind, "Deployment") || !strcmp(kind, "DaemonSet"))
        return classify_workload(w);
    if (!strcmp(kind, "Job") && (under(w, "spec.template") || under(w, "spec.selector")))
        return must(IMPACT_RECREATE, "Job template is immutable",
                    arena_printf(w->a, "delete the Job (kubectl delete job %s) and apply: it runs again", w->o->name));
    if (!strcmp(kind, "Service"))
        return classify_service(w, want, have);
    if (!strcmp(kind, "PersistentVolumeClaim"))
        return classify_pvc(w, want, have);
    if (!strcmp(kind, "ConfigMap"))
        return classify_configmap(w, want, have);
    if (!strcmp(kind, "postgresql") && drift_path_match("spec.volume.size", kind, &w->path))
        return size_change(w->a, want, have, IMPACT_IN_PLACE, NULL);
    return verdict(IMPACT_IN_PLACE, "in place");
}

/* ---- change collection ---------------------------------------------------------------------- */

static void add_change(Walker *w, const Data *want, const Data *have, const char *what)
{
    Verdict v = classify_change(w, want, have);
    DriftChange *c = ARENA_NEW(w->a, DriftChange);
    c->path = drift_path_text(w->a, &w->path);
    c->impact = v.impact;
    c->reason = what ? arena_printf(w->a, "%s; %s", what, v.reason) : v.reason;
    c->todo = v.impact >= IMPACT_RECREATE ? v.todo : NULL;
    DriftObject *o = w->o;
    if (o->changes_tail)
        o->changes_tail->next = c;
    else
        o->changes = c;
    o->changes_tail = c;
}

static void walk(Walker *w, const Data *want, const Data *have);

static void walk_child(Walker *w, const char *seg, const char *label, const Data *want, const Data *have)
{
    if (!drift_path_push(&w->path, seg, label)) {
        if (!data_equal(want, have))
            add_change(w, want, have, "deeply nested value differs");
        return;
    }
    walk(w, want, have);
    drift_path_pop(&w->path);
}

static void walk_map(Walker *w, const Data *want, const Data *have)
{
    for (const Data *x = want->u.kids.first; x; x = x->next)
        walk_child(w, x->key, NULL, x, data_get(have, x->key));
    for (const Data *y = have->u.kids.first; y; y = y->next)
        if (!data_get(want, y->key))
            walk_child(w, y->key, NULL, NULL, y);
}

static const Data *find_item(const char *list_key, const Data *seq, const char *key)
{
    for (const Data *d = seq->u.kids.first; d; d = d->next) {
        const char *k = drift_item_key(list_key, d);
        if (k && !strcmp(k, key))
            return d;
    }
    return NULL;
}

static bool all_keyed(const char *list_key, const Data *seq)
{
    for (const Data *d = seq->u.kids.first; d; d = d->next)
        if (!drift_item_key(list_key, d))
            return false;
    return true;
}

/* The names both lists share appear in the same relative order. */
static bool same_relative_order(const char *list_key, const Data *want, const Data *have)
{
    const Data *h = have->u.kids.first;
    for (const Data *x = want->u.kids.first; x; x = x->next) {
        const char *key = drift_item_key(list_key, x);
        if (!find_item(list_key, have, key))
            continue;
        while (h && strcmp(drift_item_key(list_key, h), key) != 0)
            h = h->next;
        if (!h)
            return false;
    }
    return true;
}

static void walk_seq(Walker *w, const Data *want, const Data *have)
{
    const char *list_key = w->path.n ? w->path.seg[w->path.n - 1] : "";
    if (all_keyed(list_key, want) && all_keyed(list_key, have) && (want->u.kids.count || have->u.kids.count)) {
        if (!strcmp(list_key, "env") && drift_env_order_matters(want) && !same_relative_order(list_key, want, have))
            add_change(w, want, have, "env order changed ($(VAR) references expand in order)");
        for (const Data *x = want->u.kids.first; x; x = x->next) {
            const char *key = drift_item_key(list_key, x);
            walk_child(w, "[]", key, x, find_item(list_key, have, key));
        }
        for (const Data *y = have->u.kids.first; y; y = y->next) {
            const char *key = drift_item_key(list_key, y);
            if (!find_item(list_key, want, key))
                walk_child(w, "[]", key, NULL, y);
        }
        return;
    }
    const Data *x = want->u.kids.first, *y = have->u.kids.first;
    for (size_t i = 0; x || y; i++) {
        walk_child(w, "[]", arena_printf(w->a, "%zu", i), x, y);
        x = x ? x->next : NULL;
        y = y ? y->next : NULL;
    }
}

static void walk(Walker *w, const Data *want, const Data *have)
{
    if (!want || !have) {
        add_change(w, want, have, !want ? "present live, not described" : "described, missing live");
    } else if (want->kind != have->kind) {
        add_change(w, want, have, NULL);
    } else if (want->kind == DATA_MAP) {
        walk_map(w, want, have);
    } else if (want->kind == DATA_SEQ) {
        walk_seq(w, want, have);
    } else if (!data_equal(want, have)) {
        add_change(w, want, have, NULL);
    }
}

void drift_collect_changes(Arena *a, DriftObject *o)
{
    Walker w = {.a = a, .o = o};
    walk(&w, o->want, o->have);
    o->status = o->changes ? DRIFT_CHANGED : DRIFT_UNCHANGED;
}

/* ---- whole report ----------------------------------------------------------------------------- */

static bool names_configmap(const Data *d, const char *cm)
{
    if (!d)
        return false;
    if (d->kind == DATA_MAP) {
        for (const Data *k = d->u.kids.first; k; k = k->next) {
            bool ref = !strcmp(k->key, "configMap") || !strcmp(k->key, "configMapRef") ||
                       !strcmp(k->key, "configMapKeyRef");
            if (ref && str_is(data_get(k, "name"), cm))
                return true;
            if (names_configmap(k, cm))
                return true;
        }
    } else if (d->kind == DATA_SEQ) {
        for (const Data *k = d->u.kids.first; k; k = k->next)
            if (names_configmap(k, cm))
                return true;
    }
    return false;
}

/* "StatefulSet/goverse-node, Deployment/goverse-gate": the described workloads using ConfigMap cm. */
static const char *mounting_workloads(Arena *a, const DriftReport *r, const char *cm)
{
    const char *list = NULL;
    for (const DriftObject *o = r->objects; o; o = o->next) {
        const char *pod = drift_pod_spec_path(o->kind);
        if (!pod || !o->desired || !names_configmap(data_path(o->desired, pod), cm))
            continue;
        list = list ? arena_printf(a, "%s, %s/%s", list, o->kind, o->name) : arena_printf(a, "%s/%s", o->kind, o->name);
    }
    return list;
}

static void explain_configmap(Arena *a, const DriftReport *r, DriftObject *o)
{
    const char *users = NULL;
    bool looked = false;
    for (DriftChange *c = o->changes; c; c = c->next) {
        if (c->impact != IMPACT_ROLLING_RESTART)
            continue;
        if (!looked) {
            users = mounting_workloads(a, r, o->name);
            looked = true;
        }
        if (users) {
            c->reason = arena_printf(a, "%s: rolling restart of %s", c->reason, users);
        } else {
            c->impact = IMPACT_IN_PLACE;
            c->reason = arena_printf(a, "%s (no described workload mounts it)", c->reason);
        }
    }
}

static DriftImpact orphan_impact(Arena *a, DriftObject *o)
{
    if (!strcmp(o->kind, "PersistentVolumeClaim")) {
        o->todo = arena_printf(a, "goversec does not delete volumes: when its data is no longer needed (e.g. a "
                                  "removed etcd member's etcd-data-etcd-N), kubectl delete pvc %s", o->name);
        return IMPACT_DATA_RISK;
    }
    if (!strcmp(o->kind, "StatefulSet")) {
        o->todo = arena_printf(a, "back up what it holds first (docs/backup.md); then kubectl delete statefulset "
                                  "%s and, when their data is no longer needed, its claims", o->name);
        return IMPACT_DATA_RISK;
    }
    return IMPACT_IN_PLACE;
}

void drift_classify_report(Arena *a, DriftReport *r)
{
    r->nchanged = r->nmissing = r->norphaned = r->nunchanged = 0;
    r->destructive = false;
    for (DriftObject *o = r->objects; o; o = o->next) {
        if (o->status == DRIFT_CHANGED && !strcmp(o->kind, "ConfigMap"))
            explain_configmap(a, r, o);
        switch (o->status) {
        case DRIFT_UNCHANGED:
            o->impact = IMPACT_NONE;
            r->nunchanged++;
            break;
        case DRIFT_CHANGED:
            o->impact = IMPACT_NONE;
            for (const DriftChange *c = o->changes; c; c = c->next)
                if (c->impact > o->impact)
                    o->impact = c->impact;
            r->nchanged++;
            break;
        case DRIFT_MISSING:
            o->impact = IMPACT_IN_PLACE;
            r->nmissing++;
            break;
        case DRIFT_ORPHANED:
            o->impact = orphan_impact(a, o);
            r->norphaned++;
            break;
        }
        if (o->impact >= IMPACT_RECREATE)
            r->destructive = true;
    }
}

const char *drift_impact_name(DriftImpact impact)
{
    switch (impact) {
    case IMPACT_NONE:
        return "none";
    case IMPACT_IN_PLACE:
        return "in-place";
    case IMPACT_ROLLING_RESTART:
        return "rolling-restart";
    case IMPACT_RECREATE:
        return "needs-recreate";
    case IMPACT_DATA_RISK:
        return "data-risk";
    }
    return "none";
}

const char *drift_status_name(DriftStatus status)
{
    switch (status) {
    case DRIFT_UNCHANGED:
        return "unchanged";
    case DRIFT_CHANGED:
        return "changed";
    case DRIFT_MISSING:
        return "missing";
    case DRIFT_ORPHANED:
        return "orphaned";
    }
    return "unchanged";
}

int drift_exit_status(const DriftReport *r)
{
    if (r->destructive)
        return 3;
    return r->nchanged || r->nmissing || r->norphaned ? 1 : 0;
}
