//! Whom the gate admits now: the candidates of every Subject 1 sitting drawn for today whose gate
//! window is open (`booking::sitting`), together with the latest roster imported by hand (a roster
//! that is not a booking session's, which has no window). A claim on none of them is refused with
//! the reason, in Chinese and English: the candidate's sitting is on another day, not open yet or
//! over, or the candidate was drawn for a driving subject only.
//!
//! [`why_not`] is the pure decision over the day's drawn sittings; [`day_roster`] gathers them
//! from the booking area and the identity registry for one scan.

use std::sync::Arc;

use booking::ExamSubject;
use booking::sitting::{GateWindow, WindowState, clock_time};
use model::UnixMs;
use serde_json::{Value, json};

use crate::identity::{Gallery, IdentityError, SittingId};
use crate::state::AppState;

/// One drawn booking session, as the gate sees it.
#[derive(Debug, Clone)]
pub struct DrawnSitting {
    /// The session id (also the identity registry's sitting).
    pub session: String,
    /// Its subject.
    pub subject: ExamSubject,
    /// Its gate window.
    pub window: GateWindow,
    /// The drawn candidates.
    pub candidates: Vec<String>,
}

/// Why a claimed candidate is not admitted at door A.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAdmitted {
    /// Drawn for a Subject 1 sitting on another day.
    NotToday {
        /// The sitting.
        sitting: String,
        /// Its day.
        day: String,
    },
    /// Drawn for a Subject 1 sitting today whose gate window opens later.
    NotYetOpen {
        /// The sitting.
        sitting: String,
        /// When it opens, `HH:MM`.
        opens: String,
    },
    /// Drawn for a Subject 1 sitting today whose gate window has closed.
    Over {
        /// The sitting.
        sitting: String,
        /// When it closed, `HH:MM`.
        closed: String,
    },
    /// Drawn for a driving test only: Subject 2 and 3 candidates are checked at the car.
    DrivingOnly {
        /// The driving sitting.
        sitting: String,
        /// Its subject's code.
        subject: String,
    },
    /// On no roster the gate knows.
    NotOnRoster,
}

impl NotAdmitted {
    /// The gate decision it is logged and answered as.
    pub fn decision(&self) -> &'static str {
        match self {
            NotAdmitted::NotToday { .. } => "not_today",
            NotAdmitted::NotYetOpen { .. } => "sitting_not_open",
            NotAdmitted::Over { .. } => "sitting_over",
            NotAdmitted::DrivingOnly { .. } => "driving_only",
            NotAdmitted::NotOnRoster => "not_on_roster",
        }
    }

    /// What the decision event records beside the decision.
    pub fn detail(&self) -> Value {
        match self {
            NotAdmitted::NotToday { sitting, day } => json!({ "sitting": sitting, "day": day }),
            NotAdmitted::NotYetOpen { sitting, opens } => {
                json!({ "sitting": sitting, "opens": opens })
            }
            NotAdmitted::Over { sitting, closed } => {
                json!({ "sitting": sitting, "closed": closed })
            }
            NotAdmitted::DrivingOnly { sitting, subject } => {
                json!({ "sitting": sitting, "subject": subject })
            }
            NotAdmitted::NotOnRoster => json!({}),
        }
    }

    /// The terminal's message: `reason` (the decision), `message` (zh) and `message_en`.
    pub fn denied(&self) -> Value {
        let (zh, en) = match self {
            NotAdmitted::NotToday { sitting, day } => (
                format!("您的科目一考试（{sitting}）在 {day}，不是今天"),
                format!("Your Subject 1 sitting {sitting} is on {day}, not today"),
            ),
            NotAdmitted::NotYetOpen { sitting, opens } => (
                format!("您的考试（{sitting}）{opens} 开始入场，请稍候"),
                format!("Your sitting {sitting} admits from {opens}: please wait"),
            ),
            NotAdmitted::Over { sitting, closed } => (
                format!("您的考试（{sitting}）已于 {closed} 停止入场"),
                format!("Your sitting {sitting} stopped admitting at {closed}"),
            ),
            NotAdmitted::DrivingOnly { sitting, subject } => (
                format!(
                    "您今天抽签参加的是驾驶考试（{sitting}，{subject}），请到考车处核验，不进理论考场"
                ),
                format!(
                    "You were drawn for a driving test ({sitting}, {subject}): identity is checked at the car, not at the theory hall"
                ),
            ),
            NotAdmitted::NotOnRoster => (
                "您不在今天的考生名单上".to_owned(),
                "You are not on today's roster".to_owned(),
            ),
        };
        json!({ "reason": self.decision(), "message": zh, "message_en": en })
    }
}

