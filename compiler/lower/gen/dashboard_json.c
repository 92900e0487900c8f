/* dashboard_json.c - a build-time tool, not part of goversec: writes the Grafana dashboard's JSON
 * (design 8.2) after its uid and title as a C source, `lower_dashboard_rest` (dashboard_json.h),
 * compiled into goversec. The text is the same for every cluster and every build (the data source
 * and the namespace are dashboard variables chosen in Grafana; lower_dashboard.c adds the uid and
 * title, which name the cluster): writing it when goversec ran was ~80 K instructions, a sixth of
 * lowering a cluster. The generated file lives in the build tree only (CMakeLists.txt).
 *
 * Usage: dashboard_json OUT.c
 *
 * The panels are a static table, written with json.h's JsonWriter (json_write's layout), which
 * the golden trees and tests/unit/test_lower_monitoring.c check. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "emit/json.h"

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

/* PromQL matchers on the dashboard's $namespace variable. No "{{" anywhere (main refuses it): the
 * chart prints this text inside a Helm template, where "{{" would start an action. */
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

/* ---- members: JsonWriter's calls for a key and its value -------------------------------------- */

static void key(JsonWriter *w, const char *k)
{
    json_key(w, k, strlen(k));
}

static void str(JsonWriter *w, const char *k, const char *v)
{
    key(w, k);
    json_str(w, v, strlen(v));
}

static void num(JsonWriter *w, const char *k, int64_t v)
{
    key(w, k);
    json_int(w, v);
}

static void boolean(JsonWriter *w, const char *k, bool v)
{
    key(w, k);
    json_bool(w, v);
}

/* The member `k` opening an object or array ('{' or '['), or an item of the open array (k NULL). */
static void begin(JsonWriter *w, const char *k, char bracket)
{
    if (k)
        key(w, k);
    else
        json_item(w);
    json_begin(w, bracket);
}

static void empty(JsonWriter *w, const char *k, char opening, char closing)
{
    begin(w, k, opening);
    json_end(w, closing);
}

/* ---- the dashboard ------------------------------------------------------------------------------ */

/* Every panel and target names the same data source. */
static void datasource(JsonWriter *w)
{
    begin(w, "datasource", '{');
    str(w, "type", "prometheus");
    str(w, "uid", "${datasource}");
    json_end(w, '}');
}

static void grid(JsonWriter *w, int h, int width, int x, int y)
{
    begin(w, "gridPos", '{');
    num(w, "h", h);
    num(w, "w", width);
    num(w, "x", x);
    num(w, "y", y);
    json_end(w, '}');
}

static void targets(JsonWriter *w, const PanelDef *p)
{
    begin(w, "targets", '[');
    for (int i = 0; i < 3 && p->targets[i].expr; i++) {
        begin(w, NULL, '{');
        datasource(w);
        str(w, "expr", p->targets[i].expr);
        str(w, "legendFormat", p->targets[i].legend ? p->targets[i].legend : "__auto");
        str(w, "refId", (const char[]){"ABC"[i], '\0'});
        json_end(w, '}');
    }
    json_end(w, ']');
}

/* One panel at (x, y); rows span the grid and advance the layout. */
static void panel(JsonWriter *w, const PanelDef *p, int id, int x, int y)
{
    begin(w, NULL, '{');
    num(w, "id", id);
    str(w, "title", p->title);
    if (p->kind == PANEL_ROW) {
        str(w, "type", "row");
        boolean(w, "collapsed", false);
        grid(w, 1, GRID_WIDTH, 0, y);
        empty(w, "panels", '[', ']');
        json_end(w, '}');
        return;
    }
    str(w, "type", p->kind == PANEL_STAT ? "stat" : "timeseries");
    datasource(w);
    grid(w, PANEL_HEIGHT, PANEL_WIDTH, x, y);
    begin(w, "fieldConfig", '{');
    begin(w, "defaults", '{');
    str(w, "unit", p->unit);
    json_end(w, '}');
    empty(w, "overrides", '[', ']');
    json_end(w, '}');
    targets(w, p);
    json_end(w, '}');
}

