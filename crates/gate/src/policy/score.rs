//! Match scores and the decision threshold.

use crate::error::ThresholdError;

/// A matcher's similarity score for one comparison: higher means more alike. The scale is the matcher's own.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct MatchScore(pub f32);

/// The score at or above which two fingerprints are taken to be the same finger.
///
/// The gate uses the matcher's threshold for a false-match rate of 1 in 10,000 ([`MatchThreshold::FMR_1_IN_10000`]):
/// either the figure the matcher documents ([`MatchThreshold::new`]) or one measured from impostor comparisons
/// ([`MatchThreshold::from_impostor_scores`], e.g. the scores `fpeval` computes).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct MatchThreshold(MatchScore);

impl MatchThreshold {
    /// The gate's target false-match rate: 1 in 10,000.
    pub const FMR_1_IN_10000: f64 = 1e-4;

    /// A threshold taken from the matcher's documentation.
    pub fn new(score: MatchScore) -> MatchThreshold {
        MatchThreshold(score)
    }

    /// The lowest threshold at which at most `target_fmr` of the given impostor (different-finger) scores
    /// would be accepted. Needs at least `1 / target_fmr` scores (10,000 for 1 in 10,000).
    pub fn from_impostor_scores(
        impostors: &[MatchScore],
        target_fmr: f64,
    ) -> Result<MatchThreshold, ThresholdError> {
        if !(target_fmr > 0.0 && target_fmr < 1.0) {
            return Err(ThresholdError::Rate(target_fmr));
        }
        let need = (1.0 / target_fmr).ceil() as usize;
        if impostors.len() < need {
            return Err(ThresholdError::TooFewImpostors {
                rate: target_fmr,
                got: impostors.len(),
                need,
            });
        }
        if impostors.iter().any(|s| s.0.is_nan()) {
            return Err(ThresholdError::NaN);
        }
        let mut sorted: Vec<f32> = impostors.iter().map(|s| s.0).collect();
        sorted.sort_by(|a, b| b.total_cmp(a));
        // At most `allowed` impostors may reach the threshold: put it just above the next one.
        let allowed = (target_fmr * impostors.len() as f64).floor() as usize;
        Ok(MatchThreshold(MatchScore(next_up(sorted[allowed]))))
    }

    /// The threshold score.
    pub fn score(self) -> MatchScore {
        self.0
    }

    /// Whether a score reaches the threshold (a NaN score never does).
    pub fn accepts(self, score: MatchScore) -> bool {
        score.0 >= self.0.0
    }
}

/// The smallest `f32` greater than `x` (`f32::next_up` needs Rust 1.86; the workspace supports 1.85).
fn next_up(x: f32) -> f32 {
    if x.is_nan() || x == f32::INFINITY {
        return x;
    }
    if x == 0.0 {
        return f32::from_bits(1);
    }
    let bits = x.to_bits();
    if x > 0.0 {
        f32::from_bits(bits + 1)
    } else {
        f32::from_bits(bits - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_from_impostors_accepts_at_most_the_target_rate() {
        // 20,000 impostor scores 0..20,000: FMR 1/10,000 allows 2 of them through.
        let scores: Vec<MatchScore> = (0..20_000).map(|i| MatchScore(i as f32)).collect();
        let t =
            MatchThreshold::from_impostor_scores(&scores, MatchThreshold::FMR_1_IN_10000).unwrap();
        let accepted = scores.iter().filter(|s| t.accepts(**s)).count();
        assert_eq!(accepted, 2);
        assert!(!t.accepts(MatchScore(19_997.0)) && t.accepts(MatchScore(19_998.0)));
    }

    #[test]
    fn threshold_from_impostors_is_conservative_on_ties() {
        let mut scores = vec![MatchScore(1.0); 10_000];
        scores[0] = MatchScore(50.0);
        scores[1] = MatchScore(50.0);
        let t = MatchThreshold::from_impostor_scores(&scores, 1e-4).unwrap();
        assert_eq!(scores.iter().filter(|s| t.accepts(**s)).count(), 0);
    }

    #[test]
    fn threshold_needs_enough_impostors_and_a_sane_rate() {
        let scores = vec![MatchScore(1.0); 9_999];
        assert!(matches!(
            MatchThreshold::from_impostor_scores(&scores, 1e-4),
            Err(ThresholdError::TooFewImpostors {
                need: 10_000,
                got: 9_999,
                ..
            })
        ));
        assert!(matches!(
            MatchThreshold::from_impostor_scores(&scores, 0.0),
            Err(ThresholdError::Rate(_))
        ));
        let mut scores = vec![MatchScore(1.0); 100];
        scores[5] = MatchScore(f32::NAN);
        assert_eq!(
            MatchThreshold::from_impostor_scores(&scores, 0.01),
            Err(ThresholdError::NaN)
        );
    }

    #[test]
    fn nan_never_reaches_the_threshold() {
        assert!(!MatchThreshold::new(MatchScore(40.0)).accepts(MatchScore(f32::NAN)));
        assert!(MatchThreshold::new(MatchScore(40.0)).accepts(MatchScore(40.0)));
    }

    #[test]
    fn next_up_steps_over_zero_and_negatives() {
        assert!(next_up(0.0) > 0.0);
        assert!(next_up(-1.0) > -1.0 && next_up(-1.0) < -0.99);
        assert!(next_up(1.0) > 1.0);
    }
}
