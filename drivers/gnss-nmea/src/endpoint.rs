//! The `nmea:<serial-path>[@baud]` device selector (DESIGN.md §3.7) and opening it.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use tokio_serial::SerialStream;

use crate::reader::NmeaReader;

/// Where the receiver is: `nmea:<serial-path>[@baud]`, 8N1. The baud rate defaults to 115200, what RTK
/// receivers use for 10 Hz output (4800, the NMEA 0183 rate, is too slow for four sentences at 10 Hz).
///
/// ```
/// use gnss_nmea::NmeaEndpoint;
/// let e: NmeaEndpoint = "nmea:/dev/ttyUSB1@38400".parse().unwrap();
/// assert_eq!(e.baud, 38400);
/// assert_eq!("nmea:/dev/ttyACM0".parse::<NmeaEndpoint>().unwrap().baud, 115_200);
/// assert!("r30x:/dev/ttyUSB1".parse::<NmeaEndpoint>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NmeaEndpoint {
    /// The serial device.
    pub path: PathBuf,
    /// Bits per second.
    pub baud: u32,
}

/// The default baud rate.
pub const DEFAULT_BAUD: u32 = 115_200;

/// A selector that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Not `nmea:`.
    #[error("expected nmea:<serial-path>[@baud], got {0:?}")]
    Scheme(String),
    /// The baud rate is not a number above 0.
    #[error("bad baud rate in {0:?}")]
    Baud(String),
    /// No path.
    #[error("empty serial path in {0:?}")]
    Empty(String),
}

impl FromStr for NmeaEndpoint {
    type Err = EndpointError;

    fn from_str(s: &str) -> Result<NmeaEndpoint, EndpointError> {
        let rest = s
            .strip_prefix("nmea:")
            .ok_or_else(|| EndpointError::Scheme(s.into()))?;
        let (path, baud) = match rest.rsplit_once('@') {
            Some((p, b)) => (
                p,
                b.parse::<u32>()
                    .ok()
                    .filter(|b| *b > 0)
                    .ok_or_else(|| EndpointError::Baud(s.into()))?,
            ),
            None => (rest, DEFAULT_BAUD),
        };
        if path.is_empty() {
            return Err(EndpointError::Empty(s.into()));
        }
        Ok(NmeaEndpoint {
            path: path.into(),
            baud,
        })
    }
}

impl fmt::Display for NmeaEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "nmea:{}", self.path.display())?;
        if self.baud != DEFAULT_BAUD {
            write!(f, "@{}", self.baud)?;
        }
        Ok(())
    }
}

impl NmeaEndpoint {
    /// Opens the port (8N1) and wraps it in a reader.
    pub fn open(&self) -> std::io::Result<NmeaReader<SerialStream>> {
        let builder = tokio_serial::new(self.path.to_string_lossy(), self.baud)
            .data_bits(tokio_serial::DataBits::Eight)
            .parity(tokio_serial::Parity::None)
            .stop_bits(tokio_serial::StopBits::One);
        let port = SerialStream::open(&builder)?;
        Ok(NmeaReader::new(port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_round_trip_and_reject_bad_input() {
        for s in ["nmea:/dev/ttyUSB0", "nmea:/dev/ttyS1@9600"] {
            assert_eq!(s.parse::<NmeaEndpoint>().unwrap().to_string(), s);
        }
        assert_eq!(
            "nmea:/dev/x@0".parse::<NmeaEndpoint>(),
            Err(EndpointError::Baud("nmea:/dev/x@0".into()))
        );
        assert!(matches!(
            "nmea:@9600".parse::<NmeaEndpoint>(),
            Err(EndpointError::Empty(_))
        ));
        assert!(matches!(
            "modbus-rtu:/dev/x/1".parse::<NmeaEndpoint>(),
            Err(EndpointError::Scheme(_))
        ));
    }
}
