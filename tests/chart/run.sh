#!/usr/bin/env bash
# The chart is the same program as the manifest tree. With REAL Helm 3 and Helm 4 (built from
# helm.sh/helm/v3 and helm.sh/helm/v4 at the versions pinned in tests/tools/helm3 and helm4 by
# tests/tools/build.sh, cached outside the repository), for every example:
#   1. `helm template` of the emitted chart with its defaults == the manifests (compare.mjs);
#   2. `helm lint --strict` passes and the rendered documents validate against the Kubernetes schemas;
# then the differential test (overrides.txt: `goversec build --set S` == `helm template --set S`)
# and the rejection corpus (bad-values.txt: the chart and goversec both refuse).
# Fails (never skips) when Helm cannot be built.
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL [$helm_name]: $*"; }

if [ ! -d "$root/tests/validate/node_modules/yaml" ]; then
    (cd "$root/tests/validate" && npm ci --no-audit --no-fund --silent) >/dev/null
fi
h3=$(bash "$root/tests/tools/build.sh" helm3) || { echo "FAIL: Helm 3 cannot be built (tests/tools/helm3)"; echo "0 passed, 1 failed"; exit 1; }
h4=$(bash "$root/tests/tools/build.sh" helm4) || { echo "FAIL: Helm 4 cannot be built (tests/tools/helm4)"; echo "0 passed, 1 failed"; exit 1; }
export HELM_CACHE_HOME="$tmp/helm/cache" HELM_CONFIG_HOME="$tmp/helm/config" HELM_DATA_HOME="$tmp/helm/data"
helm=
helm_name=
render() { local chart=$1 name=$2 ns=$3; shift 3; "$helm" template "$name" "$chart" --namespace "$ns" "$@"; }
lint() { "$helm" lint --strict "$@"; }

