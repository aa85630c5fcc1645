//! Photos that travel with their events: the platform's 照片 fields (17C51 subject start, 17C54
//! process photo, 17C56 subject end) carry a base64 JPEG, while the site's log carries only the
//! photo's SHA-256 and size (a photo never enters the log).
//!
//! An event names a photo with a top-level `photo` object holding `sha256` (hex) and `bytes`
//! ([`photo_ref`]). The shipper reads the JPEG from a [`PhotoSource`] by that SHA-256 when it
//! builds the batch and attaches it as a [`WirePhoto`]; a photo it cannot read is reported and
//! the event ships without it (never held back). Central checks each attached photo's SHA-256
//! against the event that names it ([`check_photos`]) before anything is stored, and hands the
//! checked ones to a [`PhotoSink`].
//!
//! The batch signature does not cover the photos: each is bound by the SHA-256 inside its signed,
//! chained event, which is a stronger tie than the batch signature.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::protocol::{Batch, Refusal};

/// The largest photo accepted at central, in bytes.
pub const MAX_PHOTO_BYTES: usize = 4 << 20;

/// A photo as shipped beside its event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePhoto {
    /// The seq of the event that names it.
    pub seq: u64,
    /// SHA-256 of the JPEG, lowercase hex.
    pub sha256: String,
    /// The JPEG, base64 (standard alphabet, padded).
    pub jpeg_base64: String,
}

impl WirePhoto {
    /// A photo for the event at `seq`.
    pub fn new(seq: u64, sha256: &str, jpeg: &[u8]) -> WirePhoto {
        WirePhoto {
            seq,
            sha256: sha256.to_owned(),
            jpeg_base64: base64::engine::general_purpose::STANDARD.encode(jpeg),
        }
    }
}

/// The photo an event's payload names, if any: `{"photo":{"sha256":"<64 hex>","bytes":n,…}}`.
pub fn photo_ref(payload: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(payload).ok()?;
    let sha = json.get("photo")?.get("sha256")?.as_str()?;
    (sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| sha.to_ascii_lowercase())
}

/// Why a photo could not be read or kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// No photo with this SHA-256 is held.
    #[error("photo {sha256} is not in the photo store")]
    Missing {
        /// The SHA-256 named.
        sha256: String,
    },
    /// The held file's bytes do not hash to its name.
    #[error("photo {sha256} is corrupt (its bytes hash to {actual})")]
    Corrupt {
        /// The SHA-256 named.
        sha256: String,
        /// What the bytes hash to.
        actual: String,
    },
    /// Reading or writing failed.
    #[error("photo {sha256}: {detail}")]
    Io {
        /// The SHA-256 named.
        sha256: String,
        /// The IO error.
        detail: String,
    },
}

/// Where the shipper reads photos from (the site's photo store).
pub trait PhotoSource: Send + Sync {
    /// The JPEG whose SHA-256 is `sha256` (hex), checked against it.
    fn read(&self, sha256: &str) -> Result<Vec<u8>, PhotoError>;
}

/// Where central keeps the photos it checked.
pub trait PhotoSink: Send + Sync {
    /// Keeps a JPEG whose SHA-256 (hex) was checked to be `sha256`.
    fn keep(&self, sha256: &str, jpeg: &[u8]) -> Result<(), PhotoError>;
}

