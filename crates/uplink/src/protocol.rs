//! Wire protocol v1: what a site sends, what central answers. Pure: no IO, no clock.
//!
//! The body is JSON with byte strings in lowercase hex. JSON because both ends already speak
//! it through axum and reqwest, a refusal is readable in a log or with `curl`, and the payloads
//! are small canonical events: doubling their size in hex costs little next to the database
//! commit. The signature does not depend on the JSON: it is made over [`Batch::digest`], a
//! canonical SHA-256 of the batch's fields.

use audit::{Hash, PublicKey, SignedCheckpoint, Signer, sha256};
use model::{Seq, SiteId};
use serde::{Deserialize, Serialize};

/// The protocol version this crate speaks.
pub const VERSION: u32 = 1;
/// Domain separation for the batch digest.
const DIGEST_TAG: &[u8] = b"examd-uplink-batch-v1\0";

/// Bytes carried as lowercase hex in JSON.
pub(crate) mod hexbytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = <&str>::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}

/// One event as shipped: canonical bytes and the chain hash after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Canonical event bytes (`audit::encode`).
    #[serde(with = "hexbytes")]
    pub bytes: Vec<u8>,
    /// Chain hash after this event, hex.
    #[serde(with = "hexbytes")]
    pub hash: Vec<u8>,
}

/// A signed checkpoint as shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireCheckpoint {
    /// Canonical checkpoint body.
    #[serde(with = "hexbytes")]
    pub body: Vec<u8>,
    /// Ed25519 signature over the body.
    #[serde(with = "hexbytes")]
    pub signature: Vec<u8>,
}

impl WireCheckpoint {
    /// The audit crate's form.
    pub fn to_signed(&self) -> SignedCheckpoint {
        SignedCheckpoint {
            body: self.body.clone(),
            signature: self.signature.clone(),
        }
    }
}

/// A run of consecutive events of one site, from `from_seq` on, with the checkpoints whose
/// tree size falls inside the run, signed by the site key.
///
/// A batch with no records is a handshake: central answers with its [`Ack`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// Protocol version ([`VERSION`]).
    pub version: u32,
    /// The sending site.
    pub site: String,
    /// Seq of the first record.
    pub from_seq: u64,
    /// Consecutive records from `from_seq`.
    pub records: Vec<Record>,
    /// Signed checkpoints with tree sizes in `from_seq ..= from_seq + records.len() - 1`.
    pub checkpoints: Vec<WireCheckpoint>,
    /// Ed25519 signature over [`Batch::digest`], by the site key.
    #[serde(with = "hexbytes")]
    pub signature: Vec<u8>,
    /// The photos the records name (`crate::photo`), outside the signed digest: each is bound
    /// by the SHA-256 in its signed event instead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<crate::photo::WirePhoto>,
}

fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

impl Batch {
    /// Builds and signs a batch.
    pub fn sign(
        signer: &Signer,
        site: &SiteId,
        from_seq: Seq,
        records: Vec<Record>,
        checkpoints: Vec<WireCheckpoint>,
    ) -> Batch {
        let mut batch = Batch {
            version: VERSION,
            site: site.to_string(),
            from_seq: from_seq.0,
            records,
            checkpoints,
            signature: Vec::new(),
            photos: Vec::new(),
        };
        batch.signature = signer.sign_bytes(&batch.digest().0);
        batch
    }

    /// The batch with these photos attached (the signature stays valid: photos are not in the
    /// digest).
    pub fn with_photos(mut self, photos: Vec<crate::photo::WirePhoto>) -> Batch {
        self.photos = photos;
        self
    }

    /// The canonical digest the signature covers: SHA-256 over a tag, the version, the site,
    /// `from_seq`, and every record and checkpoint, each length-prefixed.
    pub fn digest(&self) -> Hash {
        let mut m = Vec::with_capacity(64 + self.records.len() * 160);
        m.extend_from_slice(DIGEST_TAG);
        m.extend_from_slice(&self.version.to_be_bytes());
        put(&mut m, self.site.as_bytes());
        m.extend_from_slice(&self.from_seq.to_be_bytes());
        m.extend_from_slice(&(self.records.len() as u64).to_be_bytes());
        for r in &self.records {
            put(&mut m, &r.bytes);
            put(&mut m, &r.hash);
        }
        m.extend_from_slice(&(self.checkpoints.len() as u64).to_be_bytes());
        for c in &self.checkpoints {
            put(&mut m, &c.body);
            put(&mut m, &c.signature);
        }
        sha256(&[&m])
    }

