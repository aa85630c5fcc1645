//! A self-contained export of a site's log, for auditors and third parties.
//!
//! The file holds everything `verify` needs, in the order a streaming reader wants it
//! (all integers big-endian):
//!
//! ```text
//! 8 bytes   magic "EXAMDLOG"
//! u8        export format version (1)
//! u8        site id length, site id (ASCII)
//! u8        number of public keys, then 32 bytes each (Ed25519)
//! u32       number of signed checkpoints, then each:
//!             u16 body length (≤ MAX_CHECKPOINT_BODY), body, u8 signature length, signature
//! records, each:
//!             u8 tag 1, u32 length (≤ MAX_RECORD_LEN), canonical event bytes, 32-byte stored chain hash
//! u8        tag 0 (end), u64 number of records written
//! ```
//! Nothing may follow. The record count at the end tells a cut file from a shorter log.
//!
//! The public keys in the file say which keys the site claims; an auditor should verify
//! against keys they trust (and may compare key ids), not only against these.
//!
//! This module does no file IO: the caller opens files and passes `impl Read` / `impl Write`.

use std::io::{self, Read, Write};

use model::{IdError, SiteId};

use crate::checkpoint::{MAX_CHECKPOINT_BODY, PublicKey, SignedCheckpoint};
use crate::encoding::MAX_PAYLOAD;
use crate::hash::Hash;
use crate::verify::{Failure, Report, Verifier};

/// The magic bytes that start an export file.
pub const EXPORT_MAGIC: [u8; 8] = *b"EXAMDLOG";

/// The export format version written by this build.
pub const EXPORT_VERSION: u8 = 1;

/// The longest canonical event: header, 255 subjects of 255 bytes, the largest payload.
pub const MAX_RECORD_LEN: usize = 1 + 8 + 8 + 2 + 1 + 255 * (2 + 255) + 4 + MAX_PAYLOAD;

/// The most checkpoints an export file may hold.
pub const MAX_EXPORT_CHECKPOINTS: u32 = 1 << 20;

const TAG_END: u8 = 0;
const TAG_RECORD: u8 = 1;

