//! ISO/IEC 19794-2:2011 finger minutiae record, read only.
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
//! The record-level image size and resolution of [`Record`] are taken from the first representation.

use super::cursor::{Cursor, ensure};
use super::iso2005::{read_extensions, read_minutia};
use super::{Format, Record, TemplateError, TemplateErrorKind, View};

pub(super) fn decode(bytes: &[u8]) -> Result<Record, TemplateError> {
    let mut c = Cursor::new(bytes);
    c.take(8, "format identifier")?;
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
        c.take(9, &f("capture date and time"))?;
        c.u8(&f("capture device technology"))?;
        c.u16(&f("capture device vendor"))?;
        let device = c.u16(&f("capture device type"))?;
        let nq = c.u8(&f("number of quality records"))?;
        let mut quality = 0;
        for q in 0..nq {
            let score = c.u8(&f(&format!("quality record {q} score")))?;
            c.take(4, &f(&format!("quality record {q} vendor and algorithm")))?;
            if q == 0 {
                quality = if score == 255 { 0 } else { score };
            }
        }
        if certified == 1 {
            let nc = c.u8(&f("number of certification records"))?;
            c.take(3 * nc as usize, &f("certification records"))?;
        }
        let position = c.u8(&f("finger position"))?;
        ensure(position <= 10, &f("finger position"))?;
        let view_number = c.u8(&f("representation number"))?;
        let resolution_x = c.u16(&f("x resolution"))?;
        let resolution_y = c.u16(&f("y resolution"))?;
        let impression_type = c.u8(&f("impression type"))?;
        let width = c.u16(&f("image width"))?;
        let height = c.u16(&f("image height"))?;
        let bpm = c.u8(&f("minutia field length"))? >> 4;
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
            rec.capture_equipment = device & 0x0fff;
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
    }
    if c.remaining() != 0 {
        return Err(TemplateError::new(
            TemplateErrorKind::LengthMismatch,
            "total record length",
        ));
    }
    Ok(rec)
}
