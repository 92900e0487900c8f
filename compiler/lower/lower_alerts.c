/* lower_alerts.c - the PrometheusRule goverse-alerts (design section 8): what a Goverse operator is
 * paged for (nodes down, etcd leaderless or short of quorum, call errors and latency, gate
 * saturation, a shard mapping that does not converge). The rules are a static table; their PromQL
 * is scoped to the cluster's namespace and reads the quorum and shard count from the chart values.
 * Metric names and their origin: docs/monitoring.md. */
#include <string.h>

#include "lower/lower_internal.h"

typedef struct AlertDef {
    const char *alert, *expr, *for_, *severity;
    const char *summary, *description, *runbook;
} AlertDef;

typedef struct AlertGroup {
    const char *name;
    const AlertDef *rules;
    size_t n;
    bool etcd;   /* only when etcd runs in the cluster */
} AlertGroup;

#define NS "namespace=\"@NS@\""

static const AlertDef NODE_ALERTS[] = {
    {"GoverseNodeDown", "up{job=\"goverse-node\"," NS "} == 0", "2m", "critical",
     "A Goverse node is down",
     "A goverse-node pod has failed its metrics scrape for 2 minutes; the shards it owns cannot serve "
     "calls until the cluster moves them to another node.",
     "kubectl get pods -l app=goverse-node; check the pod's events and logs, and its etcd connectivity."},
    {"GoverseNodesNotReady",
     "kube_statefulset_status_replicas_ready{statefulset=\"goverse-node\"," NS "} < "
     "kube_statefulset_replicas{statefulset=\"goverse-node\"," NS "}",
     "10m", "warning", "Fewer Goverse nodes ready than desired",
     "The goverse-node StatefulSet has had fewer ready replicas than desired for 10 minutes "
     "(kube-state-metrics).",
     "kubectl describe statefulset goverse-node; look for pending pods (resources, volumes, zones)."},
    {"GoverseNodeTargetsMissing", "absent(up{job=\"goverse-node\"," NS "})", "15m", "warning",
     "Prometheus scrapes no Goverse node",
     "No goverse-node target has been discovered for 15 minutes: every alert on node metrics is blind.",
     "Check that Prometheus selects the goverse-nodes ServiceMonitor (monitoring.release label) and "
     "that the goverse-node-headless Service has endpoints."},
};

static const AlertDef CALL_ALERTS[] = {
    {"GoverseCallErrorRateHigh",
     "sum(rate(goverse_method_calls_total{status=\"failure\"," NS "}[5m])) / "
     "sum(rate(goverse_method_calls_total{" NS "}[5m])) > 0.05",
     "10m", "warning", "More than 5% of Goverse object calls fail",
     "Over 5% of object method calls have returned an error for 10 minutes.",
     "Break goverse_method_calls_total down by object_type and method_name; check node logs and "
     "recent deployments."},
    {"GoverseCallLatencyHigh",
     "histogram_quantile(0.99, sum by (le) (rate(goverse_method_call_duration_bucket{" NS "}[5m]))) > 1",
     "10m", "warning", "Goverse object calls are slow (p99 above 1s)",
     "The 99th percentile of object method call duration has been above 1 second for 10 minutes.",
     "Look for hot objects or shards (goverse_shard_method_calls_total), CPU throttling of the "
     "nodes and slow persistence."},
    {"GoverseOperationTimeouts", "sum(increase(goverse_operation_timeouts_total{" NS "}[10m])) > 0", "10m",
     "warning", "Goverse operations are timing out",
     "Cluster operations (calls, object creation) have timed out continuously for 10 minutes.",
     "Break goverse_operation_timeouts_total down by operation and node_addr; check that node."},
};

