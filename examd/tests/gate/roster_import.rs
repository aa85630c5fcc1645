//! A roster imported with ISO templates is what the gate admits against.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use examd::accounts;
use examd::gate::synth::iso_impression;
use model::{Role, UnixMs};

use super::{EXAMINER_FINGER, rig};
use crate::support::PASSWORD;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_imports_a_roster_with_iso_templates_and_the_gate_uses_it() {
    let g = rig(2, 2_000).await;
    let by = "test".parse().unwrap();
    accounts::create(
        &g.state.store,
        &g.state.log,
        "ad".parse().unwrap(),
        Role::Admin,
        String::new(),
        Some(PASSWORD.into()),
        UnixMs(0),
        &by,
    )
    .await
    .unwrap();
    let admin = g.login("ad").await;
    let body = serde_json::json!({
        "sitting": "2026-11-29-pm",
        "candidates": [
            { "id": "37090219900101123X", "name": "张三", "templates": [hex::encode(iso_impression(7, 0))] },
            { "id": "c8", "name": "李四", "seat": "H1-050", "templates": [hex::encode(iso_impression(8, 0))] }
        ],
        "examiners": [{ "name": "ex", "templates": [hex::encode(iso_impression(EXAMINER_FINGER, 0))] }]
    })
    .to_string();
    let post = |auth: (header::HeaderName, String)| {
        Request::post("/api/v1/gate/roster")
            .header(auth.0, auth.1)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.clone()))
            .unwrap()
    };
    let (st, _) = g
        .call(post((header::AUTHORIZATION, format!("Bearer {}", g.token))))
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "terminals may not import rosters"
    );
    let (st, v) = g.call(post((header::COOKIE, admin))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["candidates"], 2);
    assert_eq!(v["templates"], 3);
    assert!(
        !v.to_string()
            .contains(&hex::encode(iso_impression(7, 0))[..32]),
        "templates are never returned"
    );
    // The registry takes the imported roster up from the log, so the status may lag the answer.
    let s = g
        .until("the imported roster", |s| {
            s["roster_size"].as_u64() == Some(2)
        })
        .await;
    assert_eq!(
        (s["sitting"].as_str(), s["roster_size"].as_u64()),
        (Some("2026-11-29-pm"), Some(2))
    );
    assert_eq!(
        g.scan("A", Some("c1"), 1, 1).await["decision"],
        "not_on_roster"
    );
    assert_eq!(
        g.scan("A", Some("37090219900101123X"), 7, 1).await["decision"],
        "admit"
    );
    g.event("identity.roster_imported", |p| {
        p["sitting"] == "2026-11-29-pm" && p["enrolled"][0]["sha256"][0].as_str().is_some()
    })
    .await;
}
