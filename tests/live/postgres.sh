#!/usr/bin/env bash
# tests/live/postgres.sh GOVERSEC - the emitted PostgreSQL backup CronJob and restore Job with a
# real PostgreSQL (Debian's server, run as the `postgres` user in its own network namespace under
# the emitted Service name): the CronJob's container writes custom-format dumps and keeps exactly
# `keep`; the restore Job's container restores the newest dump into an EMPTY server (fresh initdb)
# and the rows are back.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
GOVERSEC=$1
KEEP=2
live_setup postgres
LIVE_TOOLS=/nonexistent
PGBIN=/usr/lib/postgresql/15/bin
[[ -x $PGBIN/postgres && -x $PGBIN/pg_dump ]] || live_fail "PostgreSQL 15 is not installed (bash .ci/deps test: postgresql-15)"
id postgres >/dev/null 2>&1 || live_fail "no postgres user (Debian's postgresql package creates it)"
LIVE_NAMESPACE=goverse-prod
declare -A LIVE_IP=([postgres-0]=10.213.0.30 [job]=10.213.0.50)
PGPASS="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
SECRETS=(--secret "goverse-postgres-secret/POSTGRES_USER=goverse" --secret "goverse-postgres-secret/POSTGRES_PASSWORD=$PGPASS"
         --secret "goverse-postgres-secret/POSTGRES_DB=goverse")

out="$LIVE_WORK/out"
"$GOVERSEC" build "$LIVE_HERE/../../examples/production-multizone.gv" -o "$out" -q \
  --set postgres.backup.keep=$KEEP --set postgres.backup.restore.enabled=true || live_fail "goversec build failed"
M="$out/chat-prod/manifests"
grep -q 'name: goverse-postgres-secret' "$M/postgres/backup-cronjob.yaml" || live_fail "the CronJob does not read goverse-postgres-secret"

live_pod postgres-0 "${LIVE_IP[postgres-0]}"
live_pod job "${LIVE_IP[job]}"
live_host "postgres.$LIVE_NAMESPACE.svc.cluster.local" "${LIVE_IP[postgres-0]}"
PSQL=(ip netns exec "$LIVE_ID-job" env PGPASSWORD="$PGPASS" psql -X -q -v ON_ERROR_STOP=1 -h "${LIVE_IP[postgres-0]}" -U goverse -d goverse -tA)

# A server with the role and database the Secret names; empty when $2 is "empty".
pg_server()
{
  local data="$LIVE_WORK/pgdata-$1"
  install -d -o postgres -g postgres -m 0700 "$data" "$LIVE_WORK/pgsock-$1"
  setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/initdb" -D "$data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 >"$LIVE_WORK/logs/initdb-$1.log" 2>&1 || live_fail "initdb failed"
  echo "host all all 10.213.0.0/24 scram-sha-256" >>"$data/pg_hba.conf"
  ip netns exec "$LIVE_ID-postgres-0" setpriv --reuid=postgres --regid=postgres --init-groups \
    "$PGBIN/postgres" -D "$data" -c listen_addresses="${LIVE_IP[postgres-0]}" -c unix_socket_directories="$LIVE_WORK/pgsock-$1" \
    >"$LIVE_WORK/logs/postgres-$1.log" 2>&1 &
  LIVE_PIDS[postgres-0]=$!
  live_wait 30 "PostgreSQL ($1)" "$PGBIN/pg_isready" -h "$LIVE_WORK/pgsock-$1" -U postgres
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$LIVE_WORK/pgsock-$1" -U postgres -d postgres \
    -c "CREATE ROLE goverse LOGIN PASSWORD '$PGPASS'" -c "CREATE DATABASE goverse OWNER goverse" \
    >>"$LIVE_WORK/logs/postgres-$1.log" 2>&1 || live_fail "cannot create the goverse role and database"
}

live_log "PostgreSQL with data"
pg_server first
"${PSQL[@]}" -c "CREATE TABLE objects (id text PRIMARY KEY, data bytea, version int)" \
  -c "INSERT INTO objects SELECT 'obj-' || g, decode(md5(g::text), 'hex'), g FROM generate_series(1, 500) g" ||
  live_fail "cannot write rows"

live_log "backups: $((KEEP + 2)) runs, keep $KEEP"
for r in $(seq 1 $((KEEP + 2))); do
  "${PSQL[@]}" -c "INSERT INTO objects VALUES ('run-$r', NULL, $r)" || live_fail "insert"
  live_spec job "$M/postgres/backup-cronjob.yaml" CronJob postgres-backup backup "${SECRETS[@]}"
  live_run job "backup-$r" || live_fail "backup run $r failed"
  sleep 1.1 # the dump file is named to the second
done
bk="$LIVE_WORK/pv/postgres-backup-pvc"
ls -l "$bk"
n=$(ls "$bk" | grep -c '^goverse-.*\.dump$') || true
[[ $n == "$KEEP" ]] || live_fail "retention: $n dumps kept, expected $KEEP"
newest=$(ls -1t "$bk" | grep '^goverse-') newest=${newest%%$'\n'*}
[[ -L $bk/latest.dump && $(readlink "$bk/latest.dump") == "$newest" ]] ||
  live_fail "latest.dump does not point at the newest dump"
[[ ! -e $bk/.incoming.dump ]] || live_fail "a temporary dump was left behind"
toc=$("$PGBIN/pg_restore" --list "$bk/latest.dump") || live_fail "pg_restore cannot read latest.dump"
[[ $toc == *'TABLE DATA public objects'* ]] || live_fail "the dump has no objects table"
"${PSQL[@]}" -c "INSERT INTO objects VALUES ('after-backup', NULL, 0)"

live_log "restore into an empty server"
live_stop postgres-0
pg_server empty
[[ $("${PSQL[@]}" -c "SELECT count(*) FROM pg_tables WHERE tablename = 'objects'") == 0 ]] || live_fail "the new server is not empty"
live_spec job "$M/postgres/restore-job.yaml" Job postgres-restore restore "${SECRETS[@]}"
live_run job restore || live_fail "the restore Job's container failed"
rows=$("${PSQL[@]}" -c "SELECT count(*) FROM objects WHERE id LIKE 'obj-%'")
[[ $rows == 500 ]] || live_fail "restored $rows of 500 rows"
[[ $("${PSQL[@]}" -c "SELECT max(version) FROM objects WHERE id LIKE 'run-%'") == $((KEEP + 2)) ]] ||
  live_fail "the restored dump is not the newest"
[[ $("${PSQL[@]}" -c "SELECT count(*) FROM objects WHERE id = 'after-backup'") == 0 ]] ||
  live_fail "a row written after the dump appeared"
[[ $("${PSQL[@]}" -c "SELECT encode(data, 'hex') FROM objects WHERE id = 'obj-42'") == $(echo -n 42 | md5sum | cut -c1-32) ]] ||
  live_fail "restored bytes differ"
echo "postgres: dumps, retention and restore into an empty server OK"
LIVE_OK=1
