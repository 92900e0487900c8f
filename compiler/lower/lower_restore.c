/* lower_restore.c - the restore Jobs of design section 10.3, made runnable: etcd-restore writes a
 * snapshot into every member's data volume, postgres-restore runs pg_restore of a dump. Both are
 * written into the manifest tree but never applied with it (IrObject.manual_switch); the chart
 * renders them only when `*.backup.restore.enabled` is set. Preconditions: docs/backup.md. */
#include "lower/lower_internal.h"

static const char ETCD_PRECONDITIONS[] =
    "Stop every etcd client and etcd itself first: kubectl scale statefulset goverse-node --replicas=0; "
    "kubectl scale deployment goverse-gate --replicas=0; kubectl scale statefulset etcd --replicas=0; "
    "wait until no etcd-N pod remains. The member volumes (etcd-data-etcd-N) are kept and overwritten. "
    "Afterwards delete this Job and scale etcd, nodes and gates back up. See docs/backup.md.";

static const char PG_PRECONDITIONS[] =
    "Stop the writers first: kubectl scale statefulset goverse-node --replicas=0; PostgreSQL stays up. "
    "pg_restore --clean replaces the objects of the dump in one transaction. "
    "Afterwards delete this Job and scale the nodes back up. See docs/backup.md.";

/* The restored data directory is named after the pod, so a retried pod (restartPolicy Never: a
 * new pod per attempt) never trips over the half-written directory of a failed one. */
static const char ETCD_SWAP_SCRIPT[] =
    "set -eu\n"
    "for d in /data/etcd-*; do\n"
    "  test -d \"$d/restore-$POD_NAME/member\"\n"
    "  rm -rf \"$d/member\"\n"
    "  mv \"$d/restore-$POD_NAME/member\" \"$d/member\"\n"
    "  rm -rf \"$d\"/restore-*\n"
    "  echo \"etcd-restore: $d restored from $SNAPSHOT_FILE\"\n"
    "done\n";

/* "/backup/latest.db" (the link the backup keeps on the newest file) or "/backup/NAME". */
static void file_env(Lower *l, IrNode *env, const char *var, const char *knob, const char *latest)
{
    Arena *a = l->a;
    const Knob *k = lower_knob(l, knob);
    const IrCond *is_latest = ir_cond_eq(a, k, "latest");
    ir_when(ir_push(env, lower_env_value(l, var, ir_str(a, latest))), is_latest);
    ir_when(ir_push(env, lower_env_value(l, var, lower_concat(l, ir_str(a, "/backup/"), lower_ref(l, knob), NULL))),
            ir_cond_not(a, is_latest));
}

static IrNode *restore_job(Lower *l, const char *path, const char *name, const char *app, const char *prefix,
                           const IrCond *backup_on, const char *preconditions)
{
    Arena *a = l->a;
    const char *sw = arena_concat(a, prefix, ".backup.restore.enabled", NULL);
    IrObject *o = ir_object(a, l->ir, path, prefix, "batch/v1", "Job", name, ir_cond_and(a, backup_on, lower_if(l, sw)));
    o->manual_switch = lower_knob(l, sw);
    IrNode *spec = lower_workload(l, o, app, "backup");
    IrNode *an = ir_put(a, lower_map_get(o->root, "metadata"), "annotations", ir_map(a));
    ir_put(a, an, "goverse.io/restore-preconditions", ir_str(a, preconditions));
    ir_put(a, spec, "backoffLimit", ir_int(a, 2));
    IrNode *tpl = ir_put(a, spec, "template", ir_map(a));
    /* Same pod labels as the backups: the network policies that let those reach etcd/postgres
     * apply to the restore too. */
    ir_put(a, ir_put(a, tpl, "metadata", ir_map(a)), "labels", lower_labels(l, app, "backup"));
    IrNode *pod = ir_put(a, tpl, "spec", ir_map(a));
    ir_put(a, pod, "restartPolicy", ir_str(a, "Never"));
    return pod;
}