static const AlertDef GATE_ALERTS[] = {
    {"GoverseGatesDown", "(sum(up{job=\"goverse-gate\"," NS "}) or vector(0)) == 0", "5m", "critical",
     "No Goverse gate is up", "No goverse-gate pod has been scraped successfully for 5 minutes: clients "
     "cannot reach the cluster.",
     "kubectl get pods -l app=goverse-gate; check the Deployment's events and the gate logs."},
    {"GoverseGateSaturated",
     "sum by (pod) (rate(container_cpu_usage_seconds_total{container=\"goverse-gate\"," NS "}[5m])) / "
     "sum by (pod) (kube_pod_container_resource_limits{container=\"goverse-gate\",resource=\"cpu\"," NS
     "}) > 0.9",
     "15m", "warning", "A Goverse gate runs at its CPU limit",
     "A goverse-gate pod has used more than 90% of its CPU limit for 15 minutes; client latency suffers.",
     "Add gates (gates.replicas or the autoscaler's maximum) or raise gates.resources.limits.cpu."},
    {"GoverseGateAutoscalerAtMax",
     "kube_horizontalpodautoscaler_status_current_replicas{horizontalpodautoscaler=\"goverse-gate-hpa\"," NS
     "} >= kube_horizontalpodautoscaler_spec_max_replicas{horizontalpodautoscaler=\"goverse-gate-hpa\"," NS "}",
     "30m", "warning", "The gate autoscaler is at its maximum",
     "The goverse-gate HorizontalPodAutoscaler has run at its maximum replica count for 30 minutes.",
     "Raise the autoscaler's maximum or the gate resources."},
    {"GoverseGateDroppingMessages",
     "sum by (gate) (rate(goverse_gate_dropped_messages_total{" NS "}[5m])) > 0", "10m", "warning",
     "A Goverse gate drops pushed messages",
     "A gate has dropped messages pushed to its clients for 10 minutes (client gone or buffer full).",
     "Check the gate's client connections (goverse_gate_active_clients) and its logs."},
};

static const AlertDef SHARD_ALERTS[] = {
    {"GoverseShardMappingNotConverging", "max(goverse_shards_migrating{" NS "}) > 0", "15m", "warning",
     "The Goverse shard mapping does not converge",
     "Shards have been in migration (target node differs from current node) for 15 minutes.",
     "Check node readiness and etcd health; a node flapping in and out of the cluster keeps shards moving."},
    {"GoverseShardsUnassigned",
     "sum(max by (node) (goverse_shards_total{" NS "})) < 8192", "15m", "warning",
     "Not every Goverse shard is assigned to a node",
     "The nodes together own fewer than the cluster's 8192 shards for 15 minutes: calls to the objects of "
     "the missing shards fail.",
     "Check that every node is ready and registered in etcd; look at the inspector's shard view."},
    {"GoverseShardMappingWriteFailures",
     "sum(rate(goverse_shard_mapping_write_failures_total{" NS "}[5m])) > 0", "10m", "warning",
     "Writes of the Goverse shard mapping to etcd fail",
     "The shard mapping could not be written to etcd for 10 minutes (conflicts, timeouts or connection "
     "errors).",
     "Break goverse_shard_mapping_write_failures_total down by error_type; check etcd latency and leader."},
};

static const AlertDef ETCD_ALERTS[] = {
    {"GoverseEtcdNoLeader", "etcd_server_has_leader{job=\"etcd\"," NS "} == 0", "1m", "critical",
     "An etcd member has no leader",
     "An etcd member has reported no leader for 1 minute: the Goverse cluster state cannot change.",
     "Check the etcd pods, their logs and the network between them (peer port)."},
    {"GoverseEtcdQuorumLost",
     "(sum(up{job=\"etcd\"," NS "}) or vector(0)) * 2 <= @KNOB:etcd.replicas@", "1m", "critical",
     "etcd has lost its quorum",
     "Half or more of the etcd members are down: etcd refuses writes and Goverse cannot map shards.",
     "Bring members back (kubectl get pods -l app=etcd); restore from a snapshot only as a last resort."},
    {"GoverseEtcdMemberDown", "up{job=\"etcd\"," NS "} == 0", "3m", "warning", "An etcd member is down",
     "An etcd member has failed its metrics scrape for 3 minutes; one more failure may cost the quorum.",
     "kubectl get pods -l app=etcd; check the member's volume and logs."},
    {"GoverseEtcdLeaderChanges",
     "increase(etcd_server_leader_changes_seen_total{job=\"etcd\"," NS "}[1h]) > 3", "5m", "warning",
     "etcd changes leader often",
     "etcd has changed leader more than 3 times in an hour: Goverse sees leadership churn.",
     "Look at etcd disk and network latency; the members may lack CPU or fast storage."},
    {"GoverseEtcdSlowFsync",
     "histogram_quantile(0.99, sum by (le, pod) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{job=\"etcd\","
     NS "}[5m]))) > 0.5",
     "10m", "warning", "etcd disk is slow (WAL fsync p99 above 500ms)",
     "etcd's write-ahead log fsync p99 has been above 500ms for 10 minutes.",
     "Move etcd to faster storage (etcd.storage.storageClass)."},
};

