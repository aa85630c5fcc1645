//! Gallery tests: the search equals brute force, mates are found through the prefilter, and on
//! the FVC2002 sets (when present) the top-1 equals brute force.

use super::*;
use crate::template::{Minutia, MinutiaKind};
use proptest::prelude::*;

/// A small deterministic generator for test fingers (splitmix64).
struct Mix(u64);
impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A finger: 30–55 minutiae spread over 260×260 pixels, in finger coordinates around (0, 0).
fn finger(seed: u64) -> Vec<(f32, f32, f32)> {
    let mut r = Mix(seed);
    let n = 30 + (r.next() % 26) as usize;
    (0..n)
        .map(|_| {
            (
                r.unit() * 260.0 - 130.0,
                r.unit() * 260.0 - 130.0,
                r.unit() * std::f32::consts::TAU,
            )
        })
        .collect()
}

/// An impression of a finger: turned, moved, positions jittered, some minutiae lost.
fn impression(f: &[(f32, f32, f32)], seed: u64) -> Template {
    let mut r = Mix(seed ^ 0x5151);
    let turn = (r.unit() - 0.5) * 0.5;
    let (dx, dy) = (
        180.0 + (r.unit() - 0.5) * 30.0,
        180.0 + (r.unit() - 0.5) * 30.0,
    );
    let (s, c) = turn.sin_cos();
    let mut minutiae = Vec::new();
    for &(x, y, a) in f {
        if r.unit() <= 0.12 {
            continue;
        }
        let (jx, jy) = ((r.unit() - 0.5) * 4.0, (r.unit() - 0.5) * 4.0);
        minutiae.push(Minutia {
            x: (x * c + y * s + dx + jx).round() as u16,
            y: (-x * s + y * c + dy + jy).round() as u16,
            angle: Minutia::angle_from_rad(a + turn + (r.unit() - 0.5) * 0.15),
            kind: MinutiaKind::Ending,
            quality: 50,
        });
    }
    Template {
        width: 360,
        height: 360,
        quality: 50,
        minutiae,
    }
}

fn gallery_of(fingers: u64, seed: u64) -> Gallery {
    let mut g = Gallery::new();
    g.extend((0..fingers).map(|k| (EntryId(k), impression(&finger(seed + k), 1))))
        .unwrap();
    g
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn search_with_a_full_shortlist_equals_brute_force(n in 1u64..25, seed in 0u64..1_000_000, probe in 0u64..30, k in 1usize..6) {
        let g = gallery_of(n, seed);
        let p = impression(&finger(seed + probe), 2);
        let opts = SearchOptions { top_k: k, coarse_min: n as usize, coarse_share: 0.0, shortlist_min: n as usize, shortlist_share: 0.0, rerank_max: 0 };
        let hits = g.search(&p, &opts);
        prop_assert_eq!(hits.end, SearchEnd::Exhaustive);
        let got: Vec<(EntryId, Score)> = hits.candidates.iter().map(|c| (c.id, c.score)).collect();
        let want: Vec<(EntryId, Score)> = g.search_brute_force(&p, k).candidates.iter().map(|c| (c.id, c.score)).collect();
        prop_assert_eq!(got, want);
    }

    /// The fine stage keeps exactly the entries with the best fine scores among those the coarse
    /// stage passed (scored and sorted the plain way), and the matcher compares them in that order
    /// in batches, stopping where the plain loop below stops.
    #[test]
    fn fine_stage_keeps_the_best_fine_scores(n in 2u64..30, seed in 0u64..1_000_000, probe in 0u64..30, coarse in 1usize..30, short in 1usize..30, most in 0usize..30) {
        let g = gallery_of(n, seed);
        let p = impression(&finger(seed + probe), 2);
        let opts = SearchOptions { top_k: 3, coarse_min: coarse, coarse_share: 0.0, shortlist_min: short, shortlist_share: 0.0, rerank_max: most };
        let lists = g.shortlists(&p, &opts);
        prop_assert_eq!(lists.coarse.len(), opts.coarse_len(n as usize));
        let pl = local::ProbeLocals::new(&p);
        let mut want: Vec<(EntryId, f32)> = lists.coarse.iter().map(|&(id, _)| {
            let t = g.template(id).unwrap();
            let dirs: Vec<u16> = t.minutiae.iter().map(|m| m.angle).collect();
            (id, local::score(&pl, &local::gallery_locals(t), &dirs))
        }).collect();
        let slot = |id: EntryId| g.ids().iter().position(|&x| x == id).unwrap();
        want.sort_by(|a, b| b.1.total_cmp(&a.1).then(slot(a.0).cmp(&slot(b.0))));
        prop_assert_eq!(&lists.fine, &want);
        // The plain progressive loop: batches of 1, 1, 2, 4, … times the first, down the fine order.
        let scores: Vec<Score> = want.iter().map(|&(id, _)| crate::compare(&p, g.template(id).unwrap())).collect();
        let budget = opts.rerank_len(n as usize);
        let (mut done, mut end) = (0usize, None);
        let mut batch = opts.shortlist_len(n as usize);
        while end.is_none() {
            let next = (done + batch).min(budget);
            let best = scores[..next].iter().map(|s| s.0).fold(f32::MIN, f32::max);
            let last = scores[done..next].iter().map(|s| s.0).fold(f32::MIN, f32::max);
            end = if next == n as usize {
                Some(SearchEnd::Exhaustive)
            } else if done > 0 && best >= crate::THRESHOLD_FMR_10000.0 && last < crate::THRESHOLD_FMR_1000.0 {
                Some(SearchEnd::Decisive)
            } else if next == budget {
                Some(SearchEnd::BudgetLimited)
            } else {
                None
            };
            done = next;
            batch = done;
        }
        let hits = g.search(&p, &opts);
        prop_assert_eq!(hits.compared, done);
        prop_assert_eq!(Some(hits.end), end);
        let mut by_matcher: Vec<(EntryId, Score)> = want[..done].iter().zip(&scores).map(|(&(id, _), &s)| (id, s)).collect();
        by_matcher.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then(a.0.cmp(&b.0)));
        by_matcher.truncate(3);
        prop_assert_eq!(hits.candidates.iter().map(|c| (c.id, c.score)).collect::<Vec<_>>(), by_matcher);
    }

    /// With the default options a gallery within the budget is either compared in full (the
    /// brute-force answer) or has a decisive best candidate.
    #[test]
    fn default_search_is_exhaustive_or_decisive(n in 1u64..60, seed in 0u64..1_000_000, probe in 0u64..80) {
        let g = gallery_of(n, seed);
        let p = impression(&finger(seed + probe), 2);
        let opts = SearchOptions::default();
        let hits = g.search(&p, &opts);
        let brute = g.search_brute_force(&p, opts.top_k);
        match hits.end {
            SearchEnd::Exhaustive => {
                prop_assert!(hits.searched_everything());
                prop_assert_eq!(hits.compared, n as usize);
                let plain = |h: &Hits| h.candidates.iter().map(|c| (c.id, c.score)).collect::<Vec<_>>();
                prop_assert_eq!(plain(&hits), plain(&brute));
            }
            SearchEnd::Decisive => {
                prop_assert!(hits.candidates[0].score >= crate::THRESHOLD_FMR_10000);
                prop_assert!(hits.compared < n as usize);
            }
            SearchEnd::BudgetLimited => prop_assert!(false, "a gallery of {} within the budget of {}", n, opts.rerank_max),
        }
        prop_assert_eq!(hits.candidates[0].id, brute.candidates[0].id);
    }
}

