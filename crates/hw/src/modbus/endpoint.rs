//! Where a Modbus device is: the `modbus-rtu:` / `modbus-tcp:` selectors of DESIGN.md §3.7 (next to
//! [`Selector`](crate::Selector)), its unit id, and opening a tokio-modbus client on them.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use tokio_modbus::Slave;
use tokio_modbus::client::Context;

/// A Modbus unit (slave) id on the bus: 1..=247 (0 is broadcast and never answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct UnitId(u8);

/// A unit id outside 1..=247.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unit id {0} is not in 1..=247")]
pub struct UnitIdError(pub u8);

impl UnitId {
    /// A unit id, if it is in 1..=247.
    pub fn new(id: u8) -> Result<UnitId, UnitIdError> {
        if (1..=247).contains(&id) {
            Ok(UnitId(id))
        } else {
            Err(UnitIdError(id))
        }
    }

    /// The id on the wire.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for UnitId {
    type Error = UnitIdError;
    fn try_from(id: u8) -> Result<Self, UnitIdError> {
        UnitId::new(id)
    }
}

impl From<UnitId> for u8 {
    fn from(u: UnitId) -> u8 {
        u.0
    }
}

impl Default for UnitId {
    /// Unit 1, the factory default of the usual modules.
    fn default() -> Self {
        UnitId(1)
    }
}

/// A device's address: `modbus-rtu:<serial-path>[@baud]/<unit>` (8N1, 9600 baud by default) or
/// `modbus-tcp:<host:port>/<unit>`. The Modbus drivers re-export it as their `Endpoint`.
///
/// ```
/// use hw::modbus::ModbusEndpoint;
/// let e: ModbusEndpoint = "modbus-rtu:/dev/ttyUSB0@19200/3".parse().unwrap();
/// assert_eq!(e.to_string(), "modbus-rtu:/dev/ttyUSB0@19200/3");
/// let e: ModbusEndpoint = "modbus-rtu:/dev/ttyUSB0/1".parse().unwrap();
/// assert!(matches!(e, ModbusEndpoint::Rtu { baud: 9600, .. }));
/// assert_eq!(e.unit().get(), 1);
/// assert!("modbus-tcp:gw.local:502/0".parse::<ModbusEndpoint>().is_err());
/// ```
/// In configuration files it is the same string (serde deserialises it with [`FromStr`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum ModbusEndpoint {
    /// Modbus RTU on a serial port, 8N1.
    Rtu {
        /// The serial device.
        path: PathBuf,
        /// Bits per second (default 9600).
        baud: u32,
        /// The device's unit id.
        unit: UnitId,
    },
    /// Modbus TCP (an RS-485 gateway or a TCP device).
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

impl FromStr for ModbusEndpoint {
    type Err = EndpointError;

    fn from_str(s: &str) -> Result<Self, EndpointError> {
        let (scheme, rest) = s
            .split_once(':')
            .ok_or_else(|| EndpointError::Scheme(s.into()))?;
        let (dev, unit) = rest
            .rsplit_once('/')
            .ok_or_else(|| EndpointError::Unit(s.into()))?;
        let unit = unit
            .parse::<u8>()
            .ok()
            .and_then(|u| UnitId::new(u).ok())
            .ok_or_else(|| EndpointError::Unit(s.into()))?;
        if dev.is_empty() {
            return Err(EndpointError::Empty(s.into()));
        }
        match scheme {
            "modbus-rtu" => {
                let (path, baud) = match dev.rsplit_once('@') {
                    Some((p, b)) => {
                        let baud = b.parse::<u32>().ok().filter(|b| *b > 0);
                        (p, baud.ok_or_else(|| EndpointError::Baud(s.into()))?)
                    }
                    None => (dev, 9600),
                };
                if path.is_empty() {
                    return Err(EndpointError::Empty(s.into()));
                }
                Ok(ModbusEndpoint::Rtu {
                    path: path.into(),
                    baud,
                    unit,
                })
            }
            "modbus-tcp" => Ok(ModbusEndpoint::Tcp {
                addr: dev.into(),
                unit,
            }),
            _ => Err(EndpointError::Scheme(s.into())),
        }
    }
}

