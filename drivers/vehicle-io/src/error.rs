//! The driver's errors: "the collector said no" ([`DriverError::Exception`]) is kept apart from "the link
//! failed" ([`DriverError::Timeout`], [`DriverError::Transport`], [`DriverError::Protocol`]) and from "the
//! reading makes no sense" ([`DriverError::Decode`]).

use tokio_modbus::ExceptionCode;

use crate::map::DecodeError;

/// One poll failed.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// No answer within the timeout: the collector is silent, unpowered or the bus is cut.
    #[error("the collector did not answer within {0} ms")]
    Timeout(u64),
    /// The serial port or TCP connection failed.
    #[error("transport: {0}")]
    Transport(#[source] std::io::Error),
    /// An answer that does not belong to the request.
    #[error("protocol: {0}")]
    Protocol(#[source] tokio_modbus::ProtocolError),
    /// The collector answered with a Modbus exception (e.g. illegal address: the map does not fit it).
    #[error("the collector refused: {0:?}")]
    Exception(ExceptionCode),
    /// The values read are not a valid reading.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

impl DriverError {
    /// Flattens tokio-modbus' two-layer result, keeping the layers apart.
    pub(crate) fn flatten<T>(r: tokio_modbus::Result<T>) -> Result<T, DriverError> {
        match r {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(code)) => Err(DriverError::Exception(code)),
            Err(tokio_modbus::Error::Transport(e)) => Err(DriverError::Transport(e)),
            Err(tokio_modbus::Error::Protocol(e)) => Err(DriverError::Protocol(e)),
        }
    }
}
