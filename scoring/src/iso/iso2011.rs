//! ISO/IEC 19794-2:2011 finger minutiae record, read and write.
//!
//! ```text
//! general header
//!  0  4  "FMR\0"          4  4  "030\0"
//!  8  4  total record length
//! 12  2  number of finger representations
//! 14  1  certification flag
//! per representation
//!     4  representation length
//!     9  capture date and time (year 2, month, day, hour, minute, second, millisecond 2)
//!     1  capture device technology     2  vendor id     2  device type
//!     1  number of quality records, then 5 bytes each (score, vendor 2, algorithm 2)
//!     [1 number of certification records, then 3 bytes each] only when the certification flag is set
//!     1  finger position     1  representation number
//!     2+2 x, y resolution (pixels per cm)     1  impression type     2+2 width, height
//!     1  bytes per minutia (high nibble, 5 or 6) + ridge ending type (low nibble)
//!     1  number of minutiae, then 5 or 6 bytes each (as in 2005; 5-byte minutiae have no quality)
//!     2  extended data length, then areas of type (2), area length (2, counting these 4 bytes), data
//! ```
//!
//! [`Record`] holds what all formats share; the record-level image size and resolution are taken
//! from the first representation. What only a 2011 record carries (capture date and device,
//! quality and certification records, each representation's own size and resolution, the
//! minutia size and the ridge-ending type) is kept beside it in [`Iso2011Record`], so that
//! decoding and re-encoding a 2011 record gives back the same bytes.

use super::cursor::{Cursor, ensure};
use super::iso2005::{read_extensions, read_minutia};
use super::{Format, IsoMinutiaKind, Record, TemplateError, TemplateErrorKind, View};

/// A 2011 record: the shared [`Record`] and, one for each of its views, the fields only the 2011
/// format has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iso2011Record {
    /// The views and the record-level fields shared with the other formats.
    pub record: Record,
    /// Whether the representations carry certification records (the header's certification flag).
    pub certified: bool,
    /// The 2011 fields of each view, in the order of `record.views`.
    pub representations: Vec<Representation>,
}

/// The 2011-only fields of one finger representation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Representation {
    /// Capture date and time in UTC.
    pub captured: CaptureTime,
    /// Capture device technology code (0 = unknown).
    pub device_technology: u8,
    /// Capture device vendor (IBIA registered id; 0 = unknown).
    pub device_vendor: u16,
    /// Capture device type (vendor-assigned; 0 = unknown).
    pub device_type: u16,
    /// Quality records; the first one's score is the view's quality in [`View::quality`].
    pub quality_records: Vec<QualityRecord>,
    /// Certification records (present only when [`Iso2011Record::certified`]).
    pub certifications: Vec<Certification>,
    /// Horizontal resolution of this representation, pixels per centimetre.
    pub resolution_x: u16,
    /// Vertical resolution, pixels per centimetre.
    pub resolution_y: u16,
    /// Image width in pixels.
    pub width: u16,
    /// Image height in pixels.
    pub height: u16,
    /// Whether each minutia carries a quality byte (6 bytes a minutia) or not (5 bytes).
    pub minutia_quality: bool,
    /// Where a ridge ending is placed (low nibble of the minutia field length byte: 0 valley
    /// skeleton bifurcation, 1 ridge skeleton end point, ...).
    pub ending_type: u8,
}

/// Capture date and time as stored: year, month, day, hour, minute, second, millisecond.
/// Every field at its maximum (`0xFFFF`, `0xFF` ...) means "not given".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureTime {
    /// Year (`0xFFFF`: not given).
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
    /// Hour 0–23.
    pub hour: u8,
    /// Minute 0–59.
    pub minute: u8,
    /// Second 0–59.
    pub second: u8,
    /// Millisecond 0–999.
    pub millisecond: u16,
}

impl CaptureTime {
    /// No date and time given.
    pub const UNKNOWN: CaptureTime = CaptureTime {
        year: 0xFFFF,
        month: 0xFF,
        day: 0xFF,
        hour: 0xFF,
        minute: 0xFF,
        second: 0xFF,
        millisecond: 0xFFFF,
    };
}

