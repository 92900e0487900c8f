#!/usr/bin/env bash
# What Goverse's processes are told (issue: the compiled cluster must run the real Goverse).
#  1. check.py on every cluster of every example, and on variants built with --set: config keys,
#     argv of each Goverse binary, and probes/Services/ServiceMonitors against the listeners.
#  2. The node's render-config init script, run verbatim by busybox's sh and awk (the image's
#     tools) in a private mount namespace where /etc/goverse-template and /etc/goverse exist:
#     passwords Goverse can carry (printable ASCII, no backslash or leading quote: its DSN is
#     unquoted) come back exactly from the rendered YAML, YAML-special ones included; the others
#     stop the pod with the script's message.
# Usage: bash tests/goverse/run.sh path/to/goversec. Needs python3 with PyYAML, busybox, unshare
# (root): a missing one fails the suite with a message; nothing is skipped.
set -uo pipefail
BIN="$(realpath "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

need() { command -v "$1" >/dev/null 2>&1 || { ko "$1 is not installed (bash .ci/deps test installs it)"; }; }
need busybox; need unshare
python3 -c 'import yaml' 2>/dev/null || ko "python3 cannot import yaml (bash .ci/deps test installs PyYAML)"
[[ $fail -eq 0 ]] || { echo "$pass passed, $fail failed"; exit 1; }

# ---- 1. every example, then variants -------------------------------------------------------------
build_and_check() { # LABEL GV [--set X]...
  local label="$1" gv="$2"; shift 2
  local out="$WORK/out-${label//[^a-zA-Z0-9]/_}"
  if ! "$BIN" build "$gv" -o "$out" --no-sync --charts none "$@" >/dev/null 2>"$WORK/err"; then
    ko "$label: goversec build failed: $(head -3 "$WORK/err")"; return
  fi
  local d
  for d in "$out"/*/manifests; do
    d="$(dirname "$d")"
    if python3 "$HERE/check.py" "$d" "$label/$(basename "$d")" >"$WORK/check.log" 2>&1; then
      ok "$(tail -1 "$WORK/check.log")"
    else
      ko "$label/$(basename "$d")"; sed 's/^/     | /' "$WORK/check.log" | head -30
    fi
  done
}
for gv in "$ROOT"/examples/*.gv; do build_and_check "$(basename "$gv" .gv)" "$gv"; done
DD="$ROOT/examples/design-doc.gv"
build_and_check "nodes=5" "$DD" --set nodes.replicas=5
build_and_check "nodes=0" "$DD" --set nodes.replicas=0
build_and_check "no-inspector" "$DD" --set inspector.enabled=false
build_and_check "no-postgres" "$DD" --set postgres.internal.enabled=false
build_and_check "ports" "$DD" --set gates.ports.ops=9191 --set gates.ports.http=8088 --set nodes.ports.http=9000 \
  --set nodes.ports.grpc=50052 --set inspector.ports.grpc=7070 --set etcd.ports.client=3379
build_and_check "external-etcd" "$DD" --set etcd.enabled=false --set etcd.external.enabled=true \
  --set 'etcd.external.endpoints={etcd-a.example.com:2379,etcd-b.example.com:2379}'
build_and_check "prefix" "$DD" --set cluster.etcdPrefix=/chat --set cluster.stabilityDuration=30s
build_and_check "monitoring" "$DD" --set monitoring.enabled=true --set monitoring.serviceMonitor.enabled=true

# ---- 2. render-config, verbatim --------------------------------------------------------------------
"$BIN" build "$DD" -o "$WORK/dd" --no-sync --charts none >/dev/null 2>&1
python3 - "$WORK/dd/goverse/manifests" "$WORK" <<'EOF'
import sys, yaml
m, work = sys.argv[1], sys.argv[2]
ss = yaml.safe_load(open(f"{m}/nodes/statefulset.yaml"))
init = {c["name"]: c for c in ss["spec"]["template"]["spec"]["initContainers"]}["render-config"]
assert init["command"][:2] == ["sh", "-c"], init["command"]
open(f"{work}/render.sh", "w").write(init["command"][2])
cm = yaml.safe_load(open(f"{m}/configmap.yaml"))
open(f"{work}/config.yaml", "w").write(cm["data"]["config.yaml"])
EOF
mkdir -p "$WORK/bb"
for tool in busybox sh awk mv wc; do ln -sf "$(command -v busybox)" "$WORK/bb/$tool"; done

# render PASSWORD -> prints the rendered file (or the script's stderr) into $WORK/rendered, $WORK/stderr
render() {
  printf '%s' "$1" >"$WORK/password"   # the Secret's key, as the secret volume holds it
  unshare -m bash -c '
    set -e
    mount -t tmpfs tmpfs /etc 2>/dev/null || exit 90   # a private /etc: the paths the pod has
    mkdir /etc/goverse-template /etc/goverse /etc/goverse-postgres
    cp "$0/config.yaml" /etc/goverse-template/config.yaml
    cp "$0/password" /etc/goverse-postgres/password
    env -i PATH="$0/bb" busybox sh -c "$(cat "$0/render.sh")" 2>"$0/stderr"
    rc=$?
    cat /etc/goverse/config.yaml >"$0/rendered" 2>/dev/null || true
    exit $rc' "$WORK"
}
accepted=("hunter2" "a'b\"c:d#e=f\$g%h&i*j" "x'" "$(printf 'quote%.0s' {1..40})'" "a!b@c[d]{e}|f>g<h~i^j" "\"dq\"" "-dash" "&anchor" "*alias" "!tag" "%pct" "@at" "\`bt\`" "{a:b}" "[1,2]" "yes" "null" "~" "0x1F" "1e3")
for pw in "${accepted[@]}"; do
  : >"$WORK/rendered"
  if render "$pw"; then
    got="$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["postgres"]["password"], end="")' "$WORK/rendered")"
    if [[ "$got" == "$pw" ]]; then ok "render-config carries password $(printf %q "$pw") exactly"
    else ko "render-config: password $(printf %q "$pw") came back as $(printf %q "$got")"; fi
  else
    ko "render-config refused a password Goverse can carry: $(printf %q "$pw"): $(cat "$WORK/stderr")"
  fi
done
refused=("" $'trailing-newline\n' "two words" $'tab\tx' $'line\nbreak' $'cr\rx' "back\\slash" "'leading" $'nel\302\205x' $'ctl\001x' $'del\177x'
         "pässwörd" "日本語" $'nbsp\302\240x' $'zw\342\200\213x' $'bad\377utf8')
for pw in "${refused[@]}"; do
  if render "$pw"; then ko "render-config accepted $(printf %q "$pw"), which Goverse's DSN would alter"
  elif grep -q 'render-config: Goverse passes the PostgreSQL password on unquoted' "$WORK/stderr"; then ok "render-config refuses $(printf %q "$pw") with its message"
  else ko "render-config on $(printf %q "$pw"): no message ($(cat "$WORK/stderr"))"; fi
done
# The rendered file is readable by any uid of the pod (the node's may differ from the script's).
printf x >"$WORK/password"
perm="$(unshare -m bash -c 'mount -t tmpfs tmpfs /etc; mkdir /etc/goverse-template /etc/goverse /etc/goverse-postgres;
  cp "$0/config.yaml" /etc/goverse-template/; cp "$0/password" /etc/goverse-postgres/; env -i PATH="$0/bb" busybox sh -c "$(cat "$0/render.sh")";
  stat -c %a /etc/goverse/config.yaml' "$WORK")"
[[ "$perm" == 644 ]] && ok "rendered config is mode 644 (readable by the node's uid)" || ko "rendered config mode $perm"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
