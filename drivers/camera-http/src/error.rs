//! What can go wrong fetching a snapshot; each variant names it.

use std::time::Duration;

use crate::JpegFault;

/// A snapshot that could not be had. "The camera refused" (status, credentials) stays apart from "the link
/// failed" (transport, timeout) and "the answer was not a picture" (content type, JPEG).
#[derive(Debug, thiserror::Error)]
pub enum CameraError {
    /// A channel number outside 1–327.
    #[error("camera channel {channel} is outside 1-327")]
    BadChannel {
        /// The number given.
        channel: u16,
    },
    /// The HTTP client could not be built or the URL is malformed.
    #[error("camera client for {url}: {source}")]
    Setup {
        /// The URL.
        url: String,
        /// What reqwest said.
        #[source]
        source: reqwest::Error,
    },
    /// No answer within the timeout.
    #[error("camera at {url} did not answer within {timeout:?}")]
    Timeout {
        /// The URL.
        url: String,
        /// The timeout.
        timeout: Duration,
    },
    /// The connection failed (refused, reset, DNS).
    #[error("camera at {url} unreachable: {source}")]
    Transport {
        /// The URL.
        url: String,
        /// What reqwest said.
        #[source]
        source: reqwest::Error,
    },
    /// The camera refused the credentials (401 after answering its challenge, or 403).
    #[error("camera at {url} refused the credentials of {user} (HTTP {status})")]
    Unauthorized {
        /// The URL.
        url: String,
        /// The account.
        user: String,
        /// 401 or 403.
        status: u16,
    },
    /// The camera's challenge could not be answered (no or malformed `WWW-Authenticate`).
    #[error("camera at {url} sent an unusable authentication challenge: {detail}")]
    Challenge {
        /// The URL.
        url: String,
        /// What was wrong with it.
        detail: String,
    },
    /// Any other non-success status.
    #[error("camera at {url} answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The answer is not `image/jpeg`.
    #[error("camera at {url} answered content type {content_type:?}, not image/jpeg")]
    ContentType {
        /// The URL.
        url: String,
        /// The `Content-Type` received (empty when absent).
        content_type: String,
    },
    /// The body is not an acceptable JPEG.
    #[error("camera at {url} sent a bad picture: {fault}")]
    Picture {
        /// The URL.
        url: String,
        /// What was wrong.
        #[source]
        fault: JpegFault,
    },
}

impl CameraError {
    /// A short reason for logs and events ("timeout", "unauthorized", …).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::BadChannel { .. } | Self::Setup { .. } => "setup",
            Self::Timeout { .. } => "timeout",
            Self::Transport { .. } => "unreachable",
            Self::Unauthorized { .. } | Self::Challenge { .. } => "unauthorized",
            Self::Status { .. } => "status",
            Self::ContentType { .. } => "content_type",
            Self::Picture { .. } => "bad_picture",
        }
    }
}
