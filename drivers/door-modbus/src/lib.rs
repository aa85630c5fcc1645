//! Door I/O over Modbus RTU (RS-485) and Modbus TCP (RS-485 gateways), on tokio-modbus.
//!
//! - [`IoMap`]: the typed, serde-loadable map of one module — per door the lock relay coil and who times its
//!   release pulse ([`Pulse`]), the contact, exit buttons, lock sensor and tamper inputs with NO/NC [`Wiring`];
//!   the fire input; the unit id.
//! - [`DoorDriver`]: polls the inputs, debounces them ([`Debouncer`]) into `gate::Input`s, executes
//!   `gate::Command`s, re-asserts the relays, and reports a silent module as `Input::CommsLost`.
//! - [`Endpoint`]: the `modbus-rtu:` / `modbus-tcp:` selectors and opening a client on them;
//!   [`ModuleConfig`]: endpoint + map + timing as one serde-loadable block, and [`ModuleConfig::open`].
//! - [`sim`]: a simulated door module (a Modbus slave on a pty or TCP) with a small physical model of the doors.
//!
//! ```
//! use door_modbus::{DoorDriver, DriverConfig, IoMap, sim};
//! use gate::{Command, DoorId, Input};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let map = IoMap::two_door_default();
//! let handle = sim::SimHandle::new(sim::DoorModule::new(map.clone(), sim::SimConfig::default()));
//! let pty = sim::SimPty::spawn(handle.clone())?;
//! let endpoint: door_modbus::Endpoint = format!("modbus-rtu:{}/1", pty.path().display()).parse().unwrap();
//! let cfg = DriverConfig { debounce_reads: 1, ..DriverConfig::default() };
//! let mut driver = DoorDriver::new(endpoint.connect().await?, map, cfg).unwrap();
//! let inputs = driver.poll().await;
//! assert!(inputs.contains(&Input::Contact { door: DoorId::A, closed: true }));
//! driver.execute(Command::Release { door: DoorId::A, pulse_ms: 5_000 }).await.unwrap();
//! assert!(handle.push(DoorId::A));
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod config;
mod debounce;
mod driver;
mod error;
mod map;
pub mod sim;

pub use config::{ModuleConfig, OpenError};
pub use debounce::Debouncer;
pub use driver::{DoorDriver, DriverConfig, LinkState, RelayIntent};
pub use error::{DriverError, MapError};
pub use hw::modbus::{EndpointError, ModbusEndpoint as Endpoint};
pub use map::{DoorMap, InputPoint, IoMap, LockOutput, Pulse, Signal, UnitId, Wiring};
