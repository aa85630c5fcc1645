//! The canonical binary encoding of an event (format version 1).
//!
//! All integers are big-endian. One event is exactly one byte string; hashing, signing and
//! storage all use these bytes, so an event has a single representation:
//!
//! ```text
//! u8   format version (1)
//! u64  seq
//! i64  time, Unix milliseconds
//! u16  kind code
//! u8   number of subjects (0..=255), then per subject:
//!        u8 subject kind code, u8 id length, id bytes (UTF-8)
//! u32  payload length (at most MAX_PAYLOAD), payload bytes (canonical JSON by convention)
//! ```
//! Nothing may follow the payload.

use model::{EventKind, Seq, SubjectKind, SubjectRef, UnixMs};

/// The encoding version written by this build.
pub const FORMAT_VERSION: u8 = 1;

/// The largest payload accepted, in bytes (1 MiB).
pub const MAX_PAYLOAD: usize = 1 << 20;

/// One fact in the log, before hashing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the site's log, dense from 1.
    pub seq: Seq,
    /// When it happened, as the site's clock said.
    pub time: UnixMs,
    /// What it records.
    pub kind: EventKind,
    /// What it is about.
    pub subjects: Vec<SubjectRef>,
    /// The canonical payload (JSON by convention).
    pub payload: Vec<u8>,
}

/// An event cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// More than 255 subjects.
    #[error("an event may name at most 255 subjects, this one names {0}")]
    TooManySubjects(usize),
    /// A subject id longer than 255 bytes.
    #[error("subject id is {0} bytes long; at most 255 are allowed")]
    SubjectTooLong(usize),
    /// Payload over [`MAX_PAYLOAD`].
    #[error("payload is {0} bytes long; at most {MAX_PAYLOAD} are allowed")]
    PayloadTooLong(usize),
}

/// Bytes are not a canonical event. The message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes end before the named field is complete.
    #[error("record truncated in field `{field}` at byte {offset}")]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Where it started.
        offset: usize,
    },
    /// The version byte is not one this build reads.
    #[error("unsupported record format version {0}")]
    Version(u8),
    /// A subject id is not UTF-8.
    #[error("subject id at byte {0} is not UTF-8")]
    SubjectUtf8(usize),
    /// Payload length over [`MAX_PAYLOAD`].
    #[error("payload length {0} exceeds the limit of {MAX_PAYLOAD} bytes")]
    PayloadTooLong(u32),
    /// Bytes follow the payload.
    #[error("{0} unexpected bytes after the payload")]
    Trailing(usize),
}

/// Encodes an event canonically.
pub fn encode(event: &Event) -> Result<Vec<u8>, EncodeError> {
    if event.subjects.len() > 255 {
        return Err(EncodeError::TooManySubjects(event.subjects.len()));
    }
    if event.payload.len() > MAX_PAYLOAD {
        return Err(EncodeError::PayloadTooLong(event.payload.len()));
    }
    let subjects_len: usize = event.subjects.iter().map(|s| 2 + s.id.len()).sum();
    let mut out = Vec::with_capacity(1 + 8 + 8 + 2 + 1 + subjects_len + 4 + event.payload.len());
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&event.seq.0.to_be_bytes());
    out.extend_from_slice(&event.time.0.to_be_bytes());
    out.extend_from_slice(&event.kind.code().to_be_bytes());
    out.push(event.subjects.len() as u8);
    for s in &event.subjects {
        let id = s.id.as_bytes();
        if id.len() > 255 {
            return Err(EncodeError::SubjectTooLong(id.len()));
        }
        out.push(s.kind.code());
        out.push(id.len() as u8);
        out.extend_from_slice(id);
    }
    out.extend_from_slice(&(event.payload.len() as u32).to_be_bytes());
    out.extend_from_slice(&event.payload);
    Ok(out)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or(DecodeError::Truncated {
            field,
            offset: self.pos,
        })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], DecodeError> {
        Ok(self
            .take(N, field)?
            .try_into()
            .expect("take returns N bytes"))
    }
}

/// The fixed-size header of a record: its fields borrowed, subjects walked by a callback.
struct Parsed<'a> {
    seq: Seq,
    time: UnixMs,
    kind: EventKind,
    payload: &'a [u8],
}

