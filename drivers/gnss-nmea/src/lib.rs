//! An RTK GNSS receiver over NMEA 0183, on the `nmea` crate.
//!
//! - [`parse_sentence`]: one line → GGA / RMC / HDT / VTG ([`Sentence`]), with checksum validation; errors name
//!   the sentence.
//! - [`EpochAssembler`]: an epoch's sentences → one [`Fix`] (position, [`FixQuality`] with RTK fixed/float,
//!   HDOP, correction age, dual-antenna heading, course, speed).
//! - [`LocalFrame`]: WGS84 → ECEF → the site's ENU frame (DESIGN.md §3.3) and back, exact in f64;
//!   [`LocalFrame::pose`] turns a fix into a [`Pose`] (`x` east, `y` north, heading clockwise from north).
//! - [`NmeaReader`]: the async driver over any `AsyncRead` (a serial port through [`NmeaEndpoint`]).
//! - [`sim`]: a simulated receiver that writes correct sentences at 10 Hz on a pty.
//!
//! ```
//! use gnss_nmea::{FixQuality, LocalFrame, NmeaReader};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let recording: &[u8] = b"$GNGGA,080000.00,3954.00000000,N,11624.00000000,E,4,24,0.60,41.5000,M,-8.5000,M,1.0,0000*4B\r\n\
//!     $GNHDT,87.5000,T*21\r\n";
//! let mut reader = NmeaReader::new(recording);
//! let fix = reader.next_fix().await.unwrap();
//! assert_eq!(fix.quality, FixQuality::RtkFixed);
//! let frame = LocalFrame::from_lon_lat(116.4, 39.9).unwrap();
//! let pose = frame.pose(&fix).unwrap();
//! assert!(pose.x.abs() < 1e-6 && pose.y.abs() < 1e-6);
//! assert!((pose.heading_deg.unwrap() - 87.5).abs() < 1e-4);
//! # }
//! ```
#![warn(missing_docs)]

mod endpoint;
mod epoch;
mod fix;
mod geo;
mod reader;
mod sentence;
pub mod sim;

pub use endpoint::{DEFAULT_BAUD, EndpointError, NmeaEndpoint};
pub use epoch::EpochAssembler;
pub use fix::{Fix, FixQuality, Pose};
pub use geo::{Ecef, Enu, FrameError, Geodetic, LocalFrame, WGS84_A, WGS84_F, normalise_deg};
pub use reader::{MAX_LINE, NmeaReader, ReadError};
pub use sentence::{Gga, Hdt, KMH_PER_KNOT, Rmc, Sentence, SentenceError, Vtg, parse_sentence};
