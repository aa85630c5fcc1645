//! Replays every committed `nmea_sentence` fuzz input through the fuzz check.

use crate::fuzz_checks::sentence_target;

#[path = "../../../fuzz/replay.rs"]
mod replay;

#[test]
fn sentence_inputs_replay() {
    let fuzz = replay::fuzz_dir(env!("CARGO_MANIFEST_DIR"), 2);
    replay::replay(&fuzz, "nmea_sentence", sentence_target);
}
