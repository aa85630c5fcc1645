//! Replays the committed fuzz inputs of one target through its check, for the owning crate's
//! `cargo test`: `fuzz/seeds/<target>/` (valid inputs the fuzzer starts from) and
//! `fuzz/regressions/<target>/` (inputs that once broke the check, kept so the fix stays).
//! Included with `#[path]` by each crate's fuzz regression test.

use std::path::{Path, PathBuf};

/// The `fuzz/` folder, from a crate's manifest folder (`env!("CARGO_MANIFEST_DIR")`) and how
/// many levels below the workspace root that crate sits.
pub fn fuzz_dir(manifest_dir: &str, depth: usize) -> PathBuf {
    let mut p = PathBuf::from(manifest_dir);
    for _ in 0..depth {
        p.push("..");
    }
    p.join("fuzz")
}

/// Runs `check` on every input of `target` under `fuzz`, each inside `catch_unwind` so a failure
/// names its file; panics when there is no input at all (a moved folder must not pass silently).
pub fn replay(fuzz: &Path, target: &str, check: fn(&[u8])) -> usize {
    let mut ran = 0;
    for kind in ["seeds", "regressions"] {
        let dir = fuzz.join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.expect("fuzz input folder entry").path())
            .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
            .collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(
                outcome.is_ok(),
                "fuzz input {} fails its check",
                f.display()
            );
            ran += 1;
        }
    }
    assert!(
        ran > 0,
        "no fuzz inputs for {target} under {}",
        fuzz.display()
    );
    ran
}
