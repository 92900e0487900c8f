/* test_restricted_walk.c - secure and complete by default, on every description the tests build:
 * every example, every accepted case of the diagnostics corpus and the language sketch are compiled
 * through the driver (no `security` block needed) and the IR of each cluster is evaluated under 64
 * value variants (persistence mode, inspector, backups with their restore Jobs, node storage, mTLS).
 * Every pod - Deployments, StatefulSets, CronJobs, Jobs - must meet the restricted Pod Security
 * profile; every container has requests and limits and a /tmp it may write; every long-running
 * container (nodes, gates, inspector, etcd, PostgreSQL) has probes; governing Services are headless; only the nodes' token is mounted. A
 * description that opts out (`pod_security` below restricted) is checked for its Namespace label. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "driver/driver.h"

typedef struct Walk {
    Arena *a;
    const IrCluster *ir;
    Data *values;
    const char *where; /* "FILE cluster NAME variant N" */
    int pods, jobs, containers;
} Walk;

static Data *at(const Data *d, const char *path) { return d ? data_path(d, path) : NULL; }
static bool is_true(const Data *d) { return d && d->kind == DATA_BOOL && d->u.b; }
static bool is_false(const Data *d) { return d && d->kind == DATA_BOOL && !d->u.b; }
static const char *str_or(const Data *d, const char *dflt) { return d && d->kind == DATA_STR ? d->u.str.s : dflt; }

static const Data *named(const Data *seq, const char *field, const char *value)
{
    for (const Data *e = seq && seq->kind == DATA_SEQ ? seq->u.kids.first : NULL; e; e = e->next)
        if (strcmp(str_or(data_get(e, field), ""), value) == 0)
            return e;
    return NULL;
}

static bool seq_has_str(const Data *seq, const char *s)
{
    for (const Data *e = seq && seq->kind == DATA_SEQ ? seq->u.kids.first : NULL; e; e = e->next)
        if (e->kind == DATA_STR && strcmp(e->u.str.s, s) == 0)
            return true;
    return false;
}

static Data *doc_of(Walk *w, const char *kind, const char *name)
{
    for (const IrObject *o = w->ir->objects; o; o = o->next)
        if (strcmp(o->kind, kind) == 0 && strcmp(o->name, name) == 0)
            return ir_eval_object(w->a, w->ir, o, w->values);
    return NULL;
}

/* ---- one container, one pod ------------------------------------------------------------------- */

