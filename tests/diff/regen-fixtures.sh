#!/usr/bin/env bash
# tests/diff/regen-fixtures.sh GOVERSEC - rewrites the live fixtures of the diff tests
# (tests/diff/fixtures/live-{design,zalando}{.yaml,-namespace.yaml,-all.json}) from a REAL API
# server: the fixture clusters (design.gv, zalando.gv) are built, applied server-side to the
# control plane of tests/k8s (kube-apiserver + controllers, CRDs installed), and read back with
# the real kubectl exactly as `goversec diff` reads them. Run it on purpose after a deliberate
# output change, review `git diff tests/diff/fixtures`, and commit with the change. The unit tests
# then compare desired objects with what this server really stores and defaults.
set -euo pipefail
BIN="$(realpath "${1:?usage: tests/diff/regen-fixtures.sh path/to/goversec}")"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
FIX="$HERE/fixtures"
# shellcheck source=../k8s/cluster.sh
source "${K8S_CLUSTER_SH:-$ROOT/tests/k8s/cluster.sh}"
WORK="$(mktemp -d)"
trap 'k8s_down; rm -rf "$WORK"' EXIT
k8s_up "$WORK/k8s"
k8s_zones zone-a zone-b zone-c

KINDS="configmaps,services,statefulsets.apps,deployments.apps,ingresses.networking.k8s.io,poddisruptionbudgets.policy,horizontalpodautoscalers.autoscaling,networkpolicies.networking.k8s.io,cronjobs.batch,persistentvolumeclaims,serviceaccounts,roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io"

regen() { # NAME CLUSTER EXTRA_KINDS
  local name="$1" cluster="$2" kinds="$KINDS$3" m ns
  "$BIN" build "$FIX/$name.gv" -o "$WORK/$name" --no-sync --charts none >/dev/null
  m="$WORK/$name/$cluster/manifests"
  ns="$(sed -n 's/^  name: //p' "$m/namespace.yaml" | head -1)"
  "${KUBECTL[@]}" apply --server-side -f "$m/namespace.yaml" >/dev/null
  "${KUBECTL[@]}" apply --server-side -k "$m" >/dev/null
  # Let the controllers finish what they write into the objects (claims, statuses).
  local i
  for i in $(seq 1 60); do
    [[ "$("${KUBECTL[@]}" get pvc -n "$ns" -o name | wc -l)" -gt 0 ]] && break
    sleep 1
  done
  sleep 5
  "${KUBECTL[@]}" get namespace "$ns" --ignore-not-found -o yaml >"$FIX/live-$name-namespace.yaml"
  "${KUBECTL[@]}" get "$kinds" -n "$ns" -o yaml >"$FIX/live-$name.yaml"
  # --live dump: the namespace and the same objects, as one `kubectl get -o json` List.
  "${KUBECTL[@]}" get namespace "$ns" -o json >"$WORK/ns.json"
  "${KUBECTL[@]}" get "$kinds" -n "$ns" -o json >"$WORK/list.json"
  python3 - "$WORK/ns.json" "$WORK/list.json" >"$FIX/live-$name-all.json" <<'EOF'
import json, sys
ns = json.load(open(sys.argv[1]))
lst = json.load(open(sys.argv[2]))
lst["items"] = [ns] + lst["items"]
json.dump(lst, sys.stdout, indent=4, sort_keys=True)
print()
EOF
  echo "regenerated live-$name*.{yaml,json}: $(grep -c '^- apiVersion\|^  - apiVersion' "$FIX/live-$name.yaml") objects"
}
regen design goverse ""
regen zalando zl ",postgresqls.acid.zalan.do"
