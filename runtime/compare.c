/* compare.c - matching desired and live objects (API group + kind + namespace + name), finding
 * orphans (live objects labelled managed-by=goversec and instance=<cluster>, or listed in the
 * inventory, that the description no longer has), and running normalisation, change collection
 * and classification for each pair. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "drift.h"
#include "drift_hash.h"
#include "yaml/yamlio.h"

typedef struct LiveEntry {
    const char *key;
    Data *obj;
    bool matched;
    UT_hash_handle hh;
} LiveEntry;

const char *drift_scalar_text(Arena *a, const Data *d)
{
    if (!d)
        return NULL;
    switch (d->kind) {
    case DATA_STR:
        return d->u.str.s;
    case DATA_INT:
        return arena_printf(a, "%" PRId64, d->u.i);
    case DATA_BOOL:
        return d->u.b ? "true" : "false";
    case DATA_FLOAT:
        return arena_printf(a, "%g", d->u.f);
    case DATA_NULL:
        return "null";
    case DATA_MAP:
    case DATA_SEQ:
        return NULL;
    }
    return NULL;
}

static const char *str_at(const Data *d, const char *path)
{
    const Data *v = data_path(d, path);
    return v && v->kind == DATA_STR ? v->u.str.s : NULL;
}

static const char *group_of(Arena *a, const Data *obj)
{
    const char *av = str_at(obj, "apiVersion");
    const char *slash = av ? strchr(av, '/') : NULL;
    return slash ? arena_strndup(a, av, (size_t)(slash - av)) : "";
}

static bool cluster_scoped(const char *kind)
{
    return !strcmp(kind, "Namespace") || !strcmp(kind, "ClusterRole") ||
           !strcmp(kind, "ClusterRoleBinding") || !strcmp(kind, "StorageClass");
}

static DriftObject *new_object(Arena *a, const DriftInput *in, const Data *obj)
{
    DriftObject *o = ARENA_NEW(a, DriftObject);
    const char *kind = str_at(obj, "kind");
    o->kind = kind ? kind : "";
    o->group = group_of(a, obj);
    const char *name = str_at(obj, "metadata.name");
    o->name = name ? name : "";
    const char *ns = str_at(obj, "metadata.namespace");
    o->ns = cluster_scoped(o->kind) ? "" : ns ? ns : in->namespace_name ? in->namespace_name : "";
    return o;
}

static const char *object_key(Arena *a, const DriftObject *o)
{
    return arena_printf(a, "%s|%s|%s|%s", o->group, o->kind, o->ns, o->name);
}

static void append(DriftReport *r, DriftObject *o)
{
    if (r->tail)
        r->tail->next = o;
    else
        r->objects = o;
    r->tail = o;
    r->count++;
}

/* Workloads scaled by a described HorizontalPodAutoscaler: their replicas are the HPA's to set.
 * Collected once per comparison (a handful), not per object. */
typedef struct HpaTargets {
    const char **kinds, **names;
    size_t n;
} HpaTargets;

static HpaTargets hpa_targets(Arena *a, const DriftInput *in)
{
    HpaTargets t = {NULL, NULL, 0};
    size_t cap = 0;
    for (size_t i = 0; i < in->ndesired; i++) {
        const char *kind = str_at(in->desired[i], "kind");
        if (kind && !strcmp(kind, "HorizontalPodAutoscaler"))
            cap++;
    }
    t.kinds = ARENA_ARRAY(a, const char *, cap + 1);
    t.names = ARENA_ARRAY(a, const char *, cap + 1);
    for (size_t i = 0; i < in->ndesired && cap; i++) {
        const Data *d = in->desired[i];
        const char *kind = str_at(d, "kind");
        const char *tk = str_at(d, "spec.scaleTargetRef.kind"), *tn = str_at(d, "spec.scaleTargetRef.name");
        if (kind && !strcmp(kind, "HorizontalPodAutoscaler") && tk && tn) {
            t.kinds[t.n] = tk;
            t.names[t.n++] = tn;
        }
    }
    return t;
}

static bool is_hpa_target(const HpaTargets *t, const DriftObject *o)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->kinds[i], o->kind) && !strcmp(t->names[i], o->name))
            return true;
    return false;
}

static void compare_pair(Arena *a, const DriftInput *in, const HpaTargets *hpa, DriftObject *o)
{
    /* Only Secrets (masking) and HPA targets (replicas) modify the desired side. */
    bool hpa_target = is_hpa_target(hpa, o), secret = !strcmp(o->kind, "Secret");
    o->want = hpa_target || secret ? data_clone(a, o->desired) : o->desired;
    o->have = drift_strip_server_fields(a, o->live);
    /* kubectl answers in the server's preferred version of the same group: not drift. */
    Data *av = data_get(o->want, "apiVersion");
    if (av)
        data_set_path(a, o->have, "apiVersion", data_clone(a, av));
    if (secret)
        drift_mask_secret(a, o->want, o->have);
    if (hpa_target) {
        drift_drop_replicas(o->want);
        drift_drop_replicas(o->have);
    }
    drift_normalize_pair(a, o->kind, o->want, o->have);
    drift_collect_changes(a, o);
    if (o->status == DRIFT_CHANGED && in->want_diff_text) {
        size_t len;
        const char *old_text = yaml_write_one(a, o->have, &len);
        const char *new_text = yaml_write_one(a, o->want, &len);
        const char *label = arena_printf(a, "%s/%s", o->kind, o->name);
        o->diff_text = drift_unified_diff(a, old_text, new_text, arena_printf(a, "live %s", label),
                                          arena_printf(a, "desired %s", label));
    }
}

