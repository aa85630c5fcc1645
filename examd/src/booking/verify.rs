//! `examd draw verify`: every draw recomputed from the log (the site's database or an audit
//! export file): the commitment came before the roster closed, the roster is the session's
//! bookings (replayed through the ledger), the revealed seed matches the commitment, and every
//! logged assignment is what the seed and the roster give. A draw whose seed is not revealed
//! yet (the sitting has not finished) is *pending*, not a mismatch, as long as what can be
//! checked so far checks.
//!
//! Lottery sessions are recomputed too: the seed revealed with the allocation matches the
//! commitment logged with the session, and the winners and losers are what the seed gives for
//! the applications the ledger held at the window's close.
//!
//! `--date` limits the report to one exam day and says so clearly when the log has no session
//! that day, or sessions but no draw.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use booking::draw::{self, Assignment, DrawRecord, Mismatch, Roster, Stage, Status};
use booking::lottery::{self, Allotment, LotteryRecord, LotteryStatus};
use booking::{Ledger, LocalDay, SessionId, WorkCalendar};
use model::Seq;

use super::events::{AssignmentV1, BookingEvent, RosterClosedV1};

/// One session's draw and what does not add up.
#[derive(Debug)]
pub struct Checked {
    /// The session.
    pub session: String,
    /// Candidates in the roster.
    pub candidates: usize,
    /// Mismatches; empty means it verifies or is pending (see `status`).
    pub mismatches: Vec<Mismatch>,
    /// Verified, pending (not revealed yet) or failed.
    pub status: Status,
    /// The session's exam day, if the log opened the session.
    pub day: Option<LocalDay>,
}

/// One lottery session's allocation.
#[derive(Debug)]
pub struct CheckedLottery {
    /// The session.
    pub session: String,
    /// Verified, pending (applications open) or failed.
    pub status: LotteryStatus,
    /// The session's exam day.
    pub day: Option<LocalDay>,
}

/// Everything `examd draw verify` found.
#[derive(Debug, Default)]
pub struct Report {
    /// Exam-day draws.
    pub draws: Vec<Checked>,
    /// Lottery allocations.
    pub lotteries: Vec<CheckedLottery>,
    /// Booking events the ledger refused on replay (should be none).
    pub replay_errors: Vec<String>,
    /// Every session the log opened, by exam day.
    pub sessions: BTreeMap<LocalDay, Vec<String>>,
    /// The report is limited to this day.
    pub day: Option<LocalDay>,
}

impl Report {
    /// Keeps only the sessions of `day`.
    pub fn only(mut self, day: LocalDay) -> Report {
        self.draws.retain(|c| c.day == Some(day));
        self.lotteries.retain(|c| c.day == Some(day));
        self.day = Some(day);
        self
    }

    /// Something failed.
    pub fn failed(&self) -> bool {
        !self.replay_errors.is_empty()
            || self
                .draws
                .iter()
                .any(|c| matches!(c.status, Status::Failed(_)))
            || self
                .lotteries
                .iter()
                .any(|c| matches!(c.status, LotteryStatus::Failed(_)))
    }

    /// Sessions on the day asked for (`None` without `--date`).
    pub fn sessions_that_day(&self) -> Option<usize> {
        self.day
            .map(|d| self.sessions.get(&d).map_or(0, |v| v.len()))
    }
}

/// Builds every session's draw record from booking events in log order.
#[derive(Debug, Default)]
pub struct Collector {
    ledger: Ledger,
    records: BTreeMap<String, DrawRecord>,
    lotteries: BTreeMap<String, LotteryRecord>,
    /// Booking events the ledger refused on replay (should be none).
    pub replay_errors: Vec<String>,
}

fn names<T: std::str::FromStr>(v: &[String]) -> Vec<T> {
    v.iter().filter_map(|s| s.parse().ok()).collect()
}

/// The logged roster as the draw's input.
pub fn roster_of(e: &RosterClosedV1) -> anyhow::Result<Roster> {
    Ok(Roster {
        session: e.session.parse().context("roster session")?,
        subject: e.subject.parse().map_err(anyhow::Error::msg)?,
        candidates: names(&e.candidates),
        examiners: names(&e.examiners),
        cars: names(&e.cars),
        routes: names(&e.routes),
        group_size: e.group_size,
    })
}