static void check_quantities(Walk *w, const Data *c, const char *who)
{
    static const char *const paths[] = {"resources.requests.cpu", "resources.requests.memory",
                                        "resources.limits.cpu", "resources.limits.memory"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (!at(c, paths[i]))
            fail_msg("%s: %s: container %s has no %s", w->where, who, str_or(data_get(c, "name"), "?"), paths[i]);
}

static void check_container(Walk *w, const Data *pod, const Data *c, const char *who, bool long_running)
{
    const char *name = str_or(data_get(c, "name"), "?");
    const Data *sc = data_get(c, "securityContext");
    if (!is_false(at(sc, "allowPrivilegeEscalation")) || !seq_has_str(at(sc, "capabilities.drop"), "ALL") ||
        !is_true(at(sc, "readOnlyRootFilesystem")))
        fail_msg("%s: %s: container %s is not restricted (escalation, capabilities, read-only root)", w->where,
                 who, name);
    const Data *mounts = data_get(c, "volumeMounts");
    if (!named(mounts, "mountPath", "/tmp"))
        fail_msg("%s: %s: container %s has no writable /tmp", w->where, who, name);
    for (const Data *m = mounts ? mounts->u.kids.first : NULL; m; m = m->next) {
        const char *v = str_or(data_get(m, "name"), "?");
        if (!named(data_get(pod, "volumes"), "name", v) && !strstr(who, "StatefulSet"))
            fail_msg("%s: %s: mount %s has no volume", w->where, who, v);
    }
    check_quantities(w, c, who);
    if (long_running && !(data_get(c, "livenessProbe") && data_get(c, "readinessProbe")))
        fail_msg("%s: %s: container %s has no liveness and readiness probes", w->where, who, name);
    w->containers++;
}

static void check_containers(Walk *w, const Data *pod, const Data *seq, const char *who, bool long_running)
{
    for (const Data *c = seq ? seq->u.kids.first : NULL; c; c = c->next)
        if (c->kind == DATA_SEQ) /* a repeated group (restore init containers, one per member) */
            check_containers(w, pod, c, who, false);
        else
            check_container(w, pod, c, who, long_running);
}

static const Data *pod_spec(const Data *doc, const char *kind)
{
    if (strcmp(kind, "CronJob") == 0)
        return at(doc, "spec.jobTemplate.spec.template.spec");
    if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") || !strcmp(kind, "Job"))
        return at(doc, "spec.template.spec");
    return NULL;
}

static void check_pod(Walk *w, const IrObject *o, const Data *doc, const Data *pod)
{
    const char *who = arena_printf(w->a, "%s %s", o->kind, o->name);
    const Data *sc = data_get(pod, "securityContext");
    if (!is_true(at(sc, "runAsNonRoot")) || !at(sc, "runAsUser") || at(sc, "runAsUser")->u.i <= 0 ||
        strcmp(str_or(at(sc, "seccompProfile.type"), ""), "RuntimeDefault") != 0)
        fail_msg("%s: %s: pod securityContext is not restricted", w->where, who);
    bool job = !strcmp(o->kind, "CronJob") || !strcmp(o->kind, "Job");
    bool probed = !job;
    check_containers(w, pod, data_get(pod, "initContainers"), who, false);
    check_containers(w, pod, data_get(pod, "containers"), who, probed);
    const char *sa = str_or(data_get(pod, "serviceAccountName"), NULL);
    Data *account = sa ? doc_of(w, "ServiceAccount", sa) : NULL;
    if (!account)
        fail_msg("%s: %s: no ServiceAccount emitted for it", w->where, who);
    bool reads_api = strcmp(sa, "goverse-node") == 0;
    if (!reads_api && !is_false(data_get(account, "automountServiceAccountToken")))
        fail_msg("%s: %s: ServiceAccount %s mounts a token it does not need", w->where, who, sa);
    if (!reads_api && !is_false(data_get(pod, "automountServiceAccountToken")))
        fail_msg("%s: %s: the pod mounts a token it does not need", w->where, who);
    if (!strcmp(o->kind, "StatefulSet")) {
        const char *gov = str_or(at(doc, "spec.serviceName"), "?");
        Data *svc = doc_of(w, "Service", gov);
        if (!svc || strcmp(str_or(at(svc, "spec.clusterIP"), ""), "None") != 0)
            fail_msg("%s: %s: governing Service %s is not headless", w->where, who, gov);
    }
    w->pods++;
    w->jobs += job;
}

static void check_cluster_objects(Walk *w)
{
    static const char *const modes[] = {"enforce", "audit", "warn"};
    Data *ns = NULL;
    for (const IrObject *o = w->ir->objects; o; o = o->next) {
        Data *doc = ir_eval_object(w->a, w->ir, o, w->values);
        if (!doc)
            continue;
        if (!strcmp(o->kind, "Namespace"))
            ns = doc;
        const Data *pod = pod_spec(doc, o->kind);
        if (pod)
            check_pod(w, o, doc, pod);
    }
    assert_non_null(ns);
    for (size_t i = 0; i < 3; i++) {
        const char *key = arena_concat(w->a, "pod-security.kubernetes.io/", modes[i], NULL);
        if (strcmp(str_or(data_get(at(ns, "metadata.labels"), key), ""), "restricted") != 0)
            fail_msg("%s: Namespace label %s is not restricted", w->where, key);
    }
    if (!doc_of(w, "NetworkPolicy", "default-deny"))
        fail_msg("%s: no default-deny NetworkPolicy", w->where);
}

/* ---- variants ---------------------------------------------------------------------------------- */

static void set(Walk *w, const char *path, Data *v)
{
    if (!ir_find_knob(w->ir, path))
        fail_msg("knob %s is not registered", path);
    assert_true(data_set_path(w->a, w->values, path, v));
}

static void variant(Walk *w, int mode, int bits)
{
    static const char *const modes[] = {"internal", "operator", "external", "none"};
    Arena *a = w->a;
    w->values = ir_default_values(a, w->ir);
    set(w, "postgres.internal.enabled", data_bool(a, mode == 0));
    set(w, "postgres.operator.enabled", data_bool(a, mode == 1));
    set(w, "postgres.external.enabled", data_bool(a, mode == 2));
    if (mode == 2)
        set(w, "postgres.external.host", data_str(a, "db.example.com"));
    set(w, "inspector.enabled", data_bool(a, bits & 1));
    bool backups = bits & 2;
    set(w, "etcd.backup.enabled", data_bool(a, backups));
    set(w, "postgres.backup.enabled", data_bool(a, backups));
    set(w, "etcd.backup.restore.enabled", data_bool(a, backups));
    set(w, "postgres.backup.restore.enabled", data_bool(a, backups));
    set(w, "nodes.storage.enabled", data_bool(a, !(bits & 4)));
    set(w, "tls.enabled", data_bool(a, bits & 8));
    set(w, "tls.issuer.name", data_str(a, "ca-issuer"));
    w->where = arena_printf(a, "%s variant %s/%d", w->where, modes[mode], bits);
}

typedef struct Totals {
    int files, clusters, opted_out, pods, jobs, containers;
} Totals;

static void walk_file(const char *path, Totals *t)
{
    static const char *const dirs[] = {TESTS_DIR "/../stdlib"};
    Compilation comp;
    driver_init(&comp);
    DriverOptions opts = {.stdlib_dirs = dirs, .nstdlib_dirs = 1};
    if (driver_compile_file(&comp, path, &opts) != DRIVER_OK)
        fail_msg("%s does not compile: %s", path, diag_render_string(&comp.diags, false));
    for (int i = 0; i < comp.ir->nclusters; i++) {
        const Cluster *cl = comp.model->clusters[i];
        t->clusters++;
        if (cl->security.pod_security != PODSEC_RESTRICTED || cl->security.network != NETWORK_ISOLATED) {
            t->opted_out++; /* written down in the description: the opt-out is tested elsewhere */
            continue;
        }
        for (int mode = 0; mode < 4; mode++)
            for (int bits = 0; bits < 16; bits++) {
                Walk w = {.a = comp.arena, .ir = comp.ir->clusters[i],
                          .where = arena_printf(comp.arena, "%s cluster %s", path, cl->name)};
                variant(&w, mode, bits);
                check_cluster_objects(&w);
                assert_true(w.pods >= 2); /* nodes and gates at least */
                t->pods += w.pods;
                t->jobs += w.jobs;
                t->containers += w.containers;
            }
    }
    driver_dispose(&comp);
    t->files++;
}

static void walk_dir(const char *dir, const char *prefix, Totals *t)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 3 && strcmp(e->d_name + len - 3, ".gv") == 0 && strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        walk_file(path, t);
        free(names[i]);
    }
    free(names);
}

