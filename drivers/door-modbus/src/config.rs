//! One door module as the site's configuration describes it: where it is, how it is wired, how to poll it.

use serde::Deserialize;

use crate::Endpoint;
use crate::driver::{DoorDriver, DriverConfig};
use crate::error::MapError;
use crate::map::IoMap;

/// A door module's configuration.
///
/// ```
/// let cfg: door_modbus::ModuleConfig = toml::from_str(r#"
///     endpoint = "modbus-rtu:/dev/ttyUSB0/1"
///     [driver]
///     poll_ms = 100
///     [map]
///     fire = { input = 7 }
///     [[map.doors]]
///     lock = { coil = 0, pulse = { kind = "register", register = 0x100, unit_ms = 100 } }
///     contact = { input = 0 }
///     [[map.doors]]
///     lock = { coil = 1, pulse = { kind = "register", register = 0x101, unit_ms = 100 } }
///     contact = { input = 1 }
/// "#).unwrap();
/// cfg.map.validate().unwrap();
/// assert_eq!(cfg.driver.poll_ms, 100);
/// assert_eq!(cfg.driver.timeout_ms, 200);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleConfig {
    /// Where the module is (`modbus-rtu:…` or `modbus-tcp:…`). Its unit id is the one used on the wire.
    pub endpoint: Endpoint,
    /// How the doors are wired to it. Its `unit` is ignored in favour of the endpoint's.
    pub map: IoMap,
    /// Poll timing.
    #[serde(default)]
    pub driver: DriverConfig,
}

/// The module could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The map is not usable.
    #[error("door I/O map: {0}")]
    Map(#[from] MapError),
    /// The serial port or the gateway could not be opened.
    #[error("cannot open {endpoint}: {source}")]
    Io {
        /// The endpoint.
        endpoint: Endpoint,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl ModuleConfig {
    /// Checks the map, opens the endpoint and makes the driver.
    pub async fn open(&self) -> Result<DoorDriver, OpenError> {
        let mut map = self.map.clone();
        map.unit = self.endpoint.unit();
        map.validate()?;
        let ctx = self
            .endpoint
            .connect()
            .await
            .map_err(|source| OpenError::Io {
                endpoint: self.endpoint.clone(),
                source,
            })?;
        Ok(DoorDriver::new(ctx, map, self.driver)?)
    }
}
