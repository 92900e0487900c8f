/* lower_placement.c - where the pods of nodes, gates and etcd may run (design 13.3, 14): the
 * required nodeAffinity to the description's `zones`, the pod anti-affinity of section 14 (zone
 * weight 100, host weight 50), topology spread over zones, and the nodes' not-ready toleration.
 * A cluster without tier or zones gets none of it, so the design's own manifests stay as they are. */
#include <string.h>

#include "lower/lower_internal.h"

#define ZONE_KEY "topology.kubernetes.io/zone"
#define HOST_KEY "kubernetes.io/hostname"

static const char *const WHEN_UNSATISFIABLE[] = {"DoNotSchedule", "ScheduleAnyway", NULL};

/* The workloads placed, with how hard their zone spread is. etcd: DoNotSchedule - one member per
 * zone is what lets the quorum outlive a zone, and a member cannot move zones anyway (its volume
 * is zonal); with too few zones for that (the checker's zone_loss_breaks_quorum, reported as an
 * error or a warning) a hard spread buys nothing and the spread is ScheduleAnyway. Nodes and gates: ScheduleAnyway - in a zone outage their pods must still start in
 * the surviving zones (shards rebalance; gates are stateless) rather than stay Pending. */
typedef struct Placed {
    const char *prefix, *kind, *name, *app, *spread;
    bool not_ready_toleration;
} Placed;

static const Placed PLACED[] = {
    {"nodes", "StatefulSet", "goverse-node", "goverse-node", "ScheduleAnyway", true},
    {"gates", "Deployment", "goverse-gate", "goverse-gate", "ScheduleAnyway", false},
    {"etcd", "StatefulSet", "etcd", "etcd", "DoNotSchedule", false},
};

void lower_placement_knobs(Lower *l)
{
    Arena *a = l->a;
    const Cluster *cl = l->cl;
    Data *zones = data_seq(a);
    for (int i = 0; i < cl->nzones; i++)
        data_push(zones, data_str(a, cl->zones[i]));
    ir_knob(a, l->ir, "placement.zones", KNOB_STRING_LIST, zones,
            "zones the pods of nodes, gates and etcd are restricted to and spread over (empty: no zone rules)");
    /* Strict (production) tiers spread over hosts even without zones; dev and tier-less clusters
     * only when zones are listed. */
    bool spread = cl->strict || cl->nzones > 0;
    for (size_t i = 0; i < sizeof PLACED / sizeof PLACED[0]; i++) {
        const Placed *p = &PLACED[i];
        lower_knob_bool(l, arena_concat(a, p->prefix, ".affinity.enabled", NULL), spread,
                        "pod anti-affinity over hosts (and zones), plus zone topology spread when zones are listed");
        const char *when_unsat = arena_concat(a, p->prefix, ".topologySpread.whenUnsatisfiable", NULL);
        bool hopeless = strcmp(p->prefix, "etcd") == 0 && cl->etcd.zone_loss_breaks_quorum;
        Knob *k = lower_knob_str(l, when_unsat, KNOB_ENUM, hopeless ? "ScheduleAnyway" : p->spread,
                                 "zone spread (maxSkew 1): hard (DoNotSchedule) or best effort");
        k->choices = WHEN_UNSATISFIABLE;
        if (p->not_ready_toleration)
            lower_knob_int(l, arena_concat(a, p->prefix, ".notReadyTolerationSeconds", NULL), 300, 0, 86400,
                           "with zones: seconds a pod stays on a NotReady host before eviction (0: API default)");
    }
}

static IrNode *match_app(Lower *l, const char *app)
{
    IrNode *sel = ir_map(l->a);
    ir_put(l->a, ir_put(l->a, sel, "matchLabels", ir_map(l->a)), "app", ir_str(l->a, app));
    return sel;
}

static IrNode *anti_affinity_term(Lower *l, const char *app, int weight, const char *topology_key)
{
    Arena *a = l->a;
    IrNode *t = ir_map(a);
    ir_put(a, t, "weight", ir_int(a, weight));
    IrNode *term = ir_put(a, t, "podAffinityTerm", ir_map(a));
    ir_put(a, term, "labelSelector", match_app(l, app));
    ir_put(a, term, "topologyKey", ir_str(a, topology_key));
    return t;
}

