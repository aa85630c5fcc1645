use super::*;

fn day(y: i32, m: u32, d: u32) -> LocalDay {
    LocalDay::from_ymd(y, m, d)
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
    assert_eq!(r, Err(RetakeRefusal::AlreadyUsed));
    assert_eq!(r.unwrap_err().rule(), "one-free-retake");
}

#[test]
fn one_free_retake_not_on_another_day() {
    assert_eq!(
        check_retake(&sitting(Verdict::Failed, Attempt::First), day(2026, 3, 2)),
        Err(RetakeRefusal::NotSameDay {
            first_day: day(2026, 3, 1)
        })
    );
}

#[test]
fn no_retake_after_a_pass() {
    assert_eq!(
        check_retake(&sitting(Verdict::Passed, Attempt::First), day(2026, 3, 1)),
        Err(RetakeRefusal::AfterPass)
    );
}

#[test]
fn every_refusal_reads_chinese_then_english() {
    let all = [
        RetakeRefusal::AfterPass,
        RetakeRefusal::AlreadyUsed,
        RetakeRefusal::NotSameDay {
            first_day: day(2026, 3, 1),
        },
    ];
    for r in all {
        let text = r.to_string();
        let (zh, en) = text.split_once(" / ").unwrap();
        assert!(!zh.is_ascii(), "{text}");
        assert!(en.is_ascii(), "{text}");
    }
}
