#!/usr/bin/env bash
# Starts a local durable cluster on loopback: one PostgreSQL server and three Handoff nodes (role "all"),
# each with its own silo, gateway and HTTP port. Prints the nodes' URLs. Stop it with deploy/local-cluster-stop.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
state="$root/.local/cluster"
pg_port=${HANDOFF_PG_PORT:-55432}
nodes=${HANDOFF_NODES:-3}

if [ -f "$state/pids" ]; then
  echo "A local cluster seems to run already ($state/pids); stop it with deploy/local-cluster-stop.sh" >&2
  exit 1
fi

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
mkdir -p "$state"
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$state"

if [ ! -d "$state/pgdata" ]; then
  run_pg "$bin/initdb" -D "$state/pgdata" -U postgres -A trust -E UTF8 --no-instructions >/dev/null
fi
run_pg "$bin/pg_ctl" -D "$state/pgdata" -o "-p $pg_port -k $state -c listen_addresses=127.0.0.1" -l "$state/postgres.log" -w start >/dev/null
psql -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'handoff'" | grep -q 1 ||
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE handoff"
connection="Host=127.0.0.1;Port=$pg_port;Database=handoff;Username=postgres"

dotnet build src/Handoff.Host -c Release -nologo -v quiet -clp:ErrorsOnly
dll="$root/src/Handoff.Host/bin/Release/net10.0/Handoff.Host.dll"
# Apply the schema once up front, so the nodes do not all wait on the same lock.
ConnectionStrings__Handoff="$connection" dotnet "$dll" --apply-schema

: > "$state/pids"
for i in $(seq 0 $((nodes - 1))); do
  http=$((5081 + i))
  ASPNETCORE_URLS="http://127.0.0.1:$http" \
  Handoff__Storage=postgres \
  ConnectionStrings__Handoff="$connection" \
  Handoff__ApplySchema=false \
  Handoff__Cluster__AdvertisedAddress=127.0.0.1 \
  Handoff__Cluster__SiloPort=$((11111 + i)) \
  Handoff__Cluster__GatewayPort=$((30000 + i)) \
  Handoff__AdminApiKey="${Handoff__AdminApiKey:-local-cluster-admin-key}" \
    nohup dotnet "$dll" --contentRoot "$root/src/Handoff.Host" > "$state/node$i.log" 2>&1 &
  echo $! >> "$state/pids"
done

for i in $(seq 0 $((nodes - 1))); do
  url="http://127.0.0.1:$((5081 + i))"
  for _ in $(seq 1 60); do
    curl -fsS "$url/health/ready" >/dev/null 2>&1 && break
    sleep 1
  done
  if curl -fsS "$url/health/ready" >/dev/null 2>&1; then
    echo "node$i  $url  (silo $((11111 + i)), gateway $((30000 + i)), log $state/node$i.log)"
  else
    echo "node$i  $url  NOT READY, see $state/node$i.log" >&2
  fi
done
echo "PostgreSQL: $connection"
echo "Admin key: ${Handoff__AdminApiKey:-local-cluster-admin-key}"
