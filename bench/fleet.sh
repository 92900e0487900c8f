#!/usr/bin/env bash
# Fleet benchmark: `goversec build` of a generated fleet (bench/gen-fleet.sh: one .gv, clusters
# that `extends` a base) next to what a user of kustomize runs for the same fleet: one
# `kubectl kustomize OUT/<cluster>/manifests` per cluster (the clusters share object names and
# namespace - each is its own Kubernetes cluster - so they cannot be one kustomization).
# Reported per size: median wall, median CPU (user+sys) and median peak RSS (GNU time %e %U %S %M),
# the ratios, and goversec's output throughput (bytes written / wall). For kustomize above
# KUSTOMIZE_MAX clusters (default 100) the first KUSTOMIZE_MAX clusters are timed and the wall and
# CPU scaled linearly (marked `extrap.`); peak RSS is per process, so it does not scale.
# Usage: bash bench/fleet.sh [SIZES] [PATH/TO/goversec]      e.g. bash bench/fleet.sh "1 10 100 1000"
#        RUNS=5 (goversec runs per size; kustomize runs min(RUNS,3), 1 above 10 clusters)
#        SYNC=--no-sync to measure without the syncfs. Output goes to $TMPDIR (default /tmp).
#        CHARTS=shared|per-cluster|none: goversec's --charts (default: its own, shared for a fleet);
#        CHARTS=none writes what kustomize reads, the manifests only: the like-for-like comparison.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZES="${1:-1 10 100 1000}"
GOVERSEC="${2:-$ROOT/build/goversec}"
RUNS="${RUNS:-5}"
KMAX="${KUSTOMIZE_MAX:-100}"
SYNC="${SYNC:-}"
CHARTS="${CHARTS:-}"
charts_opt=(); [[ -n "$CHARTS" ]] && charts_opt=(--charts "$CHARTS")
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time missing (Debian package time)" >&2; exit 2; }
[[ -x "$GOVERSEC" ]] || { echo "bench: $GOVERSEC is not an executable (build it first)" >&2; exit 2; }
TMP="$(mktemp -d "${TMPDIR:-/tmp}/goversec-fleet.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
have_kubectl=0; command -v kubectl >/dev/null 2>&1 && have_kubectl=1

# timed OUTFILE CMD... : appends "wall cpu rss_kib" of one run
timed() {
    local out="$1"; shift
    /usr/bin/time -f '%e %U %S %M' -o "$TMP/t" "$@" >/dev/null 2>"$TMP/err" \
        || { cat "$TMP/err" >&2; echo "bench: failed: $*" >&2; exit 1; }
    awk '{printf "%.3f %.3f %d\n", $1, $2 + $3, $4}' "$TMP/t" >>"$out"
}
med() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { cut -d' ' -f"$1" "$2" | med; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "output filesystem: $(df -T "$TMP" | awk 'NR==2 {print $2}'); goversec ${SYNC:-(default: one syncfs)}, charts: ${CHARTS:-default (shared for a fleet)}"
[[ $have_kubectl -eq 1 ]] && echo "kubectl: $(kubectl version --client 2>/dev/null | head -n1)"
printf '%-9s| %-40s| %-44s| %s\n' "" "goversec build (manifests + chart)" "kubectl kustomize, one per cluster" "kustomize/goversec"
printf '%-9s| %8s %8s %9s %11s | %8s %8s %9s %15s | %6s %6s %6s\n' clusters "wall s" "cpu s" "RSS MiB" "MB/s" "wall s" "cpu s" "RSS MiB" "" wall cpu RSS
for n in $SIZES; do
    bash "$ROOT/bench/gen-fleet.sh" "$n" >"$TMP/fleet.gv"
    : >"$TMP/g"
    for ((i = 0; i < RUNS; i++)); do
        rm -rf "$TMP/out"
        timed "$TMP/g" "$GOVERSEC" build "$TMP/fleet.gv" -o "$TMP/out" -q $SYNC "${charts_opt[@]}"
    done
    bytes=$(find "$TMP/out" -type f ! -name .goversec-tree -printf '%s\n' | awk '{s+=$1} END {print s}')
    gw=$(col 1 "$TMP/g"); gc=$(col 2 "$TMP/g"); gr=$(col 3 "$TMP/g")
    line=$(printf '%-9s| %8.3f %8.3f %9.1f %11.1f |' "$n" "$gw" "$gc" "$(awk -v r="$gr" 'BEGIN {print r/1024}')" \
        "$(awk -v b="$bytes" -v w="$gw" 'BEGIN {print (w > 0) ? b / w / 1e6 : 0}')")
    if [[ $have_kubectl -eq 1 ]]; then
        dirs=$(find "$TMP/out" -path '*/manifests/kustomization.yaml' -printf '%h\n' | sort | sed -n "1,${KMAX}p")   # sed, not head: no SIGPIPE under pipefail
        k=$(wc -l <<<"$dirs"); scale=$(awk -v n="$n" -v k="$k" 'BEGIN {print n / k}')
        kr=$(( n > 10 ? 1 : (RUNS < 3 ? RUNS : 3) ))
        : >"$TMP/k"
        printf '%s\n' "$dirs" >"$TMP/dirs"
        for ((i = 0; i < kr; i++)); do
            timed "$TMP/k" bash -c 'while read -r d; do kubectl kustomize "$d" >/dev/null; done <"$1"' _ "$TMP/dirs"
        done
        kw=$(awk -v s="$scale" -v w="$(col 1 "$TMP/k")" 'BEGIN {print w * s}')
        kc=$(awk -v s="$scale" -v c="$(col 2 "$TMP/k")" 'BEGIN {print c * s}')
        kk=$(col 3 "$TMP/k")
        note=""; [[ $k -lt $n ]] && note="(extrap. $k)"
        line+=$(printf ' %8.3f %8.3f %9.1f %15s | %5.1fx %5.1fx %5.1fx' "$kw" "$kc" "$(awk -v r="$kk" 'BEGIN {print r/1024}')" "$note" \
            "$(awk -v a="$kw" -v b="$gw" 'BEGIN {print (b > 0) ? a / b : 0}')" \
            "$(awk -v a="$kc" -v b="$gc" 'BEGIN {print (b > 0) ? a / b : 0}')" \
            "$(awk -v a="$kk" -v b="$gr" 'BEGIN {print (b > 0) ? a / b : 0}')")
    fi
    echo "$line"
done
