//! Discovery and opening of USB sensors on real hardware.

use async_trait::async_trait;
use hw::{DeviceInfo, FingerprintSensor, Selector, SensorError, SensorFactory};

use crate::driver::Model;
use crate::transport::rusb::{UsbId, list_blocking};
use crate::transport::{RusbTransport, TransportError};

/// The interface every supported sensor uses.
const INTERFACE: u8 = 0;

/// Finds and opens the USB sensors this crate drives (`usb:<vid>:<pid>[:<serial>]` selectors).
#[derive(Debug, Clone, Copy, Default)]
pub struct UsbSensorFactory;

#[async_trait]
impl SensorFactory for UsbSensorFactory {
    fn family(&self) -> &'static str {
        "usb"
    }

    async fn list(&self) -> Result<Vec<DeviceInfo>, SensorError> {
        let found = tokio::task::spawn_blocking(|| {
            list_blocking(|vid, pid| Model::from_ids(vid, pid).is_some())
        })
        .await
        .map_err(|e| SensorError::Link(std::io::Error::other(e)))??;
        Ok(found
            .into_iter()
            .filter_map(|f| {
                let model = Model::from_ids(f.id.vid, f.id.pid)?;
                Some(DeviceInfo {
                    description: format!("{} (bus {} address {})", model.name(), f.bus, f.address),
                    selector: Selector::Usb {
                        vid: f.id.vid,
                        pid: f.id.pid,
                        serial: f.id.serial,
                    },
                })
            })
            .collect())
    }

    async fn open(&self, selector: &Selector) -> Result<Box<dyn FingerprintSensor>, SensorError> {
        let Selector::Usb { vid, pid, serial } = selector else {
            return Err(SensorError::Unsupported("non-USB selectors"));
        };
        let model = Model::from_ids(*vid, *pid)
            .ok_or(SensorError::Unsupported("this USB vendor and product id"))?;
        let id = UsbId {
            vid: *vid,
            pid: *pid,
            serial: serial.clone(),
        };
        let transport = RusbTransport::open(id, INTERFACE)
            .await
            .map_err(|e| match e {
                TransportError::Usb(rusb::Error::NotFound) => {
                    SensorError::NotFound(selector.to_string())
                }
                other => other.into(),
            })?;
        Ok(model.driver(transport))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_selectors_it_cannot_serve() {
        let f = UsbSensorFactory;
        let serial: Selector = "r30x:/dev/ttyUSB0".parse().unwrap();
        assert!(matches!(
            f.open(&serial).await,
            Err(SensorError::Unsupported(_))
        ));
        let unknown: Selector = "usb:1234:5678".parse().unwrap();
        assert!(matches!(
            f.open(&unknown).await,
            Err(SensorError::Unsupported(_))
        ));
    }
}
