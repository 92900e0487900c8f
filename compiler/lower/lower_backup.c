/* lower_backup.c - backups (design section 10.1/10.2): the etcd snapshot CronJob and the pg_dump
 * CronJob with their PersistentVolumeClaims, their knobs, and the Zalando logical backup for the
 * operator mode. The restore Jobs are in lower_restore.c. Every object sits behind
 * `*.backup.enabled`, so a description without backups still yields a chart that can switch them on. */
#include <string.h>

#include "lower/lower_internal.h"

/* etcd >= 3.5.7 images are distroless (no shell): etcdctl runs in an init container in exec form,
 * and this small shell image names the snapshot and prunes old ones. */
static const char ETCD_PRUNE_SCRIPT[] =
    "set -eu\n"
    "cd /backup\n"
    "name=\"snapshot-$(date -u +%Y%m%d-%H%M%S).db\"\n"
    "mv .incoming.db \"$name\"\n"
    "ln -sfn \"$name\" latest.db\n"
    "ls -1t snapshot-*.db | tail -n +$((KEEP + 1)) | xargs -r rm --\n"
    "echo \"etcd-backup: saved $name, keeping the newest $KEEP\"\n";

/* The dump is written under a temporary name first: a failed pg_dump never counts as a backup
 * and never pushes a good one out of the retention window. */
static const char PG_DUMP_SCRIPT[] =
    "set -eu\n"
    "cd /backup\n"
    "name=\"goverse-$(date -u +%Y%m%d-%H%M%S).dump\"\n"
    "pg_dump -F c -f .incoming.dump\n"
    "mv .incoming.dump \"$name\"\n"
    "ln -sfn \"$name\" latest.dump\n"
    "ls -1t goverse-*.dump | tail -n +$((KEEP + 1)) | xargs -r rm --\n"
    "echo \"postgres-backup: saved $name, keeping the newest $KEEP\"\n";

/* ---- knobs ------------------------------------------------------------------------------------ */

static void backup_knobs(Lower *l, const char *prefix, const Backup *b, bool on, const char *cron, int keep,
                         const char *volume_size_knob)
{
    Arena *a = l->a;
    bool set = on && b->enabled;
    char size[64];
    const Knob *vol = lower_knob(l, volume_size_knob);
    lower_knob_bool(l, arena_concat(a, prefix, ".backup.enabled", NULL), set,
                    "scheduled backups (CronJob + PVC)");
    lower_knob_str(l, arena_concat(a, prefix, ".backup.schedule", NULL), KNOB_CRON, set ? b->cron : cron,
                   "cron schedule of the backups (UTC)");
    lower_knob_int(l, arena_concat(a, prefix, ".backup.keep", NULL), set ? b->keep : keep, 1, 10000,
                   "backups kept on the volume (the newest N)");
    const char *sz = set && b->size.milli > 0 ? quantity_format(b->size, size, sizeof size) : vol->default_value->u.str.s;
    lower_knob_str(l, arena_concat(a, prefix, ".backup.storage.size", NULL), KNOB_MEMORY, arena_strdup(a, sz),
                   "backup volume size (default: the data volume's size)");
    lower_knob_str(l, arena_concat(a, prefix, ".backup.storage.storageClass", NULL), KNOB_NAME,
                   set ? b->storage_class : "", "backup volume storage class (empty: the cluster's default class)")
        ->nullable = true;
}

