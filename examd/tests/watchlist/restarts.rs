//! The list and its follower across restarts: entries and bans survive, and enrolments logged while
//! the daemon was down are checked once at start.

use examd::gate::synth::{impression, iso_impression};
use examd::identity::PersonRef;
use examd::watchlist::model::{Reason, Status, WatchId};
use model::EventKind;

use super::{LISTED, listed, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_survives_a_restart_and_a_ban_stops_after_its_last_day() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let dir = tempfile::tempdir().unwrap();
    // 2027-01-15 in China.
    let now = Arc::new(AtomicI64::new(1_800_000_000_000));
    let n = now.clone();
    let clock: examd::state::Clock = Arc::new(move || model::UnixMs(n.load(Ordering::SeqCst)));
    {
        let site = examd::site::open(crate::support::runtime(dir.path()), clock.clone())
            .await
            .unwrap();
        let st = examd::app::state_of(&site, clock.clone()).await.unwrap();
        let wl = st.areas.watchlist.clone();
        let until = theory::LocalDay::of(clock());
        wl.add(listed(LISTED, Reason::ExamBan { until }), "ad")
            .await
            .unwrap();
        wl.add(listed(LISTED + 1, Reason::ForgedDocuments), "ad")
            .await
            .unwrap();
        wl.add(listed(LISTED + 2, Reason::StandIn), "ad")
            .await
            .unwrap();
        wl.remove(WatchId(3), "mistaken identity", "ad")
            .await
            .unwrap();
        st.areas.shutdown().await;
        site.log.clone().shutdown().await;
    }
    let site = examd::site::open(crate::support::runtime(dir.path()), clock.clone())
        .await
        .unwrap();
    let st = examd::app::state_of(&site, clock.clone()).await.unwrap();
    let wl = st.areas.watchlist.clone();
    let e = wl.entries();
    assert_eq!(e.len(), 3);
    assert_eq!(e[2].removed.as_ref().unwrap().reason, "mistaken identity");
    assert_eq!(wl.watch_size(), (2, 4), "the removed entry is not loaded");
    assert_eq!(
        wl.check_gate(&impression(LISTED, 5)).map(|h| h.entry),
        Some(WatchId(1))
    );
    assert_eq!(
        wl.check_gate(&impression(LISTED + 1, 5)).map(|h| h.entry),
        Some(WatchId(2))
    );
    assert_eq!(wl.check_gate(&impression(LISTED + 2, 5)), None);
    assert_eq!(wl.check_gate(&impression(42, 5)), None);
    // The day after the ban's last day.
    now.fetch_add(86_400_000, Ordering::SeqCst);
    assert_eq!(wl.status(&e[0]), Status::Expired);
    assert_eq!(
        wl.check_gate(&impression(LISTED, 5)),
        None,
        "an expired ban is not a hit"
    );
    assert_eq!(
        wl.check_gate(&impression(LISTED + 1, 5)).map(|h| h.entry),
        Some(WatchId(2))
    );
    // The sealed files hold no plain template.
    let raw = std::fs::read(dir.path().join("watchlist").join("WL-00001.sealed")).unwrap();
    let plain = iso_impression(LISTED, 0);
    assert!(!raw.windows(32).any(|w| w == &plain[plain.len() - 32..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolments_logged_while_the_daemon_was_down_are_checked_once_at_start() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicI64;
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(1_800_000_000_000));
    let n = now.clone();
    let clock: examd::state::Clock =
        Arc::new(move || model::UnixMs(n.load(std::sync::atomic::Ordering::SeqCst)));
    let open = || examd::site::open(crate::support::runtime(dir.path()), clock.clone());
    let cand = |id: &str| PersonRef::Candidate(id.parse().unwrap());
    let alarms = async |site: &examd::site::Site| {
        let page = site.store.events(model::Seq::FIRST, 10_000).await.unwrap();
        let kinds: Vec<EventKind> = page
            .iter()
            .map(|s| audit::decode(&s.bytes).unwrap().kind)
            .collect();
        (
            kinds
                .iter()
                .filter(|k| **k == EventKind::WatchlistHit)
                .count(),
            kinds
                .iter()
                .filter(|k| **k == EventKind::IdentityDuplicateApplicant)
                .count(),
        )
    };
    // Running: a listed finger, and c1 enrolled and checked.
    {
        let site = open().await.unwrap();
        let st = examd::app::state_of(&site, clock.clone()).await.unwrap();
        let wl = st.areas.watchlist.clone();
        wl.add(listed(LISTED, Reason::StandIn), "ad").await.unwrap();
        let c1 = site
            .identity
            .enroll(cand("c1"), None, vec![impression(1, 0)], "ad")
            .await
            .unwrap();
        wait_for("c1 checked", async || {
            wl.checked_to().0 > c1.seq && wl.people_size().0 == 1
        })
        .await;
        st.areas.shutdown().await;
        site.log.clone().shutdown().await;
    }
    // Down: the registry alone logs three enrolments (as an offline roster import does).
    {
        let site = open().await.unwrap();
        for (id, finger) in [("new-1", 1), ("new-2", LISTED), ("new-3", 50)] {
            site.identity
                .enroll(cand(id), None, vec![impression(finger, 2)], "ad")
                .await
                .unwrap();
        }
        assert_eq!(alarms(&site).await, (0, 0));
        site.log.clone().shutdown().await;
    }
    // Started twice: each enrolment is checked once, however far back the stored position is.
    for round in 0..2 {
        let site = open().await.unwrap();
        let end = site.store.log_head().await.unwrap().unwrap().0.next();
        let st = examd::app::state_of(&site, clock.clone()).await.unwrap();
        let wl = st.areas.watchlist.clone();
        wait_for("the enrolments logged while down", async || {
            wl.checked_to() >= end
        })
        .await;
        // The alarms reach the page's list as the log is followed.
        wait_for("the alarms on the list", async || {
            !wl.duplicates().is_empty() && !wl.hits().is_empty()
        })
        .await;
        assert_eq!(wl.people_size().0, 4, "round {round}");
        let dups = wl.duplicates();
        assert_eq!(dups.len(), 1, "round {round}: {dups:?}");
        assert_eq!(
            (dups[0].person.as_str(), dups[0].matched.as_str()),
            ("candidate:new-1", "candidate:c1")
        );
        let hits = wl.hits();
        assert_eq!(hits.len(), 1, "round {round}: {hits:?}");
        assert_eq!(hits[0].entry, WatchId(1));
        assert_eq!(alarms(&site).await, (1, 1), "round {round}");
        st.areas.shutdown().await;
        site.log.clone().shutdown().await;
        // As if the daemon had stopped after logging the alarms but before storing its position.
        std::fs::write(dir.path().join("watchlist").join("checked"), "next 1\n").unwrap();
    }
}
