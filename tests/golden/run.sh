#!/usr/bin/env bash
# Golden-tree suite (ctest: suite.golden). Usage: bash run.sh PATH/TO/goversec
# For every examples/NAME.gv: build it into a temp dir and compare the WHOLE output tree
# (manifests, chart, inventory, .goversec-tree marker) with tests/golden/NAME/ using `diff -r`.
# An example without a golden tree fails loudly. To accept intended output changes, run
# tests/golden/bless.sh PATH/TO/goversec and review the diff in git before committing.
# Prints `N passed, M failed` last; exits non-zero on any failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [[ $# -ne 1 ]]; then echo "usage: bash run.sh PATH/TO/goversec" >&2; exit 2; fi
GOVERSEC="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[[ -x "$GOVERSEC" ]] || { echo "golden: $1 is not an executable" >&2; exit 2; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/goversec-golden.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

passed=0 failed=0
shopt -s nullglob
examples=("$ROOT"/examples/*.gv)
shopt -u nullglob
if [[ ${#examples[@]} -eq 0 ]]; then echo "FAIL no examples/*.gv found"; failed=1; fi

for gv in "${examples[@]}"; do
  name="$(basename "$gv" .gv)"
  golden="$HERE/$name"
  if [[ ! -d "$golden" ]]; then
    echo "FAIL examples/$name.gv has NO golden tree tests/golden/$name/"
    echo "     create it on purpose: bash tests/golden/bless.sh PATH/TO/goversec, review, commit"
    failed=$((failed + 1)); continue
  fi
  out="$TMP/$name"
  # Build from the repository root with the path relative to it, as bless.sh does, so any
  # path goversec records in its output is the same on every machine and clone.
  if ! (cd "$ROOT" && "$GOVERSEC" build "examples/$name.gv" -o "$out") >"$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"
    echo "FAIL examples/$name.gv: goversec build failed"; failed=$((failed + 1)); continue
  fi
  if diff -r -u "$golden" "$out" >"$TMP/diff.log" 2>&1; then
    echo "PASS examples/$name.gv matches tests/golden/$name/ ($(find "$out" -type f | wc -l) files)"
    passed=$((passed + 1))
  else
    echo "FAIL examples/$name.gv differs from tests/golden/$name/ (--- golden, +++ built):"
    sed -e "s|$HERE/||g" -e "s|$out|<built:$name>|g" "$TMP/diff.log" | head -n 200
    lines=$(wc -l <"$TMP/diff.log")
    [[ $lines -le 200 ]] || echo "     ... ($lines diff lines in all)"
    echo "     if the change is intended: bash tests/golden/bless.sh PATH/TO/goversec"
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
