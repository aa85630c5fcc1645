//! Signed checkpoints: a site's Ed25519 signature over the Merkle root and chain head of its log.
//!
//! A checkpoint says "the first `tree_size` events of site `site` have Merkle root `root`, and
//! the chain hash of event `tree_size` is `head`". Whoever holds one signed checkpoint and the
//! site's public key can check any event against it with an inclusion proof, and a later
//! checkpoint against it with a consistency proof.
//!
//! The signed bytes are the checkpoint's canonical encoding (version 1, big-endian):
//!
//! ```text
//! 4 bytes  magic "EXCP" (keeps these signatures apart from any other use of the key)
//! u8       format version (1)
//! u8       site id length, site id bytes (ASCII)
//! u64      tree size (number of events covered)
//! 32 bytes Merkle root (RFC 6962) of those events
//! 32 bytes chain hash of the last covered event (the genesis hash when tree size is 0)
//! i64      time the checkpoint was made, Unix milliseconds
//! ```
//! Nothing may follow.

use std::fmt;

use model::{IdError, SiteId, UnixMs};
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

use crate::hash::{Hash, sha256};

/// The magic bytes that start every checkpoint body.
pub const CHECKPOINT_MAGIC: [u8; 4] = *b"EXCP";

/// The checkpoint encoding version written by this build.
pub const CHECKPOINT_VERSION: u8 = 1;

/// A statement about a prefix of a site's log, before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The site whose log this is.
    pub site: SiteId,
    /// How many events (seq 1 ..= tree_size) it covers.
    pub tree_size: u64,
    /// The Merkle root of those events' leaf hashes.
    pub root: Hash,
    /// The chain hash of event `tree_size`.
    pub head: Hash,
    /// When it was made, by the site's clock.
    pub time: UnixMs,
}

/// Bytes are not a canonical checkpoint. The message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointDecodeError {
    /// The bytes end inside the named field.
    #[error("checkpoint truncated in field `{0}`")]
    Truncated(&'static str),
    /// The first four bytes are not [`CHECKPOINT_MAGIC`].
    #[error("not a checkpoint: bad magic bytes")]
    Magic,
    /// The version byte is not one this build reads.
    #[error("unsupported checkpoint format version {0}")]
    Version(u8),
    /// The site id is not valid.
    #[error("checkpoint field `site`: {0}")]
    Site(IdError),
    /// The site id is not ASCII.
    #[error("checkpoint field `site` is not ASCII")]
    SiteText,
    /// Bytes follow the last field.
    #[error("{0} unexpected bytes after the checkpoint")]
    Trailing(usize),
}

impl Checkpoint {
    /// The canonical bytes (the message that is signed).
    pub fn encode(&self) -> Vec<u8> {
        let site = self.site.as_str().as_bytes();
        let mut out = Vec::with_capacity(4 + 1 + 1 + site.len() + 8 + 32 + 32 + 8);
        out.extend_from_slice(&CHECKPOINT_MAGIC);
        out.push(CHECKPOINT_VERSION);
        // SiteId is at most 32 ASCII characters, so its length fits a byte.
        out.push(site.len() as u8);
        out.extend_from_slice(site);
        out.extend_from_slice(&self.tree_size.to_be_bytes());
        out.extend_from_slice(&self.root.0);
        out.extend_from_slice(&self.head.0);
        out.extend_from_slice(&self.time.0.to_be_bytes());
        out
    }

    /// Reads canonical bytes.
    pub fn decode(bytes: &[u8]) -> Result<Checkpoint, CheckpointDecodeError> {
        let mut rest = bytes;
        let mut take = |n: usize, field: &'static str| take(&mut rest, n, field);
        if take(4, "magic")? != CHECKPOINT_MAGIC {
            return Err(CheckpointDecodeError::Magic);
        }
        let version = take(1, "version")?[0];
        if version != CHECKPOINT_VERSION {
            return Err(CheckpointDecodeError::Version(version));
        }
        let len = take(1, "site length")?[0] as usize;
        let site = take(len, "site")?;
        let site = std::str::from_utf8(site).map_err(|_| CheckpointDecodeError::SiteText)?;
        let site: SiteId = site.parse().map_err(CheckpointDecodeError::Site)?;
        let tree_size = u64::from_be_bytes(take(8, "tree size")?.try_into().expect("8 bytes"));
        let root = Hash::from_slice(take(32, "root")?).expect("32 bytes");
        let head = Hash::from_slice(take(32, "head")?).expect("32 bytes");
        let time = UnixMs(i64::from_be_bytes(
            take(8, "time")?.try_into().expect("8 bytes"),
        ));
        if !rest.is_empty() {
            return Err(CheckpointDecodeError::Trailing(rest.len()));
        }
        Ok(Checkpoint {
            site,
            tree_size,
            root,
            head,
            time,
        })
    }
}

