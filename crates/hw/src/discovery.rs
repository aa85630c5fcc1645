//! Device selectors and the factory seam used for discovery.
//!
//! Selectors are the typed strings of the command line (`DESIGN.md` §3.7):
//! `r30x:<serial-path>[@baud]` and `usb:<vid>:<pid>[:<serial>]`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use async_trait::async_trait;

use crate::{FingerprintSensor, SensorError};

/// Which fingerprint device to open.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Selector {
    /// A Synochip AS608 / R30x module on a serial port.
    R30x {
        /// Serial device path (`/dev/ttyUSB0`, a pty link, ...).
        path: PathBuf,
        /// Baud rate; the module default (57600) when absent.
        baud: Option<u32>,
    },
    /// A USB image sensor.
    Usb {
        /// USB vendor id.
        vid: u16,
        /// USB product id.
        pid: u16,
        /// The device's serial-number string, to tell two equal devices apart.
        serial: Option<String>,
    },
}

/// A selector string that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// The part before the first `:` is not a known device kind.
    #[error("unknown device kind {0:?} (expected r30x or usb)")]
    UnknownKind(String),
    /// A field is missing or malformed.
    #[error("bad {field} in selector {selector:?}")]
    BadField {
        /// Which field.
        field: &'static str,
        /// The whole selector.
        selector: String,
    },
}

impl FromStr for Selector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |field| SelectorError::BadField {
            field,
            selector: s.to_owned(),
        };
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| SelectorError::UnknownKind(s.to_owned()))?;
        match kind {
            "r30x" => {
                let (path, baud) = match rest.rsplit_once('@') {
                    Some((p, b)) => (p, Some(b.parse::<u32>().map_err(|_| bad("baud"))?)),
                    None => (rest, None),
                };
                if path.is_empty() {
                    return Err(bad("path"));
                }
                Ok(Self::R30x {
                    path: PathBuf::from(path),
                    baud,
                })
            }
            "usb" => {
                let mut parts = rest.splitn(3, ':');
                let hex = |p: Option<&str>, field| {
                    p.filter(|p| p.len() == 4)
                        .and_then(|p| u16::from_str_radix(p, 16).ok())
                        .ok_or_else(|| bad(field))
                };
                let vid = hex(parts.next(), "vid")?;
                let pid = hex(parts.next(), "pid")?;
                let serial = parts.next().filter(|s| !s.is_empty()).map(str::to_owned);
                Ok(Self::Usb { vid, pid, serial })
            }
            other => Err(SelectorError::UnknownKind(other.to_owned())),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::R30x { path, baud } => {
                write!(f, "r30x:{}", path.display())?;
                if let Some(b) = baud {
                    write!(f, "@{b}")?;
                }
                Ok(())
            }
            Self::Usb { vid, pid, serial } => {
                write!(f, "usb:{vid:04x}:{pid:04x}")?;
                if let Some(s) = serial {
                    write!(f, ":{s}")?;
                }
                Ok(())
            }
        }
    }
}

/// A device found by discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// How to open it.
    pub selector: Selector,
    /// What the OS or the device says it is, for people.
    pub description: String,
}

/// Discovery and opening for one driver family (probe-rs `ProbeFactory` shape).
#[async_trait]
pub trait SensorFactory: Send + Sync {
    /// Short family name for logs (`"r30x"`).
    fn family(&self) -> &'static str;
    /// The devices of this family present now.
    async fn list(&self) -> Result<Vec<DeviceInfo>, SensorError>;
    /// Opens the device named by `selector`.
    async fn open(&self, selector: &Selector) -> Result<Box<dyn FingerprintSensor>, SensorError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_round_trip() {
        for s in [
            "r30x:/dev/ttyUSB0",
            "r30x:/dev/ttyS1@115200",
            "usb:298d:1010",
            "usb:147e:2016:ABC:1",
        ] {
            let sel: Selector = s.parse().unwrap();
            assert_eq!(sel.to_string(), s);
        }
        assert_eq!(
            "r30x:pty/fp@9600".parse::<Selector>().unwrap(),
            Selector::R30x {
                path: "pty/fp".into(),
                baud: Some(9600)
            }
        );
        assert_eq!(
            "usb:298d:1010".parse::<Selector>().unwrap(),
            Selector::Usb {
                vid: 0x298d,
                pid: 0x1010,
                serial: None
            }
        );
    }

    #[test]
    fn bad_selectors_name_the_field() {
        assert_eq!(
            "nmea:/dev/x".parse::<Selector>(),
            Err(SelectorError::UnknownKind("nmea".into()))
        );
        assert!(matches!(
            "r30x:/dev/x@fast".parse::<Selector>(),
            Err(SelectorError::BadField { field: "baud", .. })
        ));
        assert!(matches!(
            "r30x:".parse::<Selector>(),
            Err(SelectorError::BadField { field: "path", .. })
        ));
        assert!(matches!(
            "usb:29:1010".parse::<Selector>(),
            Err(SelectorError::BadField { field: "vid", .. })
        ));
        assert!(matches!(
            "usb:298d".parse::<Selector>(),
            Err(SelectorError::BadField { field: "pid", .. })
        ));
    }
}
