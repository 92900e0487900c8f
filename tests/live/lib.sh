# tests/live/lib.sh - sourced by the live suites: a private network (one network namespace per
# "pod", veth pairs on a bridge that lives in its own namespace, addresses 10.213.0.0/24 that exist
# only there), one /etc/hosts standing in for cluster DNS, and "pods" whose containers are started
# from the emitted manifests (podspec.py reads them, inroot.sh runs them in the image's file
# layout). Every process is started by PID and stopped by PID on exit; the work directory with all
# logs is kept when a suite fails.
set -euo pipefail
LIVE_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIVE_ID="gvl$$"
declare -A LIVE_PIDS=()
LIVE_NETNS=()
LIVE_OK=0

live_fail() { echo "FAIL: $*" >&2; exit 1; }
live_log() { echo "--- $*"; }

live_cleanup()
{
  local rc=$?
  local p
  for p in "${!LIVE_PIDS[@]}"; do kill -TERM "${LIVE_PIDS[$p]}" 2>/dev/null || true; done
  for p in "${!LIVE_PIDS[@]}"; do
    for _ in $(seq 150); do kill -0 "${LIVE_PIDS[$p]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${LIVE_PIDS[$p]}" 2>/dev/null || true
  done
  for p in "${LIVE_NETNS[@]}"; do ip netns del "$p" 2>/dev/null || true; done
  if [[ $rc -eq 0 && $LIVE_OK -eq 1 ]]; then
    rm -rf "$LIVE_WORK"
  else
    echo "live: FAILED (rc=$rc); work directory and logs kept in $LIVE_WORK (logs/)" >&2
    for f in "$LIVE_WORK"/logs/*.log; do [[ -f $f ]] && { echo "==== tail $f" >&2; tail -n 15 "$f" >&2; }; done
    [[ $rc -eq 0 ]] && rc=1
  fi
  exit "$rc"
}

# live_setup NAME GOVERSEC: work directory, the hub namespace, the tool checks.
live_setup()
{
  [[ $(id -u) -eq 0 ]] || live_fail "the live suites need root (network namespaces, mounts)"
  for t in ip python3 busybox chroot; do
    command -v "$t" >/dev/null || live_fail "$t is not installed (bash .ci/deps test)"
  done
  python3 -c 'import yaml' 2>/dev/null || live_fail "python3-yaml is not installed (bash .ci/deps test)"
  LIVE_WORK="$(mktemp -d "${TMPDIR:-/tmp}/goversec-live-$1.XXXXXX")"
  chmod 0755 "$LIVE_WORK"
  mkdir -p "$LIVE_WORK"/{logs,pv,pods,roots}
  : >"$LIVE_WORK/hosts"
  echo "127.0.0.1 localhost" >>"$LIVE_WORK/hosts"
  trap live_cleanup EXIT
  trap 'exit 130' INT TERM
  ip netns add "$LIVE_ID-hub" || live_fail "cannot create a network namespace"
  LIVE_NETNS+=("$LIVE_ID-hub")
  ip -n "$LIVE_ID-hub" link add br0 type bridge
  ip -n "$LIVE_ID-hub" link set br0 up
  ip -n "$LIVE_ID-hub" link set lo up
}

# live_pod POD IP: the pod's network namespace on the bridge.
live_pod()
{
  local ns="$LIVE_ID-$1" n=${#LIVE_NETNS[@]}
  ip netns add "$ns"
  LIVE_NETNS+=("$ns")
  ip -n "$LIVE_ID-hub" link add "v$n" type veth peer name eth0 netns "$ns"
  ip -n "$LIVE_ID-hub" link set "v$n" master br0 up
  ip -n "$ns" addr add "$2/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  mkdir -p "$LIVE_WORK/pods/$1"
}

# live_host NAME IP: one cluster DNS name (several lines for one name: several A records).
live_host() { echo "$2 $1" >>"$LIVE_WORK/hosts"; }

# live_spec POD MANIFEST KIND NAME CONTAINER [podspec options]: ARGV ENVV MOUNTS IMAGE RUN_* of
# the emitted container (see podspec.py).
live_spec()
{
  local pod=$1 manifest=$2 kind=$3 name=$4 cont=$5 spec
  shift 5
  spec="$(python3 "$LIVE_HERE/podspec.py" "$manifest" "$kind" "$name" "$cont" --pod "$pod" \
          --namespace "$LIVE_NAMESPACE" --ip "${LIVE_IP[$pod]:-0.0.0.0}" --pvdir "$LIVE_WORK/pv" \
          --poddir "$LIVE_WORK/pods/$pod" "$@")" || live_fail "cannot read container $cont of $kind $name in $manifest"
  eval "$spec"
}

live_kind()
{
  case $IMAGE in
    *etcd*) echo etcd ;; *busybox*) echo busybox ;; *postgres*) echo postgres ;;
    *) live_fail "no local stand-in for image $IMAGE" ;;
  esac
}

_live_cmd()
{
  local pod=$1 label=$2
  LIVE_CMD=(ip netns exec "$LIVE_ID-$pod" bash "$LIVE_HERE/inroot.sh" "$LIVE_WORK/roots/$pod-$label"
            "$(live_kind)" "$RUN_UID" "$RUN_GID" "$FS_GROUP" "$READONLY_ROOT" "$LIVE_WORK/hosts" "$LIVE_TOOLS"
            "${MOUNTS[@]}" -- "${ENVV[@]}" -- "${ARGV[@]}")
}

# live_run POD LABEL: run the container last read by live_spec to completion (bounded), log kept.
live_run()
{
  _live_cmd "$1" "$2"
  local log="$LIVE_WORK/logs/$1-$2.log"
  echo "+ [$1/$2] ${ARGV[*]}" >"$log"
  timeout "${LIVE_TIMEOUT:-120}" "${LIVE_CMD[@]}" >>"$log" 2>&1
}

# live_start_pod POD MANIFEST KIND NAME: the pod as its controller runs it, in the background: its
# init containers one after the other, then its (single) container; the subshell's PID becomes the
# container's (exec). TERM stops whichever container runs.
live_start_pod()
{
  local pod=$1 manifest=$2 kind=$3 name=$4 inits main
  inits=$(python3 -c '
import sys, yaml
d = [x for x in yaml.safe_load_all(open(sys.argv[1])) if x and x["kind"] == sys.argv[2] and x["metadata"]["name"] == sys.argv[3]][0]
s = d["spec"]["template"]["spec"]
print(" ".join(c["name"] for c in s.get("initContainers", [])))
print(s["containers"][0]["name"])' "$manifest" "$kind" "$name") || live_fail "cannot read $kind $name"
  main=${inits##*$'\n'} inits=${inits%%$'\n'*}
  # A restarted pod's logs start empty (the previous run's stay as *.log.prev), before it runs.
  for c in $inits $main; do
    [[ -f $LIVE_WORK/logs/$pod-$c.log ]] && mv "$LIVE_WORK/logs/$pod-$c.log" "$LIVE_WORK/logs/$pod-$c.log.prev"
    : >"$LIVE_WORK/logs/$pod-$c.log"
  done
  (
    child=
    trap '[[ -n $child ]] && kill -TERM "$child" 2>/dev/null; exit 143' TERM
    for c in $inits; do
      live_spec "$pod" "$manifest" "$kind" "$name" "$c"
      _live_cmd "$pod" "$c"
      echo "+ [$pod/$c] ${ARGV[*]}" >"$LIVE_WORK/logs/$pod-$c.log"
      "${LIVE_CMD[@]}" >>"$LIVE_WORK/logs/$pod-$c.log" 2>&1 &
      child=$!
      wait "$child" || { echo "init container $c failed" >>"$LIVE_WORK/logs/$pod-$c.log"; exit 1; }
      child=
    done
    live_spec "$pod" "$manifest" "$kind" "$name" "$main"
    _live_cmd "$pod" "$main"
    echo "+ [$pod/$main] ${ARGV[*]}" >"$LIVE_WORK/logs/$pod-$main.log"
    exec "${LIVE_CMD[@]}" >>"$LIVE_WORK/logs/$pod-$main.log" 2>&1
  ) &
  LIVE_PIDS[$pod]=$!
}

# live_start POD LABEL: start it in the background; its PID is kept for live_stop and the trap.
live_start()
{
  _live_cmd "$1" "$2"
  local log="$LIVE_WORK/logs/$1-$2.log"
  echo "+ [$1/$2] ${ARGV[*]}" >"$log"
  "${LIVE_CMD[@]}" >>"$log" 2>&1 &
  LIVE_PIDS[$1]=$!
}

live_stop()
{
  local pid=${LIVE_PIDS[$1]:-}
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "LIVE_PIDS[$1]"
}

live_running() { [[ -n ${LIVE_PIDS[$1]:-} ]] && kill -0 "${LIVE_PIDS[$1]}" 2>/dev/null; }

# live_wait SECONDS WHAT CMD...: retry CMD once a second until it succeeds or time runs out.
live_wait()
{
  local secs=$1 what=$2
  shift 2
  for _ in $(seq "$secs"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  live_fail "timed out after ${secs}s waiting for $what"
}
