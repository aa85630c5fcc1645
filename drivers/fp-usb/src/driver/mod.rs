//! Drivers: the protocols of [`crate::protocol`] over any [`UsbTransport`],
//! exposed as [`hw::FingerprintSensor`].

mod nb1010;
mod upektc;

use hw::{FingerprintSensor, SensorError};

pub use self::nb1010::Nb1010;
pub use self::upektc::{UpekStatus, UpekTc};
use crate::protocol::ProtocolError;
use crate::transport::UsbTransport;

/// The sensor models this crate drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    /// NEXT Biometrics NB-1010-U.
    Nb1010,
    /// UPEK TouchChip TCS5B (`upektc_img`).
    UpekTc,
}

impl Model {
    /// The model with these USB ids.
    pub fn from_ids(vid: u16, pid: u16) -> Option<Self> {
        use crate::protocol::{nb1010, upektc};
        if (vid, pid) == (nb1010::VID, nb1010::PID) {
            Some(Self::Nb1010)
        } else if vid == upektc::VID && upektc::PIDS.contains(&pid) {
            Some(Self::UpekTc)
        } else {
            None
        }
    }

    /// A name for people and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Nb1010 => "NEXT NB-1010-U",
            Self::UpekTc => "UPEK TouchChip TCS5B",
        }
    }

    /// The model's driver over `transport`, behind the seam.
    pub fn driver<T: UsbTransport + 'static>(self, transport: T) -> Box<dyn FingerprintSensor> {
        match self {
            Self::Nb1010 => Box::new(Nb1010::new(transport)),
            Self::UpekTc => Box::new(UpekTc::new(transport)),
        }
    }
}

fn garbage(e: ProtocolError) -> SensorError {
    SensorError::Garbage(Box::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_by_ids() {
        assert_eq!(Model::from_ids(0x298d, 0x1010), Some(Model::Nb1010));
        assert_eq!(Model::from_ids(0x147e, 0x2016), Some(Model::UpekTc));
        assert_eq!(Model::from_ids(0x147e, 0x2020), Some(Model::UpekTc));
        assert_eq!(Model::from_ids(0x147e, 0x1000), None);
    }
}
