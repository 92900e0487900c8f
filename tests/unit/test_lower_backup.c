/* test_lower_backup.c - backups and restore (lower_backup.c, lower_restore.c) through the whole
 * pipeline: the two CronJobs (schedule, commands, env, volumes, policies), their PVCs, the restore
 * Jobs (manual switch, one Job per etcd member using its own claim, snapshot choice), the
 * etcd-membership Job, their absence from
 * kustomization.yaml and inventory.yaml, the Zalando logical backup, and backups switched off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "driver/driver.h"
#include "test_build_util.h"
#include "emit/emit.h"
#include "yaml/yamlio.h"

#define ETCD_BACKUP "etcd { replicas 3  backup every 6h keep 28 }\n"
#define PG_BACKUP                                                                                  \
    "persistence postgres internal { credentials secret \"pg-creds\"  storage 50Gi "             \
    "backup daily at 02:00 keep 14 }\n"

static Built *build_with(const char *body, const char *const *sets, int nsets)
{
    return build_cluster("bk", "gv", body, sets, nsets);
}

static Built *build(const char *body) { return build_with(body, NULL, 0); }

static const IrObject *ir_obj(Built *b, const char *path)
{
    for (const IrObject *o = b->comp.ir->clusters[0]->objects; o; o = o->next)
        if (strcmp(o->path, path) == 0)
            return o;
    fail_msg("no object %s in the IR", path);
    return NULL;
}

/* The object evaluated under the compilation's values; NULL when switched off. */
static Data *object(Built *b, const char *path)
{
    return ir_eval_object(b->comp.arena, b->comp.ir->clusters[0], ir_obj(b, path), b->comp.values[0]);
}

static const Data *at(const Data *d, const char *path)
{
    const Data *v = data_path(d, path);
    if (!v)
        fail_msg("missing %s", path);
    return v;
}

static const char *str_at(const Data *d, const char *path)
{
    const Data *v = at(d, path);
    if (v->kind != DATA_STR)
        fail_msg("%s is not a string", path);
    return v->u.str.s;
}

static int64_t int_at(const Data *d, const char *path)
{
    const Data *v = at(d, path);
    assert_int_equal(v->kind, DATA_INT);
    return v->u.i;
}

static const Data *item(const Data *seq, size_t i)
{
    assert_int_equal(seq->kind, DATA_SEQ);
    const Data *d = seq->u.kids.first;
    for (; d && i; i--)
        d = d->next;
    if (!d)
        fail_msg("no item %zu", i);
    return d;
}

static const Data *named(const Data *seq, const char *name)
{
    for (const Data *d = seq->u.kids.first; d; d = d->next)
        if (strcmp(str_at(d, "name"), name) == 0)
            return d;
    fail_msg("no entry named %s", name);
    return NULL;
}

