/* resolve.c - the checker's entry point: loads the libraries named by `use`, collects tier, cloud
 * and cluster declarations, resolves `extends` chains (cycles, unknown parents) and checks each
 * cluster by applying layers onto the defaults: tier, then each ancestor, then the cluster itself. */
#include <dirent.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check/checkint.h"
#include "support/names.h"
#include "syntax/syntax.h"

const Decl *resolve_find(const Decl *const *decls, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(decls[i]->name, name))
            return decls[i];
    return NULL;
}

bool resolve_library_loaded(const Checker *ck, const char *name)
{
    for (int i = 0; i < ck->nlibs; i++)
        if (!strcmp(ck->libs[i].name, name))
            return true;
    return false;
}

/* "`clouds`, `tiers`": every NAME.gv in the library directories, for the unknown-library help. */
static const char *available_libraries(Checker *ck)
{
    const char *names[64];
    int n = 0;
    for (int i = 0; i < ck->opts->nstdlib_dirs; i++) {
        DIR *dir = opendir(ck->opts->stdlib_dirs[i]);
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir)) && n < 64) {
            size_t len = strlen(e->d_name);
            if (len > 3 && !strcmp(e->d_name + len - 3, ".gv")) {
                const char *nm = arena_strndup(ck->arena, e->d_name, len - 3);
                bool seen = false;
                for (int k = 0; k < n; k++)
                    seen = seen || !strcmp(names[k], nm);
                if (!seen)
                    names[n++] = nm;
            }
        }
        closedir(dir);
    }
    for (int i = 1; i < n; i++) /* sorted: readdir order is not stable */
        for (int k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
            const char *t = names[k];
            names[k] = names[k - 1];
            names[k - 1] = t;
        }
    return ck_list_names(ck, names, n);
}

static void load_use(Checker *ck, const Use *use)
{
    for (int i = 0; i < ck->nlibs; i++)
        if (!strcmp(ck->libs[i].name, use->path)) {
            Diag *d = ck_warning(ck, use->span, "library `%s` is used twice", use->path);
            ck_note(ck, d, ck->libs[i].first_use, "first used here");
            return;
        }
    const char *path = NULL;
    if (!strchr(use->path, '/') && use->path[0] && use->path[0] != '.')
        for (int i = 0; i < ck->opts->nstdlib_dirs && !path; i++) {
            const char *p = arena_printf(ck->arena, "%s/%s.gv", ck->opts->stdlib_dirs[i], use->path);
            if (access(p, R_OK) == 0)
                path = p;
        }
    if (!path) {
        Diag *d = ck_error(ck, use->span, "unknown library `%s`", use->path);
        ck_help(ck, d, "available libraries: %s", available_libraries(ck));
        return;
    }
    const char *err = NULL;
    SourceFile *f = source_load(ck->sources, path, &err);
    if (!f) {
        ck_error(ck, use->span, "cannot read library `%s`: %s", use->path, err);
        return;
    }
    f->path = arena_printf(ck->arena, "<stdlib>/%s.gv", use->path); /* stable in messages */
    Unit *lib = syntax_parse(ck->arena, f, ck->diags);
    Library *libs = ARENA_ARRAY(ck->arena, Library, ck->nlibs + 1);
    if (ck->nlibs)
        memcpy(libs, ck->libs, sizeof *libs * (size_t)ck->nlibs);
    libs[ck->nlibs++] = (Library){use->path, lib, use->span};
    ck->libs = libs;
}

/* Declarations of one kind in source order, their names hashed: looking each new name up in a
 * list of all the earlier ones (duplicates, then `extends` parents) was quadratic, a third of
 * checking a 1000-cluster fleet. Open addressing over indices into v, 2 * cap slots (at most half
 * full), FNV-1a. A name is in v once: add_decl refuses the second. */
