/* lower_etcd.c - the etcd quorum (design 3.4): headless Service etcd-headless and StatefulSet etcd,
 * both present only when etcd runs in the cluster (not external). Each member starts through a
 * small init container ("member", the shell image) that writes etcd's config file: a member with
 * data keeps it; a member without data joins the running cluster with initial-cluster-state
 * `existing` once the etcd-membership Job (lower_membership.c) has added it, and bootstraps the
 * ETCD_INITIAL_CLUSTER list (repeated over etcd.replicas) with state `new` only when no member
 * answers at all (a first install). See docs/backup.md, "Changing the number of etcd members". */
#include "lower/lower_internal.h"

void lower_etcd_knobs(Lower *l)
{
    const Etcd *e = &l->cl->etcd;
    lower_knob_bool(l, "etcd.enabled", !e->external, "run etcd in the cluster (ignored when etcd.external.enabled)");
    lower_knob_bool(l, "etcd.external.enabled", e->external, "use an etcd outside the cluster");
    Data *eps = data_seq(l->a);
    for (int i = 0; i < e->nendpoints; i++)
        data_push(eps, data_str(l->a, e->endpoints[i]));
    ir_knob(l->a, l->ir, "etcd.external.endpoints", KNOB_STRING_LIST, eps, "external etcd endpoints (host:port)")
        ->required_when = "etcd.external.enabled";
    Knob *members_knob = lower_knob_int(l, "etcd.replicas", e->replicas > 0 ? e->replicas : 3, 1, 9,
                                        "etcd members: odd (3 or 5) so a quorum survives a failure");
    members_knob->must_be_odd = true;
    lower_knobs_image(l, "etcd", e->external ? NULL : &e->image);
    lower_knobs_resources(l, "etcd", e->external ? NULL : &e->resources);
    lower_knobs_storage(l, "etcd", e->external ? NULL : &e->storage);
    lower_knob_port(l, "etcd.ports.client", e->client_port, 2379, "etcd client port");
    lower_knob_port(l, "etcd.ports.peer", e->peer_port, 2380, "etcd peer port");
}

/* http://$(ETCD_NAME).etcd-headless.NS.svc.cluster.local:PORT */
static IrNode *advertise_url(Lower *l, const char *port_knob)
{
    return lower_concat(l, ir_str(l->a, "http://$(ETCD_NAME).etcd-headless."), lower_namespace_expr(l),
                        ir_str(l->a, ".svc.cluster.local:"), lower_ref(l, port_knob), NULL);
}

/* etcd-I=http://etcd-I.etcd-headless.NS.svc.cluster.local:PEER joined with "," over the replicas:
 * the member list the StatefulSet starts with (and the restore Job rebuilds). */
IrNode *lower_etcd_initial_cluster(Lower *l)
{
    Arena *a = l->a;
    IrNode *member = lower_concat(l, ir_str(a, "etcd-"), ir_index(a), ir_str(a, "=http://etcd-"), ir_index(a),
                                  ir_str(a, ".etcd-headless."), lower_namespace_expr(l),
                                  ir_str(a, ".svc.cluster.local:"), lower_ref(l, "etcd.ports.peer"), NULL);
    IrNode *members = ir_expr(a, EXPR_REPEAT, ir_chain(lower_ref(l, "etcd.replicas"), member, NULL));
    return ir_expr(a, EXPR_JOIN, ir_chain(ir_str(a, ","), members, NULL));
}

static IrNode *listen_url(Lower *l, const char *port_knob)
{
    return lower_concat(l, ir_str(l->a, "http://0.0.0.0:"), lower_ref(l, port_knob), NULL);
}

/* Busybox sh. Member list: the v3 JSON gateway of any other member, serializable (a member that
 * has served before answers without a quorum; one still bootstrapping answers nothing), one
 * member per line. etcd reads only its config file when given one (flags and env ignored). */
