#!/usr/bin/env bash
# tests/live/etcd.sh GOVERSEC MEMBERS - the emitted etcd objects with the real etcd v3.5.11
# (the image's version, built by tests/tools/build.sh etcd): MEMBERS members started from the
# StatefulSet's own containers (each in its own network namespace, reached under its headless DNS
# name) form a quorum; the backup CronJob's containers take snapshots and keep exactly `keep`;
# the restore procedure of docs/backup.md (the per-member restore Jobs, etcd-0 alone, then the
# etcd-membership Job adding the others)
# brings every member back with the keys written before the snapshot, and without the keys
# written after it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
GOVERSEC=$1 N=${2:-3}
KEEP=3
live_setup "etcd$N"
LIVE_TOOLS="$(bash "$LIVE_HERE/../tools/build.sh" etcd)" || live_fail "cannot build etcd v3.5.11 (tests/tools/build.sh etcd)"
LIVE_NAMESPACE=goverse-prod
declare -A LIVE_IP=()
ETCDCTL=(ip netns exec "$LIVE_ID-hub" "$LIVE_TOOLS/etcdctl" --dial-timeout=2s --command-timeout=5s)

out="$LIVE_WORK/out"
"$GOVERSEC" build "$LIVE_HERE/../../examples/production-multizone.gv" -o "$out" -q \
  --set etcd.replicas="$N" --set etcd.backup.keep=$KEEP \
  || live_fail "goversec build failed"
M="$out/chat-prod/manifests"
ip -n "$LIVE_ID-hub" addr add 10.213.0.1/24 dev br0

endpoints() { local e="" i; for ((i = 0; i < $1; i++)); do e+="${e:+,}http://${LIVE_IP[etcd-$i]}:2379"; done; echo "$e"; }
etcd_pod()
{
  local i=$1
  LIVE_IP[etcd-$i]=10.213.0.$((10 + i))
  live_pod "etcd-$i" "${LIVE_IP[etcd-$i]}"
  live_host "etcd-$i.etcd-headless.$LIVE_NAMESPACE.svc.cluster.local" "${LIVE_IP[etcd-$i]}"
  live_host "etcd-headless.$LIVE_NAMESPACE.svc.cluster.local" "${LIVE_IP[etcd-$i]}"
}
start_member() { live_start_pod "etcd-$1" "$M/etcd/statefulset.yaml" StatefulSet etcd; }
healthy() { "${ETCDCTL[@]}" --endpoints="$(endpoints "$1")" endpoint health; }
started_members() { "${ETCDCTL[@]}" --endpoints="$(endpoints "$1")" member list | grep -c ', started, '; }

for ((i = 0; i < N; i++)); do etcd_pod "$i"; done
LIVE_IP[job]=10.213.0.50
live_pod job "${LIVE_IP[job]}"

live_log "start $N members from the StatefulSet's containers"
for ((i = 0; i < N; i++)); do start_member "$i"; done
live_wait 60 "a quorum of $N members" healthy "$N"
[[ $(started_members "$N") == "$N" ]] || live_fail "expected $N started members"
"${ETCDCTL[@]}" --endpoints="$(endpoints "$N")" member list
for k in $(seq 1 20); do "${ETCDCTL[@]}" --endpoints="$(endpoints "$N")" put "/goverse/k$k" "v$k" >/dev/null; done

backup()
{
  live_spec job "$M/etcd/backup-cronjob.yaml" CronJob etcd-backup snapshot
  live_run job snapshot || live_fail "backup: snapshot container failed"
  live_spec job "$M/etcd/backup-cronjob.yaml" CronJob etcd-backup prune
  live_run job prune || live_fail "backup: prune container failed"
}
live_log "backups: $((KEEP + 2)) runs, keep $KEEP"
for r in $(seq 1 $((KEEP + 2))); do
  "${ETCDCTL[@]}" --endpoints="$(endpoints "$N")" put "/goverse/run" "$r" >/dev/null
  backup
  sleep 1.1 # the snapshot file is named to the second
done
bk="$LIVE_WORK/pv/etcd-backup-pvc"
ls -l "$bk"
n=$(ls "$bk" | grep -c '^snapshot-.*\.db$') || true
[[ $n == "$KEEP" ]] || live_fail "retention: $n snapshots kept, expected $KEEP"
newest=$(ls -1t "$bk" | grep '^snapshot-') newest=${newest%%$'\n'*}
[[ -L $bk/latest.db && $(readlink "$bk/latest.db") == "$newest" ]] ||
  live_fail "latest.db does not point at the newest snapshot"
"$LIVE_TOOLS/etcdutl" snapshot status "$bk/latest.db" -w table || live_fail "latest.db is not an etcd snapshot"
"${ETCDCTL[@]}" --endpoints="$(endpoints "$N")" put /goverse/after-backup lost >/dev/null

# A Job's pod, container by container as it runs them.
run_job()
{
  local file=$1 name=$2 c
  for c in $(python3 -c '
import sys, yaml
d = [x for x in yaml.safe_load_all(open(sys.argv[1])) if x][0]["spec"]["template"]["spec"]
print(" ".join(c["name"] for c in d.get("initContainers", []) + d["containers"]))' "$file"); do
    live_spec job "$file" Job "$name" "$c"
    live_run job "$name-$c" || live_fail "$name: container $c failed"
  done
}
# docs/backup.md, "Restoring etcd": every member's restore Job (each uses its own volume only),
# etcd-0 alone, then the others, added by the etcd-membership Job.
restore()
{
  for ((i = 0; i < N; i++)); do run_job "$M/etcd/restore-job-$i.yaml" "etcd-restore-$i"; done
  start_member 0
  live_wait 60 "the restored etcd-0" healthy 1
  for ((i = 1; i < N; i++)); do start_member "$i"; done
  LIVE_TIMEOUT=600 run_job "$M/etcd/membership-job.yaml" etcd-membership
}
live_log "restore (docs/backup.md): stop etcd, run the restore Jobs, start etcd"
for ((i = 0; i < N; i++)); do live_stop "etcd-$i"; done
restore
live_wait 90 "the restored quorum of $N members" healthy "$N"
for k in $(seq 1 20); do
  v=$("${ETCDCTL[@]}" --endpoints="$(endpoints "$N")" get "/goverse/k$k" --print-value-only)
  [[ $v == "v$k" ]] || live_fail "after restore /goverse/k$k is '$v', expected v$k"
done
v=$("${ETCDCTL[@]}" --endpoints="$(endpoints "$N")" get /goverse/run --print-value-only)
[[ $v == "$((KEEP + 2))" ]] || live_fail "restored /goverse/run is '$v': not the latest snapshot"
v=$("${ETCDCTL[@]}" --endpoints="$(endpoints "$N")" get /goverse/after-backup --print-value-only)
[[ -z $v ]] || live_fail "a key written after the snapshot survived the restore"
for ((i = 0; i < N; i++)); do
  v=$("${ETCDCTL[@]}" --endpoints="http://${LIVE_IP[etcd-$i]}:2379" get /goverse/k7 --consistency=s --print-value-only)
  [[ $v == v7 ]] || live_fail "etcd-$i has no restored data"
done
[[ $(started_members "$N") == "$N" ]] || live_fail "expected $N started members after the restore"
"${ETCDCTL[@]}" --endpoints="$(endpoints "$N")" member list
cat "$LIVE_WORK/logs/job-etcd-membership-membership.log"
echo "etcd ($N members): quorum, backups, retention and restore OK"
LIVE_OK=1
