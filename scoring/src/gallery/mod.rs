//! 1:N identification: a gallery of templates searched with a binary prefilter, then re-ranked
//! with the real matcher.
//!
//! Search in three stages:
//! 1. **Coarse prefilter.** Every entry keeps a fixed-length binary code of its minutia-pair
//!    shapes ([`code`]); the probe's code is ANDed with every entry's code and the common bits
//!    counted (POPCNT), over one contiguous array, on all cores. The best `coarse` entries go on.
//! 2. **Fine prefilter.** Every entry also keeps a 256-bit code per minutia ([`local`]); each
//!    probe minutia finds its most similar entry minutia by popcount, and the entry scores the
//!    mean of the best of these. The best `shortlist` entries go on.
//! 3. **Re-ranking.** The shortlisted entries are compared with the probe by
//!    [`compare_prepared`](crate::compare_prepared), in parallel, and the best `top_k` are returned
//!    with their matcher scores.
//!
//! With a shortlist as long as the gallery the result is exactly [`Gallery::search_brute_force`];
//! with a shorter one it is the brute-force result whenever the true best entry passes both
//! prefilter stages (the *penetration* is the share of the gallery that the matcher sees).
//!
//! ```
//! use scoring::gallery::{EntryId, Gallery, SearchOptions};
//! use scoring::{Minutia, MinutiaKind, Template};
//!
//! let finger = |seed: u32| Template { width: 300, height: 300, quality: 0, minutiae: (0..30u32).map(|i| Minutia {
//!     x: (20 + (i * 37 + seed * 11) % 260) as u16, y: (20 + (i * 53 + seed * 7) % 260) as u16,
//!     angle: (i * 2111 + seed * 997) as u16, kind: MinutiaKind::Ending, quality: 50 }).collect() };
//! let mut g = Gallery::new();
//! for s in 0..20 { g.insert(EntryId(s as u64), finger(s)).unwrap(); }
//! let hits = g.search(&finger(7), &SearchOptions::default());
//! assert_eq!(hits.candidates[0].id, EntryId(7));
//! let bytes = g.to_bytes();
//! assert_eq!(Gallery::from_bytes(&bytes, &Default::default()).unwrap().len(), 20);
//! ```

pub mod code;
mod error;
mod file;
pub mod local;
mod scan;

pub use error::{GalleryError, GalleryErrorKind};
pub use file::ReadLimits;

use crate::matcher::{Prepared, Score, THRESHOLD_FMR_1000, THRESHOLD_FMR_10000, compare_prepared};
use crate::template::Template;
use code::{Code, WORDS};
use local::{LocalCode, ProbeLocals};
use rayon::prelude::*;
use std::collections::HashMap;

/// The caller's id of a gallery entry (a driver, a black-list entry, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId(pub u64);

/// How a search runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOptions {
    /// How many candidates to return.
    pub top_k: usize,
    /// The fewest entries the fine prefilter scores (all of them in a smaller gallery).
    pub coarse_min: usize,
    /// The share of the gallery the fine prefilter scores, when that is more than `coarse_min`.
    pub coarse_share: f64,
    /// The fewest entries the matcher re-ranks (all of them in a smaller gallery): the first batch.
    pub shortlist_min: usize,
    /// The share of the gallery in the first batch, when that is more than `shortlist_min`.
    pub shortlist_share: f64,
    /// The most entries the matcher compares in one search (the CPU budget): without a decisive
    /// candidate the re-ranking widens in the fine prefilter's order up to this many. A gallery no
    /// larger is compared in full whenever no decisive candidate turns up.
    pub rerank_max: usize,
}

impl Default for SearchOptions {
    /// Ten candidates; the fine prefilter sees at least 2,000 entries or 3 % of the gallery; the
    /// matcher sees 10 entries (or 0.001 % of the gallery) first and at most 200 (building an
    /// entry's cylinders costs far more than comparing them: 200 entries take about as much CPU
    /// as the two prefilter stages at a million entries).
    fn default() -> Self {
        Self {
            top_k: 10,
            coarse_min: 2000,
            coarse_share: 0.03,
            shortlist_min: 10,
            shortlist_share: 0.000_01,
            rerank_max: 200,
        }
    }
}

