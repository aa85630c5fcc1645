//! A candidate's file: class, permit, passes and every booking, as the rules need them.

use std::collections::BTreeMap;

use theory::LocalDay;

use crate::{CandidateId, ExamSubject, LearnerPermit, LicenceClass, SessionId};

/// How a booking ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingResult {
    /// Not sat yet.
    Pending,
    /// Passed (the free retake included).
    Passed,
    /// Failed: the retake failed or was not taken.
    Failed,
    /// Did not come: judged failed (art. 46).
    NoShow,
    /// Cancelled in time; does not count.
    Cancelled,
    /// Applied for a lottery session; the lottery is not drawn yet. Holds the subject like a
    /// pending booking.
    Applied,
    /// Applied for a lottery session and not drawn; does not count.
    NotAllocated,
}

impl BookingResult {
    /// Failed or no-show.
    pub fn is_fail(self) -> bool {
        matches!(self, BookingResult::Failed | BookingResult::NoShow)
    }

    /// Counts toward the five-booking cap: not cancelled and not lost in a lottery.
    pub fn counts(self) -> bool {
        !matches!(self, BookingResult::Cancelled | BookingResult::NotAllocated)
    }

    /// The wire name.
    pub fn code(self) -> &'static str {
        match self {
            BookingResult::Pending => "pending",
            BookingResult::Passed => "passed",
            BookingResult::Failed => "failed",
            BookingResult::NoShow => "no_show",
            BookingResult::Cancelled => "cancelled",
            BookingResult::Applied => "applied",
            BookingResult::NotAllocated => "not_allocated",
        }
    }
}

/// One booking of the candidate's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// The session.
    pub session: SessionId,
    /// The test booked.
    pub subject: ExamSubject,
    /// The day the booking was made.
    pub made_on: LocalDay,
    /// The exam day.
    pub exam_day: LocalDay,
    /// How it ended.
    pub result: BookingResult,
}

/// Everything the booking rules know about one candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateFile {
    /// The ID number.
    pub id: CandidateId,
    /// The class applied for.
    pub class: LicenceClass,
    /// Adding a class to an existing car licence (shorter Subject 3 wait for A/B, art. 44).
    pub adding_class: bool,
    /// The learner permit in force (issued when Subject 1 is passed).
    pub permit: Option<LearnerPermit>,
    /// Subjects passed and the day, inside the current application.
    pub passed: BTreeMap<ExamSubject, LocalDay>,
    /// Every booking, oldest first.
    pub bookings: Vec<Booking>,
    /// Set when a fifth failed booking voided the application (art. 47).
    pub voided: Option<(ExamSubject, LocalDay)>,
}

impl CandidateFile {
    /// A new applicant with nothing passed.
    pub fn new(id: CandidateId, class: LicenceClass, adding_class: bool) -> CandidateFile {
        CandidateFile {
            id,
            class,
            adding_class,
            permit: None,
            passed: BTreeMap::new(),
            bookings: Vec::new(),
            voided: None,
        }
    }

    /// Whether `subject` is passed, counting Subject 2/3 passes only inside the permit.
    pub fn has_passed(&self, subject: ExamSubject) -> bool {
        match self.passed.get(&subject) {
            None => false,
            Some(_) if !subject.needs_permit() => true,
            Some(day) => self.permit.is_some_and(|p| p.covers(*day)),
        }
    }

    /// The open booking of `subject` (pending, or a lottery application not drawn yet), if any.
    pub fn open_booking(&self, subject: ExamSubject) -> Option<&Booking> {
        self.bookings.iter().find(|b| {
            b.subject == subject
                && matches!(b.result, BookingResult::Pending | BookingResult::Applied)
        })
    }
}