/// What is wrong with an export file.
#[derive(Debug, thiserror::Error)]
pub enum ExportErrorKind {
    /// Reading or writing failed.
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
    /// The file ends inside the named field.
    #[error("file ends inside `{0}`")]
    Truncated(&'static str),
    /// The file does not start with [`EXPORT_MAGIC`].
    #[error("not an examd log export (bad magic bytes)")]
    Magic,
    /// The version byte is not one this build reads.
    #[error("unsupported export format version {0}")]
    Version(u8),
    /// The site id is not valid.
    #[error("bad site id: {0}")]
    Site(IdError),
    /// The site id is not ASCII.
    #[error("site id is not ASCII")]
    SiteText,
    /// More checkpoints than [`MAX_EXPORT_CHECKPOINTS`].
    #[error("{0} checkpoints announced; at most {MAX_EXPORT_CHECKPOINTS} are allowed")]
    TooManyCheckpoints(u32),
    /// More than 255 public keys to write.
    #[error("{0} public keys; an export holds at most 255")]
    TooManyKeys(usize),
    /// A checkpoint body longer than [`MAX_CHECKPOINT_BODY`].
    #[error("checkpoint body of {0} bytes; at most {MAX_CHECKPOINT_BODY} are allowed")]
    CheckpointTooLong(u16),
    /// A record longer than [`MAX_RECORD_LEN`].
    #[error("record of {0} bytes; at most {MAX_RECORD_LEN} are allowed")]
    RecordTooLong(u32),
    /// A tag byte that is neither a record nor the end.
    #[error("unknown item tag {0}")]
    Tag(u8),
    /// The end marker's record count differs from the records read.
    #[error("the file says it holds {declared} records, {read} were read")]
    Count {
        /// The count in the end marker.
        declared: u64,
        /// The records read.
        read: u64,
    },
    /// Bytes follow the end marker.
    #[error("data after the end marker")]
    Trailing,
}

/// An export file could not be read or written; `offset` is the byte where the problem starts
/// (0 when writing).
#[derive(Debug, thiserror::Error)]
#[error("export file, byte {offset}: {kind}")]
pub struct ExportError {
    /// Byte offset in the file.
    pub offset: u64,
    /// What is wrong.
    pub kind: ExportErrorKind,
}

/// Writes an export file: header and checkpoints at once, then records, then [`ExportWriter::finish`].
#[derive(Debug)]
pub struct ExportWriter<W: Write> {
    out: W,
    records: u64,
}

fn werr(kind: io::Error) -> ExportError {
    ExportError {
        offset: 0,
        kind: ExportErrorKind::Io(kind),
    }
}

impl<W: Write> ExportWriter<W> {
    /// Writes the header, the site's public keys and all signed checkpoints.
    pub fn new(
        mut out: W,
        site: &SiteId,
        keys: &[PublicKey],
        checkpoints: &[SignedCheckpoint],
    ) -> Result<ExportWriter<W>, ExportError> {
        let too_many = |n| ExportError {
            offset: 0,
            kind: ExportErrorKind::TooManyCheckpoints(n),
        };
        if keys.len() > 255 {
            return Err(ExportError {
                offset: 0,
                kind: ExportErrorKind::Io(io::Error::other("more than 255 keys")),
            });
        }
        let n = u32::try_from(checkpoints.len()).map_err(|_| too_many(u32::MAX))?;
        if n > MAX_EXPORT_CHECKPOINTS {
            return Err(too_many(n));
        }
        let site = site.as_str().as_bytes();
        let mut head = Vec::with_capacity(8 + 1 + 1 + site.len() + 1 + 32 * keys.len() + 4);
        head.extend_from_slice(&EXPORT_MAGIC);
        head.push(EXPORT_VERSION);
        head.push(site.len() as u8);
        head.extend_from_slice(site);
        head.push(keys.len() as u8);
        for k in keys {
            head.extend_from_slice(&k.0);
        }
        head.extend_from_slice(&n.to_be_bytes());
        out.write_all(&head).map_err(werr)?;
        for c in checkpoints {
            if c.body.len() > MAX_CHECKPOINT_BODY || c.signature.len() > 255 {
                let kind =
                    ExportErrorKind::CheckpointTooLong(c.body.len().min(u16::MAX as usize) as u16);
                return Err(ExportError { offset: 0, kind });
            }
            out.write_all(&c.to_bytes()).map_err(werr)?;
        }
        Ok(ExportWriter { out, records: 0 })
    }

    /// Appends one record: canonical bytes and stored chain hash.
    pub fn record(&mut self, bytes: &[u8], hash: &Hash) -> Result<(), ExportError> {
        if bytes.len() > MAX_RECORD_LEN {
            let kind = ExportErrorKind::RecordTooLong(bytes.len().min(u32::MAX as usize) as u32);
            return Err(ExportError { offset: 0, kind });
        }
        self.out.write_all(&[TAG_RECORD]).map_err(werr)?;
        self.out
            .write_all(&(bytes.len() as u32).to_be_bytes())
            .map_err(werr)?;
        self.out.write_all(bytes).map_err(werr)?;
        self.out.write_all(&hash.0).map_err(werr)?;
        self.records += 1;
        Ok(())
    }

