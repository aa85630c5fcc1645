//! Discovery and opening of modules on serial ports.

use async_trait::async_trait;
use hw::{DeviceInfo, FingerprintSensor, Selector, SensorError, SensorFactory};
use tokio_serial::SerialPortBuilderExt;

use super::{ClientConfig, R30x};
use crate::protocol::BaudRate;

/// Lists serial ports as candidate R30x modules and opens them (probe-rs `ProbeFactory` shape).
#[derive(Debug, Clone, Default)]
pub struct R30xFactory {
    /// Settings used for every module opened.
    pub config: ClientConfig,
}

#[async_trait]
impl SensorFactory for R30xFactory {
    fn family(&self) -> &'static str {
        "r30x"
    }

    /// Every serial port the OS reports; which of them carries a module is only known on `open`.
    async fn list(&self) -> Result<Vec<DeviceInfo>, SensorError> {
        let ports = tokio_serial::available_ports().map_err(|e| SensorError::Link(e.into()))?;
        Ok(ports
            .into_iter()
            .map(|p| DeviceInfo {
                selector: Selector::R30x {
                    path: p.port_name.clone().into(),
                    baud: None,
                },
                description: format!("{:?}", p.port_type),
            })
            .collect())
    }

    /// Opens the port, verifies the password and reads the system parameters.
    async fn open(&self, selector: &Selector) -> Result<Box<dyn FingerprintSensor>, SensorError> {
        let Selector::R30x { path, baud } = selector else {
            return Err(SensorError::NotFound(selector.to_string()));
        };
        let bps = baud.unwrap_or(BaudRate::DEFAULT.bps());
        let port = tokio_serial::new(path.to_string_lossy(), bps)
            .open_native_async()
            .map_err(|e| SensorError::Link(e.into()))?;
        let (client, _) = R30x::connect(port, self.config.clone()).await?;
        Ok(Box::new(client))
    }
}
