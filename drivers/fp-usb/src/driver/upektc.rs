//! The UPEK TouchChip (`upektc_img`) driver.

use std::time::Duration;

use async_trait::async_trait;
use hw::{DeviceStatus, FingerImage, FingerprintSensor, SensorError, SensorInfo};
use tracing::{debug, trace};

use super::garbage;
use crate::protocol::upektc::{self as proto, Assembler, CaptureEvent, Command, FingerStatus, Seq};
use crate::transport::{ControlSetup, UsbTransport};

/// libfprint's timeout for every transfer.
const TIMEOUT: Duration = Duration::from_millis(4000);

/// A capture the device abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UpekStatus {
    /// The swipe was too short.
    #[error("swipe too short")]
    TooShort,
    /// The finger moved sideways too much.
    #[error("finger not centred")]
    CenterFinger,
    /// Another failure code.
    #[error("capture failed")]
    Failed(u8),
}

impl DeviceStatus for UpekStatus {
    fn code(&self) -> u32 {
        match self {
            Self::TooShort => 0x1e,
            Self::CenterFinger => 0x1d,
            Self::Failed(c) => u32::from(*c),
        }
    }
}

/// Where the device is.
#[derive(Debug)]
enum State {
    /// Not initialised (or deinitialised after a capture).
    Idle,
    /// Initialised; the next capture needs `InitCapture`.
    Ready,
    /// Capture running; frames so far.
    Capturing(Assembler),
}

/// A UPEK TouchChip TCS5B swipe sensor over transport `T`.
#[derive(Debug)]
pub struct UpekTc<T> {
    transport: T,
    info: SensorInfo,
    seq: Seq,
    state: State,
}

