//! How far the enrolment checks got: the sequence number of the first event not checked yet, kept in
//! `<data_dir>/watchlist/checked` (written durably after every enrolment checked and at shutdown). At start
//! the follower checks the enrolments logged from there on (while the daemon was down) before it follows the
//! log; an enrolment whose alarms are logged already is not checked again, so a restart logs no alarm twice.
//!
//! File layout: one line, `next <seq>`.

use std::path::PathBuf;

use model::Seq;

/// The position file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CursorError {
    /// Reading, writing or renaming failed.
    #[error("{path}: {detail}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        detail: String,
    },
    /// The file does not hold a position.
    #[error("{path}: not a watch-list position (expected `next <seq>`, got {got:?})")]
    Format {
        /// The file.
        path: String,
        /// What it holds (its start).
        got: String,
    },
}

/// The position file.
#[derive(Debug, Clone)]
pub struct Cursor {
    path: PathBuf,
}

impl Cursor {
    /// The file `checked` in `dir` (the folder is created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Cursor {
        Cursor {
            path: dir.into().join("checked"),
        }
    }

    /// The stored position: the first event not checked yet; `None` when nothing was stored.
    pub fn load(&self) -> Result<Option<Seq>, CursorError> {
        let shown = self.path.display().to_string();
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(CursorError::Io {
                    path: shown,
                    detail: e.to_string(),
                });
            }
        };
        match text.trim_end().strip_prefix("next ").map(str::parse::<u64>) {
            Some(Ok(n)) if n >= 1 => Ok(Some(Seq(n))),
            _ => Err(CursorError::Format {
                path: shown,
                got: text.chars().take(40).collect(),
            }),
        }
    }

    /// Stores `next` durably (temporary file, sync, rename, sync of the folder).
    pub fn store(&self, next: Seq) -> Result<(), CursorError> {
        let io = |p: &std::path::Path, e: &dyn std::fmt::Display| CursorError::Io {
            path: p.display().to_string(),
            detail: e.to_string(),
        };
        let dir = self.path.parent().expect("the file is in a folder");
        std::fs::create_dir_all(dir).map_err(|e| io(dir, &e))?;
        let tmp = self.path.with_extension("tmp");
        match std::fs::remove_file(&tmp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&tmp, &e)),
            _ => {}
        }
        crate::site::write_private(&tmp, format!("next {}\n", next.0).as_bytes())
            .map_err(|e| io(&tmp, &format!("{e:#}")))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| io(&self.path, &e))?;
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io(dir, &e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_position_is_stored_and_read_back_and_a_bad_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cursor::new(dir.path().join("watchlist"));
        assert_eq!(c.load().unwrap(), None, "nothing stored yet");
        c.store(Seq(42)).unwrap();
        assert_eq!(c.load().unwrap(), Some(Seq(42)));
        c.store(Seq(43)).unwrap();
        assert_eq!(c.load().unwrap(), Some(Seq(43)));
        let file = dir.path().join("watchlist").join("checked");
        std::fs::write(&file, "next x\n").unwrap();
        let e = c.load().unwrap_err().to_string();
        assert!(e.contains("checked") && e.contains("next x"), "{e}");
        std::fs::write(&file, "next 0\n").unwrap();
        assert!(c.load().is_err(), "sequence numbers start at 1");
    }
}
