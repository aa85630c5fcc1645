//! Id newtypes of the question bank. Text ids are checked once, when they are made.

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
        /// The limit, in characters.
        max: usize,
        /// The length given.
        len: usize,
    },
    /// The id holds a character that is not allowed.
    #[error("{what} may not contain {found:?}")]
    Character {
        /// Which kind of id.
        what: &'static str,
        /// The first character that is not allowed.
        found: char,
    },
    /// An option key is not a letter from A to H.
    #[error("option key must be one letter A to H, got {0:?}")]
    OptionKey(String),
}

fn check(
    what: &'static str,
    s: &str,
    max: usize,
    ok: impl Fn(char) -> bool,
) -> Result<(), IdError> {
    let len = s.chars().count();
    if len == 0 || len > max {
        return Err(IdError::Length { what, max, len });
    }
    match s.chars().find(|&c| !ok(c)) {
        Some(found) => Err(IdError::Character { what, found }),
        None => Ok(()),
    }
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal, $ok:expr) => {
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
                check($what, s, $max, $ok)?;
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

fn slug_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
}

fn visible_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control()
}

text_id!(
    /// The id of a question bank, e.g. `km1`; `[a-z0-9._-]`, at most 64 characters.
    BankId,
    "bank id",
    64,
    slug_char
);
text_id!(
    /// The id of a question inside its bank, e.g. `km1-1.029`; no spaces, at most 64 characters.
    QuestionId,
    "question id",
    64,
    visible_char
);
text_id!(
    /// The id of a chapter inside its bank, e.g. `1` or `41`; no spaces, at most 32 characters.
    ChapterId,
    "chapter id",
    32,
    visible_char
);

/// The version of a bank. A bank id and version name one immutable set of questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BankVersion(pub u32);

impl fmt::Display for BankVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// The key of an answer option: `A` to `H`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OptionKey(u8);

impl OptionKey {
    /// The largest number of options a question may have.
    pub const MAX: usize = 8;
    /// Option A.
    pub const A: OptionKey = OptionKey(0);
    /// Option B.
    pub const B: OptionKey = OptionKey(1);

    /// The key at a position, 0 = A; `None` past H.
    pub fn from_index(i: usize) -> Option<OptionKey> {
        (i < Self::MAX).then_some(OptionKey(i as u8))
    }

    /// The position of this key, A = 0.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The key as a letter.
    pub fn letter(self) -> char {
        char::from(b'A' + self.0)
    }
}

impl FromStr for OptionKey {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c @ 'A'..='H'), None) => Ok(OptionKey(c as u8 - b'A')),
            _ => Err(IdError::OptionKey(s.to_owned())),
        }
    }
}

impl fmt::Display for OptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert!("km1".parse::<BankId>().is_ok());
        assert!("KM1".parse::<BankId>().is_err());
        assert!("km1-1.029".parse::<QuestionId>().is_ok());
        assert_eq!(
            "a b".parse::<QuestionId>(),
            Err(IdError::Character {
                what: "question id",
                found: ' '
            })
        );
        assert!("".parse::<ChapterId>().is_err());
    }

    #[test]
    fn option_keys_are_letters_a_to_h() {
        assert_eq!("C".parse::<OptionKey>().unwrap().index(), 2);
        assert_eq!(OptionKey::from_index(7).unwrap().letter(), 'H');
        assert!(OptionKey::from_index(8).is_none());
        assert!("I".parse::<OptionKey>().is_err());
        assert!("AB".parse::<OptionKey>().is_err());
    }
}
