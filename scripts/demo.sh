#!/usr/bin/env bash
# The main job on embedded defaults: the collector (embedded SQLite, gRPC on loopback), a simulated site (a PV
# inverter and a battery, hardware-sim) and the edge agent polling it and uploading over gRPC. The script registers
# the site and its two assets through the management API, then shows the fleet totals every few seconds. After
# DISPATCH_AFTER seconds (default 15) it sends an ISO instruction (3 kW of discharge from resource PJM for 30 s,
# half an hour of simulated time): the collector allocates it, signs a setpoint, the agent verifies it against the collector's public key
# (pinned at start), drives the battery through SunSpec model 124 and acknowledges; the dispatch state is shown.
# Nothing to set up; Ctrl-C stops everything. DEMO_SECONDS=N stops it after N seconds (used by the smoke test).
set -euo pipefail
cd "$(dirname "$0")/.."

configuration=${CONFIGURATION:-Release}
echo "Building (first run takes a minute)..."
dotnet build Nexwatt.Edge.sln -c "$configuration" -nologo -v quiet -clp:ErrorsOnly >/dev/null
bin() { echo "$1/bin/$configuration/net10.0/$2.dll"; }
sim_dll=$(bin hardware-sim/Nexwatt.HardwareSim hardware-sim)
agent_dll=$(bin edge-agent/Nexwatt.EdgeAgent nexwatt-agent)
collector_dll=$(bin collector/Nexwatt.Collector nexwatt-collector)

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # file pattern what
  for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "$3 did not start:"; cat "$1"; exit 1
}

# The collector: plain HTTP/2 on loopback (TLS is required for any other address), a management token for this run.
grpc_port=$(free_port); api_port=$(free_port)
admin_token=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
NEXWATT_COLLECTOR_CONFIG=/dev/null/none NEXWATT_Collector__Port=$grpc_port NEXWATT_Collector__ManagementPort=$api_port \
NEXWATT_Collector__Storage__SqlitePath="$work/collector.db" NEXWATT_Collector__Management__Tokens__0="$admin_token" \
  dotnet "$collector_dll" >"$work/collector.log" 2>&1 & pids+=($!)

# A summer morning at 40°N, 75°W (PJM territory), one simulated minute per real second. The devices' revert timers
# run on that clock too, so the agent below sets an hour (a minute of real time) and re-asserts every 10 s.
dotnet "$sim_dll" serve --inverter 127.0.0.1:0 --battery 127.0.0.1:0 --no-table \
  --latitude 40 --longitude -75 --start-time 2026-06-21T08:00-04:00 --clock-speed 60 >"$work/sim.log" 2>&1 & pids+=($!)
wait_for "$work/sim.log" '^READY all' hardware-sim
wait_for "$work/collector.log" 'Now listening on: http://127.0.0.1:'"$api_port" collector