    /// Writes the end marker and hands back the writer (flushed).
    pub fn finish(mut self) -> Result<W, ExportError> {
        self.out.write_all(&[TAG_END]).map_err(werr)?;
        self.out
            .write_all(&self.records.to_be_bytes())
            .map_err(werr)?;
        self.out.flush().map_err(werr)?;
        Ok(self.out)
    }
}

/// Reads an export file as a stream: the header at once, then records one by one.
///
/// Every length is bounded before anything is allocated, and buffers grow only as bytes
/// actually arrive, so corrupt or hostile input is an error, never a huge allocation.
#[derive(Debug)]
pub struct ExportReader<R: Read> {
    input: R,
    offset: u64,
    site: SiteId,
    keys: Vec<PublicKey>,
    checkpoints: Vec<SignedCheckpoint>,
    records: u64,
    done: bool,
}

impl<R: Read> ExportReader<R> {
    /// Reads the header, keys and checkpoints.
    pub fn new(input: R) -> Result<ExportReader<R>, ExportError> {
        let mut r = ExportReader {
            input,
            offset: 0,
            site: "x".parse().expect("valid placeholder"),
            keys: Vec::new(),
            checkpoints: Vec::new(),
            records: 0,
            done: false,
        };
        let at = r.offset;
        if r.array::<8>("magic")? != EXPORT_MAGIC {
            return Err(ExportError {
                offset: at,
                kind: ExportErrorKind::Magic,
            });
        }
        let at = r.offset;
        let [version] = r.array::<1>("version")?;
        if version != EXPORT_VERSION {
            return Err(ExportError {
                offset: at,
                kind: ExportErrorKind::Version(version),
            });
        }
        let [len] = r.array::<1>("site length")?;
        let at = r.offset;
        let site = r.bytes(len as usize, "site")?;
        let site = std::str::from_utf8(&site).map_err(|_| ExportError {
            offset: at,
            kind: ExportErrorKind::SiteText,
        })?;
        r.site = site.parse().map_err(|e| ExportError {
            offset: at,
            kind: ExportErrorKind::Site(e),
        })?;
        let [nkeys] = r.array::<1>("key count")?;
        for _ in 0..nkeys {
            let key = PublicKey(r.array::<32>("public key")?);
            r.keys.push(key);
        }
        let at = r.offset;
        let ncp = u32::from_be_bytes(r.array("checkpoint count")?);
        if ncp > MAX_EXPORT_CHECKPOINTS {
            return Err(ExportError {
                offset: at,
                kind: ExportErrorKind::TooManyCheckpoints(ncp),
            });
        }
        for _ in 0..ncp {
            let at = r.offset;
            let blen = u16::from_be_bytes(r.array("checkpoint body length")?);
            if blen as usize > MAX_CHECKPOINT_BODY {
                return Err(ExportError {
                    offset: at,
                    kind: ExportErrorKind::CheckpointTooLong(blen),
                });
            }
            let body = r.bytes(blen as usize, "checkpoint body")?;
            let [slen] = r.array::<1>("signature length")?;
            let signature = r.bytes(slen as usize, "signature")?;
            r.checkpoints.push(SignedCheckpoint { body, signature });
        }
        Ok(r)
    }

    /// The site whose log this is.
    pub fn site(&self) -> &SiteId {
        &self.site
    }

    /// The public keys the file names.
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }

    /// The signed checkpoints (not yet verified).
    pub fn checkpoints(&self) -> &[SignedCheckpoint] {
        &self.checkpoints
    }

