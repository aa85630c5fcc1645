//! The gate page in headless Chromium.

use std::time::Duration;

use gate::DoorId;

use super::{EXAMINER_FINGER, rig};
use crate::support::PASSWORD;

/// The gate page in headless Chromium: doors live, a stand-in alarm appears and is acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_page_shows_doors_and_alarms_live_in_chromium() {
    use fantoccini::Locator;
    let Some(driver) = crate::support::chromedriver("gate browser test") else {
        return;
    };
    let g = rig(10, 2_000).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = g.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let (_driver, c) = crate::support::browser(&driver).await;
    let result = async {
        c.goto(&format!("{base}/login")).await?;
        c.find(Locator::Id("name")).await?.send_keys("ex").await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys(PASSWORD)
            .await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        c.goto(&format!("{base}/gate")).await?;
        let door_a = Locator::Css("#door-A[data-state=\"closed_locked\"]");
        c.wait().for_element(door_a).await?;
        // The page re-renders as events arrive: read the text again if the element was replaced.
        let mut text = None;
        for _ in 0..20 {
            match c.find(door_a).await {
                Ok(e) => match e.text().await {
                    Ok(t) => {
                        text = Some(t);
                        break;
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                },
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        assert!(text.unwrap_or_default().contains("A门"), "Chinese first");
        c.wait()
            .for_element(Locator::Css("table#area-events"))
            .await?;
        // A stand-in at door A: the alarm appears without reloading, and the examiner acknowledges it.
        assert_eq!(
            g.scan("A", Some("c2"), 5, 1).await["decision"],
            "stand_in_alarm"
        );
        c.wait()
            .for_element(Locator::Css("#gate-alarms tr[data-kind=\"stand_in\"]"))
            .await?;
        c.wait()
            .for_element(Locator::Css(
                "#gate-scans tr[data-decision=\"stand_in_alarm\"]",
            ))
            .await?;
        // The page re-renders the alarm table as events arrive: retry a click that lands on a replaced row.
        let mut tries = 0;
        loop {
            let clicked = match c
                .find(Locator::Css(
                    "#gate-alarms tr[data-kind=\"stand_in\"] button.ack",
                ))
                .await
            {
                Ok(button) => button.click().await,
                Err(e) => Err(e),
            };
            match clicked {
                Ok(()) => break,
                Err(e) if tries < 20 => {
                    tries += 1;
                    eprintln!("retrying the acknowledge click: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e),
            }
        }
        // Door A opens for a genuine candidate and the page follows it.
        let out = g
            .examiner(
                "/api/v1/gate/override?door=A&examiner=ex&admit=true",
                EXAMINER_FINGER,
            )
            .await
            .1;
        assert_eq!(out["decision"], "admit");
        g.pty.handle().push(DoorId::A);
        c.wait()
            .for_element(Locator::Css("#gate-vestibule[data-count=\"1\"]"))
            .await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !c
            .find_all(Locator::Css("#gate-alarms tr[data-kind=\"stand_in\"]"))
            .await?
            .is_empty()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "acknowledged alarm still shown"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.unwrap();
}