static const char ETCD_MEMBER_SCRIPT[] =
    "set -eu\n"
    "conf=/run/etcd/etcd.conf.yml\n"
    "data=\"$ETCD_DATA_DIR\"\n"
    "me=\"$ETCD_INITIAL_ADVERTISE_PEER_URLS\"\n"
    "members() {\n"
    "  i=0\n"
    "  while [ \"$i\" -lt \"$MAX_MEMBERS\" ]; do\n"
    "    if [ \"etcd-$i\" != \"$ETCD_NAME\" ] && out=$(timeout 3 wget -q -O - --post-data '{}' \\\n"
    "        \"http://etcd-$i.$ETCD_DOMAIN:$ETCD_CLIENT_PORT/v3/cluster/member/list\" 2>/dev/null); then\n"
    "      case $out in *'\"members\"'*) echo \"$out\" | tr '{' '\\n' | grep '\"peerURLs\"'; return 0 ;; esac\n"
    "    fi\n"
    "    i=$((i + 1))\n"
    "  done\n"
    "  return 1\n"
    "}\n"
    "start() {\n"
    "  printf '%s\\n' \"name: '$ETCD_NAME'\" \"data-dir: '$data'\" \"listen-client-urls: '$ETCD_LISTEN_CLIENT_URLS'\" \\\n"
    "    \"listen-peer-urls: '$ETCD_LISTEN_PEER_URLS'\" \"advertise-client-urls: '$ETCD_ADVERTISE_CLIENT_URLS'\" \\\n"
    "    \"initial-advertise-peer-urls: '$me'\" \"initial-cluster: '$2'\" \\\n"
    "    \"initial-cluster-token: '$ETCD_INITIAL_CLUSTER_TOKEN'\" \"initial-cluster-state: '$1'\" >\"$conf\"\n"
    "  echo \"etcd-member: $ETCD_NAME starts with initial-cluster-state $1 ($2)\"\n"
    "  exit 0\n"
    "}\n"
    "if [ -d \"$data/member\" ]; then\n"
    "  if list=$(members) && ! echo \"$list\" | grep -qF \"\\\"$me\\\"\"; then\n"
    "    aside=\"$data/member.removed-$(date -u +%Y%m%d%H%M%S)\"\n"
    "    mv \"$data/member\" \"$aside\"\n"
    "    echo \"etcd-member: $ETCD_NAME is not in the running cluster's member list; its old data is now $aside\"\n"
    "  else\n"
    "    start new \"$ETCD_INITIAL_CLUSTER\"\n"
    "  fi\n"
    "fi\n"
    "end=$(($(date +%s) + JOIN_TIMEOUT))\n"
    "while :; do\n"
    "  list=$(members) || start new \"$ETCD_INITIAL_CLUSTER\"\n"
    "  mine=$(echo \"$list\" | grep -F \"\\\"peerURLs\\\":[\\\"$me\\\"\" || true)\n"
    "  if [ -n \"$mine\" ]; then\n"
    "    case $mine in *'\"clientURLs\"'*)\n"
    "      echo \"etcd-member: $ETCD_NAME was started before but its data is gone: remove it, then add it again (docs/backup.md)\" >&2\n"
    "      exit 1 ;;\n"
    "    esac\n"
    "    cluster=$(echo \"$list\" | while read -r m; do\n"
    "      u=$(echo \"$m\" | sed -n 's/.*\"peerURLs\":\\[\"\\([^\"]*\\)\".*/\\1/p')\n"
    "      n=$(echo \"$m\" | sed -n 's/.*\"name\":\"\\([^\"]*\\)\".*/\\1/p')\n"
    "      [ -n \"$n\" ] || n=$(echo \"$u\" | sed 's|^[a-z]*://\\([^.:]*\\).*|\\1|')\n"
    "      printf '%s=%s,' \"$n\" \"$u\"\n"
    "    done)\n"
    "    start existing \"${cluster%,}\"\n"
    "  fi\n"
    "  echo \"etcd-member: $ETCD_NAME is not a member of the running cluster yet: run the etcd-membership Job (docs/backup.md)\"\n"
    "  [ \"$(date +%s)\" -lt \"$end\" ] || exit 1\n"
    "  sleep 5\n"
    "done\n";

/* etcd-headless.NS.svc.cluster.local */
IrNode *lower_etcd_domain(Lower *l)
{
    return lower_concat(l, ir_str(l->a, "etcd-headless."), lower_namespace_expr(l), ir_str(l->a, ".svc.cluster.local"),
                        NULL);
}

static IrNode *port_env(Lower *l, const char *name, const char *knob)
{
    return lower_env_value(l, name, lower_concat(l, lower_ref(l, knob), NULL));
}

static IrNode *etcd_env(Lower *l)
{
    Arena *a = l->a;
    IrNode *env = ir_seq(a);
    ir_push(env, lower_env_field(l, "ETCD_NAME", "metadata.name"));
    ir_push(env, lower_env_value(l, "ETCD_INITIAL_CLUSTER", lower_etcd_initial_cluster(l)));
    ir_push(env, lower_env_value(l, "ETCD_INITIAL_CLUSTER_TOKEN", ir_str(a, "goverse-etcd-cluster")));
    ir_push(env, lower_env_value(l, "ETCD_LISTEN_CLIENT_URLS", listen_url(l, "etcd.ports.client")));
    ir_push(env, lower_env_value(l, "ETCD_LISTEN_PEER_URLS", listen_url(l, "etcd.ports.peer")));
    ir_push(env, lower_env_value(l, "ETCD_ADVERTISE_CLIENT_URLS", advertise_url(l, "etcd.ports.client")));
    ir_push(env, lower_env_value(l, "ETCD_INITIAL_ADVERTISE_PEER_URLS", advertise_url(l, "etcd.ports.peer")));
    ir_push(env, lower_env_value(l, "ETCD_DATA_DIR", ir_str(a, "/var/lib/etcd")));
    ir_push(env, lower_env_value(l, "ETCD_DOMAIN", lower_etcd_domain(l)));
    ir_push(env, port_env(l, "ETCD_CLIENT_PORT", "etcd.ports.client"));
    ir_push(env, lower_env_value(l, "MAX_MEMBERS", lower_quoted(l, arena_printf(a, "%d", (int)lower_knob(l, "etcd.replicas")->max))));
    ir_push(env, lower_env_value(l, "JOIN_TIMEOUT", lower_quoted(l, "600")));
    return env;
}

