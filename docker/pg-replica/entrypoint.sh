#!/bin/bash
# pg-replica's entrypoint: on first start (empty data directory) clones pg-primary with
# pg_basebackup -R, which leaves standby.signal and primary_conninfo behind, then hands over to
# the postgres image's own entrypoint, which starts the server as a streaming standby.
set -euo pipefail

: "${PGDATA:=/var/lib/postgresql/data}"
: "${PRIMARY_HOST:=pg-primary}"
: "${PRIMARY_PORT:=5432}"
: "${REPLICATION_USER:=replicator}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD for the replication role}"
: "${REPLICATION_SLOT:=pg_replica}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "pg-replica: $PGDATA is empty; cloning $PRIMARY_HOST:$PRIMARY_PORT"
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 0700 "$PGDATA"
  until pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; do
    echo "pg-replica: waiting for $PRIMARY_HOST:$PRIMARY_PORT"
    sleep 1
  done
  # pg_basebackup -R writes these connection settings, password included, into
  # postgresql.auto.conf: the standby needs them to stream.
  PGPASSWORD="$REPLICATION_PASSWORD" gosu postgres pg_basebackup \
    -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$REPLICATION_USER" \
    -D "$PGDATA" -R -X stream -c fast -S "$REPLICATION_SLOT"
  echo "pg-replica: clone complete; starting as a standby"
fi

exec docker-entrypoint.sh "$@"
