/* lower_dashboard.c - the Grafana dashboard (design 8.2) as a ConfigMap labelled
 * grafana_dashboard: "1" for the Grafana sidecar. The dashboard JSON is built as a Data tree from a
 * static panel table and serialised once (json_write): it is constant text in the IR, not
 * parameterised; the data source and the namespace are dashboard variables chosen in Grafana. */
#include <string.h>

#include "emit/json.h"
#include "lower/lower_internal.h"

typedef enum PanelKind { PANEL_ROW, PANEL_SERIES, PANEL_STAT } PanelKind;

typedef struct Target {
    const char *legend; /* NULL: Grafana's automatic legend */
    const char *expr;
} Target;

typedef struct PanelDef {
    PanelKind kind;
    const char *title, *unit;
    Target targets[3];
} PanelDef;

/* PromQL matchers on the dashboard's $namespace variable. No "{{" anywhere: the chart prints this
 * text inside a Helm template, where "{{" would start an action. */
#define NS "namespace=\"$namespace\""
#define RATE "[$__rate_interval]"
#define QUANTILES(metric, sel)                                                                   \
    {{"p50", "histogram_quantile(0.5, sum by (le) (rate(" metric "{" sel "}" RATE ")))"},        \
     {"p95", "histogram_quantile(0.95, sum by (le) (rate(" metric "{" sel "}" RATE ")))"},       \
     {"p99", "histogram_quantile(0.99, sum by (le) (rate(" metric "{" sel "}" RATE ")))"}}

static const PanelDef PANELS[] = {
    {PANEL_ROW, "Nodes", NULL, {{0}}},
    {PANEL_SERIES, "Objects per node", "short", {{NULL, "sum by (node) (goverse_objects_total{" NS "})"}}},
    {PANEL_SERIES, "Shards per node", "short", {{NULL, "max by (node) (goverse_shards_total{" NS "})"}}},
    {PANEL_SERIES, "Net object activation rate (activations - deactivations)", "ops",
     {{NULL, "sum by (node) (deriv(goverse_objects_total{" NS "}" RATE "))"}}},
    {PANEL_SERIES, "Node CPU (cores)", "short",
     {{NULL, "sum by (pod) (rate(container_cpu_usage_seconds_total{container=\"goverse-node\"," NS "}" RATE "))"}}},
    {PANEL_SERIES, "Node memory (working set)", "bytes",
     {{NULL, "sum by (pod) (container_memory_working_set_bytes{container=\"goverse-node\"," NS "})"}}},
    {PANEL_SERIES, "Object call latency", "s", QUANTILES("goverse_method_call_duration_bucket", NS)},
    {PANEL_SERIES, "Object calls by status", "reqps",
     {{NULL, "sum by (status) (rate(goverse_method_calls_total{" NS "}" RATE "))"}}},
    {PANEL_ROW, "Gates", NULL, {{0}}},
    {PANEL_SERIES, "Active client connections", "short",
     {{NULL, "sum by (gate) (goverse_gate_active_clients{" NS "})"}}},
    {PANEL_SERIES, "Request throughput", "reqps",
     {{"requests", "sum(rate(grpc_server_handled_total{job=\"goverse-gate\"," NS "}" RATE "))"},
      {"pushed messages", "sum(rate(goverse_gate_pushed_messages_total{" NS "}" RATE "))"},
      {"dropped messages", "sum(rate(goverse_gate_dropped_messages_total{" NS "}" RATE "))"}}},
    {PANEL_SERIES, "Request latency", "s",
     QUANTILES("grpc_server_handling_seconds_bucket", "job=\"goverse-gate\"," NS)},
    {PANEL_SERIES, "Request error rate", "percentunit",
     {{"errors", "sum(rate(grpc_server_handled_total{job=\"goverse-gate\",grpc_code!=\"OK\"," NS "}" RATE ")) / "
                 "sum(rate(grpc_server_handled_total{job=\"goverse-gate\"," NS "}" RATE "))"}}},
    {PANEL_ROW, "Cluster", NULL, {{0}}},
    {PANEL_STAT, "Nodes up", "short", {{NULL, "count(up{job=\"goverse-node\"," NS "} == 1)"}}},
    {PANEL_STAT, "Shards mapped", "short",
     {{"mapped", "sum(max by (node) (goverse_shards_total{" NS "}))"},
      {"migrating", "max(goverse_shards_migrating{" NS "})"}}},
    {PANEL_SERIES, "Leadership changes and shard migrations", "short",
     {{"etcd leader changes", "sum(increase(etcd_server_leader_changes_seen_total{job=\"etcd\"," NS "}[1h]))"},
      {"shard migrations", "sum(increase(goverse_shard_migrations_total{" NS "}[1h]))"}}},
    {PANEL_SERIES, "etcd health", "short",
     {{"members up", "sum(up{job=\"etcd\"," NS "})"},
      {"members with a leader", "sum(etcd_server_has_leader{job=\"etcd\"," NS "})"}}},
    {PANEL_SERIES, "etcd latency (p99)", "s",
     {{"WAL fsync",
       "histogram_quantile(0.99, sum by (le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{job=\"etcd\"," NS
       "}" RATE ")))"},
      {"backend commit",
       "histogram_quantile(0.99, sum by (le) (rate(etcd_disk_backend_commit_duration_seconds_bucket{job=\"etcd\"," NS
       "}" RATE ")))"},
      {"peer round trip",
       "histogram_quantile(0.99, sum by (le) (rate(etcd_network_peer_round_trip_time_seconds_bucket{job=\"etcd\"," NS
       "}" RATE ")))"}}},
};

