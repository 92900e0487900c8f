/* diff.c - diff_run: the `goversec diff` pipeline for one cluster. Evaluates the desired objects,
 * reads the live ones (saved dump, or read-only `kubectl get` calls), compares, reports, and maps
 * the result to the exit status. Orphan discovery: every kind goversec can emit is fetched in the
 * namespace, so objects of kinds no longer described are still seen (see docs/diff.md). */
#include <errno.h>
#include <string.h>

#include "diff.h"
#include "drift.h"
#include "support/diag.h"
#include "support/source.h"
#include "yaml/yamlio.h"

/* Built-in kinds goversec emits: always fetched, so an orphan of a kind the description no longer
 * uses is found. Custom resources (postgresql, ServiceMonitor) are fetched only when described:
 * asking for a resource type whose CRD is absent makes kubectl fail. */
static const char *const BUILTIN_RESOURCES[] = {
    "configmaps", "services", "statefulsets.apps", "deployments.apps",
    "ingresses.networking.k8s.io", "poddisruptionbudgets.policy",
    "horizontalpodautoscalers.autoscaling", "networkpolicies.networking.k8s.io", "cronjobs.batch",
    "persistentvolumeclaims", "serviceaccounts", "roles.rbac.authorization.k8s.io",
    "rolebindings.rbac.authorization.k8s.io",
};

typedef struct Objects {
    Data **items;
    size_t n;
} Objects;

static Objects desired_objects(Arena *a, const IrCluster *c, const Data *values)
{
    size_t cap = 0;
    for (const IrObject *o = c->objects; o; o = o->next)
        cap++;
    Objects out = {ARENA_ARRAY(a, Data *, cap + 1), 0};
    IrEvalMemo memo = {0};
    for (const IrObject *o = c->objects; o; o = o->next) {
        if (o->manual_switch)
            continue; /* restore Jobs: applied by hand, never part of the desired state */
        Data *d = ir_eval_object_memo(a, c, o, values, &memo);
        if (d)
            out.items[out.n++] = d;
    }
    return out;
}

static const char *str_at(const Data *d, const char *path)
{
    const Data *v = data_path(d, path);
    return v && v->kind == DATA_STR ? v->u.str.s : NULL;
}

static const char *resource_list(Arena *a, const Objects *desired)
{
    const char *list = NULL;
    size_t nb = sizeof BUILTIN_RESOURCES / sizeof *BUILTIN_RESOURCES;
    for (size_t i = 0; i < nb; i++)
        list = list ? arena_printf(a, "%s,%s", list, BUILTIN_RESOURCES[i]) : BUILTIN_RESOURCES[i];
    for (size_t i = 0; i < desired->n; i++) {
        const char *kind = str_at(desired->items[i], "kind"), *av = str_at(desired->items[i], "apiVersion");
        if (!kind || !av || !strcmp(kind, "Namespace"))
            continue;
        const char *slash = strchr(av, '/');
        const char *group = slash ? arena_strndup(a, av, (size_t)(slash - av)) : "";
        const char *res = kubectl_resource_name(a, group, kind);
        /* Already listed? Compare against whole comma-separated names. */
        const char *wrapped = arena_printf(a, ",%s,", list), *needle = arena_printf(a, ",%s,", res);
        if (!strstr(wrapped, needle))
            list = arena_printf(a, "%s,%s", list, res);
    }
    return list;
}

/* Runs `kubectl [--context C] [--kubeconfig K] get ARGS... -o yaml`; false after reporting. */
static bool kubectl_get(Arena *a, const DiffOptions *opts, const char *const *args, const char **out,
                        size_t *len, FILE *err)
{
    const char *argv[16];
    int n = 0;
    const char *program = opts->kubectl ? opts->kubectl : "kubectl";
    argv[n++] = program;
    if (opts->context)
        argv[n++] = "--context", argv[n++] = opts->context;
    if (opts->kubeconfig)
        argv[n++] = "--kubeconfig", argv[n++] = opts->kubeconfig;
    argv[n++] = "get"; /* the only verb diff ever passes: it never changes the cluster */
    for (; *args && n < 13; args++)
        argv[n++] = *args;
    argv[n++] = "-o", argv[n++] = "yaml";
    argv[n] = NULL;
    KubectlResult res;
    kubectl_run(a, program, argv, &res);
    if (res.not_found) {
        fprintf(err, "goversec diff: %s not found on PATH (install it or pass --live DUMP)\n", program);
        return false;
    }
    if (res.status != 0) {
        fprintf(err, "goversec diff: %s get failed (exit %d): %s%s", program, res.status, res.err,
                res.err_len && res.err[res.err_len - 1] == '\n' ? "" : "\n");
        return false;
    }
    *out = res.out;
    *len = res.out_len;
    return true;
}

