/* lower_nodes.c - the Goverse node StatefulSet over the shards (design 3.5): headless Service
 * goverse-node-headless and StatefulSet goverse-node. Nodes run in Goverse's config mode
 * (`--config FILE --node-id $(POD_NAME)`, node/serverconfig): the config lists every ordinal
 * (lower_config.c). With PostgreSQL on, the pod renders its own copy of the config into an
 * in-memory volume at start, adding the password from the credentials Secret, because Goverse
 * reads it only from the file (mounted from the Secret as a file, never an environment variable);
 * the ConfigMap and the chart never hold it. A node refuses to start
 * until the database holds Goverse's schema, which only Goverse's `pgadmin init` creates (it is
 * idempotent): a second init container runs it before every node start, from an image of
 * cmd/pgadmin at the nodes' version (nodes.schemaInit). */
#include "lower/lower_internal.h"

#define CONFIG_DIR "/etc/goverse"
#define TEMPLATE_DIR "/etc/goverse-template"
#define SECRET_DIR "/etc/goverse-postgres" /* the password, as a file (not an env var) */

void lower_nodes_knobs(Lower *l)
{
    const Component *n = &l->cl->nodes;
    lower_component_knobs(l, "nodes", n, true);
    lower_knob_bool(l, "nodes.storage.enabled", n->storage.enabled, "give every node a persistent `data` volume");
    lower_knobs_storage(l, "nodes", &n->storage);
    lower_port_knobs(l, "nodes", n);
    lower_knobs_image(l, "nodes.configRenderer", NULL);
    lower_knob_bool(l, "nodes.schemaInit.enabled", true,
                    "run Goverse's `pgadmin init` (idempotent) before each node starts, when PostgreSQL is on");
    /* Goverse publishes no pgadmin image: the default names one built like the node image, same
     * registry and tag as the nodes' (docs/backup.md). */
    Image pgadmin = n->image;
    pgadmin.repository = "goverse/pgadmin";
    if (!n->image.repository || !*n->image.repository)
        pgadmin = (Image){.registry = "", .repository = "goverse/pgadmin", .tag = lower_defaults("nodes")->tag};
    lower_knobs_image(l, "nodes.schemaInit", &pgadmin);
}

/* The config with `password:` added under `postgres:` as a single-quoted YAML scalar (quotes
 * doubled), renamed into place. Goverse builds a libpq key=value string without quoting it
 * (util/postgres), and its driver does not normalise Unicode as PostgreSQL does: only printable
 * ASCII without a backslash or a leading quote reaches PostgreSQL unaltered (tested by hand with
 * Goverse 542b6c7). Anything else stops the pod here with a message, not later with a cryptic
 * connection error or a silently different password. umask 022: the node's uid may differ from
 * this container's (no securityContext in some tiers); the volume is the pod's own, in memory.
 * The Secret's file is read whole (RS is a control character; a read shorter than the file
 * means the password held one). */
static const char RENDER_SCRIPT[] =
    "set -eu\n"
    "umask 022\n"
    "size=$(wc -c < " SECRET_DIR "/password)\n"
    "awk -v size=\"$size\" 'BEGIN { f = \"" SECRET_DIR "/password\"; RS = \"\\001\"\n"
    "  if ((getline pw < f) <= 0) pw = \"\"; close(f); RS = \"\\n\"\n"
    "  if (length(pw) != size + 0) pw = pw \"\\001\"\n"
    "  if (pw == \"\" || pw ~ /[^\\041-\\176]/ || pw ~ /\\\\/ || pw ~ /^\\047/) {\n"
    "    print \"render-config: Goverse passes the PostgreSQL password on unquoted: it must be printable ASCII \" \\\n"
    "      \"without spaces or backslashes, not start with a quote, not be empty (docs/security.md)\" > \"/dev/stderr\"\n"
    "    bad = 1; exit 1 }\n"
    "  gsub(/\\047/, \"\\047\\047\", pw) }\n"
    "{ print }\n"
    "$0 == \"postgres:\" { print \"  password: \\047\" pw \"\\047\"; found = 1 }\n"
    "END { if (bad) exit 1; if (!found) { print \"render-config: no postgres: section in the config\" > \"/dev/stderr\"; exit 1 } }' \\\n"
    "  " TEMPLATE_DIR "/config.yaml > " CONFIG_DIR "/config.yaml.tmp\n"
    "mv " CONFIG_DIR "/config.yaml.tmp " CONFIG_DIR "/config.yaml\n";

