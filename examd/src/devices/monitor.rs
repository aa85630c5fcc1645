//! One task per configured sensor: opens it, polls for a finger, serves capture requests, and reopens it after
//! the link fails or the hot-plug watcher sees it come back. Link changes are logged as `device.status`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hw::{FingerImage, FingerprintSensor, SensorError};
use model::{EventKind, SubjectKind, SubjectRef};
use serde_json::json;
use store::{Draft, LogWriter};
use tokio::sync::{mpsc, oneshot, watch};

use super::open::{ConfiguredSensors, error_chain};
use super::spec::SensorSpec;
use super::status::{LinkChange, Observation, SensorStatus};
use crate::state::Clock;
use hw::SensorFactory as _;

/// How the sensor tasks poll.
#[derive(Debug, Clone, Copy)]
pub struct MonitorConfig {
    /// Pause between finger-presence polls while connected.
    pub finger_poll: Duration,
    /// First pause before reopening a lost sensor; doubled after each failure up to `max_backoff`.
    pub backoff: Duration,
    /// Longest pause before reopening.
    pub max_backoff: Duration,
    /// How often the hot-plug watcher lists the configured devices.
    pub hotplug_every: Duration,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            finger_poll: Duration::from_millis(300),
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(5),
            hotplug_every: Duration::from_millis(500),
        }
    }
}

/// A request to a sensor task.
#[derive(Debug)]
pub enum Request {
    /// Wait up to `wait` for a finger and capture its image.
    Capture {
        /// How long to wait for a finger.
        wait: Duration,
        /// The image, or why there is none.
        reply: oneshot::Sender<Result<FingerImage, CaptureError>>,
    },
}

/// Why a capture gave no image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// The sensor is not connected now.
    #[error("sensor {0} is not connected")]
    NotConnected(String),
    /// No finger was placed in time.
    #[error("no finger on sensor {0} in time")]
    NoFinger(String),
    /// The sensor or its link failed.
    #[error("sensor {id}: {error}")]
    Sensor {
        /// The sensor.
        id: String,
        /// What went wrong.
        error: String,
    },
}

/// What the daemon keeps of one sensor task.
#[derive(Debug, Clone)]
pub struct SensorHandle {
    /// Its configuration.
    pub spec: SensorSpec,
    /// Its live status.
    pub status: Arc<Mutex<SensorStatus>>,
    /// Requests to its task.
    pub requests: mpsc::Sender<Request>,
    /// Presence as the hot-plug watcher sees it.
    pub presence: Arc<watch::Sender<bool>>,
}

struct Task {
    spec: SensorSpec,
    status: Arc<Mutex<SensorStatus>>,
    log: LogWriter,
    clock: Clock,
    cfg: MonitorConfig,
}

enum End {
    Stop,
    Lost(String),
}

