//! Hot-plug: turning successive device listings into arrival and departure events.
//!
//! The core ([`HotplugTracker`]) is pure; [`watch`] polls a [`SensorFactory`] on a timer and
//! sends the events down a channel. Polling (rather than udev) keeps it portable and testable.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::{DeviceInfo, SensorFactory};

/// A change in the set of present devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HotplugEvent {
    /// A device appeared.
    Arrived(DeviceInfo),
    /// A device disappeared.
    Left(DeviceInfo),
}

/// Remembers the last listing and reports what changed.
#[derive(Debug, Default)]
pub struct HotplugTracker {
    known: Vec<DeviceInfo>,
}

impl HotplugTracker {
    /// A tracker that knows no device yet (the first listing reports every device as arrived).
    pub fn new() -> Self {
        Self::default()
    }

    /// The devices present at the last update.
    pub fn present(&self) -> &[DeviceInfo] {
        &self.known
    }

    /// Takes a new listing; returns departures first, then arrivals, each in listing order.
    /// Devices are told apart by selector.
    pub fn update(&mut self, listing: Vec<DeviceInfo>) -> Vec<HotplugEvent> {
        let has =
            |list: &[DeviceInfo], d: &DeviceInfo| list.iter().any(|x| x.selector == d.selector);
        let mut events: Vec<HotplugEvent> = self
            .known
            .iter()
            .filter(|d| !has(&listing, d))
            .cloned()
            .map(HotplugEvent::Left)
            .collect();
        events.extend(
            listing
                .iter()
                .filter(|d| !has(&self.known, d))
                .cloned()
                .map(HotplugEvent::Arrived),
        );
        self.known = listing;
        events
    }
}

/// Polls `factory` every `every` and sends changes to `tx`, until the receiver is dropped.
/// A failed listing is skipped (the previous state is kept) so a transient error does not
/// report every device as gone.
pub async fn watch(
    factory: Arc<dyn SensorFactory>,
    every: Duration,
    tx: mpsc::Sender<HotplugEvent>,
) {
    let mut tracker = HotplugTracker::new();
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if tx.is_closed() {
            return;
        }
        let Ok(listing) = factory.list().await else {
            continue;
        };
        for ev in tracker.update(listing) {
            if tx.send(ev).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::{FingerprintSensor, Selector, SensorError};

    fn dev(path: &str) -> DeviceInfo {
        DeviceInfo {
            selector: Selector::R30x {
                path: path.into(),
                baud: None,
            },
            description: String::new(),
        }
    }

    #[test]
    fn tracker_reports_changes_only() {
        let mut t = HotplugTracker::new();
        assert_eq!(
            t.update(vec![dev("a"), dev("b")]),
            vec![
                HotplugEvent::Arrived(dev("a")),
                HotplugEvent::Arrived(dev("b"))
            ]
        );
        assert_eq!(t.update(vec![dev("a"), dev("b")]), vec![]);
        assert_eq!(
            t.update(vec![dev("b"), dev("c")]),
            vec![
                HotplugEvent::Left(dev("a")),
                HotplugEvent::Arrived(dev("c"))
            ]
        );
        assert_eq!(t.present(), &[dev("b"), dev("c")]);
    }

    struct Scripted(Mutex<Vec<Result<Vec<DeviceInfo>, SensorError>>>);

    #[async_trait]
    impl SensorFactory for Scripted {
        fn family(&self) -> &'static str {
            "scripted"
        }
        async fn list(&self) -> Result<Vec<DeviceInfo>, SensorError> {
            let mut s = self.0.lock().unwrap();
            if s.is_empty() {
                Ok(vec![dev("b")])
            } else {
                s.remove(0)
            }
        }
        async fn open(&self, s: &Selector) -> Result<Box<dyn FingerprintSensor>, SensorError> {
            Err(SensorError::NotFound(s.to_string()))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn watch_survives_a_failed_listing() {
        let factory = Arc::new(Scripted(Mutex::new(vec![
            Ok(vec![dev("a")]),
            Err(SensorError::Timeout(Duration::from_millis(1))),
            Ok(vec![dev("a"), dev("b")]),
        ])));
        let (tx, mut rx) = mpsc::channel(8);
        let task = tokio::spawn(watch(factory, Duration::from_millis(100), tx));
        assert_eq!(rx.recv().await, Some(HotplugEvent::Arrived(dev("a"))));
        assert_eq!(rx.recv().await, Some(HotplugEvent::Arrived(dev("b"))));
        assert_eq!(rx.recv().await, Some(HotplugEvent::Left(dev("a"))));
        drop(rx);
        task.await.unwrap();
    }
}
