//! Where a camera is and how to log in.

use std::fmt;
use std::time::Duration;

use crate::CameraError;

/// The default bound on one snapshot's size: 4 MiB (a 4 MP camera's still is well under 1 MiB).
pub const DEFAULT_MAX_BYTES: usize = 4 << 20;

/// The default time for one snapshot, both requests of a digest exchange included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// A camera channel (1–327): ISAPI names its main stream `<n>01` (channel 1 → `101`, channel 2 → `201`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Channel(u16);

impl Channel {
    /// A channel number; 0 or one whose stream id would pass 65535 is refused.
    pub fn new(n: u16) -> Result<Self, CameraError> {
        if n == 0 || n > 327 {
            return Err(CameraError::BadChannel { channel: n });
        }
        Ok(Self(n))
    }

    /// The channel number.
    pub fn get(self) -> u16 {
        self.0
    }

    /// The main stream id, `<n>01`.
    pub fn stream_id(self) -> u32 {
        u32::from(self.0) * 100 + 1
    }

    /// The picture resource path, `/ISAPI/Streaming/channels/<n>01/picture`.
    pub fn picture_path(self) -> String {
        format!("/ISAPI/Streaming/channels/{}/picture", self.stream_id())
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The HTTP authentication scheme a camera asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthScheme {
    /// RFC 7616 digest (Hikvision's default).
    Digest,
    /// RFC 7617 basic (some older firmware, when enabled).
    Basic,
}

/// A camera account.
#[derive(Clone, PartialEq, Eq)]
pub struct Auth {
    /// The scheme the client answers with.
    pub scheme: AuthScheme,
    /// The account name.
    pub user: String,
    /// The password (never printed by `Debug`).
    pub password: String,
}

impl Auth {
    /// A digest account.
    pub fn digest(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            scheme: AuthScheme::Digest,
            user: user.into(),
            password: password.into(),
        }
    }

    /// A basic account.
    pub fn basic(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            scheme: AuthScheme::Basic,
            user: user.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("scheme", &self.scheme)
            .field("user", &self.user)
            .field("password", &"***")
            .finish()
    }
}

/// One camera: its base URL (`http://host[:port]`), channel, account and limits.
#[derive(Debug, Clone)]
pub struct CameraConfig {
    /// `http://host[:port]`, without a path.
    pub base_url: String,
    /// The channel whose main stream is captured.
    pub channel: Channel,
    /// The account.
    pub auth: Auth,
    /// The time for one snapshot.
    pub timeout: Duration,
    /// The largest answer accepted, in bytes.
    pub max_bytes: usize,
}

impl CameraConfig {
    /// A camera with the default timeout and size bound.
    pub fn new(base_url: impl Into<String>, channel: Channel, auth: Auth) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            channel,
            auth,
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// The snapshot URL.
    pub fn picture_url(&self) -> String {
        format!("{}{}", self.base_url, self.channel.picture_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_paths_follow_isapi_stream_ids() {
        assert_eq!(
            Channel::new(1).unwrap().picture_path(),
            "/ISAPI/Streaming/channels/101/picture"
        );
        assert_eq!(Channel::new(12).unwrap().stream_id(), 1201);
        assert!(matches!(
            Channel::new(0),
            Err(CameraError::BadChannel { channel: 0 })
        ));
        assert!(Channel::new(328).is_err());
    }

    #[test]
    fn debug_hides_the_password() {
        let text = format!("{:?}", Auth::digest("admin", "hunter2"));
        assert!(text.contains("admin") && !text.contains("hunter2"));
    }

    #[test]
    fn base_url_loses_its_trailing_slash() {
        let c = CameraConfig::new(
            "http://cam:8080/",
            Channel::new(2).unwrap(),
            Auth::basic("a", "b"),
        );
        assert_eq!(
            c.picture_url(),
            "http://cam:8080/ISAPI/Streaming/channels/201/picture"
        );
    }
}
