//! Why a booking or a cancellation is refused; every refusal names its rule.

use std::fmt;

use theory::LocalDay;

use crate::{ExamSubject, LicenceClass};

/// A refused booking or cancellation. [`Refusal::rule`] is the stable rule name (see `RULES.md`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The exam day must be after the day the booking is made.
    NotInAdvance {
        /// The exam day asked for.
        exam_day: LocalDay,
    },
    /// Subjects in order (art. 39): Subject 1 before 2 and 3; safety theory after Subject 2 and
    /// with (or after) Subject 3 road driving.
    SubjectOrder {
        /// The subject asked for.
        subject: ExamSubject,
        /// The subject that must be passed (or booked the same day) first.
        needs: ExamSubject,
    },
    /// The exam day is outside the learner permit's validity (arts. 40, 41).
    PermitExpired {
        /// The first day the permit is no longer valid.
        expires: LocalDay,
    },
    /// The waiting period after the permit (arts. 43, 44).
    WaitingPeriod {
        /// The subject.
        subject: ExamSubject,
        /// The candidate's class.
        class: LicenceClass,
        /// Days to wait.
        days: i32,
        /// The first day a booking may be made.
        earliest: LocalDay,
    },
    /// A failed Subject 2 or 3 exam: a new booking only from ten days later (art. 47).
    TenDayWait {
        /// The first day a new booking may be made.
        earliest: LocalDay,
    },
    /// Five bookings of Subject 2 or Subject 3 road driving inside the permit's validity (art. 47).
    FiveBookingCap {
        /// The subject.
        subject: ExamSubject,
    },
    /// The fifth failed booking voided every passed subject; the candidate starts again from
    /// Subject 1 (art. 47).
    VoidedByFifthFailure {
        /// The subject failed the fifth time.
        subject: ExamSubject,
        /// The day of that fifth failure.
        on: LocalDay,
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
    /// A cancellation is made at the latest on the working day before the exam (art. 46).
    CancelTooLate {
        /// The last day a cancellation could be made.
        last_day: LocalDay,
    },
    /// The session has no place left (art. 54).
    SessionFull {
        /// Its capacity.
        capacity: u32,
    },
    /// The session's examiners have no place left (art. 54, daily maximum per examiner).
    ExaminerCapacity {
        /// Examiners on the session.
        examiners: u32,
        /// Candidates each may examine in the session.
        per_examiner: u32,
    },
    /// The site's daily maximum is reached (art. 54).
    SiteDayFull {
        /// The daily maximum.
        max: u32,
    },
    /// The session's roster is closed for the draw; no booking or cancellation any more.
    RosterClosed,
    /// The session allocates its places by lottery: candidates apply, they do not book.
    LotterySession,
    /// The session's application window is closed (its lottery is drawn), or the session does
    /// not take applications (it is first come, first served).
    ApplicationWindow {
        /// The session takes applications at all (a lottery session whose window closed).
        lottery: bool,
    },
}

