/* normalize.c - makes a live object comparable with its desired one: drops server-populated
 * fields, drops server defaults the description left unset (defaults.c), aligns named lists and
 * map keys to the desired order (reordering is not drift), rewrites equivalent quantities and
 * int-or-string values to the desired spelling, and masks Secret values. */
#include <stdlib.h>
#include <string.h>

#include "drift.h"
#include "support/quantity.h"

static const char *const SERVER_METADATA[] = {
    "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
    "deletionTimestamp", "deletionGracePeriodSeconds",
};
/* Annotations written by kubectl or controllers, never by a description. */
static const char *const SERVER_ANNOTATIONS[] = {
    "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
    "kubectl.kubernetes.io/restartedAt",
};

static bool map_remove(Data *map, const char *key)
{
    if (!map || map->kind != DATA_MAP)
        return false;
    Data *prev = NULL;
    for (Data *d = map->u.kids.first; d; prev = d, d = d->next) {
        if (!d->key || strcmp(d->key, key) != 0)
            continue;
        if (prev)
            prev->next = d->next;
        else
            map->u.kids.first = d->next;
        if (map->u.kids.last == d)
            map->u.kids.last = prev;
        map->u.kids.count--;
        return true;
    }
    return false;
}

static bool is_container(const Data *d)
{
    return d && (d->kind == DATA_MAP || d->kind == DATA_SEQ);
}

/* Every nested metadata (pod and claim templates) carries `creationTimestamp: null`. */
static void strip_nested_timestamps(Data *d)
{
    if (!is_container(d))
        return;
    for (Data *k = d->u.kids.first; k; k = k->next) {
        if (d->kind == DATA_MAP && k->key && strcmp(k->key, "metadata") == 0)
            map_remove(k, "creationTimestamp");
        strip_nested_timestamps(k);
    }
}

/* Helm stamps ownership on every object it installs (not the chart: Helm 3 and 4 alike):
 * annotations meta.helm.sh/release-name and -namespace, and app.kubernetes.io/managed-by: Helm in
 * place of the chart's goversec; the chart adds helm.sh/chart. For an object of a Helm release
 * (it has the release-name annotation) these are not drift: dropped, and managed-by read as ours. */
static void strip_helm_ownership(Arena *a, Data *meta)
{
    Data *ann = data_get(meta, "annotations");
    if (!data_get(ann, "meta.helm.sh/release-name"))
        return;
    map_remove(ann, "meta.helm.sh/release-name");
    map_remove(ann, "meta.helm.sh/release-namespace");
    if (ann->u.kids.count == 0)
        map_remove(meta, "annotations");
    Data *labels = data_get(meta, "labels");
    map_remove(labels, "helm.sh/chart");
    const Data *by = data_get(labels, "app.kubernetes.io/managed-by");
    if (by && by->kind == DATA_STR && strcmp(by->u.str.s, "Helm") == 0) {
        map_remove(labels, "app.kubernetes.io/managed-by");
        data_put(a, labels, "app.kubernetes.io/managed-by", data_str(a, "goversec"));
    }
}

static void strip_annotations(Data *meta)
{
    Data *ann = data_get(meta, "annotations");
    if (!ann || ann->kind != DATA_MAP)
        return;
    for (size_t i = 0; i < sizeof SERVER_ANNOTATIONS / sizeof *SERVER_ANNOTATIONS; i++)
        map_remove(ann, SERVER_ANNOTATIONS[i]);
    if (ann->u.kids.count == 0)
        map_remove(meta, "annotations");
}

Data *drift_strip_server_fields(Arena *a, const Data *live)
{
    Data *obj = data_clone(a, live);
    if (!obj || obj->kind != DATA_MAP)
        return obj;
    map_remove(obj, "status");
    Data *meta = data_get(obj, "metadata");
    if (meta && meta->kind == DATA_MAP) {
        for (size_t i = 0; i < sizeof SERVER_METADATA / sizeof *SERVER_METADATA; i++)
            map_remove(meta, SERVER_METADATA[i]);
        strip_helm_ownership(a, meta);
        strip_annotations(meta);
    }
    Data *tmpl = data_path(obj, "spec.template.metadata");
    if (tmpl)
        strip_annotations(tmpl);
    strip_nested_timestamps(obj);
    return obj;
}

