//! Debouncing: a reading counts only after `n` consecutive equal samples. Pure.

/// One input's debouncer. Starts (and after [`Debouncer::forget`] restarts) with no known state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Debouncer {
    n: u8,
    stable: Option<bool>,
    candidate: bool,
    count: u8,
}

impl Debouncer {
    /// A debouncer that accepts a value after `n` equal samples in a row (`n` = 0 is taken as 1).
    pub fn new(n: u8) -> Debouncer {
        Debouncer {
            n: n.max(1),
            stable: None,
            candidate: false,
            count: 0,
        }
    }

    /// The accepted state, if any.
    pub fn stable(&self) -> Option<bool> {
        self.stable
    }

    /// Feeds one sample; returns the new accepted state when it changed (including the first one).
    pub fn sample(&mut self, value: bool) -> Option<bool> {
        if self.count > 0 && value == self.candidate {
            self.count = self.count.saturating_add(1);
        } else {
            self.candidate = value;
            self.count = 1;
        }
        if self.count >= self.n && self.stable != Some(value) {
            self.stable = Some(value);
            return Some(value);
        }
        None
    }

    /// Forgets the accepted state (the link was lost: the input is unknown until read again).
    pub fn forget(&mut self) {
        *self = Debouncer::new(self.n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(n: u8, samples: &[bool]) -> Vec<Option<bool>> {
        let mut d = Debouncer::new(n);
        samples.iter().map(|&s| d.sample(s)).collect()
    }

    #[test]
    fn first_state_needs_n_equal_samples() {
        assert_eq!(
            run(3, &[true, true, true, true]),
            vec![None, None, Some(true), None]
        );
        assert_eq!(run(1, &[false]), vec![Some(false)]);
        assert_eq!(run(0, &[false]), vec![Some(false)]);
    }

    #[test]
    fn a_glitch_shorter_than_n_is_ignored() {
        let s = [false, false, true, false, true, true, false, false, false];
        assert_eq!(
            run(2, &s),
            vec![
                None,
                Some(false),
                None,
                None,
                None,
                Some(true),
                None,
                Some(false),
                None
            ]
        );
        // n = 3: the two-sample `true` run never counts.
        let out = run(3, &s);
        assert_eq!(
            out.iter().flatten().copied().collect::<Vec<_>>(),
            vec![false]
        );
    }

    #[test]
    fn forget_makes_the_state_unknown_and_reports_it_again() {
        let mut d = Debouncer::new(2);
        d.sample(true);
        assert_eq!(d.sample(true), Some(true));
        d.forget();
        assert_eq!(d.stable(), None);
        assert_eq!(d.sample(true), None);
        assert_eq!(d.sample(true), Some(true));
    }

    /// Oracle: the accepted value changes exactly when the last `n` samples agree on a new value.
    #[test]
    fn agrees_with_a_sliding_window_oracle() {
        // A fixed pseudo-random bit stream (xorshift), long enough to hit every run length.
        let mut x: u32 = 0x9e37_79b9;
        let samples: Vec<bool> = (0..5_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                !x.is_multiple_of(3)
            })
            .collect();
        for n in 1..=5u8 {
            let mut d = Debouncer::new(n);
            let mut stable = None;
            for (i, &s) in samples.iter().enumerate() {
                let got = d.sample(s);
                let n = usize::from(n);
                let window_agrees = i + 1 >= n && samples[i + 1 - n..=i].iter().all(|&v| v == s);
                let want = (window_agrees && stable != Some(s)).then_some(s);
                if want.is_some() {
                    stable = want;
                }
                assert_eq!(got, want, "n={n} i={i}");
            }
        }
    }
}
