//! Enrolment flagged for a watch-listed finger and for a finger already enrolled under another
//! identity.

use axum::http::StatusCode;
use examd::gate::synth::{impression, iso_impression};
use examd::identity::PersonRef;
use serde_json::{Value, json};

use super::{LISTED, b64, call, wait_for};
use crate::support::test_site;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_applicant_matching_another_enrolled_person_or_the_list_is_flagged() {
    let t = test_site().await;
    let id = t.site.identity.clone();
    let roster = examd::identity::roster::RosterV1 {
        sitting: "am".into(),
        candidates: (1..=4)
            .map(|f| examd::identity::roster::CandidateV1 {
                id: format!("c{f}"),
                name: format!("考生{f}"),
                seat: None,
                subject: None,
                templates: vec![hex::encode(iso_impression(f, 0))],
            })
            .collect(),
        examiners: vec![],
    };
    let ad = t.login("ad").await;
    let (s, _) = call(&t, "POST", "/api/v1/watchlist/entries", &ad,
        Some(json!({ "reason": "forged_documents", "name": "钱某", "templates_base64": [b64(LISTED, 0)] }))).await;
    assert_eq!(s, StatusCode::OK);
    id.import_roster_v1(roster, "ad").await.unwrap();
    // Re-enrolling c1 with their own finger is no alarm; a new applicant with c3's finger is, and so is one
    // with the listed finger. Both enrolments stay recorded.
    id.enroll(
        PersonRef::Candidate("c1".parse().unwrap()),
        None,
        vec![impression(1, 2)],
        "ad",
    )
    .await
    .unwrap();
    let dup = id
        .enroll(
            PersonRef::Candidate("new-1".parse().unwrap()),
            Some("新考生"),
            vec![impression(3, 3)],
            "ad",
        )
        .await
        .unwrap();
    let listed = id
        .enroll(
            PersonRef::Candidate("new-2".parse().unwrap()),
            None,
            vec![impression(LISTED, 4)],
            "ad",
        )
        .await
        .unwrap();
    let au = t.login("au").await;
    let mut last = Value::Null;
    wait_for("both enrolment alarms", async || {
        last = call(&t, "GET", "/api/v1/watchlist/hits", &au, None).await.1;
        last["duplicates"].as_array().is_some_and(|d| !d.is_empty())
            && last["hits"].as_array().is_some_and(|h| !h.is_empty())
    })
    .await;
    let d = &last["duplicates"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{last:#}");
    assert_eq!(
        (d[0]["person"].as_str(), d[0]["matched"].as_str()),
        (Some("candidate:new-1"), Some("candidate:c3"))
    );
    assert_eq!(d[0]["enrolment_seq"].as_u64(), Some(dup.seq));
    let h = &last["hits"][0];
    assert_eq!(
        (
            h["place"].as_str(),
            h["person"].as_str(),
            h["entry"].as_str()
        ),
        (Some("enrolment"), Some("candidate:new-2"), Some("WL-00001"))
    );
    assert_eq!(h["enrolment_seq"].as_u64(), Some(listed.seq));
    // The enrolments stand (flagged, not undone).
    assert!(
        id.verify(
            &PersonRef::Candidate("new-1".parse().unwrap()),
            &impression(3, 5)
        )
        .await
        .unwrap()
        .matched
    );
    // The console figures.
    let (_, s) = call(&t, "GET", "/api/v1/watchlist/status", &au, None).await;
    assert_eq!(s["enrolled"]["people"], 6, "{s}");
    assert!(s["last_search"]["us"].as_u64().is_some(), "{s}");
    assert!(
        ["exhaustive", "decisive", "budget_limited"]
            .contains(&s["last_search"]["end"].as_str().unwrap_or_default()),
        "{s}"
    );
}