/* The Secret holding the password, as a volume with one file `password`: the key is
 * POSTGRES_PASSWORD in the credentials Secret, `password` in Zalando's (one entry survives). */
static void password_volume(Lower *l, IrNode *vols, const IrCond *pg)
{
    Arena *a = l->a;
    const IrCond *zalando = lower_postgres_mode(l, PERSIST_OPERATOR);
    const IrCond *own = ir_cond_or(a, lower_postgres_mode(l, PERSIST_EXTERNAL), lower_postgres_mode(l, PERSIST_INTERNAL));
    IrNode *secrets[2] = {ir_str(a, lower_postgres_operator_secret(l)), lower_ref(l, "postgres.existingSecret")};
    const char *keys[2] = {"password", "POSTGRES_PASSWORD"};
    const IrCond *when[2] = {zalando, own};
    for (int i = 0; i < 2; i++) {
        IrNode *v = ir_when(l->a, ir_push(vols, ir_map(a)), ir_cond_and(a, pg, when[i]));
        ir_put(a, v, "name", ir_str(a, "postgres-password"));
        IrNode *sec = ir_put(a, v, "secret", ir_map(a));
        ir_put(a, sec, "secretName", secrets[i]);
        IrNode *item = ir_push(ir_put(a, sec, "items", ir_seq(a)), ir_map(a));
        ir_put(a, item, "key", ir_str(a, keys[i]));
        ir_put(a, item, "path", ir_str(a, "password"));
    }
}

static IrNode *read_only_mount(Lower *l, const char *name, const char *path)
{
    IrNode *m = lower_volume_mount(l, name, path);
    ir_put(l->a, m, "readOnly", ir_bool(l->a, true));
    return m;
}

/* A short-lived helper: a shell, awk, one Go binary. */
static IrNode *small_resources(Lower *l)
{
    Arena *a = l->a;
    IrNode *res = ir_map(a);
    IrNode *req = ir_put(a, res, "requests", ir_map(a));
    ir_put(a, req, "cpu", ir_str(a, "10m"));
    ir_put(a, req, "memory", ir_str(a, "32Mi"));
    IrNode *lim = ir_put(a, res, "limits", ir_map(a));
    ir_put(a, lim, "cpu", ir_str(a, "200m"));
    ir_put(a, lim, "memory", ir_str(a, "64Mi"));
    return res;
}

static IrNode *render_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "render-config", "nodes.configRenderer");
    IrNode *cmd = ir_put(a, c, "command", ir_seq(a));
    ir_push(cmd, ir_str(a, "sh"));
    ir_push(cmd, ir_str(a, "-c"));
    ir_push(cmd, ir_str(a, RENDER_SCRIPT))->style = STYLE_LITERAL;
    IrNode *mounts = ir_put(a, c, "volumeMounts", ir_seq(a));
    ir_push(mounts, read_only_mount(l, "postgres-password", SECRET_DIR));
    ir_push(mounts, read_only_mount(l, "config-template", TEMPLATE_DIR));
    ir_push(mounts, lower_volume_mount(l, "config", CONFIG_DIR));
    ir_put(a, c, "resources", small_resources(l));
    return c;
}

static IrNode *node_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "goverse-node", "nodes");
    IrNode *args = ir_put(a, c, "args", ir_seq(a));
    ir_push(args, ir_str(a, "--config=" CONFIG_DIR "/config.yaml"));
    ir_push(args, ir_str(a, "--node-id=$(POD_NAME)"));
    IrNode *ports = ir_put(a, c, "ports", ir_seq(a));
    ir_push(ports, lower_container_port(l, "grpc", "nodes.ports.grpc"));
    ir_push(ports, lower_container_port(l, "http", "nodes.ports.http"));
    lower_env_pod_identity(l, ir_put(a, c, "env", ir_seq(a)));
    IrNode *mounts = ir_put(a, c, "volumeMounts", ir_seq(a));
    ir_push(mounts, read_only_mount(l, "config", CONFIG_DIR));
    ir_when(l->a, ir_push(mounts, lower_volume_mount(l, "data", "/var/lib/goverse")), lower_if(l, "nodes.storage.enabled"));
    ir_put(a, c, "resources", lower_resources(l, "nodes"));
    ir_put(a, c, "livenessProbe", lower_http_probe(l, "/healthz", "nodes.ports.http", 30, 10));
    ir_put(a, c, "readinessProbe", lower_http_probe(l, "/ready", "nodes.ports.http", 10, 5));
    return c;
}

