//! Link-level errors of the client. A module's refusal is not one of these: it is the inner
//! `Err(ConfirmationCode)` of `Result<Result<T, ConfirmationCode>, DriverError>`.

use std::time::Duration;

use crate::protocol::{ConfirmationCode, Instruction, ProtocolError};

/// The link failed, timed out or carried bytes that make no sense.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// Reading or writing the port failed, or it closed.
    #[error("serial link failed")]
    Transport(#[from] std::io::Error),
    /// The module sent a corrupt, foreign or unexpected packet.
    #[error("bad answer to {instruction:?}")]
    Protocol {
        /// The instruction being answered.
        instruction: Instruction,
        /// What was wrong.
        #[source]
        error: ProtocolError,
    },
    /// No (complete) answer came in time.
    #[error("no answer to {instruction:?} within {after:?}{}", if *.garbage > 0 { format!(" ({} stray bytes seen)", .garbage) } else { String::new() })]
    Timeout {
        /// The instruction being answered.
        instruction: Instruction,
        /// How long the client waited for one packet.
        after: Duration,
        /// Stray bytes skipped while waiting.
        garbage: usize,
    },
}

impl DriverError {
    /// Whether sending the command again may help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Protocol { .. } | Self::Timeout { .. })
    }
}

impl From<DriverError> for hw::SensorError {
    fn from(e: DriverError) -> Self {
        match e {
            DriverError::Transport(io) => hw::SensorError::Link(io),
            DriverError::Timeout { after, .. } => hw::SensorError::Timeout(after),
            p @ DriverError::Protocol { .. } => hw::SensorError::Garbage(Box::new(p)),
        }
    }
}

/// Flattens a client result into the seam's error type.
pub fn flatten<T>(
    r: Result<Result<T, ConfirmationCode>, DriverError>,
) -> Result<T, hw::SensorError> {
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(code)) => Err(hw::SensorError::Device(Box::new(code))),
        Err(e) => Err(e.into()),
    }
}