void drift_drop_replicas(Data *obj)
{
    map_remove(data_get(obj, "spec"), "replicas");
}

/* ---- list identity -------------------------------------------------------------------------- */

static const char *str_field(const Data *map, const char *key)
{
    const Data *d = data_get(map, key);
    return d && d->kind == DATA_STR ? d->u.str.s : NULL;
}

const char *drift_item_key(const char *list_key, const Data *item)
{
    static const char *const named[] = {"containers", "initContainers", "ephemeralContainers", "env",
                                        "ports", "volumes", "imagePullSecrets"};
    if (!list_key || !item || item->kind != DATA_MAP)
        return NULL;
    if (strcmp(list_key, "volumeMounts") == 0)
        return str_field(item, "mountPath");
    if (strcmp(list_key, "volumeClaimTemplates") == 0)
        return str_field(data_get(item, "metadata"), "name");
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (strcmp(list_key, named[i]) == 0)
            return str_field(item, "name");
    return NULL;
}

/* $(VAR) in an env value expands only variables defined earlier in the list. */
bool drift_env_order_matters(const Data *env_seq)
{
    if (!env_seq || env_seq->kind != DATA_SEQ)
        return false;
    for (const Data *e = env_seq->u.kids.first; e; e = e->next) {
        const char *v = str_field(e, "value");
        if (v && strstr(v, "$("))
            return true;
    }
    return false;
}

/* True when every item of both lists has a key (a list of named items). */
static bool keyed_list(const char *list_key, const Data *want, const Data *have)
{
    const Data *lists[2] = {want, have};
    bool any = false;
    for (int i = 0; i < 2; i++) {
        if (!lists[i] || lists[i]->kind != DATA_SEQ)
            continue;
        for (const Data *d = lists[i]->u.kids.first; d; d = d->next) {
            if (!drift_item_key(list_key, d))
                return false;
            any = true;
        }
    }
    return any;
}

static Data *find_keyed(const char *list_key, const Data *seq, const char *key)
{
    if (!seq || seq->kind != DATA_SEQ)
        return NULL;
    for (Data *d = seq->u.kids.first; d; d = d->next) {
        const char *k = drift_item_key(list_key, d);
        if (k && strcmp(k, key) == 0)
            return d;
    }
    return NULL;
}

/* ---- equivalent scalars --------------------------------------------------------------------- */

static const char *last_seg(const DriftPath *p, int back)
{
    return p->n > back ? p->seg[p->n - 1 - back] : "";
}

bool drift_quantity_key(const DriftPath *p)
{
    const char *last = last_seg(p, 0);
    if (!strcmp(last, "storage") || !strcmp(last, "size") || !strcmp(last, "sizeLimit"))
        return true;
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->seg[i], "requests") || !strcmp(p->seg[i], "limits") || !strcmp(p->seg[i], "hard"))
            return true;
    return false;
}

bool drift_int_or_string_key(const DriftPath *p)
{
    static const char *const keys[] = {"targetPort", "port", "maxSurge", "maxUnavailable", "minAvailable"};
    const char *last = last_seg(p, 0);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strcmp(last, keys[i]))
            return true;
    return false;
}

static bool equivalent_scalars(Arena *a, const DriftPath *p, const Data *want, const Data *have)
{
    const char *w = drift_scalar_text(a, want), *h = drift_scalar_text(a, have);
    if (!w || !h)
        return false;
    if (drift_quantity_key(p) && quantity_equal_text(w, h))
        return true;
    return drift_int_or_string_key(p) && strcmp(w, h) == 0 &&
           (want->kind == DATA_INT || want->kind == DATA_STR) &&
           (have->kind == DATA_INT || have->kind == DATA_STR);
}

/* ---- alignment -------------------------------------------------------------------------------- */

typedef struct Aligner {
    Arena *a;
    const char *kind;
    DriftPath path;
} Aligner;

static void align(Aligner *al, const Data *want, Data *have);

static void relink(Data *parent, Data **items, size_t n)
{
    parent->u.kids.first = n ? items[0] : NULL;
    parent->u.kids.last = n ? items[n - 1] : NULL;
    for (size_t i = 0; i < n; i++)
        items[i]->next = i + 1 < n ? items[i + 1] : NULL;
    parent->u.kids.count = n;
}