fn take<'a>(
    rest: &mut &'a [u8],
    n: usize,
    field: &'static str,
) -> Result<&'a [u8], CheckpointDecodeError> {
    let (head, tail) = rest
        .split_at_checked(n)
        .ok_or(CheckpointDecodeError::Truncated(field))?;
    *rest = tail;
    Ok(head)
}

/// A checkpoint body and its Ed25519 signature, as stored and shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// `Checkpoint::encode()` bytes: the signed message.
    pub body: Vec<u8>,
    /// The 64-byte Ed25519 signature over `body`.
    pub signature: Vec<u8>,
}

/// The longest checkpoint body [`SignedCheckpoint::from_bytes`] accepts.
pub const MAX_CHECKPOINT_BODY: usize = 256;

impl SignedCheckpoint {
    /// Decodes the body **without** checking the signature: only to find which checkpoint
    /// this claims to be. Trust nothing in it before [`PublicKey::verify`].
    pub fn unverified(&self) -> Result<Checkpoint, CheckpointDecodeError> {
        Checkpoint::decode(&self.body)
    }

    /// Serialises as `u16 body length, body, u8 signature length, signature` (big-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(3 + self.body.len() + self.signature.len());
        out.extend_from_slice(&(self.body.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.body);
        out.push(self.signature.len() as u8);
        out.extend_from_slice(&self.signature);
        out
    }

    /// Reads the bytes of [`SignedCheckpoint::to_bytes`]; the body is at most
    /// [`MAX_CHECKPOINT_BODY`] bytes and nothing may follow the signature.
    pub fn from_bytes(bytes: &[u8]) -> Result<SignedCheckpoint, CheckpointDecodeError> {
        let (len, rest) = bytes
            .split_at_checked(2)
            .ok_or(CheckpointDecodeError::Truncated("body length"))?;
        let len = u16::from_be_bytes(len.try_into().expect("2 bytes")) as usize;
        if len > MAX_CHECKPOINT_BODY {
            return Err(CheckpointDecodeError::Truncated("body"));
        }
        let (body, rest) = rest
            .split_at_checked(len)
            .ok_or(CheckpointDecodeError::Truncated("body"))?;
        let (&sig_len, rest) = rest
            .split_first()
            .ok_or(CheckpointDecodeError::Truncated("signature length"))?;
        let (signature, rest) = rest
            .split_at_checked(sig_len as usize)
            .ok_or(CheckpointDecodeError::Truncated("signature"))?;
        if !rest.is_empty() {
            return Err(CheckpointDecodeError::Trailing(rest.len()));
        }
        Ok(SignedCheckpoint {
            body: body.to_vec(),
            signature: signature.to_vec(),
        })
    }
}

/// A signing key could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The system random generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// The bytes are not an unencrypted PKCS#8 Ed25519 private key.
    #[error("not a PKCS#8 Ed25519 private key: {0}")]
    Pkcs8(String),
    /// A public key is not 32 bytes (or 64 hex digits).
    #[error("an Ed25519 public key is 32 bytes (64 hex digits)")]
    PublicKey,
}

