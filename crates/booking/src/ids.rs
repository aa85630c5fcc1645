//! Identifiers: the candidate's resident ID number, and the short names of sessions, examiners,
//! cars and routes.

use std::fmt;
use std::str::FromStr;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// An ID number is 18 characters: 17 digits and a check character (GB 11643).
    #[error("ID number must be 17 digits and a check digit or X, got {0:?}")]
    IdNumberShape(String),
    /// The check character does not match (GB 11643, ISO 7064 MOD 11-2).
    #[error("ID number {0:?} fails its check digit")]
    IdNumberCheck(String),
    /// A name is 1–64 characters from `A-Z a-z 0-9 - _ .`.
    #[error("{what} must be 1-64 characters of A-Z a-z 0-9 - _ ., got {got:?}")]
    Name {
        /// What the name is for.
        what: &'static str,
        /// What was given.
        got: String,
    },
}

/// A candidate, by resident identity card number (居民身份证号码, GB 11643-1999).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CandidateId(String);

impl CandidateId {
    /// The number as text (upper-case `X`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The check character for 17 leading digits (ISO 7064 MOD 11-2).
    pub fn check_char(first17: &[u8; 17]) -> char {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17
            .iter()
            .zip(W)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        b"10X98765432"[(sum % 11) as usize] as char
    }

    /// A synthetic, valid number for demos and tests: region 990000 (not a real region), born
    /// on the `n / 1000`-th day after 1990-01-01, sequence `n % 1000`.
    pub fn synthetic(n: u32) -> CandidateId {
        let born = theory::LocalDay::from_ymd(1990, 1, 1).plus_days((n / 1000) as i32);
        let (y, m, d) = born.ymd();
        let first = format!("990000{y:04}{m:02}{d:02}{:03}", n % 1000);
        let arr: [u8; 17] = first.as_bytes().try_into().expect("17 digits");
        CandidateId(format!("{first}{}", CandidateId::check_char(&arr)))
    }

    /// A masked form for pages and logs meant for others (first 6 and last 4 kept).
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl FromStr for CandidateId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let t = s.trim().to_ascii_uppercase();
        let b = t.as_bytes();
        let shape = b.len() == 18
            && b[..17].iter().all(u8::is_ascii_digit)
            && (b[17].is_ascii_digit() || b[17] == b'X');
        if !shape {
            return Err(IdError::IdNumberShape(s.to_owned()));
        }
        let first: [u8; 17] = b[..17].try_into().expect("17 bytes");
        if CandidateId::check_char(&first) != b[17] as char {
            return Err(IdError::IdNumberCheck(s.to_owned()));
        }
        Ok(CandidateId(t))
    }
}

impl fmt::Display for CandidateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn valid_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

macro_rules! name_id {
    ($(#[$doc:meta])* $t:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $t(String);

        impl $t {
            /// The name as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $t {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                if valid_name(s) {
                    Ok($t(s.to_owned()))
                } else {
                    Err(IdError::Name { what: $what, got: s.to_owned() })
                }
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

name_id!(
    /// An exam session (one subject at the site on one day, e.g. `2026-12-01-s2-am`).
    SessionId,
    "session id"
);
name_id!(
    /// An examiner (考试员), by user name.
    ExaminerId,
    "examiner id"
);
name_id!(
    /// An exam car, by fleet number.
    CarId,
    "car id"
);
name_id!(
    /// A Subject 3 road route.
    RouteId,
    "route id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_number_check_digit() {
        // The worked example of GB 11643-1999, annex.
        assert!("11010519491231002X".parse::<CandidateId>().is_ok());
        assert_eq!(
            "110105194912310021".parse::<CandidateId>(),
            Err(IdError::IdNumberCheck("110105194912310021".into()))
        );
        assert!(matches!(
            "12345".parse::<CandidateId>(),
            Err(IdError::IdNumberShape(_))
        ));
        let s = CandidateId::synthetic(12_345);
        assert_eq!(s.as_str().parse::<CandidateId>(), Ok(s.clone()));
        assert_ne!(s, CandidateId::synthetic(12_346));
        assert_eq!(s.masked(), format!("990000********{}", &s.as_str()[14..]));
    }

    #[test]
    fn names_are_checked() {
        assert!("car-01".parse::<CarId>().is_ok());
        let e = "car 01".parse::<CarId>().unwrap_err();
        assert!(e.to_string().contains("car id"));
        assert!("".parse::<RouteId>().is_err());
    }
}
