# tests/k8s/helm.sh - sourced by tests/k8s/run.sh (uses its helpers, K, OBJS, WORK, BIN, H3, H4).
# Owns the Helm tier: for Helm 3 and Helm 4 (real binaries from tests/tools/helm3, helm4), a
# cluster's emitted chart linted, installed, compared with the manifest tree on the live server,
# upgraded with changed values (== `goversec build --set` with the same values), uninstalled.

# Values changed by the upgrade (valid for every example's chart).
HELM_UPGRADE_SET=(nodes.replicas=4 gates.resources.limits.cpu=1500m)

# chart_of OUT CLUSTER -> the chart dir and (for a fleet's shared chart) "-f values.yaml"
chart_args() {
  local out="$1" c="$2" rel
  if [[ -d "$out/$c/chart" ]]; then echo "$out/$c/chart"; return; fi
  rel=$(sed -n 's/^# chart: \.\.\///p' "$out/$c/values.yaml")
  echo "$out/$rel -f $out/$c/values.yaml"
}

# leftovers NS: every object of the namespace but PVCs and what Kubernetes itself puts there
leftovers() {
  "${K[@]}" get all,configmaps,secrets,serviceaccounts,roles,rolebindings,pdb,hpa,networkpolicies,ingresses,cronjobs,jobs,certificates,servicemonitors,prometheusrules,postgresqls \
    -n "$1" -o name 2>/dev/null | grep -v -e '^configmap/kube-root-ca.crt$' -e '^serviceaccount/default$'
}

# kdiff_helm LABEL DIR: the live objects equal the tree's but for the ownership metadata Helm
# stamps on every object it installs (label app.kubernetes.io/managed-by: Helm instead of
# goversec; its meta.helm.sh/* annotations and the chart's helm.sh/chart label are fields the
# tree does not set, so a server-side diff keeps them): kubectl diff --server-side of the tree
# may change nothing but that label's value.
kdiff_helm() {
  local rc try
  for try in 1 2 3; do  # a status write racing kubectl's two reads passes; a real difference stays
    kdiff "$2"; rc=$kdiff_rc
    grep -E '^[-+]' "$WORK/kdiff" | grep -vE '^(---|\+\+\+) ' \
      | grep -vxE -e '-  +app\.kubernetes\.io/managed-by: Helm|\+  +app\.kubernetes\.io/managed-by: goversec' >"$WORK/kdiff-rest"
    [[ $rc -le 1 && ! -s "$WORK/kdiff-rest" ]] && break; sleep 2
  done
  if [[ $rc -le 1 && ! -s "$WORK/kdiff-rest" ]]; then ok "$1: equal but for Helm's managed-by label ($(grep -c '^diff ' "$WORK/kdiff") objects)"
  else bad "$1: kubectl diff (exit $rc) shows more than Helm's managed-by label"; show "$WORK/kdiff-rest" 30; fi
}

# test_helm GV EXAMPLE CLUSTER MANIFESTS
test_helm() {
  local gv="$1" name="$2" c="$3" m="$4" ns out="$WORK/out/$2" h hv chart sets=() s
  ns=$(ns_of "$m")
  read -r -a chart <<<"$(chart_args "$out" "$c")"
  for s in "${HELM_UPGRADE_SET[@]}"; do sets+=(--set "$s"); done
  "$BIN" build "$gv" --cluster "$c" -o "$WORK/up-$name-$c" -q --no-sync "${sets[@]}" 2>"$WORK/err" \
    || { bad "helm $name/$c: goversec build --set ${HELM_UPGRADE_SET[*]} failed"; show "$WORK/err"; return; }
  for h in "$H3" "$H4"; do
    hv="helm$("$h" version --template '{{.Version}}' 2>/dev/null | cut -c2) $name/$c"
    if "$h" lint --strict "${chart[@]}" >"$WORK/hl" 2>&1; then ok "$hv: helm lint --strict"
    else bad "$hv: helm lint --strict"; show "$WORK/hl" 20; fi
    "${K[@]}" apply --server-side -f "$m/namespace.yaml" >/dev/null 2>&1
    if "$h" install "$c" "${chart[@]}" -n "$ns" >/dev/null 2>"$WORK/err"; then
      ok "$hv: helm install"; no_warnings "$hv: helm install" "$WORK/err"
    else
      bad "$hv: helm install refused"; show "$WORK/err" 20; delete_ns "$ns"; continue
    fi
    settle "$ns"
    kdiff_helm "$hv: installed objects == manifest tree" "$m"
    local nrel ntree
    nrel=$("$h" get manifest "$c" -n "$ns" | grep -c '^kind: ')
    ntree=$(grep -vc '^- namespace.yaml$' <(grep '^- ' "$m/kustomization.yaml"))
    if [[ $nrel -eq $ntree ]]; then ok "$hv: the release has the tree's $ntree objects (namespace made by the tree)"
    else bad "$hv: the release has $nrel objects, the tree $ntree besides its namespace"; fi
    gdiff "$hv: in sync after helm install" 0 "$gv" "$c"
    if "$h" upgrade "$c" "${chart[@]}" -n "$ns" "${sets[@]}" >/dev/null 2>"$WORK/err"; then
      ok "$hv: helm upgrade --set ${HELM_UPGRADE_SET[*]}"
      settle "$ns"
      kdiff_helm "$hv: upgraded objects == goversec build --set" "$WORK/up-$name-$c/$c/manifests"
      gdiff "$hv: in sync with --set after helm upgrade" 0 "$gv" "$c" "${sets[@]}"
    else bad "$hv: helm upgrade refused"; show "$WORK/err" 20; fi
    if "$h" uninstall "$c" -n "$ns" >/dev/null 2>"$WORK/err"; then
      local end=$((SECONDS + 60)) left
      while left=$(leftovers "$ns"); [[ -n "$left" ]] && (( SECONDS < end )); do sleep 2; done
      if [[ -z "$left" ]]; then ok "$hv: helm uninstall leaves only PVCs ($("${K[@]}" get pvc -n "$ns" -o name | wc -l) claims)"
      else bad "$hv: helm uninstall left: $(tr '\n' ' ' <<<"$left")"; fi
    else bad "$hv: helm uninstall"; show "$WORK/err"; fi
    # the next Helm installs over what the last one left (the namespace and the claims)
  done
  delete_ns "$ns"
}
