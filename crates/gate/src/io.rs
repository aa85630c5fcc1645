//! What goes into the state machines and what comes out.
//!
//! Inputs are observations (contacts, buttons, the fire input, the link to the I/O module) and the passing of time.
//! Outputs are relay commands for the driver, alarms and notices for the event log, and refusals.

use crate::ids::{CandidateId, DoorId, ExaminerId, GrantId};

/// Which side of a door a button or a person is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// Inside the vestibule (between the doors).
    Vestibule,
    /// Away from the vestibule: the waiting area for door A, the exam hall for door B.
    Outer,
}

/// Why a door was released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grant {
    /// A credential decision (a verified scan): the caller's grant id.
    Credential(GrantId),
    /// The door's exit button (request-to-exit) on the given side.
    ExitButton(Side),
}

/// An observation or a tick, given to [`crate::Interlock::handle`] with the current monotonic time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The door contact changed or was read: `closed` as debounced and corrected for NO/NC wiring by the driver.
    Contact {
        /// The door.
        door: DoorId,
        /// `true` when the door is closed.
        closed: bool,
    },
    /// The lock-status sensor of a door with [`crate::LockFeedback::Sensor`] changed or was read.
    Lock {
        /// The door.
        door: DoorId,
        /// `true` when the lock reports locked.
        locked: bool,
    },
    /// An exit button (request-to-exit) was pressed. It asks to release its own door and obeys the interlock.
    ExitButton {
        /// The door.
        door: DoorId,
        /// The side the button is on.
        side: Side,
    },
    /// The fire-alarm input changed.
    Fire {
        /// `true` while the fire alarm is active.
        active: bool,
    },
    /// A tamper switch (reader or enclosure) tripped.
    Tamper {
        /// The door whose reader or lock was tampered with.
        door: DoorId,
    },
    /// The I/O module stopped answering: every input is now unknown.
    CommsLost,
    /// The I/O module answers again. Inputs stay unknown until they are read again.
    CommsRestored,
    /// Time passed; nothing else happened.
    Tick,
    /// An examiner (verified by the caller with their own finger) reset the fire override.
    ExaminerReset,
}

impl Input {
    /// The door the input is about, if any.
    pub fn door(&self) -> Option<DoorId> {
        match *self {
            Input::Contact { door, .. }
            | Input::Lock { door, .. }
            | Input::ExitButton { door, .. }
            | Input::Tamper { door } => Some(door),
            _ => None,
        }
    }
}

/// A relay command for the I/O driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// Release the lock for `pulse_ms`, as a pulse timed by the module itself where it can
    /// (e.g. a Waveshare flash-on coil), so a crashed daemon cannot leave the door released.
    Release {
        /// The door.
        door: DoorId,
        /// The pulse length.
        pulse_ms: u32,
    },
    /// Lock now (end any running pulse). Idempotent; also sent to re-assert the safe state.
    Relock {
        /// The door.
        door: DoorId,
    },
    /// Fire override: release and hold released, with no pulse, until a [`Command::Relock`].
    HoldReleased {
        /// The door.
        door: DoorId,
    },
}

/// A sign that more than one person passed on one authorisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TailgatingSign {
    /// The door opened a second time on one grant.
    DoorCycledTwice {
        /// The grant that was used twice.
        grant: Grant,
    },
    /// A scan at the entry door while the vestibule is occupied or already granted to someone else.
    ScanWhileOccupied {
        /// Who scanned.
        candidate: CandidateId,
    },
}