/// A draw assignment in its logged form.
pub fn to_v1(a: &Assignment) -> AssignmentV1 {
    AssignmentV1 {
        candidate: a.candidate.to_string(),
        group: a.group,
        position: a.position,
        examiner: a.examiner.as_ref().map(|x| x.to_string()),
        car: a.car.as_ref().map(|x| x.to_string()),
        route: a.route.as_ref().map(|x| x.to_string()),
    }
}

fn from_v1(a: &AssignmentV1) -> Option<Assignment> {
    Some(Assignment {
        candidate: a.candidate.parse().ok()?,
        group: a.group,
        position: a.position,
        examiner: a.examiner.as_ref().and_then(|x| x.parse().ok()),
        car: a.car.as_ref().and_then(|x| x.parse().ok()),
        route: a.route.as_ref().and_then(|x| x.parse().ok()),
    })
}

impl Collector {
    /// A collector replaying with this calendar.
    pub fn new(calendar: WorkCalendar) -> Collector {
        Collector {
            ledger: Ledger::new(calendar),
            ..Collector::default()
        }
    }

    fn record(&mut self, session: &str) -> &mut DrawRecord {
        self.records
            .entry(session.to_owned())
            .or_insert_with(|| DrawRecord {
                session: session.parse().unwrap_or_else(|_| {
                    "invalid-session".parse::<SessionId>().expect("valid name")
                }),
                commitments: vec![],
                roster: None,
                booked_at_close: None,
                assigned: None,
                revealed: None,
            })
    }

    /// Takes one event.
    pub fn push(&mut self, seq: u64, ev: &BookingEvent) -> anyhow::Result<()> {
        if let BookingEvent::RosterClosed(e) = ev {
            let booked = e
                .session
                .parse::<SessionId>()
                .ok()
                .and_then(|s| self.ledger.sessions.get(&s))
                .map(|s| s.booked.clone());
            let roster = roster_of(e)?;
            let r = self.record(&e.session);
            r.roster = Some((seq, roster));
            r.booked_at_close = Some(booked.unwrap_or_default());
        }
        if let BookingEvent::Allocated(e) = ev {
            // The applications and places as the ledger holds them when the window closes.
            let at_close = e
                .session
                .parse::<SessionId>()
                .ok()
                .and_then(|s| self.ledger.sessions.get(&s))
                .map(|s| (s.applicants.clone(), self.ledger.lottery_places(s)));
            if let Some(r) = self.lotteries.get_mut(&e.session) {
                r.at_close = at_close;
                r.logged = Some((
                    e.seed.clone(),
                    Allotment {
                        winners: names(&e.winners),
                        losers: names(&e.losers),
                    },
                ));
            } else {
                self.replay_errors.push(format!(
                    "seq {seq}: allocation for {}, which was not opened as a lottery",
                    e.session
                ));
            }
        }
        if let Some(fact) = ev.fact() {
            let applied = fact
                .map_err(|e| e.to_string())
                .and_then(|f| self.ledger.apply(&f).map_err(|e| e.to_string()));
            if let Err(e) = applied {
                self.replay_errors.push(format!("seq {seq}: {e}"));
            }
        }
        match ev {
            BookingEvent::LotteryOpened(e) => {
                if let Ok(session) = e.session.session.parse::<SessionId>() {
                    self.lotteries.insert(
                        e.session.session.clone(),
                        LotteryRecord {
                            session,
                            commitment: e.commitment.clone(),
                            at_close: None,
                            logged: None,
                        },
                    );
                }
            }
            BookingEvent::Committed(e) => {
                self.record(&e.session)
                    .commitments
                    .push((seq, e.commitment.clone()));
            }
            BookingEvent::Assigned(e) => {
                let list = e.assignments.iter().filter_map(from_v1).collect();
                self.record(&e.session).assigned = Some(list);
            }
            BookingEvent::Revealed(e) => {
                self.record(&e.session).revealed = Some((seq, e.seed.clone()));
            }
            _ => {}
        }
        Ok(())
    }

    /// Verifies every draw seen (the exam-day draws and the replay errors).
    pub fn finish(self) -> (Vec<Checked>, Vec<String>) {
        let r = self.report();
        (r.draws, r.replay_errors)
    }

