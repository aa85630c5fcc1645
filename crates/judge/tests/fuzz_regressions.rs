//! Replays every committed `judge_telemetry` fuzz input through the fuzz check.

#[path = "fuzz/checks.rs"]
mod checks;
#[path = "../../../fuzz/replay.rs"]
mod replay;

#[test]
fn telemetry_inputs_replay() {
    let fuzz = replay::fuzz_dir(env!("CARGO_MANIFEST_DIR"), 2);
    replay::replay(&fuzz, "judge_telemetry", checks::telemetry_target);
}