/// Why `claim`, on none of the rosters the gate admits against now, is not admitted: from the
/// drawn sittings that name the candidate, the most useful reason — a Subject 1 sitting today
/// (not open yet, or over), then a driving sitting today, then a Subject 1 sitting on another
/// day, then any driving sitting; [`NotAdmitted::NotOnRoster`] when no drawn sitting names them.
pub fn why_not(claim: &str, sittings: &[DrawnSitting], now: UnixMs) -> NotAdmitted {
    let theirs: Vec<&DrawnSitting> = sittings
        .iter()
        .filter(|s| s.candidates.iter().any(|c| c == claim))
        .collect();
    let today = booking::LocalDay::of(now);
    let theory = |s: &&&DrawnSitting| !s.subject.is_driving();
    let hhmm = |t: UnixMs| clock_time(t).to_string();
    let mut best: Option<(u8, NotAdmitted)> = None;
    let mut consider = |rank: u8, why: NotAdmitted| {
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, why));
        }
    };
    for s in theirs.iter().filter(theory) {
        let sitting = s.session.clone();
        match s.window.state(now) {
            // Open sittings are in the gallery; a claim not found there is not on them.
            WindowState::Open => {}
            WindowState::NotYetOpen { opens } => consider(
                0,
                NotAdmitted::NotYetOpen {
                    sitting,
                    opens: hhmm(opens),
                },
            ),
            WindowState::Over { closed } => consider(
                1,
                NotAdmitted::Over {
                    sitting,
                    closed: hhmm(closed),
                },
            ),
            WindowState::NotToday { day } => consider(
                3,
                NotAdmitted::NotToday {
                    sitting,
                    day: day.to_string(),
                },
            ),
        }
    }
    for s in theirs.iter().filter(|s| s.subject.is_driving()) {
        let rank = if s.window.day == today { 2 } else { 4 };
        consider(
            rank,
            NotAdmitted::DrivingOnly {
                sitting: s.session.clone(),
                subject: s.subject.code().to_owned(),
            },
        );
    }
    best.map_or(NotAdmitted::NotOnRoster, |(_, why)| why)
}

/// The rosters the gate admits against at one moment.
#[derive(Debug, Clone)]
pub struct DayRoster {
    /// Every admissible candidate (and the examiners), for the 1:N search and the claim check.
    pub gallery: Arc<Gallery>,
    /// The sittings merged into it: open Subject 1 sittings, then the hand-imported roster.
    pub sittings: Vec<String>,
    /// Every drawn booking session, for [`why_not`].
    pub drawn: Vec<DrawnSitting>,
}

impl DayRoster {
    /// `None` when `claim` may be admitted; otherwise why not.
    pub fn check(&self, claim: &gate::CandidateId, now: UnixMs) -> Option<NotAdmitted> {
        if self.gallery.candidates.contains_key(claim) {
            return None;
        }
        Some(why_not(claim.as_str(), &self.drawn, now))
    }
}

/// Every drawn booking session with its window.
pub fn drawn_sittings(st: &AppState) -> Vec<DrawnSitting> {
    let area = &st.areas.booking;
    area.draw_states()
        .into_iter()
        .filter_map(|(session, d)| {
            let assigned = d.assigned?;
            let subject = crate::booking::draws::subject_of(area, &session)?;
            let window = area.gate_window(&session)?;
            Some(DrawnSitting {
                candidates: assigned.into_iter().map(|a| a.candidate).collect(),
                session,
                subject,
                window,
            })
        })
        .collect()
}

/// The latest roster imported by hand (not a booking session's): the registry's current one when
/// it is such, or else the most recent such in the store.
async fn hand_imported(st: &AppState) -> Result<Option<Arc<Gallery>>, IdentityError> {
    let is_booking = |s: &str| crate::booking::draws::subject_of(&st.areas.booking, s).is_some();
    let current = st.identity.current();
    match current.sitting.as_deref() {
        Some(s) if !is_booking(s) => return Ok(Some(current)),
        None => return Ok(None),
        Some(_) => {}
    }
    for r in st.identity.rosters().await? {
        if is_booking(&r.sitting) {
            continue;
        }
        let Ok(sitting) = r.sitting.parse::<SittingId>() else {
            continue;
        };
        return Ok(Some(st.identity.gallery(&sitting).await?));
    }
    Ok(None)
}

