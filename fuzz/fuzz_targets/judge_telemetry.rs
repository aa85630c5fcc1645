//! judge: see `crates/judge/tests/fuzz/checks.rs` (`telemetry_target`).
#![no_main]

#[allow(dead_code)] // each target uses one of the shared checks
#[path = "../../crates/judge/tests/fuzz/checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::telemetry_target(data));
