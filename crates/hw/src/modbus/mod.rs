//! Shared Modbus pieces of the Modbus drivers (`door-modbus`, `vehicle-io`): serving a simulated slave over a
//! pty or TCP ([`SimPty`], [`run_simulator_on_pty`], [`serve_tcp`]).

mod sim;

pub use sim::{ModbusSim, SimPty, run_simulator_on_pty, serve_tcp};
