/* lower.c - lowering entry point: Model -> Ir, one IrCluster per cluster. Owns the table of
 * design-document defaults, the knob registration helpers (image, resources, storage, ports) and
 * the Namespace object. Knobs are registered first, in values.yaml order (design section 5), then
 * objects in apply order, because the config and the pod templates reference knobs of several
 * components. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower/lower.h"
#include "lower/lower_internal.h"
#include "support/quantity.h"

/* Design sections 3, 4 and 5: what a component gets when the model leaves a field unset. */
static const LowerDefaults DEFAULTS[] = {
    {"nodes", "", "goverse/node", "latest", "IfNotPresent", "500m", "2", "512Mi", "2Gi", "20Gi", 50051, 8080},
    {"gates", "", "goverse/gate", "latest", "IfNotPresent", "200m", "1", "256Mi", "1Gi", "", 60051, 8080},
    {"etcd", "quay.io", "coreos/etcd", "v3.5.11", "IfNotPresent", "100m", "500m", "128Mi", "512Mi", "10Gi", 2379, 2380},
    {"postgres.internal", "", "postgres", "15.10", "IfNotPresent", "500m", "2", "1Gi", "4Gi", "100Gi", 5432, 0},
    {"postgres.operator", "", "", "", "", "500m", "2", "1Gi", "4Gi", "100Gi", 5432, 0},
    /* Shell image of the etcd backup/restore Jobs: the etcd image has none (distroless). */
    {"etcd.backup.shell", "", "busybox", "1.36.1", "IfNotPresent", "", "", "", "", "", 0, 0},
    /* Containers of the backup CronJobs and restore Jobs (etcdctl/etcdutl/busybox, pg_dump/pg_restore). */
    {"etcd.backup", "", "", "", "", "100m", "1", "128Mi", "1Gi", "", 0, 0},
    {"postgres.backup", "", "", "", "", "100m", "1", "256Mi", "1Gi", "", 0, 0},
    /* Shell of the node's init container that adds the PostgreSQL password to its config. */
    {"nodes.configRenderer", "", "busybox", "1.36.1", "IfNotPresent", "", "", "", "", "", 0, 0},
    /* Goverse's cmd/pgadmin; the model's nodes image supplies registry and tag (lower_nodes.c). */
    {"nodes.schemaInit", "", "goverse/pgadmin", "latest", "IfNotPresent", "", "", "", "", "", 0, 0},
    {"inspector", "", "goverse/inspector", "latest", "IfNotPresent", "100m", "500m", "128Mi", "512Mi", "", 8081, 8080},
};

static const char *const PULL_POLICIES[] = {"IfNotPresent", "Always", "Never", NULL};

const LowerDefaults *lower_defaults(const char *prefix)
{
    /* By address first: callers pass literals, which the linker merges with this table's. */
    for (size_t i = 0; i < sizeof DEFAULTS / sizeof DEFAULTS[0]; i++)
        if (DEFAULTS[i].prefix == prefix)
            return &DEFAULTS[i];
    for (size_t i = 0; i < sizeof DEFAULTS / sizeof DEFAULTS[0]; i++)
        if (strcmp(DEFAULTS[i].prefix, prefix) == 0)
            return &DEFAULTS[i];
    fprintf(stderr, "goversec: internal error: no lowering defaults for '%s'\n", prefix);
    abort();
}

/* ---- knobs ---------------------------------------------------------------------------------- */

/* Lowering names its knobs by string literals, the same literal from the same call site again
 * and again (~700 lookups per cluster). The recent ones are remembered by the address of the
 * path they were asked by: a hit costs a strcmp (which also makes a reused buffer safe; none when
 * the knob was registered with that very literal) instead of strlen, hash and strcmp.
 * Direct-mapped, one per lowering. */
enum { KNOB_CACHE = 256 };

