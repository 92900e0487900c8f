/* test_fleet.c - fleets: the `gitops argocd` setting (defaults, inheritance through extends, every
 * rule), the Argo CD Application and kustomization written for it byte for byte, and the whole
 * pipeline on multi-cluster inputs (extends edge cases, --cluster, hybrid etcd / PostgreSQL). */
#include <stdlib.h>

#include "driver/driver.h"
#include "emit/fleet.h"
#include "test_check_util.h"
#include "yaml/yamlio.h"

#define GITOPS "gitops argocd { repo \"https://git.example.com/fleet.git\" }\n"

/* ---- the checker ---------------------------------------------------------------------------- */

static void test_gitops_defaults(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"a\" {\n" GITOPS "}\ncluster \"b\" {}\n");
    assert_clean(r);
    const Gitops *g = &run_cluster(r, "a")->gitops;
    assert_true(g->enabled);
    assert_string_equal(g->repo, "https://git.example.com/fleet.git");
    assert_string_equal(g->revision, "HEAD");
    assert_string_equal(g->path, "");
    assert_string_equal(g->project, "default");
    assert_string_equal(g->argocd_namespace, "argocd");
    assert_null(g->server);
    assert_null(g->destination);
    assert_int_equal(g->sync, GITOPS_SYNC_MANUAL);
    assert_int_equal(g->via, GITOPS_VIA_MANIFESTS);
    assert_false(run_cluster(r, "b")->gitops.enabled);
    run_free(r);
}

static void test_gitops_inherited(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"base\" {\n gitops argocd { repo \"git@git.example.com:p/fleet.git\"\n"
                       "  server \"https://base.k8s:6443\"  sync auto  path \"deploy/\" }\n}\n"
                       "cluster \"mid\" extends \"base\" { gitops argocd { destination \"mid-prod\"  via chart } }\n"
                       "cluster \"leaf\" extends \"mid\" { gitops argocd { revision \"v1.2\" } }\n"
                       "cluster \"quiet\" extends \"base\" { gitops off }\n");
    assert_clean(r);
    const Gitops *base = &run_cluster(r, "base")->gitops, *leaf = &run_cluster(r, "leaf")->gitops;
    assert_string_equal(base->path, "deploy"); /* trailing '/' dropped */
    assert_string_equal(base->server, "https://base.k8s:6443");
    assert_string_equal(leaf->repo, "git@git.example.com:p/fleet.git");
    assert_string_equal(leaf->destination, "mid-prod");
    assert_null(leaf->server); /* `destination` in a child replaces the parent's `server` */
    assert_string_equal(leaf->revision, "v1.2");
    assert_int_equal(leaf->sync, GITOPS_SYNC_AUTO);
    assert_int_equal(leaf->via, GITOPS_VIA_CHART);
    assert_false(run_cluster(r, "quiet")->gitops.enabled);
    run_free(r);
}

typedef struct RuleCase {
    const char *text;
    const char *expect;
} RuleCase;

#define C(body) "cluster \"demo\" {\n" body "\n}\n"
#define G(keys) C("gitops argocd { repo \"https://g.example.com/f.git\"\n " keys " }")
static const RuleCase RULES[] = {
    {C("gitops argocd { revision \"main\" }"), "error: `gitops argocd` for cluster `demo` has no `repo`"},
    {C("gitops argocd { repo \"git.example.com/f.git\" }"), "error: `repo` is not a git URL: \"git.example.com/f.git\""},
    {C("gitops argocd { repo \"http://g.example.com/f.git\" }"), "help: expected `https://HOST/PATH`, `ssh://HOST/PATH` or `git@HOST:PATH`"},
    {C("gitops argocd { repo \"git@:f.git\" }"), "`repo` is not a git URL"},
    {C("gitops argocd { repo \"https://\" }"), "`repo` is not a git URL"},
    {G("sync automatic"), "error: unknown sync mode `automatic`"},
    {G("sync automatic"), "help: did you mean `auto`?"},
    {G("server \"kubernetes.default.svc\""), "error: `server` is not an API server URL: \"kubernetes.default.svc\""},
    {G("server \"https://a.example.com\"\n destination \"b\""), "error: `gitops` sets both `server` and `destination`"},
    {G("server \"https://a.example.com\"\n destination \"b\""), "note: `server` set here"},
    {G("revision \"\""), "error: `revision` is empty"},
    {G("destination \"\""), "error: `destination` is empty"},
    {G("path \"/deploy\""), "it is absolute"},
    {G("path \"a/../b\""), "it has an empty, `.` or `..` component"},
    {G("project \"Default\""), "invalid `project` `Default`"},
    {G("via helm"), "unknown source form `helm`"},
    {G("revison \"main\""), "did you mean `revision`?"},
    {C("gitops flux { repo \"https://g.example.com/f.git\" }"), "error: unknown GitOps tool `flux`"},
    {C("gitops argocd"), "`gitops` needs a block"},
    {"use \"tiers\"\ntier \"t\" { gitops off }\n", "`gitops` cannot be set in a tier"},
    {"cluster \"argocd\" {}\ncluster \"b\" {\n" GITOPS "}\n", "error: cluster `argocd` would write into `argocd/`"},
    {"cluster \"a\" {\n namespace \"x\"\n" GITOPS "}\ncluster \"b\" {\n namespace \"x\"\n" GITOPS "}\n",
     "error: clusters `a` and `b` would both be deployed into namespace `x` of `https://kubernetes.default.svc`"},
    {"cluster \"a\" {}\ncluster \"a\" {}\n", "error: cluster `a` is declared twice"},
};

