"""A pymodbus 3.0 Modbus TCP client: an independent peer for our server.

Usage: pymodbus_client.py PORT. Expects unit 1 with holding registers 0..2 = 10, 20, 30 and input register 5 = 555;
writes holding register 10 = 4321, registers 20..22 = 1, 2, 3 and coil 7 ON, reads them back, prints OK or fails.
"""
import sys

from pymodbus.client import ModbusTcpClient


def check(condition, message):
    if not condition:
        print(f"FAIL {message}", flush=True)
        sys.exit(1)


def main():
    client = ModbusTcpClient("127.0.0.1", port=int(sys.argv[1]), timeout=5)
    check(client.connect(), "connect")
    rr = client.read_holding_registers(0, 3, slave=1)
    check(not rr.isError() and rr.registers == [10, 20, 30], f"read holding {rr}")
    ir = client.read_input_registers(5, 1, slave=1)
    check(not ir.isError() and ir.registers == [555], f"read input {ir}")
    wr = client.write_register(10, 4321, slave=1)
    check(not wr.isError(), f"write register {wr}")
    wm = client.write_registers(20, [1, 2, 3], slave=1)
    check(not wm.isError(), f"write registers {wm}")
    rb = client.read_holding_registers(20, 3, slave=1)
    check(not rb.isError() and rb.registers == [1, 2, 3], f"read back {rb}")
    wc = client.write_coil(7, True, slave=1)
    check(not wc.isError(), f"write coil {wc}")
    rc = client.read_coils(0, 8, slave=1)
    check(not rc.isError() and rc.bits[:8] == [False] * 7 + [True], f"read coils {rc}")
    bad = client.read_holding_registers(65535, 2, slave=1)
    check(bad.isError(), f"expected an exception response, got {bad}")
    client.close()
    print("OK", flush=True)


if __name__ == "__main__":
    main()
