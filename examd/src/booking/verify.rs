//! `examd draw verify`: every draw recomputed from the log (the site's database or an audit
//! export file): the commitment came before the roster closed, the roster is the session's
//! bookings (replayed through the ledger), the revealed seed matches the commitment, and every
//! logged assignment is what the seed and the roster give.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use booking::draw::{self, Assignment, DrawRecord, Mismatch, Roster};
use booking::{Ledger, SessionId, WorkCalendar};
use model::Seq;

use super::events::{AssignmentV1, BookingEvent, RosterClosedV1};

/// One session's draw and what does not add up.
#[derive(Debug)]
pub struct Checked {
    /// The session.
    pub session: String,
    /// Candidates in the roster.
    pub candidates: usize,
    /// Mismatches; empty means it verifies.
    pub mismatches: Vec<Mismatch>,
}

/// Builds every session's draw record from booking events in log order.
#[derive(Debug, Default)]
pub struct Collector {
    ledger: Ledger,
    records: BTreeMap<String, DrawRecord>,
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
        if let Some(fact) = ev.fact() {
            let applied = fact
                .map_err(|e| e.to_string())
                .and_then(|f| self.ledger.apply(&f).map_err(|e| e.to_string()));
            if let Err(e) = applied {
                self.replay_errors.push(format!("seq {seq}: {e}"));
            }
        }
        match ev {
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

    /// Verifies every draw seen.
    pub fn finish(self) -> (Vec<Checked>, Vec<String>) {
        let checked = self
            .records
            .into_iter()
            .map(|(session, rec)| Checked {
                session,
                candidates: rec.roster.as_ref().map_or(0, |(_, r)| r.candidates.len()),
                mismatches: draw::verify(&rec),
            })
            .collect();
        (checked, self.replay_errors)
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

/// Prints the result; true when every draw verifies.
pub fn report(checked: &[Checked], replay_errors: &[String], json: bool) -> bool {
    let ok = replay_errors.is_empty() && checked.iter().all(|c| c.mismatches.is_empty());
    if json {
        let v = serde_json::json!({
            "ok": ok,
            "draws": checked.iter().map(|c| serde_json::json!({
                "session": c.session, "candidates": c.candidates,
                "mismatches": c.mismatches.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "replay_errors": replay_errors,
        });
        println!("{v}");
        return ok;
    }
    for c in checked {
        if c.mismatches.is_empty() {
            println!(
                "✓ {}: {} 名考生，抽签可复算 / {} candidates, draw verifies",
                c.session, c.candidates, c.candidates
            );
        } else {
            for m in &c.mismatches {
                println!("✗ {}: {m}", c.session);
            }
        }
    }
    for e in replay_errors {
        println!("✗ 预约事件重放失败 / booking replay: {e}");
    }
    if checked.is_empty() {
        println!("日志中没有抽签 / no draws in the log");
    }
    ok
}

/// `examd draw verify [--from export] [--json]`: exit 0 when every draw verifies, 1 otherwise.
pub async fn command(
    site: &crate::config::SiteArgs,
    from: Option<&Path>,
    json: bool,
) -> anyhow::Result<std::process::ExitCode> {
    let started = std::time::Instant::now();
    let collector = match from {
        Some(path) => from_export(path)?,
        None => {
            let rt = crate::config::load(site, &std::path::PathBuf::from("examd-data"))?;
            let (store, _) = crate::site::open_read_only(&rt).await?;
            from_store(&*store).await?
        }
    };
    let (checked, errors) = collector.finish();
    let ok = report(&checked, &errors, json);
    if !json {
        eprintln!("用时 / took {} ms", started.elapsed().as_millis());
    }
    Ok(if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(1)
    })
}
