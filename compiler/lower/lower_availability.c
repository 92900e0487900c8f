/* lower_availability.c - what keeps the cluster serving through voluntary disruptions and load
 * (design 7.3, 11.1, 13.3): PodDisruptionBudgets for nodes, gates and etcd, the gate
 * HorizontalPodAutoscaler (and the Deployment giving up `replicas` to it), and the rollout settings
 * of the three workloads (update strategies, partition, grace periods). */
#include <string.h>

#include "lower/lower_internal.h"

static const char *const POD_MANAGEMENT[] = {"OrderedReady", "Parallel", NULL};

/* ---- knobs ------------------------------------------------------------------------------------ */

static void autoscaling_knobs(Lower *l)
{
    const Autoscale *as = &l->cl->gates.autoscale;
    /* Off in the description: the design's HPA (2..10, CPU 70%, memory 80%) is what turning it on
     * at install time gives. On: exactly the description's metrics (0 = metric not used). */
    lower_knob_bool(l, "gates.autoscaling.enabled", as->enabled,
                    "HorizontalPodAutoscaler goverse-gate-hpa owns the gate replica count");
    lower_knob_int(l, "gates.autoscaling.minReplicas", as->enabled ? as->min_replicas : 2, 1, 1000,
                   "HPA minReplicas (at most maxReplicas)")
        ->not_above = "gates.autoscaling.maxReplicas";
    lower_knob_int(l, "gates.autoscaling.maxReplicas", as->enabled ? as->max_replicas : 10, 1, 1000,
                   "HPA maxReplicas");
    /* Kubernetes takes any positive int32 (above 100%: a target over the request). */
    lower_knob_int(l, "gates.autoscaling.targetCPUUtilizationPercentage", as->enabled ? as->cpu_percent : 70, 0,
                   INT32_MAX, "average CPU utilization target, % of the request (0: no CPU metric)");
    lower_knob_int(l, "gates.autoscaling.targetMemoryUtilizationPercentage", as->enabled ? as->memory_percent : 80,
                   0, INT32_MAX, "average memory utilization target, % of the request (0: no memory metric)");
}

/* `disruption min N | max N` when written; strict tiers default to maxUnavailable 1 (one pod at a
 * time: a node hands its shards off before the next one goes). */
static void pdb_knobs(Lower *l, const char *prefix, const Disruption *d)
{
    Arena *a = l->a;
    bool on = d->enabled || l->cl->strict;
    int min = d->enabled && d->min_available > 0 ? d->min_available : 0;
    int max = d->enabled ? (d->max_unavailable > 0 ? d->max_unavailable : 0) : 1;
    lower_knob_bool(l, arena_concat(a, prefix, ".podDisruptionBudget.enabled", NULL), on,
                    "PodDisruptionBudget limiting voluntary evictions (drains, upgrades)");
    lower_knob_int(l, arena_concat(a, prefix, ".podDisruptionBudget.minAvailable", NULL), min, 0, 1000,
                   "pods that must stay available (0: use maxUnavailable; wins over it when set)");
    lower_knob_int(l, arena_concat(a, prefix, ".podDisruptionBudget.maxUnavailable", NULL), max, 0, 1000,
                   "pods that may be evicted at once (0: none set; no PDB when both are 0)");
}

static bool any_zones(const Lower *l) { return l->cl->nzones > 0; }

static void rollout_knobs(Lower *l)
{
    /* A cluster without tier or zones keeps the design's manifests: the API server's defaults
     * (RollingUpdate, partition 0, 25%/25%, 30s) apply without being written. */
    lower_knob_bool(l, "rollout.enabled", l->cl->tier != NULL || any_zones(l),
                    "write explicit rollout settings (update strategies, grace periods)");
    lower_knob_int(l, "nodes.updateStrategy.partition", 0, 0, 1000,
                   "StatefulSet partition: only pods with ordinal >= N take a new template (staged upgrades)");
    /* Stopping a node releases its shards, waits for the cluster state to settle
     * (cluster_state_stability_duration) and flushes objects to PostgreSQL: 120 s covers it with
     * room, and still bounds how long a drain can stall on one pod. */
    lower_knob_int(l, "nodes.terminationGracePeriodSeconds", 120, 0, 3600,
                   "seconds a stopping node gets to hand its shards off");
    lower_knob_str(l, "gates.strategy.maxSurge", KNOB_STRING, "25%",
                   "extra gate pods during a rollout (percentage such as 25%)");
    /* 0: a gate is stateless and cheap to start, so capacity never dips during a rollout. */
    lower_knob_int(l, "gates.strategy.maxUnavailable", 0, 0, 1000, "gate pods that may be down during a rollout");
    lower_knob_int(l, "gates.terminationGracePeriodSeconds", 30, 0, 3600,
                   "seconds a stopping gate gets to finish in-flight calls");
    /* Parallel, not the API default OrderedReady: etcd-0 only turns ready once a quorum exists,
     * so with OrderedReady etcd-1 would never be created and a new cluster would never form. */
    Knob *pm = lower_knob_str(l, "etcd.podManagementPolicy", KNOB_ENUM, "Parallel",
                              "etcd StatefulSet podManagementPolicy (immutable once created)");
    pm->choices = POD_MANAGEMENT;
}

