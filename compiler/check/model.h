/* model.h - the checked, fully typed description of each cluster (output of check/, input of
 * lower/). Every field is resolved: tiers and cloud presets applied, `extends` merged, defaults
 * filled in, storage class names mapped. No strings that still need parsing remain; each field
 * keeps the Span of the source that set it (SPAN_NONE for defaults) so later phases can point at it. */
#ifndef GOVERSEC_MODEL_H
#define GOVERSEC_MODEL_H
#include <stdbool.h>
#include <stdint.h>

#include "support/quantity.h"
#include "support/source.h"

/* Goverse's gates and inspector run in flag mode, which always uses sharding.NumShards (8192):
 * the one shard count a whole cluster can agree on (check/cluster.c key_shards). */
#define GOVERSE_SHARDS 8192

typedef struct Image {
    const char *registry;     /* "" when none: e.g. "quay.io"; the cluster `registry` when unset */
    const char *repository;   /* "goverse/node" */
    const char *tag;          /* "1.2.0" */
    const char *pull_policy;  /* "IfNotPresent" | "Always" | "Never" */
    Span span;
    const char *digest;       /* "sha256:..." or NULL; pins the image in addition to the tag */
} Image;

typedef struct Resources {
    Quantity cpu_request, cpu_limit;      /* cores */
    Quantity memory_request, memory_limit; /* bytes */
    bool has_cpu_limit, has_memory_limit;
    Span cpu_span, memory_span;
} Resources;

typedef struct Storage {
    bool enabled;
    Quantity size;
    const char *storage_class;  /* resolved name ("gp3"); NULL: cluster default class */
    const char *logical_class;  /* as written ("fast-ssd"); NULL when unset */
    Span span;
} Storage;

typedef struct Backup {
    bool enabled;
    const char *cron;           /* e.g. "0 0,6,12,18 * * *" */
    int keep;                   /* snapshots retained */
    Quantity size;              /* backup PVC size */
    const char *storage_class;
    Span span;
} Backup;

typedef struct Ingress {
    bool enabled;
    const char *host;
    const char *class_name;     /* ingressClassName; NULL: cluster default */
    const char *tls_secret;     /* NULL: no TLS */
    const char *issuer;         /* cert-manager cluster-issuer; NULL: none */
    Span span;
} Ingress;

typedef struct Autoscale {
    bool enabled;
    int min_replicas, max_replicas;
    int cpu_percent, memory_percent;   /* 0: metric not used */
    Span span;
} Autoscale;

typedef struct Disruption {
    bool enabled;
    int min_available;          /* -1 when max_unavailable is used */
    int max_unavailable;        /* -1 when min_available is used */
    Span span;
} Disruption;

/* nodes, gates and inspector share this shape; fields a component does not have stay unset. */
typedef struct Component {
    bool enabled;
    int replicas;
    Span replicas_span;
    Image image;
    Resources resources;
    Storage storage;            /* nodes only */
    int grpc_port, http_port;
    int ops_port;               /* gates only: /healthz, /ready, /metrics (Goverse --ops-listen) */
    Disruption disruption;
    Autoscale autoscale;        /* gates only */
    Ingress ingress;            /* gates, inspector */
    Span span;
} Component;

typedef struct Etcd {
    bool external;              /* hybrid: endpoints point outside, no StatefulSet */
    const char **endpoints;     /* external endpoints ("host:port") */
    int nendpoints;
    int replicas;
    Span replicas_span;
    Image image;
    Resources resources;
    Storage storage;
    Backup backup;
    const char *prefix;         /* "/goverse" */
    int client_port, peer_port;
    Span span;
    /* Set by the checker: zones are listed and, spread evenly over them, the members cannot keep
     * quorum when the busiest zone is lost (placement then spreads best effort). */
    bool zone_loss_breaks_quorum;
} Etcd;

