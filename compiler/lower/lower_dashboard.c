/* lower_dashboard.c - the Grafana dashboard (design 8.2) as a ConfigMap labelled
 * grafana_dashboard: "1" for the Grafana sidecar. The dashboard JSON is constant text in the IR,
 * not parameterised (the data source and the namespace are dashboard variables chosen in
 * Grafana): its panels are written when goversec is built (dashboard_json.h), only the uid and
 * title, which name the cluster, are added here. */
#include "lower/dashboard_json.h"
#include "lower/lower_internal.h"

/* The dashboard JSON. Its first two members, uid and title, name the cluster: the release name
 * in the chart, so one chart serves every cluster of its shape. uid: Grafana allows 40
 * characters; the name keeps two Goverse clusters' dashboards apart in one Grafana. Cluster and
 * release names are DNS labels: nothing in them needs a JSON escape. */
static IrNode *dashboard_text(Lower *l)
{
    Arena *a = l->a;
    IrNode *uid_name = ir_expr(a, EXPR_RELEASE_NAME, ir_int(a, 32));
    return ir_expr(a, EXPR_CONCAT,
                   ir_chain(ir_str(a, "{\n  \"uid\": \"goverse-"), uid_name,
                            ir_str(a, "\",\n  \"title\": \"Goverse / "), lower_release_name_expr(l),
                            ir_str(a, "\""), ir_str(a, lower_dashboard_rest), NULL));
}

void lower_dashboard_object(Lower *l)
{
    Arena *a = l->a;
    IrObject *o = ir_object(a, l->ir, "monitoring/dashboard.yaml", "monitoring", "v1", "ConfigMap", "goverse-dashboard",
                            lower_monitoring_on(l, "monitoring.dashboards.enabled"));
    ir_put(a, o->root, "apiVersion", ir_str(a, "v1"));
    ir_put(a, o->root, "kind", ir_str(a, "ConfigMap"));
    IrNode *md = ir_put(a, o->root, "metadata", lower_monitoring_metadata(l, "goverse-dashboard", "goverse"));
    /* The Grafana sidecar (kube-prometheus-stack, grafana chart) loads ConfigMaps with this label. */
    ir_put(a, lower_map_get(md, "labels"), "grafana_dashboard", ir_str(a, "1"))->style = STYLE_QUOTED;
    IrNode *data = ir_put(a, o->root, "data", ir_map(a));
    ir_put(a, data, "goverse.json", dashboard_text(l))->style = STYLE_LITERAL;
}
