/* schema.c - the declarative schema: one table per block listing its keys, their arity, block
 * use, expected form and converter (with the offset of the model field it fills), plus the walker
 * that applies a block through a table: unknown keys (did-you-mean), duplicates, arity, splitting
 * of several settings written on one line. */
#include <stddef.h>
#include <string.h>

#include "check/checkint.h"

#define KEY(n, lo_, hi_, blk, frm, f, T, fld) \
    {.name = n, .min_args = lo_, .max_args = hi_, .block = blk, .form = frm, .fn = f, .offset = offsetof(T, fld)}
#define N(n) ((int)(sizeof(n) / sizeof((n)[0])))

/* ---- component blocks -------------------------------------------------------------------- */

#define COMPONENT_COMMON(T)                                                                          \
    KEY("image", 1, 1, BLK_NONE, "image \"[REGISTRY/]REPOSITORY:TAG\"", key_image, T, image),       \
    KEY("pull", 1, 1, BLK_NONE, "pull always|if-not-present|never", key_pull, T, image),            \
    {.name = "replicas", .min_args = 1, .max_args = 1, .form = "replicas N", .fn = key_replicas,     \
     .offset = offsetof(T, replicas), .span_offset = offsetof(T, replicas_span), .lo = 1, .hi = 1000}, \
    KEY("cpu", 1, 1, BLK_NONE, "cpu REQUEST [.. LIMIT]", key_cpu, T, resources),                     \
    KEY("memory", 1, 1, BLK_NONE, "memory REQUEST [.. LIMIT]", key_memory, T, resources)

static const KeyDef COMPONENT_PORT_KEYS[] = {
    {.name = "grpc", .min_args = 1, .max_args = 1, .form = "grpc PORT", .fn = key_port, .offset = offsetof(Component, grpc_port)},
    {.name = "http", .min_args = 1, .max_args = 1, .form = "http PORT", .fn = key_port, .offset = offsetof(Component, http_port)},
};
const BlockDef SCHEMA_COMPONENT_PORTS = {"ports", COMPONENT_PORT_KEYS, N(COMPONENT_PORT_KEYS)};

/* A gate serves its client HTTP API and its ops endpoints (health, readiness, metrics, pprof) on
 * two listeners (Goverse --http-listen / --ops-listen). */
static const KeyDef GATE_PORT_KEYS[] = {
    {.name = "grpc", .min_args = 1, .max_args = 1, .form = "grpc PORT", .fn = key_port, .offset = offsetof(Component, grpc_port)},
    {.name = "http", .min_args = 1, .max_args = 1, .form = "http PORT", .fn = key_port, .offset = offsetof(Component, http_port)},
    {.name = "ops", .min_args = 1, .max_args = 1, .form = "ops PORT", .fn = key_port, .offset = offsetof(Component, ops_port)},
};
static const BlockDef SCHEMA_GATE_PORTS = {"ports", GATE_PORT_KEYS, N(GATE_PORT_KEYS)};

static const KeyDef ETCD_PORT_KEYS[] = {
    {.name = "client", .min_args = 1, .max_args = 1, .form = "client PORT", .fn = key_port, .offset = offsetof(Etcd, client_port)},
    {.name = "peer", .min_args = 1, .max_args = 1, .form = "peer PORT", .fn = key_port, .offset = offsetof(Etcd, peer_port)},
};
const BlockDef SCHEMA_ETCD_PORTS = {"ports", ETCD_PORT_KEYS, N(ETCD_PORT_KEYS)};

static const KeyDef INGRESS_KEYS[] = {
    KEY("host", 1, 1, BLK_NONE, "host \"HOST\"", key_host, Ingress, host),
    KEY("class", 1, 1, BLK_NONE, "class NAME", key_word, Ingress, class_name),
    KEY("tls", 1, 1, BLK_NONE, "tls \"SECRET\"", key_string, Ingress, tls_secret),
    KEY("issuer", 1, 1, BLK_NONE, "issuer \"CLUSTER-ISSUER\"", key_string, Ingress, issuer),
};
const BlockDef SCHEMA_INGRESS = {"ingress", INGRESS_KEYS, N(INGRESS_KEYS)};

static const KeyDef AUTOSCALE_KEYS[] = {
    KEY("cpu", 1, 1, BLK_NONE, "cpu PERCENT", key_percent, Autoscale, cpu_percent),
    KEY("memory", 1, 1, BLK_NONE, "memory PERCENT", key_percent, Autoscale, memory_percent),
};
const BlockDef SCHEMA_AUTOSCALE = {"autoscale", AUTOSCALE_KEYS, N(AUTOSCALE_KEYS)};

