//! Errors, one enum per layer: the map (configuration) and the driver (the link to the module).

use gate::DoorId;
use tokio_modbus::ExceptionCode;

use crate::map::Signal;

/// The I/O map cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// Unit ids on a bus are 1..=247.
    #[error("unit id {0} is not in 1..=247")]
    UnitId(u8),
    /// The interlock needs 2 to 256 doors.
    #[error("the map needs 2 to 256 doors, got {0}")]
    DoorCount(usize),
    /// One discrete input is mapped to two signals.
    #[error("discrete input {input} is mapped twice: {first:?} and {second:?}")]
    InputTwice {
        /// The input address.
        input: u16,
        /// The first use.
        first: Signal,
        /// The second use.
        second: Signal,
    },
    /// One coil locks two doors.
    #[error("coil {coil} locks two doors: {first} and {second}")]
    CoilTwice {
        /// The coil address.
        coil: u16,
        /// The first door.
        first: DoorId,
        /// The second door.
        second: DoorId,
    },
    /// One pulse register times two doors.
    #[error("pulse register {register} serves two doors: {first} and {second}")]
    RegisterTwice {
        /// The register address.
        register: u16,
        /// The first door.
        first: DoorId,
        /// The second door.
        second: DoorId,
    },
    /// A module-timed pulse needs a unit above 0 ms.
    #[error("door {0}: the pulse timer's unit must be above 0 ms")]
    ZeroPulseUnit(DoorId),
    /// The inputs span more than one FC02 read (2000 inputs).
    #[error("the mapped inputs span {0} addresses; one read covers at most 2000")]
    InputSpan(u16),
}

impl From<hw::modbus::UnitIdError> for MapError {
    fn from(e: hw::modbus::UnitIdError) -> MapError {
        MapError::UnitId(e.0)
    }
}

/// One exchange with the module failed. "The module said no" ([`DriverError::Exception`]) is kept apart from
/// "the link failed" ([`DriverError::Transport`], [`DriverError::Timeout`], [`DriverError::Protocol`]).
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// No answer within the configured timeout (the module is silent, unpowered or the bus is cut).
    #[error("no answer within {0} ms")]
    Timeout(u64),
    /// The serial port or TCP connection failed.
    #[error("transport: {0}")]
    Transport(#[source] std::io::Error),
    /// An answer that does not belong to the request (other unit, other function code).
    #[error("protocol: {0}")]
    Protocol(#[source] tokio_modbus::ProtocolError),
    /// The module answered with a Modbus exception (e.g. illegal address: the map does not fit the module).
    #[error("the module refused: {0:?}")]
    Exception(ExceptionCode),
    /// The command names a door the map does not have.
    #[error("door {0} is not in the I/O map")]
    UnknownDoor(DoorId),
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
