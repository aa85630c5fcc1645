//! The payloads of the booking and draw events (version 1), and their mapping to the ledger's
//! [`Fact`]s. Every booking event names the candidate by ID number in its subjects, so the
//! log answers "what happened to this candidate" (the log is the site's record, access-controlled).

use booking::draw::Seed;
use booking::sitting::{self, GateWindow};
use booking::{
    Allocation, CandidateId, ExamSubject, Fact, LicenceClass, LocalDay, Outcome, SessionId,
    SessionSpec,
};
use model::{EventKind, SubjectKind, SubjectRef};
use serde::{Deserialize, Serialize};
use store::Draft;

/// `booking.candidate_registered`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisteredV1 {
    /// ID number.
    pub candidate: String,
    /// Name.
    pub name: String,
    /// Licence class, e.g. `C1`.
    pub class: String,
    /// Adding a class to an existing car licence.
    pub adding_class: bool,
    /// SHA-256 (hex) of the phone number the one-time codes go to.
    pub phone_sha256: String,
    /// Who registered it.
    pub by: String,
    /// When.
    pub at: i64,
}

/// `booking.session_opened`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionV1 {
    /// Session id.
    pub session: String,
    /// `subject1`, `subject2`, `subject3`, `safety`.
    pub subject: String,
    /// Exam day, `YYYY-MM-DD`.
    pub day: String,
    /// Places.
    pub capacity: u32,
    /// Examiners.
    pub examiners: Vec<String>,
    /// Candidates per examiner.
    pub per_examiner: u32,
    /// Candidates per group.
    pub group_size: u32,
    /// Cars.
    pub cars: Vec<String>,
    /// Routes.
    pub routes: Vec<String>,
    /// The site's daily maximum.
    pub site_day_max: u32,
    /// The daily maximum per examiner.
    pub examiner_day_max: u32,
    /// When the sitting starts and when the gate lets its candidates in (absent: all day).
    #[serde(flatten)]
    pub times: SessionTimesV1,
    /// Who opened it.
    pub by: String,
    /// When.
    pub at: i64,
}

/// A session's times, each optional (a session logged without them admits all its exam day).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTimesV1 {
    /// Start, `HH:MM` China time on the exam day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts: Option<String>,
    /// Minutes before the start the gate admits the sitting's candidates (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate_opens_before_min: Option<u32>,
    /// Minutes after the start the gate stops admitting them (default 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate_closes_after_min: Option<u32>,
    /// A lottery session's application window closes then (ms since the epoch): the daemon draws
    /// the places by itself at that moment (`super::lottery_timer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applications_close: Option<i64>,
}

/// `YYYY-MM-DD HH:MM` (China time) to an instant; errors name `what`.
pub fn parse_local_time(what: &str, s: &str) -> Result<model::UnixMs, String> {
    let bad = || format!("{what} must be YYYY-MM-DD HH:MM (China time), got {s:?}");
    let (d, t) = s.trim().split_once([' ', 'T']).ok_or_else(bad)?;
    let day = parse_day(d).map_err(|_| bad())?;
    let time: sitting::StartTime = t.parse().map_err(|_| bad())?;
    Ok(GateWindow::new(day, Some(time)).start())
}

/// `booking.lottery_opened`: a session whose places are drawn by lottery, with the commitment
/// `SHA-256("examd.lottery.v1" ‖ 0 ‖ session ‖ 0 ‖ seed)` of its seed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LotterySessionV1 {
    /// The session, as for `booking.session_opened`.
    #[serde(flatten)]
    pub session: SessionV1,
    /// The seed's commitment, hex.
    pub commitment: String,
}

/// `booking.allocated`: a lottery session's window closed and its places were drawn.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AllocatedV1 {
    /// Session.
    pub session: String,
    /// The seed, revealed (64 hex digits).
    pub seed: String,
    /// Places given out (capacity, lowered to the examiners' and the site day's).
    pub places: u32,
    /// ID numbers of the winners, in draw order.
    pub winners: Vec<String>,
    /// ID numbers of the others, in draw order.
    pub losers: Vec<String>,
    /// Who closed the window.
    pub by: String,
    /// When.
    pub at: i64,
}

/// `booking.booked`, `booking.cancelled`, `booking.applied`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookedV1 {
    /// ID number.
    pub candidate: String,
    /// Session.
    pub session: String,
    /// The day it was made (`YYYY-MM-DD`, China time).
    pub made_on: String,
    /// When.
    pub at: i64,
}

