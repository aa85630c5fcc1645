//! The console in headless Chromium, driven over WebDriver (Debian's chromium + chromium-driver).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};

use crate::durability::{add_device, add_person, start_daemon};
use crate::support::required;

const PW: &str = "console-pass-1";

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<String> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(str::to_owned)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn connect(port: u16) -> fantoccini::Client {
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--lang=zh-CN"]
        }
    }))
    .unwrap();
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..100 {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return c,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("chromedriver did not accept a session on port {port}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_login_live_stream_language_and_audit() {
    let Some(driver) = chromedriver() else {
        assert!(
            !required("BROWSER"),
            "EXAMD_BROWSER_REQUIRED=1 but chromedriver is not installed"
        );
        eprintln!(
            "SKIP console browser test: chromedriver not found (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    add_person(dir.path(), "admin", "admin", PW);
    add_person(dir.path(), "ex", "examiner", PW);
    let token = add_device(dir.path(), "seat-1");
    let (daemon, base) = start_daemon(dir.path());
    let _daemon = Kill(daemon);
    let port = free_port();
    let _driver = Kill(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let c = connect(port).await;
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
