# tests/k8s/apply.sh - sourced by tests/k8s/run.sh (uses its helpers, K, OBJS, WORK, BIN).
# Owns the kubectl tier: test_apply (server-side apply of a cluster's tree and what the real
# controllers, scheduler and admission make of it) and test_drift (`goversec diff` against changes
# made with the real kubectl, with the exit codes of docs/diff.md).

# gdiff_sees LABEL FRAGMENT: the last goversec diff report names the change (not only its exit code)
gdiff_sees() {
  if grep -qF -- "$2" "$WORK/gdiff"; then ok "$1: the report names $2"; else bad "$1: the report does not name $2"; show "$WORK/gdiff" 20; fi
}

# test_apply GV EXAMPLE CLUSTER MANIFESTS
test_apply() {
  local gv="$1" name="$2" c="$3" m="$4" label="apply $2/$3" ns des zones
  ns=$(ns_of "$m") des="$WORK/desired/$name-$c.json"
  read -r -a zones <<<"$("${OBJS[@]}" zones "$des")"
  if [[ ${#zones[@]} -gt 0 ]]; then k8s_zones "${zones[@]}"; else k8s_zones zone-a zone-b zone-c; fi
  "${OBJS[@]}" workloads "$des" >"$WORK/wl"
  if "${K[@]}" apply --server-side -f "$m/namespace.yaml" >/dev/null 2>"$WORK/err"; then
    no_warnings "$label: namespace" "$WORK/err"
  else bad "$label: namespace refused"; show "$WORK/err"; fi
  if "${K[@]}" apply --server-side -k "$m" >"$WORK/applied" 2>"$WORK/err"; then
    ok "$label: server-side apply of $(wc -l <"$WORK/applied") objects"; no_warnings "$label" "$WORK/err"
  else
    bad "$label: the API server refused objects"; show "$WORK/err" 30
  fi
  local tw=$SECONDS
  wait_workloads "$label" "$ns" "$WORK/wl"
  echo "k8s: $label: workloads ready in $((SECONDS - tw)) s"
  if [[ ${#zones[@]} -gt 0 ]]; then check_zones "$label" "$ns" "${zones[@]}"; fi
  check_pdbs "$label" "$ns" "$des"
  second_apply "$label" "$m"
  settle "$ns"
  kdiff_empty "$label" "$m"
  gdiff "$label: in sync after apply" 0 "$gv" "$c"
  tw=$SECONDS
  delete_ns "$ns"
  echo "k8s: $label: namespace deleted in $((SECONDS - tw)) s"
}

# test_drift GV MANIFESTS: each change made with the real kubectl is seen by goversec diff with the
# exit status of docs/diff.md (0 sync, 1 drift, 3 destructive); each change is undone by a
# re-apply (forced: kubectl's own field manager edited the objects) and the tree is in sync again.
test_drift() {
  local gv="$1" m="$2" ns c=goverse label="drift design-doc"
  ns=$(ns_of "$m")
  k8s_zones zone-a zone-b zone-c
  "${K[@]}" apply --server-side -f "$m/namespace.yaml" >/dev/null 2>&1
  "${K[@]}" apply --server-side -k "$m" >/dev/null 2>"$WORK/err" || { bad "$label: apply"; show "$WORK/err"; return; }
  gdiff "$label: baseline" 0 "$gv" "$c"
  local cm sts dep
  sts=$(grep -l '^kind: StatefulSet' "$m"/nodes/*.yaml | head -1); sts=$(sed -n 's/^  name: //p' "$sts" | head -1)
  dep=$(sed -n 's/^  name: //p' "$m/gates/deployment.yaml" | head -1)
  cm=$(sed -n 's/^  name: //p' "$m/configmap.yaml" | head -1)
  reapply() { "${K[@]}" apply --server-side --force-conflicts -k "$m" >/dev/null 2>&1; }
  "${K[@]}" scale statefulset "$sts" -n "$ns" --replicas=7 >/dev/null
  gdiff "$label: kubectl scale statefulset $sts" 1 "$gv" "$c"; gdiff_sees "$label: scale" "spec.replicas"; reapply
  "${K[@]}" label deployment "$dep" -n "$ns" drift=yes >/dev/null
  gdiff "$label: kubectl label deployment $dep" 1 "$gv" "$c"; gdiff_sees "$label: label" "metadata.labels.drift"
  "${K[@]}" label deployment "$dep" -n "$ns" drift- >/dev/null
  "${K[@]}" set env deployment "$dep" -n "$ns" DRIFT=1 >/dev/null
  gdiff "$label: kubectl set env deployment $dep" 1 "$gv" "$c"; gdiff_sees "$label: set env" "DRIFT"
  "${K[@]}" set env deployment "$dep" -n "$ns" DRIFT- >/dev/null
  gdiff "$label: in sync again after undoing label and env" 0 "$gv" "$c"
  "${K[@]}" patch configmap "$cm" -n "$ns" --type merge -p '{"data":{"extra.yaml":"x: 1\n"}}' >/dev/null
  gdiff "$label: edited ConfigMap $cm (extra key)" 1 "$gv" "$c"; gdiff_sees "$label: ConfigMap key" "extra.yaml"
  "${K[@]}" patch configmap "$cm" -n "$ns" --type json -p '[{"op":"remove","path":"/data/extra.yaml"}]' >/dev/null
  "${K[@]}" delete -f "$m/gates/service.yaml" >/dev/null
  gdiff "$label: deleted Service" 1 "$gv" "$c"; gdiff_sees "$label: deleted Service" "missing    Service/"; reapply
  # an immutable change: the StatefulSet's serviceName cannot be edited, so it is recreated
  # (orphaning its pods) with another one: goversec diff must call this destructive (3).
  "${K[@]}" get statefulset "$sts" -n "$ns" -o json | python3 -c '
import json,sys; o=json.load(sys.stdin); md=o["metadata"]
for k in ("resourceVersion","uid","creationTimestamp","generation","managedFields"): md.pop(k,None)
o.pop("status",None); o["spec"]["serviceName"]="drifted"; print(json.dumps(o))' >"$WORK/sts.json"
  if "${K[@]}" delete statefulset "$sts" -n "$ns" --cascade=orphan >/dev/null && "${K[@]}" create -f "$WORK/sts.json" >/dev/null 2>"$WORK/err"; then
    gdiff "$label: StatefulSet recreated with another serviceName (immutable)" 3 "$gv" "$c"; gdiff_sees "$label: immutable" "serviceName"
    "${K[@]}" delete statefulset "$sts" -n "$ns" --cascade=orphan >/dev/null
  else bad "$label: could not recreate the StatefulSet"; show "$WORK/err"; fi
  reapply
  gdiff "$label: in sync after re-apply" 0 "$gv" "$c"
  "${K[@]}" delete -f "$m/gates/service.yaml" >/dev/null
  "${K[@]}" delete statefulset "$sts" -n "$ns" >/dev/null
  gdiff "$label: deleted StatefulSet (claims left, missing object)" 1 "$gv" "$c"; gdiff_sees "$label: deleted StatefulSet" "missing    StatefulSet.apps/$sts"
  delete_ns "$ns"
}
