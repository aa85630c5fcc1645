//! Event, checkpoint and frontier decoders: no panic, canonical round trip.
#![no_main]

#[allow(dead_code)] // each target uses one of the shared checks
#[path = "../../crates/audit/tests/fuzz_checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::decode_target(data));