static void align_map(Aligner *al, const Data *want, Data *have)
{
    if (want && want->kind != DATA_MAP)
        want = NULL;
    size_t n = have->u.kids.count, k = 0;
    Data **order = ARENA_ARRAY(al->a, Data *, n + 1);
    /* Desired key order first, then live-only keys as they came. */
    if (want)
        for (const Data *w = want->u.kids.first; w; w = w->next) {
            Data *h = data_get(have, w->key);
            if (h)
                order[k++] = h;
        }
    for (Data *h = have->u.kids.first; h; h = h->next)
        if (!want || !data_get(want, h->key))
            order[k++] = h;
    size_t kept = 0;
    for (size_t i = 0; i < k; i++) {
        Data *h = order[i];
        const Data *w = want ? data_get(want, h->key) : NULL;
        if (!drift_path_push(&al->path, h->key, NULL)) {
            order[kept++] = h;
            continue;
        }
        bool drop = !w && drift_is_server_default(al->kind, &al->path, h, have);
        if (!drop) {
            bool was_full = is_container(h) && h->u.kids.count > 0;
            align(al, w, h);
            drop = !w && was_full && h->u.kids.count == 0; /* emptied by dropping defaults */
        }
        drift_path_pop(&al->path);
        if (!drop)
            order[kept++] = h;
    }
    relink(have, order, kept);
}

static void align_seq(Aligner *al, const Data *want, Data *have)
{
    if (want && want->kind != DATA_SEQ)
        want = NULL;
    const char *list_key = last_seg(&al->path, 0);
    bool keyed = keyed_list(list_key, want, have);
    bool reorder = keyed && !(strcmp(list_key, "env") == 0 && drift_env_order_matters(want));
    size_t n = have->u.kids.count, k = 0;
    Data **order = ARENA_ARRAY(al->a, Data *, n + 1);
    if (reorder) {
        bool *used = ARENA_ARRAY(al->a, bool, n + 1);
        for (const Data *w = want ? want->u.kids.first : NULL; w; w = w->next) {
            size_t i = 0;
            for (Data *h = have->u.kids.first; h; h = h->next, i++)
                if (!used[i] && strcmp(drift_item_key(list_key, h), drift_item_key(list_key, w)) == 0) {
                    used[i] = true;
                    order[k++] = h;
                    break;
                }
        }
        size_t i = 0;
        for (Data *h = have->u.kids.first; h; h = h->next, i++)
            if (!used[i])
                order[k++] = h;
        relink(have, order, k);
    }
    const Data *w = want ? want->u.kids.first : NULL;
    size_t index = 0;
    for (Data *h = have->u.kids.first; h; h = h->next, index++) {
        const char *key = keyed ? drift_item_key(list_key, h) : NULL;
        const Data *peer = keyed ? find_keyed(list_key, want, key) : w;
        const char *label = key ? key : arena_printf(al->a, "%zu", index);
        if (drift_path_push(&al->path, "[]", label)) {
            align(al, peer, h);
            drift_path_pop(&al->path);
        }
        if (w)
            w = w->next;
    }
}

static void align(Aligner *al, const Data *want, Data *have)
{
    if (!have)
        return;
    if (have->kind == DATA_MAP) {
        align_map(al, want, have);
    } else if (have->kind == DATA_SEQ) {
        align_seq(al, want, have);
    } else if (want && want->kind == DATA_STR && have->kind == DATA_STR) {
        /* Same presentation as the desired side, so the YAML diff shows values, not quoting;
         * a literal block makes a changed config.yaml diff line by line. */
        have->style = want->style;
    }
    if (want && !is_container(want) && !is_container(have) && !data_equal(want, have) &&
        equivalent_scalars(al->a, &al->path, want, have)) {
        const char *key = have->key;
        Data *next = have->next;
        *have = *want;
        have->key = key;
        have->next = next;
    }
}

void drift_normalize_pair(Arena *a, const char *kind, const Data *want, Data *have)
{
    Aligner al = {.a = a, .kind = kind};
    align(&al, want, have);
}
