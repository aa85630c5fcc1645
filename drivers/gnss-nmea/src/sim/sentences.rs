//! Writing NMEA 0183 sentences (the simulator's side). Pure.
//!
//! The `nmea` crate only parses, so the four sentences are formatted here by hand; the tests parse every one of
//! them back with `nmea`. Positions carry 8 decimals of arc minutes (about 0.02 mm), as high-precision RTK
//! receivers do, so the sentence text never limits the simulator's accuracy.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike};

use crate::fix::{Fix, FixQuality};
use crate::sentence::KMH_PER_KNOT;

/// The XOR checksum of the characters between `$` and `*`.
pub fn checksum(body: &str) -> u8 {
    body.bytes().fold(0, |c, b| c ^ b)
}

/// `$<body>*<hh>\r\n`.
pub fn frame(body: &str) -> String {
    format!("${body}*{:02X}\r\n", checksum(body))
}

fn hhmmss(time_of_day_ms: u32) -> String {
    let cs = (time_of_day_ms % 86_400_000) / 10;
    let (h, m, s, c) = (cs / 360_000, cs / 6_000 % 60, cs / 100 % 60, cs % 100);
    format!("{h:02}{m:02}{s:02}.{c:02}")
}

/// `ddmm.mmmmmmmm,N` or `dddmm.mmmmmmmm,E` with 8 decimals of minutes, rounded once as an integer so that
/// 59.999999995' carries into the degrees.
fn angle(deg: f64, deg_digits: usize, pos: char, neg: char) -> String {
    const UNITS_PER_MIN: u64 = 100_000_000;
    let units = (deg.abs() * 60.0 * UNITS_PER_MIN as f64).round() as u64;
    let (d, rem) = (units / (60 * UNITS_PER_MIN), units % (60 * UNITS_PER_MIN));
    let (m, frac) = (rem / UNITS_PER_MIN, rem % UNITS_PER_MIN);
    let hemi = if deg < 0.0 { neg } else { pos };
    format!("{d:0deg_digits$}{m:02}.{frac:08},{hemi}")
}