static void test_gitops_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof RULES / sizeof *RULES; i++) {
        Run *r = run_check(RULES[i].text);
        if (!strstr(r->out, RULES[i].expect) || r->model)
            fail_msg("case %zu: expected an error with `%s`, got:\n%s", i, RULES[i].expect, r->out);
        run_free(r);
    }
    Run *r = run_check(C("gitops argocd { repo \"git.example.com/f.git\" }"));
    assert_null(strstr(r->out, "has no `repo`")); /* a bad repo does not cascade into "no repo" */
    run_free(r);
}

/* Places that are fine: a shared namespace in different destinations (or without gitops), a
 * cluster named `argocd` in a file without gitops, and a child switching the destination form. */
static void test_fleet_allowed(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "cluster \"a\" { namespace \"x\" }\ncluster \"b\" { namespace \"x\" }\n",
        "cluster \"a\" {\n namespace \"x\"\n gitops argocd { repo \"https://g.example.com/f.git\"  server \"https://a.example.com\" }\n}\n"
        "cluster \"b\" extends \"a\" { gitops argocd { destination \"b\" } }\n",
        "cluster \"argocd\" {}\n",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        Run *r = run_check(ok[i]);
        assert_clean(r);
        run_free(r);
    }
}

/* ---- the emitted objects ------------------------------------------------------------------------ */

static const char *app_text(Arena *a, const Cluster *c)
{
    size_t len;
    return yaml_write_one(a, fleet_application(a, c, NULL), &len);
}

static void test_application_manifests_auto(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"us-west\" {\n namespace \"goverse\"\n gitops argocd {\n"
                       "  repo \"https://git.example.com/platform/fleet.git\"  revision \"main\"  path \"deploy\"\n"
                       "  project \"goverse\"  server \"https://us.k8s.example.com\"  sync auto  namespace \"gitops\"\n }\n}\n");
    assert_clean(r);
    assert_string_equal(app_text(r->arena, run_cluster(r, "us-west")),
                        "apiVersion: argoproj.io/v1alpha1\n"
                        "kind: Application\n"
                        "metadata:\n"
                        "  name: us-west\n"
                        "  namespace: gitops\n"
                        "  labels:\n"
                        "    app.kubernetes.io/name: goverse\n"
                        "    app.kubernetes.io/instance: us-west\n"
                        "    app.kubernetes.io/component: gitops\n"
                        "    app.kubernetes.io/part-of: goverse\n"
                        "    app.kubernetes.io/managed-by: goversec\n"
                        "spec:\n"
                        "  project: goverse\n"
                        "  source:\n"
                        "    repoURL: https://git.example.com/platform/fleet.git\n"
                        "    targetRevision: main\n"
                        "    path: deploy/us-west/manifests\n"
                        "  destination:\n"
                        "    server: https://us.k8s.example.com\n"
                        "    namespace: goverse\n"
                        "  syncPolicy:\n"
                        "    automated:\n"
                        "      prune: true\n"
                        "      selfHeal: true\n"
                        "    syncOptions:\n"
                        "    - CreateNamespace=true\n");
    run_free(r);
}

