#!/bin/sh
# PgBouncer in front of pg-primary for docker-compose.yml. The ini file lives on the volume shared
# with the worker (PGBOUNCER_INI): a switchover rewrites its [databases] entry to the promoted
# replica in place and RELOADs, so it is written only when missing (a restarted PgBouncer keeps
# pointing where the last switchover left it). It belongs to the worker's user (uid 10001, see
# the Dockerfile) so the worker may rewrite it; PgBouncer only reads it. The passwords stay in a
# userlist outside the shared volume.
set -eu

ini="${PGBOUNCER_INI:-/etc/pgbouncer-shared/pgbouncer.ini}"
userlist=/etc/pgbouncer/userlist.txt

umask 077
printf '"%s" "%s"\n"%s" "%s"\n' \
  pgbouncer "$PGBOUNCER_ADMIN_PASSWORD" \
  "$DB_USER" "$DB_PASSWORD" >"$userlist"
chown postgres:postgres "$userlist"

if [ ! -f "$ini" ]; then
  umask 022
  mkdir -p "$(dirname "$ini")"
  cat >"$ini" <<INI
[databases]
orders = host=$DB_HOST port=$DB_PORT dbname=orders

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $userlist
admin_users = pgbouncer
; PAUSE waits for every client to leave in session mode; transaction mode lets it finish.
pool_mode = transaction
ignore_startup_parameters = extra_float_digits
INI
  chown 10001:10001 "$ini"
  chmod 0644 "$ini"
  echo "pgbouncer: wrote $ini (orders -> $DB_HOST:$DB_PORT)"
fi

exec runuser -u postgres -- pgbouncer "$ini"
