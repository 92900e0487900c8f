/* lower_postgres.c - object persistence (design section 4): the in-cluster StatefulSet (option 1),
 * an external database (option 2: config + Secret reference only, no objects) and a Zalando
 * `postgresql` resource (option 3). All three are always lowered behind their `enabled` knobs; the
 * description only picks which one defaults to on. Credentials are only ever referenced by name. */
#include "lower/lower_internal.h"

static const char *const SSLMODES[] = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full", NULL};

/* Zalando derives the credentials Secret name from the user and the cluster name. */
static const char ZALANDO_CLUSTER[] = "goverse-postgres";

const char *lower_postgres_operator_user(const Lower *l)
{
    return l->cl->postgres.mode == PERSIST_OPERATOR ? lower_pick(l->cl->postgres.user, "goverse") : "goverse";
}

const char *lower_postgres_operator_database(const Lower *l)
{
    return l->cl->postgres.mode == PERSIST_OPERATOR ? lower_pick(l->cl->postgres.database, "goverse") : "goverse";
}

static void external_knobs(Lower *l, const Persistence *p, bool on)
{
    lower_knob_bool(l, "postgres.external.enabled", on, "use an external (managed) PostgreSQL");
    lower_knob_str(l, "postgres.external.host", KNOB_HOST, on ? p->host : "", "external database host")
        ->required_when = "postgres.external.enabled";
    lower_knob_int(l, "postgres.external.port", on && p->port > 0 ? p->port : 5432, 1, 65535,
                   "external database port");
    lower_knob_str(l, "postgres.external.database", KNOB_STRING, on ? lower_pick(p->database, "goverse") : "goverse",
                   "external database name");
    lower_knob_str(l, "postgres.external.user", KNOB_STRING, on ? lower_pick(p->user, "goverse") : "goverse",
                   "external database user (must match the Secret's POSTGRES_USER)");
    lower_knob_str(l, "postgres.external.sslmode", KNOB_ENUM, on ? lower_pick(p->sslmode, "require") : "require",
                   "libpq sslmode for the external database")
        ->choices = SSLMODES;
}

static void internal_knobs(Lower *l, const Persistence *p, bool on)
{
    lower_knob_bool(l, "postgres.internal.enabled", on, "run PostgreSQL as a StatefulSet in the namespace");
    /* A plain postgres image does not replicate: a second pod would be a second, empty database. */
    lower_knob_int(l, "postgres.internal.replicas", 1, 0, 1,
                   "PostgreSQL pods: 1, or 0 to stop it (replication needs the operator)");
    lower_knobs_image(l, "postgres.internal", on ? &p->image : NULL);
    lower_knobs_resources(l, "postgres.internal", on ? &p->resources : NULL);
    lower_knobs_storage(l, "postgres.internal", on ? &p->storage : NULL);
    lower_knob_str(l, "postgres.internal.database", KNOB_STRING, on ? lower_pick(p->database, "goverse") : "goverse",
                   "database name Goverse connects to (must match the Secret's POSTGRES_DB)");
    lower_knob_str(l, "postgres.internal.user", KNOB_STRING, on ? lower_pick(p->user, "goverse") : "goverse",
                   "database user Goverse connects as (must match the Secret's POSTGRES_USER)");
}

static void operator_knobs(Lower *l, const Persistence *p, bool on)
{
    lower_knob_bool(l, "postgres.operator.enabled", on, "create a Zalando postgres-operator `postgresql` cluster");
    lower_knob_int(l, "postgres.operator.instances", on && p->instances > 0 ? p->instances : 3, 1, 16,
                   "numberOfInstances of the Zalando cluster");
    lower_knob_str(l, "postgres.operator.version", KNOB_STRING, on ? lower_pick(p->version, "15") : "15",
                   "PostgreSQL major version");
    lower_knob_str(l, "postgres.operator.teamId", KNOB_STRING, on ? lower_pick(p->team, "goverse") : "goverse",
                   "Zalando teamId (the cluster name goverse-postgres must start with it)");
    lower_knobs_storage(l, "postgres.operator", on ? &p->storage : NULL);
    lower_knobs_resources(l, "postgres.operator", on ? &p->resources : NULL);
}

