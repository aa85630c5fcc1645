//! The LogWriter part of the story: group commit under concurrency, refusal of bad drafts,
//! failures that acknowledge nothing, the live tail, checkpoints, shutdown and restart.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

use async_trait::async_trait;
use audit::{CheckpointPolicy, Hash, PublicKey, Sealed, SignedCheckpoint, Signer};
use model::{EventKind, Seq, SiteId, SubjectKind, SubjectRef, UnixMs, UserName};
use store::identity::{
    IdentityStore, IdentityWrite, PersonKind, PersonRow, RosterRow, RosterSummary, TemplateRow,
};
use store::writer::{AppendError, Clock, Draft, LogWriter};
use store::{NewUser, SessionRow, Store, StoreError, StoredCheckpoint, StoredEvent, UserRow};

use super::site;

const TASKS: u64 = 16;
const PER_TASK: u64 = 25;

fn stepping_clock() -> Clock {
    let now = Arc::new(AtomicI64::new(1_800_000_000_000));
    Arc::new(move || UnixMs(now.fetch_add(1, Ordering::Relaxed)))
}

fn draft(n: u64) -> Draft {
    Draft {
        kind: if n.is_multiple_of(3) {
            EventKind::UserLogin
        } else {
            EventKind::DeviceReport
        },
        subjects: vec![SubjectRef::new(
            SubjectKind::Device,
            format!("seat-{}", n % 7),
        )],
        payload: format!("{{\"n\":{n}}}").into_bytes(),
    }
}

async fn head_seq(store: &dyn Store) -> u64 {
    store.log_head().await.unwrap().map_or(0, |(seq, _)| seq.0)
}

/// Everything the store holds, verified from the genesis with every stored checkpoint.
async fn verify_all(store: &dyn Store, keys: &[PublicKey]) -> audit::Report {
    let events = store.events(Seq(1), u32::MAX).await.unwrap();
    let checkpoints: Vec<SignedCheckpoint> = store
        .checkpoints()
        .await
        .unwrap()
        .into_iter()
        .map(|c| SignedCheckpoint {
            body: c.body,
            signature: c.signature,
        })
        .collect();
    let report = audit::verify(
        &site(),
        keys,
        events.into_iter().map(|e| (e.bytes, e.hash)),
        &checkpoints,
        None,
    )
    .unwrap_or_else(|f| panic!("stored log does not verify: {f}"));
    assert_eq!(report.checkpoints_checked, checkpoints.len());
    report
}

