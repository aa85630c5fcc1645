//! A sensor's live status as a pure state: observations in, the new status and (for link changes) the event to
//! log out. No IO, no clock: the time comes in with each observation.

use model::UnixMs;

/// The state of the link to a sensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Not opened yet since the daemon started.
    Connecting,
    /// Open and answering.
    Connected,
    /// Unplugged, not answering or refusing to open; the sensor task keeps trying.
    Lost,
}

impl Link {
    /// The stable name used in events and the API.
    pub fn name(self) -> &'static str {
        match self {
            Link::Connecting => "connecting",
            Link::Connected => "connected",
            Link::Lost => "lost",
        }
    }
}

/// What the sensor task saw.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// The sensor opened and answered.
    Opened {
        /// Driver family and model.
        model: String,
        /// Image width in pixels.
        width: u32,
        /// Image height in pixels.
        height: u32,
        /// True resolution.
        ppi: u32,
    },
    /// The link failed, or opening failed (the sensor is lost until it opens again).
    LinkFailed(String),
    /// The sensor answered, but with an error status (the link stays up).
    DeviceError(String),
    /// A finger is on the sensor (`true`) or not.
    Finger(bool),
    /// An image was captured.
    Captured,
}

/// A link change worth an event (`device.status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkChange {
    /// The new link state.
    pub link: Link,
    /// The error that ended the link, when it was lost.
    pub error: Option<String>,
}

/// A sensor's live status.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorStatus {
    /// The link.
    pub link: Link,
    /// Since when the link is in this state.
    pub since_ms: i64,
    /// The model the driver reports, once opened.
    pub model: Option<String>,
    /// Image width, once opened.
    pub width: Option<u32>,
    /// Image height, once opened.
    pub height: Option<u32>,
    /// True resolution, once opened.
    pub ppi: Option<u32>,
    /// Whether a finger is on the sensor (false while not connected).
    pub finger_present: bool,
    /// The last error, link or device.
    pub last_error: Option<String>,
    /// When the last error happened.
    pub last_error_ms: Option<i64>,
    /// When the last image was captured.
    pub last_capture_ms: Option<i64>,
    /// Images captured since the daemon started.
    pub captures: u64,
    /// How many times the link came back after being lost.
    pub reconnects: u64,
}

impl SensorStatus {
    /// The status of a sensor not opened yet.
    pub fn new(now: UnixMs) -> Self {
        SensorStatus {
            link: Link::Connecting,
            since_ms: now.0,
            model: None,
            width: None,
            height: None,
            ppi: None,
            finger_present: false,
            last_error: None,
            last_error_ms: None,
            last_capture_ms: None,
            captures: 0,
            reconnects: 0,
        }
    }

    fn set_link(&mut self, link: Link, now: UnixMs, error: Option<String>) -> Option<LinkChange> {
        if self.link == link {
            return None;
        }
        if link == Link::Connected && self.link == Link::Lost {
            self.reconnects += 1;
        }
        self.link = link;
        self.since_ms = now.0;
        Some(LinkChange { link, error })
    }

    /// Takes an observation at `now`; returns the link change to log, if the link changed.
    /// A failure while already lost is remembered as the last error but not logged again, so a sensor that
    /// stays unplugged does not flood the log.
    pub fn observe(&mut self, obs: Observation, now: UnixMs) -> Option<LinkChange> {
        match obs {
            Observation::Opened {
                model,
                width,
                height,
                ppi,
            } => {
                self.model = Some(model);
                self.width = Some(width);
                self.height = Some(height);
                self.ppi = Some(ppi);
                self.set_link(Link::Connected, now, None)
            }
            Observation::LinkFailed(e) => {
                self.finger_present = false;
                self.last_error = Some(e.clone());
                self.last_error_ms = Some(now.0);
                self.set_link(Link::Lost, now, Some(e))
            }
            Observation::DeviceError(e) => {
                self.last_error = Some(e);
                self.last_error_ms = Some(now.0);
                None
            }
            Observation::Finger(on) => {
                self.finger_present = on && self.link == Link::Connected;
                None
            }
            Observation::Captured => {
                self.captures += 1;
                self.last_capture_ms = Some(now.0);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opened() -> Observation {
        Observation::Opened {
            model: "r30x optical".into(),
            width: 256,
            height: 288,
            ppi: 500,
        }
    }

    #[test]
    fn link_changes_are_reported_once_each() {
        let mut s = SensorStatus::new(UnixMs(1));
        assert_eq!(s.link, Link::Connecting);
        assert_eq!(
            s.observe(opened(), UnixMs(2)),
            Some(LinkChange {
                link: Link::Connected,
                error: None
            })
        );
        assert_eq!(s.observe(opened(), UnixMs(3)), None);
        assert_eq!(s.ppi, Some(500));
        assert_eq!(s.observe(Observation::Finger(true), UnixMs(4)), None);
        assert!(s.finger_present);
        let lost = s.observe(Observation::LinkFailed("unplugged".into()), UnixMs(5));
        assert_eq!(
            lost,
            Some(LinkChange {
                link: Link::Lost,
                error: Some("unplugged".into())
            })
        );
        assert!(!s.finger_present, "no finger is known on a lost sensor");
        // Retries that fail while lost only update the last error.
        assert_eq!(
            s.observe(Observation::LinkFailed("no such port".into()), UnixMs(6)),
            None
        );
        assert_eq!(s.last_error.as_deref(), Some("no such port"));
        assert_eq!(s.last_error_ms, Some(6));
        assert_eq!(s.since_ms, 5);
        assert_eq!(s.observe(Observation::Finger(true), UnixMs(7)), None);
        assert!(!s.finger_present);
        assert!(s.observe(opened(), UnixMs(8)).is_some());
        assert_eq!(s.reconnects, 1);
    }

    #[test]
    fn device_errors_and_captures_keep_the_link() {
        let mut s = SensorStatus::new(UnixMs(0));
        s.observe(opened(), UnixMs(1));
        assert_eq!(
            s.observe(Observation::DeviceError("bad image".into()), UnixMs(2)),
            None
        );
        assert_eq!(s.link, Link::Connected);
        assert_eq!(s.observe(Observation::Captured, UnixMs(3)), None);
        assert_eq!(s.observe(Observation::Captured, UnixMs(9)), None);
        assert_eq!((s.captures, s.last_capture_ms), (2, Some(9)));
        assert_eq!(s.last_error.as_deref(), Some("bad image"));
    }

    #[test]
    fn a_sensor_that_never_opens_is_lost_once() {
        let mut s = SensorStatus::new(UnixMs(0));
        assert!(
            s.observe(Observation::LinkFailed("x".into()), UnixMs(1))
                .is_some()
        );
        assert!(
            s.observe(Observation::LinkFailed("x".into()), UnixMs(2))
                .is_none()
        );
        assert_eq!(s.reconnects, 0);
    }
}