/* Decides new/existing and writes /run/etcd/etcd.conf.yml (see ETCD_MEMBER_SCRIPT). */
static IrNode *member_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "member", "etcd.backup.shell");
    IrNode *cmd = ir_put(a, c, "command", ir_seq(a));
    ir_push(cmd, ir_str(a, "/bin/sh"));
    ir_push(cmd, ir_str(a, "-c"));
    ir_push(cmd, ir_str(a, ETCD_MEMBER_SCRIPT));
    ir_put(a, c, "env", etcd_env(l));
    IrNode *mounts = ir_put(a, c, "volumeMounts", ir_seq(a));
    ir_push(mounts, lower_volume_mount(l, "etcd-data", "/var/lib/etcd"));
    ir_push(mounts, lower_volume_mount(l, "etcd-config", "/run/etcd"));
    return c;
}

static IrNode *etcd_container(Lower *l)
{
    Arena *a = l->a;
    IrNode *c = lower_container(l, "etcd", "etcd");
    IrNode *ports = ir_put(a, c, "ports", ir_seq(a));
    ir_push(ports, lower_container_port(l, "client", "etcd.ports.client"));
    ir_push(ports, lower_container_port(l, "peer", "etcd.ports.peer"));
    IrNode *cmd = ir_put(a, c, "command", ir_seq(a));
    ir_push(cmd, ir_str(a, "etcd"));
    ir_push(cmd, ir_str(a, "--config-file=/run/etcd/etcd.conf.yml"));
    IrNode *mounts = ir_put(a, c, "volumeMounts", ir_seq(a));
    ir_push(mounts, lower_volume_mount(l, "etcd-data", "/var/lib/etcd"));
    ir_put(a, ir_push(mounts, lower_volume_mount(l, "etcd-config", "/run/etcd")), "readOnly", ir_bool(a, true));
    ir_put(a, c, "resources", lower_resources(l, "etcd"));
    ir_put(a, c, "livenessProbe", lower_http_probe(l, "/health", "etcd.ports.client", 10, 10));
    ir_put(a, c, "readinessProbe", lower_http_probe(l, "/health", "etcd.ports.client", 5, 5));
    return c;
}

void lower_etcd_objects(Lower *l)
{
    Arena *a = l->a;
    const IrCond *on = ir_cond_and(a, lower_if(l, "etcd.enabled"), lower_unless(l, "etcd.external.enabled"));
    IrObject *svc = ir_object(a, l->ir, "etcd/service.yaml", "etcd", "v1", "Service", "etcd-headless", on);
    IrNode *ports = lower_service(l, svc, "etcd-headless", "etcd", "etcd", true);
    ir_push(ports, lower_service_port(l, "client", "etcd.ports.client"));
    ir_push(ports, lower_service_port(l, "peer", "etcd.ports.peer"));
    /* Members must find each other by DNS before any of them is ready: readiness (/health) needs
     * a quorum, and a quorum needs the peers' addresses. Without this the cluster never forms. */
    ir_put(a, lower_map_get(svc->root, "spec"), "publishNotReadyAddresses", ir_bool(a, true));

    IrObject *o = ir_object(a, l->ir, "etcd/statefulset.yaml", "etcd", "apps/v1", "StatefulSet", "etcd", on);
    IrNode *spec = lower_workload(l, o, "etcd", "etcd");
    ir_put(a, spec, "serviceName", ir_str(a, "etcd-headless"));
    ir_put(a, spec, "replicas", lower_ref(l, "etcd.replicas"));
    ir_put(a, spec, "selector", lower_selector(l, "etcd"));
    IrNode *pod = lower_pod_template(l, spec, "etcd", "etcd", NULL, etcd_container(l), false);
    ir_push(ir_put(a, pod, "initContainers", ir_seq(a)), member_container(l));
    IrNode *cfg = ir_push(ir_put(a, pod, "volumes", ir_seq(a)), ir_map(a));
    ir_put(a, cfg, "name", ir_str(a, "etcd-config"));
    ir_put(a, ir_put(a, cfg, "emptyDir", ir_map(a)), "medium", ir_str(a, "Memory"));
    ir_push(ir_put(a, spec, "volumeClaimTemplates", ir_seq(a)), lower_vct(l, "etcd-data", "etcd"));
}
