//! Standard minutiae templates: ISO/IEC 19794-2:2005, ISO/IEC 19794-2:2011 and ANSI/INCITS
//! 378-2004, read and write.
//!
//! All three formats share one in-memory model, [`Record`], which keeps every field the
//! 2005 format can hold so that decoding and re-encoding a 2005 record gives back the same bytes;
//! the fields only a 2011 record has are kept beside it in [`Iso2011Record`].
//! Multi-byte fields are big-endian in every format. The byte layouts are in `iso2005.rs`,
//! `iso2011.rs` and `ansi2004.rs`; each field read names itself, so a malformed record is
//! rejected with an error that names the field at fault.

mod ansi2004;
mod cursor;
mod error;
mod iso2005;
mod iso2011;

pub use ansi2004::encode_ansi2004;
pub use error::{TemplateError, TemplateErrorKind};
pub use iso2005::encode_iso2005;
pub use iso2011::{
    CaptureTime, Certification, Iso2011Record, QualityRecord, Representation, decode_iso2011,
    encode_iso2011, encode_iso2011_record,
};

/// The standard a record was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// ISO/IEC 19794-2:2005, version " 20".
    Iso2005,
    /// ISO/IEC 19794-2:2011, version "030".
    Iso2011,
    /// ANSI/INCITS 378-2004, version " 20" with a 2- or 6-byte length field.
    Ansi2004,
}

impl Format {
    /// Degrees per unit of the stored minutia angle: 360/256 for ISO, 2 for ANSI 378.
    pub fn angle_unit_degrees(self) -> f32 {
        match self {
            Format::Iso2005 | Format::Iso2011 => 360.0 / 256.0,
            Format::Ansi2004 => 2.0,
        }
    }
}

/// A minutiae record: one or more finger views from one capture device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The standard the record was read from (or is meant for).
    pub format: Format,
    /// The 16-bit capture equipment field: 4-bit certification flags (high) and 12-bit device type id.
    pub capture_equipment: u16,
    /// ANSI 378 only: CBEFF product owner and product type; zero for ISO records.
    pub cbeff_product: u32,
    /// Image width in pixels.
    pub width: u16,
    /// Image height in pixels.
    pub height: u16,
    /// Horizontal resolution in pixels per centimetre (197 ≈ 500 ppi).
    pub resolution_x: u16,
    /// Vertical resolution in pixels per centimetre.
    pub resolution_y: u16,
    /// The finger views, in record order.
    pub views: Vec<View>,
}

/// One finger view: its minutiae and extended data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// Finger position code, 0 (unknown) to 10.
    pub position: u8,
    /// View number (4 bits).
    pub view_number: u8,
    /// Impression type code (4 bits in the 2005 format: 0 live plain, 1 live rolled, 2 nonlive plain, 3 nonlive rolled, 8 swipe).
    pub impression_type: u8,
    /// Finger quality 0–100 (0 = not reported).
    pub quality: u8,
    /// The minutiae.
    pub minutiae: Vec<IsoMinutia>,
    /// Extended data areas, kept as raw bytes.
    pub extensions: Vec<Extension>,
}

/// The type of a minutia as coded in the two top bits of its x field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsoMinutiaKind {
    /// `00`: other (neither ending nor bifurcation).
    Other,
    /// `01`: ridge ending.
    Ending,
    /// `10`: ridge bifurcation.
    Bifurcation,
}

/// A minutia as stored: pixel position, raw angle units and quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoMinutia {
    /// Minutia type.
    pub kind: IsoMinutiaKind,
    /// x in pixels (14 bits), from the left edge.
    pub x: u16,
    /// y in pixels (14 bits), from the top edge.
    pub y: u16,
    /// Angle in the format's units (see [`Format::angle_unit_degrees`]), counter-clockwise from the x axis.
    pub angle: u8,
    /// Quality 0–100 (0 = not reported).
    pub quality: u8,
}

/// An extended data area (ridge counts, core and delta, vendor data ...), undecoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// The 16-bit area type code.
    pub kind: u16,
    /// The area's data, without its type and length fields.
    pub data: Vec<u8>,
}

const MAGIC: &[u8; 4] = b"FMR\0";

/// Decodes a record of any supported format, recognising the format from its header.
///
/// ```
/// let rec = scoring::iso::decode(&[0x46, 0x4D]).unwrap_err();
/// assert_eq!(rec.field(), "format identifier");
/// ```
pub fn decode(bytes: &[u8]) -> Result<Record, TemplateError> {
    let unknown = |f: &str| TemplateError::new(TemplateErrorKind::UnknownFormat, f);
    if bytes.len() < 8 {
        return Err(TemplateError::new(
            TemplateErrorKind::Truncated,
            "format identifier",
        ));
    }
    if &bytes[0..4] != MAGIC {
        return Err(unknown("format identifier"));
    }
    match &bytes[4..8] {
        b" 20\0" => {
            if looks_like_ansi2004(bytes) {
                ansi2004::decode(bytes)
            } else {
                iso2005::decode(bytes)
            }
        }
        // The example printed in ANSI 378-2004 itself says "020"; readers accept it.
        b"020\0" => ansi2004::decode(bytes),
        b"030\0" => iso2011::decode(bytes),
        _ => Err(unknown("version number")),
    }
}

/// ISO 2005 and ANSI 2004 share magic and version; ANSI's length field is 2 bytes (or 0 then 4 bytes).
/// A first 16-bit word of 26 or more can only be an ANSI length (the high half of an ISO length is 0 below 64 KiB);
/// a zero first word followed by a word under 24 is ANSI's 6-byte form (an ISO record is at least 28 bytes).
fn looks_like_ansi2004(bytes: &[u8]) -> bool {
    if bytes.len() < 12 {
        return false;
    }
    let w0 = u16::from_be_bytes([bytes[8], bytes[9]]);
    let w1 = u16::from_be_bytes([bytes[10], bytes[11]]);
    if w0 >= 26 {
        true
    } else if w0 > 0 {
        false
    } else {
        // ANSI with a 6-byte length field has a 32-bit length whose high half is small.
        w1 < 24
    }
}