static void panels(JsonWriter *w)
{
    begin(w, "panels", '[');
    int x = 0, y = 0;
    for (size_t i = 0; i < sizeof PANELS / sizeof PANELS[0]; i++) {
        const PanelDef *p = &PANELS[i];
        if (p->kind == PANEL_ROW && x > 0)
            x = 0, y += PANEL_HEIGHT;
        panel(w, p, (int)i + 1, x, y);
        if (p->kind == PANEL_ROW) {
            y += 1;
        } else if ((x += PANEL_WIDTH) >= GRID_WIDTH) {
            x = 0;
            y += PANEL_HEIGHT;
        }
    }
    json_end(w, ']');
}

/* A template variable's common members; the caller adds its own and closes it. */
static void variable(JsonWriter *w, const char *name, const char *label, const char *type)
{
    begin(w, NULL, '{');
    str(w, "name", name);
    str(w, "label", label);
    str(w, "type", type);
    num(w, "hide", 0);
    empty(w, "current", '{', '}');
    empty(w, "options", '[', ']');
}

static void templating(JsonWriter *w)
{
    begin(w, "templating", '{');
    begin(w, "list", '[');
    variable(w, "datasource", "Data source", "datasource");
    str(w, "query", "prometheus");
    num(w, "refresh", 1);
    json_end(w, '}');
    variable(w, "namespace", "Namespace", "query");
    const char *q = "label_values(up{job=\"goverse-node\"}, namespace)";
    datasource(w);
    str(w, "definition", q);
    begin(w, "query", '{');
    str(w, "query", q);
    str(w, "refId", "namespace");
    json_end(w, '}');
    num(w, "refresh", 2);
    num(w, "sort", 1);
    json_end(w, '}');
    json_end(w, ']');
    json_end(w, '}');
}

/* The dashboard's members after its uid and title, up to the closing brace and a newline:
 * written as if inside the top-level object after two members (lower_dashboard.c writes those). */
static const char *dashboard_rest_text(Arena *a)
{
    StrBuf b;
    strbuf_init(&b, a);
    JsonWriter w = {&b, 2, false};
    str(&w, "description", "Goverse nodes, gates, shards and etcd (generated by goversec)");
    begin(&w, "tags", '[');
    json_item(&w);
    json_str(&w, "goverse", strlen("goverse"));
    json_end(&w, ']');
    boolean(&w, "editable", true);
    num(&w, "graphTooltip", 1);
    num(&w, "schemaVersion", 39);
    num(&w, "version", 1);
    str(&w, "refresh", "30s");
    begin(&w, "time", '{');
    str(&w, "from", "now-6h");
    str(&w, "to", "now");
    json_end(&w, '}');
    str(&w, "timezone", "browser");
    templating(&w);
    begin(&w, "annotations", '{');
    empty(&w, "list", '[', ']');
    json_end(&w, '}');
    panels(&w);
    json_end(&w, '}'); /* the top-level object, opened by lower_dashboard.c's text */
    strbuf_add(&b, "\n");
    return strbuf_str(&b);
}

/* `text` as a C string literal, one source line per line of it. */
static bool write_literal(FILE *f, const char *text)
{
    fputs("const char lower_dashboard_rest[] =\n    \"", f);
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\n')
            fputs(p[1] ? "\\n\"\n    \"" : "\\n", f);
        else if (c == '"' || c == '\\' || c == '?') /* '?': no trigraph can form (-std=c11) */
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\%03o", c);
        else
            fputc(c, f);
    }
    fputs("\";\n", f);
    return !ferror(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: dashboard_json OUT.c\n", stderr);
        return 2;
    }
    Arena *a = arena_new();
    const char *text = dashboard_rest_text(a);
    if (strstr(text, "{{")) { /* the chart would print it as a template action (template.c) */
        fputs("dashboard_json: the dashboard's text holds \"{{\"\n", stderr);
        return 1;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fputs("/* Generated by compiler/lower/gen/dashboard_json.c when goversec is built: do not edit. */\n"
          "#include \"lower/dashboard_json.h\"\n\n", f);
    bool ok = write_literal(f, text);
    if (fclose(f) != 0 || !ok) {
        perror(argv[1]);
        remove(argv[1]);
        return 1;
    }
    arena_free(a);
    return 0;
}