static void test_application_chart_manual(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"eu\" {\n gates { autoscale 2 .. 6 }\n gitops argocd {\n"
                       "  repo \"ssh://git.example.com/fleet.git\"  revision \"1.0\"  destination \"eu-prod\"  via chart\n }\n}\n");
    assert_clean(r);
    const char *text = app_text(r->arena, run_cluster(r, "eu"));
    const char *spec = strstr(text, "spec:\n");
    assert_non_null(spec);
    assert_string_equal(spec, "spec:\n"
                              "  project: default\n"
                              "  source:\n"
                              "    repoURL: ssh://git.example.com/fleet.git\n"
                              "    targetRevision: \"1.0\"\n" /* a string, not the number 1 */
                              "    path: eu/chart\n"
                              "    helm:\n"
                              "      releaseName: eu\n"
                              "      valueFiles:\n"
                              "      - values.yaml\n"
                              "  destination:\n"
                              "    name: eu-prod\n"
                              "    namespace: eu\n"
                              "  syncPolicy:\n"
                              "    syncOptions:\n"
                              "    - CreateNamespace=true\n"
                              "    - RespectIgnoreDifferences=true\n"
                              "  ignoreDifferences:\n"
                              "  - group: apps\n"
                              "    kind: Deployment\n"
                              "    name: goverse-gate\n"
                              "    jsonPointers:\n"
                              "    - /spec/replicas\n");
    assert_true(strstr(text, "  namespace: argocd\n") != NULL);
    run_free(r);
}

/* ---- the whole pipeline ------------------------------------------------------------------------- */

typedef struct Built {
    Compilation comp;
    OutTree tree;
    int status;
} Built;

static Built *build_charts(const char *text, const char *only, ChartLayout charts)
{
    static const char *const dirs[] = {TESTS_DIR "/../stdlib"};
    Built *b = calloc(1, sizeof *b);
    driver_init(&b->comp);
    DriverOptions opts = {.only_cluster = only, .stdlib_dirs = dirs, .nstdlib_dirs = 1, .charts = charts};
    b->status = driver_compile_text(&b->comp, "t.gv", text, strlen(text), &opts);
    outtree_init(&b->tree, b->comp.arena);
    const char *err = NULL;
    if (b->status == DRIVER_OK && !driver_emit(&b->comp, &opts, &b->tree, &err))
        fail_msg("emit failed: %s", err);
    return b;
}

static Built *build(const char *text, const char *only) { return build_charts(text, only, CHARTS_AUTO); }

static void built_free(Built *b)
{
    driver_dispose(&b->comp);
    free(b);
}

static const char *file_text(const Built *b, const char *path)
{
    const OutFile *f = outtree_find(&b->tree, path);
    if (!f)
        fail_msg("missing %s", path);
    return f->data;
}

#define FLEET "cluster \"a\" {\n" GITOPS "}\ncluster \"b\" extends \"a\" {}\ncluster \"c\" {}\n"