/* Ours: managed-by goversec, or managed-by Helm (which overwrites the chart's goversec) on an
 * object of a Helm release, with instance <cluster>. */
static bool labelled_ours(const Data *obj, const char *cluster)
{
    const Data *labels = data_path(obj, "metadata.labels");
    const Data *by = data_get(labels, "app.kubernetes.io/managed-by");
    const Data *inst = data_get(labels, "app.kubernetes.io/instance");
    if (!by || by->kind != DATA_STR || !inst || inst->kind != DATA_STR || !cluster ||
        strcmp(inst->u.str.s, cluster) != 0)
        return false;
    if (!strcmp(by->u.str.s, "goversec"))
        return true;
    return !strcmp(by->u.str.s, "Helm") &&
           data_get(data_path(obj, "metadata.annotations"), "meta.helm.sh/release-name");
}

static bool in_inventory(Arena *a, const DriftInput *in, const DriftObject *o)
{
    const char *plain = arena_printf(a, "%s/%s", o->kind, o->name);
    const char *grouped = arena_printf(a, "%s.%s/%s", o->kind, o->group, o->name);
    for (size_t i = 0; i < in->ninventory; i++)
        if (!strcmp(in->inventory[i], plain) || !strcmp(in->inventory[i], grouped))
            return true;
    return false;
}

/* A claim "<template>-<statefulset>-<ordinal>" belongs to a described StatefulSet: Kubernetes keeps
 * claims on scale-down by design, so they are not orphans while the StatefulSet exists. */
static bool claim_of_desired_statefulset(Arena *a, const DriftInput *in, const char *claim)
{
    for (size_t i = 0; i < in->ndesired; i++) {
        const Data *d = in->desired[i];
        const char *kind = str_at(d, "kind"), *sts = str_at(d, "metadata.name");
        const Data *vcts = data_path(d, "spec.volumeClaimTemplates");
        if (!kind || strcmp(kind, "StatefulSet") || !sts || !vcts || vcts->kind != DATA_SEQ)
            continue;
        for (const Data *v = vcts->u.kids.first; v; v = v->next) {
            const char *tmpl = str_at(v, "metadata.name");
            const char *prefix = tmpl ? arena_printf(a, "%s-%s-", tmpl, sts) : NULL;
            if (prefix && !strncmp(claim, prefix, strlen(prefix)) &&
                strspn(claim + strlen(prefix), "0123456789") == strlen(claim + strlen(prefix)))
                return true;
        }
    }
    return false;
}

static void add_orphans(Arena *a, const DriftInput *in, DriftReport *r, LiveEntry *table)
{
    for (size_t i = 0; i < in->nlive; i++) {
        DriftObject *o = new_object(a, in, in->live[i]);
        LiveEntry *e = NULL;
        const char *key = object_key(a, o);
        HASH_FIND_STR(table, key, e);
        if (!e || e->matched || e->obj != in->live[i])
            continue;
        if (!labelled_ours(in->live[i], in->cluster) && !in_inventory(a, in, o))
            continue;
        if (!strcmp(o->kind, "PersistentVolumeClaim") && claim_of_desired_statefulset(a, in, o->name))
            continue;
        o->live = in->live[i];
        o->have = drift_strip_server_fields(a, o->live);
        if (!strcmp(o->kind, "Secret"))
            drift_mask_secret(a, NULL, o->have);
        o->status = DRIFT_ORPHANED;
        append(r, o);
    }
}

DriftReport *drift_compare(Arena *a, const DriftInput *in)
{
    Arena *hash_arena = a;
    DriftReport *r = ARENA_NEW(a, DriftReport);
    r->cluster = in->cluster;
    r->namespace_name = in->namespace_name;
    LiveEntry *table = NULL;
    HpaTargets hpa = hpa_targets(a, in);
    for (size_t i = 0; i < in->nlive; i++) {
        DriftObject *o = new_object(a, in, in->live[i]);
        LiveEntry *e = ARENA_NEW(a, LiveEntry);
        e->key = object_key(a, o);
        e->obj = in->live[i];
        LiveEntry *dup = NULL;
        HASH_FIND_STR(table, e->key, dup);
        if (!dup)
            HASH_ADD_KEYPTR(hh, table, e->key, strlen(e->key), e);
    }
    for (size_t i = 0; i < in->ndesired; i++) {
        DriftObject *o = new_object(a, in, in->desired[i]);
        o->desired = in->desired[i];
        LiveEntry *e = NULL;
        const char *key = object_key(a, o);
        HASH_FIND_STR(table, key, e);
        if (e) {
            e->matched = true;
            o->live = e->obj;
            compare_pair(a, in, &hpa, o);
        } else {
            o->want = o->desired;
            o->status = DRIFT_MISSING;
        }
        append(r, o);
    }
    add_orphans(a, in, r, table);
    drift_classify_report(a, r);
    return r;
}

DriftObject *drift_find(const DriftReport *r, const char *group, const char *kind, const char *name)
{
    for (DriftObject *o = r->objects; o; o = o->next)
        if (!strcmp(o->kind, kind) && !strcmp(o->name, name) && (!group || !strcmp(o->group, group)))
            return o;
    return NULL;
}