impl Task {
    async fn observe(&self, obs: Observation) {
        let change = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            s.observe(obs, (self.clock)())
        };
        if let Some(change) = change {
            self.log_change(change).await;
        }
    }

    async fn log_change(&self, change: LinkChange) {
        let s = self
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match &change.error {
            Some(e) => tracing::warn!(sensor = %self.spec.id, error = %e, "sensor lost"),
            None => {
                tracing::info!(sensor = %self.spec.id, link = change.link.name(), "sensor link")
            }
        }
        let payload = json!({
            "device": self.spec.id.as_str(),
            "kind": self.spec.kind.name(),
            "role": self.spec.role.to_string(),
            "selector": self.spec.selector.to_string(),
            "link": change.link.name(),
            "error": change.error,
            "model": s.model,
            "width": s.width,
            "height": s.height,
            "ppi": s.ppi,
            "reconnects": s.reconnects,
        });
        let draft = Draft {
            kind: EventKind::DeviceStatus,
            subjects: vec![SubjectRef::new(SubjectKind::Device, self.spec.id.as_str())],
            payload: serde_json::to_vec(&payload).expect("JSON values serialise"),
        };
        if let Err(e) = self.log.append(draft).await {
            tracing::error!(sensor = %self.spec.id, error = %e, "device.status not logged");
        }
    }

    fn id(&self) -> String {
        self.spec.id.to_string()
    }

    /// While connected: serve requests, poll the finger, watch presence; returns when the link is gone.
    async fn connected(
        &self,
        sensor: &mut dyn FingerprintSensor,
        rx: &mut mpsc::Receiver<Request>,
        presence: &mut watch::Receiver<bool>,
    ) -> End {
        let mut tick = tokio::time::interval(self.cfg.finger_poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                req = rx.recv() => {
                    let Some(Request::Capture { wait, reply }) = req else { return End::Stop };
                    let r = match sensor.wait_for_finger(wait).await {
                        Ok(()) => sensor.capture_image().await,
                        Err(e) => Err(e),
                    };
                    match r {
                        Ok(img) => {
                            self.observe(Observation::Finger(true)).await;
                            self.observe(Observation::Captured).await;
                            let _ = reply.send(Ok(img));
                        }
                        Err(SensorError::NoFinger(_)) => {
                            self.observe(Observation::Finger(false)).await;
                            let _ = reply.send(Err(CaptureError::NoFinger(self.id())));
                        }
                        Err(e) => {
                            let msg = error_chain(&e);
                            let _ = reply.send(Err(CaptureError::Sensor { id: self.id(), error: msg.clone() }));
                            if e.is_link_fault() {
                                return End::Lost(msg);
                            }
                            self.observe(Observation::DeviceError(msg)).await;
                        }
                    }
                }
                changed = presence.changed() => {
                    if changed.is_ok() && !*presence.borrow_and_update() {
                        return End::Lost(format!("device {} unplugged", self.spec.selector));
                    }
                }
                _ = tick.tick() => {
                    match sensor.wait_for_finger(Duration::ZERO).await {
                        Ok(()) => self.observe(Observation::Finger(true)).await,
                        Err(SensorError::NoFinger(_)) => self.observe(Observation::Finger(false)).await,
                        Err(e) if e.is_link_fault() => return End::Lost(error_chain(&e)),
                        Err(e) => self.observe(Observation::DeviceError(error_chain(&e))).await,
                    }
                }
            }
        }
    }

    /// While lost: answer requests with "not connected" until `pause` passes or the device reappears.
    /// Returns false when the area stops.
    async fn wait_lost(
        &self,
        pause: Duration,
        rx: &mut mpsc::Receiver<Request>,
        presence: &mut watch::Receiver<bool>,
    ) -> bool {
        let until = tokio::time::Instant::now() + pause;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => return true,
                req = rx.recv() => match req {
                    None => return false,
                    Some(Request::Capture { reply, .. }) => {
                        let _ = reply.send(Err(CaptureError::NotConnected(self.id())));
                    }
                },
                changed = presence.changed() => {
                    if changed.is_err() {
                        // The watcher is gone: fall back to the timer alone.
                        tokio::time::sleep_until(until).await;
                        return true;
                    }
                    if *presence.borrow_and_update() {
                        return true;
                    }
                }
            }
        }
    }

    async fn run(
        self,
        factory: Arc<ConfiguredSensors>,
        mut rx: mpsc::Receiver<Request>,
        mut presence: watch::Receiver<bool>,
    ) {
        let mut backoff = self.cfg.backoff;
        loop {
            presence.borrow_and_update();
            match factory.open(&self.spec.selector).await {
                Ok(mut sensor) => {
                    let info = sensor.info().clone();
                    self.observe(Observation::Opened {
                        model: info.model,
                        width: info.image_width,
                        height: info.image_height,
                        ppi: info.ppi,
                    })
                    .await;
                    backoff = self.cfg.backoff;
                    match self
                        .connected(sensor.as_mut(), &mut rx, &mut presence)
                        .await
                    {
                        End::Stop => {
                            let _ = sensor.cancel().await;
                            return;
                        }
                        End::Lost(e) => self.observe(Observation::LinkFailed(e)).await,
                    }
                }
                Err(e) => self.observe(Observation::LinkFailed(error_chain(&e))).await,
            }
            if !self.wait_lost(backoff, &mut rx, &mut presence).await {
                return;
            }
            backoff = (backoff * 2).min(self.cfg.max_backoff);
        }
    }
}

/// Starts the task of one sensor.
pub fn spawn(
    spec: SensorSpec,
    factory: Arc<ConfiguredSensors>,
    log: LogWriter,
    clock: Clock,
    cfg: MonitorConfig,
) -> (SensorHandle, tokio::task::JoinHandle<()>) {
    let status = Arc::new(Mutex::new(SensorStatus::new(clock())));
    let (tx, rx) = mpsc::channel(8);
    let (presence_tx, presence_rx) = watch::channel(true);
    let task = Task {
        spec: spec.clone(),
        status: status.clone(),
        log,
        clock,
        cfg,
    };
    let join = tokio::spawn(task.run(factory, rx, presence_rx));
    (
        SensorHandle {
            spec,
            status,
            requests: tx,
            presence: Arc::new(presence_tx),
        },
        join,
    )
}