#define PORTS(T, S) {.name = "ports", .block = BLK_REQUIRED, .form = "ports { grpc PORT  http PORT }", .fn = key_ports, .sub = &S}
#define STORAGE(T) KEY("storage", 1, 3, BLK_NONE, "storage SIZE [on CLASS] | storage none", key_storage, T, storage)
#define DISRUPTION(T) KEY("disruption", 2, 2, BLK_NONE, "disruption min N | disruption max N", key_disruption, T, disruption)
#define BACKUP(T) KEY("backup", 1, 5, BLK_NONE, "backup every DURATION keep N | backup daily at HH:MM keep N | backup off", key_backup, T, backup)
#define INGRESS(T) {.name = "ingress", .min_args = 0, .max_args = 1, .block = BLK_OPTIONAL, \
    .form = "ingress \"HOST\" { class NAME  tls \"SECRET\"  issuer \"ISSUER\" } | ingress off", \
    .fn = key_ingress, .offset = offsetof(T, ingress), .sub = &SCHEMA_INGRESS}

static const KeyDef NODES_KEYS[] = {
    COMPONENT_COMMON(Component), STORAGE(Component), PORTS(Component, SCHEMA_COMPONENT_PORTS),
    DISRUPTION(Component),
    {.name = "autoscale", .min_args = 0, .max_args = 8, .block = BLK_OPTIONAL, .form = "replicas N",
     .fn = key_nodes_autoscale, .flags = KF_REFUSED},
};
const BlockDef SCHEMA_NODES = {"nodes", NODES_KEYS, N(NODES_KEYS)};

static const KeyDef GATES_KEYS[] = {
    COMPONENT_COMMON(Component),
    {.name = "ports", .block = BLK_REQUIRED, .form = "ports { grpc PORT  http PORT  ops PORT }", .fn = key_ports,
     .sub = &SCHEMA_GATE_PORTS},
    DISRUPTION(Component),
    {.name = "autoscale", .min_args = 1, .max_args = 1, .block = BLK_OPTIONAL,
     .form = "autoscale MIN .. MAX { cpu PERCENT  memory PERCENT }", .fn = key_autoscale,
     .offset = offsetof(Component, autoscale), .sub = &SCHEMA_AUTOSCALE},
    INGRESS(Component),
};
const BlockDef SCHEMA_GATES = {"gates", GATES_KEYS, N(GATES_KEYS)};

static const KeyDef INSPECTOR_KEYS[] = {
    COMPONENT_COMMON(Component), PORTS(Component, SCHEMA_COMPONENT_PORTS), INGRESS(Component),
};
const BlockDef SCHEMA_INSPECTOR = {"inspector", INSPECTOR_KEYS, N(INSPECTOR_KEYS)};

static const KeyDef ETCD_KEYS[] = {
    KEY("image", 1, 1, BLK_NONE, "image \"[REGISTRY/]REPOSITORY:TAG\"", key_image, Etcd, image),
    KEY("pull", 1, 1, BLK_NONE, "pull always|if-not-present|never", key_pull, Etcd, image),
    {.name = "replicas", .min_args = 1, .max_args = 1, .form = "replicas N", .fn = key_replicas,
     .offset = offsetof(Etcd, replicas), .span_offset = offsetof(Etcd, replicas_span), .lo = 1, .hi = 9},
    KEY("cpu", 1, 1, BLK_NONE, "cpu REQUEST [.. LIMIT]", key_cpu, Etcd, resources),
    KEY("memory", 1, 1, BLK_NONE, "memory REQUEST [.. LIMIT]", key_memory, Etcd, resources),
    STORAGE(Etcd),
    {.name = "ports", .block = BLK_REQUIRED, .form = "ports { client PORT  peer PORT }", .fn = key_ports, .sub = &SCHEMA_ETCD_PORTS},
    BACKUP(Etcd),
    KEY("prefix", 1, 1, BLK_NONE, "prefix \"/PATH\"", key_string, Etcd, prefix),
    KEY("external", 1, 1, BLK_NONE, "external [\"HOST:PORT\", ...]", key_endpoints, Etcd, endpoints),
};
const BlockDef SCHEMA_ETCD = {"etcd", ETCD_KEYS, N(ETCD_KEYS)};

