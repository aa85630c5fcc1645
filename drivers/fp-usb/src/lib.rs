//! USB fingerprint image sensors over `rusb`: NEXT NB-1010-U and UPEK TouchChip TCS5B.
//!
//! Layers, from the bottom:
//! - [`recording`]: parsers for libfprint-style recordings (umockdev `.ioctl` text, usbmon pcapng,
//!   umockdev `device` files), pure;
//! - [`protocol`]: command frames, answer parsing, image assembly and libfprint's flip/invert flags, pure;
//! - [`transport`]: the [`UsbTransport`] seam with [`RusbTransport`] (hardware, a worker thread
//!   behind an async API) and [`ReplayTransport`] (a recording);
//! - [`driver`]: [`Nb1010`] and [`UpekTc`], generic over the transport, implementing
//!   [`hw::FingerprintSensor`];
//! - [`UsbSensorFactory`]: discovery and `usb:<vid>:<pid>[:<serial>]` selectors.
//!
//! ```
//! use fp_usb::recording::{ioctl, Endpoint};
//! let rec = ioctl::parse("@DEV /dev/bus/usb/001/003\nUSBDEVFS_REAPURB 0 3 2 0 0 2 2 0 8038\n").unwrap();
//! assert_eq!(rec.recording.urbs[0].endpoint, Endpoint(0x02));
//! assert_eq!(rec.recording.urbs[0].data, [0x80, 0x38]);
//! ```
#![warn(missing_docs)]

pub mod driver;
mod factory;
pub mod protocol;
pub mod recording;
pub mod transport;

pub use driver::{Model, Nb1010, UpekTc};
pub use factory::UsbSensorFactory;
pub use transport::{ReplayTransport, RusbTransport, TransportError, UsbTransport};
