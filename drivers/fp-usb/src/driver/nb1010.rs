//! The NB-1010 driver.

use std::time::Duration;

use async_trait::async_trait;
use hw::{FingerImage, FingerprintSensor, SensorError, SensorInfo};
use tracing::{debug, trace};

use super::garbage;
use crate::protocol::nb1010::{self as proto, Assembler, Command};
use crate::transport::UsbTransport;

/// libfprint's timeout for every transfer.
const TIMEOUT: Duration = Duration::from_millis(500);
/// Pause before each finger check.
const POLL_DELAY: Duration = Duration::from_millis(50);

/// A NEXT Biometrics NB-1010-U press sensor over transport `T`.
#[derive(Debug)]
pub struct Nb1010<T> {
    transport: T,
    info: SensorInfo,
}

impl<T: UsbTransport> Nb1010<T> {
    /// Drives the sensor behind `transport` (interface 0 already claimed).
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            info: SensorInfo {
                model: "nb1010 NEXT NB-1010-U".into(),
                image_width: proto::WIDTH as u32,
                image_height: proto::HEIGHT as u32,
                ppi: proto::PPI,
                library_capacity: None,
            },
        }
    }

    /// Gives the transport back (a replay checks it was used up).
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Sends `cmd` and returns its 16-byte answer: the one place that frames commands.
    async fn send_command(&mut self, cmd: Command) -> Result<Vec<u8>, SensorError> {
        let bytes = cmd.encode(cmd.usual_seq());
        trace!(?cmd, out = %hex::encode(&bytes), "nb1010 command");
        self.transport
            .bulk_out(proto::EP_OUT, &bytes, TIMEOUT)
            .await?;
        let answer = self
            .transport
            .bulk_in(proto::EP_IN, proto::ANSWER_LEN, TIMEOUT)
            .await?;
        trace!(answer = %hex::encode(&answer), "nb1010 answer");
        proto::check_header(&answer).map_err(garbage)?;
        Ok(answer)
    }

    /// Reads the finger level (above 0x30 means a finger is present).
    pub async fn finger_level(&mut self) -> Result<u8, SensorError> {
        let answer = self.send_command(Command::CheckFinger).await?;
        proto::finger_level(&answer).map_err(garbage)
    }
}

#[async_trait]
impl<T: UsbTransport> FingerprintSensor for Nb1010<T> {
    fn info(&self) -> &SensorInfo {
        &self.info
    }

    async fn wait_for_finger(&mut self, deadline: Duration) -> Result<(), SensorError> {
        let start = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(POLL_DELAY).await;
            let level = self.finger_level().await?;
            if proto::finger_present(level) {
                debug!(level, "nb1010 finger present");
                return Ok(());
            }
            if start.elapsed() >= deadline {
                return Err(SensorError::NoFinger(deadline));
            }
        }
    }

    async fn capture_image(&mut self) -> Result<FingerImage, SensorError> {
        self.send_command(Command::PreCapture).await?;
        self.send_command(Command::Capture).await?;
        let mut image = Assembler::new();
        while !image.is_complete() {
            let frame = self
                .transport
                .bulk_in(proto::EP_IN, proto::FRAME_LEN, TIMEOUT)
                .await?;
            image.push(&frame).map_err(garbage)?;
        }
        let pixels = image.finish().map_err(garbage)?;
        FingerImage::new(proto::WIDTH as u32, proto::HEIGHT as u32, pixels)
            .map_err(|e| SensorError::Garbage(Box::new(e)))
    }

    async fn cancel(&mut self) -> Result<(), SensorError> {
        // The sensor keeps no operation running between commands.
        Ok(())
    }
}
