/* rules.c - cross-field rules, run once every layer (defaults, tier, ancestors, the cluster) is
 * applied: requests within limits, quorum, port collisions, persistence and ingress completeness,
 * storage classes through the cloud preset, image tags and the production (strict) rules. */
#include <string.h>

#include "check/checkint.h"

static Span pick(Span a, Span b, Span c)
{
    return a.file >= 0 ? a : b.file >= 0 ? b : c;
}

static void check_resources(Checker *ck, const Resources *r, const char *who, Span fallback)
{
    char a[32], b[32];
    if (r->has_cpu_limit && r->cpu_request.milli > r->cpu_limit.milli) {
        Diag *d = ck_error(ck, pick(r->cpu_span, fallback, SPAN_NONE), "%s CPU request %s is greater than its limit %s",
                           who, quantity_format(r->cpu_request, a, sizeof a), quantity_format(r->cpu_limit, b, sizeof b));
        ck_help(ck, d, "write `cpu REQUEST .. LIMIT` with REQUEST <= LIMIT");
    }
    if (r->has_memory_limit && r->memory_request.milli > r->memory_limit.milli) {
        Diag *d = ck_error(ck, pick(r->memory_span, fallback, SPAN_NONE),
                           "%s memory request %s is greater than its limit %s", who,
                           quantity_format(r->memory_request, a, sizeof a), quantity_format(r->memory_limit, b, sizeof b));
        ck_help(ck, d, "write `memory REQUEST .. LIMIT` with REQUEST <= LIMIT");
    }
}

static void check_ports(Checker *ck, int a, int b, const char *na, const char *nb, const char *who, Span span)
{
    if (a == b) {
        Diag *d = ck_error(ck, span, "%s `%s` and `%s` ports are both %d", who, na, nb, a);
        ck_help(ck, d, "each port of a component must be distinct");
    }
}

static void check_ingress(Checker *ck, const Ingress *in, const char *who)
{
    if (in->enabled && in->tls_secret && !in->host) {
        Diag *d = ck_error(ck, in->span, "%s ingress has TLS but no host", who);
        ck_help(ck, d, "name the host the certificate is for: `ingress \"HOST\" { tls \"%s\" }`", in->tls_secret);
    }
}

/* Maps a logical class through the cloud preset; with no cloud the name is used literally. */
static const char *map_class(Checker *ck, const Cluster *c, const char *logical, Span span)
{
    const Decl *cloud = ck->facts->cloud;
    if (!logical || !cloud)
        return logical;
    const char *mapped[32];
    int n = 0;
    for (const Stmt *st = cloud->body ? cloud->body->stmts : NULL; st; st = st->next) {
        if (strcmp(st->key, "class") || st->nargs != 2 || st->args->next->kind != VAL_STRING)
            continue;
        if (!strcmp(st->args->u.text, logical))
            return st->args->next->u.text;
        if (n < 32)
            mapped[n++] = st->args->u.text;
    }
    Diag *d = ck_error(ck, pick(span, ck->facts->cloud_span, c->name_span),
                       "storage class `%s` is not mapped by cloud `%s`", logical, c->cloud);
    ck_help(ck, d, "cloud `%s` maps %s", c->cloud, ck_list_names(ck, mapped, n));
    return logical;
}

static void resolve_storage(Checker *ck, const Cluster *c, Storage *s)
{
    if (s->enabled)
        s->storage_class = map_class(ck, c, s->logical_class, s->span);
}

static void fill_backup(Backup *b, const Storage *s)
{
    if (b->enabled && !b->size.milli) {
        b->size = s->size;
        b->storage_class = s->storage_class;
    }
}

/* A tag floats when the registry may move it to another build: `latest` and other names without a
 * version (`stable`, `alpine`), or a bare major version (`15`, `v3`, `15-alpine`). A version with
 * two parts or more (`15.10`, `1.36.1`, `v3.5.11`) is taken as exact; a digest pins any tag. */
