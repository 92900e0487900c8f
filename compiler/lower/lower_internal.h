/* lower_internal.h - what the lowering files share: the per-cluster lowering context, the
 * design-default table for parts the model leaves unset, knob registration helpers, and the
 * builders for the Kubernetes fragments every component repeats (metadata, labels, image,
 * resources, probes, env, ports, volume claim templates). Private to compiler/lower/. */
#ifndef GOVERSEC_LOWER_INTERNAL_H
#define GOVERSEC_LOWER_INTERNAL_H
#include "check/model.h"
#include "lower/lower.h"
#include "ir/ir.h"
#include "support/diag.h"

/* lower.h's LowerShared: what is lowered once per build, not once per cluster. */
struct LowerShared {
    Arena *arena;          /* outlives every IR lowered with it */
    const IrNode **alert_rules; /* lower_alerts.c: the rules whose PromQL reads no knob, by place */
};

typedef struct LowerPod {
    struct IrObject *obj;
    IrNode *spec; /* the pod template's spec */
} LowerPod;

typedef struct Lower {
    Arena *a;
    IrCluster *ir;
    const Cluster *cl;
    DiagSink *diags;
    LowerShared *shared;          /* NULL: nothing kept across clusters */
    IrNode *config_tree;          /* lower_config_tree's one subtree */
    IrNode *config_checksum_tree; /* lower_config_checksum_tree's */
    LowerPod *pods;               /* lower_each_pod's pods so far (lower.c) */
    int npods, cap_pods;
    IrObject *pods_scanned;       /* the last object lower_each_pod looked at */
    struct LowerKnobCache *knob_cache; /* lower_knob's recent lookups (lower.c); mutable behind
                                          a const Lower: a cache, invisible in results */
    struct LowerCondCache *cond_cache; /* lower_if's conditions by knob (lower.c); the same */
    /* lower_postgres_mode's conditions by mode and lower_postgres_on's, built on first use:
     * ~50 places ask, and conditions are never changed once built (lower_postgres.c). */
    const IrCond *pg_mode[4], *pg_on;
    const IrCond *backup_etcd_on, *backup_pg_on; /* lower_backup.c's, the same way */
    struct LowerPrefixKnobs *prefix_knobs; /* lower_image_knobs/lower_resource_knobs's (lower.c) */
    int nprefix_knobs;
    struct LowerLabels *labels;   /* lower_labels's models by (app, component) (lower_fragments.c) */
    int nlabels;
    struct LowerTwins *twins;     /* restore Jobs made from another after the passes (lower_restore.c) */
} Lower;

/* The design document's defaults (section 3/4/5) for one component, used wherever the model
 * leaves a field unset (e.g. the inspector image when the description switches it off). */
typedef struct LowerDefaults {
    const char *prefix; /* values prefix: "nodes", "postgres.internal", ... */
    const char *registry, *repository, *tag, *pull_policy;
    const char *cpu_request, *cpu_limit, *memory_request, *memory_limit;
    const char *storage_size;
    int port_a, port_b; /* grpc/http; etcd: client/peer; postgres: 5432/0 */
} LowerDefaults;

const LowerDefaults *lower_defaults(const char *prefix);

/* Objects the passes see through another (lower_restore.c): the etcd-restore Jobs of members
 * 2.. are etcd-restore-1's document with three leaves changed, made after the passes
 * (lower_restore_twins) from what the passes made of etcd-restore-1. A pass that does something
 * per object rather than per document does it for each twin where it does it for the
 * prototype, in their order (lower_rbac_pod's account conditions). */
typedef struct LowerTwin {
    const char *path, *name, *member, *claim; /* "etcd/restore-job-N.yaml", "etcd-restore-N", "etcd-N", PVC */
    const IrCond *when;
} LowerTwin;
struct LowerTwins {
    IrObject *proto;
    LowerTwin *twin;
    int n;
};
void lower_restore_twins(Lower *l);

/* ---- knobs (lower.c) ---- */
const Knob *lower_knob(const Lower *l, const char *path); /* aborts on an unregistered path */
const Knob *lower_knob_at(const Lower *l, const char *prefix, const char *rest); /* PREFIX.REST */
IrNode *lower_ref(const Lower *l, const char *path);
/* A component's image and resources knobs (PREFIX.image.*, PREFIX.resources.*), looked up once
 * per prefix: every container of the component names them. `prefix` must be a literal or a string
 * that lives as long as the lowering (records are found again by its address first). */
