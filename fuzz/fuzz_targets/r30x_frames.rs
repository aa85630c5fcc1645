//! fp-r30x: see `drivers/fp-r30x/tests/fuzz_checks.rs` (`frames_target`).
#![no_main]

#[allow(dead_code)] // each target uses one of the shared checks
#[path = "../../drivers/fp-r30x/tests/fuzz_checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::frames_target(data));
