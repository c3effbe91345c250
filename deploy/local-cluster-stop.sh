#!/usr/bin/env bash
# Stops what deploy/local-cluster.sh started. Add --purge to delete the cluster's database files too.
set -uo pipefail
cd "$(dirname "$0")/.."
state="$(pwd)/.local/cluster"
if [ -f "$state/pids" ]; then
  while read -r pid; do kill "$pid" 2>/dev/null; done < "$state/pids"
  while read -r pid; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null
  done < "$state/pids"
  rm -f "$state/pids"
  echo "nodes stopped"
fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "$bin" ] && [ -f "$state/pgdata/postmaster.pid" ]; then
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$state/pgdata" -m fast -w stop >/dev/null
  else "$bin/pg_ctl" -D "$state/pgdata" -m fast -w stop >/dev/null; fi
  echo "PostgreSQL stopped"
fi
[ "${1:-}" = "--purge" ] && rm -rf "$state" && echo "removed $state"
exit 0
