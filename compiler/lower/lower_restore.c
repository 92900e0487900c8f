/* lower_restore.c - the restore Jobs of design section 10.3, made runnable: etcd-restore-N, one per
 * member and each using that member's volume only (etcd-0 gets the snapshot as a cluster of one
 * member, the others are cleared and join it through the etcd-membership Job), and
 * postgres-restore, pg_restore of a dump. All are
 * written into the manifest tree but never applied with it (IrObject.manual_switch); the chart
 * renders them only when `*.backup.restore.enabled` is set. Preconditions: docs/backup.md.
 * etcd-restore-2.. are made from etcd-restore-1 after the passes (lower_restore_twins). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower/lower_internal.h"

static const char ETCD_PRECONDITIONS[] =
    "One Job per member, each using only that member's volume (and etcd-restore-0 the backup volume, which "
    "the backups keep in etcd-0's zone), so each pod is scheduled where its volume is. Stop every etcd client "
    "and etcd first: kubectl scale statefulset goverse-node --replicas=0; kubectl scale deployment goverse-gate "
    "--replicas=0; kubectl scale statefulset etcd --replicas=0; wait until no etcd-N pod remains. Apply every "
    "etcd-restore-N Job and wait for all to complete. Then start etcd-0 alone (kubectl scale statefulset etcd "
    "--replicas=1) and wait until it is ready: it is the restored cluster, of one member. Then scale etcd back "
    "to its size and apply the etcd-membership Job, which adds the others one by one (they join with the "
    "restored data). Delete the Jobs, scale nodes and gates back up. See docs/backup.md.";

static const char PG_PRECONDITIONS[] =
    "Stop the writers first: kubectl scale statefulset goverse-node --replicas=0; PostgreSQL stays up. "
    "pg_restore --clean replaces the objects of the dump in one transaction. "
    "Afterwards delete this Job and scale the nodes back up. See docs/backup.md.";

/* The restored data directory is named after the pod, so a retried pod (restartPolicy Never: a
 * new pod per attempt) never trips over the half-written directory of a failed one. A data
 * directory an earlier start set aside (member.removed-*) belongs to the old cluster too. */
static const char ETCD_SWAP_SCRIPT[] =
    "set -eu\n"
    "d=/var/lib/etcd\n"
    "test -d \"$d/restore-$POD_NAME/member\"\n"
    "rm -rf \"$d/member\" \"$d\"/member.removed-*\n"
    "mv \"$d/restore-$POD_NAME/member\" \"$d/member\"\n"
    "rm -rf \"$d\"/restore-*\n"
    "echo \"etcd-restore: $MEMBER restored from $SNAPSHOT_FILE as a cluster of one member; start it alone, then \"\\\n"
    "\"scale etcd up and run the etcd-membership Job (docs/backup.md)\"\n";

/* Members other than etcd-0 start empty and join the restored etcd-0 when the membership Job
 * adds them: their old data (of the cluster being replaced) must go. */
static const char ETCD_CLEAR_SCRIPT[] =
    "set -eu\n"
    "d=/var/lib/etcd\n"
    "rm -rf \"$d/member\" \"$d\"/member.removed-* \"$d\"/restore-*\n"
    "echo \"etcd-restore: $MEMBER cleared; it joins the restored cluster when the etcd-membership Job adds it\"\n";

/* "/backup/latest.db" (the link the backup keeps on the newest file) or "/backup/NAME". */
static void file_env(Lower *l, IrNode *env, const char *var, const char *knob, const char *latest)
{
    Arena *a = l->a;
    const Knob *k = lower_knob(l, knob);
    const IrCond *is_latest = ir_cond_eq(a, k, "latest");
    ir_when(l->a, ir_push(env, lower_env_value(l, var, ir_str(a, latest))), is_latest);
    ir_when(l->a, ir_push(env, lower_env_value(l, var, lower_concat(l, ir_str(a, "/backup/"), ir_ref(a, k), NULL))),
            ir_cond_not(a, is_latest));
}

