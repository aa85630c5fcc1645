//! Door I/O over Modbus.
