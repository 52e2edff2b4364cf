#!/usr/bin/env bash
# Memory soak: the agent at steady load (8 simulated devices polled every second, every reading buffered and
# published over MQTT to a local Mosquitto) for SOAK_MINUTES (default 60). Prints the agent's resident memory
# every SAMPLE_SECONDS and a verdict: memory at the end must be no higher than the highest sample of the first
# minutes (2-5) plus 10 % slack for allocator noise. Besides the total (VmRSS) it prints the kernel's split: anonymous
# memory (GC heap, native allocations), file-backed pages (mapped assemblies) and shared memory (the runtime maps JIT
# code twice, writable and executable, through shared memory), so a rise can be told apart.
# SOAK_AGENT_ENV="NAME=value ..." sets variables for the agent process only (e.g. DOTNET_TieredCompilation=0).
# The build goes to its own folder (SOAK_ARTIFACTS, default a temporary one), so other builds cannot swap the
# binaries under a running soak.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${SOAK_MINUTES:-60}
sample=${SAMPLE_SECONDS:-30}
work=$(mktemp -d)
artifacts=${SOAK_ARTIFACTS:-$work/build}
for project in hardware-sim/Nexwatt.HardwareSim edge-agent/Nexwatt.EdgeAgent; do
  dotnet build $project -c Release --artifacts-path "$artifacts" -nologo -v quiet -clp:ErrorsOnly >/dev/null
done
sim=$artifacts/bin/Nexwatt.HardwareSim/release/hardware-sim.dll
agent=$artifacts/bin/Nexwatt.EdgeAgent/release/nexwatt-agent.dll
read -r -a agent_env <<<"${SOAK_AGENT_ENV:-}"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\nuser root\n' "$port" >"$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 & pids+=($!)
dotnet "$sim" serve --host 127.0.0.1 --port 0 --no-table --clock-speed 10 \
  --inverter 0 --inverter 0 --inverter 0 --inverter 0 --battery 0 --battery 0 --battery 0 --battery 0 >"$work/sim.log" 2>&1 & pids+=($!)
for _ in $(seq 1 300); do grep -q '^READY all' "$work/sim.log" && break; sleep 0.1; done
grep -q '^READY all' "$work/sim.log" || { cat "$work/sim.log"; exit 1; }

export NEXWATT_CONFIG=/dev/null/none NEXWATT_Agent__SiteId=soak NEXWATT_Agent__DefaultPollInterval=00:00:01
export NEXWATT_Agent__Buffer__Path=$work/buffer.db
export NEXWATT_Agent__Uplink__Mqtt__Enabled=true NEXWATT_Agent__Uplink__Mqtt__Host=127.0.0.1 NEXWATT_Agent__Uplink__Mqtt__Port=$port NEXWATT_Agent__Uplink__Mqtt__Tls__Enabled=false
export Logging__LogLevel__Default=Warning
i=0
while read -r line; do
  host_port=$(sed -E 's/.*endpoint=([0-9.]+:[0-9]+).*/\1/' <<<"$line")
  export "NEXWATT_Agent__Devices__${i}__Id=dev$i" "NEXWATT_Agent__Devices__${i}__Host=${host_port%:*}" "NEXWATT_Agent__Devices__${i}__Port=${host_port#*:}"
  i=$((i + 1))
done < <(grep -E '^READY (inverter|battery) ' "$work/sim.log")
# The agent's own health line (managed heap, GC counts) once per sample, beside the kernel's figures.
env "NEXWATT_Agent__HealthLogInterval=$(date -u -d @"$sample" +%H:%M:%S)" \
  "Logging__LogLevel__Nexwatt.EdgeAgent.Hosting.RuntimeHealthLog=Information" "${agent_env[@]}" dotnet "$agent" run >"$work/agent.log" 2>&1 & agent_pid=$!; pids+=($agent_pid)

echo "soak: $i devices, 1 s polls, MQTT to 127.0.0.1:$port, $minutes min, a sample every $sample s${SOAK_AGENT_ENV:+, agent env: $SOAK_AGENT_ENV}" >&2
printf '%8s %10s %9s %9s %9s %9s %7s %14s\n' minute rss_mb anon_mb file_mb shmem_mb heap_mb gen2 buffered_bytes
samples=()
end=$((SECONDS + minutes * 60))
while [ $SECONDS -lt $end ]; do
  sleep "$sample"
  kill -0 $agent_pid 2>/dev/null || { echo "agent died:"; tail -20 "$work/agent.log"; exit 1; }
  read -r rss anon file shmem < <(awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} /^RssFile/ {f=$2} /^RssShmem/ {s=$2}
    END {print r, a, f, s}' /proc/$agent_pid/status)
  size=$(stat -c %s "$work/buffer.db" 2>/dev/null || echo 0)
  minute=$(awk -v s=$SECONDS 'BEGIN { printf "%.1f", s / 60 }')
  # "... {HeapMb} MB after the last GC ... gen2 {Gen2}" from the newest health line.
  heap=- gen2=-
  read -r heap gen2 < <(grep 'Agent health' "$work/agent.log" | tail -1 |
    sed -E 's/.* ([0-9.]+) MB after the last GC.* gen2 ([0-9]+).*/\1 \2/') || true # none yet: "-"
  printf '%8s %10.1f %9.1f %9.1f %9.1f %9s %7s %14s\n' "$minute" "$(awk -v k=$rss 'BEGIN { print k / 1024 }')" \
    "$(awk -v k=$anon 'BEGIN { print k / 1024 }')" "$(awk -v k=$file 'BEGIN { print k / 1024 }')" \
    "$(awk -v k=$shmem 'BEGIN { print k / 1024 }')" "${heap:--}" "${gen2:--}" "$size"
  samples+=("$minute:$rss")
done
python3 - "${samples[@]}" <<'PY'
import sys
pairs = [(float(m), int(k)) for m, k in (a.split(":") for a in sys.argv[1:])]
early = [k for m, k in pairs if 2 <= m <= 5] or [k for _, k in pairs[:4]]
final = pairs[-1][1]
limit = max(early) * 1.10
print(f"early max {max(early)/1024:.1f} MB, final {final/1024:.1f} MB, limit {limit/1024:.1f} MB: {'PASS' if final <= limit else 'FAIL'}")
sys.exit(0 if final <= limit else 3)
PY