#undef QUANTILES
#undef RATE
#undef NS

enum { GRID_WIDTH = 24, PANEL_WIDTH = 8, PANEL_HEIGHT = 8 };

static Data *str(Arena *a, const char *s) { return data_str(a, s); }

static Data *datasource(Arena *a)
{
    Data *ds = data_map(a);
    data_put(a, ds, "type", str(a, "prometheus"));
    data_put(a, ds, "uid", str(a, "${datasource}"));
    return ds;
}

static Data *grid(Arena *a, int h, int w, int x, int y)
{
    Data *g = data_map(a);
    data_put(a, g, "h", data_int(a, h));
    data_put(a, g, "w", data_int(a, w));
    data_put(a, g, "x", data_int(a, x));
    data_put(a, g, "y", data_int(a, y));
    return g;
}

static Data *targets(Arena *a, const PanelDef *p)
{
    Data *seq = data_seq(a);
    for (int i = 0; i < 3 && p->targets[i].expr; i++) {
        Data *t = data_push(seq, data_map(a));
        data_put(a, t, "datasource", datasource(a));
        data_put(a, t, "expr", str(a, p->targets[i].expr));
        data_put(a, t, "legendFormat", str(a, p->targets[i].legend ? p->targets[i].legend : "__auto"));
        data_put(a, t, "refId", data_strn(a, &"ABC"[i], 1));
    }
    return seq;
}

/* One panel at (x, y); rows span the grid and advance the layout. */
static Data *panel(Arena *a, const PanelDef *p, int id, int x, int y)
{
    Data *d = data_map(a);
    data_put(a, d, "id", data_int(a, id));
    data_put(a, d, "title", str(a, p->title));
    if (p->kind == PANEL_ROW) {
        data_put(a, d, "type", str(a, "row"));
        data_put(a, d, "collapsed", data_bool(a, false));
        data_put(a, d, "gridPos", grid(a, 1, GRID_WIDTH, 0, y));
        data_put(a, d, "panels", data_seq(a));
        return d;
    }
    data_put(a, d, "type", str(a, p->kind == PANEL_STAT ? "stat" : "timeseries"));
    data_put(a, d, "datasource", datasource(a));
    data_put(a, d, "gridPos", grid(a, PANEL_HEIGHT, PANEL_WIDTH, x, y));
    Data *fc = data_put(a, d, "fieldConfig", data_map(a));
    data_put(a, data_put(a, fc, "defaults", data_map(a)), "unit", str(a, p->unit));
    data_put(a, fc, "overrides", data_seq(a));
    data_put(a, d, "targets", targets(a, p));
    return d;
}

