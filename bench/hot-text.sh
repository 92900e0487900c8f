#!/usr/bin/env bash
# Regenerates compiler/link/hot-text.ld: the functions the examples' builds run, laid out together
# in the static product (CMakeLists.txt; why: bench/README.md, issue 13's seventh round). Builds the
# product with a link map in a scratch directory, profiles `goversec build` of every example with
# callgrind, and maps the executed instructions to the linker's input sections (bench/hot_text.py).
# Run it after changes that rename or add functions on the build path; tests/product fails when
# the committed list no longer covers what a build runs. Needs valgrind, python3, nm, readelf.
# Usage: bash bench/hot-text.sh
set -euo pipefail
export LC_ALL=C
unset NO_COLOR # the colour test (isatty) runs, as for a user: its code belongs in the list

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for tool in valgrind python3 nm readelf cmake; do
  command -v "$tool" >/dev/null || { echo "hot-text: $tool is missing" >&2; exit 2; }
done
T="$(mktemp -d "${TMPDIR:-/tmp}/goversec-hot-text.XXXXXX")"
[[ -n "${HOT_TEXT_KEEP:-}" ]] || trap 'rm -rf "$T"' EXIT

echo "hot-text: building the product with a link map in $T/build"
cmake -S "$ROOT" -B "$T/build" -DCMAKE_BUILD_TYPE=Release -DGOVERSEC_TESTS=OFF \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,-Map=$T/goversec.map" >"$T/build.log" 2>&1 &&
  cmake --build "$T/build" -j "$(nproc)" --target goversec >>"$T/build.log" 2>&1 ||
  { tail -n 30 "$T/build.log" >&2; exit 2; }
EXE="$T/build/goversec"
readelf -h "$EXE" | grep -q 'Type: *DYN' && ! readelf -l "$EXE" | grep -q INTERP ||
  { echo "hot-text: the product is not static-pie here; the layout applies only to it" >&2; exit 2; }

profiles=() # design-doc first: its functions come first in the list (hot_text.py)
for input in "$ROOT/examples/design-doc.gv" "$ROOT"/examples/*.gv; do
  name="$(basename "$input" .gv)"
  [[ -f "$T/$name.cg" ]] && continue
  valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file="$T/$name.cg" \
    "$EXE" build "$input" -o "$T/out-$name" --no-sync -q >/dev/null 2>"$T/$name.vg" ||
    { tail -n 20 "$T/$name.vg" >&2; exit 2; }
  profiles+=("$T/$name.cg")
done

python3 "$ROOT/bench/hot_text.py" ld "$T/goversec.map" "$EXE" "${profiles[@]}" >"$T/hot-text.ld"
mv "$T/hot-text.ld" "$ROOT/compiler/link/hot-text.ld"
echo "hot-text: wrote compiler/link/hot-text.ld ($(grep -c '^    \*' "$ROOT/compiler/link/hot-text.ld") patterns)"
if cov="$(python3 "$ROOT/bench/hot_text.py" coverage "$EXE" "${profiles[@]}" 2>/dev/null)"; then
  read -r inside lines _ <<<"$cov"
  echo "hot-text: with the previous list, $inside of $lines executed code lines were in the hot section"
fi
