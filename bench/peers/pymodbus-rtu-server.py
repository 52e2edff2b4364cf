"""pymodbus 3.0 RTU server for the RTU benchmark: units 1, 2 and 4 on one serial device (a pty end); unit 3 is absent.

    /usr/bin/python3 pymodbus-rtu-server.py DEVICE BAUD

Holding register i of every unit holds (i * 7 + 3) & 0xFFFF (i in 0..124). Prints "READY" once the port is open.
"""
import asyncio
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server.async_io import ModbusSerialServer


def unit():
    return ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, [(i * 7 + 3) & 0xFFFF for i in range(125)]), zero_mode=True)


async def main():
    logging.basicConfig(level=logging.CRITICAL, stream=sys.stderr)
    context = ModbusServerContext(slaves={1: unit(), 2: unit(), 4: unit()}, single=False)
    server = ModbusSerialServer(context, framer=ModbusRtuFramer, port=sys.argv[1], baudrate=int(sys.argv[2]), parity="N",
                                bytesize=8, stopbits=1, ignore_missing_slaves=True)
    await server.start()
    print("READY", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