static Data *panels(Arena *a)
{
    Data *seq = data_seq(a);
    int x = 0, y = 0;
    for (size_t i = 0; i < sizeof PANELS / sizeof PANELS[0]; i++) {
        const PanelDef *p = &PANELS[i];
        if (p->kind == PANEL_ROW && x > 0)
            x = 0, y += PANEL_HEIGHT;
        data_push(seq, panel(a, p, (int)i + 1, x, y));
        if (p->kind == PANEL_ROW) {
            y += 1;
        } else if ((x += PANEL_WIDTH) >= GRID_WIDTH) {
            x = 0;
            y += PANEL_HEIGHT;
        }
    }
    return seq;
}

static Data *variable(Arena *a, const char *name, const char *label, const char *type)
{
    Data *v = data_map(a);
    data_put(a, v, "name", str(a, name));
    data_put(a, v, "label", str(a, label));
    data_put(a, v, "type", str(a, type));
    data_put(a, v, "hide", data_int(a, 0));
    data_put(a, v, "current", data_map(a));
    data_put(a, v, "options", data_seq(a));
    return v;
}

static Data *templating(Arena *a)
{
    Data *list = data_seq(a);
    Data *ds = data_push(list, variable(a, "datasource", "Data source", "datasource"));
    data_put(a, ds, "query", str(a, "prometheus"));
    data_put(a, ds, "refresh", data_int(a, 1));
    Data *ns = data_push(list, variable(a, "namespace", "Namespace", "query"));
    const char *q = "label_values(up{job=\"goverse-node\"}, namespace)";
    data_put(a, ns, "datasource", datasource(a));
    data_put(a, ns, "definition", str(a, q));
    Data *query = data_put(a, ns, "query", data_map(a));
    data_put(a, query, "query", str(a, q));
    data_put(a, query, "refId", str(a, "namespace"));
    data_put(a, ns, "refresh", data_int(a, 2));
    data_put(a, ns, "sort", data_int(a, 1));
    Data *t = data_map(a);
    data_put(a, t, "list", list);
    return t;
}

/* The whole dashboard but its uid and title (dashboard_text puts them first). */
static Data *dashboard(Lower *l)
{
    Arena *a = l->a;
    Data *d = data_map(a);
    data_put(a, d, "description", str(a, "Goverse nodes, gates, shards and etcd (generated by goversec)"));
    data_push(data_put(a, d, "tags", data_seq(a)), str(a, "goverse"));
    data_put(a, d, "editable", data_bool(a, true));
    data_put(a, d, "graphTooltip", data_int(a, 1));
    data_put(a, d, "schemaVersion", data_int(a, 39));
    data_put(a, d, "version", data_int(a, 1));
    data_put(a, d, "refresh", str(a, "30s"));
    Data *time = data_put(a, d, "time", data_map(a));
    data_put(a, time, "from", str(a, "now-6h"));
    data_put(a, time, "to", str(a, "now"));
    data_put(a, d, "timezone", str(a, "browser"));
    data_put(a, d, "templating", templating(a));
    data_put(a, data_put(a, d, "annotations", data_map(a)), "list", data_seq(a));
    data_put(a, d, "panels", panels(a));
    return d;
}

/* The dashboard JSON with its first two members, uid and title, naming the cluster: the
 * release name in the chart, so one chart serves every cluster of its shape. uid: Grafana allows
 * 40 characters; the name keeps two Goverse clusters' dashboards apart in one Grafana. Cluster
 * and release names are DNS labels: nothing in them needs a JSON escape. The splice follows
 * json_write's layout ("{\n" then members indented by two spaces). */
static IrNode *dashboard_text(Lower *l)
{
    Arena *a = l->a;
    const char *rest = json_write(a, dashboard(l));
    if (strncmp(rest, "{\n", 2) != 0)
        return ir_str(a, rest);
    IrNode *uid_name = ir_expr(a, EXPR_RELEASE_NAME, ir_int(a, 32));
    return ir_expr(a, EXPR_CONCAT,
                   ir_chain(ir_str(a, "{\n  \"uid\": \"goverse-"), uid_name,
                            ir_str(a, "\",\n  \"title\": \"Goverse / "), lower_release_name_expr(l),
                            ir_str(a, "\",\n"), ir_str(a, rest + 2), NULL));
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
