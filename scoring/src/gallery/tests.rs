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
        let opts = SearchOptions { top_k: k, coarse_min: n as usize, coarse_share: 0.0, shortlist_min: n as usize, shortlist_share: 0.0 };
        let got: Vec<(EntryId, Score)> = g.search(&p, &opts).candidates.iter().map(|c| (c.id, c.score)).collect();
        let want: Vec<(EntryId, Score)> = g.search_brute_force(&p, k).candidates.iter().map(|c| (c.id, c.score)).collect();
        prop_assert_eq!(got, want);
    }

    /// The fine stage keeps exactly the entries with the best fine scores among those the coarse
    /// stage passed (scored and sorted the plain way), and the matcher ranks exactly those.
    #[test]
    fn fine_stage_keeps_the_best_fine_scores(n in 2u64..30, seed in 0u64..1_000_000, probe in 0u64..30, coarse in 1usize..30, short in 1usize..30) {
        let g = gallery_of(n, seed);
        let p = impression(&finger(seed + probe), 2);
        let opts = SearchOptions { top_k: 3, coarse_min: coarse, coarse_share: 0.0, shortlist_min: short, shortlist_share: 0.0 };
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
        let hits = g.search(&p, &opts);
        let m = opts.shortlist_len(n as usize);
        prop_assert_eq!(hits.compared, m);
        let mut by_matcher: Vec<(EntryId, Score)> = want[..m].iter().map(|&(id, _)| (id, crate::compare(&p, g.template(id).unwrap()))).collect();
        by_matcher.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then(a.0.cmp(&b.0)));
        by_matcher.truncate(3);
        prop_assert_eq!(hits.candidates.iter().map(|c| (c.id, c.score)).collect::<Vec<_>>(), by_matcher);
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
    };
    for k in (0..200).step_by(40) {
        let p = impression(&finger(7 + k), 2);
        let hits = g.search(&p, &opts);
        assert_eq!((hits.refined, hits.compared), (60, 15));
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
    assert_eq!((o.coarse_len(40), o.shortlist_len(40)), (40, 20));
    assert_eq!((o.coarse_len(10_000), o.shortlist_len(10_000)), (2000, 20));
    assert_eq!(
        (o.coarse_len(1_000_000), o.shortlist_len(1_000_000)),
        (30_000, 20)
    );
    let k = SearchOptions {
        top_k: 30,
        coarse_min: 10,
        coarse_share: 0.0,
        shortlist_min: 5,
        shortlist_share: 0.0,
    };
    assert_eq!((k.coarse_len(100), k.shortlist_len(100)), (30, 30));
}

/// The FVC2002 B sets: impressions 1–4 of every finger in the gallery, 5–8 as probes. With a
/// shortlist as long as the gallery the top-1 equals brute force for every probe; with the coarse
/// stage passing half the gallery and the matcher seeing 10 % of it, it does for most (the count
/// is printed).
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
    let tenth = SearchOptions {
        top_k: 1,
        coarse_min: g.len() / 2,
        coarse_share: 0.0,
        shortlist_min: g.len() / 10,
        shortlist_share: 0.0,
    };
    let full = SearchOptions {
        coarse_min: g.len(),
        shortlist_min: g.len(),
        ..tenth.clone()
    };
    let (mut same, mut right, mut brute_right) = (0, 0, 0);
    for (finger, p) in &probes {
        let slow = g.search_brute_force(p, 1).candidates[0];
        assert_eq!(g.search(p, &full).candidates[0].id, slow.id);
        let fast = g.search(p, &tenth).candidates[0];
        same += usize::from(fast.id == slow.id);
        right += usize::from(fast.id.0 / 10 == *finger);
        brute_right += usize::from(slow.id.0 / 10 == *finger);
    }
    eprintln!(
        "FVC2002 DB1-4_B, {} enrolled / {} probes, coarse 50 %, matcher 10 %: top-1 equal to brute force for {same}, rank-1 right {right} (brute force {brute_right})",
        g.len(),
        probes.len()
    );
    // 149 of 160 when the fine stage was added (130 with the coarse stage alone at 10 %).
    assert!(
        same >= 140,
        "top-1 equal to brute force for only {same} of 160"
    );
}
