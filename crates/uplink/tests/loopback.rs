//! Sites ship to central over real TCP on loopback, through a proxy that drops, delays and
//! cuts connections, with shippers killed and restarted mid-stream. Afterwards central holds
//! every site event exactly once and the log verifies at both ends.

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use audit::verify;
use model::Seq;
use store::CentralStore;
use store::writer::system_clock;
use support::{CentralDb, Site, bad_proxy, serve_central};
use uplink::site::{Shipper, ShipperConfig};

fn config() -> ShipperConfig {
    ShipperConfig {
        max_events: 64,
        idle_wait: Duration::from_millis(10),
        backoff_min: Duration::from_millis(5),
        backoff_max: Duration::from_millis(100),
        request_timeout: Duration::from_secs(5),
    }
}

async fn three_sites_through_a_bad_proxy(db: &CentralDb) {
    let central = db.open().await;
    let (addr, server) = serve_central(central.clone()).await;
    let (proxy, counts) = bad_proxy(addr).await;
    let endpoint = format!("http://{proxy}");

    let mut sites = Vec::new();
    for name in ["loop-a", "loop-b", "loop-c"] {
        let site = Site::new(name).await;
        central
            .register_site(&site.id, &site.signer().public_key(), model::UnixMs(0))
            .await
            .unwrap();
        sites.push(site);
    }

    // Append in rounds while shipping; kill (abort) and restart every shipper each round.
    let rounds = 6;
    let per_round = 60;
    let mut handles: Vec<_> = sites
        .iter()
        .map(|s| {
            Shipper::start(
                s.store.clone(),
                s.id.clone(),
                s.signer(),
                &endpoint,
                config(),
                system_clock(),
            )
        })
        .collect();
    for _ in 0..rounds {
        for s in &sites {
            s.append(per_round).await;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
        for (i, h) in std::mem::take(&mut handles).into_iter().enumerate() {
            h.shutdown().await;
            let s = &sites[i];
            handles.push(Shipper::start(
                s.store.clone(),
                s.id.clone(),
                s.signer(),
                &endpoint,
                config(),
                system_clock(),
            ));
        }
    }
    let total = (rounds * per_round) as u64;

    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let done = handles.iter().all(|h| h.status().acked == Some(total));
        if done {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "shipping did not finish: {:?}",
            handles.iter().map(|h| h.status()).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for h in &handles {
        let st = h.status();
        assert_eq!((st.backlog, st.local_head), (0, total), "{st:?}");
    }

    for s in &sites {
        // Exactly once: the same events, in order, nothing more.
        let local = s.store.events(Seq(1), u32::MAX).await.unwrap();
        let held = central.events(&s.id, Seq(1), u32::MAX).await.unwrap();
        assert_eq!(local.len() as u64, total);
        assert_eq!(held, local, "central's copy of {}", s.id);
        assert_eq!(central.event_count(&s.id).await.unwrap(), total);
        assert_eq!(
            central.head(&s.id).await.unwrap(),
            (Seq(total), local[local.len() - 1].hash)
        );
        // Central's copy verifies from the genesis with the site's checkpoints.
        let keys = [s.signer().public_key()];
        let cps: Vec<audit::SignedCheckpoint> = central
            .checkpoints(&s.id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| audit::SignedCheckpoint {
                body: c.body,
                signature: c.signature,
            })
            .collect();
        let site_cps: Vec<audit::SignedCheckpoint> = s
            .store
            .checkpoints()
            .await
            .unwrap()
            .into_iter()
            .map(|c| audit::SignedCheckpoint {
                body: c.body,
                signature: c.signature,
            })
            .collect();
        assert!(!site_cps.is_empty());
        assert_eq!(cps, site_cps, "every checkpoint arrived");
        let report = verify(
            &s.id,
            &keys,
            held.iter().map(|e| (&e.bytes, e.hash)),
            &cps,
            None,
        )
        .unwrap();
        assert_eq!(
            (report.events, report.checkpoints_checked),
            (total, cps.len())
        );
        // And so does the site's own.
        verify(
            &s.id,
            &keys,
            local.iter().map(|e| (&e.bytes, e.hash)),
            &site_cps,
            None,
        )
        .unwrap();
    }
    assert!(central.alarms(None).await.unwrap().is_empty());
    let (dropped, cut, delayed) = (
        counts.dropped.load(Ordering::Relaxed),
        counts.cut.load(Ordering::Relaxed),
        counts.delayed.load(Ordering::Relaxed),
    );
    eprintln!(
        "proxy: dropped {dropped}, cut {cut}, delayed {delayed}, passed {}",
        counts.passed.load(Ordering::Relaxed)
    );
    assert!(
        dropped > 0 && cut > 0 && delayed > 0,
        "the proxy misbehaved"
    );

    for h in handles {
        h.shutdown().await;
    }
    for s in sites {
        s.log.shutdown().await;
    }
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_sites_ship_exactly_once_on_sqlite() {
    let db = CentralDb::sqlite();
    three_sites_through_a_bad_proxy(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_sites_ship_exactly_once_on_postgres() {
    let Some(db) = CentralDb::postgres("three sites through a bad proxy").await else {
        return;
    };
    three_sites_through_a_bad_proxy(&db).await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipping_waits_out_a_central_outage() {
    // Central down: the site appends on, the backlog grows and is shown; central back (a
    // restart on the same database): the shipper catches up.
    let db = CentralDb::sqlite();
    let site = Site::new("outage").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let h = Shipper::start(
        site.store.clone(),
        site.id.clone(),
        site.signer(),
        &format!("http://{addr}"),
        config(),
        system_clock(),
    );
    let t = Instant::now();
    site.append(100).await;
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "appends do not wait for central"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while h.status().backlog != 100 || h.status().failures == 0 {
        assert!(Instant::now() < deadline, "{:?}", h.status());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let st = h.status();
    assert_eq!((st.acked, st.backlog), (None, 100), "{st:?}");
    assert!(st.last_error.is_some() && st.failures > 0, "{st:?}");

    let central = db.open().await;
    central
        .register_site(&site.id, &site.signer().public_key(), model::UnixMs(0))
        .await
        .unwrap();
    let app = uplink::central::router(uplink::central::CentralState {
        store: central.clone(),
        clock: system_clock(),
    });
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let deadline = Instant::now() + Duration::from_secs(10);
    while h.status().acked != Some(100) {
        assert!(Instant::now() < deadline, "{:?}", h.status());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let st = h.status();
    assert_eq!((st.backlog, st.last_error.is_none()), (0, true));
    assert_eq!(central.event_count(&site.id).await.unwrap(), 100);
    h.shutdown().await;
    server.abort();
    let _: Arc<dyn CentralStore> = central;
}
