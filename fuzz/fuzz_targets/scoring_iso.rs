//! scoring: see `scoring/tests/fuzz_checks.rs` (`iso_target`).
#![no_main]

#[allow(dead_code)] // each target uses one of the shared checks
#[path = "../../scoring/tests/fuzz_checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::iso_target(data));
