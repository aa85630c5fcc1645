//! Finds the shared fingerprint data beside the workspace.

use std::path::PathBuf;

/// `../shared/data/fingerprints/<rel>` from the workspace root, or `None` (with a printed message) when absent.
pub fn dir(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/fingerprints")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("SKIPPED: test data {} is absent", p.display());
        None
    }
}

/// The files of a folder with the given extension, sorted.
pub fn files(dir: &std::path::Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}
