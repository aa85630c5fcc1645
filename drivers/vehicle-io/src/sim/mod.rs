//! A simulated signal collector: a Modbus slave (tokio-modbus' server side) on a pty or TCP, wired by a
//! [`SignalMap`](crate::SignalMap), whose signals are set through a [`SimHandle`] or a [`Script`].
//! Used by the tests, `examd demo` and `examd sim vehicle`.

mod script;
mod service;

pub use hw::modbus::{run_simulator_on_pty, serve_tcp};
pub use script::{Script, ScriptStep, run_script};
pub use service::{SimHandle, SimService};

/// The simulator serving Modbus RTU on a new pty; clients open [`SimPty::path`](hw::modbus::SimPty::path).
pub type SimPty = hw::modbus::SimPty<SimHandle>;
