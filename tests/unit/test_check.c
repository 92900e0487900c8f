/* test_check.c - the checker on whole descriptions: the language sketch's model values, defaults
 * from the design document, tiers, clouds, extends merging and cluster selection. */
#include "test_check_util.h"

#include <stdio.h>
#include <stdlib.h>

static const char *read_text(const char *path)
{
    static char buf[65536];
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = 0;
    return buf;
}

static void test_sketch_model(void **state)
{
    (void)state;
    Run *r = run_check(read_text(TESTS_DIR "/unit/data/language-sketch.gv"));
    /* One warning: the sketch asks for `tls mtls`, which Goverse cannot be told (check/goverse.c). */
    assert_non_null(r->model);
    assert_int_equal(r->diags.errors, 0);
    assert_int_equal(r->diags.warnings, 1);
    assert_non_null(strstr(r->out, "59:9: warning: Goverse takes no TLS settings"));
    assert_int_equal(r->model->nclusters, 2);
    Cluster *c = run_cluster(r, "chat-prod");
    assert_non_null(c);
    assert_string_equal(c->namespace_name, "goverse-prod");
    assert_int_equal(c->kube_minor, 27);
    assert_string_equal(c->tier, "production-small");
    assert_true(c->strict);
    assert_string_equal(c->cloud, "aws");
    assert_int_equal(c->nzones, 3);
    assert_string_equal(c->zones[2], "us-west-2c");
    assert_int_equal(c->shards, 8192);
    assert_int_equal(c->stability_ms, 10000);
    assert_string_equal(c->registry, "docker.io");
    /* etcd: replicas from the cluster, resources from the tier, class through aws */
    assert_int_equal(c->etcd.replicas, 3);
    assert_int_equal(c->etcd.resources.cpu_request.milli, milli("500m"));
    assert_int_equal(c->etcd.resources.cpu_limit.milli, milli("1"));
    assert_string_equal(c->etcd.storage.storage_class, "gp3");
    assert_string_equal(c->etcd.storage.logical_class, "fast-ssd");
    assert_true(c->etcd.backup.enabled);
    assert_string_equal(c->etcd.backup.cron, "0 */6 * * *");
    assert_int_equal(c->etcd.backup.keep, 28);
    assert_string_equal(c->etcd.image.registry, "quay.io");
    /* nodes */
    assert_int_equal(c->nodes.replicas, 5);
    assert_string_equal(c->nodes.image.repository, "goverse/node");
    assert_string_equal(c->nodes.image.tag, "1.2.0");
    assert_string_equal(c->nodes.image.registry, "docker.io");
    assert_int_equal(c->nodes.resources.cpu_request.milli, milli("1"));
    assert_int_equal(c->nodes.resources.memory_limit.milli, milli("2Gi"));
    assert_string_equal(c->nodes.storage.storage_class, "gp2");
    assert_int_equal(c->nodes.disruption.min_available, 2);
    /* gates: autoscale owns replicas */
    assert_true(c->gates.autoscale.enabled);
    assert_int_equal(c->gates.autoscale.min_replicas, 2);
    assert_int_equal(c->gates.autoscale.max_replicas, 10);
    assert_int_equal(c->gates.autoscale.cpu_percent, 70);
    assert_int_equal(c->gates.autoscale.memory_percent, 80);
    assert_int_equal(c->gates.replicas, 2);
    assert_string_equal(c->gates.ingress.host, "goverse.example.com");
    assert_string_equal(c->gates.ingress.class_name, "nginx");
    assert_string_equal(c->gates.ingress.tls_secret, "goverse-tls");
    assert_string_equal(c->gates.ingress.issuer, "letsencrypt-prod");
    /* postgres internal with a daily backup */
    assert_int_equal(c->postgres.mode, PERSIST_INTERNAL);
    assert_string_equal(c->postgres.storage.storage_class, "gp3");
    assert_string_equal(c->postgres.backup.cron, "0 2 * * *");
    assert_int_equal(c->postgres.backup.keep, 14);
    /* inspector, monitoring, security */
    assert_true(c->inspector.enabled);
    assert_string_equal(c->inspector.ingress.host, "inspector.goverse.example.com");
    assert_null(c->inspector.ingress.class_name);
    assert_true(c->monitoring.prometheus);
    assert_int_equal(c->monitoring.interval_ms, 30000);
    assert_true(c->monitoring.alerts && c->monitoring.dashboards);
    assert_int_equal(c->security.pod_security, PODSEC_RESTRICTED);
    assert_int_equal(c->security.network, NETWORK_ISOLATED);
    assert_true(c->security.mtls);
    assert_string_equal(c->security.tls_issuer, "ca-issuer");
    /* the child: inherits everything but what it changes */
    Cluster *eu = run_cluster(r, "chat-eu");
    assert_non_null(eu);
    assert_string_equal(eu->namespace_name, "goverse-eu");
    assert_int_equal(eu->nzones, 3);
    assert_int_equal(eu->postgres.mode, PERSIST_EXTERNAL);
    assert_string_equal(eu->postgres.host, "goverse-db.eu.example.com");
    assert_string_equal(eu->postgres.credentials_secret, "eu-db");
    assert_string_equal(eu->postgres.sslmode, "require");
    assert_int_equal(eu->nodes.replicas, 5);
    assert_string_equal(eu->nodes.image.tag, "1.2.0");
    assert_true(eu->strict);
    run_free(r);
}

