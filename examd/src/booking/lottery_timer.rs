//! Lottery windows close on time: a background task draws the places of every lottery session
//! whose `applications_close` has passed and which is not allocated yet, through the same
//! [`super::lottery::allocate`] as an administrator's allocation, logged with `by: system`.
//!
//! The clock is the area's (injected, so tests move time). The ledger, replayed at start, says
//! which sessions are allocated, so a window that closed while the daemon was down is drawn once,
//! on the first tick after the start, and never again (the ledger refuses a second allocation).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Weak;
use std::time::Duration;

use model::UnixMs;

use super::BookingArea;

/// Who the timer's allocations are logged as.
pub const SYSTEM: &str = "system";

/// How often the timer looks at the windows.
pub const EVERY: Duration = Duration::from_millis(500);

/// The sessions due at `now`: a close time passed and not allocated yet, in session order.
pub fn due(
    closes: &BTreeMap<String, i64>,
    allocated: impl Fn(&str) -> bool,
    now: UnixMs,
) -> Vec<String> {
    closes
        .iter()
        .filter(|(s, close)| **close <= now.0 && !allocated(s))
        .map(|(s, _)| s.clone())
        .collect()
}

/// Allocates every due session once; a failure is logged and that session left to an
/// administrator (it is not retried until the next start). Returns the sessions allocated.
pub async fn tick(area: &BookingArea, failed: &mut BTreeSet<String>) -> Vec<String> {
    let now = area.now();
    let allocated = |s: &str| {
        s.parse::<booking::SessionId>().is_ok_and(|id| {
            area.read(|l| l.sessions.get(&id).is_some_and(|x| x.allotment.is_some()))
        })
    };
    let mut done = Vec::new();
    for session in due(&area.lottery_closes(), allocated, now) {
        if failed.contains(&session) {
            continue;
        }
        match super::lottery::allocate(area, &session, SYSTEM).await {
            Ok(a) => {
                tracing::info!(
                    session,
                    winners = a.winners.len(),
                    losers = a.losers.len(),
                    "lottery window closed: places drawn"
                );
                done.push(session);
            }
            Err(e) => {
                tracing::warn!(session, error = %e, "lottery window closed but the places were not drawn");
                failed.insert(session);
            }
        }
    }
    done
}

/// Runs until the area is dropped.
pub async fn run(area: Weak<BookingArea>, every: Duration) {
    let mut failed = BTreeSet::new();
    loop {
        let Some(a) = area.upgrade() else { return };
        tick(&a, &mut failed).await;
        drop(a);
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_due_once_its_window_closed_and_until_it_is_allocated() {
        let closes: BTreeMap<String, i64> = [
            ("a".into(), 1_000),
            ("b".into(), 2_000),
            ("c".into(), 1_500),
        ]
        .into();
        let none = |_: &str| false;
        assert!(due(&closes, none, UnixMs(999)).is_empty());
        assert_eq!(due(&closes, none, UnixMs(1_000)), ["a"]);
        assert_eq!(due(&closes, none, UnixMs(1_999)), ["a", "c"]);
        assert_eq!(due(&closes, |s| s == "a", UnixMs(5_000)), ["b", "c"]);
    }
}
