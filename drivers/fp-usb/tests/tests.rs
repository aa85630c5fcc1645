//! Integration tests: recorded captures replayed in Rust and under umockdev, synthetic sessions,
//! and the fuzz regressions.

mod fuzz_checks;
mod recordings;
mod regressions;
mod support;
mod synthetic;
mod umockdev;