/// `booking.refused`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefusedV1 {
    /// ID number.
    pub candidate: String,
    /// Session.
    pub session: String,
    /// `book`, `cancel` or `apply`.
    pub action: String,
    /// The rule that refused it.
    pub rule: String,
    /// The refusal, Chinese / English.
    pub message: String,
    /// When.
    pub at: i64,
}

/// `booking.roster_closed`: the roster the draw is computed from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RosterClosedV1 {
    /// Session.
    pub session: String,
    /// Subject.
    pub subject: String,
    /// Booked candidates (sorted).
    pub candidates: Vec<String>,
    /// Examiners.
    pub examiners: Vec<String>,
    /// Cars.
    pub cars: Vec<String>,
    /// Routes.
    pub routes: Vec<String>,
    /// Candidates per group.
    pub group_size: u32,
    /// When.
    pub at: i64,
}

/// `booking.result`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultV1 {
    /// ID number.
    pub candidate: String,
    /// Session.
    pub session: String,
    /// `passed`, `failed`, `no_show`.
    pub outcome: String,
    /// Subjects the result voided (a fifth failure).
    #[serde(default)]
    pub voided: Vec<String>,
    /// When.
    pub at: i64,
}

/// `booking.candidate_login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginV1 {
    /// ID number.
    pub candidate: String,
    /// `one_time_code`.
    pub method: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// When.
    pub at: i64,
}

/// `draw.committed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommittedV1 {
    /// Session.
    pub session: String,
    /// `SHA-256("examd.draw.v1" ‖ 0 ‖ session ‖ 0 ‖ seed)`, hex.
    pub commitment: String,
    /// When.
    pub at: i64,
}

/// One candidate's draw, as logged.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AssignmentV1 {
    /// ID number.
    pub candidate: String,
    /// Group (0-based).
    pub group: u32,
    /// Position in the group (0-based).
    pub position: u32,
    /// Examiner.
    pub examiner: Option<String>,
    /// Car.
    pub car: Option<String>,
    /// Route.
    pub route: Option<String>,
}

/// `draw.assigned`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssignedV1 {
    /// Session.
    pub session: String,
    /// Every candidate's draw.
    pub assignments: Vec<AssignmentV1>,
    /// When.
    pub at: i64,
}

/// `draw.revealed`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevealedV1 {
    /// Session.
    pub session: String,
    /// The seed, 64 hex digits.
    pub seed: String,
    /// When.
    pub at: i64,
}

/// A booking or draw event, decoded.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum BookingEvent {
    Registered(RegisteredV1),
    SessionOpened(SessionV1),
    Booked(BookedV1),
    Refused(RefusedV1),
    Cancelled(BookedV1),
    RosterClosed(RosterClosedV1),
    Result(ResultV1),
    Login(LoginV1),
    Committed(CommittedV1),
    Assigned(AssignedV1),
    Revealed(RevealedV1),
    LotteryOpened(LotterySessionV1),
    Applied(BookedV1),
    Allocated(AllocatedV1),
}

/// A payload that decodes but does not make sense.
fn bad(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

/// `YYYY-MM-DD` to a day.
pub fn parse_day(s: &str) -> Result<LocalDay, String> {
    let mut it = s.trim().splitn(3, '-');
    let mut num = || -> Option<u32> { it.next()?.parse().ok() };
    let (y, m, d) = (num(), num(), num());
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d) => {
            let day = LocalDay::from_ymd(y as i32, m, d);
            if day.ymd() == (y as i32, m, d) {
                return Ok(day);
            }
            Err(format!("day {s:?} does not exist"))
        }
        _ => Err(format!("day must be YYYY-MM-DD, got {s:?}")),
    }
}

fn names<T: std::str::FromStr>(v: &[String]) -> Result<Vec<T>, String>
where
    T::Err: std::fmt::Display,
{
    v.iter()
        .map(|s| s.parse().map_err(|e| bad("name", e)))
        .collect()
}

