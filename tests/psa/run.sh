#!/usr/bin/env bash
# Pod Security suite (ctest: suite.psa). Usage: bash run.sh PATH/TO/goversec
# Every examples/*.gv is built with its defaults and under four value variants (backups with their
# restore Jobs, inspector, nodes without storage; in-cluster PostgreSQL with backups and restore;
# the Zalando operator; mTLS), and every pod template of every manifest (Deployments,
# StatefulSets, CronJobs, restore Jobs) is evaluated by psacheck: the Pod Security Admission
# library the API server runs (k8s.io/pod-security-admission, pinned in go.mod), at `restricted`,
# with strict decoding into the typed API objects. Controls: a description with
# `pod_security baseline` passes at baseline and is refused at restricted (the checker bites).
# psacheck is built from tests/psa/go.mod (Go module proxy; go.sum verifies every module) into
# ${GOVERSEC_TOOLS_CACHE:-$HOME/.cache/goversec-tools}/psacheck-KEY/ (outside the repository).
# Prints `N passed, M failed` last; exits non-zero on any failure.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [[ $# -ne 1 ]]; then echo "usage: bash run.sh PATH/TO/goversec" >&2; exit 2; fi
GOVERSEC="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[[ -x "$GOVERSEC" ]] || { echo "psa: $1 is not an executable" >&2; exit 2; }
command -v go >/dev/null || { echo "psa: go is not installed (needed to build psacheck)" >&2; exit 1; }

cache="${GOVERSEC_TOOLS_CACHE:-$HOME/.cache/goversec-tools}"
key="$(cat "$HERE/go.mod" "$HERE/go.sum" "$HERE/main.go" | { cat; go version; } | sha256sum | cut -c1-16)"
bin="$cache/psacheck-$key/psacheck"
if [[ ! -x "$bin" ]]; then
  mkdir -p "$cache"
  tmpb="$(mktemp -d "$cache/.psacheck.XXXXXX")"
  echo "psa: building psacheck (k8s.io/pod-security-admission, first run on this machine)" >&2
  if ! (cd "$HERE" && GOFLAGS="-buildvcs=false -mod=readonly" go build -trimpath -o "$tmpb/psacheck" .) >"$tmpb/build.log" 2>&1; then
    tail -n 30 "$tmpb/build.log" >&2
    rm -rf "$tmpb"
    echo "psa: FAILED to build psacheck from tests/psa/go.mod" >&2
    exit 1
  fi
  rm -rf "$cache/psacheck-$key"; mv "$tmpb" "$cache/psacheck-$key"
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/goversec-psa.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

variants=(
  ""
  "etcd.backup.enabled=true etcd.backup.restore.enabled=true inspector.enabled=true nodes.storage.enabled=false"
  "postgres.internal.enabled=true postgres.external.enabled=false postgres.operator.enabled=false postgres.backup.enabled=true postgres.backup.restore.enabled=true"
  "postgres.operator.enabled=true postgres.internal.enabled=false postgres.external.enabled=false"
  "tls.enabled=true tls.issuer.name=ca-issuer"
)

# check LEVEL WANT(0|1) LABEL GV [SET...]: build GV, evaluate its manifests at LEVEL.
check() {
  local level=$1 want=$2 label=$3 gv=$4; shift 4
  local out="$TMP/out" args=()
  for s in "$@"; do args+=(--set "$s"); done
  rm -rf "$out"
  if ! (cd "$ROOT" && "$GOVERSEC" build "$gv" -o "$out" --no-sync "${args[@]}") >"$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"; fail "$label: goversec build failed"; return
  fi
  mapfile -t files < <(find "$out" -path '*/manifests/*' -name '*.yaml' ! -name kustomization.yaml | LC_ALL=C sort)
  local rc=0
  "$bin" "$level" "${files[@]}" >"$TMP/psa.log" 2>&1 || rc=$?
  if [[ $want == 0 && $rc == 0 ]]; then
    pass "$label: $(tail -n 1 "$TMP/psa.log")"
  elif [[ $want == 1 && $rc == 1 ]]; then
    pass "$label: refused as expected ($(grep -c '^FAIL' "$TMP/psa.log") refusals)"
  else
    sed 's/^/    /' "$TMP/psa.log" | head -n 40
    fail "$label: psacheck $level exit $rc, expected $([[ $want == 0 ]] && echo 0 || echo 1)"
  fi
}

shopt -s nullglob
examples=("$ROOT"/examples/*.gv)
[[ ${#examples[@]} -gt 0 ]] || fail "no examples/*.gv"
for gv in "${examples[@]}"; do
  name="examples/$(basename "$gv")"
  for v in "${variants[@]}"; do
    # shellcheck disable=SC2086
    check restricted 0 "$name [${v:-defaults}]" "$name" $v
  done
done

# Controls: an explicit opt-out meets its own level and not restricted.
cat >"$TMP/baseline.gv" <<'GV'
cluster "optout" {
    inspector { image "goverse/inspector:1.2.0" }
    persistence postgres internal { backup daily at 02:00 keep 3 }
    security { pod_security baseline }
}
GV
check baseline 0 "pod_security baseline at baseline" "$TMP/baseline.gv" etcd.backup.enabled=true etcd.backup.restore.enabled=true postgres.backup.restore.enabled=true
check restricted 1 "pod_security baseline at restricted (control)" "$TMP/baseline.gv"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
