//! Typed sensor errors shared by every fingerprint driver.

use std::time::Duration;

/// A status a device reported about a command it received and understood.
///
/// Drivers implement this for their own status enum (for example the R30x confirmation codes),
/// so that callers can show the vendor meaning without the seam knowing every vendor.
pub trait DeviceStatus: std::error::Error + Send + Sync + 'static {
    /// The raw status code as the device sent it.
    fn code(&self) -> u32;
}

/// Everything that can go wrong when using a sensor.
///
/// The first variant is the device's own answer; the others are about the link.
#[derive(Debug, thiserror::Error)]
pub enum SensorError {
    /// The device answered, and its answer was a refusal or failure status.
    #[error("device answered with status {code:#04x}: {0}", code = .0.code())]
    Device(Box<dyn DeviceStatus>),
    /// The link to the device failed (port closed, unplugged, OS error).
    #[error("link to the device failed")]
    Link(#[source] std::io::Error),
    /// The device did not answer in time.
    #[error("device did not answer within {0:?}")]
    Timeout(Duration),
    /// The device sent bytes that do not form a valid answer (bad checksum, bad framing, wrong address).
    #[error("device sent an invalid answer")]
    Garbage(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// No finger was placed before the caller's deadline.
    #[error("no finger was placed within {0:?}")]
    NoFinger(Duration),
    /// The device cannot do this (for example on-device search on a plain image sensor).
    #[error("the device does not support {0}")]
    Unsupported(&'static str),
    /// The selector names no device that is present.
    #[error("no device found for {0}")]
    NotFound(String),
}

impl SensorError {
    /// True when the error is about the link rather than the device's answer:
    /// retrying or reopening the port may help.
    pub fn is_link_fault(&self) -> bool {
        matches!(self, Self::Link(_) | Self::Timeout(_) | Self::Garbage(_))
    }

    /// The device's status code, when the device answered with one.
    pub fn device_code(&self) -> Option<u32> {
        match self {
            Self::Device(s) => Some(s.code()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("no finger")]
    struct NoFingerStatus;
    impl DeviceStatus for NoFingerStatus {
        fn code(&self) -> u32 {
            2
        }
    }

    #[test]
    fn device_answers_are_not_link_faults() {
        let e = SensorError::Device(Box::new(NoFingerStatus));
        assert!(!e.is_link_fault());
        assert_eq!(e.device_code(), Some(2));
        assert_eq!(e.to_string(), "device answered with status 0x02: no finger");
        let t = SensorError::Timeout(Duration::from_millis(5));
        assert!(t.is_link_fault());
        assert_eq!(t.device_code(), None);
    }
}