void lower_postgres_knobs(Lower *l)
{
    const Persistence *p = &l->cl->postgres;
    lower_knob_str(l, "postgres.existingSecret", KNOB_NAME, lower_pick(p->credentials_secret, "goverse-postgres-secret"),
                   "existing Secret with POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB (never generated)");
    external_knobs(l, p, p->mode == PERSIST_EXTERNAL);
    internal_knobs(l, p, p->mode == PERSIST_INTERNAL);
    operator_knobs(l, p, p->mode == PERSIST_OPERATOR);
}

const IrCond *lower_postgres_on(Lower *l)
{
    if (!l->pg_on)
        l->pg_on = ir_cond_or(l->a, lower_if(l, "postgres.external.enabled"),
                              ir_cond_or(l->a, lower_if(l, "postgres.operator.enabled"),
                                         lower_if(l, "postgres.internal.enabled")));
    return l->pg_on;
}

/* When several modes are switched on, Goverse connects to one: external, else operator, else internal. */
static const IrCond *postgres_mode(Lower *l, PersistenceMode mode)
{
    Arena *a = l->a;
    const IrCond *ext = lower_if(l, "postgres.external.enabled");
    const IrCond *op = ir_cond_and(a, lower_if(l, "postgres.operator.enabled"), ir_cond_not(a, ext));
    switch (mode) {
    case PERSIST_EXTERNAL:
        return ext;
    case PERSIST_OPERATOR:
        return op;
    case PERSIST_INTERNAL:
        return ir_cond_and(a, lower_if(l, "postgres.internal.enabled"), ir_cond_not(a, ir_cond_or(a, ext, op)));
    case PERSIST_NONE:
        break;
    }
    return ir_cond_not(a, lower_postgres_on(l));
}

/* One condition per mode for the whole cluster (the same text wherever it is printed). */
const IrCond *lower_postgres_mode(Lower *l, PersistenceMode mode)
{
    _Static_assert(PERSIST_NONE < 4 && PERSIST_EXTERNAL < 4 && PERSIST_OPERATOR < 4 && PERSIST_INTERNAL < 4,
                   "Lower.pg_mode has a slot per mode");
    if (!l->pg_mode[mode])
        l->pg_mode[mode] = postgres_mode(l, mode);
    return l->pg_mode[mode];
}

/* Nodes read the credentials from the existing Secret (design 3.5) or, with the operator, from
 * the Secret Zalando generates (keys username/password). */
const char *lower_postgres_operator_secret(Lower *l)
{
    return arena_concat(l->a, lower_postgres_operator_user(l), ".", ZALANDO_CLUSTER,
                        ".credentials.postgresql.acid.zalan.do", NULL);
}

static IrNode *pg_isready_probe(Lower *l, int initial, int period, int failures)
{
    Arena *a = l->a;
    IrNode *p = ir_map(a);
    IrNode *cmd = ir_put(a, ir_put(a, p, "exec", ir_map(a)), "command", ir_seq(a));
    static const char *const argv[] = {"pg_isready", "--host=127.0.0.1", "--port=5432", "--quiet"};
    for (size_t i = 0; i < sizeof argv / sizeof argv[0]; i++)
        ir_push(cmd, ir_str(a, argv[i]));
    ir_put(a, p, "initialDelaySeconds", ir_int(a, initial));
    ir_put(a, p, "periodSeconds", ir_int(a, period));
    ir_put(a, p, "timeoutSeconds", ir_int(a, 5));
    ir_put(a, p, "failureThreshold", ir_int(a, failures));
    return p;
}

static IrNode *postgres_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "postgres", "postgres.internal");
    IrNode *port = ir_push(ir_put(a, c, "ports", ir_seq(a)), ir_map(a));
    ir_put(a, port, "containerPort", ir_int(a, 5432));
    ir_put(a, port, "protocol", ir_str(a, "TCP"));
    IrNode *env = ir_put(a, c, "env", ir_seq(a));
    ir_push(env, lower_env_secret(l, "POSTGRES_USER", lower_ref(l, "postgres.existingSecret"), "POSTGRES_USER"));
    ir_push(env, lower_env_secret(l, "POSTGRES_PASSWORD", lower_ref(l, "postgres.existingSecret"), "POSTGRES_PASSWORD"));
    ir_push(env, lower_env_secret(l, "POSTGRES_DB", lower_ref(l, "postgres.existingSecret"), "POSTGRES_DB"));
    ir_push(env, lower_env_value(l, "PGDATA", ir_str(a, "/var/lib/postgresql/data/pgdata")));
    ir_push(ir_put(a, c, "volumeMounts", ir_seq(a)), lower_volume_mount(l, "postgres-data", "/var/lib/postgresql/data"));
    ir_put(a, c, "resources", lower_resources(l, "postgres.internal"));
    /* pg_isready asks the server whether it accepts connections (no login): the entrypoint's
     * initdb server listens on the socket only, so TCP answers once the real server is up. */
    ir_put(a, c, "livenessProbe", pg_isready_probe(l, 30, 10, 6));
    ir_put(a, c, "readinessProbe", pg_isready_probe(l, 5, 10, 3));
    return c;
}

