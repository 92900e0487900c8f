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

# The code layout (CMakeLists.txt, compiler/link/hot-text.ld): packed relative relocations, and the
# functions a build runs in the hot section. callgrind lists what the design-doc build executes;
# when changes move much of it out of the list (renamed or new functions), bench/hot-text.sh
# regenerates it.
if readelf -SW "$PRODUCT" | grep -q '\.relr\.dyn' && readelf -SW "$PRODUCT" | grep -q '\.text\.goversec_hot'; then
  pass "the product has packed relocations and a hot text section"
else
  fail "the product lacks .relr.dyn or .text.goversec_hot (see $BUILD.log: 'default code layout')"
fi
if ! command -v valgrind >/dev/null; then
  fail "valgrind is missing (bash .ci/deps test installs it): the hot text's coverage is not checked"
else
  HOT="$(mktemp -d "${TMPDIR:-/tmp}/goversec-hot.XXXXXX")"
  if valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file="$HOT/cg" \
       "$PRODUCT" build "$ROOT/examples/design-doc.gv" -o "$HOT/out" --no-sync -q >/dev/null 2>&1 &&
     cov="$(python3 "$ROOT/bench/hot_text.py" coverage "$PRODUCT" "$HOT/cg")"; then
    read -r inside lines _ <<<"$cov"
    if ((lines > 1000 && inside * 100 >= lines * 95)); then
      pass "the hot text holds $inside of the $lines code lines the design-doc build runs"
    else
      fail "the hot text holds only $inside of the $lines code lines the design-doc build runs (< 95 %): run bash bench/hot-text.sh"
    fi
  else
    fail "the hot text's coverage could not be measured (callgrind or bench/hot_text.py failed)"
  fi
  rm -rf "$HOT"
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
