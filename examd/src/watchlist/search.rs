//! 1:N search for the watch-list: the listed people's templates, and every enrolled candidate's (to find a new
//! applicant who is already enrolled under another identity), each a [`scoring::gallery::Gallery`]. The
//! watch-list keeps its cylinders and is compared in full up to [`BRUTE_FORCE_MAX`] templates; the enrolled
//! candidates' gallery (and a larger list) is searched by the binary prefilter, then the matcher on the shortlist
//! (every template below the shortlist's minimum of 100). A match is a score at the matcher's FMR 1 in 10,000
//! ([`scoring::THRESHOLD_FMR_10000`], the gate's own threshold).
//!
//! Gallery entry ids pack the owner and the template's position: `owner << 8 | index`.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use scoring::gallery::{EntryId, Gallery, SearchEnd, SearchOptions};
use scoring::{Score, THRESHOLD_FMR_10000, Template};

use super::model::WatchId;
use super::store::MAX_TEMPLATES;

/// The decision threshold (FMR 1 in 10,000).
pub fn threshold() -> f32 {
    THRESHOLD_FMR_10000.0
}

fn entry_id(owner: u32, index: usize) -> EntryId {
    EntryId(((owner as u64) << 8) | index as u64)
}

fn owner_of(id: EntryId) -> u32 {
    (id.0 >> 8) as u32
}

/// Up to this many templates the watch-list is searched by comparing every one; above, prefilter then rerank.
pub const BRUTE_FORCE_MAX: usize = 2_000;

fn options() -> SearchOptions {
    SearchOptions {
        top_k: 10,
        ..SearchOptions::default()
    }
}

/// The best match of a probe, at or above the threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// The entry.
    pub entry: WatchId,
    /// The matcher's score.
    pub score: f32,
}

/// What one search cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    /// Templates in the gallery.
    pub templates: usize,
    /// Templates the matcher compared.
    pub compared: usize,
    /// Wall time.
    pub took: Duration,
    /// How the search ended (every template compared, a decisive match, or the matcher's budget); `None`
    /// before any search of a non-empty gallery.
    pub end: Option<SearchEnd>,
}

impl Cost {
    /// Adds another search's figures (an enrolment searches each of its templates): times and comparisons
    /// add up, and the least complete end is kept (within budget, then decisive, then everything).
    pub fn add(&mut self, other: Cost) {
        self.took += other.took;
        self.compared += other.compared;
        self.templates = self.templates.max(other.templates);
        let rank = |e: Option<SearchEnd>| match e {
            None => 0,
            Some(SearchEnd::Exhaustive) => 1,
            Some(SearchEnd::Decisive) => 2,
            Some(SearchEnd::BudgetLimited) => 3,
        };
        if rank(other.end) > rank(self.end) {
            self.end = other.end;
        }
    }
}

/// The active watch-list entries' templates.
#[derive(Debug, Clone, Default)]
pub struct WatchGallery {
    g: Gallery,
    counts: BTreeMap<WatchId, usize>,
}

impl WatchGallery {
    /// An empty gallery; cylinders are kept in memory (the list is small and searched on every scan).
    pub fn new() -> WatchGallery {
        let mut g = Gallery::new();
        g.keep_prepared(true);
        WatchGallery {
            g,
            counts: BTreeMap::new(),
        }
    }

    /// Entries held.
    pub fn entries(&self) -> usize {
        self.counts.len()
    }

    /// Templates held.
    pub fn templates(&self) -> usize {
        self.g.len()
    }

    /// Whether an entry is held.
    pub fn contains(&self, id: WatchId) -> bool {
        self.counts.contains_key(&id)
    }

    /// Adds an entry's templates (replacing any it had).
    pub fn insert(&mut self, id: WatchId, templates: &[Template]) {
        self.remove(id);
        for (i, t) in templates.iter().take(MAX_TEMPLATES).enumerate() {
            // Ids are unique by construction: the entry's old ones were removed above.
            let _ = self.g.insert(entry_id(id.0, i), t.clone());
        }
        self.counts.insert(id, templates.len().min(MAX_TEMPLATES));
    }

    /// Drops an entry's templates.
    pub fn remove(&mut self, id: WatchId) {
        if let Some(n) = self.counts.remove(&id) {
            for i in 0..n {
                self.g.remove(entry_id(id.0, i));
            }
        }
    }

