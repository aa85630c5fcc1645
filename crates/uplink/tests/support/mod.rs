//! Shared test pieces: sites with a log writer, a central on SQLite or a fresh PostgreSQL
//! database, a misbehaving TCP proxy.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use audit::{CheckpointPolicy, Signer};
use model::{EventKind, SiteId};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use store::writer::system_clock;
use store::{CentralStore, Draft, LogWriter, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A site: its store, its writer, its key (PKCS#8 kept to make the shipper's signer).
#[derive(Debug)]
pub struct Site {
    pub id: SiteId,
    pub store: Arc<dyn Store>,
    pub log: LogWriter,
    pub pkcs8: Vec<u8>,
    _dir: tempfile::TempDir,
}

impl Site {
    pub async fn new(name: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("site.db").display());
        let store = store::open(&url).await.unwrap();
        let (signer, pkcs8) = Signer::generate().unwrap();
        let id: SiteId = name.parse().unwrap();
        let policy = CheckpointPolicy {
            every_events: 50,
            every_ms: 60_000,
        };
        let log = LogWriter::start(
            store.clone(),
            id.clone(),
            Some(signer),
            policy,
            system_clock(),
        )
        .await
        .unwrap();
        Site {
            id,
            store,
            log,
            pkcs8,
            _dir: dir,
        }
    }

    pub fn signer(&self) -> Arc<Signer> {
        Arc::new(Signer::from_pkcs8(&self.pkcs8).unwrap())
    }

    pub async fn append(&self, n: usize) {
        let drafts = (0..n)
            .map(|i| Draft {
                kind: EventKind::SystemStarted,
                subjects: vec![],
                payload: format!("{{\"i\":{i}}}").into_bytes(),
            })
            .collect();
        self.log.append_many(drafts).await.unwrap();
    }
}

/// Where central keeps its data for one test.
#[derive(Debug)]
pub enum CentralDb {
    Sqlite(tempfile::TempDir, String),
    Postgres {
        server: String,
        name: String,
        url: String,
    },
}

impl CentralDb {
    pub fn sqlite() -> CentralDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("central.db").display());
        CentralDb::Sqlite(dir, url)
    }

    /// A fresh database on `EXAMD_TEST_DB_URI`, or `None` (said why) when unset.
    pub async fn postgres(what: &str) -> Option<CentralDb> {
        let Ok(server) = std::env::var("EXAMD_TEST_DB_URI") else {
            if std::env::var("EXAMD_TEST_PG_REQUIRED").as_deref() == Ok("1") {
                panic!("EXAMD_TEST_PG_REQUIRED=1 but EXAMD_TEST_DB_URI is not set");
            }
            eprintln!(
                "SKIPPED: {what} on PostgreSQL (set EXAMD_TEST_DB_URI=postgres://… to run it)"
            );
            return None;
        };
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!("examd_uplink_{}_{nanos}", std::process::id());
        let mut conn = PgConnection::connect(&server).await.unwrap();
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let (base, query) = match server.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (server.as_str(), String::new()),
        };
        let after = base.find("://").map_or(0, |i| i + 3);
        let end = base[after..].find('/').map_or(base.len(), |i| after + i);
        let url = format!("{}/{name}{query}", &base[..end]);
        Some(CentralDb::Postgres { server, name, url })
    }

    pub fn url(&self) -> &str {
        match self {
            CentralDb::Sqlite(_, url) => url,
            CentralDb::Postgres { url, .. } => url,
        }
    }

    pub async fn open(&self) -> Arc<dyn CentralStore> {
        store::open_central(self.url()).await.unwrap()
    }

    pub async fn finish(self) {
        if let CentralDb::Postgres { server, name, .. } = self {
            let mut conn = PgConnection::connect(&server).await.unwrap();
            sqlx::query(AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

/// Serves the receiver on a loopback port; returns its address.
pub async fn serve_central(
    store: Arc<dyn CentralStore>,
) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let app = uplink::central::router(uplink::central::CentralState {
        store,
        clock: system_clock(),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (addr, task)
}

/// What the proxy did, by kind.
#[derive(Debug, Default)]
pub struct ProxyCounts {
    pub dropped: AtomicU64,
    pub delayed: AtomicU64,
    pub cut: AtomicU64,
    pub passed: AtomicU64,
}

/// A TCP proxy in front of `upstream` that, connection by connection in a fixed rotation,
/// drops the connection at once, delays it, cuts it after the request reached central but
/// before the answer comes back (so the sender resends: a duplicate), or passes it through.
pub async fn bad_proxy(upstream: SocketAddr) -> (SocketAddr, Arc<ProxyCounts>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Arc::new(ProxyCounts::default());
    let c = counts.clone();
    tokio::spawn(async move {
        let mut n = 0u64;
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            n += 1;
            let c = c.clone();
            tokio::spawn(async move {
                match n % 5 {
                    1 => {
                        c.dropped.fetch_add(1, Ordering::Relaxed);
                        let _ = client.shutdown().await;
                    }
                    2 => {
                        c.cut.fetch_add(1, Ordering::Relaxed);
                        let Ok(mut server) = TcpStream::connect(upstream).await else {
                            return;
                        };
                        let (mut cr, _cw) = client.split();
                        let (mut sr, mut sw) = server.split();
                        let mut byte = [0u8; 1];
                        tokio::select! {
                            _ = tokio::io::copy(&mut cr, &mut sw) => {}
                            _ = sr.read(&mut byte) => {}
                        }
                    }
                    3 => {
                        c.delayed.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(40)).await;
                        pass(client, upstream).await;
                    }
                    _ => {
                        c.passed.fetch_add(1, Ordering::Relaxed);
                        pass(client, upstream).await;
                    }
                }
            });
        }
    });
    (addr, counts)
}

async fn pass(mut client: TcpStream, upstream: SocketAddr) {
    if let Ok(mut server) = TcpStream::connect(upstream).await {
        // Connections live 150 ms at most: pooled connections get cut too, sometimes mid-request.
        let _ = tokio::time::timeout(
            Duration::from_millis(150),
            tokio::io::copy_bidirectional(&mut client, &mut server),
        )
        .await;
    }
}
