//! The central store's story, on SQLite always and on PostgreSQL when `EXAMD_TEST_DB_URI`
//! names a server (a fresh database per run; `EXAMD_TEST_PG_REQUIRED=1` makes its absence fail).

use std::sync::Arc;

use audit::{Chain, Event, Signer};
use model::{EventKind, Seq, SiteId, UnixMs};
use store::central::FlowRow;
use store::central::HEAD_MOVED;
use store::{CentralAlarm, CentralStore, StoreError, StoredCheckpoint, StoredEvent, open_central};

fn site(name: &str) -> SiteId {
    name.parse().unwrap()
}

fn events(site: &SiteId, n: u64) -> Vec<StoredEvent> {
    let mut chain = Chain::genesis(site);
    (1..=n)
        .map(|seq| {
            let s = chain
                .append(Event {
                    seq: Seq(seq),
                    time: UnixMs(seq as i64),
                    kind: EventKind::SystemStarted,
                    subjects: vec![],
                    payload: b"{}".to_vec(),
                })
                .unwrap();
            StoredEvent {
                seq: s.event.seq,
                bytes: s.bytes,
                hash: s.hash,
            }
        })
        .collect()
}

async fn story(store: Arc<dyn CentralStore>) {
    let a = site("central-a");
    let b = site("central-b");
    let (k1, _) = Signer::generate().unwrap();
    let (k2, _) = Signer::generate().unwrap();

    assert!(matches!(store.head(&a).await, Err(StoreError::NotFound)));
    assert!(matches!(
        store.site_keys(&a).await,
        Err(StoreError::NotFound)
    ));

    // Registration is idempotent; a second key is a rotation, the first stays until retired.
    store
        .register_site(&a, &k1.public_key(), UnixMs(10))
        .await
        .unwrap();
    store
        .register_site(&a, &k1.public_key(), UnixMs(11))
        .await
        .unwrap();
    store
        .register_site(&a, &k2.public_key(), UnixMs(20))
        .await
        .unwrap();
    store
        .register_site(&b, &k1.public_key(), UnixMs(30))
        .await
        .unwrap();
    assert_eq!(store.sites().await.unwrap(), vec![a.clone(), b.clone()]);
    let keys = store.site_keys(&a).await.unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        (keys[0].key, keys[0].added, keys[0].retired),
        (k1.public_key(), UnixMs(10), None)
    );
    store
        .retire_key(&a, &k1.public_key(), UnixMs(40))
        .await
        .unwrap();
    assert_eq!(
        store.site_keys(&a).await.unwrap()[0].retired,
        Some(UnixMs(40))
    );
    assert!(matches!(
        store.retire_key(&b, &k2.public_key(), UnixMs(40)).await,
        Err(StoreError::NotFound)
    ));

    // A new site starts at its genesis.
    assert_eq!(
        store.head(&a).await.unwrap(),
        (Seq(0), Chain::genesis_hash(&a))
    );

    let log = events(&a, 10);
    let cp = StoredCheckpoint {
        tree_size: 4,
        body: vec![1, 2],
        signature: vec![3; 64],
    };
    store
        .ingest(
            &a,
            Seq(0),
            &log[..4],
            std::slice::from_ref(&cp),
            &[],
            UnixMs(50),
        )
        .await
        .unwrap();
    assert_eq!(store.head(&a).await.unwrap(), (Seq(4), log[3].hash));
    // The head guard: a batch built against an old head writes nothing.
    let moved = store
        .ingest(&a, Seq(0), &log[..6], &[], &[], UnixMs(51))
        .await;
    assert!(matches!(moved, Err(StoreError::Conflict { constraint }) if constraint == HEAD_MOVED));
    // Not dense: refused.
    assert!(
        store
            .ingest(&a, Seq(4), &log[5..7], &[], &[], UnixMs(52))
            .await
            .is_err()
    );
    store
        .ingest(
            &a,
            Seq(4),
            &log[4..],
            std::slice::from_ref(&cp),
            &[],
            UnixMs(53),
        )
        .await
        .unwrap();
    assert_eq!(store.head(&a).await.unwrap(), (Seq(10), log[9].hash));
    assert_eq!(store.events(&a, Seq(1), 100).await.unwrap(), log);
    assert_eq!(
        store.events(&a, Seq(9), 1).await.unwrap(),
        log[8..9].to_vec()
    );
    assert_eq!(store.event_count(&a).await.unwrap(), 10);
    assert_eq!(store.event_count(&b).await.unwrap(), 0);
    assert_eq!(store.checkpoints(&a).await.unwrap(), vec![cp]);
    assert!(store.checkpoints(&b).await.unwrap().is_empty());

    // The same seqs for another site are another site's; flow rows go in with their events.
    let other = events(&b, 3);
    let step = |seq: u64, time: i64, candidate: &str| FlowRow {
        seq: Seq(seq),
        time: UnixMs(time),
        step: "theory_result".into(),
        code: None,
        candidate: Some(candidate.into()),
        session: Some("s-1".into()),
        kind: "theory.result".into(),
        detail: r#"{"score":95}"#.into(),
    };
    assert_eq!(store.flow_last_id().await.unwrap(), 0);
    let outside = store
        .ingest(&b, Seq(0), &other, &[], &[step(4, 1, "c-1")], UnixMs(60))
        .await;
    assert!(
        matches!(outside, Err(StoreError::Conflict { .. })),
        "{outside:?}"
    );
    assert_eq!(store.event_count(&b).await.unwrap(), 0);
    let flow = [step(1, 1_000, "c-1"), step(3, 90_000, "c-2")];
    store
        .ingest(&b, Seq(0), &other, &[], &flow, UnixMs(60))
        .await
        .unwrap();
    assert_eq!(store.events(&b, Seq(1), 10).await.unwrap(), other);
    let all = store.flow_after(0, 100).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].site.clone(), all[0].row.clone()),
        (b.clone(), flow[0].clone())
    );
    assert!(all[0].id < all[1].id);
    assert_eq!(store.flow_last_id().await.unwrap(), all[1].id);
    assert_eq!(
        store.flow_after(all[0].id, 100).await.unwrap(),
        all[1..].to_vec()
    );
    assert_eq!(store.flow_after(0, 1).await.unwrap(), all[..1].to_vec());
    assert_eq!(
        store.candidate_flow("c-2").await.unwrap(),
        all[1..].to_vec()
    );
    assert!(store.candidate_flow("c-3").await.unwrap().is_empty());
    assert_eq!(
        store
            .site_flow(&b, UnixMs(0), UnixMs(90_000))
            .await
            .unwrap(),
        all[..1].to_vec()
    );
    assert_eq!(
        store
            .site_flow(&a, UnixMs(0), UnixMs(i64::MAX))
            .await
            .unwrap(),
        vec![]
    );

    // Central's own accounts, by token hash.
    store
        .create_account("wang", "platform-auditor", &[7; 32], UnixMs(80))
        .await
        .unwrap();
    let found = store.account_by_token(&[7; 32]).await.unwrap().unwrap();
    assert_eq!(
        (found.name.as_str(), found.role.as_str()),
        ("wang", "platform-auditor")
    );
    assert_eq!(found.created, UnixMs(80));
    assert!(store.account_by_token(&[8; 32]).await.unwrap().is_none());
    let twice = store
        .create_account("wang", "platform-admin", &[9; 32], UnixMs(81))
        .await;
    assert!(
        matches!(twice, Err(StoreError::Conflict { .. })),
        "{twice:?}"
    );

    let alarm = CentralAlarm {
        site: b.clone(),
        seq: Seq(2),
        detail: "fork".into(),
        raised: UnixMs(70),
    };
    store.raise_alarm(&alarm).await.unwrap();
    assert_eq!(store.alarms(None).await.unwrap(), vec![alarm.clone()]);
    assert_eq!(store.alarms(Some(&b)).await.unwrap(), vec![alarm]);
    assert!(store.alarms(Some(&a)).await.unwrap().is_empty());
}

