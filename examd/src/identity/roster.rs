//! Roster import: a sitting's candidates (with their ISO/IEC 19794-2 or ANSI/INCITS 378 templates, or none yet)
//! and the examiners, as JSON ([`RosterV1`], the API body and `examd roster import --file f.json`), checked entry
//! by entry into a [`RosterImport`] before anything is stored.

use serde::{Deserialize, Serialize};

use super::error::IdentityError;
use super::ids::{CandidateId, ExaminerId, SeatId, SittingId};

/// `POST /api/v1/identity/rosters` body, version 1.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterV1 {
    /// The sitting, e.g. `2026-11-29-am`.
    pub sitting: String,
    /// The candidates, in roster order.
    pub candidates: Vec<CandidateV1>,
    /// Examiners (who may override at the gate and log candidates in at seats), with their templates.
    #[serde(default)]
    pub examiners: Vec<ExaminerV1>,
}

/// One candidate of a roster.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateV1 {
    /// ID-card number or roster id.
    pub id: String,
    /// Name.
    pub name: String,
    /// A reserved seat.
    #[serde(default)]
    pub seat: Option<String>,
    /// The subject sat, e.g. `subject1`.
    #[serde(default)]
    pub subject: Option<String>,
    /// Templates to enrol, hex of ISO/IEC 19794-2 (or ANSI 378) records; empty keeps what is enrolled.
    #[serde(default)]
    pub templates: Vec<String>,
}

/// An examiner's enrolled templates.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExaminerV1 {
    /// Account name.
    pub name: String,
    /// Display name (defaults to the account name).
    #[serde(default)]
    pub display_name: Option<String>,
    /// Hex of ISO/IEC 19794-2 records (at least one).
    pub templates: Vec<String>,
}

/// A checked template: its standard record bytes, parsed once.
#[derive(Debug, Clone)]
pub struct CheckedTemplate {
    /// The record as given (sealed at rest as is).
    pub bytes: Vec<u8>,
    /// The parsed template.
    pub template: scoring::Template,
}

/// A checked roster candidate.
#[derive(Debug, Clone)]
pub struct CandidateImport {
    /// Id.
    pub id: CandidateId,
    /// Name.
    pub name: String,
    /// Reserved seat.
    pub seat: Option<SeatId>,
    /// Subject sat.
    pub subject: Option<String>,
    /// Templates to enrol; empty keeps the enrolled ones.
    pub templates: Vec<CheckedTemplate>,
}

/// A checked examiner.
#[derive(Debug, Clone)]
pub struct ExaminerImport {
    /// Account name.
    pub id: ExaminerId,
    /// Display name.
    pub name: String,
    /// Templates (at least one).
    pub templates: Vec<CheckedTemplate>,
}

/// A checked roster, ready for [`super::Registry::import_roster`].
#[derive(Debug, Clone)]
pub struct RosterImport {
    /// The sitting.
    pub sitting: SittingId,
    /// Candidates in roster order (ids unique).
    pub candidates: Vec<CandidateImport>,
    /// Examiners (names unique).
    pub examiners: Vec<ExaminerImport>,
}

/// Checks one standard record.
pub fn check_template(
    owner: &str,
    index: usize,
    bytes: Vec<u8>,
) -> Result<CheckedTemplate, IdentityError> {
    let template =
        scoring::Template::from_standard_bytes(&bytes).map_err(|e| IdentityError::BadTemplate {
            owner: owner.to_owned(),
            index,
            detail: e.to_string(),
        })?;
    Ok(CheckedTemplate { bytes, template })
}

fn hex_templates(owner: &str, hexes: &[String]) -> Result<Vec<CheckedTemplate>, IdentityError> {
    hexes
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let bytes = hex::decode(h.trim()).map_err(|e| IdentityError::BadTemplate {
                owner: owner.to_owned(),
                index: i,
                detail: format!("not hex: {e}"),
            })?;
            check_template(owner, i, bytes)
        })
        .collect()
}

fn invalid(msg: String) -> IdentityError {
    IdentityError::Invalid(msg)
}

impl RosterImport {
    /// Checks a JSON roster. Errors name the entry.
    pub fn from_v1(r: &RosterV1) -> Result<RosterImport, IdentityError> {
        let sitting: SittingId = r
            .sitting
            .parse()
            .map_err(|e| invalid(format!("sitting {:?}: {e}", r.sitting)))?;
        let mut candidates = Vec::with_capacity(r.candidates.len());
        for (n, c) in r.candidates.iter().enumerate() {
            candidates.push(CandidateImport::check(n + 1, c)?);
        }
        let mut examiners = Vec::with_capacity(r.examiners.len());
        for e in &r.examiners {
            let id: ExaminerId = e
                .name
                .parse()
                .map_err(|err| invalid(format!("examiner {:?}: {err}", e.name)))?;
            if e.templates.is_empty() {
                return Err(invalid(format!("examiner {id}: no templates")));
            }
            let templates = hex_templates(&format!("examiner {id}"), &e.templates)?;
            examiners.push(ExaminerImport {
                name: e.display_name.clone().unwrap_or_else(|| id.to_string()),
                id,
                templates,
            });
        }
        RosterImport {
            sitting,
            candidates,
            examiners,
        }
        .checked()
    }

