//! The devices page live in headless Chromium.

use std::sync::Arc;
use std::time::Duration;

use fantoccini::Locator;

use super::{PW, plug, sensor_toml};
use crate::durability::{add_person, start_daemon_with};
use crate::support::{Kill, browser, chromedriver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_page_shows_sensors_live_in_chromium() {
    let Some(driver) = chromedriver("devices page browser test") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("fp-a");
    let (pty, l) = plug(&link);
    let cfg = dir.path().join("examd.toml");
    std::fs::write(&cfg, sensor_toml(&link)).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    add_person(&data, "admin", "admin", PW);
    let cfg_s = cfg.to_string_lossy().into_owned();
    let (daemon, base) = start_daemon_with(&data, &["--config", &cfg_s]);
    let _daemon = Kill(daemon);
    let (_driver, c) = browser(&driver).await;
    let pty = Arc::new(std::sync::Mutex::new(Some((pty, l))));
    let result = async {
        c.goto(&format!("{base}/login")).await?;
        c.find(Locator::Id("name"))
            .await?
            .send_keys("admin")
            .await?;
        c.find(Locator::Id("password")).await?.send_keys(PW).await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        // The nav leads to the devices page.
        c.find(Locator::Css("nav a[href=\"/devices\"]"))
            .await?
            .click()
            .await?;
        let text = row_text(
            &c,
            "tr#sensor-gate-a[data-link=\"connected\"][data-finger=\"true\"]",
            "已连接",
        )
        .await?;
        assert!(text.contains("256×288 @ 500 ppi"), "{text}");
        // Lifting the finger and unplugging show without a reload.
        pty.lock()
            .unwrap()
            .as_ref()
            .unwrap()
            .0
            .handle()
            .place_finger(None);
        c.wait()
            .for_element(Locator::Css("tr#sensor-gate-a[data-finger=\"false\"]"))
            .await?;
        pty.lock().unwrap().take();
        row_text(&c, "tr#sensor-gate-a[data-link=\"lost\"]", "已断开").await?;
        // The link change is in the page's live event table.
        c.wait()
            .for_element(Locator::Css("#area-events tr[data-kind=\"device.status\"]"))
            .await?;
        // English.
        c.goto(&format!("{base}/devices?lang=en")).await?;
        row_text(&c, "tr#sensor-gate-a[data-link=\"lost\"]", "lost").await?;
        assert_eq!(
            c.find(Locator::Css("main h1")).await?.text().await?,
            "Devices"
        );
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.unwrap();
}

/// The text of the row matching `css` once it contains `needle`. The page re-renders rows on every status
/// update, so a row found a moment ago may be gone: it is looked up afresh until the text matches (30 s at most).
async fn row_text(
    c: &fantoccini::Client,
    css: &str,
    needle: &str,
) -> Result<String, fantoccini::error::CmdError> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let text = match c.find(Locator::Css(css)).await {
            Ok(row) => row.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(needle) {
            return Ok(text);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no row {css} containing {needle:?} within 30 s (last text {text:?})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
