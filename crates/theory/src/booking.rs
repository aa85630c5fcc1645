//! The rules that decide whether a candidate may sit: booking checks (公安部令第162号 arts. 40,
//! 41, 47) and the same-day free retake of a theory paper (art. 47).
//!
//! Readings taken where the text leaves room:
//! * "十日后预约" is read as: a new booking may be *made* on the 10th day after the failed exam
//!   day or later (failed on day D, bookable from D + 10).
//! * "科目二、科目三考试应当在十日后预约" is applied to Subject 2 and to both parts of Subject 3.
//! * The five-booking cap counts failed (including no-show) bookings of the subject inside the
//!   permit's validity; cancelled bookings do not count.

use std::fmt;

use crate::bank::TheoryExam;
use crate::day::LocalDay;
use crate::paper::Attempt;
use crate::sitting::Verdict;

/// The four tests a candidate books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExamSubject {
    /// 科目一.
    Subject1,
    /// 科目二 场地驾驶技能.
    Subject2,
    /// 科目三 道路驾驶技能.
    Subject3Road,
    /// 科目三 安全文明驾驶常识.
    Subject3Safety,
}

impl ExamSubject {
    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            ExamSubject::Subject1 => "科目一",
            ExamSubject::Subject2 => "科目二",
            ExamSubject::Subject3Road => "科目三道路驾驶技能",
            ExamSubject::Subject3Safety => "科目三安全文明驾驶常识",
        }
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        match self {
            ExamSubject::Subject1 => "Subject 1",
            ExamSubject::Subject2 => "Subject 2",
            ExamSubject::Subject3Road => "Subject 3 road driving",
            ExamSubject::Subject3Safety => "Subject 3 safety theory",
        }
    }

    fn needs_permit(self) -> bool {
        self != ExamSubject::Subject1
    }

    fn has_booking_cap(self) -> bool {
        matches!(self, ExamSubject::Subject2 | ExamSubject::Subject3Road)
    }

    fn has_ten_day_wait(self) -> bool {
        self != ExamSubject::Subject1
    }
}

/// The learner permit (学习驾驶证明), issued after Subject 1 is passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearnerPermit {
    /// The day it was issued.
    pub issued: LocalDay,
    /// The first day it is no longer valid.
    pub expires: LocalDay,
}

impl LearnerPermit {
    /// A permit issued on `day`, valid for three years (art. 40).
    pub fn issued_on(day: LocalDay) -> LearnerPermit {
        LearnerPermit {
            issued: day,
            expires: day.plus_years(3),
        }
    }

    /// Whether `day` falls inside the validity.
    pub fn covers(&self, day: LocalDay) -> bool {
        self.issued <= day && day < self.expires
    }
}

/// How a past booking ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingResult {
    /// Not sat yet.
    Pending,
    /// Passed (the retake included).
    Passed,
    /// Failed, the retake failed or not taken, or no-show (art. 46: a no-show is a fail).
    Failed,
    /// Cancelled in time; does not count.
    Cancelled,
}

/// One booking of the candidate's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booking {
    /// The test booked.
    pub subject: ExamSubject,
    /// The exam day.
    pub exam_day: LocalDay,
    /// How it ended.
    pub result: BookingResult,
}

/// A booking asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingRequest {
    /// The test.
    pub subject: ExamSubject,
    /// The day the booking is made.
    pub made_on: LocalDay,
    /// The exam day asked for.
    pub exam_day: LocalDay,
}

/// One sitting of a theory paper, as far as the retake rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SittingRecord {
    /// The test.
    pub exam: TheoryExam,
    /// First paper or retake.
    pub attempt: Attempt,
    /// Passed or failed.
    pub verdict: Verdict,
    /// The day it was sat.
    pub day: LocalDay,
}

/// Why a booking or retake is refused; each names the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Subjects 2 and 3 need a learner permit.
    NoPermit,
    /// The exam day is outside the permit's validity.
    PermitExpired {
        /// The first day the permit is no longer valid.
        expires: LocalDay,
    },
    /// Five bookings of Subject 2 or Subject 3 road driving inside the permit's validity.
    FiveBookingCap {
        /// The subject.
        subject: ExamSubject,
    },
    /// A failed Subject 2 or 3 booking: a new one only from ten days later.
    TenDayWait {
        /// The first day a new booking may be made.
        earliest: LocalDay,
    },
    /// The subject is already passed.
    AlreadyPassed {
        /// The subject.
        subject: ExamSubject,
    },
    /// A booking for the subject is still open.
    OpenBooking {
        /// The subject.
        subject: ExamSubject,
    },
    /// A passed paper has no retake.
    RetakeAfterPass,
    /// The free retake has been used.
    RetakeAlreadyUsed,
    /// The free retake is on the day of the first paper only.
    RetakeNotSameDay {
        /// The day of the first paper.
        first_day: LocalDay,
    },
}

