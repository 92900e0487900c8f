#!/usr/bin/env bash
# End-to-end tests of `goversec diff` through the real binary: live state from a stand-in kubectl
# first on PATH (argv checked, read-only verbs only) or from --live dumps; exit codes 0/1/2/3,
# error messages, JSON validity (parsed back with node), no colour under NO_COLOR.
# Usage: bash run.sh path/to/goversec
set -u
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
FIX="$HERE/fixtures"
export NO_COLOR=1

if ! "$BIN" diff --help >/dev/null 2>&1; then
  echo "SKIP: this goversec does not support 'diff --help' yet"
  echo "0 passed, 0 failed"
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin"
cp "$HERE/kubectl-standin.sh" "$WORK/bin/kubectl"
chmod +x "$WORK/bin/kubectl"
export STANDIN_LOG="$WORK/kubectl.log" STANDIN_VIOLATIONS="$WORK/violations.log"
: > "$STANDIN_VIOLATIONS"
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$WORK/out" ] && sed 's/^/     | /' "$WORK/out" | head -20; [ -f "$WORK/err" ] && sed 's/^/     ! /' "$WORK/err" | head -10; }

# run EXPECTED_EXIT NAME ARGS... : runs goversec diff with the stand-in kubectl on PATH.
run() {
  local want="$1" name="$2"
  shift 2
  : > "$STANDIN_LOG"
  PATH="$WORK/bin:$PATH" "$BIN" diff "$@" > "$WORK/out" 2> "$WORK/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok "$name (exit $got)"; else ko "$name: exit $got, expected $want"; fi
}
expect_out() { if grep -qF -- "$2" "$WORK/out"; then ok "$1"; else ko "$1: output lacks '$2'"; fi; }
expect_err() { if grep -qF -- "$2" "$WORK/err"; then ok "$1"; else ko "$1: stderr lacks '$2'"; fi; }
expect_log() { if grep -qxF -- "$2" "$STANDIN_LOG"; then ok "$1"; else ko "$1: kubectl argv was: $(cat "$STANDIN_LOG")"; fi; }

KINDS="configmaps,services,statefulsets.apps,deployments.apps,ingresses.networking.k8s.io,poddisruptionbudgets.policy,horizontalpodautoscalers.autoscaling,networkpolicies.networking.k8s.io,cronjobs.batch,persistentvolumeclaims,serviceaccounts,roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io"

# --- through kubectl ------------------------------------------------------------------------------
export STANDIN_NS="$FIX/live-design-namespace.yaml" STANDIN_LIST="$FIX/live-design.yaml"
run 0 "design in sync via kubectl" "$FIX/design.gv"
expect_out "summary line" "14 objects: 0 changed, 0 missing, 0 orphaned, 14 unchanged"
expect_log "namespace fetched read-only" "get namespace goverse --ignore-not-found -o yaml"
expect_log "every emitted kind fetched in the namespace" "get $KINDS -n goverse -o yaml"

run 0 "context and kubeconfig passed through" "$FIX/design.gv" --context prod-eu --kubeconfig /tmp/kc
expect_log "argv with --context/--kubeconfig" "--context prod-eu --kubeconfig /tmp/kc get $KINDS -n goverse -o yaml"

export STANDIN_NS="$FIX/live-zalando-namespace.yaml" STANDIN_LIST="$FIX/live-zalando.yaml"
run 0 "zalando in sync via kubectl" "$FIX/zalando.gv"
expect_log "custom resource fetched when described" "get $KINDS,postgresqls.acid.zalan.do -n goverse-zl -o yaml"

sed 's/^\(\s*\)replicas: 3$/\1replicas: 4/' "$FIX/live-zalando.yaml" > "$WORK/zl-replicas.yaml"
export STANDIN_LIST="$WORK/zl-replicas.yaml"
run 3 "replica drift incl. etcd membership via kubectl" "$FIX/zalando.gv"
expect_out "etcd replicas are a data risk" "spec.replicas: data-risk"

STANDIN_FAIL=1 run 2 "unreachable cluster" "$FIX/design.gv"
expect_err "kubectl stderr shown" "Unable to connect to the server"
expect_err "failure names kubectl" "kubectl get failed (exit 1)"

: > "$STANDIN_LOG"
PATH="/nonexistent" "$BIN" diff "$FIX/design.gv" > "$WORK/out" 2> "$WORK/err"
if [ $? -eq 2 ]; then ok "missing kubectl (exit 2)"; else ko "missing kubectl: wrong exit"; fi
expect_err "missing kubectl message" "kubectl not found on PATH (install it or pass --live DUMP)"

if [ -s "$STANDIN_VIOLATIONS" ]; then ko "read-only: $(cat "$STANDIN_VIOLATIONS")"; else ok "only read-only kubectl verbs were used"; fi

# --- saved dumps ----------------------------------------------------------------------------------
run 0 "JSON dump in sync" "$FIX/design.gv" --live "$FIX/live-design-all.json"
if [ -s "$STANDIN_LOG" ]; then ko "--live must not call kubectl"; else ok "--live does not call kubectl"; fi

sed 's#image: goverse/gate:latest#image: goverse/gate:1.3.0#' "$FIX/live-design.yaml" > "$WORK/image.yaml"
run 1 "image drift" "$FIX/design.gv" --live "$WORK/image.yaml"
expect_out "image change is a rolling restart" "spec.template.spec.containers[goverse-gate].image: rolling-restart"
expect_out "unified diff line" "+        image: goverse/gate:latest"
if grep -q $'\033' "$WORK/out"; then ko "no colour under NO_COLOR"; else ok "no colour under NO_COLOR"; fi

sed 's/shards: 8192/shards: 1024/' "$FIX/live-design.yaml" > "$WORK/shards.yaml"
run 3 "shards changed is destructive" "$FIX/design.gv" --live "$WORK/shards.yaml"
expect_out "data risk reported" "data.config.yaml: data-risk"

run 3 "JSON report" "$FIX/design.gv" --live "$WORK/shards.yaml" -o json
if node -e '
  const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const cm = j.objects.find(o => o.kind === "ConfigMap");
  if (j.schema !== "goversec.diff/v1" || j.exitCode !== 3 || !j.summary.destructive) process.exit(1);
  if (j.summary.changed < 1 || cm.status !== "changed" || cm.impact !== "data-risk") process.exit(1);
  if (!cm.diff.includes("shards: 1024")) process.exit(1);
' "$WORK/out"; then ok "JSON parses back with the expected content"; else ko "JSON report invalid or wrong"; fi

printf 'not: [valid\n' > "$WORK/bad.yaml"
run 2 "unreadable dump" "$FIX/design.gv" --live "$WORK/bad.yaml"
run 2 "missing dump file" "$FIX/design.gv" --live "$WORK/nope.yaml"
expect_err "missing dump message" "cannot read live dump"

# A large cluster's dump is no .gv source: past the 4 MiB source limit it is still read.
python3 "$HERE/../../bench/gen-dump.py" "$FIX/live-design-all.json" 10000 > "$WORK/big.json"
if [ "$(stat -c %s "$WORK/big.json")" -gt $((4 * 1024 * 1024)) ]; then
  run 0 "a dump past 4 MiB (10000 objects) is read" "$FIX/design.gv" --live "$WORK/big.json"
else ko "big.json is not past 4 MiB"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
