#!/usr/bin/env bash
# tests/k8s/run.sh GOVERSEC - the emitted output against a REAL Kubernetes control plane (etcd,
# kube-apiserver with RBAC + default admission incl. PodSecurity, controller-manager, scheduler;
# cluster.sh), real kubectl, real Helm 3 and Helm 4 and `goversec diff` through the real kubectl.
# One control plane per run, shared by every check; every process stopped by PID on exit; the
# work directory (logs, trees, outputs) is kept and named when anything failed.
# Per example cluster (examples/*.gv, every cluster of a fleet):
#   apply  - `kubectl apply --server-side` (namespace first, then the kustomization) with no
#            warning; the controllers create every pod and claim and PodSecurity admits every pod
#            (workloads reach their replicas, no FailedCreate event); etcd members in distinct
#            zones when the cluster is zoned; PDBs report the disruptionsAllowed the spec implies;
#            a second apply changes nothing (no object written by the kubectl field manager);
#            `kubectl diff --server-side` is empty; `goversec diff` is in sync (exit 0).
#   helm   - with Helm 3 and Helm 4 (tests/tools/helm3, helm4): `helm lint --strict`; `helm
#            install` over the namespace; the live objects equal the manifest tree (`kubectl diff`
#            of the tree empty, `goversec diff` in sync); `helm upgrade --set S` leaves the objects
#            of `goversec build --set S`; `helm uninstall` leaves nothing but PVCs.
#   drift  - (design-doc) `goversec diff` sees scale / label / set env / ConfigMap key / deleted
#            object / immutable change with the documented exit codes.
#   day2   - (production-multizone, day2.sh) the per-member restore pods are scheduled into their
#            member volume's zone; the chart README's install commands give an enforcing namespace.
# Environment (for working on one part; CI sets none): K8S_ONLY=REGEX limits the clusters (named
# example/cluster), K8S_PHASES="apply helm drift" the parts run; K8S_KEEP=1 keeps the work dir.
set -uo pipefail
BIN="$(realpath "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export NO_COLOR=1
WORK="$(mktemp -d "${TMPDIR:-/tmp}/goversec-k8s.XXXXXX")"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; echo "$*" >>"$WORK/failures.txt"; }
show() { sed 's/^/     | /' "$1" | head -n "${2:-15}"; }

# shellcheck source=cluster.sh
source "$HERE/cluster.sh"
finish() {
  k8s_down
  if [[ $fail -ne 0 || -n "${K8S_KEEP:-}" ]]; then
    echo "k8s: work directory kept: $WORK (logs/ has every process's log, failures.txt the failures)"
  else
    rm -rf "$WORK"
  fi
}
trap finish EXIT
t_start=$SECONDS
k8s_up "$WORK" || exit 1
PHASES=" ${K8S_PHASES:-apply helm drift day2} "
if [[ $PHASES == *" helm "* || $PHASES == *" day2 "* ]]; then
  H3="$(bash "$ROOT/tests/tools/build.sh" helm3)/helm" || k8s_die "cannot build Helm 3 (tests/tools/helm3)"
  H4="$(bash "$ROOT/tests/tools/build.sh" helm4)/helm" || k8s_die "cannot build Helm 4 (tests/tools/helm4)"
fi
export PATH="$K8S_BIN:$PATH"   # `goversec diff` runs the kubectl first on PATH: the real one
export HELM_CACHE_HOME="$WORK/helm/cache" HELM_CONFIG_HOME="$WORK/helm/config" HELM_DATA_HOME="$WORK/helm/data"
K=("${KUBECTL[@]}")
OBJS=(python3 "$HERE/objs.py")

