#!/bin/sh
# One-shot for docker-compose.yml: prepares the dev-mode Vault (in memory: it starts empty each
# time) for the worker. Dev mode already mounts KV version 2 at secret/; this enables transit with
# the key `backups` (encryption: vault-transit:backups) and writes the admin secret of the target
# `orders` (= POSTGRES_PASSWORD of pg-primary) and the pgbouncer service's admin (failover.pooler).
# Rotated credentials are then written by the runbooks themselves under secret/db/orders/roles/<role>.
set -eu

until vault status >/dev/null 2>&1; do
  echo "vault-setup: waiting for $VAULT_ADDR"
  sleep 1
done

vault secrets list | grep -q '^transit/' || vault secrets enable transit
vault write -f transit/keys/backups >/dev/null
if ! vault kv get secret/db/orders/admin >/dev/null 2>&1; then
  vault kv put -cas=0 secret/db/orders/admin username=postgres password="$ORDERS_ADMIN_PASSWORD" >/dev/null
fi
if ! vault kv get secret/pgbouncer/admin >/dev/null 2>&1; then
  vault kv put -cas=0 secret/pgbouncer/admin username=pgbouncer password="$PGBOUNCER_ADMIN_PASSWORD" >/dev/null
fi
echo "vault-setup: transit key backups, secret/db/orders/admin and secret/pgbouncer/admin are ready"
