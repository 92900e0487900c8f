/* cluster.c - converters for the cluster-level keys: namespace, kubernetes, tier, cloud, zones,
 * shards, rules (tiers only), persistence (its mode decides which defaults apply), inspector and
 * monitoring. The tier and cloud layers themselves are applied by resolve.c. */
#include <string.h>

#include "check/checkint.h"

static bool is_word(const Value *v, const char *w)
{
    return v && v->kind == VAL_IDENT && !strcmp(v->u.text, w);
}

bool key_namespace(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    (void)def;
    return ty_dns_label(ck, st->args, "namespace", &((Cluster *)target)->namespace_name);
}

bool key_kubernetes(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Cluster *c = target;
    (void)def;
    return ty_kube_version(ck, st->args, &c->kube_major, &c->kube_minor);
}

/* Reports an unknown library name: suggestion, or a hint to `use` the library. */
static void unknown_decl(Checker *ck, const Value *v, const char *what, const char *lib,
                         const Decl *const *decls, int n)
{
    const char **names = ARENA_ARRAY(ck->arena, const char *, n ? n : 1);
    for (int i = 0; i < n; i++)
        names[i] = decls[i]->name;
    Diag *d = ck_error(ck, v->span, "unknown %s `%s`", what, v->u.text);
    const char *s = diag_suggest(v->u.text, names, (size_t)n);
    if (s)
        ck_help(ck, d, "did you mean `%s`?", s);
    else if (!resolve_library_loaded(ck, lib))
        ck_help(ck, d, "%ss are declared in the standard library: add `use \"%s\"`", what, lib);
    else
        ck_help(ck, d, "known %ss: %s", what, ck_list_names(ck, names, n));
}

bool key_tier(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    const char *name;
    if (!ty_word(ck, st->args, "a tier", &name))
        return false;
    if (!resolve_find(ck->tiers, ck->ntiers, name)) {
        unknown_decl(ck, st->args, "tier", "tiers", ck->tiers, ck->ntiers);
        return false;
    }
    (void)def;
    ((Cluster *)target)->tier = name;
    return true;
}

bool key_cloud(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    const char *name;
    if (!ty_word(ck, st->args, "a cloud", &name))
        return false;
    const Decl *cloud = resolve_find(ck->clouds, ck->nclouds, name);
    if (!cloud) {
        unknown_decl(ck, st->args, "cloud", "clouds", ck->clouds, ck->nclouds);
        return false;
    }
    (void)def;
    ((Cluster *)target)->cloud = name;
    if (ck->facts) {
        ck->facts->cloud = cloud;
        ck->facts->cloud_span = st->span;
    }
    return true;
}

bool key_zones(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Cluster *c = target;
    const Value *v = st->args;
    if (v->kind != VAL_LIST)
        return schema_arity_error(ck, st, def, "needs a list");
    const char **zones = ARENA_ARRAY(ck->arena, const char *, v->u.list.count + 1);
    const Value **where = ARENA_ARRAY(ck->arena, const Value *, v->u.list.count + 1);
    int n = 0;
    bool ok = true;
    for (const Value *it = v->u.list.items; it; it = it->next) {
        const char *z;
        if (!ty_string(ck, it, "a zone", &z) || !ty_host(ck, it, &z)) {
            ok = false;
            continue;
        }
        for (int i = 0; i < n; i++)
            if (!strcmp(zones[i], z)) {
                Diag *d = ck_error(ck, it->span, "zone `%s` is listed twice", z);
                ck_note(ck, d, where[i]->span, "first listed here");
                ok = false;
            }
        where[n] = it;
        zones[n++] = z;
    }
    if (!ok)
        return false;
    c->zones = zones;
    c->nzones = n;
    if (ck->facts)
        ck->facts->zones_span = ck_span(ck, st->span);
    return true;
}

/* Goverse's gates and inspector run in flag mode (a Deployment's pods have no stable identity to
 * list in the config file), and flag mode always uses 8192 shards; a node that read another count
 * from its config would place objects where the gates never look. */