/* Decimal text of a small non-negative number (member indexes and counts), without printf:
 * the restore Job names every possible member several times. */
static const char *num(Lower *l, int i)
{
    char buf[16];
    size_t n = sizeof buf;
    buf[--n] = '\0';
    do {
        buf[--n] = (char)('0' + i % 10);
        i /= 10;
    } while (i > 0 && n > 0);
    return arena_strndup(l->a, buf + n, sizeof buf - 1 - n);
}

/* exists[i]: member i exists when etcd.replicas > i. The members are literal, one per possible
 * member with this condition, rather than a REPEAT, so the passes that visit every container and
 * volume (security contexts, placement) see them like any other. Each condition is
 * `replicas == i+1 || replicas == i+2 || ...` (left-nested); conditions are immutable, so the
 * init container, the mount and the volume of a member share one, and the `==` leaves are shared
 * between members. */
static const IrCond **member_conditions(Lower *l, int max)
{
    const Knob *k = lower_knob(l, "etcd.replicas");
    const IrCond **eq = ARENA_ARRAY(l->a, const IrCond *, max + 2);
    for (int n = 1; n <= max; n++)
        eq[n] = ir_cond_eq(l->a, k, num(l, n));
    const IrCond **exists = ARENA_ARRAY(l->a, const IrCond *, max + 1);
    for (int i = 0; i < max; i++) {
        const IrCond *c = NULL;
        for (int n = i + 1; n <= max; n++)
            c = c ? ir_cond_or(l->a, c, eq[n]) : eq[n];
        exists[i] = c;
    }
    return exists;
}

static IrNode *member_mount(Lower *l, int i)
{
    const char *n = num(l, i);
    return lower_volume_mount(l, arena_concat(l->a, "member-", n, NULL), arena_concat(l->a, "/data/etcd-", n, NULL));
}

static IrNode *member_volume(Lower *l, int i)
{
    Arena *a = l->a;
    const char *n = num(l, i);
    IrNode *v = ir_map(a);
    ir_put(a, v, "name", ir_str(a, arena_concat(a, "member-", n, NULL)));
    IrNode *pvc = ir_put(a, v, "persistentVolumeClaim", ir_map(a));
    ir_put(a, pvc, "claimName", ir_str(a, arena_concat(a, "etcd-data-etcd-", n, NULL)));
    return v;
}

/* One init container per member (etcd images have no shell): etcdutl snapshot restore into a
 * directory beside the member's data, swapped in by the last container. */
static IrNode *member_restore_container(Lower *l, int i)
{
    Arena *a = l->a;
    const char *n = num(l, i);
    IrNode *c = lower_container(l, arena_concat(a, "restore-etcd-", n, NULL), "etcd");
    IrNode *cmd = ir_put(a, c, "command", ir_seq(a));
    ir_push(cmd, ir_str(a, "etcdutl"));
    ir_push(cmd, ir_str(a, "snapshot"));
    ir_push(cmd, ir_str(a, "restore"));
    ir_push(cmd, ir_str(a, "$(SNAPSHOT_FILE)"));
    ir_push(cmd, ir_str(a, arena_concat(a, "--name=etcd-", n, NULL)));
    ir_push(cmd, ir_str(a, "--initial-cluster=$(INITIAL_CLUSTER)"));
    ir_push(cmd, ir_str(a, "--initial-cluster-token=goverse-etcd-cluster"));
    ir_push(cmd, lower_concat(l, ir_str(a, arena_concat(a, "--initial-advertise-peer-urls=http://etcd-", n, ".etcd-headless.", NULL)),
                              lower_namespace_expr(l), ir_str(a, ".svc.cluster.local:"),
                              lower_ref(l, "etcd.ports.peer"), NULL));
    ir_push(cmd, ir_str(a, arena_concat(a, "--data-dir=/data/etcd-", n, "/restore-$(POD_NAME)", NULL)));
    IrNode *env = ir_put(a, c, "env", ir_seq(a));
    ir_push(env, lower_env_field(l, "POD_NAME", "metadata.name"));
    ir_push(env, lower_env_value(l, "INITIAL_CLUSTER", lower_etcd_initial_cluster(l)));
    file_env(l, env, "SNAPSHOT_FILE", "etcd.backup.restore.snapshot", "/backup/latest.db");
    IrNode *mounts = ir_put(a, c, "volumeMounts", ir_seq(a));
    ir_put(a, ir_push(mounts, lower_volume_mount(l, "backup", "/backup")), "readOnly", ir_bool(a, true));
    ir_push(mounts, member_mount(l, i));
    return c;
}