impl SearchOptions {
    /// How many entries the matcher re-ranks first (the first batch) in a gallery of `n`.
    pub fn shortlist_len(&self, n: usize) -> usize {
        let share = (self.shortlist_share.clamp(0.0, 1.0) * n as f64).ceil() as usize;
        self.shortlist_min.max(share).max(self.top_k).min(n)
    }

    /// The most entries the matcher may compare in a gallery of `n` (never fewer than the first batch).
    pub fn rerank_len(&self, n: usize) -> usize {
        self.rerank_max.max(self.shortlist_len(n)).min(n)
    }

    /// How many entries the fine prefilter scores in a gallery of `n` (never fewer than the
    /// matcher may compare).
    pub fn coarse_len(&self, n: usize) -> usize {
        let share = (self.coarse_share.clamp(0.0, 1.0) * n as f64).ceil() as usize;
        self.coarse_min.max(share).max(self.rerank_len(n)).min(n)
    }
}

/// How far a search went: it tells "no match, and the whole gallery was compared" from "no match
/// among the entries the budget reached".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchEnd {
    /// The matcher compared every entry: the answer is the brute-force answer.
    Exhaustive,
    /// The best candidate scores at or above [`THRESHOLD_FMR_10000`](crate::THRESHOLD_FMR_10000),
    /// and the last batch of the fine prefilter's order held no candidate even at the FMR 1 in
    /// 1,000 threshold, so that a better one further down is implausible (see [`Gallery::search`]).
    Decisive,
    /// No decisive candidate within [`SearchOptions::rerank_max`] comparisons (or among the
    /// entries the coarse stage passed): entries the matcher did not see may score higher.
    BudgetLimited,
}

/// One candidate of a search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The entry.
    pub id: EntryId,
    /// The matcher's score (compare with [`THRESHOLD_FMR_10000`](crate::THRESHOLD_FMR_10000)).
    pub score: Score,
    /// The entry's place in the fine prefilter's order (0 = best), or `None` for a brute-force search.
    pub prefilter_rank: Option<u32>,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    /// The best candidates, highest score first (ties: lower id first).
    pub candidates: Vec<Candidate>,
    /// How many entries the fine prefilter scored.
    pub refined: usize,
    /// How many entries the matcher compared.
    pub compared: usize,
    /// How many entries the gallery held.
    pub gallery_len: usize,
    /// How far the search went.
    pub end: SearchEnd,
}

impl Hits {
    /// True when the matcher compared every entry, so that "no candidate at the threshold" means
    /// that none in the gallery is.
    pub fn searched_everything(&self) -> bool {
        self.end == SearchEnd::Exhaustive
    }

    /// The best candidate scoring at or above `threshold`.
    pub fn best_at(&self, threshold: Score) -> Option<&Candidate> {
        self.candidates.first().filter(|c| c.score >= threshold)
    }
}

/// A 1:N gallery. Entries are kept in insertion order; removal moves the last entry into the gap.
#[derive(Debug, Clone, Default)]
pub struct Gallery {
    ids: Vec<EntryId>,
    slot: HashMap<EntryId, usize>,
    /// `WORDS` words per entry, entry after entry.
    codes: Vec<u64>,
    /// 1/(bits set) per entry.
    weights: Vec<f32>,
    templates: Vec<Template>,
    /// Every entry's per-minutia codes and minutia directions.
    locals: Vec<Locals>,
    /// Every entry's cylinders, when kept ([`Gallery::keep_prepared`]).
    prepared: Option<Vec<Prepared>>,
}

/// One entry's data for the fine prefilter: a code per minutia and the minutiae's directions.
#[derive(Debug, Clone, PartialEq)]
struct Locals {
    codes: Box<[LocalCode]>,
    dirs: Box<[u16]>,
}

