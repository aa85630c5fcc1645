//! The examiner's page in headless Chromium and the page's event feed.

use std::time::Duration;

use examd::driving::car;

use super::{drives, lines_of, rig, start_of};
use crate::support::PASSWORD;

/// The examiner's page in headless Chromium shows a deduction within a second of the judge making it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deduction_appears_on_the_examiners_page_within_a_second() {
    use fantoccini::Locator;
    let Some(driver) = crate::support::chromedriver("driving browser test") else {
        return;
    };
    let (_t, base, token) = rig().await;
    let (_, dir, e) = drives()
        .into_iter()
        .find(|d| d.0 == "s2-hill-stall")
        .unwrap();
    let code = e.verdict.deductions[0].code.clone();
    let (_driver, c) = crate::support::browser(&driver).await;
    let result = async {
        c.goto(&format!("{base}/login")).await?;
        c.find(Locator::Id("name")).await?.send_keys("ex").await?;
        c.find(Locator::Id("password")).await?.send_keys(PASSWORD).await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        c.goto(&format!("{base}/driving")).await?;
        c.wait().for_element(Locator::Css("#live-sessions p")).await?;
        let lines = lines_of(&dir);
        let (base2, token2, e2) = (base.clone(), token.clone(), e.clone());
        let drive = tokio::spawn(async move {
            car::drive(&base2, "car-01", &token2, &start_of(&e2, "BROWSER-1"), &lines, 10, Some(Duration::from_millis(20))).await
        });
        let sel = format!("#live-sessions li[data-code=\"{code}\"], #finished-sessions li[data-code=\"{code}\"]");
        let seen = c
            .wait()
            .at_most(Duration::from_secs(30))
            .every(Duration::from_millis(20))
            .for_element(Locator::Css(&sel))
            .await?;
        let seen_at = std::time::Instant::now();
        assert!(seen.text().await?.contains(&code));
        let o = drive.await.unwrap().unwrap();
        assert_eq!(o.verdict, e.verdict);
        if let Some(max) = o.latencies.iter().max() {
            println!("live path (one car, 500 lines/s): line sent -> deduction durable and back: max {max:?}");
        }
        let told = o.first_deduction_at.expect("the car was told");
        let lag = seen_at.saturating_duration_since(told);
        println!("deduction on the examiner's page {lag:?} after the car was told (page polled every 20 ms)");
        assert!(lag < Duration::from_secs(1), "{lag:?}");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.unwrap();
}

/// Reads the feed's SSE body until `n` results have come; the kinds, in order.
async fn feed_kinds(resp: &mut reqwest::Response, text: &mut String, n: usize) -> Vec<String> {
    let kinds = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|d| {
                serde_json::from_str::<serde_json::Value>(d.trim()).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    while kinds(text)
        .iter()
        .filter(|k| *k == "driving.result")
        .count()
        < n
    {
        let chunk = tokio::time::timeout(Duration::from_secs(10), resp.chunk())
            .await
            .expect("the feed went quiet")
            .unwrap()
            .expect("the feed ended");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    kinds(text)
}

/// The `/driving` page's feed opens with the recent driving events a person reads, oldest first,
/// and follows live; the telemetry chunks and inputs, though logged, never go to the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_feed_leaves_out_telemetry_chunks() {
    let (t, base, token) = rig().await;
    let (name, dir, e) = drives()
        .into_iter()
        .find(|d| d.0 == "s2-hill-stall")
        .unwrap();
    let drive = |who: &str| {
        let (base, token, start, lines) = (
            base.clone(),
            token.clone(),
            start_of(&e, who),
            lines_of(&dir),
        );
        async move {
            car::drive(&base, "car-01", &token, &start, &lines, 50, None)
                .await
                .unwrap()
        }
    };
    drive(&name).await;
    let cookie = t.login("ex").await;
    let mut resp = reqwest::Client::new()
        .get(format!("{base}/api/v1/driving/events?from=1"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut text = String::new();
    let tail = feed_kinds(&mut resp, &mut text, 1).await;
    assert_eq!(tail.first().map(String::as_str), Some("driving.identity"));
    assert_eq!(
        tail.get(1).map(String::as_str),
        Some("driving.session_started")
    );
    assert!(tail.iter().any(|k| k == "driving.deduction"), "{tail:?}");
    // Live: a second drive's events arrive on the open feed.
    drive("CAND-1").await;
    let all = feed_kinds(&mut resp, &mut text, 2).await;
    assert!(all.len() > tail.len() + 2, "{all:?}");
    for k in &all {
        assert!(
            k != "driving.telemetry" && k != "driving.input",
            "{k} on the page's feed"
        );
    }
    let counts = t.site.store.kind_counts().await.unwrap();
    let chunks = counts
        .iter()
        .find(|(k, _)| *k == model::EventKind::DrivingTelemetry.code())
        .map_or(0, |x| x.1);
    assert!(chunks >= 2, "the log holds the telemetry ({chunks} chunks)");
    // The audit page links each finished session's replay picture.
    let au = t.login("au").await;
    let audit = reqwest::Client::new()
        .get(format!("{base}/audit?lang=en"))
        .header("cookie", &au)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let first = t
        .site
        .store
        .events_desc(None, Some(model::EventKind::DrivingResult.code()), 1)
        .await
        .unwrap();
    let session = serde_json::from_slice::<serde_json::Value>(
        &audit::decode(&first[0].bytes).unwrap().payload,
    )
    .unwrap()["session"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        audit.contains(&format!("/api/v1/driving/sessions/{session}/replay.svg")),
        "{audit}"
    );
    // People without a watcher's role get no feed.
    let car_token = reqwest::Client::new()
        .get(format!("{base}/api/v1/driving/events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(car_token.status(), 403);
}
