"""Serves a SunSpec device image over Modbus TCP with pymodbus, an implementation independent of ours.

Usage: pymodbus_image_server.py IMAGE.xml [UNIT]
The image is a pysunspec "mbmap" register map (third-party test data, read in place). The server binds
127.0.0.1 on a free port and prints "READY port=N base=B registers=R" once it accepts connections.
"""
import asyncio
import struct
import sys
import xml.etree.ElementTree as ET

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server.async_io import ModbusTcpServer

SIZES = {"s16": (1, ">h"), "u16": (1, ">H"), "s32": (2, ">i"), "u32": (2, ">I"),
         "s64": (4, ">q"), "u64": (4, ">Q"), "f32": (2, ">f"), "f64": (4, ">d")}


def to_int(text):
    text = text.strip()
    return int(text, 16) if text.lower().startswith("0x") else int(text)


def load_image(path):
    root = ET.parse(path).getroot()
    base = int(root.get("addr", "40000"))
    regs = {}
    cursor = 0
    for elem in root.findall("regs"):
        if elem.get("offset") is not None:
            cursor = int(elem.get("offset"))
        kind = elem.get("type", "hex")
        text = elem.text or ""
        if kind == "string":
            length = int(elem.get("len"))
            raw = text.encode("ascii")[: length * 2].ljust(length * 2, b"\0")
        elif kind in SIZES:
            count, fmt = SIZES[kind]
            value = float(text) if fmt[-1] in "fd" else to_int(text)
            raw = struct.pack(fmt, value)
        else:  # hex string, as pysunspec's mbmap reads it
            raw = bytes.fromhex("".join(text.split()))
        for i in range(0, len(raw), 2):
            regs[cursor + i // 2] = (raw[i] << 8) | raw[i + 1]
        cursor += len(raw) // 2
    size = max(regs) + 1
    return base, [regs.get(i, 0) for i in range(size)]


async def main():
    image, unit = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
    base, values = load_image(image)
    # zero_mode: the request address is the register address (pymodbus otherwise adds one).
    store = ModbusSlaveContext(hr=ModbusSequentialDataBlock(base, values), zero_mode=True)
    context = ModbusServerContext(slaves={unit: store}, single=False)
    server = ModbusTcpServer(context, address=("127.0.0.1", 0), allow_reuse_address=True)
    task = asyncio.ensure_future(server.serve_forever())
    await server.serving
    port = server.server.sockets[0].getsockname()[1]
    print(f"READY port={port} base={base} registers={len(values)}", flush=True)
    await task


if __name__ == "__main__":
    asyncio.run(main())