static IrNode *schema_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "schema-init", "nodes.schemaInit");
    IrNode *args = ir_put(a, c, "args", ir_seq(a));
    ir_push(args, ir_str(a, "--config=" CONFIG_DIR "/config.yaml"));
    ir_push(args, ir_str(a, "init"));
    ir_push(ir_put(a, c, "volumeMounts", ir_seq(a)), read_only_mount(l, "config", CONFIG_DIR));
    ir_put(a, c, "resources", small_resources(l));
    return c;
}

/* Without PostgreSQL the ConfigMap is the config; with it, the ConfigMap is the template and
 * `config` an in-memory volume the init container fills. */
static void node_volumes(Lower *l, IrNode *pod)
{
    Arena *a = l->a;
    const IrCond *pg = lower_postgres_on(l);
    IrNode *vols = ir_put(a, pod, "volumes", ir_seq(a));
    ir_when(l->a, ir_push(vols, lower_config_volume(l, "config")), ir_cond_not(a, pg));
    IrNode *mem = ir_when(l->a, ir_push(vols, ir_map(a)), pg);
    ir_put(a, mem, "name", ir_str(a, "config"));
    ir_put(a, ir_put(a, mem, "emptyDir", ir_map(a)), "medium", ir_str(a, "Memory"));
    ir_when(l->a, ir_push(vols, lower_config_volume(l, "config-template")), pg);
    password_volume(l, vols, pg);
    IrNode *init = ir_when(l->a, ir_put(a, pod, "initContainers", ir_seq(a)), pg);
    ir_push(init, render_container(l));
    ir_when(l->a, ir_push(init, schema_container(l)), lower_if(l, "nodes.schemaInit.enabled"));
}

void lower_nodes_objects(Lower *l)
{
    Arena *a = l->a;
    IrObject *svc = ir_object(a, l->ir, "nodes/service.yaml", "nodes", "v1", "Service", "goverse-node-headless", NULL);
    IrNode *ports = lower_service(l, svc, "goverse-node-headless", "goverse-node", "node", true);
    ir_push(ports, lower_service_port(l, "grpc", "nodes.ports.grpc"));
    ir_push(ports, lower_service_port(l, "http", "nodes.ports.http"));
    /* A node's name is its identity, not a load-balancing target: it registers that name in etcd
     * before it is ready, and gates and peers dial it at once; without this the lookup fails and
     * gRPC's resolver backs off for tens of seconds (seen with Goverse at every rolling update). */
    ir_put(a, lower_map_get(svc->root, "spec"), "publishNotReadyAddresses", ir_bool(a, true));

    IrObject *o = ir_object(a, l->ir, "nodes/statefulset.yaml", "nodes", "apps/v1", "StatefulSet", "goverse-node", NULL);
    IrNode *spec = lower_workload(l, o, "goverse-node", "node");
    ir_put(a, spec, "serviceName", ir_str(a, "goverse-node-headless"));
    ir_put(a, spec, "replicas", lower_ref(l, "nodes.replicas"));
    ir_put(a, spec, "selector", lower_selector(l, "goverse-node"));
    IrNode *pod = lower_pod_template(l, spec, "goverse-node", "node",
                                     lower_pod_annotations(l, true, true, "nodes.ports.http"), node_container(l), false);
    node_volumes(l, pod);
    IrNode *vcts = ir_when(l->a, ir_put(a, spec, "volumeClaimTemplates", ir_seq(a)), lower_if(l, "nodes.storage.enabled"));
    ir_push(vcts, lower_vct(l, "data", "nodes"));
}
