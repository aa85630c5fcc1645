//! The candidate and admin pages in headless Chromium.

use axum::http::StatusCode;
use booking::CandidateId;
use fantoccini::Locator;
use serde_json::{Value, json};

use super::{click, text_when};
use crate::durability::{add_person, start_daemon};
use crate::support::{Kill, browser, chromedriver, login_over_http};

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
    let admin = login_over_http(&http, &base, "ad", "console-pass-1").await;
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