typedef enum PersistenceMode {
    PERSIST_NONE,
    PERSIST_INTERNAL,           /* StatefulSet in the cluster's namespace */
    PERSIST_EXTERNAL,           /* managed database: host + credentials Secret */
    PERSIST_OPERATOR,           /* Zalando postgres-operator `postgresql` resource */
} PersistenceMode;

typedef struct Persistence {
    PersistenceMode mode;
    const char *host;           /* external: the DB host; internal: service DNS name */
    int port;
    const char *database;
    const char *user;
    const char *credentials_secret; /* existing Secret with POSTGRES_USER/PASSWORD/... keys */
    const char *sslmode;        /* "disable" | "require" | "verify-full" ... */
    int instances;              /* internal replicas / operator numberOfInstances */
    const char *version;        /* operator: "15" */
    const char *team;           /* operator teamId */
    Image image;
    Resources resources;
    Storage storage;
    Backup backup;
    Span span;
} Persistence;

typedef struct Monitoring {
    bool prometheus;            /* ServiceMonitors (prometheus-operator) */
    int64_t interval_ms;
    bool alerts, dashboards;
    Span span;
} Monitoring;

/* Pod Security Standard levels, weakest first. NONE: no namespace labels, no securityContexts;
 * PRIVILEGED: the namespace says so explicitly. The default is RESTRICTED. */
typedef enum PodSecurity { PODSEC_NONE, PODSEC_PRIVILEGED, PODSEC_BASELINE, PODSEC_RESTRICTED } PodSecurity;
typedef enum NetworkMode { NETWORK_OPEN, NETWORK_ISOLATED } NetworkMode;

typedef struct Security {
    PodSecurity pod_security;
    NetworkMode network;
    Span pod_security_span;     /* where `pod_security` was written (SPAN_NONE: default) */
    Span network_span;          /* where `network` was written (SPAN_NONE: default) */
    bool mtls;
    const char *tls_issuer;     /* cert-manager Issuer for mTLS */
    Span span;
    Span tls_span;              /* the `tls` statement (diagnostics) */
} Security;

/* GitOps glue (`gitops argocd { ... }`): where the output tree is committed and how Argo CD
 * deploys each cluster from it. Fleet-level: it never becomes a chart knob. */
typedef enum GitopsSync { GITOPS_SYNC_MANUAL, GITOPS_SYNC_AUTO } GitopsSync;
typedef enum GitopsVia { GITOPS_VIA_MANIFESTS, GITOPS_VIA_CHART } GitopsVia;

typedef struct Gitops {
    bool enabled;
    const char *repo;           /* repoURL: https://, ssh:// or git@HOST:PATH; NULL until set */
    const char *revision;       /* targetRevision; "HEAD" by default */
    const char *path;           /* directory of the output tree in the repo; "" = the root */
    const char *project;        /* Argo CD AppProject; "default" */
    const char *server;         /* destination API server URL; NULL when `destination` is used */
    const char *destination;    /* destination cluster name registered in Argo CD, or NULL */
    const char *argocd_namespace; /* where the Application objects live; "argocd" */
    GitopsSync sync;
    GitopsVia via;
    Span span;
} Gitops;

typedef struct Cluster {
    const char *name;           /* DNS-1123 label */
    Span name_span;
    const char *namespace_name;
    int kube_major, kube_minor; /* lowest targeted Kubernetes version */
    const char *tier;           /* "dev" | "production-small" | "production-large" | NULL */
    bool strict;                /* production rules are errors (tier `rules strict`) */
    const char *cloud;          /* "aws" | ... | NULL */
    const char **zones;
    int nzones;
    int shards; /* always GOVERSE_SHARDS once checked (key_shards) */
    int64_t stability_ms;
    const char *registry;       /* default registry for images that name none; "" when none */
    Etcd etcd;
    Component nodes, gates, inspector;
    Persistence postgres;
    Monitoring monitoring;
    Security security;
    Span span;
    Gitops gitops;              /* fleet glue; enabled = false when absent */
} Cluster;

typedef struct Model {
    Cluster **clusters;         /* in source order; only `cluster` declarations */
    int nclusters;
} Model;

#endif