struct LowerKnobCache {
    const char *path;   /* lower_knob: the path; lower_knob_at: REST */
    const char *prefix; /* lower_knob_at: PREFIX; NULL for lower_knob's entries */
    const Knob *knob;
};

/* A misspelt path is a bug in this module, not an input error: fail loudly. */
const Knob *lower_knob(const Lower *l, const char *path)
{
    struct LowerKnobCache *slot = &l->knob_cache[((uintptr_t)path >> 3) * 0x9e3779b97f4a7c15ULL >> 56]; /* 0..255 */
    if (slot->path == path && !slot->prefix && (slot->knob->path == path || strcmp(slot->knob->path, path) == 0))
        return slot->knob;
    const Knob *k = ir_find_knob(l->ir, path);
    if (!k) {
        fprintf(stderr, "goversec: internal error: knob '%s' referenced before registration\n", path);
        abort();
    }
    *slot = (struct LowerKnobCache){path, NULL, k};
    return k;
}

/* PREFIX.REST, looked up in a stack buffer: fragments name a component's knobs this way hundreds
 * of times per cluster, and building each path in the arena first cost more than the lookup.
 * The same (prefix, rest) pairs come back (every container of a component, every restore Job),
 * so lower_knob's cache also remembers them, by the two addresses, in the slots of `rest`'s
 * address; a hit is confirmed by comparing the knob's path with both pieces. */
const Knob *lower_knob_at(const Lower *l, const char *prefix, const char *rest)
{
    size_t np = strlen(prefix);
    struct LowerKnobCache *slot = &l->knob_cache[((uintptr_t)rest >> 3) * 0x9e3779b97f4a7c15ULL >> 56];
    if (slot->path == rest && slot->prefix == prefix && strncmp(slot->knob->path, prefix, np) == 0 &&
        slot->knob->path[np] == '.' && strcmp(slot->knob->path + np + 1, rest) == 0)
        return slot->knob;
    char buf[256];
    size_t nr = strlen(rest);
    const Knob *k;
    if (np + 1 + nr >= sizeof buf) {
        k = lower_knob(l, arena_concat(l->a, prefix, ".", rest, NULL));
    } else {
        memcpy(buf, prefix, np);
        buf[np] = '.';
        memcpy(buf + np + 1, rest, nr + 1);
        k = ir_find_knob_n(l->ir, buf, np + 1 + nr);
        if (!k)
            k = lower_knob(l, buf); /* reports the missing knob */
    }
    *slot = (struct LowerKnobCache){rest, prefix, k};
    return k;
}

IrNode *lower_ref(const Lower *l, const char *path) { return ir_ref(l->a, lower_knob(l, path)); }

/* ~12 prefixes per cluster (components, backup shells, init containers): a short list, searched
 * by address (a prefix is a literal passed from several files, which the toolchain merges), then
 * by text. Each record's two halves are filled on first use. */
enum { PREFIX_KNOBS = 16 };

struct LowerPrefixKnobs {
    const char *prefix;
    LowerImageKnobs image;        /* registry NULL: not looked up yet */
    LowerResourceKnobs resources; /* cpu_request NULL: not looked up yet */
};

static struct LowerPrefixKnobs *prefix_knobs(Lower *l, const char *prefix)
{
    for (int i = 0; i < l->nprefix_knobs; i++)
        if (l->prefix_knobs[i].prefix == prefix)
            return &l->prefix_knobs[i];
    for (int i = 0; i < l->nprefix_knobs; i++)
        if (strcmp(l->prefix_knobs[i].prefix, prefix) == 0)
            return &l->prefix_knobs[i];
    struct LowerPrefixKnobs *p = l->nprefix_knobs < PREFIX_KNOBS ? &l->prefix_knobs[l->nprefix_knobs++]
                                                                 : ARENA_NEW(l->a, struct LowerPrefixKnobs);
    *p = (struct LowerPrefixKnobs){.prefix = prefix};
    return p;
}

