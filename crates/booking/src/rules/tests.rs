//! One test per rule, each showing its refusal (see `RULES.md`).

use super::*;
use crate::{CandidateId, LearnerPermit, LicenceClass, SessionId};

fn day(y: i32, m: u32, d: u32) -> LocalDay {
    LocalDay::from_ymd(y, m, d)
}

/// A C1 candidate who passed Subject 1 on 2026-01-05.
fn c1() -> CandidateFile {
    let mut f = CandidateFile::new(CandidateId::synthetic(1), LicenceClass::C1, false);
    f.passed.insert(ExamSubject::Subject1, day(2026, 1, 5));
    f.permit = Some(LearnerPermit::issued_on(day(2026, 1, 5)));
    f
}

fn req(subject: ExamSubject, made_on: LocalDay, exam_day: LocalDay) -> BookingRequest {
    BookingRequest {
        subject,
        made_on,
        exam_day,
    }
}

fn booking(subject: ExamSubject, exam_day: LocalDay, result: BookingResult) -> Booking {
    Booking {
        session: "s".parse::<SessionId>().unwrap(),
        subject,
        made_on: exam_day.plus_days(-5),
        exam_day,
        result,
    }
}

fn failed(subject: ExamSubject, exam_day: LocalDay) -> Booking {
    booking(subject, exam_day, BookingResult::Failed)
}

#[test]
fn book_in_advance() {
    let r = req(ExamSubject::Subject2, day(2026, 3, 1), day(2026, 3, 1));
    let e = check_booking(&r, &c1()).unwrap_err();
    assert_eq!(e.rule(), "book-in-advance");
}

#[test]
fn subject_order_subject1_before_driving() {
    let fresh = CandidateFile::new(CandidateId::synthetic(2), LicenceClass::C1, false);
    let r = req(ExamSubject::Subject2, day(2026, 3, 1), day(2026, 3, 10));
    let e = check_booking(&r, &fresh).unwrap_err();
    assert_eq!(
        e,
        Refusal::SubjectOrder {
            subject: ExamSubject::Subject2,
            needs: ExamSubject::Subject1
        }
    );
    assert_eq!(e.rule(), "subject-order");
    let s1 = req(ExamSubject::Subject1, day(2026, 3, 1), day(2026, 3, 10));
    assert_eq!(check_booking(&s1, &fresh), Ok(()));
}

#[test]
fn subject_order_subjects_2_and_3_may_be_booked_together() {
    let mut f = c1();
    f.bookings.push(booking(
        ExamSubject::Subject2,
        day(2026, 3, 10),
        BookingResult::Pending,
    ));
    let r = req(ExamSubject::Subject3Road, day(2026, 3, 1), day(2026, 3, 11));
    assert_eq!(check_booking(&r, &f), Ok(()));
}

#[test]
fn subject_order_safety_theory_after_subject2_and_with_subject3() {
    let mut f = c1();
    let safety = req(
        ExamSubject::Subject3Safety,
        day(2026, 3, 1),
        day(2026, 3, 11),
    );
    assert_eq!(
        check_booking(&safety, &f),
        Err(Refusal::SubjectOrder {
            subject: ExamSubject::Subject3Safety,
            needs: ExamSubject::Subject2
        })
    );
    f.passed.insert(ExamSubject::Subject2, day(2026, 2, 20));
    assert_eq!(
        check_booking(&safety, &f),
        Err(Refusal::SubjectOrder {
            subject: ExamSubject::Subject3Safety,
            needs: ExamSubject::Subject3Road
        })
    );
    // Road driving booked for the same day: safety theory may be taken that day (art. 39).
    f.bookings.push(booking(
        ExamSubject::Subject3Road,
        day(2026, 3, 11),
        BookingResult::Pending,
    ));
    assert_eq!(check_booking(&safety, &f), Ok(()));
    let other_day = req(
        ExamSubject::Subject3Safety,
        day(2026, 3, 1),
        day(2026, 3, 12),
    );
    assert_eq!(
        check_booking(&other_day, &f).unwrap_err().rule(),
        "subject-order"
    );
}

