//! The internal minutiae template: what extraction produces and matching consumes.
//!
//! Positions are pixels at 500 ppi from the top-left corner (x right, y down); angles are the
//! ridge direction counter-clockwise from the x axis as seen on screen, in 1/65536 of a turn.
//! [`Template::to_bytes`] writes a compact, versioned binary form (8 bytes a minutia).

use crate::iso::{
    self, Format, IsoMinutia, IsoMinutiaKind, Record, TemplateError, TemplateErrorKind, View,
};
use std::f32::consts::TAU;

/// The most minutiae a template holds; extraction keeps the best ones. 120 × 8 + 12 ≤ 1 KiB.
pub const MAX_MINUTIAE: usize = 120;

/// Magic and version of the internal binary format.
const MAGIC: &[u8; 3] = b"FPT";
const VERSION: u8 = 1;
const HEADER: usize = 12;

/// The type of a minutia.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MinutiaKind {
    /// A ridge ends.
    Ending,
    /// A ridge splits in two.
    Bifurcation,
    /// Unknown or other.
    Other,
}

/// One minutia.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minutia {
    /// x in pixels at 500 ppi.
    pub x: u16,
    /// y in pixels at 500 ppi (down).
    pub y: u16,
    /// Direction in 1/65536 of a turn, counter-clockwise on screen from the x axis.
    pub angle: u16,
    /// Ending, bifurcation or other.
    pub kind: MinutiaKind,
    /// Quality 0–100 (0 = unknown).
    pub quality: u8,
}

impl Minutia {
    /// The direction in radians, 0..2π.
    pub fn angle_rad(&self) -> f32 {
        self.angle as f32 * (TAU / 65536.0)
    }

    /// Converts radians (any value) to the stored units.
    pub fn angle_from_rad(rad: f32) -> u16 {
        let t = rad.rem_euclid(TAU) / TAU * 65536.0;
        (t.round() as u32 % 65536) as u16
    }
}

/// A fingerprint template: image size and minutiae, at 500 ppi.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Image width in pixels at 500 ppi.
    pub width: u16,
    /// Image height in pixels at 500 ppi.
    pub height: u16,
    /// Image quality 0–100 as judged by the extractor (0 = unknown).
    pub quality: u8,
    /// The minutiae, at most [`MAX_MINUTIAE`].
    pub minutiae: Vec<Minutia>,
}

