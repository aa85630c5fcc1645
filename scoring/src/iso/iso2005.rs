//! ISO/IEC 19794-2:2005 finger minutiae record, read and write.
//!
//! ```text
//! offset size field
//!  0      4   "FMR\0"
//!  4      4   " 20\0"
//!  8      4   total record length
//! 12      2   capture equipment: 4-bit certification + 12-bit device type
//! 14      2+2 image width, height
//! 18      2+2 x, y resolution (pixels per cm)
//! 22      1   number of finger views
//! 23      1   reserved (0)
//! 24      4   per view: position, view number (4 bits) + impression type (4 bits), quality, minutia count
//!         6   per minutia: type (2 bits) + x (14 bits), reserved (2 bits) + y (14 bits), angle (360/256 deg), quality
//!         2   per view: extended data length, then areas of type (2), data length (2), data
//! ```

use super::cursor::{Cursor, ensure};
use super::{
    Extension, Format, IsoMinutia, IsoMinutiaKind, Record, TemplateError, TemplateErrorKind, View,
};

const HEADER: usize = 24;

pub(super) fn decode(bytes: &[u8]) -> Result<Record, TemplateError> {
    let mut c = Cursor::new(bytes);
    c.take(8, "format identifier")?;
    let length = c.u32("total record length")? as usize;
    // Records kept in fixed-size buffers come with zero padding after their declared end; anything else must match exactly.
    let padded = length < bytes.len() && length >= 12 && bytes[length..].iter().all(|&b| b == 0);
    if length != bytes.len() && !padded {
        return Err(TemplateError::new(
            TemplateErrorKind::LengthMismatch,
            "total record length",
        ));
    }
    let mut c = Cursor::new(&bytes[..length]);
    c.take(12, "total record length")?;
    let capture_equipment = c.u16("capture equipment")?;
    let width = c.u16("image width")?;
    let height = c.u16("image height")?;
    let resolution_x = c.u16("x resolution")?;
    let resolution_y = c.u16("y resolution")?;
    let n_views = c.u8("number of finger views")?;
    c.u8("reserved byte")?;
    let mut views = Vec::with_capacity(n_views as usize);
    for v in 0..n_views {
        views.push(read_view(&mut c, v, 0)?);
    }
    if c.remaining() != 0 {
        return Err(TemplateError::new(
            TemplateErrorKind::LengthMismatch,
            "total record length",
        ));
    }
    Ok(Record {
        format: Format::Iso2005,
        capture_equipment,
        cbeff_product: 0,
        width,
        height,
        resolution_x,
        resolution_y,
        views,
    })
}

/// Reads one 2005-layout view (also used by ANSI 378-2004, whose view layout is the same).
/// `ext_header` is 4 when an area's length counts its own type and length fields (ANSI), 0 otherwise.
pub(super) fn read_view(
    c: &mut Cursor<'_>,
    v: u8,
    ext_header: usize,
) -> Result<View, TemplateError> {
    let f = |name: &str| format!("view {v} {name}");
    let position = c.u8(&f("finger position"))?;
    ensure(position <= 10, &f("finger position"))?;
    let vi = c.u8(&f("view number and impression type"))?;
    let quality = c.u8(&f("finger quality"))?;
    ensure(quality <= 100, &f("finger quality"))?;
    let n = c.u8(&f("number of minutiae"))?;
    let mut minutiae = Vec::with_capacity(n as usize);
    for i in 0..n {
        minutiae.push(read_minutia(c, v, i, true)?);
    }
    let extensions = read_extensions(c, v, ext_header)?;
    Ok(View {
        position,
        view_number: vi >> 4,
        impression_type: vi & 0x0f,
        quality,
        minutiae,
        extensions,
    })
}

pub(super) fn read_minutia(
    c: &mut Cursor<'_>,
    v: u8,
    i: u8,
    with_quality: bool,
) -> Result<IsoMinutia, TemplateError> {
    // A field's name is formatted only when the field is refused: naming every field read made decoding
    // a 60-minutia record cost about 30 µs, nearly all of it in `format!`.
    let f = |name: &str| format!("view {v} minutia {i} {name}");
    let need = if with_quality { 6 } else { 5 };
    if c.remaining() < need {
        // The first field that runs out, as reading field by field would name it.
        let name = match c.remaining() {
            0 | 1 => "type and x",
            2 | 3 => "y",
            4 => "angle",
            _ => "quality",
        };
        return Err(TemplateError::new(TemplateErrorKind::Truncated, f(name)));
    }
    let b = c.take(need, "minutia")?;
    let tx = u16::from_be_bytes([b[0], b[1]]);
    let ry = u16::from_be_bytes([b[2], b[3]]);
    let angle = b[4];
    let quality = if with_quality { b[5] } else { 0 };
    let kind = match tx >> 14 {
        0 => IsoMinutiaKind::Other,
        1 => IsoMinutiaKind::Ending,
        2 => IsoMinutiaKind::Bifurcation,
        _ => return Err(TemplateError::new(TemplateErrorKind::Invalid, f("type"))),
    };
    if ry >> 14 != 0 {
        return Err(TemplateError::new(
            TemplateErrorKind::Invalid,
            f("reserved bits of y"),
        ));
    }
    if quality > 100 {
        return Err(TemplateError::new(TemplateErrorKind::Invalid, f("quality")));
    }
    Ok(IsoMinutia {
        kind,
        x: tx & 0x3fff,
        y: ry,
        angle,
        quality,
    })
}