const LowerImageKnobs *lower_image_knobs(Lower *l, const char *prefix)
{
    struct LowerPrefixKnobs *p = prefix_knobs(l, prefix);
    if (!p->image.registry)
        p->image = (LowerImageKnobs){lower_knob_at(l, prefix, "image.registry"),
                                     lower_knob_at(l, prefix, "image.repository"),
                                     lower_knob_at(l, prefix, "image.tag"),
                                     lower_knob_at(l, prefix, "image.pullPolicy")};
    return &p->image;
}

const LowerResourceKnobs *lower_resource_knobs(Lower *l, const char *prefix)
{
    struct LowerPrefixKnobs *p = prefix_knobs(l, prefix);
    if (!p->resources.cpu_request)
        p->resources = (LowerResourceKnobs){lower_knob_at(l, prefix, "resources.requests.cpu"),
                                            lower_knob_at(l, prefix, "resources.requests.memory"),
                                            lower_knob_at(l, prefix, "resources.limits.cpu"),
                                            lower_knob_at(l, prefix, "resources.limits.memory")};
    return &p->resources;
}

/* A knob's test ("k is true") and its negation, one IrCond each per knob (conditions are never
 * changed once built): a knob guards many nodes, and ir_same_shape, comparing a fleet's clusters,
 * then meets the same pair of conditions again and remembers it instead of walking both.
 * Direct-mapped by the knob's address; a collision only builds a new condition. */
struct LowerCondCache {
    const Knob *knob;
    const IrCond *is, *is_not;
};

static struct LowerCondCache *cond_slot(const Lower *l, const Knob *k)
{
    return &l->cond_cache[((uintptr_t)k >> 3) * 0x9e3779b97f4a7c15ULL >> 56]; /* 0..255 */
}

const IrCond *lower_if_knob(const Lower *l, const Knob *k)
{
    struct LowerCondCache *slot = cond_slot(l, k);
    if (slot->knob != k)
        *slot = (struct LowerCondCache){k, ir_cond_knob(l->a, k), NULL};
    return slot->is;
}

const IrCond *lower_if(const Lower *l, const char *path) { return lower_if_knob(l, lower_knob(l, path)); }

const IrCond *lower_unless(const Lower *l, const char *path)
{
    const Knob *k = lower_knob(l, path);
    const IrCond *is = lower_if_knob(l, k);
    struct LowerCondCache *slot = cond_slot(l, k);
    if (!slot->is_not)
        slot->is_not = ir_cond_not(l->a, is);
    return slot->is_not;
}

const char *lower_pick(const char *model, const char *def) { return model && *model ? model : def; }

Knob *lower_knob_bool(Lower *l, const char *path, bool def, const char *desc)
{
    return ir_knob(l->a, l->ir, path, KNOB_BOOL, data_bool(l->a, def), desc);
}

Knob *lower_knob_int(Lower *l, const char *path, int64_t def, int64_t min, int64_t max, const char *desc)
{
    Knob *k = ir_knob(l->a, l->ir, path, KNOB_INT, data_int(l->a, def), desc);
    k->min = min;
    k->max = max;
    return k;
}

/* Empty defaults mean "none" (no limit, default storage class, no issuer): such knobs are nullable. */
Knob *lower_knob_str(Lower *l, const char *path, KnobType type, const char *def, const char *desc)
{
    /* The default's text is kept, not copied: literals, model strings and arena strings all
     * outlive the IR (the knob keeps its path the same way). */
    const char *text = def ? def : "";
    Knob *k = ir_knob(l->a, l->ir, path, type, data_str_kept(l->a, text, strlen(text)), desc);
    k->nullable = !def || !*def;
    return k;
}

Knob *lower_knob_port(Lower *l, const char *path, int model_port, int def, const char *desc)
{
    return lower_knob_int(l, path, model_port > 0 ? model_port : def, 1, 65535, desc);
}

