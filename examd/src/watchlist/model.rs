//! The watch-list's vocabulary and its pure projection: entry ids, reasons, entries with their status, and the
//! list as the `watchlist.*` events build it. No IO and no clock: days and times come in as arguments.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::str::FromStr;

use model::UnixMs;
use theory::LocalDay;

use super::refusal::Refusal;
use crate::identity::CandidateId;

/// A watch-list entry's id, shown as `WL-00001`; numbered from 1 in the order entries were added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WatchId(pub u32);

impl fmt::Display for WatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WL-{:05}", self.0)
    }
}

impl FromStr for WatchId {
    type Err = String;
    /// `WL-00001`, `WL-1` or `1`.
    fn from_str(s: &str) -> Result<Self, String> {
        let digits = s.strip_prefix("WL-").unwrap_or(s);
        match digits.parse::<u32>() {
            Ok(n) if n > 0 => Ok(WatchId(n)),
            _ => Err(format!("a watch-list id is WL-<number>, got {s:?}")),
        }
    }
}

/// Why a person is on the watch-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// 代考: caught sitting an exam for someone else (or having someone sit it).
    StandIn,
    /// 伪造证件: forged identity documents.
    ForgedDocuments,
    /// 禁考期: banned from exams until the end of a day (China time), e.g. after cheating (令第162号).
    ExamBan {
        /// The last day of the ban.
        until: LocalDay,
    },
    /// 其他: another reason, told in the entry's note.
    Other,
}

impl Reason {
    /// The wire code: `stand_in`, `forged_documents`, `exam_ban`, `other`.
    pub fn code(self) -> &'static str {
        match self {
            Reason::StandIn => "stand_in",
            Reason::ForgedDocuments => "forged_documents",
            Reason::ExamBan { .. } => "exam_ban",
            Reason::Other => "other",
        }
    }

    /// The reason from its code; `exam_ban` needs `until`, the others refuse it.
    pub fn parse(code: &str, until: Option<&str>) -> Result<Reason, Refusal> {
        let until = until.map(str::trim).filter(|u| !u.is_empty());
        match (code, until) {
            ("exam_ban", Some(u)) => Ok(Reason::ExamBan {
                until: parse_day(u)?,
            }),
            ("exam_ban", None) => Err(Refusal::new(
                "禁考期须填写最后一天（截止日期，YYYY-MM-DD）",
                "an exam ban (exam_ban) needs its last day, until: YYYY-MM-DD",
            )),
            ("stand_in" | "forged_documents" | "other", Some(_)) => Err(Refusal::new(
                format!("只有禁考期有截止日期，{code} 没有"),
                format!("only an exam ban has an end date (until), not {code}"),
            )),
            ("stand_in", None) => Ok(Reason::StandIn),
            ("forged_documents", None) => Ok(Reason::ForgedDocuments),
            ("other", None) => Ok(Reason::Other),
            (other, _) => Err(Refusal::new(
                format!("原因须为代考、伪造证件、禁考期或其他，收到 {other:?}"),
                format!(
                    "reason must be stand_in, forged_documents, exam_ban or other, got {other:?}"
                ),
            )),
        }
    }

    /// The ban's last day, for an exam ban.
    pub fn until(self) -> Option<LocalDay> {
        match self {
            Reason::ExamBan { until } => Some(until),
            _ => None,
        }
    }

    /// How staff read it: (中文, English).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Reason::StandIn => ("代考", "stand-in"),
            Reason::ForgedDocuments => ("伪造证件", "forged documents"),
            Reason::ExamBan { .. } => ("禁考期", "exam ban"),
            Reason::Other => ("其他", "other"),
        }
    }
}

/// A day written `YYYY-MM-DD` (a real calendar day).
pub fn parse_day(s: &str) -> Result<LocalDay, Refusal> {
    let bad = || {
        Refusal::new(
            format!("日期须为 YYYY-MM-DD，收到 {s:?}"),
            format!("a day is YYYY-MM-DD, got {s:?}"),
        )
    };
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (y, m, d): (i32, u32, u32) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    let day = LocalDay::from_ymd(y, m, d);
    if day.ymd() != (y, m, d) {
        return Err(Refusal::new(
            format!("{s} 不是日历上的日期"),
            format!("{s} is not a calendar day"),
        ));
    }
    Ok(day)
}

/// Who the entry is about, as far as known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonInfo {
    /// ID-card number (or roster id), if known.
    pub id_number: Option<CandidateId>,
    /// Name, if known.
    pub name: Option<String>,
}

/// How an entry was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// When.
    pub at: UnixMs,
    /// Who (account name).
    pub by: String,
    /// Why.
    pub reason: String,
    /// The `watchlist.removed` event.
    pub seq: u64,
}