static bool floating_tag(const Image *img)
{
    if (img->digest)
        return false;
    const char *t = img->tag + (img->tag[0] == 'v' || img->tag[0] == 'V');
    if (*t < '0' || *t > '9')
        return true;
    while (*t >= '0' && *t <= '9')
        t++;
    return !(t[0] == '.' && t[1] >= '0' && t[1] <= '9');
}

static const char *image_text(Checker *ck, const Image *img)
{
    return arena_concat(ck->arena, img->registry && *img->registry ? img->registry : "",
                        img->registry && *img->registry ? "/" : "", img->repository, ":", img->tag, NULL);
}

static void check_image(Checker *ck, const Cluster *c, Image *img, const char *who)
{
    const ClusterFacts *f = ck->facts;
    if (!img->registry || !*img->registry)
        img->registry = c->registry;
    if (!strcmp(img->tag, "latest") && img->span.file >= 0) {
        Diag *d = ck_strict(ck, c->strict, img->span, "%s image uses the `latest` tag", who);
        ck_help(ck, d, "pin a version so every pod runs the same build%s", c->strict ? " (required by this tier)" : "");
    } else if (c->strict && floating_tag(img) && img->span.file >= 0) {
        Diag *d = ck_error(ck, img->span, "%s image `%s` floats: tag `%s` is not an exact version", who,
                           image_text(ck, img), img->tag);
        ck_help(ck, d, "pin the exact release (e.g. `%s.N`) or add a digest (required by this tier)", img->tag);
    } else if (c->strict && floating_tag(img) && strcmp(who, "nodes") && strcmp(who, "gates")) {
        /* nodes and gates have their own "needs an explicit image" rule */
        Diag *d = ck_error(ck, pick(f->tier_span, c->name_span, SPAN_NONE),
                           "tier `%s` needs a pinned %s image: the default `%s` floats", c->tier, who,
                           image_text(ck, img));
        ck_help(ck, d, "add `image \"%s:VERSION\"` to `%s`", img->repository, who);
    }
}

/* The inspector ships with the nodes (one Goverse release): without an image of its own it takes
 * the nodes' tag, so pinning the nodes pins it too. */
static void inspector_lockstep(Cluster *c)
{
    Image *in = &c->inspector.image;
    const Image *n = &c->nodes.image;
    if (in->span.file >= 0 || n->span.file < 0 || strcmp(n->repository, "goverse/node") != 0)
        return;
    in->tag = n->tag;
    in->digest = NULL;
    if (n->registry && *n->registry && (!in->registry || !*in->registry))
        in->registry = n->registry;
}

static void check_strict(Checker *ck, Cluster *c, const ClusterFacts *f)
{
    if (!c->tier)
        return;
    bool s = c->strict;
    Span tier = f->tier_span;
    if (!c->etcd.external && c->etcd.replicas < 3) {
        Diag *d = ck_strict(ck, s, pick(c->etcd.replicas_span, tier, c->name_span),
                            "tier `%s` needs at least 3 etcd replicas, found %d", c->tier, c->etcd.replicas);
        ck_help(ck, d, "etcd keeps quorum only with 3 or 5 members");
    }
    if (c->nodes.replicas < 3) {
        Diag *d = ck_strict(ck, s, pick(c->nodes.replicas_span, tier, c->name_span),
                            "tier `%s` needs at least 3 node replicas, found %d", c->tier, c->nodes.replicas);
        ck_help(ck, d, "objects survive a node failure only with 3 or more nodes");
    }
    int gates = c->gates.autoscale.enabled ? c->gates.autoscale.min_replicas : c->gates.replicas;
    if (gates < 2) {
        Diag *d = ck_strict(ck, s, pick(c->gates.autoscale.enabled ? c->gates.autoscale.span : c->gates.replicas_span, tier, c->name_span),
                            "tier `%s` needs at least 2 gate replicas, found %d", c->tier, gates);
        ck_help(ck, d, "clients keep a gate to connect to only with 2 or more");
    }
    if (c->postgres.mode == PERSIST_INTERNAL && !c->postgres.backup.enabled) {
        Diag *d = ck_strict(ck, s, pick(c->postgres.span, tier, c->name_span),
                            "tier `%s` needs backups for the in-cluster PostgreSQL", c->tier);
        ck_help(ck, d, "add `backup daily at 02:00 keep 14` to the persistence block");
    }
    if (s && c->nodes.image.span.file < 0) {
        Diag *d = ck_error(ck, pick(c->nodes.span, tier, c->name_span), "tier `%s` needs an explicit nodes image", c->tier);
        ck_help(ck, d, "the default `goverse/node:latest` is not pinned: add `image \"goverse/node:VERSION\"` to `nodes`");
    }
    if (s && c->gates.image.span.file < 0) {
        Diag *d = ck_error(ck, pick(c->gates.span, tier, c->name_span), "tier `%s` needs an explicit gates image", c->tier);
        ck_help(ck, d, "the default `goverse/gate:latest` is not pinned: add `image \"goverse/gate:VERSION\"` to `gates`");
    }
}

