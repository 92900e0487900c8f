/* keys.c - the converters named in the schema tables for component-level keys: each takes one
 * statement whose shape (arity, block) the walker already checked, converts its arguments through
 * types.c and stores them at the table's offset in the target struct. */
#include <stdlib.h>
#include <string.h>

#include "check/checkint.h"
#include "support/names.h"

#define AT(T, target, def) ((T *)((char *)(target) + (def)->offset))

static Value *arg(const Stmt *st, int i)
{
    Value *v = st->args;
    while (v && i-- > 0)
        v = v->next;
    return v;
}

static bool is_word(const Value *v, const char *w)
{
    return v && v->kind == VAL_IDENT && !strcmp(v->u.text, w);
}

static void record_span(Checker *ck, void *target, const KeyDef *def, Span span)
{
    if (def->span_offset)
        *(Span *)((char *)target + def->span_offset) = ck_span(ck, span);
}

/* "`name`", the key as messages quote it. Built for every statement checked (the messages that
 * need it come later): two memcpy, not printf. */
static const char *quoted(Checker *ck, const char *name)
{
    size_t n = strlen(name);
    char *q = arena_alloc_raw(ck->arena, n + 3);
    q[0] = '`';
    memcpy(q + 1, name, n);
    q[n + 1] = '`';
    q[n + 2] = '\0';
    return q;
}

bool key_int(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    const char *what = quoted(ck, def->name);
    if (!ty_int(ck, st->args, what, def->lo, def->hi, AT(int, target, def)))
        return false;
    record_span(ck, target, def, st->span);
    return true;
}

bool key_replicas(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    if (!key_int(ck, st, target, def))
        return false;
    record_span(ck, target, def, st->args->span);
    if (ck->facts && ck->layer != LAYER_TIER && target == ck->facts->gates_target)
        ck->facts->gates_replicas = st->args->span;
    return true;
}

bool key_port(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    return ty_port(ck, st->args, AT(int, target, def));
}

bool key_string(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    return ty_string(ck, st->args, quoted(ck, def->name), AT(const char *, target, def));
}

bool key_word(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    const Value *v = st->args;
    if (v->kind == VAL_NUMBER) { /* `version 15` */
        *AT(const char *, target, def) = v->u.text;
        return true;
    }
    return ty_word(ck, v, quoted(ck, def->name), AT(const char *, target, def));
}

bool key_host(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    return ty_host(ck, st->args, AT(const char *, target, def));
}

bool key_duration(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    return ty_duration(ck, st->args, AT(int64_t, target, def));
}

bool key_percent(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    return ty_percent(ck, st->args, AT(int, target, def));
}

bool key_onoff(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    return ty_onoff(ck, st->args, AT(bool, target, def));
}

bool key_image(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Image *img = AT(Image, target, def);
    Image parsed = *img;
    if (!ty_image(ck, st->args, &parsed))
        return false;
    *img = parsed;
    return true;
}

bool key_pull(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    static const char *const words[] = {"always", "if-not-present", "never"};
    static const char *const policies[] = {"Always", "IfNotPresent", "Never"};
    int i;
    if (!ty_enum(ck, st->args, "pull policy", words, 3, &i))
        return false;
    AT(Image, target, def)->pull_policy = policies[i];
    return true;
}

/* `cpu 500m` or `cpu 500m .. 2`; a single value keeps the current limit unless it exceeds it. */
static bool resource_value(Checker *ck, const Stmt *st, Quantity *req, Quantity *lim, bool *has_lim,
                           Span *span, bool (*conv)(Checker *, const Value *, Quantity *))
{
    const Value *v = st->args;
    Quantity r, l;
    if (v->kind == VAL_RANGE) {
        bool ok = conv(ck, v->u.range.lo, &r);
        ok = conv(ck, v->u.range.hi, &l) && ok;
        if (!ok)
            return false;
        *req = r;
        *lim = l;
        *has_lim = true;
    } else {
        if (!conv(ck, v, &r))
            return false;
        *req = r;
        if (!*has_lim || lim->milli < r.milli) {
            *lim = r;
            *has_lim = true;
        }
    }
    *span = ck_span(ck, v->span);
    return true;
}