# cluster directories of a built example (those with manifests: not the fleet's argocd/ and
# charts/), the first one, and a cluster's namespace (the first cluster's when none is named)
clusters_of() { for d in "$1"/*/manifests; do basename "$(dirname "$d")"; done; }
cluster_of() { clusters_of "$1" | head -1; }
namespace_of() { sed -n 's/^  namespace: //p' "$1/${2:-$(cluster_of "$1")}/manifests/configmap.yaml" | head -1; }
# The chart that renders cluster $2 of tree $1: its own chart/, or the fleet's shared chart named
# by the `# chart: ../charts/NAME` line of its values.yaml (then rendered with -f that file).
chart_of() {
    if [ -d "$1/$2/chart" ]; then echo "$1/$2/chart"; return; fi
    local rel; rel=$(sed -n 's/^# chart: \.\.\///p' "$1/$2/values.yaml")
    [ -n "$rel" ] && echo "$1/$rel"
}
values_args_of() { if [ ! -d "$1/$2/chart" ]; then echo "-f $1/$2/values.yaml"; fi; }

# every cluster of a built tree: default render == manifests, lint, rendered objects validate
check_tree() {
    local name=$1 out=$2 c
    for c in $(clusters_of "$out"); do  # every cluster of a multi-cluster example (fleet.gv)
    local ns chart vargs rendered="$tmp/$name-$c.yaml"
    ns=$(namespace_of "$out" "$c") chart=$(chart_of "$out" "$c")
    read -r -a vargs <<<"$(values_args_of "$out" "$c")"
    [ -n "$chart" ] || { bad "$name/$c: no chart found"; continue; }
    if render "$chart" "$c" "$ns" "${vargs[@]}" >"$rendered" 2>"$tmp/err" &&
        node "$here/compare.mjs" "$out/$c/manifests" "$rendered" --chart-defaults >/dev/null 2>"$tmp/err"; then
        ok
    else
        bad "$name/$c: chart ($chart) with the cluster's values differs from the manifests"; cat "$tmp/err"
    fi
    if lint "$chart" "${vargs[@]}" >"$tmp/err" 2>&1; then ok; else bad "$name/$c: helm lint --strict"; cat "$tmp/err"; fi
    # The rendered chart is validated on its own too (not only through its equality with the
    # manifests): every document against the Kubernetes and CRD schemas.
    if node "$root/tests/validate/validate.mjs" "$rendered" >"$tmp/err" 2>&1; then ok;
    else bad "$name/$c: rendered chart does not validate"; cat "$tmp/err"; fi
    done
}

# every check below, once per Helm major version
run_all() {
mkdir -p "$tmp/$helm_name"
for ex in "$root"/examples/*.gv; do
    name=$(basename "$ex" .gv)
    out="$tmp/$helm_name/default-$name"
    "$bin" build "$ex" -o "$out" -q 2>/dev/null || { bad "$name: build failed"; continue; }
    check_tree "$name" "$out"
done
# A fleet's shared charts (the default for fleet.gv above) and one chart per cluster both render
# every cluster: the per-cluster layout of the fleet, and a generated fleet of five clusters that
# extend one base (one shared chart, five values files, different replicas and hosts).
"$bin" build "$root/examples/fleet.gv" -o "$tmp/$helm_name/per-cluster-fleet" -q --charts per-cluster 2>/dev/null \
    || bad "fleet: --charts per-cluster build failed"
check_tree fleet-per-cluster "$tmp/$helm_name/per-cluster-fleet"
bash "$root/bench/gen-fleet.sh" 5 >"$tmp/$helm_name/gen5.gv"
"$bin" build "$tmp/$helm_name/gen5.gv" -o "$tmp/$helm_name/gen5" -q 2>/dev/null || bad "gen-fleet 5: build failed"
if [ "$(ls "$tmp/$helm_name/gen5/charts" | wc -l)" = 1 ]; then ok; else bad "gen-fleet 5: expected one shared chart: $(ls "$tmp/$helm_name/gen5/charts")"; fi
check_tree gen5 "$tmp/$helm_name/gen5"

example=design-doc
n=0
while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; '@EXAMPLE '*) example=${line#@EXAMPLE }; continue ;; esac
    n=$((n + 1))
    sets=() hsets=()
    for s in $line; do sets+=(--set "$s"); hsets+=(--set "$s"); done
    base="$tmp/$helm_name/default-$example"
    c=$(cluster_of "$base") ns=$(namespace_of "$base")
    out="$tmp/$helm_name/override-$n"
    if ! "$bin" build "$root/examples/$example.gv" -o "$out" -q "${sets[@]}" 2>"$tmp/err"; then
        bad "override [$line] on $example: goversec refused it"; cat "$tmp/err"; continue
    fi
    # The manifests' namespace.create defaults to true; the chart's to false (Helm makes the namespace).
    case "$line" in *namespace.create*) ;; *) hsets=(--set namespace.create=true "${hsets[@]}") ;; esac
    if render "$base/$c/chart" "$c" "$ns" "${hsets[@]}" >"$tmp/$helm_name/r.yaml" 2>"$tmp/err" &&
        node "$here/compare.mjs" "$out/$c/manifests" "$tmp/$helm_name/r.yaml" >/dev/null 2>"$tmp/err"; then
        ok
    else
        bad "override [$line] on $example: goversec and the chart disagree"; cat "$tmp/err"
    fi
done <"$here/overrides.txt"

base="$tmp/$helm_name/default-design-doc"
c=$(cluster_of "$base") ns=$(namespace_of "$base")
n=0
while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    assignments=${line%% ;; *} fragment=${line#* ;; }
    sets=()
    for s in $assignments; do sets+=(--set "$s"); done
    if render "$base/$c/chart" "$c" "$ns" "${sets[@]}" >/dev/null 2>"$tmp/err"; then
        bad "chart accepted bad values [$assignments]"
    # Helm 3 names a schema violation by its dotted path (nodes.replicas), Helm 4 by its JSON
    # pointer (/nodes/replicas): a fragment that is a bare value path may appear in either form.
    elif ! grep -qF -- "$fragment" "$tmp/err" &&
         { [[ "$fragment" == *' '* ]] || ! grep -qF -- "'/${fragment//.//}'" "$tmp/err"; }; then
        bad "chart refused [$assignments] without mentioning '$fragment':"; cat "$tmp/err"
    else
        ok
    fi
    status=0
    "$bin" build "$root/examples/design-doc.gv" -o "$tmp/$helm_name/bad-$n" -q "${sets[@]}" 2>"$tmp/err" || status=$?
    if [ "$status" -eq 1 ] && [ ! -e "$tmp/$helm_name/bad-$n" ]; then ok; else bad "goversec build accepted bad values [$assignments] (status $status)"; fi
done <"$here/bad-values.txt"

}
for helm_name in helm3 helm4; do
    if [ $helm_name = helm3 ]; then helm=$h3/helm; else helm=$h4/helm; fi
    before=$fail
    run_all
    echo "$helm_name ($("$helm" version --template '{{.Version}}')): $((fail - before)) failed"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
