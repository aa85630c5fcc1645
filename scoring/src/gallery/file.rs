//! The gallery file: a versioned, checksummed byte form of a gallery's entries and of the codes
//! the search needs, so that loading is a read and a checksum, not a recomputation.
//!
//! Layout of version 2 (all integers big-endian):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `"FPGALLRY"` |
//! | 8 | 2 | version (2) |
//! | 10 | 2 | reserved (0) |
//! | 12 | 8 | number of entries |
//! | 20 | 8 | body length in bytes |
//! | 28 | 4 | code layout: CRC-32 of the code settings ([`code_layout`]) |
//! | 32 | … | per entry: id (8), template length (2), the template in [`Template::to_bytes`] form, the coarse code ([`WORDS`] words), one local code ([`LOCAL_WORDS`] words) per minutia of the template |
//! | end − 4 | 4 | CRC-32 (IEEE) of every byte before it |
//!
//! A file whose code layout differs from this build's is refused (its codes would not compare
//! with a probe's): rewrite it from its templates. Version 1 files (the same without the code
//! layout and the codes) are still read; their codes are computed on load, on all cores.

use super::code::{Code, WORDS};
use super::local::{LOCAL_PARAMS, LOCAL_WORDS, LocalCode};
use super::{EntryId, Gallery, GalleryError, GalleryErrorKind as K};
use crate::template::{MAX_MINUTIAE, Template};

const MAGIC: &[u8; 8] = b"FPGALLRY";
const VERSION: u16 = 2;
const HEADER_V1: usize = 28;
const HEADER: usize = 32;
const TRAILER: usize = 4;
/// The longest template a gallery file may hold, bytes.
const MAX_TEMPLATE: usize = 12 + 8 * MAX_MINUTIAE;
/// The fewest bytes of a version 1 entry (id, length, empty template) and of a version 2 entry (and its code).
const MIN_ENTRY_V1: u64 = 22;
const MIN_ENTRY: u64 = 22 + 8 * WORDS as u64;

/// The code layout this build writes and reads: a CRC-32 of every setting the stored codes depend
/// on, so a build with other settings refuses the file instead of comparing unlike codes.
pub fn code_layout() -> u32 {
    crc32fast::hash(
        format!(
            "coarse {} {:?}; local {} {:?}",
            super::code::BITS,
            super::code::PARAMS,
            super::local::LOCAL_BITS,
            LOCAL_PARAMS
        )
        .as_bytes(),
    )
}

/// What a reader accepts; larger files are refused before anything is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// The most entries.
    pub max_entries: u64,
    /// The most bytes in the whole file.
    pub max_bytes: u64,
}

impl Default for ReadLimits {
    /// Ten million entries, 64 GiB.
    fn default() -> Self {
        Self {
            max_entries: 10_000_000,
            max_bytes: 64 << 30,
        }
    }
}

fn put_words(out: &mut Vec<u8>, words: &[u64]) {
    for w in words {
        out.extend_from_slice(&w.to_be_bytes());
    }
}

fn words<const N: usize>(b: &[u8]) -> [u64; N] {
    let mut w = [0u64; N];
    for (x, c) in w.iter_mut().zip(b.chunks_exact(8)) {
        *x = u64::from_be_bytes(c.try_into().unwrap_or([0; 8]));
    }
    w
}

