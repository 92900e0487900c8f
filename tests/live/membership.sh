#!/usr/bin/env bash
# tests/live/membership.sh GOVERSEC - changing `etcd replicas` on a running cluster with the real
# etcd v3.5.11, following docs/backup.md ("Changing the number of etcd members") exactly, with a
# writer going on all the time: grow 3 -> 5 (the new StatefulSet's pods start and wait, the
# etcd-membership Job adds them one by one, the old pods roll to the new template one at a time),
# then shrink 5 -> 3 (the Job removes etcd-4 and etcd-3 while they still run, then the StatefulSet
# shrinks and rolls). Checks: every acknowledged write is still there at the end; a linearizable
# read answers after every step and never fails for long in between; the member list is exactly
# the target each time. Finally a removed member started again on its old volume sets that data
# aside and waits to be added instead of starting on it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
GOVERSEC=$1
live_setup membership
LIVE_TOOLS="$(bash "$LIVE_HERE/../tools/build.sh" etcd)" || live_fail "cannot build etcd v3.5.11 (tests/tools/build.sh etcd)"
LIVE_NAMESPACE=goverse-prod
declare -A LIVE_IP=([job]=10.213.0.50)
ip -n "$LIVE_ID-hub" addr add 10.213.0.1/24 dev br0
CTL=(ip netns exec "$LIVE_ID-hub" "$LIVE_TOOLS/etcdctl" --dial-timeout=2s --command-timeout=5s)

for n in 3 5; do
  "$GOVERSEC" build "$LIVE_HERE/../../examples/production-multizone.gv" -o "$LIVE_WORK/out$n" -q --set etcd.replicas=$n ||
    live_fail "goversec build (etcd.replicas=$n) failed"
done
M3="$LIVE_WORK/out3/chat-prod/manifests" M5="$LIVE_WORK/out5/chat-prod/manifests"
grep -q 'value: "5"' "$M5/etcd/membership-job.yaml" || live_fail "the membership Job of etcd.replicas=5 does not target 5"

for i in 0 1 2 3 4; do
  LIVE_IP[etcd-$i]=10.213.0.$((10 + i))
  live_pod "etcd-$i" "${LIVE_IP[etcd-$i]}"
  live_host "etcd-$i.etcd-headless.$LIVE_NAMESPACE.svc.cluster.local" "${LIVE_IP[etcd-$i]}"
  live_host "etcd-headless.$LIVE_NAMESPACE.svc.cluster.local" "${LIVE_IP[etcd-$i]}"
done
live_pod job "${LIVE_IP[job]}"
ALL="http://10.213.0.10:2379,http://10.213.0.11:2379,http://10.213.0.12:2379,http://10.213.0.13:2379,http://10.213.0.14:2379"

member() { live_start_pod "etcd-$1" "$2/etcd/statefulset.yaml" StatefulSet etcd; }
member_healthy() { "${CTL[@]}" --endpoints="http://${LIVE_IP[etcd-$1]}:2379" endpoint health; }
quorum() { "${CTL[@]}" --endpoints="$ALL" get /quorum-check --consistency=l; }
check_quorum() { live_wait 20 "a quorum answering ($1)" quorum; echo "quorum answers: $1"; }
expect_members()
{
  local list
  list=$("${CTL[@]}" --endpoints="$ALL" member list) || live_fail "member list failed"
  echo "$list"
  [[ $(grep -c ', started, ' <<<"$list") == "$1" && $(wc -l <<<"$list") == "$1" ]] ||
    live_fail "expected exactly $1 started members"
}
# The StatefulSet controller's rolling update: highest ordinal first, one pod at a time, the next
# only when the updated one is ready.
roll()
{
  local m=$1 i
  shift
  for i in "$@"; do
    live_stop "etcd-$i"
    member "$i" "$m"
    live_wait 60 "etcd-$i ready after its restart" member_healthy "$i"
    check_quorum "after rolling etcd-$i"
  done
}
membership_job()
{
  live_spec job "$1/etcd/membership-job.yaml" Job etcd-membership membership
  LIVE_TIMEOUT=600 live_run job "membership-$2" || live_fail "the etcd-membership Job ($2) failed"
  grep '^etcd-membership:' "$LIVE_WORK/logs/job-membership-$2.log"
}

