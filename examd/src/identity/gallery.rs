//! A sitting's gallery: every roster candidate's and every examiner's templates, decrypted once and prepared for
//! matching, and the 1:1 / 1:N scoring of a scan against it.
//!
//! Scores are the matcher's (`scoring::Score`, 0..=1); the decision threshold is the matcher's documented
//! FMR 1 in 10,000 ([`scoring::THRESHOLD_FMR_10000`]), handed to `gate` as a `MatchScore` unchanged.
//! 1:N scores every candidate (the gate needs every score to see a stand-in), spread over all cores with rayon;
//! [`Gallery::scores_naive`] is the sequential oracle the parallel path is tested against.

use std::collections::BTreeMap;
use std::sync::Arc;

use gate::{CandidateId, ExaminerId, MatchScore, MatchThreshold};
use rayon::prelude::*;
use scoring::{Prepared, Template, compare_prepared};

/// The decision threshold at the matcher's false-match rate of 1 in 10,000.
pub fn threshold() -> MatchThreshold {
    MatchThreshold::new(MatchScore(scoring::THRESHOLD_FMR_10000.0))
}

/// One roster entry with its prepared templates.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Display name.
    pub name: String,
    /// Seat reserved by the roster, if any.
    pub seat: Option<gate::SeatId>,
    /// Prepared templates (one per enrolled finger or impression); empty if none are enrolled yet.
    pub templates: Arc<Vec<Prepared>>,
}

/// The prepared templates of a sitting's candidates and of the examiners.
#[derive(Debug, Clone, Default)]
pub struct Gallery {
    /// The sitting the roster belongs to (`None` for the empty gallery before any import).
    pub sitting: Option<String>,
    /// Candidates by id.
    pub candidates: BTreeMap<CandidateId, Entry>,
    /// Examiners' prepared templates, by examiner id (their account name).
    pub examiners: BTreeMap<ExaminerId, Arc<Vec<Prepared>>>,
}

/// The best score of `probe` against a person's templates (0 when none are enrolled).
pub fn best(probe: &Prepared, templates: &[Prepared]) -> MatchScore {
    templates
        .iter()
        .map(|g| compare_prepared(probe, g).0)
        .fold(
            MatchScore(0.0),
            |a, s| if s > a.0 { MatchScore(s) } else { a },
        )
}

impl Gallery {
    /// The best score of `probe` against each roster candidate (1:N; the claimed one is among them), in
    /// candidate order, computed on all cores.
    pub fn scores(&self, probe: &Template) -> Vec<(CandidateId, MatchScore)> {
        let p = Prepared::new(probe);
        let entries: Vec<(&CandidateId, &Entry)> = self.candidates.iter().collect();
        entries
            .par_iter()
            .map(|(id, e)| ((*id).clone(), best(&p, &e.templates)))
            .collect()
    }

    /// [`Gallery::scores`] one comparison after another: the oracle for the parallel path.
    pub fn scores_naive(&self, probe: &Template) -> Vec<(CandidateId, MatchScore)> {
        let p = Prepared::new(probe);
        self.candidates
            .iter()
            .map(|(id, e)| (id.clone(), best(&p, &e.templates)))
            .collect()
    }

    /// The `k` best-scoring candidates, best first (ties by candidate id).
    pub fn top(&self, probe: &Template, k: usize) -> Vec<(CandidateId, MatchScore)> {
        let mut all = self.scores(probe);
        all.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
        all.truncate(k);
        all
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
    use proptest::prelude::*;

    fn gallery(n: u64) -> Gallery {
        let mut g = Gallery::default();
        for f in 0..n {
            let e = Entry {
                name: format!("c{f}"),
                seat: None,
                templates: Arc::new(vec![Prepared::new(&impression(f, 0))]),
            };
            g.candidates.insert(format!("c{f}").parse().unwrap(), e);
        }
        g
    }

    #[test]
    fn one_to_n_finds_the_right_candidate_above_the_threshold() {
        let g = gallery(20);
        let scores = g.scores(&impression(7, 4));
        let t = threshold();
        let hits: Vec<_> = scores
            .iter()
            .filter(|(_, s)| t.accepts(*s))
            .map(|(c, _)| c.as_str())
            .collect();
        assert_eq!(hits, vec!["c7"]);
        assert_eq!(g.top(&impression(7, 4), 1)[0].0.as_str(), "c7");
        assert!(
            g.examiner_score(&"nobody".parse().unwrap(), &impression(1, 1))
                .is_none()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(8))]
        #[test]
        fn parallel_scores_equal_the_sequential_oracle(finger in 0u64..12, imp in 1u64..50) {
            let g = gallery(12);
            let probe = impression(finger, imp);
            prop_assert_eq!(g.scores(&probe), g.scores_naive(&probe));
        }
    }
}
