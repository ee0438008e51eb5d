#!/bin/bash
# Runs once, when the postgres image initialises an empty data directory: the role and slot
# pg-replica clones and streams from, and pg_stat_statements for `runbook check`.
set -euo pipefail

: "${REPLICATION_USER:=replicator}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD for the replication role}"
: "${REPLICATION_SLOT:=pg_replica}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v repl_user="$REPLICATION_USER" -v repl_password="$REPLICATION_PASSWORD" \
  -v repl_slot="$REPLICATION_SLOT" <<'SQL'
CREATE ROLE :"repl_user" WITH LOGIN REPLICATION PASSWORD :'repl_password';
SELECT pg_create_physical_replication_slot(:'repl_slot');
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
SQL

# The image's pg_hba.conf lets every database in with a password, but "all" does not cover
# replication connections: those need their own line.
echo "host replication ${REPLICATION_USER} all scram-sha-256" >>"$PGDATA/pg_hba.conf"
# The WAL archiver (runbook archive, runbooks/pitr.md) streams WAL as the admin role.
echo "host replication ${POSTGRES_USER} all scram-sha-256" >>"$PGDATA/pg_hba.conf"