/* Members spread evenly over the zones: the busiest zone holds ceil(n/z); losing it leaves the
 * rest. The fewest zones with which `need` members survive the loss of any one zone, or 0 when no
 * number of zones is enough. */
static int busiest_zone(int n, int zones) { return (n + zones - 1) / zones; }

static int zones_needed(int n, int need)
{
    for (int z = 1; z <= n; z++)
        if (n - busiest_zone(n, z) >= need)
            return z;
    return 0;
}


/* An in-cluster etcd with `zones`: can its quorum outlive a zone? */
static void check_etcd_zones(Checker *ck, Cluster *c)
{
    Etcd *e = &c->etcd;
    int n = e->replicas, z = c->nzones, quorum = n / 2 + 1;
    int needed = zones_needed(n, quorum);
    if (e->external || z == 0 || needed == 0 || z >= needed)
        return;
    e->zone_loss_breaks_quorum = true;
    int big = busiest_zone(n, z);
    Diag *d = ck_strict(ck, c->strict, pick(ck->facts->zones_span, e->replicas_span, c->name_span),
                        "etcd quorum does not survive the loss of a zone: %d members over %d zone%s", n, z,
                        z == 1 ? "" : "s");
    if (z == 1)
        ck_help(ck, d, "all %d members run in the one zone: losing it loses every member (a quorum needs %d); "
                       "list at least %d zones", n, quorum, needed);
    else
        ck_help(ck, d, "spread evenly, the zone with %d members takes quorum with it: %d of %d left, a quorum "
                       "of %d members is needed; list at least %d zones", big, n - big, n, quorum, needed);
    Span rs = e->replicas_span, ts = ck->facts->tier_span;
    bool from_tier = rs.file == ts.file && rs.start == ts.start; /* the tier's count: nothing to show */
    if (rs.file >= 0 && !from_tier && ck->facts->zones_span.file >= 0)
        ck_note(ck, d, rs, "members set here");
}

/* A Zalando cluster fails over to a replica (Patroni's leader lock lives in the API server): it
 * survives a zone when some instance runs outside the lost zone. */
static void check_operator_zones(Checker *ck, Cluster *c)
{
    const Persistence *p = &c->postgres;
    int n = p->instances, z = c->nzones;
    int needed = zones_needed(n, 1);
    if (p->mode != PERSIST_OPERATOR || z == 0 || needed == 0 || z >= needed)
        return;
    Diag *d = ck_strict(ck, c->strict, pick(ck->facts->zones_span, p->span, c->name_span),
                        "the PostgreSQL cluster does not survive the loss of a zone: %d instances over %d zone", n, z);
    ck_help(ck, d, "every instance runs in the one zone: losing it leaves no replica to fail over to; list "
                   "at least %d zones", needed);
}