typedef struct DeclList {
    const Decl **v;
    int n, cap;
    int *slots; /* index + 1 into v; 0: empty */
} DeclList;

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int *decl_slot(const DeclList *list, const char *name)
{
    uint32_t mask = (uint32_t)(2 * list->cap) - 1;
    for (uint32_t i = name_hash(name) & mask;; i = (i + 1) & mask) {
        int *slot = &list->slots[i];
        if (!*slot || !strcmp(list->v[*slot - 1]->name, name))
            return slot;
    }
}

static const Decl *decl_find(const DeclList *list, const char *name)
{
    if (list->n == 0)
        return NULL;
    int slot = *decl_slot(list, name);
    return slot ? list->v[slot - 1] : NULL;
}

static void add_decl(Checker *ck, DeclList *list, const Decl *d, const char *kind)
{
    const Decl *prev = decl_find(list, d->name);
    if (prev) {
        Diag *e = ck_error(ck, d->name_span, "%s `%s` is declared twice", kind, d->name);
        ck_note(ck, e, prev->name_span, "first declared here");
        return;
    }
    /* Doubling, not one copy per declaration: a 1000-cluster fleet made the copies quadratic
     * (4 MB of dead arrays in the arena). The name slots are rebuilt at each doubling. */
    if (list->n == list->cap) {
        int cap = list->cap ? list->cap * 2 : 16;
        const Decl **v = ARENA_ARRAY(ck->arena, const Decl *, cap);
        if (list->n)
            memcpy(v, list->v, sizeof *v * (size_t)list->n);
        list->v = v;
        list->cap = cap;
        list->slots = ARENA_ARRAY(ck->arena, int, 2 * cap);
        for (int i = 0; i < list->n; i++)
            *decl_slot(list, v[i]->name) = i + 1;
    }
    list->v[list->n++] = d;
    *decl_slot(list, d->name) = list->n;
}

static void collect(Checker *ck, const Unit *u, bool is_library, DeclList *tiers, DeclList *clouds,
                    DeclList *clusters)
{
    for (const Decl *d = u->decls; d; d = d->next) {
        if (!strcmp(d->kind, "tier"))
            add_decl(ck, tiers, d, "tier");
        else if (!strcmp(d->kind, "cloud"))
            add_decl(ck, clouds, d, "cloud");
        else if (!strcmp(d->kind, "cluster") && !is_library)
            add_decl(ck, clusters, d, "cluster");
        else {
            static const char *const kinds[] = {"cluster", "tier", "cloud"};
            Diag *e = ck_error(ck, d->kind_span, "unknown declaration `%s`", d->kind);
            const char *s = diag_suggest(d->kind, kinds, 3);
            if (s)
                ck_help(ck, e, "did you mean `%s`?", s);
            else
                ck_help(ck, e, "expected `cluster`, `tier` or `cloud`%s", is_library ? " (clusters are not allowed in a library)" : "");
        }
        if (d->extends && strcmp(d->kind, "cluster"))
            ck_error(ck, d->extends_span, "only clusters can use `extends`");
    }
}

