/* gitops.c - the `gitops argocd { ... }` cluster setting (its key table and converters), the rules
 * on a cluster's merged GitOps settings (a repo is required) and the fleet-wide rules that need
 * every cluster at once (two Applications deploying into the same place, the `argocd/` directory).
 * The emitter of the Argo CD objects is emit/fleet.c. */
#include <stddef.h>
#include <string.h>

#include "check/checkint.h"

#define AT(T, target, def) ((T *)((char *)(target) + (def)->offset))
#define N(n) ((int)(sizeof(n) / sizeof((n)[0])))

static bool starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/* The host part of "SCHEME://HOST[:PORT][/...]" is non-empty and has no spaces. */
static bool url_with_host(const char *s, const char *scheme)
{
    if (!starts_with(s, scheme))
        return false;
    const char *h = s + strlen(scheme);
    size_t n = strcspn(h, "/:");
    return n > 0 && !strpbrk(s, " \t");
}

/* git@HOST:PATH (scp-like syntax, what `git clone` and Argo CD accept for SSH). */
static bool scp_like(const char *s)
{
    if (!starts_with(s, "git@"))
        return false;
    const char *colon = strchr(s + 4, ':');
    return colon && colon > s + 4 && colon[1] && !memchr(s + 4, '/', (size_t)(colon - s - 4)) &&
           !strpbrk(s, " \t");
}

static bool key_repo(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    const char *url;
    if (!ty_string(ck, st->args, "`repo`", &url))
        return false;
    if (!url_with_host(url, "https://") && !url_with_host(url, "ssh://") && !scp_like(url)) {
        Diag *d = ck_error(ck, st->args->span, "`repo` is not a git URL: \"%s\"", url);
        ck_help(ck, d, "expected `https://HOST/PATH`, `ssh://HOST/PATH` or `git@HOST:PATH`");
        *AT(const char *, target, def) = url; /* the build stops anyway; no second "no repo" error */
        return false;
    }
    *AT(const char *, target, def) = url;
    return true;
}

static bool key_nonempty(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    const char *s;
    if (!ty_string(ck, st->args, arena_printf(ck->arena, "`%s`", def->name), &s))
        return false;
    if (!*s) {
        Diag *d = ck_error(ck, st->args->span, "`%s` is empty", def->name);
        ck_help(ck, d, "expected `%s`", def->form);
        return false;
    }
    *AT(const char *, target, def) = s;
    return true;
}

/* A path inside the repository: relative, '/'-separated, no `..` or empty components. A trailing
 * '/' is dropped so that "deploy/" and "deploy" name the same directory; "" is the root. */
static bool key_repo_path(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    const char *s;
    if (!ty_string(ck, st->args, "`path`", &s))
        return false;
    size_t len = strlen(s);
    while (len > 0 && s[len - 1] == '/')
        len--;
    const char *p = arena_strndup(ck->arena, s, len);
    const char *problem = NULL;
    if (s[0] == '/')
        problem = "it is absolute";
    else if (strchr(p, '\\'))
        problem = "it contains `\\`";
    for (const char *c = p; !problem && *c;) {
        size_t n = strcspn(c, "/");
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            problem = "it has an empty, `.` or `..` component";
        c += n + (c[n] == '/');
    }
    if (problem) {
        Diag *d = ck_error(ck, st->args->span, "`path` \"%s\" is not a directory inside the repository: %s", s, problem);
        ck_help(ck, d, "a relative path such as \"deploy/fleet\" (\"\" for the repository root)");
        return false;
    }
    *AT(const char *, target, def) = p;
    return true;
}

static bool key_server(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    const char *url;
    if (!ty_string(ck, st->args, "`server`", &url))
        return false;
    if (!url_with_host(url, "https://")) {
        Diag *d = ck_error(ck, st->args->span, "`server` is not an API server URL: \"%s\"", url);
        ck_help(ck, d, "expected `https://HOST[:PORT]` (the destination cluster's API server), or "
                       "`destination \"NAME\"` for a cluster registered in Argo CD");
        return false;
    }
    *AT(const char *, target, def) = url;
    return true;
}

