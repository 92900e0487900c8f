#!/usr/bin/env bash
# Fleet suite (ctest: suite.fleet). Usage: bash run.sh PATH/TO/goversec
# Builds examples/fleet.gv (three regions sharing a base through `extends`, one hybrid, all with
# `gitops argocd`) and checks: one directory per cluster; OUT/argocd/ (one Application per cluster
# pointing at a directory that exists in the tree, its kustomization, `kubectl kustomize` of it,
# schema validation); `--cluster NAME` building one cluster and its Application only, byte-identical
# to the same cluster in the full build; the hybrid region (no etcd StatefulSet, the external
# endpoints in the Goverse config, no in-cluster PostgreSQL); and determinism of the fleet output.
# Prints `N passed, M failed` last; exits non-zero on any failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [[ $# -ne 1 ]]; then echo "usage: bash run.sh PATH/TO/goversec" >&2; exit 2; fi
GOVERSEC="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[[ -x "$GOVERSEC" ]] || { echo "fleet: $1 is not an executable" >&2; exit 2; }
FLEET="$ROOT/examples/fleet.gv"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/goversec-fleet.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@" >"$TMP/check.log" 2>&1; then pass "$what"; else cat "$TMP/check.log"; fail "$what"; fi; }
has() { grep -qxF -- "$2" "$1"; }          # file has exactly this line
lacks() { ! grep -qF -- "$2" "$1"; }

OUT="$TMP/out"
"$GOVERSEC" build "$FLEET" -o "$OUT" -q || { fail "examples/fleet.gv does not build"; echo "$passed passed, $failed failed"; exit 1; }
clusters=(us-west eu-west ap-south)

# ---- 1. one directory per cluster, plus argocd/ ----
check "top level holds the three clusters, argocd/ and charts/" \
  test "$(cd "$OUT" && ls | LC_ALL=C sort | tr '\n' ' ')" = "ap-south argocd charts eu-west us-west "
# A fleet shares charts by shape: eu-west extends us-west and changes only values, so it uses
# us-west's chart; ap-south (external etcd and database) has objects of its own.
check "charts/ holds one chart per shape: us-west and ap-south" \
  test "$(cd "$OUT/charts" && ls | LC_ALL=C sort | tr '\n' ' ')" = "ap-south us-west "
check "eu-west's values name us-west's chart" has "$OUT/eu-west/values.yaml" "# chart: ../charts/us-west"
check "us-west and eu-west values differ (the chart is shared, the values are not)" \
  bash -c "! diff -q <(sed 1,4d '$OUT/us-west/values.yaml') <(sed 1,4d '$OUT/eu-west/values.yaml')"
for c in "${clusters[@]}"; do
  check "$c: manifests/kustomization.yaml and values.yaml, no chart/ of its own" \
    test -f "$OUT/$c/manifests/kustomization.yaml" -a -f "$OUT/$c/values.yaml" -a ! -e "$OUT/$c/chart"
  check "$c: objects are named for the cluster" \
    has "$OUT/$c/manifests/configmap.yaml" "    app.kubernetes.io/instance: $c"
done

# ---- 2. the Argo CD objects ----
A="$OUT/argocd"
check "argocd/kustomization.yaml lists one Application per cluster, in source order" \
  diff <(sed -n 's/^- //p' "$A/kustomization.yaml") <(printf '%s.yaml\n' "${clusters[@]}")
for c in "${clusters[@]}"; do
  f="$A/$c.yaml"
  check "$c: Application in namespace argocd, project goverse" \
    bash -c "grep -qxF 'kind: Application' '$f' && grep -qxF '  namespace: argocd' '$f' && grep -qxF '  project: goverse' '$f'"
  check "$c: source is the fleet repo at main, deploy/$c/manifests" \
    bash -c "grep -qxF '    repoURL: https://git.example.com/platform/fleet.git' '$f' && grep -qxF '    targetRevision: main' '$f' && grep -qxF '    path: deploy/$c/manifests' '$f'"
  # The path in git, minus the repo directory (`deploy`), must be a directory of this tree.
  p=$(sed -n 's/^    path: deploy\///p' "$f")
  check "$c: the Application's path exists in the output tree" test -f "$OUT/$p/kustomization.yaml"
  check "$c: destination namespace goverse, CreateNamespace" \
    bash -c "grep -qxF '    namespace: goverse' '$f' && grep -qxF '    - CreateNamespace=true' '$f'"
