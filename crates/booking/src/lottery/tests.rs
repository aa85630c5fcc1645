//! The lottery: pinned test vector, the shuffle against a naive draw-without-replacement
//! oracle, places, fairness over many seeds, and verification catching tampering.

use proptest::prelude::*;

use super::*;

fn seed(b: u8) -> Seed {
    Seed([b; 32])
}

fn people(n: u32) -> Vec<CandidateId> {
    (0..n).map(CandidateId::synthetic).collect()
}

fn tail(c: &CandidateId) -> &str {
    &c.as_str()[14..17]
}

/// Pins the lottery: changing the algorithm changes every logged lottery.
#[test]
fn pinned_test_vector() {
    let a = allocate(&people(6), 3, &seed(7));
    let w: Vec<&str> = a.winners.iter().map(tail).collect();
    let l: Vec<&str> = a.losers.iter().map(tail).collect();
    assert_eq!(
        (w, l),
        (PINNED.0.to_vec(), PINNED.1.to_vec()),
        "the lottery algorithm changed"
    );
    let s: SessionId = "2026-12-01-s2".parse().unwrap();
    assert_eq!(commitment(&s, &seed(7)), PINNED_COMMITMENT);
    // Domain-separated from the exam-day draw's commitment.
    assert_ne!(
        commitment(&s, &seed(7)),
        crate::draw::commitment(&s, &seed(7))
    );
}

/// Recomputed independently of this crate (Python's hashlib, the algorithm as documented).
const PINNED: ([&str; 3], [&str; 3]) = (["004", "005", "000"], ["001", "003", "002"]);
const PINNED_COMMITMENT: &str = "83462569dcc03753ba03dcef46894f2a3a908092c7494797d5ca9acd7b632051";

/// The oracle: the documented algorithm written as drawing without replacement. Position
/// `i` (from the last down to 1) takes the `below(i + 1)`-th of the remaining pool, and the
/// pool closes the gap with its last element (what Fisher–Yates' swap does); the one left
/// goes first. Winners are the first `places` positions.
fn allocate_naive(applicants: &[CandidateId], places: u32, seed: &Seed) -> Allotment {
    let mut pool = applicants.to_vec();
    pool.sort();
    let n = pool.len();
    let mut from_the_end = Vec::with_capacity(n);
    let mut st = Stream::new(seed, "lottery");
    for i in (1..n).rev() {
        let j = st.below(i as u64 + 1) as usize;
        from_the_end.push(pool.swap_remove(j));
    }
    from_the_end.extend(pool);
    from_the_end.reverse();
    let mut a = Allotment::default();
    for (k, c) in from_the_end.into_iter().enumerate() {
        if k < places as usize {
            a.winners.push(c);
        } else {
            a.losers.push(c);
        }
    }
    a
}

fn record(applicants: &[CandidateId], places: u32, s: &Seed) -> LotteryRecord {
    let session: SessionId = "lot".parse().unwrap();
    LotteryRecord {
        commitment: commitment(&session, s),
        session,
        at_close: Some((applicants.to_vec(), places)),
        logged: Some((s.to_hex(), allocate(applicants, places, s))),
    }
}

#[test]
fn places_take_the_tightest_limit() {
    assert_eq!(places(200, 0, 0, 1000, 0), 200);
    assert_eq!(places(200, 3, 20, 1000, 0), 60);
    assert_eq!(places(200, 0, 0, 1000, 900), 100);
    assert_eq!(places(200, 0, 0, 1000, 1200), 0);
}

#[test]
fn fewer_applicants_than_places_all_win() {
    let a = allocate(&people(3), 10, &seed(1));
    assert_eq!(a.winners.len(), 3);
    assert!(a.losers.is_empty());
    assert_eq!(allocate(&[], 10, &seed(1)), Allotment::default());
}

/// Every applicant wins about equally often over many seeds (2,000 lotteries of 10
/// applicants for 3 places: each expects 600 wins; a fair draw stays well inside ±90).
#[test]
fn every_applicant_has_the_same_chance() {
    let who = people(10);
    let mut wins = [0u32; 10];
    for i in 0..2000u32 {
        let mut b = [0u8; 32];
        b[..4].copy_from_slice(&i.to_be_bytes());
        for w in allocate(&who, 3, &Seed(b)).winners {
            wins[who.iter().position(|c| *c == w).unwrap()] += 1;
        }
    }
    assert!(wins.iter().all(|w| (510..=690).contains(w)), "{wins:?}");
}

#[test]
fn an_honest_lottery_verifies_and_an_open_one_is_pending() {
    let r = record(&people(9), 4, &seed(3));
    assert_eq!(
        verify(&r),
        LotteryStatus::Verified {
            applicants: 9,
            winners: 4
        }
    );
    let open = LotteryRecord {
        at_close: None,
        logged: None,
        ..r
    };
    assert_eq!(verify(&open), LotteryStatus::Pending);
}

#[test]
fn verify_catches_another_seed_a_swapped_winner_and_over_booking() {
    let who = people(9);
    let mut r = record(&who, 4, &seed(3));
    r.logged = Some((seed(4).to_hex(), allocate(&who, 4, &seed(4))));
    assert!(
        matches!(verify(&r), LotteryStatus::Failed(m) if m == vec![LotteryMismatch::SeedNotCommitted])
    );
    let mut r = record(&who, 4, &seed(3));
    let (_, a) = r.logged.as_mut().unwrap();
    let (w, l) = (a.winners[0].clone(), a.losers[0].clone());
    a.winners[0] = l;
    a.losers[0] = w;
    assert!(
        matches!(verify(&r), LotteryStatus::Failed(m) if matches!(m[..], [LotteryMismatch::AllotmentDiffers { .. }]))
    );
    let mut r = record(&who, 4, &seed(3));
    let (_, a) = r.logged.as_mut().unwrap();
    let extra = a.losers.remove(0);
    a.winners.push(extra);
    let LotteryStatus::Failed(m) = verify(&r) else {
        panic!("over-booking verified")
    };
    assert!(
        m.contains(&LotteryMismatch::OverBooked {
            winners: 5,
            places: 4
        }),
        "{m:?}"
    );
    let mut r = record(&who, 4, &seed(3));
    r.logged.as_mut().unwrap().0 = "zz".into();
    assert!(
        matches!(verify(&r), LotteryStatus::Failed(m) if matches!(m[..], [LotteryMismatch::BadSeed(_)]))
    );
}

proptest! {
    #[test]
    fn allocate_matches_the_oracle(b in any::<u8>(), n in 0u32..80, places in 0u32..100) {
        let who = people(n);
        prop_assert_eq!(allocate(&who, places, &seed(b)), allocate_naive(&who, places, &seed(b)));
    }

    #[test]
    fn allocation_is_a_partition_independent_of_arrival(
        b in any::<u8>(),
        ids in proptest::collection::btree_set(0u32..10_000, 0..60),
        places in 0u32..80,
        rot in 0usize..60,
    ) {
        let mut who: Vec<CandidateId> = ids.into_iter().map(CandidateId::synthetic).collect();
        let a = allocate(&who, places, &seed(b));
        prop_assert_eq!(a.winners.len(), (places as usize).min(who.len()));
        let mut all: Vec<_> = a.winners.iter().chain(&a.losers).cloned().collect();
        all.sort();
        let mut want = who.clone();
        want.sort();
        prop_assert_eq!(all, want);
        // The order in which applications arrived does not matter.
        if !who.is_empty() {
            let k = rot % who.len();
            who.rotate_left(k);
        }
        who.reverse();
        prop_assert_eq!(allocate(&who, places, &seed(b)), a);
    }
}
