//! Exam booking for a driving-licence exam site: the booking rules of 公安部令第162号
//! (arts. 39–47), capacity per site, session and examiner (art. 54), the booking [`Ledger`]
//! (state as a projection of logged [`Fact`]s), and the commit–reveal draw of art. 48
//! ([`draw`]).
//!
//! Pure: no files, no clock, no random source. Days come in as [`LocalDay`], seeds as bytes.
//!
//! * Rules: [`check_booking`] and [`check_cancel`] refuse with a [`Refusal`] whose
//!   [`Refusal::rule`] names the rule (listed with their tests in `RULES.md`).
//! * Ledger: [`Ledger::apply`] checks a [`Fact`] against every rule and applies it; replaying
//!   the log through it rebuilds the state that made the decisions.
//! * Draw: [`draw::commitment`], [`draw::assign`], [`draw::verify`], [`draw::status`].
//! * Lottery (sessions configured with [`Allocation::Lottery`]): candidates apply
//!   ([`Fact::Applied`]) and the places are drawn when the window closes ([`Fact::Allocated`],
//!   [`lottery::allocate`], [`lottery::verify`]).
//!
//! * Sitting times ([`sitting`]): when a sitting's gate window is open, from its start time and
//!   margins.
//!
//! Architecture Invariant: nothing here reads a file, a clock, the environment or a random source.
//!
//! Architecture Invariant: the draw algorithm is pinned by a test vector; changing it changes
//! every logged draw.
//!
//! ```
//! use booking::{Allocation, CandidateId, ExamSubject, Fact, Ledger, LicenceClass, Outcome, SessionId, SessionSpec, WorkCalendar};
//! use theory::LocalDay;
//! let mut ledger = Ledger::new(WorkCalendar::default());
//! let id = CandidateId::synthetic(1);
//! ledger.apply(&Fact::CandidateRegistered { id: id.clone(), class: LicenceClass::C1, adding_class: false })?;
//! let day = LocalDay::from_ymd(2026, 12, 1);
//! let spec = SessionSpec {
//!     id: "s1-am".parse()?, subject: ExamSubject::Subject1, day, capacity: 2,
//!     examiners: vec![], per_examiner: 0, group_size: 1, cars: vec![], routes: vec![],
//!     site_day_max: 100, examiner_day_max: 100, allocation: Allocation::FirstCome,
//! };
//! ledger.apply(&Fact::SessionOpened(spec))?;
//! let session: SessionId = "s1-am".parse()?;
//! ledger.apply(&Fact::Booked { candidate: id.clone(), session: session.clone(), made_on: day.plus_days(-3) })?;
//! let fx = ledger.apply(&Fact::Result { candidate: id, session, outcome: Outcome::Passed })?;
//! assert_eq!(fx.permit_issued.unwrap().issued, day);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod calendar;
mod candidate;
pub mod draw;
mod ids;
mod ledger;
pub mod lottery;
mod permit;
mod refusal;
mod rules;
pub mod sitting;
mod subject;

pub use calendar::{WorkCalendar, weekday};
pub use candidate::{Booking, BookingResult, CandidateFile};
pub use ids::{CandidateId, CarId, ExaminerId, IdError, RouteId, SessionId};
pub use ledger::{Allocation, Effects, Fact, Ledger, LedgerError, Outcome, Session, SessionSpec};
pub use permit::LearnerPermit;
pub use refusal::Refusal;
pub use rules::{BookingRequest, check_booking, check_cancel};
pub use subject::{ExamSubject, LicenceClass};
pub use theory::LocalDay;
