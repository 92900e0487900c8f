/* lower_monitoring.c - observability (design section 8): the monitoring.* knobs, the three
 * ServiceMonitors (goverse-nodes, goverse-gates, goverse-etcd) and the PromQL text helper the
 * alert rules share. The PrometheusRule lives in lower_alerts.c, the Grafana dashboard ConfigMap in
 * lower_dashboard.c. Everything is lowered even when the description says `monitoring off`: the
 * objects then sit behind monitoring.enabled defaulting to false, so the chart can switch them on. */
#include <string.h>

#include "lower/lower_internal.h"

/* Prometheus' own duration form ("30s", "1m30s", "500ms"): units in descending order, no
 * fractions, as the ServiceMonitor CRD's pattern and the chart's duration pattern both accept.
 * Go's form ("1m0s") would also match, but this is what people write. */
static const char *prom_duration(Lower *l, int64_t ms)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } UNITS[] = {{"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
    if (ms <= 0)
        return "30s";
    const char *out = "";
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++) {
        if (ms >= UNITS[i].ms) {
            out = arena_printf(l->a, "%s%lld%s", out, (long long)(ms / UNITS[i].ms), UNITS[i].unit);
            ms %= UNITS[i].ms;
        }
    }
    return out;
}

void lower_monitoring_knobs(Lower *l)
{
    const Monitoring *m = &l->cl->monitoring;
    lower_knob_bool(l, "monitoring.enabled", m->prometheus,
                    "Prometheus Operator integration (ServiceMonitors, alerts, dashboard)");
    lower_knob_bool(l, "monitoring.serviceMonitor.enabled", true,
                    "ServiceMonitors for nodes, gates and etcd (when monitoring.enabled)");
    lower_knob_str(l, "monitoring.serviceMonitor.interval", KNOB_DURATION, prom_duration(l, m->interval_ms),
                   "scrape interval of the ServiceMonitors");
    lower_knob_str(l, "monitoring.release", KNOB_STRING, "",
                   "`release` label on ServiceMonitors, rules and dashboard (kube-prometheus-stack selects "
                   "them by it; empty: no label)");
    lower_knob_bool(l, "monitoring.alerts.enabled", m->alerts,
                    "PrometheusRule goverse-alerts (when monitoring.enabled)");
    lower_knob_bool(l, "monitoring.dashboards.enabled", m->dashboards,
                    "Grafana dashboard ConfigMap for the sidecar (when monitoring.enabled)");
}

/* monitoring.enabled && <path>: every monitoring object hangs off the master switch. */
const IrCond *lower_monitoring_on(Lower *l, const char *path)
{
    const IrCond *on = lower_if(l, "monitoring.enabled");
    return path ? ir_cond_and(l->a, on, lower_if(l, path)) : on;
}

/* etcd runs in the cluster: the etcd ServiceMonitor and the etcd alerts make sense. */
const IrCond *lower_monitoring_etcd_on(Lower *l)
{
    return ir_cond_and(l->a, lower_if(l, "etcd.enabled"), lower_unless(l, "etcd.external.enabled"));
}

/* metadata of a monitoring object: the standard labels plus `release` when monitoring.release is set. */
IrNode *lower_monitoring_metadata(Lower *l, const char *name, const char *app)
{
    IrNode *md = lower_metadata(l, name, app, "monitoring");
    IrNode *labels = lower_map_get(md, "labels");
    ir_when(l->a, ir_put(l->a, labels, "release", lower_ref(l, "monitoring.release")), lower_if(l, "monitoring.release"));
    return md;
}

/* PromQL text with placeholders: @NS@ becomes the cluster's namespace, @KNOB:path@ the value of a
 * knob. Text without placeholders stays a literal string. */
IrNode *lower_promql(Lower *l, const char *text)
{
    if (!strchr(text, '@'))
        return ir_str(l->a, text);
    IrNode *first = NULL, *last = NULL;
    const char *p = text;
    while (*p) {
        const char *at = strchr(p, '@');
        const char *end = at ? strchr(at + 1, '@') : NULL;
        IrNode *piece;
        if (!at || !end) {
            piece = ir_str(l->a, p);
            p += strlen(p);
        } else if (at > p) {
            piece = ir_str(l->a, arena_strndup(l->a, p, (size_t)(at - p)));
            p = at;
        } else {
            const char *name = arena_strndup(l->a, at + 1, (size_t)(end - at - 1));
            piece = strcmp(name, "NS") == 0 ? lower_namespace_expr(l)
                    : strncmp(name, "KNOB:", 5) == 0 ? lower_ref(l, name + 5)
                                                     : ir_str(l->a, arena_strndup(l->a, at, (size_t)(end - at + 1)));
            p = end + 1;
        }
        if (last)
            last->next = piece;
        else
            first = piece;
        last = piece;
    }
    return ir_expr(l->a, EXPR_CONCAT, first);
}

/* One ServiceMonitor (design 8.1): the Service labelled app=<app>, port <port>, /metrics at the
 * interval knob. jobLabel `app` names the scrape job after the app ("goverse-node", "etcd") instead
 * of the Service ("goverse-node-headless"); the alert rules select on those job names. */
static void service_monitor(Lower *l, const char *file, const char *name, const char *app, const char *port,
                            const IrCond *when)
{
    Arena *a = l->a;
    IrObject *o = ir_object(a, l->ir, file, "monitoring", "monitoring.coreos.com/v1", "ServiceMonitor", name, when);
    ir_put(a, o->root, "apiVersion", ir_str(a, "monitoring.coreos.com/v1"));
    ir_put(a, o->root, "kind", ir_str(a, "ServiceMonitor"));
    ir_put(a, o->root, "metadata", lower_monitoring_metadata(l, name, app));
    IrNode *spec = ir_put(a, o->root, "spec", ir_map(a));
    ir_put(a, spec, "jobLabel", ir_str(a, "app"));
    ir_put(a, spec, "selector", lower_selector(l, app));
    IrNode *ep = ir_push(ir_put(a, spec, "endpoints", ir_seq(a)), ir_map(a));
    ir_put(a, ep, "port", ir_str(a, port));
    ir_put(a, ep, "path", ir_str(a, "/metrics"));
    ir_put(a, ep, "interval", lower_ref(l, "monitoring.serviceMonitor.interval"));
}

void lower_monitoring_objects(Lower *l)
{
    const IrCond *sm = lower_monitoring_on(l, "monitoring.serviceMonitor.enabled");
    service_monitor(l, "monitoring/servicemonitor-nodes.yaml", "goverse-nodes", "goverse-node", "http", sm);
    service_monitor(l, "monitoring/servicemonitor-gates.yaml", "goverse-gates", "goverse-gate", "ops", sm);
    service_monitor(l, "monitoring/servicemonitor-etcd.yaml", "goverse-etcd", "etcd", "client",
                    ir_cond_and(l->a, sm, lower_monitoring_etcd_on(l)));
    lower_alerts_object(l);
    lower_dashboard_object(l);
}
