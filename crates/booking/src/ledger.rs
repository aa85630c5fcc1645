//! The booking ledger: candidates, sessions and bookings as a projection of [`Fact`]s. The
//! daemon logs each fact as an event and replays them at start; [`Ledger::apply`] checks every
//! rule again, so a replay of the log rebuilds exactly the state that decided the bookings.

use std::collections::{BTreeMap, BTreeSet};

use theory::LocalDay;

use crate::draw::Seed;
use crate::lottery::{self, Allotment};
use crate::{
    Booking, BookingRequest, BookingResult, CandidateFile, CandidateId, CarId, ExamSubject,
    ExaminerId, LearnerPermit, LicenceClass, Refusal, RouteId, SessionId, WorkCalendar,
    check_booking, check_cancel,
};

/// An exam session as opened by the site (one subject, one day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSpec {
    /// Its id.
    pub id: SessionId,
    /// The subject examined.
    pub subject: ExamSubject,
    /// The exam day.
    pub day: LocalDay,
    /// Places.
    pub capacity: u32,
    /// Examiners on duty (drawn among by the draw).
    pub examiners: Vec<ExaminerId>,
    /// Candidates each examiner may take in this session.
    pub per_examiner: u32,
    /// Candidates per group (one car, one examiner, one route for driving tests).
    pub group_size: u32,
    /// Cars (driving tests).
    pub cars: Vec<CarId>,
    /// Routes (Subject 3 road driving).
    pub routes: Vec<RouteId>,
    /// The site's daily maximum across sessions (art. 54).
    pub site_day_max: u32,
    /// The daily maximum per examiner across sessions (art. 54).
    pub examiner_day_max: u32,
    /// How places are given out.
    pub allocation: Allocation,
}

/// How a session gives out its places ("first come, first served, or a lottery if configured").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Allocation {
    /// Bookings are decided in arrival order while places last.
    #[default]
    FirstCome,
    /// Candidates apply while the window is open; the places are drawn when it closes
    /// ([`crate::lottery`]).
    Lottery {
        /// The seed's commitment ([`lottery::commitment`]), hex, fixed when the session opens.
        commitment: String,
    },
}

impl Allocation {
    /// `fcfs` or `lottery`.
    pub fn code(&self) -> &'static str {
        match self {
            Allocation::FirstCome => "fcfs",
            Allocation::Lottery { .. } => "lottery",
        }
    }
}

/// A session and its bookings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// As opened.
    pub spec: SessionSpec,
    /// Candidates booked and not cancelled, in booking order (a lottery's winners in draw order).
    pub booked: Vec<CandidateId>,
    /// The roster is closed for the draw.
    pub closed: bool,
    /// Lottery sessions: applications not withdrawn, in application order.
    pub applicants: Vec<CandidateId>,
    /// Lottery sessions: the outcome, once drawn (the application window is then closed).
    pub allotment: Option<Allotment>,
}

impl Session {
    /// A lottery session whose application window is still open.
    pub fn takes_applications(&self) -> bool {
        matches!(self.spec.allocation, Allocation::Lottery { .. })
            && self.allotment.is_none()
            && !self.closed
    }
}

/// How an exam ended, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Passed.
    Passed,
    /// Failed.
    Failed,
    /// Did not come.
    NoShow,
}

