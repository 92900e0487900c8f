#!/usr/bin/env bash
# The product build (ctest: suite.product). Usage: bash run.sh PATH/TO/goversec
# The test builds link goversec dynamically and without link-time optimisation. What a user installs
# and what bench/ measures is the Release build without tests: static-pie, LTO (CMakeLists.txt).
# This suite configures and builds exactly that, next to the tested binary (BUILD/product-build,
# reused by later runs). It checks that it is what it claims to be (static-pie, compiled with
# -flto), then runs the golden, fleet and determinism suites on it. Same trees, byte for byte,
# as the binary under test. Runs once per CI run (ONCE_SUITES in tests/CMakeLists.txt).
# Prints `N passed, M failed` last; exits non-zero on any failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [[ $# -ne 1 ]]; then echo "usage: bash run.sh PATH/TO/goversec" >&2; exit 2; fi
GOVERSEC="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[[ -x "$GOVERSEC" ]] || { echo "product: $1 is not an executable" >&2; exit 2; }
BUILD="$(dirname "$GOVERSEC")/product-build"

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
finish() { echo "$passed passed, $failed failed"; [[ $failed -eq 0 ]]; exit; }

echo "== configure + build the product (Release, no tests) in $BUILD"
if ! cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGOVERSEC_TESTS=OFF >"$BUILD.log" 2>&1 ||
   ! cmake --build "$BUILD" -j "${JOBS:-2}" --target goversec >>"$BUILD.log" 2>&1; then
  tail -n 40 "$BUILD.log"
  fail "the product build does not build (log: $BUILD.log)"
  finish
fi
PRODUCT="$BUILD/goversec"
pass "the product builds"

# static-pie: a position-independent executable (ELF type DYN) without a program interpreter.
if readelf -h "$PRODUCT" | grep -q 'Type: *DYN' && ! readelf -l "$PRODUCT" | grep -q INTERP; then
  pass "the product is static-pie"
else
  fail "the product is not static-pie (is libyaml.a installed? see $BUILD.log)"
fi
if grep -q -- '-flto' "$BUILD/compile_commands.json"; then
  pass "the product is compiled with -flto"
else
  fail "the product is not compiled with link-time optimisation (see $BUILD.log)"
fi

for suite in golden fleet determinism; do
  log="$BUILD/$suite.log"
  if bash "$ROOT/tests/$suite/run.sh" "$PRODUCT" >"$log" 2>&1; then
    pass "suite $suite on the product: $(tail -n 1 "$log")"
  else
    grep '^FAIL' "$log" | head -n 20 || true
    fail "suite $suite on the product: $(tail -n 1 "$log") (log: $log)"
  fi
done

# The same trees as the binary under test, for every example (the suites above compare with the
# golden trees; this compares the two binaries directly, marker and all).
TMP="$(mktemp -d "${TMPDIR:-/tmp}/goversec-product.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
for input in "$ROOT"/examples/*.gv; do
  name="$(basename "$input" .gv)"
  "$GOVERSEC" build "$input" -o "$TMP/tested-$name" -q 2>"$TMP/tested-$name.err" || true
  "$PRODUCT" build "$input" -o "$TMP/product-$name" -q 2>"$TMP/product-$name.err" || true
  if diff -r "$TMP/tested-$name" "$TMP/product-$name" >/dev/null && cmp -s "$TMP/tested-$name.err" "$TMP/product-$name.err"; then
    pass "examples/$name.gv: the product writes what the tested binary writes"
  else
    fail "examples/$name.gv: the product's output differs from the tested binary's"
  fi
done
finish
