#!/usr/bin/env bash
# Memcheck over the real binary: every example through build, a rebuild (--no-sync), check, fmt,
# `diff --live` with the fixtures of tests/diff, and a few bad inputs and usage errors. Any memory
# error or a definite/indirect leak fails (exit 99 from valgrind). Fails when valgrind is missing:
# .ci/deps installs it. Kept short (~15 runs, about 30 s of CPU): one valgrind run per case.
# Usage: bash tests/valgrind/run.sh path/to/goversec        (prints `N passed, M failed`)
set -u
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export NO_COLOR=1
if ! command -v valgrind >/dev/null 2>&1; then
    echo "FAIL: valgrind is not installed (bash .ci/deps test installs it)"; echo "0 passed, 1 failed"; exit 1
fi
# A sanitizer build cannot run under valgrind (ASan reserves the shadow memory valgrind needs).
if nm "$BIN" 2>/dev/null | grep -q '__asan_init'; then
    echo "SKIP: $BIN is built with AddressSanitizer, which already checks memory; valgrind needs a plain build"
    echo "0 passed, 0 failed"; exit 0
fi
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
# vg NAME WANT_STATUS ARGS... : the status must be WANT_STATUS (not 99: valgrind's error code).
vg() {
    local name="$1" want="$2"; shift 2
    local rc=0
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        --log-file="$W/vg.log" "$BIN" "$@" >"$W/out" 2>"$W/err" || rc=$?
    if [ "$rc" -eq "$want" ] && [ ! -s "$W/vg.log" ]; then pass=$((pass + 1)); echo "ok   $name"
    else fail=$((fail + 1)); echo "FAIL $name (exit $rc, want $want)"; head -30 "$W/vg.log"; head -5 "$W/err"; fi
}
# Every example is built (a build runs check too); replace, check and fmt once each, to stay short.
for ex in "$ROOT"/examples/*.gv; do
    vg "build $(basename "$ex" .gv)" 0 build "$ex" -o "$W/out-$(basename "$ex" .gv)" -q
done
vg "rebuild dev (replace, --no-sync)" 0 build "$ROOT/examples/dev.gv" -o "$W/out-dev" -q --no-sync
vg "check production" 0 check "$ROOT/examples/production.gv"
for ex in "$ROOT"/examples/*.gv; do vg "fmt $(basename "$ex" .gv)" 0 fmt "$ex"; break; done
FIX="$ROOT/tests/diff/fixtures"
if [ -f "$FIX/design.gv" ] && [ -f "$FIX/live-design.yaml" ]; then
    rc=0; "$BIN" diff "$FIX/design.gv" --live "$FIX/live-design.yaml" >/dev/null 2>&1 || rc=$?
    vg "diff --live live-design.yaml" "$rc" diff "$FIX/design.gv" --live "$FIX/live-design.yaml"
fi
# Bad inputs: diagnostics and error paths must free what they allocate too.
printf 'cluster "x" {\n  nodes { replica 5 }\n  etcd { replicas 4 }\n' >"$W/bad.gv"
vg "build of an input with errors" 1 build "$W/bad.gv" -o "$W/bad-out"
printf 'cluster "x" {\n  namespace "\xff"\n}\n' >"$W/utf8.gv"
vg "invalid UTF-8" 1 check "$W/utf8.gv"
for c in "$ROOT"/tests/diagnostics/cases/check-extends-cycle.gv "$ROOT"/tests/diagnostics/cases/syntax-missing-block.gv; do
    [ -f "$c" ] && vg "diagnostics $(basename "$c" .gv)" 1 check "$c"
done
vg "missing input" 2 build "$W/nope.gv" -o "$W/o"
vg "output under a file" 2 build "$ROOT/examples/dev.gv" -o "$W/bad.gv/o"
vg "bad --set" 1 build "$ROOT/examples/dev.gv" -o "$W/o" --set etcd.replicas=4
vg "usage error" 2 build
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