static void internal_objects(Lower *l)
{
    Arena *a = l->a;
    const IrCond *on = lower_if(l, "postgres.internal.enabled");
    IrObject *svc = ir_object(a, l->ir, "postgres/service.yaml", "postgres", "v1", "Service", "postgres", on);
    /* The StatefulSet's governing Service: headless (each pod gets its DNS name, `postgres`
     * resolves to the ready pods). */
    IrNode *port = ir_push(lower_service(l, svc, "postgres", "postgres", "postgres", true), ir_map(a));
    ir_put(a, port, "port", ir_int(a, 5432));
    ir_put(a, port, "targetPort", ir_int(a, 5432));
    ir_put(a, port, "protocol", ir_str(a, "TCP"));

    IrObject *o = ir_object(a, l->ir, "postgres/statefulset.yaml", "postgres", "apps/v1", "StatefulSet", "postgres", on);
    IrNode *spec = lower_workload(l, o, "postgres", "postgres");
    ir_put(a, spec, "serviceName", ir_str(a, "postgres"));
    ir_put(a, spec, "replicas", lower_ref(l, "postgres.internal.replicas"));
    ir_put(a, spec, "selector", lower_selector(l, "postgres"));
    lower_pod_template(l, spec, "postgres", "postgres", NULL, postgres_container(l), false);
    ir_push(ir_put(a, spec, "volumeClaimTemplates", ir_seq(a)), lower_vct(l, "postgres-data", "postgres.internal"));
}

static void operator_object(Lower *l)
{
    Arena *a = l->a;
    IrObject *o = ir_object(a, l->ir, "postgres/postgresql.yaml", "postgres", "acid.zalan.do/v1", "postgresql",
                            ZALANDO_CLUSTER, lower_if(l, "postgres.operator.enabled"));
    ir_put(a, o->root, "apiVersion", ir_str(a, "acid.zalan.do/v1"));
    ir_put(a, o->root, "kind", ir_str(a, "postgresql"));
    ir_put(a, o->root, "metadata", lower_metadata(l, ZALANDO_CLUSTER, ZALANDO_CLUSTER, "postgres"));
    IrNode *spec = ir_put(a, o->root, "spec", ir_map(a));
    ir_put(a, spec, "teamId", lower_ref(l, "postgres.operator.teamId"));
    IrNode *vol = ir_put(a, spec, "volume", ir_map(a));
    ir_put(a, vol, "size", lower_ref(l, "postgres.operator.storage.size"));
    ir_when(l->a, ir_put(a, vol, "storageClass", lower_ref(l, "postgres.operator.storage.storageClass")),
            lower_if(l, "postgres.operator.storage.storageClass"));
    ir_put(a, spec, "numberOfInstances", lower_ref(l, "postgres.operator.instances"));
    const char *user = lower_postgres_operator_user(l);
    IrNode *roles = ir_put(a, ir_put(a, spec, "users", ir_map(a)), user, ir_seq(a));
    ir_push(roles, ir_str(a, "superuser"));
    ir_push(roles, ir_str(a, "createdb"));
    ir_put(a, ir_put(a, spec, "databases", ir_map(a)), lower_postgres_operator_database(l), ir_str(a, user));
    ir_put(a, ir_put(a, spec, "postgresql", ir_map(a)), "version", lower_ref(l, "postgres.operator.version"))->style =
        STYLE_QUOTED;
    ir_put(a, spec, "resources", lower_resources(l, "postgres.operator"));
}

void lower_postgres_objects(Lower *l)
{
    internal_objects(l);
    operator_object(l);
}
