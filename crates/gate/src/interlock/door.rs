//! One door's readings and phase.

use crate::config::{DoorConfig, LockFeedback};
use crate::ids::MonoMs;
use crate::io::Grant;

/// What a two-state input last read, if anything since the link came up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// Not read since start or since the link came back.
    Unknown,
    /// Read as on (contact closed, lock locked).
    On,
    /// Read as off (contact open, lock unlocked).
    Off,
}

impl Reading {
    pub(crate) fn from_bool(on: bool) -> Reading {
        if on { Reading::On } else { Reading::Off }
    }
}

/// Where a door is in its release cycle. Readings are kept apart: the phase says what the gate *allowed*.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// No release: the door must be closed and locked.
    Secure,
    /// A release is active and the door is closed (not opened yet, or closed again with the pulse still running).
    Released {
        /// Why.
        grant: Grant,
        /// When the pulse ends.
        until: MonoMs,
        /// Openings so far on this grant.
        cycles: u8,
    },
    /// The door is open after a valid release (or was open when a fire override was reset).
    Passage {
        /// Why; `None` after a fire reset.
        grant: Option<Grant>,
        /// When it opened (or when the override was reset).
        opened_at: MonoMs,
        /// When the still-running release ends, if it still runs.
        release_until: Option<MonoMs>,
        /// Openings so far on this grant, this one included.
        cycles: u8,
        /// The held-open alarm is raised.
        held: bool,
    },
    /// Relocked on close while the grant's pulse window has not ended: reopening now is a second passage on the
    /// same grant (a tailgating sign), not a forced door.
    Relocked {
        /// The grant.
        grant: Grant,
        /// When the original pulse would have ended.
        window_until: MonoMs,
        /// Openings so far on this grant.
        cycles: u8,
    },
    /// The door opened with no release active; the forced-open alarm is raised.
    Forced,
    /// Fire override: held released.
    FireHeld,
}

/// A door as the gate sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Door {
    pub(crate) cfg: DoorConfig,
    pub(crate) contact: Reading,
    pub(crate) lock: Reading,
    pub(crate) phase: Phase,
}

impl Door {
    pub(crate) fn new(cfg: DoorConfig) -> Door {
        Door {
            cfg,
            contact: Reading::Unknown,
            lock: Reading::Unknown,
            phase: Phase::Secure,
        }
    }

    /// The lock may be open because of us: a pulse runs or the fire hold is on.
    pub(crate) fn release_active(&self) -> bool {
        match self.phase {
            Phase::Released { .. } | Phase::FireHeld => true,
            Phase::Passage { release_until, .. } => release_until.is_some(),
            Phase::Secure | Phase::Relocked { .. } | Phase::Forced => false,
        }
    }

    /// Every input this door has is known.
    pub(crate) fn known(&self) -> bool {
        self.contact != Reading::Unknown
            && (self.cfg.lock_feedback == LockFeedback::InferredFromContact
                || self.lock != Reading::Unknown)
    }

    /// The lock sensor (if fitted) reads unlocked.
    pub(crate) fn sensor_unlocked(&self) -> bool {
        self.cfg.lock_feedback == LockFeedback::Sensor && self.lock == Reading::Off
    }
}

/// A door's state, as shown to staff and used by tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DoorState {
    /// The contact (or the lock sensor) has not been read since start or since the I/O module came back.
    Unknown,
    /// Closed by contact and locked (by sensor, or inferred: no release active).
    ClosedLocked,
    /// Closed, but a release is active or the lock sensor reads unlocked.
    ClosedUnlocked,
    /// Open after a valid release, within the held-open threshold.
    Open,
    /// Open after a valid release for longer than the held-open threshold.
    HeldOpen,
    /// Opened with no release active.
    ForcedOpen,
    /// Held released by the fire override (open or closed).
    FireReleased,
}

impl Door {
    pub(crate) fn state(&self) -> DoorState {
        match self.phase {
            Phase::FireHeld => DoorState::FireReleased,
            _ if !self.known() => DoorState::Unknown,
            Phase::Forced => DoorState::ForcedOpen,
            Phase::Passage { held: true, .. } => DoorState::HeldOpen,
            Phase::Passage { held: false, .. } => DoorState::Open,
            _ if self.release_active() || self.sensor_unlocked() => DoorState::ClosedUnlocked,
            _ => DoorState::ClosedLocked,
        }
    }
}
