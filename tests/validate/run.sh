#!/usr/bin/env bash
# Schema validation suite (ctest: suite.validate). Usage: bash run.sh PATH/TO/goversec
#  1. the hand-written fixtures: fixtures/valid/** must pass, every fixtures/invalid/*.yaml (and
#     fixtures/invalid/*/kustomization.yaml) must fail, each for the reason its `# expect:` lines say;
#  2. every examples/*.gv is built with the binary into a temp dir and the whole output tree is
#     validated (validate.mjs skips chart/, inventory.yaml and .goversec-tree by name).
# Needs node and tests/validate/node_modules (`npm ci --no-audit --no-fund` here; .ci/test does it).
# Prints `N passed, M failed` last; exits non-zero on any failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [[ $# -ne 1 ]]; then echo "usage: bash run.sh PATH/TO/goversec" >&2; exit 2; fi
GOVERSEC="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[[ -x "$GOVERSEC" ]] || { echo "validate: $1 is not an executable" >&2; exit 2; }
command -v node >/dev/null || { echo "validate: node is not installed (run: bash .ci/deps test)" >&2; exit 2; }
if [[ ! -d "$HERE/node_modules/kubernetes-models" ]]; then
  echo "validate: $HERE/node_modules is missing: run (cd tests/validate && npm ci --no-audit --no-fund)" >&2
  exit 2
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/goversec-validate.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# 1. fixtures
if node "$HERE/validate.mjs" "$HERE/fixtures/valid" >"$TMP/valid.log" 2>&1; then
  pass "fixtures/valid ($(tail -n1 "$TMP/valid.log"))"
else
  cat "$TMP/valid.log"; fail "fixtures/valid must pass"
fi
shopt -s nullglob
invalid=("$HERE"/fixtures/invalid/*.yaml "$HERE"/fixtures/invalid/*/kustomization.yaml)
shopt -u nullglob
# one node process for all of them (startup dominates): one `ok`/`FAIL` line per file
node "$HERE/validate.mjs" --expect-fail "${invalid[@]}" >"$TMP/inv.log" 2>&1 || true
for f in "${invalid[@]}"; do
  rel="${f#"$HERE"/}"
  if grep -qF "ok   $f: rejected as expected" "$TMP/inv.log"; then
    pass "$rel is rejected"
  else
    grep -F -A20 "$f" "$TMP/inv.log" | grep -v '^ok ' | head -n 20 || cat "$TMP/inv.log"
    fail "$rel must be rejected for the reason it states"
  fi
done

# 2. every example, built by the binary, validated as a whole tree
shopt -s nullglob
examples=("$ROOT"/examples/*.gv)
shopt -u nullglob
if [[ ${#examples[@]} -eq 0 ]]; then fail "no examples/*.gv to build"; fi
for gv in "${examples[@]}"; do
  name="$(basename "$gv" .gv)"
  out="$TMP/out-$name"
  if ! "$GOVERSEC" build "$gv" -o "$out" >"$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"; fail "examples/$name.gv: goversec build failed"; continue
  fi
  if ! compgen -G "$out/*/manifests/kustomization.yaml" >/dev/null; then
    find "$out" -type f | sort; fail "examples/$name.gv: no <cluster>/manifests/kustomization.yaml in the output"; continue
  fi
  if node "$HERE/validate.mjs" "$out" >"$TMP/ex.log" 2>&1; then
    pass "examples/$name.gv output tree ($(tail -n1 "$TMP/ex.log"))"
  else
    sed "s|$out/||g" "$TMP/ex.log"; fail "examples/$name.gv output tree has schema errors"
  fi
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