void lower_availability_knobs(Lower *l)
{
    autoscaling_knobs(l);
    pdb_knobs(l, "nodes", &l->cl->nodes.disruption);
    pdb_knobs(l, "gates", &l->cl->gates.disruption);
    /* etcd: no `disruption` key; its budget derives from quorum (see etcd_pdb). */
    lower_knob_bool(l, "etcd.podDisruptionBudget.enabled", l->cl->strict,
                    "PodDisruptionBudget etcd-pdb: one member evicted at a time (quorum kept)");
    rollout_knobs(l);
}

/* ---- objects ---------------------------------------------------------------------------------- */

static IrNode *pdb_object(Lower *l, const char *prefix, const char *app, const char *component, const IrCond *on)
{
    Arena *a = l->a;
    IrObject *o = ir_object(a, l->ir, arena_concat(a, prefix, "/pdb.yaml", NULL), prefix, "policy/v1",
                            "PodDisruptionBudget", arena_concat(a, app, "-pdb", NULL), on);
    return lower_workload(l, o, app, component);
}

static void component_pdb(Lower *l, const char *prefix, const char *app, const char *component)
{
    Arena *a = l->a;
    const char *min = arena_concat(a, prefix, ".podDisruptionBudget.minAvailable", NULL);
    const char *max = arena_concat(a, prefix, ".podDisruptionBudget.maxUnavailable", NULL);
    /* With neither number a policy/v1 budget protects nothing (no default is filled in): no
     * object at all instead. */
    const char *enabled = arena_concat(a, prefix, ".podDisruptionBudget.enabled", NULL);
    const IrCond *on = ir_cond_and(a, lower_if(l, enabled), ir_cond_or(a, lower_if(l, min), lower_if(l, max)));
    IrNode *spec = pdb_object(l, prefix, app, component, on);
    ir_when(l->a, ir_put(a, spec, "minAvailable", lower_ref(l, min)), lower_if(l, min));
    /* The API refuses both fields together: minAvailable wins. */
    ir_when(l->a, ir_put(a, spec, "maxUnavailable", lower_ref(l, max)), ir_cond_and(a, lower_if(l, max), lower_unless(l, min)));
    ir_put(a, spec, "selector", lower_selector(l, app));
}

/* maxUnavailable 1 keeps a quorum for every odd member count >= 3 and, with 5 or more members,
 * leaves room for one unplanned failure during a drain. With 1 member there is no quorum to
 * protect: the budget still allows the eviction (it never blocks a drain silently). */
static void etcd_pdb(Lower *l)
{
    Arena *a = l->a;
    const IrCond *on = ir_cond_and(a, lower_if(l, "etcd.podDisruptionBudget.enabled"),
                                   ir_cond_and(a, lower_if(l, "etcd.enabled"), lower_unless(l, "etcd.external.enabled")));
    IrNode *spec = pdb_object(l, "etcd", "etcd", "etcd", on);
    ir_put(a, spec, "maxUnavailable", ir_int(a, 1));
    ir_put(a, spec, "selector", lower_selector(l, "etcd"));
}

static IrNode *hpa_metric(Lower *l, const char *resource, const char *knob)
{
    Arena *a = l->a;
    IrNode *m = ir_map(a);
    ir_put(a, m, "type", ir_str(a, "Resource"));
    IrNode *res = ir_put(a, m, "resource", ir_map(a));
    ir_put(a, res, "name", ir_str(a, resource));
    IrNode *target = ir_put(a, res, "target", ir_map(a));
    ir_put(a, target, "type", ir_str(a, "Utilization"));
    ir_put(a, target, "averageUtilization", lower_ref(l, knob));
    return ir_when(l->a, m, lower_if(l, knob));
}

