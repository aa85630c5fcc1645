//! One story, every backend: the same sequence of calls and expectations runs on a fresh
//! SQLite file always, and on PostgreSQL when `EXAMD_TEST_DB_URI` names a server (each run in a
//! database of its own, created here and dropped afterwards). With `EXAMD_TEST_PG_REQUIRED=1`
//! a missing URI fails the PostgreSQL run instead of skipping it (CI sets it).

use std::sync::Arc;

use audit::{Chain, Checkpoint, Event, Frontier, Hash, Sealed, Signer, decode, leaf_hash, sha256};
use model::{EventKind, Role, Seq, SiteId, SubjectKind, SubjectRef, UnixMs, UserName};
use store::{NewUser, SessionRow, Store, StoreError, StoredCheckpoint};

#[path = "story/identity.rs"]
mod identity_story;
#[path = "story/restart_time.rs"]
mod restart_time;
#[path = "story/writer.rs"]
mod writer_story;

fn site() -> SiteId {
    "story-site".parse().unwrap()
}

fn user(name: &str) -> UserName {
    name.parse().unwrap()
}

fn conflict_name(r: Result<impl std::fmt::Debug, StoreError>) -> String {
    match r {
        Err(StoreError::Conflict { constraint }) => constraint,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn assert_not_found(r: Result<impl std::fmt::Debug, StoreError>) {
    match r {
        Err(StoreError::NotFound) => {}
        other => panic!("expected not found, got {other:?}"),
    }
}

/// Seals events `chain.last()+1 ..` of the given kinds.
fn seal(chain: &mut Chain, kinds: &[EventKind]) -> Vec<Sealed> {
    kinds
        .iter()
        .map(|&kind| {
            let seq = chain.last().next();
            chain
                .append(Event {
                    seq,
                    time: UnixMs(1_700_000_000_000 + seq.0 as i64),
                    kind,
                    subjects: vec![
                        SubjectRef::new(SubjectKind::User, "li.wei"),
                        SubjectRef::new(SubjectKind::Device, format!("gate-{}", seq.0 % 2)),
                    ],
                    payload: format!("{{\"n\":{}}}", seq.0).into_bytes(),
                })
                .unwrap()
        })
        .collect()
}

/// The whole story, against any backend.
async fn story(store: Arc<dyn Store>) {
    let log = log_story(&*store).await;
    let key = checkpoint_story(&*store, &log).await;
    account_story(&*store).await;
    identity_story::story(&*store).await;
    writer_story::story(store, key).await;
}

/// Appends six events through the trait; returns them.
async fn log_story(store: &dyn Store) -> Vec<Sealed> {
    assert_eq!(store.log_head().await.unwrap(), None);
    assert!(store.events(Seq(1), 10).await.unwrap().is_empty());
    assert!(store.kind_counts().await.unwrap().is_empty());
    store.append(&[]).await.unwrap();

    use EventKind::{DeviceReport as Report, UserLogin as Login};
    let mut chain = Chain::genesis(&site());
    let first = seal(&mut chain, &[EventKind::SystemStarted, Login, Report]);
    store.append(&first).await.unwrap();
    let second = seal(&mut chain, &[Report, Login]);
    store.append(&second).await.unwrap();
    let all: Vec<Sealed> = first.iter().chain(&second).cloned().collect();
    assert_eq!(store.log_head().await.unwrap(), Some((Seq(5), all[4].hash)));

    // A stale or duplicate seq, a gap, a broken hash: each a conflict that changes nothing.
    assert_eq!(
        conflict_name(store.append(&all[4..]).await),
        "events.seq continuity"
    );
    assert_eq!(
        conflict_name(store.append(&all[2..]).await),
        "events.seq continuity"
    );
    let mut ahead = chain.clone();
    let skipped = seal(&mut ahead, &[Report, Report]);
    assert_eq!(
        conflict_name(store.append(&skipped[1..]).await),
        "events.seq continuity"
    );
    let mut forged = skipped[0].clone();
    forged.hash = sha256(&[b"forged"]);
    assert_eq!(
        conflict_name(store.append(&[forged]).await),
        "events.hash chain"
    );
    let mut tampered = skipped[0].clone();
    tampered.bytes[10] ^= 1;
    assert_eq!(
        conflict_name(store.append(&[tampered]).await),
        "events.hash chain"
    );
    assert_eq!(store.log_head().await.unwrap(), Some((Seq(5), all[4].hash)));

    let third = seal(&mut chain, &[Report]);
    store.append(&third).await.unwrap();
    let all: Vec<Sealed> = all.into_iter().chain(third).collect();

    // Reading forwards: everything, exactly as sealed.
    let stored = store.events(Seq(1), 100).await.unwrap();
    assert_eq!(stored.len(), 6);
    for (s, sealed) in stored.iter().zip(&all) {
        assert_eq!(s.seq, sealed.event.seq);
        assert_eq!(s.bytes, sealed.bytes);
        assert_eq!(s.hash, sealed.hash);
        assert_eq!(decode(&s.bytes).unwrap(), sealed.event);
    }
    let seqs = |v: Vec<store::StoredEvent>| v.into_iter().map(|e| e.seq.0).collect::<Vec<_>>();
    assert_eq!(seqs(store.events(Seq(3), 2).await.unwrap()), [3, 4]);
    assert_eq!(seqs(store.events(Seq(6), 10).await.unwrap()), [6]);
    assert!(store.events(Seq(7), 10).await.unwrap().is_empty());
    assert!(store.events(Seq(u64::MAX), 10).await.unwrap().is_empty());

    // Reading backwards, with and without a kind filter.
    assert_eq!(
        seqs(store.events_desc(None, None, 2).await.unwrap()),
        [6, 5]
    );
    assert_eq!(
        seqs(store.events_desc(Some(Seq(5)), None, 10).await.unwrap()),
        [4, 3, 2, 1]
    );
    assert_eq!(
        seqs(
            store
                .events_desc(None, Some(Report.code()), 10)
                .await
                .unwrap()
        ),
        [6, 4, 3]
    );
    assert_eq!(
        seqs(
            store
                .events_desc(Some(Seq(4)), Some(Report.code()), 10)
                .await
                .unwrap()
        ),
        [3]
    );
    assert_eq!(
        seqs(
            store
                .events_desc(None, Some(Login.code()), 1)
                .await
                .unwrap()
        ),
        [5]
    );
    assert!(
        store
            .events_desc(None, Some(999), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .events_desc(Some(Seq(1)), None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // The subject projection: events about one subject, newest first.
    let gate0 = SubjectRef::new(SubjectKind::Device, "gate-0");
    assert_eq!(
        seqs(store.events_about(&gate0, None, 10).await.unwrap()),
        [6, 4, 2]
    );
    assert_eq!(
        seqs(store.events_about(&gate0, Some(Seq(6)), 1).await.unwrap()),
        [4]
    );
    let li = SubjectRef::new(SubjectKind::User, "li.wei");
    assert_eq!(
        seqs(store.events_about(&li, None, 100).await.unwrap()),
        [6, 5, 4, 3, 2, 1]
    );
    let nobody = SubjectRef::new(SubjectKind::Candidate, "li.wei");
    assert!(
        store
            .events_about(&nobody, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let about = store.events_about(&gate0, None, 1).await.unwrap();
    assert_eq!(about[0].bytes, all[5].bytes);

    // The projection counted every committed event once, and none of the refused ones.
    let mut counts = store.kind_counts().await.unwrap();
    counts.sort_unstable();
    assert_eq!(
        counts,
        vec![
            (EventKind::SystemStarted.code(), 1),
            (Login.code(), 2),
            (Report.code(), 3)
        ]
    );
    all
}

/// Stores real signed checkpoints over the first events; returns the key that signed them.
async fn checkpoint_story(store: &dyn Store, log: &[Sealed]) -> audit::PublicKey {
    assert!(store.checkpoints().await.unwrap().is_empty());
    let (signer, _) = Signer::generate().unwrap();
    let cp = |tree_size: usize, time: i64| {
        let leaves: Vec<Hash> = log[..tree_size]
            .iter()
            .map(|s| leaf_hash(&s.bytes))
            .collect();
        let signed = signer.sign(&Checkpoint {
            site: site(),
            tree_size: tree_size as u64,
            root: Frontier::from_leaves(&leaves).root(),
            head: log[tree_size - 1].hash,
            time: UnixMs(time),
        });
        StoredCheckpoint {
            tree_size: tree_size as u64,
            body: signed.body,
            signature: signed.signature,
        }
    };
    store.put_checkpoint(&cp(3, 10)).await.unwrap();
    store.put_checkpoint(&cp(3, 10)).await.unwrap();
    assert_eq!(
        conflict_name(store.put_checkpoint(&cp(3, 11)).await),
        "checkpoints.tree_size"
    );
    let mut resigned = cp(3, 10);
    resigned.signature[0] ^= 1;
    assert_eq!(
        conflict_name(store.put_checkpoint(&resigned).await),
        "checkpoints.tree_size"
    );
    store.put_checkpoint(&cp(1, 5)).await.unwrap();
    assert_eq!(
        store.checkpoints().await.unwrap(),
        vec![cp(1, 5), cp(3, 10)]
    );
    signer.public_key()
}

async fn account_story(store: &dyn Store) {
    let new = |name: &str, role: Role| NewUser {
        name: user(name),
        role,
        display_name: format!("考官 {name}"),
        secret_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        created: UnixMs(1_700_000_000_000),
    };
    let wang = store
        .create_user(&new("wang", Role::Examiner))
        .await
        .unwrap();
    assert_eq!(wang.name, user("wang"));
    assert_eq!(wang.role, Role::Examiner);
    assert_eq!(wang.display_name, "考官 wang");
    assert!(wang.enabled);
    assert_eq!(wang.created, UnixMs(1_700_000_000_000));
    assert_eq!(
        conflict_name(store.create_user(&new("wang", Role::Admin)).await),
        "users.name"
    );
    let admin = store.create_user(&new("admin", Role::Admin)).await.unwrap();
    assert_eq!(store.user(&user("wang")).await.unwrap(), wang);
    assert_not_found(store.user(&user("nobody")).await);
    assert_eq!(store.users().await.unwrap(), vec![admin, wang.clone()]);

    store.set_secret(&user("wang"), "new-hash").await.unwrap();
    assert_eq!(
        store.user(&user("wang")).await.unwrap().secret_hash,
        "new-hash"
    );
    assert_not_found(store.set_secret(&user("nobody"), "x").await);

    let session = |token: &[u8], name: &str, expires: i64| SessionRow {
        token_hash: sha256(&[token]),
        user: user(name),
        role: Role::Examiner,
        created: UnixMs(1_000),
        expires: UnixMs(expires),
    };
    let short = session(b"token-1", "wang", 2_000);
    let long = session(b"token-2", "wang", 9_000);
    store.create_session(&short).await.unwrap();
    store.create_session(&long).await.unwrap();
    assert_eq!(store.session(&short.token_hash).await.unwrap(), short);
    assert_eq!(
        conflict_name(store.create_session(&short).await),
        "sessions.token_hash"
    );
    assert_eq!(
        conflict_name(
            store
                .create_session(&session(b"token-3", "nobody", 9_000))
                .await
        ),
        "sessions.user_name"
    );
    assert_not_found(store.session(&Hash::default()).await);

    assert_eq!(
        store.purge_sessions(UnixMs(2_000)).await.unwrap(),
        0,
        "expiry is exclusive"
    );
    assert_eq!(store.purge_sessions(UnixMs(5_000)).await.unwrap(), 1);
    assert_not_found(store.session(&short.token_hash).await);
    assert_eq!(store.session(&long.token_hash).await.unwrap(), long);
    store.delete_session(&long.token_hash).await.unwrap();
    store.delete_session(&long.token_hash).await.unwrap();
    assert_not_found(store.session(&long.token_hash).await);
}

// ---- the backends ------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_story() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("nested").join("site.db").display()
    );
    // The folder does not exist yet: opening must fail clearly, not create a stray file.
    assert!(store::open(&url).await.is_err());
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    let s = store::open(&url).await.unwrap();
    assert_eq!(s.backend(), "sqlite");
    story(s.clone()).await;
    // Reopening finds the migrated schema and the data.
    let head = s.log_head().await.unwrap();
    assert!(head.is_some());
    let again = store::open(&url).await.unwrap();
    assert_eq!(again.log_head().await.unwrap(), head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_in_memory_story() {
    story(store::open("sqlite::memory:").await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_story() {
    let Some(db) = pg::FreshDatabase::create().await else {
        return;
    };
    let s = store::open(&db.url).await.unwrap();
    assert_eq!(s.backend(), "postgres");
    story(s).await;
    db.drop().await;
}

#[tokio::test]
async fn urls_choose_the_backend() {
    match store::open("mysql://root:hunter2@localhost/examd").await {
        Err(e @ StoreError::UnsupportedUrl(_)) => {
            assert!(!e.to_string().contains("hunter2"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

mod pg {
    //! A database of its own per test run, on the server `EXAMD_TEST_DB_URI` names.

    use std::time::{SystemTime, UNIX_EPOCH};

    use sqlx::{AssertSqlSafe, Connection, PgConnection};

    pub struct FreshDatabase {
        server: String,
        name: String,
        pub url: String,
    }

    /// The URL with its database (path) replaced by `name`.
    fn with_database(url: &str, name: &str) -> String {
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (url, String::new()),
        };
        let after_scheme = base.find("://").map_or(0, |i| i + 3);
        let authority_end = base[after_scheme..]
            .find('/')
            .map_or(base.len(), |i| after_scheme + i);
        format!("{}/{name}{query}", &base[..authority_end])
    }

    impl FreshDatabase {
        /// Creates the database, or returns `None` (after saying why) when no server is
        /// configured. Panics when one is required and missing.
        pub async fn create() -> Option<FreshDatabase> {
            let Ok(server) = std::env::var("EXAMD_TEST_DB_URI") else {
                if std::env::var("EXAMD_TEST_PG_REQUIRED").as_deref() == Ok("1") {
                    panic!("EXAMD_TEST_PG_REQUIRED=1 but EXAMD_TEST_DB_URI is not set");
                }
                eprintln!(
                    "SKIPPED: PostgreSQL story (set EXAMD_TEST_DB_URI=postgres://… to run it)"
                );
                return None;
            };
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let name = format!("examd_story_{}_{nanos}", std::process::id());
            let mut conn = PgConnection::connect(&server)
                .await
                .expect("connect to EXAMD_TEST_DB_URI");
            sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            let url = with_database(&server, &name);
            Some(FreshDatabase { server, name, url })
        }

        /// Drops the database (after a passing run; a failed one leaves it for inspection).
        pub async fn drop(self) {
            let mut conn = PgConnection::connect(&self.server).await.unwrap();
            sqlx::query(AssertSqlSafe(format!(
                "DROP DATABASE {} WITH (FORCE)",
                self.name
            )))
            .execute(&mut conn)
            .await
            .unwrap();
        }
    }

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            with_database("postgres://u@h:5/db", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
