//! The identity registry end to end: rosters and enrolments sealed at rest, surviving a restart, 1:1 and 1:N,
//! the `/api/v1/identity` routes and `examd roster import` from CSV.

use std::process::Command;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use examd::gate::synth::{impression, iso_impression};
use examd::identity::roster::{CandidateV1, ExaminerV1, RosterV1};
use examd::identity::{IdentityError, PersonRef, SittingId};
use examd::site;
use examd::state::Clock;
use model::UnixMs;
use store::identity::PersonKind;

use crate::support::{examd_bin, runtime, test_site};

fn roster(sitting: &str, n: u64) -> RosterV1 {
    RosterV1 {
        sitting: sitting.into(),
        candidates: (1..=n)
            .map(|f| CandidateV1 {
                id: format!("c{f}"),
                name: format!("考生{f}"),
                seat: Some(format!("H1-{f:03}")),
                subject: Some("subject1".into()),
                templates: vec![hex::encode(iso_impression(f, 0))],
            })
            .collect(),
        examiners: vec![ExaminerV1 {
            name: "ex".into(),
            display_name: Some("王考官".into()),
            templates: vec![hex::encode(iso_impression(900, 0))],
        }],
    }
}

fn candidate(id: &str) -> PersonRef {
    PersonRef::Candidate(id.parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rosters_are_sealed_at_rest_survive_a_restart_and_answer_one_to_one_and_one_to_n() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Clock = Arc::new(|| UnixMs(1_800_000_000_000));
    let s = site::open(runtime(dir.path()), clock.clone())
        .await
        .unwrap();
    let id = s.identity.clone();
    let sum = id
        .import_roster_v1(roster("2026-11-29-am", 6), "admin")
        .await
        .unwrap();
    assert_eq!((sum.candidates, sum.examiners, sum.templates), (6, 1, 7));
    let am: SittingId = "2026-11-29-am".parse().unwrap();

    // 1:1, examiner 1:1, 1:N.
    let v = id
        .verify(&candidate("c3"), &impression(3, 2))
        .await
        .unwrap();
    assert!(v.matched && v.score >= v.threshold, "{v:?}");
    let v = id
        .verify(&candidate("c3"), &impression(4, 2))
        .await
        .unwrap();
    assert!(!v.matched, "another finger: {v:?}");
    assert!(matches!(
        id.verify(&candidate("nobody"), &impression(3, 2)).await,
        Err(IdentityError::UnknownPerson(_))
    ));
    let ex = "ex".parse().unwrap();
    assert!(
        id.verify_examiner(&ex, &impression(900, 3))
            .await
            .unwrap()
            .matched
    );
    assert!(
        !id.verify_examiner(&ex, &impression(3, 3))
            .await
            .unwrap()
            .matched
    );
    let top = id.identify(&am, &impression(5, 7), 3).await.unwrap();
    assert_eq!(top.len(), 3);
    assert_eq!(top[0].0.as_str(), "c5");
    assert!(top[0].1 > top[1].1);
    assert!(matches!(
        id.identify(&"pm".parse().unwrap(), &impression(5, 7), 3)
            .await,
        Err(IdentityError::UnknownSitting(_))
    ));

    // Enrolment at a desk: a replacement template for c6, one event with the hash only.
    let e = id
        .enroll(candidate("c6"), None, vec![impression(60, 0)], "desk-1")
        .await
        .unwrap();
    assert_eq!(e.templates, 1);
    assert!(
        !id.verify(&candidate("c6"), &impression(6, 1))
            .await
            .unwrap()
            .matched
    );
    assert!(
        id.verify(&candidate("c6"), &impression(60, 1))
            .await
            .unwrap()
            .matched
    );
    assert_eq!(
        e.sha256[0],
        audit::sha256(&[&impression(60, 0).to_iso2005()]).to_hex()
    );
    let roster_rows = id.roster(&am).await.unwrap();
    assert_eq!(roster_rows.len(), 6);
    assert_eq!(roster_rows[5].name, "考生6", "enrolment keeps the name");
    assert!(matches!(
        id.enroll(candidate("c6"), None, vec![], "desk-1").await,
        Err(IdentityError::Invalid(_))
    ));

    // At rest: ciphertext only, bound to its owner; the events carry hashes, never templates.
    let (_, rows) = s.store.person(PersonKind::Candidate, "c3").await.unwrap();
    let plain = iso_impression(3, 0);
    assert!(!rows[0].sealed.windows(16).any(|w| w == &plain[20..36]));
    assert_eq!(
        id.template_key()
            .open("candidate:c3", &rows[0].sealed)
            .unwrap(),
        plain
    );
    assert!(
        id.template_key()
            .open("candidate:c4", &rows[0].sealed)
            .is_err()
    );
    let events = s.store.events(model::Seq(1), 1000).await.unwrap();
    let mut kinds = Vec::new();
    for ev in &events {
        let e = audit::decode(&ev.bytes).unwrap();
        let payload = String::from_utf8(e.payload.clone()).unwrap();
        assert!(!payload.contains(&hex::encode(&plain[20..36])), "{payload}");
        kinds.push(e.kind.name());
    }
    assert!(kinds.contains(&"identity.roster_imported"));
    assert!(kinds.contains(&"identity.enrolled"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("template-key.bin"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Restart: the roster, the enrolment and the gate's gallery come back from the store.
    s.log.clone().shutdown().await;
    drop(id);
    drop(s);
    let s = site::open(runtime(dir.path()), clock.clone())
        .await
        .unwrap();
    let g = s.identity.current();
    assert_eq!(g.sitting.as_deref(), Some("2026-11-29-am"));
    assert_eq!(g.candidates.len(), 6);
    assert_eq!(g.examiners.len(), 1);
    assert!(
        s.identity
            .verify(&candidate("c3"), &impression(3, 4))
            .await
            .unwrap()
            .matched
    );
    assert!(
        s.identity
            .verify(&candidate("c6"), &impression(60, 4))
            .await
            .unwrap()
            .matched
    );
    s.log.clone().shutdown().await;
    drop(s);

    // Another key file: the stored templates do not open, and the site says so instead of admitting nobody.
    std::fs::remove_file(dir.path().join("template-key.bin")).unwrap();
    std::fs::write(dir.path().join("template-key.bin"), [7u8; 32]).unwrap();
    let e = site::open(runtime(dir.path()), clock).await.unwrap_err();
    assert!(format!("{e:#}").contains("does not decrypt"), "{e:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_routes_check_roles_and_never_return_templates() {
    let t = test_site().await;
    let admin = t.login("ad").await;
    let examiner = t.login("ex").await;
    let auditor = t.login("au").await;
    let device = format!("Bearer {}", t.device_token);
    let body = serde_json::to_string(&roster("pm", 3)).unwrap();
    let post = |path: &str, auth: Option<(header::HeaderName, String)>, body: String| {
        let mut r = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some((k, v)) = auth {
            r = r.header(k, v);
        }
        r.body(Body::from(body)).unwrap()
    };
    let get = |path: &str, auth: (header::HeaderName, String)| {
        Request::get(path)
            .header(auth.0, auth.1)
            .body(Body::empty())
            .unwrap()
    };
    let (st, _) = t
        .call(post("/api/v1/identity/rosters", None, body.clone()))
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    for who in [
        (header::COOKIE, examiner.clone()),
        (header::COOKIE, auditor.clone()),
        (header::AUTHORIZATION, device.clone()),
    ] {
        let (st, _) = t
            .call(post("/api/v1/identity/rosters", Some(who), body.clone()))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
    let (st, b) = t
        .call(post(
            "/api/v1/identity/rosters",
            Some((header::COOKIE, admin.clone())),
            body,
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(
        (v["candidates"].as_u64(), v["templates"].as_u64()),
        (Some(3), Some(4))
    );

    let secret = hex::encode(&iso_impression(2, 0)[20..40]);
    for path in ["/api/v1/identity/rosters", "/api/v1/identity/rosters/pm"] {
        let (st, b) = t.call(get(path, (header::COOKIE, examiner.clone()))).await;
        let text = String::from_utf8_lossy(&b);
        assert_eq!(st, StatusCode::OK, "{text}");
        assert!(!text.contains(&secret), "no template in {path}: {text}");
        let (st, _) = t.call(get(path, (header::COOKIE, auditor.clone()))).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
    let (_, b) = t
        .call(get(
            "/api/v1/identity/rosters/pm",
            (header::COOKIE, admin.clone()),
        ))
        .await;
    let entries: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(entries[1]["candidate"], "c2");
    assert_eq!(entries[1]["seat"], "H1-002");
    assert_eq!(entries[1]["templates"], 1);
    let (st, _) = t
        .call(get(
            "/api/v1/identity/rosters/am",
            (header::COOKIE, admin.clone()),
        ))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A desk terminal enrols; bad input is named.
    let enrol = |tpl: String| {
        serde_json::json!({ "person": "candidate:c2", "templates": [tpl] }).to_string()
    };
    let (st, b) = t
        .call(post(
            "/api/v1/identity/enroll",
            Some((header::AUTHORIZATION, device.clone())),
            enrol(hex::encode(iso_impression(22, 0))),
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let (st, b) = t
        .call(post(
            "/api/v1/identity/enroll",
            Some((header::AUTHORIZATION, device.clone())),
            enrol("abcd".into()),
        ))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&b).contains("candidate:c2: template 0"));
    let (st, _) = t
        .call(post(
            "/api/v1/identity/enroll",
            Some((header::COOKIE, examiner)),
            enrol(hex::encode(iso_impression(22, 0))),
        ))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(
        t.site
            .identity
            .verify(&candidate("c2"), &impression(22, 3))
            .await
            .unwrap()
            .matched
    );
}

#[test]
fn roster_import_from_csv_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    std::fs::write(files.path().join("c2.iso"), iso_impression(2, 0)).unwrap();
    let csv = format!(
        "id,name,seat,subject,templates\nc1,张三,H1-001,subject1,{}\nc2,李四,,subject1,c2.iso\nc3,王五,,,\n",
        hex::encode(iso_impression(1, 0))
    );
    let file = files.path().join("roster.csv");
    std::fs::write(&file, csv).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(examd_bin())
            .args(args)
            .args(["--site-id", "test-site", "--data-dir"])
            .arg(dir.path())
            .env("EXAMD_LOG", "warn")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let f = file.to_str().unwrap();
    let (code, out, err) = run(&["roster", "import", "--sitting", "am", "--file", f]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("3 candidates, 2 templates, 1 without templates"),
        "{out}"
    );
    let (code, out, err) = run(&["roster", "show", "--sitting", "am"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        vec![
            "c1\t张三\tH1-001\tsubject1\t1 templates",
            "c2\t李四\t-\tsubject1\t1 templates",
            "c3\t王五\t-\t-\t0 templates",
        ]
    );
    std::fs::write(&file, "id,name,templates\nc1,张三,nothere.iso\n").unwrap();
    let (code, _, err) = run(&["roster", "import", "--sitting", "am", "--file", f]);
    assert_ne!(code, 0);
    assert!(
        err.contains("line 2: candidate c1: template 0: reading"),
        "{err}"
    );
}
