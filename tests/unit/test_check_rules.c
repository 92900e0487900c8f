/* test_check_rules.c - every checker rule on small inputs: the message it must produce, its level,
 * and that a model is withheld on errors (and kept on warnings). */
#include "test_check_util.h"

typedef struct RuleCase {
    const char *text;
    const char *expect;      /* substring of the rendered diagnostics */
    bool error;              /* error (no model) or warning only (model kept) */
} RuleCase;

#define C(body) "cluster \"demo\" {\n" body "\n}\n"
#define TIERS "use \"tiers\"\n"
#define PROD TIERS "cluster \"demo\" {\n tier production-small\n nodes { image \"goverse/node:1.0.0\" }\n"

static const RuleCase CASES[] = {
    {C("nodes { replica 3 }"), "unknown key `replica` in `nodes`\n", true},
    {C("nodes { replica 3 }"), "help: did you mean `replicas`?", true},
    {C("nodes { replicas 3\n replicas 4 }"), "note: first set here", true},
    {C("nodes { replicas 3 4 }"), "`replicas` has too many arguments", true},
    {C("nodes { cpu 512Mi }"), "expected a CPU quantity, found a memory quantity `512Mi`", true},
    {C("nodes { memory 1 .. 500m }"), "expected a memory quantity, found a CPU quantity `500m`", true},
    {C("etcd { storage 10GB }"), "help: use Gi (gibibytes) or G", true},
    {C("nodes { cpu 99999999999999999999 }"), "CPU quantity `99999999999999999999` is too large", true},
    {C("nodes { cpu 3 .. 2 }"), "nodes CPU request 3 is greater than its limit 2", true},
    {C("inspector { memory 1Gi .. 512Mi }"), "inspector memory request 1Gi is greater than its limit 512Mi", true},
    {C("etcd { replicas 4 }"), "etcd needs an odd number of replicas for quorum, found 4", true},
    {C("etcd { replicas 0 }"), "`replicas` must be between 1 and 9, found 0", true},
    {C("gates { replicas 0 }"), "`replicas` must be between 1 and 1000, found 0", true},
    {C("gates { replicas 2147483648 }"), "integer `2147483648` is too large", true},
    {C("shards 4096"), "Goverse clusters deployed by goversec have 8192 shards, found 4096", true},
    {C("security { tls mtls issuer \"ca\" }"), "Goverse takes no TLS settings", false},
    {C("etcd { external [\"a:2379\", \"b:2379\"] }"), "Goverse connects to one etcd address: only \"a:2379\" of the 2", false},
    {C("shards 131072"), "must be between 1 and 65536", true},
    {"cluster \"Demo\" {}\n", "invalid cluster name `Demo`", true},
    {C("namespace \"a_b\""), "invalid namespace `a_b`", true},
    {C("gates { ingress \"a..b\" }"), "invalid host name `a..b`: it has an empty label", true},
    {C("gates { ingress \"-a.b\" }"), "a label starts or ends with `-`", true},
    {C("nodes { ports { grpc 1  http 1 } }"), "nodes `grpc` and `http` ports are both 1", true},
    {C("gates { ports { http 60051 } }"), "gates `grpc` and `http` ports are both 60051", true},
    {C("persistence postgres external { credentials secret \"s\" }"), "external PostgreSQL needs a `host`", true},
    {C("persistence postgres external { host \"db.x\" }"), "external PostgreSQL needs a credentials Secret", true},
    {C("gates { ingress { tls \"x\" } }"), "gates ingress has TLS but no host", true},
    {C("tier dev"), "add `use \"tiers\"`", true},
    {TIERS C("tier dve"), "did you mean `dev`?", true},
    {C("cloud gcp"), "add `use \"clouds\"`", true},
    {"use \"clouds\"\n" C("cloud aws\n nodes { storage 1Gi on slow }"),
     "storage class `slow` is not mapped by cloud `aws`", true},
    {"use \"clouds\"\n" C("cloud aws\n nodes { storage 1Gi on slow }"), "cloud `aws` maps `fast-ssd`, `standard`", true},
    {C("nodes { image \"goverse/node\" }"), "image `goverse/node` has no tag", true},
    {C("nodes { image \"goverse/node:latest\" }"), "warning: nodes image uses the `latest` tag", false},
    {PROD " gates { image \"goverse/gate:latest\" }\n}\n", "error: gates image uses the `latest` tag", true},
    {C("kubernetes \">= 1.35\""), "Kubernetes version 1.35 is not supported", true},
    {C("kubernetes \"1.x\""), "malformed Kubernetes version `1.x`", true},
    {C("gates { autoscale 4 .. 3 }"), "autoscale minimum 4 is greater than the maximum 3", true},
    {C("gates { autoscale 1 .. 3 { cpu 0% } }"), "percentage `0%` must be at least 1%", true},
    {C("gates { replicas 2\n autoscale 1 .. 3 }"), "gates set both `replicas` and `autoscale`", true},
    {C("etcd { backup every 45m keep 2 }"), "backup interval `45m` cannot be written as a cron schedule", true},
    {C("etcd { backup every 90m keep 2 }"), "backup interval `90m` cannot be written", true},
    {C("etcd { backup every 5h keep 2 }"), "backup interval `5h` cannot be written", true},
    {C("etcd { backup every 6h keep 0 }"), "`keep` must be between 1 and 10000, found 0", true},
    {C("etcd { backup daily at 23:60 keep 1 }"), "invalid time of day `23:60`", true},
    {C("zones [\"a\", \"a\"]"), "zone `a` is listed twice", true},
    {PROD " gates { image \"goverse/gate:1.0.0\" }\n etcd { replicas 1 }\n}\n", "error: tier `production-small` needs at least 3 etcd replicas", true},
    {PROD " gates { image \"goverse/gate:1.0.0\" }\n nodes { replicas 2 }\n}\n", "duplicate key `nodes` in `cluster`", true},
    {PROD " gates { image \"goverse/gate:1.0.0\"\n replicas 1 }\n}\n", "error: tier `production-small` needs at least 2 gate replicas, found 1", true},
    {PROD " gates { image \"goverse/gate:1.0.0\" }\n persistence postgres internal\n}\n", "needs backups for the in-cluster PostgreSQL", true},
    {TIERS C("tier dev\n etcd { replicas 1 }"), "warning: tier `dev` needs at least 3 etcd replicas, found 1", false},
    {TIERS "cluster \"demo\" {\n tier production-small\n gates { image \"goverse/gate:1.0.0\" }\n}\n", "needs an explicit nodes image", true},
    {"use \"nope\"\n" C(""), "unknown library `nope`", true},
    {"use \"tiers\"\nuse \"tiers\"\n" C(""), "warning: library `tiers` is used twice", false},
    {"cluster \"a\" extends \"b\" {}\ncluster \"b\" extends \"a\" {}\n", "`extends` cycle: `a` -> `b` -> `a`", true},
    {"cluster \"a\" extends \"zzz\" {}\n", "unknown parent cluster `zzz`", true},
    {C("stability 10"), "expected a duration, found a plain number `10`", true},
    {C("rules strict"), "`rules` is only valid in a `tier` declaration", true},
    {"tier \"t\" { namespace \"x\" }\n", "`namespace` cannot be set in a tier", true},
    {"clouds \"x\" {}\n", "unknown declaration `clouds`", true},
    {C("persistence postgres internal { sslmode nope }"), "unknown sslmode `nope`", true},
    {C("etcd { external [\"a.b:0\"] }"), "invalid etcd endpoint `a.b:0`", true},
    {C("nodes { storage 1Gi at fast }"), "`storage` has a malformed storage class", true},
    {C("monitoring prometheus { interval 0s }"), "expected a duration", true},
};

