//! Opening configured sensors with their drivers, and the presence listing the hot-plug watcher polls.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use hw::{DeviceInfo, FingerprintSensor, Selector, SensorError, SensorFactory};

use super::spec::{SensorKind, SensorSpec};

/// Opens one configured sensor with its driver.
pub async fn open(spec: &SensorSpec) -> Result<Box<dyn FingerprintSensor>, SensorError> {
    match spec.kind {
        SensorKind::R30x => {
            let factory = fp_r30x::R30xFactory {
                config: fp_r30x::ClientConfig {
                    address: spec.r30x.address,
                    password: spec.r30x.password,
                    geometry: spec.r30x.geometry,
                    timeout: Duration::from_millis(1000),
                    ..Default::default()
                },
            };
            factory.open(&spec.selector).await
        }
        SensorKind::Nb1010 | SensorKind::UpekTc => {
            fp_usb::UsbSensorFactory.open(&spec.selector).await
        }
    }
}

/// An error and its causes on one line (`link to the device failed: No such file or directory`).
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let msg = c.to_string();
        if !s.contains(&msg) {
            s.push_str(": ");
            s.push_str(&msg);
        }
        cur = c.source();
    }
    s
}

/// The configured sensors as a [`SensorFactory`]: `list` reports the configured devices that are present now
/// (a serial port or pty link that exists; a USB device the bus lists), so [`hw::hotplug::watch`] turns
/// unplugging and plugging back into events.
#[derive(Debug, Default)]
pub struct ConfiguredSensors {
    specs: RwLock<Vec<SensorSpec>>,
}

impl ConfiguredSensors {
    /// The factory over `specs`.
    pub fn new(specs: Vec<SensorSpec>) -> Arc<Self> {
        Arc::new(ConfiguredSensors {
            specs: RwLock::new(specs),
        })
    }

    /// Adds a sensor (the demo adds its simulated reader once its pty exists).
    pub fn add(&self, spec: SensorSpec) {
        self.specs
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(spec);
    }

    fn snapshot(&self) -> Vec<SensorSpec> {
        self.specs.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[async_trait]
impl SensorFactory for ConfiguredSensors {
    fn family(&self) -> &'static str {
        "configured"
    }

    async fn list(&self) -> Result<Vec<DeviceInfo>, SensorError> {
        let specs = self.snapshot();
        let usb_present = if specs.iter().any(|s| s.kind != SensorKind::R30x) {
            fp_usb::UsbSensorFactory.list().await?
        } else {
            Vec::new()
        };
        Ok(specs
            .into_iter()
            .filter(|s| match &s.selector {
                // `exists` follows the link: a pty link whose slave is gone is absent.
                Selector::R30x { path, .. } => path.exists(),
                Selector::Usb { vid, pid, serial } => usb_present.iter().any(|d| {
                    matches!(&d.selector, Selector::Usb { vid: v, pid: p, serial: s }
                        if v == vid && p == pid && (serial.is_none() || s == serial))
                }),
            })
            .map(|s| DeviceInfo {
                description: format!("{} ({})", s.id, s.role),
                selector: s.selector,
            })
            .collect())
    }

    async fn open(&self, selector: &Selector) -> Result<Box<dyn FingerprintSensor>, SensorError> {
        let spec = self
            .snapshot()
            .into_iter()
            .find(|s| &s.selector == selector)
            .ok_or_else(|| SensorError::NotFound(selector.to_string()))?;
        open(&spec).await
    }
}