#[test]
fn permit_validity_is_three_years() {
    let f = c1();
    assert_eq!(f.permit.unwrap().expires, day(2029, 1, 5));
    let last_day = req(ExamSubject::Subject3Road, day(2028, 12, 1), day(2029, 1, 4));
    assert_eq!(check_booking(&last_day, &f), Ok(()));
    let too_late = req(ExamSubject::Subject3Road, day(2028, 12, 1), day(2029, 1, 5));
    let refusal = check_booking(&too_late, &f).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::PermitExpired {
            expires: day(2029, 1, 5)
        }
    );
    assert_eq!(refusal.rule(), "permit-validity");
}

#[test]
fn permit_validity_passed_results_lapse_with_the_permit() {
    let mut f = c1();
    f.passed.insert(ExamSubject::Subject2, day(2026, 3, 1));
    assert!(f.has_passed(ExamSubject::Subject2));
    // A new permit (Subject 1 passed again years later): the old Subject 2 pass no longer counts.
    f.permit = Some(LearnerPermit::issued_on(day(2029, 6, 1)));
    assert!(!f.has_passed(ExamSubject::Subject2));
}

#[test]
fn waiting_period_subject2_c1_ten_days() {
    let f = c1();
    let early = req(ExamSubject::Subject2, day(2026, 1, 14), day(2026, 2, 1));
    let e = check_booking(&early, &f).unwrap_err();
    assert_eq!(
        e,
        Refusal::WaitingPeriod {
            subject: ExamSubject::Subject2,
            class: LicenceClass::C1,
            days: 10,
            earliest: day(2026, 1, 15)
        }
    );
    assert_eq!(e.rule(), "waiting-period");
    let ok = req(ExamSubject::Subject2, day(2026, 1, 15), day(2026, 2, 1));
    assert_eq!(check_booking(&ok, &f), Ok(()));
}

#[test]
fn waiting_period_by_class_for_both_driving_subjects() {
    // (class, adding, subject, days)
    let cases = [
        (LicenceClass::C2, false, ExamSubject::Subject2, 10),
        (LicenceClass::B2, false, ExamSubject::Subject2, 20),
        (LicenceClass::C6, false, ExamSubject::Subject2, 20),
        (LicenceClass::C2, false, ExamSubject::Subject3Road, 20),
        (LicenceClass::C1, false, ExamSubject::Subject3Road, 30),
        (LicenceClass::A1, false, ExamSubject::Subject3Road, 40),
        (LicenceClass::A1, true, ExamSubject::Subject3Road, 30),
    ];
    for (class, adding, subject, days) in cases {
        let mut f = c1();
        f.class = class;
        f.adding_class = adding;
        let issued = f.permit.unwrap().issued;
        let early = req(
            subject,
            issued.plus_days(days - 1),
            issued.plus_days(days + 5),
        );
        assert_eq!(
            check_booking(&early, &f).map_err(|e| e.rule()),
            Err("waiting-period"),
            "{class} {subject}"
        );
        let ok = req(subject, issued.plus_days(days), issued.plus_days(days + 5));
        assert_eq!(check_booking(&ok, &f), Ok(()), "{class} {subject}");
    }
}

#[test]
fn ten_day_wait_after_a_failed_booking() {
    let mut f = c1();
    f.bookings
        .push(failed(ExamSubject::Subject2, day(2026, 3, 1)));
    let early = req(ExamSubject::Subject2, day(2026, 3, 10), day(2026, 3, 20));
    let refusal = check_booking(&early, &f).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::TenDayWait {
            earliest: day(2026, 3, 11)
        }
    );
    assert!(refusal.zh().contains("最早 2026-03-11"), "{refusal}");
    let on_time = req(ExamSubject::Subject2, day(2026, 3, 11), day(2026, 3, 20));
    assert_eq!(check_booking(&on_time, &f), Ok(()));
}

