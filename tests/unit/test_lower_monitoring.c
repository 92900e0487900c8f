/* test_lower_monitoring.c - observability lowering (lower_monitoring.c, lower_alerts.c,
 * lower_dashboard.c) through the whole pipeline: the three ServiceMonitors, the PrometheusRule (every
 * alert complete, PromQL balanced and using known metric names, values flowing into quorum and shard
 * thresholds), the Grafana dashboard JSON read back with its panels, and the monitoring switches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "driver/driver.h"
#include "test_build_util.h"
#include "support/quantity.h"
#include "yaml/yamlio.h"

#define ON "monitoring prometheus { interval 45s  alerts on  dashboards on }\n"

static Built *build_with(const char *body, const char *const *sets, int nsets)
{
    return build_cluster("chat", "goverse-chat", body, sets, nsets);
}

static Built *build(const char *body) { return build_with(body, NULL, 0); }

/* The object at `path` evaluated under the compilation's values; NULL when switched off. */
static Data *object(Built *b, const char *path)
{
    const IrCluster *c = b->comp.ir->clusters[0];
    for (const IrObject *o = c->objects; o; o = o->next)
        if (strcmp(o->path, path) == 0)
            return ir_eval_object(b->comp.arena, c, o, b->comp.values[0]);
    fail_msg("no object %s in the IR", path);
    return NULL;
}

static const char *str_at(const Data *d, const char *path)
{
    const Data *v = data_path(d, path);
    if (!v || v->kind != DATA_STR)
        fail_msg("%s is not a string", path);
    return v->u.str.s;
}

static const Data *item(const Data *seq, size_t i)
{
    assert_non_null(seq);
    assert_int_equal(seq->kind, DATA_SEQ);
    const Data *d = seq->u.kids.first;
    for (; d && i; i--)
        d = d->next;
    assert_non_null(d);
    return d;
}

/* ---- ServiceMonitors -------------------------------------------------------------------------- */

static void check_monitor(Built *b, const char *path, const char *name, const char *app, const char *port)
{
    Data *sm = object(b, path);
    assert_non_null(sm);
    assert_string_equal(str_at(sm, "apiVersion"), "monitoring.coreos.com/v1");
    assert_string_equal(str_at(sm, "kind"), "ServiceMonitor");
    assert_string_equal(str_at(sm, "metadata.name"), name);
    assert_string_equal(str_at(sm, "metadata.namespace"), "goverse-chat");
    assert_string_equal(str_at(sm, "metadata.labels.app"), app);
    assert_string_equal(str_at(sm, "spec.selector.matchLabels.app"), app);
    assert_string_equal(str_at(sm, "spec.jobLabel"), "app");
    const Data *ep = item(data_path(sm, "spec.endpoints"), 0);
    assert_string_equal(str_at(ep, "port"), port);
    assert_string_equal(str_at(ep, "path"), "/metrics");
    assert_string_equal(str_at(ep, "interval"), "45s");
}

static void test_service_monitors(void **state)
{
    (void)state;
    Built *b = build(ON);
    check_monitor(b, "monitoring/servicemonitor-nodes.yaml", "goverse-nodes", "goverse-node", "http");
    check_monitor(b, "monitoring/servicemonitor-gates.yaml", "goverse-gates", "goverse-gate", "ops");
    check_monitor(b, "monitoring/servicemonitor-etcd.yaml", "goverse-etcd", "etcd", "client");
    /* The ports they name exist on the Services they select. */
    const Data *port = item(data_path(object(b, "nodes/service.yaml"), "spec.ports"), 1);
    assert_string_equal(str_at(port, "name"), "http");
    port = item(data_path(object(b, "etcd/service.yaml"), "spec.ports"), 0);
    assert_string_equal(str_at(port, "name"), "client");
    /* No release label unless asked for. */
    assert_null(data_path(object(b, "monitoring/servicemonitor-nodes.yaml"), "metadata.labels.release"));
    built_free(b);
}

