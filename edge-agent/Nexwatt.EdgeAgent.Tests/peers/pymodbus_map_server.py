"""Serves a register image described in JSON over Modbus TCP with pymodbus, an implementation independent of ours.

Usage: pymodbus_map_server.py IMAGE.json [--serial PATH --baud N]
IMAGE.json: [{"unit": 1, "kind": "holding"|"input", "address": N, "type": "int16"|"uint16"|"int32"|"uint32"|
"uint64"|"float32"|"string", "value": V, "order": "high"|"low", "length": registers (strings)}...]
Values are packed here with Python's struct, never with the agent's codec. Binds 127.0.0.1 on a free port and
prints "READY port=N" once it accepts connections (with --serial: Modbus RTU on that port, 8N1, and "READY");
every register not in the image reads 0.
"""
import asyncio
import json
import struct
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer

FORMATS = {"int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I", "uint64": ">Q", "float32": ">f"}


def words_of(entry):
    kind = entry["type"]
    if kind == "string":
        raw = entry["value"].encode("ascii")[: entry["length"] * 2].ljust(entry["length"] * 2, b"\0")
    else:
        raw = struct.pack(FORMATS[kind], entry["value"])
    words = [(raw[i] << 8) | raw[i + 1] for i in range(0, len(raw), 2)]
    return list(reversed(words)) if entry.get("order") == "low" else words


async def main():
    image = json.load(open(sys.argv[1]))
    units = {}
    for entry in image:
        regs = units.setdefault(entry["unit"], {"holding": [0] * 65536, "input": [0] * 65536})[entry.get("kind", "holding")]
        for i, word in enumerate(words_of(entry)):
            regs[entry["address"] + i] = word
    slaves = {
        unit: ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, regs["holding"]), ir=ModbusSequentialDataBlock(0, regs["input"]), zero_mode=True)
        for unit, regs in units.items()
    }
    context = ModbusServerContext(slaves=slaves, single=False)
    if "--serial" in sys.argv:
        path = sys.argv[sys.argv.index("--serial") + 1]
        baud = int(sys.argv[sys.argv.index("--baud") + 1])
        server = ModbusSerialServer(context, framer=ModbusRtuFramer, port=path, baudrate=baud, parity="N", bytesize=8, stopbits=1)
        await server.start()
        print("READY", flush=True)
        await asyncio.Event().wait()
        return
    server = ModbusTcpServer(context, address=("127.0.0.1", 0), allow_reuse_address=True)
    task = asyncio.ensure_future(server.serve_forever())
    await server.serving
    print(f"READY port={server.server.sockets[0].getsockname()[1]}", flush=True)
    await task


if __name__ == "__main__":
    asyncio.run(main())