    /// Refuses duplicate candidates or examiners and an empty roster.
    pub fn checked(self) -> Result<RosterImport, IdentityError> {
        if self.candidates.is_empty() {
            return Err(invalid(format!(
                "sitting {}: the roster has no candidates",
                self.sitting
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.candidates {
            if !seen.insert(&c.id) {
                return Err(invalid(format!("candidate {} appears twice", c.id)));
            }
        }
        let mut seats = std::collections::BTreeSet::new();
        for c in &self.candidates {
            if let Some(s) = &c.seat
                && !seats.insert(s)
            {
                return Err(invalid(format!(
                    "candidate {}: seat {s} is reserved twice",
                    c.id
                )));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for e in &self.examiners {
            if !seen.insert(&e.id) {
                return Err(invalid(format!("examiner {} appears twice", e.id)));
            }
        }
        Ok(self)
    }
}

impl CandidateImport {
    /// Checks the `line`-th candidate of a JSON roster.
    fn check(line: usize, c: &CandidateV1) -> Result<CandidateImport, IdentityError> {
        let id: CandidateId =
            c.id.parse()
                .map_err(|e| invalid(format!("candidate {line} ({:?}): {e}", c.id)))?;
        let name = c.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid(format!(
                "candidate {id}: a name has 1 to 100 characters"
            )));
        }
        let seat = c
            .seat
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .transpose()
            .map_err(|e| invalid(format!("candidate {id}: seat: {e}")))?;
        let subject = c.subject.clone().filter(|s| !s.is_empty());
        if let Some(s) = &subject
            && (s.len() > 32 || s.chars().any(char::is_control))
        {
            return Err(invalid(format!(
                "candidate {id}: subject {s:?} is not a subject name"
            )));
        }
        let templates = hex_templates(&format!("candidate {id}"), &c.templates)?;
        Ok(CandidateImport {
            id,
            name,
            seat,
            subject,
            templates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::synth::iso_impression;

    fn ok() -> RosterV1 {
        RosterV1 {
            sitting: "am".into(),
            candidates: vec![CandidateV1 {
                id: "c1".into(),
                name: "张三".into(),
                seat: Some("H1-001".into()),
                subject: Some("subject1".into()),
                templates: vec![hex::encode(iso_impression(1, 0))],
            }],
            examiners: vec![ExaminerV1 {
                name: "ex".into(),
                display_name: None,
                templates: vec![hex::encode(iso_impression(9, 0))],
            }],
        }
    }

    #[test]
    fn a_roster_is_checked_entry_by_entry() {
        let r = RosterImport::from_v1(&ok()).unwrap();
        assert_eq!((r.candidates.len(), r.examiners.len()), (1, 1));
        let mut bad = ok();
        bad.candidates[0].templates = vec!["zz".into()];
        let e = RosterImport::from_v1(&bad).unwrap_err().to_string();
        assert!(e.starts_with("candidate c1: template 0: not hex"), "{e}");
        let mut bad = ok();
        bad.candidates[0].templates = vec!["00112233".into()];
        let e = RosterImport::from_v1(&bad).unwrap_err().to_string();
        assert!(e.starts_with("candidate c1: template 0: "), "{e}");
        let mut bad = ok();
        bad.candidates.push(bad.candidates[0].clone());
        bad.candidates[1].seat = None;
        assert_eq!(
            RosterImport::from_v1(&bad).unwrap_err().to_string(),
            "candidate c1 appears twice"
        );
        let mut bad = ok();
        bad.candidates[0].id = "a b".into();
        assert!(
            RosterImport::from_v1(&bad)
                .unwrap_err()
                .to_string()
                .starts_with("candidate 1 (\"a b\")")
        );
        let mut bad = ok();
        bad.examiners[0].templates.clear();
        assert_eq!(
            RosterImport::from_v1(&bad).unwrap_err().to_string(),
            "examiner ex: no templates"
        );
        let mut bad = ok();
        bad.sitting = "a/b".into();
        assert!(
            RosterImport::from_v1(&bad)
                .unwrap_err()
                .to_string()
                .starts_with("sitting \"a/b\"")
        );
    }
}
