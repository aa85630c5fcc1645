//! The theory area: bank import and validation, sittings over the API (pass, early fail, time up,
//! re-verification), replay after a restart, and the pages in headless Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use examd::theory::banks;
use model::Role;
use serde_json::{Value, json};

use crate::support::{TestSite, examd_bin, test_site};

pub fn fixture_bank() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/qbank/synthetic")
}

fn public_banks() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/qbank");
    p.is_dir().then_some(p)
}

/// The correct answer of every fixture question, e.g. `syn1-001` → `B`.
pub fn answer_key() -> std::collections::HashMap<String, (String, Vec<String>)> {
    let text = std::fs::read_to_string(fixture_bank().join("bank.jsonl")).unwrap();
    let parsed = theory::import::jsonl::parse(&text);
    parsed
        .questions
        .iter()
        .map(|q| {
            let right: String = q.answer.keys().map(|k| k.letter()).collect();
            let all = q.option_keys().map(|k| k.letter().to_string()).collect();
            (q.id.to_string(), (right, all))
        })
        .collect()
}

#[tokio::test]
async fn import_is_versioned_by_content_and_reports_problems() {
    let dir = tempfile::tempdir().unwrap();
    let id = "synthetic".parse().unwrap();
    let first = banks::import(dir.path(), &fixture_bank(), &id, "auto")
        .await
        .unwrap();
    assert_eq!(
        (first.questions, first.excluded, first.media),
        (211, 0, 6),
        "{}",
        first.report
    );
    assert!(!first.unchanged);
    let again = banks::import(dir.path(), &fixture_bank(), &id, "auto")
        .await
        .unwrap();
    assert_eq!(again.version, first.version);
    assert!(again.unchanged);
    // The normalized bank reads back to the same questions, and its media are copied.
    let loaded = banks::load(dir.path(), &id, &first.version).unwrap();
    assert_eq!(loaded.bank.questions().len(), 211);
    for q in loaded.bank.questions() {
        for m in q.media_refs() {
            assert!(loaded.dir.join(&m.path).is_file(), "{} missing", m.path);
        }
    }
    // A broken source: an answer that is no option and a missing picture are left out and reported.
    let bad = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(fixture_bank().join("bank.jsonl")).unwrap();
    text.push_str(r#"{"id":"bad-1","subject":1,"type":"single","stem":"坏题","options":[{"key":"A","text":"甲"},{"key":"B","text":"乙"}],"answer":["D"]}"#);
    text.push('\n');
    text.push_str(r#"{"id":"bad-2","subject":1,"type":"judge","stem":"如图","options":[{"key":"A","text":"正确"},{"key":"B","text":"错误"}],"answer":["A"],"media":"media/nope.png"}"#);
    text.push('\n');
    std::fs::write(bad.path().join("bank.jsonl"), text).unwrap();
    std::fs::create_dir(bad.path().join("media")).unwrap();
    for f in std::fs::read_dir(fixture_bank().join("media")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), bad.path().join("media").join(f.file_name())).unwrap();
    }
    let r = banks::import(dir.path(), bad.path(), &id, "auto")
        .await
        .unwrap();
    assert_eq!((r.questions, r.excluded), (211, 2));
    assert_eq!(
        r.version, first.version,
        "the left-out questions do not make a new version"
    );
    assert!(
        r.report.contains("bad-1") && r.report.contains("bad-2"),
        "{}",
        r.report
    );
    assert_eq!(
        banks::current_versions(dir.path()).unwrap(),
        vec![(id.clone(), r.version.clone())]
    );
}

