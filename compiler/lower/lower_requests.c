/* lower_requests.c - every container of every pod the compiler emits has requests and limits: the
 * components set their own (lower_<component>.c); this pass gives the containers of the backup
 * CronJobs and restore Jobs (found by walking the IR, so Jobs added later are covered too) the
 * resources of their database's backup knobs (`etcd.backup.resources`, `postgres.backup.resources`). */
#include <string.h>

#include "lower/lower_internal.h"

/* Backup and restore pods by `app` label, and the values prefix of their resources. */
static const struct {
    const char *app, *prefix;
} JOB_PODS[] = {
    {"etcd-backup", "etcd.backup"},
    {"postgres-backup", "postgres.backup"},
    /* etcd's own pod: only its `member` start step (the shell image) lacks resources of its own. */
    {"etcd", "etcd.backup"},
};

void lower_requests_knobs(Lower *l)
{
    lower_knobs_resources(l, "etcd.backup", NULL); /* the prefixes of JOB_PODS, once each */
    lower_knobs_resources(l, "postgres.backup", NULL);
}

static const char *job_prefix(const IrObject *obj)
{
    IrNode *app = lower_map_get(lower_map_get(lower_map_get(obj->root, "metadata"), "labels"), "app");
    for (size_t i = 0; app && app->kind == IR_STR && i < sizeof JOB_PODS / sizeof JOB_PODS[0]; i++)
        if (strcmp(JOB_PODS[i].app, app->u.str) == 0)
            return JOB_PODS[i].prefix;
    return NULL;
}

/* A container list is a sequence of maps or a repetition (one restore init container per etcd
 * member) whose body is the container. */
static void each_container(Lower *l, IrNode *n, const char *prefix)
{
    if (!n)
        return;
    if (n->kind == IR_MAP && !lower_map_get(n, "resources"))
        ir_put(l->a, n, "resources", lower_resources(l, prefix));
    else if (n->kind == IR_SEQ)
        for (IrNode *c = n->u.kids.first; c; c = c->next)
            each_container(l, c, prefix);
    else if (n->kind == IR_EXPR && n->op == EXPR_REPEAT && n->u.expr.args)
        each_container(l, n->u.expr.args->next, prefix);
}

static void pod_fn(Lower *l, IrObject *obj, IrNode *pod, void *arg)
{
    (void)arg;
    const char *prefix = job_prefix(obj);
    if (!prefix)
        return;
    each_container(l, lower_map_get(pod, "initContainers"), prefix);
    each_container(l, lower_map_get(pod, "containers"), prefix);
}

void lower_requests_pass(Lower *l)
{
    lower_each_pod(l, pod_fn, NULL);
}
