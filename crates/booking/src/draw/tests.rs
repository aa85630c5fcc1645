//! The draw: pinned test vector, commitment, verification catches every kind of tampering,
//! and properties (a permutation, whole groups, examiner load within the session's cap).

use proptest::prelude::*;

use super::*;

fn seed(b: u8) -> Seed {
    Seed([b; 32])
}

fn roster(n: u32, subject: ExamSubject) -> Roster {
    Roster {
        session: "2026-12-01-s3".parse().unwrap(),
        subject,
        candidates: (0..n).map(CandidateId::synthetic).collect(),
        examiners: ["ex-a", "ex-b", "ex-c"]
            .map(|s| s.parse().unwrap())
            .to_vec(),
        cars: ["car-1", "car-2"].map(|s| s.parse().unwrap()).to_vec(),
        routes: ["route-n", "route-s"].map(|s| s.parse().unwrap()).to_vec(),
        group_size: 2,
    }
}

fn record(r: &Roster, s: &Seed) -> DrawRecord {
    DrawRecord {
        session: r.session.clone(),
        commitments: vec![(10, commitment(&r.session, s))],
        roster: Some((20, r.clone())),
        booked_at_close: Some(r.candidates.clone()),
        assigned: Some(assign(r, s)),
        revealed: Some((30, s.to_hex())),
    }
}

/// Pins the stream, the shuffle and the assignment: changing any changes every logged draw.
#[test]
fn pinned_test_vector() {
    let s7 = seed(7);
    let mut st = Stream::new(&s7, "candidates");
    let first = st.next_u64();
    let mut c = Context::new(&SHA256);
    c.update(&[7u8; 32]);
    c.update(b"candidates\0");
    c.update(&0u64.to_be_bytes());
    let block = c.finish();
    assert_eq!(
        first,
        u64::from_be_bytes(block.as_ref()[..8].try_into().unwrap())
    );
    let a = assign(&roster(5, ExamSubject::Subject3Road), &seed(7));
    let got: Vec<String> = a
        .iter()
        .map(|a| {
            format!(
                "{}:{}/{}:{}:{}:{}",
                &a.candidate.as_str()[14..17],
                a.group,
                a.position,
                a.examiner.as_ref().unwrap(),
                a.car.as_ref().unwrap(),
                a.route.as_ref().unwrap()
            )
        })
        .collect();
    assert_eq!(got, PINNED, "the draw algorithm changed");
}

const PINNED: [&str; 5] = [
    "004:0/0:ex-b:car-1:route-s",
    "001:0/1:ex-b:car-1:route-s",
    "003:1/0:ex-a:car-2:route-n",
    "002:1/1:ex-a:car-2:route-n",
    "000:2/0:ex-c:car-1:route-s",
];

#[test]
fn commitment_binds_session_and_seed() {
    let s: SessionId = "a".parse().unwrap();
    let t: SessionId = "b".parse().unwrap();
    assert_eq!(commitment(&s, &seed(1)).len(), 64);
    assert_ne!(commitment(&s, &seed(1)), commitment(&s, &seed(2)));
    assert_ne!(commitment(&s, &seed(1)), commitment(&t, &seed(1)));
    assert_eq!(Seed::from_hex(&seed(9).to_hex()), Ok(seed(9)));
    assert!(Seed::from_hex("abcd").unwrap_err().contains("32 bytes"));
}

#[test]
fn an_honest_draw_verifies() {
    let r = roster(9, ExamSubject::Subject3Road);
    assert_eq!(verify(&record(&r, &seed(3))), vec![]);
}

#[test]
fn verify_catches_a_changed_assignment() {
    let r = roster(9, ExamSubject::Subject2);
    let mut rec = record(&r, &seed(3));
    let a = rec.assigned.as_mut().unwrap();
    let other = a[1].examiner.clone();
    a[0].examiner = if a[0].examiner == other {
        Some("ex-z".parse().unwrap())
    } else {
        other
    };
    let m = verify(&rec);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(matches!(m[0], Mismatch::AssignmentDiffers { .. }));
}

#[test]
fn verify_catches_another_seed() {
    let r = roster(9, ExamSubject::Subject2);
    let mut rec = record(&r, &seed(3));
    rec.revealed = Some((30, seed(4).to_hex()));
    let m = verify(&rec);
    assert!(m.contains(&Mismatch::SeedNotCommitted), "{m:?}");
}

#[test]
fn verify_catches_a_late_or_repeated_commitment() {
    let r = roster(4, ExamSubject::Subject2);
    let mut rec = record(&r, &seed(3));
    rec.commitments[0].0 = 25;
    assert!(matches!(
        verify(&rec)[..],
        [Mismatch::CommittedAfterRoster {
            commit: 25,
            roster: 20
        }]
    ));
    let mut rec = record(&r, &seed(3));
    rec.commitments.push((11, commitment(&r.session, &seed(5))));
    assert_eq!(verify(&rec), vec![Mismatch::SeveralCommitments(2)]);
}

