/* fleet.c - the fleet-level tree OUT/argocd/: one Argo CD Application per cluster with `gitops`,
 * and a kustomization listing them, so `kubectl apply -k OUT/argocd` hands the whole fleet to
 * Argo CD. The objects come straight from the Model (no knobs: a values override cannot move a
 * cluster to another repository) and are written as Data through compiler/yaml. */
#include "emit/fleet.h"

#include <string.h>

#include "emit/emit.h"
#include "yaml/yamlio.h"

/* "<path>/" or "" when the tree is at the repository's root. */
static const char *repo_prefix(Arena *a, const Gitops *g)
{
    return g->path && *g->path ? arena_printf(a, "%s/", g->path) : "";
}

/* "<path>/<cluster>/<manifests|chart>", or "<path>/charts/<chart>" for a shared chart. */
static const char *source_path(Arena *a, const Cluster *c, const char *shared_chart)
{
    const Gitops *g = &c->gitops;
    if (g->via == GITOPS_VIA_CHART && shared_chart)
        return arena_printf(a, "%s" SHARED_CHARTS_DIR "/%s", repo_prefix(a, g), shared_chart);
    const char *leaf = g->via == GITOPS_VIA_CHART ? "chart" : "manifests";
    return arena_printf(a, "%s%s/%s", repo_prefix(a, g), c->name, leaf);
}

static Data *str_seq(Arena *a, const char *const *items, int n)
{
    Data *s = data_seq(a);
    for (int i = 0; i < n; i++)
        data_push(s, data_str(a, items[i]));
    return s;
}

static Data *metadata(Arena *a, const Cluster *c)
{
    Data *m = data_map(a);
    data_put(a, m, "name", data_str(a, c->name));
    data_put(a, m, "namespace", data_str(a, c->gitops.argocd_namespace));
    Data *labels = data_put(a, m, "labels", data_map(a));
    data_put(a, labels, "app.kubernetes.io/name", data_str(a, "goverse"));
    data_put(a, labels, "app.kubernetes.io/instance", data_str(a, c->name));
    data_put(a, labels, "app.kubernetes.io/component", data_str(a, "gitops"));
    data_put(a, labels, "app.kubernetes.io/part-of", data_str(a, "goverse"));
    data_put(a, labels, "app.kubernetes.io/managed-by", data_str(a, "goversec"));
    /* No resources-finalizer: deleting the Application must never cascade to etcd's and the
     * nodes' volumes; removing a cluster is a deliberate act, not a side effect of a git commit. */
    return m;
}

static Data *source(Arena *a, const Cluster *c, const char *shared_chart)
{
    const Gitops *g = &c->gitops;
    Data *s = data_map(a);
    data_put(a, s, "repoURL", data_str(a, g->repo));
    data_put(a, s, "targetRevision", data_str(a, g->revision));
    data_put(a, s, "path", data_str(a, source_path(a, c, shared_chart)));
    if (g->via == GITOPS_VIA_CHART) {
        /* Release name = cluster name, as `helm template CLUSTER chart/` in the chart tests. A
         * shared chart takes the cluster's values file, found relative to the chart directory
         * (Argo CD resolves value files from the source path, within the repository). */
        Data *helm = data_put(a, s, "helm", data_map(a));
        data_put(a, helm, "releaseName", data_str(a, c->name));
        const char *files[] = {"values.yaml", arena_printf(a, "../../%s/values.yaml", c->name)};
        data_put(a, helm, "valueFiles", str_seq(a, files, shared_chart ? 2 : 1));
    }
    return s;
}

static Data *destination(Arena *a, const Cluster *c)
{
    const Gitops *g = &c->gitops;
    Data *d = data_map(a);
    if (g->destination)
        data_put(a, d, "name", data_str(a, g->destination));
    else
        data_put(a, d, "server", data_str(a, g->server ? g->server : "https://kubernetes.default.svc"));
    data_put(a, d, "namespace", data_str(a, c->namespace_name));
    return d;
}

/* With gates autoscaling, the HorizontalPodAutoscaler owns the Deployment's replicas: Argo CD must
 * neither report them as drift nor reset them on sync (selfHeal would fight the autoscaler). */
static bool hpa_owns_gate_replicas(const Cluster *c)
{
    return c->gates.autoscale.enabled;
}

static Data *sync_policy(Arena *a, const Cluster *c)
{
    Data *p = data_map(a);
    if (c->gitops.sync == GITOPS_SYNC_AUTO) {
        Data *auto_ = data_put(a, p, "automated", data_map(a));
        data_put(a, auto_, "prune", data_bool(a, true));
        data_put(a, auto_, "selfHeal", data_bool(a, true));
    }
    Data *opts = data_put(a, p, "syncOptions", data_seq(a));
    data_push(opts, data_str(a, "CreateNamespace=true"));
    if (hpa_owns_gate_replicas(c))
        data_push(opts, data_str(a, "RespectIgnoreDifferences=true"));
    return p;
}

static Data *ignore_differences(Arena *a)
{
    Data *seq = data_seq(a);
    Data *e = data_push(seq, data_map(a));
    data_put(a, e, "group", data_str(a, "apps"));
    data_put(a, e, "kind", data_str(a, "Deployment"));
    data_put(a, e, "name", data_str(a, "goverse-gate"));
    static const char *const pointers[] = {"/spec/replicas"};
    data_put(a, e, "jsonPointers", str_seq(a, pointers, 1));
    return seq;
}

Data *fleet_application(Arena *a, const Cluster *c, const ChartShapes *shapes)
{
    if (!c->gitops.enabled)
        return NULL;
    Data *app = data_map(a);
    data_put(a, app, "apiVersion", data_str(a, "argoproj.io/v1alpha1"));
    data_put(a, app, "kind", data_str(a, "Application"));
    data_put(a, app, "metadata", metadata(a, c));
    Data *spec = data_put(a, app, "spec", data_map(a));
    data_put(a, spec, "project", data_str(a, c->gitops.project));
    data_put(a, spec, "source", source(a, c, chart_shapes_chart_of(shapes, c->name)));
    data_put(a, spec, "destination", destination(a, c));
    data_put(a, spec, "syncPolicy", sync_policy(a, c));
    if (hpa_owns_gate_replicas(c))
        data_put(a, spec, "ignoreDifferences", ignore_differences(a));
    return app;
}

bool emit_fleet(Arena *a, const Model *m, const ChartShapes *shapes, OutTree *out, const char **err)
{
    Data *resources = data_seq(a);
    for (int i = 0; i < m->nclusters; i++) {
        const Cluster *c = m->clusters[i];
        Data *app = fleet_application(a, c, shapes);
        if (!app)
            continue;
        const char *file = arena_printf(a, "%s.yaml", c->name);
        if (!emit_add_yaml(a, out, arena_printf(a, FLEET_DIR "/%s", file), app, err))
            return false;
        data_push(resources, data_str(a, file));
    }
    if (!resources->u.kids.count)
        return true;
    Data *kust = data_map(a);
    data_put(a, kust, "apiVersion", data_str(a, "kustomize.config.k8s.io/v1beta1"));
    data_put(a, kust, "kind", data_str(a, "Kustomization"));
    data_put(a, kust, "resources", resources);
    return emit_add_yaml(a, out, FLEET_DIR "/kustomization.yaml", kust, err);
}