/* required: topology.kubernetes.io/zone In placement.zones */
static IrNode *zone_node_affinity(Lower *l)
{
    Arena *a = l->a;
    IrNode *na = ir_map(a);
    IrNode *req = ir_put(a, na, "requiredDuringSchedulingIgnoredDuringExecution", ir_map(a));
    IrNode *term = ir_push(ir_put(a, req, "nodeSelectorTerms", ir_seq(a)), ir_map(a));
    IrNode *expr = ir_push(ir_put(a, term, "matchExpressions", ir_seq(a)), ir_map(a));
    ir_put(a, expr, "key", ir_str(a, ZONE_KEY));
    ir_put(a, expr, "operator", ir_str(a, "In"));
    ir_put(a, expr, "values", lower_ref(l, "placement.zones"));
    return na;
}

static void put_affinity(Lower *l, IrNode *pod, const Placed *p, const IrCond *zones, const IrCond *spread)
{
    Arena *a = l->a;
    IrNode *aff = ir_when(l->a, ir_put(a, pod, "affinity", ir_map(a)), ir_cond_or(a, zones, spread));
    ir_when(l->a, ir_put(a, aff, "nodeAffinity", zone_node_affinity(l)), zones);
    IrNode *anti = ir_when(l->a, ir_put(a, aff, "podAntiAffinity", ir_map(a)), spread);
    IrNode *pref = ir_put(a, anti, "preferredDuringSchedulingIgnoredDuringExecution", ir_seq(a));
    ir_when(l->a, ir_push(pref, anti_affinity_term(l, p->app, 100, ZONE_KEY)), zones);
    /* The design's host weight; alone (no zones) its scale does not matter: the scheduler
     * normalises the plugin's scores. */
    ir_push(pref, anti_affinity_term(l, p->app, 50, HOST_KEY));
}

/* Section 14: a node pod stays 300 s on a NotReady host, time for a transient fault to heal before
 * its shards move. */
static void put_toleration(Lower *l, IrNode *pod, const Placed *p, const IrCond *zones)
{
    Arena *a = l->a;
    const char *secs = arena_concat(a, p->prefix, ".notReadyTolerationSeconds", NULL);
    IrNode *tols = ir_when(l->a, ir_put(a, pod, "tolerations", ir_seq(a)), ir_cond_and(a, zones, lower_if(l, secs)));
    IrNode *t = ir_push(tols, ir_map(a));
    ir_put(a, t, "key", ir_str(a, "node.kubernetes.io/not-ready"));
    ir_put(a, t, "operator", ir_str(a, "Exists"));
    ir_put(a, t, "effect", ir_str(a, "NoExecute"));
    ir_put(a, t, "tolerationSeconds", lower_ref(l, secs));
}

static void put_spread(Lower *l, IrNode *pod, const Placed *p, const IrCond *when)
{
    Arena *a = l->a;
    IrNode *tsc = ir_when(l->a, ir_put(a, pod, "topologySpreadConstraints", ir_seq(a)), when);
    IrNode *c = ir_push(tsc, ir_map(a));
    ir_put(a, c, "maxSkew", ir_int(a, 1));
    ir_put(a, c, "topologyKey", ir_str(a, ZONE_KEY));
    const char *when_unsat = arena_concat(a, p->prefix, ".topologySpread.whenUnsatisfiable", NULL);
    ir_put(a, c, "whenUnsatisfiable", lower_ref(l, when_unsat));
    ir_put(a, c, "labelSelector", match_app(l, p->app));
}

static void place(Lower *l, IrNode *pod, const Placed *p)
{
    Arena *a = l->a;
    const IrCond *zones = lower_if(l, "placement.zones");
    const IrCond *spread = lower_if(l, arena_concat(a, p->prefix, ".affinity.enabled", NULL));
    put_affinity(l, pod, p, zones, spread);
    if (p->not_ready_toleration)
        put_toleration(l, pod, p, zones);
    put_spread(l, pod, p, ir_cond_and(a, zones, spread));
}

static void place_pod(Lower *l, IrObject *obj, IrNode *pod_spec, void *arg)
{
    (void)arg;
    for (size_t i = 0; i < sizeof PLACED / sizeof PLACED[0]; i++)
        if (strcmp(obj->kind, PLACED[i].kind) == 0 && strcmp(obj->name, PLACED[i].name) == 0 &&
            !lower_map_get(pod_spec, "affinity"))
            place(l, pod_spec, &PLACED[i]);
}

void lower_placement_pass(Lower *l)
{
    lower_each_pod(l, place_pod, NULL);
}