#[test]
fn bank_cli_validates_imports_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(examd_bin())
        .args(["bank", "validate"])
        .arg(fixture_bank())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(examd_bin())
        .args([
            "bank",
            "import",
            "--id",
            "synthetic",
            "--site-id",
            "test-site",
            "--data-dir",
        ])
        .arg(dir.path())
        .arg(fixture_bank())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("211 questions"), "{text}");
    let out = Command::new(examd_bin())
        .args(["bank", "list", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("synthetic\t"));
    // A source with an error fails validation with exit code 1.
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(
        bad.path().join("bank.jsonl"),
        r#"{"id":"x","subject":1,"type":"single","stem":"题","options":[{"key":"A","text":"甲"}],"answer":["C"]}"#,
    )
    .unwrap();
    let out = Command::new(examd_bin())
        .args(["bank", "validate"])
        .arg(bad.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test]
async fn the_public_banks_import_from_jsonl_and_sqlite() {
    let Some(root) = public_banks() else {
        eprintln!("SKIP: ../shared/data/qbank is absent; the public banks were not imported");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let umeit = root.join("umeit-DriverExam");
    let sql = banks::import(dir.path(), &umeit, &"umeit-db".parse().unwrap(), "sqlite")
        .await
        .unwrap();
    let json = banks::import(dir.path(), &umeit, &"umeit".parse().unwrap(), "jsonl")
        .await
        .unwrap();
    eprintln!(
        "umeit sqlite: {} in, {} out; jsonl: {} in, {} out",
        sql.questions, sql.excluded, json.questions, json.excluded
    );
    assert_eq!(sql.questions + sql.excluded, 1474 + 899);
    assert!(sql.questions > 2200 && json.questions > 2200);
    let b = banks::load(dir.path(), &"umeit-db".parse().unwrap(), &sql.version).unwrap();
    assert!(
        b.bank
            .questions()
            .iter()
            .any(|q| q.media.as_ref().is_some_and(|m| m.path.ends_with(".gif")))
    );
    let beinet = banks::import(
        dir.path(),
        &root.join("youbl-Beinet.cn.DrivingTest"),
        &"beinet".parse().unwrap(),
        "auto",
    )
    .await
    .unwrap();
    assert!(beinet.questions > 900, "{}", beinet.report);
}

pub async fn req(
    t: &TestSite,
    method: &str,
    uri: &str,
    auth: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in auth {
        b = b.header(*k, *v);
    }
    let body = match body {
        Some(v) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let (status, bytes) = t.call(b.body(body).unwrap()).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn seat_device(t: &TestSite, name: &str) {
    let by = "test".parse().unwrap();
    examd::accounts::create(
        &t.site.store,
        &t.site.log,
        name.parse().unwrap(),
        Role::Device,
        String::new(),
        None,
        model::UnixMs(0),
        &by,
    )
    .await
    .unwrap();
}

/// A site with the fixture bank and an open sitting; returns (site, examiner cookie, sitting).
async fn hall(exam: &str, reverify_s: u32) -> (TestSite, String, String) {
    let t = test_site().await;
    banks::import(
        &t.site.rt.data_dir,
        &fixture_bank(),
        &"synthetic".parse().unwrap(),
        "auto",
    )
    .await
    .unwrap();
    let ex = t.login("ex").await;
    let (s, v) = req(
        &t,
        "POST",
        "/api/v1/theory/sittings",
        &[("cookie", &ex)],
        Some(json!({"exam": exam, "bank": "synthetic", "reverify_s": reverify_s})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let sitting = v["sitting"].as_str().unwrap().to_owned();
    (t, ex, sitting)
}

async fn seat_in(t: &TestSite, ex: &str, sitting: &str, seat: &str, candidate: &str) -> String {
    seat_device(t, seat).await;
    let (s, v) = req(
        t,
        "POST",
        &format!("/api/v1/theory/sittings/{sitting}/seats"),
        &[("cookie", ex)],
        Some(json!({"seat": seat, "candidate": candidate})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let code = v["code"].as_str().unwrap().to_owned();
    let (s, v) = req(
        t,
        "POST",
        "/api/v1/theory/seat/login",
        &[],
        Some(json!({"seat": seat, "candidate": candidate, "code": code})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["token"].as_str().unwrap().to_owned()
}

/// Answers the current question right (or wrong) through the API.
async fn answer(t: &TestSite, token: &str, state: &Value, right: bool) -> (StatusCode, Value) {
    let key = answer_key();
    let (good, all) = &key[state["question"]["id"].as_str().unwrap()];
    let choice = if right {
        good.clone()
    } else {
        all.iter().find(|k| *k != good).unwrap().clone()
    };
    req(
        t,
        "POST",
        "/api/v1/theory/seat/answer",
        &[("x-seat-token", token)],
        Some(json!({"index": state["index"], "choice": choice})),
    )
    .await
}

async fn seat_state(t: &TestSite, token: &str) -> Value {
    let (s, v) = req(
        t,
        "GET",
        "/api/v1/theory/seat/state",
        &[("x-seat-token", token)],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn kinds(t: &TestSite) -> Vec<(u16, u64)> {
    t.site.store.kind_counts().await.unwrap()
}

fn count(k: &[(u16, u64)], kind: model::EventKind) -> u64 {
    k.iter()
        .find(|(c, _)| *c == kind.code())
        .map(|(_, n)| *n)
        .unwrap_or(0)
}

#[tokio::test]
async fn a_safety_paper_passes_and_a_subject1_paper_fails_early() {
    let (t, ex, sitting) = hall("safety", 0).await;
    let token = seat_in(&t, &ex, &sitting, "seat-1", "110101200001011234").await;
    let mut st = seat_state(&t, &token).await;
    assert_eq!(
        (
            st["status"].as_str(),
            st["total"].as_u64(),
            st["index"].as_u64()
        ),
        (Some("in_progress"), Some(50), Some(0))
    );
    // The clock is the server's: 45 minutes, minus what passed.
    assert_eq!(st["remaining_ms"], 2_700_000);
    t.now.fetch_add(61_000, Ordering::SeqCst);
    // 4 wrong answers are allowed (5 is the limit in safety theory), the rest right.
    for i in 0..50 {
        let (s, v) = answer(&t, &token, &st, i % 12 != 3).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        st = v;
    }
    assert_eq!(st["status"], "finished");
    assert_eq!(st["result"]["verdict"], "passed", "{st}");
    assert_eq!(st["result"]["score"], 92);
    // An answer to a finished paper is refused.
    let (s, _) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/answer",
        &[("x-seat-token", &token)],
        Some(json!({"index": 0, "choice": "A"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    let (_, ex2, s1) = (0, ex.clone(), {
        let (s, v) = req(
            &t,
            "POST",
            "/api/v1/theory/sittings",
            &[("cookie", &ex)],
            Some(json!({"exam": "subject1", "bank": "synthetic"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        v["sitting"].as_str().unwrap().to_owned()
    });
    let token2 = seat_in(&t, &ex2, &s1, "seat-2", "candidate-2").await;
    let mut st = seat_state(&t, &token2).await;
    for n in 1..=11 {
        let (s, v) = answer(&t, &token2, &st, false).await;
        assert_eq!(s, StatusCode::OK);
        st = v;
        assert_eq!(
            st["status"] == "finished",
            n == 11,
            "after {n} wrong answers: {st}"
        );
    }
    assert_eq!(st["result"]["reason"], "pass_out_of_reach");
    assert_eq!(st["result"]["unanswered"], 89);
    // Every answer and question shown is an event; each result is one.
    let k = kinds(&t).await;
    assert_eq!(count(&k, model::EventKind::TheoryAnswerGiven), 61);
    assert_eq!(count(&k, model::EventKind::TheoryQuestionShown), 61);
    assert_eq!(count(&k, model::EventKind::TheoryResult), 2);
    // The examiner sees both results; a seat session cannot read the examiner's list.
    let (s, v) = req(
        &t,
        "GET",
        "/api/v1/theory/sittings",
        &[("cookie", &ex)],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["sittings"].as_array().unwrap().len(), 2);
    let (s, _) = req(
        &t,
        "GET",
        "/api/v1/theory/sittings",
        &[("x-seat-token", &token)],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logins_are_checked_and_time_runs_out_on_the_server() {
    let (t, ex, sitting) = hall("subject1", 0).await;
    seat_device(&t, "seat-1").await;
    let (_, v) = req(
        &t,
        "POST",
        &format!("/api/v1/theory/sittings/{sitting}/seats"),
        &[("cookie", &ex)],
        Some(json!({"seat": "seat-1", "candidate": "c1"})),
    )
    .await;
    let code = v["code"].as_str().unwrap().to_owned();
    // Wrong code, wrong candidate, another seat's device token: refused.
    for body in [
        json!({"seat": "seat-1", "candidate": "c1", "code": "x"}),
        json!({"seat": "seat-1", "candidate": "c2", "code": code}),
    ] {
        let (s, _) = req(&t, "POST", "/api/v1/theory/seat/login", &[], Some(body)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let bearer = format!("Bearer {}", t.device_token);
    let (s, _) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/login",
        &[("authorization", &bearer)],
        Some(json!({"seat": "seat-1", "candidate": "c1", "code": code})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A seat that is not a device account cannot be assigned; a candidate cannot open a sitting.
    let (s, _) = req(
        &t,
        "POST",
        &format!("/api/v1/theory/sittings/{sitting}/seats"),
        &[("cookie", &ex)],
        Some(json!({"seat": "ex", "candidate": "c"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/login",
        &[],
        Some(json!({"seat": "seat-1", "candidate": "c1", "code": code})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let token = v["token"].as_str().unwrap().to_owned();
    let (s, _) = req(
        &t,
        "POST",
        "/api/v1/theory/sittings",
        &[("x-seat-token", &token)],
        Some(json!({"exam": "subject1", "bank": "synthetic"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/login",
        &[],
        Some(json!({"seat": "seat-1", "candidate": "c1", "code": code})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "a second login to a started paper");
    // Answer one, then let 45 minutes pass: the next request finds the paper over.
    let st = seat_state(&t, &token).await;
    answer(&t, &token, &st, true).await;
    t.now.fetch_add(45 * 60_000, Ordering::SeqCst);
    let v = seat_state(&t, &token).await;
    assert_eq!(v["status"], "finished");
    assert_eq!(v["result"]["reason"], "time_up");
    assert_eq!(v["result"]["score"], 1);
}

#[tokio::test]
async fn failed_reverification_pauses_the_clock_and_alerts_the_examiner() {
    let (t, ex, sitting) = hall("safety", 300).await;
    seat_device(&t, "seat-1").await;
    let (_, v) = req(
        &t,
        "POST",
        &format!("/api/v1/theory/sittings/{sitting}/seats"),
        &[("cookie", &ex)],
        Some(json!({"seat": "seat-1", "candidate": "c1"})),
    )
    .await;
    let code = v["code"].as_str().unwrap().to_owned();
    let (_, v) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/login",
        &[],
        Some(json!({"seat": "seat-1", "candidate": "c1", "code": code})),
    )
    .await;
    let token = v["token"].as_str().unwrap().to_owned();
    t.now.fetch_add(300_000, Ordering::SeqCst);
    let st = seat_state(&t, &token).await;
    assert_eq!(st["reverify_due"], true);
    let (s, _) = answer(&t, &token, &st, true).await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "no answers until identity is confirmed"
    );
    let (_, st) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/reverify",
        &[("x-seat-token", &token)],
        Some(json!({"code": "000000x"})),
    )
    .await;
    assert_eq!(st["status"], "paused");
    let left = st["remaining_ms"].as_i64().unwrap();
    let (_, v) = req(
        &t,
        "GET",
        "/api/v1/theory/sittings",
        &[("cookie", &ex)],
        None,
    )
    .await;
    assert!(
        v["sittings"][0]["seats"][0]["alert"]
            .as_str()
            .unwrap()
            .contains("复核"),
        "{v}"
    );
    t.now.fetch_add(120_000, Ordering::SeqCst);
    let (_, st) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/reverify",
        &[("x-seat-token", &token)],
        Some(json!({"code": code})),
    )
    .await;
    assert_eq!(st["status"], "in_progress");
    assert_eq!(
        st["remaining_ms"].as_i64().unwrap(),
        left,
        "the pause did not cost the candidate time"
    );
    let (s, _) = answer(&t, &token, &st, true).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn a_restart_rebuilds_every_open_paper_from_the_log() {
    let (t, ex, sitting) = hall("subject1", 0).await;
    let token = seat_in(&t, &ex, &sitting, "seat-1", "c1").await;
    let mut st = seat_state(&t, &token).await;
    for i in 0..7 {
        t.now.fetch_add(5_000, Ordering::SeqCst);
        st = answer(&t, &token, &st, i != 2).await.1;
    }
    let before = seat_state(&t, &token).await;
    // A second daemon state on the same site replays the log.
    let n = t.now.clone();
    let clock: examd::state::Clock =
        std::sync::Arc::new(move || model::UnixMs(n.load(Ordering::SeqCst)));
    let state = examd::app::state_of(&t.site, clock).await.unwrap();
    let t2 = TestSite {
        router: examd::app::router(state),
        ..t
    };
    let after = seat_state(&t2, &token).await;
    for f in [
        "index",
        "remaining_ms",
        "grid",
        "score",
        "status",
        "question",
    ] {
        assert_eq!(before[f], after[f], "{f} after replay");
    }
    assert_eq!(after["index"], 7);
    let (s, _) = answer(&t2, &token, &after, true).await;
    assert_eq!(s, StatusCode::OK);
}

mod browser;

/// Crash drill: SIGKILL the daemon mid-paper; after a restart every acknowledged answer is there,
/// the clock resumes from the logged start, and `examd audit verify` passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_answers_and_the_clock_survive_sigkill() {
    use crate::durability::{add_device, add_person, start_daemon, verify};
    let dir = tempfile::tempdir().unwrap();
    banks::import(
        dir.path(),
        &fixture_bank(),
        &"synthetic".parse().unwrap(),
        "auto",
    )
    .await
    .unwrap();
    add_person(dir.path(), "ex", "examiner", "console-pass-1");
    add_device(dir.path(), "seat-1");
    let (mut child, base) = start_daemon(dir.path());
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"name": "ex", "password": "console-pass-1"}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let v: Value = http
        .post(format!("{base}/api/v1/theory/sittings"))
        .header("cookie", &cookie)
        .json(&json!({"exam": "subject1", "bank": "synthetic"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sitting = v["sitting"].as_str().unwrap().to_owned();
    let v: Value = http
        .post(format!("{base}/api/v1/theory/sittings/{sitting}/seats"))
        .header("cookie", &cookie)
        .json(&json!({"seat": "seat-1", "candidate": "c1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = v["code"].as_str().unwrap().to_owned();
    let v: Value = http
        .post(format!("{base}/api/v1/theory/seat/login"))
        .json(&json!({"seat": "seat-1", "candidate": "c1", "code": code}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = v["token"].as_str().unwrap().to_owned();
    let started = std::time::Instant::now();
    let mut state = v["state"].clone();
    let key = answer_key();
    let mut acked = Vec::new();
    for i in 0..12 {
        let (good, all) = &key[state["question"]["id"].as_str().unwrap()];
        let choice = if i % 5 == 4 {
            all.iter().find(|k| *k != good).unwrap().clone()
        } else {
            good.clone()
        };
        let r = http
            .post(format!("{base}/api/v1/theory/seat/answer"))
            .header("x-seat-token", &token)
            .json(&json!({"index": state["index"], "choice": choice}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        state = r.json().await.unwrap();
        acked.push(state["grid"][i].as_str().unwrap().to_owned());
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let (mut child, base) = start_daemon(dir.path());
    let after: Value = http
        .get(format!("{base}/api/v1/theory/seat/state"))
        .header("x-seat-token", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let elapsed = started.elapsed().as_millis() as i64;
    assert_eq!(after["index"], 12, "{after}");
    for (i, g) in acked.iter().enumerate() {
        assert_eq!(
            after["grid"][i].as_str(),
            Some(g.as_str()),
            "answer {i} after the restart"
        );
    }
    let left = after["remaining_ms"].as_i64().unwrap();
    assert!(
        left <= 2_700_000 - elapsed + 1_000 && left >= 2_700_000 - elapsed - 5_000,
        "remaining {left} ms after {elapsed} ms"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(verify(dir.path())["ok"], true);
}
