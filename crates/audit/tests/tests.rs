//! The audit crate's integration tests: one binary, one module per concern.

mod support;

mod fuzz_checks;
mod fuzz_regressions;
mod proofs;
mod tamper;
mod verify_cases;
