//! The site's shipper: a task that sends the site log to central, from the last
//! acknowledgement on, and never stands in the way of the exam.
//!
//! It only reads the site store (`events`, `checkpoints`, `log_head`); appends never wait for
//! it. At start, and after every failure, it asks central where it stands (a batch with no
//! records): so a restart of either end resumes from central's acknowledgement, and a replayed
//! batch costs one idempotent answer. Failures back off exponentially with full jitter.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use audit::Signer;
use model::{Seq, SiteId, UnixMs};
use store::Store;
use store::writer::Clock;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::central::BATCHES_PATH;
use crate::photo::{PhotoSource, WirePhoto, photo_ref};
use crate::protocol::{Ack, Batch, Record, Refusal, WireCheckpoint};

/// How the shipper batches and retries.
#[derive(Debug, Clone)]
pub struct ShipperConfig {
    /// The most events in one batch.
    pub max_events: u32,
    /// How long to wait for new events when caught up (a [`ShipperHandle::nudge`] ends the wait).
    pub idle_wait: Duration,
    /// The first retry delay; doubled per consecutive failure (with jitter), up to `backoff_max`.
    pub backoff_min: Duration,
    /// The longest retry delay.
    pub backoff_max: Duration,
    /// Timeout of one request.
    pub request_timeout: Duration,
}

