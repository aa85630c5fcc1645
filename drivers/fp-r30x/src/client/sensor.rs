//! The `hw` seam for R30x modules: image capture plus on-device enrolment and search.

use std::time::Duration;

use async_trait::async_trait;
use hw::{
    FingerImage, FingerprintSensor, OnDeviceMatcher, SearchHit, SensorError, SensorInfo,
    TemplateSlot,
};
use tokio::io::{AsyncRead, AsyncWrite};

use super::{R30x, flatten};
use crate::protocol::{self, CharBuffer, ConfirmationCode, ImageGeometry};

impl<T: AsyncRead + AsyncWrite + Unpin + Send> R30x<T> {
    /// Polls GenImg until a finger is seen or `deadline` passes.
    async fn poll_finger(&mut self, deadline: Duration) -> Result<(), SensorError> {
        let until = tokio::time::Instant::now() + deadline;
        loop {
            match self.send_command(&protocol::GenImg).await? {
                Ok(()) => {
                    self.image_ready = true;
                    return Ok(());
                }
                Err(ConfirmationCode::NoFinger) if tokio::time::Instant::now() < until => {
                    tokio::time::sleep(self.config.finger_poll).await;
                }
                Err(ConfirmationCode::NoFinger) => return Err(SensorError::NoFinger(deadline)),
                Err(c) => return Err(SensorError::Device(Box::new(c))),
            }
        }
    }

    async fn library_capacity(&mut self) -> Result<u16, SensorError> {
        match self.info.library_capacity {
            Some(c) => Ok(c),
            None => Ok(self.read_sys_params().await?.capacity),
        }
    }
}

#[async_trait]
impl<T: AsyncRead + AsyncWrite + Unpin + Send> FingerprintSensor for R30x<T> {
    fn info(&self) -> &SensorInfo {
        &self.info
    }

    async fn wait_for_finger(&mut self, deadline: Duration) -> Result<(), SensorError> {
        self.poll_finger(deadline).await
    }

    async fn capture_image(&mut self) -> Result<FingerImage, SensorError> {
        if !self.image_ready {
            flatten(self.send_command(&protocol::GenImg).await)?;
        }
        self.image_ready = false;
        flatten(self.up_image().await)
    }

    async fn cancel(&mut self) -> Result<(), SensorError> {
        self.image_ready = false;
        match self.config.geometry {
            // Only the R50x firmware has a Cancel instruction; the optical modules have nothing to abandon.
            ImageGeometry::Capacitive => flatten(self.send_command(&protocol::Cancel).await),
            ImageGeometry::Optical => Ok(()),
        }
    }

    fn on_device(&mut self) -> Option<&mut dyn OnDeviceMatcher> {
        Some(self)
    }
}

#[async_trait]
impl<T: AsyncRead + AsyncWrite + Unpin + Send> OnDeviceMatcher for R30x<T> {
    async fn enroll(&mut self, slot: TemplateSlot, deadline: Duration) -> Result<(), SensorError> {
        for buffer in [CharBuffer::One, CharBuffer::Two] {
            self.poll_finger(deadline).await?;
            self.image_ready = false;
            flatten(self.send_command(&protocol::Img2Tz { buffer }).await)?;
        }
        flatten(self.send_command(&protocol::RegModel).await)?;
        flatten(
            self.send_command(&protocol::Store {
                buffer: CharBuffer::One,
                page: slot,
            })
            .await,
        )
    }

    async fn search(&mut self, deadline: Duration) -> Result<Option<SearchHit>, SensorError> {
        let capacity = self.library_capacity().await?;
        self.poll_finger(deadline).await?;
        self.image_ready = false;
        flatten(
            self.send_command(&protocol::Img2Tz {
                buffer: CharBuffer::One,
            })
            .await,
        )?;
        flatten(self.search_library(CharBuffer::One, capacity).await)
    }

    async fn delete(&mut self, slot: TemplateSlot) -> Result<(), SensorError> {
        flatten(
            self.send_command(&protocol::DeletChar {
                start: slot,
                count: 1,
            })
            .await,
        )
    }

    async fn clear(&mut self) -> Result<(), SensorError> {
        flatten(self.send_command(&protocol::Empty).await)
    }

    async fn template_count(&mut self) -> Result<u16, SensorError> {
        flatten(self.send_command(&protocol::TemplateNum).await)
    }
}
