//! Replays every committed fuzz input of the scoring targets through the fuzz checks.

use crate::fuzz_checks::{gallery_target, iso_target, template_target};

#[path = "../../fuzz/replay.rs"]
mod replay;

fn run(target: &str, check: fn(&[u8])) {
    replay::replay(
        &replay::fuzz_dir(env!("CARGO_MANIFEST_DIR"), 1),
        target,
        check,
    );
}

#[test]
fn iso_inputs_replay() {
    run("scoring_iso", iso_target);
}

#[test]
fn template_inputs_replay() {
    run("scoring_template", template_target);
}

#[test]
fn gallery_inputs_replay() {
    run("scoring_gallery", gallery_target);
}
