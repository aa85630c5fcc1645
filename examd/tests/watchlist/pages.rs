//! The watch-list console page in headless Chromium: entries and hits shown, entries added and
//! removed by an admin.

use std::time::Duration;

use axum::http::StatusCode;
use examd::gate::synth::{impression, iso_impression};
use examd::identity::PersonRef;
use fantoccini::Locator;
use serde_json::json;

use super::{LISTED, b64, call};
use crate::support::{PASSWORD, browser, chromedriver, test_site};

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