impl SessionV1 {
    /// The sitting's gate window, from its day and times; errors name the field.
    pub fn gate_window(&self) -> Result<GateWindow, String> {
        let day = parse_day(&self.day)?;
        let t = &self.times;
        let starts = t
            .starts
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e| bad("starts", e))?;
        GateWindow {
            day,
            starts,
            opens_before_min: t
                .gate_opens_before_min
                .unwrap_or(sitting::DEFAULT_OPENS_BEFORE_MIN),
            closes_after_min: t
                .gate_closes_after_min
                .unwrap_or(sitting::DEFAULT_CLOSES_AFTER_MIN),
        }
        .checked()
        .map_err(|e| e.to_string())
    }

    /// The ledger's session.
    pub fn spec(&self) -> Result<SessionSpec, String> {
        self.gate_window()?;
        Ok(SessionSpec {
            id: self.session.parse().map_err(|e| bad("session", e))?,
            subject: self.subject.parse()?,
            day: parse_day(&self.day)?,
            capacity: self.capacity,
            examiners: names(&self.examiners)?,
            per_examiner: self.per_examiner,
            group_size: self.group_size,
            cars: names(&self.cars)?,
            routes: names(&self.routes)?,
            site_day_max: self.site_day_max,
            examiner_day_max: self.examiner_day_max,
            allocation: Allocation::FirstCome,
        })
    }
}

/// Parses an outcome name.
pub fn outcome_of(s: &str) -> Result<Outcome, String> {
    match s {
        "passed" => Ok(Outcome::Passed),
        "failed" => Ok(Outcome::Failed),
        "no_show" => Ok(Outcome::NoShow),
        _ => Err(format!(
            "outcome must be passed, failed or no_show, got {s:?}"
        )),
    }
}

/// The name of an outcome.
pub fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::NoShow => "no_show",
    }
}

impl BookingEvent {
    /// The event from a log record, if it is a booking or draw event.
    pub fn decode(kind: EventKind, p: &[u8]) -> Option<Result<BookingEvent, serde_json::Error>> {
        use serde_json::from_slice as de;
        Some(match kind {
            EventKind::BookingCandidateRegistered => de(p).map(BookingEvent::Registered),
            EventKind::BookingSessionOpened => de(p).map(BookingEvent::SessionOpened),
            EventKind::BookingBooked => de(p).map(BookingEvent::Booked),
            EventKind::BookingRefused => de(p).map(BookingEvent::Refused),
            EventKind::BookingCancelled => de(p).map(BookingEvent::Cancelled),
            EventKind::BookingRosterClosed => de(p).map(BookingEvent::RosterClosed),
            EventKind::BookingResult => de(p).map(BookingEvent::Result),
            EventKind::BookingCandidateLogin => de(p).map(BookingEvent::Login),
            EventKind::DrawCommitted => de(p).map(BookingEvent::Committed),
            EventKind::DrawAssigned => de(p).map(BookingEvent::Assigned),
            EventKind::DrawRevealed => de(p).map(BookingEvent::Revealed),
            EventKind::BookingLotteryOpened => de(p).map(BookingEvent::LotteryOpened),
            EventKind::BookingApplied => de(p).map(BookingEvent::Applied),
            EventKind::BookingAllocated => de(p).map(BookingEvent::Allocated),
            _ => return None,
        })
    }