/// Walks canonical bytes once, checking every field; `on_subject` sees each subject.
fn parse<'a>(
    bytes: &'a [u8],
    mut on_subject: impl FnMut(u8, &'a str),
) -> Result<Parsed<'a>, DecodeError> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let [version] = r.array::<1>("version")?;
    if version != FORMAT_VERSION {
        return Err(DecodeError::Version(version));
    }
    let seq = Seq(u64::from_be_bytes(r.array("seq")?));
    let time = UnixMs(i64::from_be_bytes(r.array("time")?));
    let kind = EventKind::from_code(u16::from_be_bytes(r.array("kind")?));
    let [n] = r.array::<1>("subject count")?;
    for _ in 0..n {
        let [code] = r.array::<1>("subject kind")?;
        let [len] = r.array::<1>("subject id length")?;
        let at = r.pos;
        let id = r.take(len as usize, "subject id")?;
        let id = std::str::from_utf8(id).map_err(|_| DecodeError::SubjectUtf8(at))?;
        on_subject(code, id);
    }
    let len = u32::from_be_bytes(r.array("payload length")?);
    if len as usize > MAX_PAYLOAD {
        return Err(DecodeError::PayloadTooLong(len));
    }
    let payload = r.take(len as usize, "payload")?;
    if r.pos != bytes.len() {
        return Err(DecodeError::Trailing(bytes.len() - r.pos));
    }
    Ok(Parsed {
        seq,
        time,
        kind,
        payload,
    })
}

/// Decodes canonical bytes. Every error names the field that was wrong.
pub fn decode(bytes: &[u8]) -> Result<Event, DecodeError> {
    let mut subjects = Vec::new();
    let p = parse(bytes, |code, id| {
        subjects.push(SubjectRef::new(SubjectKind::from_code(code), id))
    })?;
    Ok(Event {
        seq: p.seq,
        time: p.time,
        kind: p.kind,
        subjects,
        payload: p.payload.to_vec(),
    })
}

/// Checks that bytes are a canonical event, exactly as [`decode`] does, without allocating;
/// returns its seq. Verification uses this on every record.
pub fn validate(bytes: &[u8]) -> Result<Seq, DecodeError> {
    parse(bytes, |_, _| {}).map(|p| p.seq)
}

/// The seq field of a record, if the bytes are long enough and of a known version; nothing
/// else is checked. Used to look ahead cheaply when classifying a broken log.
pub fn peek_seq(bytes: &[u8]) -> Option<Seq> {
    match bytes {
        [FORMAT_VERSION, rest @ ..] if rest.len() >= 8 => Some(Seq(u64::from_be_bytes(
            rest[..8].try_into().expect("8 bytes"),
        ))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Event {
        Event {
            seq: Seq(2),
            time: UnixMs(1_700_000_000_000),
            kind: EventKind::UserLogin,
            subjects: vec![SubjectRef::new(SubjectKind::User, "li")],
            payload: b"{}".to_vec(),
        }
    }

    #[test]
    #[rustfmt::skip]
    fn golden_bytes() {
        let bytes = encode(&sample()).unwrap();
        assert_eq!(bytes, [
            0x01,                                           // version
            0, 0, 0, 0, 0, 0, 0, 2,                         // seq 2
            0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, // time 1_700_000_000_000
            0x00, 0x0b,                                     // kind 11 user.login
            0x01,                                           // one subject
            0x01, 0x02, b'l', b'i',                         // user "li"
            0, 0, 0, 2, b'{', b'}',                         // payload
        ]);
        assert_eq!(decode(&bytes).unwrap(), sample());
    }

    #[test]
    fn every_truncation_names_a_field() {
        let bytes = encode(&sample()).unwrap();
        for cut in 0..bytes.len() {
            match decode(&bytes[..cut]) {
                Err(DecodeError::Truncated { .. }) => {}
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
    }

    #[test]
    fn validate_agrees_with_decode() {
        let bytes = encode(&sample()).unwrap();
        assert_eq!(validate(&bytes), Ok(Seq(2)));
        assert_eq!(peek_seq(&bytes), Some(Seq(2)));
        for cut in 0..bytes.len() {
            assert_eq!(validate(&bytes[..cut]).err(), decode(&bytes[..cut]).err());
        }
        assert_eq!(peek_seq(&bytes[..8]), None);
        assert_eq!(peek_seq(&[2; 20]), None);
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let mut bytes = encode(&sample()).unwrap();
        bytes.push(0);
        assert_eq!(decode(&bytes), Err(DecodeError::Trailing(1)));
    }
}
