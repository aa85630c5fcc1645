//! A session's start, gate margins and lottery application close: given on the admin page's
//! form (or the API), refused by field name in Chinese and English, and shown in the sessions
//! list.

use axum::http::StatusCode;
use fantoccini::Locator;
use serde_json::{Value, json};

use super::{call, day, get, open, post, text_when};
use crate::durability::{add_person, start_daemon};
use crate::support::{Kill, browser, chromedriver, login_over_http, test_site};

/// A Subject 1 session `id` on `day` with `times` merged in.
fn session(id: &str, day: &str, times: Value) -> Value {
    let mut v = json!({ "session": id, "subject": "subject1", "day": day, "capacity": 5,
        "site_day_max": 100, "examiner_day_max": 40 });
    for (k, x) in times.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_times_over_the_api_are_refused_by_field_and_listed() {
    let t = test_site().await;
    let admin = t.login("ad").await;
    let week = day(&t, 7);
    let close = format!("{} 18:00", day(&t, 5));
    for (times, field, zh, en) in [
        (
            json!({ "starts": "9:30" }),
            "starts",
            "开考时间须为 HH:MM",
            "starts must be HH:MM",
        ),
        (
            json!({ "gate_opens_before_min": 30 }),
            "gate_opens_before_min",
            "开考前入场分钟数须与开考时间一同填写",
            "gate_opens_before_min needs a start time",
        ),
        (
            json!({ "starts": "09:00", "gate_closes_after_min": 2000 }),
            "gate_closes_after_min",
            "开考后停止入场分钟数不得超过 1440 分钟",
            "gate_closes_after_min must be at most 1440 minutes, got 2000",
        ),
        (
            json!({ "applications_close": close }),
            "applications_close",
            "申请截止时间仅适用于抽签分配名额的场次",
            "applications_close is for lottery sessions",
        ),
        (
            json!({ "allocation": "lottery", "starts": "09:00",
                "applications_close": format!("{week} 09:00") }),
            "applications_close",
            "须早于开考时间",
            "must be before the sitting starts",
        ),
        (
            json!({ "allocation": "lottery", "applications_close": "2020-01-01 08:00" }),
            "applications_close",
            "申请截止时间 2020-01-01 08:00 已过",
            "applications_close 2020-01-01 08:00 has already passed",
        ),
    ] {
        let (s, v) = call(
            &t,
            post(
                "/api/v1/booking/sessions",
                &admin,
                session("bad", &week, times.clone()),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{times}: {v}");
        assert_eq!(v["field"], field, "{times}: {v}");
        assert!(v["message"].as_str().unwrap().contains(zh), "{v}");
        assert!(v["message_en"].as_str().unwrap().contains(en), "{v}");
    }
    open(
        &t,
        &admin,
        session(
            "s1-am",
            &week,
            json!({ "starts": "09:30", "gate_opens_before_min": 45, "gate_closes_after_min": 10 }),
        ),
    )
    .await;
    open(
        &t,
        &admin,
        session(
            "s1-lot",
            &week,
            json!({ "allocation": "lottery", "applications_close": close }),
        ),
    )
    .await;
    let (_, v) = call(&t, get("/api/v1/booking/sessions", &admin)).await;
    let times = |id: &str| {
        v["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["session"] == id)
            .unwrap()["times"]
            .clone()
    };
    assert_eq!(
        times("s1-am"),
        json!({ "starts": "09:30", "gate_opens_before_min": 45, "gate_closes_after_min": 10,
            "gate_opens": format!("{week} 08:45"), "gate_closes": format!("{week} 09:40"),
            "applications_close": null })
    );
    assert_eq!(times("s1-lot")["starts"], Value::Null);
    assert_eq!(times("s1-lot")["applications_close"], close);
    let (_, one) = call(&t, get("/api/v1/booking/sessions/s1-am", &admin)).await;
    assert_eq!(one["times"]["gate_opens"], format!("{week} 08:45"));
}

/// Types `text` into the input `id` after clearing it.
async fn fill(
    c: &fantoccini::Client,
    id: &str,
    text: &str,
) -> Result<(), fantoccini::error::CmdError> {
    let e = c.find(Locator::Id(id)).await?;
    e.clear().await?;
    e.send_keys(text).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_page_sets_session_times_in_chromium() {
    let Some(driver) = chromedriver("booking session times browser test") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    add_person(dir.path(), "ad", "admin", "console-pass-1");
    let (daemon, base) = start_daemon(dir.path());
    let _daemon = Kill(daemon);
    let today = booking::LocalDay::of(model::UnixMs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    ));
    let week = today.plus_days(7).to_string();
    let close = format!("{} 18:00", today.plus_days(5));
    let (_driver, c) = browser(&driver).await;
    let result = async {
        c.goto(&format!("{base}/login?lang=zh")).await?;
        fill(&c, "name", "ad").await?;
        fill(&c, "password", "console-pass-1").await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        c.goto(&format!("{base}/booking/admin")).await?;
        let src = c.source().await?;
        for label in [
            "开考时间",
            "开考前入场（分钟）",
            "开考后停止入场（分钟）",
            "抽签申请截止",
            "入场时段",
        ] {
            assert!(src.contains(label), "no {label} on the page");
        }
        fill(&c, "open-id", "s1-am").await?;
        c.execute(
            "document.getElementById('open-day').value = arguments[0];",
            vec![json!(week)],
        )
        .await?;
        // Refusals name the field, in Chinese.
        for (starts, before, close_at, msg) in [
            (
                "9:30",
                "",
                "",
                "开考时间须为 HH:MM（00:00 至 23:59），收到 \"9:30\"",
            ),
            (
                "",
                "30",
                "",
                "开考前入场分钟数须与开考时间一同填写（未填开考时间的场次全天可入场）",
            ),
            (
                "09:30",
                "",
                close.as_str(),
                "申请截止时间仅适用于抽签分配名额的场次",
            ),
        ] {
            fill(&c, "open-starts", starts).await?;
            fill(&c, "open-gate-before", before).await?;
            fill(&c, "open-close", close_at).await?;
            c.find(Locator::Id("open-go")).await?.click().await?;
            text_when(&c, "#msg:not([hidden])", |t| t == msg).await;
        }
        // A good one: the list shows its start and gate window.
        fill(&c, "open-close", "").await?;
        fill(&c, "open-gate-before", "45").await?;
        fill(&c, "open-gate-after", "10").await?;
        c.find(Locator::Id("open-go")).await?.click().await?;
        text_when(&c, "#ok:not([hidden])", |t| t == "✓ s1-am").await;
        text_when(&c, "#sessions tr[data-session='s1-am'] td.starts", |t| {
            t == "09:30"
        })
        .await;
        text_when(&c, "#sessions tr[data-session='s1-am'] td.gate", |t| {
            t == "08:45–09:40"
        })
        .await;
        // A lottery whose applications close before the sitting; one closing after it is refused.
        fill(&c, "open-id", "s1-lot").await?;
        fill(&c, "open-starts", "").await?;
        fill(&c, "open-gate-before", "").await?;
        fill(&c, "open-gate-after", "").await?;
        c.find(Locator::Id("open-allocation"))
            .await?
            .select_by_value("lottery")
            .await?;
        fill(&c, "open-close", &format!("{week} 00:00")).await?;
        c.find(Locator::Id("open-go")).await?.click().await?;
        text_when(&c, "#msg:not([hidden])", |t| {
            t == format!("申请截止时间 {week} 00:00 须早于开考时间 {week} 00:00")
        })
        .await;
        fill(&c, "open-close", &close).await?;
        c.find(Locator::Id("open-go")).await?.click().await?;
        text_when(&c, "#ok:not([hidden])", |t| t == "✓ s1-lot").await;
        text_when(&c, "#sessions tr[data-session='s1-lot'] td.close", |t| {
            t == close
        })
        .await;
        text_when(&c, "#sessions tr[data-session='s1-lot'] td.starts", |t| {
            t == "全天"
        })
        .await;
        // English on request: labels and refusals.
        c.goto(&format!("{base}/booking/admin?lang=en")).await?;
        let src = c.source().await?;
        for label in [
            "Gate opens before (min)",
            "Applications close",
            "Gate window",
        ] {
            assert!(src.contains(label), "no {label} on the English page");
        }
        text_when(&c, "#sessions tr[data-session='s1-lot'] td.starts", |t| {
            t == "All day"
        })
        .await;
        fill(&c, "open-id", "s1-x").await?;
        c.execute(
            "document.getElementById('open-day').value = arguments[0];",
            vec![json!(week)],
        )
        .await?;
        fill(&c, "open-starts", "25:00").await?;
        c.find(Locator::Id("open-go")).await?.click().await?;
        text_when(&c, "#msg:not([hidden])", |t| {
            t == "starts must be HH:MM (00:00 to 23:59), got \"25:00\""
        })
        .await;
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    c.close().await.ok();
    result.unwrap();
    // What the page opened is what the daemon logged: the gate window comes from the event.
    let http = reqwest::Client::new();
    let cookie = login_over_http(&http, &base, "ad", "console-pass-1").await;
    let v: Value = http
        .get(format!("{base}/api/v1/booking/sessions/s1-am"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["times"]["starts"], "09:30", "{v}");
    assert_eq!(v["times"]["gate_closes"], format!("{week} 09:40"), "{v}");
}
