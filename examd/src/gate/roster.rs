//! Roster import: a sitting's candidates with their ISO/IEC 19794-2 templates (and the examiners'), checked,
//! prepared for matching and handed to the gate service.
//!
//! FIXME: the roster lives in memory only for now (lost on restart); the `templates` table with AES-256-GCM
//! ciphertext under [`super::crypto::TemplateKey`] and `examd roster import` are not written yet.

use gate::{CandidateId, ExaminerId, SeatId};
use serde::Deserialize;

use super::gallery::{Entry, Gallery};

/// `POST /api/v1/gate/roster` body, version 1.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterV1 {
    /// The sitting, e.g. `2026-11-29-am`.
    pub sitting: String,
    /// The candidates.
    pub candidates: Vec<CandidateV1>,
    /// Examiners who may override at the gate.
    #[serde(default)]
    pub examiners: Vec<ExaminerV1>,
}

/// One candidate of a roster.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateV1 {
    /// ID-card number or roster id.
    pub id: String,
    /// Name.
    pub name: String,
    /// A reserved Subject 1 seat.
    #[serde(default)]
    pub seat: Option<String>,
    /// Enrolled templates, hex of ISO/IEC 19794-2 (or ANSI 378) records.
    pub templates: Vec<String>,
}

/// An examiner's enrolled templates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExaminerV1 {
    /// Account name.
    pub name: String,
    /// Hex of ISO/IEC 19794-2 records.
    pub templates: Vec<String>,
}

fn templates(owner: &str, hexes: &[String]) -> Result<Vec<scoring::Prepared>, String> {
    if hexes.is_empty() {
        return Err(format!("{owner}: no templates"));
    }
    hexes
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let bytes = hex::decode(h).map_err(|e| format!("{owner}: template {i}: {e}"))?;
            let t = scoring::Template::from_standard_bytes(&bytes)
                .map_err(|e| format!("{owner}: template {i}: {e}"))?;
            Ok(scoring::Prepared::new(&t))
        })
        .collect()
}

/// Checks a roster and prepares its templates. Errors name the entry.
pub fn gallery_of(r: &RosterV1) -> Result<(Gallery, usize), String> {
    let mut g = Gallery {
        sitting: Some(r.sitting.clone()),
        ..Default::default()
    };
    let mut count = 0;
    for c in &r.candidates {
        let id: CandidateId =
            c.id.parse()
                .map_err(|e| format!("candidate {:?}: {e}", c.id))?;
        let seat: Option<SeatId> = c
            .seat
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e| format!("candidate {id}: seat: {e}"))?;
        let t = templates(id.as_str(), &c.templates)?;
        count += t.len();
        if g.candidates
            .insert(
                id.clone(),
                Entry {
                    name: c.name.clone(),
                    seat,
                    templates: t,
                },
            )
            .is_some()
        {
            return Err(format!("candidate {id} appears twice"));
        }
    }
    for e in &r.examiners {
        let id: ExaminerId = e
            .name
            .parse()
            .map_err(|err| format!("examiner {:?}: {err}", e.name))?;
        let t = templates(id.as_str(), &e.templates)?;
        count += t.len();
        g.examiners.insert(id, t);
    }
    Ok((g, count))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::synth::iso_impression;

    #[test]
    fn a_roster_is_checked_entry_by_entry() {
        let ok = RosterV1 {
            sitting: "am".into(),
            candidates: vec![CandidateV1 {
                id: "c1".into(),
                name: "张三".into(),
                seat: Some("H1-001".into()),
                templates: vec![hex::encode(iso_impression(1, 0))],
            }],
            examiners: vec![ExaminerV1 {
                name: "ex".into(),
                templates: vec![hex::encode(iso_impression(9, 0))],
            }],
        };
        let (g, n) = gallery_of(&ok).unwrap();
        assert_eq!((g.candidates.len(), g.examiners.len(), n), (1, 1, 2));
        let bad = RosterV1 {
            candidates: vec![CandidateV1 {
                templates: vec!["zz".into()],
                ..ok.candidates[0].clone_for_test()
            }],
            ..ok
        };
        assert!(gallery_of(&bad).unwrap_err().starts_with("c1: template 0"));
    }

    impl CandidateV1 {
        fn clone_for_test(&self) -> CandidateV1 {
            CandidateV1 {
                id: self.id.clone(),
                name: self.name.clone(),
                seat: self.seat.clone(),
                templates: self.templates.clone(),
            }
        }
    }
}