static void test_fleet_tree(void **state)
{
    (void)state;
    Built *b = build(FLEET, NULL);
    assert_int_equal(b->status, DRIVER_OK);
    for (const char *const *c = (const char *const[]){"a", "b", "c", NULL}; *c; c++) {
        char path[64];
        snprintf(path, sizeof path, "%s/manifests/kustomization.yaml", *c);
        assert_non_null(outtree_find(&b->tree, path));
        snprintf(path, sizeof path, "%s/values.yaml", *c); /* a fleet shares charts */
        assert_non_null(outtree_find(&b->tree, path));
        snprintf(path, sizeof path, "%s/chart/Chart.yaml", *c);
        assert_null(outtree_find(&b->tree, path));
    }
    /* b extends a and changes nothing: a's chart serves it. */
    assert_non_null(outtree_find(&b->tree, "charts/a/Chart.yaml"));
    assert_non_null(strstr(file_text(b, "b/values.yaml"), "\n# chart: ../charts/a\n"));
    assert_null(outtree_find(&b->tree, "charts/b/Chart.yaml"));
    assert_string_equal(file_text(b, "argocd/kustomization.yaml"),
                        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
                        "- a.yaml\n- b.yaml\n");
    assert_true(strstr(file_text(b, "argocd/b.yaml"), "    path: b/manifests\n") != NULL);
    assert_null(outtree_find(&b->tree, "argocd/c.yaml")); /* no gitops: not in the fleet */
    built_free(b);

    b = build(FLEET, "b"); /* --cluster b: its tree and its Application only */
    assert_int_equal(b->status, DRIVER_OK);
    assert_null(outtree_find(&b->tree, "a/manifests/kustomization.yaml"));
    assert_null(outtree_find(&b->tree, "argocd/a.yaml"));
    assert_string_equal(file_text(b, "argocd/kustomization.yaml"),
                        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- b.yaml\n");
    assert_non_null(outtree_find(&b->tree, "b/chart/Chart.yaml")); /* one cluster: its own chart */
    assert_null(outtree_find(&b->tree, "charts/b/Chart.yaml"));
    built_free(b);

    b = build("cluster \"solo\" {}\n", NULL); /* no gitops anywhere: no argocd/ at all */
    assert_int_equal(b->status, DRIVER_OK);
    assert_null(outtree_find(&b->tree, "argocd/kustomization.yaml"));
    built_free(b);
}

/* Argo CD with `via chart` in a fleet: the shared chart, the cluster's values file after the
 * chart's own, paths relative to the chart directory. */
static void test_shared_chart_application(void **state)
{
    (void)state;
    const char *fleet = "cluster \"a\" {\n gitops argocd { repo \"https://g.example.com/f.git\"  path \"deploy\"  via chart }\n}\n"
                        "cluster \"b\" extends \"a\" { nodes { replicas 5 } }\n";
    Built *b = build(fleet, NULL);
    assert_int_equal(b->status, DRIVER_OK);
    const char *app = file_text(b, "argocd/b.yaml");
    assert_non_null(strstr(app, "    path: deploy/charts/a\n    helm:\n      releaseName: b\n"
                                "      valueFiles:\n      - values.yaml\n      - ../../b/values.yaml\n"));
    assert_non_null(strstr(file_text(b, "b/values.yaml"), "\nnodes:\n  replicas: 5\n"));
    assert_non_null(strstr(file_text(b, "a/values.yaml"), "\nnodes:\n  replicas: 3\n"));
    built_free(b);

    b = build_charts(fleet, NULL, CHARTS_PER_CLUSTER);
    assert_non_null(strstr(file_text(b, "argocd/b.yaml"), "    path: deploy/b/chart\n"));
    assert_null(outtree_find(&b->tree, "b/values.yaml"));
    built_free(b);
}

/* The shape decides chart sharing, so it must cover whatever the chart prints: every cluster's
 * own chart (one chart per cluster) equals, file for file, the chart of the cluster whose shared
 * chart it is given - but for the files naming the chart's first cluster (Chart.yaml, README,
 * values.yaml with its defaults, the schema's title). Zones, an external etcd and replicas are
 * values; an external database has settings of its own, so a chart of its own. */
static bool chart_file_names_cluster(const char *rel)
{
    return !strcmp(rel, "Chart.yaml") || !strcmp(rel, "README.md") || !strcmp(rel, "values.yaml");
}

/* The text after the schema's title line (which names the chart); the whole text otherwise. */
static const char *after_title(const OutFile *f, size_t *len)
{
    const char *t = strstr(f->data, "\"title\": \"Values of the ");
    const char *nl = t ? strchr(t, '\n') : NULL;
    const char *from = nl ? nl : f->data;
    *len = f->len - (size_t)(from - f->data);
    return from;
}

static void assert_same_chart(const Built *per, const char *cluster, const char *chart)
{
    char prefix[64];
    int n = snprintf(prefix, sizeof prefix, "%s/chart/", chart), compared = 0;
    for (const OutFile *f = per->tree.files; f; f = f->next) {
        if (strncmp(f->path, prefix, (size_t)n) != 0 || chart_file_names_cluster(f->path + n))
            continue;
        char other[256];
        snprintf(other, sizeof other, "%s/chart/%s", cluster, f->path + n);
        const OutFile *g = outtree_find(&per->tree, other);
        if (!g)
            fail_msg("%s is missing", other);
        size_t flen, glen;
        const char *ft = after_title(f, &flen), *gt = after_title(g, &glen);
        if (flen != glen || memcmp(ft, gt, flen))
            fail_msg("%s differs from %s", other, f->path);
        compared++;
    }
    assert_true(compared > 20);
}

static void test_shapes_and_templates(void **state)
{
    (void)state;
    const char *fleet = "cluster \"a\" { nodes { replicas 3 } gates { ingress \"a.example.com\" } }\n"
                        "cluster \"b\" extends \"a\" { namespace \"other\"  nodes { replicas 7  cpu 1 .. 3 }\n"
                        "  gates { ingress \"b.example.com\" } }\n"
                        "cluster \"z\" extends \"a\" { zones [\"z1\", \"z2\"] }\n"
                        "cluster \"x\" extends \"a\" { etcd { external [\"e.example.com:2379\"] } }\n"
                        "cluster \"d\" extends \"a\" {\n"
                        " persistence postgres external { host \"db.example.com\"  credentials secret \"s\" }\n}\n"
                        "cluster \"d2\" extends \"d\" { nodes { replicas 5 } }\n";
    Built *b = build(fleet, NULL), *per = build_charts(fleet, NULL, CHARTS_PER_CLUSTER);
    assert_int_equal(b->status, DRIVER_OK);
    assert_int_equal(per->status, DRIVER_OK);
    static const char *const expect[][2] = {{"a", "a"}, {"b", "a"}, {"z", "a"}, {"x", "a"}, {"d", "d"}, {"d2", "d"}};
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        char path[64], line[64];
        snprintf(path, sizeof path, "%s/values.yaml", expect[i][0]);
        snprintf(line, sizeof line, "\n# chart: ../charts/%s\n", expect[i][1]);
        if (!strstr(file_text(b, path), line))
            fail_msg("%s does not name charts/%s", path, expect[i][1]);
        assert_same_chart(per, expect[i][0], expect[i][1]);
    }
    assert_null(outtree_find(&b->tree, "charts/b/Chart.yaml"));
    built_free(per);
    built_free(b);
}