    /// Verifies every draw and lottery seen.
    pub fn report(self) -> Report {
        let day_of = |s: &str| {
            s.parse::<SessionId>()
                .ok()
                .and_then(|id| self.ledger.sessions.get(&id))
                .map(|s| s.spec.day)
        };
        let draws = self
            .records
            .iter()
            .map(|(session, rec)| {
                let status = draw::status(rec);
                Checked {
                    session: session.clone(),
                    candidates: rec.roster.as_ref().map_or(0, |(_, r)| r.candidates.len()),
                    mismatches: match &status {
                        Status::Failed(m) => m.clone(),
                        _ => vec![],
                    },
                    status,
                    day: day_of(session),
                }
            })
            .collect();
        let lotteries = self
            .lotteries
            .iter()
            .map(|(session, rec)| CheckedLottery {
                session: session.clone(),
                status: lottery::verify(rec),
                day: day_of(session),
            })
            .collect();
        let mut sessions: BTreeMap<LocalDay, Vec<String>> = BTreeMap::new();
        for s in self.ledger.sessions.values() {
            sessions
                .entry(s.spec.day)
                .or_default()
                .push(s.spec.id.to_string());
        }
        Report {
            draws,
            lotteries,
            replay_errors: self.replay_errors,
            sessions,
            day: None,
        }
    }

    /// The ledger as replayed so far.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }
}

/// Collects from the site's database.
pub async fn from_store(store: &dyn store::Store) -> anyhow::Result<Collector> {
    let mut c = Collector::new(WorkCalendar::default());
    let mut from = Seq::FIRST;
    loop {
        let page = store.events(from, 2000).await?;
        let Some(last) = page.last() else { break };
        from = last.seq.next();
        for stored in &page {
            let ev = audit::decode(&stored.bytes)?;
            if let Some(b) = BookingEvent::decode(ev.kind, &ev.payload) {
                let b = b.with_context(|| format!("booking event {} does not decode", ev.seq))?;
                c.push(ev.seq.0, &b)?;
            }
        }
    }
    Ok(c)
}

/// Collects from an audit export file.
pub fn from_export(path: &Path) -> anyhow::Result<Collector> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader = audit::ExportReader::new(std::io::BufReader::new(f))
        .with_context(|| format!("{} is not a readable examd export", path.display()))?;
    let mut c = Collector::new(WorkCalendar::default());
    for rec in reader {
        let (bytes, _) = rec.with_context(|| format!("{} is damaged", path.display()))?;
        let ev = audit::decode(&bytes)?;
        if let Some(b) = BookingEvent::decode(ev.kind, &ev.payload) {
            let b = b.with_context(|| format!("booking event {} does not decode", ev.seq))?;
            c.push(ev.seq.0, &b)?;
        }
    }
    Ok(c)
}

/// How `examd draw verify` ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing failed (pending draws included): exit 0.
    Ok,
    /// A draw or lottery does not recompute, or the booking events do not replay: exit 1.
    Failed,
    /// `--date` names a day without sessions, or whose sessions have no draw: exit 2.
    NothingToVerify,
}

impl Verdict {
    /// The process exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Ok => 0,
            Verdict::Failed => 1,
            Verdict::NothingToVerify => 2,
        }
    }
}

fn draw_line(c: &Checked) -> Vec<String> {
    let n = c.candidates;
    match &c.status {
        Status::Verified => vec![format!(
            "✓ {}: {n} 名考生，抽签可复算 / {n} candidates, draw verifies",
            c.session
        )],
        Status::Pending(Stage::Committed) => vec![format!(
            "… {}: 种子已承诺，名单未锁定，尚未公开 / pending (not revealed yet): seed committed, roster not closed",
            c.session
        )],
        Status::Pending(Stage::Drawn) => vec![format!(
            "… {}: {n} 名考生已抽签，种子考后公开 / pending (not revealed yet): {n} candidates drawn, the seed is revealed after the sitting",
            c.session
        )],
        Status::Failed(m) => m.iter().map(|m| format!("✗ {}: {m}", c.session)).collect(),
    }
}

fn lottery_line(c: &CheckedLottery) -> Vec<String> {
    match &c.status {
        LotteryStatus::Verified {
            applicants,
            winners,
        } => vec![format!(
            "✓ {}: 抽签分配可复算，{applicants} 人申请，{winners} 人中签 / lottery verifies: {applicants} applicants, {winners} allocated",
            c.session
        )],
        LotteryStatus::Pending => vec![format!(
            "… {}: 抽签申请期未截止，尚未公开种子 / lottery pending (not revealed yet): applications open",
            c.session
        )],
        LotteryStatus::Failed(m) => m
            .iter()
            .map(|m| format!("✗ {} (lottery): {m}", c.session))
            .collect(),
    }
}