#[test]
fn mates_pass_a_short_prefilter() {
    // 200 fingers, each probe another impression; the fine stage sees 30 % of the gallery, the
    // matcher 7.5 %.
    let g = gallery_of(200, 7);
    let opts = SearchOptions {
        top_k: 3,
        coarse_min: 60,
        coarse_share: 0.0,
        shortlist_min: 15,
        shortlist_share: 0.0,
        rerank_max: 15,
    };
    for k in (0..200).step_by(40) {
        let p = impression(&finger(7 + k), 2);
        let hits = g.search(&p, &opts);
        assert_eq!((hits.refined, hits.compared), (60, 15));
        assert_eq!(hits.end, SearchEnd::BudgetLimited);
        assert_eq!(hits.candidates[0].id, EntryId(k), "finger {k}");
        assert!(hits.candidates[0].score >= crate::THRESHOLD_FMR_10000);
        assert_eq!(
            hits.candidates[0].id,
            g.search_brute_force(&p, 1).candidates[0].id
        );
        assert!(g.prefilter_rank(&p, EntryId(k)).unwrap() < 60);
        let fine = g.shortlists(&p, &opts).fine;
        let rank = fine.iter().position(|&(id, _)| id == EntryId(k)).unwrap();
        assert_eq!(
            Some(rank as u32),
            hits.candidates[0].prefilter_rank,
            "finger {k}"
        );
    }
}

#[test]
fn a_stranger_matches_no_one() {
    let g = gallery_of(60, 1000);
    let hits = g.search(&impression(&finger(5), 2), &SearchOptions::default());
    assert_eq!(hits.best_at(crate::THRESHOLD_FMR_10000), None);
    // Nothing decisive: the whole gallery was compared, so "no match" is certain.
    assert_eq!((hits.end, hits.compared), (SearchEnd::Exhaustive, 60));
}