live_log "3 members (etcd.replicas=3)"
for i in 0 1 2; do member "$i" "$M3"; done
live_wait 60 "a quorum of 3" quorum
expect_members 3

# The writer: sequential keys, one put at a time; a key is acknowledged when etcdctl says OK.
# The checker: a linearizable read every half second; the longest run of failures is kept.
(
  i=0
  while :; do
    i=$((i + 1))
    if "${CTL[@]}" --endpoints="$ALL" put "/w/$i" "$i" >/dev/null 2>&1; then echo "$i" >>"$LIVE_WORK/acked"; else echo "$i" >>"$LIVE_WORK/unacked"; fi
  done
) &
LIVE_PIDS[writer]=$!
(
  streak=0 worst=0
  while :; do
    if quorum >/dev/null 2>&1; then streak=0; else streak=$((streak + 1)); fi
    ((streak > worst)) && { worst=$streak; echo "$worst" >"$LIVE_WORK/worst"; }
    sleep 0.5
  done
) &
LIVE_PIDS[checker]=$!
echo 0 >"$LIVE_WORK/worst"

live_log "grow 3 -> 5 (docs/backup.md): new StatefulSet first, its new pods wait; then the membership Job"
member 3 "$M5"
member 4 "$M5"
for i in 3 4; do
  live_wait 30 "etcd-$i to wait to be added" grep -q '^etcd-member: .*not a member of the running cluster yet' \
    "$LIVE_WORK/logs/etcd-$i-member.log"
done
check_quorum "new pods waiting"
membership_job "$M5" grow
check_quorum "after the membership Job"
roll "$M5" 2 1 0
expect_members 5

live_log "shrink 5 -> 3 (docs/backup.md): the membership Job first, then the smaller StatefulSet"
membership_job "$M3" shrink
check_quorum "after the membership Job"
for i in 4 3; do live_stop "etcd-$i"; done
roll "$M3" 2 1 0
expect_members 3

live_log "a removed member started again with its old data (etcd.replicas back to 5 without the Job)"
member 3 "$M5"
live_wait 30 "etcd-3 to set its old data aside" grep -q '^etcd-member: .*its old data is now' "$LIVE_WORK/logs/etcd-3-member.log"
live_wait 30 "etcd-3 to wait to be added" grep -q '^etcd-member: .*not a member of the running cluster yet' "$LIVE_WORK/logs/etcd-3-member.log"
grep '^etcd-member:' "$LIVE_WORK/logs/etcd-3-member.log"
[[ ! -e $LIVE_WORK/pv/etcd-data-etcd-3/member ]] || live_fail "etcd-3 started on the data of a removed member"
compgen -G "$LIVE_WORK/pv/etcd-data-etcd-3/member.removed-*" >/dev/null || live_fail "etcd-3's old data is gone instead of set aside"
expect_members 3
live_stop etcd-3

live_stop writer
live_stop checker
acked=$(wc -l <"$LIVE_WORK/acked")
((acked > 50)) || live_fail "only $acked writes were acknowledged: the writer was not going on"
"${CTL[@]}" --endpoints="$ALL" get /w/ --prefix --keys-only | grep '^/w/' | sed 's|^/w/||' | sort -n >"$LIVE_WORK/present"
lost=$(sort -n "$LIVE_WORK/acked" | comm -23 - "$LIVE_WORK/present" | wc -l)
[[ $lost == 0 ]] || live_fail "$lost acknowledged writes are lost"
worst=$(cat "$LIVE_WORK/worst")
echo "writes: $acked acknowledged, $(wc -l <"$LIVE_WORK/unacked" 2>/dev/null || echo 0) not acknowledged (retried as new keys), 0 lost"
echo "quorum: longest run of failed linearizable reads: $worst (every 0.5 s)"
((worst <= 10)) || live_fail "the quorum did not answer for about $((worst / 2)) s"
echo "membership: grow 3 -> 5 and shrink 5 -> 3 with writes going on OK"
LIVE_OK=1