/// An entry's state on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Searched at the gate and at enrolment.
    Active,
    /// An exam ban whose last day has passed: kept, no longer searched.
    Expired,
    /// Removed by an admin: kept, no longer searched.
    Removed,
}

impl Status {
    /// `active`, `expired`, `removed`.
    pub fn code(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Expired => "expired",
            Status::Removed => "removed",
        }
    }
}

/// One watch-list entry (never deleted; removal is a state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its id.
    pub id: WatchId,
    /// Who.
    pub person: PersonInfo,
    /// Why.
    pub reason: Reason,
    /// Free text (case number, what happened).
    pub note: String,
    /// When added.
    pub added_at: UnixMs,
    /// Who added it.
    pub added_by: String,
    /// SHA-256 of each standard template record, hex (the templates themselves are sealed at rest).
    pub sha256: Vec<String>,
    /// The `watchlist.added` event.
    pub seq: u64,
    /// Set once removed.
    pub removed: Option<Removal>,
}

impl Entry {
    /// The entry's state on `today` (China time).
    pub fn status(&self, today: LocalDay) -> Status {
        if self.removed.is_some() {
            Status::Removed
        } else if self.reason.until().is_some_and(|u| today > u) {
            Status::Expired
        } else {
            Status::Active
        }
    }
}

/// Where a hit happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A scan at a gate door.
    Gate {
        /// `A` or `B`.
        door: String,
        /// The terminal (device account).
        device: String,
        /// Whom the scan claimed to be.
        claim: Option<String>,
    },
    /// An enrolment (desk, API or roster import).
    Enrolment {
        /// The person enrolled (`candidate:<id>`).
        person: String,
        /// The `identity.*` event that enrolled them.
        enrolment_seq: u64,
    },
}

/// A finger that matched a watch-list entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The `watchlist.hit` event.
    pub seq: u64,
    /// When.
    pub at: UnixMs,
    /// The entry.
    pub entry: WatchId,
    /// The matcher's score.
    pub score: f32,
    /// Where.
    pub place: Place,
}

/// A new applicant whose finger matched someone else already enrolled.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    /// The `identity.duplicate_applicant` event.
    pub seq: u64,
    /// When.
    pub at: UnixMs,
    /// The person just enrolled.
    pub person: String,
    /// The enrolled person their finger matched.
    pub matched: String,
    /// The matcher's score.
    pub score: f32,
    /// The `identity.*` event that enrolled them.
    pub enrolment_seq: u64,
}

/// A change the projection refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    /// No entry has that id.
    #[error("no watch-list entry {0}")]
    Unknown(WatchId),
    /// The id is taken.
    #[error("watch-list entry {0} exists already")]
    Exists(WatchId),
    /// The entry was removed already.
    #[error("watch-list entry {0} was removed already")]
    AlreadyRemoved(WatchId),
}

/// How many hits and duplicate alarms the projection keeps for the console (the log keeps all).
pub const RECENT: usize = 200;

/// The watch-list as the log builds it.
#[derive(Debug, Clone, Default)]
pub struct List {
    entries: BTreeMap<WatchId, Entry>,
    hits: VecDeque<Hit>,
    duplicates: VecDeque<Duplicate>,
}