pub(super) fn read_extensions(
    c: &mut Cursor<'_>,
    v: u8,
    ext_header: usize,
) -> Result<Vec<Extension>, TemplateError> {
    let total = c.u16(&format!("view {v} extended data length"))? as usize;
    let start = c.position();
    let mut out = Vec::new();
    while c.position() - start < total {
        let k = out.len();
        let kind = c.u16(&format!("view {v} extended area {k} type"))?;
        let len_field = format!("view {v} extended area {k} length");
        let len = c.u16(&len_field)? as usize;
        let mut len = len
            .checked_sub(ext_header)
            .ok_or_else(|| TemplateError::new(TemplateErrorKind::Invalid, &len_field))?;
        // Writers disagree on whether a 2005 area length counts its own 4-byte header: when the
        // length as read overruns the extended data block but fits without the header, it counted it.
        let left = total.saturating_sub(c.position() - start);
        if ext_header == 0 && len > left && len >= 4 && len - 4 <= left {
            len -= 4;
        }
        let data = c
            .take(len, &format!("view {v} extended area {k} data"))?
            .to_vec();
        out.push(Extension { kind, data });
    }
    if c.position() - start != total {
        return Err(TemplateError::new(
            TemplateErrorKind::LengthMismatch,
            format!("view {v} extended data length"),
        ));
    }
    Ok(out)
}

/// Encodes a record in the ISO/IEC 19794-2:2005 format, whatever format it was read from
/// (angles are converted from ANSI units when needed).
pub fn encode_iso2005(rec: &Record) -> Result<Vec<u8>, TemplateError> {
    let too_large = |f: &str| TemplateError::new(TemplateErrorKind::TooLarge, f);
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"FMR\0 20\0");
    out.extend_from_slice(&[0; 4]); // length, patched below
    out.extend_from_slice(&rec.capture_equipment.to_be_bytes());
    for v in [rec.width, rec.height, rec.resolution_x, rec.resolution_y] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let n_views = u8::try_from(rec.views.len()).map_err(|_| too_large("number of finger views"))?;
    out.push(n_views);
    out.push(0);
    debug_assert_eq!(out.len(), HEADER);
    for (v, view) in rec.views.iter().enumerate() {
        write_view(&mut out, rec.format, Format::Iso2005, v, view)?;
    }
    let len = u32::try_from(out.len()).map_err(|_| too_large("total record length"))?;
    out[8..12].copy_from_slice(&len.to_be_bytes());
    Ok(out)
}