#[test]
fn verify_catches_a_roster_that_is_not_the_bookings() {
    let r = roster(4, ExamSubject::Subject2);
    let mut rec = record(&r, &seed(3));
    rec.booked_at_close
        .as_mut()
        .unwrap()
        .push(CandidateId::synthetic(77));
    let m = verify(&rec);
    assert!(
        matches!(&m[..], [Mismatch::RosterNotBookings(s)] if s.contains("1 booked candidates missing")),
        "{m:?}"
    );
}

#[test]
fn verify_reports_an_unrevealed_seed() {
    let r = roster(4, ExamSubject::Subject2);
    let mut rec = record(&r, &seed(3));
    rec.revealed = None;
    assert_eq!(verify(&rec), vec![Mismatch::NotRevealed]);
}

#[test]
fn theory_sessions_get_order_only() {
    let a = assign(&roster(3, ExamSubject::Subject1), &seed(1));
    assert!(
        a.iter()
            .all(|a| a.examiner.is_none() && a.car.is_none() && a.route.is_none())
    );
}

/// The naive oracle for `below`: the same rejection rule written as a range check.
fn below_naive(st: &mut Stream<'_>, n: u64) -> u64 {
    let limit = (u128::from(u64::MAX) + 1) / u128::from(n) * u128::from(n);
    loop {
        let v = st.next_u64();
        if u128::from(v) < limit {
            return v % n;
        }
    }
}

proptest! {
    #[test]
    fn below_matches_the_oracle(b in any::<u8>(), n in 1u64..u64::MAX) {
        let s = seed(b);
        let (mut x, mut y) = (Stream::new(&s, "t"), Stream::new(&s, "t"));
        for _ in 0..4 {
            prop_assert_eq!(x.below(n), below_naive(&mut y, n));
        }
    }

    #[test]
    fn assignment_is_a_fair_partition(b in any::<u8>(), n in 0u32..60, g in 1u32..5) {
        let mut r = roster(n, ExamSubject::Subject2);
        r.group_size = g;
        let a = assign(&r, &seed(b));
        let mut who: Vec<_> = a.iter().map(|a| a.candidate.clone()).collect();
        who.sort();
        let mut want = r.candidates.clone();
        want.sort();
        prop_assert_eq!(who, want);
        let groups = (n as usize).div_ceil(g as usize);
        // Each examiner gets at most ceil(groups / examiners) groups.
        for e in &r.examiners {
            let mut gs: Vec<u32> = a.iter().filter(|x| x.examiner.as_ref() == Some(e)).map(|x| x.group).collect();
            gs.dedup();
            prop_assert!(gs.len() <= groups.div_ceil(r.examiners.len()));
        }
        for x in &a {
            prop_assert!(x.position < g);
            let mates: Vec<_> = a.iter().filter(|y| y.group == x.group).collect();
            prop_assert!(mates.iter().all(|y| y.car == x.car && y.examiner == x.examiner));
        }
    }
}

#[test]
fn status_tells_pending_from_failed() {
    let r = roster(4, ExamSubject::Subject2);
    let full = record(&r, &seed(3));
    assert_eq!(status(&full), Status::Verified);
    // Committed, roster not closed yet.
    let committed = DrawRecord {
        roster: None,
        booked_at_close: None,
        assigned: None,
        revealed: None,
        ..full.clone()
    };
    assert_eq!(status(&committed), Status::Pending(Stage::Committed));
    // Drawn, the sitting not finished: pending, not a mismatch.
    let drawn = DrawRecord {
        revealed: None,
        ..full.clone()
    };
    assert_eq!(status(&drawn), Status::Pending(Stage::Drawn));
    // Closed but the draw never logged: failed.
    let lost = DrawRecord {
        revealed: None,
        assigned: None,
        ..full.clone()
    };
    assert_eq!(status(&lost), Status::Failed(vec![Mismatch::NoAssignment]));
    // Pending does not hide tampering: a second commitment before the reveal fails.
    let mut twice = drawn.clone();
    twice
        .commitments
        .push((11, commitment(&r.session, &seed(5))));
    assert!(matches!(status(&twice), Status::Failed(m) if m[0] == Mismatch::SeveralCommitments(2)));
    // Nor does a roster that is not the bookings.
    let mut padded = drawn;
    padded
        .booked_at_close
        .as_mut()
        .unwrap()
        .push(CandidateId::synthetic(99));
    assert!(matches!(status(&padded), Status::Failed(_)));
    // A wrong seed revealed is a mismatch, not pending.
    let mut wrong = full;
    wrong.revealed = Some((30, seed(4).to_hex()));
    assert!(matches!(status(&wrong), Status::Failed(m) if m.contains(&Mismatch::SeedNotCommitted)));
}
