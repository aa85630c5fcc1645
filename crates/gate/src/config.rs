//! The interlock's configuration: doors and timeouts.

use crate::error::ConfigError;

/// How the interlock learns whether a door is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LockFeedback {
    /// No lock sensor: a door counts as locked when its contact reads closed **and** no release of it is
    /// active (no pulse running, no fire hold). This is the usual wiring (hardware.md §5.1).
    #[default]
    InferredFromContact,
    /// A lock-status input (bolt or magnetic bond sensor) reports the lock: a door counts as locked only when
    /// the contact reads closed, no release is active **and** the sensor reads locked.
    Sensor,
}

/// One door of the interlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DoorConfig {
    /// Where the lock state comes from.
    pub lock_feedback: LockFeedback,
}

/// The interlock's configuration. Times are milliseconds on the monotonic clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The doors of the group, in [`crate::DoorId`] order (index 0 is door A).
    pub doors: Vec<DoorConfig>,
    /// How long a release lasts: the module's timed pulse ("lock open duration", ZKTeco default 5 s).
    /// If the door is not opened within it, the grant expires and the door relocks.
    pub release_pulse_ms: u32,
    /// How long a door may stand open after a valid opening before the held-open alarm
    /// ("door sensor delay", e.g. 15 s).
    pub held_open_ms: u32,
    /// Relock as soon as the contact reports closed after an opening ("close and reverse lock"),
    /// instead of waiting for the pulse to end.
    pub relock_on_close: bool,
}

impl Config {
    /// Two doors (A and B) without lock sensors, 5 s pulse, 15 s held-open, relock on close.
    pub fn two_doors() -> Config {
        Config {
            doors: vec![DoorConfig::default(); 2],
            release_pulse_ms: 5_000,
            held_open_ms: 15_000,
            relock_on_close: true,
        }
    }

    /// Checks the configuration.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(2..=256).contains(&self.doors.len()) {
            return Err(ConfigError::DoorCount(self.doors.len()));
        }
        if self.release_pulse_ms == 0 {
            return Err(ConfigError::ZeroPulse);
        }
        if self.held_open_ms == 0 {
            return Err(ConfigError::ZeroHeldOpen);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_rejects_single_door_and_zero_times() {
        assert!(Config::two_doors().validate().is_ok());
        let mut c = Config::two_doors();
        c.doors.pop();
        assert_eq!(c.validate(), Err(ConfigError::DoorCount(1)));
        let c = Config {
            release_pulse_ms: 0,
            ..Config::two_doors()
        };
        assert_eq!(c.validate(), Err(ConfigError::ZeroPulse));
        let c = Config {
            held_open_ms: 0,
            ..Config::two_doors()
        };
        assert_eq!(c.validate(), Err(ConfigError::ZeroHeldOpen));
    }
}
