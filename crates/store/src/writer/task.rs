//! The writer task: batches, seals, commits, answers, checkpoints.

use std::sync::Arc;
use std::time::Duration;

use audit::{Checkpoint, CheckpointPolicy, Event, Sealed, Signer, Writer};
use model::SiteId;
use tokio::sync::{broadcast, mpsc, oneshot};

use super::resume::{Resumed, resume};
use super::{AppendError, BATCH_CAP, Clock, Command, Counters, Draft};
use crate::{Store, StoreError, StoredCheckpoint};

/// The longest a batch waits for callers of the previous one to come back (see [`gather`]).
const LINGER: Duration = Duration::from_millis(1);

type AppendReply = oneshot::Sender<Result<Vec<Sealed>, AppendError>>;

/// What ends a gathering turn besides appends.
enum Control {
    Checkpoint(oneshot::Sender<Result<Option<Checkpoint>, AppendError>>),
    Shutdown(oneshot::Sender<()>),
}

/// Where the task reports: the live tail and the counters.
pub(super) struct Outputs {
    pub tail: broadcast::Sender<Arc<Sealed>>,
    pub counters: Arc<Counters>,
}

pub(super) struct Task {
    store: Arc<dyn Store>,
    site: SiteId,
    signer: Option<Signer>,
    policy: CheckpointPolicy,
    clock: Clock,
    writer: Writer,
    /// Tree size of the last stored checkpoint.
    checkpointed: u64,
    /// The store may hold something other than `writer` believes (a commit whose outcome is
    /// unknown): re-read it before the next batch.
    stale: bool,
    tail: broadcast::Sender<Arc<Sealed>>,
    counters: Arc<Counters>,
}

impl Task {
    pub(super) fn new(
        store: Arc<dyn Store>,
        site: SiteId,
        signer: Option<Signer>,
        policy: CheckpointPolicy,
        clock: Clock,
        resumed: Resumed,
        outputs: Outputs,
    ) -> Task {
        Task {
            store,
            site,
            signer,
            policy,
            clock,
            writer: resumed.writer,
            checkpointed: resumed.checkpointed,
            stale: false,
            tail: outputs.tail,
            counters: outputs.counters,
        }
    }

    /// How often the time trigger of the checkpoint policy is looked at.
    fn tick_period(&self) -> Option<Duration> {
        let ms = u64::try_from(self.policy.every_ms)
            .ok()
            .filter(|&ms| ms > 0)?;
        self.signer.as_ref()?;
        Some(Duration::from_millis((ms / 4).clamp(10, 1000)))
    }

    pub(super) async fn run(mut self, mut queue: mpsc::Receiver<Command>) {
        let mut tick = self.tick_period().map(|p| {
            let mut t = tokio::time::interval(p);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            t
        });
        // Requests in the last batch: about how many callers are appending.
        let mut expected = 1;
        loop {
            let first = tokio::select! {
                command = queue.recv() => command,
                _ = async { tick.as_mut().expect("guarded").tick().await }, if tick.is_some() => {
                    self.checkpoint_if_due().await;
                    continue;
                }
            };
            let Some(first) = first else {
                // Every handle is gone: close the log as shutdown would.
                self.final_checkpoint().await;
                return;
            };
            let (appends, control) = gather(first, &mut queue, expected).await;
            if !appends.is_empty() {
                expected = appends.len();
                self.commit(appends).await;
                self.checkpoint_if_due().await;
            }
            match control {
                None => {}
                Some(Control::Checkpoint(reply)) => {
                    let _ = reply.send(self.checkpoint().await);
                }
                Some(Control::Shutdown(reply)) => {
                    self.final_checkpoint().await;
                    queue.close();
                    while let Ok(command) = queue.try_recv() {
                        refuse(command);
                    }
                    let _ = reply.send(());
                    return;
                }
            }
        }
    }

    /// Seals every request, commits them in one transaction, and answers.
    async fn commit(&mut self, appends: Vec<(Vec<Draft>, AppendReply)>) {
        if self.stale
            && let Err(e) = self.reload().await
        {
            let e = Arc::new(e);
            for (_, reply) in appends {
                let _ = reply.send(Err(AppendError::Store(e.clone())));
            }
            return;
        }
        let before = self.writer.clone();
        let time = (self.clock)();
        let mut batch: Vec<Sealed> = Vec::new();
        let mut accepted: Vec<(std::ops::Range<usize>, AppendReply)> =
            Vec::with_capacity(appends.len());
        for (drafts, reply) in appends {
            let undo = (drafts.len() > 1).then(|| self.writer.clone());
            let start = batch.len();
            let mut refused = None;
            for (index, draft) in drafts.into_iter().enumerate() {
                let event = Event {
                    seq: self.writer.chain().last().next(),
                    time,
                    kind: draft.kind,
                    subjects: draft.subjects,
                    payload: draft.payload,
                };
                match self.writer.append(event) {
                    Ok(sealed) => batch.push(sealed),
                    Err(audit::ChainError::Encode(source)) => {
                        refused = Some(AppendError::Invalid { index, source });
                        break;
                    }
                    Err(gap @ audit::ChainError::Gap { .. }) => {
                        unreachable!("the writer numbers its own events: {gap}")
                    }
                }
            }
            match refused {
                None => accepted.push((start..batch.len(), reply)),
                Some(e) => {
                    // Only this request is refused; the chain goes back to where it began.
                    batch.truncate(start);
                    if let Some(undo) = undo {
                        self.writer = undo;
                    }
                    let _ = reply.send(Err(e));
                }
            }
        }
        if batch.is_empty() {
            return;
        }
        match self.store.append(&batch).await {
            Ok(()) => {}
            Err(e) => {
                if !self.committed_anyway(&batch).await {
                    self.writer = before;
                    Counters::add(&self.counters.failed_commits, 1);
                    let e = Arc::new(e);
                    tracing::error!(error = %e, events = batch.len(), "log batch not stored");
                    for (_, reply) in accepted {
                        let _ = reply.send(Err(AppendError::Store(e.clone())));
                    }
                    return;
                }
                tracing::warn!(error = %e, "the store reported an error, but the batch is stored");
            }
        }
        Counters::add(&self.counters.commits, 1);
        Counters::add(&self.counters.events, batch.len() as u64);
        for (range, reply) in accepted {
            let _ = reply.send(Ok(batch[range].to_vec()));
        }
        for sealed in batch {
            // No subscriber is not an error.
            let _ = self.tail.send(Arc::new(sealed));
        }
    }