/* PREFIX.REST in the arena (a knob keeps its path). Two memcpy: arena_concat's variadic walk cost
 * several times as much for the ~60 paths per cluster built here. */
static char *path_join(Lower *l, const char *prefix, const char *rest)
{
    size_t np = strlen(prefix), nr = strlen(rest);
    char *p = arena_alloc_raw(l->a, np + nr + 2);
    memcpy(p, prefix, np);
    p[np] = '.';
    memcpy(p + np + 1, rest, nr + 1);
    return p;
}

void lower_knobs_image(Lower *l, const char *prefix, const Image *img)
{
    const LowerDefaults *d = lower_defaults(prefix);
    /* A model image without a repository is an unset image: take the whole default, so a
     * registry of one image is never paired with the repository of another. */
    bool set = img && img->repository && *img->repository;
    lower_knob_str(l, path_join(l, prefix, "image.registry"), KNOB_STRING,
                   set ? img->registry : d->registry, "image registry (empty: none, or global.imageRegistry)")
        ->nullable = true;
    lower_knob_str(l, path_join(l, prefix, "image.repository"), KNOB_STRING,
                   set ? img->repository : d->repository, "image repository");
    lower_knob_str(l, path_join(l, prefix, "image.tag"), KNOB_STRING,
                   set ? lower_pick(img->tag, d->tag) : d->tag, "image tag");
    Knob *pp = lower_knob_str(l, path_join(l, prefix, "image.pullPolicy"), KNOB_ENUM,
                              set ? lower_pick(img->pull_policy, d->pull_policy) : d->pull_policy,
                              "imagePullPolicy of the container");
    pp->choices = PULL_POLICIES;
}

static const char *qty_text(Lower *l, Quantity q)
{
    char buf[64];
    return arena_strdup(l->a, quantity_format(q, buf, sizeof buf));
}

static void resource_knob(Lower *l, const char *path, KnobType type, const char *value, const char *desc)
{
    lower_knob_str(l, path, type, value, desc);
}

void lower_knobs_resources(Lower *l, const char *prefix, const Resources *r)
{
    const LowerDefaults *d = lower_defaults(prefix);
    bool cpu_set = r && (r->cpu_request.milli > 0 || r->has_cpu_limit);
    bool mem_set = r && (r->memory_request.milli > 0 || r->has_memory_limit);
    const char *cpu_req = cpu_set ? qty_text(l, r->cpu_request) : d->cpu_request;
    const char *cpu_lim = !cpu_set ? d->cpu_limit : r->has_cpu_limit ? qty_text(l, r->cpu_limit) : "";
    const char *mem_req = mem_set ? qty_text(l, r->memory_request) : d->memory_request;
    const char *mem_lim = !mem_set ? d->memory_limit : r->has_memory_limit ? qty_text(l, r->memory_limit) : "";
    resource_knob(l, path_join(l, prefix, "resources.requests.cpu"), KNOB_CPU, cpu_req, "CPU request");
    resource_knob(l, path_join(l, prefix, "resources.requests.memory"), KNOB_MEMORY, mem_req, "memory request");
    resource_knob(l, path_join(l, prefix, "resources.limits.cpu"), KNOB_CPU, cpu_lim, "CPU limit (empty: none)");
    resource_knob(l, path_join(l, prefix, "resources.limits.memory"), KNOB_MEMORY, mem_lim,
                  "memory limit (empty: none)");
}

/* size + storageClass; the caller registers `enabled` where the component has one. */
void lower_knobs_storage(Lower *l, const char *prefix, const Storage *s)
{
    const LowerDefaults *d = lower_defaults(prefix);
    const char *size = s && s->size.milli > 0 ? qty_text(l, s->size) : d->storage_size;
    lower_knob_str(l, path_join(l, prefix, "storage.size"), KNOB_MEMORY, size, "volume size");
    lower_knob_str(l, path_join(l, prefix, "storage.storageClass"), KNOB_NAME,
                   s && s->storage_class ? s->storage_class : "",
                   "storage class (empty: the cluster's default class)")
        ->nullable = true;
}

