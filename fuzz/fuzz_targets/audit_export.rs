//! Export reader and verifier: no panic, bounded allocation.
#![no_main]

#[allow(dead_code)] // each target uses one of the shared checks
#[path = "../../crates/audit/tests/fuzz_checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::export_target(data));
