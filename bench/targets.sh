#!/usr/bin/env bash
# targets.sh - the speed targets of issue 13, side by side in ONE run, each next to what it is
# compared with (bench/README.md keeps the figures):
#   1. the design-doc cluster (manifests + chart, tmpfs, --no-sync) vs the file-creation floor
#      (bench/floor.c creating the very same files and directories): target <= 1.5x;
#   2. a 1000-cluster fleet (bench/gen-fleet.sh) vs the floor for its own files: target <= 2x,
#      peak RSS < 64 MiB;
#   3. YAML output of goversec's writer (goversec-bench-yaml, CPU time): target >= 200 MB/s;
#   4. the design-doc build vs `helm template` of the chart it emitted and vs `kubectl
#      kustomize` of the manifests it emitted: target >= 20x faster;
#   5. `goversec diff --live` of 100 000 objects against a dump (bench/gen-dump.py): < 3 s, < 1 GiB.
# Every timed row is N runs (medians) of one process, timed the same way for every program
# (perf stat: wall = duration_time, cpu = task-clock; else $EPOCHREALTIME, wall only); peak RSS
# from GNU time. A build and its floor run alternately (build, floor, build, floor...), so both
# medians of a ratio come from the same moments. On a shared machine the wall column moves with
# the load (printed); the cpu column much less, and the ratios are given for both.
# Usage: bash bench/targets.sh [N] [BUILD_DIR]
#   BUILD_DIR holds goversec, goversec-bench-yaml, goversec-bench-diff (default build-bench,
#   configured Release without tests - static-pie - and built if missing).
#   HELM=path (default: tests/tools/build.sh helm3), FLEET_RUNS (default 3), DIFF_OBJECTS (100000).
set -euo pipefail
export LC_ALL=C NO_COLOR=1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-20}"
BUILD="${2:-$ROOT/build-bench}"
FLEET_RUNS="${FLEET_RUNS:-3}"
DIFF_OBJECTS="${DIFF_OBJECTS:-100000}"
if [[ ! -x "$BUILD/goversec" || ! -x "$BUILD/goversec-bench-yaml" || ! -x "$BUILD/goversec-bench-diff" ]]; then
  echo "bench: building goversec and the benchmark programs (Release, no tests) in $BUILD" >&2
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGOVERSEC_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j2 --target goversec goversec-bench-yaml goversec-bench-diff >/dev/null
fi
G="$BUILD/goversec"
HELM="${HELM:-$(bash "$ROOT/tests/tools/build.sh" helm3)/helm}"
[[ -x "$HELM" ]] || { echo "bench: no helm ($HELM)" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "bench: kubectl is needed for the kustomize row" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time missing (Debian package time)" >&2; exit 1; }
SHM=/dev/shm; [[ -d $SHM && -w $SHM ]] || SHM="${TMPDIR:-/tmp}"
T="$(mktemp -d "$SHM/goversec-targets.XXXXXX")"
trap 'rm -rf "$T"' EXIT
"${CC:-cc}" -O2 -static -o "$T/floor" "$ROOT/bench/floor.c" 2>/dev/null || "${CC:-cc}" -O2 -o "$T/floor" "$ROOT/bench/floor.c"

PERF=0
if perf stat -x, -e duration_time,task-clock -o "$T/probe" true 2>/dev/null && grep -q task-clock "$T/probe"; then PERF=1; fi
median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$((10#$t))"; }

# run_once NAME PREP CMD... : one timed run (after PREP) appended to $T/NAME.w (wall ms) / .c (cpu ms).
run_once() {
  local name="$1" prep="$2"; shift 2
  eval "$prep"
  if ((PERF)); then
    perf stat -x, -e duration_time,task-clock -o "$T/stat" -- "$@" >/dev/null 2>"$T/err" \
      || { cat "$T/err" >&2; echo "bench: $name failed" >&2; exit 1; }
    awk -F, -v w="$T/$name.w" -v c="$T/$name.c" '$3 == "duration_time" {print $1 / 1e6 >> w}
      $3 == "task-clock" {print $1 >> c}' "$T/stat"
  else
    local t0; t0=$(now_us)
    "$@" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; echo "bench: $name failed" >&2; exit 1; }
    echo "$(( $(now_us) - t0 ))" | awk '{print $1 / 1000}' >>"$T/$name.w"; echo 0 >>"$T/$name.c"
  fi
}
# finish NAME PREP CMD... : the medians into W_NAME / C_NAME, and RSS (KiB) of one more run into R_NAME.
finish() {
  local name="$1" prep="$2"; shift 2
  eval "$prep"
  /usr/bin/time -f %M -o "$T/$name.rss" "$@" >/dev/null 2>"$T/err" || true
  printf -v "W_$name" '%s' "$(median <"$T/$name.w")"
  printf -v "C_$name" '%s' "$(median <"$T/$name.c")"
  printf -v "R_$name" '%s' "$(tail -1 "$T/$name.rss")"
}
# measure NAME RUNS PREP CMD... : RUNS runs of one program.
measure() {
  local name="$1" runs="$2" prep="$3"; shift 3
  : >"$T/$name.w"; : >"$T/$name.c"
  for ((i = 0; i < runs; i++)); do run_once "$name" "$prep" "$@"; done
  finish "$name" "$prep" "$@"
}
# measure_pair RUNS NAME_A PREP_A ARRAY_A NAME_B PREP_B ARRAY_B : a program and what it is compared
# with, run alternately (A, B, A, B...), so that both medians come from the same moments of a shared
# host: a ratio of two medians taken minutes apart moves with whatever else the host runs.
measure_pair() {
  local runs="$1" a="$2" pa="$3" b="$5" pb="$6"
  local -n cmd_a="$4" cmd_b="$7"
  : >"$T/$a.w"; : >"$T/$a.c"; : >"$T/$b.w"; : >"$T/$b.c"
  for ((i = 0; i < runs; i++)); do
    run_once "$a" "$pa" "${cmd_a[@]}"
    run_once "$b" "$pb" "${cmd_b[@]}"
  done
  finish "$a" "$pa" "${cmd_a[@]}"
  finish "$b" "$pb" "${cmd_b[@]}"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }
row() { printf '%-58s %10.2f %10.2f %9.1f\n' "$1" "$2" "$3" "$(awk -v r="$4" 'BEGIN {print r / 1024}')"; }
files_of() { (cd "$1" && find . -type f -printf '%s %P\n' | sort -k2) >"$2"; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); N=$N; $( ((PERF)) && echo 'perf stat (wall = duration_time, cpu = task-clock)' || echo 'wall only (no perf)')"
echo "goversec: $G ($(readelf -l "$G" 2>/dev/null | grep -q INTERP && echo dynamic || echo static))"
echo "helm: $("$HELM" version --short 2>/dev/null)   kubectl: $(kubectl version --client 2>/dev/null | head -1)"
echo
printf '%-58s %10s %10s %9s\n' "" "wall ms" "cpu ms" "RSS MiB"

# 1. design-doc vs the floor
IN="$ROOT/examples/design-doc.gv"
"$G" build "$IN" -o "$T/dd" --no-sync -q 2>/dev/null
files_of "$T/dd" "$T/dd.files"
build_cmd=("$G" build "$IN" -o "$T/out" --no-sync -q)
floor_cmd=("$T/floor" "$T/fl" "$T/dd.files" 0)
measure_pair "$N" build 'rm -rf "$T/out"' build_cmd floor 'rm -rf "$T/fl"' floor_cmd
row "design-doc build (manifests+chart, tmpfs, --no-sync)" "$W_build" "$C_build" "$R_build"
row "floor: the same $(wc -l <"$T/dd.files") files" "$W_floor" "$C_floor" "$R_floor"
echo "  -> build/floor: wall $(ratio "$W_build" "$W_floor")x, cpu $(ratio "$C_build" "$C_floor")x   (target <= 1.5x)"
# The spread inside this run: the ratio of each build to the floor run right after it (the figure
# above is the ratio of the two medians).
pair_ratios() { paste "$T/build.$1" "$T/floor.$1" | awk '$2 > 0 {print $1 / $2}' | sort -n |
  awk '{v[NR] = $1} END {if (NR) printf "q1 %.2f, median %.2f, q3 %.2f", v[int((NR + 3) / 4)], v[int((NR + 1) / 2)], v[int((3 * NR + 3) / 4)]}'; }
echo "     each build / the floor run after it: wall $(pair_ratios w), cpu $(pair_ratios c)"

# 2. 1000-cluster fleet vs the floor for its files
bash "$ROOT/bench/gen-fleet.sh" 1000 >"$T/fleet.gv"
"$G" build "$T/fleet.gv" -o "$T/fleet-ref" --no-sync -q 2>/dev/null
files_of "$T/fleet-ref" "$T/fleet.files"; rm -rf "$T/fleet-ref"
fleet_cmd=("$G" build "$T/fleet.gv" -o "$T/fo" --no-sync -q)
ffloor_cmd=("$T/floor" "$T/ff" "$T/fleet.files" 0)
measure_pair "$FLEET_RUNS" fleet 'rm -rf "$T/fo"' fleet_cmd ffloor 'rm -rf "$T/ff"' ffloor_cmd
rm -rf "$T/fo" "$T/ff"
row "1000-cluster fleet build (tmpfs, --no-sync)" "$W_fleet" "$C_fleet" "$R_fleet"
row "floor: the same $(wc -l <"$T/fleet.files") files" "$W_ffloor" "$C_ffloor" "$R_ffloor"
echo "  -> fleet/floor: wall $(ratio "$W_fleet" "$W_ffloor")x, cpu $(ratio "$C_fleet" "$C_ffloor")x   (target <= 2x, RSS < 64 MiB)"

# 4. helm template and kubectl kustomize of what the design-doc build emitted
C="$(basename "$(dirname "$(dirname "$(find "$T/dd" -path '*/manifests/kustomization.yaml' | head -1)")")")"
NS="$(sed -n 's/^  namespace: //p' "$T/dd/$C/manifests/configmap.yaml" | head -1)"
# Each run alternately with the build it is compared with (measure_pair), as for the floors: helm is
# a Go program on both CPUs, and its median taken minutes apart from the build's moved the ratio
# by a quarter (22.5-30.2x on wall in three runs of one evening).
helm_cmd=("$HELM" template "$C" "$T/dd/$C/chart" --namespace "$NS" --kube-version 1.33.0 --set namespace.create=true)
kustomize_cmd=(kubectl kustomize "$T/dd/$C/manifests")
measure_pair "$N" buildh 'rm -rf "$T/out"' build_cmd helm '' helm_cmd
measure_pair "$N" buildk 'rm -rf "$T/out"' build_cmd kustomize '' kustomize_cmd
row "helm template of the emitted chart" "$W_helm" "$C_helm" "$R_helm"
row "  the design-doc build, alternated with it" "$W_buildh" "$C_buildh" "$R_buildh"
row "kubectl kustomize of the emitted manifests" "$W_kustomize" "$C_kustomize" "$R_kustomize"
row "  the design-doc build, alternated with it" "$W_buildk" "$C_buildk" "$R_buildk"
echo "  -> helm/goversec build: wall $(ratio "$W_helm" "$W_buildh")x, cpu $(ratio "$C_helm" "$C_buildh")x;" \
     "kustomize/goversec build: wall $(ratio "$W_kustomize" "$W_buildk")x, cpu $(ratio "$C_kustomize" "$C_buildk")x   (target >= 20x)"

# 5. diff of DIFF_OBJECTS objects against a dump: `goversec diff --live` itself (the report to
# /dev/null; exit 0: the dump holds the cluster's objects unchanged), then the phases of the same
# path from goversec-bench-diff (one run: where the time goes).
python3 "$ROOT/bench/gen-dump.py" "$ROOT/tests/diff/fixtures/live-design-all.json" "$DIFF_OBJECTS" >"$T/dump.json"
measure diff 3 '' "$G" diff "$ROOT/tests/diff/fixtures/design.gv" --live "$T/dump.json"
row "goversec diff --live, $DIFF_OBJECTS objects ($(( $(stat -c %s "$T/dump.json") / 1000000 )) MB dump)" "$W_diff" "$C_diff" "$R_diff"
phases=$("$BUILD/goversec-bench-diff" "$ROOT/tests/diff/fixtures/design.gv" "$T/dump.json" 2>&1 >/dev/null |
  awk '/ s wall / {sub(/ +[0-9.]+ s wall +/, "|"); split($0, p, "|"); sub(/ s cpu/, "", p[2]); printf "%s%s %.2f s", sep, p[1], p[2]; sep = ", "}')
echo "  -> target < 3000 ms, < 1024 MiB. Its phases (goversec-bench-diff, cpu): $phases"

# 3. YAML throughput (last: it prints its own table)
echo
echo "YAML (goversec-bench-yaml, 2000 iterations; MB/s of CPU time):"
for ex in design-doc fleet; do
  "$BUILD/goversec-bench-yaml" "$ROOT/examples/$ex.gv" 2000 | awk -v ex="$ex" '
    /^  write YAML  / {ours = $(NF-2)} /write YAML, libyaml/ {lib = $(NF-2)} /^emit_manifests/ {all = $(NF-2)}
    /documents byte-identical/ {same = $0; sub(/.*: /, "", same)}
    END {printf "  %-11s goversec writer %7.1f MB/s   libyaml emitter %6.1f MB/s   whole manifest path %6.1f MB/s   (%s)\n", ex, ours, lib, all, same}'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
