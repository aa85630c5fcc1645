#!/usr/bin/env python3
"""A door I/O module played by pymodbus: a Modbus RTU server on a serial port (a pty in the tests).

Usage: pymodbus_door_module.py <port> <unit> <discrete-inputs as 0/1 string, input 0 first>

Serves 16 coils (all off at start) and the given discrete inputs at 9600 8N1. Prints "serving" once the
server task starts. Used by the door-modbus interop test; the Rust driver is the client.
"""

import asyncio
import sys

from pymodbus import FramerType
from pymodbus.datastore import (
    ModbusDeviceContext,
    ModbusSequentialDataBlock,
    ModbusServerContext,
)
from pymodbus.server import ModbusSerialServer


async def serve(port: str, unit: int, inputs: list[bool]) -> None:
    # pymodbus 3.16 maps wire address 0 to block address 1.
    device = ModbusDeviceContext(
        di=ModbusSequentialDataBlock(1, inputs),
        co=ModbusSequentialDataBlock(1, [False] * 16),
    )
    context = ModbusServerContext(devices={unit: device}, single=False)
    server = ModbusSerialServer(
        context,
        framer=FramerType.RTU,
        port=port,
        baudrate=9600,
        bytesize=8,
        parity="N",
        stopbits=1,
    )
    task = asyncio.create_task(server.serve_forever())
    print("serving", flush=True)
    await task


def main() -> None:
    port, unit, bits = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    asyncio.run(serve(port, unit, [c == "1" for c in bits]))


if __name__ == "__main__":
    main()