    /// The best entry matching `probe` at the threshold, if any, and what the search cost.
    pub fn search(&self, probe: &Template) -> (Option<Found>, Cost) {
        let t0 = Instant::now();
        if self.g.is_empty() {
            return (None, Cost::default());
        }
        // A list this small is compared in full (its cylinders are kept): no prefilter miss can hide an entry.
        let hits = if self.g.len() <= BRUTE_FORCE_MAX {
            self.g.search_brute_force(probe, options().top_k)
        } else {
            self.g.search(probe, &options())
        };
        let found = hits.best_at(THRESHOLD_FMR_10000).map(|c| Found {
            entry: WatchId(owner_of(c.id)),
            score: c.score.0,
        });
        let cost = Cost {
            templates: hits.gallery_len,
            compared: hits.compared,
            took: t0.elapsed(),
            end: Some(hits.end),
        };
        (found, cost)
    }

    /// [`WatchGallery::search`] by comparing every template one after another: the oracle.
    pub fn search_naive(&self, probe: &Template) -> Option<Found> {
        let mut best: Option<Found> = None;
        for &id in self.g.ids() {
            let t = self.g.template(id).expect("listed ids are held");
            let Score(s) = scoring::compare(probe, t);
            let f = Found {
                entry: WatchId(owner_of(id)),
                score: s,
            };
            let better = match best {
                None => true,
                Some(b) => s > b.score || (s == b.score && id < entry_id(b.entry.0, 0)),
            };
            if better {
                best = Some(f);
            }
        }
        best.filter(|b| b.score >= threshold())
    }
}

/// Every enrolled candidate's templates, by candidate id.
#[derive(Debug, Clone, Default)]
pub struct PeopleGallery {
    g: Gallery,
    people: Vec<String>,
    index: HashMap<String, u32>,
    counts: HashMap<u32, usize>,
}

impl PeopleGallery {
    /// An empty gallery.
    pub fn new() -> PeopleGallery {
        PeopleGallery::default()
    }

    /// People with templates.
    pub fn people(&self) -> usize {
        self.counts.len()
    }

    /// Templates held.
    pub fn templates(&self) -> usize {
        self.g.len()
    }

    /// Sets a person's templates (replacing what they had; none removes them).
    pub fn replace(&mut self, person: &str, templates: &[Template]) {
        let n = match self.index.get(person) {
            Some(&n) => n,
            None => {
                let n = self.people.len() as u32;
                self.people.push(person.to_owned());
                self.index.insert(person.to_owned(), n);
                n
            }
        };
        if let Some(old) = self.counts.remove(&n) {
            for i in 0..old {
                self.g.remove(entry_id(n, i));
            }
        }
        if templates.is_empty() {
            return;
        }
        let ts = templates.iter().take(MAX_TEMPLATES).cloned().enumerate();
        // Ids are unique by construction: the person's old ones were removed above.
        let _ = self.g.extend(ts.map(|(i, t)| (entry_id(n, i), t)));
        self.counts.insert(n, templates.len().min(MAX_TEMPLATES));
    }