/// Checks a batch's photos against its records: each must be named (by SHA-256) by the record
/// at its `seq`, decode from base64, stay within [`MAX_PHOTO_BYTES`], and hash to the SHA-256
/// named. Returns the checked photos as `(sha256, jpeg)`; the first bad one refuses the batch,
/// naming the seq and what was wrong.
pub fn check_photos(batch: &Batch) -> Result<Vec<(String, Vec<u8>)>, Refusal> {
    let bad = |seq: u64, what: String| Refusal::Malformed {
        detail: format!("photo for seq {seq}: {what}"),
    };
    let mut out = Vec::with_capacity(batch.photos.len());
    for p in &batch.photos {
        let index = p
            .seq
            .checked_sub(batch.from_seq)
            .filter(|&i| i < batch.records.len() as u64)
            .ok_or_else(|| bad(p.seq, "no record with this seq in the batch".into()))?;
        let record = &batch.records[index as usize].bytes;
        let event =
            audit::decode(record).map_err(|e| bad(p.seq, format!("event does not decode: {e}")))?;
        let named = photo_ref(&event.payload)
            .ok_or_else(|| bad(p.seq, "the event names no photo".into()))?;
        if named != p.sha256.to_ascii_lowercase() {
            return Err(bad(
                p.seq,
                format!("the event names photo {named}, not {}", p.sha256),
            ));
        }
        if p.jpeg_base64.len() > MAX_PHOTO_BYTES / 3 * 4 + 4 {
            return Err(bad(p.seq, format!("over {MAX_PHOTO_BYTES} bytes")));
        }
        let jpeg = base64::engine::general_purpose::STANDARD
            .decode(&p.jpeg_base64)
            .map_err(|e| bad(p.seq, format!("not base64: {e}")))?;
        let actual = audit::sha256(&[&jpeg]).to_hex();
        if actual != named {
            return Err(bad(
                p.seq,
                format!("the JPEG hashes to {actual}, the event names {named}"),
            ));
        }
        out.push((named, jpeg));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use audit::{Event, Signer};
    use model::{EventKind, Seq, SiteId, UnixMs};

    use super::*;
    use crate::protocol::Record;

    fn batch_naming(sha: &str, photos: Vec<WirePhoto>) -> Batch {
        let bytes = audit::encode(&Event {
            seq: Seq(3),
            time: UnixMs(1),
            kind: EventKind::DrivingResult,
            subjects: vec![],
            payload: format!(r#"{{"score":90,"photo":{{"sha256":"{sha}","bytes":4}}}}"#)
                .into_bytes(),
        })
        .unwrap();
        let (signer, _) = Signer::generate().unwrap();
        let site: SiteId = "photo-site".parse().unwrap();
        let record = Record {
            bytes,
            hash: vec![0; 32],
        };
        Batch::sign(&signer, &site, Seq(3), vec![record], vec![]).with_photos(photos)
    }

    #[test]
    fn a_photo_must_hash_to_what_its_event_names() {
        let jpeg = b"\xFF\xD8ok\xFF\xD9".to_vec();
        let sha = audit::sha256(&[&jpeg]).to_hex();
        let good = batch_naming(&sha, vec![WirePhoto::new(3, &sha, &jpeg)]);
        assert_eq!(
            check_photos(&good).unwrap(),
            vec![(sha.clone(), jpeg.clone())]
        );

        let swapped = batch_naming(&sha, vec![WirePhoto::new(3, &sha, b"other")]);
        let e = check_photos(&swapped).unwrap_err().to_string();
        assert!(e.contains("seq 3") && e.contains("hashes to"), "{e}");

        let elsewhere = batch_naming(&sha, vec![WirePhoto::new(9, &sha, &jpeg)]);
        assert!(
            check_photos(&elsewhere)
                .unwrap_err()
                .to_string()
                .contains("no record")
        );

        let other = "ab".repeat(32);
        let unnamed = batch_naming(&other, vec![WirePhoto::new(3, &sha, &jpeg)]);
        assert!(
            check_photos(&unnamed)
                .unwrap_err()
                .to_string()
                .contains("names photo")
        );
    }

    #[test]
    fn photos_do_not_change_the_signed_digest_and_survive_json() {
        let jpeg = b"\xFF\xD8x\xFF\xD9".to_vec();
        let sha = audit::sha256(&[&jpeg]).to_hex();
        let with = batch_naming(&sha, vec![WirePhoto::new(3, &sha, &jpeg)]);
        let without = Batch {
            photos: vec![],
            ..with.clone()
        };
        assert_eq!(with.digest(), without.digest());
        let json = serde_json::to_string(&with).unwrap();
        assert!(json.contains("jpeg_base64"));
        assert_eq!(serde_json::from_str::<Batch>(&json).unwrap(), with);
        // A batch without photos is byte for byte what it was before photos existed.
        assert!(!serde_json::to_string(&without).unwrap().contains("photos"));
    }

    #[test]
    fn photo_refs_are_top_level_sha256_fields() {
        let sha = "0f".repeat(32);
        assert_eq!(
            photo_ref(format!(r#"{{"photo":{{"sha256":"{sha}"}}}}"#).as_bytes()),
            Some(sha)
        );
        assert_eq!(
            photo_ref(br#"{"photo":{"unavailable":"photo unavailable: timeout"}}"#),
            None
        );
        assert_eq!(photo_ref(br#"{"photo":{"sha256":"xyz"}}"#), None);
        assert_eq!(photo_ref(b"not json"), None);
    }
}
