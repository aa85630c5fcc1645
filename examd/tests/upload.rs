//! The site ships its log to `examd central`: drills with the real daemon SIGKILLed 20 times
//! and central SIGKILLed and restarted mid-stream (central on PostgreSQL when
//! `EXAMD_TEST_DB_URI` is set, else SQLite); `examd audit verify` passes on the site's log and
//! on central's export; central proves events with only the site key. And the platform view
//! over HTTP: roles, a candidate's results, a site's day, the live feed, the page.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use model::{EventKind, SiteId, SubjectKind, SubjectRef};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::durability::{add_device, start_daemon_with, verify};
use crate::support::{Kill, examd_bin};

/// Central's database for one test: a fresh PostgreSQL database when `EXAMD_TEST_DB_URI` names
/// a server, else SQLite in `dir`.
struct CentralDb {
    url: String,
    pg: Option<(String, String)>,
}

impl CentralDb {
    async fn new(dir: &Path, what: &str) -> CentralDb {
        let Ok(server) = std::env::var("EXAMD_TEST_DB_URI") else {
            if crate::support::required("TEST_PG") {
                panic!("EXAMD_TEST_PG_REQUIRED=1 but EXAMD_TEST_DB_URI is not set");
            }
            eprintln!("NOTE: {what}: central on SQLite (set EXAMD_TEST_DB_URI for PostgreSQL)");
            let url = format!("sqlite://{}", dir.join("central.db").display());
            return CentralDb { url, pg: None };
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!("examd_upload_{}_{nanos}", std::process::id());
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
        CentralDb {
            url,
            pg: Some((server, name)),
        }
    }

    async fn finish(self) {
        if let Some((server, name)) = self.pg {
            let mut conn = PgConnection::connect(&server).await.unwrap();
            sqlx::query(AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

/// Starts `examd central`; returns it, its base URL and the tokens it printed, by account name.
fn start_central(
    listen: &str,
    db: &str,
    register: &[String],
    accounts: &[&str],
) -> (Kill, String, Vec<(String, String)>) {
    let mut args = vec![
        "central".to_owned(),
        "--listen".into(),
        listen.into(),
        "--database-url".into(),
        db.into(),
    ];
    for r in register {
        args.extend(["--register".to_owned(), r.clone()]);
    }
    for a in accounts {
        args.extend(["--account".to_owned(), (*a).to_owned()]);
    }
    let mut central = Command::new(examd_bin())
        .args(&args)
        .env("EXAMD_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(central.stdout.take().unwrap()).lines();
    let mut tokens = Vec::new();
    let url = loop {
        let line = lines.next().expect("central printed its address").unwrap();
        if let Some(u) = line.strip_prefix("examd central listening on ") {
            break u.to_owned();
        }
        let words: Vec<&str> = line.split(' ').collect();
        if let ["central", "account", name, _role, "token", token] = words[..] {
            tokens.push((name.to_owned(), token.to_owned()));
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (Kill(central), url, tokens)
}

fn sigkill(mut child: Kill) {
    child.0.kill().unwrap();
    child.0.wait().unwrap();
}

async fn central_head(client: &reqwest::Client, central: &str) -> Option<(u64, u64)> {
    let v: serde_json::Value = client
        .get(format!("{central}/central/v1/sites"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    Some((
        v["sites"][0]["last_seq"].as_u64()?,
        v["sites"][0]["alarms"].as_u64()?,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_log_reaches_central_exactly_once_across_kills() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let token = add_device(dir.path(), "gate-a");
    let pkcs8 = std::fs::read(dir.path().join("site-signing-key.p8")).unwrap();
    let key = audit::Signer::from_pkcs8(&pkcs8).unwrap().public_key();
    let db = CentralDb::new(dir.path(), "kill drill").await;
    let register = [format!("test-site:{}", key.to_hex())];
    let (central, central_url, tokens) = start_central(
        "127.0.0.1:0",
        &db.url,
        &register,
        &["audit.li:platform-auditor"],
    );
    let auditor = tokens[0].1.clone();
    let listen = central_url.trim_start_matches("http://").to_owned();
    let mut central = Some(central);
    // Checkpoints often enough that central holds several to prove against.
    let config = dir.path().join("examd.toml");
    std::fs::write(&config, "[checkpoint]\nevery_events = 25\n").unwrap();
    let config = config.to_str().unwrap().to_owned();
    let flags = [
        "--central-url",
        central_url.as_str(),
        "--config",
        config.as_str(),
    ];
    let client = reqwest::Client::new();
    let mut last_acked = 0;
    let cycles = 20;
    for cycle in 0..cycles {
        let (child, base) = start_daemon_with(dir.path(), &flags);
        let child = Kill(child);
        for n in 0..8 {
            if cycle == 7 && n == 4 {
                // Central dies mid-stream; the site goes on taking events.
                sigkill(central.take().unwrap());
            }
            let body = serde_json::json!({ "kind": "device.report", "payload": { "cycle": cycle, "n": n } });
            let ack: serde_json::Value = client
                .post(format!("{base}/api/v1/events"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            last_acked = ack["seq"].as_u64().unwrap();
        }
        if cycle == 9 {
            // Central back on the same address, same database.
            let (c, url, _) = start_central(&listen, &db.url, &[], &[]);
            assert_eq!(url, central_url);
            central = Some(c);
        }
        sigkill(child); // mid-stream for the shipper
    }
    // A last start ships whatever the killed ones had not.
    let (child, _base) = start_daemon_with(dir.path(), &flags);
    let site = Kill(child);
    let site_store = store::open(&crate::support::runtime(dir.path()).database_url)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let held = loop {
        let local = site_store.log_head().await.unwrap().unwrap().0.0;
        let (held, alarms) = central_head(&client, &central_url).await.unwrap_or((0, 0));
        assert_eq!(alarms, 0);
        if held == local && held > last_acked {
            break held;
        }
        assert!(
            Instant::now() < deadline,
            "central holds up to {held}, the site has {local}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    sigkill(site);
    // Central's copy is the site's log, byte for byte, each seq once.
    let central_store = store::open_central(&db.url).await.unwrap();
    let site_id: SiteId = "test-site".parse().unwrap();
    let theirs = central_store
        .events(&site_id, model::Seq(1), 100_000)
        .await
        .unwrap();
    let ours = site_store.events(model::Seq(1), 100_000).await.unwrap();
    assert_eq!(theirs.len() as u64, held);
    assert_eq!(central_store.event_count(&site_id).await.unwrap(), held);
    assert_eq!(theirs, ours);

    // `examd audit verify` passes at both ends: the site's database, and central's export
    // checked against the site's key alone.
    let site_report = verify(dir.path());
    assert_eq!(site_report["ok"], true, "{site_report}");
    let export = client
        .get(format!("{central_url}/central/v1/sites/test-site/export"))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let file = dir.path().join("central-copy.examdlog");
    std::fs::write(&file, export.bytes().await.unwrap()).unwrap();
    let out = Command::new(examd_bin())
        .args([
            "audit",
            "verify",
            "--json",
            "--key",
            &key.to_hex(),
            "--file",
        ])
        .arg(&file)
        .env("EXAMD_LOG", "warn")
        .output()
        .unwrap();
    let central_report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(central_report["ok"], true, "{central_report}");
    assert_eq!(central_report["last_seq"], held, "{central_report}");

    // An inclusion proof from central, checked with the site's public key only.
    let covered = central_store.checkpoints(&site_id).await.unwrap();
    assert!(
        covered.len() >= 3,
        "central holds {} checkpoints",
        covered.len()
    );
    let seq = (held / 2).min(covered[covered.len() - 1].tree_size);
    let proof: uplink::proof::InclusionProof = client
        .get(format!(
            "{central_url}/central/v1/sites/test-site/proof/{seq}"
        ))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let event = uplink::proof::verify_proof(&proof, &site_id, &[key]).unwrap();
    assert_eq!(event.seq.0, seq);
    assert_eq!(proof.record.bytes, ours[seq as usize - 1].bytes);
    drop(central);
    db.finish().await;
    eprintln!(
        "kill drill: {cycles} SIGKILLs of the site, central killed and restarted, {held} events, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// A site in this process (its store, log writer and shipper) shipping to an in-process central.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_view_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let db = CentralDb::new(dir.path(), "platform view").await;
    let clock = examd::state::system_clock();
    let central = examd::central::open(&db.url, &[], &clock).await.unwrap();
    let (_, _, admin) =
        examd::central::accounts::create(central.as_ref(), "ops:platform-admin", clock())
            .await
            .unwrap();
    let (_, _, auditor) =
        examd::central::accounts::create(central.as_ref(), "audit:platform-auditor", clock())
            .await
            .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = examd::central::router(central.clone(), clock.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let site_id: SiteId = "view-site".parse().unwrap();
    let site_db = format!("sqlite://{}", dir.path().join("site.db").display());
    let site_store = store::open(&site_db).await.unwrap();
    let (signer, pkcs8) = audit::Signer::generate().unwrap();
    central
        .register_site(&site_id, &signer.public_key(), clock())
        .await
        .unwrap();
    let log = store::LogWriter::start(
        site_store.clone(),
        site_id.clone(),
        Some(signer),
        audit::CheckpointPolicy::default(),
        store::writer::system_clock(),
    )
    .await
    .unwrap();
    let shipper = uplink::site::Shipper::start(
        site_store.clone(),
        site_id.clone(),
        Arc::new(audit::Signer::from_pkcs8(&pkcs8).unwrap()),
        &base,
        uplink::site::ShipperConfig {
            idle_wait: Duration::from_millis(10),
            ..uplink::site::ShipperConfig::default()
        },
        store::writer::system_clock(),
    );
    let client = reqwest::Client::new();

    // Only platform accounts read the view.
    let flow_url = format!("{base}/central/v1/candidates/c-7/flow");
    assert_eq!(client.get(&flow_url).send().await.unwrap().status(), 401);
    let forged = client
        .get(&flow_url)
        .bearer_auth("central.00")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    // The live feed, opened before anything happens.
    let mut feed = client
        .get(format!("{base}/central/v1/flow/live"))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 200);

    let who = SubjectRef::new(SubjectKind::Candidate, "c-7");
    let sitting = SubjectRef::new(SubjectKind::Session, "sitting-9");
    let draft = |kind, subjects: Vec<SubjectRef>, payload: &str| store::Draft {
        kind,
        subjects,
        payload: payload.as_bytes().to_vec(),
    };
    log.append_many(vec![
        draft(
            EventKind::GateNotice,
            vec![who.clone()],
            r#"{"notice":"admitted"}"#,
        ),
        draft(
            EventKind::DeviceReport,
            vec![],
            r#"{"note":"not a flow step"}"#,
        ),
        draft(
            EventKind::TheoryCandidateLogin,
            vec![sitting.clone(), who.clone()],
            r#"{"seat":"B02"}"#,
        ),
        draft(
            EventKind::TheoryResult,
            vec![sitting, who],
            r#"{"score":96,"passed":true}"#,
        ),
    ])
    .await
    .unwrap();

    // The feed delivers the three steps as central commits them.
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    while text.matches("event: flow").count() < 3 {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, feed.chunk())
            .await
            .expect("the live feed delivers within 15 s")
            .unwrap()
            .expect("the live feed stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    for step in ["gate_admission", "subject_start", "theory_result"] {
        assert!(text.contains(step), "{step} in {text}");
    }
    assert!(text.contains("17C51"), "{text}");
    assert!(!text.contains("not a flow step"), "{text}");

    for token in [&admin, &auditor] {
        let v: serde_json::Value = client
            .get(&flow_url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let steps: Vec<&str> = v["flow"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["step"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            ["gate_admission", "subject_start", "theory_result"],
            "{v}"
        );
        assert_eq!(v["flow"][2]["detail"]["score"], 96, "{v}");
        assert_eq!(v["flow"][2]["site"], "view-site", "{v}");
    }

    // A site's day (China Standard Time): today has the three steps; a bad date is named.
    let now = clock().0 + 8 * 3_600_000;
    let days = now.div_euclid(86_400_000);
    let today = civil(days);
    let day: serde_json::Value = client
        .get(format!(
            "{base}/central/v1/sites/view-site/day?date={today}"
        ))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(day["flow"].as_array().unwrap().len(), 3, "{day}");
    let bad = client
        .get(format!(
            "{base}/central/v1/sites/view-site/day?date=2026-02-30"
        ))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("2026-02-30"));
    let unknown = client
        .get(format!("{base}/central/v1/sites/nowhere/day?date={today}"))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    // The page: a sign-in form; a token signs in; then the candidate's results, in both languages.
    let page = client.get(format!("{base}/central/")).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("平台令牌"));
    let jar_client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let refused = jar_client
        .post(format!("{base}/central/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("token=central.wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let signed_in = jar_client
        .post(format!("{base}/central/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={auditor}"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    for (lang, label) in [("zh", "理论考试成绩"), ("en", "theory result")] {
        let html = jar_client
            .get(format!("{base}/central/?lang={lang}&candidate=c-7"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(label), "{lang}: {html}");
        assert!(html.contains("view-site"), "{lang}: {html}");
        assert!(html.contains("17C51"), "{lang}: {html}");
    }

    shipper.shutdown().await;
    log.shutdown().await;
    server.abort();
    db.finish().await;
}

/// `YYYY-MM-DD` of a count of days since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