static bool key_label(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    return ty_dns_label(ck, st->args, arena_printf(ck->arena, "`%s`", def->name), AT(const char *, target, def));
}

static bool key_sync(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    static const char *const modes[] = {"manual", "auto"};
    int i;
    const Value *v = st->args;
    /* `automated`/`automatic` (Argo CD's own word) are too far from `auto` for edit distance. */
    if ((v->kind == VAL_IDENT || v->kind == VAL_STRING) && starts_with(v->u.text, "auto") && strcmp(v->u.text, "auto")) {
        Diag *d = ck_error(ck, v->span, "unknown sync mode `%s`", v->u.text);
        ck_help(ck, d, "did you mean `auto`?");
        return false;
    }
    if (!ty_enum(ck, v, "sync mode", modes, N(modes), &i))
        return false;
    *AT(GitopsSync, target, def) = i == 1 ? GITOPS_SYNC_AUTO : GITOPS_SYNC_MANUAL;
    return true;
}

static bool key_via(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    static const char *const forms[] = {"manifests", "chart"};
    int i;
    if (!ty_enum(ck, st->args, "source form", forms, N(forms), &i))
        return false;
    *AT(GitopsVia, target, def) = i == 1 ? GITOPS_VIA_CHART : GITOPS_VIA_MANIFESTS;
    return true;
}

#define GKEY(n, frm, f, fld) {.name = n, .min_args = 1, .max_args = 1, .form = frm, .fn = f, .offset = offsetof(Gitops, fld)}
static const KeyDef GITOPS_KEYS[] = {
    GKEY("repo", "repo \"https://HOST/PATH.git\"", key_repo, repo),
    GKEY("revision", "revision \"BRANCH|TAG|COMMIT\"", key_nonempty, revision),
    GKEY("path", "path \"DIR\"", key_repo_path, path),
    GKEY("project", "project NAME", key_label, project),
    GKEY("server", "server \"https://API-SERVER\"", key_server, server),
    GKEY("destination", "destination \"ARGOCD-CLUSTER-NAME\"", key_nonempty, destination),
    GKEY("namespace", "namespace \"ARGOCD-NAMESPACE\"", key_label, argocd_namespace),
    GKEY("sync", "sync auto|manual", key_sync, sync),
    GKEY("via", "via manifests|chart", key_via, via),
};
static const BlockDef SCHEMA_GITOPS = {"gitops", GITOPS_KEYS, N(GITOPS_KEYS)};

static const Stmt *find_stmt(const Block *b, const char *key)
{
    for (const Stmt *st = b ? b->stmts : NULL; st; st = st->next)
        if (!strcmp(st->key, key))
            return st;
    return NULL;
}

/* A block names the destination one way: `server` (API URL) or `destination` (Argo CD cluster
 * name). Either one replaces what the parent chose; both in one block is an error. */
static void choose_destination(Checker *ck, const Block *b, Gitops *g)
{
    const Stmt *server = find_stmt(b, "server"), *dest = find_stmt(b, "destination");
    if (server && dest) {
        const Stmt *later = server->span.start > dest->span.start ? server : dest;
        const Stmt *first = later == server ? dest : server;
        Diag *d = ck_error(ck, later->key_span, "`gitops` sets both `server` and `destination`");
        ck_note(ck, d, first->key_span, "`%s` set here", first->key);
        ck_help(ck, d, "Argo CD takes one: the API server URL (`server`) or the name of a cluster it knows (`destination`)");
    }
    if (server)
        g->destination = NULL;
    if (dest)
        g->server = NULL;
}