    /// The ledger fact this event records, if any (refusals, logins and draw events have none).
    pub fn fact(&self) -> Option<Result<Fact, String>> {
        let cid = |s: &str| s.parse::<CandidateId>().map_err(|e| bad("candidate", e));
        let sid = |s: &str| s.parse::<SessionId>().map_err(|e| bad("session", e));
        Some(match self {
            BookingEvent::Registered(e) => (|| {
                Ok(Fact::CandidateRegistered {
                    id: cid(&e.candidate)?,
                    class: e.class.parse::<LicenceClass>()?,
                    adding_class: e.adding_class,
                })
            })(),
            BookingEvent::SessionOpened(e) => e.spec().map(Fact::SessionOpened),
            BookingEvent::Booked(e) => (|| {
                Ok(Fact::Booked {
                    candidate: cid(&e.candidate)?,
                    session: sid(&e.session)?,
                    made_on: parse_day(&e.made_on)?,
                })
            })(),
            BookingEvent::Cancelled(e) => (|| {
                Ok(Fact::Cancelled {
                    candidate: cid(&e.candidate)?,
                    session: sid(&e.session)?,
                    made_on: parse_day(&e.made_on)?,
                })
            })(),
            BookingEvent::RosterClosed(e) => {
                sid(&e.session).map(|session| Fact::RosterClosed { session })
            }
            BookingEvent::LotteryOpened(e) => e.session.spec().map(|spec| {
                Fact::SessionOpened(SessionSpec {
                    allocation: Allocation::Lottery {
                        commitment: e.commitment.clone(),
                    },
                    ..spec
                })
            }),
            BookingEvent::Applied(e) => (|| {
                Ok(Fact::Applied {
                    candidate: cid(&e.candidate)?,
                    session: sid(&e.session)?,
                    made_on: parse_day(&e.made_on)?,
                })
            })(),
            BookingEvent::Allocated(e) => (|| {
                Ok(Fact::Allocated {
                    session: sid(&e.session)?,
                    seed: Seed::from_hex(&e.seed).map_err(|e| bad("seed", e))?,
                })
            })(),
            BookingEvent::Result(e) => (|| {
                Ok(Fact::Result {
                    candidate: cid(&e.candidate)?,
                    session: sid(&e.session)?,
                    outcome: outcome_of(&e.outcome)?,
                })
            })(),
            BookingEvent::Refused(_)
            | BookingEvent::Login(_)
            | BookingEvent::Committed(_)
            | BookingEvent::Assigned(_)
            | BookingEvent::Revealed(_) => return None,
        })
    }

    /// The log entry for this event.
    pub fn draft(&self) -> Draft {
        let cand = |c: &str| SubjectRef::new(SubjectKind::Candidate, c);
        let sess = |s: &str| SubjectRef::new(SubjectKind::Session, s);
        let (kind, subjects, payload) = match self {
            BookingEvent::Registered(e) => (
                EventKind::BookingCandidateRegistered,
                vec![cand(&e.candidate)],
                serde_json::to_vec(e),
            ),
            BookingEvent::SessionOpened(e) => (
                EventKind::BookingSessionOpened,
                vec![sess(&e.session)],
                serde_json::to_vec(e),
            ),
            BookingEvent::Booked(e) => (
                EventKind::BookingBooked,
                vec![sess(&e.session), cand(&e.candidate)],
                serde_json::to_vec(e),
            ),
            BookingEvent::Cancelled(e) => (
                EventKind::BookingCancelled,
                vec![sess(&e.session), cand(&e.candidate)],
                serde_json::to_vec(e),
            ),
            BookingEvent::Refused(e) => (
                EventKind::BookingRefused,
                vec![sess(&e.session), cand(&e.candidate)],
                serde_json::to_vec(e),
            ),
            BookingEvent::RosterClosed(e) => (
                EventKind::BookingRosterClosed,
                vec![sess(&e.session)],
                serde_json::to_vec(e),
            ),
            BookingEvent::Result(e) => (
                EventKind::BookingResult,
                vec![sess(&e.session), cand(&e.candidate)],
                serde_json::to_vec(e),
            ),
            BookingEvent::Login(e) => (
                EventKind::BookingCandidateLogin,
                vec![cand(&e.candidate)],
                serde_json::to_vec(e),
            ),
            BookingEvent::Committed(e) => (
                EventKind::DrawCommitted,
                vec![sess(&e.session)],
                serde_json::to_vec(e),
            ),
            BookingEvent::Assigned(e) => (
                EventKind::DrawAssigned,
                vec![sess(&e.session)],
                serde_json::to_vec(e),
            ),
            BookingEvent::Revealed(e) => (
                EventKind::DrawRevealed,
                vec![sess(&e.session)],
                serde_json::to_vec(e),
            ),
            BookingEvent::LotteryOpened(e) => (
                EventKind::BookingLotteryOpened,
                vec![sess(&e.session.session)],
                serde_json::to_vec(e),
            ),
            BookingEvent::Applied(e) => (
                EventKind::BookingApplied,
                vec![sess(&e.session), cand(&e.candidate)],
                serde_json::to_vec(e),
            ),
            // Up to 255 subjects fit a record: the applicants are named in the payload.
            BookingEvent::Allocated(e) => (
                EventKind::BookingAllocated,
                vec![sess(&e.session)],
                serde_json::to_vec(e),
            ),
        };
        Draft {
            kind,
            subjects,
            payload: payload.expect("payloads serialize"),
        }
    }
}

/// The logged subject name of a subject.
pub fn subject_name(s: ExamSubject) -> &'static str {
    s.code()
}
