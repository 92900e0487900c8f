#!/usr/bin/env bash
# tests/lint/run.sh GOVERSEC - real Kubernetes linters on every example's manifest tree:
# checkov (PyPI, pinned, installed into a venv in the tools cache) and kube-score (Go module,
# pinned in tests/tools/kube-score). Polaris and kube-linter are not served by the Go module
# proxy (refused for every version in 2026-12), so they are not run.
# Every finding is printed as `example tool rule object`; a finding passes only when its rule id
# is accepted in docs/security.md (a line `| RULE-ID | why |` in its "Accepted linter findings"
# table); anything else fails the suite. Fails (never skips) when a linter cannot be installed.
set -uo pipefail
BIN="$(realpath "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${GOVERSEC_TOOLS_CACHE:-$HOME/.cache/goversec-tools}"
CHECKOV_VERSION=3.3.30
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
pass=0 fail=0
die() { echo "FAIL: $*"; echo "0 passed, 1 failed"; exit 1; }

ks="$(bash "$ROOT/tests/tools/build.sh" kube-score)/kube-score" || die "kube-score cannot be built (tests/tools/kube-score)"
venv="$CACHE/checkov-$CHECKOV_VERSION"
if [[ ! -f "$venv/.complete" ]]; then
  echo "lint: installing checkov $CHECKOV_VERSION from PyPI into $venv (first run on this machine)"
  rm -rf "$venv"
  { python3 -m venv "$venv" && "$venv/bin/pip" install -q "checkov==$CHECKOV_VERSION"; } >"$WORK/pip.log" 2>&1 \
    || { tail -20 "$WORK/pip.log"; die "checkov $CHECKOV_VERSION cannot be installed"; }
  touch "$venv/.complete"
fi
checkov="$venv/bin/checkov"

# accepted rule ids: first column of the table under the "Accepted linter findings" heading
accepted="$(awk '/^#+ Accepted linter findings/ {on=1; next} /^#/ {on=0} on && /^\| *[A-Za-z]/ {gsub(/[ |`]/, "", $2); print $2}' \
  FS='|' "$ROOT/docs/security.md" 2>/dev/null | grep -v '^rule' || true)"

PRODUCTION="production production-multizone fleet"   # examples whose tier is production-small
[[ -n "$accepted" ]] || die "no accepted-findings table in docs/security.md (## Accepted linter findings)"
for ex in "$ROOT"/examples/*.gv; do
  name=$(basename "$ex" .gv)
  "$BIN" build "$ex" -o "$WORK/$name" -q --no-sync 2>/dev/null || { echo "FAIL $name: build"; fail=$((fail + 1)); continue; }
  for m in "$WORK/$name"/*/manifests; do
    c=$(basename "$(dirname "$m")")
    "$checkov" -d "$m" --framework kubernetes --skip-download --quiet --compact -o json >"$WORK/ck.json" 2>"$WORK/ck.err"
    python3 - "$WORK/ck.json" >"$WORK/findings" <<'EOF' || { echo "FAIL $name/$c: checkov produced no report"; tail -5 "$WORK/ck.err"; fail=$((fail + 1)); continue; }
import json, sys
d = json.load(open(sys.argv[1]))
for r in (d if isinstance(d, list) else [d]):
    for f in r.get("results", {}).get("failed_checks", []):
        print("checkov", f["check_id"], f["resource"], "-", f["check_name"])
EOF
    find "$m" -name '*.yaml' ! -name kustomization.yaml -print0 | sort -z \
      | xargs -0 "$ks" score --output-format json >"$WORK/ks.json" 2>"$WORK/ks.err"
    python3 - "$WORK/ks.json" >>"$WORK/findings" <<'EOF' || { echo "FAIL $name/$c: kube-score produced no report"; head -5 "$WORK/ks.err"; fail=$((fail + 1)); }
import json, sys
grades = {1: "CRITICAL", 5: "WARNING"}
for o in json.load(open(sys.argv[1])):
    obj = o["object_name"]
    for c in o["checks"]:
        if not c["skipped"] and c["grade"] in grades:
            why = "; ".join(f'{x.get("path", "")}: {x.get("summary", "")}' for x in (c.get("comments") or []))
            print("kube-score", c["check"]["id"], obj, "-", grades[c["grade"]], why)
EOF
    n=0
    # Production tiers are held to the accepted list; the dev and design-document examples (the
    # design's own `latest` tags) are linted and their findings reported.
    case " $PRODUCTION " in *" $name "*) held=1 ;; *) held=0 ;; esac
    while read -r tool rule obj rest; do
      if grep -qxF -- "$rule" <<<"$accepted"; then pass=$((pass + 1))
      elif [[ $held == 1 ]]; then fail=$((fail + 1)); n=$((n + 1)); echo "FAIL $name/$c: $tool $rule $obj $rest"
      else n=$((n + 1)); echo "note $name/$c: $tool $rule $obj $rest"; fi
    done <"$WORK/findings"
    echo "lint $name/$c: $(wc -l <"$WORK/findings") findings, $n not accepted in docs/security.md$([[ $held == 1 ]] || echo ' (reported, not held: not a production tier)')"
    pass=$((pass + 1))
  done
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
