//! The shared vocabulary of examd.
//!
//! Ids are newtypes, states and kinds are enums; nothing here does IO.
//!
//! ```
//! use model::{EventKind, SiteId};
//! let site: SiteId = "taian-01".parse().unwrap();
//! assert_eq!(site.as_str(), "taian-01");
//! assert_eq!(EventKind::from_code(EventKind::SystemStarted.code()), EventKind::SystemStarted);
//! ```
#![warn(missing_docs)]

mod ids;
mod kind;
mod role;

pub use ids::{IdError, Seq, SiteId, UnixMs, UserName};
pub use kind::{EventKind, SubjectKind, SubjectRef};
pub use role::{Role, RoleError};
