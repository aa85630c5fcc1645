//! A transport wrapper that records every transfer, so that a session on real hardware can be
//! saved as umockdev `.ioctl` text (see [`crate::recording::ioctl::to_text`]) and replayed later.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;

use super::{ControlSetup, TransportError, UsbTransport};
use crate::recording::{Endpoint, Recording, TransferType, Urb};

/// Tees the transfers of `T` into a shared [`Recording`].
#[derive(Debug)]
pub struct UsbRecorder<T> {
    inner: T,
    log: Arc<Mutex<Recording>>,
}

/// Read access to what a [`UsbRecorder`] has recorded, usable after the recorder was moved away.
#[derive(Debug, Clone)]
pub struct RecordingHandle(Arc<Mutex<Recording>>);

impl RecordingHandle {
    /// A copy of the transfers so far.
    pub fn snapshot(&self) -> Recording {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The negative errno a failed transfer is recorded with.
fn errno(e: &TransportError) -> i32 {
    match e {
        TransportError::Timeout(_) => -110,
        TransportError::Stall(_) => -32,
        TransportError::Disconnected => -19,
        TransportError::Cancelled => -2,
        TransportError::UrbStatus(s) => *s,
        _ => -5,
    }
}

impl<T: UsbTransport> UsbRecorder<T> {
    /// Wraps `inner`; the handle reads the recording.
    pub fn new(inner: T) -> (Self, RecordingHandle) {
        let log = Arc::new(Mutex::new(Recording::default()));
        (
            Self {
                inner,
                log: Arc::clone(&log),
            },
            RecordingHandle(log),
        )
    }

    fn push<R>(&self, template: Urb, result: &Result<R, TransportError>, data_in: Option<&[u8]>) {
        let mut urb = template;
        match result {
            Ok(_) => {
                if let Some(d) = data_in {
                    urb.data = d.to_vec();
                }
            }
            Err(e) => {
                urb.status = errno(e);
                if urb.endpoint.is_in() {
                    urb.data.clear();
                }
            }
        }
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .urbs
            .push(urb);
    }
}

fn urb(
    transfer_type: TransferType,
    endpoint: Endpoint,
    setup: Option<[u8; 8]>,
    length: usize,
    data: &[u8],
) -> Urb {
    Urb {
        transfer_type,
        endpoint,
        setup,
        length,
        data: data.to_vec(),
        status: 0,
    }
}

#[async_trait]
impl<T: UsbTransport> UsbTransport for UsbRecorder<T> {
    async fn bulk_out(
        &mut self,
        ep: Endpoint,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, TransportError> {
        let r = self.inner.bulk_out(ep, data, timeout).await;
        self.push(
            urb(TransferType::Bulk, ep, None, data.len(), data),
            &r,
            None,
        );
        r
    }

    async fn bulk_in(
        &mut self,
        ep: Endpoint,
        len: usize,
        timeout: Duration,
    ) -> Result<Vec<u8>, TransportError> {
        let r = self.inner.bulk_in(ep, len, timeout).await;
        let data = r.as_ref().ok().cloned();
        self.push(
            urb(TransferType::Bulk, ep, None, len, &[]),
            &r,
            data.as_deref(),
        );
        r
    }

    async fn interrupt_in(
        &mut self,
        ep: Endpoint,
        len: usize,
        timeout: Duration,
    ) -> Result<Vec<u8>, TransportError> {
        let r = self.inner.interrupt_in(ep, len, timeout).await;
        let data = r.as_ref().ok().cloned();
        self.push(
            urb(TransferType::Interrupt, ep, None, len, &[]),
            &r,
            data.as_deref(),
        );
        r
    }

    async fn control_out(
        &mut self,
        setup: ControlSetup,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, TransportError> {
        let r = self.inner.control_out(setup, data, timeout).await;
        let packet = setup.to_bytes(u16::try_from(data.len()).unwrap_or(u16::MAX));
        self.push(
            urb(
                TransferType::Control,
                Endpoint(0x00),
                Some(packet),
                data.len(),
                data,
            ),
            &r,
            None,
        );
        r
    }

    async fn control_in(
        &mut self,
        setup: ControlSetup,
        len: u16,
        timeout: Duration,
    ) -> Result<Vec<u8>, TransportError> {
        let r = self.inner.control_in(setup, len, timeout).await;
        let data = r.as_ref().ok().cloned();
        let packet = setup.to_bytes(len);
        self.push(
            urb(
                TransferType::Control,
                Endpoint(0x80),
                Some(packet),
                len as usize,
                &[],
            ),
            &r,
            data.as_deref(),
        );
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::ioctl::{self, IoctlRecording};
    use crate::transport::ReplayTransport;

    #[tokio::test]
    async fn a_recorded_session_replays_identically() {
        let setup = ControlSetup {
            request_type: 0x40,
            request: 0x0c,
            value: 0x0100,
            index: 0x0400,
        };
        let original = Recording {
            urbs: vec![
                urb(
                    TransferType::Control,
                    Endpoint(0x00),
                    Some(setup.to_bytes(1)),
                    1,
                    &[0],
                ),
                urb(TransferType::Bulk, Endpoint(0x02), None, 2, b"hi"),
                urb(TransferType::Bulk, Endpoint(0x81), None, 64, b"abc"),
                Urb {
                    status: -32,
                    ..urb(TransferType::Interrupt, Endpoint(0x83), None, 8, &[])
                },
            ],
        };
        let t = Duration::from_millis(10);
        let (mut rec, handle) = UsbRecorder::new(ReplayTransport::new(original.clone()));
        rec.control_out(setup, &[0], t).await.unwrap();
        rec.bulk_out(Endpoint(0x02), b"hi", t).await.unwrap();
        rec.bulk_in(Endpoint(0x81), 64, t).await.unwrap();
        assert!(rec.interrupt_in(Endpoint(0x83), 8, t).await.is_err());
        assert_eq!(handle.snapshot(), original);
        let text = ioctl::to_text(&IoctlRecording {
            device_node: None,
            recording: handle.snapshot(),
        });
        assert_eq!(ioctl::parse(&text).unwrap().recording, original);
    }
}
