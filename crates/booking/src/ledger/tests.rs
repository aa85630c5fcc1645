//! Capacity (art. 54), cancellation, no-show and the fifth failure, through the ledger.

use super::*;

fn day(y: i32, m: u32, d: u32) -> LocalDay {
    LocalDay::from_ymd(y, m, d)
}

fn ids<T: std::str::FromStr>(names: &[&str]) -> Vec<T>
where
    T::Err: std::fmt::Debug,
{
    names.iter().map(|n| n.parse().unwrap()).collect()
}

fn spec(id: &str, subject: ExamSubject, d: LocalDay, capacity: u32) -> SessionSpec {
    SessionSpec {
        id: id.parse().unwrap(),
        subject,
        day: d,
        capacity,
        examiners: ids(&["ex1", "ex2"]),
        per_examiner: 4,
        group_size: 2,
        cars: ids(&["car1", "car2"]),
        routes: ids(&["r1", "r2", "r3"]),
        site_day_max: 100,
        examiner_day_max: 8,
        allocation: Allocation::FirstCome,
    }
}

/// A ledger with `n` C1 candidates who passed Subject 1 on 2026-01-05.
fn ledger(n: u32) -> (Ledger, Vec<CandidateId>) {
    let mut l = Ledger::new(WorkCalendar::default());
    let s1 = spec("s1", ExamSubject::Subject1, day(2026, 1, 5), 1000);
    l.apply(&Fact::SessionOpened(SessionSpec {
        examiners: vec![],
        ..s1
    }))
    .unwrap();
    let people: Vec<CandidateId> = (0..n).map(CandidateId::synthetic).collect();
    for c in &people {
        l.apply(&Fact::CandidateRegistered {
            id: c.clone(),
            class: LicenceClass::C1,
            adding_class: false,
        })
        .unwrap();
        book(&mut l, c, "s1", day(2026, 1, 1)).unwrap();
        l.apply(&Fact::Result {
            candidate: c.clone(),
            session: "s1".parse().unwrap(),
            outcome: Outcome::Passed,
        })
        .unwrap();
    }
    (l, people)
}

fn book(l: &mut Ledger, c: &CandidateId, s: &str, made_on: LocalDay) -> Result<(), LedgerError> {
    l.apply(&Fact::Booked {
        candidate: c.clone(),
        session: s.parse().unwrap(),
        made_on,
    })
    .map(|_| ())
}

