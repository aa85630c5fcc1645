//! Error rates from genuine and impostor scores (the all-pairs protocol of `fpeval`).
//!
//! A comparison is a match when its score is at or above the threshold.
//! FMR(t) = share of impostor scores ≥ t; FNMR(t) = share of genuine scores < t.

/// Accuracy figures of one evaluation. Rates are fractions in 0..=1.
#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    /// Equal error rate: the mean of FMR and FNMR where they are closest.
    pub eer: f64,
    /// The lowest FNMR with FMR ≤ 1 %.
    pub fmr100: f64,
    /// The lowest FNMR with FMR ≤ 0.1 %.
    pub fmr1000: f64,
    /// The lowest FNMR with FMR ≤ 0.01 %.
    pub fmr10000: f64,
    /// The lowest FNMR with no false match.
    pub zero_fmr: f64,
    /// The lowest threshold with FMR ≤ 0.1 %.
    pub threshold_fmr1000: f64,
    /// The lowest threshold with FMR ≤ 0.01 %.
    pub threshold_fmr10000: f64,
    /// The DET curve: (FMR, FNMR) at every distinct threshold, FMR falling.
    pub det: Vec<(f64, f64)>,
}

/// Computes the rates. Empty inputs give rates of 1.
pub fn rates(genuine: &[f32], impostor: &[f32]) -> Rates {
    let mut thresholds: Vec<f32> = genuine.iter().chain(impostor).copied().collect();
    thresholds.push(f32::INFINITY);
    thresholds.sort_by(f32::total_cmp);
    thresholds.dedup();
    let mut g: Vec<f32> = genuine.to_vec();
    let mut im: Vec<f32> = impostor.to_vec();
    g.sort_by(f32::total_cmp);
    im.sort_by(f32::total_cmp);
    let ng = g.len().max(1) as f64;
    let ni = im.len().max(1) as f64;
    let (mut eer, mut best_gap) = (1.0, f64::INFINITY);
    let at = |limit: f64| (1.0f64, f64::INFINITY, limit);
    let mut targets = [at(0.01), at(0.001), at(0.0001), at(0.0)];
    let mut det = Vec::with_capacity(thresholds.len());
    for &t in &thresholds {
        let fnmr = g.partition_point(|&s| s < t) as f64 / ng;
        let fmr = (im.len() - im.partition_point(|&s| s < t)) as f64 / ni;
        det.push((fmr, fnmr));
        let gap = (fmr - fnmr).abs();
        if gap < best_gap {
            best_gap = gap;
            eer = (fmr + fnmr) / 2.0;
        }
        for (best, thr, limit) in &mut targets {
            if fmr <= *limit && fnmr < *best {
                *best = fnmr;
                *thr = t as f64;
            }
        }
    }
    Rates {
        eer,
        fmr100: targets[0].0,
        fmr1000: targets[1].0,
        fmr10000: targets[2].0,
        zero_fmr: targets[3].0,
        threshold_fmr1000: targets[1].1,
        threshold_fmr10000: targets[2].1,
        det,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separated_scores_have_no_error() {
        let r = rates(&[0.8, 0.9], &[0.1, 0.2, 0.3]);
        assert_eq!((r.eer, r.fmr100, r.zero_fmr), (0.0, 0.0, 0.0));
        assert_eq!(r.threshold_fmr1000, 0.8f32 as f64);
    }

    #[test]
    fn one_overlap() {
        // Genuine 0.2 sits below impostor 0.5: at t = 0.5, FMR 1/4, FNMR 1/4.
        let r = rates(&[0.2, 0.6, 0.7, 0.9], &[0.1, 0.3, 0.4, 0.5]);
        assert_eq!(r.eer, 0.25);
        assert_eq!(r.zero_fmr, 0.25);
    }
}
