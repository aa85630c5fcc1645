//! Replays every committed `r30x_frames` fuzz input through the fuzz check.

use crate::fuzz_checks::frames_target;

#[path = "../../../fuzz/replay.rs"]
mod replay;

#[test]
fn frames_inputs_replay() {
    let fuzz = replay::fuzz_dir(env!("CARGO_MANIFEST_DIR"), 2);
    replay::replay(&fuzz, "r30x_frames", frames_target);
}
