//! The content-addressed photo store: `<data_dir>/photos/<sha256 hex>.jpg`, written atomically
//! (a temporary file in the same folder, synced, then renamed), read back verified against its
//! name. Photos never go into the event log; events name them by SHA-256 and size.

use std::io::Write;
use std::path::{Path, PathBuf};

use uplink::photo::{PhotoError, PhotoSink, PhotoSource};

/// A photo held in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// SHA-256 of the JPEG, lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The store: one folder of JPEG files named by their SHA-256.
#[derive(Debug, Clone)]
pub struct PhotoStore {
    dir: PathBuf,
}

/// Whether `s` is a SHA-256 in lowercase hex (the only names the store has).
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

impl PhotoStore {
    /// The store in `dir` (created when missing).
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<PhotoStore> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(PhotoStore { dir })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}.jpg"))
    }

    /// Keeps a JPEG; returns its name. Idempotent: a photo already held is not written again.
    pub fn put(&self, jpeg: &[u8]) -> Result<Stored, PhotoError> {
        let sha256 = sha256_hex(jpeg);
        let stored = Stored {
            sha256: sha256.clone(),
            bytes: jpeg.len() as u64,
        };
        let path = self.path(&sha256);
        if self.get(&sha256).is_ok() {
            return Ok(stored);
        }
        let io = |e: std::io::Error| PhotoError::Io {
            sha256: sha256.clone(),
            detail: e.to_string(),
        };
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io)?;
        tmp.write_all(jpeg).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        // The rename is durable once the folder is synced.
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(stored)
    }

    /// The JPEG named `sha256`, checked to hash to its name.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, PhotoError> {
        if !is_sha256(sha256) {
            return Err(PhotoError::Missing {
                sha256: sha256.to_owned(),
            });
        }
        let bytes = match std::fs::read(self.path(sha256)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(PhotoError::Missing {
                    sha256: sha256.to_owned(),
                });
            }
            Err(e) => {
                return Err(PhotoError::Io {
                    sha256: sha256.to_owned(),
                    detail: e.to_string(),
                });
            }
        };
        let actual = sha256_hex(&bytes);
        if actual != sha256 {
            return Err(PhotoError::Corrupt {
                sha256: sha256.to_owned(),
                actual,
            });
        }
        Ok(bytes)
    }
}

impl PhotoSource for PhotoStore {
    fn read(&self, sha256: &str) -> Result<Vec<u8>, PhotoError> {
        self.get(sha256)
    }
}

impl PhotoSink for PhotoStore {
    fn keep(&self, sha256: &str, jpeg: &[u8]) -> Result<(), PhotoError> {
        let stored = self.put(jpeg)?;
        if stored.sha256 != sha256 {
            return Err(PhotoError::Corrupt {
                sha256: sha256.to_owned(),
                actual: stored.sha256,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_then_get_verified_and_corruption_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = PhotoStore::open(dir.path().join("photos")).unwrap();
        let jpeg = b"\xFF\xD8 a photo \xFF\xD9".to_vec();
        let s = store.put(&jpeg).unwrap();
        assert_eq!(s.bytes, jpeg.len() as u64);
        assert!(is_sha256(&s.sha256));
        assert_eq!(store.put(&jpeg).unwrap(), s);
        assert_eq!(store.get(&s.sha256).unwrap(), jpeg);
        // No temporary files are left behind.
        assert_eq!(std::fs::read_dir(store.dir()).unwrap().count(), 1);

        std::fs::write(store.dir().join(format!("{}.jpg", s.sha256)), b"tampered").unwrap();
        assert!(matches!(
            store.get(&s.sha256),
            Err(PhotoError::Corrupt { .. })
        ));
        assert!(matches!(
            store.get(&"0".repeat(64)),
            Err(PhotoError::Missing { .. })
        ));
        assert!(matches!(
            store.get("../etc/passwd"),
            Err(PhotoError::Missing { .. })
        ));
        assert!(store.keep(&"1".repeat(64), &jpeg).is_err());
    }
}