#[tokio::test]
async fn sqlite_central_story() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("central.db").display());
    story(open_central(&url).await.unwrap()).await;
    // Reopening runs no migration twice and keeps the data.
    let again = open_central(&url).await.unwrap();
    assert_eq!(again.event_count(&site("central-a")).await.unwrap(), 10);
}

#[tokio::test]
async fn central_beside_a_site_schema() {
    // The central migrations keep their own table: both schemas open on one database.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("both.db").display());
    store::open(&url).await.unwrap();
    open_central(&url).await.unwrap();
    store::open(&url).await.unwrap();
    story(open_central(&url).await.unwrap()).await;
}

#[tokio::test]
async fn postgres_central_story() {
    let Ok(server) = std::env::var("EXAMD_TEST_DB_URI") else {
        if std::env::var("EXAMD_TEST_PG_REQUIRED").as_deref() == Ok("1") {
            panic!("EXAMD_TEST_PG_REQUIRED=1 but EXAMD_TEST_DB_URI is not set");
        }
        eprintln!(
            "SKIPPED: PostgreSQL central story (set EXAMD_TEST_DB_URI=postgres://… to run it)"
        );
        return;
    };
    let db = fresh::Database::create(&server, "central").await;
    story(open_central(&db.url).await.unwrap()).await;
    db.drop().await;
}

mod fresh {
    //! A database of its own per run on the server.
    use std::time::{SystemTime, UNIX_EPOCH};

    use sqlx::{AssertSqlSafe, Connection, PgConnection};

    pub struct Database {
        server: String,
        name: String,
        pub url: String,
    }

    impl Database {
        pub async fn create(server: &str, what: &str) -> Database {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let name = format!("examd_{what}_{}_{nanos}", std::process::id());
            let mut conn = PgConnection::connect(server).await.unwrap();
            sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            let (base, query) = match server.split_once('?') {
                Some((b, q)) => (b, format!("?{q}")),
                None => (server, String::new()),
            };
            let after = base.find("://").map_or(0, |i| i + 3);
            let end = base[after..].find('/').map_or(base.len(), |i| after + i);
            let url = format!("{}/{name}{query}", &base[..end]);
            Database {
                server: server.to_owned(),
                name,
                url,
            }
        }

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
}
