#!/bin/sh
# The compose worker's entrypoint. The file secret store refuses a file that others can read
# (it must be mode 0600, owned by the worker), and a bind mount keeps the host file's mode and
# owner; so the mounted seed is copied once into the worker's own volume, then the worker starts.
set -eu

seed="${RUNBOOKS_SECRETS_SEED:-/etc/runbooks/secrets.json}"
store="${RUNBOOKS_SECRETS_FILE:-/var/lib/runbooks/secrets.json}"

if [ ! -f "$store" ]; then
  if [ ! -f "$seed" ]; then
    echo "runbooks worker: no secret store at $store and no seed at $seed to copy; mount one" >&2
    exit 2
  fi
  umask 077
  mkdir -p "$(dirname "$store")"
  cp "$seed" "$store"
  chmod 0600 "$store"
  echo "runbooks worker: copied $seed to $store (mode 0600)"
fi

# JAVA_OPTS is split on whitespace on purpose: several JVM options in one variable.
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar /app/runbook.jar worker "$@"
