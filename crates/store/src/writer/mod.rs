//! [`LogWriter`]: the one way events enter a site's log, with group commit.
//!
//! Callers hand in [`Draft`]s (kind, subjects, payload) from any number of tasks. One writer
//! task owns the hash chain and the Merkle frontier ([`audit::Writer`]). Each turn it takes
//! everything queued (up to [`BATCH_CAP`] events), stamps the time from the injected clock,
//! seals the events, writes them all in **one** transaction, and only then answers each caller.
//! One sync to disk thus acknowledges many events: durability without paying one fsync per
//! event. If the store fails, the whole batch fails, the chain goes back to the stored head, and
//! no caller hears "ok" for an event that is not durable.
//!
//! After each batch, and on a timer, the writer asks the [`CheckpointPolicy`] whether a signed
//! checkpoint is due; if so it signs one with the site key and stores it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use audit::CheckpointPolicy;
//! use model::{EventKind, SiteId};
//! use store::writer::{Draft, LogWriter, system_clock};
//!
//! let store = store::open("sqlite:///var/lib/examd/site.db").await?;
//! let site: SiteId = "taian-01".parse()?;
//! let log = LogWriter::start(store, site, None, CheckpointPolicy::default(), system_clock()).await?;
//! let sealed = log
//!     .append(Draft { kind: EventKind::SystemStarted, subjects: vec![], payload: b"{}".to_vec() })
//!     .await?;
//! println!("durable as seq {}", sealed.event.seq);
//! log.shutdown().await;
//! # Ok(()) }
//! ```

mod resume;
mod task;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use audit::{Checkpoint, CheckpointPolicy, EncodeError, Sealed, Signer};
use model::{EventKind, SiteId, SubjectRef, UnixMs};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::{Store, StoreError};

/// The most events written in one transaction.
pub const BATCH_CAP: usize = 4096;
/// Requests that may wait in the queue before `append` itself waits (back-pressure).
const QUEUE: usize = 8192;
/// Sealed events the live tail keeps for slow subscribers before they lag.
const TAIL: usize = 4096;

/// The source of event times. Inject a fixed or stepping clock in tests.
pub type Clock = Arc<dyn Fn() -> UnixMs + Send + Sync>;

/// The system's wall clock, in Unix milliseconds.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        UnixMs(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
    })
}

/// An event before the writer gives it a seq, a time and a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// What it records.
    pub kind: EventKind,
    /// What it is about.
    pub subjects: Vec<SubjectRef>,
    /// The canonical payload (JSON by convention).
    pub payload: Vec<u8>,
}

/// An append was not made durable. Nothing of the request is in the log.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppendError {
    /// The writer has stopped (shut down, or its task ended).
    #[error("the log writer has stopped")]
    Closed,
    /// A draft cannot be encoded (too many subjects, an id or payload too long).
    #[error("draft {index} of the request cannot be encoded: {source}")]
    Invalid {
        /// Its position in the request.
        index: usize,
        /// Why.
        source: EncodeError,
    },
    /// The store failed to commit the batch this request was part of.
    #[error("the log could not be written: {0}")]
    Store(Arc<StoreError>),
}

/// Counters of a writer since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriterStats {
    /// Batches committed.
    pub commits: u64,
    /// Events committed.
    pub events: u64,
    /// Batches the store refused (their callers got [`AppendError::Store`]).
    pub failed_commits: u64,
    /// Checkpoints stored.
    pub checkpoints: u64,
}

/// The live counters behind [`WriterStats`], shared by the handle and the task.
#[derive(Debug, Default)]
struct Counters {
    commits: AtomicU64,
    events: AtomicU64,
    failed_commits: AtomicU64,
    checkpoints: AtomicU64,
}

