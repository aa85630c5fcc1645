//! Shared Modbus pieces of the Modbus drivers (`door-modbus`, `vehicle-io`): the device selector
//! ([`ModbusEndpoint`], [`UnitId`]) and serving a simulated slave over a pty or TCP ([`SimPty`],
//! [`run_simulator_on_pty`], [`serve_tcp`]).

mod endpoint;
mod sim;

pub use endpoint::{EndpointError, ModbusEndpoint, UnitId, UnitIdError};

pub use sim::{ModbusSim, SimPty, run_simulator_on_pty, serve_tcp};
