//! The theory area: bank import and validation, sittings over the API (fingerprint logins and
//! refusals, pass, early fail, time up, finger re-verification), replay after a restart, a SIGKILL
//! drill, and the pages in headless Chromium.

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

/// Creates a seat's device account; returns its bearer token (the seat reader's credential).
async fn seat_device(t: &TestSite, name: &str) -> String {
    let by = "test".parse().unwrap();
    let u = examd::accounts::create(
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
    u.token.unwrap()
}

/// The examiner `ex`'s synthetic finger.
pub const EX_FINGER: u64 = 7;

/// A candidate's synthetic finger, from their id.
pub fn finger_of(id: &str) -> u64 {
    let h = audit::sha256(&[id.as_bytes()]).0;
    1_000 + u64::from(u16::from_le_bytes([h[0], h[1]]))
}

/// Hex of impression `n` of synthetic finger `finger` (an ISO/IEC 19794-2 record).
pub fn finger_hex(finger: u64, n: u64) -> String {
    hex::encode(examd::gate::synth::iso_impression(finger, n))
}

/// Enrols two impressions of `finger` for `person` (`candidate:<id>`, `examiner:<name>`).
async fn enroll(t: &TestSite, person: &str, finger: u64) {
    let ad = t.login("ad").await;
    let (s, v) = req(
        t,
        "POST",
        "/api/v1/identity/enroll",
        &[("cookie", &ad)],
        Some(
            json!({"person": person, "templates": [finger_hex(finger, 0), finger_hex(finger, 1)]}),
        ),
    )
    .await;
    assert!(s.is_success(), "enrol {person}: {s} {v}");
}

/// Impression `n` of `finger` at `seat`'s reader, posted with the reader's device token.
async fn press(t: &TestSite, reader: &str, seat: &str, finger: u64, n: u64) -> (StatusCode, Value) {
    let r = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/theory/seat/finger?seat={seat}"))
        .header(header::AUTHORIZATION, format!("Bearer {reader}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(examd::gate::synth::iso_impression(finger, n)))
        .unwrap();
    let (status, bytes) = t.call(r).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The seat page begins waiting for a finger; returns the terminal's token.
async fn begin(t: &TestSite, seat: &str) -> String {
    let (s, v) = req(
        t,
        "POST",
        "/api/v1/theory/seat/begin",
        &[],
        Some(json!({"seat": seat})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"]["status"], "awaiting_finger");
    v["token"].as_str().unwrap().to_owned()
}

async fn open(
    t: &TestSite,
    ex: &str,
    exam: &str,
    reverify_s: u32,
    finger: u64,
) -> (StatusCode, Value) {
    req(
        t,
        "POST",
        "/api/v1/theory/sittings",
        &[("cookie", ex)],
        Some(
            json!({"exam": exam, "bank": "synthetic", "reverify_s": reverify_s,
                    "finger": finger_hex(finger, 4)}),
        ),
    )
    .await
}

/// A site with the fixture bank and a sitting the examiner opened with their finger; returns
/// (site, examiner cookie, sitting).
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
    enroll(&t, "examiner:ex", EX_FINGER).await;
    let ex = t.login("ex").await;
    let (s, v) = open(&t, &ex, exam, reverify_s, EX_FINGER).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let sitting = v["sitting"].as_str().unwrap().to_owned();
    (t, ex, sitting)
}

/// Enrols `candidate`, makes `seat` a device and assigns it; returns the seat reader's token.
async fn assigned(t: &TestSite, ex: &str, sitting: &str, seat: &str, candidate: &str) -> String {
    enroll(t, &format!("candidate:{candidate}"), finger_of(candidate)).await;
    let reader = seat_device(t, seat).await;
    let (s, v) = req(
        t,
        "POST",
        &format!("/api/v1/theory/sittings/{sitting}/seats"),
        &[("cookie", ex)],
        Some(json!({"seat": seat, "candidate": candidate})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    reader
}

/// Assigns `candidate` to `seat` and logs them in by finger; returns the seat session token.
async fn seat_in(t: &TestSite, ex: &str, sitting: &str, seat: &str, candidate: &str) -> String {
    let reader = assigned(t, ex, sitting, seat, candidate).await;
    let token = begin(t, seat).await;
    let (s, v) = press(t, &reader, seat, finger_of(candidate), 2).await;
    assert_eq!((s, &v["matched"]), (StatusCode::OK, &json!(true)), "{v}");
    token
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

    let (s, v) = open(&t, &ex, "subject1", 0, EX_FINGER).await;
    assert_eq!(s, StatusCode::CREATED);
    let s1 = v["sitting"].as_str().unwrap().to_owned();
    let token2 = seat_in(&t, &ex, &s1, "seat-2", "candidate-2").await;
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
async fn logins_are_by_finger_and_time_runs_out_on_the_server() {
    let (t, ex, sitting) = hall("subject1", 0).await;
    // An examiner whose finger does not match cannot open a sitting; the refusal is logged.
    let (s, _) = open(&t, &ex, "subject1", 0, EX_FINGER + 1).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = req(
        &t,
        "POST",
        "/api/v1/theory/sittings",
        &[("cookie", &ex)],
        Some(json!({"exam": "subject1", "bank": "synthetic", "finger": "zz"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["message_en"].as_str().unwrap().contains("hex"), "{v}");
    let reader = assigned(&t, &ex, &sitting, "seat-1", "c1").await;
    let other = assigned(&t, &ex, &sitting, "seat-2", "c2").await;
    // A candidate id the identity registry cannot hold is refused at assignment.
    let (s, _) = req(
        &t,
        "POST",
        &format!("/api/v1/theory/sittings/{sitting}/seats"),
        &[("cookie", &ex)],
        Some(json!({"seat": "seat-2", "candidate": "not an id"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // No terminal waiting yet: the finger has nowhere to go.
    let (s, _) = press(&t, &reader, "seat-1", finger_of("c1"), 2).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let token = begin(&t, "seat-1").await;
    let (s, v) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/answer",
        &[("x-seat-token", &token)],
        Some(json!({"index": 0, "choice": "A"})),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "no answers before the finger: {v}"
    );
    // Another seat's reader, the gate's device, a garbage record: refused.
    let (s, _) = press(&t, &other, "seat-1", finger_of("c1"), 2).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = press(&t, &t.device_token, "seat-1", finger_of("c1"), 2).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = Request::builder()
        .method("POST")
        .uri("/api/v1/theory/seat/finger?seat=seat-1")
        .header(header::AUTHORIZATION, format!("Bearer {reader}"))
        .body(Body::from(vec![0u8; 40]))
        .unwrap();
    assert_eq!(t.call(r).await.0, StatusCode::BAD_REQUEST);
    // c2's finger (and a stranger's) at c1's seat: refused with the score, counted; at three the
    // examiner is alerted.
    for (n, f) in [(1, finger_of("c2")), (2, 424_242), (3, finger_of("c2"))] {
        let (s, v) = press(&t, &reader, "seat-1", f, 3).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["matched"], false, "{v}");
        assert!(v["score"].as_f64().unwrap() < v["threshold"].as_f64().unwrap());
        assert_eq!(v["finger_failures"], n);
        assert_eq!(v["status"], "not_started");
    }
    let (_, v) = req(
        &t,
        "GET",
        "/api/v1/theory/sittings",
        &[("cookie", &ex)],
        None,
    )
    .await;
    let seat = &v["sittings"][0]["seats"][0];
    assert_eq!(seat["seat"], "seat-1");
    assert!(
        seat["alert"]
            .as_str()
            .unwrap()
            .contains("finger refused 3 times"),
        "{seat}"
    );
    assert_eq!(
        count(&kinds(&t).await, model::EventKind::TheoryFingerRefused),
        4
    );
    let (s, v) = req(
        &t,
        "GET",
        "/api/v1/theory/seat/state",
        &[("x-seat-token", &token)],
        None,
    )
    .await;
    assert_eq!(
        (s, &v["status"], &v["finger_failures"]),
        (StatusCode::OK, &json!("awaiting_finger"), &json!(3))
    );
    // c1's own finger: the waiting terminal becomes the seat session; the alert clears.
    let (s, v) = press(&t, &reader, "seat-1", finger_of("c1"), 5).await;
    assert_eq!(
        (s, &v["matched"], &v["status"]),
        (StatusCode::OK, &json!(true), &json!("in_progress")),
        "{v}"
    );
    assert!(v["alert"].is_null());
    let st = seat_state(&t, &token).await;
    assert_eq!(st["candidate"], "c1");
    // A seat session cannot act as an examiner.
    let (s, _) = req(
        &t,
        "POST",
        "/api/v1/theory/sittings",
        &[("x-seat-token", &token)],
        Some(json!({"exam": "subject1", "bank": "synthetic", "finger": finger_hex(EX_FINGER, 1)})),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Answer one; the browser then loses its session (crash): a new terminal begins and the
    // candidate's finger resumes at the same question; the old token no longer works.
    let (_, st) = answer(&t, &token, &st, true).await;
    let token2 = begin(&t, "seat-1").await;
    let (_, v) = req(
        &t,
        "GET",
        "/api/v1/theory/seat/state",
        &[("x-seat-token", &token2)],
        None,
    )
    .await;
    assert_eq!(
        (&v["status"], &v["resume"]),
        (&json!("awaiting_finger"), &json!(true))
    );
    let (_, v) = press(&t, &reader, "seat-1", finger_of("c1"), 6).await;
    assert_eq!(v["matched"], true, "{v}");
    let resumed = seat_state(&t, &token2).await;
    assert_eq!(
        (resumed["index"].as_u64(), &resumed["question"]),
        (Some(1), &st["question"])
    );
    let (s, _) = req(
        &t,
        "GET",
        "/api/v1/theory/seat/state",
        &[("x-seat-token", &token)],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the lost session is revoked");
    // The fallback: c2's finger cannot be read. The examiner may admit only after three refusals,
    // and only with their own finger; the login then names the examiner.
    let t2 = begin(&t, "seat-2").await;
    let admit = async |finger: u64| {
        req(
            &t,
            "POST",
            "/api/v1/theory/seats/seat-2/admit",
            &[("cookie", &ex)],
            Some(json!({"finger": finger_hex(finger, 8)})),
        )
        .await
    };
    assert_eq!(admit(EX_FINGER).await.0, StatusCode::CONFLICT);
    for n in 1..=3 {
        press(&t, &other, "seat-2", finger_of("c1"), n).await;
    }
    assert_eq!(admit(EX_FINGER + 1).await.0, StatusCode::FORBIDDEN);
    let (s, v) = admit(EX_FINGER).await;
    assert_eq!(
        (s, &v["status"]),
        (StatusCode::OK, &json!("in_progress")),
        "{v}"
    );
    assert_eq!(seat_state(&t, &t2).await["candidate"], "c2");
    let (s, events) = req(
        &t,
        "GET",
        "/api/v1/events?kind=theory.candidate_login",
        &[("cookie", &t.login("au").await)],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let admitted: Vec<&Value> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["payload"]["seat"] == "seat-2")
        .collect();
    assert_eq!(admitted.len(), 1, "{events}");
    assert_eq!(admitted[0]["payload"]["examiner"], "ex");
    assert!(admitted[0]["payload"]["score"].is_null());
    // Let 45 minutes pass: the next request finds the paper over.
    t.now.fetch_add(45 * 60_000, Ordering::SeqCst);
    let v = seat_state(&t, &token2).await;
    assert_eq!(v["status"], "finished");
    assert_eq!(v["result"]["reason"], "time_up");
    assert_eq!(v["result"]["score"], 1);
    // A finished seat takes no more fingers or terminals.
    let (s, _) = press(&t, &reader, "seat-1", finger_of("c1"), 7).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = req(
        &t,
        "POST",
        "/api/v1/theory/seat/begin",
        &[],
        Some(json!({"seat": "seat-1"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn failed_finger_reverification_pauses_the_clock_and_alerts_the_examiner() {
    let (t, ex, sitting) = hall("safety", 300).await;
    let reader = assigned(&t, &ex, &sitting, "seat-1", "c1").await;
    let token = begin(&t, "seat-1").await;
    press(&t, &reader, "seat-1", finger_of("c1"), 2).await;
    t.now.fetch_add(300_000, Ordering::SeqCst);
    let st = seat_state(&t, &token).await;
    assert_eq!(st["reverify_due"], true);
    let (s, _) = answer(&t, &token, &st, true).await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "no answers until identity is confirmed"
    );
    // Two wrong fingers: still due, still running; the third pauses the paper.
    for n in 1..=3u64 {
        let (_, v) = press(&t, &reader, "seat-1", finger_of("someone-else"), n).await;
        assert_eq!(v["matched"], false);
        assert_eq!(
            v["status"],
            if n < 3 { "in_progress" } else { "paused" },
            "{v}"
        );
    }
    let st = seat_state(&t, &token).await;
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
    let k = kinds(&t).await;
    assert_eq!(count(&k, model::EventKind::TheoryReverifyFailed), 1);
    assert_eq!(count(&k, model::EventKind::TheoryFingerRefused), 3);
    // The examiner comes over; two minutes later the candidate's own finger resumes the paper
    // and the pause did not cost them time.
    t.now.fetch_add(120_000, Ordering::SeqCst);
    let (_, v) = press(&t, &reader, "seat-1", finger_of("c1"), 4).await;
    assert_eq!(
        (&v["matched"], &v["status"]),
        (&json!(true), &json!("in_progress")),
        "{v}"
    );
    let st = seat_state(&t, &token).await;
    assert_eq!(
        st["remaining_ms"].as_i64().unwrap(),
        left,
        "the pause did not cost the candidate time"
    );
    assert_eq!(st["reverify_due"], false);
    let (s, _) = answer(&t, &token, &st, true).await;
    assert_eq!(s, StatusCode::OK);
    // A re-check left unanswered past its grace fails on its own.
    t.now
        .fetch_add(300_000 + examd::theory::REVERIFY_GRACE_MS, Ordering::SeqCst);
    let mut paused = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if seat_state(&t, &token).await["status"] == "paused" {
            paused = true;
            break;
        }
    }
    assert!(paused, "the tick fails an unanswered re-check");
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
    add_person(dir.path(), "ad", "admin", "console-pass-1");
    let reader = add_device(dir.path(), "seat-1");
    let (mut child, base) = start_daemon(dir.path());
    let http = reqwest::Client::new();
    let cookie_of = async |name: &str| {
        let login = http
            .post(format!("{base}/api/v1/login"))
            .json(&json!({"name": name, "password": "console-pass-1"}))
            .send()
            .await
            .unwrap();
        login.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    };
    let (cookie, admin) = (cookie_of("ex").await, cookie_of("ad").await);
    for (person, f) in [
        ("examiner:ex", EX_FINGER),
        ("candidate:c1", finger_of("c1")),
    ] {
        let r = http
            .post(format!("{base}/api/v1/identity/enroll"))
            .header("cookie", &admin)
            .json(&json!({"person": person, "templates": [finger_hex(f, 0), finger_hex(f, 1)]}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "enrol {person}: {}", r.status());
    }
    let v: Value = http
        .post(format!("{base}/api/v1/theory/sittings"))
        .header("cookie", &cookie)
        .json(&json!({"exam": "subject1", "bank": "synthetic", "finger": finger_hex(EX_FINGER, 3)}))
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
    assert_eq!(v["candidate"], "c1", "{v}");
    let v: Value = http
        .post(format!("{base}/api/v1/theory/seat/begin"))
        .json(&json!({"seat": "seat-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = v["token"].as_str().unwrap().to_owned();
    let v: Value = http
        .post(format!("{base}/api/v1/theory/seat/finger?seat=seat-1"))
        .bearer_auth(&reader)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(finger_hex(finger_of("c1"), 2))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["matched"], true, "{v}");
    let started = std::time::Instant::now();
    let mut state: Value = http
        .get(format!("{base}/api/v1/theory/seat/state"))
        .header("x-seat-token", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