void lower_backup_knobs(Lower *l)
{
    const Cluster *c = l->cl;
    backup_knobs(l, "etcd", &c->etcd.backup, !c->etcd.external, "0 */6 * * *", 28, "etcd.storage.size");
    lower_knobs_image(l, "etcd.backup.shell", NULL);
    lower_knob_bool(l, "etcd.backup.restore.enabled", false,
                    "render the etcd restore Job (apply it by hand, see docs/backup.md)");
    lower_knob_str(l, "etcd.backup.restore.snapshot", KNOB_STRING, "latest",
                   "snapshot file on the backup volume to restore (latest: the newest)");
    lower_knob_bool(l, "etcd.membership.enabled", false,
                    "render the etcd-membership Job that adds/removes members to reach etcd.replicas "
                    "(apply it by hand, see docs/backup.md)");
    bool pg = c->postgres.mode == PERSIST_INTERNAL || c->postgres.mode == PERSIST_OPERATOR;
    const char *pg_size = c->postgres.mode == PERSIST_OPERATOR ? "postgres.operator.storage.size"
                                                               : "postgres.internal.storage.size";
    backup_knobs(l, "postgres", &c->postgres.backup, pg, "0 2 * * *", 14, pg_size);
    lower_knob_bool(l, "postgres.backup.restore.enabled", false,
                    "render the PostgreSQL restore Job (apply it by hand, see docs/backup.md)");
    lower_knob_str(l, "postgres.backup.restore.dump", KNOB_STRING, "latest",
                   "dump file on the backup volume to restore (latest: the newest)");
}

/* ---- shared pieces (also used by lower_restore.c) --------------------------------------------- */

/* Both conditions are built once per cluster (every backup and restore object asks). */
const IrCond *lower_backup_etcd_on(Lower *l)
{
    Arena *a = l->a;
    if (!l->backup_etcd_on)
        l->backup_etcd_on =
            ir_cond_and(a, lower_if(l, "etcd.backup.enabled"),
                        ir_cond_and(a, lower_if(l, "etcd.enabled"), lower_unless(l, "etcd.external.enabled")));
    return l->backup_etcd_on;
}

/* pg_dump runs only against the in-cluster StatefulSet; the operator has its own logical backup
 * and a managed database is backed up by its provider. */
const IrCond *lower_backup_postgres_on(Lower *l)
{
    if (!l->backup_pg_on)
        l->backup_pg_on =
            ir_cond_and(l->a, lower_if(l, "postgres.backup.enabled"), lower_postgres_mode(l, PERSIST_INTERNAL));
    return l->backup_pg_on;
}

IrNode *lower_backup_volume(Lower *l, const char *claim, bool read_only)
{
    Arena *a = l->a;
    IrNode *v = ir_map(a);
    ir_put(a, v, "name", ir_str(a, "backup"));
    IrNode *pvc = ir_put(a, v, "persistentVolumeClaim", ir_map(a));
    ir_put(a, pvc, "claimName", ir_str(a, claim));
    if (read_only)
        ir_put(a, pvc, "readOnly", ir_bool(a, true));
    return v;
}

/* Env of the postgres client tools: the in-cluster Service, credentials from the Secret. */
void lower_backup_pg_env(Lower *l, IrNode *env)
{
    Arena *a = l->a;
    ir_push(env, lower_env_value(l, "PGHOST", lower_concat(l, ir_str(a, "postgres."), lower_namespace_expr(l),
                                                           ir_str(a, ".svc.cluster.local"), NULL)));
    ir_push(env, lower_env_value(l, "PGPORT", lower_quoted(l, "5432")));
    ir_push(env, lower_env_secret(l, "PGUSER", lower_ref(l, "postgres.existingSecret"), "POSTGRES_USER"));
    ir_push(env, lower_env_secret(l, "PGPASSWORD", lower_ref(l, "postgres.existingSecret"), "POSTGRES_PASSWORD"));
    ir_push(env, lower_env_secret(l, "PGDATABASE", lower_ref(l, "postgres.existingSecret"), "POSTGRES_DB"));
}

static IrNode *shell_command(Lower *l, const char *script)
{
    IrNode *cmd = ir_seq(l->a);
    ir_push(cmd, ir_str(l->a, "/bin/sh"));
    ir_push(cmd, ir_str(l->a, "-c"));
    ir_push(cmd, ir_str(l->a, script)); /* no block style: the chart printer writes scalars inline */
    return cmd;
}

/* ---- objects ---------------------------------------------------------------------------------- */