static void assert_seq_strs(const Data *seq, const char *const *want, size_t n)
{
    assert_int_equal(seq->u.kids.count, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(item(seq, i)->u.str.s, want[i]);
}

#define POD "spec.jobTemplate.spec.template.spec"

/* ---- CronJobs ---------------------------------------------------------------------------------- */

static void check_cronjob_policy(const Data *cj, const char *app)
{
    assert_string_equal(str_at(cj, "apiVersion"), "batch/v1");
    assert_string_equal(str_at(cj, "spec.concurrencyPolicy"), "Forbid");
    assert_int_equal(int_at(cj, "spec.successfulJobsHistoryLimit"), 3);
    assert_int_equal(int_at(cj, "spec.failedJobsHistoryLimit"), 3);
    assert_int_equal(int_at(cj, "spec.jobTemplate.spec.backoffLimit"), 3);
    assert_string_equal(str_at(cj, POD ".restartPolicy"), "OnFailure");
    const Data *labels = at(cj, "spec.jobTemplate.spec.template.metadata.labels");
    assert_string_equal(str_at(labels, "app"), app);
    assert_string_equal(data_get(labels, "app.kubernetes.io/component")->u.str.s, "backup");
}

static void test_etcd_cronjob(void **state)
{
    (void)state;
    Built *b = build(ETCD_BACKUP);
    Data *cj = object(b, "etcd/backup-cronjob.yaml");
    assert_non_null(cj);
    assert_string_equal(str_at(cj, "metadata.name"), "etcd-backup");
    assert_string_equal(str_at(cj, "spec.schedule"), "0 */6 * * *");
    check_cronjob_policy(cj, "etcd-backup");
    const Data *snap = item(at(cj, POD ".initContainers"), 0);
    assert_string_equal(str_at(snap, "image"), "quay.io/coreos/etcd:v3.5.11");
    static const char *const cmd[] = {"etcdctl", "--endpoints=http://etcd-headless.gv.svc.cluster.local:2379",
                                      "snapshot", "save", "/backup/.incoming.db"};
    assert_seq_strs(at(snap, "command"), cmd, 5);
    const Data *prune = item(at(cj, POD ".containers"), 0);
    assert_string_equal(str_at(prune, "image"), "busybox:1.36.1");
    const char *script = item(at(prune, "command"), 2)->u.str.s;
    assert_non_null(strstr(script, "snapshot-$(date -u +%Y%m%d-%H%M%S).db"));
    assert_non_null(strstr(script, "ls -1t snapshot-*.db | tail -n +$((KEEP + 1)) | xargs -r rm --"));
    assert_string_equal(str_at(named(at(prune, "env"), "KEEP"), "value"), "28");
    assert_string_equal(str_at(item(at(prune, "volumeMounts"), 0), "mountPath"), "/backup");
    const Data *vol = item(at(cj, POD ".volumes"), 0);
    assert_string_equal(str_at(vol, "persistentVolumeClaim.claimName"), "etcd-backup-pvc");
    built_free(b);
}

static void test_postgres_cronjob(void **state)
{
    (void)state;
    Built *b = build(PG_BACKUP);
    Data *cj = object(b, "postgres/backup-cronjob.yaml");
    assert_non_null(cj);
    assert_string_equal(str_at(cj, "metadata.name"), "postgres-backup");
    assert_string_equal(str_at(cj, "spec.schedule"), "0 2 * * *");
    check_cronjob_policy(cj, "postgres-backup");
    const Data *c = item(at(cj, POD ".containers"), 0);
    assert_string_equal(str_at(c, "image"), "postgres:15.10");
    assert_string_equal(item(at(c, "command"), 0)->u.str.s, "/bin/sh");
    const char *script = item(at(c, "command"), 2)->u.str.s;
    assert_non_null(strstr(script, "pg_dump -F c -f .incoming.dump\n"));
    assert_non_null(strstr(script, "ls -1t goverse-*.dump | tail -n +$((KEEP + 1)) | xargs -r rm --"));
    const Data *env = at(c, "env");
    assert_string_equal(str_at(named(env, "PGHOST"), "value"), "postgres.gv.svc.cluster.local");
    assert_string_equal(str_at(named(env, "PGPORT"), "value"), "5432");
    assert_string_equal(str_at(named(env, "KEEP"), "value"), "14");
    const Data *pw = named(env, "PGPASSWORD");
    assert_string_equal(str_at(pw, "valueFrom.secretKeyRef.name"), "pg-creds");
    assert_string_equal(str_at(pw, "valueFrom.secretKeyRef.key"), "POSTGRES_PASSWORD");
    assert_string_equal(str_at(named(env, "PGUSER"), "valueFrom.secretKeyRef.key"), "POSTGRES_USER");
    assert_string_equal(str_at(named(env, "PGDATABASE"), "valueFrom.secretKeyRef.key"), "POSTGRES_DB");
    assert_null(data_get(pw, "value")); /* never a password literal */
    built_free(b);
}

static void test_pvcs(void **state)
{
    (void)state;
    Built *b = build(ETCD_BACKUP PG_BACKUP);
    Data *e = object(b, "etcd/backup-pvc.yaml");
    assert_string_equal(str_at(e, "kind"), "PersistentVolumeClaim");
    assert_string_equal(str_at(e, "metadata.name"), "etcd-backup-pvc");
    assert_string_equal(str_at(e, "metadata.labels.app"), "etcd-backup");
    assert_string_equal(item(at(e, "spec.accessModes"), 0)->u.str.s, "ReadWriteOnce");
    assert_string_equal(str_at(e, "spec.resources.requests.storage"), "10Gi"); /* the data volume's size */
    Data *p = object(b, "postgres/backup-pvc.yaml");
    assert_string_equal(str_at(p, "metadata.name"), "postgres-backup-pvc");
    assert_string_equal(str_at(p, "spec.resources.requests.storage"), "50Gi");
    built_free(b);
}

/* ---- restore ----------------------------------------------------------------------------------- */

/* One Job per member, each mounting that member's claim only (etcd-0's also the backup volume):
 * pods that need volumes of members in different zones cannot be scheduled. */
static void test_etcd_restore_job(void **state)
{
    (void)state;
    static const char *const sets[] = {"etcd.replicas=5"};
    Built *b = build_with(ETCD_BACKUP, sets, 1);
    const IrObject *o = ir_obj(b, "etcd/restore-job-0.yaml");
    assert_non_null(o->manual_switch);
    assert_string_equal(o->manual_switch->path, "etcd.backup.restore.enabled");
    assert_null(object(b, "etcd/restore-job-0.yaml")); /* off unless asked for */
    assert_true(data_set_path(b->comp.arena, b->comp.values[0], "etcd.backup.restore.enabled",
                              data_bool(b->comp.arena, true)));
    Data *job = object(b, "etcd/restore-job-0.yaml");
    assert_non_null(job);
    assert_string_equal(str_at(job, "metadata.name"), "etcd-restore-0");
    assert_string_equal(str_at(job, "spec.template.spec.restartPolicy"), "Never");
    assert_non_null(data_get(at(job, "metadata.annotations"), "goverse.io/restore-preconditions"));
    const Data *inits = at(job, "spec.template.spec.initContainers");
    assert_int_equal(inits->u.kids.count, 1);
    static const char *const cmd[] = {
        "etcdutl", "snapshot", "restore", "$(SNAPSHOT_FILE)", "--name=etcd-0",
        "--initial-cluster=etcd-0=http://etcd-0.etcd-headless.gv.svc.cluster.local:2380", /* one member */
        "--initial-cluster-token=goverse-etcd-cluster",
        "--initial-advertise-peer-urls=http://etcd-0.etcd-headless.gv.svc.cluster.local:2380",
        "--data-dir=/var/lib/etcd/restore-$(POD_NAME)"};
    assert_seq_strs(at(item(inits, 0), "command"), cmd, 9);
    assert_string_equal(str_at(named(at(item(inits, 0), "env"), "SNAPSHOT_FILE"), "value"), "/backup/latest.db");
    const Data *vols = at(job, "spec.template.spec.volumes");
    assert_string_equal(str_at(named(vols, "backup"), "persistentVolumeClaim.claimName"), "etcd-backup-pvc");
    assert_string_equal(str_at(named(vols, "etcd-data"), "persistentVolumeClaim.claimName"), "etcd-data-etcd-0");
    for (int i = 1; i < 5; i++) {
        char path[64], claim[64];
        snprintf(path, sizeof path, "etcd/restore-job-%d.yaml", i);
        snprintf(claim, sizeof claim, "etcd-data-etcd-%d", i);
        Data *m = object(b, path);
        assert_non_null(m);
        const Data *pv = at(m, "spec.template.spec.volumes");
        assert_string_equal(str_at(named(pv, "etcd-data"), "persistentVolumeClaim.claimName"), claim);
        for (const Data *v = pv->u.kids.first; v; v = v->next) /* no other claim */
            assert_true(!data_get(v, "persistentVolumeClaim") || strcmp(str_at(v, "name"), "etcd-data") == 0);
        assert_null(data_path(m, "spec.template.spec.initContainers"));
    }
    assert_null(object(b, "etcd/restore-job-5.yaml")); /* etcd.replicas=5: members 0..4 */
    built_free(b);
}

/* The membership Job: manual, target = etcd.replicas, through the member list/add/remove API. */
static void test_etcd_membership_job(void **state)
{
    (void)state;
    static const char *const sets[] = {"etcd.replicas=5", "etcd.membership.enabled=true"};
    Built *b = build_with(ETCD_BACKUP, sets, 2);
    const IrObject *o = ir_obj(b, "etcd/membership-job.yaml");
    assert_string_equal(o->manual_switch->path, "etcd.membership.enabled");
    Data *job = object(b, "etcd/membership-job.yaml");
    assert_non_null(job);
    const Data *c = item(at(job, "spec.template.spec.containers"), 0);
    assert_string_equal(str_at(named(at(c, "env"), "TARGET"), "value"), "5");
    assert_string_equal(str_at(named(at(c, "env"), "ETCD_DOMAIN"), "value"), "etcd-headless.gv.svc.cluster.local");
    const char *script = item(at(c, "command"), 2)->u.str.s;
    assert_non_null(strstr(script, "cluster/member/add"));
    assert_non_null(strstr(script, "cluster/member/remove"));
    assert_non_null(data_get(at(job, "metadata.annotations"), "goverse.io/membership-procedure"));
    built_free(b);
}

static void test_restore_file_choice(void **state)
{
    (void)state;
    static const char *const sets[] = {"etcd.backup.restore.enabled=true", "postgres.backup.restore.enabled=true",
                                       "etcd.backup.restore.snapshot=snapshot-20240101-000000.db",
                                       "postgres.backup.restore.dump=goverse-20240101-020000.dump"};
    Built *b = build_with(ETCD_BACKUP PG_BACKUP, sets, 4);
    Data *e = object(b, "etcd/restore-job-0.yaml");
    const Data *m0 = item(at(e, "spec.template.spec.initContainers"), 0);
    assert_string_equal(str_at(named(at(m0, "env"), "SNAPSHOT_FILE"), "value"),
                        "/backup/snapshot-20240101-000000.db");
    Data *p = object(b, "postgres/restore-job.yaml");
    const Data *c = item(at(p, "spec.template.spec.containers"), 0);
    assert_string_equal(str_at(named(at(c, "env"), "DUMP_FILE"), "value"), "/backup/goverse-20240101-020000.dump");
    static const char *const cmd[] = {"pg_restore", "--clean", "--if-exists", "--single-transaction",
                                      "--exit-on-error", "--no-owner", "--dbname=$(PGDATABASE)", "$(DUMP_FILE)"};
    assert_seq_strs(at(c, "command"), cmd, 8);
    assert_true(data_get(at(c, "volumeMounts")->u.kids.first, "readOnly")->u.b);
    built_free(b);
}

/* The tree writes the restore Jobs but neither kustomization.yaml nor inventory.yaml lists them. */
static void test_tree_leaves_restore_out(void **state)
{
    (void)state;
    Built *b = build(ETCD_BACKUP PG_BACKUP);
    OutTree out;
    outtree_init(&out, b->comp.arena);
    const char *err = NULL;
    assert_true(emit_manifests(b->comp.arena, b->comp.ir->clusters[0], b->comp.values[0], &out, "bk", &err));
    assert_non_null(outtree_find(&out, "bk/manifests/etcd/restore-job-0.yaml"));
    assert_non_null(outtree_find(&out, "bk/manifests/etcd/restore-job-2.yaml"));
    assert_non_null(outtree_find(&out, "bk/manifests/etcd/membership-job.yaml"));
    assert_non_null(outtree_find(&out, "bk/manifests/postgres/restore-job.yaml"));
    const OutFile *k = outtree_find(&out, "bk/manifests/kustomization.yaml");
    assert_non_null(k);
    const char *text = arena_strndup(b->comp.arena, k->data, k->len);
    assert_non_null(strstr(text, "- etcd/backup-cronjob.yaml\n"));
    assert_non_null(strstr(text, "- etcd/backup-pvc.yaml\n"));
    assert_non_null(strstr(text, "- postgres/backup-cronjob.yaml\n"));
    assert_null(strstr(text, "restore-job"));
    assert_null(strstr(text, "membership-job"));
    const OutFile *inv = outtree_find(&out, "bk/inventory.yaml");
    assert_null(strstr(arena_strndup(b->comp.arena, inv->data, inv->len), "restore"));
    built_free(b);
}

/* ---- switches ---------------------------------------------------------------------------------- */

static void test_backups_off(void **state)
{
    (void)state;
    Built *b = build("etcd { replicas 3 }\npersistence postgres internal { credentials secret \"pg\" }\n");
    static const char *const paths[] = {"etcd/backup-cronjob.yaml", "etcd/backup-pvc.yaml", "etcd/restore-job-0.yaml",
                                        "postgres/backup-cronjob.yaml", "postgres/backup-pvc.yaml",
                                        "postgres/restore-job.yaml"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        assert_null(object(b, paths[i]));
    /* ... and the chart can still switch them on: */
    static const char *const sets[] = {"etcd.backup.enabled=true", "etcd.backup.schedule=*/30 * * * *"};
    Built *on = build_with("etcd { replicas 3 }\n", sets, 2);
    assert_string_equal(str_at(object(on, "etcd/backup-cronjob.yaml"), "spec.schedule"), "*/30 * * * *");
    built_free(on);
    built_free(b);
}

static void test_postgres_modes(void **state)
{
    (void)state;
    /* operator: Zalando's logical backup, no pg_dump CronJob */
    Built *op = build("persistence postgres operator zalando { instances 2  backup daily at 03:30 keep 7 }\n");
    assert_null(object(op, "postgres/backup-cronjob.yaml"));
    Data *pg = object(op, "postgres/postgresql.yaml");
    assert_true(at(pg, "spec.enableLogicalBackup")->u.b);
    assert_string_equal(str_at(pg, "spec.logicalBackupSchedule"), "30 3 * * *");
    built_free(op);
    /* without backup the operator object carries no backup fields */
    Built *plain = build("persistence postgres operator zalando { instances 2 }\n");
    assert_null(data_get(at(object(plain, "postgres/postgresql.yaml"), "spec"), "enableLogicalBackup"));
    built_free(plain);
    /* external etcd: nothing to snapshot */
    static const char *const sets[] = {"etcd.backup.enabled=true", "etcd.enabled=false", "etcd.external.enabled=true",
                                       "etcd.external.endpoints={e.example.com:2379}"};
    Built *ext = build_with("", sets, 4);
    assert_null(object(ext, "etcd/backup-cronjob.yaml"));
    built_free(ext);
}

static void test_bad_values(void **state)
{
    (void)state;
    static const char *const bad[] = {"etcd.backup.keep=0", "etcd.backup.schedule=daily",
                                      "postgres.backup.schedule=0 2 * *", "postgres.backup.keep=10001"};
    static const char *const dirs[] = {TESTS_DIR "/../stdlib"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        Compilation comp;
        driver_init(&comp);
        const char *text = "cluster \"bk\" { namespace \"gv\" }\n";
        DriverOptions opts = {.stdlib_dirs = dirs, .nstdlib_dirs = 1, .sets = &bad[i], .nsets = 1};
        assert_int_equal(driver_compile_text(&comp, "t.gv", text, strlen(text), &opts), DRIVER_INPUT_ERROR);
        driver_dispose(&comp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_etcd_cronjob),
        cmocka_unit_test(test_postgres_cronjob),
        cmocka_unit_test(test_pvcs),
        cmocka_unit_test(test_etcd_restore_job),
        cmocka_unit_test(test_etcd_membership_job),
        cmocka_unit_test(test_restore_file_choice),
        cmocka_unit_test(test_tree_leaves_restore_out),
        cmocka_unit_test(test_backups_off),
        cmocka_unit_test(test_postgres_modes),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
