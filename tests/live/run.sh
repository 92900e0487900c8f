#!/usr/bin/env bash
# Live suite: the emitted manifests run with the real programs (etcd v3.5.11 built from its module
# by tests/tools/build.sh, Debian's PostgreSQL 15 and busybox), each "pod" in its own network
# namespace, reached under its cluster DNS name (see lib.sh). Needs root. $1: the goversec binary.
# Fails (never skips) when a program cannot be built or installed. Last line: "N passed, M failed".
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
goversec="$1"
passed=0 failed=0
run() {
  local name=$1; shift
  echo "=== $name"
  if bash "$@"; then passed=$((passed + 1)); echo "PASS $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}
run etcd-3-members "$here/etcd.sh" "$goversec" 3
run etcd-membership-3-5-3 "$here/membership.sh" "$goversec"
run postgres "$here/postgres.sh" "$goversec"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
