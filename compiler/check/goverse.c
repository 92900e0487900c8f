/* goverse.c - what Goverse's own binaries can express (github.com/xiaonanln/goverse: the gate's
 * gateconfig, the node's serverconfig, the inspector's inspectorconfig and config.LoadConfig).
 * A description that asks for something those programs cannot be told gets a located diagnostic
 * here instead of a cluster that silently runs without it. The shard count is checked where it is
 * read (cluster.c key_shards). */
#include "check/checkint.h"

static Span located(Span a, Span b) { return a.file >= 0 ? a : b; }

/* Goverse reads no TLS setting: no flag, no config key (LoadConfig drops unknown keys). */
static void check_tls(Checker *ck, const Cluster *c)
{
    const Security *s = &c->security;
    if (!s->mtls || !s->tls_issuer || !*s->tls_issuer) /* without an issuer: an error already */
        return;
    Diag *d = ck_warning(ck, located(s->tls_span, located(s->span, c->name_span)),
                         "Goverse takes no TLS settings: `tls mtls` issues certificates, but gates, nodes and the "
                         "inspector still talk plaintext gRPC");
    ck_help(ck, d, "the certificates are mounted at /etc/goverse/tls for a mesh or sidecar to use; keep "
                   "`network isolated` so only the cluster's own pods reach those ports");
}

/* Every Goverse process gives its etcd client exactly one address (config: the first endpoint). */
static void check_etcd_endpoints(Checker *ck, const Cluster *c)
{
    if (!c->etcd.external || c->etcd.nendpoints <= 1)
        return;
    Diag *d = ck_warning(ck, located(c->etcd.span, c->name_span),
                         "Goverse connects to one etcd address: only \"%s\" of the %d external endpoints is used",
                         c->etcd.endpoints[0], c->etcd.nendpoints);
    ck_help(ck, d, "give one address that reaches every member (a load-balanced DNS name), so losing that "
                   "member does not cut the cluster off");
}

void goverse_check_cluster(Checker *ck, const Cluster *c)
{
    check_tls(ck, c);
    check_etcd_endpoints(ck, c);
}
