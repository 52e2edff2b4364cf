"""pymodbus 3.0 synchronous RTU client loop for the RTU benchmark, one request at a time.

    /usr/bin/python3 pymodbus-rtu-client.py DEVICE BAUD SECONDS ROUNDS WARMUP_SECONDS

Reads 10 holding registers from address 0 of unit 1; prints "reads=N seconds=S cpu=C" per round.
"""
import sys
import time

from pymodbus.client import ModbusSerialClient

COUNT = 10


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
    device, baud = sys.argv[1], int(sys.argv[2])
    seconds, rounds, warmup = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    client = ModbusSerialClient(port=device, baudrate=baud, parity="N", bytesize=8, stopbits=1, timeout=2)
    if not client.connect():
        sys.stderr.write(f"open {device} failed\n")
        return 1
    first = client.read_holding_registers(0, COUNT, slave=1)
    if first.isError() or list(first.registers) != [(i * 7 + 3) & 0xFFFF for i in range(COUNT)]:
        sys.stderr.write(f"first read wrong: {first}\n")
        return 1
    if warmup > 0:
        read_for(client, warmup)
    for _ in range(rounds):
        cpu_start = time.process_time()
        start = time.monotonic()
        reads = read_for(client, seconds)
        print(f"reads={reads} seconds={time.monotonic() - start:.6f} cpu={time.process_time() - cpu_start:.6f}", flush=True)
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