/// A condition the staff must see. Conditions (held open, forced open, fire, comms) are later cleared with
/// [`Output::AlarmCleared`]; signs (tailgating, passback, tamper) are one-shot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Alarm {
    /// A validly opened door stood open longer than the held-open threshold.
    HeldOpen {
        /// The door.
        door: DoorId,
    },
    /// A door opened with no release active (or was found open while it should be locked).
    ForcedOpen {
        /// The door.
        door: DoorId,
    },
    /// More than one person may have passed on one authorisation.
    Tailgating {
        /// The door.
        door: DoorId,
        /// What gave it away.
        sign: TailgatingSign,
    },
    /// Anti-passback: an entry by someone already inside, or an exit by someone who did not enter.
    Passback {
        /// The door.
        door: DoorId,
        /// Who tried.
        candidate: CandidateId,
    },
    /// The fire input overrides the interlock: every door is held released.
    FireOverride,
    /// The I/O module does not answer: door states are unknown and no door is released.
    CommsLost,
    /// A tamper switch tripped.
    Tamper {
        /// The door.
        door: DoorId,
    },
}

/// Why a release was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DenyReason {
    /// The fire override holds every door released already.
    FireOverride,
    /// The I/O module does not answer.
    CommsLost,
    /// The contact (or lock sensor) of this door is not known yet.
    StateUnknown {
        /// The door whose state is unknown.
        door: DoorId,
    },
    /// The requested door is open.
    DoorOpen,
    /// The requested door is released already.
    AlreadyReleased,
    /// Another door of the group is open by its contact.
    OtherDoorOpen {
        /// That door.
        door: DoorId,
    },
    /// Another door of the group has a release active (even if still closed).
    OtherDoorReleased {
        /// That door.
        door: DoorId,
    },
    /// Another door's lock sensor reports unlocked.
    OtherDoorUnlocked {
        /// That door.
        door: DoorId,
    },
    /// Anti-passback: already inside (entry) or never entered (exit).
    Passback,
    /// Someone else is in the vestibule or holds a grant for it.
    VestibuleOccupied,
    /// This candidate already holds a grant for this door that is not used yet.
    AlreadyGranted,
}

/// Who may be in the vestibule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Occupant {
    /// A candidate who entered by door A on a verified scan.
    Candidate(CandidateId),
    /// Someone the gate could not identify: a second passage on one grant, a forced door, an exit-button
    /// entry from the hall, or a fire override. Only an examiner can clear this.
    Unidentified,
}

/// Why an examiner reset was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResetRefusal {
    /// There is no fire override to reset.
    NoOverride,
    /// The fire input is still active.
    FireInputActive,
}

/// Something that happened and belongs in the log, but needs nobody's attention.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Notice {
    /// A door opened and closed again under a grant; `cycle` counts openings on that grant (1 = normal).
    Passed {
        /// The door.
        door: DoorId,
        /// The grant.
        grant: Grant,
        /// The how-manyth opening on this grant.
        cycle: u8,
    },
    /// A release ended without the door being opened.
    GrantExpired {
        /// The door.
        door: DoorId,
        /// The grant.
        grant: Grant,
    },
    /// The fire input cleared; doors stay released until an examiner reset.
    FireInputCleared,
    /// The fire override was reset; the interlock is back in force.
    FireReset,
    /// An examiner reset was refused.
    ResetRefused {
        /// Why.
        reason: ResetRefusal,
    },
    /// A candidate entered the vestibule by door A.
    Entered {
        /// Who.
        candidate: CandidateId,
    },
    /// A candidate left the vestibule by door B after the same-person check: admitted.
    Admitted {
        /// Who.
        candidate: CandidateId,
    },
    /// A candidate left the vestibule back through door A (exit button).
    BackedOut {
        /// Who.
        candidate: CandidateId,
    },
    /// An examiner cleared the vestibule's occupancy record.
    VestibuleCleared {
        /// The examiner (verified by the caller with their own finger).
        examiner: ExaminerId,
        /// Who was recorded inside.
        removed: Vec<Occupant>,
    },
}

/// One result of handling an input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Output {
    /// A relay command for the driver.
    Command(Command),
    /// An alarm condition began or a sign was seen.
    Alarm(Alarm),
    /// An alarm condition ended.
    AlarmCleared(Alarm),
    /// A release was refused.
    Denied {
        /// The door asked for.
        door: DoorId,
        /// What asked.
        grant: Grant,
        /// Why not.
        reason: DenyReason,
    },
    /// Something to log.
    Notice(Notice),
}
