//! Id newtypes. Text ids are validated once, at the edge, so the rest of the code can trust them.

use std::fmt;
use std::str::FromStr;

/// An id was not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The id is empty or longer than the limit.
    #[error("{what} must be 1 to {max} characters long, got {len}")]
    Length {
        /// Which kind of id.
        what: &'static str,
        /// The limit.
        max: usize,
        /// The length given.
        len: usize,
    },
    /// The id holds a character outside `[a-z0-9._-]`.
    #[error("{what} may hold only a-z, 0-9, '.', '_' and '-', found {found:?}")]
    Character {
        /// Which kind of id.
        what: &'static str,
        /// The first character that is not allowed.
        found: char,
    },
}

fn check_slug(what: &'static str, s: &str, max: usize) -> Result<(), IdError> {
    if s.is_empty() || s.len() > max {
        return Err(IdError::Length {
            what,
            max,
            len: s.len(),
        });
    }
    if let Some(found) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')))
    {
        return Err(IdError::Character { what, found });
    }
    Ok(())
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                check_slug($what, s, $max)?;
                Ok(Self(s.to_owned()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(
    /// The id of an exam site, e.g. `taian-01`. Part of every event's identity: `(site_id, seq)`.
    SiteId,
    "site id",
    32
);
slug_id!(
    /// A login name of a person (admin, examiner, auditor) or a device.
    UserName,
    "user name",
    64
);

/// The position of an event in a site's log: dense, starting at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Seq(pub u64);

impl Seq {
    /// The first event of every log.
    pub const FIRST: Seq = Seq(1);

    /// The next position.
    #[must_use]
    pub fn next(self) -> Seq {
        Seq(self.0 + 1)
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Wall-clock time as milliseconds since the Unix epoch (UTC).
///
/// Pure code never reads a clock: times come in as values of this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixMs(pub i64);

impl fmt::Display for UnixMs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked() {
        assert!("taian-01".parse::<SiteId>().is_ok());
        assert_eq!(
            "".parse::<SiteId>(),
            Err(IdError::Length {
                what: "site id",
                max: 32,
                len: 0
            })
        );
        assert_eq!(
            "Taian".parse::<SiteId>(),
            Err(IdError::Character {
                what: "site id",
                found: 'T'
            })
        );
        assert!("a".repeat(33).parse::<SiteId>().is_err());
    }

    #[test]
    fn seq_counts_up() {
        assert_eq!(Seq::FIRST.next(), Seq(2));
    }
}