/// The gate's rosters at `now`: the open Subject 1 sittings drawn for today and the latest
/// hand-imported roster, merged into one gallery.
pub async fn day_roster(st: &AppState, now: UnixMs) -> Result<DayRoster, IdentityError> {
    let drawn = drawn_sittings(st);
    let mut merged = match hand_imported(st).await? {
        Some(g) => (*g).clone(),
        None => Gallery {
            sitting: None,
            candidates: Default::default(),
            examiners: st.identity.current().examiners.clone(),
        },
    };
    let mut sittings: Vec<String> = Vec::new();
    for s in &drawn {
        if s.subject.is_driving() || s.window.state(now) != WindowState::Open {
            continue;
        }
        let Ok(id) = s.session.parse::<SittingId>() else {
            continue;
        };
        let g = match st.identity.gallery(&id).await {
            Ok(g) => g,
            // A draw whose roster did not reach the registry has nobody to admit.
            Err(IdentityError::UnknownSitting(_)) => continue,
            Err(e) => return Err(e),
        };
        for (c, e) in &g.candidates {
            merged
                .candidates
                .entry(c.clone())
                .or_insert_with(|| e.clone());
        }
        sittings.push(s.session.clone());
    }
    sittings.extend(merged.sitting.take());
    merged.sitting = (!sittings.is_empty()).then(|| sittings.join("+"));
    Ok(DayRoster {
        gallery: Arc::new(merged),
        sittings,
        drawn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use booking::LocalDay;

    fn sitting(
        id: &str,
        subject: ExamSubject,
        day: LocalDay,
        starts: &str,
        who: &[&str],
    ) -> DrawnSitting {
        DrawnSitting {
            session: id.into(),
            subject,
            window: GateWindow::new(day, Some(starts.parse().unwrap())),
            candidates: who.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// `hh:mm` China time on `day`.
    fn at(day: LocalDay, hh: i64, mm: i64) -> UnixMs {
        UnixMs(i64::from(day.0) * 86_400_000 - 8 * 3_600_000 + (hh * 60 + mm) * 60_000)
    }

    #[test]
    fn the_reason_names_the_sitting_and_its_time() {
        let d = LocalDay::from_ymd(2026, 12, 1);
        let day = vec![
            sitting("am", ExamSubject::Subject1, d, "09:00", &["a", "both"]),
            sitting("pm", ExamSubject::Subject1, d, "14:00", &["b"]),
            sitting("s2", ExamSubject::Subject2, d, "08:00", &["c", "both"]),
            sitting(
                "next",
                ExamSubject::Subject1,
                d.plus_days(1),
                "09:00",
                &["e"],
            ),
        ];
        let morning = at(d, 8, 30);
        assert_eq!(
            why_not("b", &day, morning),
            NotAdmitted::NotYetOpen {
                sitting: "pm".into(),
                opens: "13:00".into()
            }
        );
        assert_eq!(
            why_not("a", &day, at(d, 14, 0)),
            NotAdmitted::Over {
                sitting: "am".into(),
                closed: "09:15".into()
            }
        );
        assert_eq!(
            why_not("c", &day, morning),
            NotAdmitted::DrivingOnly {
                sitting: "s2".into(),
                subject: "subject2".into()
            }
        );
        // A theory sitting today says more than a driving one.
        assert!(matches!(
            why_not("both", &day, at(d, 10, 0)),
            NotAdmitted::Over { .. }
        ));
        assert_eq!(
            why_not("e", &day, morning),
            NotAdmitted::NotToday {
                sitting: "next".into(),
                day: "2026-12-02".into()
            }
        );
        assert_eq!(why_not("nobody", &day, morning), NotAdmitted::NotOnRoster);
        let m = NotAdmitted::NotYetOpen {
            sitting: "pm".into(),
            opens: "13:00".into(),
        }
        .denied();
        assert_eq!(m["reason"], "sitting_not_open");
        assert!(
            m["message"].as_str().unwrap().contains("13:00 开始入场"),
            "{m}"
        );
        assert!(
            m["message_en"]
                .as_str()
                .unwrap()
                .contains("admits from 13:00"),
            "{m}"
        );
    }
}
