//! The identity registry's tables: people, their sealed fingerprint templates, and rosters per sitting.
//!
//! The store keeps templates only in the sealed form examd hands it (AES-256-GCM under a key that never
//! enters the database) together with the SHA-256 of the plaintext record; it cannot open them.

use async_trait::async_trait;
use audit::Hash;
use model::UnixMs;

use crate::StoreError;

/// Which sort of person a row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PersonKind {
    /// A candidate, by ID-card number or roster id.
    Candidate,
    /// An examiner, by account name.
    Examiner,
}

impl PersonKind {
    /// The column value, `candidate` or `examiner`.
    pub fn as_str(self) -> &'static str {
        match self {
            PersonKind::Candidate => "candidate",
            PersonKind::Examiner => "examiner",
        }
    }
}

/// A person of the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// Candidate or examiner.
    pub kind: PersonKind,
    /// ID-card number / roster id, or account name.
    pub id: String,
    /// Display name.
    pub name: String,
    /// When the row last changed.
    pub updated: UnixMs,
}

/// One enrolled template, sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    /// Its position among the person's templates (0, 1, …).
    pub index: u32,
    /// `nonce ‖ ciphertext ‖ tag` as sealed by examd.
    pub sealed: Vec<u8>,
    /// SHA-256 of the plaintext standard record.
    pub sha256: Hash,
    /// When enrolled.
    pub enrolled: UnixMs,
}

/// A person to create or update, with the templates that replace theirs (`None` keeps the stored ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonWrite {
    /// The person.
    pub person: PersonRow,
    /// Replacement templates, or `None` to keep what is enrolled.
    pub templates: Option<Vec<TemplateRow>>,
}

/// One line of a sitting's roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntryRow {
    /// The candidate's id.
    pub candidate: String,
    /// Name as on the roster.
    pub name: String,
    /// A reserved seat, if any.
    pub seat: Option<String>,
    /// The subject sat, if given (e.g. `subject1`).
    pub subject: Option<String>,
}

/// A sitting's roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    /// The sitting, e.g. `2026-11-29-am`.
    pub sitting: String,
    /// When imported.
    pub imported: UnixMs,
    /// Who imported it (account name).
    pub imported_by: String,
    /// The entries, in roster order.
    pub entries: Vec<RosterEntryRow>,
}

/// A roster without its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterSummary {
    /// The sitting.
    pub sitting: String,
    /// When imported.
    pub imported: UnixMs,
    /// Who imported it.
    pub imported_by: String,
    /// Number of entries.
    pub entries: u64,
}

/// Everything one registry change writes, in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityWrite {
    /// People to upsert (and their templates to replace).
    pub people: Vec<PersonWrite>,
    /// A roster that replaces the sitting's stored one, if any. Its candidates must be among the people
    /// written here or already stored.
    pub roster: Option<RosterRow>,
}

/// The identity registry's persistence; a supertrait of [`crate::Store`], so every store has it.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// Writes people, templates and a roster in one transaction (all or nothing). A roster entry naming a
    /// candidate who is not a stored person is `StoreError::Conflict { constraint: "roster_entries.candidate" }`.
    async fn put_identity(&self, write: &IdentityWrite) -> Result<(), StoreError>;

    /// One person and their templates (by index), or `StoreError::NotFound`.
    async fn person(
        &self,
        kind: PersonKind,
        id: &str,
    ) -> Result<(PersonRow, Vec<TemplateRow>), StoreError>;

    /// A sitting's roster, or `StoreError::NotFound`.
    async fn roster(&self, sitting: &str) -> Result<RosterRow, StoreError>;

    /// Every stored roster, most recently imported first.
    async fn rosters(&self) -> Result<Vec<RosterSummary>, StoreError>;

    /// The templates of every candidate on a sitting's roster, as `(candidate, template)` by candidate and
    /// index.
    async fn roster_templates(
        &self,
        sitting: &str,
    ) -> Result<Vec<(String, TemplateRow)>, StoreError>;

    /// The templates of every person of one kind, as `(id, template)` by id and index.
    async fn templates_of_kind(
        &self,
        kind: PersonKind,
    ) -> Result<Vec<(String, TemplateRow)>, StoreError>;
}
