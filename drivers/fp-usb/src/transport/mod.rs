//! The USB transport seam: bulk, interrupt and control transfers, one at a time.
//!
//! Drivers are generic over [`UsbTransport`]; [`RusbTransport`] talks to hardware through libusb,
//! [`ReplayTransport`] plays a [`Recording`](crate::recording::Recording) back, and
//! [`UsbRecorder`] records any transport's transfers.

mod recorder;
mod replay;
pub mod rusb;

use std::time::Duration;

use async_trait::async_trait;

pub use self::recorder::{RecordingHandle, UsbRecorder};
pub use self::replay::{ReplayMismatch, ReplayTransport};
pub use self::rusb::RusbTransport;
use crate::recording::Endpoint;

/// A control transfer's setup packet without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ControlSetup {
    /// `bmRequestType`; bit 7 set for IN.
    pub request_type: u8,
    /// `bRequest`.
    pub request: u8,
    /// `wValue`.
    pub value: u16,
    /// `wIndex`.
    pub index: u16,
}

impl ControlSetup {
    /// The 8-byte setup packet for a data stage of `length` bytes.
    pub fn to_bytes(self, length: u16) -> [u8; 8] {
        let [v0, v1] = self.value.to_le_bytes();
        let [i0, i1] = self.index.to_le_bytes();
        let [l0, l1] = length.to_le_bytes();
        [self.request_type, self.request, v0, v1, i0, i1, l0, l1]
    }
}

/// A USB transfer that failed.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The device did not complete the transfer in time.
    #[error("USB transfer timed out after {0:?}")]
    Timeout(Duration),
    /// The endpoint stalled (the device refused the request).
    #[error("endpoint {0} stalled")]
    Stall(Endpoint),
    /// The device is gone.
    #[error("USB device disconnected")]
    Disconnected,
    /// The transfer was cancelled.
    #[error("USB transfer cancelled")]
    Cancelled,
    /// The caller passed something the transfer cannot carry (wrong direction, too long).
    #[error("invalid transfer: {0}")]
    Invalid(&'static str),
    /// A recorded URB completed with this negative errno.
    #[error("URB failed with status {0}")]
    UrbStatus(i32),
    /// libusb reported an error.
    #[error("libusb error")]
    Usb(#[source] ::rusb::Error),
    /// The replayed driver did something the recording does not show.
    #[error("replay mismatch")]
    Replay(#[from] ReplayMismatch),
    /// The transfer thread has stopped.
    #[error("USB transfer thread has stopped")]
    WorkerGone,
}

impl From<TransportError> for hw::SensorError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Timeout(d) => Self::Timeout(d),
            other => Self::Link(std::io::Error::other(other)),
        }
    }
}

/// Blocking-free USB transfers for one claimed interface.
///
/// Each call is one USB transfer of exactly the given length, so that a recording can be matched
/// URB for URB.
#[async_trait]
pub trait UsbTransport: Send {
    /// Sends `data` to bulk OUT endpoint `ep`; returns the bytes written.
    async fn bulk_out(
        &mut self,
        ep: Endpoint,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, TransportError>;

    /// Reads up to `len` bytes from bulk IN endpoint `ep`.
    async fn bulk_in(
        &mut self,
        ep: Endpoint,
        len: usize,
        timeout: Duration,
    ) -> Result<Vec<u8>, TransportError>;

    /// Reads up to `len` bytes from interrupt IN endpoint `ep`.
    async fn interrupt_in(
        &mut self,
        ep: Endpoint,
        len: usize,
        timeout: Duration,
    ) -> Result<Vec<u8>, TransportError>;

    /// A control transfer with an OUT data stage (possibly empty); returns the bytes written.
    async fn control_out(
        &mut self,
        setup: ControlSetup,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, TransportError>;

    /// A control transfer with an IN data stage of up to `len` bytes.
    async fn control_in(
        &mut self,
        setup: ControlSetup,
        len: u16,
        timeout: Duration,
    ) -> Result<Vec<u8>, TransportError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_packet_is_little_endian() {
        let s = ControlSetup {
            request_type: 0x40,
            request: 0x0c,
            value: 0x0100,
            index: 0x0400,
        };
        assert_eq!(
            s.to_bytes(1),
            [0x40, 0x0c, 0x00, 0x01, 0x00, 0x04, 0x01, 0x00]
        );
    }

    #[test]
    fn timeouts_stay_timeouts_for_the_seam() {
        let e: hw::SensorError = TransportError::Timeout(Duration::from_millis(500)).into();
        assert!(matches!(e, hw::SensorError::Timeout(_)));
        let e: hw::SensorError = TransportError::Disconnected.into();
        assert!(e.is_link_fault());
    }
}
