//! Integration tests over the shared fingerprint data (skipped with a message when it is absent).

mod data;
mod fuzz_checks;
mod fuzz_regressions;
mod golden;
mod iso_vectors;