/// A quality record: a score and the algorithm that gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityRecord {
    /// Score 0–100, 255 when the algorithm failed.
    pub score: u8,
    /// Vendor of the quality algorithm.
    pub vendor: u16,
    /// The vendor's algorithm id.
    pub algorithm: u16,
}

/// A certification record: certification authority and scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Certification {
    /// Certification authority id.
    pub authority: u16,
    /// Certification scheme id.
    pub scheme: u8,
}

impl Representation {
    /// The 2011 fields a record of another format implies: no date, unknown device (the type
    /// taken from the record's capture equipment), one quality record when the view has a
    /// quality, the record's size and resolution, 6-byte minutiae, ending type 0.
    pub fn defaults_for(rec: &Record, view: &View) -> Representation {
        Representation {
            captured: CaptureTime::UNKNOWN,
            device_technology: 0,
            device_vendor: 0,
            device_type: rec.capture_equipment & 0x0fff,
            quality_records: if view.quality > 0 {
                vec![QualityRecord {
                    score: view.quality,
                    vendor: 0,
                    algorithm: 0,
                }]
            } else {
                Vec::new()
            },
            certifications: Vec::new(),
            resolution_x: rec.resolution_x,
            resolution_y: rec.resolution_y,
            width: rec.width,
            height: rec.height,
            minutia_quality: true,
            ending_type: 0,
        }
    }
}

pub(super) fn decode(bytes: &[u8]) -> Result<Record, TemplateError> {
    decode_iso2011(bytes).map(|r| r.record)
}

/// Decodes an ISO/IEC 19794-2:2011 record with every 2011 field.
pub fn decode_iso2011(bytes: &[u8]) -> Result<Iso2011Record, TemplateError> {
    let mut c = Cursor::new(bytes);
    let id = c.take(8, "format identifier")?;
    if id != b"FMR\x00030\x00" {
        return Err(TemplateError::new(
            TemplateErrorKind::UnknownFormat,
            "format identifier",
        ));
    }
    let length = c.u32("total record length")? as usize;
    if length != bytes.len() {
        return Err(TemplateError::new(
            TemplateErrorKind::LengthMismatch,
            "total record length",
        ));
    }
    let n_reps = c.u16("number of finger representations")?;
    let certified = c.u8("certification flag")?;
    ensure(certified <= 1, "certification flag")?;
    let mut rec = Record {
        format: Format::Iso2011,
        capture_equipment: 0,
        cbeff_product: 0,
        width: 0,
        height: 0,
        resolution_x: 0,
        resolution_y: 0,
        views: Vec::new(),
    };
    let mut representations = Vec::new();
    for r in 0..n_reps {
        let r8 = u8::try_from(r).map_err(|_| {
            TemplateError::new(
                TemplateErrorKind::TooLarge,
                "number of finger representations",
            )
        })?;
        let f = |name: &str| format!("representation {r} {name}");
        let start = c.position();
        let rep_len = c.u32(&f("length"))? as usize;
        let captured = CaptureTime {
            year: c.u16(&f("capture year"))?,
            month: c.u8(&f("capture month"))?,
            day: c.u8(&f("capture day"))?,
            hour: c.u8(&f("capture hour"))?,
            minute: c.u8(&f("capture minute"))?,
            second: c.u8(&f("capture second"))?,
            millisecond: c.u16(&f("capture millisecond"))?,
        };
        let device_technology = c.u8(&f("capture device technology"))?;
        let device_vendor = c.u16(&f("capture device vendor"))?;
        let device_type = c.u16(&f("capture device type"))?;
        let nq = c.u8(&f("number of quality records"))?;
        let mut quality_records = Vec::with_capacity(nq as usize);
        for q in 0..nq {
            let score_field = f(&format!("quality record {q} score"));
            let score = c.u8(&score_field)?;
            // 0–100, or 255 when the quality could not be computed.
            ensure(score <= 100 || score == 255, &score_field)?;
            quality_records.push(QualityRecord {
                score,
                vendor: c.u16(&f(&format!("quality record {q} vendor")))?,
                algorithm: c.u16(&f(&format!("quality record {q} algorithm")))?,
            });
        }
        let quality = match quality_records.first() {
            Some(q) if q.score != 255 => q.score,
            _ => 0,
        };
        let mut certifications = Vec::new();
        if certified == 1 {
            let nc = c.u8(&f("number of certification records"))?;
            for k in 0..nc {
                certifications.push(Certification {
                    authority: c.u16(&f(&format!("certification record {k} authority")))?,
                    scheme: c.u8(&f(&format!("certification record {k} scheme")))?,
                });
            }
        }
        let position = c.u8(&f("finger position"))?;
        ensure(position <= 10, &f("finger position"))?;
        let view_number = c.u8(&f("representation number"))?;
        let resolution_x = c.u16(&f("x resolution"))?;
        let resolution_y = c.u16(&f("y resolution"))?;
        let impression_type = c.u8(&f("impression type"))?;
        let width = c.u16(&f("image width"))?;
        let height = c.u16(&f("image height"))?;
        let size_and_ending = c.u8(&f("minutia field length"))?;
        let bpm = size_and_ending >> 4;
        ensure(bpm == 5 || bpm == 6, &f("minutia field length"))?;
        let n = c.u8(&f("number of minutiae"))?;
        let mut minutiae = Vec::with_capacity(n as usize);
        for i in 0..n {
            minutiae.push(read_minutia(&mut c, r8, i, bpm == 6)?);
        }
        let extensions = read_extensions(&mut c, r8, 4)?;
        if c.position() - start != rep_len {
            return Err(TemplateError::new(
                TemplateErrorKind::LengthMismatch,
                f("length"),
            ));
        }
        if r == 0 {
            rec.capture_equipment = device_type & 0x0fff;
            rec.width = width;
            rec.height = height;
            rec.resolution_x = resolution_x;
            rec.resolution_y = resolution_y;
        }
        rec.views.push(View {
            position,
            view_number,
            impression_type,
            quality,
            minutiae,
            extensions,
        });
        representations.push(Representation {
            captured,
            device_technology,
            device_vendor,
            device_type,
            quality_records,
            certifications,
            resolution_x,
            resolution_y,
            width,
            height,
            minutia_quality: bpm == 6,
            ending_type: size_and_ending & 0x0f,
        });
    }
    if c.remaining() != 0 {
        return Err(TemplateError::new(
            TemplateErrorKind::LengthMismatch,
            "total record length",
        ));
    }
    Ok(Iso2011Record {
        record: rec,
        certified: certified == 1,
        representations,
    })
}

