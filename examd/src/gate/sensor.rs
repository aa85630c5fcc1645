//! The fingerprint sensors at the gate's doors, when the daemon drives them itself (rather than a terminal
//! posting scans): a capture either yields an image or a typed sensor failure, and a failure never reaches the
//! interlock — the scan is refused with the sensor's error and no door moves.

use std::collections::BTreeMap;
use std::time::Duration;

use gate::DoorId;
use hw::{FingerprintSensor, SensorError};

/// A door's sensor and the resolution of its images (pixels per inch).
type Attached = (Box<dyn FingerprintSensor>, u32);

/// One sensor per door, each used by one capture at a time.
#[derive(Default)]
pub struct DoorSensors {
    sensors: tokio::sync::Mutex<BTreeMap<DoorId, Attached>>,
}

impl std::fmt::Debug for DoorSensors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DoorSensors").finish_non_exhaustive()
    }
}

/// A capture at a door did not give an image.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// No sensor is attached at this door.
    #[error("no fingerprint sensor is attached at door {0}")]
    NoSensor(DoorId),
    /// The sensor failed (unplugged, link lost, timed out, or the device refused).
    #[error("the fingerprint sensor at door {door} failed: {error}")]
    Sensor {
        /// The door.
        door: DoorId,
        /// What the sensor said.
        error: SensorError,
    },
}

impl DoorSensors {
    /// Attaches (or replaces) the sensor at `door`, whose images have `ppi` pixels per inch.
    pub async fn attach(&self, door: DoorId, sensor: Box<dyn FingerprintSensor>, ppi: u32) {
        self.sensors.lock().await.insert(door, (sensor, ppi));
    }

    /// Waits up to `deadline` for a finger at `door` and captures it: the image and its resolution.
    pub async fn capture(
        &self,
        door: DoorId,
        deadline: Duration,
    ) -> Result<(hw::FingerImage, u32), CaptureError> {
        let mut all = self.sensors.lock().await;
        let (s, ppi) = all.get_mut(&door).ok_or(CaptureError::NoSensor(door))?;
        let ppi = *ppi;
        let r = async {
            s.wait_for_finger(deadline).await?;
            s.capture_image().await
        }
        .await;
        r.map(|img| (img, ppi))
            .map_err(|error| CaptureError::Sensor { door, error })
    }
}
