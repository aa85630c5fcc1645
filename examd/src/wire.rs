//! JSON shapes of the HTTP API, version 1. Separate from domain types on purpose.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One event as the API shows it.
#[derive(Debug, Serialize, Deserialize)]
pub struct EventV1 {
    /// Position in the site's log.
    pub seq: u64,
    /// Unix milliseconds.
    pub time_ms: i64,
    /// Dotted kind name (`other` for kinds this build does not know).
    pub kind: String,
    /// Numeric kind code.
    pub kind_code: u16,
    /// What the event is about.
    pub subjects: Vec<SubjectV1>,
    /// The payload as JSON (or `{"hex": …}` when it is not JSON).
    pub payload: Value,
    /// Chain hash after this event, hex.
    pub hash: String,
}

/// A subject reference.
#[derive(Debug, Serialize, Deserialize)]
pub struct SubjectV1 {
    /// `user`, `candidate`, `device`, `session`.
    pub kind: String,
    /// Its id.
    pub id: String,
}

impl EventV1 {
    /// From canonical bytes and hash. Fails only on bytes that are not a record.
    pub fn from_record(bytes: &[u8], hash: &audit::Hash) -> Result<EventV1, audit::DecodeError> {
        let e = audit::decode(bytes)?;
        let payload = serde_json::from_slice(&e.payload)
            .unwrap_or_else(|_| serde_json::json!({ "hex": hex::encode(&e.payload) }));
        Ok(EventV1 {
            seq: e.seq.0,
            time_ms: e.time.0,
            kind: e.kind.name().to_owned(),
            kind_code: e.kind.code(),
            subjects: e
                .subjects
                .iter()
                .map(|s| SubjectV1 {
                    kind: s.kind.name().to_owned(),
                    id: s.id.clone(),
                })
                .collect(),
            payload,
            hash: hash.to_hex(),
        })
    }
}

/// A page of events, newest first.
#[derive(Debug, Serialize, Deserialize)]
pub struct EventPageV1 {
    /// The events.
    pub events: Vec<EventV1>,
    /// Pass as `before` to get the next (older) page; absent at the start of the log.
    pub next_before: Option<u64>,
}

/// What a device posts to append a report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppendV1 {
    /// Must be `device.report` for now.
    pub kind: String,
    /// Optional subjects.
    #[serde(default)]
    pub subjects: Vec<SubjectV1>,
    /// Any JSON object.
    pub payload: Value,
}

/// The acknowledgement of a durable append.
#[derive(Debug, Serialize, Deserialize)]
pub struct AppendedV1 {
    /// Where it landed.
    pub seq: u64,
    /// Chain hash after it.
    pub hash: String,
    /// Its time.
    pub time_ms: i64,
}

/// Login request.
#[derive(Debug, Deserialize)]
pub struct LoginV1 {
    /// Account name.
    pub name: String,
    /// Password.
    pub password: String,
}

/// Who is logged in.
#[derive(Debug, Serialize, Deserialize)]
pub struct MeV1 {
    /// Account name.
    pub name: String,
    /// Role.
    pub role: String,
}

/// A new account.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserV1 {
    /// Account name.
    pub name: String,
    /// `admin`, `examiner`, `auditor` or `device`.
    pub role: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// Password for people; devices get a generated token instead.
    pub password: Option<String>,
}

/// An account as listed (never with its secret).
#[derive(Debug, Serialize, Deserialize)]
pub struct UserV1 {
    /// Account name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Display name.
    pub display_name: String,
    /// Whether it may log in.
    pub enabled: bool,
    /// A device's bearer token, shown once at creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}