/* The `extends` chain of `d`, root first, `d` last; NULL after reporting a cycle or unknown parent. */
static const Decl **extends_chain(Checker *ck, const DeclList *clusters, const Decl *d, int *n)
{
    /* Chains are short: sized for the usual depth and doubled when deeper, not one slot per
     * cluster of the file for every cluster (8 MB, quadratic, for a 1000-cluster fleet). */
    int cap = 8, len = 0;
    const Decl **chain = ARENA_ARRAY(ck->arena, const Decl *, cap);
    for (const Decl *cur = d; cur;) {
        for (int i = 0; i < len; i++)
            if (chain[i] == cur) {
                /* Reported once, by the cycle's first member in the source; others stay quiet. */
                for (int k = i; k < len; k++)
                    if (chain[k]->span.start < chain[i]->span.start)
                        return NULL;
                if (chain[i] != d)
                    return NULL;
                const char *path = "";
                for (int k = i; k < len; k++)
                    path = arena_printf(ck->arena, "%s`%s` -> ", path, chain[k]->name);
                Diag *e = ck_error(ck, chain[i]->extends_span, "`extends` cycle: %s`%s`", path, cur->name);
                ck_help(ck, e, "a cluster cannot extend itself, directly or through others");
                return NULL;
            }
        if (len == cap) {
            const Decl **bigger = ARENA_ARRAY(ck->arena, const Decl *, cap * 2);
            memcpy(bigger, chain, sizeof *chain * (size_t)len);
            chain = bigger;
            cap *= 2;
        }
        chain[len++] = cur;
        if (!cur->extends)
            break;
        const Decl *parent = decl_find(clusters, cur->extends);
        if (!parent) {
            const char **names = ARENA_ARRAY(ck->arena, const char *, clusters->n + 1);
            for (int i = 0; i < clusters->n; i++)
                names[i] = clusters->v[i]->name;
            Diag *e = ck_error(ck, cur->extends_span, "unknown parent cluster `%s`", cur->extends);
            const char *s = diag_suggest(cur->extends, names, (size_t)clusters->n);
            if (s)
                ck_help(ck, e, "did you mean `%s`?", s);
            else
                ck_help(ck, e, "the parent must be declared in the same file; clusters here: %s",
                        ck_list_names(ck, names, clusters->n));
            return NULL;
        }
        cur = parent;
    }
    for (int i = 0; i < len / 2; i++) { /* root first */
        const Decl *t = chain[i];
        chain[i] = chain[len - 1 - i];
        chain[len - 1 - i] = t;
    }
    *n = len;
    return chain;
}

static void apply_layer(Checker *ck, Layer layer, const Block *body, Cluster *c, DeclKind kind, Span override)
{
    DiagSink scratch;
    DiagSink *saved = ck->diags;
    if (layer != LAYER_OWN) { /* already checked where it is declared */
        diag_init(&scratch, ck->sources, ck->arena);
        ck->diags = &scratch;
    }
    ck->layer = layer;
    ck->override = override;
    schema_apply_cluster(ck, body, c, kind);
    ck->diags = saved;
    ck->override = SPAN_NONE;
    ck->layer = LAYER_OWN;
}

static const Stmt *last_setting(const Decl **chain, int n, const char *key)
{
    const Stmt *found = NULL;
    for (int i = 0; i < n; i++)
        for (const Stmt *st = chain[i]->body ? chain[i]->body->stmts : NULL; st; st = st->next)
            if (!strcmp(st->key, key))
                found = st;
    return found;
}

static Cluster *check_cluster(Checker *ck, const Decl **chain, int n)
{
    const Decl *d = chain[n - 1];
    Cluster *c = ARENA_NEW(ck->arena, Cluster);
    ClusterFacts facts = {.gates_replicas = SPAN_NONE, .gates_autoscale = SPAN_NONE, .tier_span = SPAN_NONE,
                          .cloud_span = SPAN_NONE, .zones_span = SPAN_NONE, .gates_target = &c->gates};
    ck->facts = &facts;
    defaults_cluster(ck, c, d->name, d->name_span);
    const char *problem = names_dns1123_label_error(d->name);
    if (problem) {
        Diag *e = ck_error(ck, d->name_span, "invalid cluster name `%s`: %s", d->name, problem);
        ck_help(ck, e, "a DNS-1123 label: at most 63 characters of [a-z0-9-], starting and ending with a letter or digit");
    }
    const Stmt *tier_st = last_setting(chain, n, "tier");
    const Decl *tier = tier_st && tier_st->args && tier_st->args->kind != VAL_LIST && tier_st->args->kind != VAL_RANGE
                           ? resolve_find(ck->tiers, ck->ntiers, tier_st->args->u.text)
                           : NULL;
    if (tier) {
        facts.tier_span = tier_st->span;
        apply_layer(ck, LAYER_TIER, tier->body, c, DECL_TIER, tier_st->span);
    }
    for (int i = 0; i + 1 < n; i++)
        apply_layer(ck, LAYER_PARENT, chain[i]->body, c, DECL_CLUSTER, SPAN_NONE);
    apply_layer(ck, LAYER_OWN, d->body, c, DECL_CLUSTER, SPAN_NONE);
    rules_check_cluster(ck, c);
    ck->facts = NULL;
    return c;
}