/* gitops off | gitops argocd { ... }. Inherited through `extends` key by key, like any block. */
bool key_gitops(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Gitops *g = &((Cluster *)target)->gitops;
    const Value *v = st->args;
    bool is_ident = v->kind == VAL_IDENT;
    if (is_ident && !strcmp(v->u.text, "off") && !st->block) {
        g->enabled = false;
        return true;
    }
    if (!is_ident || strcmp(v->u.text, "argocd")) {
        Diag *d = ck_error(ck, v->span, "unknown GitOps tool `%s`", is_ident || v->kind == VAL_STRING ? v->u.text : "?");
        ck_help(ck, d, "expected `%s`", def->form);
        return false;
    }
    if (!st->block)
        return schema_arity_error(ck, st, def, "needs a block");
    if (!g->enabled)
        *g = (Gitops){.enabled = true, .revision = "HEAD", .path = "", .project = "default",
                      .argocd_namespace = "argocd", .sync = GITOPS_SYNC_MANUAL, .via = GITOPS_VIA_MANIFESTS};
    choose_destination(ck, st->block, g);
    schema_apply(ck, &SCHEMA_GITOPS, st->block, g, DECL_CLUSTER);
    g->span = ck_span(ck, st->span);
    return true;
}

void gitops_check_cluster(Checker *ck, const Cluster *c)
{
    const Gitops *g = &c->gitops;
    if (g->enabled && !g->repo) {
        Diag *d = ck_error(ck, g->span, "`gitops argocd` for cluster `%s` has no `repo`", c->name);
        ck_help(ck, d, "add `repo \"https://HOST/PATH.git\"`: the git repository the output tree is committed to");
    }
}

/* "server:URL" or "name:NAME": where an Application deploys. */
static const char *destination_key(Arena *a, const Gitops *g)
{
    if (g->destination)
        return arena_printf(a, "name:%s", g->destination);
    return arena_printf(a, "server:%s", g->server ? g->server : "https://kubernetes.default.svc");
}

static const char *destination_text(Arena *a, const Gitops *g)
{
    if (g->destination)
        return arena_printf(a, "Argo CD cluster `%s`", g->destination);
    return arena_printf(a, "`%s`", g->server ? g->server : "https://kubernetes.default.svc");
}

/* Same namespace of the same destination: the two trees hold objects of the same names. */
static void check_same_place(Checker *ck, Cluster *const *clusters, int i)
{
    const Cluster *c = clusters[i];
    for (int k = 0; k < i; k++) {
        const Cluster *o = clusters[k];
        if (!o->gitops.enabled || strcmp(o->namespace_name, c->namespace_name) ||
            strcmp(destination_key(ck->arena, &o->gitops), destination_key(ck->arena, &c->gitops)))
            continue;
        Diag *d = ck_error(ck, c->name_span, "clusters `%s` and `%s` would both be deployed into namespace `%s` of %s",
                           o->name, c->name, c->namespace_name, destination_text(ck->arena, &c->gitops));
        ck_note(ck, d, o->name_span, "`%s` declared here", o->name);
        ck_help(ck, d, "their objects have the same names; give one of them another `namespace`, `server` or `destination`");
        return;
    }
}

void gitops_check_fleet(Checker *ck, Cluster *const *clusters, int n)
{
    const Cluster *first_gitops = NULL;
    for (int i = 0; i < n; i++)
        if (clusters[i]->gitops.enabled && !first_gitops)
            first_gitops = clusters[i];
    if (!first_gitops)
        return;
    for (int i = 0; i < n; i++) {
        const Cluster *c = clusters[i];
        if (!strcmp(c->name, "argocd")) { /* OUT/argocd/ holds the fleet's Applications */
            Diag *d = ck_error(ck, c->name_span, "cluster `argocd` would write into `argocd/`, where the fleet's Argo CD Applications are written");
            ck_note(ck, d, first_gitops->gitops.span, "GitOps enabled here");
            ck_help(ck, d, "rename the cluster");
        }
        if (c->gitops.enabled)
            check_same_place(ck, clusters, i);
    }
}
