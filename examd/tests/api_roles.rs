//! Every route admits exactly the roles it should: 401 without credentials, 403 for the wrong role.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::support::{TestSite, test_site};

#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    Admin,
    Examiner,
    Auditor,
    Device,
}

const WHO: [Who; 5] = [
    Who::Anonymous,
    Who::Admin,
    Who::Examiner,
    Who::Auditor,
    Who::Device,
];

struct Cookies {
    admin: String,
    examiner: String,
    auditor: String,
}

async fn request(
    site: &TestSite,
    c: &Cookies,
    who: Who,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> StatusCode {
    let mut b = Request::builder().method(method).uri(path);
    match who {
        Who::Anonymous => {}
        Who::Device => {
            b = b.header(
                header::AUTHORIZATION,
                format!("Bearer {}", site.device_token),
            )
        }
        Who::Admin => b = b.header(header::COOKIE, &c.admin),
        Who::Examiner => b = b.header(header::COOKIE, &c.examiner),
        Who::Auditor => b = b.header(header::COOKIE, &c.auditor),
    }
    let req = match body {
        Some(json) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_owned())),
        None => b.body(Body::empty()),
    }
    .unwrap();
    site.call(req).await.0
}

/// (method, path, body, expected status for anonymous, admin, examiner, auditor, device)
type Case = (&'static str, &'static str, Option<&'static str>, [u16; 5]);

const CASES: &[Case] = &[
    ("GET", "/api/v1/health", None, [200, 200, 200, 200, 200]),
    ("GET", "/api/v1/site", None, [401, 200, 200, 200, 200]),
    ("GET", "/api/v1/me", None, [401, 200, 200, 200, 200]),
    ("GET", "/api/v1/users", None, [401, 200, 403, 403, 403]),
    ("GET", "/api/v1/events", None, [401, 200, 403, 200, 403]),
    (
        "GET",
        "/api/v1/events/stream",
        None,
        [401, 200, 403, 200, 403],
    ),
    (
        "GET",
        "/api/v1/events/stream?prefix=gate.",
        None,
        [401, 200, 200, 200, 403],
    ),
    (
        "POST",
        "/api/v1/events",
        Some(r#"{"kind":"device.report","payload":{"ok":true}}"#),
        [401, 403, 403, 403, 201],
    ),
    (
        "GET",
        "/api/v1/checkpoints",
        None,
        [401, 200, 403, 200, 403],
    ),
    (
        "GET",
        "/api/v1/audit/verify",
        None,
        [401, 200, 403, 200, 403],
    ),
    (
        "GET",
        "/api/v1/audit/export",
        None,
        [401, 200, 403, 200, 403],
    ),
    // No checkpoint is sealed yet: readers get past the role check to a 404.
    (
        "GET",
        "/api/v1/audit/proof?seq=1",
        None,
        [401, 404, 403, 404, 403],
    ),
    ("GET", "/", None, [303, 200, 200, 200, 200]),
    ("GET", "/events", None, [303, 200, 403, 200, 403]),
    ("GET", "/audit", None, [303, 200, 403, 200, 403]),
    ("GET", "/gate", None, [303, 200, 200, 200, 403]),
    ("GET", "/watchlist", None, [303, 200, 200, 200, 403]),
    (
        "GET",
        "/api/v1/watchlist/entries",
        None,
        [401, 200, 200, 200, 403],
    ),
    (
        "GET",
        "/api/v1/watchlist/hits",
        None,
        [401, 200, 200, 200, 403],
    ),
    (
        "GET",
        "/api/v1/watchlist/status",
        None,
        [401, 200, 200, 200, 403],
    ),
    // No such entry: readers get past the role check to a 404; adding without templates is a 400.
    (
        "GET",
        "/api/v1/watchlist/entries/WL-00099",
        None,
        [401, 404, 404, 404, 403],
    ),
    (
        "POST",
        "/api/v1/watchlist/entries",
        Some(r#"{"reason":"stand_in"}"#),
        [401, 400, 403, 403, 403],
    ),
    (
        "POST",
        "/api/v1/watchlist/entries/WL-00099/remove",
        Some(r#"{"reason":"x"}"#),
        [401, 404, 403, 403, 403],
    ),
];

#[tokio::test]
async fn every_route_checks_roles() {
    let site = test_site().await;
    let c = Cookies {
        admin: site.login("ad").await,
        examiner: site.login("ex").await,
        auditor: site.login("au").await,
    };
    let mut failures = Vec::new();
    for (method, path, body, expected) in CASES {
        for (who, want) in WHO.iter().zip(expected) {
            let got = request(&site, &c, *who, method, path, *body).await;
            if got.as_u16() != *want {
                failures.push(format!(
                    "{method} {path} as {who:?}: expected {want}, got {got}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "role boundary failures:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn creating_users_is_admin_only_and_checked() {
    let site = test_site().await;
    let admin = site.login("ad").await;
    let post = |json: &str| {
        Request::post("/api/v1/users")
            .header(header::COOKIE, admin.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_owned()))
            .unwrap()
    };
    let (s, body) = site
        .call(post(
            r#"{"name":"li","role":"examiner","password":"long-enough-1"}"#,
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
    let (s, _) = site
        .call(post(
            r#"{"name":"li","role":"examiner","password":"long-enough-1"}"#,
        ))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = site
        .call(post(
            r#"{"name":"wang","role":"examiner","password":"short"}"#,
        ))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = site
        .call(post(
            r#"{"name":"Bad Name","role":"examiner","password":"long-enough-1"}"#,
        ))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, body) = site.call(post(r#"{"name":"car-1","role":"device"}"#)).await;
    assert_eq!(s, StatusCode::CREATED);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(v["token"].as_str().unwrap().starts_with("car-1."));
    // The listing never shows secrets.
    let (s, body) = site
        .call(
            Request::get("/api/v1/users")
                .header(header::COOKIE, admin.clone())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("\"car-1\"") && !text.contains("argon2") && !text.contains("token"));
}

#[tokio::test]
async fn bad_credentials_are_refused_and_logged() {
    let site = test_site().await;
    let bad = |json: &str| {
        Request::post("/api/v1/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_owned()))
            .unwrap()
    };
    assert_eq!(
        site.call(bad(r#"{"name":"ad","password":"wrong-password"}"#))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        site.call(bad(r#"{"name":"nobody","password":"x"}"#))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // A device cannot log in with a password, and a forged token is refused.
    assert_eq!(
        site.call(bad(r#"{"name":"gate-a","password":"x"}"#))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (body, last) = site.device_token.split_at(site.device_token.len() - 1);
    let forged = format!("{body}{}", if last == "0" { "1" } else { "0" });
    let req = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, format!("Bearer {forged}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(site.call(req).await.0, StatusCode::UNAUTHORIZED);
    let auditor = site.login("au").await;
    let req = Request::get("/api/v1/events?kind=user.login_refused")
        .header(header::COOKIE, auditor)
        .body(Body::empty())
        .unwrap();
    let (s, body) = site.call(req).await;
    assert_eq!(s, StatusCode::OK);
    let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(page["events"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn expired_and_ended_sessions_are_refused() {
    let site = test_site().await;
    let cookie = site.login("ex").await;
    let me = |c: &str| {
        Request::get("/api/v1/me")
            .header(header::COOKIE, c.to_owned())
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(site.call(me(&cookie)).await.0, StatusCode::OK);
    site.now
        .fetch_add(13 * 3_600_000, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(site.call(me(&cookie)).await.0, StatusCode::UNAUTHORIZED);
    let cookie = site.login("ex").await;
    let out = Request::post("/api/v1/logout")
        .header(header::COOKIE, cookie.clone())
        .body(Body::empty())
        .unwrap();
    assert_eq!(site.call(out).await.0, StatusCode::NO_CONTENT);
    assert_eq!(site.call(me(&cookie)).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn device_appends_are_checked_and_durable() {
    let site = test_site().await;
    let post = |json: &str| {
        Request::post("/api/v1/events")
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", site.device_token),
            )
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_owned()))
            .unwrap()
    };
    let (s, _) = site
        .call(post(r#"{"kind":"user.created","payload":{}}"#))
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "devices may not forge other kinds"
    );
    let (s, _) = site
        .call(post(r#"{"kind":"device.report","payload":[1]}"#))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = site
        .call(post(r#"{"kind":"device.report","payload":{},"extra":1}"#))
        .await;
    assert!(s.is_client_error());
    let (s, body) = site
        .call(post(r#"{"kind":"device.report","subjects":[{"kind":"candidate","id":"370902199001011234"}],"payload":{"b":1,"a":"考生"}}"#))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let ack: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let seq = ack["seq"].as_u64().unwrap();
    let stored = site.site.store.events(model::Seq(seq), 1).await.unwrap();
    let event = audit::decode(&stored[0].bytes).unwrap();
    assert_eq!(
        event.payload,
        r#"{"a":"考生","b":1}"#.as_bytes(),
        "payload is canonical JSON"
    );
    assert_eq!(stored[0].hash.to_hex(), ack["hash"].as_str().unwrap());
}

fn hex32(s: &serde_json::Value) -> audit::Hash {
    audit::Hash::from_hex(s.as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn a_third_party_checks_one_event_against_a_signed_checkpoint() {
    let site = test_site().await;
    for i in 0..5 {
        let d = store::Draft {
            kind: model::EventKind::DeviceReport,
            subjects: vec![],
            payload: format!("{{\"i\":{i}}}").into_bytes(),
        };
        site.site.log.append(d).await.unwrap();
    }
    site.site.log.checkpoint_now().await;
    let old = site
        .site
        .store
        .checkpoints()
        .await
        .unwrap()
        .last()
        .unwrap()
        .tree_size;
    for i in 5..13 {
        let d = store::Draft {
            kind: model::EventKind::DeviceReport,
            subjects: vec![],
            payload: format!("{{\"i\":{i}}}").into_bytes(),
        };
        site.site.log.append(d).await.unwrap();
    }
    site.site.log.checkpoint_now().await;
    let auditor = site.login("au").await;
    let get = |q: String| {
        Request::get(format!("/api/v1/audit/proof?{q}"))
            .header(header::COOKIE, auditor.clone())
            .body(Body::empty())
            .unwrap()
    };
    let (s, body) = site.call(get(format!("seq=3&old_size={old}"))).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let p: serde_json::Value = serde_json::from_slice(&body).unwrap();

    // Everything below uses only the proof and the site's public key.
    let key = audit::PublicKey::from_hex(p["public_key"].as_str().unwrap()).unwrap();
    let signed = audit::SignedCheckpoint {
        body: hex::decode(p["checkpoint"]["body"].as_str().unwrap()).unwrap(),
        signature: hex::decode(p["checkpoint"]["signature"].as_str().unwrap()).unwrap(),
    };
    let cp = key.verify(&signed).unwrap();
    let record = hex::decode(p["record"].as_str().unwrap()).unwrap();
    assert_eq!(audit::decode(&record).unwrap().seq, model::Seq(3));
    let path: Vec<audit::Hash> = p["inclusion"]
        .as_array()
        .unwrap()
        .iter()
        .map(hex32)
        .collect();
    audit::verify_inclusion(&audit::leaf_hash(&record), 2, cp.tree_size, &path, &cp.root).unwrap();
    // A changed record does not verify against the same proof.
    let mut forged = record.clone();
    *forged.last_mut().unwrap() ^= 1;
    assert!(
        audit::verify_inclusion(&audit::leaf_hash(&forged), 2, cp.tree_size, &path, &cp.root)
            .is_err()
    );
    // The older checkpoint is a prefix of the newer one.
    let c = &p["consistency"];
    let old_signed = audit::SignedCheckpoint {
        body: hex::decode(c["old_checkpoint"]["body"].as_str().unwrap()).unwrap(),
        signature: hex::decode(c["old_checkpoint"]["signature"].as_str().unwrap()).unwrap(),
    };
    let old_cp = key.verify(&old_signed).unwrap();
    let cpath: Vec<audit::Hash> = c["proof"].as_array().unwrap().iter().map(hex32).collect();
    audit::verify_consistency(
        old_cp.tree_size,
        cp.tree_size,
        &old_cp.root,
        &cp.root,
        &cpath,
    )
    .unwrap();
    // Out of range is a clear 400; other roles may not ask.
    assert_eq!(
        site.call(get("seq=999".into())).await.0,
        StatusCode::BAD_REQUEST
    );
    let ex = site.login("ex").await;
    let req = Request::get("/api/v1/audit/proof?seq=1")
        .header(header::COOKIE, ex)
        .body(Body::empty())
        .unwrap();
    assert_eq!(site.call(req).await.0, StatusCode::FORBIDDEN);
}