    /// Other people whose templates match `probe` at the threshold, best first, with their best score.
    pub fn search_others(&self, person: &str, probe: &Template) -> (Vec<(String, f32)>, Cost) {
        let t0 = Instant::now();
        if self.g.is_empty() {
            return (Vec::new(), Cost::default());
        }
        let me = self.index.get(person).copied();
        let hits = self.g.search(probe, &options());
        let mut out: Vec<(String, f32)> = Vec::new();
        for c in &hits.candidates {
            let owner = owner_of(c.id);
            if Some(owner) == me || c.score < THRESHOLD_FMR_10000 {
                continue;
            }
            let who = &self.people[owner as usize];
            if !out.iter().any(|(p, _)| p == who) {
                out.push((who.clone(), c.score.0));
            }
        }
        let cost = Cost {
            templates: hits.gallery_len,
            compared: hits.compared,
            took: t0.elapsed(),
            end: Some(hits.end),
        };
        (out, cost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::synth::impression;
    use proptest::prelude::*;

    fn watch(fingers: &[u64]) -> WatchGallery {
        let mut g = WatchGallery::new();
        for (i, &f) in fingers.iter().enumerate() {
            g.insert(WatchId(i as u32 + 1), &[impression(f, 0), impression(f, 1)]);
        }
        g
    }

    #[test]
    fn a_listed_finger_is_found_and_others_are_not() {
        let mut g = watch(&[11, 12, 13]);
        assert_eq!((g.entries(), g.templates()), (3, 6));
        let (found, cost) = g.search(&impression(12, 5));
        assert_eq!(found.map(|f| f.entry), Some(WatchId(2)));
        assert_eq!(cost.templates, 6);
        assert_eq!(
            cost.end,
            Some(SearchEnd::Exhaustive),
            "a small list is compared in full"
        );
        assert_eq!(g.search(&impression(40, 5)).0, None);
        g.remove(WatchId(2));
        assert_eq!(
            g.search(&impression(12, 5)).0,
            None,
            "a removed entry is not searched"
        );
        assert_eq!(g.templates(), 4);
        g.insert(WatchId(1), &[impression(12, 0)]);
        assert_eq!(
            g.search(&impression(12, 5)).0.map(|f| f.entry),
            Some(WatchId(1)),
            "replaced"
        );
    }

    #[test]
    fn an_applicant_matching_someone_else_is_found_but_not_themselves() {
        let mut g = PeopleGallery::new();
        for n in 0..12u64 {
            g.replace(&format!("candidate:c{n}"), &[impression(100 + n, 0)]);
        }
        assert_eq!((g.people(), g.templates()), (12, 12));
        let (same, _) = g.search_others("candidate:c3", &impression(103, 1));
        assert!(same.is_empty(), "re-enrolling the same person: {same:?}");
        let (other, _) = g.search_others("candidate:new", &impression(103, 1));
        assert_eq!(other.len(), 1);
        assert_eq!(other[0].0, "candidate:c3");
        g.replace("candidate:c3", &[]);
        assert!(
            g.search_others("candidate:new", &impression(103, 1))
                .0
                .is_empty()
        );
        assert_eq!(g.people(), 11);
    }

    /// `WATCHLIST_SCALE=N cargo test -p examd --lib watchlist::search::tests::scale -- --nocapture`: the enrolment
    /// check against N enrolled synthetic candidates and the gate check against a 100-entry list, timed (scoring is
    /// built optimised even in the dev profile).
    #[test]
    fn scale() {
        let Some(n) = std::env::var("WATCHLIST_SCALE")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        else {
            eprintln!("SKIP watch-list scale figures: set WATCHLIST_SCALE=<enrolled candidates>");
            return;
        };
        let params = fingersynth::MinutiaImpressionParams::cooperative();
        let t = |f: u64, i: u32| fingersynth::synthetic_template(9, f, i, &params);
        let t0 = Instant::now();
        let mut people = PeopleGallery::new();
        for f in 0..n {
            people.replace(&format!("candidate:p{f}"), &[t(f, 0)]);
        }
        let built = t0.elapsed();
        let mut watch = WatchGallery::new();
        for f in 0..100u64 {
            watch.insert(WatchId(f as u32 + 1), &[t(n + f, 0), t(n + f, 1)]);
        }
        let (mut enrol, mut gate) = (Vec::new(), Vec::new());
        for k in 0..20u64 {
            let (found, c) = people.search_others("candidate:new", &t(k * 7 % n, 2));
            assert_eq!(
                found.first().map(|f| f.0.clone()),
                Some(format!("candidate:p{}", k * 7 % n))
            );
            enrol.push(c);
            let (hit, c) = watch.search(&t(n + k, 3));
            assert_eq!(hit.map(|h| h.entry), Some(WatchId(k as u32 + 1)));
            gate.push(c);
        }
        let ms = |cs: &[Cost]| {
            let mut v: Vec<f64> = cs.iter().map(|c| c.took.as_secs_f64() * 1e3).collect();
            v.sort_by(f64::total_cmp);
            (v[v.len() / 2], v[v.len() - 1])
        };
        let (em, ex) = ms(&enrol);
        let (gm, gx) = ms(&gate);
        println!(
            "enrolled gallery: {n} templates built in {:.1} s; enrolment check median {em:.2} ms, max {ex:.2} ms \
             (matcher compared {} of {n}); gate check against 100 entries / 200 templates median {gm:.2} ms, max {gx:.2} ms",
            built.as_secs_f64(),
            enrol[0].compared,
        );
    }

    #[test]
    fn an_enrolment_keeps_the_least_complete_end_of_its_searches() {
        let one = |end, compared| Cost {
            templates: 10,
            compared,
            took: Duration::from_millis(1),
            end,
        };
        let mut c = Cost::default();
        c.add(one(Some(SearchEnd::Exhaustive), 10));
        assert_eq!(c.end, Some(SearchEnd::Exhaustive));
        c.add(one(Some(SearchEnd::BudgetLimited), 4));
        c.add(one(Some(SearchEnd::Decisive), 2));
        c.add(one(None, 0));
        assert_eq!(c.end, Some(SearchEnd::BudgetLimited));
        assert_eq!(
            (c.compared, c.templates, c.took),
            (16, 10, Duration::from_millis(4))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(6))]
        #[test]
        fn the_gallery_search_finds_what_comparing_every_template_finds(probe in 0u64..10, imp in 2u64..40) {
            let g = watch(&[1, 2, 3, 4, 5, 6]);
            let (fast, _) = g.search(&impression(probe, imp));
            let naive = g.search_naive(&impression(probe, imp));
            prop_assert_eq!(fast.map(|f| f.entry), naive.map(|f| f.entry));
            if let (Some(a), Some(b)) = (fast, naive) {
                prop_assert!((a.score - b.score).abs() < 1e-6);
            }
        }
    }
}
