//! A listed finger refused at the gate with a `watchlist` alarm even when the roster's 1:1 matched.

use examd::watchlist::model::Reason;
use model::EventKind;
use serde_json::Value;

use super::{LISTED, kinds, listed, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listed_finger_is_refused_at_the_gate_even_when_the_roster_matched() {
    let rig = crate::gate::rig(6, 400).await;
    let wl = rig.state.areas.watchlist.clone();
    wl.add(listed(LISTED, Reason::StandIn), "ad").await.unwrap();
    // Candidate c2 is on the roster and banned: their own finger matches 1:1, and they are refused.
    let banned = wl
        .add(
            listed(
                2,
                Reason::ExamBan {
                    until: theory::LocalDay::from_ymd(2099, 1, 1),
                },
            ),
            "ad",
        )
        .await
        .unwrap();
    let v = rig.scan("A", Some("c2"), 2, 3).await;
    assert_eq!(v["decision"], "watchlist_hit", "{v}");
    assert_eq!(v["released"], false);
    assert_eq!(v["denied"]["reason"], "watchlist");
    assert!(
        v["denied"]["message"].as_str().unwrap().contains("黑名单"),
        "{v}"
    );
    assert!(
        v["denied"]["message_en"]
            .as_str()
            .unwrap()
            .contains("watch-list"),
        "{v}"
    );
    // A stand-in with a listed finger, claiming c3.
    let v = rig.scan("A", Some("c3"), LISTED, 4).await;
    assert_eq!(
        (v["decision"].as_str(), v["denied"]["entry"].as_str()),
        (Some("watchlist_hit"), Some("WL-00001"))
    );
    let s = rig.status().await;
    let alarms: Vec<&Value> = s["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "watchlist")
        .collect();
    assert_eq!(alarms.len(), 2, "{s:#}");
    assert_eq!(alarms[0]["door"], "A");
    assert_eq!(alarms[0]["detail"]["claim"], "c3");
    // Logged: the hit and the alarm with the decision, in one batch before the answer.
    let logged = kinds(&rig.state).await;
    let hits: Vec<&Value> = logged
        .iter()
        .filter(|(k, _)| *k == EventKind::WatchlistHit)
        .map(|(_, p)| p)
        .collect();
    assert_eq!(hits.len(), 2);
    assert_eq!(
        (
            hits[1]["place"].as_str(),
            hits[1]["door"].as_str(),
            hits[1]["claim"].as_str()
        ),
        (Some("gate"), Some("A"), Some("c3"))
    );
    assert!(
        logged
            .iter()
            .any(|(k, p)| *k == EventKind::GateAlarm && p["alarm"] == "watchlist")
    );
    assert!(
        logged
            .iter()
            .any(|(k, p)| *k == EventKind::GateDecision && p["decision"] == "watchlist_hit")
    );
    // The page's hit list follows the log.
    wait_for("the hits on the list", async || wl.hits().len() == 2).await;
    // Unlisted, c2 is admitted as before.
    wl.remove(banned.id, "ban lifted on appeal", "ad")
        .await
        .unwrap();
    let v = rig.scan("A", Some("c2"), 2, 5).await;
    assert_eq!(v["decision"], "admit", "{v}");
    assert!(wl.stats().searches >= 3);
}