/* Design section 7.3, field for field. */
static void gate_hpa(Lower *l)
{
    Arena *a = l->a;
    static const char *const cpu = "gates.autoscaling.targetCPUUtilizationPercentage";
    static const char *const mem = "gates.autoscaling.targetMemoryUtilizationPercentage";
    IrObject *o = ir_object(a, l->ir, "gates/hpa.yaml", "gates", "autoscaling/v2", "HorizontalPodAutoscaler",
                            "goverse-gate-hpa", lower_if(l, "gates.autoscaling.enabled"));
    IrNode *spec = lower_workload(l, o, "goverse-gate", "gate");
    IrNode *target = ir_put(a, spec, "scaleTargetRef", ir_map(a));
    ir_put(a, target, "apiVersion", ir_str(a, "apps/v1"));
    ir_put(a, target, "kind", ir_str(a, "Deployment"));
    ir_put(a, target, "name", ir_str(a, "goverse-gate"));
    ir_put(a, spec, "minReplicas", lower_ref(l, "gates.autoscaling.minReplicas"));
    ir_put(a, spec, "maxReplicas", lower_ref(l, "gates.autoscaling.maxReplicas"));
    IrNode *metrics = ir_put(a, spec, "metrics", ir_seq(a));
    ir_when(l->a, metrics, ir_cond_or(a, lower_if(l, cpu), lower_if(l, mem)));
    ir_push(metrics, hpa_metric(l, "cpu", cpu));
    ir_push(metrics, hpa_metric(l, "memory", mem));
}

void lower_availability_objects(Lower *l)
{
    component_pdb(l, "nodes", "goverse-node", "node");
    component_pdb(l, "gates", "goverse-gate", "gate");
    etcd_pdb(l);
    gate_hpa(l);
}

/* ---- pass: rollout settings on the workloads already built ------------------------------------ */

static IrObject *find_object(const Lower *l, const char *kind, const char *name)
{
    for (IrObject *o = l->ir->objects; o; o = o->next)
        if (strcmp(o->kind, kind) == 0 && strcmp(o->name, name) == 0)
            return o;
    return NULL;
}

static IrNode *pod_spec_of(IrNode *workload_spec)
{
    return lower_map_get(lower_map_get(workload_spec, "template"), "spec");
}

static void and_when(Lower *l, IrNode *n, const IrCond *c)
{
    ir_when(l->a, n, ir_node_when(n) ? ir_cond_and(l->a, ir_node_when(n), c) : c);
}

static void grace_period(Lower *l, IrNode *pod, const char *knob)
{
    if (pod)
        ir_when(l->a, ir_put(l->a, pod, "terminationGracePeriodSeconds", lower_ref(l, knob)), lower_if(l, "rollout.enabled"));
}

/* Section 11.1: upgrades are staged by lowering the partition; present whenever it is non-zero so
 * `--set nodes.updateStrategy.partition=N` works even without explicit rollout settings. */
static void node_rollout(Lower *l, IrNode *spec)
{
    Arena *a = l->a;
    const char *part = "nodes.updateStrategy.partition";
    IrNode *us = ir_put(a, spec, "updateStrategy", ir_map(a));
    ir_when(l->a, us, ir_cond_or(a, lower_if(l, "rollout.enabled"), lower_if(l, part)));
    ir_put(a, us, "type", ir_str(a, "RollingUpdate"));
    ir_put(a, ir_put(a, us, "rollingUpdate", ir_map(a)), "partition", lower_ref(l, part));
    grace_period(l, pod_spec_of(spec), "nodes.terminationGracePeriodSeconds");
}

static void gate_rollout(Lower *l, IrNode *spec)
{
    Arena *a = l->a;
    IrNode *replicas = lower_map_get(spec, "replicas");
    if (replicas) /* nothing fights the HPA over the count */
        and_when(l, replicas, lower_unless(l, "gates.autoscaling.enabled"));
    IrNode *st = ir_when(l->a, ir_put(a, spec, "strategy", ir_map(a)), lower_if(l, "rollout.enabled"));
    ir_put(a, st, "type", ir_str(a, "RollingUpdate"));
    IrNode *ru = ir_put(a, st, "rollingUpdate", ir_map(a));
    ir_put(a, ru, "maxSurge", lower_ref(l, "gates.strategy.maxSurge"));
    ir_put(a, ru, "maxUnavailable", lower_ref(l, "gates.strategy.maxUnavailable"));
    grace_period(l, pod_spec_of(spec), "gates.terminationGracePeriodSeconds");
}

/* Members restart one at a time, highest ordinal first, each waiting for the previous to be
 * Ready: the quorum is never down two members by the rollout itself. */
static void etcd_rollout(Lower *l, IrNode *spec)
{
    Arena *a = l->a;
    const IrCond *on = lower_if(l, "rollout.enabled");
    ir_put(a, spec, "podManagementPolicy", lower_ref(l, "etcd.podManagementPolicy"));
    ir_put(a, ir_when(l->a, ir_put(a, spec, "updateStrategy", ir_map(a)), on), "type", ir_str(a, "RollingUpdate"));
}

void lower_availability_pass(Lower *l)
{
    IrObject *o;
    if ((o = find_object(l, "StatefulSet", "goverse-node")))
        node_rollout(l, lower_map_get(o->root, "spec"));
    if ((o = find_object(l, "Deployment", "goverse-gate")))
        gate_rollout(l, lower_map_get(o->root, "spec"));
    if ((o = find_object(l, "StatefulSet", "etcd")))
        etcd_rollout(l, lower_map_get(o->root, "spec"));
}
