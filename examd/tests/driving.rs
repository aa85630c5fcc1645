//! The driving area: `examd judge` on every scripted drive, the live path over a real WebSocket
//! (same verdicts, deductions logged, manual deductions, early end), `examd replay`, the console page.

use std::path::{Path, PathBuf};
use std::process::Command;

use judge::VerdictDto;
use judge::sim::fixture::Expected;

use crate::support::examd_bin;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Every scenario directory, with its expectation.
pub fn drives() -> Vec<(String, PathBuf, Expected)> {
    let mut v: Vec<_> = std::fs::read_dir(fixtures().join("drives"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").exists())
        .map(|p| {
            let e: Expected =
                serde_json::from_str(&std::fs::read_to_string(p.join("expected.json")).unwrap())
                    .unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), p, e)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn judge_cmd(telemetry: &Path, e: &Expected, standard: &str) -> Command {
    let j = fixtures().join("judge");
    let mut c = Command::new(examd_bin());
    c.arg("judge")
        .arg("--course")
        .arg(j.join(&e.course))
        .arg("--vehicle")
        .arg(j.join(&e.vehicle))
        .arg("--telemetry")
        .arg(telemetry)
        .arg("--rules")
        .arg(j.join("catalogue"))
        .arg("--standard")
        .arg(standard)
        .arg("--json");
    if let Some(r) = &e.region {
        c.arg("--region").arg(r);
    }
    c
}

/// `examd judge --json` prints exactly the expected verdict for every scripted drive, and exits
/// 0 for a pass and 1 for a fail.
#[test]
fn examd_judge_gives_every_expected_verdict() {
    let all = drives();
    assert!(all.len() >= 80, "only {} drives", all.len());
    let mut failures = Vec::new();
    for (name, dir, e) in &all {
        let out = judge_cmd(&dir.join("drive.jsonl"), e, &e.standard)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let got: Result<VerdictDto, _> = serde_json::from_str(stdout.trim());
        let want_code = if e.verdict.passed { 0 } else { 1 };
        match got {
            Ok(v) if v == e.verdict && out.status.code() == Some(want_code) => {}
            Ok(v) => failures.push(format!(
                "{name}: exit {:?}, got {}",
                out.status.code(),
                serde_json::to_string(&v).unwrap()
            )),
            Err(err) => failures.push(format!(
                "{name}: {err}: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Bad input exits 2 with a message naming the file and line; the human output is readable.
#[test]
fn examd_judge_names_bad_input() {
    let (_, dir, e) = drives().into_iter().find(|d| d.0 == "s2-manual").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(dir.join("drive.jsonl")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[4] = r#"{"t_ms":400,"x":1.0}"#;
    let bad = tmp.path().join("bad.jsonl");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let out = judge_cmd(&bad, &e, &e.standard).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.jsonl") && err.contains("line 5"), "{err}");
    let out = judge_cmd(&dir.join("drive.jsonl"), &e, "GA1026-1999")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GA1026-1999"));
    // Without --json: a readable verdict with the deduction's code.
    let j = fixtures().join("judge");
    let out = Command::new(examd_bin())
        .args(["judge", "--course"])
        .arg(j.join(&e.course))
        .arg("--vehicle")
        .arg(j.join(&e.vehicle))
        .arg("--telemetry")
        .arg(dir.join("drive.jsonl"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("90") && text.contains("10204"), "{text}");
}

// ---------------------------------------------------------------- the live path

use std::time::Duration;

use examd::driving::car::{self, Outcome, Start};
use futures::StreamExt;

use crate::support::{PASSWORD, TestSite, test_site};

/// The sitting every streamed drive's candidate is on.
const SITTING: &str = "2026-11-29-drives";
/// The examiner `ex`'s synthetic finger.
const EXAMINER_FINGER: u64 = 900;

/// Everyone on [`SITTING`]'s roster: one candidate per scripted drive (named after it) and the
/// test candidates; candidate `k` (from 0) has synthetic finger `1000 + k`.
fn people() -> Vec<String> {
    let mut v: Vec<String> = drives().into_iter().map(|d| d.0).collect();
    v.extend(["CAND-1", "CAND-2", "X", "BROWSER-1"].map(String::from));
    v
}

fn finger_of(candidate: &str) -> u64 {
    let k = people().iter().position(|p| p == candidate);
    1000 + k.unwrap_or_else(|| panic!("{candidate} is not on the test roster")) as u64
}

/// A site served on a real port, with the car terminal `car-01` and [`SITTING`]'s roster
/// (fingers enrolled through the identity registry).
async fn rig() -> (TestSite, String, String) {
    use examd::gate::synth::iso_impression;
    use examd::identity::roster::{CandidateV1, ExaminerV1, RosterV1};
    let t = test_site().await;
    let roster = RosterV1 {
        sitting: SITTING.into(),
        candidates: people()
            .into_iter()
            .map(|id| CandidateV1 {
                templates: vec![hex::encode(iso_impression(finger_of(&id), 0))],
                name: id.clone(),
                id,
                seat: None,
                subject: None,
            })
            .collect(),
        examiners: vec![ExaminerV1 {
            name: "ex".into(),
            display_name: None,
            templates: vec![hex::encode(iso_impression(EXAMINER_FINGER, 0))],
        }],
    };
    t.site
        .identity
        .import_roster_v1(roster, "admin")
        .await
        .unwrap();
    let dev = examd::accounts::create(
        &t.site.store,
        &t.site.log,
        "car-01".parse().unwrap(),
        model::Role::Device,
        String::new(),
        None,
        model::UnixMs(1_800_000_000_000),
        &"test".parse().unwrap(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = t.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (t, base, dev.token.unwrap())
}

/// A start for `candidate` of [`SITTING`], with their finger and the examiner's taken at the car.
fn start_of(e: &Expected, candidate: &str) -> Start {
    use examd::gate::synth::iso_impression;
    Start {
        candidate: candidate.into(),
        examiner: "ex".into(),
        course: e.course.clone(),
        vehicle: e.vehicle.clone(),
        standard: e.standard.clone(),
        region: e.region.clone(),
        identity: Some((
            SITTING.into(),
            iso_impression(finger_of(candidate), 2),
            iso_impression(EXAMINER_FINGER, 3),
        )),
    }
}

fn lines_of(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("drive.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every scripted drive streamed over the WebSocket gets the verdict `examd judge` gives (the test
/// above checks `examd judge` against the same `expected.json`); the daemon ends a session itself
/// exactly when the pass mark is out of reach; replaying each logged session gives its verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_drive_streamed_live_gets_the_batch_verdict_and_replays() {
    let (t, base, token) = rig().await;
    let all = drives();
    let outcomes: Vec<(String, Expected, Vec<String>, anyhow::Result<Outcome>)> =
        futures::stream::iter(all.into_iter().map(|(name, dir, e)| {
            let (base, token) = (base.clone(), token.clone());
            async move {
                let lines = lines_of(&dir);
                let o = car::drive(
                    &base,
                    "car-01",
                    &token,
                    &start_of(&e, &name),
                    &lines,
                    25,
                    None,
                )
                .await;
                (name, e, lines, o)
            }
        }))
        .buffer_unordered(4)
        .collect()
        .await;
    let mut failures = Vec::new();
    let mut latencies = Vec::new();
    for (name, e, lines, o) in &outcomes {
        let o = match o {
            Ok(o) => o,
            Err(err) => {
                failures.push(format!("{name}: {err:#}"));
                continue;
            }
        };
        latencies.extend(o.latencies.iter().copied());
        if o.verdict != e.verdict {
            failures.push(format!(
                "{name}: live {} != batch {}",
                serde_json::to_string(&o.verdict).unwrap(),
                serde_json::to_string(&e.verdict).unwrap()
            ));
        }
        let sent: Vec<&str> = o
            .deductions
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        let want: Vec<&str> = e
            .verdict
            .deductions
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        if sent != want || !o.errors.is_empty() {
            failures.push(format!(
                "{name}: car was told {sent:?} (errors {:?}), verdict has {want:?}",
                o.errors
            ));
        }
        // Whether the judge is over after the whole drive decides how the session ended.
        let lib = examd::driving::inputs::Library::load(Path::new("/nonexistent")).unwrap();
        let s = lib
            .setup(
                &e.course,
                &e.vehicle,
                judge::Standard::parse(&e.standard).unwrap(),
                e.region.as_deref(),
            )
            .unwrap();
        let mut j = judge::Judge::new(&s.course, &s.vehicle, &s.catalogue);
        for l in lines {
            j.push(&judge::telemetry::parse_line(l, 1).unwrap().unwrap());
        }
        let want_end = if j.is_over() {
            "pass_out_of_reach"
        } else {
            "finished"
        };
        if o.ended != want_end {
            failures.push(format!("{name}: ended {} (want {want_end})", o.ended));
        }
        // The log alone re-judges to the logged verdict.
        let logged = examd::driving::replay::load(&*t.site.store, &o.session)
            .await
            .unwrap();
        let r = examd::driving::replay::rejudge(&logged).unwrap();
        if let Err(why) = r.agrees() {
            failures.push(format!("{name}: replay: {why}"));
        }
        if r.verdict.to_dto() != e.verdict {
            failures.push(format!("{name}: replay verdict differs"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    latencies.sort();
    if let (Some(p50), Some(max)) = (latencies.get(latencies.len() / 2), latencies.last()) {
        println!(
            "live path (4 cars, unpaced, debug): {} deductions, line sent -> deduction durable and back: p50 {p50:?}, max {max:?}",
            latencies.len()
        );
    }
    // Every session shows in the console's list, ended.
    let list = t.site.store.kind_counts().await.unwrap();
    let results = list
        .iter()
        .find(|(k, _)| *k == model::EventKind::DrivingResult.code())
        .map(|x| x.1);
    assert_eq!(results, Some(outcomes.len() as u64));
}

async fn api(
    t: &TestSite,
    cookie: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    use axum::body::Body;
    use axum::http::{Request, header};
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, cookie);
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    let (status, bytes) = t
        .call(b.body(Body::from(body.unwrap_or("").to_owned())).unwrap())
        .await;
    (
        status.as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

async fn live_session(t: &TestSite, cookie: &str) -> String {
    for _ in 0..200 {
        let (_, list) = api(t, cookie, "GET", "/api/v1/driving/sessions", None).await;
        if let Some(s) = list
            .as_array()
            .and_then(|l| l.iter().find(|s| s["state"] == "live"))
        {
            return s["id"].as_str().unwrap().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no live session appeared");
}

/// The examiner's manual deductions enter the live session as events and count; a fail ends the
/// exam at once; roles and cars are checked; the replay (with the manual lines) agrees.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_deductions_count_and_a_fail_ends_the_exam() {
    let (t, base, token) = rig().await;
    let ex = t.login("ex").await;
    let au = t.login("au").await;
    let (_, dir, e) = drives()
        .into_iter()
        .find(|d| d.0 == "s2-full-clean")
        .unwrap();
    let lines = lines_of(&dir);
    // A clean drive, slowed down so the examiner can act while it runs.
    let drive = {
        let (base, token, e, lines) = (base.clone(), token.clone(), e.clone(), lines.clone());
        tokio::spawn(async move {
            car::drive(
                &base,
                "car-01",
                &token,
                &start_of(&e, "CAND-1"),
                &lines,
                10,
                Some(Duration::from_millis(10)),
            )
            .await
        })
    };
    let id = live_session(&t, &ex).await;
    let path = format!("/api/v1/driving/sessions/{id}/deductions");
    let (s, body) = api(&t, &ex, "POST", &path, Some(r#"{"code":"10204"}"#)).await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(
        (
            body["code"].as_str(),
            body["score"].as_u64(),
            body["by"].as_str()
        ),
        (Some("10204"), Some(90), Some("ex"))
    );
    let (s, body) = api(&t, &ex, "POST", &path, Some(r#"{"code":"99999"}"#)).await;
    assert_eq!(s, 400, "{body}");
    assert!(body["message_en"].as_str().unwrap().contains("99999"));
    let (s, _) = api(&t, &au, "POST", &path, Some(r#"{"code":"10204"}"#)).await;
    assert_eq!(s, 403, "auditors watch, they do not deduct");
    let o = drive.await.unwrap().unwrap();
    if let Some(max) = o.latencies.iter().max() {
        println!(
            "live path (one car, 1,000 lines/s): line sent -> deduction durable and back: max {max:?}"
        );
    }
    assert_eq!(o.ended, "finished");
    assert_eq!((o.verdict.score, o.verdict.passed), (90, true));
    assert_eq!(o.verdict.deductions.len(), 1);
    assert!(o.verdict.deductions[0].reason.contains("examiner"));
    let logged = examd::driving::replay::load(&*t.site.store, &id)
        .await
        .unwrap();
    examd::driving::replay::rejudge(&logged)
        .unwrap()
        .agrees()
        .unwrap();
    assert_eq!(logged.deductions[0].by.as_deref(), Some("ex"));
    // After the session: no more manual deductions.
    let (s, _) = api(&t, &ex, "POST", &path, Some(r#"{"code":"10204"}"#)).await;
    assert_eq!(s, 409);

    // A manual fail (10102, camera blocked) ends the exam at once: the car gets the result early.
    let drive = {
        let (base, token, e, lines) = (base.clone(), token.clone(), e.clone(), lines.clone());
        tokio::spawn(async move {
            car::drive(
                &base,
                "car-01",
                &token,
                &start_of(&e, "CAND-2"),
                &lines,
                5,
                Some(Duration::from_millis(10)),
            )
            .await
        })
    };
    let id2 = live_session(&t, &ex).await;
    let (s, body) = api(
        &t,
        &ex,
        "POST",
        &format!("/api/v1/driving/sessions/{id2}/deductions"),
        Some(r#"{"code":"10102"}"#),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    let o = drive.await.unwrap().unwrap();
    assert_eq!(o.ended, "pass_out_of_reach");
    assert_eq!((o.verdict.score, o.verdict.passed), (0, false));
    let logged = examd::driving::replay::load(&*t.site.store, &id2)
        .await
        .unwrap();
    assert!(
        logged.lines.lines().count() < lines.len(),
        "the rest of the drive was not judged"
    );
    examd::driving::replay::rejudge(&logged)
        .unwrap()
        .agrees()
        .unwrap();

    // Only the car's own terminal may stream as that car; people may not stream at all.
    let other = car::drive(
        &base,
        "car-01",
        &t.device_token,
        &start_of(&e, "X"),
        &lines[..5],
        5,
        None,
    )
    .await;
    let err = format!("{:#}", other.unwrap_err());
    assert!(err.contains("403"), "{err}");
    // A bad start is refused with the reason.
    let mut bad = start_of(&e, "X");
    bad.course = "no-such-course".into();
    let err = car::drive(&base, "car-01", &token, &bad, &lines[..5], 5, None)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("no-such-course"), "{err:#}");
}

/// `examd replay` re-judges a session from the log (exit 0) and draws it: the course, the
/// trajectory and the car's outline at each deduction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn examd_replay_draws_the_session_from_the_log() {
    let (t, base, token) = rig().await;
    let (name, dir, e) = drives()
        .into_iter()
        .find(|d| d.0 == "s2-hill-stall")
        .unwrap();
    let o = car::drive(
        &base,
        "car-01",
        &token,
        &start_of(&e, &name),
        &lines_of(&dir),
        50,
        None,
    )
    .await
    .unwrap();
    assert_eq!(o.verdict, e.verdict);
    let svg = t._dir.path().join("replay.svg");
    let out = Command::new(examd_bin())
        .args(["replay", &o.session, "--json", "--svg"])
        .arg(&svg)
        .arg("--data-dir")
        .arg(t._dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: VerdictDto = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, e.verdict);
    let pic = std::fs::read_to_string(&svg).unwrap();
    assert!(pic.starts_with("<svg") && pic.contains("id=\"trajectory\""));
    for d in &e.verdict.deductions {
        assert!(
            pic.contains(&format!("class=\"car\" data-code=\"{}\"", d.code)),
            "{}",
            d.code
        );
    }
    // The console's link serves the same picture; an unknown session is 404 / exit 2.
    let ex = t.login("ex").await;
    let (s, _) = api(
        &t,
        &ex,
        "GET",
        &format!("/api/v1/driving/sessions/{}/replay.svg", o.session),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = api(
        &t,
        &ex,
        "GET",
        "/api/v1/driving/sessions/D999999/replay.svg",
        None,
    )
    .await;
    assert_eq!(s, 404);
    let out = Command::new(examd_bin())
        .args(["replay", "D999999", "--data-dir"])
        .arg(t._dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("D999999"));
}

/// The examiner's page in headless Chromium shows a deduction within a second of the judge making it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deduction_appears_on_the_examiners_page_within_a_second() {
    use fantoccini::Locator;
    let Some(driver) = crate::support::chromedriver("driving browser test") else {
        return;
    };
    let (_t, base, token) = rig().await;
    let (_, dir, e) = drives()
        .into_iter()
        .find(|d| d.0 == "s2-hill-stall")
        .unwrap();
    let code = e.verdict.deductions[0].code.clone();
    let (_driver, c) = crate::support::browser(&driver).await;
    let result = async {
        c.goto(&format!("{base}/login")).await?;
        c.find(Locator::Id("name")).await?.send_keys("ex").await?;
        c.find(Locator::Id("password")).await?.send_keys(PASSWORD).await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        c.goto(&format!("{base}/driving")).await?;
        c.wait().for_element(Locator::Css("#live-sessions p")).await?;
        let lines = lines_of(&dir);
        let (base2, token2, e2) = (base.clone(), token.clone(), e.clone());
        let drive = tokio::spawn(async move {
            car::drive(&base2, "car-01", &token2, &start_of(&e2, "BROWSER-1"), &lines, 10, Some(Duration::from_millis(20))).await
        });
        let sel = format!("#live-sessions li[data-code=\"{code}\"], #finished-sessions li[data-code=\"{code}\"]");
        let seen = c
            .wait()
            .at_most(Duration::from_secs(30))
            .every(Duration::from_millis(20))
            .for_element(Locator::Css(&sel))
            .await?;
        let seen_at = std::time::Instant::now();
        assert!(seen.text().await?.contains(&code));
        let o = drive.await.unwrap().unwrap();
        assert_eq!(o.verdict, e.verdict);
        if let Some(max) = o.latencies.iter().max() {
            println!("live path (one car, 500 lines/s): line sent -> deduction durable and back: max {max:?}");
        }
        let told = o.first_deduction_at.expect("the car was told");
        let lag = seen_at.saturating_duration_since(told);
        println!("deduction on the examiner's page {lag:?} after the car was told (page polled every 20 ms)");
        assert!(lag < Duration::from_secs(1), "{lag:?}");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.unwrap();
}

/// Identity at the car: a session starts only when the candidate's finger matches 1:1, ranks first
/// 1:N over the sitting's roster, and the examiner's finger matches; a start without fingers or
/// for an unknown sitting is refused too; the check is logged either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fingers_at_the_car_admit_the_candidate_or_refuse_the_session() {
    use examd::gate::synth::iso_impression;
    use examd::identity::roster::{CandidateV1, ExaminerV1, RosterV1};
    let (t, base, token) = rig().await;
    let roster = RosterV1 {
        sitting: "2026-11-29-s2".into(),
        candidates: (1..=4)
            .map(|f| CandidateV1 {
                id: format!("c{f}"),
                name: format!("考生{f}"),
                seat: None,
                subject: Some("subject2".into()),
                templates: vec![hex::encode(iso_impression(f, 0))],
            })
            .collect(),
        examiners: vec![ExaminerV1 {
            name: "ex".into(),
            display_name: None,
            templates: vec![hex::encode(iso_impression(900, 0))],
        }],
    };
    t.site
        .identity
        .import_roster_v1(roster, "admin")
        .await
        .unwrap();
    let (_, dir, e) = drives().into_iter().find(|d| d.0 == "s2-manual").unwrap();
    let lines = lines_of(&dir);
    let with = |cand: &str, cf: u64, ef: u64| {
        let mut s = start_of(&e, "X");
        s.candidate = cand.into();
        s.identity = Some((
            "2026-11-29-s2".into(),
            iso_impression(cf, 2),
            iso_impression(ef, 3),
        ));
        s
    };
    // The right fingers: the session runs, and the identity event comes before its start.
    let o = car::drive(
        &base,
        "car-01",
        &token,
        &with("c3", 3, 900),
        &lines,
        50,
        None,
    )
    .await
    .unwrap();
    assert_eq!(o.verdict, e.verdict);
    // Someone else's finger, and a stranger's examiner finger: refused, with the reason, and logged.
    let err = car::drive(
        &base,
        "car-01",
        &token,
        &with("c3", 4, 900),
        &lines,
        50,
        None,
    )
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("identity not confirmed"),
        "{err:#}"
    );
    let err = car::drive(&base, "car-01", &token, &with("c3", 3, 3), &lines, 50, None)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("examiner"), "{err:#}");
    // No fingers at all, or a sitting the registry does not know: refused, named, logged.
    let mut none = start_of(&e, "X");
    none.identity = None;
    let err = car::drive(&base, "car-01", &token, &none, &lines, 50, None)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("no identity field"), "{err:#}");
    let mut stranger_sitting = with("c3", 3, 900);
    stranger_sitting.identity.as_mut().unwrap().0 = "no-such-sitting".into();
    let err = car::drive(&base, "car-01", &token, &stranger_sitting, &lines, 50, None)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("no-such-sitting"), "{err:#}");
    let rows = t
        .site
        .store
        .events_desc(None, Some(model::EventKind::DrivingIdentity.code()), 10)
        .await
        .unwrap();
    let passed: Vec<bool> = rows
        .iter()
        .rev()
        .map(|r| {
            let ev = audit::decode(&r.bytes).unwrap();
            serde_json::from_slice::<serde_json::Value>(&ev.payload).unwrap()["passed"]
                .as_bool()
                .unwrap()
        })
        .collect();
    assert_eq!(passed, [true, false, false, false, false]);
    let sessions = t.site.store.kind_counts().await.unwrap();
    let started = sessions
        .iter()
        .find(|(k, _)| *k == model::EventKind::DrivingSessionStarted.code())
        .map(|x| x.1);
    assert_eq!(started, Some(1), "refused sessions never start");
}

/// Reads the feed's SSE body until `n` results have come; the kinds, in order.
async fn feed_kinds(resp: &mut reqwest::Response, text: &mut String, n: usize) -> Vec<String> {
    let kinds = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|d| {
                serde_json::from_str::<serde_json::Value>(d.trim()).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    while kinds(text)
        .iter()
        .filter(|k| *k == "driving.result")
        .count()
        < n
    {
        let chunk = tokio::time::timeout(Duration::from_secs(10), resp.chunk())
            .await
            .expect("the feed went quiet")
            .unwrap()
            .expect("the feed ended");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    kinds(text)
}

/// The `/driving` page's feed opens with the recent driving events a person reads, oldest first,
/// and follows live; the telemetry chunks and inputs, though logged, never go to the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_feed_leaves_out_telemetry_chunks() {
    let (t, base, token) = rig().await;
    let (name, dir, e) = drives()
        .into_iter()
        .find(|d| d.0 == "s2-hill-stall")
        .unwrap();
    let drive = |who: &str| {
        let (base, token, start, lines) = (
            base.clone(),
            token.clone(),
            start_of(&e, who),
            lines_of(&dir),
        );
        async move {
            car::drive(&base, "car-01", &token, &start, &lines, 50, None)
                .await
                .unwrap()
        }
    };
    drive(&name).await;
    let cookie = t.login("ex").await;
    let mut resp = reqwest::Client::new()
        .get(format!("{base}/api/v1/driving/events?from=1"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut text = String::new();
    let tail = feed_kinds(&mut resp, &mut text, 1).await;
    assert_eq!(tail.first().map(String::as_str), Some("driving.identity"));
    assert_eq!(
        tail.get(1).map(String::as_str),
        Some("driving.session_started")
    );
    assert!(tail.iter().any(|k| k == "driving.deduction"), "{tail:?}");
    // Live: a second drive's events arrive on the open feed.
    drive("CAND-1").await;
    let all = feed_kinds(&mut resp, &mut text, 2).await;
    assert!(all.len() > tail.len() + 2, "{all:?}");
    for k in &all {
        assert!(
            k != "driving.telemetry" && k != "driving.input",
            "{k} on the page's feed"
        );
    }
    let counts = t.site.store.kind_counts().await.unwrap();
    let chunks = counts
        .iter()
        .find(|(k, _)| *k == model::EventKind::DrivingTelemetry.code())
        .map_or(0, |x| x.1);
    assert!(chunks >= 2, "the log holds the telemetry ({chunks} chunks)");
    // The audit page links each finished session's replay picture.
    let au = t.login("au").await;
    let audit = reqwest::Client::new()
        .get(format!("{base}/audit?lang=en"))
        .header("cookie", &au)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let first = t
        .site
        .store
        .events_desc(None, Some(model::EventKind::DrivingResult.code()), 1)
        .await
        .unwrap();
    let session = serde_json::from_slice::<serde_json::Value>(
        &audit::decode(&first[0].bytes).unwrap().payload,
    )
    .unwrap()["session"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        audit.contains(&format!("/api/v1/driving/sessions/{session}/replay.svg")),
        "{audit}"
    );
    // People without a watcher's role get no feed.
    let car_token = reqwest::Client::new()
        .get(format!("{base}/api/v1/driving/events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(car_token.status(), 403);
}