/// Writes one 2005-layout view (the same layout in ANSI 378-2004) in format `to`; `from` is the
/// format the record's angles are in.
pub(super) fn write_view(
    out: &mut Vec<u8>,
    from: Format,
    to: Format,
    v: usize,
    view: &View,
) -> Result<(), TemplateError> {
    let too_large = |f: &str| TemplateError::new(TemplateErrorKind::TooLarge, f);
    if view.view_number > 15 || view.impression_type > 15 {
        return Err(too_large(&format!(
            "view {v} view number and impression type"
        )));
    }
    let n = u8::try_from(view.minutiae.len())
        .map_err(|_| too_large(&format!("view {v} number of minutiae")))?;
    out.extend_from_slice(&[
        view.position,
        view.view_number << 4 | view.impression_type,
        view.quality,
        n,
    ]);
    for (i, m) in view.minutiae.iter().enumerate() {
        if m.x > 0x3fff || m.y > 0x3fff {
            return Err(too_large(&format!("view {v} minutia {i} position")));
        }
        let t: u16 = match m.kind {
            IsoMinutiaKind::Other => 0,
            IsoMinutiaKind::Ending => 1,
            IsoMinutiaKind::Bifurcation => 2,
        };
        out.extend_from_slice(&(t << 14 | m.x).to_be_bytes());
        out.extend_from_slice(&m.y.to_be_bytes());
        let angle = match (from, to) {
            (Format::Ansi2004, Format::Ansi2004) => m.angle,
            (Format::Ansi2004, _) => ((m.angle as u32 * 2 * 256 + 180) / 360 % 256) as u8,
            (_, Format::Ansi2004) => ((m.angle as u32 * 360 + 256) / 512 % 180) as u8,
            _ => m.angle,
        };
        out.extend_from_slice(&[angle, m.quality]);
    }
    // ANSI 378 counts an area's own 4-byte type and length fields in its length; ISO 2005 does not.
    let own_header = if to == Format::Ansi2004 { 4 } else { 0 };
    let ext_len: usize = view.extensions.iter().map(|e| 4 + e.data.len()).sum();
    let ext_len =
        u16::try_from(ext_len).map_err(|_| too_large(&format!("view {v} extended data length")))?;
    out.extend_from_slice(&ext_len.to_be_bytes());
    for e in &view.extensions {
        out.extend_from_slice(&e.kind.to_be_bytes());
        out.extend_from_slice(&((e.data.len() + own_header) as u16).to_be_bytes());
        out.extend_from_slice(&e.data);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rustfmt::skip]
    const ONE_MINUTIA: &[u8] = &[
        0x46, 0x4D, 0x52, 0x00,         // "FMR\0"
        0x20, 0x32, 0x30, 0x00,         // " 20\0"
        0x00, 0x00, 0x00, 0x24,         // total length 36
        0x00, 0x00,                     // capture equipment
        0x01, 0x2C, 0x01, 0x90,         // 300 x 400
        0x00, 0xC5, 0x00, 0xC5,         // 197 px/cm
        0x01, 0x00,                     // 1 view, reserved
        0x00, 0x00, 0x00, 0x01,         // position 0, view 0 / live plain, quality 0, 1 minutia
        0x80, 0xA5, 0x00, 0x30, 0x6B, 0x00, // bifurcation x 165, y 48, angle 107, quality 0
        0x00, 0x00,                     // no extended data
    ];

    #[test]
    fn decodes_and_reencodes_a_minimal_record() {
        let rec = decode(ONE_MINUTIA).unwrap();
        let m = rec.views[0].minutiae[0];
        assert_eq!(
            (m.kind, m.x, m.y, m.angle),
            (IsoMinutiaKind::Bifurcation, 165, 48, 107)
        );
        assert_eq!(encode_iso2005(&rec).unwrap(), ONE_MINUTIA);
    }

    #[test]
    fn every_truncation_is_rejected_naming_a_field() {
        for cut in 0..ONE_MINUTIA.len() {
            let err = super::super::decode(&ONE_MINUTIA[..cut]).unwrap_err();
            assert!(!err.field().is_empty(), "cut {cut}");
        }
    }

    #[test]
    fn zero_padding_after_the_record_is_ignored_but_other_trailing_bytes_are_not() {
        let mut b = ONE_MINUTIA.to_vec();
        b.extend_from_slice(&[0, 0, 0]);
        assert_eq!(decode(&b).unwrap(), decode(ONE_MINUTIA).unwrap());
        b.push(1);
        assert_eq!(decode(&b).unwrap_err().field(), "total record length");
    }

    #[test]
    fn a_minutia_cut_short_names_the_field_that_runs_out() {
        let minutia = &ONE_MINUTIA[28..34];
        let names = ["type and x", "type and x", "y", "y", "angle", "quality"];
        for (cut, name) in names.iter().enumerate() {
            let mut c = Cursor::new(&minutia[..cut]);
            let err = read_minutia(&mut c, 2, 7, true).unwrap_err();
            assert_eq!(err.kind(), TemplateErrorKind::Truncated);
            assert_eq!(err.field(), format!("view 2 minutia 7 {name}"));
        }
        // Without a quality byte (ISO 2011's five-byte minutiae), five bytes are whole.
        let mut c = Cursor::new(&minutia[..5]);
        assert_eq!(read_minutia(&mut c, 0, 0, false).unwrap().quality, 0);
        let mut c = Cursor::new(&minutia[..4]);
        assert_eq!(
            read_minutia(&mut c, 0, 0, false).unwrap_err().field(),
            "view 0 minutia 0 angle"
        );
    }

    #[test]
    fn reserved_minutia_type_is_rejected() {
        let mut b = ONE_MINUTIA.to_vec();
        b[28] = 0xC0;
        let err = decode(&b).unwrap_err();
        assert_eq!(err.field(), "view 0 minutia 0 type");
    }
}