impl Refusal {
    /// A stable name of the rule, for logs, audit records and `RULES.md`.
    pub fn rule(&self) -> &'static str {
        match self {
            Refusal::NotInAdvance { .. } => "book-in-advance",
            Refusal::SubjectOrder { .. } => "subject-order",
            Refusal::PermitExpired { .. } => "permit-validity",
            Refusal::WaitingPeriod { .. } => "waiting-period",
            Refusal::TenDayWait { .. } => "ten-day-wait",
            Refusal::FiveBookingCap { .. } | Refusal::VoidedByFifthFailure { .. } => {
                "five-booking-cap"
            }
            Refusal::AlreadyPassed { .. } => "already-passed",
            Refusal::OpenBooking { .. } => "open-booking",
            Refusal::CancelTooLate { .. } => "cancel-one-working-day-before",
            Refusal::SessionFull { .. } => "session-capacity",
            Refusal::ExaminerCapacity { .. } => "examiner-capacity",
            Refusal::SiteDayFull { .. } => "site-day-capacity",
            Refusal::RosterClosed => "roster-closed",
            Refusal::LotterySession => "lottery-session",
            Refusal::ApplicationWindow { .. } => "application-window",
        }
    }

    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Refusal::NotInAdvance { exam_day } => {
                format!("须提前预约，考试日期 {exam_day} 不在今天之后")
            }
            Refusal::SubjectOrder { subject, needs } => {
                format!("预约{}须先通过{}", subject.zh(), needs.zh())
            }
            Refusal::PermitExpired { expires } => {
                format!("考试日期不在学习驾驶证明有效期内（{expires} 起失效）")
            }
            Refusal::WaitingPeriod {
                subject,
                class,
                days,
                earliest,
            } => format!(
                "{class} 准驾车型取得学习驾驶证明满{days}日后方可预约{}，最早 {earliest}",
                subject.zh()
            ),
            Refusal::TenDayWait { earliest } => {
                format!("考试不合格，须在十日后预约，最早 {earliest}")
            }
            Refusal::FiveBookingCap { subject } => {
                format!("学习驾驶证明有效期内{}预约考试已达五次", subject.zh())
            }
            Refusal::VoidedByFifthFailure { subject, on } => format!(
                "{}第五次预约考试不合格（{on}），已考试合格的其他科目成绩作废，须重新从科目一开始",
                subject.zh()
            ),
            Refusal::AlreadyPassed { subject } => format!("{}已考试合格", subject.zh()),
            Refusal::OpenBooking { subject } => format!("{}已有未完成的预约", subject.zh()),
            Refusal::CancelTooLate { last_day } => {
                format!("须至少提前一个工作日取消预约，最迟 {last_day}")
            }
            Refusal::SessionFull { capacity } => format!("该场次已约满（{capacity} 人）"),
            Refusal::ExaminerCapacity {
                examiners,
                per_examiner,
            } => format!("该场次考试员考试量已满（{examiners} 名考试员，每人 {per_examiner} 人）"),
            Refusal::SiteDayFull { max } => format!("考场当日考试量已达上限（{max} 人）"),
            Refusal::RosterClosed => "该场次名单已锁定，不能预约或取消".into(),
            Refusal::LotterySession => {
                "该场次按抽签分配名额：请在申请期内提交申请，截止后随机抽签".into()
            }
            Refusal::ApplicationWindow { lottery: true } => {
                "该场次申请已截止（已抽签分配名额）".into()
            }
            Refusal::ApplicationWindow { lottery: false } => {
                "该场次按先到先得预约，不接受抽签申请".into()
            }
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        match self {
            Refusal::NotInAdvance { exam_day } => {
                format!("book in advance: the exam day {exam_day} is not after today")
            }
            Refusal::SubjectOrder { subject, needs } => {
                format!("{} needs {} passed first", subject.en(), needs.en())
            }
            Refusal::PermitExpired { expires } => {
                format!("the exam day is outside the learner permit's validity (expires {expires})")
            }
            Refusal::WaitingPeriod {
                subject,
                class,
                days,
                earliest,
            } => format!(
                "class {class}: {} may be booked {days} days after the learner permit, from {earliest}",
                subject.en()
            ),
            Refusal::TenDayWait { earliest } => {
                format!(
                    "after a failed exam a new booking may be made ten days later, from {earliest}"
                )
            }
            Refusal::FiveBookingCap { subject } => format!(
                "{} has been booked five times within the permit's validity",
                subject.en()
            ),
            Refusal::VoidedByFifthFailure { subject, on } => format!(
                "the fifth failed booking of {} ({on}) voided every passed subject; start again from Subject 1",
                subject.en()
            ),
            Refusal::AlreadyPassed { subject } => format!("{} is already passed", subject.en()),
            Refusal::OpenBooking { subject } => {
                format!("{} already has an open booking", subject.en())
            }
            Refusal::CancelTooLate { last_day } => format!(
                "cancel at least one working day before the exam, by {last_day} at the latest"
            ),
            Refusal::SessionFull { capacity } => {
                format!("the session is full ({capacity} places)")
            }
            Refusal::ExaminerCapacity {
                examiners,
                per_examiner,
            } => format!(
                "the session's examiners are fully booked ({examiners} examiners, {per_examiner} candidates each)"
            ),
            Refusal::SiteDayFull { max } => {
                format!("the site's daily maximum ({max} candidates) is reached")
            }
            Refusal::RosterClosed => {
                "the session's roster is closed; no booking or cancellation".into()
            }
            Refusal::LotterySession => {
                "this session allocates its places by lottery: apply during the application window"
                    .into()
            }
            Refusal::ApplicationWindow { lottery: true } => {
                "the session's application window is closed (the lottery is drawn)".into()
            }
            Refusal::ApplicationWindow { lottery: false } => {
                "this session is first come, first served: book it, there is no lottery".into()
            }
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {} / {}", self.rule(), self.zh(), self.en())
    }
}
