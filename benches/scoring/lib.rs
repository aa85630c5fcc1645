//! The scoring benchmarks (`benches/benches/{matching,extraction,template_codec,gallery}.rs`); run them with
//! `cargo bench -p scoring-benches`. They depend on the scoring crates only, so their release build is short.
