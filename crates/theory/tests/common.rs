//! Paths shared by the integration tests.

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The project's synthetic bank.
pub fn synthetic_dir() -> PathBuf {
    workspace_root().join("fixtures/qbank/synthetic")
}

/// The public banks kept beside the repository (`../shared/data/qbank`), if present.
pub fn public_banks_dir() -> Option<PathBuf> {
    let dir = workspace_root().join("../shared/data/qbank");
    dir.is_dir().then_some(dir)
}
