#!/usr/bin/env bash
# The main job on embedded defaults: a simulated site (a PV inverter and a battery, hardware-sim) and the
# edge agent polling it, readings shown in the agent's log. Nothing to set up; Ctrl-C stops both.
# DEMO_SECONDS=N stops it after N seconds (used by the smoke test).
set -euo pipefail
cd "$(dirname "$0")/.."

configuration=${CONFIGURATION:-Release}
echo "Building (first run takes a minute)..."
dotnet build Nexwatt.Edge.sln -c "$configuration" -nologo -v quiet -clp:ErrorsOnly >/dev/null
sim_dll=hardware-sim/Nexwatt.HardwareSim/bin/$configuration/net10.0/hardware-sim.dll
agent_dll=edge-agent/Nexwatt.EdgeAgent/bin/$configuration/net10.0/nexwatt-agent.dll

work=$(mktemp -d)
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A summer morning at 40°N, 75°W (PJM territory), one simulated minute per real second, so the PV output
# visibly climbs. Both devices listen on free loopback ports, announced on READY lines.
dotnet "$sim_dll" serve --inverter 127.0.0.1:0 --battery 127.0.0.1:0 --no-table \
  --latitude 40 --longitude -75 --start-time 2026-06-21T08:00-04:00 --clock-speed 60 >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 300); do
  grep -q '^READY all' "$work/sim.log" 2>/dev/null && break
  kill -0 "$sim_pid" 2>/dev/null || { echo "hardware-sim failed to start:"; cat "$work/sim.log"; exit 1; }
  sleep 0.1
done
grep -q '^READY all' "$work/sim.log" || { echo "hardware-sim did not become ready:"; cat "$work/sim.log"; exit 1; }
grep '^READY' "$work/sim.log"

endpoint() { grep "^READY $1 " "$work/sim.log" | head -1 | sed -E 's/.*endpoint=([0-9.]+):([0-9]+).*/\1 \2/'; }
read -r inv_host inv_port <<<"$(endpoint inverter)"
read -r bat_host bat_port <<<"$(endpoint battery)"

export NEXWATT_CONFIG=/dev/null/none  # ignore any /etc/nexwatt/agent.json of this machine
export NEXWATT_Agent__SiteId=demo-site
export NEXWATT_Agent__DefaultPollInterval=00:00:02
export NEXWATT_Agent__Buffer__Path=$work/buffer.db  # a throwaway buffer for the demo
export NEXWATT_Agent__Devices__0__Id=inverter NEXWATT_Agent__Devices__0__Host=$inv_host NEXWATT_Agent__Devices__0__Port=$inv_port
export NEXWATT_Agent__Devices__1__Id=battery NEXWATT_Agent__Devices__1__Host=$bat_host NEXWATT_Agent__Devices__1__Port=$bat_port
echo "Edge agent polling the simulated site every 2 s (Ctrl-C to stop):"
if [ -n "${DEMO_SECONDS:-}" ]; then
  timeout --signal=INT "$DEMO_SECONDS" dotnet "$agent_dll" run || [ $? -eq 124 ]
else
  dotnet "$agent_dll" run
fi
