#!/usr/bin/env bash
# The maintenance demo: its own etcd on a free loopback port (or the one named by ETCD_ENDPOINTS), the HTTP
# sample service under traffic, maintenance turned on and off through etcdctl, and a timeline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
etcd_healthy() { ETCDCTL_API=3 etcdctl --endpoints="$1" --command-timeout=1s endpoint health >/dev/null 2>&1; }

export MAINTENANCE_KEY="${MAINTENANCE_KEY:-/maintenance/http-service}"
if [ -n "${ETCD_ENDPOINTS:-}" ]; then
  etcd_healthy "$ETCD_ENDPOINTS" || { echo "etcd at ETCD_ENDPOINTS=$ETCD_ENDPOINTS does not answer" >&2; exit 1; }
  echo "Using etcd at $ETCD_ENDPOINTS (given by ETCD_ENDPOINTS; the demo writes $MAINTENANCE_KEY there)"
else
  # Never reuse an etcd that happens to run on 2379: the demo writes keys, and that etcd is not ours.
  client_port=$(free_port); peer_port=$(free_port)
  mkdir -m 700 "$work/etcd"
  etcd --name demo --data-dir "$work/etcd" \
    --listen-client-urls "http://127.0.0.1:$client_port" --advertise-client-urls "http://127.0.0.1:$client_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "demo=http://127.0.0.1:$peer_port" >"$work/etcd.log" 2>&1 &
  pids+=($!)
  ETCD_ENDPOINTS="127.0.0.1:$client_port"
  for _ in $(seq 1 100); do etcd_healthy "$ETCD_ENDPOINTS" && break; sleep 0.1; done
  etcd_healthy "$ETCD_ENDPOINTS" || { echo "etcd did not start:"; cat "$work/etcd.log"; exit 1; }
  echo "Started etcd on $ETCD_ENDPOINTS (data in $work/etcd)"
fi
export ETCD_ENDPOINTS
export PORT="${PORT:-$(free_port)}"
export DEMO_URL="http://127.0.0.1:$PORT"
ETCDCTL_API=3 etcdctl --endpoints="$ETCD_ENDPOINTS" put "$MAINTENANCE_KEY" false >/dev/null

echo "Building the samples..."
dotnet build samples/HttpService -c Release --nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dotnet build samples/MaintenanceDemo -c Release --nologo -v q >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

dotnet run --project samples/HttpService -c Release --no-build >"$work/service.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do curl -fsS "$DEMO_URL/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$DEMO_URL/health" >/dev/null || { echo "The HTTP sample did not start:"; cat "$work/service.log"; exit 1; }
echo "HTTP sample listening on $DEMO_URL, watching $MAINTENANCE_KEY"
echo

dotnet run --project samples/MaintenanceDemo -c Release --no-build