static void test_examples_restricted(void **state)
{
    (void)state;
    Totals t = {0};
    walk_dir(TESTS_DIR "/../examples", "", &t);
    assert_true(t.files >= 5);
    assert_int_equal(t.opted_out, 0); /* no example opts out */
    assert_true(t.jobs > 0);         /* the backup CronJobs and restore Jobs were walked */
    print_message("examples: %d files, %d clusters, %d pods (%d Jobs/CronJobs), %d containers\n", t.files,
                  t.clusters, t.pods, t.jobs, t.containers);
}

static void test_accepted_cases_restricted(void **state)
{
    (void)state;
    Totals t = {0};
    walk_dir(TESTS_DIR "/diagnostics/cases", "check-ok-", &t);
    walk_file(TESTS_DIR "/unit/data/language-sketch.gv", &t);
    assert_true(t.files >= 7);
    assert_true(t.opted_out >= 1 && t.opted_out < t.clusters); /* check-ok-relaxed-opt-out */
    assert_true(t.jobs > 0);
    print_message("accepted cases: %d files, %d clusters (%d opted out), %d pods (%d Jobs/CronJobs)\n", t.files,
                  t.clusters, t.opted_out, t.pods, t.jobs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_restricted),
        cmocka_unit_test(test_accepted_cases_restricted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
