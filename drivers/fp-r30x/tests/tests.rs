//! Client against simulator: in memory, over a pty, and with third-party Python clients.

mod common;
mod faults;
mod flows;
mod fuzz_checks;
mod fuzz_regressions;
mod peers;
mod pty;
