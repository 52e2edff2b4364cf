"""A pymodbus 3.0 Modbus TCP server: an independent peer for our client.

Binds 127.0.0.1 on port 0 and prints "READY <port>". Units 1 and 2; holding register i holds i * 7 (mod 65536),
input register i holds 40000 + i, discrete input i is i % 3 == 0; 1000 items per table, addressed from 0.
"""
import asyncio
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer


def unit():
    return ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [i % 3 == 0 for i in range(1000)]),
        co=ModbusSequentialDataBlock(0, [False] * 1000),
        hr=ModbusSequentialDataBlock(0, [(i * 7) % 65536 for i in range(1000)]),
        ir=ModbusSequentialDataBlock(0, [40000 + i for i in range(1000)]),
        zero_mode=True,
    )


async def main():
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    context = ModbusServerContext(slaves={1: unit(), 2: unit()}, single=False)
    server = await StartAsyncTcpServer(context, address=("127.0.0.1", 0), defer_start=True)
    serving = asyncio.create_task(server.serve_forever())
    await server.serving
    port = server.server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    await serving


if __name__ == "__main__":
    asyncio.run(main())
