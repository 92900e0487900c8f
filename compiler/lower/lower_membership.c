/* lower_membership.c - the etcd-membership Job: brings the running etcd cluster's member list to
 * etcd.replicas members, one safe step at a time, through etcd's v3 membership API (the calls
 * `etcdctl member add` / `member remove` make, here from the shell image's wget since the etcd
 * image has no shell to look a member's ID up by name). Order: a member beyond the target is
 * removed first (highest ordinal first, only while every other member is started, so the quorum
 * never depends on a stopped member); a new member is added only when every member is started,
 * and the next one only after it has started (it joins with initial-cluster-state `existing`, see
 * lower_etcd.c). Written into the manifest tree but never applied with it (IrObject.manual_switch);
 * the chart renders it with etcd.membership.enabled. Procedure: docs/backup.md. */
#include "lower/lower_internal.h"

static const char PRECONDITIONS[] =
    "Growing: apply the new etcd StatefulSet first (its new pods wait to be added), then this Job. "
    "Shrinking: run this Job first, while the StatefulSet still has the old size, then apply the smaller "
    "StatefulSet. After a restore: start etcd-0 alone, then scale etcd back up and run this Job. "
    "Delete the Job when it has completed. See docs/backup.md.";

static const char SCRIPT[] =
    "set -eu\n"
    "api() {\n"
    "  i=0\n"
    "  while [ \"$i\" -lt \"$MAX_MEMBERS\" ]; do\n"
    "    out=$(timeout 10 wget -q -O - --post-data \"$2\" \"http://etcd-$i.$ETCD_DOMAIN:$ETCD_CLIENT_PORT/v3/$1\" 2>/dev/null) &&\n"
    "      { echo \"$out\"; return 0; }\n"
    "    i=$((i + 1))\n"
    "  done\n"
    "  return 1\n"
    "}\n"
    "field() { sed -n \"s/.*\\\"$1\\\":\\\"\\([^\\\"]*\\)\\\".*/\\1/p\"; }\n"
    "end=$(($(date +%s) + TIMEOUT))\n"
    "step() {\n"
    "  [ \"$(date +%s)\" -lt \"$end\" ] || { echo \"etcd-membership: gave up after ${TIMEOUT}s: $1\" >&2; exit 1; }\n"
    "  echo \"etcd-membership: $1\"\n"
    "  sleep 5\n"
    "}\n"
    "while :; do\n"
    "  out=$(api cluster/member/list '{\"linearizable\":true}') || { step 'no member answers with a quorum; retrying'; continue; }\n"
    "  list=$(echo \"$out\" | tr '{' '\\n' | grep '\"peerURLs\"')\n"
    "  n=0 high=-1 high_id='' unstarted='' have=' ' names=''\n"
    "  while read -r m; do\n"
    "    o=$(echo \"$m\" | sed -n 's|.*\"peerURLs\":\\[\"[a-z]*://etcd-\\([0-9]*\\)\\..*|\\1|p')\n"
    "    [ -n \"$o\" ] || { echo \"etcd-membership: a member not of this StatefulSet: $m\" >&2; exit 1; }\n"
    "    n=$((n + 1)) have=\"$have$o \" names=\"$names etcd-$o\"\n"
    "    case $m in *'\"clientURLs\"'*) ;; *) unstarted=\"$unstarted etcd-$o\" ;; esac\n"
    "    if [ \"$o\" -ge \"$TARGET\" ] && [ \"$o\" -gt \"$high\" ]; then high=$o high_id=$(echo \"$m\" | field ID); fi\n"
    "  done <<EOF\n"
    "$list\n"
    "EOF\n"
    "  echo \"etcd-membership: $n members:$names; unstarted:${unstarted:- none}; target $TARGET\"\n"
    "  if [ \"$high\" -ge 0 ]; then\n"
    "    others=''\n"
    "    for u in $unstarted; do [ \"$u\" = \"etcd-$high\" ] || others=\"$others $u\"; done\n"
    "    [ -z \"$others\" ] || { step \"waiting for$others to start before removing etcd-$high\"; continue; }\n"
    "    api cluster/member/remove \"{\\\"ID\\\":\\\"$high_id\\\"}\" >/dev/null || { step \"removing etcd-$high failed; retrying\"; continue; }\n"
    "    echo \"etcd-membership: removed etcd-$high\"\n"
    "    continue\n"
    "  fi\n"
    "  [ -z \"$unstarted\" ] || { step \"waiting for$unstarted to start (its pod joins with initial-cluster-state existing)\"; continue; }\n"
    "  [ \"$n\" -lt \"$TARGET\" ] || break\n"
    "  k=0\n"
    "  while case \"$have\" in *\" $k \"*) true ;; *) false ;; esac; do k=$((k + 1)); done\n"
    "  peer=\"http://etcd-$k.$ETCD_DOMAIN:$ETCD_PEER_PORT\"\n"
    "  api cluster/member/add \"{\\\"peerURLs\\\":[\\\"$peer\\\"]}\" >/dev/null || { step \"adding etcd-$k failed; retrying\"; continue; }\n"
    "  echo \"etcd-membership: added etcd-$k ($peer)\"\n"
    "done\n"
    "echo \"etcd-membership: done, $n members, all started\"\n";