    /// The key among `keys` that made the signature, if any.
    pub fn signed_by(&self, keys: &[PublicKey]) -> Option<PublicKey> {
        let digest = self.digest();
        keys.iter()
            .copied()
            .find(|k| k.verify_bytes(&digest.0, &self.signature))
    }

    /// Seq of the last record (`from_seq - 1` for a handshake).
    pub fn last_seq(&self) -> u64 {
        (self.from_seq + self.records.len() as u64).saturating_sub(1)
    }
}

/// Central's answer to an accepted (or replayed) batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// The site.
    pub site: String,
    /// Every event up to this seq is held at central, exactly once.
    pub highest_contiguous_seq: u64,
    /// Chain hash at that seq, hex (the genesis hash for 0).
    pub head: String,
    /// The largest tree size of the site's checkpoints central holds (on a handshake only:
    /// a batch with no records), so the site can send checkpoints it signed after their
    /// events were already shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<u64>,
}

/// Why central refused a batch. Sent as the JSON body of a 4xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    /// The site is not registered at central.
    #[error("unknown site {site}")]
    UnknownSite {
        /// The site named.
        site: String,
    },
    /// No registered key of the site made the batch signature.
    #[error("bad batch signature")]
    BadSignature,
    /// The batch is malformed (version, hex, hash length, seq overflow).
    #[error("malformed batch: {detail}")]
    Malformed {
        /// What is wrong.
        detail: String,
    },
    /// The batch starts after central's head: events are missing in between. Resend from
    /// `expected`.
    #[error("gap: central expects seq {expected}")]
    Gap {
        /// The next seq central needs.
        expected: u64,
    },
    /// The batch does not continue the chain central holds, or fails verification, at `seq`.
    #[error("chain break at seq {seq}: {detail}")]
    ChainBreak {
        /// The first bad seq.
        seq: u64,
        /// What the verifier found.
        detail: String,
    },
    /// The batch carries a record that differs from the one central holds at `seq`: the site's
    /// log forked. Alarmed at central; the site is refused until an operator acts.
    #[error("fork at seq {seq}")]
    Fork {
        /// The seq held with other bytes.
        seq: u64,
    },
    /// Central could not store the batch now; try again later.
    #[error("central unavailable: {detail}")]
    Unavailable {
        /// What failed.
        detail: String,
    },
}

impl Refusal {
    /// Whether the sender should retry the same batch later (vs. an operator must act).
    pub fn retryable(&self) -> bool {
        matches!(self, Refusal::Unavailable { .. } | Refusal::Gap { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(signer: &Signer) -> Batch {
        let site: SiteId = "proto-site".parse().unwrap();
        Batch::sign(
            signer,
            &site,
            Seq(5),
            vec![Record {
                bytes: vec![1, 2, 3],
                hash: vec![7; 32],
            }],
            vec![WireCheckpoint {
                body: vec![9],
                signature: vec![8; 64],
            }],
        )
    }

    #[test]
    fn signature_covers_every_field_and_survives_json() {
        let (signer, _) = Signer::generate().unwrap();
        let keys = [signer.public_key()];
        let b = batch(&signer);
        let json = serde_json::to_string(&b).unwrap();
        let back: Batch = serde_json::from_str(&json).unwrap();
        assert_eq!(back, b);
        assert_eq!(back.signed_by(&keys), Some(keys[0]));
        assert_eq!(b.last_seq(), 5);

        let mut t = b.clone();
        t.from_seq = 6;
        assert_eq!(t.signed_by(&keys), None);
        let mut t = b.clone();
        t.records[0].bytes[0] ^= 1;
        assert_eq!(t.signed_by(&keys), None);
        let mut t = b.clone();
        t.checkpoints.clear();
        assert_eq!(t.signed_by(&keys), None);
        let mut t = b.clone();
        t.site = "other".into();
        assert_eq!(t.signed_by(&keys), None);
        let (other, _) = Signer::generate().unwrap();
        assert_eq!(b.signed_by(&[other.public_key()]), None);
    }

    #[test]
    fn refusals_are_tagged_json() {
        let r = Refusal::Fork { seq: 12 };
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"refusal":"fork","seq":12}"#);
        assert_eq!(serde_json::from_str::<Refusal>(&json).unwrap(), r);
        assert!(!r.retryable());
        assert!(Refusal::Unavailable { detail: "x".into() }.retryable());
    }

    #[test]
    fn bad_hex_is_rejected() {
        let json = r#"{"version":1,"site":"a","from_seq":1,"records":[{"bytes":"zz","hash":""}],"checkpoints":[],"signature":""}"#;
        assert!(serde_json::from_str::<Batch>(json).is_err());
    }
}