#[test]
fn remove_moves_the_last_entry_and_keeps_search_right() {
    let mut g = gallery_of(20, 50);
    g.keep_prepared(true);
    let last = g.template(EntryId(19)).unwrap().clone();
    assert!(g.remove(EntryId(3)).is_some());
    assert_eq!(g.remove(EntryId(3)), None);
    assert_eq!(g.len(), 19);
    assert!(!g.contains(EntryId(3)));
    assert_eq!(g.template(EntryId(19)), Some(&last));
    let top = |g: &Gallery, k: u64| {
        g.search(&impression(&finger(50 + k), 2), &SearchOptions::default())
            .candidates[0]
            .id
    };
    assert_eq!(top(&g, 19), EntryId(19));
    // Kept cylinders give the same result as cylinders built per search.
    let mut unkept = g.clone();
    unkept.keep_prepared(false);
    let p = impression(&finger(50 + 7), 2);
    assert_eq!(
        g.search(&p, &SearchOptions::default()),
        unkept.search(&p, &SearchOptions::default())
    );
    assert_ne!(top(&g, 3), EntryId(3));
    // The moved entry's code moved with it: a rebuilt gallery has the same codes.
    let mut fresh = Gallery::new();
    for &id in g.ids() {
        fresh.insert(id, g.template(id).unwrap().clone()).unwrap();
    }
    assert_eq!(fresh.codes, g.codes);
    assert_eq!(
        g.insert(EntryId(19), last).unwrap_err().kind(),
        GalleryErrorKind::DuplicateId
    );
}

#[test]
fn shortlist_length_follows_the_options() {
    let o = SearchOptions::default();
    let lens = |o: &SearchOptions, n| (o.coarse_len(n), o.shortlist_len(n), o.rerank_len(n));
    assert_eq!(lens(&o, 40), (40, 10, 40));
    assert_eq!(lens(&o, 10_000), (2000, 10, 200));
    assert_eq!(lens(&o, 1_000_000), (30_000, 10, 200));
    assert_eq!(lens(&o, 30_000_000), (900_000, 300, 300));
    let k = SearchOptions {
        top_k: 30,
        coarse_min: 10,
        coarse_share: 0.0,
        shortlist_min: 5,
        shortlist_share: 0.0,
        rerank_max: 0,
    };
    assert_eq!(lens(&k, 100), (30, 30, 30));
    let wide = SearchOptions {
        rerank_max: 50,
        ..k
    };
    assert_eq!(lens(&wide, 100), (50, 30, 50));
}

/// The FVC2002 B sets: impressions 1–4 of every finger in the gallery, 5–8 as probes. With the
/// default options the top-1 equals brute force for every probe; how each search ended is printed.
#[test]
fn fvc2002_top1_against_brute_force() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/fingerprints/fvc2002");
    if !root.is_dir() {
        eprintln!("SKIPPED: test data {} is absent", root.display());
        return;
    }
    let mut gallery = Vec::new();
    let mut probes = Vec::new();
    for (set, ppi) in [
        ("DB1_B", 500),
        ("DB2_B", 569),
        ("DB3_B", 500),
        ("DB4_B", 500),
    ] {
        let list: Vec<(u64, u32, std::path::PathBuf)> = (101..=110u64)
            .flat_map(|f| (1..=8u32).map(move |i| (f, i)))
            .map(|(f, i)| (f, i, root.join(set).join(format!("{f}_{i}.tif"))))
            .collect();
        let set_no = u64::from(set.as_bytes()[2] - b'0');
        let done: Vec<(u64, u32, Template)> = list
            .par_iter()
            .map(|(f, i, p)| {
                let bytes = std::fs::read(p).unwrap();
                let img = crate::decode_image(&bytes, crate::Limits::default()).unwrap();
                (set_no * 1000 + f, *i, crate::extract(&img, ppi).unwrap())
            })
            .collect();
        for (finger, i, t) in done {
            if i <= 4 {
                gallery.push((EntryId(finger * 10 + i as u64), t));
            } else {
                probes.push((finger, t));
            }
        }
    }
    let mut g = Gallery::new();
    g.extend(gallery).unwrap();
    g.keep_prepared(true);
    let opts = SearchOptions::default();
    let (mut right, mut brute_right, mut compared) = (0, 0, 0);
    let mut ends = HashMap::new();
    let mut differ = Vec::new();
    for (finger, p) in &probes {
        let slow = g.search_brute_force(p, 1).candidates[0];
        let hits = g.search(p, &opts);
        let fast = hits.candidates[0];
        if fast.id != slow.id {
            differ.push((fast.id, slow.id));
        }
        *ends.entry(format!("{:?}", hits.end)).or_insert(0) += 1;
        compared += hits.compared;
        right += usize::from(fast.id.0 / 10 == *finger);
        brute_right += usize::from(slow.id.0 / 10 == *finger);
    }
    eprintln!(
        "FVC2002 DB1-4_B, {} enrolled / {} probes, default options: ends {ends:?}, {:.1} entries compared per search; rank-1 right {right} (brute force {brute_right})",
        g.len(),
        probes.len(),
        compared as f64 / probes.len() as f64
    );
    assert_eq!(differ, vec![], "top-1 (search, brute force) differs");
}