static void backup_pvc(Lower *l, const char *path, const char *name, const char *app, const char *prefix,
                       const IrCond *on)
{
    Arena *a = l->a;
    const Knob *cls = lower_knob_at(l, prefix, "backup.storage.storageClass");
    IrObject *o = ir_object(a, l->ir, path, prefix, "v1", "PersistentVolumeClaim", name, on);
    ir_put(a, o->root, "apiVersion", ir_str(a, "v1"));
    ir_put(a, o->root, "kind", ir_str(a, "PersistentVolumeClaim"));
    ir_put(a, o->root, "metadata", lower_metadata(l, name, app, "backup"));
    IrNode *spec = ir_put(a, o->root, "spec", ir_map(a));
    ir_push(ir_put(a, spec, "accessModes", ir_seq(a)), ir_str(a, "ReadWriteOnce"));
    ir_when(l->a, ir_put(a, spec, "storageClassName", ir_ref(a, cls)), lower_if_knob(l, cls));
    IrNode *req = ir_put(a, ir_put(a, spec, "resources", ir_map(a)), "requests", ir_map(a));
    ir_put(a, req, "storage", ir_ref(a, lower_knob_at(l, prefix, "backup.storage.size")));
}

/* CronJob skeleton: returns the pod spec (restartPolicy OnFailure, the backup volume). */
static IrNode *backup_cronjob(Lower *l, const char *path, const char *name, const char *prefix, const IrCond *on)
{
    Arena *a = l->a;
    IrObject *o = ir_object(a, l->ir, path, prefix, "batch/v1", "CronJob", name, on);
    IrNode *spec = lower_workload(l, o, name, "backup");
    ir_put(a, spec, "schedule", ir_ref(a, lower_knob_at(l, prefix, "backup.schedule")));
    /* Two dumps writing the same volume at once would race on the temporary file. */
    ir_put(a, spec, "concurrencyPolicy", ir_str(a, "Forbid"));
    ir_put(a, spec, "successfulJobsHistoryLimit", ir_int(a, 3));
    ir_put(a, spec, "failedJobsHistoryLimit", ir_int(a, 3));
    IrNode *job = ir_put(a, ir_put(a, spec, "jobTemplate", ir_map(a)), "spec", ir_map(a));
    ir_put(a, job, "backoffLimit", ir_int(a, 3));
    IrNode *tpl = ir_put(a, job, "template", ir_map(a));
    ir_put(a, ir_put(a, tpl, "metadata", ir_map(a)), "labels", lower_labels(l, name, "backup"));
    IrNode *pod = ir_put(a, tpl, "spec", ir_map(a));
    ir_put(a, pod, "restartPolicy", ir_str(a, "OnFailure"));
    return pod;
}

static IrNode *keep_env(Lower *l, const char *prefix)
{
    IrNode *keep = lower_concat(l, ir_ref(l->a, lower_knob_at(l, prefix, "backup.keep")), NULL);
    return lower_env_value(l, "KEEP", keep);
}

/* Any ready member: the headless Service resolves to the ready pods only, and etcdctl takes a
 * snapshot from exactly one endpoint. */
static IrNode *etcd_snapshot_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "snapshot", "etcd");
    IrNode *cmd = ir_put(a, c, "command", ir_seq(a));
    ir_push(cmd, ir_str(a, "etcdctl"));
    ir_push(cmd, lower_concat(l, ir_str(a, "--endpoints=http://etcd-headless."), lower_namespace_expr(l),
                              ir_str(a, ".svc.cluster.local:"), lower_ref(l, "etcd.ports.client"), NULL));
    ir_push(cmd, ir_str(a, "snapshot"));
    ir_push(cmd, ir_str(a, "save"));
    ir_push(cmd, ir_str(a, "/backup/.incoming.db"));
    ir_push(ir_put(a, c, "env", ir_seq(a)), lower_env_value(l, "ETCDCTL_API", lower_quoted(l, "3")));
    ir_push(ir_put(a, c, "volumeMounts", ir_seq(a)), lower_volume_mount(l, "backup", "/backup"));
    return c;
}

/* The first backup pod runs in etcd-0's zone when it can, so a zonal backup volume bound on first
 * use (WaitForFirstConsumer) is created there, and etcd-restore-0, which needs both, can run. */