bool key_cpu(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Resources *r = AT(Resources, target, def);
    return resource_value(ck, st, &r->cpu_request, &r->cpu_limit, &r->has_cpu_limit, &r->cpu_span, ty_cpu);
}

bool key_memory(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Resources *r = AT(Resources, target, def);
    return resource_value(ck, st, &r->memory_request, &r->memory_limit, &r->has_memory_limit, &r->memory_span,
                          ty_memory);
}

/* storage SIZE [on CLASS] | storage none */
bool key_storage(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Storage *s = AT(Storage, target, def);
    const Value *v = st->args;
    if (is_word(v, "none") && st->nargs == 1) {
        s->enabled = false;
        s->span = ck_span(ck, st->span);
        return true;
    }
    if (st->nargs == 2 || (st->nargs == 3 && !is_word(arg(st, 1), "on")))
        return schema_arity_error(ck, st, def, "has a malformed storage class");
    Quantity size;
    if (!ty_memory(ck, v, &size))
        return false;
    const char *cls = s->logical_class;
    if (st->nargs == 3 && !ty_word(ck, arg(st, 2), "a storage class", &cls))
        return false;
    s->enabled = true;
    s->size = size;
    s->logical_class = cls;
    s->span = ck_span(ck, st->span);
    return true;
}

/* `every 6h` becomes a cron step on hours: the interval must divide its unit so the schedule
 * stays regular (minutes dividing 60, hours dividing 24, or whole days). */
static const char *cron_every(Checker *ck, const Value *v)
{
    int64_t ms;
    if (!ty_duration(ck, v, &ms))
        return NULL;
    const int64_t MIN = 60000, HOUR = 60 * MIN, DAY = 24 * HOUR;
    if (ms % DAY == 0 && ms / DAY <= 31)
        return ms == DAY ? "0 0 * * *" : arena_printf(ck->arena, "0 0 */%d * *", (int)(ms / DAY));
    if (ms % HOUR == 0 && ms < DAY && 24 % (ms / HOUR) == 0)
        return ms == HOUR ? "0 * * * *" : arena_printf(ck->arena, "0 */%d * * *", (int)(ms / HOUR));
    if (ms % MIN == 0 && ms < HOUR && 60 % (ms / MIN) == 0)
        return ms == MIN ? "* * * * *" : arena_printf(ck->arena, "*/%d * * * *", (int)(ms / MIN));
    Diag *d = ck_error(ck, v->span, "backup interval `%s` cannot be written as a cron schedule", v->u.text);
    ck_help(ck, d, "use minutes that divide 60, hours that divide 24, or whole days (`30m`, `6h`, `1d`)");
    return NULL;
}

static bool backup_keep(Checker *ck, const Stmt *st, const KeyDef *def, int at, int *keep)
{
    if (st->nargs != at + 2 || !is_word(arg(st, at), "keep"))
        return schema_arity_error(ck, st, def, "must end with `keep N`");
    return ty_int(ck, arg(st, at + 1), "`keep`", 1, 10000, keep);
}

bool key_backup(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Backup *b = AT(Backup, target, def);
    const Value *v = st->args;
    const char *cron = NULL;
    int keep = 0;
    if (is_word(v, "off") && st->nargs == 1) {
        b->enabled = false;
        return true;
    }
    if (is_word(v, "every") && st->nargs >= 2) {
        cron = cron_every(ck, arg(st, 1));
        if (!backup_keep(ck, st, def, 2, &keep) || !cron)
            return false;
    } else if (is_word(v, "daily") && st->nargs >= 3 && is_word(arg(st, 1), "at")) {
        int h, m;
        bool ok = ty_clock(ck, arg(st, 2), &h, &m);
        if (!backup_keep(ck, st, def, 3, &keep) || !ok)
            return false;
        cron = arena_printf(ck->arena, "%d %d * * *", m, h);
    } else {
        return schema_arity_error(ck, st, def, "has an unknown schedule");
    }
    b->enabled = true;
    b->cron = cron;
    b->keep = keep;
    b->span = ck_span(ck, st->span);
    return true;
}