/// A fact the ledger is built from; each is one logged event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// A candidate's application is registered.
    CandidateRegistered {
        /// The ID number.
        id: CandidateId,
        /// The class applied for.
        class: LicenceClass,
        /// Adding a class to an existing car licence.
        adding_class: bool,
    },
    /// A session is opened for booking.
    SessionOpened(SessionSpec),
    /// A booking was made.
    Booked {
        /// Who.
        candidate: CandidateId,
        /// Which session.
        session: SessionId,
        /// On which day.
        made_on: LocalDay,
    },
    /// A booking was cancelled.
    Cancelled {
        /// Who.
        candidate: CandidateId,
        /// Which session.
        session: SessionId,
        /// On which day.
        made_on: LocalDay,
    },
    /// The session's roster is closed for the draw.
    RosterClosed {
        /// Which session.
        session: SessionId,
    },
    /// A candidate applied for a lottery session.
    Applied {
        /// Who.
        candidate: CandidateId,
        /// Which session.
        session: SessionId,
        /// On which day.
        made_on: LocalDay,
    },
    /// A lottery session's window closed and its places were drawn with the revealed seed.
    Allocated {
        /// Which session.
        session: SessionId,
        /// The seed committed when the session opened.
        seed: Seed,
    },
    /// An exam's outcome.
    Result {
        /// Who.
        candidate: CandidateId,
        /// Which session.
        session: SessionId,
        /// How it ended.
        outcome: Outcome,
    },
}

/// A fact that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// A booking rule refused it.
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The candidate is not registered.
    #[error("candidate {0} is not registered")]
    UnknownCandidate(String),
    /// The session does not exist.
    #[error("session {0} does not exist")]
    UnknownSession(String),
    /// The candidate has no open booking in the session.
    #[error("candidate {candidate} has no open booking in session {session}")]
    NotBooked {
        /// Who.
        candidate: String,
        /// Which session.
        session: String,
    },
    /// The candidate or session exists already.
    #[error("{0} exists already")]
    Exists(String),
    /// The session does not allocate by lottery.
    #[error("session {0} is first come, first served; it has no lottery")]
    NotLottery(String),
    /// The revealed lottery seed does not match the session's commitment.
    #[error("session {0}: the seed does not match the lottery's commitment")]
    SeedNotCommitted(String),
    /// A lottery session's roster cannot close before its places are drawn.
    #[error("session {0}: draw the lottery (close the applications) before closing the roster")]
    LotteryNotDrawn(String),
    /// The session's parameters are invalid; the message names the field.
    #[error("session {session}: {problem}")]
    BadSession {
        /// Which session.
        session: String,
        /// What is wrong.
        problem: String,
    },
}

/// What applying a fact changed beyond the fact itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Effects {
    /// A learner permit was issued (Subject 1 passed).
    pub permit_issued: Option<LearnerPermit>,
    /// Passed subjects voided by a fifth failed booking.
    pub voided: Vec<ExamSubject>,
    /// A lottery's outcome.
    pub allotment: Option<Allotment>,
}

/// Candidates, sessions and bookings.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// Candidates by ID number.
    pub candidates: BTreeMap<CandidateId, CandidateFile>,
    /// Sessions by id.
    pub sessions: BTreeMap<SessionId, Session>,
    /// Working days, for the cancellation rule.
    pub calendar: WorkCalendar,
}

impl Ledger {
    /// An empty ledger with this calendar.
    pub fn new(calendar: WorkCalendar) -> Ledger {
        Ledger {
            calendar,
            ..Ledger::default()
        }
    }

    /// Candidates booked (not cancelled) on `day` across the site's sessions.
    pub fn booked_on(&self, day: LocalDay) -> usize {
        self.sessions
            .values()
            .filter(|s| s.spec.day == day)
            .map(|s| s.booked.len())
            .sum()
    }

    /// Checks a booking without applying it.
    pub fn check_book(
        &self,
        candidate: &CandidateId,
        session: &SessionId,
        made_on: LocalDay,
    ) -> Result<(), LedgerError> {
        let file = self.file(candidate)?;
        let s = self.session(session)?;
        let req = BookingRequest {
            subject: s.spec.subject,
            made_on,
            exam_day: s.spec.day,
        };
        check_booking(&req, file)?;
        if s.closed {
            return Err(Refusal::RosterClosed.into());
        }
        if let Allocation::Lottery { .. } = s.spec.allocation {
            return Err(Refusal::LotterySession.into());
        }
        let n = s.booked.len() as u32;
        if n >= s.spec.capacity {
            return Err(Refusal::SessionFull {
                capacity: s.spec.capacity,
            }
            .into());
        }
        let examiners = s.spec.examiners.len() as u32;
        if !s.spec.examiners.is_empty() && n >= examiners * s.spec.per_examiner {
            return Err(Refusal::ExaminerCapacity {
                examiners,
                per_examiner: s.spec.per_examiner,
            }
            .into());
        }
        if self.booked_on(s.spec.day) as u32 >= s.spec.site_day_max {
            return Err(Refusal::SiteDayFull {
                max: s.spec.site_day_max,
            }
            .into());
        }
        Ok(())
    }

