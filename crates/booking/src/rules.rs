//! The candidate-side booking rules (公安部令第162号 arts. 39–47). Capacity (art. 54) is the
//! ledger's, because it depends on everyone's bookings.
//!
//! Readings taken where the text leaves room (also in `RULES.md`):
//! * "十日后预约": a new booking may be *made* on the 10th day after the failed exam day or
//!   later (failed on day D, bookable from D + 10); applied to Subject 2 and both parts of
//!   Subject 3.
//! * Waiting periods after the permit (arts. 43, 44) bind the day the booking is made.
//! * The five-booking cap counts the subject's bookings inside the permit's validity that were
//!   not cancelled; the fifth *failure* voids the application (see the ledger).
//! * "提前一日/一个工作日取消": a cancellation is accepted up to and including the last working
//!   day before the exam day.
//! * Safety theory is booked once Subject 2 is passed and Subject 3 road driving is passed or
//!   booked for the same day (art. 39: "the same day both driving tests are passed").

use theory::LocalDay;

use crate::{Booking, BookingResult, CandidateFile, ExamSubject, Refusal, WorkCalendar};

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

/// May this candidate make this booking? Capacity is not checked here.
pub fn check_booking(req: &BookingRequest, file: &CandidateFile) -> Result<(), Refusal> {
    let subject = req.subject;
    if let Some((failed, on)) = file.voided
        && subject.needs_permit()
    {
        return Err(Refusal::VoidedByFifthFailure {
            subject: failed,
            on,
        });
    }
    if req.exam_day <= req.made_on {
        return Err(Refusal::NotInAdvance {
            exam_day: req.exam_day,
        });
    }
    if file.has_passed(subject) {
        return Err(Refusal::AlreadyPassed { subject });
    }
    if file.open_booking(subject).is_some() {
        return Err(Refusal::OpenBooking { subject });
    }
    check_order(req, file)?;
    if subject.needs_permit() {
        let p = file.permit.ok_or(Refusal::SubjectOrder {
            subject,
            needs: ExamSubject::Subject1,
        })?;
        if !p.covers(req.exam_day) {
            return Err(Refusal::PermitExpired { expires: p.expires });
        }
        let wait = match subject {
            ExamSubject::Subject2 => Some(file.class.subject2_wait_days()),
            ExamSubject::Subject3Road => Some(file.class.subject3_wait_days(file.adding_class)),
            _ => None,
        };
        if let Some(days) = wait {
            let earliest = p.issued.plus_days(days);
            if req.made_on < earliest {
                return Err(Refusal::WaitingPeriod {
                    subject,
                    class: file.class,
                    days,
                    earliest,
                });
            }
        }
        if subject.has_booking_cap() {
            let used = mine(&file.bookings, subject)
                .filter(|b| p.covers(b.exam_day) && b.result.counts())
                .count();
            if used >= 5 {
                return Err(Refusal::FiveBookingCap { subject });
            }
        }
    }
    if subject.has_ten_day_wait()
        && let Some(last) = mine(&file.bookings, subject)
            .filter(|b| b.result.is_fail())
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

fn check_order(req: &BookingRequest, file: &CandidateFile) -> Result<(), Refusal> {
    let subject = req.subject;
    let needs = |needs| Err(Refusal::SubjectOrder { subject, needs });
    match subject {
        ExamSubject::Subject1 => Ok(()),
        ExamSubject::Subject2 | ExamSubject::Subject3Road => {
            if file.has_passed(ExamSubject::Subject1) {
                Ok(())
            } else {
                needs(ExamSubject::Subject1)
            }
        }
        ExamSubject::Subject3Safety => {
            if !file.has_passed(ExamSubject::Subject2) {
                return needs(ExamSubject::Subject2);
            }
            // A lottery application for road driving is not a booking yet.
            let road_same_day = file
                .open_booking(ExamSubject::Subject3Road)
                .is_some_and(|b| b.exam_day == req.exam_day && b.result == BookingResult::Pending);
            if file.has_passed(ExamSubject::Subject3Road) || road_same_day {
                Ok(())
            } else {
                needs(ExamSubject::Subject3Road)
            }
        }
    }
}

fn mine(history: &[Booking], subject: ExamSubject) -> impl Iterator<Item = &Booking> {
    history.iter().filter(move |b| b.subject == subject)
}

/// May a booking for `exam_day` be cancelled on `today`? Up to the last working day before.
pub fn check_cancel(
    exam_day: LocalDay,
    today: LocalDay,
    calendar: &WorkCalendar,
) -> Result<(), Refusal> {
    let last_day = calendar
        .working_day_before(exam_day)
        .unwrap_or(exam_day.plus_days(-1));
    if today <= last_day {
        Ok(())
    } else {
        Err(Refusal::CancelTooLate { last_day })
    }
}

#[cfg(test)]
mod tests;
