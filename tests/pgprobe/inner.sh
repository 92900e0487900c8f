#!/usr/bin/env bash
# inner.sh PLAN LOGDIR - runs inside `unshare --mount --net` (run.sh): the emitted postgres container
# re-enacted with the host's PostgreSQL 15: every filesystem read-only but the container's
# volumeMounts (each a fresh tmpfs), the process unprivileged, PostgreSQL listening like the image
# (listen_addresses '*', port 5432) on this namespace's loopback, and the emitted exec probes run
# verbatim: they must fail before the server is up and pass once it is.
set -euo pipefail
plan=$1 logs=$2
pgbin=$3
ip link set lo up
mounts=() pgdata="" ready="" live=""
while read -r k rest; do
  case $k in
    mount) mounts+=("$rest") ;;
    env) pgdata=${rest#PGDATA } ;;
    ready) ready=$rest ;;
    live) live=$rest ;;
  esac
done <"$plan"
[[ -n $pgdata && -n $ready && -n $live && ${#mounts[@]} -gt 0 ]] || { echo "inner: incomplete plan"; exit 1; }
# Logs: fds 3 (initdb) and 4 (postgres), opened by run.sh outside this namespace (the /tmp mount
# below hides the test's directory, and a file open for writing here would keep / from going
# read-only).
# nobody: an unprivileged uid PostgreSQL's tools can look up (the image's 999 is its `postgres`).
run() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
# Writable: the mounts only (a tmpfs each, like emptyDir/PVC, owned via fsGroup -> here chown).
for m in "${mounts[@]}"; do
  mkdir -p "$m"
  mount -t tmpfs -o mode=0700,size=256m tmpfs "$m"
  chown 65534:65534 "$m"
done
# Everything else read-only: bind-remount / and the host's own writable mounts at the usual paths.
for t in / /tmp /run /var /var/run /var/lib /home; do
  [[ -d $t ]] && mountpoint -q "$t" || continue
  skip=0
  for m in "${mounts[@]}"; do if [[ $m == "$t" ]]; then skip=1; fi; done
  if (( skip )); then continue; fi
  mount -o remount,bind,ro "$t" # this namespace's copy of the mount only
done
if touch /.goversec-pgprobe-rw 2>/dev/null; then
  rm -f /.goversec-pgprobe-rw
  echo "inner: the root filesystem is writable: cannot re-enact readOnlyRootFilesystem"; exit 1
fi
probe() { run $1 >/dev/null 2>&1; }
if probe "$ready"; then echo "inner: readiness probe passes with no server"; exit 1; fi
run "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust >&3 2>&1 \
  || { echo "inner: initdb failed (log: $logs/initdb.log)"; exit 1; }
# setpriv execs postgres: $pid is the postmaster itself (SIGINT: fast shutdown).
setpriv --reuid=65534 --regid=65534 --clear-groups -- "$pgbin/postgres" -D "$pgdata" \
  -c listen_addresses='*' -c port=5432 >&4 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  probe "$ready" && break
  kill -0 $pid 2>/dev/null || { echo "inner: postgres exited (log: $logs/postgres.log)"; exit 1; }
  sleep 0.5
done
probe "$ready" || { echo "inner: readiness probe never passed (log: $logs/postgres.log)"; exit 1; }
probe "$live" || { echo "inner: liveness probe fails on a running server"; exit 1; }
kill -INT $pid; wait $pid 2>/dev/null || true; trap - EXIT
for _ in $(seq 1 20); do probe "$ready" || break; sleep 0.5; done
if probe "$ready"; then echo "inner: readiness probe passes after the server stopped"; exit 1; fi
echo "inner: ok: initdb and postgres ran with only ${mounts[*]} writable; probes: '$ready' / '$live'"
