//! The platform's view: gate admissions and theory papers shipped from two sites become a
//! candidate's flow at central; central proves any event against the site's signed checkpoint
//! (checked with nothing but the site's public key) and exports a log that verifies.

mod support;

use std::time::{Duration, Instant};

use model::{EventKind, SubjectKind, SubjectRef, UnixMs};
use store::Draft;
use store::writer::system_clock;
use support::{CentralDb, Site, serve_central};
use uplink::proof::{PathHash, ProofRefused, prove, verify_proof};
use uplink::site::{Shipper, ShipperConfig};

fn config() -> ShipperConfig {
    ShipperConfig {
        max_events: 16,
        idle_wait: Duration::from_millis(10),
        backoff_min: Duration::from_millis(5),
        backoff_max: Duration::from_millis(100),
        request_timeout: Duration::from_secs(5),
    }
}

fn candidate(id: &str) -> SubjectRef {
    SubjectRef::new(SubjectKind::Candidate, id)
}

/// A morning at a site: noise, an admission at the gate, a theory paper.
async fn morning(site: &Site, who: &str, score: u32) {
    let draft = |kind, subjects, payload: &str| Draft {
        kind,
        subjects,
        payload: payload.as_bytes().to_vec(),
    };
    let sitting = SubjectRef::new(SubjectKind::Session, "sitting-1");
    site.log
        .append_many(vec![
            draft(
                EventKind::GateScan,
                vec![candidate(who)],
                r#"{"score":0.9}"#,
            ),
            draft(
                EventKind::GateNotice,
                vec![candidate(who)],
                r#"{"notice":"entered"}"#,
            ),
            draft(
                EventKind::GateNotice,
                vec![candidate(who)],
                r#"{"notice":"admitted"}"#,
            ),
            draft(
                EventKind::TheoryCandidateLogin,
                vec![sitting.clone(), candidate(who)],
                r#"{"seat":"A01"}"#,
            ),
            draft(
                EventKind::TheoryResult,
                vec![sitting, candidate(who)],
                &format!(r#"{{"score":{score},"passed":{}}}"#, score >= 90),
            ),
        ])
        .await
        .unwrap();
}

async fn platform_view(db: &CentralDb) {
    let central = db.open().await;
    let (addr, server) = serve_central(central.clone()).await;
    let endpoint = format!("http://{addr}");
    let a = Site::new("view-a").await;
    let b = Site::new("view-b").await;
    let mut shippers = Vec::new();
    for s in [&a, &b] {
        central
            .register_site(&s.id, &s.signer().public_key(), UnixMs(0))
            .await
            .unwrap();
        // Filler, for more than one checkpoint.
        s.append(120).await;
        shippers.push(Shipper::start(
            s.store.clone(),
            s.id.clone(),
            s.signer(),
            &endpoint,
            config(),
            system_clock(),
        ));
    }
    morning(&a, "c-100", 95).await;
    morning(&b, "c-100", 80).await;
    morning(&b, "c-200", 92).await;
    a.append(60).await;
    b.append(60).await;
    let wa = a.store.log_head().await.unwrap().unwrap().0.0;
    let wb = b.store.log_head().await.unwrap().unwrap().0.0;
    let deadline = Instant::now() + Duration::from_secs(20);
    while shippers[0].status().acked != Some(wa) || shippers[1].status().acked != Some(wb) {
        assert!(Instant::now() < deadline, "shipping did not finish");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A candidate's results across sites, in time order, each step once.
    let flow = central.candidate_flow("c-100").await.unwrap();
    let steps: Vec<(&str, &str)> = flow
        .iter()
        .map(|e| (e.site.as_str(), e.row.step.as_str()))
        .collect();
    let mut want_steps = vec![
        ("view-a", "gate_admission"),
        ("view-a", "subject_start"),
        ("view-a", "theory_result"),
        ("view-b", "gate_admission"),
        ("view-b", "subject_start"),
        ("view-b", "theory_result"),
    ];
    let mut sorted = steps.clone();
    sorted.sort();
    want_steps.sort();
    assert_eq!(sorted, want_steps, "{flow:?}");
    let login = flow.iter().find(|e| e.row.step == "subject_start").unwrap();
    assert_eq!(login.row.code.as_deref(), Some("17C51"));
    assert_eq!(login.row.session.as_deref(), Some("sitting-1"));
    assert!(flow.windows(2).all(|w| w[0].row.time <= w[1].row.time));
    assert_eq!(central.candidate_flow("c-200").await.unwrap().len(), 3);
    // The live feed sees every step once, in id order.
    let feed = central.flow_after(0, 1000).await.unwrap();
    assert_eq!(feed.len(), 9);
    assert!(feed.windows(2).all(|w| w[0].id < w[1].id));
    let day = central
        .site_flow(&b.id, UnixMs(0), UnixMs(i64::MAX))
        .await
        .unwrap();
    assert_eq!(day.len(), 6);

    // Inclusion proofs: for each site, events before, at and after a checkpoint boundary.
    for s in [&a, &b] {
        let keys = [s.signer().public_key()];
        let head = s.store.log_head().await.unwrap().unwrap().0.0;
        let covered = central
            .checkpoints(&s.id)
            .await
            .unwrap()
            .last()
            .unwrap()
            .tree_size;
        for seq in [1, 2, 49, 50, 51, 100, 121, 123, covered] {
            let proof = prove(central.as_ref(), &s.id, seq).await.unwrap();
            let event = verify_proof(&proof, &s.id, &keys).unwrap();
            assert_eq!(event.seq.0, seq);
            let local = s.store.events(model::Seq(seq), 1).await.unwrap();
            assert_eq!(proof.record.bytes, local[0].bytes);
        }
        if covered < head {
            let e = prove(central.as_ref(), &s.id, head).await.unwrap_err();
            assert!(e.to_string().contains("no checkpoint"), "{e}");
        }
        let e = prove(central.as_ref(), &s.id, head + 1).await.unwrap_err();
        assert!(e.to_string().contains("holds no event"), "{e}");

        // A proof central made up, or one for another site or key, fails.
        let good = prove(central.as_ref(), &s.id, 51).await.unwrap();
        let mut forged = good.clone();
        forged.record.bytes = s.store.events(model::Seq(52), 1).await.unwrap()[0]
            .bytes
            .clone();
        assert!(matches!(
            verify_proof(&forged, &s.id, &keys),
            Err(ProofRefused::Path(_))
        ));
        let mut bent = good.clone();
        bent.path[0] = PathHash(vec![0; 32]);
        assert!(matches!(
            verify_proof(&bent, &s.id, &keys),
            Err(ProofRefused::Path(_))
        ));
        let mut moved = good.clone();
        moved.seq = 52;
        assert!(verify_proof(&moved, &s.id, &keys).is_err());
        let other_key = [audit::Signer::generate().unwrap().0.public_key()];
        assert!(matches!(
            verify_proof(&good, &s.id, &other_key),
            Err(ProofRefused::Signature(_))
        ));
        let other_site: model::SiteId = "view-z".parse().unwrap();
        assert!(matches!(
            verify_proof(&good, &other_site, &keys),
            Err(ProofRefused::WrongSite { .. })
        ));

        // Central's export verifies with the site's key, to the site's head.
        let bytes = uplink::export::export_site(central.as_ref(), &s.id, Vec::new())
            .await
            .unwrap();
        let reader = audit::ExportReader::new(bytes.as_slice()).unwrap();
        let report = audit::verify_export(reader, &keys).unwrap();
        assert_eq!(report.last_seq.0, head);
        assert!(report.checkpoints_checked >= 2, "{report:?}");
    }
    for h in shippers {
        h.shutdown().await;
    }
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_view_on_sqlite() {
    let db = CentralDb::sqlite();
    platform_view(&db).await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_view_on_postgres() {
    let Some(db) = CentralDb::postgres("platform view").await else {
        return;
    };
    platform_view(&db).await;
    db.finish().await;
}
