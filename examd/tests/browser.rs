//! The console in headless Chromium, driven over WebDriver (Debian's chromium + chromium-driver).

use fantoccini::Locator;

use crate::durability::{add_device, add_person, start_daemon};
use crate::support::{Kill, browser, chromedriver};

const PW: &str = "console-pass-1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_login_live_stream_language_and_audit() {
    let Some(driver) = chromedriver("console browser test") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    add_person(dir.path(), "admin", "admin", PW);
    add_person(dir.path(), "ex", "examiner", PW);
    let token = add_device(dir.path(), "seat-1");
    let (daemon, base) = start_daemon(dir.path());
    let _daemon = Kill(daemon);
    let (_driver, c) = browser(&driver).await;
    let result = async {
        // Unauthenticated pages send you to the login form, in Chinese.
        c.goto(&format!("{base}/events")).await?;
        c.wait().for_element(Locator::Id("login-form")).await?;
        assert!(c.current_url().await?.as_str().ends_with("/login"));
        assert!(c.source().await?.contains("用户名"));
        // A wrong password shows an error and stays.
        c.find(Locator::Id("name"))
            .await?
            .send_keys("admin")
            .await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys("wrong-password")
            .await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        let err = c
            .wait()
            .for_element(Locator::Css("#login-error:not([hidden])"))
            .await?;
        assert_eq!(err.text().await?, "用户名或密码错误");
        // The right one lands on the overview.
        c.find(Locator::Id("password")).await?.clear().await?;
        c.find(Locator::Id("password")).await?.send_keys(PW).await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        let site = c.wait().for_element(Locator::Id("site-id")).await?;
        assert!(site.text().await?.contains("test-site"));
        // The live stream shows an event appended by a device after the page opened.
        c.goto(&format!("{base}/events")).await?;
        c.wait()
            .for_element(Locator::Css("table#event-stream tbody tr"))
            .await?;
        let body =
            serde_json::json!({ "kind": "device.report", "payload": { "marker": "浏览器测试" } });
        let ack: serde_json::Value = reqwest::Client::new()
            .post(format!("{base}/api/v1/events"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let seq = ack["seq"].as_u64().unwrap();
        let row = c
            .wait()
            .for_element(Locator::Css(&format!(
                "table#event-stream tr[data-seq=\"{seq}\"]"
            )))
            .await?;
        assert!(row.text().await?.contains("浏览器测试"));
        // English on request, remembered across pages.
        c.goto(&format!("{base}/?lang=en")).await?;
        c.wait().for_element(Locator::Id("site-info")).await?;
        c.goto(&format!("{base}/audit")).await?;
        let verify = c.wait().for_element(Locator::Id("verify")).await?;
        assert_eq!(verify.text().await?, "Verify log");
        verify.click().await?;
        let out = c
            .wait()
            .for_element(Locator::Css("#verify-result.ok"))
            .await?;
        assert!(out.text().await?.starts_with("Log intact"));
        // Each area has its page.
        for area in ["gate", "theory", "driving", "upload"] {
            c.goto(&format!("{base}/{area}")).await?;
            c.wait()
                .for_element(Locator::Css("table#area-events"))
                .await?;
        }
        // Logging out ends the session.
        c.find(Locator::Id("logout")).await?.click().await?;
        c.wait().for_element(Locator::Id("login-form")).await?;
        c.goto(&format!("{base}/")).await?;
        c.wait().for_element(Locator::Id("login-form")).await?;
        // An examiner may not see the raw log.
        c.find(Locator::Id("name")).await?.send_keys("ex").await?;
        c.find(Locator::Id("password")).await?.send_keys(PW).await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        c.goto(&format!("{base}/events")).await?;
        c.wait().for_element(Locator::Id("forbidden")).await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}