fn lat_lon(fix: &Fix) -> String {
    match fix.position {
        Some(p) => format!(
            "{},{}",
            angle(p.lat_deg, 2, 'N', 'S'),
            angle(p.lon_deg, 3, 'E', 'W')
        ),
        None => ",,,".to_owned(),
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The FAA mode letter of RMC and VTG (NMEA 2.3+, with 4.x's R and F for RTK).
fn mode(q: FixQuality) -> char {
    match q {
        FixQuality::Invalid => 'N',
        FixQuality::Autonomous | FixQuality::Pps => 'A',
        FixQuality::Differential => 'D',
        FixQuality::RtkFixed => 'R',
        FixQuality::RtkFloat => 'F',
        FixQuality::DeadReckoning => 'E',
        FixQuality::Manual => 'M',
        FixQuality::Simulation => 'S',
    }
}

/// GGA. `geoid_separation_m` splits the fix's ellipsoidal height into MSL altitude + separation.
pub fn gga(talker: &str, fix: &Fix, geoid_separation_m: f64) -> String {
    let mut b = format!(
        "{talker}GGA,{},{},{},",
        hhmmss(fix.time_of_day_ms),
        lat_lon(fix),
        fix.quality.gga_digit()
    );
    let _ = write!(
        b,
        "{},{},",
        opt(fix.satellites.map(|n| format!("{n:02}"))),
        opt(fix.hdop.map(|h| format!("{h:.2}")))
    );
    match fix.position {
        Some(p) => {
            let _ = write!(
                b,
                "{:.4},M,{geoid_separation_m:.4},M,",
                p.height_m - geoid_separation_m
            );
        }
        None => b.push_str(",M,,M,"),
    }
    let _ = write!(b, "{},", opt(fix.age_s.map(|a| format!("{a:.1}"))));
    if fix.age_s.is_some() {
        b.push_str("0000");
    }
    frame(&b)
}

/// RMC. The date comes from `fix.unix_ms` (empty when unknown).
pub fn rmc(talker: &str, fix: &Fix) -> String {
    let status = if fix.quality.is_measured() { 'A' } else { 'V' };
    let date = fix
        .unix_ms
        .and_then(DateTime::from_timestamp_millis)
        .map(|d| {
            format!(
                "{:02}{:02}{:02}",
                d.day(),
                d.month(),
                d.year().rem_euclid(100)
            )
        })
        .unwrap_or_default();
    let b = format!(
        "{talker}RMC,{},{status},{},{},{},{date},,,{}",
        hhmmss(fix.time_of_day_ms),
        lat_lon(fix),
        opt(fix.speed_kmh.map(|v| format!("{:.4}", v / KMH_PER_KNOT))),
        opt(fix.course_deg.map(|c| format!("{c:.3}"))),
        mode(fix.quality)
    );
    frame(&b)
}

/// VTG.
pub fn vtg(talker: &str, fix: &Fix) -> String {
    let b = format!(
        "{talker}VTG,{},T,,M,{},N,{},K,{}",
        opt(fix.course_deg.map(|c| format!("{c:.3}"))),
        opt(fix.speed_kmh.map(|v| format!("{:.4}", v / KMH_PER_KNOT))),
        opt(fix.speed_kmh.map(|v| format!("{v:.4}"))),
        mode(fix.quality)
    );
    frame(&b)
}

/// HDT.
pub fn hdt(talker: &str, fix: &Fix) -> String {
    frame(&format!(
        "{talker}HDT,{},T",
        opt(fix.heading_deg.map(|h| format!("{h:.4}")))
    ))
}

/// One epoch's burst in the usual order: GGA, RMC, VTG, HDT.
pub fn epoch(talker: &str, fix: &Fix, geoid_separation_m: f64) -> String {
    let mut s = gga(talker, fix, geoid_separation_m);
    s.push_str(&rmc(talker, fix));
    s.push_str(&vtg(talker, fix));
    s.push_str(&hdt(talker, fix));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::Geodetic;
    use crate::sentence::{Sentence, parse_sentence};
    use proptest::prelude::*;

    #[test]
    fn checksums_and_frames() {
        assert_eq!(checksum("HEHDT,341.8,T"), 0x21);
        assert_eq!(frame("HEHDT,341.8,T"), "$HEHDT,341.8,T*21\r\n");
        assert_eq!(hhmmss(12 * 3_600_000 + 35 * 60_000 + 19_990), "123519.99");
        assert_eq!(angle(48.117_3, 2, 'N', 'S'), "4807.03800000,N");
        assert_eq!(angle(-0.5, 3, 'E', 'W'), "00030.00000000,W");
        // 59.999999999' rounds up into the next degree, not to 60'.
        assert_eq!(angle(10.0 - 1e-12, 2, 'N', 'S'), "1000.00000000,N");
    }

    #[test]
    fn an_invalid_fix_writes_empty_fields_that_parse() {
        let f = Fix {
            time_of_day_ms: 1000,
            unix_ms: None,
            position: None,
            quality: FixQuality::Invalid,
            satellites: Some(0),
            hdop: None,
            age_s: None,
            heading_deg: None,
            course_deg: None,
            speed_kmh: None,
        };
        for line in epoch("GN", &f, 0.0).lines() {
            parse_sentence(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn every_written_sentence_parses_back(
            lat in -80.0f64..80.0, lon in -179.9f64..179.9, h in -100.0f64..2000.0,
            t in 0u32..86_400_000, q in 0u8..=8, heading in 0.0f64..360.0, v in 0.0f64..150.0,
        ) {
            let quality = FixQuality::from(nmea::sentences::FixType::from(char::from(b'0' + q)));
            let f = Fix {
                time_of_day_ms: t / 10 * 10,
                unix_ms: Some(1_795_910_400_000 + i64::from(t / 10 * 10)),
                position: Some(Geodetic { lat_deg: lat, lon_deg: lon, height_m: h }),
                quality,
                satellites: Some(20),
                hdop: Some(0.7),
                age_s: Some(1.5),
                heading_deg: Some(heading),
                course_deg: Some(heading),
                speed_kmh: Some(v),
            };
            for line in epoch("GN", &f, -8.5).lines() {
                prop_assert!(line.len() <= 102, "{line}");
                match parse_sentence(line) {
                    Ok(Sentence::Gga(g)) => {
                        let (plat, plon) = g.lat_lon.unwrap();
                        prop_assert!((plat - lat).abs() < 1e-9 && (plon - lon).abs() < 1e-9);
                        prop_assert_eq!(g.quality, quality);
                        prop_assert_eq!(g.time_of_day_ms, Some(f.time_of_day_ms));
                        prop_assert!((g.altitude_m.unwrap() + g.geoid_separation_m.unwrap() - h).abs() < 1e-3);
                    }
                    Ok(Sentence::Rmc(r)) => {
                        prop_assert_eq!(r.unix_day, Some(1_795_910_400 / 86_400));
                        prop_assert!((r.speed_kmh.unwrap() - v).abs() < 1e-3);
                    }
                    Ok(Sentence::Vtg(x)) => prop_assert!((x.course_deg.unwrap() - heading).abs() < 1e-3),
                    Ok(Sentence::Hdt(x)) => prop_assert!((x.heading_deg.unwrap() - heading).abs() < 1e-3),
                    other => prop_assert!(false, "{line}: {other:?}"),
                }
            }
        }
    }
}
