//! A simulated door module: a Modbus slave (tokio-modbus' server side) over a pty or TCP, with a small physical
//! model of the doors behind it. Used by the tests and by `examd demo` / `examd sim door`.
//!
//! The model ([`DoorModule`]) is pure and takes the time as an argument; [`SimHandle`] drives it on tokio's clock.

mod model;
#[cfg(test)]
mod props;
mod service;

pub use hw::modbus::{run_simulator_on_pty, serve_tcp};
pub use model::{DoorModule, Leaf, SimConfig};
pub use service::{SimHandle, SimService};

/// The simulator serving Modbus RTU on a new pty; clients open [`SimPty::path`](hw::modbus::SimPty::path).
pub type SimPty = hw::modbus::SimPty<SimHandle>;
