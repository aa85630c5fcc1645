use super::*;

fn day(y: i32, m: u32, d: u32) -> LocalDay {
    LocalDay::from_ymd(y, m, d)
}

fn permit() -> LearnerPermit {
    LearnerPermit::issued_on(day(2026, 1, 5))
}

fn req(subject: ExamSubject, made_on: LocalDay, exam_day: LocalDay) -> BookingRequest {
    BookingRequest {
        subject,
        made_on,
        exam_day,
    }
}

fn failed(subject: ExamSubject, exam_day: LocalDay) -> Booking {
    Booking {
        subject,
        exam_day,
        result: BookingResult::Failed,
    }
}

#[test]
fn permit_validity_subject2_needs_a_permit() {
    let r = req(ExamSubject::Subject2, day(2026, 2, 1), day(2026, 2, 10));
    assert_eq!(check_booking(&r, None, &[]), Err(Refusal::NoPermit));
    assert_eq!(check_booking(&r, Some(&permit()), &[]), Ok(()));
}

#[test]
fn permit_validity_is_three_years() {
    let p = permit();
    assert_eq!(p.expires, day(2029, 1, 5));
    let last_day = req(ExamSubject::Subject3Road, day(2028, 12, 1), day(2029, 1, 4));
    assert_eq!(check_booking(&last_day, Some(&p), &[]), Ok(()));
    let too_late = req(ExamSubject::Subject3Road, day(2028, 12, 1), day(2029, 1, 5));
    let refusal = check_booking(&too_late, Some(&p), &[]).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::PermitExpired {
            expires: day(2029, 1, 5)
        }
    );
    assert_eq!(refusal.rule(), "permit-validity");
}

#[test]
fn permit_validity_does_not_bind_subject1() {
    assert_eq!(
        check_booking(
            &req(ExamSubject::Subject1, day(2026, 1, 1), day(2026, 1, 2)),
            None,
            &[]
        ),
        Ok(())
    );
}

#[test]
fn five_booking_cap_for_subject2() {
    let p = permit();
    let history: Vec<Booking> = (0..5)
        .map(|i| failed(ExamSubject::Subject2, day(2026, 2, 1).plus_days(15 * i)))
        .collect();
    let r = req(ExamSubject::Subject2, day(2026, 6, 1), day(2026, 6, 10));
    let refusal = check_booking(&r, Some(&p), &history).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::FiveBookingCap {
            subject: ExamSubject::Subject2
        }
    );
    assert!(refusal.to_string().starts_with(
        "学习驾驶证明有效期内科目二预约考试已达五次 / Subject 2 has been booked five times"
    ));
    assert_eq!(check_booking(&r, Some(&p), &history[..4]), Ok(()));
}

#[test]
fn five_booking_cap_for_subject3_road_but_not_safety_theory() {
    let p = permit();
    let road: Vec<Booking> = (0..5)
        .map(|i| failed(ExamSubject::Subject3Road, day(2026, 2, 1).plus_days(15 * i)))
        .collect();
    let r = req(ExamSubject::Subject3Road, day(2026, 6, 1), day(2026, 6, 10));
    assert_eq!(
        check_booking(&r, Some(&p), &road),
        Err(Refusal::FiveBookingCap {
            subject: ExamSubject::Subject3Road
        })
    );
    let safety: Vec<Booking> = road
        .iter()
        .map(|b| Booking {
            subject: ExamSubject::Subject3Safety,
            ..*b
        })
        .collect();
    let r = req(
        ExamSubject::Subject3Safety,
        day(2026, 6, 1),
        day(2026, 6, 10),
    );
    assert_eq!(check_booking(&r, Some(&p), &safety), Ok(()));
}

#[test]
fn five_booking_cap_ignores_cancelled_bookings_and_other_permits() {
    let p = permit();
    let mut history: Vec<Booking> = (0..4)
        .map(|i| failed(ExamSubject::Subject2, day(2026, 2, 1).plus_days(15 * i)))
        .collect();
    history.push(Booking {
        subject: ExamSubject::Subject2,
        exam_day: day(2026, 5, 1),
        result: BookingResult::Cancelled,
    });
    history.push(failed(ExamSubject::Subject2, day(2025, 6, 1)));
    let r = req(ExamSubject::Subject2, day(2026, 6, 1), day(2026, 6, 10));
    assert_eq!(check_booking(&r, Some(&p), &history), Ok(()));
}

