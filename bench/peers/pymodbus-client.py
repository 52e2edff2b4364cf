"""Reference client loop for the benchmark: one pymodbus 3.0 synchronous connection, one request at a time.

    /usr/bin/python3 pymodbus-client.py HOST PORT SECONDS ROUNDS WARMUP_SECONDS

Reads 125 holding registers from address 0 of unit 1 in a loop: first WARMUP_SECONDS unmeasured, then
ROUNDS rounds of SECONDS each, printing one line per round: "reads=N seconds=S cpu=C" (C = CPU seconds
this process used during the round). The first answer is checked against the server's pattern.

Run it with Debian's interpreter (/usr/bin/python3), which sees python3-pymodbus; pymodbus 3.0 names the
unit id keyword `slave` (it was `unit` in 2.x).
"""
import sys
import time

try:
    from pymodbus.client import ModbusTcpClient
except ImportError as error:  # pymodbus itself, or its serial_asyncio import, is missing
    sys.stderr.write(f"pymodbus not importable ({error}): apt-get install -y python3-pymodbus python3-serial-asyncio\n")
    sys.exit(3)

COUNT = 125


def read_for(client, seconds):
    deadline = time.monotonic() + seconds
    reads = 0
    while time.monotonic() < deadline:
        response = client.read_holding_registers(0, COUNT, slave=1)
        if response.isError():
            raise RuntimeError(f"read_holding_registers failed: {response}")
        reads += 1
    return reads


def main():
    if len(sys.argv) < 6:
        sys.stderr.write(f"usage: {sys.argv[0]} HOST PORT SECONDS ROUNDS WARMUP_SECONDS\n")
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    seconds, rounds, warmup = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])

    client = ModbusTcpClient(host, port=port, timeout=2)
    if not client.connect():
        sys.stderr.write(f"connect {host}:{port} failed\n")
        return 1
    first = client.read_holding_registers(0, COUNT, slave=1)
    if first.isError():
        sys.stderr.write(f"read_holding_registers failed: {first}\n")
        return 1
    expected = [(i * 7 + 3) & 0xFFFF for i in range(COUNT)]
    if list(first.registers) != expected:
        sys.stderr.write("registers do not match the server's pattern\n")
        return 1

    if warmup > 0:
        read_for(client, warmup)
    for _ in range(rounds):
        cpu_start = time.process_time()
        start = time.monotonic()
        reads = read_for(client, seconds)
        elapsed = time.monotonic() - start
        print(f"reads={reads} seconds={elapsed:.6f} cpu={time.process_time() - cpu_start:.6f}", flush=True)
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
