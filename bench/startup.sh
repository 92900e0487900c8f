#!/usr/bin/env bash
# The fixed costs of a goversec run, side by side (issue "Robust and fast": a design-doc build in
# 2 ms): `goversec --version` (process start alone), `goversec check` (start + parse + check),
# `goversec build --no-sync` on tmpfs (fresh target, and replacing the previous tree), `goversec
# build` with its syncfs into $TMPDIR, and a floor: a tiny C program, built here with the system cc,
# that creates the very files of that build (same directories, same sizes: openat + write + close
# each, one mkdirat per directory) in a fresh directory, without and with syncfs. Readers see how
# much of a build is the filesystem and how much is goversec.
# Each row: medians over N runs (default 30) of wall time, task-clock (CPU, user + kernel) and page
# faults, from `perf stat` (one `perf stat -x,` per run, so medians rather than perf's means);
# without a usable perf (or with STARTUP_NO_PERF=1), wall time only, measured around the process
# with bash's $EPOCHREALTIME, or date +%s%N where that is missing (adds ~1 ms of fork + exec).
# Usage: bash bench/startup.sh [N] [PATH/TO/goversec]   (default binary: build-bench/goversec,
#        configured and built if missing as Release without tests, i.e. static-pie: GOVERSEC_STATIC)
set -euo pipefail
export LC_ALL=C NO_COLOR=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-30}"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bash bench/startup.sh [N] [PATH/TO/goversec]" >&2; exit 2; }
GOVERSEC="${2:-$ROOT/build-bench/goversec}"
INPUT="$ROOT/examples/design-doc.gv"
[[ -f "$INPUT" ]] || { echo "bench: $INPUT missing" >&2; exit 2; }
if [[ ! -x "$GOVERSEC" ]]; then
  if [[ $# -ge 2 ]]; then echo "bench: $GOVERSEC is not an executable" >&2; exit 2; fi
  echo "bench: building goversec (Release, no tests) in build-bench/"
  cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release -DGOVERSEC_TESTS=OFF >/dev/null
  cmake --build "$ROOT/build-bench" -j "$(nproc)" --target goversec >/dev/null
fi
GOVERSEC="$(cd "$(dirname "$GOVERSEC")" && pwd)/$(basename "$GOVERSEC")"
CC="${CC:-cc}"
command -v "$CC" >/dev/null || { echo "bench: no C compiler ($CC) for the floor program" >&2; exit 2; }

SHM=/dev/shm
[[ -d $SHM && -w $SHM ]] || SHM="${TMPDIR:-/tmp}" # no tmpfs: the "tmpfs" rows use $TMPDIR
DISK="$(mktemp -d "${TMPDIR:-/tmp}/goversec-startup.XXXXXX")"
MEM="$(mktemp -d "$SHM/goversec-startup.XXXXXX")"
trap 'rm -rf "$DISK" "$MEM"' EXIT

# The floor (bench/floor.c): creates the very files of a build, and nothing else.
cp "$ROOT/bench/floor.c" "$DISK/floor.c"
# Static when the toolchain can: the floor should not pay for the dynamic loader either.
"$CC" -O2 -static -o "$DISK/floor" "$DISK/floor.c" 2>/dev/null || "$CC" -O2 -o "$DISK/floor" "$DISK/floor.c"

# The files of a reference build, for the floor.
"$GOVERSEC" build "$INPUT" -o "$MEM/ref" --no-sync -q 2>/dev/null
(cd "$MEM/ref" && find . -type f -printf '%s %P\n' | LC_ALL=C sort -k2) >"$DISK/files"
NFILES=$(wc -l <"$DISK/files")
NBYTES=$(awk '{s += $1} END {print s}' "$DISK/files")
NDIRS=$(cd "$MEM/ref" && find . -mindepth 1 -type d | wc -l)
rm -rf "$MEM/ref"

PERF=0 # STARTUP_NO_PERF=1 forces the date +%s%N loop
if [[ -z "${STARTUP_NO_PERF:-}" ]] && command -v perf >/dev/null 2>&1 &&
   perf stat -x, -e duration_time,task-clock,page-faults -o "$DISK/probe" true 2>/dev/null &&
   grep -q task-clock "$DISK/probe"; then
  PERF=1
fi

# Microseconds: bash 5's $EPOCHREALTIME costs no process; else date +%s%N (~1 ms of fork + exec).
now_us() {
  if [[ -n "${EPOCHREALTIME:-}" ]]; then local t=${EPOCHREALTIME/[.,]/}; echo "$((10#$t))"
  else echo "$(($(date +%s%N) / 1000))"; fi
}

median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# row LABEL PREP CMD... : PREP (a shell snippet, untimed) runs before each of the N runs of CMD.
row() {
  local label="$1" prep="$2"; shift 2
  : >"$DISK/w"; : >"$DISK/c"; : >"$DISK/f"
  local i t0 t1
  for ((i = 0; i < N; i++)); do
    eval "$prep"
    if ((PERF)); then
      perf stat -x, -e duration_time,task-clock,page-faults -o "$DISK/stat" -- "$@" >/dev/null 2>"$DISK/err" \
        || { cat "$DISK/err" >&2; echo "bench: '$label' failed" >&2; exit 1; }
      awk -F, -v w="$DISK/w" -v c="$DISK/c" -v f="$DISK/f" '
        $3 == "duration_time" {print $1 / 1e6 >> w}
        $3 == "task-clock"    {print $1 >> c}
        $3 ~ /^page-faults/   {print $1 >> f}' "$DISK/stat"
    else
      t0=$(now_us)
      "$@" >/dev/null 2>"$DISK/err" || { cat "$DISK/err" >&2; echo "bench: '$label' failed" >&2; exit 1; }
      t1=$(now_us)
      awk -v d=$((t1 - t0)) 'BEGIN {print d / 1000}' >>"$DISK/w"
    fi
  done
  printf '%-52s %9.3f %14s %12s\n' "$label" "$(median <"$DISK/w")" \
    "$( ((PERF)) && printf '%.3f' "$(median <"$DISK/c")" || echo -)" "$(median <"$DISK/f")"
}

link="dynamically linked"
if command -v readelf >/dev/null 2>&1 && ! readelf -l "$GOVERSEC" 2>/dev/null | grep -q INTERP; then
  link="statically linked"
fi
echo "goversec: $GOVERSEC ($link)"
echo "input: examples/design-doc.gv -> $NFILES files in $NDIRS directories, $NBYTES bytes"
echo "tmpfs: $SHM   disk (\$TMPDIR): $(dirname "$DISK") ($(df -PT "$DISK" | awk 'NR == 2 {print $2}'))"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; N=$N; medians; $( ((PERF)) && echo 'perf stat' || echo 'date +%s%N (no usable perf)')"
echo
printf '%-52s %9s %14s %12s\n' "" "wall ms" "task-clock ms" "page faults"
row "goversec --version" "" "$GOVERSEC" --version
row "goversec check" "" "$GOVERSEC" check "$INPUT"
row "goversec build --no-sync, tmpfs, fresh target" 'rm -rf "$MEM/out"' \
  "$GOVERSEC" build "$INPUT" -o "$MEM/out" --no-sync -q
row "goversec build --no-sync, tmpfs, replacing the tree" "" \
  "$GOVERSEC" build "$INPUT" -o "$MEM/out" --no-sync -q
row "goversec build (syncfs), disk, fresh target" 'rm -rf "$DISK/out"' \
  "$GOVERSEC" build "$INPUT" -o "$DISK/out" -q
row "floor: same files, tmpfs, fresh directory" 'rm -rf "$MEM/floor"' \
  "$DISK/floor" "$MEM/floor" "$DISK/files" 0
row "floor: same files + syncfs, disk, fresh directory" 'rm -rf "$DISK/floor-out"' \
  "$DISK/floor" "$DISK/floor-out" "$DISK/files" 1