static void test_hybrid(void **state)
{
    (void)state;
    Built *b = build("cluster \"base\" { persistence postgres internal {} }\n"
                     "cluster \"edge\" extends \"base\" {\n"
                     " etcd { external [\"etcd-a.example.com:2379\", \"etcd-b.example.com:2379\"] }\n"
                     " persistence postgres external { host \"db.example.com\"  credentials secret \"db\" }\n}\n",
                     NULL);
    assert_int_equal(b->status, DRIVER_OK);
    assert_non_null(outtree_find(&b->tree, "base/manifests/etcd/statefulset.yaml"));
    assert_non_null(outtree_find(&b->tree, "base/manifests/postgres/statefulset.yaml"));
    assert_null(outtree_find(&b->tree, "edge/manifests/etcd/statefulset.yaml"));
    assert_null(outtree_find(&b->tree, "edge/manifests/etcd/service.yaml"));
    assert_null(outtree_find(&b->tree, "edge/manifests/postgres/statefulset.yaml"));
    const char *cfg = file_text(b, "edge/manifests/configmap.yaml");
    assert_non_null(strstr(cfg, "        endpoints:\n        - \"etcd-a.example.com:2379\"\n        prefix:"));
    assert_non_null(strstr(cfg, "      host: \"db.example.com\"\n"));
    assert_null(strstr(file_text(b, "edge/manifests/kustomization.yaml"), "etcd/"));
    built_free(b);
}

/* extends edge cases on the model: a three-level chain, a persistence mode switch starting from
 * the new mode's defaults, and zones replaced (not appended) by a child. */
static void test_extends_edges(void **state)
{
    (void)state;
    Run *r = run_check("cluster \"a\" {\n zones [\"z1\", \"z2\", \"z0\"]\n nodes { replicas 7 }\n"
                       " persistence postgres internal { storage 50Gi }\n}\n"
                       "cluster \"b\" extends \"a\" { gates { replicas 4 } }\n"
                       "cluster \"c\" extends \"b\" {\n zones [\"z3\", \"z4\", \"z5\"]\n"
                       " persistence postgres external { host \"db.example.com\"  credentials secret \"s\" }\n}\n");
    assert_clean(r);
    const Cluster *c = run_cluster(r, "c");
    assert_int_equal(c->nodes.replicas, 7);
    assert_int_equal(c->gates.replicas, 4);
    assert_int_equal(c->nzones, 3);
    assert_string_equal(c->zones[0], "z3");
    assert_int_equal(c->postgres.mode, PERSIST_EXTERNAL);
    assert_false(c->postgres.storage.enabled); /* external defaults, not the parent's 50Gi */
    assert_string_equal(c->postgres.sslmode, "require");
    assert_int_equal(run_cluster(r, "a")->postgres.storage.size.milli, milli("50Gi"));
    run_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gitops_defaults),
        cmocka_unit_test(test_gitops_inherited),
        cmocka_unit_test(test_gitops_rules),
        cmocka_unit_test(test_fleet_allowed),
        cmocka_unit_test(test_application_manifests_auto),
        cmocka_unit_test(test_application_chart_manual),
        cmocka_unit_test(test_fleet_tree),
        cmocka_unit_test(test_shared_chart_application),
        cmocka_unit_test(test_shapes_and_templates),
        cmocka_unit_test(test_hybrid),
        cmocka_unit_test(test_extends_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