impl Locals {
    fn new(t: &Template, codes: Vec<LocalCode>) -> Self {
        Self {
            codes: codes.into_boxed_slice(),
            dirs: t.minutiae.iter().map(|m| m.angle).collect(),
        }
    }
}

/// The two prefilter stages' lists for one probe (for measuring penetration).
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub struct Shortlists {
    /// The entries the coarse stage passed, best first, with their coarse scores.
    pub coarse: Vec<(EntryId, f32)>,
    /// The same entries in the fine stage's order, with their fine scores (the matcher takes
    /// them in this order, [`SearchOptions::shortlist_len`] first).
    pub fine: Vec<(EntryId, f32)>,
}

fn weight(code: &Code) -> f32 {
    1.0 / code::ones(code).max(1) as f32
}

impl Gallery {
    /// An empty gallery.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the gallery holds no entry.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether an entry is present.
    pub fn contains(&self, id: EntryId) -> bool {
        self.slot.contains_key(&id)
    }

    /// The template of an entry.
    pub fn template(&self, id: EntryId) -> Option<&Template> {
        self.slot.get(&id).map(|&i| &self.templates[i])
    }

    /// The entries' ids, in storage order.
    pub fn ids(&self) -> &[EntryId] {
        &self.ids
    }

    /// Keeps every entry's cylinders in memory (about 12 KB an entry) so that searches skip
    /// building them for the shortlist: for small galleries searched often (a watch-list).
    pub fn keep_prepared(&mut self, keep: bool) {
        self.prepared = keep.then(|| self.templates.par_iter().map(Prepared::new).collect());
    }