#[test]
fn ten_day_wait_after_a_no_show_too() {
    let mut f = c1();
    f.bookings.push(booking(
        ExamSubject::Subject3Road,
        day(2026, 3, 1),
        BookingResult::NoShow,
    ));
    let early = req(ExamSubject::Subject3Road, day(2026, 3, 5), day(2026, 3, 20));
    assert_eq!(
        check_booking(&early, &f).unwrap_err().rule(),
        "ten-day-wait"
    );
}

#[test]
fn ten_day_wait_does_not_apply_to_subject1() {
    let mut f = CandidateFile::new(CandidateId::synthetic(3), LicenceClass::C1, false);
    f.bookings
        .push(failed(ExamSubject::Subject1, day(2026, 3, 1)));
    let r = req(ExamSubject::Subject1, day(2026, 3, 2), day(2026, 3, 3));
    assert_eq!(check_booking(&r, &f), Ok(()));
}

#[test]
fn five_booking_cap_for_subject2() {
    let mut f = c1();
    f.bookings = (0..5)
        .map(|i| failed(ExamSubject::Subject2, day(2026, 2, 1).plus_days(15 * i)))
        .collect();
    let r = req(ExamSubject::Subject2, day(2026, 6, 1), day(2026, 6, 10));
    let refusal = check_booking(&r, &f).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::FiveBookingCap {
            subject: ExamSubject::Subject2
        }
    );
    assert!(
        refusal.to_string().starts_with(
            "[five-booking-cap] 学习驾驶证明有效期内科目二预约考试已达五次 / Subject 2 has been booked five times"
        ),
        "{refusal}"
    );
    f.bookings.pop();
    assert_eq!(check_booking(&r, &f), Ok(()));
}

#[test]
fn five_booking_cap_for_subject3_road_but_not_safety_theory() {
    let mut f = c1();
    f.passed.insert(ExamSubject::Subject2, day(2026, 1, 20));
    f.bookings = (0..5)
        .map(|i| {
            failed(
                ExamSubject::Subject3Road,
                day(2026, 2, 10).plus_days(15 * i),
            )
        })
        .collect();
    let r = req(ExamSubject::Subject3Road, day(2026, 6, 1), day(2026, 6, 10));
    assert_eq!(
        check_booking(&r, &f),
        Err(Refusal::FiveBookingCap {
            subject: ExamSubject::Subject3Road
        })
    );
    // Safety theory has no cap: five failures of it do not refuse a sixth.
    let mut g = c1();
    g.passed.insert(ExamSubject::Subject2, day(2026, 1, 20));
    g.passed.insert(ExamSubject::Subject3Road, day(2026, 1, 25));
    g.bookings = (0..5)
        .map(|i| {
            failed(
                ExamSubject::Subject3Safety,
                day(2026, 2, 10).plus_days(15 * i),
            )
        })
        .collect();
    let r = req(
        ExamSubject::Subject3Safety,
        day(2026, 6, 1),
        day(2026, 6, 10),
    );
    assert_eq!(check_booking(&r, &g), Ok(()));
}

#[test]
fn five_booking_cap_ignores_cancelled_bookings_and_other_permits() {
    let mut f = c1();
    f.bookings = (0..4)
        .map(|i| failed(ExamSubject::Subject2, day(2026, 2, 1).plus_days(15 * i)))
        .collect();
    f.bookings.push(booking(
        ExamSubject::Subject2,
        day(2026, 5, 1),
        BookingResult::Cancelled,
    ));
    f.bookings
        .push(failed(ExamSubject::Subject2, day(2025, 6, 1)));
    let r = req(ExamSubject::Subject2, day(2026, 6, 1), day(2026, 6, 10));
    assert_eq!(check_booking(&r, &f), Ok(()));
}