impl List {
    /// Every entry, by id.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> {
        self.entries.values()
    }

    /// One entry.
    pub fn get(&self, id: WatchId) -> Option<&Entry> {
        self.entries.get(&id)
    }

    /// The id the next entry gets.
    pub fn next_id(&self) -> WatchId {
        WatchId(self.entries.keys().next_back().map_or(1, |w| w.0 + 1))
    }

    /// Recent hits, newest first.
    pub fn hits(&self) -> impl Iterator<Item = &Hit> {
        self.hits.iter()
    }

    /// Recent duplicate-applicant alarms, newest first.
    pub fn duplicates(&self) -> impl Iterator<Item = &Duplicate> {
        self.duplicates.iter()
    }

    /// Adds an entry.
    pub fn add(&mut self, e: Entry) -> Result<(), ListError> {
        if self.entries.contains_key(&e.id) {
            return Err(ListError::Exists(e.id));
        }
        self.entries.insert(e.id, e);
        Ok(())
    }

    /// Checks that an entry may be removed.
    pub fn can_remove(&self, id: WatchId) -> Result<&Entry, ListError> {
        let e = self.entries.get(&id).ok_or(ListError::Unknown(id))?;
        if e.removed.is_some() {
            return Err(ListError::AlreadyRemoved(id));
        }
        Ok(e)
    }

    /// Marks an entry removed.
    pub fn remove(&mut self, id: WatchId, r: Removal) -> Result<(), ListError> {
        self.can_remove(id)?;
        if let Some(e) = self.entries.get_mut(&id) {
            e.removed = Some(r);
        }
        Ok(())
    }

    /// Records a hit (the newest first; at most [`RECENT`] kept).
    pub fn hit(&mut self, h: Hit) {
        self.hits.push_front(h);
        self.hits.truncate(RECENT);
    }

    /// Records a duplicate-applicant alarm (the newest first; at most [`RECENT`] kept).
    pub fn duplicate(&mut self, d: Duplicate) {
        self.duplicates.push_front(d);
        self.duplicates.truncate(RECENT);
    }

    /// Entries searched on `today`.
    pub fn active(&self, today: LocalDay) -> impl Iterator<Item = &Entry> {
        self.entries
            .values()
            .filter(move |e| e.status(today) == Status::Active)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u32, reason: Reason) -> Entry {
        Entry {
            id: WatchId(n),
            person: PersonInfo {
                id_number: Some("37090219900101123X".parse().unwrap()),
                name: Some("王某".into()),
            },
            reason,
            note: String::new(),
            added_at: UnixMs(1),
            added_by: "admin".into(),
            sha256: vec!["00".into()],
            seq: n as u64,
            removed: None,
        }
    }

    #[test]
    fn ids_print_and_parse() {
        assert_eq!(WatchId(7).to_string(), "WL-00007");
        assert_eq!("WL-00007".parse::<WatchId>(), Ok(WatchId(7)));
        assert_eq!("7".parse::<WatchId>(), Ok(WatchId(7)));
        assert!("WL-0".parse::<WatchId>().is_err());
        assert!("x".parse::<WatchId>().unwrap_err().contains("WL-<number>"));
    }

    #[test]
    fn reasons_parse_with_their_end_date_only_for_a_ban() {
        assert_eq!(Reason::parse("stand_in", None), Ok(Reason::StandIn));
        let ban = Reason::parse("exam_ban", Some("2027-05-31")).unwrap();
        assert_eq!(ban.until().unwrap().to_string(), "2027-05-31");
        assert!(
            Reason::parse("exam_ban", None)
                .unwrap_err()
                .en
                .contains("until")
        );
        assert!(
            Reason::parse("stand_in", Some("2027-01-01"))
                .unwrap_err()
                .zh
                .contains("只有禁考期")
        );
        assert!(
            Reason::parse("cheat", None)
                .unwrap_err()
                .en
                .contains("\"cheat\"")
        );
        assert!(
            parse_day("2027-02-30")
                .unwrap_err()
                .en
                .contains("not a calendar day")
        );
        assert!(parse_day("2027-2-3").is_err());
        assert!(parse_day("2027-13-01").is_err());
    }

    #[test]
    fn a_ban_expires_after_its_last_day_and_removal_is_final() {
        let until = LocalDay::from_ymd(2026, 12, 31);
        let mut l = List::default();
        l.add(entry(1, Reason::ExamBan { until })).unwrap();
        l.add(entry(2, Reason::StandIn)).unwrap();
        assert_eq!(
            l.add(entry(2, Reason::StandIn)),
            Err(ListError::Exists(WatchId(2)))
        );
        assert_eq!(l.next_id(), WatchId(3));
        assert_eq!(l.get(WatchId(1)).unwrap().status(until), Status::Active);
        assert_eq!(
            l.get(WatchId(1)).unwrap().status(until.plus_days(1)),
            Status::Expired
        );
        assert_eq!(l.active(until.plus_days(1)).count(), 1);
        let r = Removal {
            at: UnixMs(5),
            by: "admin".into(),
            reason: "court ruling".into(),
            seq: 9,
        };
        l.remove(WatchId(2), r.clone()).unwrap();
        assert_eq!(l.get(WatchId(2)).unwrap().status(until), Status::Removed);
        assert_eq!(
            l.remove(WatchId(2), r.clone()),
            Err(ListError::AlreadyRemoved(WatchId(2)))
        );
        assert_eq!(l.remove(WatchId(9), r), Err(ListError::Unknown(WatchId(9))));
        assert_eq!(l.active(until).count(), 1);
        assert_eq!(l.entries().count(), 2, "nothing is deleted");
    }

    #[test]
    fn the_console_keeps_the_recent_hits_newest_first() {
        let mut l = List::default();
        for n in 0..(RECENT as u64 + 5) {
            l.hit(Hit {
                seq: n,
                at: UnixMs(n as i64),
                entry: WatchId(1),
                score: 0.5,
                place: Place::Enrolment {
                    person: "candidate:x".into(),
                    enrolment_seq: 1,
                },
            });
        }
        assert_eq!(l.hits().count(), RECENT);
        assert_eq!(l.hits().next().unwrap().seq, RECENT as u64 + 4);
    }
}
