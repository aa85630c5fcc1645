//! The roles a caller of examd can hold.

use std::fmt;
use std::str::FromStr;

/// Who is asking. People log in with a password; devices carry a bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Site admin: users, devices, rosters, configuration.
    Admin,
    /// Examiner: opens sittings, supervises, overrides with their own finger.
    Examiner,
    /// Auditor: reads and verifies the log; changes nothing.
    Auditor,
    /// A gate terminal, seat or car terminal.
    Device,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Examiner, Role::Auditor, Role::Device];

    /// The role's name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Examiner => "examiner",
            Role::Auditor => "auditor",
            Role::Device => "device",
        }
    }

    /// Whether this role is a person (logs in with a password) rather than a device.
    pub fn is_person(self) -> bool {
        !matches!(self, Role::Device)
    }
}

/// A role name was not one of `admin`, `examiner`, `auditor`, `device`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected admin, examiner, auditor or device")]
pub struct RoleError(pub String);

impl FromStr for Role {
    type Err = RoleError;
    fn from_str(s: &str) -> Result<Self, RoleError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| RoleError(s.to_owned()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