bool key_disruption(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Disruption *d = AT(Disruption, target, def);
    const Value *v = st->args;
    bool is_min = is_word(v, "min");
    if (!is_min && !is_word(v, "max"))
        return schema_arity_error(ck, st, def, "must say `min` or `max`");
    int n;
    if (!ty_int(ck, arg(st, 1), is_min ? "`disruption min`" : "`disruption max`", is_min ? 0 : 1, 1000, &n))
        return false;
    d->enabled = true;
    d->min_available = is_min ? n : -1;
    d->max_unavailable = is_min ? -1 : n;
    d->span = ck_span(ck, st->span);
    return true;
}

bool key_autoscale(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Autoscale *a = AT(Autoscale, target, def);
    const Value *v = st->args;
    if (v->kind != VAL_RANGE)
        return schema_arity_error(ck, st, def, "needs a replica range");
    int lo, hi;
    bool ok = ty_int(ck, v->u.range.lo, "autoscale minimum", 1, 1000, &lo);
    ok = ty_int(ck, v->u.range.hi, "autoscale maximum", 1, 1000, &hi) && ok;
    if (ok && lo > hi) {
        Diag *d = ck_error(ck, v->span, "autoscale minimum %d is greater than the maximum %d", lo, hi);
        ck_help(ck, d, "write `autoscale MIN .. MAX` with MIN <= MAX");
        ok = false;
    }
    if (!ok) {
        /* Still check the metrics block, so one run reports its errors too. */
        Autoscale scratch = *a;
        schema_apply(ck, def->sub, st->block, &scratch, DECL_CLUSTER);
        return false;
    }
    a->enabled = true;
    a->min_replicas = lo;
    a->max_replicas = hi;
    if (!a->cpu_percent && !a->memory_percent && !st->block)
        a->cpu_percent = 80;
    schema_apply(ck, def->sub, st->block, a, DECL_CLUSTER);
    a->span = ck_span(ck, st->span);
    if (ck->facts && ck->layer != LAYER_TIER)
        ck->facts->gates_autoscale = st->span;
    return true;
}

/* Design 7.3 advises against an HPA on nodes: each scale step moves shards and their objects. */
bool key_nodes_autoscale(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    (void)target;
    (void)def;
    Diag *d = ck_error(ck, st->key_span, "nodes cannot autoscale");
    ck_help(ck, d, "every scale step moves shards and their objects between nodes: set `replicas N` and scale "
                   "by hand (or autoscale the gates)");
    return false;
}

bool key_ingress(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Ingress *in = AT(Ingress, target, def);
    const Value *v = st->args;
    if (is_word(v, "off")) {
        if (st->block)
            return schema_arity_error(ck, st, def, "`off` does not take a block");
        in->enabled = false;
        return true;
    }
    Ingress next = *in;
    if (v && !ty_host(ck, v, &next.host))
        return false;
    schema_apply(ck, def->sub, st->block, &next, DECL_CLUSTER);
    next.enabled = true;
    next.span = ck_span(ck, st->span);
    *in = next;
    return true;
}

bool key_ports(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    schema_apply(ck, def->sub, st->block, target, DECL_CLUSTER);
    return true;
}

bool key_block(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    void *sub = (char *)target + def->offset;
    schema_apply(ck, def->sub, st->block, sub, DECL_CLUSTER);
    if (def->sub == &SCHEMA_NODES || def->sub == &SCHEMA_GATES)
        ((Component *)sub)->span = ck_span(ck, st->span);
    else if (def->sub == &SCHEMA_ETCD)
        ((Etcd *)sub)->span = ck_span(ck, st->span);
    else if (def->sub == &SCHEMA_SECURITY)
        ((Security *)sub)->span = ck_span(ck, st->span);
    return true;
}

