# tests/k8s/day2.sh - sourced by tests/k8s/run.sh (uses its helpers, K, WORK, H3, H4). Owns the
# day-2 checks that need the API server, the scheduler and zonal volumes (docs/backup.md):
#   test_restore_zones - the per-member etcd restore Jobs of a zoned cluster: every member's claim
#     is bound to a PersistentVolume pinned to a node of one zone (the stand-in provisioner does
#     what a zonal CSI driver does); after `scale etcd --replicas=0`, each restore Job's pod is
#     scheduled, and lands in its member volume's zone.
#   test_readme_namespace - the chart README's install commands, run as written with Helm 3 and
#     Helm 4, give a namespace whose Pod Security labels are the chart's security.podSecurity; an
#     install into a namespace enforcing another level is refused by the chart.

zone_of_node() { "${K[@]}" get node "$1" -o jsonpath='{.metadata.labels.topology\.kubernetes\.io/zone}'; }

# zone_of_claim NS CLAIM: the zone of the node the claim's PersistentVolume is pinned to
zone_of_claim() {
  local pv node
  pv=$("${K[@]}" get pvc "$2" -n "$1" -o jsonpath='{.spec.volumeName}')
  [[ -n "$pv" ]] || return 1
  node=$("${K[@]}" get pv "$pv" -o jsonpath='{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}')
  zone_of_node "$node"
}

# test_restore_zones NAME CLUSTER MANIFESTS ZONES...
test_restore_zones() {
  local name="$1" c="$2" m="$3" label="restore zones $1/$2" ns i n pod node want got end
  shift 3
  ns=$(ns_of "$m")
  k8s_zones "$@"
  "${K[@]}" apply --server-side -f "$m/namespace.yaml" >/dev/null 2>&1
  "${K[@]}" apply --server-side -k "$m" >/dev/null 2>"$WORK/err" || { bad "$label: apply"; show "$WORK/err"; return; }
  n=$(ls "$m"/etcd/restore-job-*.yaml 2>/dev/null | wc -l)
  (( n > 0 )) || { bad "$label: no per-member restore Jobs in $m/etcd"; delete_ns "$ns"; return; }
  declare -A member_zone=()
  for (( i = 0; i < n; i++ )); do
    end=$((SECONDS + 120))
    until member_zone[$i]=$(zone_of_claim "$ns" "etcd-data-etcd-$i" 2>/dev/null) && [[ -n "${member_zone[$i]}" ]]; do
      (( SECONDS < end )) || { bad "$label: claim etcd-data-etcd-$i not bound in 120 s"; break; }
      sleep 1
    done
  done
  if [[ $(printf '%s\n' "${member_zone[@]}" | sort -u | wc -l) -lt 2 ]]; then
    bad "$label: the member volumes are not spread over zones (${member_zone[*]}): nothing to prove"
  fi
  # docs/backup.md: stop etcd, then one restore Job per member
  "${K[@]}" scale statefulset etcd -n "$ns" --replicas=0 >/dev/null
  end=$((SECONDS + 60))
  while [[ -n $("${K[@]}" get pods -n "$ns" -l app=etcd -o name) ]] && (( SECONDS < end )); do sleep 1; done
  for (( i = 0; i < n; i++ )); do
    "${K[@]}" apply --server-side -f "$m/etcd/restore-job-$i.yaml" >/dev/null 2>"$WORK/err" \
      || { bad "$label: restore-job-$i refused"; show "$WORK/err"; }
  done
  for (( i = 0; i < n; i++ )); do
    end=$((SECONDS + 90)) node=""
    while [[ -z "$node" ]] && (( SECONDS < end )); do
      pod=$("${K[@]}" get pods -n "$ns" -l "job-name=etcd-restore-$i" -o jsonpath='{.items[0].metadata.name}' 2>/dev/null)
      [[ -n "$pod" ]] && node=$("${K[@]}" get pod "$pod" -n "$ns" -o jsonpath='{.spec.nodeName}')
      [[ -n "$node" ]] || sleep 1
    done
    want=${member_zone[$i]:-?}
    if [[ -z "$node" ]]; then
      bad "$label: the restore pod of member $i was not scheduled in 90 s"
      "${K[@]}" get events -n "$ns" --field-selector type=Warning -o custom-columns=MSG:.message --no-headers 2>&1 | sort -u | show /dev/stdin
      continue
    fi
    got=$(zone_of_node "$node")
    if [[ "$got" == "$want" ]]; then ok "$label: restore pod of member $i scheduled in its volume's zone ($got)"
    else bad "$label: restore pod of member $i in zone $got, its volume is in $want"; fi
  done
  delete_ns "$ns"
}

# test_readme_namespace NAME CLUSTER CHARTDIR: the README's commands as written, Helm 3 and 4.
test_readme_namespace() {
  local name="$1" c="$2" chart="$3" label helm v ns level cmds line
  level=$(sed -n 's/^  podSecurity: //p' "$chart/values.yaml" | tr -d '"' | head -1)
  ns=$(sed -n 's/^kubectl create namespace //p' "$chart/README.md" | head -1)
  [[ -n "$ns" && -n "$level" ]] || { bad "readme $name/$c: no namespace command or security.podSecurity"; return; }
  for v in 3 4; do
    label="readme $name/$c helm$v"
    [[ $v == 3 ]] && helm="$H3" || helm="$H4"
    # the first sh block, up to the install line, with `./chart` where the chart is
    cmds=$(awk '/^```sh/{f=1; next} /^```/{if (f) exit} f' "$chart/README.md" | sed '/^helm upgrade/d' \
      | sed "s#\\./chart#$chart#; s#^kubectl #${K[*]} #; s#^helm #$helm #")
    while IFS= read -r line; do
      [[ -n "$line" ]] || continue
      if ! eval "$line" >"$WORK/day2.out" 2>&1; then bad "$label: README command failed: ${line:0:80}"; show "$WORK/day2.out"; fi
    done <<<"$cmds"
    got=$("${K[@]}" get namespace "$ns" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')
    if [[ "$got" == "$level" ]]; then ok "$label: the namespace enforces $level, as security.podSecurity says"
    else bad "$label: namespace enforce label '$got', security.podSecurity is '$level'"; fi
    "$helm" uninstall "$c" --namespace "$ns" >/dev/null 2>&1
    delete_ns "$ns"
  done
  # another level on the namespace: the chart refuses to install
  "${K[@]}" create namespace "$ns" >/dev/null
  "${K[@]}" label namespace "$ns" pod-security.kubernetes.io/enforce=privileged >/dev/null
  if "$H3" install "$c" "$chart" --namespace "$ns" >"$WORK/day2.out" 2>&1; then
    bad "readme $name/$c: installed into a namespace enforcing privileged"
  elif grep -q 'podSecurity\|pod-security' "$WORK/day2.out"; then ok "readme $name/$c: a namespace enforcing another level is refused"
  else bad "readme $name/$c: refused without naming Pod Security"; show "$WORK/day2.out"; fi
  delete_ns "$ns"
}