static IrNode *env_port(Lower *l, const char *name, const char *knob)
{
    return lower_env_value(l, name, lower_concat(l, lower_ref(l, knob), NULL));
}

void lower_membership_objects(Lower *l)
{
    Arena *a = l->a;
    const IrCond *on = ir_cond_and(a, lower_if(l, "etcd.enabled"), lower_unless(l, "etcd.external.enabled"));
    IrObject *o = ir_object(a, l->ir, "etcd/membership-job.yaml", "etcd", "batch/v1", "Job", "etcd-membership",
                            ir_cond_and(a, on, lower_if(l, "etcd.membership.enabled")));
    o->manual_switch = lower_knob(l, "etcd.membership.enabled");
    IrNode *spec = lower_workload(l, o, "etcd-backup", "backup");
    ir_put(a, ir_put(a, lower_map_get(o->root, "metadata"), "annotations", ir_map(a)),
           "goverse.io/membership-procedure", ir_str(a, PRECONDITIONS));
    ir_put(a, spec, "backoffLimit", ir_int(a, 2));
    ir_put(a, spec, "activeDeadlineSeconds", ir_int(a, 3600));
    IrNode *tpl = ir_put(a, spec, "template", ir_map(a));
    /* The backups' pod labels: their network policy lets them reach the etcd client port. */
    ir_put(a, ir_put(a, tpl, "metadata", ir_map(a)), "labels", lower_labels(l, "etcd-backup", "backup"));
    IrNode *pod = ir_put(a, tpl, "spec", ir_map(a));
    ir_put(a, pod, "restartPolicy", ir_str(a, "Never"));
    IrNode *c = ir_push(ir_put(a, pod, "containers", ir_seq(a)), lower_container(l, "membership", "etcd.backup.shell"));
    IrNode *cmd = ir_put(a, c, "command", ir_seq(a));
    ir_push(cmd, ir_str(a, "/bin/sh"));
    ir_push(cmd, ir_str(a, "-c"));
    ir_push(cmd, ir_str(a, SCRIPT));
    IrNode *env = ir_put(a, c, "env", ir_seq(a));
    ir_push(env, lower_env_value(l, "TARGET", lower_concat(l, lower_ref(l, "etcd.replicas"), NULL)));
    ir_push(env, lower_env_value(l, "MAX_MEMBERS", lower_quoted(l, arena_printf(a, "%d", (int)lower_knob(l, "etcd.replicas")->max))));
    ir_push(env, lower_env_value(l, "ETCD_DOMAIN", lower_etcd_domain(l)));
    ir_push(env, env_port(l, "ETCD_CLIENT_PORT", "etcd.ports.client"));
    ir_push(env, env_port(l, "ETCD_PEER_PORT", "etcd.ports.peer"));
    ir_push(env, lower_env_value(l, "TIMEOUT", lower_quoted(l, "3000")));
    lower_pull_secrets(l, pod);
}
