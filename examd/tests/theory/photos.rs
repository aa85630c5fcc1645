//! Theory photos on the examiner's page: each candidate's finger-login photo and the paper's
//! photos (`theory.photo`) listed per seat and shown as thumbnails from `/api/v1/photos/{sha256}`
//! (a photo the camera could not take says why), still there after a restart (the hall replays
//! them from the log), when each seat's device still reads its own photos and no other's. The
//! hall camera is a simulated one over real HTTP.

use std::time::Duration;

use axum::http::StatusCode;
use camera_http::Auth;
use camera_http::sim::SimCamera;
use examd::photos::PhotoV1;
use examd::theory::banks;
use examd::theory::photos::{PhotoEventV1, photo_times, record, take};
use fantoccini::Locator;
use serde_json::Value;

use super::{EX_FINGER, assigned, begin, enroll, finger_of, fixture_bank, open, press, req};
use crate::support::{PASSWORD, TestSite, browser, chromedriver, test_site_with};

/// `seat`'s photos in the examiner's list of sittings, as `(shot, sha256 or unavailable)`.
async fn listed(t: &TestSite, ex: &str, seat: &str) -> Vec<(u64, String)> {
    let (s, v) = req(t, "GET", "/api/v1/theory/sittings", &[("cookie", ex)], None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let seats: Vec<&Value> = v["sittings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["seats"].as_array().unwrap())
        .collect();
    let one = seats.iter().find(|s| s["seat"] == seat).expect("the seat");
    one["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let what = p["sha256"]
                .as_str()
                .or(p["unavailable"].as_str())
                .unwrap()
                .to_owned();
            (p["shot"].as_u64().unwrap(), what)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_examiner_sees_each_candidates_theory_photos() {
    let camera = SimCamera::new(Auth::digest("admin", "cam-pass"), 1);
    let (addr, _) = camera.spawn(([127, 0, 0, 1], 0).into()).await.unwrap();
    let raw = toml::from_str(&format!(
        "[[camera]]\nid = \"cam-hall\"\nurl = \"http://{addr}\"\nuser = \"admin\"\n\
         password = \"cam-pass\"\nrole = \"hall\"\n"
    ))
    .unwrap();
    let (t, state) = test_site_with(raw).await;
    banks::import(
        &t.site.rt.data_dir,
        &fixture_bank(),
        &"synthetic".parse().unwrap(),
        "auto",
    )
    .await
    .unwrap();
    enroll(&t, "examiner:ex", EX_FINGER).await;
    let ex = t.login("ex").await;
    let (s, v) = open(&t, &ex, "subject1", 0, EX_FINGER).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let sitting = v["sitting"].as_str().unwrap().to_owned();
    let mut readers = Vec::new();
    for (seat, candidate) in [("seat-1", "c1"), ("seat-2", "c2")] {
        let reader = assigned(&t, &ex, &sitting, seat, candidate).await;
        begin(&t, seat).await;
        let (s, v) = press(&t, &reader, seat, finger_of(candidate), 2).await;
        assert_eq!(
            (s, &v["matched"]),
            (StatusCode::OK, &Value::Bool(true)),
            "{v}"
        );
        readers.push(reader);
    }
    // The finger logins were photographed by the hall camera, each candidate their own.
    let login1 = listed(&t, &ex, "seat-1").await;
    let login2 = listed(&t, &ex, "seat-2").await;
    assert_eq!(login1.len(), 1, "{login1:?}");
    assert_eq!(login1[0].0, 0);
    assert_eq!(login1[0].1.len(), 64, "{login1:?}");
    assert_eq!(login2.len(), 1, "{login2:?}");
    assert_ne!(login1[0].1, login2[0].1);
    // The paper's first photo of c1 comes in (as its scheduled moment would bring it), and
    // its second finds the camera gone.
    let due = photo_times(1, 45 * 60_000);
    let shot1 = take(&state, "seat-1", "c1").await;
    let sha1 = shot1.sha256.clone().expect("the hall camera answered");
    let now = state.now().0;
    let event = |shot: u8, photo: PhotoV1| PhotoEventV1 {
        sitting: sitting.clone(),
        seat: "seat-1".into(),
        candidate: "c1".into(),
        shot,
        due_ms: due[usize::from(shot) - 1],
        photo,
        at: now,
    };
    record(&state, event(1, shot1)).await.unwrap();
    let gone = PhotoV1 {
        camera: "cam-hall".into(),
        taken_at: now,
        sha256: None,
        bytes: None,
        width: None,
        height: None,
        unavailable: Some("photo unavailable: camera timed out".into()),
    };
    record(&state, event(2, gone)).await.unwrap();
    // A photo of another candidate is logged but not put on c1's seat.
    let mut stray = event(3, take(&state, "seat-1", "c2").await);
    stray.candidate = "c2".into();
    record(&state, stray).await.unwrap();
    let want = vec![
        login1[0].clone(),
        (1, sha1.clone()),
        (2, "photo unavailable: camera timed out".to_owned()),
    ];
    assert_eq!(listed(&t, &ex, "seat-1").await, want);
    assert_eq!(listed(&t, &ex, "seat-2").await, login2);
    // A restart replays them from the log.
    let n = t.now.clone();
    let clock: examd::state::Clock =
        std::sync::Arc::new(move || model::UnixMs(n.load(std::sync::atomic::Ordering::SeqCst)));
    let state2 = examd::app::state_of(&t.site, clock).await.unwrap();
    let t = TestSite {
        router: examd::app::router(state2),
        ..t
    };
    assert_eq!(listed(&t, &ex, "seat-1").await, want);
    assert_eq!(listed(&t, &ex, "seat-2").await, login2);
    // Each seat's device still reads its own photos, and only those (the log says whose).
    for (sha, own, other) in [
        (&login1[0].1, &readers[0], &readers[1]),
        (&sha1, &readers[0], &readers[1]),
        (&login2[0].1, &readers[1], &readers[0]),
    ] {
        let path = format!("/api/v1/photos/{sha}");
        let as_device = |token: &str| ("authorization", format!("Bearer {token}"));
        let (a, b) = (as_device(own), as_device(other));
        let (s, _) = req(&t, "GET", &path, &[(a.0, &a.1)], None).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        let (s, _) = req(&t, "GET", &path, &[(b.0, &b.1)], None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
    }

    let Some(driver) = chromedriver("theory photos browser test") else {
        return;
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = t.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let (_driver, c) = browser(&driver).await;
    let result = async {
        c.goto(&format!("{base}/login")).await?;
        c.find(Locator::Id("name")).await?.send_keys("ex").await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys(PASSWORD)
            .await?;
        c.find(Locator::Id("login-submit")).await?.click().await?;
        c.wait().for_element(Locator::Id("site-id")).await?;
        c.goto(&format!("{base}/theory")).await?;
        // Every thumbnail of each row is its own candidate's, and loaded (the page re-renders
        // every second, so ask the page itself rather than hold on to an element).
        let rows = [
            ("seat-1", vec![login1[0].1.clone(), sha1.clone()]),
            ("seat-2", vec![login2[0].1.clone()]),
        ];
        for (seat, shas) in &rows {
            let script = format!(
                "return Array.from(document.querySelectorAll(\
                 'table.theory-seats tr[data-seat=\"{seat}\"] img.photo-thumb'))\
                 .map((i) => [i.dataset.sha256, i.complete && i.naturalWidth > 0]);"
            );
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            loop {
                let last = c.execute(&script, vec![]).await?;
                let want: Vec<Value> = shas.iter().map(|s| serde_json::json!([s, true])).collect();
                if last.as_array() == Some(&want) {
                    break;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "{seat}: thumbnails {last}, want {shas:?}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        let missing = c
            .wait()
            .for_element(Locator::Css(
                "tr[data-seat=\"seat-1\"] span.photo-unavailable[data-shot=\"2\"]",
            ))
            .await?
            .text()
            .await?;
        assert_eq!(
            missing,
            "考试照片 2 / photo 2: photo unavailable: camera timed out"
        );
        let src = c.source().await?;
        assert!(src.contains("<th>照片</th>"), "the photo column");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.unwrap();
}