    fn fill(&mut self, buf: &mut [u8], field: &'static str) -> Result<(), ExportError> {
        match self.input.read_exact(buf) {
            Ok(()) => {
                self.offset += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(ExportError {
                offset: self.offset,
                kind: ExportErrorKind::Truncated(field),
            }),
            Err(e) => Err(ExportError {
                offset: self.offset,
                kind: ExportErrorKind::Io(e),
            }),
        }
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], ExportError> {
        let mut buf = [0u8; N];
        self.fill(&mut buf, field)?;
        Ok(buf)
    }

    /// Reads `n` bytes (already bounded by the caller), growing the buffer only as data arrives.
    fn bytes(&mut self, n: usize, field: &'static str) -> Result<Vec<u8>, ExportError> {
        let mut buf = Vec::new();
        let got = (&mut self.input)
            .take(n as u64)
            .read_to_end(&mut buf)
            .map_err(|e| ExportError {
                offset: self.offset,
                kind: ExportErrorKind::Io(e),
            })?;
        if got != n {
            let offset = self.offset + got as u64;
            return Err(ExportError {
                offset,
                kind: ExportErrorKind::Truncated(field),
            });
        }
        self.offset += n as u64;
        Ok(buf)
    }

    /// The next record `(canonical bytes, stored hash)`, or `None` after a well-formed end marker.
    pub fn next_record(&mut self) -> Result<Option<(Vec<u8>, Hash)>, ExportError> {
        if self.done {
            return Ok(None);
        }
        let at = self.offset;
        match self.array::<1>("item tag")? {
            [TAG_RECORD] => {}
            [TAG_END] => {
                let declared = u64::from_be_bytes(self.array("record count")?);
                if declared != self.records {
                    let kind = ExportErrorKind::Count {
                        declared,
                        read: self.records,
                    };
                    return Err(ExportError { offset: at, kind });
                }
                let mut probe = [0u8; 1];
                let trailing = loop {
                    match self.input.read(&mut probe) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            return Err(ExportError {
                                offset: self.offset,
                                kind: ExportErrorKind::Io(e),
                            });
                        }
                    }
                };
                if trailing != 0 {
                    return Err(ExportError {
                        offset: self.offset,
                        kind: ExportErrorKind::Trailing,
                    });
                }
                self.done = true;
                return Ok(None);
            }
            [tag] => {
                return Err(ExportError {
                    offset: at,
                    kind: ExportErrorKind::Tag(tag),
                });
            }
        }
        let at = self.offset;
        let len = u32::from_be_bytes(self.array("record length")?);
        if len as usize > MAX_RECORD_LEN {
            return Err(ExportError {
                offset: at,
                kind: ExportErrorKind::RecordTooLong(len),
            });
        }
        let bytes = self.bytes(len as usize, "record")?;
        let hash = Hash(self.array::<32>("record hash")?);
        self.records += 1;
        Ok(Some((bytes, hash)))
    }
}

impl<R: Read> Iterator for ExportReader<R> {
    type Item = Result<(Vec<u8>, Hash), ExportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.next_record();
        if item.is_err() {
            self.done = true;
        }
        item.transpose()
    }
}

