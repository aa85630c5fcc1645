//! A simulated R30x module: the same protocol types and codec as the client, a pure state machine
//! ([`Simulator`]), fault injection ([`Fault`]) and serving over any transport or a pty.

mod device;
mod faults;
pub mod images;
mod serve;
pub mod template;

pub use device::{Action, SimConfig, Simulator};
pub use faults::Fault;
pub use images::{FingerSource, ImageSourceError};
pub use serve::{SimHandle, SimPty, run_simulator_on_pty, serve};
