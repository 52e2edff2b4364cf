"""Walks a SunSpec device's model chain with pymodbus, an implementation independent of ours.

Usage: pymodbus_sunspec_walk.py PORT [UNIT]
Prints "MARKER ok", "MODEL <id> <address> <length>" per model, "MN <manufacturer>" and "END <address>",
or "FAIL <reason>" with exit code 1.
"""
import sys

from pymodbus.client import ModbusTcpClient


def fail(reason):
    print(f"FAIL {reason}", flush=True)
    sys.exit(1)


def read(client, address, count, unit):
    rr = client.read_holding_registers(address, count, slave=unit)
    if rr.isError():
        fail(f"read {count} at {address}: {rr}")
    return rr.registers


def text(registers):
    raw = b"".join(r.to_bytes(2, "big") for r in registers)
    return raw.split(b"\0", 1)[0].decode("ascii")


def main():
    port, unit = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1
    client = ModbusTcpClient("127.0.0.1", port=port, timeout=5)
    if not client.connect():
        fail("connect")
    if read(client, 40000, 2, unit) != [0x5375, 0x6E53]:
        fail("no SunS marker at 40000")
    print("MARKER ok", flush=True)
    address = 40002
    for _ in range(100):
        model_id, length = read(client, address, 2, unit)
        if model_id == 0xFFFF:
            print(f"END {address}", flush=True)
            break
        print(f"MODEL {model_id} {address} {length}", flush=True)
        if model_id == 1:
            print(f"MN {text(read(client, address + 2, 16, unit))}", flush=True)
        address += 2 + length
    else:
        fail("no end marker after 100 models")
    client.close()


if __name__ == "__main__":
    main()
