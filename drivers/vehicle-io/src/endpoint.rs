//! Where the collector is: the `modbus-rtu:` / `modbus-tcp:` selectors of DESIGN.md §3.7, and opening a
//! tokio-modbus client on them.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use tokio_modbus::Slave;
use tokio_modbus::client::Context;

use crate::map::UnitId;

/// `modbus-rtu:<serial-path>[@baud]/<unit>` (8N1, 9600 baud by default) or `modbus-tcp:<host:port>/<unit>`.
///
/// ```
/// use vehicle_io::Endpoint;
/// let e: Endpoint = "modbus-rtu:/dev/ttyUSB2@19200/4".parse().unwrap();
/// assert_eq!(e.to_string(), "modbus-rtu:/dev/ttyUSB2@19200/4");
/// assert_eq!(e.unit().get(), 4);
/// assert!("modbus-rtu:/dev/ttyUSB2".parse::<Endpoint>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Modbus RTU on a serial port.
    Rtu {
        /// The serial device.
        path: PathBuf,
        /// Bits per second.
        baud: u32,
        /// The collector's unit id.
        unit: UnitId,
    },
    /// Modbus TCP (a gateway or a TCP collector).
    Tcp {
        /// `host:port`.
        addr: String,
        /// The unit id behind the gateway.
        unit: UnitId,
    },
}

/// A selector that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Neither `modbus-rtu:` nor `modbus-tcp:`.
    #[error("expected modbus-rtu:<path>[@baud]/<unit> or modbus-tcp:<host:port>/<unit>, got {0:?}")]
    Scheme(String),
    /// The `/<unit>` suffix is missing or not 1..=247.
    #[error("bad unit id in {0:?}: expected /1 to /247")]
    Unit(String),
    /// The baud rate is not a number above 0.
    #[error("bad baud rate in {0:?}")]
    Baud(String),
    /// Empty path or address.
    #[error("empty device in {0:?}")]
    Empty(String),
}

const DEFAULT_BAUD: u32 = 9600;

impl FromStr for Endpoint {
    type Err = EndpointError;

    fn from_str(s: &str) -> Result<Endpoint, EndpointError> {
        let (scheme, rest) = s
            .split_once(':')
            .ok_or_else(|| EndpointError::Scheme(s.into()))?;
        if scheme != "modbus-rtu" && scheme != "modbus-tcp" {
            return Err(EndpointError::Scheme(s.into()));
        }
        let (dev, unit) = rest
            .rsplit_once('/')
            .ok_or_else(|| EndpointError::Unit(s.into()))?;
        let unit = unit
            .parse::<u8>()
            .ok()
            .and_then(|u| UnitId::new(u).ok())
            .ok_or_else(|| EndpointError::Unit(s.into()))?;
        if scheme == "modbus-tcp" {
            if dev.is_empty() {
                return Err(EndpointError::Empty(s.into()));
            }
            return Ok(Endpoint::Tcp {
                addr: dev.into(),
                unit,
            });
        }
        let (path, baud) = match dev.rsplit_once('@') {
            Some((p, b)) => (
                p,
                b.parse::<u32>()
                    .ok()
                    .filter(|b| *b > 0)
                    .ok_or_else(|| EndpointError::Baud(s.into()))?,
            ),
            None => (dev, DEFAULT_BAUD),
        };
        if path.is_empty() {
            return Err(EndpointError::Empty(s.into()));
        }
        Ok(Endpoint::Rtu {
            path: path.into(),
            baud,
            unit,
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Rtu { path, baud, unit } => {
                write!(f, "modbus-rtu:{}", path.display())?;
                if *baud != DEFAULT_BAUD {
                    write!(f, "@{baud}")?;
                }
                write!(f, "/{}", unit.get())
            }
            Endpoint::Tcp { addr, unit } => write!(f, "modbus-tcp:{addr}/{}", unit.get()),
        }
    }
}

impl Endpoint {
    /// The unit id.
    pub fn unit(&self) -> UnitId {
        match self {
            Endpoint::Rtu { unit, .. } | Endpoint::Tcp { unit, .. } => *unit,
        }
    }

    /// Opens the port (8N1) or connects, and attaches a client addressed to the unit.
    pub async fn connect(&self) -> std::io::Result<Context> {
        match self {
            Endpoint::Rtu { path, baud, unit } => {
                let builder = tokio_serial::new(path.to_string_lossy(), *baud)
                    .data_bits(tokio_serial::DataBits::Eight)
                    .parity(tokio_serial::Parity::None)
                    .stop_bits(tokio_serial::StopBits::One);
                let port = tokio_serial::SerialStream::open(&builder)?;
                Ok(tokio_modbus::client::rtu::attach_slave(
                    port,
                    Slave(unit.get()),
                ))
            }
            Endpoint::Tcp { addr, unit } => {
                let stream = tokio::net::TcpStream::connect(addr.as_str()).await?;
                stream.set_nodelay(true)?;
                Ok(tokio_modbus::client::tcp::attach_slave(
                    stream,
                    Slave(unit.get()),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_round_trip_and_reject_bad_input() {
        for s in [
            "modbus-rtu:/dev/ttyUSB0/1",
            "modbus-rtu:/dev/ttyS1@115200/247",
            "modbus-tcp:127.0.0.1:1502/2",
        ] {
            assert_eq!(s.parse::<Endpoint>().unwrap().to_string(), s);
        }
        for (s, ok) in [
            ("modbus-rtu:/dev/x@fast/1", false),
            ("modbus-rtu:/dev/x/0", false),
            ("modbus-rtu:/dev/x/248", false),
            ("modbus-tcp:/3", false),
            ("nmea:/dev/x/1", false),
            ("modbus-rtu:@9600/1", false),
            ("modbus-tcp:[::1]:502/9", true),
        ] {
            assert_eq!(s.parse::<Endpoint>().is_ok(), ok, "{s}");
        }
    }
}