static long append_parsed(Arena *a, const char *name, const char *text, size_t len, Objects *all, FILE *err)
{
    Data **objs = NULL;
    long n = drift_parse_live(a, name, text, len, &objs, err);
    if (n <= 0)
        return n;
    Data **items = ARENA_ARRAY(a, Data *, all->n + (size_t)n + 1);
    if (all->n)
        memcpy(items, all->items, all->n * sizeof *items);
    memcpy(items + all->n, objs, (size_t)n * sizeof *objs);
    all->items = items;
    all->n += (size_t)n;
    return n;
}

static bool live_from_kubectl(Arena *a, const DiffOptions *opts, const char *ns, const Objects *desired,
                              Objects *live, FILE *err)
{
    const char *text;
    size_t len;
    const char *ns_args[] = {"namespace", ns, "--ignore-not-found", NULL};
    if (!kubectl_get(a, opts, ns_args, &text, &len, err) ||
        append_parsed(a, "kubectl get namespace", text, len, live, err) < 0)
        return false;
    const char *get_args[] = {resource_list(a, desired), "-n", ns, NULL};
    return kubectl_get(a, opts, get_args, &text, &len, err) &&
           append_parsed(a, "kubectl get", text, len, live, err) >= 0;
}

/* A dump of a large cluster (100 000 objects are ~60 MB of YAML) is no .gv source: its own limit. */
#define LIVE_DUMP_MAX_BYTES ((size_t)1 << 30)

static bool live_from_file(Arena *a, const char *path, Objects *live, FILE *err)
{
    SourceMap map;
    source_map_init(&map, a);
    const char *why = NULL;
    SourceFile *f = source_load_limited(&map, path, LIVE_DUMP_MAX_BYTES, "file is larger than the 1 GiB limit", &why);
    if (!f) {
        fprintf(err, "goversec diff: cannot read live dump %s: %s\n", path, why ? why : "error");
        return false;
    }
    return append_parsed(a, path, f->text, f->len, live, err) >= 0;
}

/* Inventory: the inventory.yaml `goversec build` writes next to the manifests (objects[] with
 * apiVersion, kind, name): what was applied before, so orphans are found even without labels. */
static bool read_inventory(Arena *a, const char *path, DriftInput *in, FILE *err)
{
    SourceMap map;
    source_map_init(&map, a);
    const char *why = NULL;
    SourceFile *f = source_load(&map, path, &why);
    if (!f) {
        fprintf(err, "goversec diff: cannot read inventory %s: %s\n", path, why ? why : "error");
        return false;
    }
    DiagSink sink;
    diag_init(&sink, &map, a);
    Data **docs = NULL;
    int n = yaml_read(a, f, &docs, &sink);
    const Data *objects = n >= 1 ? data_get(docs[0], "objects") : NULL;
    if (!objects || objects->kind != DATA_SEQ) {
        diag_render(&sink, err, false);
        fprintf(err, "goversec diff: %s: not an inventory (expected objects: [...])\n", path);
        return false;
    }
    in->inventory = ARENA_ARRAY(a, const char *, objects->u.kids.count + 1);
    for (const Data *o = objects->u.kids.first; o; o = o->next) {
        const char *kind = str_at(o, "kind"), *name = str_at(o, "name"), *av = str_at(o, "apiVersion");
        const char *slash = av ? strchr(av, '/') : NULL;
        if (!kind || !name)
            continue;
        in->inventory[in->ninventory++] =
            slash ? arena_printf(a, "%s.%.*s/%s", kind, (int)(slash - av), av, name)
                  : arena_printf(a, "%s/%s", kind, name);
    }
    return true;
}

int diff_run(Arena *a, const DiffOptions *opts, const IrCluster *cluster, const Data *values,
             FILE *out, FILE *err)
{
    const char *ns = cluster->namespace_name ? cluster->namespace_name : cluster->name;
    Objects desired = desired_objects(a, cluster, values);
    Objects live = {NULL, 0};
    bool ok = opts->live_path ? live_from_file(a, opts->live_path, &live, err)
                              : live_from_kubectl(a, opts, ns, &desired, &live, err);
    DriftInput in = {
        .cluster = cluster->name, .namespace_name = ns,
        .desired = desired.items, .ndesired = desired.n,
        .live = live.items, .nlive = live.n, .want_diff_text = true,
    };
    if (!ok || (opts->inventory_path && !read_inventory(a, opts->inventory_path, &in, err)))
        return DIFF_EXIT_ERROR;
    DriftReport *r = drift_compare(a, &in);
    if (opts->format == DIFF_FORMAT_JSON)
        drift_report_json(r, out);
    else
        drift_report_text(r, out, opts->color);
    return drift_exit_status(r);
}