static void etcd_restore(Lower *l)
{
    Arena *a = l->a;
    IrNode *pod = restore_job(l, "etcd/restore-job.yaml", "etcd-restore", "etcd-backup", "etcd",
                              lower_backup_etcd_on(l), ETCD_PRECONDITIONS);
    int max = (int)lower_knob(l, "etcd.replicas")->max;
    IrNode *inits = ir_put(a, pod, "initContainers", ir_seq(a));
    const IrCond **exists = member_conditions(l, max);
    for (int i = 0; i < max; i++)
        ir_when(ir_push(inits, member_restore_container(l, i)), exists[i]);
    IrNode *c = ir_push(ir_put(a, pod, "containers", ir_seq(a)), lower_container(l, "swap", "etcd.backup.shell"));
    IrNode *cmd = ir_put(a, c, "command", ir_seq(a));
    ir_push(cmd, ir_str(a, "/bin/sh"));
    ir_push(cmd, ir_str(a, "-c"));
    ir_push(cmd, ir_str(a, ETCD_SWAP_SCRIPT));
    IrNode *env = ir_put(a, c, "env", ir_seq(a));
    ir_push(env, lower_env_field(l, "POD_NAME", "metadata.name"));
    file_env(l, env, "SNAPSHOT_FILE", "etcd.backup.restore.snapshot", "/backup/latest.db");
    IrNode *mounts = ir_put(a, c, "volumeMounts", ir_seq(a));
    IrNode *vols = ir_put(a, pod, "volumes", ir_seq(a));
    ir_push(vols, lower_backup_volume(l, "etcd-backup-pvc", true));
    for (int i = 0; i < max; i++) {
        ir_when(ir_push(mounts, member_mount(l, i)), exists[i]);
        ir_when(ir_push(vols, member_volume(l, i)), exists[i]);
    }
    lower_pull_secrets(l, pod);
}

static void postgres_restore(Lower *l)
{
    Arena *a = l->a;
    IrNode *pod = restore_job(l, "postgres/restore-job.yaml", "postgres-restore", "postgres-backup", "postgres",
                              lower_backup_postgres_on(l), PG_PRECONDITIONS);
    IrNode *c = ir_push(ir_put(a, pod, "containers", ir_seq(a)), lower_container(l, "restore", "postgres.internal"));
    IrNode *cmd = ir_put(a, c, "command", ir_seq(a));
    static const char *const ARGS[] = {"pg_restore", "--clean", "--if-exists", "--single-transaction",
                                       "--exit-on-error", "--no-owner", "--dbname=$(PGDATABASE)", "$(DUMP_FILE)"};
    for (size_t i = 0; i < sizeof ARGS / sizeof *ARGS; i++)
        ir_push(cmd, ir_str(a, ARGS[i]));
    IrNode *env = ir_put(a, c, "env", ir_seq(a));
    lower_backup_pg_env(l, env);
    file_env(l, env, "DUMP_FILE", "postgres.backup.restore.dump", "/backup/latest.dump");
    IrNode *m = ir_push(ir_put(a, c, "volumeMounts", ir_seq(a)), lower_volume_mount(l, "backup", "/backup"));
    ir_put(a, m, "readOnly", ir_bool(a, true));
    ir_push(ir_put(a, pod, "volumes", ir_seq(a)), lower_backup_volume(l, "postgres-backup-pvc", true));
    lower_pull_secrets(l, pod);
}

void lower_restore_objects(Lower *l)
{
    etcd_restore(l);
    postgres_restore(l);
}