static void check_etcd(Checker *ck, Cluster *c)
{
    Etcd *e = &c->etcd;
    if (!e->external && e->replicas % 2 == 0) {
        Diag *d = ck_error(ck, pick(e->replicas_span, e->span, c->name_span),
                           "etcd needs an odd number of replicas for quorum, found %d", e->replicas);
        ck_help(ck, d, "use %d or %d", e->replicas - 1, e->replicas + 1);
    }
    check_resources(ck, &e->resources, "etcd", e->span);
    check_ports(ck, e->client_port, e->peer_port, "client", "peer", "etcd", pick(e->span, c->name_span, SPAN_NONE));
    check_image(ck, c, &e->image, "etcd");
    resolve_storage(ck, c, &e->storage);
    fill_backup(&e->backup, &e->storage);
}

static void check_component(Checker *ck, Cluster *c, Component *k, const char *who)
{
    if (!k->enabled)
        return;
    check_resources(ck, &k->resources, who, k->span);
    Span at = pick(k->span, c->name_span, SPAN_NONE);
    check_ports(ck, k->grpc_port, k->http_port, "grpc", "http", who, at);
    if (k == &c->gates) {
        check_ports(ck, k->grpc_port, k->ops_port, "grpc", "ops", who, at);
        check_ports(ck, k->http_port, k->ops_port, "http", "ops", who, at);
    }
    check_image(ck, c, &k->image, who);
    check_ingress(ck, &k->ingress, who);
    resolve_storage(ck, c, &k->storage);
}

static void check_postgres(Checker *ck, Cluster *c)
{
    Persistence *p = &c->postgres;
    if (p->mode == PERSIST_NONE)
        return;
    if (p->mode == PERSIST_EXTERNAL) {
        if (ck->facts->postgres_block_errors)
            return; /* a misspelt or misplaced setting was reported: "needs X" would follow from it */
        if (!p->host) {
            Diag *d = ck_error(ck, p->span, "external PostgreSQL needs a `host`");
            ck_help(ck, d, "add `host \"db.example.com\"` to the persistence block");
        }
        if (!p->credentials_secret) {
            Diag *d = ck_error(ck, p->span, "external PostgreSQL needs a credentials Secret");
            ck_help(ck, d, "add `credentials secret \"NAME\"` naming an existing Secret");
        }
        return;
    }
    if (p->mode == PERSIST_INTERNAL && !p->host)
        p->host = "postgres";
    check_resources(ck, &p->resources, "postgres", p->span);
    check_image(ck, c, &p->image, "postgres");
    resolve_storage(ck, c, &p->storage);
    fill_backup(&p->backup, &p->storage);
}

static void check_autoscale(Checker *ck, Cluster *c, const ClusterFacts *f)
{
    if (f->gates_replicas.file >= 0 && f->gates_autoscale.file >= 0) {
        Diag *d = ck_error(ck, f->gates_replicas, "gates set both `replicas` and `autoscale`");
        ck_help(ck, d, "the HorizontalPodAutoscaler owns the replica count: remove `replicas`");
        ck_note(ck, d, f->gates_autoscale, "autoscale set here");
    }
    if (c->gates.autoscale.enabled)
        c->gates.replicas = c->gates.autoscale.min_replicas;
}

/* A PodDisruptionBudget must leave something to evict: `min` below the replica count (the
 * autoscaler's minimum for gates), `max` below it too or it protects nothing. */
