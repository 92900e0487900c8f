#!/usr/bin/env bash
# Determinism and output-safety suite (ctest: suite.determinism). Usage: bash run.sh PATH/TO/goversec
#  1. every examples/*.gv built twice gives byte-identical trees (`diff -r`): once from the repo
#     root (TZ=UTC, LC_ALL=C), once from another cwd (same relative input path through a symlink)
#     with another TZ and locale and a relative -o; once from / with an absolute input path;
#     then rebuilt over its own previous tree, still identical;
#  2. a failed build (bad input in a temp file, exit 1) leaves a previous output dir byte-identical,
#     and creates nothing (no dir, no temp leftovers) when no dir existed;
#  3. building into a directory goversec did not create (holds a foreign file) is refused with
#     exit 2 and leaves it untouched.
# Prints `N passed, M failed` last; exits non-zero on any failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [[ $# -ne 1 ]]; then echo "usage: bash run.sh PATH/TO/goversec" >&2; exit 2; fi
GOVERSEC="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[[ -x "$GOVERSEC" ]] || { echo "determinism: $1 is not an executable" >&2; exit 2; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/goversec-determinism.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
# listing of a directory tree (names only), to detect stray files next to an output dir
listing() { (cd "$1" && find . -mindepth 1 | LC_ALL=C sort); }
# run goversec, capturing output; prints the exit status (never aborts the script)
run_gv() { local log="$1"; shift; local rc=0; "$@" >"$log" 2>&1 || rc=$?; echo "$rc"; }