static void test_defaults_match_design(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"demo\" {\n}\n");
    assert_clean(r);
    Cluster *c = run_cluster(r, "demo");
    assert_string_equal(c->namespace_name, "demo");
    assert_null(c->tier);
    assert_false(c->strict);
    assert_int_equal(c->shards, 8192);
    assert_int_equal(c->stability_ms, 10000);
    assert_string_equal(c->registry, "");
    assert_int_equal(c->etcd.replicas, 3);
    assert_string_equal(c->etcd.image.registry, "quay.io");
    assert_string_equal(c->etcd.image.repository, "coreos/etcd");
    assert_string_equal(c->etcd.image.tag, "v3.5.11");
    assert_int_equal(c->etcd.resources.cpu_request.milli, 100);
    assert_int_equal(c->etcd.resources.memory_limit.milli, milli("512Mi"));
    assert_int_equal(c->etcd.storage.size.milli, milli("10Gi"));
    assert_string_equal(c->etcd.storage.storage_class, "fast-ssd");
    assert_int_equal(c->etcd.client_port, 2379);
    assert_int_equal(c->etcd.peer_port, 2380);
    assert_string_equal(c->etcd.prefix, "/goverse");
    assert_int_equal(c->nodes.replicas, 3);
    assert_string_equal(c->nodes.image.tag, "latest");
    assert_int_equal(c->nodes.resources.cpu_limit.milli, 2000);
    assert_string_equal(c->nodes.storage.storage_class, "standard");
    assert_int_equal(c->nodes.storage.size.milli, milli("20Gi"));
    assert_int_equal(c->nodes.grpc_port, 50051);
    assert_int_equal(c->gates.grpc_port, 60051);
    assert_int_equal(c->gates.resources.memory_request.milli, milli("256Mi"));
    assert_false(c->inspector.enabled);
    assert_int_equal(c->inspector.grpc_port, 8081);
    assert_int_equal(c->postgres.mode, PERSIST_NONE);
    assert_int_equal(c->kube_minor, 27);
    run_free(r);
}

static void test_postgres_defaults(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"a\" { persistence postgres internal }\n"
                       "cluster \"b\" { persistence postgres operator zalando { instances 2 } }\n");
    assert_clean(r);
    Persistence *p = &run_cluster(r, "a")->postgres;
    assert_int_equal(p->mode, PERSIST_INTERNAL);
    assert_string_equal(p->image.repository, "postgres");
    assert_string_equal(p->image.tag, "15.10");
    assert_int_equal(p->instances, 1);
    assert_int_equal(p->port, 5432);
    assert_string_equal(p->database, "goverse");
    assert_string_equal(p->credentials_secret, "goverse-postgres-secret");
    assert_string_equal(p->sslmode, "disable");
    assert_int_equal(p->storage.size.milli, milli("100Gi"));
    assert_int_equal(p->resources.memory_limit.milli, milli("4Gi"));
    Persistence *o = &run_cluster(r, "b")->postgres;
    assert_int_equal(o->mode, PERSIST_OPERATOR);
    assert_int_equal(o->instances, 2);
    assert_string_equal(o->team, "goverse");
    assert_string_equal(o->version, "15");
    run_free(r);
}

static void test_tiers(void **state)
{
    (void)state;
    Run *r = run_check("use \"tiers\"\n"
                       "cluster \"d\" { tier dev }\n"
                       "cluster \"l\" { tier production-large\n nodes { image \"goverse/node:1.0.0\" }\n"
                       " gates { image \"goverse/gate:1.0.0\" replicas 7 } }\n");
    assert_clean(r);
    Cluster *d = run_cluster(r, "d");
    assert_false(d->strict);
    assert_int_equal(d->gates.replicas, 2);
    assert_int_equal(d->gates.resources.cpu_request.milli, 200);
    assert_int_equal(d->nodes.resources.memory_limit.milli, milli("2Gi"));
    Cluster *l = run_cluster(r, "l");
    assert_true(l->strict);
    assert_int_equal(l->nodes.replicas, 10);
    assert_int_equal(l->nodes.resources.cpu_request.milli, 2000);
    assert_int_equal(l->nodes.resources.cpu_limit.milli, 4000);
    assert_int_equal(l->etcd.replicas, 5);
    assert_int_equal(l->gates.replicas, 7); /* the cluster's own setting wins over the tier */
    assert_int_equal(l->gates.resources.memory_request.milli, milli("1Gi"));
    run_free(r);
}