#undef NS

#define GROUP(name, table, etcd) {name, table, sizeof table / sizeof table[0], etcd}
static const AlertGroup GROUPS[] = {
    GROUP("goverse.nodes", NODE_ALERTS, false),  GROUP("goverse.calls", CALL_ALERTS, false),
    GROUP("goverse.gates", GATE_ALERTS, false),  GROUP("goverse.shards", SHARD_ALERTS, false),
    GROUP("goverse.etcd", ETCD_ALERTS, true),
};
#undef GROUP

static IrNode *rule_map(Lower *l, const AlertDef *d)
{
    Arena *a = l->a;
    IrNode *r = ir_map(a);
    ir_put(a, r, "alert", ir_str(a, d->alert));
    ir_put(a, r, "expr", lower_promql(l, d->expr));
    ir_put(a, r, "for", ir_str(a, d->for_));
    ir_put(a, ir_put(a, r, "labels", ir_map(a)), "severity", ir_str(a, d->severity));
    IrNode *an = ir_put(a, r, "annotations", ir_map(a));
    ir_put(a, an, "summary", ir_str(a, d->summary));
    ir_put(a, an, "description", ir_str(a, d->description));
    ir_put(a, an, "runbook", ir_str(a, d->runbook));
    return r;
}

enum { NRULES = 32 }; /* the rules of GROUPS kept; any further ones are built per cluster */

/* LowerShared.alert_rules' mark for a rule whose PromQL reads a knob (built per cluster). */
static const IrNode READS_KNOB;

/* A rule whose PromQL reads no knob is the same in every cluster (its namespace is an expression):
 * with a LowerShared its entries are built once, in the shared arena, and each cluster's rule map
 * points at them (a map node of its own: its place in the list is the cluster's). ~200 nodes a
 * cluster neither builds nor, as equal addresses, compares (ir_same_shape). The shared entries are
 * never changed: nothing adds to a rule once lowered. `place` numbers the rules of GROUPS. */
static IrNode *rule(Lower *l, const AlertDef *d, size_t place)
{
    if (!l->shared || place >= NRULES)
        return rule_map(l, d);
    if (!l->shared->alert_rules)
        l->shared->alert_rules = ARENA_ARRAY(l->shared->arena, const IrNode *, NRULES);
    const IrNode **built = &l->shared->alert_rules[place];
    if (!*built) {
        if (strstr(d->expr, "@KNOB:")) {
            *built = &READS_KNOB;
        } else {
            Lower in_shared = *l;
            in_shared.a = l->shared->arena;
            *built = rule_map(&in_shared, d);
        }
    }
    if (*built == &READS_KNOB)
        return rule_map(l, d);
    IrNode *r = ir_map(l->a);
    r->u.kids = (*built)->u.kids;
    return r;
}

void lower_alerts_object(Lower *l)
{
    Arena *a = l->a;
    IrObject *o = ir_object(a, l->ir, "monitoring/prometheusrule.yaml", "monitoring", "monitoring.coreos.com/v1",
                            "PrometheusRule", "goverse-alerts", lower_monitoring_on(l, "monitoring.alerts.enabled"));
    ir_put(a, o->root, "apiVersion", ir_str(a, "monitoring.coreos.com/v1"));
    ir_put(a, o->root, "kind", ir_str(a, "PrometheusRule"));
    ir_put(a, o->root, "metadata", lower_monitoring_metadata(l, "goverse-alerts", "goverse"));
    IrNode *groups = ir_put(a, ir_put(a, o->root, "spec", ir_map(a)), "groups", ir_seq(a));
    size_t place = 0;
    for (size_t g = 0; g < sizeof GROUPS / sizeof GROUPS[0]; g++) {
        IrNode *grp = ir_push(groups, ir_map(a));
        ir_put(a, grp, "name", ir_str(a, GROUPS[g].name));
        IrNode *rules = ir_put(a, grp, "rules", ir_seq(a));
        for (size_t i = 0; i < GROUPS[g].n; i++, place++)
            ir_push(rules, rule(l, &GROUPS[g].rules[i], place));
        if (GROUPS[g].etcd)
            ir_when(l->a, grp, lower_monitoring_etcd_on(l));
    }
}