    /// Checks a lottery application without applying it: every booking rule but capacity.
    pub fn check_apply(
        &self,
        candidate: &CandidateId,
        session: &SessionId,
        made_on: LocalDay,
    ) -> Result<(), LedgerError> {
        let file = self.file(candidate)?;
        let s = self.session(session)?;
        let req = BookingRequest {
            subject: s.spec.subject,
            made_on,
            exam_day: s.spec.day,
        };
        check_booking(&req, file)?;
        match s.spec.allocation {
            Allocation::FirstCome => Err(Refusal::ApplicationWindow { lottery: false }.into()),
            Allocation::Lottery { .. } if !s.takes_applications() => {
                Err(Refusal::ApplicationWindow { lottery: true }.into())
            }
            Allocation::Lottery { .. } => Ok(()),
        }
    }

    /// Checks a cancellation without applying it.
    pub fn check_cancel(
        &self,
        candidate: &CandidateId,
        session: &SessionId,
        today: LocalDay,
    ) -> Result<(), LedgerError> {
        let s = self.session(session)?;
        if s.takes_applications() && s.applicants.contains(candidate) {
            // Withdrawing an application holds no place: allowed until the draw.
            return Ok(());
        }
        if !s.booked.contains(candidate) {
            return Err(LedgerError::NotBooked {
                candidate: candidate.to_string(),
                session: session.to_string(),
            });
        }
        if s.closed {
            return Err(Refusal::RosterClosed.into());
        }
        check_cancel(s.spec.day, today, &self.calendar)?;
        Ok(())
    }

    /// Checks and applies a fact.
    pub fn apply(&mut self, fact: &Fact) -> Result<Effects, LedgerError> {
        match fact {
            Fact::CandidateRegistered {
                id,
                class,
                adding_class,
            } => {
                if self.candidates.contains_key(id) {
                    return Err(LedgerError::Exists(format!("candidate {id}")));
                }
                self.candidates.insert(
                    id.clone(),
                    CandidateFile::new(id.clone(), *class, *adding_class),
                );
            }
            Fact::SessionOpened(spec) => {
                self.check_session(spec)?;
                self.sessions.insert(
                    spec.id.clone(),
                    Session {
                        spec: spec.clone(),
                        booked: Vec::new(),
                        closed: false,
                        applicants: Vec::new(),
                        allotment: None,
                    },
                );
            }
            Fact::Booked {
                candidate,
                session,
                made_on,
            } => {
                self.check_book(candidate, session, *made_on)?;
                let s = self.sessions.get_mut(session).expect("checked");
                s.booked.push(candidate.clone());
                let (subject, exam_day) = (s.spec.subject, s.spec.day);
                self.candidates
                    .get_mut(candidate)
                    .expect("checked")
                    .bookings
                    .push(Booking {
                        session: session.clone(),
                        subject,
                        made_on: *made_on,
                        exam_day,
                        result: BookingResult::Pending,
                    });
            }
            Fact::Cancelled {
                candidate,
                session,
                made_on,
            } => {
                self.check_cancel(candidate, session, *made_on)?;
                let s = self.sessions.get_mut(session).expect("checked");
                if s.applicants.contains(candidate) && s.allotment.is_none() {
                    s.applicants.retain(|c| c != candidate);
                    self.booking_mut(candidate, session, BookingResult::Applied)?
                        .result = BookingResult::Cancelled;
                } else {
                    s.booked.retain(|c| c != candidate);
                    self.pending_mut(candidate, session)?.result = BookingResult::Cancelled;
                }
            }
            Fact::Applied {
                candidate,
                session,
                made_on,
            } => {
                self.check_apply(candidate, session, *made_on)?;
                let s = self.sessions.get_mut(session).expect("checked");
                s.applicants.push(candidate.clone());
                let (subject, exam_day) = (s.spec.subject, s.spec.day);
                self.candidates
                    .get_mut(candidate)
                    .expect("checked")
                    .bookings
                    .push(Booking {
                        session: session.clone(),
                        subject,
                        made_on: *made_on,
                        exam_day,
                        result: BookingResult::Applied,
                    });
            }
            Fact::Allocated { session, seed } => return self.allocate(session, seed),
            Fact::RosterClosed { session } => {
                let s = self
                    .sessions
                    .get_mut(session)
                    .ok_or_else(|| LedgerError::UnknownSession(session.to_string()))?;
                if s.closed {
                    return Err(Refusal::RosterClosed.into());
                }
                if s.takes_applications() {
                    return Err(LedgerError::LotteryNotDrawn(session.to_string()));
                }
                s.closed = true;
            }
            Fact::Result {
                candidate,
                session,
                outcome,
            } => return self.record(candidate, session, *outcome),
        }
        Ok(Effects::default())
    }

