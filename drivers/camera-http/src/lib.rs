//! An IP camera's still snapshot over HTTP: the Hikvision ISAPI picture resource
//! `GET /ISAPI/Streaming/channels/<n>01/picture`, answered with one `image/jpeg`.
//!
//! - [`CameraConfig`], [`Channel`]: where the camera is and how to log in (digest, as cameras ask by default,
//!   or basic).
//! - [`CameraClient::snapshot`]: one picture, answered only after [`validate_jpeg`] checked it (content type,
//!   JPEG start and end markers, size bound, decodes with the `image` crate); every refusal names what was wrong
//!   ([`CameraError`], [`JpegFault`]).
//! - [`sim`]: a simulated camera (axum) serving the same path with the same authentication, rendering a
//!   deterministic synthetic picture ([`sim::render_scene`]: a stylised head and shoulders derived from the seed of
//!   the person in front of it, and a time bar) — never a real face.
//!
//! ```no_run
//! use camera_http::{Auth, CameraClient, CameraConfig, Channel};
//! # async fn run() -> Result<(), camera_http::CameraError> {
//! let config = CameraConfig::new("http://192.0.2.10", Channel::new(1)?, Auth::digest("admin", "secret"));
//! let client = CameraClient::new(config)?;
//! let shot = client.snapshot().await?;
//! println!("{}x{} px, {} bytes", shot.width, shot.height, shot.jpeg.len());
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod client;
mod config;
mod error;
pub mod sim;
mod validate;

pub use client::CameraClient;
pub use config::{Auth, AuthScheme, CameraConfig, Channel, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT};
pub use error::CameraError;
pub use validate::{JpegFault, MAX_DIMENSION, Snapshot, validate_jpeg};