impl<T: UsbTransport> UpekTc<T> {
    /// Drives the sensor behind `transport` (interface 0 already claimed).
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            info: SensorInfo {
                model: "upektc_img UPEK TouchChip TCS5B".into(),
                image_width: proto::WIDTH as u32,
                image_height: proto::HEIGHT as u32,
                ppi: proto::PPI,
                library_capacity: None,
            },
            seq: Seq::ZERO,
            state: State::Idle,
        }
    }

    /// Gives the transport back (a replay checks it was used up).
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Sends `cmd`; commands with `numbered` take and advance the sequence number, others use 0.
    async fn send(&mut self, cmd: Command, numbered: bool) -> Result<(), SensorError> {
        let seq = if numbered { self.seq } else { Seq::ZERO };
        if numbered {
            self.seq = self.seq.next();
        }
        let bytes = cmd.encode(seq);
        trace!(?cmd, out = %hex::encode(&bytes), "upektc command");
        self.transport
            .bulk_out(proto::EP_OUT, &bytes, TIMEOUT)
            .await?;
        Ok(())
    }

    /// Reads one answer: 64 bytes, plus the rest when the header announces more.
    async fn read_answer(&mut self) -> Result<Vec<u8>, SensorError> {
        let mut buf = Vec::new();
        while buf.is_empty() {
            buf = self
                .transport
                .bulk_in(proto::EP_IN, proto::SHORT_READ, TIMEOUT)
                .await?;
        }
        if proto::message_len(&buf).map_err(garbage)? > buf.len() {
            let rest = self
                .transport
                .bulk_in(proto::EP_IN, proto::MAX_ANSWER - proto::SHORT_READ, TIMEOUT)
                .await?;
            buf.extend_from_slice(&rest);
        }
        trace!(len = buf.len(), head = %hex::encode(&buf[..buf.len().min(24)]), "upektc answer");
        Ok(buf)
    }

    async fn vendor_request(&mut self) -> Result<(), SensorError> {
        let (request_type, request, value, index) = proto::CONTROL_SETUP;
        let setup = ControlSetup {
            request_type,
            request,
            value,
            index,
        };
        self.transport.control_out(setup, &[0], TIMEOUT).await?;
        Ok(())
    }

    /// Initialises the device (libfprint's activation sequence).
    async fn activate(&mut self) -> Result<(), SensorError> {
        self.seq = Seq::ZERO;
        self.vendor_request().await?;
        self.read_answer().await?;
        self.send(Command::Init1, false).await?;
        self.read_answer().await?;
        self.send(Command::Init2, false).await?;
        self.read_answer().await?;
        self.vendor_request().await?;
        self.read_answer().await?;
        self.send(Command::Init3, false).await?;
        self.read_answer().await?;
        self.send(Command::Init4, true).await?;
        self.read_answer().await?;
        self.state = State::Ready;
        Ok(())
    }

    /// Ends the session (libfprint's deactivation).
    async fn deactivate(&mut self) -> Result<(), SensorError> {
        self.send(Command::Deinit, true).await?;
        self.read_answer().await?;
        self.state = State::Idle;
        Ok(())
    }

    /// Makes sure a capture is running.
    async fn start_capture(&mut self) -> Result<(), SensorError> {
        if matches!(self.state, State::Idle) {
            self.activate().await?;
        }
        if matches!(self.state, State::Ready) {
            self.send(Command::InitCapture, true).await?;
            self.state = State::Capturing(Assembler::new());
        }
        Ok(())
    }

    /// Handles one capture answer; returns the image once the last frame is in.
    async fn step(&mut self) -> Result<Option<FingerImage>, SensorError> {
        let answer = self.read_answer().await?;
        let msg = proto::decode_message(&answer).map_err(garbage)?;
        match proto::capture_event(&msg).map_err(garbage)? {
            CaptureEvent::Kind08 => self.send(Command::Ack08, false).await?,
            CaptureEvent::Status(s @ (FingerStatus::NoFinger | FingerStatus::Finger)) => {
                debug!(?s, "upektc finger status");
                self.send(Command::AckStatus, true).await?;
            }
            CaptureEvent::Status(failed) => {
                self.send(Command::AckStatus, true).await?;
                // The device sends one closing answer; the next capture starts with InitCapture.
                self.read_answer().await?;
                self.state = State::Ready;
                return Err(SensorError::Device(Box::new(match failed {
                    FingerStatus::TooShort => UpekStatus::TooShort,
                    FingerStatus::CenterFinger => UpekStatus::CenterFinger,
                    FingerStatus::Failed(c) => UpekStatus::Failed(c),
                    FingerStatus::NoFinger | FingerStatus::Finger => UpekStatus::Failed(0),
                })));
            }
            CaptureEvent::Frame { pixels, last } => {
                let State::Capturing(image) = &mut self.state else {
                    return Err(garbage(crate::protocol::ProtocolError::Unexpected(0x24)));
                };
                image.push(pixels).map_err(garbage)?;
                if !last {
                    self.send(Command::AckFrame, true).await?;
                    return Ok(None);
                }
                let State::Capturing(image) = std::mem::replace(&mut self.state, State::Ready)
                else {
                    unreachable!("state checked above");
                };
                let pixels = image.finish().map_err(garbage)?;
                self.deactivate().await?;
                return FingerImage::new(proto::WIDTH as u32, proto::HEIGHT as u32, pixels)
                    .map(Some)
                    .map_err(|e| SensorError::Garbage(Box::new(e)));
            }
        }
        Ok(None)
    }

    fn frames_started(&self) -> bool {
        matches!(&self.state, State::Capturing(a) if !a.is_empty())
    }
}

#[async_trait]
impl<T: UsbTransport> FingerprintSensor for UpekTc<T> {
    fn info(&self) -> &SensorInfo {
        &self.info
    }

    /// Starts a capture and handles answers until the first image frame has arrived.
    async fn wait_for_finger(&mut self, deadline: Duration) -> Result<(), SensorError> {
        let start = tokio::time::Instant::now();
        self.start_capture().await?;
        while !self.frames_started() {
            match self.step().await {
                Ok(Some(_)) => unreachable!("an image needs frames"),
                Ok(None) => {}
                // The device sends nothing while no finger is on it.
                Err(SensorError::Timeout(_)) => {}
                Err(e) => return Err(e),
            }
            if !self.frames_started() && start.elapsed() >= deadline {
                return Err(SensorError::NoFinger(deadline));
            }
        }
        Ok(())
    }

    async fn capture_image(&mut self) -> Result<FingerImage, SensorError> {
        self.start_capture().await?;
        loop {
            if let Some(image) = self.step().await? {
                return Ok(image);
            }
        }
    }

    async fn cancel(&mut self) -> Result<(), SensorError> {
        if matches!(self.state, State::Idle) {
            return Ok(());
        }
        let result = self.deactivate().await;
        // Whatever the device answered, the next capture starts from scratch.
        self.state = State::Idle;
        result
    }
}
