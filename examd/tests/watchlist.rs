//! The watch-list end to end: the `/api/v1/watchlist` routes (roles, refusals by name, no templates out), the
//! list surviving a restart, a listed finger refused at the gate with a `watchlist` alarm even when the roster's
//! 1:1 matched, enrolment flagged for a watch-listed finger and for a finger already enrolled under another
//! identity, and the console page in Chromium.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use examd::gate::synth::{impression, iso_impression};
use examd::identity::PersonRef;
use examd::state::AppState;
use examd::watchlist::NewEntry;
use examd::watchlist::model::{Reason, Status, WatchId};
use fantoccini::Locator;
use model::EventKind;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestSite, browser, chromedriver, test_site};

/// The listed person's synthetic finger.
const LISTED: u64 = 7_001;

fn b64(finger: u64, n: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(iso_impression(finger, n))
}

async fn call(
    t: &TestSite,
    method: &str,
    path: &str,
    cookie: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    req = if cookie.starts_with("Bearer ") {
        req.header(header::AUTHORIZATION, cookie)
    } else {
        req.header(header::COOKIE, cookie)
    };
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let (status, bytes) = t.call(req).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn listed(finger: u64, reason: Reason) -> NewEntry {
    NewEntry {
        id_number: Some("37090219900101123X".parse().unwrap()),
        name: Some("王某".into()),
        reason,
        note: "test".into(),
        records: vec![iso_impression(finger, 0), iso_impression(finger, 1)],
        source: "upload".into(),
    }
}

/// Kinds of the events logged so far.
async fn kinds(state: &AppState) -> Vec<(EventKind, Value)> {
    let page = state.store.events(model::Seq::FIRST, 10_000).await.unwrap();
    page.iter()
        .map(|s| {
            let e = audit::decode(&s.bytes).unwrap();
            (
                e.kind,
                serde_json::from_slice(&e.payload).unwrap_or(Value::Null),
            )
        })
        .collect()
}

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_add_and_remove_entries_others_read_and_nothing_returns_a_template() {
    let t = test_site().await;
    let (ad, ex, au) = (
        t.login("ad").await,
        t.login("ex").await,
        t.login("au").await,
    );
    let dev = format!("Bearer {}", t.device_token);
    let add = json!({
        "id_number": "37090219900101123X", "name": "王某", "reason": "exam_ban", "until": "2027-06-30",
        "note": "2026 作弊 案 12", "templates_base64": [b64(LISTED, 0), b64(LISTED, 1)],
    });
    // Only an admin adds.
    for who in [&ex, &au, &dev] {
        let (s, _) = call(
            &t,
            "POST",
            "/api/v1/watchlist/entries",
            who,
            Some(add.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    let (s, v) = call(
        &t,
        "POST",
        "/api/v1/watchlist/entries",
        &ad,
        Some(add.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["id"].as_str(), v["status"].as_str(), v["until"].as_str()),
        (Some("WL-00001"), Some("active"), Some("2027-06-30"))
    );
    assert_eq!(v["templates"], 2);
    assert_eq!(v["sha256"][0].as_str().unwrap().len(), 64);
    // Refusals name what was wrong.
    for (body, needle) in [
        (
            json!({ "reason": "exam_ban", "templates_base64": [b64(LISTED, 0)] }),
            "until",
        ),
        (
            json!({ "reason": "stand_in", "until": "2027-01-01", "templates_base64": [b64(LISTED, 0)] }),
            "only an exam ban",
        ),
        (
            json!({ "reason": "cheating", "templates_base64": [b64(LISTED, 0)] }),
            "\"cheating\"",
        ),
        (
            json!({ "reason": "exam_ban", "until": "2027-02-30", "templates_base64": [b64(LISTED, 0)] }),
            "not a calendar day",
        ),
        (
            json!({ "reason": "stand_in", "templates_base64": ["%%%"] }),
            "templates_base64[0]: not base64",
        ),
        (
            json!({ "reason": "stand_in", "templates_base64": [base64::engine::general_purpose::STANDARD.encode(b"junk")] }),
            "template 0",
        ),
        (json!({ "reason": "stand_in" }), "at least one template"),
        (
            json!({ "reason": "stand_in", "id_number": "a b", "templates_base64": [b64(LISTED, 0)] }),
            "id_number",
        ),
        (
            json!({ "reason": "stand_in", "from_person": "candidate:nobody" }),
            "candidate:nobody is not enrolled",
        ),
    ] {
        let (s, v) = call(
            &t,
            "POST",
            "/api/v1/watchlist/entries",
            &ad,
            Some(body.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        let m = v["message_en"]
            .as_str()
            .or(v["message"].as_str())
            .unwrap_or_default()
            .to_owned();
        assert!(m.contains(needle), "{body}: {v}");
    }
    // A caught stand-in who is enrolled: their own templates are copied.
    t.site
        .identity
        .enroll(
            PersonRef::Candidate("c9".parse().unwrap()),
            Some("李某"),
            vec![impression(9, 0)],
            "ad",
        )
        .await
        .unwrap();
    let (s, v) = call(
        &t,
        "POST",
        "/api/v1/watchlist/entries",
        &ad,
        Some(json!({ "reason": "stand_in", "id_number": "c9", "from_person": "candidate:c9" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["id"].as_str(), v["templates"].as_u64()),
        (Some("WL-00002"), Some(1))
    );
    // Examiners and auditors read; a device does not.
    for who in [&ex, &au] {
        let (s, v) = call(&t, "GET", "/api/v1/watchlist/entries", who, None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["entries"].as_array().unwrap().len(), 2);
    }
    assert_eq!(
        call(&t, "GET", "/api/v1/watchlist/entries", &dev, None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (_, listing) = call(&t, "GET", "/api/v1/watchlist/entries", &au, None).await;
    let text = listing.to_string();
    assert!(
        !text.contains(&b64(LISTED, 0)[..40]),
        "no template in a response"
    );
    assert!(!text.contains(&hex::encode(iso_impression(LISTED, 0))[..40]));
    // Removal needs a reason, is final, and keeps the entry.
    let (s, v) = call(
        &t,
        "POST",
        "/api/v1/watchlist/entries/WL-00001/remove",
        &ad,
        Some(json!({ "reason": " " })),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v.to_string().contains("needs a reason"), "{v}");
    assert_eq!(
        call(
            &t,
            "POST",
            "/api/v1/watchlist/entries/WL-00001/remove",
            &ex,
            Some(json!({ "reason": "x" }))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = call(
        &t,
        "POST",
        "/api/v1/watchlist/entries/WL-00001/remove",
        &ad,
        Some(json!({ "reason": "复议撤销" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["removed"]["reason"].as_str()),
        (Some("removed"), Some("复议撤销"))
    );
    let (s, _) = call(
        &t,
        "POST",
        "/api/v1/watchlist/entries/WL-00001/remove",
        &ad,
        Some(json!({ "reason": "again" })),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(
        call(
            &t,
            "POST",
            "/api/v1/watchlist/entries/WL-00077/remove",
            &ad,
            Some(json!({ "reason": "x" }))
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&t, "GET", "/api/v1/watchlist/entries/WL-00001", &ex, None)
            .await
            .1["status"],
        "removed"
    );
    // The status route: the removed entry is no longer searched.
    let (_, st) = call(&t, "GET", "/api/v1/watchlist/status", &au, None).await;
    assert_eq!(
        (
            st["watchlist"]["entries"].as_u64(),
            st["watchlist"]["templates"].as_u64()
        ),
        (Some(1), Some(1))
    );
    // Every change is an event, naming templates by hash only.
    let events = t.site.store.events(model::Seq::FIRST, 1000).await.unwrap();
    let logged: Vec<_> = events
        .iter()
        .map(|s| audit::decode(&s.bytes).unwrap())
        .collect();
    let added: Vec<_> = logged
        .iter()
        .filter(|e| e.kind == EventKind::WatchlistAdded)
        .collect();
    assert_eq!(added.len(), 2);
    let p: Value = serde_json::from_slice(&added[0].payload).unwrap();
    assert_eq!(p["sha256"], listing["entries"][0]["sha256"]);
    assert_eq!(
        logged
            .iter()
            .filter(|e| e.kind == EventKind::WatchlistRemoved)
            .count(),
        1
    );
    // The page, in Chinese and in English.
    let resp = tower::ServiceExt::oneshot(
        t.router.clone(),
        Request::get("/watchlist?lang=en")
            .header(header::COOKIE, &au)
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    let html = String::from_utf8(
        http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(
        html.contains("<h1>Watch-list</h1>")
            && html.contains("WL-00002")
            && html.contains("removed"),
        "{html}"
    );
    let resp = tower::ServiceExt::oneshot(
        t.router.clone(),
        Request::get("/watchlist")
            .header(header::AUTHORIZATION, &dev)
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_survives_a_restart_and_a_ban_stops_after_its_last_day() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let dir = tempfile::tempdir().unwrap();
    // 2027-01-15 in China.
    let now = Arc::new(AtomicI64::new(1_800_000_000_000));
    let n = now.clone();
    let clock: examd::state::Clock = Arc::new(move || model::UnixMs(n.load(Ordering::SeqCst)));
    {
        let site = examd::site::open(crate::support::runtime(dir.path()), clock.clone())
            .await
            .unwrap();
        let st = examd::app::state_of(&site, clock.clone()).await.unwrap();
        let wl = st.areas.watchlist.clone();
        let until = theory::LocalDay::of(clock());
        wl.add(listed(LISTED, Reason::ExamBan { until }), "ad")
            .await
            .unwrap();
        wl.add(listed(LISTED + 1, Reason::ForgedDocuments), "ad")
            .await
            .unwrap();
        wl.add(listed(LISTED + 2, Reason::StandIn), "ad")
            .await
            .unwrap();
        wl.remove(WatchId(3), "mistaken identity", "ad")
            .await
            .unwrap();
        st.areas.shutdown().await;
        site.log.clone().shutdown().await;
    }
    let site = examd::site::open(crate::support::runtime(dir.path()), clock.clone())
        .await
        .unwrap();
    let st = examd::app::state_of(&site, clock.clone()).await.unwrap();
    let wl = st.areas.watchlist.clone();
    let e = wl.entries();
    assert_eq!(e.len(), 3);
    assert_eq!(e[2].removed.as_ref().unwrap().reason, "mistaken identity");
    assert_eq!(wl.watch_size(), (2, 4), "the removed entry is not loaded");
    assert_eq!(
        wl.check_gate(&impression(LISTED, 5)).map(|h| h.entry),
        Some(WatchId(1))
    );
    assert_eq!(
        wl.check_gate(&impression(LISTED + 1, 5)).map(|h| h.entry),
        Some(WatchId(2))
    );
    assert_eq!(wl.check_gate(&impression(LISTED + 2, 5)), None);
    assert_eq!(wl.check_gate(&impression(42, 5)), None);
    // The day after the ban's last day.
    now.fetch_add(86_400_000, Ordering::SeqCst);
    assert_eq!(wl.status(&e[0]), Status::Expired);
    assert_eq!(
        wl.check_gate(&impression(LISTED, 5)),
        None,
        "an expired ban is not a hit"
    );
    assert_eq!(
        wl.check_gate(&impression(LISTED + 1, 5)).map(|h| h.entry),
        Some(WatchId(2))
    );
    // The sealed files hold no plain template.
    let raw = std::fs::read(dir.path().join("watchlist").join("WL-00001.sealed")).unwrap();
    let plain = iso_impression(LISTED, 0);
    assert!(!raw.windows(32).any(|w| w == &plain[plain.len() - 32..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listed_finger_is_refused_at_the_gate_even_when_the_roster_matched() {
    let rig = crate::gate::rig(6, 400).await;
    let wl = rig.state.areas.watchlist.clone();
    wl.add(listed(LISTED, Reason::StandIn), "ad").await.unwrap();
    // Candidate c2 is on the roster and banned: their own finger matches 1:1, and they are refused.
    let banned = wl
        .add(
            listed(
                2,
                Reason::ExamBan {
                    until: theory::LocalDay::from_ymd(2099, 1, 1),
                },
            ),
            "ad",
        )
        .await
        .unwrap();
    let v = rig.scan("A", Some("c2"), 2, 3).await;
    assert_eq!(v["decision"], "watchlist_hit", "{v}");
    assert_eq!(v["released"], false);
    assert_eq!(v["denied"]["reason"], "watchlist");
    assert!(
        v["denied"]["message"].as_str().unwrap().contains("黑名单"),
        "{v}"
    );
    assert!(
        v["denied"]["message_en"]
            .as_str()
            .unwrap()
            .contains("watch-list"),
        "{v}"
    );
    // A stand-in with a listed finger, claiming c3.
    let v = rig.scan("A", Some("c3"), LISTED, 4).await;
    assert_eq!(
        (v["decision"].as_str(), v["denied"]["entry"].as_str()),
        (Some("watchlist_hit"), Some("WL-00001"))
    );
    let s = rig.status().await;
    let alarms: Vec<&Value> = s["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "watchlist")
        .collect();
    assert_eq!(alarms.len(), 2, "{s:#}");
    assert_eq!(alarms[0]["door"], "A");
    assert_eq!(alarms[0]["detail"]["claim"], "c3");
    // Logged: the hit and the alarm with the decision, in one batch before the answer.
    let logged = kinds(&rig.state).await;
    let hits: Vec<&Value> = logged
        .iter()
        .filter(|(k, _)| *k == EventKind::WatchlistHit)
        .map(|(_, p)| p)
        .collect();
    assert_eq!(hits.len(), 2);
    assert_eq!(
        (
            hits[1]["place"].as_str(),
            hits[1]["door"].as_str(),
            hits[1]["claim"].as_str()
        ),
        (Some("gate"), Some("A"), Some("c3"))
    );
    assert!(
        logged
            .iter()
            .any(|(k, p)| *k == EventKind::GateAlarm && p["alarm"] == "watchlist")
    );
    assert!(
        logged
            .iter()
            .any(|(k, p)| *k == EventKind::GateDecision && p["decision"] == "watchlist_hit")
    );
    // The page's hit list follows the log.
    wait_for("the hits on the list", async || wl.hits().len() == 2).await;
    // Unlisted, c2 is admitted as before.
    wl.remove(banned.id, "ban lifted on appeal", "ad")
        .await
        .unwrap();
    let v = rig.scan("A", Some("c2"), 2, 5).await;
    assert_eq!(v["decision"], "admit", "{v}");
    assert!(wl.stats().searches >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_applicant_matching_another_enrolled_person_or_the_list_is_flagged() {
    let t = test_site().await;
    let id = t.site.identity.clone();
    let roster = examd::identity::roster::RosterV1 {
        sitting: "am".into(),
        candidates: (1..=4)
            .map(|f| examd::identity::roster::CandidateV1 {
                id: format!("c{f}"),
                name: format!("考生{f}"),
                seat: None,
                subject: None,
                templates: vec![hex::encode(iso_impression(f, 0))],
            })
            .collect(),
        examiners: vec![],
    };
    let ad = t.login("ad").await;
    let (s, _) = call(&t, "POST", "/api/v1/watchlist/entries", &ad,
        Some(json!({ "reason": "forged_documents", "name": "钱某", "templates_base64": [b64(LISTED, 0)] }))).await;
    assert_eq!(s, StatusCode::OK);
    id.import_roster_v1(roster, "ad").await.unwrap();
    // Re-enrolling c1 with their own finger is no alarm; a new applicant with c3's finger is, and so is one
    // with the listed finger. Both enrolments stay recorded.
    id.enroll(
        PersonRef::Candidate("c1".parse().unwrap()),
        None,
        vec![impression(1, 2)],
        "ad",
    )
    .await
    .unwrap();
    let dup = id
        .enroll(
            PersonRef::Candidate("new-1".parse().unwrap()),
            Some("新考生"),
            vec![impression(3, 3)],
            "ad",
        )
        .await
        .unwrap();
    let listed = id
        .enroll(
            PersonRef::Candidate("new-2".parse().unwrap()),
            None,
            vec![impression(LISTED, 4)],
            "ad",
        )
        .await
        .unwrap();
    let au = t.login("au").await;
    let mut last = Value::Null;
    wait_for("both enrolment alarms", async || {
        last = call(&t, "GET", "/api/v1/watchlist/hits", &au, None).await.1;
        last["duplicates"].as_array().is_some_and(|d| !d.is_empty())
            && last["hits"].as_array().is_some_and(|h| !h.is_empty())
    })
    .await;
    let d = &last["duplicates"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{last:#}");
    assert_eq!(
        (d[0]["person"].as_str(), d[0]["matched"].as_str()),
        (Some("candidate:new-1"), Some("candidate:c3"))
    );
    assert_eq!(d[0]["enrolment_seq"].as_u64(), Some(dup.seq));
    let h = &last["hits"][0];
    assert_eq!(
        (
            h["place"].as_str(),
            h["person"].as_str(),
            h["entry"].as_str()
        ),
        (Some("enrolment"), Some("candidate:new-2"), Some("WL-00001"))
    );
    assert_eq!(h["enrolment_seq"].as_u64(), Some(listed.seq));
    // The enrolments stand (flagged, not undone).
    assert!(
        id.verify(
            &PersonRef::Candidate("new-1".parse().unwrap()),
            &impression(3, 5)
        )
        .await
        .unwrap()
        .matched
    );
    // The console figures.
    let (_, s) = call(&t, "GET", "/api/v1/watchlist/status", &au, None).await;
    assert_eq!(s["enrolled"]["people"], 6, "{s}");
    assert!(s["last_search"]["us"].as_u64().is_some(), "{s}");
    assert!(
        ["exhaustive", "decisive", "budget_limited"]
            .contains(&s["last_search"]["end"].as_str().unwrap_or_default()),
        "{s}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watchlist_page_shows_entries_and_hits_in_chromium() {
    let Some(driver) = chromedriver("watch-list page browser test") else {
        return;
    };
    let t = test_site().await;
    let ad = t.login("ad").await;
    let (s, _) = call(&t, "POST", "/api/v1/watchlist/entries", &ad, Some(json!({
        "reason": "stand_in", "name": "赵某", "id_number": "37090219900101123X", "templates_base64": [b64(LISTED, 0)],
    })))
    .await;
    assert_eq!(s, StatusCode::OK);
    t.site
        .identity
        .enroll(
            PersonRef::Candidate("new-9".parse().unwrap()),
            None,
            vec![impression(LISTED, 3)],
            "ad",
        )
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = t.router.clone();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let (_driver, c) = browser(&driver).await;
    let result = async {
        c.goto(&format!("{base}/login")).await?;
        c.wait()
            .for_element(Locator::Id("name"))
            .await?
            .send_keys("au")
            .await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys(PASSWORD)
            .await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        c.find(Locator::Css("nav a[href=\"/watchlist\"]"))
            .await?
            .click()
            .await?;
        assert_eq!(
            c.wait()
                .for_element(Locator::Css("main h1"))
                .await?
                .text()
                .await?,
            "黑名单"
        );
        let row = c
            .find(Locator::Css(
                "#wl-entries tr[data-entry=\"WL-00001\"][data-status=\"active\"]",
            ))
            .await?;
        let text = row.text().await?;
        assert!(
            text.contains("赵某") && text.contains("代考") && text.contains("有效"),
            "{text}"
        );
        // The enrolment hit arrives through the log follower: reload until it shows.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = c.find(Locator::Css("#wl-hits tbody tr")).await {
                let text = r.text().await?;
                assert!(
                    text.contains("WL-00001")
                        && text.contains("candidate:new-9")
                        && text.contains("登记"),
                    "{text}"
                );
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no hit row on the page"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
            c.refresh().await?;
        }
        let size = c.find(Locator::Id("wl-size")).await?.text().await?;
        assert!(size.contains("1 条") && size.contains("1 个模板"), "{size}");
        let last = c.find(Locator::Id("wl-last-search")).await?.text().await?;
        assert!(last.contains("ms"), "{last}");
        // A list of one entry and a gallery of one other person: both compared in full.
        assert!(last.contains("已比对全部模板"), "{last}");
        c.goto(&format!("{base}/watchlist?lang=en")).await?;
        assert_eq!(
            c.find(Locator::Css("main h1")).await?.text().await?,
            "Watch-list"
        );
        let text = c
            .find(Locator::Css("#wl-entries tr[data-entry=\"WL-00001\"]"))
            .await?
            .text()
            .await?;
        assert!(
            text.contains("stand-in") && text.contains("active"),
            "{text}"
        );
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    server.abort();
    result.unwrap();
}

#[test]
fn the_command_line_adds_lists_and_removes_through_the_running_daemon() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    crate::durability::add_person(dir.path(), "ad", "admin", "cli-pass-12");
    crate::durability::add_person(dir.path(), "au", "auditor", "cli-pass-34");
    let (daemon, base) = crate::durability::start_daemon(dir.path());
    let _daemon = crate::support::Kill(daemon);
    let iso = dir.path().join("finger.iso");
    std::fs::write(&iso, iso_impression(LISTED, 0)).unwrap();
    let run = |user: &str, pw: &str, args: &[&str]| {
        let out = Command::new(crate::support::examd_bin())
            .arg("watchlist")
            .args(args)
            .args(["--server", &base, "--user", user])
            .env("EXAMD_PASSWORD", pw)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let iso_s = iso.to_string_lossy().into_owned();
    let (ok, out, err) = run(
        "ad",
        "cli-pass-12",
        &[
            "add",
            "--reason",
            "stand_in",
            "--name",
            "孙某",
            "--template",
            &iso_s,
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.starts_with("WL-00001\tactive\t代考/stand-in\t孙某"),
        "{out}"
    );
    // Refusals carry the daemon's reason.
    let (ok, _, err) = run(
        "ad",
        "cli-pass-12",
        &["add", "--reason", "exam_ban", "--template", &iso_s],
    );
    assert!(!ok && err.contains("until"), "{err}");
    let (ok, _, err) = run(
        "au",
        "cli-pass-34",
        &["remove", "WL-00001", "--reason", "x"],
    );
    assert!(
        !ok && err.contains("403"),
        "an auditor may not remove: {err}"
    );
    let (ok, _, err) = run("ad", "wrong-pass", &["list"]);
    assert!(!ok && err.contains("login as ad refused"), "{err}");
    let (ok, out, err) = run(
        "ad",
        "cli-pass-12",
        &["remove", "WL-00001", "--reason", "撤销"],
    );
    assert!(ok && out.contains("removed"), "{out}{err}");
    let (ok, out, err) = run("au", "cli-pass-34", &["list", "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["entries"][0]["removed"]["reason"], "撤销");
}

/// Waits until the element `css` shows text containing `needle`; returns the text.
async fn shows(
    c: &fantoccini::Client,
    css: &str,
    needle: &str,
) -> Result<String, fantoccini::error::CmdError> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            let text = e.text().await?;
            if text.contains(needle) {
                return Ok(text);
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{css} shows {text:?}, not {needle:?}"
            );
        }
        assert!(std::time::Instant::now() < deadline, "no {css} on the page");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_and_removes_entries_on_the_page_in_chromium() {
    let Some(driver) = chromedriver("watch-list add/remove browser test") else {
        return;
    };
    let t = test_site().await;
    t.site
        .identity
        .enroll(
            PersonRef::Candidate("c9".parse().unwrap()),
            Some("李某"),
            vec![impression(9, 0)],
            "ad",
        )
        .await
        .unwrap();
    let files = tempfile::tempdir().unwrap();
    let finger = files.path().join("finger.iso");
    std::fs::write(&finger, iso_impression(LISTED, 0)).unwrap();
    let junk = files.path().join("junk.iso");
    std::fs::write(&junk, b"not a template").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = t.router.clone();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let (_driver, c) = browser(&driver).await;
    let result = async {
        c.goto(&format!("{base}/login")).await?;
        c.wait()
            .for_element(Locator::Id("name"))
            .await?
            .send_keys("ad")
            .await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys(PASSWORD)
            .await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        c.goto(&format!("{base}/watchlist")).await?;
        let go = || async { c.find(Locator::Id("wl-add-go")).await?.click().await };
        // From a candidate's record: none named, one not enrolled, a ban without its last day.
        c.wait().for_element(Locator::Id("wl-add")).await?;
        go().await?;
        shows(&c, "#wl-msg", "请填写考生编号").await?;
        c.find(Locator::Id("wl-candidate"))
            .await?
            .send_keys("nobody")
            .await?;
        go().await?;
        shows(&c, "#wl-msg", "candidate:nobody 未登记").await?;
        c.find(Locator::Id("wl-candidate")).await?.clear().await?;
        c.find(Locator::Id("wl-candidate"))
            .await?
            .send_keys("c9")
            .await?;
        c.find(Locator::Id("wl-reason"))
            .await?
            .select_by_value("exam_ban")
            .await?;
        go().await?;
        shows(&c, "#wl-msg", "禁考期须填写最后一天").await?;
        c.find(Locator::Id("wl-reason"))
            .await?
            .select_by_value("stand_in")
            .await?;
        c.find(Locator::Id("wl-name"))
            .await?
            .send_keys("李某")
            .await?;
        go().await?;
        c.wait()
            .for_element(Locator::Css("#wl-entries tr[data-entry=\"WL-00001\"]"))
            .await?;
        shows(&c, "#wl-ok", "已添加 WL-00001").await?;
        let row = shows(&c, "#wl-entries tr[data-entry=\"WL-00001\"]", "代考").await?;
        assert!(row.contains("李某") && row.contains("有效"), "{row}");
        // From uploaded files: one that is not a template is named, then a good one.
        c.find(Locator::Id("wl-source-file")).await?.click().await?;
        go().await?;
        shows(&c, "#wl-msg", "请选择至少一个模板文件").await?;
        c.find(Locator::Id("wl-files"))
            .await?
            .send_keys(&junk.to_string_lossy())
            .await?;
        go().await?;
        shows(&c, "#wl-msg", "模板 0 不是可读的").await?;
        c.execute("document.getElementById('wl-files').value = ''", vec![])
            .await?;
        c.find(Locator::Id("wl-files"))
            .await?
            .send_keys(&finger.to_string_lossy())
            .await?;
        c.find(Locator::Id("wl-reason"))
            .await?
            .select_by_value("exam_ban")
            .await?;
        c.execute(
            "document.getElementById('wl-until').value = '2099-12-31'",
            vec![],
        )
        .await?;
        c.find(Locator::Id("wl-name"))
            .await?
            .send_keys("王某")
            .await?;
        go().await?;
        c.wait()
            .for_element(Locator::Css("#wl-entries tr[data-entry=\"WL-00002\"]"))
            .await?;
        let row = shows(&c, "#wl-entries tr[data-entry=\"WL-00002\"]", "禁考期").await?;
        assert!(row.contains("2099-12-31") && row.contains("王某"), "{row}");
        // Removal needs a reason, named; then it is removed with it.
        let remove = "#wl-entries form.wl-remove[data-entry=\"WL-00001\"]";
        c.find(Locator::Css(&format!("{remove} button")))
            .await?
            .click()
            .await?;
        shows(&c, "#wl-msg", "移除黑名单条目须填写原因").await?;
        c.find(Locator::Css(&format!("{remove} input")))
            .await?
            .send_keys("复议撤销")
            .await?;
        c.find(Locator::Css(&format!("{remove} button")))
            .await?
            .click()
            .await?;
        c.wait()
            .for_element(Locator::Css(
                "#wl-entries tr[data-entry=\"WL-00001\"][data-status=\"removed\"]",
            ))
            .await?;
        shows(&c, "#wl-entries tr[data-entry=\"WL-00001\"]", "复议撤销").await?;
        shows(&c, "#wl-ok", "已移除 WL-00001").await?;
        // In English, the refusal is in English.
        c.goto(&format!("{base}/watchlist?lang=en")).await?;
        c.wait()
            .for_element(Locator::Css(
                "#wl-entries form.wl-remove[data-entry=\"WL-00002\"] button",
            ))
            .await?
            .click()
            .await?;
        shows(&c, "#wl-msg", "removing an entry needs a reason").await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    server.abort();
    result.unwrap();
    // What the page did, as the API reads it: the uploaded finger is searched, the copied one removed.
    let au = t.login("au").await;
    let (_, v) = call(&t, "GET", "/api/v1/watchlist/entries", &au, None).await;
    let e = v["entries"].as_array().unwrap();
    assert_eq!(e.len(), 2, "{v}");
    assert_eq!(
        (e[0]["status"].as_str(), e[0]["removed"]["reason"].as_str()),
        (Some("removed"), Some("复议撤销"))
    );
    assert_eq!(
        (e[1]["status"].as_str(), e[1]["templates"].as_u64()),
        (Some("active"), Some(1))
    );
    let (_, st) = call(&t, "GET", "/api/v1/watchlist/status", &au, None).await;
    assert_eq!(st["watchlist"]["entries"], 1, "{st}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolments_logged_while_the_daemon_was_down_are_checked_once_at_start() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicI64;
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(1_800_000_000_000));
    let n = now.clone();
    let clock: examd::state::Clock =
        Arc::new(move || model::UnixMs(n.load(std::sync::atomic::Ordering::SeqCst)));
    let open = || examd::site::open(crate::support::runtime(dir.path()), clock.clone());
    let cand = |id: &str| PersonRef::Candidate(id.parse().unwrap());
    let alarms = async |site: &examd::site::Site| {
        let page = site.store.events(model::Seq::FIRST, 10_000).await.unwrap();
        let kinds: Vec<EventKind> = page
            .iter()
            .map(|s| audit::decode(&s.bytes).unwrap().kind)
            .collect();
        (
            kinds
                .iter()
                .filter(|k| **k == EventKind::WatchlistHit)
                .count(),
            kinds
                .iter()
                .filter(|k| **k == EventKind::IdentityDuplicateApplicant)
                .count(),
        )
    };
    // Running: a listed finger, and c1 enrolled and checked.
    {
        let site = open().await.unwrap();
        let st = examd::app::state_of(&site, clock.clone()).await.unwrap();
        let wl = st.areas.watchlist.clone();
        wl.add(listed(LISTED, Reason::StandIn), "ad").await.unwrap();
        let c1 = site
            .identity
            .enroll(cand("c1"), None, vec![impression(1, 0)], "ad")
            .await
            .unwrap();
        wait_for("c1 checked", async || {
            wl.checked_to().0 > c1.seq && wl.people_size().0 == 1
        })
        .await;
        st.areas.shutdown().await;
        site.log.clone().shutdown().await;
    }
    // Down: the registry alone logs three enrolments (as an offline roster import does).
    {
        let site = open().await.unwrap();
        for (id, finger) in [("new-1", 1), ("new-2", LISTED), ("new-3", 50)] {
            site.identity
                .enroll(cand(id), None, vec![impression(finger, 2)], "ad")
                .await
                .unwrap();
        }
        assert_eq!(alarms(&site).await, (0, 0));
        site.log.clone().shutdown().await;
    }
    // Started twice: each enrolment is checked once, however far back the stored position is.
    for round in 0..2 {
        let site = open().await.unwrap();
        let end = site.store.log_head().await.unwrap().unwrap().0.next();
        let st = examd::app::state_of(&site, clock.clone()).await.unwrap();
        let wl = st.areas.watchlist.clone();
        wait_for("the enrolments logged while down", async || {
            wl.checked_to() >= end
        })
        .await;
        // The alarms reach the page's list as the log is followed.
        wait_for("the alarms on the list", async || {
            !wl.duplicates().is_empty() && !wl.hits().is_empty()
        })
        .await;
        assert_eq!(wl.people_size().0, 4, "round {round}");
        let dups = wl.duplicates();
        assert_eq!(dups.len(), 1, "round {round}: {dups:?}");
        assert_eq!(
            (dups[0].person.as_str(), dups[0].matched.as_str()),
            ("candidate:new-1", "candidate:c1")
        );
        let hits = wl.hits();
        assert_eq!(hits.len(), 1, "round {round}: {hits:?}");
        assert_eq!(hits[0].entry, WatchId(1));
        assert_eq!(alarms(&site).await, (1, 1), "round {round}");
        st.areas.shutdown().await;
        site.log.clone().shutdown().await;
        // As if the daemon had stopped after logging the alarms but before storing its position.
        std::fs::write(dir.path().join("watchlist").join("checked"), "next 1\n").unwrap();
    }
}
