//! A simulated signal collector: a Modbus slave (tokio-modbus' server side) on a pty or TCP, wired by a
//! [`SignalMap`](crate::SignalMap), whose signals are set through a [`SimHandle`] or a [`Script`].
//! Used by the tests, `examd demo` and `examd sim vehicle`.

mod script;
mod serve;
mod service;

pub use script::{Script, ScriptStep, run_script};
pub use serve::{SimPty, run_simulator_on_pty, serve_tcp};
pub use service::{SimHandle, SimService};