done
check "us-west: server from its own setting, automated sync" \
  bash -c "grep -qxF '    server: https://us-west.k8s.example.com' '$A/us-west.yaml' && grep -qxF '      selfHeal: true' '$A/us-west.yaml'"
check "eu-west: destination by Argo CD cluster name replaces the inherited server" \
  bash -c "grep -qxF '    name: eu-west-prod' '$A/eu-west.yaml' && ! grep -q 'server:' '$A/eu-west.yaml' && grep -qxF '      prune: true' '$A/eu-west.yaml'"
check "ap-south: its own server, manual sync (no automated)" \
  bash -c "grep -qxF '    server: https://ap-south.k8s.example.com' '$A/ap-south.yaml' && ! grep -q 'automated' '$A/ap-south.yaml'"
if command -v kubectl >/dev/null; then
  check "kubectl kustomize argocd/ renders the three Applications" \
    test "$(kubectl kustomize "$A" | grep -c '^kind: Application$')" -eq 3
fi
# Schema validation is not optional: install the validator's packages when they are missing.
if [[ ! -d "$ROOT/tests/validate/node_modules/kubernetes-models" ]]; then
  (cd "$ROOT/tests/validate" && npm ci --no-audit --no-fund --silent) >/dev/null
fi
check "argocd/ validates against the Argo CD schemas" node "$ROOT/tests/validate/validate.mjs" "$A"

# ---- 3. --cluster NAME ----
ONE="$TMP/one"
"$GOVERSEC" build "$FLEET" -o "$ONE" -q --cluster eu-west
check "--cluster eu-west: eu-west and argocd/ only" test "$(cd "$ONE" && ls | tr '\n' ' ')" = "argocd eu-west "
check "--cluster eu-west: argocd/ holds its Application only" \
  test "$(cd "$ONE/argocd" && ls | tr '\n' ' ')" = "eu-west.yaml kustomization.yaml "
check "--cluster eu-west: its manifests, inventory and Application equal the full build's" \
  bash -c "diff -r '$OUT/eu-west/manifests' '$ONE/eu-west/manifests' && diff '$OUT/eu-west/inventory.yaml' '$ONE/eu-west/inventory.yaml' && diff '$A/eu-west.yaml' '$ONE/argocd/eu-west.yaml'"
check "--cluster eu-west: one cluster gets its own chart/" test -f "$ONE/eu-west/chart/Chart.yaml"
PER="$TMP/per"
"$GOVERSEC" build "$FLEET" -o "$PER" -q --charts per-cluster
check "--charts per-cluster: a chart in every cluster directory, no charts/" \
  bash -c "test -f '$PER/us-west/chart/Chart.yaml' -a -f '$PER/eu-west/chart/Chart.yaml' -a -f '$PER/ap-south/chart/Chart.yaml' -a ! -e '$PER/charts'"
check "--charts per-cluster: the --cluster eu-west tree equals the fleet's" diff -r "$PER/eu-west" "$ONE/eu-west"
NOC="$TMP/nocharts"
"$GOVERSEC" build "$FLEET" -o "$NOC" -q --charts none
check "--charts none: manifests only" \
  bash -c "test -f '$NOC/us-west/manifests/kustomization.yaml' -a ! -e '$NOC/charts' -a ! -e '$NOC/us-west/chart' -a ! -e '$NOC/us-west/values.yaml'"
rc=0; "$GOVERSEC" build "$FLEET" -o "$TMP/bad" -q --charts some 2>"$TMP/err" || rc=$?
check "--charts with an unknown mode: exit 2, names the modes" \
  bash -c "[[ $rc -eq 2 ]] && grep -qF 'shared, per-cluster or none' '$TMP/err' && [[ ! -e '$TMP/bad' ]]"