/* ---- global knobs and the Namespace ---------------------------------------------------------- */

static void global_knobs(Lower *l)
{
    lower_knob_str(l, "global.imageRegistry", KNOB_STRING, "",
                   "registry prefixed to every image, overriding each image's own registry");
    ir_knob(l->a, l->ir, "global.imagePullSecrets", KNOB_OBJECT_LIST, data_seq(l->a),
            "imagePullSecrets of every pod (list of {name: SECRET})");
    lower_knob_bool(l, "namespace.create", true, "create the Namespace object");
    lower_knob_bool(l, "namespace.checkPodSecurity", true,
                    "chart: refuse to install into a namespace whose Pod Security enforce label is not "
                    "security.podSecurity (reads the Namespace)");
}

static void namespace_object(Lower *l)
{
    IrObject *o = ir_object(l->a, l->ir, "namespace.yaml", "cluster", "v1", "Namespace",
                            l->cl->namespace_name ? l->cl->namespace_name : l->cl->name,
                            lower_if(l, "namespace.create"));
    ir_put(l->a, o->root, "apiVersion", ir_str(l->a, "v1"));
    ir_put(l->a, o->root, "kind", ir_str(l->a, "Namespace"));
    IrNode *md = ir_put(l->a, o->root, "metadata", ir_map(l->a));
    ir_put(l->a, md, "name", lower_namespace_expr(l));
    ir_put(l->a, md, "labels", lower_labels(l, "goverse", "cluster"));
}

IrNode *lower_map_get(IrNode *map, const char *key)
{
    if (!map || map->kind != IR_MAP)
        return NULL;
    /* Keys are literals, kept by ir_put: the same address is the same key, and the first byte
     * tells most others apart without a strcmp. */
    for (IrNode *e = map->u.kids.first; e; e = e->next) {
        if (e->keyed.key == key) /* (a condition record is never a key: no false hit) */
            return e;
        const char *k = ir_node_key(e);
        if (k == key || (k[0] == key[0] && strcmp(k, key) == 0))
            return e;
    }
    return NULL;
}

/* The pod spec of a workload object (Deployment, StatefulSet, Job, CronJob), or NULL. */
static IrNode *pod_spec(const IrObject *o)
{
    /* By the first letter first: most objects are of none of these kinds. */
    const char *kind = o->kind;
    bool cron = kind[0] == 'C' && strcmp(kind, "CronJob") == 0;
    if (!cron && !(kind[0] == 'D' && strcmp(kind, "Deployment") == 0) &&
        !(kind[0] == 'S' && strcmp(kind, "StatefulSet") == 0) && !(kind[0] == 'J' && strcmp(kind, "Job") == 0))
        return NULL;
    IrNode *spec = lower_map_get(o->root, "spec");
    if (cron)
        spec = lower_map_get(lower_map_get(lower_map_get(spec, "jobTemplate"), "spec"), "template");
    else
        spec = lower_map_get(spec, "template");
    return lower_map_get(spec, "spec");
}

/* Appends the pods of the objects added since the last call to l->pods; false if there were none. */
static bool find_new_pods(Lower *l)
{
    int before = l->npods;
    IrObject *o = l->pods_scanned ? l->pods_scanned->next : l->ir->objects;
    for (; o; o = o->next) {
        l->pods_scanned = o;
        IrNode *pod = pod_spec(o);
        if (!pod)
            continue;
        if (l->npods == l->cap_pods) {
            int cap = l->cap_pods ? 2 * l->cap_pods : 32;
            LowerPod *v = ARENA_ARRAY(l->a, LowerPod, cap);
            if (l->npods)
                memcpy(v, l->pods, sizeof *v * (size_t)l->npods);
            l->pods = v;
            l->cap_pods = cap;
        }
        l->pods[l->npods++] = (LowerPod){o, pod};
    }
    return l->npods > before;
}

