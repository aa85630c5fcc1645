//! The day's gallery: every roster candidate's and examiner's templates, decrypted once and prepared for
//! matching, and the 1:1 / 1:N scoring of a scan against it.
//!
//! Scores are the matcher's (`scoring::Score`, 0..=1); the decision threshold is the matcher's documented
//! FMR 1 in 10,000 ([`scoring::THRESHOLD_FMR_10000`]), handed to `gate` as a `MatchScore` unchanged.

use std::collections::BTreeMap;

use gate::{CandidateId, ExaminerId, MatchScore, MatchThreshold};
use scoring::{Prepared, Template, compare_prepared};

/// The decision threshold at the matcher's false-match rate of 1 in 10,000.
pub fn threshold() -> MatchThreshold {
    MatchThreshold::new(MatchScore(scoring::THRESHOLD_FMR_10000.0))
}

/// One roster entry as the gate knows it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Display name.
    pub name: String,
    /// Seat reserved by the roster, if any.
    pub seat: Option<gate::SeatId>,
    /// Prepared templates (one per enrolled finger or impression).
    pub templates: Vec<Prepared>,
}

/// The prepared templates of a sitting's candidates and of the examiners.
#[derive(Debug, Clone, Default)]
pub struct Gallery {
    /// The sitting the roster belongs to.
    pub sitting: Option<String>,
    /// Candidates by id.
    pub candidates: BTreeMap<CandidateId, Entry>,
    /// Examiners' prepared templates, by examiner id (their account name).
    pub examiners: BTreeMap<ExaminerId, Vec<Prepared>>,
}

fn best(probe: &Prepared, gallery: &[Prepared]) -> MatchScore {
    gallery
        .iter()
        .map(|g| compare_prepared(probe, g).0)
        .fold(
            MatchScore(0.0),
            |a, s| if s > a.0 { MatchScore(s) } else { a },
        )
}

impl Gallery {
    /// The best score of `probe` against each roster candidate (1:N; the claimed one is among them).
    pub fn scores(&self, probe: &Template) -> Vec<(CandidateId, MatchScore)> {
        let p = Prepared::new(probe);
        self.candidates
            .iter()
            .map(|(id, e)| (id.clone(), best(&p, &e.templates)))
            .collect()
    }

    /// The best score of `probe` against one examiner's templates; `None` if none are enrolled.
    pub fn examiner_score(&self, examiner: &ExaminerId, probe: &Template) -> Option<MatchScore> {
        let t = self.examiners.get(examiner).filter(|t| !t.is_empty())?;
        Some(best(&Prepared::new(probe), t))
    }

    /// The roster as the entry policy sees it.
    pub fn roster(&self) -> gate::Roster {
        gate::Roster::new(self.candidates.keys().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::synth::impression;

    #[test]
    fn one_to_n_finds_the_right_candidate_above_the_threshold() {
        let mut g = Gallery::default();
        for f in 0..20u64 {
            let e = Entry {
                name: format!("c{f}"),
                seat: None,
                templates: vec![Prepared::new(&impression(f, 0))],
            };
            g.candidates.insert(format!("c{f}").parse().unwrap(), e);
        }
        let scores = g.scores(&impression(7, 4));
        let t = threshold();
        let hits: Vec<_> = scores
            .iter()
            .filter(|(_, s)| t.accepts(*s))
            .map(|(c, _)| c.as_str())
            .collect();
        assert_eq!(hits, vec!["c7"]);
        assert!(
            g.examiner_score(&"nobody".parse().unwrap(), &impression(1, 1))
                .is_none()
        );
    }
}
