//! The fingerprint sensor capability traits and the values they exchange.

use std::time::Duration;

use async_trait::async_trait;

use crate::SensorError;

/// A grey-scale fingerprint image, 8 bits a pixel, rows top to bottom.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerImage {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

/// The pixel buffer does not fit the stated dimensions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("image of {width}x{height} needs {} pixels, got {got}", (*.width as u64) * (*.height as u64))]
pub struct ImageError {
    width: u32,
    height: u32,
    got: usize,
}

impl FingerImage {
    /// Wraps a pixel buffer; fails when its length is not `width * height`.
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, ImageError> {
        if (width as u64) * (height as u64) != pixels.len() as u64 {
            return Err(ImageError {
                width,
                height,
                got: pixels.len(),
            });
        }
        Ok(Self {
            width,
            height,
            pixels,
        })
    }
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Row-major pixels, 0 = black.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }
    /// Takes the pixel buffer.
    pub fn into_pixels(self) -> Vec<u8> {
        self.pixels
    }
}

impl std::fmt::Debug for FingerImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FingerImage({}x{})", self.width, self.height)
    }
}

/// A slot ("page") in a module's on-device template library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TemplateSlot(pub u16);

/// A device's own match score; its scale is the device's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MatchScore(pub u16);

/// Where an on-device search found the finger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchHit {
    /// The library slot that matched.
    pub slot: TemplateSlot,
    /// The device's score for that match.
    pub score: MatchScore,
}

/// What a sensor is, as far as the daemon needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorInfo {
    /// Driver family and model, for logs (for example `"r30x optical"`).
    pub model: String,
    /// Image width in pixels.
    pub image_width: u32,
    /// Image height in pixels.
    pub image_height: u32,
    /// The sensor's true resolution in pixels per inch: images go to extraction at this resolution.
    pub ppi: u32,
    /// On-device library capacity, when the device has one.
    pub library_capacity: Option<u16>,
}

/// A fingerprint sensor: wait for a finger, capture its image.
///
/// Cancelling is dropping the future of `wait_for_finger` or `capture_image`; afterwards call
/// [`FingerprintSensor::cancel`] so the device leaves any operation it started.
#[async_trait]
pub trait FingerprintSensor: Send {
    /// What this sensor is.
    fn info(&self) -> &SensorInfo;

    /// Polls until a finger is on the sensor, or fails with [`SensorError::NoFinger`] after `deadline`.
    /// The image taken when the finger was seen stays in the device and can be fetched by `capture_image`.
    async fn wait_for_finger(&mut self, deadline: Duration) -> Result<(), SensorError>;

    /// Captures (or fetches the last captured) image of the finger on the sensor.
    async fn capture_image(&mut self) -> Result<FingerImage, SensorError>;

    /// Asks the device to abandon any operation in progress; a no-op for devices without one.
    async fn cancel(&mut self) -> Result<(), SensorError>;

    /// The on-device matcher, for modules that store and search templates themselves.
    fn on_device(&mut self) -> Option<&mut dyn OnDeviceMatcher> {
        None
    }
}

/// On-device enrolment and search, for modules that keep their own template library.
#[async_trait]
pub trait OnDeviceMatcher: Send {
    /// Takes two captures of the finger now on the sensor (lifting in between is the caller's
    /// concern), merges them and stores the template at `slot`.
    async fn enroll(&mut self, slot: TemplateSlot, deadline: Duration) -> Result<(), SensorError>;
    /// Captures the finger on the sensor and searches the whole library; `None` when not found.
    async fn search(&mut self, deadline: Duration) -> Result<Option<SearchHit>, SensorError>;
    /// Deletes the template at `slot`.
    async fn delete(&mut self, slot: TemplateSlot) -> Result<(), SensorError>;
    /// Deletes every template.
    async fn clear(&mut self) -> Result<(), SensorError>;
    /// How many templates the library holds.
    async fn template_count(&mut self) -> Result<u16, SensorError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_checks_its_size() {
        assert!(FingerImage::new(2, 3, vec![0; 6]).is_ok());
        let e = FingerImage::new(2, 3, vec![0; 5]).unwrap_err();
        assert_eq!(e.to_string(), "image of 2x3 needs 6 pixels, got 5");
    }
}