rc=0; "$GOVERSEC" build "$FLEET" -o "$TMP/none" -q --cluster eu-wset 2>"$TMP/err" || rc=$?
check "--cluster with an unknown name: exit 1, lists the clusters, writes nothing" \
  bash -c "[[ $rc -eq 1 ]] && grep -qF '\`us-west\`, \`eu-west\`, \`ap-south\`' '$TMP/err' && [[ ! -e '$TMP/none' ]]"

# Shapes in turn (us-west, ap-south, eu-west, ap-east): a shape met again after another one is
# found by its hash, under which its first cluster was filed (chart_shapes.c), not given a chart
# of its own. ap-east is ap-south under another name and server.
python3 - "$FLEET" "$TMP/turns.gv" <<'PY'
import sys
s = open(sys.argv[1]).read()
eu, ap = s.index('cluster "eu-west"'), s.index('cluster "ap-south"')
east = s[ap:].replace('"ap-south"', '"ap-east"').replace('ap-south.goverse', 'ap-east.goverse')
east = east.replace('https://ap-south.k8s', 'https://ap-east.k8s')
open(sys.argv[2], "w").write(s[:eu] + s[ap:] + "\n" + s[eu:ap] + "\n" + east)
PY
"$GOVERSEC" build "$TMP/turns.gv" -o "$TMP/turns" -q
check "shapes in turn: two charts, each later cluster on its shape's chart" \
  bash -c "test \"\$(cd '$TMP/turns/charts' && ls | LC_ALL=C sort | tr '\n' ' ')\" = 'ap-south us-west ' &&
    grep -qxF '# chart: ../charts/us-west' '$TMP/turns/eu-west/values.yaml' &&
    grep -qxF '# chart: ../charts/ap-south' '$TMP/turns/ap-east/values.yaml'"

# ---- 4. the hybrid region ----
H="$OUT/ap-south/manifests"
check "ap-south: no etcd objects (external etcd)" test ! -e "$H/etcd"
check "ap-south: no in-cluster PostgreSQL (external)" test ! -e "$H/postgres"
check "ap-south: kustomization does not reference etcd/ or postgres/" \
  bash -c "! grep -qE '^- (etcd|postgres)/' '$H/kustomization.yaml'"
check "ap-south: the Goverse config names the external etcd address" \
  bash -c "grep -A2 '^        endpoints:' '$H/configmap.yaml' | diff - <(printf '%s\n' '        endpoints:' \
    '        - \"etcd.ap-south.example.com:2379\"' '        prefix: \"/goverse\"')"
check "ap-south: the Goverse config points at the managed database" \
  has "$H/configmap.yaml" '      host: "goverse.ap-south-1.rds.amazonaws.com"'
check "us-west (the base): etcd and PostgreSQL StatefulSets in the cluster" \
  test -f "$OUT/us-west/manifests/etcd/statefulset.yaml" -a -f "$OUT/us-west/manifests/postgres/statefulset.yaml"
check "ap-south: no password anywhere in its tree" lacks "$OUT/ap-south/manifests/configmap.yaml" "password:"

# ---- 5. determinism ----
OUT2="$TMP/out2"
(cd "$TMP" && TZ=NZST-12:45NZDT LC_ALL=C.UTF-8 "$GOVERSEC" build "$FLEET" -o "$OUT2" -q)
check "two builds of the fleet are byte-identical" diff -r "$OUT" "$OUT2"

# ---- values files: read once for the whole fleet ----
printf 'nodes:\n  replicas: 7\n' >"$TMP/v.yaml"
"$GOVERSEC" build "$FLEET" -o "$TMP/outv" -q -f "$TMP/v.yaml"
check "-f applies to every cluster of the fleet" \
  test "$(cat "$TMP"/outv/*/manifests/nodes/statefulset.yaml | grep -cxF '  replicas: 7')" -eq 3
printf 'nodes:\n  replicas: [\n' >"$TMP/bad.yaml"
"$GOVERSEC" build "$FLEET" -o "$TMP/outbad" -q -f "$TMP/bad.yaml" 2>"$TMP/bad.err" || true
check "a broken values file is reported once, not once per cluster" \
  test "$(grep -c 'error: invalid YAML' "$TMP/bad.err")" -eq 1

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
