//! The car's signal collector over Modbus RTU (or TCP through a gateway), on tokio-modbus.
//!
//! - [`SignalMap`]: the typed, serde-loadable register map — a discrete input per boolean signal ([`Flag`],
//!   NO/NC [`Wiring`]), input registers for gear, rpm and speed with scales; pure decode/encode.
//! - [`VehicleIo`]: polls the collector (one FC02 + one FC04 read), decodes [`Signals`], tracks the link
//!   ([`LinkState::Lost`] after a few silent polls) and publishes [`VehicleState`] on a watch channel.
//! - [`Endpoint`]: the `modbus-rtu:` / `modbus-tcp:` selectors.
//! - [`sim`]: a simulated collector on a pty or TCP, scripted through [`sim::SimHandle`] or [`sim::Script`].
//!
//! ```
//! use vehicle_io::{Gear, PollConfig, SignalMap, Signals, VehicleIo, sim};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let map = SignalMap::standard();
//! let handle = sim::SimHandle::new(map.clone(), Signals::default());
//! let pty = sim::SimPty::spawn(handle.clone())?;
//! let endpoint: vehicle_io::Endpoint = format!("modbus-rtu:{}/1", pty.path().display()).parse().unwrap();
//! let mut io = VehicleIo::new(endpoint.connect().await?, map, PollConfig::default()).unwrap();
//! handle.apply(&serde_json::from_str(r#"{"gear": "1", "engine_on": true}"#).unwrap());
//! let s = io.read().await.unwrap();
//! assert_eq!(s.gear, Gear::First);
//! assert!(s.engine_on && s.parking_brake);
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod driver;
mod error;
mod map;
mod signals;
pub mod sim;

pub use driver::{LinkState, PollConfig, VehicleIo, VehicleState};
pub use error::DriverError;
pub use hw::modbus::{EndpointError, ModbusEndpoint as Endpoint};
pub use map::{DecodeError, InputPoint, MapError, ScaledRegister, SignalMap, Span, UnitId, Wiring};
pub use signals::{Flag, Gear, SignalPatch, Signals};
