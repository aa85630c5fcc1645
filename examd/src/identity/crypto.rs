//! Templates at rest: AES-256-GCM (ring) with a key kept in a file (mode 0600) outside the database.
//!
//! A sealed template is `nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`; the nonce is random per record and
//! the additional authenticated data is the template's owner key (e.g. `candidate:<id>`), so a ciphertext
//! moved to another owner's row no longer opens.

use std::path::Path;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

/// The template key's file name in the data folder.
pub const KEY_FILE: &str = "template-key.bin";

/// The key that seals and opens templates.
pub struct TemplateKey {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for TemplateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TemplateKey(***)")
    }
}

/// A sealed template did not open (wrong key, wrong owner, or altered bytes).
#[derive(Debug, thiserror::Error)]
#[error("template does not decrypt (wrong key, wrong owner or altered)")]
pub struct OpenError;

/// The template key file could not be read, created or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file holds something other than 32 bytes.
    #[error("{path}: a template key has 32 bytes, got {len}")]
    Length {
        /// The key file.
        path: String,
        /// Its length.
        len: usize,
    },
    /// Reading or writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The key file.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
    /// Creating the file failed.
    #[error("creating {path}: {detail}")]
    Create {
        /// The key file.
        path: String,
        /// What failed.
        detail: String,
    },
    /// The system random source failed.
    #[error("no system randomness for a new template key")]
    Random,
}

impl TemplateKey {
    /// A key from 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<TemplateKey, KeyError> {
        let key = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| KeyError::Length {
            path: "(bytes)".into(),
            len: bytes.len(),
        })?;
        Ok(TemplateKey {
            key: LessSafeKey::new(key),
            rng: SystemRandom::new(),
        })
    }

    /// Loads the key file at `path`, creating it (32 random bytes, mode 0600) if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<TemplateKey, KeyError> {
        let shown = path.display().to_string();
        if path.exists() {
            let bytes = std::fs::read(path).map_err(|source| KeyError::Io {
                path: shown.clone(),
                source,
            })?;
            return TemplateKey::from_bytes(&bytes).map_err(|_| KeyError::Length {
                path: shown,
                len: bytes.len(),
            });
        }
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| KeyError::Random)?;
        crate::site::write_private(path, &bytes).map_err(|e| KeyError::Create {
            path: shown.clone(),
            detail: format!("{e:#}"),
        })?;
        tracing::info!(path = %shown, "created template encryption key");
        TemplateKey::from_bytes(&bytes)
    }

    /// Encrypts `plain` for `owner`.
    pub fn seal(&self, owner: &str, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .expect("the system random source works");
        let mut out = Vec::with_capacity(NONCE_LEN + plain.len() + 16);
        out.extend_from_slice(&nonce);
        let mut body = plain.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(owner.as_bytes()),
                &mut body,
            )
            .expect("AES-GCM sealing of a template cannot fail");
        out.extend_from_slice(&body);
        out
    }

    /// Decrypts a sealed template of `owner`.
    pub fn open(&self, owner: &str, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(OpenError);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError)?;
        let mut body = body.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(owner.as_bytes()), &mut body)
            .map_err(|_| OpenError)?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_templates_open_only_for_their_owner_and_key() {
        let key = TemplateKey::from_bytes(&[7; 32]).unwrap();
        let a = key.seal("candidate:zhang", b"template bytes");
        let b = key.seal("candidate:zhang", b"template bytes");
        assert_ne!(a, b, "a fresh nonce per record");
        assert!(
            !a.windows(8).any(|w| w == b"template"),
            "no plaintext at rest"
        );
        assert_eq!(key.open("candidate:zhang", &a).unwrap(), b"template bytes");
        assert!(key.open("candidate:li", &a).is_err(), "bound to the owner");
        let mut bad = a.clone();
        bad[20] ^= 1;
        assert!(key.open("candidate:zhang", &bad).is_err(), "altered bytes");
        let other = TemplateKey::from_bytes(&[8; 32]).unwrap();
        assert!(other.open("candidate:zhang", &a).is_err(), "another key");
    }

    #[test]
    fn the_key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        let k1 = TemplateKey::load_or_create(&path).unwrap();
        let sealed = k1.seal("x", b"abc");
        let k2 = TemplateKey::load_or_create(&path).unwrap();
        assert_eq!(k2.open("x", &sealed).unwrap(), b"abc");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join("short"), [1u8; 5]).unwrap();
        let e = TemplateKey::load_or_create(&dir.path().join("short")).unwrap_err();
        assert!(e.to_string().contains("32 bytes, got 5"), "{e}");
    }
}