#[test]
fn five_booking_cap_after_the_fifth_failure_everything_is_void() {
    let mut f = c1();
    f.voided = Some((ExamSubject::Subject2, day(2026, 6, 1)));
    f.permit = None;
    f.passed.clear();
    let r = req(ExamSubject::Subject3Road, day(2026, 7, 1), day(2026, 7, 10));
    let e = check_booking(&r, &f).unwrap_err();
    assert_eq!(e.rule(), "five-booking-cap");
    assert!(e.en().contains("start again from Subject 1"), "{e}");
    // Subject 1 may be booked again: a new application.
    let s1 = req(ExamSubject::Subject1, day(2026, 7, 1), day(2026, 7, 10));
    assert_eq!(check_booking(&s1, &f), Ok(()));
}

#[test]
fn already_passed() {
    let mut f = c1();
    f.passed.insert(ExamSubject::Subject2, day(2026, 3, 1));
    let r = req(ExamSubject::Subject2, day(2026, 4, 1), day(2026, 4, 10));
    assert_eq!(
        check_booking(&r, &f),
        Err(Refusal::AlreadyPassed {
            subject: ExamSubject::Subject2
        })
    );
}

#[test]
fn open_booking_one_per_subject() {
    let mut f = c1();
    f.bookings.push(booking(
        ExamSubject::Subject2,
        day(2026, 3, 1),
        BookingResult::Pending,
    ));
    let r = req(ExamSubject::Subject2, day(2026, 2, 1), day(2026, 3, 10));
    assert_eq!(
        check_booking(&r, &f),
        Err(Refusal::OpenBooking {
            subject: ExamSubject::Subject2
        })
    );
}

#[test]
fn cancel_one_working_day_before() {
    let cal = WorkCalendar::default();
    let monday = day(2026, 11, 30);
    let friday = day(2026, 11, 27);
    assert_eq!(check_cancel(monday, friday, &cal), Ok(()));
    let e = check_cancel(monday, day(2026, 11, 28), &cal).unwrap_err();
    assert_eq!(e, Refusal::CancelTooLate { last_day: friday });
    assert_eq!(e.rule(), "cancel-one-working-day-before");
    assert!(e.zh().contains("2026-11-27"));
    // Wednesday's exam: Tuesday is the last day.
    let wed = day(2026, 12, 2);
    assert_eq!(check_cancel(wed, day(2026, 12, 1), &cal), Ok(()));
    assert!(check_cancel(wed, wed, &cal).is_err());
}

#[test]
fn every_refusal_reads_chinese_then_english() {
    let d = day(2026, 3, 11);
    let s = ExamSubject::Subject2;
    let all = [
        Refusal::NotInAdvance { exam_day: d },
        Refusal::SubjectOrder {
            subject: s,
            needs: ExamSubject::Subject1,
        },
        Refusal::PermitExpired { expires: d },
        Refusal::WaitingPeriod {
            subject: s,
            class: LicenceClass::C1,
            days: 10,
            earliest: d,
        },
        Refusal::TenDayWait { earliest: d },
        Refusal::FiveBookingCap { subject: s },
        Refusal::VoidedByFifthFailure { subject: s, on: d },
        Refusal::AlreadyPassed { subject: s },
        Refusal::OpenBooking { subject: s },
        Refusal::CancelTooLate { last_day: d },
        Refusal::SessionFull { capacity: 3 },
        Refusal::ExaminerCapacity {
            examiners: 1,
            per_examiner: 4,
        },
        Refusal::SiteDayFull { max: 9 },
        Refusal::RosterClosed,
    ];
    for r in all {
        let text = r.to_string();
        let rest = text.strip_prefix(&format!("[{}] ", r.rule())).unwrap();
        let (zh, en) = rest.split_once(" / ").unwrap();
        assert!(!zh.is_ascii(), "{text}");
        assert!(en.is_ascii(), "{text}");
    }
}