    /// The lottery's places: see [`lottery::places`].
    pub fn lottery_places(&self, s: &Session) -> u32 {
        let others = self.booked_on(s.spec.day) - s.booked.len();
        lottery::places(
            s.spec.capacity,
            s.spec.examiners.len() as u32,
            s.spec.per_examiner,
            s.spec.site_day_max,
            others as u32,
        )
    }

    fn allocate(&mut self, session: &SessionId, seed: &Seed) -> Result<Effects, LedgerError> {
        let s = self.session(session)?;
        let Allocation::Lottery { commitment } = &s.spec.allocation else {
            return Err(LedgerError::NotLottery(session.to_string()));
        };
        if !s.takes_applications() {
            return Err(Refusal::ApplicationWindow { lottery: true }.into());
        }
        if lottery::commitment(session, seed) != *commitment {
            return Err(LedgerError::SeedNotCommitted(session.to_string()));
        }
        let places = self.lottery_places(s);
        let allot = lottery::allocate(&s.applicants, places, seed);
        for (who, result) in allot
            .winners
            .iter()
            .map(|c| (c, BookingResult::Pending))
            .chain(
                allot
                    .losers
                    .iter()
                    .map(|c| (c, BookingResult::NotAllocated)),
            )
        {
            self.booking_mut(who, session, BookingResult::Applied)?
                .result = result;
        }
        let s = self.sessions.get_mut(session).expect("checked");
        s.booked = allot.winners.clone();
        s.allotment = Some(allot.clone());
        Ok(Effects {
            allotment: Some(allot),
            ..Effects::default()
        })
    }

    fn record(
        &mut self,
        candidate: &CandidateId,
        session: &SessionId,
        outcome: Outcome,
    ) -> Result<Effects, LedgerError> {
        let b = self.pending_mut(candidate, session)?;
        b.result = match outcome {
            Outcome::Passed => BookingResult::Passed,
            Outcome::Failed => BookingResult::Failed,
            Outcome::NoShow => BookingResult::NoShow,
        };
        let (subject, day) = (b.subject, b.exam_day);
        let file = self.candidates.get_mut(candidate).expect("checked");
        let mut fx = Effects::default();
        if outcome == Outcome::Passed {
            file.passed.insert(subject, day);
            if subject == ExamSubject::Subject1 {
                let p = LearnerPermit::issued_on(day);
                file.permit = Some(p);
                file.voided = None;
                fx.permit_issued = Some(p);
            }
            return Ok(fx);
        }
        if subject.has_booking_cap()
            && let Some(p) = file.permit
        {
            let fails = file
                .bookings
                .iter()
                .filter(|b| b.subject == subject && p.covers(b.exam_day) && b.result.is_fail())
                .count();
            if fails >= 5 {
                fx.voided = file.passed.keys().copied().collect();
                file.passed.clear();
                file.permit = None;
                file.voided = Some((subject, day));
            }
        }
        Ok(fx)
    }

