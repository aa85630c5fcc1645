//! fp-usb: see `drivers/fp-usb/tests/fuzz_checks.rs` (`frames_target`).
#![no_main]

#[allow(dead_code)] // each target uses one of the shared checks
#[path = "../../drivers/fp-usb/tests/fuzz_checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::frames_target(data));