static void test_rules(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        const RuleCase *rc = &CASES[i];
        Run *r = run_check(rc->text);
        bool has = strstr(r->out, rc->expect) != NULL;
        bool level_ok = rc->error ? r->model == NULL : (r->model != NULL && r->diags.warnings > 0);
        if (!has || !level_ok) {
            print_error("case %zu: expected `%s` (%s)\ninput:\n%s\ngot:\n%s\n", i, rc->expect,
                        rc->error ? "error" : "warning", rc->text, r->out);
            failures++;
        }
        run_free(r);
    }
    assert_int_equal(failures, 0);
}

/* A child inherits a broken parent setting: reported once, at the parent's statement. */
static void test_inherited_error_reported_once(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"base\" {\n etcd { replicas 2 }\n}\ncluster \"child\" extends \"base\" {}\n");
    assert_null(r->model);
    assert_int_equal(r->diags.errors, 1);
    assert_out_has(r, "t.gv:2:18: error: etcd needs an odd number");
    run_free(r);
}

/* Settings on one line are split where a known key starts, not where any name appears. */
static void test_split_only_on_keys(void **state)
{
    (void)state;
    Run *r = run_check(C("gates { ingress \"h.example.com\" { class tls } }"));
    assert_clean(r);
    assert_string_equal(run_cluster(r, "demo")->gates.ingress.class_name, "tls");
    run_free(r);
    r = run_check(C("security { tls mtls issuer \"ca\"  network isolated }"));
    assert_non_null(r->model); /* only the warning that Goverse takes no TLS settings */
    assert_int_equal(r->diags.errors, 0);
    assert_true(run_cluster(r, "demo")->security.mtls);
    assert_int_equal(run_cluster(r, "demo")->security.network, NETWORK_ISOLATED);
    run_free(r);
}

static void test_backup_cron_forms(void **state)
{
    (void)state;
    static const struct { const char *every, *cron; } forms[] = {
        {"30m", "*/30 * * * *"}, {"1h", "0 * * * *"}, {"12h", "0 */12 * * *"},
        {"1d", "0 0 * * *"},     {"3d", "0 0 */3 * *"},
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        char text[128];
        snprintf(text, sizeof text, C("etcd { backup every %s keep 3 }"), forms[i].every);
        Run *r = run_check(text);
        assert_clean(r);
        assert_string_equal(run_cluster(r, "demo")->etcd.backup.cron, forms[i].cron);
        assert_int_equal(run_cluster(r, "demo")->etcd.backup.size.milli, milli("10Gi"));
        run_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_inherited_error_reported_once),
        cmocka_unit_test(test_split_only_on_keys),
        cmocka_unit_test(test_backup_cron_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
