//! Integration tests of the theory crate: one binary, one module per concern.

mod common;
mod fixture_bank;
mod real_banks;
mod synth;