static const KeyDef POSTGRES_KEYS[] = {
    KEY("host", 1, 1, BLK_NONE, "host \"HOST\"", key_host, Persistence, host),
    KEY("port", 1, 1, BLK_NONE, "port PORT", key_port, Persistence, port),
    KEY("database", 1, 1, BLK_NONE, "database NAME", key_word, Persistence, database),
    KEY("user", 1, 1, BLK_NONE, "user NAME", key_word, Persistence, user),
    KEY("credentials", 2, 2, BLK_NONE, "credentials secret \"SECRET\"", key_credentials, Persistence, credentials_secret),
    KEY("sslmode", 1, 1, BLK_NONE, "sslmode disable|allow|prefer|require|verify-ca|verify-full", key_sslmode, Persistence, sslmode),
    KEY("image", 1, 1, BLK_NONE, "image \"[REGISTRY/]REPOSITORY:TAG\"", key_image, Persistence, image),
    KEY("cpu", 1, 1, BLK_NONE, "cpu REQUEST [.. LIMIT]", key_cpu, Persistence, resources),
    KEY("memory", 1, 1, BLK_NONE, "memory REQUEST [.. LIMIT]", key_memory, Persistence, resources),
    STORAGE(Persistence),
    BACKUP(Persistence),
    {.name = "instances", .min_args = 1, .max_args = 1, .form = "instances N", .fn = key_int,
     .offset = offsetof(Persistence, instances), .lo = 1, .hi = 9},
    KEY("version", 1, 1, BLK_NONE, "version N", key_word, Persistence, version),
    KEY("team", 1, 1, BLK_NONE, "team NAME", key_word, Persistence, team),
};
const BlockDef SCHEMA_POSTGRES = {"persistence", POSTGRES_KEYS, N(POSTGRES_KEYS)};

static const KeyDef MONITORING_KEYS[] = {
    KEY("interval", 1, 1, BLK_NONE, "interval DURATION", key_scrape_interval, Monitoring, interval_ms),
    KEY("alerts", 1, 1, BLK_NONE, "alerts on|off", key_onoff, Monitoring, alerts),
    KEY("dashboards", 1, 1, BLK_NONE, "dashboards on|off", key_onoff, Monitoring, dashboards),
};
const BlockDef SCHEMA_MONITORING = {"monitoring", MONITORING_KEYS, N(MONITORING_KEYS)};

static const KeyDef SECURITY_KEYS[] = {
    KEY("pod_security", 1, 1, BLK_NONE, "pod_security restricted|baseline|privileged|none", key_pod_security, Security, pod_security),
    KEY("network", 1, 1, BLK_NONE, "network open|isolated", key_network, Security, network),
    KEY("tls", 1, 3, BLK_NONE, "tls mtls [issuer \"ISSUER\"] | tls off", key_tls, Security, mtls),
};
const BlockDef SCHEMA_SECURITY = {"security", SECURITY_KEYS, N(SECURITY_KEYS)};

static const KeyDef CLOUD_KEYS[] = {
    {.name = "class", .min_args = 2, .max_args = 2, .form = "class LOGICAL \"PROVIDER-CLASS\"", .fn = key_class, .flags = KF_REPEAT},
};
const BlockDef SCHEMA_CLOUD = {"cloud", CLOUD_KEYS, N(CLOUD_KEYS)};

/* ---- the cluster (and tier) body ---------------------------------------------------------- */