fn rule(r: Result<(), LedgerError>) -> &'static str {
    match r {
        Err(LedgerError::Refused(r)) => r.rule(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn subject1_pass_issues_the_permit() {
    let (l, people) = ledger(1);
    let f = &l.candidates[&people[0]];
    assert_eq!(f.permit, Some(LearnerPermit::issued_on(day(2026, 1, 5))));
}

#[test]
fn session_capacity() {
    let (mut l, people) = ledger(4);
    l.apply(&Fact::SessionOpened(spec(
        "a",
        ExamSubject::Subject2,
        day(2026, 3, 2),
        3,
    )))
    .unwrap();
    for c in &people[..3] {
        book(&mut l, c, "a", day(2026, 2, 1)).unwrap();
    }
    let r = book(&mut l, &people[3], "a", day(2026, 2, 1));
    assert_eq!(rule(r), "session-capacity");
    assert_eq!(l.sessions[&"a".parse().unwrap()].booked.len(), 3);
}

#[test]
fn examiner_capacity() {
    let (mut l, people) = ledger(3);
    let mut s = spec("a", ExamSubject::Subject2, day(2026, 3, 2), 10);
    s.examiners.truncate(1);
    s.per_examiner = 2;
    l.apply(&Fact::SessionOpened(s)).unwrap();
    book(&mut l, &people[0], "a", day(2026, 2, 1)).unwrap();
    book(&mut l, &people[1], "a", day(2026, 2, 1)).unwrap();
    assert_eq!(
        rule(book(&mut l, &people[2], "a", day(2026, 2, 1))),
        "examiner-capacity"
    );
}

#[test]
fn site_day_capacity_across_sessions() {
    let (mut l, people) = ledger(3);
    let d = day(2026, 3, 2);
    let mut a = spec("a", ExamSubject::Subject2, d, 10);
    a.site_day_max = 2;
    a.examiner_day_max = 100;
    let mut b = spec("b", ExamSubject::Subject3Road, d, 10);
    b.site_day_max = 2;
    b.examiner_day_max = 100;
    l.apply(&Fact::SessionOpened(a)).unwrap();
    l.apply(&Fact::SessionOpened(b)).unwrap();
    book(&mut l, &people[0], "a", day(2026, 2, 10)).unwrap();
    book(&mut l, &people[1], "b", day(2026, 2, 10)).unwrap();
    assert_eq!(
        rule(book(&mut l, &people[2], "a", day(2026, 2, 10))),
        "site-day-capacity"
    );
}

#[test]
fn examiner_daily_maximum_when_opening_sessions() {
    let (mut l, _) = ledger(0);
    let d = day(2026, 3, 2);
    l.apply(&Fact::SessionOpened(spec(
        "am",
        ExamSubject::Subject2,
        d,
        8,
    )))
    .unwrap();
    // ex1 and ex2 already take 4 each in the morning; 8 more in the afternoon is over 8.
    let mut pm = spec("pm", ExamSubject::Subject2, d, 8);
    pm.per_examiner = 6;
    let e = l.apply(&Fact::SessionOpened(pm)).unwrap_err();
    assert!(e.to_string().contains("daily maximum 8"), "{e}");
    let mut bad = spec("odd", ExamSubject::Subject2, day(2026, 3, 3), 8);
    bad.per_examiner = 3;
    let e = l.apply(&Fact::SessionOpened(bad)).unwrap_err();
    assert!(e.to_string().contains("multiple of group_size"), "{e}");
}

#[test]
fn cancellation_frees_the_place_and_does_not_count() {
    let (mut l, people) = ledger(2);
    // 2026-03-02 is a Monday: the last day to cancel is Friday 2026-02-27.
    l.apply(&Fact::SessionOpened(spec(
        "a",
        ExamSubject::Subject2,
        day(2026, 3, 2),
        1,
    )))
    .unwrap();
    book(&mut l, &people[0], "a", day(2026, 2, 1)).unwrap();
    let late = l.apply(&Fact::Cancelled {
        candidate: people[0].clone(),
        session: "a".parse().unwrap(),
        made_on: day(2026, 2, 28),
    });
    assert_eq!(rule(late.map(|_| ())), "cancel-one-working-day-before");
    l.apply(&Fact::Cancelled {
        candidate: people[0].clone(),
        session: "a".parse().unwrap(),
        made_on: day(2026, 2, 27),
    })
    .unwrap();
    book(&mut l, &people[1], "a", day(2026, 2, 27)).unwrap();
    // The cancelled booking neither counts as a failure nor blocks a new one.
    let f = &l.candidates[&people[0]];
    assert_eq!(f.bookings[1].result, BookingResult::Cancelled);
    assert!(f.open_booking(ExamSubject::Subject2).is_none());
}

#[test]
fn roster_closed_refuses_bookings_and_cancellations() {
    let (mut l, people) = ledger(2);
    l.apply(&Fact::SessionOpened(spec(
        "a",
        ExamSubject::Subject2,
        day(2026, 3, 2),
        5,
    )))
    .unwrap();
    book(&mut l, &people[0], "a", day(2026, 2, 1)).unwrap();
    l.apply(&Fact::RosterClosed {
        session: "a".parse().unwrap(),
    })
    .unwrap();
    assert_eq!(
        rule(book(&mut l, &people[1], "a", day(2026, 2, 1))),
        "roster-closed"
    );
}

#[test]
fn no_show_is_a_fail() {
    let (mut l, people) = ledger(1);
    let c = &people[0];
    l.apply(&Fact::SessionOpened(spec(
        "a",
        ExamSubject::Subject2,
        day(2026, 3, 2),
        5,
    )))
    .unwrap();
    book(&mut l, c, "a", day(2026, 2, 1)).unwrap();
    l.apply(&Fact::Result {
        candidate: c.clone(),
        session: "a".parse().unwrap(),
        outcome: Outcome::NoShow,
    })
    .unwrap();
    assert_eq!(l.candidates[c].bookings[1].result, BookingResult::NoShow);
    l.apply(&Fact::SessionOpened(spec(
        "b",
        ExamSubject::Subject2,
        day(2026, 3, 20),
        5,
    )))
    .unwrap();
    assert_eq!(rule(book(&mut l, c, "b", day(2026, 3, 5))), "ten-day-wait");
    book(&mut l, c, "b", day(2026, 3, 12)).unwrap();
}

#[test]
fn the_fifth_failure_voids_every_passed_subject() {
    let (mut l, people) = ledger(1);
    let c = &people[0];
    // Subject 3 road passed first, then Subject 2 failed five times.
    l.apply(&Fact::SessionOpened(spec(
        "r",
        ExamSubject::Subject3Road,
        day(2026, 2, 20),
        5,
    )))
    .unwrap();
    book(&mut l, c, "r", day(2026, 2, 5)).unwrap();
    l.apply(&Fact::Result {
        candidate: c.clone(),
        session: "r".parse().unwrap(),
        outcome: Outcome::Passed,
    })
    .unwrap();
    let mut last = Effects::default();
    for i in 0..5 {
        let d = day(2026, 3, 1).plus_days(20 * i);
        let id = format!("s2-{i}");
        let mut s = spec(&id, ExamSubject::Subject2, d, 5);
        s.examiners = ids(&[&format!("e{i}")]);
        l.apply(&Fact::SessionOpened(s)).unwrap();
        book(&mut l, c, &id, d.plus_days(-5)).unwrap();
        last = l
            .apply(&Fact::Result {
                candidate: c.clone(),
                session: id.parse().unwrap(),
                outcome: if i == 2 {
                    Outcome::NoShow
                } else {
                    Outcome::Failed
                },
            })
            .unwrap();
        if i < 4 {
            assert!(last.voided.is_empty());
        }
    }
    assert_eq!(
        last.voided,
        vec![ExamSubject::Subject1, ExamSubject::Subject3Road]
    );
    let f = &l.candidates[c];
    assert!(f.permit.is_none() && f.passed.is_empty());
    let mut s = spec("s2-y", ExamSubject::Subject2, day(2026, 8, 3), 5);
    s.examiners = ids(&["z"]);
    l.apply(&Fact::SessionOpened(s)).unwrap();
    assert_eq!(
        rule(book(&mut l, c, "s2-y", day(2026, 7, 20))),
        "five-booking-cap"
    );
}

#[test]
fn unknown_candidate_and_session_are_named() {
    let (mut l, people) = ledger(1);
    let e = book(&mut l, &CandidateId::synthetic(99), "s1", day(2026, 1, 1)).unwrap_err();
    assert!(matches!(e, LedgerError::UnknownCandidate(_)), "{e}");
    let e = book(&mut l, &people[0], "nope", day(2026, 1, 1)).unwrap_err();
    assert_eq!(e.to_string(), "session nope does not exist");
}

fn lottery_spec(id: &str, capacity: u32, s: &crate::draw::Seed) -> SessionSpec {
    let mut sp = spec(id, ExamSubject::Subject2, day(2026, 3, 2), capacity);
    sp.allocation = Allocation::Lottery {
        commitment: crate::lottery::commitment(&sp.id, s),
    };
    sp
}

fn apply_for(
    l: &mut Ledger,
    c: &CandidateId,
    s: &str,
    made_on: LocalDay,
) -> Result<(), LedgerError> {
    l.apply(&Fact::Applied {
        candidate: c.clone(),
        session: s.parse().unwrap(),
        made_on,
    })
    .map(|_| ())
}

fn results(l: &Ledger, people: &[CandidateId], s: &str) -> Vec<BookingResult> {
    let s: SessionId = s.parse().unwrap();
    people
        .iter()
        .map(|c| {
            l.candidates[c]
                .bookings
                .iter()
                .rev()
                .find(|b| b.session == s)
                .map_or(BookingResult::Cancelled, |b| b.result)
        })
        .collect()
}

#[test]
fn lottery_applications_check_the_rules_and_the_draw_allocates_the_places() {
    let (mut l, people) = ledger(6);
    let seed = crate::draw::Seed([5; 32]);
    l.apply(&Fact::SessionOpened(lottery_spec("lot", 3, &seed)))
        .unwrap();
    l.apply(&Fact::SessionOpened(spec(
        "fcfs",
        ExamSubject::Subject2,
        day(2026, 3, 3),
        3,
    )))
    .unwrap();
    let made = day(2026, 2, 1);
    // A lottery session is applied for, not booked; an FCFS session is booked, not applied for.
    assert_eq!(
        rule(book(&mut l, &people[0], "lot", made)),
        "lottery-session"
    );
    assert_eq!(
        rule(apply_for(&mut l, &people[0], "fcfs", made)),
        "application-window"
    );
    // The booking rules apply at application time: here the waiting period (10 days after the
    // permit of 2026-01-05).
    assert_eq!(
        rule(apply_for(&mut l, &people[0], "lot", day(2026, 1, 10))),
        "waiting-period"
    );
    for c in &people[..5] {
        apply_for(&mut l, c, "lot", made).unwrap();
    }
    // One application per subject, and an application holds the subject like a booking.
    assert_eq!(
        rule(apply_for(&mut l, &people[0], "lot", made)),
        "open-booking"
    );
    assert_eq!(rule(book(&mut l, &people[0], "fcfs", made)), "open-booking");
    // Withdrawing an application before the draw.
    l.apply(&Fact::Cancelled {
        candidate: people[4].clone(),
        session: "lot".parse().unwrap(),
        made_on: made,
    })
    .unwrap();
    // More applicants than places: the roster cannot close before the draw; a wrong seed is refused.
    assert!(matches!(
        l.apply(&Fact::RosterClosed {
            session: "lot".parse().unwrap()
        }),
        Err(LedgerError::LotteryNotDrawn(_))
    ));
    assert!(matches!(
        l.apply(&Fact::Allocated {
            session: "lot".parse().unwrap(),
            seed: crate::draw::Seed([6; 32])
        }),
        Err(LedgerError::SeedNotCommitted(_))
    ));
    let fx = l
        .apply(&Fact::Allocated {
            session: "lot".parse().unwrap(),
            seed: seed.clone(),
        })
        .unwrap();
    let a = fx.allotment.unwrap();
    assert_eq!(a, crate::lottery::allocate(&people[..4], 3, &seed));
    assert_eq!((a.winners.len(), a.losers.len()), (3, 1));
    let s = &l.sessions[&"lot".parse().unwrap()];
    assert_eq!(
        s.booked, a.winners,
        "winners are booked, no more than the places"
    );
    let r = results(&l, &people[..5], "lot");
    for (c, r) in people.iter().zip(&r) {
        let want = if a.winners.contains(c) {
            BookingResult::Pending
        } else if a.losers.contains(c) {
            BookingResult::NotAllocated
        } else {
            BookingResult::Cancelled
        };
        assert_eq!(*r, want);
    }
    // The window is closed: no more applications, no second draw.
    assert_eq!(
        rule(apply_for(&mut l, &people[5], "lot", made)),
        "application-window"
    );
    assert_eq!(
        rule(
            l.apply(&Fact::Allocated {
                session: "lot".parse().unwrap(),
                seed
            })
            .map(|_| ())
        ),
        "application-window"
    );
    // A loser may book elsewhere at once, and the lost application does not count toward the cap.
    let loser = &a.losers[0];
    book(&mut l, loser, "fcfs", made).unwrap();
    let f = &l.candidates[loser];
    let s2 = |b: &&Booking| b.subject == ExamSubject::Subject2;
    assert_eq!(f.bookings.iter().filter(s2).count(), 2);
    assert_eq!(
        f.bookings
            .iter()
            .filter(s2)
            .filter(|b| b.result.counts())
            .count(),
        1
    );
    l.apply(&Fact::RosterClosed {
        session: "lot".parse().unwrap(),
    })
    .unwrap();
}

#[test]
fn a_lottery_gives_out_only_what_the_site_day_leaves() {
    let (mut l, people) = ledger(6);
    let seed = crate::draw::Seed([9; 32]);
    let mut other = spec("other", ExamSubject::Subject3Road, day(2026, 3, 2), 10);
    other.site_day_max = 4;
    other.examiner_day_max = 100;
    let mut lot = lottery_spec("lot", 10, &seed);
    lot.site_day_max = 4;
    lot.examiner_day_max = 100;
    l.apply(&Fact::SessionOpened(other)).unwrap();
    l.apply(&Fact::SessionOpened(lot)).unwrap();
    for c in &people {
        apply_for(&mut l, c, "lot", day(2026, 2, 10)).unwrap();
    }
    book(&mut l, &people[0], "other", day(2026, 2, 10)).unwrap();
    let fx = l
        .apply(&Fact::Allocated {
            session: "lot".parse().unwrap(),
            seed,
        })
        .unwrap();
    assert_eq!(fx.allotment.unwrap().winners.len(), 3);
    assert_eq!(l.booked_on(day(2026, 3, 2)), 4);
}
