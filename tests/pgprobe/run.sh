#!/usr/bin/env bash
# PostgreSQL container suite (ctest: suite.pgprobe). Usage: bash run.sh PATH/TO/goversec
# Builds examples/production-multizone.gv (in-cluster PostgreSQL, restricted pods), reads the
# postgres StatefulSet it emits (volumeMounts, PGDATA, the exec probes) and re-enacts the container
# with the host's PostgreSQL 15 (Debian postgresql-15, the image's major version) in a private
# mount and network namespace (inner.sh): root filesystem read-only but the emitted mounts, an
# unprivileged uid, the image's listen settings on the namespace's loopback. initdb and the server
# must run, the emitted pg_isready probes must fail without a server, pass with it and fail after
# it stops. Needs root (namespaces), util-linux, iproute2, node + tests/validate/node_modules, and
# postgresql-15 (apt-get install postgresql-15). Logs of a failed run are kept and printed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [[ $# -ne 1 ]]; then echo "usage: bash run.sh PATH/TO/goversec" >&2; exit 2; fi
GOVERSEC="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[[ -x "$GOVERSEC" ]] || { echo "pgprobe: $1 is not an executable" >&2; exit 2; }
pgbin=""
for d in /usr/lib/postgresql/15/bin; do [[ -x $d/postgres && -x $d/initdb && -x $d/pg_isready ]] && pgbin=$d; done
[[ -n $pgbin ]] || { echo "pgprobe: PostgreSQL 15 server binaries missing: apt-get install -y postgresql-15" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "pgprobe: needs root (mount and network namespaces)" >&2; exit 1; }
for t in unshare setpriv ip mountpoint node; do command -v $t >/dev/null || { echo "pgprobe: $t missing" >&2; exit 1; }; done
[[ -d "$ROOT/tests/validate/node_modules/yaml" ]] || { echo "pgprobe: run (cd tests/validate && npm ci --no-audit --no-fund)" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/goversec-pgprobe.XXXXXX")"
chmod 755 "$TMP"
keep=0
trap '[[ $keep == 1 ]] || rm -rf "$TMP"' EXIT
passed=0 failed=0

(cd "$ROOT" && "$GOVERSEC" build examples/production-multizone.gv -o "$TMP/out" --no-sync) >"$TMP/build.log" 2>&1 \
  || { cat "$TMP/build.log"; echo "FAIL goversec build"; echo "0 passed, 1 failed"; exit 1; }
sts="$(find "$TMP/out" -path '*/manifests/postgres/statefulset.yaml' | head -n 1)"
node "$HERE/extract.mjs" "$sts" >"$TMP/plan" 2>"$TMP/extract.log" \
  || { cat "$TMP/extract.log"; echo "FAIL reading $sts"; echo "0 passed, 1 failed"; exit 1; }
sed 's/^/    /' "$TMP/plan"
grep -qx 'readonly true' "$TMP/plan" && grep -q '^uid [1-9]' "$TMP/plan" \
  && { passed=$((passed + 1)); echo "PASS the postgres container is read-only and runs as a non-root uid"; } \
  || { failed=$((failed + 1)); echo "FAIL the postgres container is not restricted"; }
mkdir -p "$TMP/logs"; chmod 777 "$TMP/logs"
if timeout 120 unshare --mount --net --fork bash ${PGPROBE_TRACE:+-x} "$HERE/inner.sh" "$TMP/plan" "$TMP/logs" "$pgbin" \
     >"$TMP/inner.out" 2>&1 3>"$TMP/logs/initdb.log" 4>"$TMP/logs/postgres.log"; then
  passed=$((passed + 1)); echo "PASS $(tail -n 1 "$TMP/inner.out")"
else
  failed=$((failed + 1)); keep=1
  sed 's/^/    /' "$TMP/inner.out"
  for f in "$TMP"/logs/*.log; do echo "    == $f"; tail -n 20 "$f" | sed 's/^/    /'; done
  echo "FAIL the emitted postgres container does not run (logs kept in $TMP/logs)"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
