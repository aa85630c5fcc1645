//! Replays every committed fuzz input (crash regressions and seeds) through the fuzz checks.

use std::path::{Path, PathBuf};

use crate::fuzz_checks::{decode_target, export_target};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// Runs `check` on every file in `fuzz/regressions/<target>/` and `fuzz/seeds/<target>/`;
/// returns how many ran.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let mut ran = 0;
    for kind in ["regressions", "seeds"] {
        let dir = fuzz_dir().join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files {
            if f.file_name()
                .is_some_and(|n| n == "README.md" || n == ".gitkeep")
            {
                continue;
            }
            let data = std::fs::read(&f).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "fuzz input {} fails", f.display());
            ran += 1;
        }
    }
    ran
}

#[test]
fn decode_inputs_replay() {
    let ran = replay("audit_decode", decode_target);
    assert!(ran > 0, "no seeds found under {}", fuzz_dir().display());
}

#[test]
fn export_inputs_replay() {
    let ran = replay("audit_export", export_target);
    assert!(ran > 0, "no seeds found under {}", fuzz_dir().display());
}