impl TryFrom<String> for ModbusEndpoint {
    type Error = EndpointError;
    fn try_from(s: String) -> Result<Self, EndpointError> {
        s.parse()
    }
}

impl fmt::Display for ModbusEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModbusEndpoint::Rtu { path, baud, unit } => {
                write!(f, "modbus-rtu:{}", path.display())?;
                if *baud != 9600 {
                    write!(f, "@{baud}")?;
                }
                write!(f, "/{}", unit.get())
            }
            ModbusEndpoint::Tcp { addr, unit } => write!(f, "modbus-tcp:{addr}/{}", unit.get()),
        }
    }
}

impl ModbusEndpoint {
    /// The unit id.
    pub fn unit(&self) -> UnitId {
        match self {
            ModbusEndpoint::Rtu { unit, .. } | ModbusEndpoint::Tcp { unit, .. } => *unit,
        }
    }

    /// Opens the serial port (8N1) or connects to the gateway, and attaches a client addressed to the unit.
    pub async fn connect(&self) -> std::io::Result<Context> {
        match self {
            ModbusEndpoint::Rtu { path, baud, unit } => {
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
            ModbusEndpoint::Tcp { addr, unit } => {
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
    fn endpoints_load_from_config_text() {
        #[derive(serde::Deserialize)]
        struct Cfg {
            door: ModbusEndpoint,
        }
        let c: Cfg = toml::from_str(r#"door = "modbus-rtu:/dev/ttyUSB0@19200/3""#).unwrap();
        assert_eq!(c.door.unit().get(), 3);
        assert!(toml::from_str::<Cfg>(r#"door = "modbus-rtu:/dev/ttyUSB0""#).is_err());
    }

    #[test]
    fn selectors_round_trip_and_reject_bad_input() {
        for s in [
            "modbus-rtu:/dev/ttyUSB0/1",
            "modbus-rtu:/dev/ttyS1@115200/247",
            "modbus-tcp:10.0.0.5:502/2",
        ] {
            assert_eq!(s.parse::<ModbusEndpoint>().unwrap().to_string(), s);
        }
        let tcp: ModbusEndpoint = "modbus-tcp:[::1]:1502/9".parse().unwrap();
        assert_eq!(
            tcp,
            ModbusEndpoint::Tcp {
                addr: "[::1]:1502".into(),
                unit: UnitId::new(9).unwrap()
            }
        );
        assert!(matches!(
            "modbus-rtu:/dev/x@fast/1".parse::<ModbusEndpoint>(),
            Err(EndpointError::Baud(_))
        ));
        assert!(matches!(
            "modbus-rtu:/dev/x@0/1".parse::<ModbusEndpoint>(),
            Err(EndpointError::Baud(_))
        ));
        assert!(matches!(
            "modbus-rtu:/dev/x".parse::<ModbusEndpoint>(),
            Err(EndpointError::Unit(_))
        ));
        assert!(matches!(
            "modbus-rtu:/dev/x/248".parse::<ModbusEndpoint>(),
            Err(EndpointError::Unit(_))
        ));
        assert!(matches!(
            "r30x:/dev/x/1".parse::<ModbusEndpoint>(),
            Err(EndpointError::Scheme(_))
        ));
        assert!(matches!(
            "modbus-rtu:@9600/1".parse::<ModbusEndpoint>(),
            Err(EndpointError::Empty(_))
        ));
        assert!(matches!(
            "modbus-tcp:/3".parse::<ModbusEndpoint>(),
            Err(EndpointError::Empty(_))
        ));
    }

    #[test]
    fn unit_ids_are_1_to_247_in_code_and_config() {
        assert!(UnitId::new(0).is_err());
        assert!(UnitId::new(248).is_err());
        assert_eq!(UnitId::new(247).map(u8::from), Ok(247));
        assert_eq!(UnitId::default().get(), 1);
        assert!(serde_json::from_str::<UnitId>("0").is_err());
        assert_eq!(serde_json::from_str::<UnitId>("247").unwrap().get(), 247);
        assert_eq!(
            serde_json::to_string(&UnitId::new(9).unwrap()).unwrap(),
            "9"
        );
    }
}