/// The site's signing key (Ed25519).
pub struct Signer {
    pair: Ed25519KeyPair,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.public_key().key_id())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A fresh key from the system random generator, with its PKCS#8 (v2) bytes to keep.
    ///
    /// The PKCS#8 bytes are the secret: store them where only the daemon can read them.
    pub fn generate() -> Result<(Signer, Vec<u8>), KeyError> {
        let rng = SystemRandom::new();
        let doc = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| KeyError::Random)?;
        let signer = Signer::from_pkcs8(doc.as_ref())?;
        Ok((signer, doc.as_ref().to_vec()))
    }

    /// Reads an unencrypted PKCS#8 (v1 or v2) Ed25519 private key.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Signer, KeyError> {
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
            .map_err(|e| KeyError::Pkcs8(e.to_string()))?;
        Ok(Signer { pair })
    }

    /// The public half, to publish.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(
            self.pair
                .public_key()
                .as_ref()
                .try_into()
                .expect("Ed25519 public keys are 32 bytes"),
        )
    }

    /// Signs raw bytes (for other signed artefacts, e.g. upload batches).
    pub fn sign_bytes(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }

    /// Signs a checkpoint.
    pub fn sign(&self, checkpoint: &Checkpoint) -> SignedCheckpoint {
        let body = checkpoint.encode();
        let signature = self.sign_bytes(&body);
        SignedCheckpoint { body, signature }
    }
}

/// A site's Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey(pub [u8; 32]);

/// A short name for a public key: the first 8 bytes of its SHA-256, shown as 16 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 8]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// A signed checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// No given key made this signature over these bytes.
    #[error("checkpoint signature is not valid for the given key(s)")]
    Signature,
    /// The signature is good but the body is not a canonical checkpoint.
    #[error(transparent)]
    Decode(#[from] CheckpointDecodeError),
}

impl PublicKey {
    /// From exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<PublicKey, KeyError> {
        Ok(PublicKey(
            bytes.try_into().map_err(|_| KeyError::PublicKey)?,
        ))
    }

    /// Lower-case hex (64 digits).
    pub fn to_hex(&self) -> String {
        Hash(self.0).to_hex()
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Result<PublicKey, KeyError> {
        Hash::from_hex(s)
            .map(|h| PublicKey(h.0))
            .ok_or(KeyError::PublicKey)
    }

    /// The short id of this key.
    pub fn key_id(&self) -> KeyId {
        let h = sha256(&[&self.0]);
        KeyId(h.0[..8].try_into().expect("8 bytes"))
    }

    /// Checks an Ed25519 signature over raw bytes.
    pub fn verify_bytes(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.0)
            .verify(message, signature)
            .is_ok()
    }

    /// Checks the signature, then decodes the body.
    pub fn verify(&self, signed: &SignedCheckpoint) -> Result<Checkpoint, CheckpointError> {
        if !self.verify_bytes(&signed.body, &signed.signature) {
            return Err(CheckpointError::Signature);
        }
        Ok(Checkpoint::decode(&signed.body)?)
    }

    /// Checks the signature against each key in turn; returns the checkpoint and the key that signed it.
    pub fn verify_any(
        keys: &[PublicKey],
        signed: &SignedCheckpoint,
    ) -> Result<(Checkpoint, KeyId), CheckpointError> {
        let key = keys
            .iter()
            .find(|k| k.verify_bytes(&signed.body, &signed.signature))
            .ok_or(CheckpointError::Signature)?;
        Ok((Checkpoint::decode(&signed.body)?, key.key_id()))
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

/// When to make the next checkpoint: after `every_events` new events or `every_ms`
/// milliseconds since the last one, whichever comes first. A zero disables that trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointPolicy {
    /// Events between checkpoints (0: no count trigger).
    pub every_events: u64,
    /// Milliseconds between checkpoints (0 or less: no time trigger).
    pub every_ms: i64,
}

impl Default for CheckpointPolicy {
    /// Every 1000 events or every minute.
    fn default() -> Self {
        CheckpointPolicy {
            every_events: 1000,
            every_ms: 60_000,
        }
    }
}