impl Default for ShipperConfig {
    fn default() -> Self {
        ShipperConfig {
            max_events: 1000,
            idle_wait: Duration::from_millis(20),
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// What the console shows about shipping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipperStatus {
    /// The highest contiguous seq central acknowledged (`None`: not heard from central yet).
    pub acked: Option<u64>,
    /// The site log's last seq when last looked at.
    pub local_head: u64,
    /// Events not yet acknowledged (`local_head - acked`, or all when `acked` is unknown).
    pub backlog: u64,
    /// When the last acknowledgement came.
    pub last_ack_at: Option<UnixMs>,
    /// The last failure, cleared by the next acknowledgement.
    pub last_error: Option<String>,
    /// Consecutive failures.
    pub failures: u32,
    /// Batches acknowledged since start.
    pub batches: u64,
    /// Photos attached to batches since start (a batch sent again counts again).
    pub photos_sent: u64,
    /// Photos an event named that could not be read (the event shipped without them).
    pub photo_errors: u64,
    /// The last such failure, naming the event and the photo.
    pub last_photo_error: Option<String>,
}

/// A running shipper.
#[derive(Debug)]
pub struct ShipperHandle {
    status: Arc<Mutex<ShipperStatus>>,
    wake: Arc<Notify>,
    task: JoinHandle<()>,
}

impl ShipperHandle {
    /// The current status.
    pub fn status(&self) -> ShipperStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Tells the shipper new events are there (ends its idle wait early). Cheap; call it after
    /// appends if latency matters.
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Stops the task.
    pub async fn shutdown(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

/// Why one exchange with central failed.
#[derive(Debug, thiserror::Error)]
enum SendError {
    #[error("central refused: {0}")]
    Refused(Refusal),
    #[error("transport: {0}")]
    Transport(String),
    #[error("site store: {0}")]
    Store(#[from] store::StoreError),
}

/// Where the shipper stands with central.
#[derive(Debug, Default)]
struct Position {
    /// Central's acknowledgement (`None`: ask it first).
    acked: Option<u64>,
    /// Checkpoints up to this tree size are at central.
    checkpoint: u64,
}

/// The shipper task.
pub struct Shipper {
    store: Arc<dyn Store>,
    site: SiteId,
    signer: Arc<Signer>,
    url: String,
    config: ShipperConfig,
    clock: Clock,
    client: reqwest::Client,
    status: Arc<Mutex<ShipperStatus>>,
    wake: Arc<Notify>,
    photos: Option<Arc<dyn PhotoSource>>,
}

impl std::fmt::Debug for Shipper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shipper")
            .field("site", &self.site)
            .field("url", &self.url)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Shipper {
    /// Starts shipping `site`'s log from `store` to the central at `endpoint` (its base URL,
    /// e.g. `http://central:8443`), signing with `signer`.
    pub fn start(
        store: Arc<dyn Store>,
        site: SiteId,
        signer: Arc<Signer>,
        endpoint: &str,
        config: ShipperConfig,
        clock: Clock,
    ) -> ShipperHandle {
        Shipper::start_with_photos(store, site, signer, endpoint, config, clock, None)
    }

    /// [`Shipper::start`], attaching to each event that names a photo (`crate::photo`) the JPEG
    /// read from `photos` by its SHA-256 when the batch is built. A photo that cannot be read
    /// is counted and reported in the status; its event ships without it.
    pub fn start_with_photos(
        store: Arc<dyn Store>,
        site: SiteId,
        signer: Arc<Signer>,
        endpoint: &str,
        config: ShipperConfig,
        clock: Clock,
        photos: Option<Arc<dyn PhotoSource>>,
    ) -> ShipperHandle {
        let status = Arc::new(Mutex::new(ShipperStatus::default()));
        let wake = Arc::new(Notify::new());
        let client = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .unwrap_or_default();
        let shipper = Shipper {
            store,
            site,
            signer,
            url: format!("{}{BATCHES_PATH}", endpoint.trim_end_matches('/')),
            config,
            clock,
            client,
            status: status.clone(),
            wake: wake.clone(),
            photos,
        };
        let task = tokio::spawn(shipper.run());
        ShipperHandle { status, wake, task }
    }

    fn update(&self, f: impl FnOnce(&mut ShipperStatus)) {
        if let Ok(mut s) = self.status.lock() {
            f(&mut s);
            s.backlog = s.local_head.saturating_sub(s.acked.unwrap_or(0));
        }
    }

    async fn run(self) {
        let mut at = Position::default();
        let mut failures: u32 = 0;
        loop {
            match self.step(&mut at).await {
                Ok(true) => failures = 0,
                Ok(false) => {
                    failures = 0;
                    let _ = tokio::time::timeout(self.config.idle_wait, self.wake.notified()).await;
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    if let SendError::Refused(Refusal::Gap { expected }) = &e {
                        at.acked = Some(expected.saturating_sub(1));
                    } else {
                        // Ask central where it stands before the next batch.
                        at.acked = None;
                    }
                    tracing::warn!(site = %self.site, error = %e, failures, "shipping to central failed");
                    self.update(|s| {
                        s.last_error = Some(e.to_string());
                        s.failures = failures;
                    });
                    tokio::time::sleep(self.backoff(failures)).await;
                }
            }
        }
    }

    /// Full jitter: a uniform delay in `[0, min(max, min · 2^(n-1))]`, at least 1 ms.
    fn backoff(&self, failures: u32) -> Duration {
        let ceiling = self
            .config
            .backoff_min
            .saturating_mul(1u32 << failures.saturating_sub(1).min(20))
            .min(self.config.backoff_max);
        let ms = ceiling.as_millis().max(1) as u64;
        Duration::from_millis(rand::random_range(1..=ms))
    }

    /// One exchange. `Ok(true)`: progress, go on; `Ok(false)`: caught up.
    async fn step(&self, at: &mut Position) -> Result<bool, SendError> {
        let local_head = self.store.log_head().await?.map_or(0, |(s, _)| s.0);
        self.update(|s| s.local_head = s.local_head.max(local_head));
        let Some(acked) = at.acked else {
            let ack = self
                .send(Batch::sign(
                    &self.signer,
                    &self.site,
                    Seq(1),
                    vec![],
                    vec![],
                ))
                .await?;
            at.acked = Some(ack.highest_contiguous_seq);
            at.checkpoint = ack.checkpoint.unwrap_or(0);
            self.acknowledged(&ack);
            return Ok(true);
        };
        let from = acked + 1;
        let events = self.store.events(Seq(from), self.config.max_events).await?;
        let last = events.last().map_or(acked, |e| e.seq.0);
        let held = self.store.checkpoints().await?;
        let newest_checkpoint = held
            .iter()
            .map(|c| c.tree_size)
            .filter(|&t| t <= last)
            .max()
            .unwrap_or(at.checkpoint);
        let checkpoints: Vec<WireCheckpoint> = held
            .into_iter()
            .filter(|c| c.tree_size > at.checkpoint && c.tree_size <= last)
            .map(|c| WireCheckpoint {
                body: c.body,
                signature: c.signature,
            })
            .collect();
        if events.is_empty() && checkpoints.is_empty() {
            return Ok(false);
        }
        let photos = self.photos_of(&events);
        let records = events
            .into_iter()
            .map(|e| Record {
                bytes: e.bytes,
                hash: e.hash.0.to_vec(),
            })
            .collect();
        let batch = Batch::sign(&self.signer, &self.site, Seq(from), records, checkpoints)
            .with_photos(photos);
        let ack = self.send(batch).await?;
        at.acked = Some(ack.highest_contiguous_seq);
        if ack.highest_contiguous_seq >= last {
            at.checkpoint = at.checkpoint.max(newest_checkpoint);
        }
        self.acknowledged(&ack);
        Ok(true)
    }

    /// The photos the events name, read from the photo source; one that cannot be read is
    /// reported (the event still ships).
    fn photos_of(&self, events: &[store::StoredEvent]) -> Vec<WirePhoto> {
        let Some(source) = &self.photos else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in events {
            let Some(sha) = audit::decode(&e.bytes)
                .ok()
                .and_then(|ev| photo_ref(&ev.payload))
            else {
                continue;
            };
            match source.read(&sha) {
                Ok(jpeg) => out.push(WirePhoto::new(e.seq.0, &sha, &jpeg)),
                Err(err) => {
                    let detail = format!("event {}: {err}; shipped without its photo", e.seq.0);
                    tracing::warn!(site = %self.site, %detail, "photo not shipped");
                    self.update(|s| {
                        s.photo_errors += 1;
                        s.last_photo_error = Some(detail);
                    });
                }
            }
        }
        let sent = out.len() as u64;
        self.update(|s| s.photos_sent += sent);
        out
    }

    fn acknowledged(&self, ack: &Ack) {
        let now = (self.clock)();
        self.update(|s| {
            s.acked = Some(ack.highest_contiguous_seq);
            s.local_head = s.local_head.max(ack.highest_contiguous_seq);
            s.last_ack_at = Some(now);
            s.last_error = None;
            s.failures = 0;
            s.batches += 1;
        });
    }

    async fn send(&self, batch: Batch) -> Result<Ack, SendError> {
        let answer = self
            .client
            .post(&self.url)
            .json(&batch)
            .send()
            .await
            .map_err(|e| SendError::Transport(e.to_string()))?;
        let ok = answer.status().is_success();
        let body = answer
            .bytes()
            .await
            .map_err(|e| SendError::Transport(e.to_string()))?;
        if ok {
            serde_json::from_slice(&body).map_err(|e| SendError::Transport(format!("bad ack: {e}")))
        } else {
            match serde_json::from_slice::<Refusal>(&body) {
                Ok(r) => Err(SendError::Refused(r)),
                Err(_) => Err(SendError::Transport(format!(
                    "answer without a refusal: {}",
                    String::from_utf8_lossy(&body[..body.len().min(200)])
                ))),
            }
        }
    }
}
