//! One NMEA 0183 line → one typed sentence, through the `nmea` crate (framing, checksum, field parsing).
//! Pure.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use nmea::ParseResult;

use crate::fix::FixQuality;

/// The sentences this driver uses; others are [`Sentence::Other`].
#[derive(Debug, Clone, PartialEq)]
pub enum Sentence {
    /// Position, fix quality, satellites, HDOP, altitude, correction age.
    Gga(Gga),
    /// Time, date, status, position, speed and course.
    Rmc(Rmc),
    /// True heading (dual-antenna RTK).
    Hdt(Hdt),
    /// Course and speed over ground.
    Vtg(Vtg),
    /// A valid sentence of another type (GSA, GSV, …), named by its address field (e.g. `GPGSV`).
    Other(String),
}

/// GGA, global positioning fix data.
#[derive(Debug, Clone, PartialEq)]
pub struct Gga {
    /// UTC time of day, ms.
    pub time_of_day_ms: Option<u32>,
    /// Latitude and longitude, degrees.
    pub lat_lon: Option<(f64, f64)>,
    /// Field 6.
    pub quality: FixQuality,
    /// Satellites in use.
    pub satellites: Option<u32>,
    /// HDOP.
    pub hdop: Option<f32>,
    /// Altitude above mean sea level, metres.
    pub altitude_m: Option<f64>,
    /// Geoid separation (ellipsoid height − MSL altitude), metres.
    pub geoid_separation_m: Option<f64>,
    /// Age of differential corrections, seconds (field 13; read here, the `nmea` crate skips it).
    pub age_s: Option<f32>,
}

/// RMC, recommended minimum data.
#[derive(Debug, Clone, PartialEq)]
pub struct Rmc {
    /// UTC time of day, ms.
    pub time_of_day_ms: Option<u32>,
    /// UTC date as days since 1970-01-01.
    pub unix_day: Option<i64>,
    /// Status A/D (valid) or V (void).
    pub valid: bool,
    /// The FAA mode letter (NMEA 2.3+; 4.x adds R and F for RTK fixed and float) as a quality.
    pub mode: Option<FixQuality>,
    /// Latitude and longitude, degrees.
    pub lat_lon: Option<(f64, f64)>,
    /// Speed over ground, km/h.
    pub speed_kmh: Option<f64>,
    /// Course over ground, degrees true.
    pub course_deg: Option<f64>,
}

/// HDT, true heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Hdt {
    /// Degrees clockwise from true north.
    pub heading_deg: Option<f64>,
}

/// VTG, course and speed over ground.
#[derive(Debug, Clone, PartialEq)]
pub struct Vtg {
    /// Degrees true.
    pub course_deg: Option<f64>,
    /// km/h.
    pub speed_kmh: Option<f64>,
}

/// Kilometres per hour in one knot.
pub const KMH_PER_KNOT: f64 = 1.852;

/// A line that is not a usable sentence. Every variant names the sentence (its address field, e.g. `GNGGA`)
/// when the line has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SentenceError {
    /// Not `$<address>,<fields>*<hh>`: line noise, a cut line, a missing checksum.
    #[error("not an NMEA sentence: {line:?}")]
    Framing {
        /// The line (cut to 100 characters).
        line: String,
    },
    /// The checksum does not match.
    #[error("{sentence}: bad checksum (sent {found:02X}, computed {computed:02X})")]
    Checksum {
        /// The address field.
        sentence: String,
        /// The checksum in the line.
        found: u8,
        /// The XOR of the characters between `$` and `*`.
        computed: u8,
    },
    /// Framed and checksummed, but a field does not parse.
    #[error("{sentence}: malformed: {reason}")]
    Malformed {
        /// The address field.
        sentence: String,
        /// What the `nmea` crate said.
        reason: String,
    },
    /// Longer than any NMEA sentence; discarded up to the next line end.
    #[error("line of {len} bytes is too long for NMEA 0183")]
    TooLong {
        /// Bytes seen before giving up.
        len: usize,
    },
}

