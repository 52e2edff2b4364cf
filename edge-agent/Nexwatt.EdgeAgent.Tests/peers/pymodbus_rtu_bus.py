"""One RS-485 "bus" served by pymodbus 3.0 in RTU framing: healthy SunSpec units and faulty ones side by side.

Usage: pymodbus_rtu_bus.py IMAGE.xml (--serial PATH --baud N | --tcp)
  --serial: RTU over a serial port (a pty end); --tcp: RTU frames over a raw TCP socket on 127.0.0.1:0.
Units: 1 and 2 serve the SunSpec image (third-party pysunspec mbmap, read in place); 3 is silent (no such unit);
4 answers every read with exception 02 (its registers are elsewhere); 5 answers with garbage bytes; 6 answers
correctly but 1.5 s late. Prints "READY" (and "port=N" for --tcp) once it serves.
"""
import asyncio
import logging
import os
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pymodbus_image_server import load_image  # noqa: E402

GARBAGE_UNIT, SLOW_UNIT, SLOW_SECONDS = 5, 6, 1.5


def main_args():
    image = sys.argv[1]
    if "--tcp" in sys.argv:
        return image, None, 19200
    path = sys.argv[sys.argv.index("--serial") + 1]
    baud = int(sys.argv[sys.argv.index("--baud") + 1])
    return image, path, baud


async def main():
    logging.basicConfig(level=logging.CRITICAL, stream=sys.stderr)
    image, path, baud = main_args()
    base, values = load_image(image)

    def sunspec():
        return ModbusSlaveContext(hr=ModbusSequentialDataBlock(base, values), zero_mode=True)

    elsewhere = ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, [0] * 10), zero_mode=True)
    context = ModbusServerContext(slaves={1: sunspec(), 2: sunspec(), 4: elsewhere, GARBAGE_UNIT: sunspec(), SLOW_UNIT: sunspec()}, single=False)
    framer = ModbusRtuFramer(None)
    holder = {}

    def manipulate(response):
        if response.unit_id == GARBAGE_UNIT:
            return bytes([GARBAGE_UNIT, 0x77, 0x12, 0x34, 0x56, 0x78]), True
        if response.unit_id == SLOW_UNIT:
            late = framer.buildPacket(response)
            asyncio.get_event_loop().call_later(SLOW_SECONDS, lambda: holder["write"](late))
            return b"", True
        return response, False

    if path is None:
        server = ModbusTcpServer(context, framer=ModbusRtuFramer, address=("127.0.0.1", 0), allow_reuse_address=True,
                                 ignore_missing_slaves=True, response_manipulator=manipulate)
        holder["write"] = lambda data: [h.transport.write(data) for h in list(server.active_connections.values())]
        task = asyncio.ensure_future(server.serve_forever())
        await server.serving
        print(f"READY port={server.server.sockets[0].getsockname()[1]}", flush=True)
        await task
    else:
        server = ModbusSerialServer(context, framer=ModbusRtuFramer, port=path, baudrate=baud, parity="N", bytesize=8, stopbits=1,
                                    ignore_missing_slaves=True, response_manipulator=manipulate)
        holder["write"] = lambda data: server.transport.write(data)
        await server.start()
        print("READY", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
