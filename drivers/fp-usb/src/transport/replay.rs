//! Plays a recording back as a transport: every request must match the next recorded URB.
//!
//! Matching follows umockdev: transfer type, endpoint, setup packet and length must be equal, and
//! OUT data must be byte-identical; IN data and the completion status come from the recording.
//! Standard control requests that do not match (the kernel's descriptor reads in a usbmon capture)
//! are skipped.

use std::time::Duration;

use async_trait::async_trait;

use super::{ControlSetup, TransportError, UsbTransport};
use crate::recording::{Endpoint, Recording, TransferType, Urb};

/// What a driver asked the replay for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Transfer type.
    pub transfer_type: TransferType,
    /// Endpoint (control: 0x00 or 0x80).
    pub endpoint: Endpoint,
    /// Setup packet of a control transfer.
    pub setup: Option<[u8; 8]>,
    /// Requested length.
    pub length: usize,
    /// OUT data.
    pub data: Vec<u8>,
}

/// The replayed driver diverged from the recording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayMismatch {
    /// The driver made a request after the last recorded URB.
    #[error("request {asked:?} after the end of the recording")]
    Exhausted {
        /// The request.
        asked: Request,
    },
    /// The request differs from the next recorded URB.
    #[error("URB {index}: driver asked {asked:?}, recording has {recorded:?}")]
    Differs {
        /// Index of the recorded URB.
        index: usize,
        /// The request.
        asked: Request,
        /// The recorded URB.
        recorded: Box<Urb>,
    },
    /// [`ReplayTransport::done`] found URBs the driver never asked for.
    #[error("{remaining} recorded URBs were not replayed, next {next:?}")]
    Unconsumed {
        /// How many are left.
        remaining: usize,
        /// The first of them.
        next: Box<Urb>,
    },
}

/// A transport that serves a recording.
#[derive(Debug, Clone)]
pub struct ReplayTransport {
    urbs: Vec<Urb>,
    next: usize,
}

impl ReplayTransport {
    /// Replays `recording` from its first URB.
    pub fn new(recording: Recording) -> Self {
        Self {
            urbs: recording.urbs,
            next: 0,
        }
    }

    /// How many URBs have been replayed or skipped so far.
    pub fn position(&self) -> usize {
        self.next
    }

    /// Fails when recorded URBs (other than standard control requests) were not replayed.
    pub fn done(&self) -> Result<(), ReplayMismatch> {
        let rest: Vec<&Urb> = self.urbs[self.next..]
            .iter()
            .filter(|u| !u.is_standard_control())
            .collect();
        match rest.first() {
            None => Ok(()),
            Some(next) => Err(ReplayMismatch::Unconsumed {
                remaining: rest.len(),
                next: Box::new((*next).clone()),
            }),
        }
    }

    fn serve(&mut self, asked: Request) -> Result<Vec<u8>, TransportError> {
        loop {
            let Some(urb) = self.urbs.get(self.next) else {
                return Err(ReplayMismatch::Exhausted { asked }.into());
            };
            let index = self.next;
            let matches = urb.transfer_type == asked.transfer_type
                && urb.endpoint == asked.endpoint
                && urb.setup == asked.setup
                && urb.length == asked.length
                && (urb.endpoint.is_in() || urb.data == asked.data);
            if !matches {
                if urb.is_standard_control() {
                    self.next += 1;
                    continue;
                }
                return Err(ReplayMismatch::Differs {
                    index,
                    asked,
                    recorded: Box::new(urb.clone()),
                }
                .into());
            }
            self.next += 1;
            return match urb.status {
                0 => Ok(urb.data.clone()),
                s => Err(status_error(s, urb.endpoint)),
            };
        }
    }
}

/// Maps a URB's negative errno to a transport error.
fn status_error(status: i32, ep: Endpoint) -> TransportError {
    match -status {
        2 | 104 => TransportError::Cancelled, // ENOENT, ECONNRESET: unlinked
        32 => TransportError::Stall(ep),      // EPIPE
        19 | 108 => TransportError::Disconnected, // ENODEV, ESHUTDOWN
        110 => TransportError::Timeout(Duration::ZERO), // ETIMEDOUT
        _ => TransportError::UrbStatus(status),
    }
}

#[async_trait]
impl UsbTransport for ReplayTransport {
    async fn bulk_out(
        &mut self,
        ep: Endpoint,
        data: &[u8],
        _timeout: Duration,
    ) -> Result<usize, TransportError> {
        if ep.is_in() {
            return Err(TransportError::Invalid("bulk OUT on an IN endpoint"));
        }
        self.serve(Request {
            transfer_type: TransferType::Bulk,
            endpoint: ep,
            setup: None,
            length: data.len(),
            data: data.to_vec(),
        })?;
        Ok(data.len())
    }

    async fn bulk_in(
        &mut self,
        ep: Endpoint,
        len: usize,
        _timeout: Duration,
    ) -> Result<Vec<u8>, TransportError> {
        if !ep.is_in() {
            return Err(TransportError::Invalid("bulk IN on an OUT endpoint"));
        }
        self.serve(Request {
            transfer_type: TransferType::Bulk,
            endpoint: ep,
            setup: None,
            length: len,
            data: Vec::new(),
        })
    }

