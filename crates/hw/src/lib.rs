//! Hardware seams for examd.
//!
//! The daemon talks to devices only through the capability traits here; each driver crate
//! (`drivers/fp-*`) implements them for one device family.
//!
//! - [`FingerprintSensor`] (and [`OnDeviceMatcher`] for modules that enrol and search by themselves),
//! - [`SensorError`], which keeps "the device answered with status X" apart from "the link failed,
//!   timed out or sent garbage",
//! - [`Selector`], [`SensorFactory`] and [`hotplug`] for discovery,
//! - [`trace`]: [`RecordingTransport`] tees any `AsyncRead + AsyncWrite` into a line-oriented trace,
//!   and [`ReplayTransport`] plays one back, asserting that every write matches,
//! - with feature `pty`: `pty`, serving a simulated device on a pseudo-terminal linked at a stable path;
//!   with feature `modbus`: `modbus`, serving a simulated Modbus slave over a pty or TCP.
//!
//! ```
//! use hw::trace::{Direction, Trace};
//! let trace: Trace = "# example\n> 0 EF01\n< 3 EF0207\n".parse().unwrap();
//! assert_eq!(trace.events.len(), 2);
//! assert_eq!(trace.events[1].direction, Direction::DeviceToHost);
//! ```
#![warn(missing_docs)]

mod discovery;
mod error;
mod fingerprint;
pub mod hotplug;
#[cfg(feature = "modbus")]
pub mod modbus;
#[cfg(feature = "pty")]
pub mod pty;
pub mod trace;

pub use discovery::{DeviceInfo, Selector, SelectorError, SensorFactory};
pub use error::{DeviceStatus, SensorError};
pub use fingerprint::{
    FingerImage, FingerprintSensor, ImageError, MatchScore, OnDeviceMatcher, SearchHit, SensorInfo,
    TemplateSlot,
};
pub use trace::{RecordingTransport, ReplayTransport};