impl Refusal {
    /// A stable name of the rule, for logs and audit records.
    pub fn rule(&self) -> &'static str {
        match self {
            Refusal::NoPermit | Refusal::PermitExpired { .. } => "permit-validity",
            Refusal::FiveBookingCap { .. } => "five-booking-cap",
            Refusal::TenDayWait { .. } => "ten-day-wait",
            Refusal::AlreadyPassed { .. } => "already-passed",
            Refusal::OpenBooking { .. } => "open-booking",
            Refusal::RetakeAfterPass
            | Refusal::RetakeAlreadyUsed
            | Refusal::RetakeNotSameDay { .. } => "one-free-retake",
        }
    }

    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Refusal::NoPermit => "预约科目二、科目三须持有学习驾驶证明".into(),
            Refusal::PermitExpired { expires } => {
                format!("考试日期不在学习驾驶证明有效期内（{expires} 起失效）")
            }
            Refusal::FiveBookingCap { subject } => {
                format!("学习驾驶证明有效期内{}预约考试已达五次", subject.zh())
            }
            Refusal::TenDayWait { earliest } => {
                format!("考试不合格，须在十日后预约，最早 {earliest}")
            }
            Refusal::AlreadyPassed { subject } => format!("{}已考试合格", subject.zh()),
            Refusal::OpenBooking { subject } => format!("{}已有未完成的预约", subject.zh()),
            Refusal::RetakeAfterPass => "考试已合格，无需补考".into(),
            Refusal::RetakeAlreadyUsed => "本次考试的补考机会已经使用".into(),
            Refusal::RetakeNotSameDay { first_day } => format!("补考须在当日（{first_day}）进行"),
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        match self {
            Refusal::NoPermit => "Subjects 2 and 3 need a learner permit".into(),
            Refusal::PermitExpired { expires } => {
                format!("the exam day is outside the learner permit's validity (expires {expires})")
            }
            Refusal::FiveBookingCap { subject } => {
                format!(
                    "{} has been booked five times within the permit's validity",
                    subject.en()
                )
            }
            Refusal::TenDayWait { earliest } => {
                format!(
                    "after a failed exam a new booking may be made ten days later, from {earliest}"
                )
            }
            Refusal::AlreadyPassed { subject } => format!("{} is already passed", subject.en()),
            Refusal::OpenBooking { subject } => {
                format!("{} already has an open booking", subject.en())
            }
            Refusal::RetakeAfterPass => "the paper was passed; there is no retake".into(),
            Refusal::RetakeAlreadyUsed => "the free retake has been used".into(),
            Refusal::RetakeNotSameDay { first_day } => {
                format!("the free retake is on the same day ({first_day}) only")
            }
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.zh(), self.en())
    }
}

/// May this booking be made? `history` is every booking of the candidate; `permit` is the learner
/// permit in force, if any.
pub fn check_booking(
    req: &BookingRequest,
    permit: Option<&LearnerPermit>,
    history: &[Booking],
) -> Result<(), Refusal> {
    let subject = req.subject;
    let in_window =
        |b: &&Booking| permit.is_none_or(|p| p.covers(b.exam_day)) || !subject.needs_permit();
    let mine = || history.iter().filter(move |b| b.subject == subject);
    if mine()
        .filter(in_window)
        .any(|b| b.result == BookingResult::Passed)
    {
        return Err(Refusal::AlreadyPassed { subject });
    }
    if mine().any(|b| b.result == BookingResult::Pending) {
        return Err(Refusal::OpenBooking { subject });
    }
    if subject.needs_permit() {
        let p = permit.ok_or(Refusal::NoPermit)?;
        if !p.covers(req.exam_day) {
            return Err(Refusal::PermitExpired { expires: p.expires });
        }
        if subject.has_booking_cap() {
            let used = mine()
                .filter(|b| p.covers(b.exam_day) && b.result == BookingResult::Failed)
                .count();
            if used >= 5 {
                return Err(Refusal::FiveBookingCap { subject });
            }
        }
    }
    if subject.has_ten_day_wait()
        && let Some(last) = mine()
            .filter(|b| b.result == BookingResult::Failed)
            .map(|b| b.exam_day)
            .max()
    {
        let earliest = last.plus_days(10);
        if req.made_on < earliest {
            return Err(Refusal::TenDayWait { earliest });
        }
    }
    Ok(())
}

/// May the candidate take the free retake now, after `last`?
pub fn check_retake(last: &SittingRecord, today: LocalDay) -> Result<(), Refusal> {
    if last.verdict == Verdict::Passed {
        return Err(Refusal::RetakeAfterPass);
    }
    if matches!(last.attempt, Attempt::Retake { .. }) {
        return Err(Refusal::RetakeAlreadyUsed);
    }
    if today != last.day {
        return Err(Refusal::RetakeNotSameDay {
            first_day: last.day,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