impl Counters {
    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// What the writer task is asked to do.
enum Command {
    Append {
        drafts: Vec<Draft>,
        reply: oneshot::Sender<Result<Vec<Sealed>, AppendError>>,
    },
    Checkpoint {
        reply: oneshot::Sender<Result<Option<Checkpoint>, AppendError>>,
    },
    Shutdown {
        reply: oneshot::Sender<()>,
    },
}

/// A cheap, cloneable handle to a site's log writer task.
#[derive(Clone)]
pub struct LogWriter {
    site: SiteId,
    verified_at_start: u64,
    commands: mpsc::Sender<Command>,
    tail: broadcast::Sender<Arc<Sealed>>,
    counters: Arc<Counters>,
}

impl fmt::Debug for LogWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogWriter")
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

impl LogWriter {
    /// Resumes the site's log from the store and starts the writer task on the current tokio
    /// runtime. The stored chain is verified from the Merkle frontier kept with the latest
    /// checkpoint (after checking it against that checkpoint and the event it ends at), or from
    /// the genesis when there is none, so start time grows with the events since the last
    /// checkpoint, not with the log. `examd audit verify` still verifies the whole log.
    ///
    /// Without a `signer` no checkpoints are made. Fails if the stored log does not verify as
    /// this site's chain (`StoreError::Corrupt`): appending to a broken log would hide the break.
    pub async fn start(
        store: Arc<dyn Store>,
        site: SiteId,
        signer: Option<Signer>,
        policy: CheckpointPolicy,
        clock: Clock,
    ) -> Result<LogWriter, StoreError> {
        let resumed = resume::resume(&*store, &site, policy, clock()).await?;
        let verified_at_start = resumed.verified;
        let (commands, queue) = mpsc::channel(QUEUE);
        let (tail, _) = broadcast::channel(TAIL);
        let counters = Arc::new(Counters::default());
        let outputs = task::Outputs {
            tail: tail.clone(),
            counters: counters.clone(),
        };
        let task = task::Task::new(store, site.clone(), signer, policy, clock, resumed, outputs);
        tokio::spawn(task.run(queue));
        Ok(LogWriter {
            site,
            verified_at_start,
            commands,
            tail,
            counters,
        })
    }

    /// The site whose log this is.
    pub fn site(&self) -> &SiteId {
        &self.site
    }

    /// How many stored events [`LogWriter::start`] verified: those after the frontier it
    /// started from (all of them when there was none).
    pub fn verified_at_start(&self) -> u64 {
        self.verified_at_start
    }

    /// Counters since start: commits, events, failures, checkpoints. `events / commits` is the
    /// mean batch size, i.e. how many events each disk sync acknowledged.
    pub fn stats(&self) -> WriterStats {
        let c = &self.counters;
        WriterStats {
            commits: c.commits.load(Ordering::Relaxed),
            events: c.events.load(Ordering::Relaxed),
            failed_commits: c.failed_commits.load(Ordering::Relaxed),
            checkpoints: c.checkpoints.load(Ordering::Relaxed),
        }
    }

    /// Appends one event; returns it sealed once it is durable.
    pub async fn append(&self, draft: Draft) -> Result<Sealed, AppendError> {
        let mut sealed = self.append_many(vec![draft]).await?;
        sealed.pop().ok_or(AppendError::Closed)
    }

    /// Appends events with consecutive seqs, all or none; returns them sealed once durable.
    pub async fn append_many(&self, drafts: Vec<Draft>) -> Result<Vec<Sealed>, AppendError> {
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Append { drafts, reply })
            .await
            .map_err(|_| AppendError::Closed)?;
        answer.await.map_err(|_| AppendError::Closed)?
    }

    /// The live tail: every event, in seq order, after it is durable. A receiver that falls
    /// more than a few thousand events behind gets `RecvError::Lagged` and should re-read the
    /// gap from the store.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Sealed>> {
        self.tail.subscribe()
    }

    /// Makes and stores a signed checkpoint now if any event came since the last one. Errors
    /// are logged; see [`LogWriter::try_checkpoint_now`] to get them.
    pub async fn checkpoint_now(&self) {
        if let Err(e) = self.try_checkpoint_now().await {
            tracing::warn!(error = %e, "checkpoint failed");
        }
    }

    /// Like [`LogWriter::checkpoint_now`]: returns the checkpoint stored, or `None` when there
    /// was nothing new to cover or no signing key.
    pub async fn try_checkpoint_now(&self) -> Result<Option<Checkpoint>, AppendError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Checkpoint { reply })
            .await
            .map_err(|_| AppendError::Closed)?;
        answer.await.map_err(|_| AppendError::Closed)?
    }

    /// Writes everything queued before this call, makes a final checkpoint, and stops the task.
    /// Appends through other handles after this fail with [`AppendError::Closed`].
    pub async fn shutdown(self) {
        let (reply, answer) = oneshot::channel();
        if self
            .commands
            .send(Command::Shutdown { reply })
            .await
            .is_ok()
        {
            // An error here means the task already ended: nothing left to wait for.
            let _ = answer.await;
        }
    }
}
