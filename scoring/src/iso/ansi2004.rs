//! ANSI/INCITS 378-2004 finger minutiae record, read and write.
//!
//! ```text
//! offset size field
//!  0      4   "FMR\0"
//!  4      4   " 20\0"
//!  8      2   record length (or 0, then a 4-byte length: the header grows by 4)
//! 10      2+2 CBEFF product owner, product type
//! 14      2   capture equipment: 4-bit compliance + 12-bit device id
//! 16      2+2 image width, height
//! 20      2+2 x, y resolution (pixels per cm)
//! 24      1   number of finger views
//! 25      1   reserved
//! 26      ... views as in ISO 19794-2:2005, but minutia angles are in 2-degree units and an extended
//!             area's length counts its own 4-byte type and length fields
//! ```
//!
//! The length field is checked to be no larger than the input: the example printed in the standard
//! itself declares two bytes fewer than it holds, and readers are expected to accept it.
//! The writer puts the version as the standard's text says (" 20\0"), the true length (in the
//! 2-byte field up to 65,535 bytes, else 0 then 4 bytes), and 2-degree angles.

use super::cursor::Cursor;
use super::iso2005::{read_view, write_view};
use super::{Format, Record, TemplateError, TemplateErrorKind};

pub(super) fn decode(bytes: &[u8]) -> Result<Record, TemplateError> {
    let mut c = Cursor::new(bytes);
    c.take(8, "format identifier")?;
    let mut length = c.u16("record length")? as usize;
    if length == 0 {
        length = c.u32("record length")? as usize;
    }
    if length > bytes.len() || length < 26 {
        return Err(TemplateError::new(
            TemplateErrorKind::LengthMismatch,
            "record length",
        ));
    }
    let owner = c.u16("CBEFF product owner")?;
    let ptype = c.u16("CBEFF product type")?;
    let capture_equipment = c.u16("capture equipment")?;
    let width = c.u16("image width")?;
    let height = c.u16("image height")?;
    let resolution_x = c.u16("x resolution")?;
    let resolution_y = c.u16("y resolution")?;
    let n_views = c.u8("number of finger views")?;
    c.u8("reserved byte")?;
    let mut views = Vec::with_capacity(n_views as usize);
    for v in 0..n_views {
        views.push(read_view(&mut c, v, 4)?);
    }
    Ok(Record {
        format: Format::Ansi2004,
        capture_equipment,
        cbeff_product: (owner as u32) << 16 | ptype as u32,
        width,
        height,
        resolution_x,
        resolution_y,
        views,
    })
}

/// Encodes a record in the ANSI/INCITS 378-2004 format, whatever format it was read from
/// (angles are converted to 2-degree units; the CBEFF product and capture equipment are kept).
pub fn encode_ansi2004(rec: &Record) -> Result<Vec<u8>, TemplateError> {
    let too_large = |f: &str| TemplateError::new(TemplateErrorKind::TooLarge, f);
    let mut body = Vec::with_capacity(256);
    body.extend_from_slice(&((rec.cbeff_product >> 16) as u16).to_be_bytes());
    body.extend_from_slice(&(rec.cbeff_product as u16).to_be_bytes());
    body.extend_from_slice(&rec.capture_equipment.to_be_bytes());
    for v in [rec.width, rec.height, rec.resolution_x, rec.resolution_y] {
        body.extend_from_slice(&v.to_be_bytes());
    }
    let n_views = u8::try_from(rec.views.len()).map_err(|_| too_large("number of finger views"))?;
    body.push(n_views);
    body.push(0);
    for (v, view) in rec.views.iter().enumerate() {
        write_view(&mut body, rec.format, Format::Ansi2004, v, view)?;
    }
    // Magic and version (8), then the 2-byte length, or 0 and a 4-byte length.
    let short = 8 + 2 + body.len();
    let mut out = Vec::with_capacity(short + 4);
    out.extend_from_slice(b"FMR\0 20\0");
    if let Ok(len) = u16::try_from(short) {
        out.extend_from_slice(&len.to_be_bytes());
    } else {
        let len = u32::try_from(short + 4).map_err(|_| too_large("record length"))?;
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&len.to_be_bytes());
    }
    out.extend_from_slice(&body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iso::{Extension, IsoMinutia, IsoMinutiaKind, View};

    fn record(views: usize, minutiae: usize) -> Record {
        Record {
            format: Format::Ansi2004,
            capture_equipment: 0x1234,
            cbeff_product: 0x0033_0101,
            width: 300,
            height: 400,
            resolution_x: 197,
            resolution_y: 197,
            views: (0..views)
                .map(|v| View {
                    position: (v % 11) as u8,
                    view_number: (v % 16) as u8,
                    impression_type: 0,
                    quality: 60,
                    minutiae: (0..minutiae)
                        .map(|i| IsoMinutia {
                            kind: if i % 2 == 0 {
                                IsoMinutiaKind::Ending
                            } else {
                                IsoMinutiaKind::Bifurcation
                            },
                            x: (i * 7 % 300) as u16,
                            y: (i * 13 % 400) as u16,
                            angle: (i % 180) as u8,
                            quality: (i % 101) as u8,
                        })
                        .collect(),
                    extensions: vec![Extension {
                        kind: 0x0001,
                        data: vec![v as u8; 3],
                    }],
                })
                .collect(),
        }
    }

    #[test]
    fn short_and_long_length_forms_round_trip() {
        for (views, minutiae) in [(1, 0), (2, 40), (60, 200)] {
            let rec = record(views, minutiae);
            let bytes = encode_ansi2004(&rec).unwrap();
            let long = bytes.len() > 0xffff;
            assert_eq!(long, views == 60, "{views} views");
            if long {
                assert_eq!(&bytes[8..10], &[0, 0]);
                assert_eq!(
                    u32::from_be_bytes(bytes[10..14].try_into().unwrap()) as usize,
                    bytes.len()
                );
            } else {
                assert_eq!(
                    u16::from_be_bytes([bytes[8], bytes[9]]) as usize,
                    bytes.len()
                );
            }
            assert_eq!(crate::iso::decode(&bytes).unwrap(), rec, "{views} views");
        }
    }

    #[test]
    fn every_truncation_of_a_written_record_is_rejected() {
        let bytes = encode_ansi2004(&record(2, 5)).unwrap();
        for cut in 0..bytes.len() {
            assert!(crate::iso::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }
}
