//! gnss-nmea: see `drivers/gnss-nmea/tests/fuzz_checks.rs` (`sentence_target`).
#![no_main]

#[allow(dead_code)] // each target uses one of the shared checks
#[path = "../../drivers/gnss-nmea/tests/fuzz_checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::sentence_target(data));
