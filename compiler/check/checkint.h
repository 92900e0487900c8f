/* checkint.h - private to check/: the Checker context shared by resolve.c (use, extends, tiers),
 * schema.c (the key tables and the statement walker), keys.c (per-key converters), types.c (value
 * types: quantities, names, images, ...), defaults.c and rules.c (cross-field rules). */
#ifndef GOVERSEC_CHECKINT_H
#define GOVERSEC_CHECKINT_H
#include <stddef.h>

#include "check/check.h"

/* Where the statements being applied come from: decides spans, quietness and some rules. */
typedef enum Layer {
    LAYER_TIER,    /* tier defaults: spans point at the cluster's `tier` statement */
    LAYER_PARENT,  /* `extends` parent: already checked on its own, applied quietly */
    LAYER_OWN,     /* the declaration being checked: every diagnostic is reported */
} Layer;

/* A loaded library (`use "NAME"`). */
typedef struct Library {
    const char *name;
    const Unit *unit;
    Span first_use;
} Library;

/* Facts about one cluster that are not model fields but matter to the rules. */
typedef struct ClusterFacts {
    Span gates_replicas;   /* `replicas` written in gates by the user (not the tier) */
    Span gates_autoscale;
    Span tier_span;        /* the `tier` statement */
    Span cloud_span;
    Span zones_span;       /* the `zones` statement */
    bool postgres_block_errors; /* the persistence block reported errors: its completeness rules
                                   (host, credentials) would only repeat them */
    const Decl *cloud;     /* the selected cloud declaration */
    const void *gates_target; /* &cluster->gates: tells key_replicas it is setting the gates */
} ClusterFacts;

typedef struct Checker {
    Arena *arena;
    SourceMap *sources;
    DiagSink *diags;       /* the sink currently reported to (a scratch sink for quiet layers) */
    DiagSink *real;
    const CheckOptions *opts;
    const Unit *unit;
    Library *libs;
    int nlibs;
    const Decl **tiers, **clouds;
    int ntiers, nclouds;
    Layer layer;
    Span override;         /* when file >= 0, every span set in the model is this one */
    ClusterFacts *facts;
    /* defaults.c: the default cluster and the default persistence of each mode, built once per
     * check (their quantities parsed once, not once per cluster); NULL until first asked for. */
    const Cluster *default_cluster;
    const Persistence *default_postgres[4]; /* by PersistenceMode */
} Checker;