bool key_shards(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    int n;
    (void)def;
    if (!ty_int(ck, st->args, "`shards`", 1, 65536, &n))
        return false;
    if (n != GOVERSE_SHARDS) {
        Diag *d = ck_error(ck, st->args->span, "Goverse clusters deployed by goversec have %d shards, found %d",
                           GOVERSE_SHARDS, n);
        ck_help(ck, d, "gates and the inspector take their shard count only from flags, which fix it at %d: "
                       "remove `shards` or write `shards %d`", GOVERSE_SHARDS, GOVERSE_SHARDS);
        return false;
    }
    ((Cluster *)target)->shards = n;
    return true;
}

bool key_rules(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    static const char *const words[] = {"relaxed", "strict"};
    int i;
    (void)def;
    if (!ty_enum(ck, st->args, "rule set", words, 2, &i))
        return false;
    ((Cluster *)target)->strict = i == 1;
    return true;
}

/* persistence none | postgres internal|external {...} | postgres operator zalando {...}.
 * A different mode than the inherited one starts from that mode's defaults; the same mode
 * merges key by key. */
bool key_persistence(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Persistence *p = &((Cluster *)target)->postgres;
    const Value *v = st->args;
    PersistenceMode mode;
    if (is_word(v, "none") && st->nargs == 1 && !st->block) {
        p->mode = PERSIST_NONE;
        p->span = ck_span(ck, st->span);
        return true;
    }
    const Value *m = v->next;
    if (!is_word(v, "postgres") || !m)
        return schema_arity_error(ck, st, def, "has an unknown form");
    if (is_word(m, "internal") && st->nargs == 2)
        mode = PERSIST_INTERNAL;
    else if (is_word(m, "external") && st->nargs == 2)
        mode = PERSIST_EXTERNAL;
    else if (is_word(m, "operator") && st->nargs == 3 && is_word(m->next, "zalando"))
        mode = PERSIST_OPERATOR;
    else
        return schema_arity_error(ck, st, def, "has an unknown form");
    if (p->mode != mode)
        defaults_postgres(ck, p, mode);
    unsigned before = ck->diags->errors;
    schema_apply(ck, def->sub, st->block, p, DECL_CLUSTER);
    if (ck->facts)
        ck->facts->postgres_block_errors = ck->diags->errors > before;
    p->span = ck_span(ck, st->span);
    return true;
}

bool key_inspector(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Component *in = (Component *)((char *)target + def->offset);
    if (st->nargs == 1) {
        if (!is_word(st->args, "off") || st->block)
            return schema_arity_error(ck, st, def, "takes a block or `off`");
        in->enabled = false;
        return true;
    }
    if (!st->block)
        return schema_arity_error(ck, st, def, "needs a block");
    schema_apply(ck, def->sub, st->block, in, DECL_CLUSTER);
    in->enabled = true;
    in->span = ck_span(ck, st->span);
    return true;
}

bool key_monitoring(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    Monitoring *m = &((Cluster *)target)->monitoring;
    if (is_word(st->args, "off") && !st->block) {
        m->prometheus = false;
        return true;
    }
    if (!is_word(st->args, "prometheus"))
        return schema_arity_error(ck, st, def, "expects `prometheus` or `off`");
    m->prometheus = true;
    if (!m->interval_ms)
        m->interval_ms = 30000;
    schema_apply(ck, def->sub, st->block, m, DECL_CLUSTER);
    m->span = ck_span(ck, st->span);
    return true;
}

/* `interval` of `monitoring prometheus`: the scrape interval. The alert rules and dashboard rate
 * over 5-minute windows, which need at least two scrapes, and Prometheus marks a series stale
 * after 5 minutes without a sample; below 1s the scrapes load the nodes for no insight. */
bool key_scrape_interval(Checker *ck, const Stmt *st, void *target, const KeyDef *def)
{
    int64_t ms;
    if (!ty_duration(ck, st->args, &ms))
        return false;
    if (ms < 1000 || ms > 120000) {
        Diag *d = ck_error(ck, st->args->span, "scrape interval `%s` must be between 1s and 2m", st->args->u.text);
        ck_help(ck, d, ms < 1000 ? "scraping more often than every second loads the nodes: write `interval 1s` or more"
                                 : "the alert rules rate over 5-minute windows, which need two scrapes: write "
                                   "`interval 2m` or less");
        return false;
    }
    (void)def;
    ((Monitoring *)target)->interval_ms = ms;
    return true;
}
