//! Client against simulator: in memory, over a pty, and with third-party Python clients.

mod common;
mod faults;
mod flows;
mod peers;
mod pty;