#define SUB(n, T, fld, S, frm) {.name = n, .block = BLK_REQUIRED, .form = frm, .fn = key_block, .offset = offsetof(T, fld), .sub = &S}
static const KeyDef CLUSTER_KEYS[] = {
    {.name = "namespace", .min_args = 1, .max_args = 1, .form = "namespace \"NAME\"", .fn = key_namespace, .flags = KF_CLUSTER_ONLY},
    {.name = "kubernetes", .min_args = 1, .max_args = 1, .form = "kubernetes \">= 1.27\"", .fn = key_kubernetes},
    {.name = "tier", .min_args = 1, .max_args = 1, .form = "tier NAME", .fn = key_tier, .flags = KF_CLUSTER_ONLY},
    {.name = "cloud", .min_args = 1, .max_args = 1, .form = "cloud NAME", .fn = key_cloud, .flags = KF_CLUSTER_ONLY},
    {.name = "zones", .min_args = 1, .max_args = 1, .form = "zones [\"ZONE\", ...]", .fn = key_zones},
    {.name = "shards", .min_args = 1, .max_args = 1, .form = "shards N (a power of two, at most 65536)", .fn = key_shards},
    KEY("stability", 1, 1, BLK_NONE, "stability DURATION", key_duration, Cluster, stability_ms),
    KEY("registry", 1, 1, BLK_NONE, "registry \"HOST[:PORT]\"", key_string, Cluster, registry),
    SUB("etcd", Cluster, etcd, SCHEMA_ETCD, "etcd { ... }"),
    SUB("nodes", Cluster, nodes, SCHEMA_NODES, "nodes { ... }"),
    SUB("gates", Cluster, gates, SCHEMA_GATES, "gates { ... }"),
    {.name = "persistence", .min_args = 1, .max_args = 3, .block = BLK_OPTIONAL,
     .form = "persistence none | persistence postgres internal|external { ... } | persistence postgres operator zalando { ... }",
     .fn = key_persistence, .sub = &SCHEMA_POSTGRES},
    {.name = "inspector", .min_args = 0, .max_args = 1, .block = BLK_OPTIONAL, .form = "inspector { ... } | inspector off",
     .fn = key_inspector, .offset = offsetof(Cluster, inspector), .sub = &SCHEMA_INSPECTOR},
    {.name = "monitoring", .min_args = 1, .max_args = 1, .block = BLK_OPTIONAL,
     .form = "monitoring prometheus { interval DURATION  alerts on  dashboards on } | monitoring off",
     .fn = key_monitoring, .sub = &SCHEMA_MONITORING},
    SUB("security", Cluster, security, SCHEMA_SECURITY, "security { pod_security restricted  network isolated  tls mtls }"),
    {.name = "rules", .min_args = 1, .max_args = 1, .form = "rules strict|relaxed", .fn = key_rules, .flags = KF_TIER_ONLY},
    {.name = "gitops", .min_args = 1, .max_args = 1, .block = BLK_OPTIONAL,
     .form = "gitops argocd { repo \"URL\"  revision \"REF\"  path \"DIR\"  server \"URL\"  sync auto } | gitops off",
     .fn = key_gitops, .flags = KF_CLUSTER_ONLY},
};
static const BlockDef SCHEMA_CLUSTER = {"cluster", CLUSTER_KEYS, N(CLUSTER_KEYS)};

/* ---- the walker --------------------------------------------------------------------------- */

/* A linear scan (blocks have a few dozen keys), the first byte compared before strcmp: a fleet
 * looks up every statement of every cluster and of its parents here. */
static int find_key(const BlockDef *def, const char *name)
{
    for (int i = 0; i < def->nkeys; i++)
        if (def->keys[i].name[0] == name[0] && !strcmp(def->keys[i].name, name))
            return i;
    return -1;
}

/* find_key, trying `hint` first: a block's statements often follow its table's order, so the
 * key after the last one found is often the next. A table's names are unique, so the hint
 * decides nothing but the cost. */
static int find_key_hinted(const BlockDef *def, const char *name, int hint)
{
    if (hint < def->nkeys && def->keys[hint].name[0] == name[0] && !strcmp(def->keys[hint].name, name))
        return hint;
    return find_key(def, name);
}

/* `secret` is the second word of `credentials secret "SECRET"`: the key a user meant when the word
 * of a two-word setting is written alone. Returns "KEY WORD", or NULL. */
static const char *form_phrase(Checker *ck, const BlockDef *def, const char *word)
{
    size_t wl = strlen(word);
    for (int i = 0; i < def->nkeys; i++) {
        const KeyDef *k = &def->keys[i];
        size_t kl = strlen(k->name);
        if ((k->flags & KF_REFUSED) || !k->form || strncmp(k->form, k->name, kl) != 0 || k->form[kl] != ' ')
            continue;
        const char *alt = k->form + kl + 1; /* `mtls` of "tls mtls [...]", `always` of "pull always|..." */
        while (*alt && *alt != ' ') {
            size_t al = strcspn(alt, " |");
            if (al == wl && strncmp(alt, word, wl) == 0)
                return arena_concat(ck->arena, k->name, " ", word, NULL);
            alt += al + (alt[al] == '|');
        }
    }
    return NULL;
}