fn address(line: &str) -> Option<&str> {
    let body = line.strip_prefix('$')?;
    let end = body.find([',', '*']).unwrap_or(body.len());
    let a = &body[..end];
    (!a.is_empty() && a.len() <= 6 && a.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(a)
}

fn cut(line: &str) -> String {
    line.chars().take(100).collect()
}

fn time_ms(t: NaiveTime) -> u32 {
    t.num_seconds_from_midnight() * 1000 + (t.nanosecond() / 1_000_000).min(999)
}

fn unix_day(d: NaiveDate) -> i64 {
    // 719_163 days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
    i64::from(d.num_days_from_ce()) - 719_163
}

/// Field 13 of a GGA (age of differential corrections), which the `nmea` crate does not return.
fn gga_age(line: &str) -> Option<f32> {
    field(line, 13)?.trim().parse().ok()
}

/// Field `n` (the address is field 0) of a framed sentence.
fn field(line: &str, n: usize) -> Option<&str> {
    line.split('*').next()?.split(',').nth(n)
}

fn other_checked(line: &str, addr: &str) -> Result<Sentence, SentenceError> {
    let framing = || SentenceError::Framing { line: cut(line) };
    let (body, sum) = line[1..].rsplit_once('*').ok_or_else(framing)?;
    let found = (sum.len() == 2)
        .then(|| u8::from_str_radix(sum, 16).ok())
        .flatten()
        .ok_or_else(framing)?;
    let computed = body.bytes().fold(0, |c, b| c ^ b);
    if found != computed {
        return Err(SentenceError::Checksum {
            sentence: addr.to_owned(),
            found,
            computed,
        });
    }
    Ok(Sentence::Other(addr.to_owned()))
}

/// Parses one line (without its CR LF).
pub fn parse_sentence(line: &str) -> Result<Sentence, SentenceError> {
    let Some(addr) = address(line) else {
        return Err(SentenceError::Framing { line: cut(line) });
    };
    let named = |reason: String| SentenceError::Malformed {
        sentence: addr.to_owned(),
        reason,
    };
    // Proprietary (`$P…`) and standard types the crate does not know (THS, say) are not ours: check their
    // checksum here, as the crate stops at the type.
    let known = addr.len() == 5 && nmea::SentenceType::try_from(&addr[2..]).is_ok();
    if !known {
        return other_checked(line, addr);
    }
    match nmea::parse_str(line) {
        Ok(ParseResult::GGA(g)) => Ok(Sentence::Gga(Gga {
            time_of_day_ms: g.fix_time.map(time_ms),
            lat_lon: g.latitude.zip(g.longitude),
            quality: g.fix_type.map_or(FixQuality::Invalid, FixQuality::from),
            satellites: g.fix_satellites,
            hdop: g.hdop,
            altitude_m: g.altitude.map(f64::from),
            geoid_separation_m: g.geoid_separation.map(f64::from),
            age_s: gga_age(line),
        })),
        Ok(ParseResult::RMC(r)) => Ok(Sentence::Rmc(Rmc {
            time_of_day_ms: r.fix_time.map(time_ms),
            unix_day: r.fix_date.map(unix_day),
            // The crate does not export its status type; the field is one letter.
            valid: field(line, 2) != Some("V"),
            mode: r
                .faa_mode
                .map(|m| FixQuality::from(nmea::sentences::FixType::from(m))),
            lat_lon: r.lat.zip(r.lon),
            speed_kmh: r.speed_over_ground.map(|k| f64::from(k) * KMH_PER_KNOT),
            course_deg: r.true_course.map(f64::from),
        })),
        Ok(ParseResult::HDT(h)) => Ok(Sentence::Hdt(Hdt {
            heading_deg: h.heading.map(f64::from),
        })),
        Ok(ParseResult::VTG(v)) => Ok(Sentence::Vtg(Vtg {
            course_deg: v.true_course.map(f64::from),
            speed_kmh: v.speed_over_ground.map(|k| f64::from(k) * KMH_PER_KNOT),
        })),
        Ok(_) => Ok(Sentence::Other(addr.to_owned())),
        Err(nmea::Error::ChecksumMismatch { calculated, found }) => Err(SentenceError::Checksum {
            sentence: addr.to_owned(),
            found,
            computed: calculated,
        }),
        // Types the crate does not know or parse (proprietary `$P…` sentences, for instance) are not ours.
        Err(
            nmea::Error::Unknown(_) | nmea::Error::Unsupported(_) | nmea::Error::DisabledSentence,
        ) => Ok(Sentence::Other(addr.to_owned())),
        Err(nmea::Error::ParsingError(_)) if !line.contains('*') => {
            Err(SentenceError::Framing { line: cut(line) })
        }
        Err(e) => Err(named(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gga(line: &str) -> Gga {
        match parse_sentence(line).unwrap() {
            Sentence::Gga(g) => g,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn golden_gga_from_the_nmea_reference() {
        let g = gga("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47");
        assert_eq!(g.time_of_day_ms, Some((12 * 3600 + 35 * 60 + 19) * 1000));
        let (lat, lon) = g.lat_lon.unwrap();
        assert!((lat - (48.0 + 7.038 / 60.0)).abs() < 1e-12);
        assert!((lon - (11.0 + 31.0 / 60.0)).abs() < 1e-12);
        assert_eq!(g.quality, FixQuality::Autonomous);
        assert_eq!(g.satellites, Some(8));
        assert_eq!(g.hdop, Some(0.9));
        assert!((g.altitude_m.unwrap() - 545.4).abs() < 1e-4);
        assert!((g.geoid_separation_m.unwrap() - 46.9).abs() < 1e-4);
        assert_eq!(g.age_s, None);
    }

    #[test]
    fn golden_rtk_gga_with_correction_age() {
        let g = gga(
            "$GNGGA,023042.20,3954.13507890,N,11623.70612345,E,5,18,0.90,52.3310,M,-8.4000,M,2.4,0123*41",
        );
        assert_eq!(g.quality, FixQuality::RtkFloat);
        assert_eq!(
            g.time_of_day_ms,
            Some((2 * 3600 + 30 * 60 + 42) * 1000 + 200)
        );
        assert_eq!(g.age_s, Some(2.4));
        let (lat, _) = g.lat_lon.unwrap();
        assert!((lat - (39.0 + 54.135_078_90 / 60.0)).abs() < 1e-13);
        let g = gga(
            "$GNGGA,080000.00,3954.00000000,N,11624.00000000,E,4,24,0.60,41.5000,M,-8.5000,M,1.0,0000*4B",
        );
        assert_eq!(g.quality, FixQuality::RtkFixed);
        let g = gga("$GNGGA,023042.30,,,,,0,00,,,M,,M,,*52");
        assert_eq!((g.quality, g.lat_lon), (FixQuality::Invalid, None));
    }

    #[test]
    fn golden_rmc_vtg_hdt() {
        let Sentence::Rmc(r) =
            parse_sentence("$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A")
                .unwrap()
        else {
            panic!()
        };
        assert!(r.valid);
        assert!((r.speed_kmh.unwrap() - 22.4 * 1.852).abs() < 1e-4);
        assert!((r.course_deg.unwrap() - 84.4).abs() < 1e-4);
        // 1994-03-23 is day 8847 of the Unix epoch.
        assert_eq!(r.unix_day, Some(8847));
        let Sentence::Rmc(r) = parse_sentence(
            "$GNRMC,023042.20,A,3954.13507890,N,11623.70612345,E,5.3996,87.500,291126,,,F*4A",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(r.unix_day, Some(1_795_910_400 / 86_400));
        assert_eq!(r.mode, Some(FixQuality::RtkFloat));
        assert_eq!(
            parse_sentence("$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K*48").unwrap(),
            Sentence::Vtg(Vtg {
                course_deg: Some(f64::from(54.7f32)),
                speed_kmh: Some(f64::from(5.5f32) * KMH_PER_KNOT),
            })
        );
        let Sentence::Vtg(v) =
            parse_sentence("$GNVTG,87.500,T,,M,5.3996,N,10.0001,K,F*1E").unwrap()
        else {
            panic!()
        };
        assert!((v.speed_kmh.unwrap() - 10.0).abs() < 1e-3);
        assert_eq!(
            parse_sentence("$HEHDT,341.8,T*21").unwrap(),
            Sentence::Hdt(Hdt {
                heading_deg: Some(f64::from(341.8f32))
            })
        );
    }

    #[test]
    fn a_bad_checksum_names_the_sentence() {
        let e = parse_sentence("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*48")
            .unwrap_err();
        assert_eq!(
            e,
            SentenceError::Checksum {
                sentence: "GPGGA".into(),
                found: 0x48,
                computed: 0x47
            }
        );
        assert!(e.to_string().starts_with("GPGGA: bad checksum"), "{e}");
    }

    #[test]
    fn malformed_and_unframed_lines_are_clear_errors() {
        // A valid checksum over a quality field that is not a digit.
        let body = "GNGGA,080000.00,3954.0,N,11624.0,E,X,24,0.60,41.5,M,-8.5,M,,";
        let cs = body.bytes().fold(0u8, |c, b| c ^ b);
        let e = parse_sentence(&format!("${body}*{cs:02X}")).unwrap_err();
        assert!(
            matches!(&e, SentenceError::Malformed { sentence, .. } if sentence == "GNGGA"),
            "{e:?}"
        );
        assert!(e.to_string().starts_with("GNGGA: malformed"), "{e}");
        for junk in ["garbage", "", "$", "GPGGA,1*00"] {
            assert!(
                matches!(parse_sentence(junk), Err(SentenceError::Framing { .. })),
                "{junk:?}"
            );
        }
        assert!(matches!(
            parse_sentence("$GPHDT,341.8,T"),
            Err(SentenceError::Framing { .. })
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Line noise never panics the parser: a corrupted sentence is an error or, rarely, still a sentence.
        #[test]
        fn corrupted_sentences_never_panic(pos in 0usize..100, byte in proptest::prelude::any::<u8>(), cut in 0usize..100) {
            let golden = [
                "$GNGGA,023042.20,3954.13507890,N,11623.70612345,E,5,18,0.90,52.3310,M,-8.4000,M,2.4,0123*41",
                "$GNRMC,023042.20,A,3954.13507890,N,11623.70612345,E,5.3996,87.500,291126,,,F*4A",
                "$GNVTG,87.500,T,,M,5.3996,N,10.0001,K,F*1E",
                "$HEHDT,341.8,T*21",
            ];
            for g in golden {
                let mut b = g.as_bytes().to_vec();
                let i = pos % b.len();
                b[i] = byte;
                let _ = parse_sentence(&String::from_utf8_lossy(&b));
                let _ = parse_sentence(&g[..cut.min(g.len())]);
            }
        }
    }

    #[test]
    fn other_sentences_are_passed_over_by_name() {
        assert_eq!(
            parse_sentence("$GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1*39").unwrap(),
            Sentence::Other("GPGSA".into())
        );
        assert_eq!(
            parse_sentence("$PUBX,00,081350.00*3E").unwrap(),
            Sentence::Other("PUBX".into())
        );
        assert!(matches!(
            parse_sentence("$PUBX,00,081350.00*3F"),
            Err(SentenceError::Checksum { sentence, .. }) if sentence == "PUBX"
        ));
    }
}