impl CheckpointPolicy {
    /// Whether a checkpoint is due. Never when no event came since the last one: a checkpoint
    /// over the same tree says nothing new.
    pub fn due(&self, events_since_last: u64, ms_since_last: i64) -> bool {
        events_since_last > 0
            && ((self.every_events > 0 && events_since_last >= self.every_events)
                || (self.every_ms > 0 && ms_since_last >= self.every_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        Checkpoint {
            site: "ta-01".parse().unwrap(),
            tree_size: 258,
            root: Hash([0xaa; 32]),
            head: Hash([0xbb; 32]),
            time: UnixMs(1_700_000_000_000),
        }
    }

    #[test]
    #[rustfmt::skip]
    fn golden_bytes() {
        let mut want = vec![
            b'E', b'X', b'C', b'P',                         // magic
            0x01,                                           // version
            0x05, b't', b'a', b'-', b'0', b'1',             // site "ta-01"
            0, 0, 0, 0, 0, 0, 0x01, 0x02,                   // tree size 258
        ];
        want.extend_from_slice(&[0xaa; 32]);                // root
        want.extend_from_slice(&[0xbb; 32]);                // head
        want.extend_from_slice(&[0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00]); // time
        assert_eq!(sample().encode(), want);
        assert_eq!(Checkpoint::decode(&want).unwrap(), sample());
    }

    #[test]
    fn decode_errors_name_the_field() {
        let bytes = sample().encode();
        let fields: Vec<_> = (0..bytes.len())
            .map(|cut| match Checkpoint::decode(&bytes[..cut]) {
                Err(CheckpointDecodeError::Truncated(f)) => f,
                other => panic!("cut {cut}: {other:?}"),
            })
            .collect();
        assert_eq!(fields[0], "magic");
        assert_eq!(fields[4], "version");
        assert_eq!(fields[7], "site");
        assert_eq!(fields[bytes.len() - 1], "time");
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(
            Checkpoint::decode(&long),
            Err(CheckpointDecodeError::Trailing(1))
        );
        let mut v2 = bytes.clone();
        v2[4] = 2;
        assert_eq!(
            Checkpoint::decode(&v2),
            Err(CheckpointDecodeError::Version(2))
        );
        let mut upper = bytes;
        upper[6] = b'T';
        assert!(matches!(
            Checkpoint::decode(&upper),
            Err(CheckpointDecodeError::Site(_))
        ));
    }

    #[test]
    fn sign_and_verify() {
        let (signer, pkcs8) = Signer::generate().unwrap();
        let again = Signer::from_pkcs8(&pkcs8).unwrap();
        let key = signer.public_key();
        assert_eq!(again.public_key(), key);
        assert_eq!(PublicKey::from_hex(&key.to_hex()), Ok(key));
        assert_eq!(key.key_id().to_string().len(), 16);

        let signed = signer.sign(&sample());
        assert_eq!(key.verify(&signed), Ok(sample()));
        assert_eq!(
            SignedCheckpoint::from_bytes(&signed.to_bytes()),
            Ok(signed.clone())
        );

        // Any flipped bit of body or signature is refused.
        for i in 0..signed.body.len() * 8 {
            let mut bad = signed.clone();
            bad.body[i / 8] ^= 1 << (i % 8);
            assert_eq!(
                key.verify(&bad),
                Err(CheckpointError::Signature),
                "body bit {i}"
            );
        }
        let mut bad = signed.clone();
        bad.signature[63] ^= 0x40;
        assert_eq!(key.verify(&bad), Err(CheckpointError::Signature));

        let (other, _) = Signer::generate().unwrap();
        assert_eq!(
            other.public_key().verify(&signed),
            Err(CheckpointError::Signature)
        );
        let keys = [other.public_key(), key];
        assert_eq!(
            PublicKey::verify_any(&keys, &signed),
            Ok((sample(), key.key_id()))
        );
        assert!(Signer::from_pkcs8(b"not a key").is_err());
    }

    #[test]
    fn rfc8032_test_1_verifies() {
        // RFC 8032 §7.1 TEST 1: empty message.
        let key =
            PublicKey::from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
                .unwrap();
        let sig = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
        let sig: Vec<u8> = (0..64)
            .map(|i| u8::from_str_radix(&sig[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert!(key.verify_bytes(b"", &sig));
        assert!(!key.verify_bytes(b"x", &sig));
    }

    #[test]
    fn policy() {
        let p = CheckpointPolicy {
            every_events: 100,
            every_ms: 5_000,
        };
        assert!(!p.due(0, 1_000_000));
        assert!(!p.due(99, 4_999));
        assert!(p.due(100, 0));
        assert!(p.due(1, 5_000));
        let count_only = CheckpointPolicy {
            every_events: 10,
            every_ms: 0,
        };
        assert!(!count_only.due(9, i64::MAX));
        assert!(count_only.due(10, 0));
        let never = CheckpointPolicy {
            every_events: 0,
            every_ms: 0,
        };
        assert!(!never.due(u64::MAX, i64::MAX));
    }
}