    /// After a failed commit: whether the store holds the batch after all (the commit went
    /// through but its answer was lost). When the store cannot tell, or holds something else,
    /// the writer re-reads it before the next batch.
    async fn committed_anyway(&mut self, batch: &[Sealed]) -> bool {
        let last = batch.last().map(|s| (s.event.seq, s.hash));
        match self.store.log_head().await {
            Ok(head) if head == last => true,
            Ok(head) if head == stored_head(&self.writer) => false,
            Ok(_) | Err(_) => {
                self.stale = true;
                false
            }
        }
    }

    /// Rebuilds the state from the store.
    async fn reload(&mut self) -> Result<(), StoreError> {
        let resumed = resume(&*self.store, &self.site, self.policy, (self.clock)()).await?;
        self.writer = resumed.writer;
        self.checkpointed = resumed.checkpointed;
        self.stale = false;
        Ok(())
    }

    async fn checkpoint_if_due(&mut self) {
        if self.signer.is_some()
            && !self.stale
            && self.writer.checkpoint_due((self.clock)())
            && let Err(e) = self.checkpoint().await
        {
            tracing::warn!(error = %e, "scheduled checkpoint failed");
        }
    }

    async fn final_checkpoint(&mut self) {
        if let Err(e) = self.checkpoint().await {
            tracing::warn!(error = %e, "final checkpoint failed");
        }
    }

    /// Signs and stores a checkpoint of the log as it is, if any event came since the last one.
    async fn checkpoint(&mut self) -> Result<Option<Checkpoint>, AppendError> {
        let Some(signer) = &self.signer else {
            return Ok(None);
        };
        if self.stale || self.writer.frontier().size() == self.checkpointed {
            return Ok(None);
        }
        let before = self.writer.clone();
        let checkpoint = self.writer.checkpoint((self.clock)());
        let signed = signer.sign(&checkpoint);
        let stored = StoredCheckpoint {
            tree_size: checkpoint.tree_size,
            body: signed.body,
            signature: signed.signature,
        };
        match self.store.put_checkpoint(&stored).await {
            Ok(()) => {
                self.checkpointed = checkpoint.tree_size;
                Counters::add(&self.counters.checkpoints, 1);
                // Without it a restart verifies from an earlier frontier (or the genesis): slower, never wrong.
                let frontier = self.writer.frontier().to_bytes();
                if let Err(e) = self
                    .store
                    .put_frontier(checkpoint.tree_size, &frontier)
                    .await
                {
                    tracing::warn!(error = %e, tree_size = checkpoint.tree_size, "storing the log frontier failed");
                }
                Ok(Some(checkpoint))
            }
            Err(e) => {
                // Keep the schedule: the checkpoint is still due.
                self.writer = before;
                Err(AppendError::Store(Arc::new(e)))
            }
        }
    }
}

/// The stored head as the writer believes it (`None` for an empty log).
fn stored_head(writer: &Writer) -> Option<(model::Seq, audit::Hash)> {
    let chain = writer.chain();
    (chain.last().0 > 0).then(|| (chain.last(), chain.head()))
}

/// Takes `first` and whatever else is queued, up to [`BATCH_CAP`] events, stopping after the
/// first control command so it runs after the appends sent before it.
///
/// Callers answered by the last commit are usually on their way back with their next event:
/// when fewer than `expected` requests (the last batch's) are queued, it waits up to [`LINGER`]
/// for more, so one commit (one disk sync) serves them all instead of a straggler or two
/// taking a sync of their own. With one caller `expected` is 1 and nothing waits.
async fn gather(
    first: Command,
    queue: &mut mpsc::Receiver<Command>,
    expected: usize,
) -> (Vec<(Vec<Draft>, AppendReply)>, Option<Control>) {
    let mut appends = Vec::new();
    let mut events = 0;
    let deadline = tokio::time::Instant::now() + LINGER;
    let mut next = Some(first);
    while let Some(command) = next.take() {
        match command {
            Command::Append { drafts, reply } => {
                events += drafts.len();
                appends.push((drafts, reply));
            }
            Command::Checkpoint { reply } => return (appends, Some(Control::Checkpoint(reply))),
            Command::Shutdown { reply } => return (appends, Some(Control::Shutdown(reply))),
        }
        if events >= BATCH_CAP {
            break;
        }
        next = match queue.try_recv() {
            Ok(command) => Some(command),
            Err(_) if appends.len() < expected => tokio::time::timeout_at(deadline, queue.recv())
                .await
                .ok()
                .flatten(),
            Err(_) => None,
        };
    }
    (appends, None)
}

/// Answers a command that came after shutdown.
fn refuse(command: Command) {
    match command {
        Command::Append { reply, .. } => {
            let _ = reply.send(Err(AppendError::Closed));
        }
        Command::Checkpoint { reply } => {
            let _ = reply.send(Err(AppendError::Closed));
        }
        Command::Shutdown { reply } => {
            let _ = reply.send(());
        }
    }
}