typedef struct LowerImageKnobs {
    const Knob *registry, *repository, *tag, *pull_policy;
} LowerImageKnobs;
typedef struct LowerResourceKnobs {
    const Knob *cpu_request, *memory_request, *cpu_limit, *memory_limit;
} LowerResourceKnobs;
const LowerImageKnobs *lower_image_knobs(Lower *l, const char *prefix);
const LowerResourceKnobs *lower_resource_knobs(Lower *l, const char *prefix);
const IrCond *lower_if(const Lower *l, const char *path);
const IrCond *lower_if_knob(const Lower *l, const Knob *k); /* one condition per knob */
const IrCond *lower_unless(const Lower *l, const char *path);
Knob *lower_knob_bool(Lower *l, const char *path, bool def, const char *desc);
Knob *lower_knob_int(Lower *l, const char *path, int64_t def, int64_t min, int64_t max, const char *desc);
/* Keeps `def` (no copy), as ir_knob keeps `path`: a literal, a model string or one in l->a. */
Knob *lower_knob_str(Lower *l, const char *path, KnobType type, const char *def, const char *desc);
Knob *lower_knob_port(Lower *l, const char *path, int model_port, int def, const char *desc);
const char *lower_pick(const char *model, const char *def); /* model value unless NULL/"" */
void lower_knobs_image(Lower *l, const char *prefix, const Image *img);
void lower_knobs_resources(Lower *l, const char *prefix, const Resources *r);
void lower_knobs_storage(Lower *l, const char *prefix, const Storage *s);

/* ---- fragments (lower_fragments.c) ---- */
IrNode *lower_concat(Lower *l, IrNode *first, ...); /* NULL-terminated; EXPR_CONCAT */
IrNode *lower_namespace_expr(Lower *l);
IrNode *lower_release_name_expr(Lower *l);
IrNode *lower_labels(Lower *l, const char *app, const char *component);
IrNode *lower_metadata(Lower *l, const char *name, const char *app, const char *component);
IrNode *lower_selector(Lower *l, const char *app);
IrNode *lower_image(Lower *l, const char *prefix);
IrNode *lower_resources(Lower *l, const char *prefix);
IrNode *lower_http_probe(Lower *l, const char *path, const char *port_knob, int initial, int period);
/* A string node written quoted ("5432": a number's text that must stay a string). */
IrNode *lower_quoted(Lower *l, const char *s);
IrNode *lower_env_value(Lower *l, const char *name, IrNode *value);
IrNode *lower_env_field(Lower *l, const char *name, const char *field_path);
IrNode *lower_env_secret(Lower *l, const char *name, IrNode *secret, const char *key);
IrNode *lower_container_port(Lower *l, const char *name, const char *port_knob);
IrNode *lower_service_port(Lower *l, const char *name, const char *port_knob);
IrNode *lower_volume_mount(Lower *l, const char *name, const char *path);
IrNode *lower_config_volume(Lower *l, const char *name); /* the goverse-config ConfigMap */
IrNode *lower_vct(Lower *l, const char *name, const char *storage_prefix);
IrNode *lower_pod_annotations(Lower *l, bool config_checksum, bool prometheus, const char *http_knob);
IrNode *lower_container(Lower *l, const char *name, const char *prefix);
void lower_pull_secrets(Lower *l, IrNode *pod_spec);
IrNode *lower_pod_template(Lower *l, IrNode *workload_spec, const char *app, const char *component,
                           IrNode *annotations, IrNode *container, bool config_volume);
IrNode *lower_workload(Lower *l, IrObject *o, const char *app, const char *component);
void lower_env_pod_identity(Lower *l, IrNode *env);
IrNode *lower_listen_addr(Lower *l, const char *port_knob); /* "0.0.0.0:" + port */
IrNode *lower_arg(Lower *l, const char *flag_eq, IrNode *value); /* "--flag=" + value */
void lower_args_cluster_state(Lower *l, IrNode *args, const char *etcd_flag_eq); /* etcd + prefix */
void lower_component_knobs(Lower *l, const char *prefix, const Component *c, bool with_replicas);
void lower_port_knobs(Lower *l, const char *prefix, const Component *c);
IrNode *lower_service(Lower *l, IrObject *o, const char *name, const char *app,
                      const char *component, bool headless);

/* ---- components: knobs first (values.yaml order), then objects (apply order) ---- */
void lower_config_knobs(Lower *l);
/* The Goverse config as one subtree, shared by the ConfigMap and every checksum annotation
 * (expression arguments may share a subtree: see ir.h; ir_eval_object_memo writes it once). */