static void test_single_cpu_value(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"a\" { nodes { cpu 1  memory 4Gi } }\n");
    assert_clean(r);
    Cluster *c = run_cluster(r, "a");
    assert_int_equal(c->nodes.resources.cpu_request.milli, 1000);
    assert_int_equal(c->nodes.resources.cpu_limit.milli, 2000);    /* default limit kept */
    assert_int_equal(c->nodes.resources.memory_request.milli, milli("4Gi"));
    assert_int_equal(c->nodes.resources.memory_limit.milli, milli("4Gi")); /* raised to the request */
    run_free(r);
}

static void test_clouds(void **state)
{
    (void)state;
    Run *r = run_check("use \"clouds\"\n"
                       "cluster \"g\" { cloud gcp  nodes { storage 5Gi } }\n"
                       "cluster \"z\" { cloud azure  etcd { storage 1Gi on standard } }\n"
                       "cluster \"k\" { cloud local }\n"
                       "cluster \"n\" { nodes { storage 5Gi on my-class } }\n");
    assert_clean(r);
    assert_string_equal(run_cluster(r, "g")->nodes.storage.storage_class, "standard-rwo");
    assert_string_equal(run_cluster(r, "g")->etcd.storage.storage_class, "premium-rwo");
    assert_string_equal(run_cluster(r, "z")->etcd.storage.storage_class, "managed-csi");
    assert_string_equal(run_cluster(r, "k")->etcd.storage.storage_class, "standard");
    assert_string_equal(run_cluster(r, "n")->nodes.storage.storage_class, "my-class");
    run_free(r);
}

static void test_extends_merges_blocks(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"child\" extends \"base\" {\n"
                       "    nodes { replicas 7 }\n"
                       "    persistence postgres internal { storage 5Gi }\n"
                       "}\n"
                       "cluster \"base\" {\n"
                       "    nodes { replicas 4  cpu 1 .. 3 }\n"
                       "    persistence postgres internal { port 6543 }\n"
                       "    registry \"r.example.com\"\n"
                       "}\n");
    assert_clean(r);
    Cluster *c = run_cluster(r, "child");
    assert_int_equal(c->nodes.replicas, 7);
    assert_int_equal(c->nodes.resources.cpu_limit.milli, 3000);
    assert_int_equal(c->postgres.port, 6543);
    assert_int_equal(c->postgres.storage.size.milli, milli("5Gi"));
    assert_string_equal(c->registry, "r.example.com");
    assert_string_equal(c->nodes.image.registry, "r.example.com");
    assert_string_equal(c->namespace_name, "child"); /* the namespace follows the child's name */
    run_free(r);
}

static void test_only_cluster(void **state)
{
    (void)state;
    Run *r = run_check_only("cluster \"a\" {}\ncluster \"b\" {}\n", "b");
    assert_clean(r);
    assert_int_equal(r->model->nclusters, 1);
    assert_string_equal(r->model->clusters[0]->name, "b");
    run_free(r);
    r = run_check_only("cluster \"a\" {}\ncluster \"b\" {}\n", "c");
    assert_null(r->model);
    assert_out_has(r, "no cluster named `c`");
    assert_out_has(r, "clusters in this file: `a`, `b`");
    run_free(r);
}

static void test_multi_settings_split(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"a\" { nodes { ports { grpc 7000  http 7001 } } }\n");
    assert_clean(r);
    assert_int_equal(run_cluster(r, "a")->nodes.grpc_port, 7000);
    assert_int_equal(run_cluster(r, "a")->nodes.http_port, 7001);
    run_free(r);
}

static void test_image_forms(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"a\" {\n"
                       " nodes { image \"localhost:5000/team/node:2\" }\n"
                       " gates { image \"localhost/gate:3@sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\" }\n"
                       " etcd { image \"my.reg:443/etcd:v3\" pull always }\n}\n");
    assert_clean(r);
    Cluster *c = run_cluster(r, "a");
    assert_string_equal(c->nodes.image.registry, "localhost:5000");
    assert_string_equal(c->nodes.image.repository, "team/node");
    assert_string_equal(c->nodes.image.tag, "2");
    assert_string_equal(c->gates.image.registry, "localhost");
    assert_non_null(c->gates.image.digest);
    assert_string_equal(c->etcd.image.registry, "my.reg:443");
    assert_string_equal(c->etcd.image.pull_policy, "Always");
    run_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sketch_model),       cmocka_unit_test(test_defaults_match_design),
        cmocka_unit_test(test_postgres_defaults),  cmocka_unit_test(test_tiers),
        cmocka_unit_test(test_single_cpu_value),   cmocka_unit_test(test_clouds),
        cmocka_unit_test(test_extends_merges_blocks), cmocka_unit_test(test_only_cluster),
        cmocka_unit_test(test_multi_settings_split), cmocka_unit_test(test_image_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