shopt -s nullglob
examples=("$ROOT"/examples/*.gv)
shopt -u nullglob
[[ ${#examples[@]} -gt 0 ]] || fail "no examples/*.gv found"

# A second working directory whose examples/ is the real one: same relative path, other cwd.
mkdir -p "$TMP/elsewhere"
ln -s "$ROOT/examples" "$TMP/elsewhere/examples"
[[ -d "$ROOT/stdlib" ]] && ln -s "$ROOT/stdlib" "$TMP/elsewhere/stdlib"

# ---- 1. repeatability ----
for gv in "${examples[@]}"; do
  name="$(basename "$gv" .gv)"
  a="$TMP/a-$name" b="$TMP/elsewhere/b-$name" c="$TMP/c-$name"
  rc=$(cd "$ROOT" && TZ=UTC LC_ALL=C LANG=C run_gv "$TMP/a.log" "$GOVERSEC" build "examples/$name.gv" -o "$a")
  if [[ $rc -ne 0 ]]; then cat "$TMP/a.log"; fail "examples/$name.gv: build failed (exit $rc)"; continue; fi
  rc=$(cd "$TMP/elsewhere" && TZ=NZST-12:45NZDT LC_ALL=C.UTF-8 LANG=C.UTF-8 \
       run_gv "$TMP/b.log" "$GOVERSEC" build "examples/$name.gv" -o "b-$name")
  if [[ $rc -ne 0 ]]; then cat "$TMP/b.log"; fail "examples/$name.gv: build from another cwd failed (exit $rc)"; continue; fi
  if diff -r "$a" "$b" >"$TMP/d.log" 2>&1; then
    pass "examples/$name.gv: two builds (other cwd, TZ, locale) are byte-identical ($(find "$a" -type f | wc -l) files)"
  else
    head -n 80 "$TMP/d.log"; fail "examples/$name.gv: two builds differ"
  fi
  # absolute input path, cwd /: no path (relative or absolute) may leak into the output
  rc=$(cd / && TZ=America/St_Johns LC_ALL=C run_gv "$TMP/c.log" "$GOVERSEC" build "$ROOT/examples/$name.gv" -o "$c")
  if [[ $rc -ne 0 ]]; then cat "$TMP/c.log"; fail "examples/$name.gv: build with an absolute path from / failed (exit $rc)"
  elif diff -r "$a" "$c" >"$TMP/d.log" 2>&1; then pass "examples/$name.gv: build with an absolute input path from / is identical"
  else head -n 80 "$TMP/d.log"; fail "examples/$name.gv: build with an absolute input path differs"
  fi
  # rebuild over its own previous tree: replaced, identical, nothing left over
  rc=$(cd "$ROOT" && run_gv "$TMP/c.log" "$GOVERSEC" build "examples/$name.gv" -o "$a")
  if [[ $rc -ne 0 ]]; then cat "$TMP/c.log"; fail "examples/$name.gv: rebuild over its own tree failed (exit $rc)"
  elif diff -r "$a" "$b" >"$TMP/d.log" 2>&1; then pass "examples/$name.gv: rebuild over its own tree is identical"
  else head -n 80 "$TMP/d.log"; fail "examples/$name.gv: rebuild over its own tree differs"
  fi
done

# ---- 2. failed builds touch nothing ----
good="${examples[0]:-}"
cat >"$TMP/bad-syntax.gv" <<'GV'
cluster "broken" {
    nodes {
        replicas 3
GV
cat >"$TMP/bad-type.gv" <<'GV'
cluster "broken" {
    nodes {
        image    "goverse/node:1.2.0"
        replicas "three"
    }
}
GV
if [[ -n "$good" ]]; then
  prev="$TMP/safety/prev"
  mkdir -p "$TMP/safety"
  rc=$(cd "$ROOT" && run_gv "$TMP/p.log" "$GOVERSEC" build "$good" -o "$prev")
  if [[ $rc -ne 0 ]]; then cat "$TMP/p.log"; fail "could not build $(basename "$good") as the previous output (exit $rc)"
  else
    cp -a "$prev" "$TMP/prev.snapshot"
    for bad in bad-syntax bad-type; do
      before="$(listing "$TMP/safety")"
      rc=$(run_gv "$TMP/f.log" "$GOVERSEC" build "$TMP/$bad.gv" -o "$prev")
      if [[ $rc -ne 1 ]]; then cat "$TMP/f.log"; fail "$bad.gv over a previous output: expected exit 1, got $rc"
      elif ! diff -r "$TMP/prev.snapshot" "$prev" >"$TMP/d.log" 2>&1; then
        head -n 40 "$TMP/d.log"; fail "$bad.gv: failed build changed the previous output directory"
      elif [[ "$(listing "$TMP/safety")" != "$before" ]]; then
        diff <(echo "$before") <(listing "$TMP/safety") || true
        fail "$bad.gv: failed build left files next to the output directory"
      else pass "$bad.gv: exit 1, previous output byte-identical, nothing left over"
      fi
    done
  fi
fi
mkdir -p "$TMP/fresh"
for bad in bad-syntax bad-type; do
  rc=$(run_gv "$TMP/f.log" "$GOVERSEC" build "$TMP/$bad.gv" -o "$TMP/fresh/out")
  if [[ $rc -ne 1 ]]; then cat "$TMP/f.log"; fail "$bad.gv into a new directory: expected exit 1, got $rc"
  elif [[ -n "$(listing "$TMP/fresh")" ]]; then
    listing "$TMP/fresh"; fail "$bad.gv: failed build created files (none should exist)"
  else pass "$bad.gv: exit 1, no output directory created"
  fi
done

# ---- 3. a foreign directory is never overwritten ----
if [[ -n "$good" ]]; then
  foreign="$TMP/foreign"
  mkdir -p "$foreign/sub"
  echo "not goversec's" >"$foreign/notes.txt"
  echo "kind: Secret" >"$foreign/sub/keep.yaml"
  cp -a "$foreign" "$TMP/foreign.snapshot"
  rc=$(cd "$ROOT" && run_gv "$TMP/g.log" "$GOVERSEC" build "$good" -o "$foreign")
  if [[ $rc -ne 2 ]]; then cat "$TMP/g.log"; fail "build into a foreign directory: expected exit 2, got $rc"
  elif ! diff -r "$TMP/foreign.snapshot" "$foreign" >"$TMP/d.log" 2>&1; then
    head -n 40 "$TMP/d.log"; fail "build into a foreign directory changed it"
  else pass "build into a foreign directory: refused with exit 2, untouched"
  fi
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