static IrNode *restore_job(Lower *l, const char *path, const char *name, const char *app, const char *prefix,
                           const IrCond *backup_on, const char *preconditions)
{
    Arena *a = l->a;
    const Knob *sw = lower_knob_at(l, prefix, "backup.restore.enabled");
    IrObject *o = ir_object(a, l->ir, path, prefix, "batch/v1", "Job", name, ir_cond_and(a, backup_on, lower_if_knob(l, sw)));
    o->manual_switch = sw;
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

/* Decimal text of a small non-negative number (member indexes and counts), without printf. */
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

/* exists[i]: member i exists when etcd.replicas > i (NULL for etcd-0: always), written with the
 * fewer `==` leaves: `replicas == i+1 || ... || replicas == max` or `!(replicas == 1 || ... ||
 * replicas == i)` (left-nested; the leaves are shared between members). */
static const IrCond **member_conditions(Lower *l, int max)
{
    const Knob *k = lower_knob(l, "etcd.replicas");
    const IrCond **eq = ARENA_ARRAY(l->a, const IrCond *, max + 2);
    for (int n = 1; n <= max; n++)
        eq[n] = ir_cond_eq(l->a, k, num(l, n));
    const IrCond **exists = ARENA_ARRAY(l->a, const IrCond *, max + 1);
    for (int i = 1; i < max; i++) {
        const IrCond *c = NULL;
        bool below = i <= max - i;
        for (int n = below ? 1 : i + 1; n <= (below ? i : max); n++)
            c = c ? ir_cond_or(l->a, c, eq[n]) : eq[n];
        exists[i] = below ? ir_cond_not(l->a, c) : c;
    }
    return exists;
}

static IrNode *member_volume(Lower *l, int i)
{
    Arena *a = l->a;
    IrNode *v = ir_map(a);
    ir_put(a, v, "name", ir_str(a, "etcd-data"));
    IrNode *pvc = ir_put(a, v, "persistentVolumeClaim", ir_map(a));
    ir_put(a, pvc, "claimName", ir_str(a, arena_concat(a, "etcd-data-etcd-", num(l, i), NULL)));
    return v;
}

static IrNode *shell(Lower *l, IrNode *c, const char *script, int member)
{
    Arena *a = l->a;
    IrNode *cmd = ir_put(a, c, "command", ir_seq(a));
    ir_push(cmd, ir_str(a, "/bin/sh"));
    ir_push(cmd, ir_str(a, "-c"));
    ir_push(cmd, ir_str(a, script));
    IrNode *env = ir_put(a, c, "env", ir_seq(a));
    ir_push(env, lower_env_value(l, "MEMBER", ir_str(a, arena_concat(a, "etcd-", num(l, member), NULL))));
    ir_push(ir_put(a, c, "volumeMounts", ir_seq(a)), lower_volume_mount(l, "etcd-data", "/var/lib/etcd"));
    return env;
}

/* etcd-0: etcdutl snapshot restore into a directory beside its data, as a cluster of one member
 * (the others join it afterwards), swapped in by the shell container (the etcd image has none). */
static void seed_restore(Lower *l, IrNode *pod)
{
    Arena *a = l->a;
    IrNode *url = lower_concat(l, ir_str(a, "http://etcd-0."), lower_etcd_domain(l), ir_str(a, ":"),
                               lower_ref(l, "etcd.ports.peer"), NULL);
    IrNode *c = ir_push(ir_put(a, pod, "initContainers", ir_seq(a)), lower_container(l, "restore", "etcd"));
    IrNode *cmd = ir_put(a, c, "command", ir_seq(a));
    ir_push(cmd, ir_str(a, "etcdutl"));
    ir_push(cmd, ir_str(a, "snapshot"));
    ir_push(cmd, ir_str(a, "restore"));
    ir_push(cmd, ir_str(a, "$(SNAPSHOT_FILE)"));
    ir_push(cmd, ir_str(a, "--name=etcd-0"));
    ir_push(cmd, lower_concat(l, ir_str(a, "--initial-cluster=etcd-0="), url, NULL));
    ir_push(cmd, ir_str(a, "--initial-cluster-token=goverse-etcd-cluster"));
    ir_push(cmd, lower_concat(l, ir_str(a, "--initial-advertise-peer-urls="), url, NULL));
    ir_push(cmd, ir_str(a, "--data-dir=/var/lib/etcd/restore-$(POD_NAME)"));
    IrNode *env = ir_put(a, c, "env", ir_seq(a));
    ir_push(env, lower_env_field(l, "POD_NAME", "metadata.name"));
    file_env(l, env, "SNAPSHOT_FILE", "etcd.backup.restore.snapshot", "/backup/latest.db");
    IrNode *mounts = ir_put(a, c, "volumeMounts", ir_seq(a));
    ir_put(a, ir_push(mounts, lower_volume_mount(l, "backup", "/backup")), "readOnly", ir_bool(a, true));
    ir_push(mounts, lower_volume_mount(l, "etcd-data", "/var/lib/etcd"));
    IrNode *sw = ir_push(ir_put(a, pod, "containers", ir_seq(a)), lower_container(l, "swap", "etcd.backup.shell"));
    env = shell(l, sw, ETCD_SWAP_SCRIPT, 0);
    ir_push(env, lower_env_field(l, "POD_NAME", "metadata.name"));
    file_env(l, env, "SNAPSHOT_FILE", "etcd.backup.restore.snapshot", "/backup/latest.db");
    ir_push(ir_put(a, pod, "volumes", ir_seq(a)), lower_backup_volume(l, "etcd-backup-pvc", true));
}

/* One Job per possible member, each mounting that member's volume only (etcd-0's also the backup
 * volume): a pod that needs volumes of several members cannot be scheduled when they are in
 * different zones. The Jobs of members 2.. are etcd-restore-1's with the member's name, number
 * and volume claim: they are made from it after the passes (twins, lower_internal.h), the rest
 * of their documents shared with it (~80 nodes and the passes' work each). */
static void etcd_restore(Lower *l)
{
    Arena *a = l->a;
    int max = (int)lower_knob(l, "etcd.replicas")->max;
    const IrCond **exists = member_conditions(l, max);
    const Knob *sw = lower_knob_at(l, "etcd", "backup.restore.enabled");
    for (int i = 0; i < max; i++) {
        const char *n = num(l, i);
        const IrCond *on = i ? ir_cond_and(a, lower_backup_etcd_on(l), exists[i]) : lower_backup_etcd_on(l);
        if (i >= 2) {
            struct LowerTwins *t = l->twins;
            t->twin[t->n++] = (LowerTwin){arena_concat(a, "etcd/restore-job-", n, ".yaml", NULL),
                                          arena_concat(a, "etcd-restore-", n, NULL),
                                          arena_concat(a, "etcd-", n, NULL),
                                          arena_concat(a, "etcd-data-etcd-", n, NULL),
                                          ir_cond_and(a, on, lower_if_knob(l, sw))};
            continue;
        }
        IrNode *pod = restore_job(l, arena_concat(a, "etcd/restore-job-", n, ".yaml", NULL),
                                  arena_concat(a, "etcd-restore-", n, NULL), "etcd-backup", "etcd", on,
                                  ETCD_PRECONDITIONS);
        if (i == 1 && max > 2) {
            l->twins = ARENA_NEW(a, struct LowerTwins);
            l->twins->proto = l->ir->objects_tail;
            l->twins->twin = ARENA_ARRAY(a, LowerTwin, max - 2);
        }
        if (i == 0)
            seed_restore(l, pod);
        else
            shell(l, ir_push(ir_put(a, pod, "containers", ir_seq(a)), lower_container(l, "clear", "etcd.backup.shell")),
                  ETCD_CLEAR_SCRIPT, i);
        IrNode *vols = lower_map_get(pod, "volumes");
        if (!vols)
            vols = ir_put(a, pod, "volumes", ir_seq(a));
        ir_push(vols, member_volume(l, i));
        lower_pull_secrets(l, pod);
    }
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

/* The entry `key` of `map`, which the prototype has (it is this file's own document). */
static IrNode *entry(IrNode *map, const char *key)
{
    IrNode *e = lower_map_get(map, key);
    if (!e) {
        fprintf(stderr, "goversec: internal error: restore Job without '%s'\n", key);
        abort();
    }
    return e;
}

/* The string entry `key` of `map`, which must read `was` (etcd-restore-1's). */
static IrNode *leaf(IrNode *map, const char *key, const char *was)
{
    IrNode *e = entry(map, key);
    if (e->kind != IR_STR || strcmp(e->u.str, was) != 0) {
        fprintf(stderr, "goversec: internal error: restore Job's '%s' is not '%s'\n", key, was);
        abort();
    }
    return e;
}

/* Each twin is the prototype's document with three strings replaced: every map and list on the
 * way to them is copied (ir_with_entry, innermost first), the rest shared. The entries on the way
 * are found once; an entry is itself the map or list under its key. */
void lower_restore_twins(Lower *l)
{
    const struct LowerTwins *t = l->twins;
    if (!t)
        return;
    Arena *a = l->a;
    IrObject *proto = t->proto, *prev = proto;
    IrNode *root = proto->root, *md = entry(root, "metadata"), *name = leaf(md, "name", "etcd-restore-1");
    IrNode *spec = entry(root, "spec"), *tpl = entry(spec, "template"), *pod = entry(tpl, "spec");
    IrNode *containers = entry(pod, "containers"), *c0 = containers->u.kids.first, *env = entry(c0, "env");
    IrNode *member = env->u.kids.first, *value = leaf(member, "value", "etcd-1");
    IrNode *vols = entry(pod, "volumes"), *vol = vols->u.kids.first, *pvc = entry(vol, "persistentVolumeClaim");
    IrNode *claim = leaf(pvc, "claimName", "etcd-data-etcd-1");
    for (int i = 0; i < t->n; i++) {
        const LowerTwin *w = &t->twin[i];
        IrNode *new_member = ir_with_entry(a, member, value, ir_str(a, w->member));
        IrNode *new_c0 = ir_with_entry(a, c0, env, ir_with_entry(a, env, member, new_member));
        IrNode *new_pod = ir_with_entry(a, pod, containers, ir_with_entry(a, containers, c0, new_c0));
        IrNode *new_vol = ir_with_entry(a, vol, pvc, ir_with_entry(a, pvc, claim, ir_str(a, w->claim)));
        new_pod = ir_with_entry(a, new_pod, vols, ir_with_entry(a, vols, vol, new_vol)); /* vols: in its tail */
        IrNode *new_spec = ir_with_entry(a, spec, tpl, ir_with_entry(a, tpl, pod, new_pod));
        IrNode *new_root = ir_with_entry(a, root, md, ir_with_entry(a, md, name, ir_str(a, w->name)));
        new_root = ir_with_entry(a, new_root, spec, new_spec);
        prev = ir_object_after(a, l->ir, prev, w->path, proto->component, proto->api_version, proto->kind, w->name,
                               w->when, new_root);
        prev->manual_switch = proto->manual_switch;
    }
}

void lower_restore_objects(Lower *l)
{
    etcd_restore(l);
    lower_membership_objects(l);
    postgres_restore(l);
}