    async fn interrupt_in(
        &mut self,
        ep: Endpoint,
        len: usize,
        _timeout: Duration,
    ) -> Result<Vec<u8>, TransportError> {
        if !ep.is_in() {
            return Err(TransportError::Invalid("interrupt IN on an OUT endpoint"));
        }
        self.serve(Request {
            transfer_type: TransferType::Interrupt,
            endpoint: ep,
            setup: None,
            length: len,
            data: Vec::new(),
        })
    }

    async fn control_out(
        &mut self,
        setup: ControlSetup,
        data: &[u8],
        _timeout: Duration,
    ) -> Result<usize, TransportError> {
        let len = u16::try_from(data.len())
            .map_err(|_| TransportError::Invalid("control data over 64 KiB"))?;
        self.serve(Request {
            transfer_type: TransferType::Control,
            endpoint: Endpoint(0x00),
            setup: Some(setup.to_bytes(len)),
            length: data.len(),
            data: data.to_vec(),
        })?;
        Ok(data.len())
    }

    async fn control_in(
        &mut self,
        setup: ControlSetup,
        len: u16,
        _timeout: Duration,
    ) -> Result<Vec<u8>, TransportError> {
        self.serve(Request {
            transfer_type: TransferType::Control,
            endpoint: Endpoint(0x80),
            setup: Some(setup.to_bytes(len)),
            length: len as usize,
            data: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urb(
        ty: TransferType,
        ep: u8,
        setup: Option<[u8; 8]>,
        length: usize,
        data: &[u8],
        status: i32,
    ) -> Urb {
        Urb {
            transfer_type: ty,
            endpoint: Endpoint(ep),
            setup,
            length,
            data: data.to_vec(),
            status,
        }
    }

    const T: Duration = Duration::from_millis(100);

    #[tokio::test]
    async fn serves_in_order_and_checks_out_data() {
        let get_desc = [0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00];
        let mut r = ReplayTransport::new(Recording {
            urbs: vec![
                urb(TransferType::Control, 0x80, Some(get_desc), 18, &[0x12], 0), // kernel's: skipped
                urb(TransferType::Bulk, 0x02, None, 2, b"hi", 0),
                urb(TransferType::Bulk, 0x81, None, 64, b"abc", 0),
                urb(TransferType::Bulk, 0x81, None, 64, b"", -32),
                urb(TransferType::Bulk, 0x02, None, 2, b"no", 0),
            ],
        });
        assert_eq!(r.bulk_out(Endpoint(0x02), b"hi", T).await.unwrap(), 2);
        assert!(r.done().is_err());
        assert_eq!(r.bulk_in(Endpoint(0x81), 64, T).await.unwrap(), b"abc");
        assert!(matches!(
            r.bulk_in(Endpoint(0x81), 64, T).await,
            Err(TransportError::Stall(Endpoint(0x81)))
        ));
        let e = r.bulk_out(Endpoint(0x02), b"ok", T).await.unwrap_err();
        assert!(
            matches!(
                e,
                TransportError::Replay(ReplayMismatch::Differs { index: 4, .. })
            ),
            "{e:?}"
        );
        assert_eq!(r.position(), 4);
        assert!(r.bulk_out(Endpoint(0x02), b"no", T).await.is_ok());
        r.done().unwrap();
        assert!(matches!(
            r.bulk_in(Endpoint(0x81), 1, T).await,
            Err(TransportError::Replay(ReplayMismatch::Exhausted { .. }))
        ));
    }

    #[tokio::test]
    async fn lengths_and_directions_must_match() {
        let mut r = ReplayTransport::new(Recording {
            urbs: vec![urb(TransferType::Bulk, 0x81, None, 64, b"abc", 0)],
        });
        assert!(r.bulk_in(Endpoint(0x81), 63, T).await.is_err());
        assert!(matches!(
            r.bulk_in(Endpoint(0x01), 64, T).await,
            Err(TransportError::Invalid(_))
        ));
        assert!(r.interrupt_in(Endpoint(0x81), 64, T).await.is_err());
        assert_eq!(r.bulk_in(Endpoint(0x81), 64, T).await.unwrap(), b"abc");
    }

    #[tokio::test]
    async fn control_transfers_match_on_the_setup_packet() {
        let setup = ControlSetup {
            request_type: 0x40,
            request: 0x0c,
            value: 0x0100,
            index: 0x0400,
        };
        let mut r = ReplayTransport::new(Recording {
            urbs: vec![
                urb(
                    TransferType::Control,
                    0x00,
                    Some(setup.to_bytes(1)),
                    1,
                    &[0],
                    0,
                ),
                urb(
                    TransferType::Control,
                    0x80,
                    Some([0xc0, 1, 0, 0, 0, 0, 2, 0]),
                    2,
                    &[7, 8],
                    0,
                ),
            ],
        });
        assert_eq!(r.control_out(setup, &[0], T).await.unwrap(), 1);
        let in_setup = ControlSetup {
            request_type: 0xc0,
            request: 1,
            value: 0,
            index: 0,
        };
        assert_eq!(r.control_in(in_setup, 2, T).await.unwrap(), [7, 8]);
        r.done().unwrap();
    }
}