static void unknown_key(Checker *ck, const BlockDef *def, const Stmt *st)
{
    const char **names = ARENA_ARRAY(ck->arena, const char *, def->nkeys);
    int n = 0;
    for (int i = 0; i < def->nkeys; i++)
        if (!(def->keys[i].flags & KF_REFUSED))
            names[n++] = def->keys[i].name;
    Diag *d = ck_error(ck, st->key_span, "unknown key `%s` in `%s`", st->key, def->name);
    const char *s = diag_suggest(st->key, names, (size_t)n);
    const char *phrase = form_phrase(ck, def, st->key);
    if (phrase)
        ck_help(ck, d, "did you mean `%s`?", phrase);
    else if (s)
        ck_help(ck, d, "did you mean `%s`?", s);
    else
        ck_help(ck, d, "valid keys in `%s`: %s", def->name, ck_list_names(ck, names, n));
}

bool schema_arity_error(Checker *ck, const Stmt *st, const KeyDef *def, const char *problem)
{
    Diag *d = ck_error(ck, st->key_span, "`%s` %s", st->key, problem);
    ck_help(ck, d, "expected `%s`", def->form);
    return false;
}

/* `class nginx  tls "x"`: a new setting starts at the first name, past the key's minimum
 * arguments, that is itself a key of this block. */
static void split_settings(Checker *ck, const BlockDef *def, Stmt *st, const KeyDef *kd)
{
    int i = 0;
    for (Value *v = st->args; v; v = v->next, i++) {
        if (i >= kd->min_args && i >= 1 && v->kind == VAL_IDENT && find_key(def, v->u.text) >= 0) {
            ast_split_statement(ck->arena, st, i);
            return;
        }
    }
    /* `host "db" secret "pg"`: past the arguments the key can take, a name starts a setting of its
     * own, reported as an unknown key, instead of "`host` has too many arguments". */
    i = 0;
    for (Value *v = st->args; v && st->nargs > kd->max_args; v = v->next, i++) {
        if (i >= kd->max_args && i >= 1 && v->kind == VAL_IDENT && !st->block) {
            ast_split_statement(ck->arena, st, i);
            return;
        }
    }
}

static bool check_shape(Checker *ck, const Stmt *st, const KeyDef *kd, DeclKind kind)
{
    if ((kd->flags & KF_CLUSTER_ONLY) && kind == DECL_TIER) {
        ck_error(ck, st->key_span, "`%s` cannot be set in a tier", st->key);
        return false;
    }
    if ((kd->flags & KF_TIER_ONLY) && kind == DECL_CLUSTER) {
        Diag *d = ck_error(ck, st->key_span, "`%s` is only valid in a `tier` declaration", st->key);
        ck_help(ck, d, "strictness comes from the cluster's tier");
        return false;
    }
    if (st->nargs < kd->min_args || st->nargs > kd->max_args) {
        const char *what = st->nargs < kd->min_args ? "is missing arguments" : "has too many arguments";
        if (kd->max_args == 0)
            what = "takes no arguments";
        return schema_arity_error(ck, st, kd, what);
    }
    if (kd->block == BLK_NONE && st->block)
        return schema_arity_error(ck, st, kd, "does not take a block");
    if (kd->block == BLK_REQUIRED && !st->block)
        return schema_arity_error(ck, st, kd, "needs a block");
    return true;
}

void schema_apply(Checker *ck, const BlockDef *def, const Block *block, void *target, DeclKind kind)
{
    if (!block)
        return;
    const Stmt **first = ARENA_ARRAY(ck->arena, const Stmt *, def->nkeys);
    int next = 0;
    for (Stmt *st = block->stmts; st; st = st->next) {
        int idx = find_key_hinted(def, st->key, next);
        if (idx < 0) {
            unknown_key(ck, def, st);
            continue;
        }
        next = idx + 1;
        const KeyDef *kd = &def->keys[idx];
        split_settings(ck, def, st, kd);
        if (first[idx] && !(kd->flags & KF_REPEAT)) {
            Diag *d = ck_error(ck, st->key_span, "duplicate key `%s` in `%s`", st->key, def->name);
            ck_note(ck, d, first[idx]->key_span, "first set here");
            continue;
        }
        if (!first[idx])
            first[idx] = st;
        if (check_shape(ck, st, kd, kind))
            kd->fn(ck, st, target, kd);
    }
}

void schema_apply_cluster(Checker *ck, const Block *body, Cluster *c, DeclKind kind)
{
    schema_apply(ck, &SCHEMA_CLUSTER, body, c, kind);
}