api() { curl -sf -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' "$@"; }
site_token=$(api -X POST "http://127.0.0.1:$api_port/v1/sites" -d '{"site_id":"demo-site"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
api -X POST "http://127.0.0.1:$api_port/v1/assets/register" \
  -d '{"asset_id":"demo-pv","type":"solar","inverter":"SIM-PV-3P","capacity_kw":10,"meter_id":"demo-meter-1","iso_zone":"PJM","telemetry_interval":5}' >/dev/null
api -X POST "http://127.0.0.1:$api_port/v1/assets/register" \
  -d '{"asset_id":"demo-battery","type":"battery","inverter":"SIM-BAT","capacity_kw":5,"storage_kwh":13.5,"meter_id":"demo-meter-1","iso_zone":"PJM","telemetry_interval":5}' >/dev/null
api -X POST "http://127.0.0.1:$api_port/v1/assets/demo-pv/link" -d '{"site_id":"demo-site","device_id":"inverter"}' >/dev/null
api -X POST "http://127.0.0.1:$api_port/v1/assets/demo-battery/link" -d '{"site_id":"demo-site","device_id":"battery"}' >/dev/null
echo "Collector on 127.0.0.1:$grpc_port (gRPC) and :$api_port (API); site demo-site and assets demo-pv, demo-battery registered."

endpoint() { grep "^READY $1 " "$work/sim.log" | head -1 | sed -E 's/.*endpoint=([0-9.]+):([0-9]+).*/\1 \2/'; }
read -r inv_host inv_port <<<"$(endpoint inverter)"
read -r bat_host bat_port <<<"$(endpoint battery)"
NEXWATT_CONFIG=/dev/null/none NEXWATT_Agent__SiteId=demo-site NEXWATT_Agent__DefaultPollInterval=00:00:02 \
NEXWATT_Agent__Buffer__Path="$work/buffer.db" NEXWATT_Logging__LogLevel__Default=Warning \
NEXWATT_Agent__Uplink__Grpc__Enabled=true NEXWATT_Agent__Uplink__Grpc__Address="http://127.0.0.1:$grpc_port" \
NEXWATT_Agent__Uplink__Grpc__SiteToken="$site_token" \
NEXWATT_Agent__Dispatch__CollectorPublicKeyFile="$work/dispatch-signing-key.pub.pem" \
NEXWATT_Agent__Dispatch__RevertTimeout=01:00:00 NEXWATT_Agent__Dispatch__ReassertInterval=00:00:10 \
NEXWATT_Agent__Devices__0__Id=inverter NEXWATT_Agent__Devices__0__Host=$inv_host NEXWATT_Agent__Devices__0__Port=$inv_port \
NEXWATT_Agent__Devices__1__Id=battery NEXWATT_Agent__Devices__1__Host=$bat_host NEXWATT_Agent__Devices__1__Port=$bat_port \
  dotnet "$agent_dll" run >"$work/agent.log" 2>&1 & pids+=($!)
echo "Edge agent polling the simulated site every 2 s and uploading over gRPC. Fleet totals (Ctrl-C to stop):"

end=$(( SECONDS + ${DEMO_SECONDS:-1000000000} ))
dispatch_at=$(( SECONDS + ${DISPATCH_AFTER:-15} ))
dispatch_id=""
while [ $SECONDS -lt $end ]; do
  sleep 3
  api "http://127.0.0.1:$api_port/v1/fleet/totals" | python3 -c '
import json, sys, time
for z in json.load(sys.stdin):
    soc = "-" if z["average_soc_pct"] is None else "%.1f %%" % z["average_soc_pct"]
    print("%s %s: %d assets, %7.2f kW now, %6.2f kWh stored, SoC %s"
          % (time.strftime("%H:%M:%S"), z["iso_zone"], z["assets"], z["mw_now"] * 1000, z["mwh_stored"] * 1000, soc))'
  if [ -z "$dispatch_id" ] && [ $SECONDS -ge $dispatch_at ]; then
    answer=$(api -X POST "http://127.0.0.1:$api_port/v1/dispatch" \
      -d '{"resource_id":"PJM","mw_requested":0.003,"direction":"discharge","window":{"duration_s":30}}' || true)
    dispatch_id=$(printf '%s' "$answer" | python3 -c '
import json, sys
try: d = json.load(sys.stdin)
except ValueError: sys.exit(0)
print("Dispatch %s: %s" % (d["dispatch_id"], d["summary"]), file=sys.stderr)
for a in d["assets"]: print("  %s: %.2f kW (%s)" % (a["asset_id"], a["kw"], a["reason"]), file=sys.stderr)
print(d["dispatch_id"])')
    [ -n "$dispatch_id" ] || echo "Dispatch refused: $answer"
  elif [ -n "$dispatch_id" ]; then
    api "http://127.0.0.1:$api_port/v1/dispatch/$dispatch_id" | python3 -c '
import json, sys, time
d = json.load(sys.stdin)
print("%s dispatch %s: %s, %.2f kW requested, %.2f kW confirmed, sites acked %s"
      % (time.strftime("%H:%M:%S"), d["dispatch_id"], d["status"], d["requested_mw"] * 1000, (d["confirmed_mw"] or 0) * 1000, ",".join(d["sites"]["acked"]) or "-"))'
  fi
done