/* A fleet's build writes its shared charts to OUT/charts/ (emit/chart_shapes.h): a cluster of that
 * name would mix its own tree into theirs. One cluster alone keeps its chart in its directory. */
static void check_fleet_names(Checker *ck, Cluster *const *clusters, int n)
{
    if (n < 2)
        return;
    for (int i = 0; i < n; i++)
        if (!strcmp(clusters[i]->name, "charts")) {
            Diag *d = ck_error(ck, clusters[i]->name_span,
                               "cluster `charts` would write into `charts/`, where a fleet's shared Helm charts are written");
            ck_help(ck, d, "rename the cluster");
        }
}

/* Library declarations are checked once on their own, so their errors point into the library. */
static void check_library_decls(Checker *ck)
{
    for (int i = 0; i < ck->ntiers; i++) {
        Cluster scratch;
        defaults_cluster(ck, &scratch, ck->tiers[i]->name, ck->tiers[i]->name_span);
        schema_apply_cluster(ck, ck->tiers[i]->body, &scratch, DECL_TIER);
    }
    for (int i = 0; i < ck->nclouds; i++)
        schema_apply(ck, &SCHEMA_CLOUD, ck->clouds[i]->body, NULL, DECL_CLUSTER);
}

static void check_clusters(Checker *ck, const DeclList *clusters, Model *m)
{
    const Decl *only = NULL;
    if (ck->opts->only_cluster) {
        only = decl_find(clusters, ck->opts->only_cluster);
        if (!only) {
            const char **names = ARENA_ARRAY(ck->arena, const char *, clusters->n + 1);
            for (int i = 0; i < clusters->n; i++)
                names[i] = clusters->v[i]->name;
            Diag *e = ck_error(ck, SPAN_NONE, "no cluster named `%s`", ck->opts->only_cluster);
            ck_help(ck, e, "clusters in this file: %s", ck_list_names(ck, names, clusters->n));
            return;
        }
    }
    m->clusters = ARENA_ARRAY(ck->arena, Cluster *, clusters->n + 1);
    Cluster **all = ARENA_ARRAY(ck->arena, Cluster *, clusters->n + 1); /* for the fleet rules */
    for (int i = 0; i < clusters->n; i++) {
        int n = 0;
        const Decl **chain = extends_chain(ck, clusters, clusters->v[i], &n);
        if (!chain) { /* still check the cluster's own settings, without its ancestors */
            chain = &clusters->v[i];
            n = 1;
        }
        Cluster *c = check_cluster(ck, chain, n);
        all[i] = c;
        if (!only || only == clusters->v[i])
            m->clusters[m->nclusters++] = c;
    }
    gitops_check_fleet(ck, all, clusters->n);
    check_fleet_names(ck, all, clusters->n);
}

Model *check_unit(Arena *arena, SourceMap *sources, const Unit *unit, const CheckOptions *opts, DiagSink *diags)
{
    Checker ck = {.arena = arena, .sources = sources, .diags = diags, .real = diags, .opts = opts,
                  .unit = unit, .layer = LAYER_OWN, .override = SPAN_NONE};
    for (const Use *u = unit->uses; u; u = u->next)
        load_use(&ck, u);
    DeclList tiers = {0}, clouds = {0}, clusters = {0};
    for (int i = 0; i < ck.nlibs; i++)
        if (ck.libs[i].unit)
            collect(&ck, ck.libs[i].unit, true, &tiers, &clouds, &clusters);
    collect(&ck, unit, false, &tiers, &clouds, &clusters);
    ck.tiers = tiers.v;
    ck.ntiers = tiers.n;
    ck.clouds = clouds.v;
    ck.nclouds = clouds.n;
    check_library_decls(&ck);
    Model *m = ARENA_NEW(arena, Model);
    check_clusters(&ck, &clusters, m);
    if (diag_has_errors(diags))
        return NULL;
    return m;
}