static void test_interval_and_release(void **state)
{
    (void)state;
    static const char *const sets[] = {"monitoring.release=kube-prometheus-stack"};
    Built *b = build_with("monitoring prometheus { interval 90s }\n", sets, 1);
    Data *sm = object(b, "monitoring/servicemonitor-gates.yaml");
    assert_string_equal(str_at(item(data_path(sm, "spec.endpoints"), 0), "interval"), "1m30s");
    assert_string_equal(str_at(sm, "metadata.labels.release"), "kube-prometheus-stack");
    /* alerts and dashboards are off unless the description says so */
    assert_null(object(b, "monitoring/prometheusrule.yaml"));
    assert_null(object(b, "monitoring/dashboard.yaml"));
    built_free(b);

    /* Prometheus' duration form: no fractions, units in descending order */
    b = build("monitoring prometheus { interval 1.5s }\n");
    sm = object(b, "monitoring/servicemonitor-nodes.yaml");
    assert_string_equal(str_at(item(data_path(sm, "spec.endpoints"), 0), "interval"), "1s500ms");
    built_free(b);
    b = build("monitoring prometheus { interval 2m }\n");
    sm = object(b, "monitoring/servicemonitor-nodes.yaml");
    assert_string_equal(str_at(item(data_path(sm, "spec.endpoints"), 0), "interval"), "2m");
    built_free(b);
}

/* ---- PrometheusRule --------------------------------------------------------------------------- */

/* Brackets balanced and properly nested outside string literals; quotes closed. */
static bool promql_balanced(const char *e)
{
    char stack[64];
    int n = 0;
    for (const char *p = e; *p; p++) {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (!*p)
                return false;
        } else if (strchr("([{", *p)) {
            if (n == (int)sizeof stack)
                return false;
            stack[n++] = *p;
        } else if (strchr(")]}", *p)) {
            char open = *p == ')' ? '(' : *p == ']' ? '[' : '{';
            if (n == 0 || stack[--n] != open)
                return false;
        }
    }
    return n == 0;
}

/* Metric names the rules and panels may use: Goverse's own (util/metrics/metrics.go), etcd's,
 * kube-state-metrics', cAdvisor's, grpc-go's and Prometheus' `up`. */
static const char *const KNOWN_METRICS[] = {
    "goverse_objects_total", "goverse_method_calls_total", "goverse_method_call_duration_bucket",
    "goverse_shards_total", "goverse_shards_migrating", "goverse_shard_migrations_total",
    "goverse_gate_active_clients", "goverse_gate_pushed_messages_total", "goverse_gate_dropped_messages_total",
    "goverse_operation_timeouts_total", "goverse_shard_mapping_write_failures_total", "up",
    "etcd_server_has_leader", "etcd_server_leader_changes_seen_total", "etcd_disk_wal_fsync_duration_seconds_bucket",
    "etcd_disk_backend_commit_duration_seconds_bucket", "etcd_network_peer_round_trip_time_seconds_bucket",
    "kube_statefulset_status_replicas_ready", "kube_statefulset_replicas",
    "kube_horizontalpodautoscaler_status_current_replicas", "kube_horizontalpodautoscaler_spec_max_replicas",
    "kube_pod_container_resource_limits", "container_cpu_usage_seconds_total", "container_memory_working_set_bytes",
    "grpc_server_handled_total", "grpc_server_handling_seconds_bucket", NULL,
};

/* Every `name{` selector in `e` names a known metric; returns how many selectors were seen. */
static int check_metric_names(const char *e)
{
    int seen = 0;
    for (const char *p = strchr(e, '{'); p; p = strchr(p + 1, '{')) {
        const char *s = p;
        while (s > e && (s[-1] == '_' || (s[-1] >= 'a' && s[-1] <= 'z') || (s[-1] >= '0' && s[-1] <= '9')))
            s--;
        size_t len = (size_t)(p - s);
        bool known = false;
        for (const char *const *m = KNOWN_METRICS; *m; m++)
            known |= strlen(*m) == len && strncmp(*m, s, len) == 0;
        if (!known)
            fail_msg("unknown metric '%.*s' in: %s", (int)len, s, e);
        seen++;
        /* every selector is scoped to a namespace */
        const char *close = strchr(p, '}');
        assert_non_null(close);
        bool scoped = false;
        for (const char *q = p; q + 10 <= close; q++)
            scoped |= strncmp(q, "namespace=", 10) == 0;
        if (!scoped)
            fail_msg("selector without a namespace matcher in: %s", e);
    }
    return seen;
}

static const Data *find_rule(const Data *rule_obj, const char *alert)
{
    for (const Data *g = data_path(rule_obj, "spec.groups")->u.kids.first; g; g = g->next)
        for (const Data *r = data_get(g, "rules")->u.kids.first; r; r = r->next)
            if (strcmp(str_at(r, "alert"), alert) == 0)
                return r;
    return NULL;
}

