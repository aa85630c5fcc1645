//! The watch-list's templates at rest: one file per entry in `<data_dir>/watchlist/`, holding the entry's
//! templates sealed with the identity registry's key ([`crate::identity::crypto::TemplateKey`], AES-256-GCM, the
//! owner `watchlist:WL-00001` bound in), mode 0600. The entries themselves live in the log (`watchlist.*`
//! events); a file is written and synced before its `watchlist.added` event, so every logged entry has its
//! templates (a file whose event failed is ignored and replaced by the next entry of that id).
//!
//! File layout: `EXWL1` ‖ count (u32 LE) ‖ for each template: length (u32 LE) ‖ sealed bytes.

use std::path::{Path, PathBuf};

use super::model::WatchId;
use crate::identity::crypto::TemplateKey;

const MAGIC: &[u8; 5] = b"EXWL1";
/// More templates than any person has fingers (ten) times a few impressions is refused.
pub const MAX_TEMPLATES: usize = 20;

/// The template files could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading, writing or renaming failed.
    #[error("{path}: {detail}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        detail: String,
    },
    /// The file is not a watch-list template file, or is cut short.
    #[error("{path}: not a watch-list template file ({detail})")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        detail: &'static str,
    },
    /// A template did not open with the site's key for this entry.
    #[error("{path}: template {index} does not decrypt (wrong key, wrong entry or altered)")]
    Sealed {
        /// The file.
        path: String,
        /// Which template.
        index: usize,
    },
}

/// The owner key bound into an entry's sealed templates.
pub fn owner(id: WatchId) -> String {
    format!("watchlist:{id}")
}

/// The folder of template files.
#[derive(Debug, Clone)]
pub struct TemplateFiles {
    dir: PathBuf,
}

impl TemplateFiles {
    /// The files under `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> TemplateFiles {
        TemplateFiles { dir: dir.into() }
    }

    /// An entry's file.
    pub fn path(&self, id: WatchId) -> PathBuf {
        self.dir.join(format!("{id}.sealed"))
    }

    /// Seals `records` (standard template records) for `id` and writes them durably (temporary file, sync,
    /// rename, sync of the folder).
    pub fn write(
        &self,
        key: &TemplateKey,
        id: WatchId,
        records: &[Vec<u8>],
    ) -> Result<(), FileError> {
        let io = |path: &Path, e: &dyn std::fmt::Display| FileError::Io {
            path: path.display().to_string(),
            detail: e.to_string(),
        };
        std::fs::create_dir_all(&self.dir).map_err(|e| io(&self.dir, &e))?;
        let owner = owner(id);
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&(records.len() as u32).to_le_bytes());
        for r in records {
            let sealed = key.seal(&owner, r);
            bytes.extend_from_slice(&(sealed.len() as u32).to_le_bytes());
            bytes.extend_from_slice(&sealed);
        }
        let tmp = self.dir.join(format!("{id}.tmp"));
        match std::fs::remove_file(&tmp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&tmp, &e)),
            _ => {}
        }
        crate::site::write_private(&tmp, &bytes).map_err(|e| io(&tmp, &format!("{e:#}")))?;
        let path = self.path(id);
        std::fs::rename(&tmp, &path).map_err(|e| io(&path, &e))?;
        std::fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io(&self.dir, &e))?;
        Ok(())
    }

    /// Reads and opens an entry's templates (standard records).
    pub fn read(&self, key: &TemplateKey, id: WatchId) -> Result<Vec<Vec<u8>>, FileError> {
        let path = self.path(id);
        let shown = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|e| FileError::Io {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
        let format = |detail| FileError::Format {
            path: shown.clone(),
            detail,
        };
        let rest = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| format("no EXWL1 header"))?;
        let (count, mut rest) = split_u32(rest).ok_or_else(|| format("no template count"))?;
        if count as usize > MAX_TEMPLATES {
            return Err(format("too many templates"));
        }
        let mut sealed = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let (len, r) = split_u32(rest).ok_or_else(|| format("cut short"))?;
            if r.len() < len as usize {
                return Err(format("cut short"));
            }
            let (one, r) = r.split_at(len as usize);
            sealed.push(one);
            rest = r;
        }
        if !rest.is_empty() {
            return Err(format("trailing bytes"));
        }
        let owner = owner(id);
        sealed
            .into_iter()
            .enumerate()
            .map(|(index, s)| {
                key.open(&owner, s).map_err(|_| FileError::Sealed {
                    path: shown.clone(),
                    index,
                })
            })
            .collect()
    }
}

fn split_u32(b: &[u8]) -> Option<(u32, &[u8])> {
    let (n, rest) = b.split_first_chunk::<4>()?;
    Some((u32::from_le_bytes(*n), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_sealed_per_entry_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let files = TemplateFiles::new(dir.path().join("watchlist"));
        let key = TemplateKey::from_bytes(&[3; 32]).unwrap();
        let records = vec![b"FMR\0first template".to_vec(), b"FMR\0second".to_vec()];
        files.write(&key, WatchId(1), &records).unwrap();
        assert_eq!(files.read(&key, WatchId(1)).unwrap(), records);
        let raw = std::fs::read(files.path(WatchId(1))).unwrap();
        assert!(
            !raw.windows(5).any(|w| w == b"first"),
            "no plaintext at rest"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(files.path(WatchId(1)))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Another entry's name on the file: the owner is bound in.
        std::fs::copy(files.path(WatchId(1)), files.path(WatchId(2))).unwrap();
        let e = files.read(&key, WatchId(2)).unwrap_err();
        assert!(e.to_string().contains("template 0 does not decrypt"), "{e}");
        // Rewritten (an entry whose event failed before): replaced.
        files.write(&key, WatchId(2), &records[..1]).unwrap();
        assert_eq!(files.read(&key, WatchId(2)).unwrap().len(), 1);
        let mut cut = raw.clone();
        cut.truncate(raw.len() - 3);
        std::fs::write(files.path(WatchId(3)), &cut).unwrap();
        assert!(
            files
                .read(&key, WatchId(3))
                .unwrap_err()
                .to_string()
                .contains("cut short")
        );
        std::fs::write(files.path(WatchId(4)), b"nonsense").unwrap();
        assert!(
            files
                .read(&key, WatchId(4))
                .unwrap_err()
                .to_string()
                .contains("EXWL1")
        );
        assert!(
            files
                .read(&key, WatchId(5))
                .unwrap_err()
                .to_string()
                .contains("WL-00005.sealed")
        );
    }
}