impl Gallery {
    /// The gallery file's bytes (version 2: templates and codes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let body: usize = self
            .templates
            .iter()
            .map(|t| {
                10 + 12 + 8 * t.minutiae.len() + 8 * WORDS + 8 * LOCAL_WORDS * t.minutiae.len()
            })
            .sum();
        let mut out = Vec::with_capacity(HEADER + body + TRAILER);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&(self.len() as u64).to_be_bytes());
        out.extend_from_slice(&(body as u64).to_be_bytes());
        out.extend_from_slice(&code_layout().to_be_bytes());
        for (i, (id, t)) in self.ids.iter().zip(&self.templates).enumerate() {
            let b = t.to_bytes();
            out.extend_from_slice(&id.0.to_be_bytes());
            out.extend_from_slice(&(b.len() as u16).to_be_bytes());
            out.extend_from_slice(&b);
            put_words(&mut out, &self.codes[i * WORDS..(i + 1) * WORDS]);
            for c in self.locals[i].codes.iter() {
                put_words(&mut out, c);
            }
        }
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }

    /// Reads a gallery file (version 2, or version 1 with its codes computed on load). Every
    /// problem is an error naming the field or entry at fault.
    pub fn from_bytes(bytes: &[u8], limits: &ReadLimits) -> Result<Gallery, GalleryError> {
        if bytes.len() as u64 > limits.max_bytes {
            return Err(GalleryError::new(
                K::TooLarge,
                format!("{} bytes (limit {})", bytes.len(), limits.max_bytes),
            ));
        }
        if bytes.len() < HEADER_V1 + TRAILER {
            return Err(GalleryError::new(K::Truncated, "header"));
        }
        if &bytes[..8] != MAGIC {
            return Err(GalleryError::new(K::UnknownFormat, "magic"));
        }
        let version = u16::from_be_bytes([bytes[8], bytes[9]]);
        let (header, min_entry) = match version {
            1 => (HEADER_V1, MIN_ENTRY_V1),
            VERSION => (HEADER, MIN_ENTRY),
            _ => {
                return Err(GalleryError::new(
                    K::UnknownFormat,
                    format!("version {version}"),
                ));
            }
        };
        if bytes.len() < header + TRAILER {
            return Err(GalleryError::new(K::Truncated, "header"));
        }
        let u64at = |i: usize| u64::from_be_bytes(bytes[i..i + 8].try_into().unwrap_or([0; 8]));
        let count = u64at(12);
        let body = u64at(20);
        if count > limits.max_entries {
            return Err(GalleryError::new(
                K::TooLarge,
                format!("{count} entries (limit {})", limits.max_entries),
            ));
        }
        let have = (bytes.len() - header - TRAILER) as u64;
        if body > have {
            return Err(GalleryError::new(
                K::Truncated,
                format!("body ({body} bytes declared, {have} present)"),
            ));
        }
        if body < have {
            return Err(GalleryError::new(
                K::TrailingBytes,
                format!("{} bytes after the body", have - body),
            ));
        }
        // Each entry takes at least `min_entry` bytes, so the count cannot make us allocate more than the file.
        if count.saturating_mul(min_entry) > body {
            return Err(GalleryError::new(
                K::Invalid,
                format!("number of entries ({count} cannot fit in {body} bytes)"),
            ));
        }
        let end = bytes.len() - TRAILER;
        let stored = u32::from_be_bytes(bytes[end..].try_into().unwrap_or([0; 4]));
        let actual = crc32fast::hash(&bytes[..end]);
        if stored != actual {
            return Err(GalleryError::new(
                K::Checksum,
                format!("stored {stored:08x}, computed {actual:08x}"),
            ));
        }
        if version == VERSION {
            let layout = u32::from_be_bytes(bytes[28..32].try_into().unwrap_or([0; 4]));
            if layout != code_layout() {
                return Err(GalleryError::new(
                    K::UnknownFormat,
                    format!(
                        "code layout {layout:08x} (this build: {:08x})",
                        code_layout()
                    ),
                ));
            }
        }
        let mut at = header;
        let mut entries = Vec::with_capacity(count as usize);
        let mut coded: Vec<(Code, Vec<LocalCode>)> = Vec::with_capacity(if version == VERSION {
            count as usize
        } else {
            0
        });
        for i in 0..count {
            if end - at < 10 {
                return Err(GalleryError::new(K::Truncated, format!("entry {i} header")));
            }
            let id = EntryId(u64at(at));
            let len = u16::from_be_bytes([bytes[at + 8], bytes[at + 9]]) as usize;
            at += 10;
            if len > MAX_TEMPLATE {
                return Err(GalleryError::new(
                    K::Invalid,
                    format!("entry {i} template length {len}"),
                ));
            }
            if end - at < len {
                return Err(GalleryError::new(
                    K::Truncated,
                    format!("entry {i} template"),
                ));
            }
            let t = Template::from_bytes(&bytes[at..at + len])
                .map_err(|e| GalleryError::new(K::Invalid, format!("entry {i}: {e}")))?;
            at += len;
            if version == VERSION {
                let n = t.minutiae.len();
                let need = 8 * WORDS + 8 * LOCAL_WORDS * n;
                if end - at < need {
                    return Err(GalleryError::new(K::Truncated, format!("entry {i} codes")));
                }
                let code: Code = words(&bytes[at..at + 8 * WORDS]);
                at += 8 * WORDS;
                let locals = bytes[at..at + 8 * LOCAL_WORDS * n]
                    .chunks_exact(8 * LOCAL_WORDS)
                    .map(words::<LOCAL_WORDS>)
                    .collect();
                at += 8 * LOCAL_WORDS * n;
                coded.push((code, locals));
            }
            entries.push((id, t));
        }
        if at != end {
            return Err(GalleryError::new(
                K::TrailingBytes,
                format!("{} bytes after entry {}", end - at, count.saturating_sub(1)),
            ));
        }
        let mut g = Gallery::new();
        if version == VERSION {
            g.reserve(entries.len());
            for ((id, t), (c, l)) in entries.into_iter().zip(coded) {
                g.insert_coded(id, t, c, l)?;
            }
        } else {
            g.extend(entries)?;
        }
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Minutia, MinutiaKind};

    fn sample() -> Gallery {
        let mut g = Gallery::new();
        for k in 0..5u16 {
            let t = Template {
                width: 300,
                height: 400,
                quality: 40,
                minutiae: (0..(3 + k))
                    .map(|i| Minutia {
                        x: 10 + 30 * i + k,
                        y: 20 + 17 * i,
                        angle: 1000 * i + 7 * k,
                        kind: MinutiaKind::Bifurcation,
                        quality: 60,
                    })
                    .collect(),
            };
            g.insert(EntryId(100 + k as u64), t).unwrap();
        }
        g
    }

    fn with_crc(mut b: Vec<u8>) -> Vec<u8> {
        let end = b.len() - 4;
        let crc = crc32fast::hash(&b[..end]);
        b[end..].copy_from_slice(&crc.to_be_bytes());
        b
    }

    fn err(b: &[u8]) -> GalleryError {
        Gallery::from_bytes(b, &ReadLimits::default()).unwrap_err()
    }

    #[test]
    fn round_trip_keeps_ids_templates_and_codes() {
        let g = sample();
        let back = Gallery::from_bytes(&g.to_bytes(), &ReadLimits::default()).unwrap();
        assert_eq!(back.ids, g.ids);
        assert_eq!(back.templates, g.templates);
        assert_eq!(back.codes, g.codes);
        assert_eq!(back.weights, g.weights);
        assert_eq!(back.locals, g.locals);
        let empty = Gallery::new().to_bytes();
        assert_eq!(empty.len(), HEADER + TRAILER);
        assert!(
            Gallery::from_bytes(&empty, &ReadLimits::default())
                .unwrap()
                .is_empty()
        );
    }

    /// The version 1 form of a gallery: templates only.
    fn to_bytes_v1(g: &Gallery) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&(g.len() as u64).to_be_bytes());
        let body: Vec<u8> = g
            .ids
            .iter()
            .zip(&g.templates)
            .flat_map(|(id, t)| {
                let b = t.to_bytes();
                let mut e = id.0.to_be_bytes().to_vec();
                e.extend_from_slice(&(b.len() as u16).to_be_bytes());
                e.extend_from_slice(&b);
                e
            })
            .collect();
        out.extend_from_slice(&(body.len() as u64).to_be_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(&[0; 4]);
        with_crc(out)
    }

    #[test]
    fn version_1_files_read_with_their_codes_computed() {
        let g = sample();
        let v1 = to_bytes_v1(&g);
        let back = Gallery::from_bytes(&v1, &ReadLimits::default()).unwrap();
        assert_eq!(back.ids, g.ids);
        assert_eq!(back.templates, g.templates);
        assert_eq!(back.codes, g.codes);
        assert_eq!(back.locals, g.locals);
        for n in 0..v1.len() {
            assert!(Gallery::from_bytes(&v1[..n], &ReadLimits::default()).is_err());
        }
        // The codes make the version 2 file larger: 512 bytes per entry and 32 per minutia.
        let minutiae: usize = g.templates.iter().map(|t| t.minutiae.len()).sum();
        assert_eq!(
            g.to_bytes().len() - v1.len(),
            4 + g.len() * 8 * WORDS + minutiae * 8 * LOCAL_WORDS
        );
    }

    #[test]
    fn another_code_layout_is_refused_by_name() {
        let mut b = sample().to_bytes();
        b[31] ^= 1;
        let e = err(&with_crc(b));
        assert_eq!(e.kind(), K::UnknownFormat);
        assert!(e.what().starts_with("code layout"), "{e}");
        // One entry whose local codes stop one minutia short: the codes are named.
        let b = sample().to_bytes();
        let cut = HEADER + 10 + 12 + 3 * 8 + 8 * WORDS + 2 * 8 * LOCAL_WORDS;
        let mut c = b[..cut].to_vec();
        c[12..20].copy_from_slice(&1u64.to_be_bytes());
        c[20..28].copy_from_slice(&((cut - HEADER) as u64).to_be_bytes());
        c.extend_from_slice(&[0; 4]);
        let e = err(&with_crc(c));
        assert_eq!((e.kind(), e.what()), (K::Truncated, "entry 0 codes"));
    }

    #[test]
    fn every_single_byte_change_is_refused() {
        let b = sample().to_bytes();
        for i in 0..b.len() {
            let mut c = b.clone();
            c[i] ^= 0x10;
            assert!(
                Gallery::from_bytes(&c, &ReadLimits::default()).is_err(),
                "byte {i}"
            );
        }
    }

    #[test]
    fn every_truncation_is_refused() {
        let b = sample().to_bytes();
        for n in 0..b.len() {
            assert!(
                Gallery::from_bytes(&b[..n], &ReadLimits::default()).is_err(),
                "{n} bytes"
            );
        }
    }

    #[test]
    fn errors_name_what_was_wrong() {
        let b = sample().to_bytes();
        assert_eq!(err(&b[..10]).kind(), K::Truncated);
        let mut c = b.clone();
        c[0] = b'X';
        assert_eq!(err(&c).what(), "magic");
        let mut c = b.clone();
        c[9] = 3;
        assert_eq!(
            err(&c).to_string(),
            "not a gallery file this build reads: version 3"
        );
        let mut c = b.clone();
        c[40] ^= 1;
        assert_eq!(err(&c).kind(), K::Checksum);
        // A valid checksum over a bad minutia type: the entry and the field are named.
        let mut c = b.clone();
        let first_type = HEADER + 10 + 12 + 6;
        c[first_type] = 9;
        let e = err(&with_crc(c));
        assert_eq!(e.kind(), K::Invalid);
        assert!(e.what().starts_with("entry 0:"), "{e}");
        assert!(e.what().contains("minutia 0 type"), "{e}");
        // A count too large for the body is refused before anything is allocated.
        let mut c = b.clone();
        c[12..20].copy_from_slice(&(1u64 << 20).to_be_bytes());
        assert_eq!(err(&with_crc(c)).kind(), K::Invalid);
        // A duplicate id.
        let mut c = b.clone();
        let second = HEADER + 10 + 12 + 3 * 8 + 8 * WORDS + 3 * 8 * LOCAL_WORDS;
        c[second..second + 8].copy_from_slice(&100u64.to_be_bytes());
        assert_eq!(err(&with_crc(c)).kind(), K::DuplicateId);
    }

    #[test]
    fn limits_are_checked_first() {
        let b = sample().to_bytes();
        let small = ReadLimits {
            max_entries: 4,
            max_bytes: 1 << 20,
        };
        assert_eq!(
            Gallery::from_bytes(&b, &small).unwrap_err().kind(),
            K::TooLarge
        );
        let tiny = ReadLimits {
            max_entries: 100,
            max_bytes: 20,
        };
        assert_eq!(
            Gallery::from_bytes(&b, &tiny).unwrap_err().kind(),
            K::TooLarge
        );
    }
}