static void near_etcd0(Lower *l, IrNode *pod)
{
    Arena *a = l->a;
    IrNode *pref = ir_put(a, ir_put(a, ir_put(a, pod, "affinity", ir_map(a)), "podAffinity", ir_map(a)),
                          "preferredDuringSchedulingIgnoredDuringExecution", ir_seq(a));
    IrNode *w = ir_push(pref, ir_map(a));
    ir_put(a, w, "weight", ir_int(a, 100));
    IrNode *term = ir_put(a, w, "podAffinityTerm", ir_map(a));
    ir_put(a, ir_put(a, ir_put(a, term, "labelSelector", ir_map(a)), "matchLabels", ir_map(a)),
           "statefulset.kubernetes.io/pod-name", ir_str(a, "etcd-0"));
    ir_put(a, term, "topologyKey", ir_str(a, "topology.kubernetes.io/zone"));
}

static void etcd_backup(Lower *l)
{
    Arena *a = l->a;
    const IrCond *on = lower_backup_etcd_on(l);
    backup_pvc(l, "etcd/backup-pvc.yaml", "etcd-backup-pvc", "etcd-backup", "etcd", on);
    IrNode *pod = backup_cronjob(l, "etcd/backup-cronjob.yaml", "etcd-backup", "etcd", on);
    ir_push(ir_put(a, pod, "initContainers", ir_seq(a)), etcd_snapshot_container(l));
    IrNode *c = ir_push(ir_put(a, pod, "containers", ir_seq(a)), lower_container(l, "prune", "etcd.backup.shell"));
    ir_put(a, c, "command", shell_command(l, ETCD_PRUNE_SCRIPT));
    ir_push(ir_put(a, c, "env", ir_seq(a)), keep_env(l, "etcd"));
    ir_push(ir_put(a, c, "volumeMounts", ir_seq(a)), lower_volume_mount(l, "backup", "/backup"));
    ir_push(ir_put(a, pod, "volumes", ir_seq(a)), lower_backup_volume(l, "etcd-backup-pvc", false));
    near_etcd0(l, pod);
    lower_pull_secrets(l, pod);
}

static void postgres_backup(Lower *l)
{
    Arena *a = l->a;
    const IrCond *on = lower_backup_postgres_on(l);
    backup_pvc(l, "postgres/backup-pvc.yaml", "postgres-backup-pvc", "postgres-backup", "postgres", on);
    IrNode *pod = backup_cronjob(l, "postgres/backup-cronjob.yaml", "postgres-backup", "postgres", on);
    IrNode *c = ir_push(ir_put(a, pod, "containers", ir_seq(a)), lower_container(l, "backup", "postgres.internal"));
    ir_put(a, c, "command", shell_command(l, PG_DUMP_SCRIPT));
    IrNode *env = ir_put(a, c, "env", ir_seq(a));
    lower_backup_pg_env(l, env);
    ir_push(env, keep_env(l, "postgres"));
    ir_push(ir_put(a, c, "volumeMounts", ir_seq(a)), lower_volume_mount(l, "backup", "/backup"));
    ir_push(ir_put(a, pod, "volumes", ir_seq(a)), lower_backup_volume(l, "postgres-backup-pvc", false));
    lower_pull_secrets(l, pod);
}

/* Zalando runs its own logical backup (pg_dumpall to object storage, configured in the operator):
 * `backup` switches it on with our schedule. Retention is the operator's setting, not ours. */
static void operator_backup(Lower *l)
{
    Arena *a = l->a;
    for (IrObject *o = l->ir->objects; o; o = o->next) {
        if (strcmp(o->kind, "postgresql") != 0)
            continue;
        IrNode *spec = lower_map_get(o->root, "spec");
        if (!spec)
            continue;
        const IrCond *on = lower_if(l, "postgres.backup.enabled");
        ir_when(l->a, ir_put(a, spec, "enableLogicalBackup", ir_bool(a, true)), on);
        ir_when(l->a, ir_put(a, spec, "logicalBackupSchedule", lower_ref(l, "postgres.backup.schedule")), on);
    }
}

void lower_backup_objects(Lower *l)
{
    etcd_backup(l);
    postgres_backup(l);
    operator_backup(l);
    lower_restore_objects(l);
}
