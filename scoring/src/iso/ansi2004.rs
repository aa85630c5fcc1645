//! ANSI/INCITS 378-2004 finger minutiae record, read only.
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

use super::cursor::Cursor;
use super::iso2005::read_view;
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
