//! Integration tests over the shared fingerprint data (skipped with a message when it is absent).

mod data;
mod golden;
mod iso_vectors;