desired_json() { "${K[@]}" kustomize "$1" | "${K[@]}" create --dry-run=client -o json -f - 2>/dev/null | python3 -c '
import json,sys
dec, s, out, i = json.JSONDecoder(), sys.stdin.read(), [], 0
while i < len(s):
    while i < len(s) and s[i].isspace(): i += 1
    if i >= len(s): break
    o, i = dec.raw_decode(s, i); out += o.get("items") or [o]
print(json.dumps({"kind": "List", "items": out}))'; }
# --- the trees ------------------------------------------------------------------------------------
mkdir -p "$WORK/out"
for ex in "$ROOT"/examples/*.gv; do
  name=$(basename "$ex" .gv)
  "$BIN" build "$ex" -o "$WORK/out/$name" -q --no-sync 2>"$WORK/err" || { bad "$name: goversec build failed"; show "$WORK/err"; }
done
# The objects of every cluster's tree as the API would read them (kustomize + client-side decode).
mkdir -p "$WORK/desired"
for m in "$WORK"/out/*/*/manifests; do
  n=$(basename "$(dirname "$(dirname "$m")")")-$(basename "$(dirname "$m")")
  desired_json "$m" >"$WORK/desired/$n.json" || bad "$n: kubectl could not read the tree"
done
# Storage classes the trees name exist in the cluster (a fake provisioner binds their claims).
classes=$("${OBJS[@]}" classes "$WORK"/desired/*.json)
for c in $classes $([[ " $classes " == *" standard "* ]] || echo standard); do
  printf 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: %s\n' "$c"
  [[ $c == standard ]] && printf '  annotations:\n    storageclass.kubernetes.io/is-default-class: "true"\n'
  printf 'provisioner: goversec.test/fake\nvolumeBindingMode: WaitForFirstConsumer\nallowVolumeExpansion: true\n---\n'
done | "${K[@]}" apply --server-side -f - >/dev/null || k8s_die "storage classes refused"
"${K[@]}" create namespace argocd >/dev/null || k8s_die "cannot create namespace argocd"
echo "k8s: storage classes: $classes standard"

# --- helpers ----------------------------------------------------------------------------------------
ns_of() { sed -n 's/^  name: //p' "$1/namespace.yaml" | head -1; }
# no_warnings LABEL FILE: a kubectl/helm stderr without any "Warning"
no_warnings() { if grep -qi 'warning' "$2"; then bad "$1: warnings"; show "$2"; return 1; fi; ok "$1: no warnings"; }

# wait_workloads LABEL NS WORKLOADS: every workload reaches its replicas (pods created, admitted,
# scheduled, claims bound) within 150 s; on failure the reasons (events) are shown.
wait_workloads() {
  local label="$1" ns="$2" wl="$3" end=$((SECONDS + 150)) left
  while :; do
    "${K[@]}" get statefulsets,deployments -n "$ns" -o json >"$WORK/live-wl.json" 2>/dev/null
    left=$("${OBJS[@]}" ready "$WORK/live-wl.json" "$wl")
    [[ -z "$left" ]] && { ok "$label: every workload has its pods (ready: $(awk '{print $1"/"$2"="$3}' "$wl" | tr '\n' ' '))"; break; }
    if (( SECONDS >= end )); then
      bad "$label: workloads not ready after 150 s: $(tr '\n' ';' <<<"$left")"
      "${K[@]}" get events -n "$ns" --field-selector type=Warning \
        -o custom-columns=OBJ:.involvedObject.name,REASON:.reason,MSG:.message --no-headers >"$WORK/ev" 2>&1
      sort -u "$WORK/ev" | show /dev/stdin 25
      break
    fi
    sleep 1
  done
  "${K[@]}" get events -n "$ns" --field-selector reason=FailedCreate -o custom-columns=MSG:.message --no-headers >"$WORK/ev" 2>&1
  if [[ -s "$WORK/ev" ]]; then bad "$label: a controller could not create pods (PodSecurity?)"; sort -u "$WORK/ev" | show /dev/stdin; else ok "$label: no FailedCreate event (PodSecurity admitted every pod)"; fi
  # every claim of every StatefulSet (template x replicas) exists and is bound
  local kind wname want claims t i missing=""
  "${K[@]}" get pvc -n "$ns" -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase}{"\n"}{end}' >"$WORK/pvcs"
  while read -r kind wname want claims; do
    [[ $claims == - ]] && continue
    for t in ${claims//,/ }; do for (( i=0; i<want; i++ )); do
      grep -qx "$t-$wname-$i Bound" "$WORK/pvcs" || missing+=" $t-$wname-$i($(awk -v n="$t-$wname-$i" '$1==n {print $2}' "$WORK/pvcs"))"
    done; done
  done <"$wl"
  if [[ -z "$missing" ]]; then ok "$label: every StatefulSet claim exists and is bound ($(grep -c Bound "$WORK/pvcs"))"
  else bad "$label: claims missing or not bound:$missing"; fi
}

# check_zones LABEL NS ZONES...: the etcd members run in distinct zones (as many as zones and replicas allow)
check_zones() {
  local label="$1" ns="$2"; shift 2
  local nz=$# pods zs want
  pods=$("${K[@]}" get pods -n "$ns" -l app=etcd -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}')
  [[ -n "$pods" ]] || return 0
  zs=$(for n in $pods; do "${K[@]}" get node "$n" -o jsonpath='{.metadata.labels.topology\.kubernetes\.io/zone}'; echo; done | sort -u | wc -l)
  want=$(wc -l <<<"$pods"); (( want > nz )) && want=$nz
  if (( zs == want )); then ok "$label: etcd members in $zs distinct zones"; else bad "$label: etcd members in $zs zones, want $want ($(tr '\n' ' ' <<<"$pods"))"; fi
}

# check_pdbs LABEL NS DESIRED: each PDB's disruptionsAllowed as its spec implies with all pods healthy
check_pdbs() {
  local label="$1" ns="$2" des="$3" name want n got end
  while read -r name want n; do
    end=$((SECONDS + 40))
    while got=$("${K[@]}" get pdb "$name" -n "$ns" -o jsonpath='{.status.disruptionsAllowed}/{.status.expectedPods}' 2>/dev/null); \
          [[ "$got" != "$want/$n" ]] && (( SECONDS < end )); do sleep 2; done
    if [[ "$got" == "$want/$n" ]]; then ok "$label: pdb $name disruptionsAllowed=$want of $n pods"
    else bad "$label: pdb $name disruptionsAllowed/expectedPods = $got, want $want/$n"; fi
  done < <("${OBJS[@]}" pdbs "$des")
}

# second_apply LABEL DIR: a repeated apply writes nothing (kubectl's managed fields and the
# generation unchanged everywhere; status writes by the controllers are not the apply's)
second_apply() {
  local label="$1" dir="$2"
  "${K[@]}" get -k "$dir" -o json >"$WORK/s1.json" 2>/dev/null
  "${K[@]}" apply --server-side -k "$dir" >"$WORK/out2" 2>"$WORK/err2" || { bad "$label: second apply failed"; show "$WORK/err2"; return; }
  "${K[@]}" get -k "$dir" -o json >"$WORK/s2.json" 2>/dev/null
  "${OBJS[@]}" snapshot "$WORK/s1.json" >"$WORK/s1"; "${OBJS[@]}" snapshot "$WORK/s2.json" >"$WORK/s2"
  [[ -s "$WORK/s1" ]] || { bad "$label: no live object of the tree found"; return; }
  local changed same
  changed=$(join <(awk '{print $1, $3, $4}' "$WORK/s1") <(awk '{print $1, $3, $4}' "$WORK/s2") | awk '$2!=$4 || $3!=$5 {print $1}')
  same=$(join "$WORK/s1" "$WORK/s2" | awk '$2==$5' | wc -l)
  if [[ -z "$changed" ]]; then ok "$label: second apply changed nothing ($same of $(wc -l <"$WORK/s1") resourceVersions identical, the rest status-only)"
  else bad "$label: second apply rewrote: $(tr '\n' ' ' <<<"$changed")"; fi
}

# settle NS: every StatefulSet/Deployment has observed its spec and has its replicas ready (the
# controllers stop writing status), bounded; kubectl diff compares a GET with a dry-run apply made
# a moment later, so a status written in between would show as a difference.
settle() {
  local end=$((SECONDS + 60))
  until "${K[@]}" get statefulsets,deployments -n "$1" -o json 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin)["items"]:
    st, sp = o.get("status", {}), o["spec"]
    if st.get("observedGeneration") != o["metadata"]["generation"] or st.get("readyReplicas", 0) != sp.get("replicas", 1) \
       or st.get("updatedReplicas", 0) != sp.get("replicas", 1) or st.get("replicas", 0) != sp.get("replicas", 1):
        sys.exit(1)'; do
    (( SECONDS >= end )) && { echo "k8s: $1 did not settle in 60 s" >&2; return 1; }
    sleep 1
  done
}

# kdiff DIR: kubectl diff --server-side of the tree into $WORK/kdiff (exit status in $kdiff_rc)
kdiff() {
  kdiff_rc=0
  "${K[@]}" diff --server-side --force-conflicts -k "$1" >"$WORK/kdiff" 2>&1 || kdiff_rc=$?
}

# kdiff_empty LABEL DIR: kubectl diff --server-side of the tree shows nothing
kdiff_empty() {
  local try
  for try in 1 2 3; do  # a status write racing kubectl's two reads passes; a real difference stays
    kdiff "$2"; [[ $kdiff_rc -eq 0 && ! -s "$WORK/kdiff" ]] && break; sleep 2
  done
  if [[ $kdiff_rc -eq 0 && ! -s "$WORK/kdiff" ]]; then ok "$1: kubectl diff empty"; else bad "$1: kubectl diff (exit $kdiff_rc) not empty"; show "$WORK/kdiff" 40; fi
}

# gdiff LABEL WANT GV CLUSTER [ARGS]: goversec diff through the real kubectl exits WANT
gdiff() {
  local label="$1" want="$2" gv="$3" c="$4"; shift 4
  local rc=0
  "$BIN" diff "$gv" --cluster "$c" --kubeconfig "$KUBECONFIG" "$@" >"$WORK/gdiff" 2>&1 || rc=$?
  if [[ $rc -eq "$want" ]]; then ok "$label: goversec diff exit $rc"; else
    bad "$label: goversec diff exit $rc, want $want"
    # the verdicts and reasons, without the YAML diffs (the whole report is in the work dir)
    grep -E '^(changed|missing|orphaned) |^    [a-zA-Z]|^[0-9]+ objects|error' "$WORK/gdiff" | show /dev/stdin 40
    cp "$WORK/gdiff" "$WORK/gdiff-$(tr -c 'a-zA-Z0-9' _ <<<"$label").txt"
  fi
}

# delete_ns NS: the namespace and everything in it gone (pods finalized by the fakelet), bounded
# (workloads first, then their pods with zero grace as a kubelet confirms a stop: otherwise the
# namespace controller waits out the pods' terminationGracePeriodSeconds before looking again)
delete_ns() {
  "${K[@]}" delete statefulsets,deployments,cronjobs,jobs --all -n "$1" --wait=false >/dev/null 2>&1
  "${K[@]}" delete pods --all -n "$1" --grace-period=0 --force >/dev/null 2>&1
  "${K[@]}" delete namespace "$1" --wait=true --timeout=120s >/dev/null 2>&1 \
    || { bad "namespace $1 not deleted in 120 s"; "${K[@]}" get all,pvc -n "$1" 2>&1 | show /dev/stdin; }
}

source "$HERE/apply.sh"
source "$HERE/helm.sh"
source "$HERE/day2.sh"

for gv in "$ROOT"/examples/*.gv; do
  name=$(basename "$gv" .gv)
  for m in "$WORK/out/$name"/*/manifests; do
    [[ -d "$m" ]] || continue
    c=$(basename "$(dirname "$m")")
    [[ -n "${K8S_ONLY:-}" && ! "$name/$c" =~ ${K8S_ONLY} ]] && continue
    t0=$SECONDS
    [[ $PHASES == *" apply "* ]] && test_apply "$gv" "$name" "$c" "$m"
    t1=$SECONDS
    [[ $PHASES == *" helm "* ]] && test_helm "$gv" "$name" "$c" "$m"
    echo "k8s: $name/$c: apply $((t1 - t0)) s, helm $((SECONDS - t1)) s"
  done
done
[[ -d "$WORK/out/fleet/argocd" ]] && {
  if "${K[@]}" apply --server-side -k "$WORK/out/fleet/argocd" >/dev/null 2>"$WORK/err" && ! grep -qi warning "$WORK/err"; then
    ok "fleet: Argo CD Applications accepted with no warning"; else bad "fleet: Argo CD Applications"; show "$WORK/err"; fi; }
[[ $PHASES == *" drift "* ]] && [[ -z "${K8S_ONLY:-}" || "design-doc/goverse" =~ ${K8S_ONLY} ]] && test_drift "$ROOT/examples/design-doc.gv" "$WORK/out/design-doc/goverse/manifests"

if [[ $PHASES == *" day2 "* ]] && [[ -z "${K8S_ONLY:-}" || "production-multizone/chat-prod" =~ ${K8S_ONLY} ]]; then
  pmz="$WORK/out/production-multizone/chat-prod"
  des="$WORK/desired/production-multizone-chat-prod.json"
  [[ -f "$des" ]] || desired_json "$pmz/manifests" >"$des"
  read -r -a pmz_zones <<<"$("${OBJS[@]}" zones "$des")"
  test_restore_zones production-multizone chat-prod "$pmz/manifests" "${pmz_zones[@]}"
  test_readme_namespace production-multizone chat-prod "$pmz/chart"
fi

echo "k8s: tier ran in $((SECONDS - t_start)) s"
[[ -s "$WORK/failures.txt" ]] && { echo "k8s: failures:"; sed 's/^/  /' "$WORK/failures.txt"; }
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