#[test]
fn ten_day_wait_after_a_failed_booking() {
    let p = permit();
    let history = [failed(ExamSubject::Subject2, day(2026, 3, 1))];
    let early = req(ExamSubject::Subject2, day(2026, 3, 10), day(2026, 3, 20));
    let refusal = check_booking(&early, Some(&p), &history).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::TenDayWait {
            earliest: day(2026, 3, 11)
        }
    );
    assert!(refusal.zh().contains("最早 2026-03-11"), "{refusal}");
    let on_time = req(ExamSubject::Subject2, day(2026, 3, 11), day(2026, 3, 20));
    assert_eq!(check_booking(&on_time, Some(&p), &history), Ok(()));
}

#[test]
fn ten_day_wait_does_not_apply_to_subject1() {
    let history = [failed(ExamSubject::Subject1, day(2026, 3, 1))];
    let r = req(ExamSubject::Subject1, day(2026, 3, 2), day(2026, 3, 3));
    assert_eq!(check_booking(&r, None, &history), Ok(()));
}

#[test]
fn a_passed_subject_cannot_be_booked_again() {
    let history = [Booking {
        subject: ExamSubject::Subject2,
        exam_day: day(2026, 3, 1),
        result: BookingResult::Passed,
    }];
    let r = req(ExamSubject::Subject2, day(2026, 4, 1), day(2026, 4, 10));
    assert_eq!(
        check_booking(&r, Some(&permit()), &history),
        Err(Refusal::AlreadyPassed {
            subject: ExamSubject::Subject2
        })
    );
}

#[test]
fn one_open_booking_per_subject() {
    let history = [Booking {
        subject: ExamSubject::Subject2,
        exam_day: day(2026, 3, 1),
        result: BookingResult::Pending,
    }];
    let r = req(ExamSubject::Subject2, day(2026, 2, 1), day(2026, 3, 10));
    assert_eq!(
        check_booking(&r, Some(&permit()), &history),
        Err(Refusal::OpenBooking {
            subject: ExamSubject::Subject2
        })
    );
}

fn sitting(verdict: Verdict, attempt: Attempt) -> SittingRecord {
    SittingRecord {
        exam: TheoryExam::Subject1,
        attempt,
        verdict,
        day: day(2026, 3, 1),
    }
}

#[test]
fn one_free_retake_on_the_same_day() {
    assert_eq!(
        check_retake(&sitting(Verdict::Failed, Attempt::First), day(2026, 3, 1)),
        Ok(())
    );
}

#[test]
fn one_free_retake_only_once() {
    let r = check_retake(
        &sitting(Verdict::Failed, Attempt::Retake { first_seed: 1 }),
        day(2026, 3, 1),
    );
    assert_eq!(r, Err(Refusal::RetakeAlreadyUsed));
    assert_eq!(r.unwrap_err().rule(), "one-free-retake");
}

#[test]
fn one_free_retake_not_on_another_day() {
    assert_eq!(
        check_retake(&sitting(Verdict::Failed, Attempt::First), day(2026, 3, 2)),
        Err(Refusal::RetakeNotSameDay {
            first_day: day(2026, 3, 1)
        })
    );
}

#[test]
fn no_retake_after_a_pass() {
    assert_eq!(
        check_retake(&sitting(Verdict::Passed, Attempt::First), day(2026, 3, 1)),
        Err(Refusal::RetakeAfterPass)
    );
}

#[test]
fn every_refusal_reads_chinese_then_english() {
    let all = [
        Refusal::NoPermit,
        Refusal::PermitExpired {
            expires: day(2029, 1, 5),
        },
        Refusal::FiveBookingCap {
            subject: ExamSubject::Subject3Road,
        },
        Refusal::TenDayWait {
            earliest: day(2026, 3, 11),
        },
        Refusal::AlreadyPassed {
            subject: ExamSubject::Subject1,
        },
        Refusal::OpenBooking {
            subject: ExamSubject::Subject1,
        },
        Refusal::RetakeAfterPass,
        Refusal::RetakeAlreadyUsed,
        Refusal::RetakeNotSameDay {
            first_day: day(2026, 3, 1),
        },
    ];
    for r in all {
        let text = r.to_string();
        let (zh, en) = text.split_once(" / ").unwrap();
        assert!(zh.chars().next().is_some_and(|c| !c.is_ascii()), "{text}");
        assert!(en.is_ascii(), "{text}");
    }
}
