//! Integration tests: one binary (link time), one module per concern.

mod common;
mod driver_pty;
mod interlock;
mod peers;
mod sim;