impl Template {
    /// Writes the internal binary format: `"FPT"`, version, width, height, quality, reserved, count (u16),
    /// then per minutia x, y, angle (u16 each), type, quality. All big-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + 8 * self.minutiae.len());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&self.width.to_be_bytes());
        out.extend_from_slice(&self.height.to_be_bytes());
        out.push(self.quality);
        out.push(0);
        out.extend_from_slice(&(self.minutiae.len() as u16).to_be_bytes());
        for m in &self.minutiae {
            out.extend_from_slice(&m.x.to_be_bytes());
            out.extend_from_slice(&m.y.to_be_bytes());
            out.extend_from_slice(&m.angle.to_be_bytes());
            out.push(match m.kind {
                MinutiaKind::Other => 0,
                MinutiaKind::Ending => 1,
                MinutiaKind::Bifurcation => 2,
            });
            out.push(m.quality);
        }
        out
    }

    /// Reads the internal binary format written by [`Template::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Template, TemplateError> {
        let err = |k, f: &str| TemplateError::new(k, f);
        if bytes.len() < HEADER {
            return Err(err(TemplateErrorKind::Truncated, "header"));
        }
        if &bytes[0..3] != MAGIC {
            return Err(err(TemplateErrorKind::UnknownFormat, "magic"));
        }
        if bytes[3] != VERSION {
            return Err(err(TemplateErrorKind::UnknownFormat, "version"));
        }
        let u16at = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
        let n = u16at(10) as usize;
        if n > MAX_MINUTIAE {
            return Err(err(TemplateErrorKind::TooLarge, "number of minutiae"));
        }
        if bytes.len() != HEADER + 8 * n {
            return Err(err(TemplateErrorKind::LengthMismatch, "number of minutiae"));
        }
        if bytes[8] > 100 {
            return Err(err(TemplateErrorKind::Invalid, "quality"));
        }
        let mut minutiae = Vec::with_capacity(n);
        for i in 0..n {
            let o = HEADER + 8 * i;
            let kind = match bytes[o + 6] {
                0 => MinutiaKind::Other,
                1 => MinutiaKind::Ending,
                2 => MinutiaKind::Bifurcation,
                _ => {
                    return Err(err(
                        TemplateErrorKind::Invalid,
                        &format!("minutia {i} type"),
                    ));
                }
            };
            minutiae.push(Minutia {
                x: u16at(o),
                y: u16at(o + 2),
                angle: u16at(o + 4),
                kind,
                quality: bytes[o + 7],
            });
        }
        Ok(Template {
            width: u16at(4),
            height: u16at(6),
            quality: bytes[8],
            minutiae,
        })
    }

    /// Takes the first view of a standard record, rescaling positions to 500 ppi.
    pub fn from_record(rec: &Record) -> Result<Template, TemplateError> {
        let view = rec.views.first().ok_or_else(|| {
            TemplateError::new(TemplateErrorKind::Invalid, "number of finger views")
        })?;
        let sx = scale_to_500(rec.resolution_x);
        let sy = scale_to_500(rec.resolution_y);
        let unit = rec.format.angle_unit_degrees().to_radians();
        let mut minutiae: Vec<Minutia> = view
            .minutiae
            .iter()
            .map(|m| Minutia {
                x: (m.x as f32 * sx).round().min(u16::MAX as f32) as u16,
                y: (m.y as f32 * sy).round().min(u16::MAX as f32) as u16,
                angle: Minutia::angle_from_rad(m.angle as f32 * unit),
                kind: match m.kind {
                    IsoMinutiaKind::Ending => MinutiaKind::Ending,
                    IsoMinutiaKind::Bifurcation => MinutiaKind::Bifurcation,
                    IsoMinutiaKind::Other => MinutiaKind::Other,
                },
                quality: m.quality,
            })
            .collect();
        minutiae.truncate(MAX_MINUTIAE);
        Ok(Template {
            width: (rec.width as f32 * sx).round().min(u16::MAX as f32) as u16,
            height: (rec.height as f32 * sy).round().min(u16::MAX as f32) as u16,
            quality: view.quality,
            minutiae,
        })
    }

    /// Decodes any supported standard record (see [`iso::decode`]) into a template.
    pub fn from_standard_bytes(bytes: &[u8]) -> Result<Template, TemplateError> {
        Template::from_record(&iso::decode(bytes)?)
    }

    /// Builds an ISO/IEC 19794-2:2005 record (one view, 197 px/cm) from this template.
    pub fn to_record(&self) -> Record {
        let minutiae = self
            .minutiae
            .iter()
            .map(|m| IsoMinutia {
                kind: match m.kind {
                    MinutiaKind::Ending => IsoMinutiaKind::Ending,
                    MinutiaKind::Bifurcation => IsoMinutiaKind::Bifurcation,
                    MinutiaKind::Other => IsoMinutiaKind::Other,
                },
                x: m.x.min(0x3fff),
                y: m.y.min(0x3fff),
                angle: ((m.angle as u32 + 128) >> 8) as u8,
                quality: m.quality.min(100),
            })
            .collect();
        Record {
            format: Format::Iso2005,
            capture_equipment: 0,
            cbeff_product: 0,
            width: self.width,
            height: self.height,
            resolution_x: 197,
            resolution_y: 197,
            views: vec![View {
                position: 0,
                view_number: 0,
                impression_type: 0,
                quality: self.quality.min(100),
                minutiae,
                extensions: Vec::new(),
            }],
        }
    }

    /// Encodes this template as an ISO/IEC 19794-2:2005 record.
    pub fn to_iso2005(&self) -> Vec<u8> {
        // A template never holds more than MAX_MINUTIAE (< 256) minutiae, so encoding cannot fail.
        iso::encode_iso2005(&self.to_record()).unwrap_or_default()
    }
}

/// The factor from a resolution in pixels per centimetre to 500 ppi; 197 px/cm counts as exactly 500 ppi.
fn scale_to_500(px_per_cm: u16) -> f32 {
    if px_per_cm == 0 || px_per_cm == 197 {
        1.0
    } else {
        500.0 / (px_per_cm as f32 * 2.54)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_minutia() -> impl Strategy<Value = Minutia> {
        (0u16..2000, 0u16..2000, any::<u16>(), 0u8..3, 0u8..=100).prop_map(
            |(x, y, angle, k, quality)| Minutia {
                x,
                y,
                angle,
                kind: [
                    MinutiaKind::Other,
                    MinutiaKind::Ending,
                    MinutiaKind::Bifurcation,
                ][k as usize],
                quality,
            },
        )
    }

    proptest! {
        #[test]
        fn bytes_round_trip(w in any::<u16>(), h in any::<u16>(), q in 0u8..=100,
                            ms in proptest::collection::vec(arb_minutia(), 0..=MAX_MINUTIAE)) {
            let t = Template { width: w, height: h, quality: q, minutiae: ms };
            let b = t.to_bytes();
            prop_assert!(b.len() <= 1024);
            prop_assert_eq!(Template::from_bytes(&b).unwrap(), t);
        }

        #[test]
        fn from_bytes_never_panics(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Template::from_bytes(&b);
        }

        #[test]
        fn iso_round_trip_keeps_positions_and_angles_within_a_unit(
                ms in proptest::collection::vec(arb_minutia(), 0..=MAX_MINUTIAE)) {
            let t = Template { width: 500, height: 500, quality: 50, minutiae: ms };
            let back = Template::from_standard_bytes(&t.to_iso2005()).unwrap();
            prop_assert_eq!(back.minutiae.len(), t.minutiae.len());
            for (a, b) in t.minutiae.iter().zip(&back.minutiae) {
                prop_assert_eq!((a.x, a.y, a.kind), (b.x, b.y, b.kind));
                let d = a.angle.wrapping_sub(b.angle).min(b.angle.wrapping_sub(a.angle));
                prop_assert!(d <= 129, "angle {} vs {}", a.angle, b.angle);
            }
        }
    }
}