pub async fn story(store: Arc<dyn Store>, earlier_key: PublicKey) {
    let start = head_seq(&*store).await;
    assert!(
        start > 0,
        "the story's earlier events are there to resume from"
    );
    let (signer, pkcs8) = Signer::generate().unwrap();
    let keys = [earlier_key, signer.public_key()];
    let policy = CheckpointPolicy {
        every_events: 100,
        every_ms: 0,
    };

    // A log of another site does not verify: the writer refuses to append to it.
    let other: SiteId = "other-site".parse().unwrap();
    match LogWriter::start(store.clone(), other, None, policy, stepping_clock()).await {
        Err(StoreError::Corrupt { .. }) => {}
        other => panic!("expected the foreign log to be refused, got {other:?}"),
    }

    let log = LogWriter::start(
        store.clone(),
        site(),
        Some(signer),
        policy,
        stepping_clock(),
    )
    .await
    .unwrap();
    let mut tail = log.subscribe();

    // Many tasks at once: every event acknowledged once, seqs dense, chain valid.
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for i in 0..PER_TASK {
                let n = t * PER_TASK + i;
                if i % 5 == 4 {
                    let pair = log
                        .append_many(vec![draft(n), draft(n + 1_000_000)])
                        .await
                        .unwrap();
                    assert_eq!(
                        pair[1].event.seq,
                        pair[0].event.seq.next(),
                        "a request's events are consecutive"
                    );
                    mine.extend(pair);
                } else {
                    mine.push(log.append(draft(n)).await.unwrap());
                }
            }
            mine
        }));
    }
    let mut acked: Vec<Sealed> = Vec::new();
    for task in tasks {
        acked.extend(task.await.unwrap());
    }
    acked.sort_by_key(|s| s.event.seq);
    let expected_count = TASKS * PER_TASK + TASKS * PER_TASK / 5;
    assert_eq!(acked.len() as u64, expected_count);
    for (i, sealed) in acked.iter().enumerate() {
        assert_eq!(
            sealed.event.seq,
            Seq(start + 1 + i as u64),
            "dense and unique"
        );
    }
    let end = start + expected_count;
    assert_eq!(head_seq(&*store).await, end);
    let stored = store.events(Seq(start + 1), u32::MAX).await.unwrap();
    assert_eq!(stored.len(), acked.len());
    for (s, a) in stored.iter().zip(&acked) {
        assert_eq!(
            (&s.bytes, s.hash),
            (&a.bytes, a.hash),
            "acknowledged = stored"
        );
    }

    let stats = log.stats();
    assert_eq!(stats.events, expected_count);
    assert!(
        stats.commits >= 1 && stats.commits <= stats.events,
        "{stats:?}"
    );
    assert_eq!(stats.failed_commits, 0);

    // The live tail saw every event, in order, after it was stored.
    for sealed in &acked {
        let got = tail.recv().await.unwrap();
        assert_eq!(*got, *sealed);
    }

    // Bad drafts are refused alone; the chain does not move.
    let mut crowded = draft(1);
    crowded.subjects = vec![SubjectRef::new(SubjectKind::User, "x"); 256];
    match log.append(crowded.clone()).await {
        Err(AppendError::Invalid { index: 0, .. }) => {}
        other => panic!("{other:?}"),
    }
    match log.append_many(vec![draft(1), crowded]).await {
        Err(AppendError::Invalid { index: 1, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(log.append_many(vec![]).await.unwrap().is_empty());
    assert_eq!(head_seq(&*store).await, end);

    // Checkpoints were made every 100 events and verify with the site key.
    let sizes: Vec<u64> = store
        .checkpoints()
        .await
        .unwrap()
        .iter()
        .map(|c| c.tree_size)
        .collect();
    assert!(
        sizes.iter().filter(|&&s| s > start).count() >= 3,
        "checkpoints after {start}: {sizes:?}"
    );
    let explicit = log.try_checkpoint_now().await.unwrap();
    assert_eq!(
        explicit.map(|c| c.tree_size),
        Some(end).filter(|_| !sizes.contains(&end))
    );
    assert_eq!(
        log.try_checkpoint_now().await.unwrap(),
        None,
        "nothing new to cover"
    );
    verify_all(&*store, &keys).await;

    // Shutdown drains, seals with a final checkpoint, and closes every handle.
    let other_handle = log.clone();
    let last = log.append(draft(7)).await.unwrap();
    log.shutdown().await;
    assert!(matches!(
        other_handle.append(draft(8)).await,
        Err(AppendError::Closed)
    ));
    let sizes: Vec<u64> = store
        .checkpoints()
        .await
        .unwrap()
        .iter()
        .map(|c| c.tree_size)
        .collect();
    assert_eq!(
        sizes.last(),
        Some(&last.event.seq.0),
        "final checkpoint covers everything"
    );

    // A restart resumes the chain where it stopped.
    let signer = Signer::from_pkcs8(&pkcs8).unwrap();
    let log = LogWriter::start(
        store.clone(),
        site(),
        Some(signer),
        policy,
        stepping_clock(),
    )
    .await
    .unwrap();
    assert_eq!(
        log.verified_at_start(),
        0,
        "the final checkpoint's frontier covers the whole log"
    );
    let next = log.append(draft(9)).await.unwrap();
    assert_eq!(next.event.seq, last.event.seq.next());
    assert_eq!(audit::Chain::link(&last.hash, &next.bytes), next.hash);
    log.shutdown().await;
    let report = verify_all(&*store, &keys).await;
    assert_eq!(report.last_seq, next.event.seq);

    faults(store.clone()).await;
    resume_from_frontier(store.clone()).await;

    let total: u64 = store
        .kind_counts()
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        total,
        head_seq(&*store).await,
        "the kind counts cover every event once"
    );
}

/// A store failure acknowledges nothing and leaves no gap; a commit whose answer was lost is
/// recognised as done.
async fn faults(inner: Arc<dyn Store>) {
    let flaky = Arc::new(Flaky {
        inner,
        fail: AtomicBool::new(false),
        fail_after_commit: AtomicBool::new(false),
        torn_from: AtomicU64::new(0),
    });
    let log = LogWriter::start(
        flaky.clone(),
        site(),
        None,
        CheckpointPolicy::default(),
        stepping_clock(),
    )
    .await
    .unwrap();
    let before = head_seq(&*flaky).await;

    flaky.fail.store(true, Ordering::SeqCst);
    let many: Vec<_> = (0..8)
        .map(|i| {
            let log = log.clone();
            tokio::spawn(async move { log.append(draft(i)).await })
        })
        .collect();
    for r in many {
        assert!(matches!(r.await.unwrap(), Err(AppendError::Store(_))));
    }
    assert_eq!(
        head_seq(&*flaky).await,
        before,
        "nothing of the failed batch is stored"
    );
    flaky.fail.store(false, Ordering::SeqCst);
    let after = log.append(draft(1)).await.unwrap();
    assert_eq!(
        after.event.seq,
        Seq(before + 1),
        "the chain went back: no gap"
    );

    flaky.fail_after_commit.store(true, Ordering::SeqCst);
    let lost_answer = log.append(draft(2)).await.unwrap();
    assert_eq!(lost_answer.event.seq, Seq(before + 2));
    assert_eq!(head_seq(&*flaky).await, before + 2);
    let next = log.append(draft(3)).await.unwrap();
    assert_eq!(next.event.seq, Seq(before + 3));
    log.shutdown().await;
}

/// A restart verifies only the events after the last stored frontier, and still finds a torn
/// tail or a frontier that disagrees with its checkpoint.
async fn resume_from_frontier(inner: Arc<dyn Store>) {
    let (size, good) = inner
        .last_frontier()
        .await
        .unwrap()
        .expect("the writer stored a frontier with its checkpoints");
    let head = head_seq(&*inner).await;
    assert!(head > size, "faults() appended after the last checkpoint");
    let start = |store: Arc<dyn Store>| {
        LogWriter::start(
            store,
            site(),
            None,
            CheckpointPolicy::default(),
            stepping_clock(),
        )
    };
    let log = start(inner.clone()).await.unwrap();
    assert_eq!(log.verified_at_start(), head - size);
    log.shutdown().await;

    let torn = Arc::new(Flaky {
        inner: inner.clone(),
        fail: AtomicBool::new(false),
        fail_after_commit: AtomicBool::new(false),
        torn_from: AtomicU64::new(head),
    });
    match start(torn).await {
        Err(StoreError::Corrupt { what: "events", .. }) => {}
        other => panic!("expected the torn tail to be found, got {other:?}"),
    }

    let mut bad = good.clone();
    *bad.last_mut().unwrap() ^= 0x01;
    inner.put_frontier(size, &bad).await.unwrap();
    match start(inner.clone()).await {
        Err(StoreError::Corrupt {
            what: "log_frontiers.frontier",
            ..
        }) => {}
        other => panic!("expected the altered frontier to be refused, got {other:?}"),
    }
    inner.put_frontier(size, &good).await.unwrap();
    assert_eq!(inner.last_frontier().await.unwrap(), Some((size, good)));
}

/// A real store whose appends can be made to fail, before or after committing.
#[derive(Debug)]
struct Flaky {
    inner: Arc<dyn Store>,
    /// Fail every append without writing.
    fail: AtomicBool,
    /// Write the next append, then report a failure (once).
    fail_after_commit: AtomicBool,
    /// Read events from this seq on with their last byte flipped, as a torn write leaves them (0: never).
    torn_from: AtomicU64,
}

fn injected() -> StoreError {
    StoreError::Backend(sqlx::Error::Protocol("injected fault".into()))
}

#[async_trait]
impl Store for Flaky {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    async fn log_head(&self) -> Result<Option<(Seq, Hash)>, StoreError> {
        self.inner.log_head().await
    }
    async fn append(&self, batch: &[Sealed]) -> Result<(), StoreError> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(injected());
        }
        self.inner.append(batch).await?;
        if self.fail_after_commit.swap(false, Ordering::SeqCst) {
            return Err(injected());
        }
        Ok(())
    }
    async fn events(&self, from: Seq, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
        let mut events = self.inner.events(from, limit).await?;
        let torn = self.torn_from.load(Ordering::SeqCst);
        for e in events.iter_mut().filter(|e| torn > 0 && e.seq.0 >= torn) {
            if let Some(b) = e.bytes.last_mut() {
                *b ^= 0x01;
            }
        }
        Ok(events)
    }
    async fn events_desc(
        &self,
        before: Option<Seq>,
        kind: Option<u16>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.inner.events_desc(before, kind, limit).await
    }
    async fn events_about(
        &self,
        subject: &SubjectRef,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.inner.events_about(subject, before, limit).await
    }
    async fn put_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
        self.inner.put_checkpoint(cp).await
    }
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.inner.checkpoints().await
    }
    async fn put_frontier(&self, tree_size: u64, frontier: &[u8]) -> Result<(), StoreError> {
        self.inner.put_frontier(tree_size, frontier).await
    }
    async fn last_frontier(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        self.inner.last_frontier().await
    }
    async fn create_user(&self, user: &NewUser) -> Result<UserRow, StoreError> {
        self.inner.create_user(user).await
    }
    async fn user(&self, name: &UserName) -> Result<UserRow, StoreError> {
        self.inner.user(name).await
    }
    async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        self.inner.users().await
    }
    async fn set_secret(&self, name: &UserName, secret_hash: &str) -> Result<(), StoreError> {
        self.inner.set_secret(name, secret_hash).await
    }
    async fn create_session(&self, session: &SessionRow) -> Result<(), StoreError> {
        self.inner.create_session(session).await
    }
    async fn session(&self, token_hash: &Hash) -> Result<SessionRow, StoreError> {
        self.inner.session(token_hash).await
    }
    async fn delete_session(&self, token_hash: &Hash) -> Result<(), StoreError> {
        self.inner.delete_session(token_hash).await
    }
    async fn purge_sessions(&self, now: UnixMs) -> Result<u64, StoreError> {
        self.inner.purge_sessions(now).await
    }
    async fn kind_counts(&self) -> Result<Vec<(u16, u64)>, StoreError> {
        self.inner.kind_counts().await
    }
}

#[async_trait]
impl IdentityStore for Flaky {
    async fn put_identity(&self, w: &IdentityWrite) -> Result<(), StoreError> {
        self.inner.put_identity(w).await
    }
    async fn person(
        &self,
        kind: PersonKind,
        id: &str,
    ) -> Result<(PersonRow, Vec<TemplateRow>), StoreError> {
        self.inner.person(kind, id).await
    }
    async fn roster(&self, sitting: &str) -> Result<RosterRow, StoreError> {
        self.inner.roster(sitting).await
    }
    async fn rosters(&self) -> Result<Vec<RosterSummary>, StoreError> {
        self.inner.rosters().await
    }
    async fn roster_templates(
        &self,
        sitting: &str,
    ) -> Result<Vec<(String, TemplateRow)>, StoreError> {
        self.inner.roster_templates(sitting).await
    }
    async fn templates_of_kind(
        &self,
        kind: PersonKind,
    ) -> Result<Vec<(String, TemplateRow)>, StoreError> {
        self.inner.templates_of_kind(kind).await
    }
}
