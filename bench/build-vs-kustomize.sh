#!/usr/bin/env bash
# Benchmark: `goversec build examples/design-doc.gv` (parse, check, lower, emit manifests + chart,
# atomic commit) next to `kubectl kustomize` of the manifests directory it emitted (read + render
# the same objects). Each is run N times (default 30) into fresh directories; reported: median wall
# time (ms, measured with date +%s%N around the process) and median / max peak RSS (KiB, GNU
# time's %M), and the ratio kustomize / goversec.
# Usage: bash bench/build-vs-kustomize.sh [N] [PATH/TO/goversec]   (default binary: build/goversec,
#        configured and built in Release if missing). Needs /usr/bin/time (Debian package `time`);
#        kubectl is optional (without it only goversec is measured).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-30}"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bash bench/build-vs-kustomize.sh [N] [PATH/TO/goversec]" >&2; exit 2; }
GOVERSEC="${2:-$ROOT/build/goversec}"
INPUT="$ROOT/examples/design-doc.gv"
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time missing (bash .ci/deps test installs it)" >&2; exit 2; }
[[ -f "$INPUT" ]] || { echo "bench: $INPUT missing" >&2; exit 2; }
if [[ ! -x "$GOVERSEC" ]]; then
  if [[ $# -ge 2 ]]; then echo "bench: $GOVERSEC is not an executable" >&2; exit 2; fi
  echo "bench: building goversec (Release) in build/"
  cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$ROOT/build" -j "$(nproc)" --target goversec >/dev/null
fi
GOVERSEC="$(cd "$(dirname "$GOVERSEC")" && pwd)/$(basename "$GOVERSEC")"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/goversec-bench.XXXXXX")"
# SYNC=--no-sync skips goversec's syncfs (kustomize writes nothing to disk); CHARTS=none builds the
# manifests only (what kustomize reads). TMPDIR=/dev/shm puts the tree on tmpfs.
SYNC="${SYNC:-}"
gopts=(); [[ -n "$SYNC" ]] && gopts+=("$SYNC"); [[ -n "${CHARTS:-}" ]] && gopts+=(--charts "$CHARTS")
trap 'rm -rf "$TMP"' EXIT

# measure LABEL CMD... : runs CMD N times; appends "ms kib" lines to $TMP/LABEL
measure() {
  local label="$1"; shift
  : >"$TMP/$label"
  local i t0 t1
  for ((i = 0; i < N; i++)); do
    [[ $label == goversec ]] && rm -rf "$TMP/out"
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$TMP/rss" "$@" >/dev/null 2>"$TMP/err" \
      || { cat "$TMP/err" >&2; echo "bench: $label run failed" >&2; exit 1; }
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000 )) $(tail -n1 "$TMP/rss")" >>"$TMP/$label"
  done
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v u="$1" 'BEGIN {printf "%.2f", u/1000}'; }
report() {
  local label="$1" wall rss rmax
  wall=$(cut -d' ' -f1 "$TMP/$label" | median)
  rss=$(cut -d' ' -f2 "$TMP/$label" | median)
  rmax=$(cut -d' ' -f2 "$TMP/$label" | sort -n | tail -n1)
  printf '%-34s %10s ms %12s KiB %12s KiB\n' "$2" "$(ms "$wall")" "$rss" "$rmax"
  eval "${label}_wall=$wall; ${label}_rss=$rss"
}

cd "$ROOT"
# warm-up, and the tree kustomize reads (diagnostics such as warnings are not shown)
"$GOVERSEC" build examples/design-doc.gv -o "$TMP/out" >/dev/null 2>"$TMP/err" \
  || { cat "$TMP/err" >&2; echo "bench: goversec build examples/design-doc.gv failed" >&2; exit 1; }
measure goversec "$GOVERSEC" build examples/design-doc.gv -o "$TMP/out" "${gopts[@]}"
manifests="$(dirname "$(find "$TMP/out" -path '*/manifests/kustomization.yaml' | head -n1)")"
have_kubectl=0
if command -v kubectl >/dev/null 2>&1 && [[ -d "$manifests" ]]; then
  have_kubectl=1
  kubectl kustomize "$manifests" >/dev/null   # warm-up
  measure kustomize kubectl kustomize "$manifests"
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
echo "input:   examples/design-doc.gv -> $(find "$TMP/out" -type f | wc -l) files; $N runs each; output on $(df -T "$TMP" | awk 'NR==2 {print $2}'); goversec options: ${gopts[*]:-(none: syncfs, chart)}"
[[ $have_kubectl -eq 1 ]] && echo "kubectl: $(kubectl version --client 2>/dev/null | head -n1)"
printf '%-34s %13s %16s %16s\n' "" "median wall" "median peak RSS" "max peak RSS"
report goversec "goversec build (manifests+chart)"
if [[ $have_kubectl -eq 1 ]]; then
  report kustomize "kubectl kustomize (manifests)"
  awk -v g="$goversec_wall" -v k="$kustomize_wall" -v gr="$goversec_rss" -v kr="$kustomize_rss" \
    'BEGIN {printf "ratio kustomize/goversec: wall %.1fx, peak RSS %.1fx\n", k/(g>0?g:1), kr/(gr>0?gr:1)}'
else
  echo "kubectl not installed: kustomize comparison skipped (bash .ci/deps test installs kubernetes-client)"
fi
