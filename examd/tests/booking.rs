//! Booking over the API: identify with a one-time code, the rules' refusals as the candidate
//! sees them, capacity under concurrency, the draw from commit to reveal, `examd draw verify`
//! on an audit export, and the candidate and admin pages in headless Chromium.

use std::process::Command;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use booking::CandidateId;
use fantoccini::Locator;
use serde_json::{Value, json};

use crate::durability::{add_person, start_daemon};
use crate::support::{Kill, TestSite, browser, chromedriver, examd_bin, test_site};

const DAY_MS: i64 = 86_400_000;

fn post(path: &str, cookie: &str, body: Value) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

async fn call(t: &TestSite, req: Request<Body>) -> (StatusCode, Value) {
    let (s, body) = t.call(req).await;
    (s, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Today (China) by the test clock, as `YYYY-MM-DD`, plus `n` days.
fn day(t: &TestSite, n: i32) -> String {
    booking::LocalDay::of(model::UnixMs(t.now.load(Ordering::SeqCst)))
        .plus_days(n)
        .to_string()
}

async fn register(t: &TestSite, admin: &str, id: &CandidateId) {
    let (s, v) = call(
        t,
        post(
            "/api/v1/booking/candidates",
            admin,
            json!({ "candidate": id.as_str(), "name": "测试考生", "class": "C1", "phone": "13800000000" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// Logs a candidate in with a code from the SMS outbox; returns the cookie.
async fn candidate(t: &TestSite, admin: &str, id: &CandidateId) -> String {
    let (s, _) = call(
        t,
        post(
            "/api/v1/booking/login/code",
            "",
            json!({ "candidate": id.as_str() }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (_, out) = call(t, get("/api/v1/booking/outbox", admin)).await;
    let code = out["messages"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m["candidate"] == id.as_str())
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, v) = call(
        t,
        post(
            "/api/v1/booking/login",
            "",
            json!({ "candidate": id.as_str(), "code": code }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    format!("examd_booking={}", v["token"].as_str().unwrap())
}

async fn open(t: &TestSite, admin: &str, body: Value) {
    let (s, v) = call(t, post("/api/v1/booking/sessions", admin, body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

async fn book(t: &TestSite, who: &str, session: &str) -> (StatusCode, Value) {
    call(
        t,
        post("/api/v1/booking/book", who, json!({ "session": session })),
    )
    .await
}

async fn step(t: &TestSite, admin: &str, session: &str, what: &str) -> Value {
    let (s, v) = call(
        t,
        post(
            &format!("/api/v1/booking/sessions/{session}/{what}"),
            admin,
            json!({}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{what}: {v}");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identify_book_refuse_draw_and_verify() {
    let t = test_site().await;
    let admin = t.login("ad").await;
    let people: Vec<CandidateId> = (0..4).map(CandidateId::synthetic).collect();
    for p in &people {
        register(&t, &admin, p).await;
    }
    // Identity: a wrong code is refused and logged; booking needs a login.
    let (s, _) = call(
        &t,
        post(
            "/api/v1/booking/login",
            "",
            json!({ "candidate": people[0].as_str(), "code": "123456" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = book(&t, "", "x").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let cs: Vec<String> = {
        let mut v = vec![];
        for p in &people {
            v.push(candidate(&t, &admin, p).await);
        }
        v
    };
    // Subject order: Subject 2 before Subject 1 is refused, naming the rule.
    open(&t, &admin, json!({ "session": "s2-early", "subject": "subject2", "day": day(&t, 3), "capacity": 5,
        "examiners": ["ex"], "per_examiner": 4, "group_size": 2, "cars": ["car-1"], "site_day_max": 100, "examiner_day_max": 40 })).await;
    let (s, v) = book(&t, &cs[0], "s2-early").await;
    assert_eq!(
        (s, v["rule"].as_str()),
        (StatusCode::CONFLICT, Some("subject-order")),
        "{v}"
    );
    // Subject 1 tomorrow: everyone books, the session runs, all pass.
    open(
        &t,
        &admin,
        json!({ "session": "s1", "subject": "subject1", "day": day(&t, 1), "capacity": 10,
        "site_day_max": 100, "examiner_day_max": 40 }),
    )
    .await;
    for c in &cs {
        let (s, v) = book(&t, c, "s1").await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, v) = book(&t, &cs[0], "s1").await;
    assert_eq!(v["rule"], "open-booking", "{s} {v}");
    t.now.fetch_add(DAY_MS, Ordering::SeqCst);
    // Sessions expire (staff's and candidates'): log in again on the new day.
    let admin = t.login("ad").await;
    step(&t, &admin, "s1", "commit").await;
    let drawn = step(&t, &admin, "s1", "close").await;
    assert_eq!(drawn["assignments"].as_array().unwrap().len(), 4);
    for p in &people {
        let (s, v) = call(
            &t,
            post(
                "/api/v1/booking/sessions/s1/results",
                &admin,
                json!({ "candidate": p.as_str(), "outcome": "passed" }),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    step(&t, &admin, "s1", "finish").await;
    // Waiting period: Subject 2 only 10 days after the permit (C1).
    let mut cs = Vec::new();
    for p in &people {
        cs.push(candidate(&t, &admin, p).await);
    }
    let (s, v) = book(&t, &cs[0], "s2-early").await;
    assert_eq!(
        (s, v["rule"].as_str()),
        (StatusCode::CONFLICT, Some("waiting-period")),
        "{v}"
    );
    t.now.fetch_add(10 * DAY_MS, Ordering::SeqCst);
    let admin = t.login("ad").await;
    let mut cs = Vec::new();
    for p in &people {
        cs.push(candidate(&t, &admin, p).await);
    }
    // Capacity: two places, four candidates booking at once: exactly two get in.
    open(
        &t,
        &admin,
        json!({ "session": "s2", "subject": "subject2", "day": day(&t, 5), "capacity": 2,
        "examiners": ["ex", "ex2"], "per_examiner": 2, "group_size": 1, "cars": ["car-1", "car-2"],
        "site_day_max": 100, "examiner_day_max": 40 }),
    )
    .await;
    let results = futures::future::join_all(cs.iter().map(|c| book(&t, c, "s2"))).await;
    let ok = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let full: Vec<_> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CONFLICT)
        .collect();
    assert_eq!(ok, 2, "{results:?}");
    assert!(
        full.iter().all(|(_, v)| v["rule"] == "session-capacity"),
        "{full:?}"
    );
    // Cancellation: allowed up to the last working day before, then refused.
    let winner = cs
        .iter()
        .zip(&results)
        .find(|(_, (s, _))| *s == StatusCode::CREATED)
        .map(|(c, _)| c.clone())
        .unwrap();
    let (s, v) = call(
        &t,
        post(
            "/api/v1/booking/cancel",
            &winner,
            json!({ "session": "s2" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let loser = cs
        .iter()
        .zip(&results)
        .find(|(_, (s, _))| *s != StatusCode::CREATED)
        .map(|(c, _)| c.clone())
        .unwrap();
    let (s, v) = book(&t, &loser, "s2").await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "the cancelled place is free again: {v}"
    );
    t.now.fetch_add(5 * DAY_MS, Ordering::SeqCst);
    let admin = t.login("ad").await;
    let loser_id = &people[cs.iter().position(|c| *c == loser).unwrap()];
    let loser = candidate(&t, &admin, loser_id).await;
    let (s, v) = call(
        &t,
        post("/api/v1/booking/cancel", &loser, json!({ "session": "s2" })),
    )
    .await;
    assert_eq!(
        (s, v["rule"].as_str()),
        (StatusCode::CONFLICT, Some("cancel-one-working-day-before")),
        "{v}"
    );
    // The draw: closing before committing is refused; then commit, close, finish.
    let (s, v) = call(
        &t,
        post("/api/v1/booking/sessions/s2/close", &admin, json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let c = step(&t, &admin, "s2", "commit").await;
    let (_, public) = call(&t, get("/api/v1/booking/draws", "")).await;
    let listed = public["draws"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["session"] == "s2")
        .unwrap()
        .clone();
    assert_eq!(listed["commitment"], c["commitment"]);
    assert!(
        listed["seed"].is_null(),
        "the seed is secret until the sitting ends"
    );
    let (s, _) = call(
        &t,
        post("/api/v1/booking/sessions/s2/commit", &admin, json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "one commitment per session");
    let drawn = step(&t, &admin, "s2", "close").await;
    let a = drawn["assignments"].as_array().unwrap();
    assert_eq!(a.len(), 2);
    assert!(
        a.iter()
            .all(|x| x["examiner"].is_string() && x["car"].is_string())
    );
    let winner_id = &people[cs.iter().position(|c| *c == winner).unwrap()];
    let winner = candidate(&t, &admin, winner_id).await;
    let (s, v) = book(&t, &winner, "s2").await;
    // On the exam day itself nothing more can be booked (the roster is closed too).
    assert_eq!(
        (s, v["rule"].as_str()),
        (StatusCode::CONFLICT, Some("book-in-advance")),
        "{v}"
    );
    let fin = step(&t, &admin, "s2", "finish").await;
    let seed = booking::draw::Seed::from_hex(fin["seed"].as_str().unwrap()).unwrap();
    assert_eq!(
        booking::draw::commitment(&"s2".parse().unwrap(), &seed),
        c["commitment"].as_str().unwrap()
    );
    // No result was recorded: both are no-shows, which is a fail (ten-day wait).
    let (_, me) = call(&t, get("/api/v1/booking/me", &loser)).await;
    assert_eq!(me["bookings"][0]["result"], "no_show", "{me}");
    // Every draw verifies from the database and from an audit export, with the CLI.
    let (checked, errors) = examd::booking::verify::from_store(&*t.site.store)
        .await
        .unwrap()
        .finish();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(checked.len(), 2);
    assert!(
        checked.iter().all(|c| c.mismatches.is_empty()),
        "{checked:?}"
    );
    let dir = t._dir.path();
    let export = dir.join("log.export");
    let out = Command::new(examd_bin())
        .args(["audit", "export", "--site-id", "test-site", "--data-dir"])
        .arg(dir)
        .arg("--out")
        .arg(&export)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(examd_bin())
        .args(["draw", "verify", "--json", "--from"])
        .arg(&export)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success(), "{v}");
    assert_eq!(v["draws"].as_array().unwrap().len(), 2, "{v}");
    // A restart rebuilds the same ledger from the log.
    let n = t.now.clone();
    let clock: examd::state::Clock =
        std::sync::Arc::new(move || model::UnixMs(n.load(Ordering::SeqCst)));
    let again = examd::app::state_of(&t.site, clock).await.unwrap();
    let booked = |st: &examd::state::AppState| {
        st.areas.booking.read(|l| {
            l.sessions
                .values()
                .map(|s| (s.spec.id.to_string(), s.booked.len(), s.closed))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        booked(&again),
        vec![
            ("s1".into(), 4, true),
            ("s2".into(), 2, true),
            ("s2-early".into(), 0, false),
        ]
    );
}

/// The text of the first element matching `css` once `ok` holds (the pages re-render their
/// tables, so an element found may go stale: look it up again).
async fn text_when(c: &fantoccini::Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..80 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if ok(&t) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(125)).await;
    }
    panic!("{css}: never as expected, last {last:?}");
}

/// Clicks the first element matching `css`, looking it up again if it went stale.
async fn click(c: &fantoccini::Client, css: &str) {
    for _ in 0..80 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && e.click().await.is_ok()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(125)).await;
    }
    panic!("{css}: could not click");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn candidate_and_admin_pages_in_chromium() {
    let Some(driver) = chromedriver("booking browser test") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    add_person(dir.path(), "ad", "admin", "console-pass-1");
    let (daemon, base) = start_daemon(dir.path());
    let _daemon = Kill(daemon);
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"name": "ad", "password": "console-pass-1"}))
        .send()
        .await
        .unwrap();
    let admin = login.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let api = |path: &str, body: Value| {
        http.post(format!("{base}/api/v1/booking{path}"))
            .header("cookie", &admin)
            .json(&body)
            .send()
    };
    let me = CandidateId::synthetic(42);
    let (lucky, other) = (CandidateId::synthetic(43), CandidateId::synthetic(44));
    let r = api("/candidates", json!({ "candidate": me.as_str(), "name": "浏览器考生", "class": "C1", "phone": "13900000000" })).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // A week ahead, so the last working day to cancel is after today whatever today is.
    let week = booking::LocalDay::of(model::UnixMs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    ))
    .plus_days(7)
    .to_string();
    for s in ["s1-a", "s1-b"] {
        let r = api(
            "/sessions",
            json!({ "session": s, "subject": "subject1", "day": week, "capacity": 5,
            "site_day_max": 100, "examiner_day_max": 40 }),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let (_driver, c) = browser(&driver).await;
    let result = async {
        // The candidate identifies with the ID number and the SMS code.
        c.goto(&format!("{base}/booking")).await?;
        c.wait()
            .for_element(Locator::Id("cand-id"))
            .await?
            .send_keys(me.as_str())
            .await?;
        assert!(c.source().await?.contains("身份证号码"));
        c.find(Locator::Id("send-code")).await?.click().await?;
        c.wait()
            .for_element(Locator::Css("#login-msg:not([hidden])"))
            .await?;
        let out: Value = http
            .get(format!("{base}/api/v1/booking/outbox"))
            .header("cookie", &admin)
            .send()
            .await?
            .json()
            .await?;
        let code = out["messages"][0]["code"].as_str().unwrap().to_owned();
        c.find(Locator::Id("code")).await?.send_keys(&code).await?;
        c.find(Locator::Id("login-go")).await?.click().await?;
        c.wait()
            .for_element(Locator::Css("#me:not([hidden])"))
            .await?;
        // Book one session; a second booking of the subject is refused with the rule named.
        click(&c, "#open button.book[data-session='s1-a']").await;
        text_when(&c, "#ok:not([hidden])", |t| t == "预约成功").await;
        text_when(&c, "#bookings tr[data-session='s1-a'] td.state", |t| {
            t == "已预约"
        })
        .await;
        click(&c, "#open button.book[data-session='s1-b']").await;
        let text = text_when(&c, "#msg:not([hidden])", |t| !t.is_empty()).await;
        assert!(
            text.starts_with("[open-booking] 科目一已有未完成的预约"),
            "{text}"
        );
        // Cancel: the row shows it, and the place is free again.
        click(&c, "#bookings button.cancel[data-session='s1-a']").await;
        text_when(&c, "#ok:not([hidden])", |t| t == "已取消预约").await;
        text_when(&c, "#bookings tr[data-session='s1-a'] td.state", |t| {
            t == "已取消"
        })
        .await;
        click(&c, "#open button.book[data-session='s1-b']").await;
        text_when(&c, "#bookings tr[data-session='s1-b'] td.state", |t| {
            t == "已预约"
        })
        .await;
        // English on request.
        c.goto(&format!("{base}/booking?lang=en")).await?;
        text_when(&c, "#bookings tr[data-session='s1-b'] td.state", |t| {
            t == "Booked"
        })
        .await;
        assert!(c.source().await?.contains("My bookings"));
        // A lottery session (one place): another candidate applies on the page, a third over
        // the API.
        let r = api("/sessions", json!({ "session": "s1-lot", "subject": "subject1", "day": week, "capacity": 1,
            "site_day_max": 100, "examiner_day_max": 40, "allocation": "lottery" })).await?;
        assert_eq!(r.status(), StatusCode::CREATED);
        for (p, phone) in [(&lucky, "13900000001"), (&other, "13900000002")] {
            let r = api("/candidates", json!({ "candidate": p.as_str(), "name": "抽签考生", "class": "C1", "phone": phone })).await?;
            assert_eq!(r.status(), StatusCode::CREATED);
        }
        let code_for = |who: CandidateId| {
            let (http, base, admin) = (&http, &base, &admin);
            async move {
                let out: Value = http
                    .get(format!("{base}/api/v1/booking/outbox"))
                    .header("cookie", admin)
                    .send()
                    .await?
                    .json()
                    .await?;
                let m = out["messages"].as_array().unwrap().iter().rev().find(|m| m["candidate"] == who.as_str()).unwrap();
                Ok::<_, reqwest::Error>(m["code"].as_str().unwrap().to_owned())
            }
        };
        http.post(format!("{base}/api/v1/booking/login/code")).json(&json!({ "candidate": other.as_str() })).send().await?;
        let code = code_for(other.clone()).await?;
        let v: Value = http.post(format!("{base}/api/v1/booking/login")).json(&json!({ "candidate": other.as_str(), "code": code })).send().await?.json().await?;
        let r = http.post(format!("{base}/api/v1/booking/apply")).header("x-booking-token", v["token"].as_str().unwrap())
            .json(&json!({ "session": "s1-lot" })).send().await?;
        assert_eq!(r.status(), StatusCode::CREATED);
        c.goto(&format!("{base}/booking?lang=zh")).await?;
        click(&c, "#logout").await;
        c.wait().for_element(Locator::Css("#login:not([hidden]) #cand-id")).await?.send_keys(lucky.as_str()).await?;
        c.find(Locator::Id("send-code")).await?.click().await?;
        c.wait().for_element(Locator::Css("#login-msg:not([hidden])")).await?;
        let code = code_for(lucky.clone()).await?;
        c.find(Locator::Id("code")).await?.send_keys(&code).await?;
        c.find(Locator::Id("login-go")).await?.click().await?;
        c.wait().for_element(Locator::Css("#me:not([hidden])")).await?;
        text_when(&c, "#open tr[data-session='s1-lot'] td.free", |t| t == "抽签分配: 1 个名额, 1 人申请").await;
        click(&c, "#open button.apply[data-session='s1-lot']").await;
        text_when(&c, "#ok:not([hidden])", |t| t.starts_with("已提交抽签申请")).await;
        text_when(&c, "#bookings tr[data-session='s1-lot'] td.state", |t| t == "已申请，等待抽签").await;
        // The admin runs the draw from the admin page: commit, close and draw, finish.
        c.goto(&format!("{base}/login?lang=zh")).await?;
        c.wait()
            .for_element(Locator::Id("name"))
            .await?
            .send_keys("ad")
            .await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys("console-pass-1")
            .await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        c.goto(&format!("{base}/booking/admin")).await?;
        for step in ["commit", "close", "finish"] {
            click(
                &c,
                &format!("#sessions button.step[data-step='{step}'][data-session='s1-b']"),
            )
            .await;
            text_when(&c, "#ok:not([hidden])", |t| t == "✓ s1-b").await;
            if step == "commit" {
                let commitment = text_when(
                    &c,
                    "#sessions tr[data-session='s1-b'] td.commitment code",
                    |t| t.len() == 64,
                )
                .await;
                assert!(commitment.bytes().all(|b| b.is_ascii_hexdigit()));
            }
        }
        let seed_text = text_when(&c, "#sessions tr[data-session='s1-b'] td.seed code", |t| {
            t.len() == 64
        })
        .await;
        text_when(&c, "#assignments tbody tr", |t| t.contains(me.as_str())).await;
        // The lottery: the admin closes the applications and draws the place.
        text_when(&c, "#sessions tr[data-session='s1-lot'] td.allocation", |t| t == "抽签: 申请 2").await;
        click(&c, "#sessions button.step[data-step='allocate'][data-session='s1-lot']").await;
        text_when(&c, "#ok:not([hidden])", |t| t == "✓ s1-lot").await;
        text_when(&c, "#sessions tr[data-session='s1-lot'] td.allocation", |t| {
            t == "抽签: 申请 2 · 中签 1 · 未中签 1"
        })
        .await;
        let lot: Value = http
            .get(format!("{base}/api/v1/booking/sessions/s1-lot"))
            .header("cookie", &admin)
            .send()
            .await?
            .json()
            .await?;
        let lucky_won = lot["roster"][0] == lucky.as_str();
        // The public page shows the commitment and the seed.
        c.goto(&format!("{base}/draw")).await?;
        text_when(&c, "#draws tr[data-session='s1-b'] td.seed code", |t| {
            t == seed_text
        })
        .await;
        text_when(&c, "#lotteries tr[data-session='s1-lot'] td.seed code", |t| t.len() == 64).await;
        // The candidate sees the outcome: a booking, or the notice, in Chinese and English.
        for (lang, won, lost, notice) in [
            ("zh", "已中签（已预约）", "未中签", "未中签：该场次申请人数多于名额"),
            ("en", "Allocated (booked)", "Not allocated", "Not allocated: the session had more applicants than places"),
        ] {
            c.goto(&format!("{base}/booking?lang={lang}")).await?;
            let want = if lucky_won { won } else { lost };
            text_when(&c, "#bookings tr[data-session='s1-lot'] td.state", |t| t == want).await;
            if !lucky_won {
                text_when(&c, "#notices p.notice[data-session='s1-lot']", |t| t.contains(notice)).await;
            }
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    c.close().await.ok();
    result.unwrap();
}

/// `examd draw verify --json [--date]` on an audit export of the test site's log.
fn verify_cli(t: &TestSite, date: Option<&str>) -> (Option<i32>, Value) {
    let dir = t._dir.path();
    let export = dir.join("verify.export");
    let _ = std::fs::remove_file(&export);
    let out = Command::new(examd_bin())
        .args(["audit", "export", "--site-id", "test-site", "--data-dir"])
        .arg(dir)
        .arg("--out")
        .arg(&export)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut cmd = Command::new(examd_bin());
    cmd.args(["draw", "verify", "--json", "--from"])
        .arg(&export);
    if let Some(d) = date {
        cmd.args(["--date", d]);
    }
    let out = cmd.output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

/// A draw committed but not revealed is pending, not a mismatch; a day without sessions and a
/// day whose sessions have no draw are said plainly (exit 2); a finished draw verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draw_verify_tells_pending_unknown_and_undrawn_days() {
    let t = test_site().await;
    let admin = t.login("ad").await;
    let people: Vec<CandidateId> = (10..13).map(CandidateId::synthetic).collect();
    for p in &people {
        register(&t, &admin, p).await;
    }
    for (s, d) in [("pend", 2), ("idle", 3)] {
        open(
            &t,
            &admin,
            json!({ "session": s, "subject": "subject1", "day": day(&t, d), "capacity": 5,
            "site_day_max": 100, "examiner_day_max": 40 }),
        )
        .await;
    }
    for p in &people {
        let c = candidate(&t, &admin, p).await;
        let (s, v) = book(&t, &c, "pend").await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let pend_day = day(&t, 2);
    step(&t, &admin, "pend", "commit").await;
    let (code, v) = verify_cli(&t, Some(&pend_day));
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["draws"][0]["status"], "pending", "{v}");
    assert_eq!(v["draws"][0]["stage"], "committed", "{v}");
    t.now.fetch_add(2 * DAY_MS, Ordering::SeqCst);
    let admin = t.login("ad").await;
    step(&t, &admin, "pend", "close").await;
    let (code, v) = verify_cli(&t, Some(&pend_day));
    assert_eq!(
        code,
        Some(0),
        "drawn, not revealed: pending, not a mismatch: {v}"
    );
    assert_eq!(
        (&v["draws"][0]["status"], &v["draws"][0]["stage"]),
        (&json!("pending"), &json!("drawn")),
        "{v}"
    );
    assert_eq!(v["draws"][0]["mismatches"], json!([]), "{v}");
    // A day with sessions but no draw, and a day without sessions: exit 2, said plainly.
    let idle_day = day(&t, 1);
    let (code, v) = verify_cli(&t, Some(&idle_day));
    assert_eq!(
        (code, &v["sessions_that_day"], &v["ok"]),
        (Some(2), &json!(1), &json!(false)),
        "{v}"
    );
    let (code, v) = verify_cli(&t, Some("2001-01-01"));
    assert_eq!((code, &v["sessions_that_day"]), (Some(2), &json!(0)), "{v}");
    let dir = t._dir.path();
    let out = Command::new(examd_bin())
        .args(["draw", "verify", "--date", "2001-01-01", "--from"])
        .arg(dir.join("verify.export"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("no session on 2001-01-01 in the log"),
        "{text}"
    );
    let out = Command::new(examd_bin())
        .args(["draw", "verify", "--date", "2001-13-01", "--from"])
        .arg(dir.join("verify.export"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--date"),
        "a bad date is named"
    );
    // Finished: verified.
    step(&t, &admin, "pend", "finish").await;
    let (code, v) = verify_cli(&t, Some(&pend_day));
    assert_eq!(
        (code, &v["draws"][0]["status"]),
        (Some(0), &json!("verified")),
        "{v}"
    );
}

/// A lottery session: applications checked by the rules, the places drawn at the window's
/// close (no over-booking), losers told so, the allocation logged and recomputed by
/// `examd draw verify`, and the same ledger after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lottery_apply_allocate_notify_and_verify() {
    let t = test_site().await;
    let admin = t.login("ad").await;
    let people: Vec<CandidateId> = (20..26).map(CandidateId::synthetic).collect();
    for p in &people {
        register(&t, &admin, p).await;
    }
    let (s, v) = call(&t, post("/api/v1/booking/sessions", &admin, json!({ "session": "lot", "subject": "subject1",
        "day": day(&t, 3), "capacity": 2, "site_day_max": 100, "examiner_day_max": 40, "allocation": "raffle" }))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = call(&t, post("/api/v1/booking/sessions", &admin, json!({ "session": "lot", "subject": "subject1",
        "day": day(&t, 3), "capacity": 2, "site_day_max": 100, "examiner_day_max": 40, "allocation": "lottery" }))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let commitment = v["commitment"].as_str().unwrap().to_owned();
    open(&t, &admin, json!({ "session": "lot-s2", "subject": "subject2", "day": day(&t, 20), "capacity": 2,
        "examiners": ["ex"], "per_examiner": 2, "cars": ["car-1"], "site_day_max": 100, "examiner_day_max": 40,
        "allocation": "lottery" })).await;
    open(
        &t,
        &admin,
        json!({ "session": "fc", "subject": "subject1", "day": day(&t, 4), "capacity": 5,
        "site_day_max": 100, "examiner_day_max": 40 }),
    )
    .await;
    let mut cs = Vec::new();
    for p in &people {
        cs.push(candidate(&t, &admin, p).await);
    }
    let apply = |who: &str, s: &str| {
        call(
            &t,
            post("/api/v1/booking/apply", who, json!({ "session": s })),
        )
    };
    // Booked, not applied for, and the other way round; the rules apply at application time.
    let (_, v) = book(&t, &cs[0], "lot").await;
    assert_eq!(v["rule"], "lottery-session", "{v}");
    let (_, v) = apply(&cs[0], "fc").await;
    assert_eq!(v["rule"], "application-window", "{v}");
    let (_, v) = apply(&cs[0], "lot-s2").await;
    assert_eq!(v["rule"], "subject-order", "{v}");
    for c in &cs[..5] {
        let (s, v) = apply(c, "lot").await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (_, v) = apply(&cs[0], "lot").await;
    assert_eq!(v["rule"], "open-booking", "{v}");
    // Withdrawing an application.
    let (s, v) = call(
        &t,
        post(
            "/api/v1/booking/cancel",
            &cs[4],
            json!({ "session": "lot" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, me) = call(&t, get("/api/v1/booking/me", &cs[0])).await;
    assert_eq!(me["bookings"][0]["result"], "applied", "{me}");
    // The seed is committed before the window closes and secret until then.
    let (_, public) = call(&t, get("/api/v1/booking/draws", "")).await;
    let listed = public["lotteries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["session"] == "lot")
        .unwrap()
        .clone();
    assert_eq!(
        (listed["commitment"].as_str(), listed["seed"].is_null()),
        (Some(commitment.as_str()), true)
    );
    // The roster cannot close before the lottery; then the window closes with the draw.
    step(&t, &admin, "lot", "commit").await;
    let (s, v) = call(
        &t,
        post("/api/v1/booking/sessions/lot/close", &admin, json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = call(
        &t,
        post("/api/v1/booking/sessions/fc/allocate", &admin, json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "not a lottery: {v}");
    let a = step(&t, &admin, "lot", "allocate").await;
    let won: Vec<&str> = a["allocated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    let lost: Vec<&str> = a["not_allocated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!((won.len(), lost.len()), (2, 2), "{a}");
    let seed = booking::draw::Seed::from_hex(a["seed"].as_str().unwrap()).unwrap();
    assert_eq!(
        booking::lottery::commitment(&"lot".parse().unwrap(), &seed),
        commitment
    );
    let again = booking::lottery::allocate(&people[..4], 2, &seed);
    assert_eq!(
        again.winners.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        won
    );
    let (s, _) = call(
        &t,
        post("/api/v1/booking/sessions/lot/allocate", &admin, json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "one draw per window");
    let (_, v) = apply(&cs[5], "lot").await;
    assert_eq!(v["rule"], "application-window", "{v}");
    // Winners hold a booking; losers get the notice, and may book elsewhere at once.
    for (p, c) in people.iter().zip(&cs).take(4) {
        let (_, me) = call(&t, get("/api/v1/booking/me", c)).await;
        let b = &me["bookings"][0];
        if won.contains(&p.as_str()) {
            assert_eq!(
                (&b["result"], &b["notice"]),
                (&json!("pending"), &Value::Null),
                "{me}"
            );
        } else {
            assert_eq!(b["result"], "not_allocated", "{me}");
            assert!(b["notice"].as_str().unwrap().starts_with("未中签"), "{me}");
            assert!(
                b["notice_en"]
                    .as_str()
                    .unwrap()
                    .starts_with("Not allocated"),
                "{me}"
            );
            let (s, v) = book(&t, c, "fc").await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
    }
    let (_, sessions) = call(&t, get("/api/v1/booking/sessions", &admin)).await;
    let lot = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["session"] == "lot")
        .unwrap()
        .clone();
    assert_eq!(
        (
            &lot["booked"],
            &lot["lottery"]["applicants"],
            &lot["lottery"]["allocated"]
        ),
        (&json!(2), &json!(4), &json!(2)),
        "{lot}"
    );
    // The exam-day draw runs on the winners.
    let drawn = step(&t, &admin, "lot", "close").await;
    assert_eq!(drawn["assignments"].as_array().unwrap().len(), 2);
    let (code, v) = verify_cli(&t, None);
    assert_eq!(code, Some(0), "{v}");
    let l: Vec<&Value> = v["lotteries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["session"] == "lot")
        .collect();
    assert_eq!(
        (&l[0]["status"], &l[0]["applicants"], &l[0]["allocated"]),
        (&json!("verified"), &json!(4), &json!(2)),
        "{v}"
    );
    let l: Vec<&Value> = v["lotteries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["session"] == "lot-s2")
        .collect();
    assert_eq!(l[0]["status"], "pending", "{v}");
    // A restart rebuilds the same allocation from the log.
    let n = t.now.clone();
    let clock: examd::state::Clock =
        std::sync::Arc::new(move || model::UnixMs(n.load(Ordering::SeqCst)));
    let st = examd::app::state_of(&t.site, clock).await.unwrap();
    let booked = st
        .areas
        .booking
        .read(|l| l.sessions[&"lot".parse().unwrap()].booked.clone());
    assert_eq!(booked.iter().map(|c| c.as_str()).collect::<Vec<_>>(), won);
}
