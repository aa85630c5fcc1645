//! People and their fingerprints: the site-wide identity registry.
//!
//! Candidates (by ID-card number or roster id) and examiners (by account name), their enrolled templates sealed
//! with AES-256-GCM under a key file (mode 0600) outside the database ([`crypto`]), rosters per sitting
//! ([`roster`]), and the decrypted, prepared galleries 1:1 and 1:N run against ([`gallery`]). Every import and
//! enrolment is an event that carries template hashes only; no API ever returns a template.
//!
//! Other areas reach it as `state.identity` ([`Registry`]): the gate admits against [`Registry::current`], the
//! theory hall and the car call [`Registry::verify`] / [`Registry::verify_examiner`] /
//! [`Registry::identify`], bookings call [`Registry::import_roster`], desk sensors [`Registry::enroll`].

pub mod api;
pub mod cli;
pub mod crypto;
pub mod csv;
pub mod error;
pub mod gallery;
pub mod ids;
pub mod registry;
pub mod roster;

pub use error::IdentityError;
pub use gallery::{Gallery, threshold};
pub use ids::{CandidateId, ExaminerId, PersonRef, SeatId, SittingId};
pub use registry::{EnrollSummary, ImportSummary, Registry, RosterEntry, Verdict};
pub use roster::{RosterImport, RosterV1};

/// Routes under `/api/v1/identity`.
pub fn api_routes() -> axum::Router<crate::state::AppState> {
    api::routes()
}