/* Each pass used to find the pods by walking every object and its maps again; the pods found are
 * kept (objects are only ever appended, map entries never replaced), and objects added since the
 * last pass, or by this one as it runs, are looked at once when the list runs out. */
void lower_each_pod(Lower *l, LowerPodFn *fn, void *arg)
{
    for (int i = 0; i < l->npods || find_new_pods(l); i++)
        fn(l, l->pods[i].obj, l->pods[i].spec, arg);
}

LowerShared *lower_shared_new(Arena *a)
{
    LowerShared *s = ARENA_NEW(a, LowerShared);
    s->arena = a;
    return s;
}

IrCluster *lower_cluster(Arena *arena, const Cluster *cluster, DiagSink *diags)
{
    return lower_cluster_shared(arena, NULL, cluster, diags);
}

IrCluster *lower_cluster_shared(Arena *arena, LowerShared *shared, const Cluster *cluster, DiagSink *diags)
{
    /* The caches (~13 KB) are garbage once the cluster is lowered, but they stay in the arena: on
     * the stack they were measured a page fault more per build (the heap is on a transparent huge
     * page where the kernel offers one, the stack is not), and a fleet's IR arena is a scratch
     * arena freed after each cluster. */
    Lower l = {.a = arena, .ir = ir_cluster_new(arena, cluster->name, cluster->namespace_name), .cl = cluster,
               .diags = diags, .shared = shared, .knob_cache = ARENA_ARRAY(arena, struct LowerKnobCache, KNOB_CACHE),
               .cond_cache = ARENA_ARRAY(arena, struct LowerCondCache, KNOB_CACHE),
               .prefix_knobs = ARENA_ARRAY(arena, struct LowerPrefixKnobs, PREFIX_KNOBS)};
    l.ir->span = cluster->span;
    l.ir->chart_version = "0.1.0";
    l.ir->app_version = lower_pick(cluster->nodes.image.tag, "latest");
    l.ir->kube_version = arena_printf(arena, ">= %d.%d.0-0", cluster->kube_major ? cluster->kube_major : 1,
                                      cluster->kube_major ? cluster->kube_minor : 27);
    global_knobs(&l);
    lower_config_knobs(&l);
    lower_nodes_knobs(&l);
    lower_gates_knobs(&l);
    lower_etcd_knobs(&l);
    lower_postgres_knobs(&l);
    lower_inspector_knobs(&l);
    lower_availability_knobs(&l);
    lower_placement_knobs(&l);
    lower_monitoring_knobs(&l);
    lower_backup_knobs(&l);
    lower_requests_knobs(&l);
    lower_security_knobs(&l);

    namespace_object(&l);
    lower_config_objects(&l);
    lower_etcd_objects(&l);
    lower_postgres_objects(&l);
    lower_nodes_objects(&l);
    lower_gates_objects(&l);
    lower_inspector_objects(&l);
    lower_availability_objects(&l);
    lower_monitoring_objects(&l);
    lower_backup_objects(&l);
    lower_security_objects(&l);

    lower_placement_pass(&l);
    lower_availability_pass(&l);
    lower_requests_pass(&l);
    lower_security_pass(&l);
    lower_restore_twins(&l);
    return l.ir;
}

Ir *lower_model(Arena *arena, const Model *model, DiagSink *diags)
{
    Ir *ir = ARENA_NEW(arena, Ir);
    ir->nclusters = model->nclusters;
    ir->clusters = ARENA_ARRAY(arena, IrCluster *, model->nclusters > 0 ? model->nclusters : 1);
    LowerShared *shared = lower_shared_new(arena); /* every IR lives in `arena` too */
    for (int i = 0; i < model->nclusters; i++)
        ir->clusters[i] = lower_cluster_shared(arena, shared, model->clusters[i], diags);
    return ir;
}