bool key_endpoints(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Etcd *e = (Etcd *)target;
    (void)def;
    const Value *v = st->args;
    if (v->kind != VAL_LIST)
        return schema_arity_error(ck, st, def, "needs a list of endpoints");
    const char **eps = ARENA_ARRAY(ck->arena, const char *, v->u.list.count + 1);
    int n = 0;
    bool ok = true;
    for (const Value *it = v->u.list.items; it; it = it->next) {
        const char *t;
        if (!ty_string(ck, it, "an etcd endpoint", &t)) {
            ok = false;
            continue;
        }
        const char *colon = strrchr(t, ':');
        int port = 0;
        if (colon)
            port = atoi(colon + 1);
        char *host = colon ? arena_strndup(ck->arena, t, (size_t)(colon - t)) : NULL;
        if (!colon || port < 1 || port > 65535 || names_hostname_error(host)) {
            Diag *d = ck_error(ck, it->span, "invalid etcd endpoint `%s`", t);
            ck_help(ck, d, "write endpoints as \"HOST:PORT\", e.g. \"etcd.example.com:2379\"");
            ok = false;
            continue;
        }
        eps[n++] = t;
    }
    if (!ok)
        return false;
    if (n == 0)
        return schema_arity_error(ck, st, def, "needs at least one endpoint");
    e->external = true;
    e->endpoints = eps;
    e->nendpoints = n;
    return true;
}

bool key_credentials(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    if (!is_word(st->args, "secret"))
        return schema_arity_error(ck, st, def, "must name a Secret");
    const char *name;
    if (!ty_dns_label(ck, arg(st, 1), "Secret name", &name))
        return false;
    *AT(const char *, target, def) = name;
    return true;
}

bool key_sslmode(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    static const char *const modes[] = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};
    int i;
    if (!ty_enum(ck, st->args, "sslmode", modes, 6, &i))
        return false;
    *AT(const char *, target, def) = modes[i];
    return true;
}

bool key_pod_security(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    static const char *const levels[] = {"none", "privileged", "baseline", "restricted"};
    int i;
    if (!ty_enum(ck, st->args, "pod security level", levels, 4, &i))
        return false;
    *AT(PodSecurity, target, def) = (PodSecurity)i; /* same order as the enum */
    ((Security *)target)->pod_security_span = ck_span(ck, st->span);
    return true;
}

bool key_network(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    static const char *const modes[] = {"open", "isolated"};
    int i;
    if (!ty_enum(ck, st->args, "network mode", modes, 2, &i))
        return false;
    *AT(NetworkMode, target, def) = i == 0 ? NETWORK_OPEN : NETWORK_ISOLATED;
    ((Security *)target)->network_span = ck_span(ck, st->span);
    return true;
}

/* tls mtls [issuer "X"] | tls off */
bool key_tls(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Security *s = (Security *)target;
    if (is_word(st->args, "off") && st->nargs == 1) {
        s->mtls = false;
        return true;
    }
    if (!is_word(st->args, "mtls") || st->nargs == 2 || (st->nargs == 3 && !is_word(arg(st, 1), "issuer")))
        return schema_arity_error(ck, st, def, "expects `mtls` or `off`");
    if (st->nargs == 3 && !ty_string(ck, arg(st, 2), "the mTLS issuer", &s->tls_issuer))
        return false;
    s->mtls = true;
    s->tls_span = st->span;
    return true;
}

/* class LOGICAL "PROVIDER-CLASS" (cloud declarations); the mapping is read again by resolve.c. */
bool key_class(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    (void)target;
    (void)def;
    const char *logical, *real;
    bool ok = ty_word(ck, st->args, "a logical storage class", &logical);
    return ty_string(ck, arg(st, 1), "a storage class", &real) && ok;
}