fn status_word(failed: bool, pending: bool) -> &'static str {
    if failed {
        "failed"
    } else if pending {
        "pending"
    } else {
        "verified"
    }
}

/// Prints the report and tells how the command ends.
pub fn print(r: &Report, json: bool) -> Verdict {
    let that_day = r.sessions_that_day();
    let verdict = if r.failed() {
        Verdict::Failed
    } else if that_day.is_some() && r.draws.is_empty() && r.lotteries.is_empty() {
        Verdict::NothingToVerify
    } else {
        Verdict::Ok
    };
    let day = r.day.map(|d| d.to_string());
    if json {
        let v = serde_json::json!({
            "ok": verdict == Verdict::Ok,
            "day": day,
            "sessions_that_day": that_day,
            "draws": r.draws.iter().map(|c| serde_json::json!({
                "session": c.session, "candidates": c.candidates,
                "status": status_word(matches!(c.status, Status::Failed(_)), matches!(c.status, Status::Pending(_))),
                "stage": match c.status { Status::Pending(Stage::Committed) => Some("committed"), Status::Pending(Stage::Drawn) => Some("drawn"), _ => None },
                "mismatches": c.mismatches.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "lotteries": r.lotteries.iter().map(|c| serde_json::json!({
                "session": c.session,
                "status": status_word(matches!(c.status, LotteryStatus::Failed(_)), c.status == LotteryStatus::Pending),
                "applicants": match c.status { LotteryStatus::Verified { applicants, .. } => Some(applicants), _ => None },
                "allocated": match c.status { LotteryStatus::Verified { winners, .. } => Some(winners), _ => None },
                "mismatches": match &c.status { LotteryStatus::Failed(m) => m.iter().map(|m| m.to_string()).collect(), _ => vec![] },
            })).collect::<Vec<_>>(),
            "replay_errors": r.replay_errors,
        });
        println!("{v}");
        return verdict;
    }
    for c in &r.draws {
        for l in draw_line(c) {
            println!("{l}");
        }
    }
    for c in &r.lotteries {
        for l in lottery_line(c) {
            println!("{l}");
        }
    }
    for e in &r.replay_errors {
        println!("✗ 预约事件重放失败 / booking replay: {e}");
    }
    match (day, that_day) {
        (Some(d), Some(0)) => println!("日志中没有 {d} 的场次 / no session on {d} in the log"),
        (Some(d), Some(n)) if r.draws.is_empty() && r.lotteries.is_empty() => println!(
            "{d} 有 {n} 个场次，均未抽签（未承诺种子） / {n} sessions on {d}, none drawn (no seed committed)"
        ),
        (None, _) if r.draws.is_empty() && r.lotteries.is_empty() => {
            println!("日志中没有抽签 / no draws in the log")
        }
        _ => {}
    }
    verdict
}

/// Prints the result; true when every draw verifies or is pending.
pub fn report(checked: Vec<Checked>, replay_errors: Vec<String>, json: bool) -> bool {
    let r = Report {
        draws: checked,
        replay_errors,
        ..Report::default()
    };
    print(&r, json) == Verdict::Ok
}

/// `examd draw verify [--from export] [--date YYYY-MM-DD] [--json]`: exit 0 when every draw
/// verifies or is pending, 1 when one does not, 2 when `--date` has nothing to verify.
pub async fn command(
    site: &crate::config::SiteArgs,
    from: Option<&Path>,
    date: Option<&str>,
    json: bool,
) -> anyhow::Result<std::process::ExitCode> {
    let started = std::time::Instant::now();
    let date = date
        .map(|d| super::events::parse_day(d).map_err(|e| anyhow::anyhow!("--date: {e}")))
        .transpose()?;
    let collector = match from {
        Some(path) => from_export(path)?,
        None => {
            let rt = crate::config::load(site, &std::path::PathBuf::from("examd-data"))?;
            let (store, _) = crate::site::open_read_only(&rt).await?;
            from_store(&*store).await?
        }
    };
    let mut r = collector.report();
    if let Some(d) = date {
        r = r.only(d);
    }
    let verdict = print(&r, json);
    if !json {
        eprintln!("用时 / took {} ms", started.elapsed().as_millis());
    }
    Ok(std::process::ExitCode::from(verdict.exit_code()))
}