    fn check_session(&self, spec: &SessionSpec) -> Result<(), LedgerError> {
        let bad = |problem: String| LedgerError::BadSession {
            session: spec.id.to_string(),
            problem,
        };
        if self.sessions.contains_key(&spec.id) {
            return Err(LedgerError::Exists(format!("session {}", spec.id)));
        }
        if spec.capacity == 0 || spec.group_size == 0 || spec.site_day_max == 0 {
            return Err(bad(
                "capacity, group_size and site_day_max must be positive".into(),
            ));
        }
        let unique = |n: usize, set: usize| n == set;
        if !unique(
            spec.examiners.len(),
            spec.examiners.iter().collect::<BTreeSet<_>>().len(),
        ) || !unique(
            spec.cars.len(),
            spec.cars.iter().collect::<BTreeSet<_>>().len(),
        ) || !unique(
            spec.routes.len(),
            spec.routes.iter().collect::<BTreeSet<_>>().len(),
        ) {
            return Err(bad("examiners, cars and routes must not repeat".into()));
        }
        if spec.subject.is_driving() {
            if spec.examiners.is_empty() || spec.cars.is_empty() {
                return Err(bad("a driving test needs examiners and cars".into()));
            }
            if spec.per_examiner == 0 || !spec.per_examiner.is_multiple_of(spec.group_size) {
                return Err(bad(format!(
                    "per_examiner ({}) must be a positive multiple of group_size ({}) so that whole groups fit",
                    spec.per_examiner, spec.group_size
                )));
            }
        }
        if spec.subject == ExamSubject::Subject3Road && spec.routes.is_empty() {
            return Err(bad("Subject 3 road driving needs routes".into()));
        }
        for e in &spec.examiners {
            let load: u32 = self
                .sessions
                .values()
                .filter(|s| s.spec.day == spec.day && s.spec.examiners.contains(e))
                .map(|s| s.spec.per_examiner)
                .sum::<u32>()
                + spec.per_examiner;
            if load > spec.examiner_day_max {
                return Err(bad(format!(
                    "examiner {e} would examine up to {load} candidates on {}, over the daily maximum {} (art. 54)",
                    spec.day, spec.examiner_day_max
                )));
            }
        }
        Ok(())
    }

    fn file(&self, id: &CandidateId) -> Result<&CandidateFile, LedgerError> {
        self.candidates
            .get(id)
            .ok_or_else(|| LedgerError::UnknownCandidate(id.masked()))
    }

    fn session(&self, id: &SessionId) -> Result<&Session, LedgerError> {
        self.sessions
            .get(id)
            .ok_or_else(|| LedgerError::UnknownSession(id.to_string()))
    }

    fn pending_mut(
        &mut self,
        candidate: &CandidateId,
        session: &SessionId,
    ) -> Result<&mut Booking, LedgerError> {
        self.booking_mut(candidate, session, BookingResult::Pending)
    }

    fn booking_mut(
        &mut self,
        candidate: &CandidateId,
        session: &SessionId,
        state: BookingResult,
    ) -> Result<&mut Booking, LedgerError> {
        let not_booked = || LedgerError::NotBooked {
            candidate: candidate.masked(),
            session: session.to_string(),
        };
        self.candidates
            .get_mut(candidate)
            .ok_or_else(not_booked)?
            .bookings
            .iter_mut()
            .find(|b| &b.session == session && b.result == state)
            .ok_or_else(not_booked)
    }
}

#[cfg(test)]
mod tests;