static void check_disruption(Checker *ck, const Cluster *c, const Component *k, const char *who)
{
    const Disruption *dis = &k->disruption;
    if (!k->enabled || !dis->enabled)
        return;
    bool hpa = k->autoscale.enabled;
    int n = hpa ? k->autoscale.min_replicas : k->replicas;
    const char *count = hpa ? "the autoscaler may scale down to" : n == 1 ? "there is only" : "there are only";
    if (dis->min_available >= n) {
        Diag *d = ck_error(ck, dis->span, "%s `disruption min %d` blocks every eviction: %s %d replica%s", who,
                           dis->min_available, count, n, n == 1 ? "" : "s");
        if (n > 1)
            ck_help(ck, d, "drains and upgrades need a pod they may evict: write `disruption min %d` or "
                           "`disruption max 1`", n - 1);
        else
            ck_help(ck, d, "one replica cannot stay available through a drain: add replicas or remove `disruption`");
    } else if (dis->max_unavailable >= n) {
        Diag *d = ck_strict(ck, c->strict, dis->span, "%s `disruption max %d` allows evicting all %d replicas at once",
                            who, dis->max_unavailable, n);
        ck_help(ck, d, "write `disruption max N` with N below %d", n);
    }
}

/* Restricted pods and default-deny policies are the default; a strict tier still builds a
 * description that opts out, but says what it gives up. */
static void check_opt_outs(Checker *ck, const Cluster *c)
{
    static const char *const levels[] = {"none", "privileged", "baseline", "restricted"};
    const Security *s = &c->security;
    if (!c->strict)
        return;
    if (s->pod_security != PODSEC_RESTRICTED) {
        Diag *d = ck_warning(ck, pick(s->pod_security_span, s->span, c->name_span),
                             "`pod_security %s` in tier `%s`: pods may run as root, keep capabilities and "
                             "write their root filesystem", levels[s->pod_security], c->tier);
        ck_help(ck, d, "production tiers expect the default `pod_security restricted`; remove the line "
                       "unless an image cannot run without it");
    }
    if (s->network == NETWORK_OPEN) {
        Diag *d = ck_warning(ck, pick(s->network_span, s->span, c->name_span),
                             "`network open` in tier `%s`: every pod accepts traffic from anywhere in the cluster",
                             c->tier);
        ck_help(ck, d, "production tiers expect the default `network isolated` (default-deny plus the "
                       "topology's flows); remove the line");
    }
}

/* Design 9: what the security lowering needs (lower_tls.c, lower_netpol.c). */
static void check_security(Checker *ck, const Cluster *c)
{
    const Security *s = &c->security;
    if (s->mtls && !(s->tls_issuer && *s->tls_issuer)) {
        Diag *d = ck_error(ck, pick(s->tls_span, s->span, c->name_span), "`tls mtls` needs a cert-manager issuer");
        ck_help(ck, d, "name the Issuer that signs the certificates: `tls mtls issuer \"ca-issuer\"`");
    }
    check_opt_outs(ck, c);
    if (s->network != NETWORK_ISOLATED || !c->etcd.external)
        return;
    /* One egress port is opened to the external etcd (networkPolicy.externalEtcdPort). */
    const char *first = c->etcd.nendpoints > 0 ? strrchr(c->etcd.endpoints[0], ':') : NULL;
    for (int i = 1; first && i < c->etcd.nendpoints; i++) {
        const char *p = strrchr(c->etcd.endpoints[i], ':');
        if (p && strcmp(p, first) != 0) {
            Diag *d = ck_error(ck, pick(c->etcd.span, s->span, c->name_span),
                               "`network isolated` opens one port to the external etcd, but its endpoints use "
                               "ports %s and %s", first + 1, p + 1);
            ck_help(ck, d, "give every external etcd endpoint the same port");
            return;
        }
    }
}

void rules_check_cluster(Checker *ck, Cluster *c)
{
    check_security(ck, c);
    check_etcd(ck, c);
    inspector_lockstep(c);
    check_component(ck, c, &c->nodes, "nodes");
    check_component(ck, c, &c->gates, "gates");
    check_component(ck, c, &c->inspector, "inspector");
    check_postgres(ck, c);
    check_autoscale(ck, c, ck->facts);
    check_disruption(ck, c, &c->nodes, "nodes");
    check_disruption(ck, c, &c->gates, "gates");
    check_strict(ck, c, ck->facts);
    check_etcd_zones(ck, c);
    check_operator_zones(ck, c);
    gitops_check_cluster(ck, c);
    goverse_check_cluster(ck, c);
}