    fn prepared_of(&self, i: usize) -> std::borrow::Cow<'_, Prepared> {
        match &self.prepared {
            Some(p) => std::borrow::Cow::Borrowed(&p[i]),
            None => std::borrow::Cow::Owned(Prepared::new(&self.templates[i])),
        }
    }

    /// Adds an entry; an id already present is refused.
    pub fn insert(&mut self, id: EntryId, template: Template) -> Result<(), GalleryError> {
        let code = code::gallery_code(&template);
        let locals = local::gallery_locals(&template);
        self.insert_coded(id, template, code, locals)
    }

    fn insert_coded(
        &mut self,
        id: EntryId,
        template: Template,
        code: Code,
        locals: Vec<LocalCode>,
    ) -> Result<(), GalleryError> {
        if self.slot.contains_key(&id) {
            return Err(GalleryError::new(
                GalleryErrorKind::DuplicateId,
                format!("{}", id.0),
            ));
        }
        self.slot.insert(id, self.ids.len());
        self.ids.push(id);
        self.codes.extend_from_slice(&code);
        self.weights.push(weight(&code));
        if let Some(p) = &mut self.prepared {
            p.push(Prepared::new(&template));
        }
        self.locals.push(Locals::new(&template, locals));
        self.templates.push(template);
        Ok(())
    }

    /// Adds many entries, computing their codes on all cores. Stops at the first duplicate id
    /// (entries before it stay in).
    pub fn extend(
        &mut self,
        entries: impl IntoIterator<Item = (EntryId, Template)>,
    ) -> Result<(), GalleryError> {
        let entries: Vec<(EntryId, Template)> = entries.into_iter().collect();
        let codes: Vec<(Code, Vec<LocalCode>)> = entries
            .par_iter()
            .map(|(_, t)| (code::gallery_code(t), local::gallery_locals(t)))
            .collect();
        self.reserve(entries.len());
        for ((id, t), (c, l)) in entries.into_iter().zip(codes) {
            self.insert_coded(id, t, c, l)?;
        }
        Ok(())
    }

    fn reserve(&mut self, n: usize) {
        self.ids.reserve(n);
        self.slot.reserve(n);
        self.codes.reserve(n * WORDS);
        self.weights.reserve(n);
        self.templates.reserve(n);
        self.locals.reserve(n);
    }

    /// Removes an entry; returns its template, or `None` when absent.
    pub fn remove(&mut self, id: EntryId) -> Option<Template> {
        let i = self.slot.remove(&id)?;
        let last = self.ids.len() - 1;
        if i != last {
            let moved = self.ids[last];
            self.slot.insert(moved, i);
            self.codes
                .copy_within(last * WORDS..(last + 1) * WORDS, i * WORDS);
        }
        self.ids.swap_remove(i);
        self.weights.swap_remove(i);
        self.codes.truncate(last * WORDS);
        if let Some(p) = &mut self.prepared {
            p.swap_remove(i);
        }
        self.locals.swap_remove(i);
        Some(self.templates.swap_remove(i))
    }

    /// The fine prefilter's scores of the given entries (indices), in parallel.
    fn fine_scores(&self, probe: &ProbeLocals, entries: &[scan::Scored]) -> Vec<scan::Scored> {
        entries
            .par_iter()
            .with_min_len(64)
            .map(|&(_, i)| {
                let l = &self.locals[i as usize];
                (local::score(probe, &l.codes, &l.dirs), i)
            })
            .collect()
    }

    /// The entries the matcher may re-rank, best first by fine score (by coarse score when the
    /// first batch takes them all), and how many the fine stage scored.
    fn prefilter(&self, probe: &Template, opts: &SearchOptions) -> (Vec<scan::Scored>, usize) {
        let n1 = opts.coarse_len(self.len());
        let coarse = scan::shortlist(&self.codes, &self.weights, &code::probe_code(probe), n1);
        if opts.shortlist_len(self.len()) >= coarse.len() {
            return (coarse, 0);
        }
        let fine = self.fine_scores(&ProbeLocals::new(probe), &coarse);
        let refined = coarse.len();
        (scan::best(fine, opts.rerank_len(self.len())), refined)
    }

    /// Both prefilter stages' complete lists for one probe.
    #[doc(hidden)]
    pub fn shortlists(&self, probe: &Template, opts: &SearchOptions) -> Shortlists {
        let n1 = opts.coarse_len(self.len());
        let coarse = scan::shortlist(&self.codes, &self.weights, &code::probe_code(probe), n1);
        let fine = scan::best(
            self.fine_scores(&ProbeLocals::new(probe), &coarse),
            coarse.len(),
        );
        let named = |v: Vec<scan::Scored>| {
            v.into_iter()
                .map(|(s, i)| (self.ids[i as usize], s))
                .collect()
        };
        Shortlists {
            coarse: named(coarse),
            fine: named(fine),
        }
    }

    /// Searches the gallery: both prefilter stages, then the matcher in batches down the fine
    /// prefilter's order.
    ///
    /// The first batch is [`SearchOptions::shortlist_len`] entries; each further batch is as
    /// large as all the batches before it. The search stops
    /// - when every entry has been compared ([`SearchEnd::Exhaustive`]);
    /// - when the best score is at or above [`THRESHOLD_FMR_10000`](crate::THRESHOLD_FMR_10000)
    ///   and the last batch held no score at [`THRESHOLD_FMR_1000`](crate::THRESHOLD_FMR_1000)
    ///   ([`SearchEnd::Decisive`]): the prefilter puts true mates near the top of its order, so a
    ///   stretch of the order as long as everything compared so far without even a weak match
    ///   makes a better mate further down implausible;
    /// - when [`SearchOptions::rerank_len`] entries have been compared ([`SearchEnd::BudgetLimited`]).
    ///
    /// A gallery no larger than [`SearchOptions::rerank_max`] is thus compared in full unless a
    /// decisive candidate turns up.
    pub fn search(&self, probe: &Template, opts: &SearchOptions) -> Hits {
        let n = self.len();
        let (order, refined) = self.prefilter(probe, opts);
        let budget = opts.rerank_len(n).min(order.len());
        let pp = Prepared::new(probe);
        let mut seen: Vec<Candidate> = Vec::with_capacity(budget);
        let mut batch = opts.shortlist_len(n).max(1);
        let end =
            loop {
                let from = seen.len();
                let to = (from + batch).min(budget);
                seen.par_extend(order[from..to].par_iter().enumerate().map(|(k, &(_, i))| {
                    Candidate {
                        id: self.ids[i as usize],
                        score: compare_prepared(&pp, &self.prepared_of(i as usize)),
                        prefilter_rank: Some((from + k) as u32),
                    }
                }));
                let best_of =
                    |c: &[Candidate]| c.iter().map(|c| c.score.0).fold(f32::MIN, f32::max);
                if seen.len() == n {
                    break SearchEnd::Exhaustive;
                }
                if from > 0
                    && best_of(&seen) >= THRESHOLD_FMR_10000.0
                    && best_of(&seen[from..]) < THRESHOLD_FMR_1000.0
                {
                    break SearchEnd::Decisive;
                }
                if seen.len() >= budget {
                    break SearchEnd::BudgetLimited;
                }
                batch = seen.len();
            };
        let compared = seen.len();
        rank(&mut seen, opts.top_k);
        Hits {
            candidates: seen,
            refined,
            compared,
            gallery_len: n,
            end,
        }
    }

    /// Compares the probe with every entry; the reference result for [`Gallery::search`].
    pub fn search_brute_force(&self, probe: &Template, top_k: usize) -> Hits {
        let pp = Prepared::new(probe);
        let mut candidates: Vec<Candidate> = (0..self.len())
            .into_par_iter()
            .map(|i| Candidate {
                id: self.ids[i],
                score: compare_prepared(&pp, &self.prepared_of(i)),
                prefilter_rank: None,
            })
            .collect();
        rank(&mut candidates, top_k);
        Hits {
            candidates,
            refined: 0,
            compared: self.len(),
            gallery_len: self.len(),
            end: SearchEnd::Exhaustive,
        }
    }

    /// The place of an entry in the prefilter's order for this probe (0 = first), or `None` when
    /// absent: the penetration the matcher would need to see that entry.
    pub fn prefilter_rank(&self, probe: &Template, id: EntryId) -> Option<usize> {
        let i = *self.slot.get(&id)?;
        let p = code::probe_code(probe);
        let s = |j: usize| {
            code::common(&self.codes[j * WORDS..(j + 1) * WORDS], &p) as f32 * self.weights[j]
        };
        let mine = (s(i), i as u32);
        Some(
            (0..self.len())
                .filter(|&j| scan::order(&(s(j), j as u32), &mine).is_lt())
                .count(),
        )
    }

    /// Bytes held in memory per entry on average: code, weight, id, index slot, template and
    /// per-minutia codes and directions.
    pub fn bytes_per_entry(&self) -> f64 {
        if self.is_empty() {
            return 0.0;
        }
        let minutiae: usize = self.templates.iter().map(|t| t.minutiae.capacity()).sum();
        let locals: usize = self.locals.iter().map(|l| l.codes.len()).sum();
        let fixed = WORDS * 8
            + size_of::<f32>()
            + size_of::<EntryId>()
            + size_of::<Template>()
            + size_of::<Locals>()
            // A hash map slot: key, value and a control byte, at the map's load factor of 7/8.
            + (size_of::<(EntryId, usize)>() + 1) * 8 / 7;
        let per_minutia = size_of::<crate::Minutia>() as f64;
        let per_local = (size_of::<LocalCode>() + size_of::<u16>()) as f64;
        fixed as f64
            + (minutiae as f64 * per_minutia + locals as f64 * per_local) / self.len() as f64
    }
}

/// Sorts by score (highest first, then lower id) and keeps `k`.
fn rank(c: &mut Vec<Candidate>, k: usize) {
    c.sort_by(|a, b| b.score.0.total_cmp(&a.score.0).then(a.id.cmp(&b.id)));
    c.truncate(k);
}

#[cfg(test)]
mod tests;