/* ---- reporting (deduplicated: an inherited value may fail the same rule twice) ---- */
Diag *ck_error(Checker *ck, Span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
Diag *ck_warning(Checker *ck, Span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Error under strict rules, warning otherwise. */
Diag *ck_strict(Checker *ck, bool strict, Span span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ck_help(Checker *ck, Diag *d, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ck_note(Checker *ck, Diag *d, Span span, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
Span ck_span(const Checker *ck, Span span);  /* applies the layer's span override */
const char *ck_list_names(Checker *ck, const char *const *names, int n); /* "`a`, `b`" */

/* ---- types.c: typed values; each returns false after reporting ---- */
bool ty_int(Checker *ck, const Value *v, const char *what, long lo, long hi, int *out);
bool ty_cpu(Checker *ck, const Value *v, Quantity *out);
bool ty_memory(Checker *ck, const Value *v, Quantity *out);
bool ty_duration(Checker *ck, const Value *v, int64_t *ms);
bool ty_percent(Checker *ck, const Value *v, int *out);
bool ty_clock(Checker *ck, const Value *v, int *hour, int *minute);
bool ty_port(Checker *ck, const Value *v, int *out);
bool ty_string(Checker *ck, const Value *v, const char *what, const char **out);
bool ty_word(Checker *ck, const Value *v, const char *what, const char **out); /* name or string */
bool ty_enum(Checker *ck, const Value *v, const char *what, const char *const *choices, int n,
             int *out);
bool ty_onoff(Checker *ck, const Value *v, bool *out);
bool ty_dns_label(Checker *ck, const Value *v, const char *what, const char **out);
bool ty_host(Checker *ck, const Value *v, const char **out);
bool ty_image(Checker *ck, const Value *v, Image *out);
bool ty_kube_version(Checker *ck, const Value *v, int *major, int *minor);
/* Pure validators, shared with rules and tests. */

/* ---- schema.c: the tables and the walker ---- */
typedef struct KeyDef KeyDef;
typedef bool (*KeyFn)(Checker *ck, const Stmt *st, void *target, const KeyDef *def);

/* KF_REFUSED: known only to explain why it is refused (its converter reports); never listed as valid. */
enum { KF_REPEAT = 1, KF_CLUSTER_ONLY = 2, KF_TIER_ONLY = 4, KF_REFUSED = 8 };
typedef enum BlockUse { BLK_NONE, BLK_OPTIONAL, BLK_REQUIRED } BlockUse;

struct KeyDef {
    const char *name;
    int min_args, max_args;
    BlockUse block;
    const char *form;        /* expected form, for help lines */
    KeyFn fn;
    size_t offset;           /* into the target struct */
    size_t span_offset;      /* where the converter records the statement's Span (0: nowhere) */
    long lo, hi;             /* integer range where it applies */
    const struct BlockDef *sub; /* the block's table, for keys that take one */
    unsigned flags;
};

typedef struct BlockDef {
    const char *name;        /* for messages: "unknown key `x` in `nodes`" */
    const KeyDef *keys;
    int nkeys;
} BlockDef;

typedef enum DeclKind { DECL_CLUSTER, DECL_TIER } DeclKind;

/* Applies every statement of `block` to `target` through the table, reporting unknown and
 * duplicate keys, arity and block usage. `kind` filters cluster-only / tier-only keys. */
void schema_apply(Checker *ck, const BlockDef *def, const Block *block, void *target, DeclKind kind);
void schema_apply_cluster(Checker *ck, const Block *body, Cluster *c, DeclKind kind);
/* Sub-block tables used by keys.c. */
extern const BlockDef SCHEMA_INGRESS, SCHEMA_AUTOSCALE, SCHEMA_COMPONENT_PORTS, SCHEMA_ETCD_PORTS,
    SCHEMA_POSTGRES, SCHEMA_MONITORING, SCHEMA_SECURITY, SCHEMA_ETCD, SCHEMA_NODES, SCHEMA_GATES,
    SCHEMA_INSPECTOR, SCHEMA_CLOUD;
bool schema_arity_error(Checker *ck, const Stmt *st, const KeyDef *def, const char *problem);

/* ---- keys.c: converters named in the tables ---- */
bool key_int(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_replicas(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_port(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_string(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_word(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_host(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_duration(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_image(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_cpu(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_memory(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_storage(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_backup(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_disruption(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_autoscale(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_ingress(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_ports(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_percent(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_onoff(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_block(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_pull(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_endpoints(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_credentials(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_sslmode(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_pod_security(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_network(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_tls(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_class(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
/* cluster level: cluster.c */
bool key_namespace(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_kubernetes(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_tier(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_cloud(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_zones(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_shards(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_rules(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_nodes_autoscale(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_persistence(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_inspector(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_monitoring(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
bool key_scrape_interval(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
/* gitops.c: `gitops argocd { ... }` (its own table), its rules, and the fleet-wide rules */
bool key_gitops(Checker *ck, const Stmt *st, void *target, const KeyDef *def);
void gitops_check_cluster(Checker *ck, const Cluster *c);
void gitops_check_fleet(Checker *ck, Cluster *const *clusters, int n);

/* ---- defaults.c ---- */
void defaults_cluster(Checker *ck, Cluster *c, const char *name, Span name_span);
void defaults_postgres(Checker *ck, Persistence *p, PersistenceMode mode);

/* ---- resolve.c ---- */
const Decl *resolve_find(const Decl *const *decls, int n, const char *name);
bool resolve_library_loaded(const Checker *ck, const char *name);

/* ---- rules.c: cross-field rules after every layer is applied ---- */
void rules_check_cluster(Checker *ck, Cluster *c);
void goverse_check_cluster(Checker *ck, const Cluster *c); /* goverse.c */

#endif