/// Encodes a record of any format as ISO/IEC 19794-2:2011, with the 2011 fields that
/// [`Representation::defaults_for`] gives (angles are converted from ANSI units when needed).
pub fn encode_iso2011(rec: &Record) -> Result<Vec<u8>, TemplateError> {
    let full = Iso2011Record {
        record: rec.clone(),
        certified: false,
        representations: rec
            .views
            .iter()
            .map(|v| Representation::defaults_for(rec, v))
            .collect(),
    };
    encode_iso2011_record(&full)
}

/// Encodes a 2011 record with all its 2011 fields: a decoded record re-encodes byte for byte.
pub fn encode_iso2011_record(r: &Iso2011Record) -> Result<Vec<u8>, TemplateError> {
    let too_large = |f: String| TemplateError::new(TemplateErrorKind::TooLarge, f);
    let invalid = |f: String| TemplateError::new(TemplateErrorKind::Invalid, f);
    let rec = &r.record;
    if r.representations.len() != rec.views.len() {
        return Err(invalid("number of finger representations".into()));
    }
    let n_reps = u16::try_from(rec.views.len())
        .ok()
        .filter(|&n| n <= 255)
        .ok_or_else(|| too_large("number of finger representations".into()))?;
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"FMR\x00030\x00");
    out.extend_from_slice(&[0; 4]); // total length, patched below
    out.extend_from_slice(&n_reps.to_be_bytes());
    out.push(r.certified as u8);
    for (i, (view, rep)) in rec.views.iter().zip(&r.representations).enumerate() {
        let f = |name: &str| format!("representation {i} {name}");
        let start = out.len();
        out.extend_from_slice(&[0; 4]); // representation length, patched below
        let t = rep.captured;
        out.extend_from_slice(&t.year.to_be_bytes());
        out.extend_from_slice(&[t.month, t.day, t.hour, t.minute, t.second]);
        out.extend_from_slice(&t.millisecond.to_be_bytes());
        out.push(rep.device_technology);
        out.extend_from_slice(&rep.device_vendor.to_be_bytes());
        out.extend_from_slice(&rep.device_type.to_be_bytes());
        let nq = u8::try_from(rep.quality_records.len())
            .map_err(|_| too_large(f("number of quality records")))?;
        out.push(nq);
        for q in &rep.quality_records {
            out.push(q.score);
            out.extend_from_slice(&q.vendor.to_be_bytes());
            out.extend_from_slice(&q.algorithm.to_be_bytes());
        }
        if r.certified {
            let nc = u8::try_from(rep.certifications.len())
                .map_err(|_| too_large(f("number of certification records")))?;
            out.push(nc);
            for c in &rep.certifications {
                out.extend_from_slice(&c.authority.to_be_bytes());
                out.push(c.scheme);
            }
        } else if !rep.certifications.is_empty() {
            return Err(invalid(f("certification records")));
        }
        if view.position > 10 {
            return Err(invalid(f("finger position")));
        }
        if rep.ending_type > 15 {
            return Err(invalid(f("ridge ending type")));
        }
        out.extend_from_slice(&[view.position, view.view_number]);
        out.extend_from_slice(&rep.resolution_x.to_be_bytes());
        out.extend_from_slice(&rep.resolution_y.to_be_bytes());
        out.push(view.impression_type);
        out.extend_from_slice(&rep.width.to_be_bytes());
        out.extend_from_slice(&rep.height.to_be_bytes());
        let bpm: u8 = if rep.minutia_quality { 6 } else { 5 };
        out.push(bpm << 4 | rep.ending_type);
        let n =
            u8::try_from(view.minutiae.len()).map_err(|_| too_large(f("number of minutiae")))?;
        out.push(n);
        for (k, m) in view.minutiae.iter().enumerate() {
            if m.x > 0x3fff || m.y > 0x3fff {
                return Err(too_large(f(&format!("minutia {k} position"))));
            }
            let kind: u16 = match m.kind {
                IsoMinutiaKind::Other => 0,
                IsoMinutiaKind::Ending => 1,
                IsoMinutiaKind::Bifurcation => 2,
            };
            out.extend_from_slice(&(kind << 14 | m.x).to_be_bytes());
            out.extend_from_slice(&m.y.to_be_bytes());
            out.push(match rec.format {
                Format::Ansi2004 => ((m.angle as u32 * 2 * 256 + 180) / 360 % 256) as u8,
                _ => m.angle,
            });
            if rep.minutia_quality {
                out.push(m.quality);
            }
        }
        // A 2011 extended data area's length counts its own 4-byte type and length fields.
        let ext_len: usize = view.extensions.iter().map(|e| 4 + e.data.len()).sum();
        let ext_len = u16::try_from(ext_len).map_err(|_| too_large(f("extended data length")))?;
        out.extend_from_slice(&ext_len.to_be_bytes());
        for e in &view.extensions {
            out.extend_from_slice(&e.kind.to_be_bytes());
            out.extend_from_slice(&((e.data.len() + 4) as u16).to_be_bytes());
            out.extend_from_slice(&e.data);
        }
        let len = u32::try_from(out.len() - start).map_err(|_| too_large(f("length")))?;
        out[start..start + 4].copy_from_slice(&len.to_be_bytes());
    }
    let len = u32::try_from(out.len()).map_err(|_| too_large("total record length".into()))?;
    out[8..12].copy_from_slice(&len.to_be_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{Extension, IsoMinutia};
    use super::*;

    fn sample() -> Iso2011Record {
        let m = |kind, x, y, angle, quality| IsoMinutia {
            kind,
            x,
            y,
            angle,
            quality,
        };
        let view = |n: u8, ms: Vec<IsoMinutia>, ext: Vec<Extension>| View {
            position: 2,
            view_number: n,
            impression_type: 0,
            quality: 60,
            minutiae: ms,
            extensions: ext,
        };
        let rep = |quality_bytes: bool| Representation {
            captured: CaptureTime {
                year: 2026,
                month: 11,
                day: 29,
                hour: 9,
                minute: 30,
                second: 5,
                millisecond: 250,
            },
            device_technology: 1,
            device_vendor: 0x1234,
            device_type: 0x0042,
            quality_records: vec![
                QualityRecord {
                    score: 60,
                    vendor: 0x00FF,
                    algorithm: 0x0101,
                },
                QualityRecord {
                    score: 255,
                    vendor: 1,
                    algorithm: 2,
                },
            ],
            certifications: vec![Certification {
                authority: 7,
                scheme: 3,
            }],
            resolution_x: 197,
            resolution_y: 197,
            width: 300,
            height: 400,
            minutia_quality: quality_bytes,
            ending_type: 1,
        };
        Iso2011Record {
            record: Record {
                format: Format::Iso2011,
                capture_equipment: 0x0042,
                cbeff_product: 0,
                width: 300,
                height: 400,
                resolution_x: 197,
                resolution_y: 197,
                views: vec![
                    view(
                        0,
                        vec![
                            m(IsoMinutiaKind::Ending, 100, 14, 80, 90),
                            m(IsoMinutiaKind::Bifurcation, 299, 399, 255, 0),
                        ],
                        vec![Extension {
                            kind: 0x0001,
                            data: vec![1, 2, 3],
                        }],
                    ),
                    view(1, vec![m(IsoMinutiaKind::Other, 5, 6, 7, 0)], Vec::new()),
                ],
            },
            certified: true,
            representations: vec![rep(true), rep(false)],
        }
    }

    #[test]
    fn a_record_with_every_2011_field_round_trips() {
        let r = sample();
        let bytes = encode_iso2011_record(&r).unwrap();
        // Header 15; representation 1: 4 + 9 + 5 + 1 + 10 + 1 + 3 + 2 + 4 + 1 + 4 + 2 + 2·6 + 2 + 7 = 67;
        // representation 2: the same without the extension and with one 5-byte minutia = 53.
        assert_eq!(bytes.len(), 15 + 67 + 53);
        assert_eq!(&bytes[..15], b"FMR\x00030\x00\x00\x00\x00\x87\x00\x02\x01");
        assert_eq!(decode_iso2011(&bytes).unwrap(), r);
        assert_eq!(
            encode_iso2011_record(&decode_iso2011(&bytes).unwrap()).unwrap(),
            bytes
        );
    }

    #[test]
    fn every_truncation_is_rejected_naming_a_field() {
        let bytes = encode_iso2011_record(&sample()).unwrap();
        for cut in 0..bytes.len() {
            let err = super::super::decode(&bytes[..cut]).unwrap_err();
            assert!(!err.field().is_empty(), "cut {cut}");
        }
    }

    #[test]
    fn a_wrong_representation_length_is_named() {
        let mut bytes = encode_iso2011_record(&sample()).unwrap();
        bytes[18] += 1;
        assert_eq!(
            decode_iso2011(&bytes).unwrap_err().field(),
            "representation 0 length"
        );
    }

    #[test]
    fn other_formats_are_written_with_default_2011_fields() {
        let mut rec = sample().record;
        rec.format = Format::Iso2005;
        let bytes = encode_iso2011(&rec).unwrap();
        let back = decode_iso2011(&bytes).unwrap();
        assert!(!back.certified);
        assert_eq!(back.record.views, rec.views);
        assert_eq!(back.representations[0].captured, CaptureTime::UNKNOWN);
        assert_eq!(back.representations[0].quality_records.len(), 1);
        // ANSI angles (2 degrees) are converted to the ISO unit.
        rec.format = Format::Ansi2004;
        rec.views[0].minutiae[0].angle = 90;
        let back = decode_iso2011(&encode_iso2011(&rec).unwrap()).unwrap();
        assert_eq!(back.record.views[0].minutiae[0].angle, 128);
    }

    #[test]
    fn inconsistent_records_are_refused_naming_the_field() {
        let mut r = sample();
        r.representations.pop();
        assert_eq!(
            encode_iso2011_record(&r).unwrap_err().field(),
            "number of finger representations"
        );
        let mut r = sample();
        r.certified = false;
        assert_eq!(
            encode_iso2011_record(&r).unwrap_err().field(),
            "representation 0 certification records"
        );
        let mut r = sample();
        r.record.views[1].minutiae[0].x = 0x4000;
        assert_eq!(
            encode_iso2011_record(&r).unwrap_err().field(),
            "representation 1 minutia 0 position"
        );
    }
}