/// Verifying an export file failed: the file is unreadable, or the log in it is bad.
#[derive(Debug, thiserror::Error)]
pub enum ExportVerifyError {
    /// The file is damaged or not an export.
    #[error(transparent)]
    Read(#[from] ExportError),
    /// The file reads fine, but the log in it does not verify.
    #[error("log does not verify: {0}")]
    Log(#[from] Failure),
}

/// Verifies the log in an export file against `keys` (pass the keys you trust; `reader.keys()`
/// are what the file claims). A log failure found before a read error is reported first.
pub fn verify_export<R: Read>(
    mut reader: ExportReader<R>,
    keys: &[PublicKey],
) -> Result<Report, ExportVerifyError> {
    let mut v = Verifier::new(reader.site(), keys, reader.checkpoints(), None)?;
    while let Some((bytes, hash)) = reader.next_record()? {
        v.push(&bytes, hash)?;
    }
    Ok(v.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Signer;
    use crate::encoding::Event;
    use crate::writer::Writer;
    use crate::{CheckpointPolicy, Problem};
    use model::{EventKind, Seq, UnixMs};

    fn export(n: u64) -> (Vec<u8>, PublicKey) {
        let site: SiteId = "exp".parse().unwrap();
        let (signer, _) = Signer::generate().unwrap();
        let mut w = Writer::new(
            &site,
            CheckpointPolicy {
                every_events: 2,
                every_ms: 0,
            },
            UnixMs(0),
        );
        let mut recs = Vec::new();
        let mut cps = Vec::new();
        for seq in 1..=n {
            let ev = Event {
                seq: Seq(seq),
                time: UnixMs(0),
                kind: EventKind::DeviceReport,
                subjects: vec![],
                payload: vec![seq as u8; 10],
            };
            let s = w.append(ev).unwrap();
            recs.push((s.bytes, s.hash));
            if w.checkpoint_due(UnixMs(0)) {
                cps.push(signer.sign(&w.checkpoint(UnixMs(0))));
            }
        }
        let key = signer.public_key();
        let mut out = ExportWriter::new(Vec::new(), &site, &[key], &cps).unwrap();
        for (b, h) in &recs {
            out.record(b, h).unwrap();
        }
        (out.finish().unwrap(), key)
    }

    #[test]
    fn round_trip_and_verify() {
        let (file, key) = export(5);
        let r = ExportReader::new(&file[..]).unwrap();
        assert_eq!(r.site().as_str(), "exp");
        assert_eq!(r.keys(), &[key]);
        assert_eq!(r.checkpoints().len(), 2);
        assert_eq!(r.count(), 5);
        let report = verify_export(ExportReader::new(&file[..]).unwrap(), &[key]).unwrap();
        assert_eq!((report.events, report.checkpoints_checked), (5, 2));
    }

    #[test]
    fn every_cut_of_the_file_is_an_error() {
        let (file, key) = export(3);
        for cut in 0..file.len() {
            let res = ExportReader::new(&file[..cut])
                .map_err(ExportVerifyError::Read)
                .and_then(|r| verify_export(r, &[key]));
            match res {
                Err(ExportVerifyError::Read(ExportError {
                    kind: ExportErrorKind::Truncated(_),
                    offset,
                })) => {
                    assert!(offset <= cut as u64, "cut {cut}: offset {offset}");
                }
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
        let mut longer = file.clone();
        longer.push(0);
        let err = verify_export(ExportReader::new(&longer[..]).unwrap(), &[key]).unwrap_err();
        assert!(
            matches!(
                err,
                ExportVerifyError::Read(ExportError {
                    kind: ExportErrorKind::Trailing,
                    ..
                })
            ),
            "{err}"
        );
    }

    #[test]
    fn hostile_lengths_are_refused_without_allocating() {
        let (file, _) = export(1);
        // Header: 8 magic + 1 version + 1 + 3 site + 1 + 32 key = 46; then the checkpoint count.
        let mut f = file.clone();
        f[46..50].copy_from_slice(&u32::MAX.to_be_bytes());
        let e = ExportReader::new(&f[..]).unwrap_err();
        assert!(
            matches!(e.kind, ExportErrorKind::TooManyCheckpoints(u32::MAX)),
            "{e}"
        );
        assert_eq!(e.offset, 46);
        // No checkpoints (one event, every 2): the first record's length follows its tag at 51.
        let mut f = file.clone();
        f[51..55].copy_from_slice(&u32::MAX.to_be_bytes());
        let e = ExportReader::new(&f[..])
            .unwrap()
            .next_record()
            .unwrap_err();
        assert!(
            matches!(e.kind, ExportErrorKind::RecordTooLong(u32::MAX)),
            "{e}"
        );
        let mut f = file;
        f[50] = 9;
        let e = ExportReader::new(&f[..])
            .unwrap()
            .next_record()
            .unwrap_err();
        assert!(matches!(e.kind, ExportErrorKind::Tag(9)), "{e}");
    }

    #[test]
    fn a_tampered_record_is_a_log_failure() {
        let (mut file, key) = export(4);
        let last_payload_byte = file.len() - 1 - 8 - 32 - 1;
        file[last_payload_byte] ^= 1;
        let err = verify_export(ExportReader::new(&file[..]).unwrap(), &[key]).unwrap_err();
        match err {
            ExportVerifyError::Log(f) => {
                assert_eq!((f.seq, f.problem), (Seq(4), Problem::PayloadChanged))
            }
            other => panic!("{other}"),
        }
        assert!(matches!(
            ExportReader::new(&b"EXAMDLOX"[..]),
            Err(ExportError {
                kind: ExportErrorKind::Magic,
                ..
            })
        ));
    }
}
