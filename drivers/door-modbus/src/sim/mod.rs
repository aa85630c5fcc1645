//! A simulated door module: a Modbus slave (tokio-modbus' server side) over a pty or TCP, with a small physical
//! model of the doors behind it. Used by the tests and by `examd demo` / `examd sim door`.
//!
//! The model ([`DoorModule`]) is pure and takes the time as an argument; [`SimHandle`] drives it on tokio's clock.

mod model;
#[cfg(test)]
mod props;
mod serve;
mod service;

pub use model::{DoorModule, Leaf, SimConfig};
pub use serve::{SimPty, run_simulator_on_pty, serve_tcp};
pub use service::{SimHandle, SimService};
