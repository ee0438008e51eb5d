#!/bin/sh
# One-shot job: waits for the Temporal server and its namespace, then registers the search
# attributes every runbook sets (RunbookSearchAttributes.java), so the Temporal UI can filter on
# them. Safe to run again: an attribute that already exists is left as it is.
set -eu

address="${TEMPORAL_ADDRESS:-temporal:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
attempts="${WAIT_ATTEMPTS:-90}"

# wait_for DESCRIPTION COMMAND...: runs COMMAND every 2 s until it succeeds.
wait_for() {
  what="$1"
  shift
  i=1
  until "$@" >/dev/null 2>&1; do
    if [ "$i" -ge "$attempts" ]; then
      echo "gave up waiting for $what after $attempts attempts; the last try said:" >&2
      "$@" >&2 || true
      exit 1
    fi
    echo "waiting for $what ($i/$attempts)"
    i=$((i + 1))
    sleep 2
  done
}

listed() {
  temporal operator search-attribute list --namespace "$namespace" --address "$address" | grep -qw "$1"
}

wait_for "the Temporal server at $address" temporal operator cluster health --address "$address"
wait_for "namespace $namespace" temporal operator namespace describe --namespace "$namespace" --address "$address"

for name in RunbookKind RunbookTarget RunbookStep RunbookInitiator; do
  if listed "$name"; then
    echo "search attribute $name: already registered"
    continue
  fi
  if out="$(temporal operator search-attribute create --namespace "$namespace" --address "$address" \
    --name "$name" --type Keyword 2>&1)"; then
    echo "search attribute $name: created (Keyword)"
  elif printf '%s' "$out" | grep -qi 'already exists'; then
    echo "search attribute $name: already registered"
  else
    echo "could not create search attribute $name: $out" >&2
    exit 1
  fi
done

for name in RunbookKind RunbookTarget RunbookStep RunbookInitiator; do
  wait_for "search attribute $name to be listed" listed "$name"
done
echo "search attributes ready in namespace $namespace"