static void test_alert_rules(void **state)
{
    (void)state;
    Built *b = build(ON);
    Data *pr = object(b, "monitoring/prometheusrule.yaml");
    assert_non_null(pr);
    assert_string_equal(str_at(pr, "kind"), "PrometheusRule");
    assert_string_equal(str_at(pr, "metadata.name"), "goverse-alerts");
    int rules = 0;
    for (const Data *g = data_path(pr, "spec.groups")->u.kids.first; g; g = g->next) {
        assert_true(strncmp(str_at(g, "name"), "goverse.", 8) == 0);
        for (const Data *r = data_get(g, "rules")->u.kids.first; r; r = r->next, rules++) {
            const char *expr = str_at(r, "expr");
            if (!promql_balanced(expr))
                fail_msg("unbalanced PromQL in %s: %s", str_at(r, "alert"), expr);
            assert_true(check_metric_names(expr) > 0);
            assert_non_null(strstr(expr, "namespace=\"goverse-chat\""));
            int64_t ms;
            assert_true(duration_parse(str_at(r, "for"), &ms) && ms > 0);
            const char *sev = str_at(r, "labels.severity");
            assert_true(strcmp(sev, "critical") == 0 || strcmp(sev, "warning") == 0);
            assert_true(*str_at(r, "annotations.summary"));
            assert_true(*str_at(r, "annotations.description"));
            assert_true(*str_at(r, "annotations.runbook"));
        }
    }
    assert_true(rules >= 12);
    static const char *const required[] = {"GoverseNodeDown", "GoverseEtcdNoLeader", "GoverseEtcdQuorumLost",
                                           "GoverseCallErrorRateHigh", "GoverseCallLatencyHigh",
                                           "GoverseGateSaturated", "GoverseShardMappingNotConverging"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (!find_rule(pr, required[i]))
            fail_msg("missing alert %s", required[i]);
    assert_string_equal(str_at(find_rule(pr, "GoverseEtcdNoLeader"), "expr"),
                        "etcd_server_has_leader{job=\"etcd\",namespace=\"goverse-chat\"} == 0");
    assert_non_null(strstr(str_at(find_rule(pr, "GoverseCallLatencyHigh"), "expr"), "histogram_quantile(0.99,"));
    /* thresholds read the description: 3 etcd members, 8192 shards */
    assert_non_null(strstr(str_at(find_rule(pr, "GoverseEtcdQuorumLost"), "expr"), "* 2 <= 3"));
    assert_non_null(strstr(str_at(find_rule(pr, "GoverseShardsUnassigned"), "expr"), "< 8192"));
    built_free(b);
}

static void test_alert_rules_follow_values(void **state)
{
    (void)state;
    static const char *const sets[] = {"etcd.replicas=5", "nodes.replicas=5"};
    Built *b = build_with(ON, sets, 2);
    Data *pr = object(b, "monitoring/prometheusrule.yaml");
    assert_non_null(strstr(str_at(find_rule(pr, "GoverseEtcdQuorumLost"), "expr"), "* 2 <= 5"));
    assert_non_null(strstr(str_at(find_rule(pr, "GoverseShardsUnassigned"), "expr"), "< 8192"));
    built_free(b);

    /* etcd outside the cluster: no etcd ServiceMonitor, no etcd rule group */
    static const char *const ext[] = {"etcd.enabled=false", "etcd.external.enabled=true",
                                      "etcd.external.endpoints={etcd.example.com:2379}"};
    b = build_with(ON, ext, 3);
    assert_null(object(b, "monitoring/servicemonitor-etcd.yaml"));
    assert_non_null(object(b, "monitoring/servicemonitor-nodes.yaml"));
    pr = object(b, "monitoring/prometheusrule.yaml");
    assert_null(find_rule(pr, "GoverseEtcdNoLeader"));
    assert_non_null(find_rule(pr, "GoverseNodeDown"));
    built_free(b);
}

/* ---- dashboard -------------------------------------------------------------------------------- */

static Data *dashboard_json(Built *b, const char **text_out)
{
    Data *cm = object(b, "monitoring/dashboard.yaml");
    assert_non_null(cm);
    assert_string_equal(str_at(cm, "kind"), "ConfigMap");
    assert_string_equal(str_at(cm, "metadata.labels.grafana_dashboard"), "1");
    const Data *json = data_get(data_get(cm, "data"), "goverse.json");
    assert_true(json && json->kind == DATA_STR);
    const char *text = json->u.str.s;
    *text_out = text;
    SourceMap sm;
    source_map_init(&sm, b->comp.arena);
    SourceFile *f = source_add(&sm, "goverse.json", text, strlen(text));
    DiagSink diags;
    diag_init(&diags, &sm, b->comp.arena);
    Data **docs = NULL;
    assert_int_equal(yaml_read(b->comp.arena, f, &docs, &diags), 1);
    return docs[0];
}

static void test_dashboard(void **state)
{
    (void)state;
    Built *b = build(ON);
    const char *text;
    Data *d = dashboard_json(b, &text);
    assert_null(strstr(text, "{{")); /* would open a Helm action in the chart */
    assert_string_equal(str_at(d, "uid"), "goverse-chat");
    assert_string_equal(str_at(item(data_path(d, "templating.list"), 1), "name"), "namespace");
    static const char *const titles[] = {"Nodes", "Objects per node", "Shards per node", "Node CPU (cores)",
                                         "Node memory (working set)", "Object call latency",
                                         "Net object activation rate (activations - deactivations)", "Gates",
                                         "Active client connections", "Request throughput", "Request latency",
                                         "Request error rate", "Cluster", "Nodes up", "Shards mapped",
                                         "Leadership changes and shard migrations", "etcd health",
                                         "etcd latency (p99)"};
    for (size_t i = 0; i < sizeof titles / sizeof *titles; i++) {
        bool found = false;
        for (const Data *p = data_get(d, "panels")->u.kids.first; p; p = p->next)
            found |= strcmp(str_at(p, "title"), titles[i]) == 0;
        if (!found)
            fail_msg("no panel '%s'", titles[i]);
    }
    for (const Data *p = data_get(d, "panels")->u.kids.first; p; p = p->next) {
        const Data *g = data_get(p, "gridPos");
        assert_true(data_get(g, "x")->u.i + data_get(g, "w")->u.i <= 24);
        if (strcmp(str_at(p, "type"), "row") == 0)
            continue;
        const Data *targets = data_get(p, "targets");
        assert_true(targets && targets->u.kids.count > 0);
        for (const Data *t = targets->u.kids.first; t; t = t->next) {
            if (!promql_balanced(str_at(t, "expr")))
                fail_msg("unbalanced PromQL in panel %s", str_at(p, "title"));
            check_metric_names(str_at(t, "expr"));
        }
    }
    /* deterministic: a second compilation produces the same text */
    Built *again = build(ON);
    const char *text2;
    dashboard_json(again, &text2);
    assert_string_equal(text, text2);
    built_free(again);
    built_free(b);
}

/* ---- switches --------------------------------------------------------------------------------- */

static const char *const MONITORING_FILES[] = {
    "monitoring/servicemonitor-nodes.yaml", "monitoring/servicemonitor-gates.yaml",
    "monitoring/servicemonitor-etcd.yaml", "monitoring/prometheusrule.yaml", "monitoring/dashboard.yaml",
};

static void test_monitoring_off(void **state)
{
    (void)state;
    Built *b = build("");
    for (size_t i = 0; i < 5; i++)
        assert_null(object(b, MONITORING_FILES[i]));
    assert_false(data_truthy(data_path(b->comp.values[0], "monitoring.enabled")));
    built_free(b);

    /* switched on at install time: ServiceMonitors only, unless alerts/dashboards are asked for */
    static const char *const on[] = {"monitoring.enabled=true"};
    b = build_with("", on, 1);
    assert_non_null(object(b, MONITORING_FILES[0]));
    assert_non_null(object(b, MONITORING_FILES[2]));
    assert_string_equal(str_at(item(data_path(object(b, MONITORING_FILES[1]), "spec.endpoints"), 0), "interval"),
                        "30s");
    assert_null(object(b, "monitoring/prometheusrule.yaml"));
    assert_null(object(b, "monitoring/dashboard.yaml"));
    built_free(b);

    /* the description's monitoring switched off by values */
    static const char *const off[] = {"monitoring.enabled=false"};
    b = build_with(ON, off, 1);
    for (size_t i = 0; i < 5; i++)
        assert_null(object(b, MONITORING_FILES[i]));
    built_free(b);
    static const char *const sm_off[] = {"monitoring.serviceMonitor.enabled=false"};
    b = build_with(ON, sm_off, 1);
    assert_null(object(b, MONITORING_FILES[0]));
    assert_non_null(object(b, "monitoring/prometheusrule.yaml"));
    built_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_service_monitors),   cmocka_unit_test(test_interval_and_release),
        cmocka_unit_test(test_alert_rules),        cmocka_unit_test(test_alert_rules_follow_values),
        cmocka_unit_test(test_dashboard),          cmocka_unit_test(test_monitoring_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
