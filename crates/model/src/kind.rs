//! The registry of event kinds and the subjects an event can be about.
//!
//! Codes are part of the audit record format: a code, once released, never changes meaning.
//! Ranges: 1–99 system and identity, 100–199 devices, 200–299 gate, 300–399 theory,
//! 400–499 driving, 500–599 booking and draw, 600–619 watch-list.

use std::fmt;

macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $name:literal;)*) => {
        /// What an event records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventKind {
            $($(#[$doc])* $variant,)*
            /// A kind this build does not know (a log written by a newer version).
            Other(u16),
        }

        impl EventKind {
            /// Every known kind.
            pub const KNOWN: &'static [EventKind] = &[$(EventKind::$variant),*];

            /// The stable wire code.
            pub fn code(self) -> u16 {
                match self {
                    $(EventKind::$variant => $code,)*
                    EventKind::Other(c) => c,
                }
            }

            /// The kind for a wire code; unknown codes become [`EventKind::Other`].
            pub fn from_code(code: u16) -> EventKind {
                match code {
                    $($code => EventKind::$variant,)*
                    c => EventKind::Other(c),
                }
            }

            /// The dotted name used in JSON and on screens, e.g. `system.started`.
            pub fn name(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $name,)*
                    EventKind::Other(_) => "other",
                }
            }

            /// The kind for a dotted name, if known.
            pub fn from_name(name: &str) -> Option<EventKind> {
                match name {
                    $($name => Some(EventKind::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

kinds! {
    /// The daemon started (config digest, version).
    SystemStarted = 1, "system.started";
    /// The daemon stopped cleanly.
    SystemStopped = 2, "system.stopped";
    /// A user or device account was created.
    UserCreated = 10, "user.created";
    /// A person logged in.
    UserLogin = 11, "user.login";
    /// A login was refused (wrong password, unknown user, disabled account).
    UserLoginRefused = 12, "user.login_refused";
    /// A person logged out.
    UserLogout = 13, "user.logout";
    /// A device token was issued or replaced.
    DeviceTokenIssued = 14, "device.token_issued";
    /// A free-form report from a terminal (heartbeat, operator note), appended through the API.
    DeviceReport = 100, "device.report";
    /// A configured device's link changed: connected (with model and resolution) or lost (with the error).
    DeviceStatus = 110, "device.status";
    /// A configured sensor captured an image (size, resolution, extractor quality and minutiae; never the image).
    DeviceCapture = 111, "device.capture";
    /// The gate service started (door module, roster size, threshold).
    GateStarted = 200, "gate.started";
    /// A finger scan at a gate door: who claimed, the 1:1 and best 1:N scores.
    GateScan = 201, "gate.scan";
    /// The entry policy's decision on a scan or an examiner override.
    GateDecision = 202, "gate.decision";
    /// An input from the door module (contact, button, fire, tamper, link).
    GateInput = 203, "gate.input";
    /// A relay command sent to the door module (release, relock, hold).
    GateCommand = 204, "gate.command";
    /// A release the interlock refused.
    GateDenied = 205, "gate.denied";
    /// A gate alarm began (stand-in, tailgating, forced or held open, passback, fire, link loss, tamper).
    GateAlarm = 206, "gate.alarm";
    /// A gate alarm condition ended.
    GateAlarmCleared = 207, "gate.alarm_cleared";
    /// An examiner acknowledged a gate alarm.
    GateAlarmAcknowledged = 208, "gate.alarm_ack";
    /// A passage, entry, admission, expiry or vestibule clearing at the gate.
    GateNotice = 209, "gate.notice";
    /// A candidate admitted through door B was given a Subject 1 seat.
    GateSeatAssigned = 210, "gate.seat_assigned";
    /// A sitting's roster was imported (candidates and encrypted templates).
    GateRosterImported = 211, "gate.roster_imported";
    /// A fingerprint template was enrolled (a candidate's or an examiner's).
    GateTemplateEnrolled = 212, "gate.template_enrolled";
    /// A sitting's roster was imported into the identity registry (entries, people, template hashes only).
    IdentityRosterImported = 230, "identity.roster_imported";
    /// A person's fingerprint templates were enrolled or replaced (template hashes only, never the templates).
    IdentityEnrolled = 231, "identity.enrolled";
    /// An examiner opened a theory sitting (exam, bank version, re-verification interval).
    TheorySittingOpened = 300, "theory.sitting_opened";
    /// A candidate was assigned a seat and a paper (seed) in a sitting.
    TheorySeatAssigned = 301, "theory.seat_assigned";
    /// A candidate proved their identity at their seat; their paper's clock started.
    TheoryCandidateLogin = 302, "theory.candidate_login";
    /// A question was shown to a candidate.
    TheoryQuestionShown = 303, "theory.question_shown";
    /// A candidate's answer became final (and was scored).
    TheoryAnswerGiven = 304, "theory.answer_given";
    /// A candidate's identity was re-verified during the paper (a pause, if any, ends).
    TheoryReverified = 305, "theory.reverified";
    /// An identity re-check failed: the paper is paused and the examiner alerted.
    TheoryReverifyFailed = 306, "theory.reverify_failed";
    /// A theory paper ended, with its score and verdict.
    TheoryResult = 307, "theory.result";
    /// A driving-exam input (course map, vehicle profile or rule catalogue), logged once by its SHA-256.
    DrivingInput = 400, "driving.input";
    /// A driving exam session started at a car: candidate, examiner, subject and the inputs' hashes.
    DrivingSessionStarted = 401, "driving.session_started";
    /// A chunk of a session's raw telemetry (v1 lines, in order), so the log alone replays the verdict.
    DrivingTelemetry = 402, "driving.telemetry";
    /// The judge saw the car enter an item (Subject 2 item or Subject 3 manoeuvre).
    DrivingItemStarted = 403, "driving.item_started";
    /// An item ended.
    DrivingItemEnded = 404, "driving.item_ended";
    /// A deduction, detected by the judge or entered by the examiner.
    DrivingDeduction = 405, "driving.deduction";
    /// A session ended: verdict, score and why it ended.
    DrivingResult = 406, "driving.result";
    /// Identity at the car: the candidate's finger (1:1, 1:N) and the examiner's finger.
    DrivingIdentity = 407, "driving.identity";
    /// A fingerprint did not match at a theory seat or when opening a sitting (score, threshold, attempt).
    TheoryFingerRefused = 308, "theory.finger_refused";
    /// A candidate's application was registered for booking (class, permit day; ID number masked in payload).
    BookingCandidateRegistered = 500, "booking.candidate_registered";
    /// An exam session was opened for booking (subject, day, capacity, examiners, cars, routes).
    BookingSessionOpened = 501, "booking.session_opened";
    /// A candidate booked a session.
    BookingBooked = 502, "booking.booked";
    /// A booking or cancellation was refused, with the rule that refused it.
    BookingRefused = 503, "booking.refused";
    /// A booking was cancelled.
    BookingCancelled = 504, "booking.cancelled";
    /// A session's roster was closed for the draw (the booked candidates, examiners, cars, routes).
    BookingRosterClosed = 505, "booking.roster_closed";
    /// An exam's outcome for a booking (passed, failed, no-show), and what it voided.
    BookingResult = 506, "booking.result";
    /// A candidate identified for booking (ID number and one-time code).
    BookingCandidateLogin = 507, "booking.candidate_login";
    /// A session opened for booking by lottery, with its seed's commitment (SHA-256).
    BookingLotteryOpened = 508, "booking.lottery_opened";
    /// A candidate applied for a lottery session.
    BookingApplied = 509, "booking.applied";
    /// A lottery session's window closed: the revealed seed, the places, every winner and loser.
    BookingAllocated = 510, "booking.allocated";
    /// A draw's seed commitment (SHA-256) was logged before the roster closed.
    DrawCommitted = 520, "draw.committed";
    /// The draw's assignments (groups, examiners, cars, routes) computed from the seed and roster.
    DrawAssigned = 521, "draw.assigned";
    /// The draw's seed was revealed after the sitting.
    DrawRevealed = 522, "draw.revealed";
    /// A person was put on the watch-list (reference, reason, who; the templates by SHA-256 only).
    WatchlistAdded = 600, "watchlist.added";
    /// A watch-list entry was removed (with the reason and who); the entry stays in the log.
    WatchlistRemoved = 601, "watchlist.removed";
    /// A finger matched a watch-list entry: at a gate door (entry refused) or at an enrolment.
    WatchlistHit = 602, "watchlist.hit";
    /// A newly enrolled applicant's finger matches a different enrolled person (recorded, flagged).
    IdentityDuplicateApplicant = 603, "identity.duplicate_applicant";
    /// A process photo during a Subject 2/3 drive (17C54): what triggered it, drive time and speed; the photo by SHA-256 only.
    DrivingPhoto = 408, "driving.photo";
    /// A photo of a theory candidate during the paper (seeded random times, one per third); the photo by SHA-256 only.
    TheoryPhoto = 309, "theory.photo";
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::Other(c) => write!(f, "other({c})"),
            k => f.write_str(k.name()),
        }
    }
}

/// What sort of thing an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SubjectKind {
    /// A login account (person or device), by user name.
    User,
    /// A candidate, by id-card number or roster id.
    Candidate,
    /// A device, by configured device id.
    Device,
    /// A theory sitting or driving session.
    Session,
    /// A subject kind this build does not know.
    Other(u8),
}

impl SubjectKind {
    /// The stable wire code.
    pub fn code(self) -> u8 {
        match self {
            SubjectKind::User => 1,
            SubjectKind::Candidate => 2,
            SubjectKind::Device => 3,
            SubjectKind::Session => 4,
            SubjectKind::Other(c) => c,
        }
    }

    /// The kind for a wire code.
    pub fn from_code(code: u8) -> SubjectKind {
        match code {
            1 => SubjectKind::User,
            2 => SubjectKind::Candidate,
            3 => SubjectKind::Device,
            4 => SubjectKind::Session,
            c => SubjectKind::Other(c),
        }
    }

    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            SubjectKind::User => "user",
            SubjectKind::Candidate => "candidate",
            SubjectKind::Device => "device",
            SubjectKind::Session => "session",
            SubjectKind::Other(_) => "other",
        }
    }
}

/// One thing an event is about: a kind and an id. Events can name several.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubjectRef {
    /// What sort of thing.
    pub kind: SubjectKind,
    /// Its id (at most 255 bytes of UTF-8 on the wire).
    pub id: String,
}

impl SubjectRef {
    /// A subject of the given kind.
    pub fn new(kind: SubjectKind, id: impl Into<String>) -> Self {
        SubjectRef {
            kind,
            id: id.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_round_trip() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for &k in EventKind::KNOWN {
            assert!(codes.insert(k.code()), "duplicate code {}", k.code());
            assert!(names.insert(k.name()), "duplicate name {}", k.name());
            assert_eq!(EventKind::from_code(k.code()), k);
            assert_eq!(EventKind::from_name(k.name()), Some(k));
        }
        assert_eq!(EventKind::from_code(65000), EventKind::Other(65000));
    }

    #[test]
    fn subject_kinds_round_trip() {
        for c in 0..=255u8 {
            assert_eq!(SubjectKind::from_code(c).code(), c);
        }
    }
}