IrNode *lower_config_tree(Lower *l);
IrNode *lower_config_checksum_tree(Lower *l); /* the same without `nodes:` (scaling restarts nobody) */
void lower_config_objects(Lower *l);
void lower_etcd_knobs(Lower *l);
void lower_etcd_objects(Lower *l);
IrNode *lower_etcd_initial_cluster(Lower *l); /* ETCD_INITIAL_CLUSTER over etcd.replicas */
/* The one etcd address Goverse processes are given (lower_config.c): pushes PREFIX+address. */
void lower_push_etcd_address(Lower *l, IrNode *seq, const char *prefix);
IrNode *lower_inspector_address(Lower *l); /* inspector.NS.svc.cluster.local:GRPC */
IrNode *lower_etcd_domain(Lower *l);          /* etcd-headless.NS.svc.cluster.local */
void lower_membership_objects(Lower *l);      /* lower_membership.c: etcd-membership Job (manual_switch) */
void lower_nodes_knobs(Lower *l);
void lower_nodes_objects(Lower *l);
void lower_gates_knobs(Lower *l);
void lower_gates_objects(Lower *l);
void lower_postgres_knobs(Lower *l);
void lower_postgres_objects(Lower *l);
const IrCond *lower_postgres_on(Lower *l);               /* any persistence mode active */
const IrCond *lower_postgres_mode(Lower *l, PersistenceMode mode); /* exclusive: external > operator > internal */
const char *lower_postgres_operator_user(const Lower *l);     /* literal: Zalando keys on it */
const char *lower_postgres_operator_database(const Lower *l);
const char *lower_postgres_operator_secret(Lower *l); /* Zalando's credentials Secret of the user */
void lower_inspector_knobs(Lower *l);
void lower_inspector_objects(Lower *l);
/* Fills an Ingress for `service` from the knobs under `prefix` ("gates.ingress"). */
void lower_ingress(Lower *l, IrObject *o, const char *prefix, const char *service,
                   const char *component, const char *port_knob, bool grpc);
void lower_ingress_knobs(Lower *l, const char *prefix, const Ingress *in);

/* ---- production concerns (issue: zones, tiers, security, monitoring, backups) ----------------
 * Each concern owns one file. `*_knobs` register its values (after the components', so they nest
 * under the same maps), `*_objects` add whole objects, `*_pass` walks the objects already built
 * (workloads, CronJobs, Jobs) and adds what every pod needs; passes run last, in this order. */
void lower_placement_knobs(Lower *l);      /* lower_placement.c: zones, affinity, spread */
void lower_placement_pass(Lower *l);
void lower_availability_knobs(Lower *l);   /* lower_availability.c: PDB, HPA, rollouts */
void lower_availability_objects(Lower *l);
void lower_availability_pass(Lower *l);
void lower_monitoring_knobs(Lower *l);     /* lower_monitoring.c: ServiceMonitors, rules, dashboard */
void lower_monitoring_objects(Lower *l);
const IrCond *lower_monitoring_on(Lower *l, const char *path); /* monitoring.enabled [&& path] */
const IrCond *lower_monitoring_etcd_on(Lower *l);               /* etcd runs in the cluster */
IrNode *lower_monitoring_metadata(Lower *l, const char *name, const char *app);
IrNode *lower_promql(Lower *l, const char *text); /* @NS@, @KNOB:path@ placeholders */
void lower_alerts_object(Lower *l);       /* lower_alerts.c: PrometheusRule goverse-alerts */
void lower_dashboard_object(Lower *l);    /* lower_dashboard.c: ConfigMap goverse-dashboard */
void lower_backup_knobs(Lower *l);         /* lower_backup.c: snapshot CronJobs, restore Jobs */
void lower_backup_objects(Lower *l);
const IrCond *lower_backup_etcd_on(Lower *l);     /* etcd.backup.enabled and etcd runs in-cluster */
const IrCond *lower_backup_postgres_on(Lower *l); /* postgres.backup.enabled and the internal mode */
IrNode *lower_backup_volume(Lower *l, const char *claim, bool read_only); /* volume "backup" */
void lower_backup_pg_env(Lower *l, IrNode *env); /* PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE */
void lower_restore_objects(Lower *l);        /* lower_restore.c: restore Jobs (manual_switch) */
void lower_requests_knobs(Lower *l);       /* lower_requests.c: resources of Job containers */
void lower_requests_pass(Lower *l);
void lower_security_knobs(Lower *l);       /* lower_security.c (+ netpol, rbac, tls files) */
void lower_security_objects(Lower *l);
void lower_security_pass(Lower *l);

/* Every pod template of the cluster's objects (Deployment, StatefulSet, Job, CronJob), in IR
 * order, for passes: calls fn(l, obj, pod_spec, arg) for each. */
typedef void LowerPodFn(Lower *l, IrObject *obj, IrNode *pod_spec, void *arg);
void lower_each_pod(Lower *l, LowerPodFn *fn, void *arg);
IrNode *lower_map_get(IrNode *map, const char *key); /* entry of an IR map, NULL if absent */

#endif
