//! The `/api/v1/watchlist` routes: who may add, remove and read, refusals by name, and no template
//! ever returned.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use examd::gate::synth::{impression, iso_impression};
use examd::identity::PersonRef;
use model::EventKind;
use serde_json::{Value, json};

use super::{LISTED, b64, call};
use crate::support::test_site;

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
