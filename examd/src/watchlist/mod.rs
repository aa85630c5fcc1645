//! The watch-list (黑名单): people refused at the gate and flagged at enrolment, with the fingers to find them by.
//!
//! An entry names a person as far as known (ID number, name), the reason (代考 stand-in, 伪造证件 forged
//! documents, 禁考期 an exam ban until a day, other), who added it and when, and one or more templates, sealed at
//! rest with the identity registry's key ([`store`]); responses and events carry their SHA-256 only. Entries are
//! never deleted: removal (with its reason) is an event, and a ban past its last day stops being searched.
//! The list is a projection of the `watchlist.*` events ([`model`], [`events`]), replayed at start.
//!
//! Searches ([`search`], `scoring::gallery` at FMR 1 in 10,000) run at the gate on every scan and at every
//! enrolment ([`checks`]); a new applicant whose finger matches another enrolled candidate is an
//! `identity.duplicate_applicant` alarm. The console page `/watchlist` ([`page`]) shows entries, hits, alarms,
//! the galleries' sizes and the last search's time; the API is `/api/v1/watchlist` ([`api`]).

pub mod api;
pub mod checks;
pub mod cli;
pub mod cursor;
pub mod demo;
pub mod events;
pub mod model;
pub mod page;
pub mod refusal;
pub mod search;
pub mod store;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use ::model::{EventKind, Seq, UnixMs};
use ::store::{LogWriter, Store};
use axum::Router;
use scoring::Template;
use theory::LocalDay;
use tokio::task::JoinHandle;

use crate::identity::{CandidateId, Registry};
use crate::site::Site;
use crate::state::{AppState, Clock};
pub use checks::GateHit;
use events::{AddedV1, RemovedV1};
use model::{Entry, List, Reason, Status, WatchId};
pub use refusal::Refusal;
use search::{Cost, PeopleGallery, WatchGallery};
use store::{MAX_TEMPLATES, TemplateFiles};

/// A watch-list change was refused; the message names what was wrong.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The request is malformed.
    #[error("{0}")]
    Invalid(Refusal),
    /// The entry does not exist.
    #[error("no watch-list entry {0}")]
    Unknown(WatchId),
    /// The change conflicts with the list (e.g. removed already).
    #[error("{0}")]
    Conflict(Refusal),
    /// The template files or the log failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A new entry, checked.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// ID number, if known.
    pub id_number: Option<CandidateId>,
    /// Name, if known.
    pub name: Option<String>,
    /// Why.
    pub reason: Reason,
    /// Free text.
    pub note: String,
    /// Standard template records (ISO/IEC 19794-2 or ANSI/INCITS 378), each checked.
    pub records: Vec<Vec<u8>>,
    /// Where the templates came from: `upload`, or `candidate:<id>` when copied from the registry.
    pub source: String,
}

/// The last search's figures, for the console.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchStats {
    /// Searches since start.
    pub searches: u64,
    /// When the last one ran.
    pub last_at: Option<UnixMs>,
    /// What it cost.
    pub last: Cost,
}

/// What an enrolled candidate's search found: the best active watch-list entry and score, the other enrolled
/// candidates matched with their best scores, and the cost.
type EnrolmentFindings = (Option<(WatchId, f32)>, Vec<(String, f32)>, Cost);

/// Live state of the watch-list area.
pub struct WatchlistArea {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) log: LogWriter,
    pub(crate) identity: Arc<Registry>,
    clock: Clock,
    files: TemplateFiles,
    cursor: cursor::Cursor,
    checked: AtomicU64,
    list: RwLock<List>,
    watch: RwLock<WatchGallery>,
    people: Mutex<PeopleGallery>,
    stats: Mutex<SearchStats>,
    writes: tokio::sync::Mutex<()>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for WatchlistArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchlistArea")
            .field("entries", &read(&self.list).entries().count())
            .finish_non_exhaustive()
    }
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Every `watchlist.added`/`removed` event, and the newest hits and duplicate alarms, oldest first.
async fn replay(store: &dyn Store) -> anyhow::Result<List> {
    let mut found = Vec::new();
    for (kind, all) in [
        (EventKind::WatchlistAdded, true),
        (EventKind::WatchlistRemoved, true),
        (EventKind::WatchlistHit, false),
        (EventKind::IdentityDuplicateApplicant, false),
    ] {
        let mut before = None;
        let mut got = 0;
        loop {
            let page = store.events_desc(before, Some(kind.code()), 1000).await?;
            let Some(last) = page.last() else { break };
            before = Some(last.seq);
            got += page.len();
            found.extend(page);
            if !all && got >= model::RECENT {
                break;
            }
        }
    }
    found.sort_by_key(|e| e.seq);
    let mut list = List::default();
    for stored in found {
        let ev = audit::decode(&stored.bytes)?;
        if let Err(e) = events::apply(&mut list, &ev) {
            tracing::warn!(error = %e, "watch-list event does not replay");
        }
    }
    Ok(list)
}

impl WatchlistArea {
    /// Starts the area: replays the list, opens the active entries' templates, and follows the log for
    /// enrolments to check (the enrolled candidates' gallery is built by that task before it checks any).
    pub async fn start(site: &Site, clock: Clock) -> anyhow::Result<Arc<WatchlistArea>> {
        let list = replay(site.store.as_ref()).await?;
        let area = Arc::new(WatchlistArea {
            store: site.store.clone(),
            log: site.log.clone(),
            identity: site.identity.clone(),
            clock,
            files: TemplateFiles::new(site.rt.data_dir.join("watchlist")),
            cursor: cursor::Cursor::new(site.rt.data_dir.join("watchlist")),
            checked: AtomicU64::new(0),
            list: RwLock::new(list),
            watch: RwLock::new(WatchGallery::new()),
            people: Mutex::new(PeopleGallery::new()),
            stats: Mutex::new(SearchStats::default()),
            writes: tokio::sync::Mutex::new(()),
            tasks: Mutex::new(Vec::new()),
        });
        let a = area.clone();
        let gallery = tokio::task::spawn_blocking(move || a.load_watch_gallery()).await?;
        *write(&area.watch) = gallery;
        let tail = area.log.subscribe();
        let next = area
            .store
            .log_head()
            .await?
            .map_or(Seq::FIRST, |(s, _)| s.next());
        let resume = match area.cursor.load() {
            Ok(Some(s)) if s <= next => s,
            Ok(Some(s)) => {
                tracing::warn!(
                    stored = s.0,
                    log_end = next.0,
                    "watch-list: the checked position is past the log's end; following from the end"
                );
                next
            }
            // The first start with the position kept: enrolments logged before are not checked again.
            Ok(None) => next,
            Err(e) => {
                tracing::error!(error = %e, "watch-list: checking every enrolment of the log again");
                Seq::FIRST
            }
        };
        let task = tokio::spawn(follow::run(area.clone(), tail, resume, next));
        lock(&area.tasks).push(task);
        Ok(area)
    }

    /// The first event the enrolment checks have not looked at yet (0 before the follower's first step).
    pub fn checked_to(&self) -> Seq {
        Seq(self.checked.load(Ordering::SeqCst))
    }

    /// Notes (and stores, durably) that the enrolments before `next` are checked.
    async fn checked(&self, next: Seq) {
        self.checked.fetch_max(next.0, Ordering::SeqCst);
        let cursor = self.cursor.clone();
        match tokio::task::spawn_blocking(move || cursor.store(next)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "watch-list: checked position not stored"),
            Err(e) => tracing::error!(error = %e, "watch-list: checked position not stored"),
        }
    }

    /// Stops the log follower.
    pub async fn shutdown(&self) {
        for t in lock(&self.tasks).drain(..) {
            t.abort();
        }
    }

    fn today(&self) -> LocalDay {
        LocalDay::of((self.clock)())
    }

    fn load_watch_gallery(&self) -> WatchGallery {
        let mut g = WatchGallery::new();
        let today = self.today();
        let active: Vec<WatchId> = read(&self.list).active(today).map(|e| e.id).collect();
        for id in active {
            match self.templates_of(id) {
                Ok(ts) => g.insert(id, &ts),
                Err(e) => {
                    tracing::error!(entry = %id, error = %e, "watch-list entry not searchable")
                }
            }
        }
        g
    }

    fn templates_of(&self, id: WatchId) -> anyhow::Result<Vec<Template>> {
        self.files
            .read(self.identity.template_key(), id)?
            .iter()
            .enumerate()
            .map(|(i, r)| {
                Template::from_standard_bytes(r)
                    .map_err(|e| anyhow::anyhow!("{id} template {i}: {e}"))
            })
            .collect()
    }

    /// Every entry, by id.
    pub fn entries(&self) -> Vec<Entry> {
        read(&self.list).entries().cloned().collect()
    }

    /// One entry.
    pub fn entry(&self, id: WatchId) -> Option<Entry> {
        read(&self.list).get(id).cloned()
    }

    /// An entry's status today.
    pub fn status(&self, e: &Entry) -> Status {
        e.status(self.today())
    }

    /// Recent hits, newest first.
    pub fn hits(&self) -> Vec<model::Hit> {
        read(&self.list).hits().cloned().collect()
    }

    /// Recent duplicate-applicant alarms, newest first.
    pub fn duplicates(&self) -> Vec<model::Duplicate> {
        read(&self.list).duplicates().cloned().collect()
    }

    /// (entries, templates) in the searched watch-list gallery.
    pub fn watch_size(&self) -> (usize, usize) {
        let g = read(&self.watch);
        (g.entries(), g.templates())
    }

    fn watch_templates(&self) -> usize {
        read(&self.watch).templates()
    }

    /// (people, templates) in the enrolled candidates' gallery.
    pub fn people_size(&self) -> (usize, usize) {
        let g = lock(&self.people);
        (g.people(), g.templates())
    }

    /// The searches' figures.
    pub fn stats(&self) -> SearchStats {
        *lock(&self.stats)
    }

    fn note_search(&self, cost: Cost) {
        let mut s = lock(&self.stats);
        s.searches += 1;
        s.last_at = Some((self.clock)());
        s.last = cost;
    }

    /// Searches a door scan against the active watch-list (blocking: call it where the scan is scored).
    pub fn check_gate(&self, probe: &Template) -> Option<GateHit> {
        let today = self.today();
        for _ in 0..3 {
            let (found, cost) = read(&self.watch).search(probe);
            self.note_search(cost);
            let found = found?;
            let entry = read(&self.list).get(found.entry).cloned();
            match entry {
                Some(e) if e.status(today) == Status::Active => {
                    return Some(GateHit::new(&e, found.score, cost));
                }
                // A ban that ended since the gallery was built: drop it and search again.
                _ => write(&self.watch).remove(found.entry),
            }
        }
        None
    }

    /// Searches an enrolled candidate's templates: the best active watch-list entry matched, the other enrolled
    /// candidates matched (best score each), and the cost; then puts the candidate into the people gallery.
    fn search_enrolment(&self, person: &str, templates: &[Template]) -> EnrolmentFindings {
        let today = self.today();
        let mut found: Option<(WatchId, f32)> = None;
        let mut dups: Vec<(String, f32)> = Vec::new();
        let mut cost = Cost::default();
        let mut people = lock(&self.people);
        for t in templates {
            let (f, c) = read(&self.watch).search(t);
            cost.add(c);
            if let Some(f) = f
                && read(&self.list)
                    .get(f.entry)
                    .is_some_and(|e| e.status(today) == Status::Active)
                && found.is_none_or(|(_, s)| f.score > s)
            {
                found = Some((f.entry, f.score));
            }
            let (others, c) = people.search_others(person, t);
            cost.add(c);
            cost.templates = c.templates;
            for (who, s) in others {
                match dups.iter_mut().find(|(p, _)| *p == who) {
                    Some(d) => d.1 = d.1.max(s),
                    None => dups.push((who, s)),
                }
            }
        }
        people.replace(person, templates);
        dups.sort_by(|a, b| b.1.total_cmp(&a.1));
        (found, dups, cost)
    }

    /// Puts a person on the watch-list: seals the templates into the entry's file, then logs `watchlist.added`.
    pub async fn add(&self, new: NewEntry, by: &str) -> Result<Entry, WatchError> {
        if new.records.is_empty() {
            return Err(WatchError::Invalid(Refusal::new(
                "黑名单条目至少需要一个指纹模板（上传模板文件或取自已登记考生）",
                "a watch-list entry needs at least one template (templates_base64 or from_person)",
            )));
        }
        if new.records.len() > MAX_TEMPLATES {
            return Err(WatchError::Invalid(Refusal::new(
                format!(
                    "每个条目最多 {MAX_TEMPLATES} 个模板，收到 {} 个",
                    new.records.len()
                ),
                format!(
                    "at most {MAX_TEMPLATES} templates per entry, got {}",
                    new.records.len()
                ),
            )));
        }
        let templates = new
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let t = Template::from_standard_bytes(r).map_err(|e| {
                    WatchError::Invalid(Refusal::new(
                        format!("模板 {i} 不是可读的 ISO/IEC 19794-2 或 ANSI/INCITS 378 模板：{e}"),
                        format!("template {i}: {e}"),
                    ))
                })?;
                if t.minutiae.len() < scoring::MIN_MINUTIAE {
                    return Err(WatchError::Invalid(Refusal::new(
                        format!(
                            "模板 {i} 只有 {} 个细节点，检索至少需要 {} 个",
                            t.minutiae.len(),
                            scoring::MIN_MINUTIAE
                        ),
                        format!(
                            "template {i}: {} minutiae, at least {} are needed to search by it",
                            t.minutiae.len(),
                            scoring::MIN_MINUTIAE
                        ),
                    )));
                }
                Ok(t)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if new.name.as_deref().is_some_and(|n| n.chars().count() > 64) {
            return Err(WatchError::Invalid(Refusal::new(
                "姓名最多 64 个字符",
                "a name has at most 64 characters",
            )));
        }
        if new.note.chars().count() > 500 {
            return Err(WatchError::Invalid(Refusal::new(
                "备注最多 500 个字符",
                "a note has at most 500 characters",
            )));
        }
        let _w = self.writes.lock().await;
        let id = read(&self.list).next_id();
        let files = self.files.clone();
        let records = new.records.clone();
        let identity = self.identity.clone();
        tokio::task::spawn_blocking(move || files.write(identity.template_key(), id, &records))
            .await
            .map_err(anyhow::Error::from)?
            .map_err(anyhow::Error::from)?;
        let payload = AddedV1 {
            entry: id.to_string(),
            id_number: new.id_number.as_ref().map(|c| c.to_string()),
            name: new.name.clone().filter(|n| !n.trim().is_empty()),
            reason: new.reason.code().into(),
            until: new.reason.until().map(|d| d.to_string()),
            note: new.note.clone(),
            by: by.to_owned(),
            sha256: new
                .records
                .iter()
                .map(|r| crate::identity::registry::template_hash(r))
                .collect(),
            source: new.source.clone(),
        };
        let sealed = self
            .log
            .append(payload.draft())
            .await
            .map_err(anyhow::Error::from)?;
        let entry = payload
            .entry(sealed.event.seq.0, sealed.event.time)
            .map_err(|e| anyhow::anyhow!("logged entry does not read back: {e}"))?;
        write(&self.list).add(entry.clone()).map_err(|e| {
            WatchError::Conflict(Refusal::new(format!("黑名单条目冲突：{e}"), e.to_string()))
        })?;
        if entry.status(self.today()) == Status::Active {
            write(&self.watch).insert(id, &templates);
        }
        tracing::info!(entry = %id, reason = entry.reason.code(), by, "watch-list entry added");
        Ok(entry)
    }

    /// Removes an entry (it stays in the log and on the page as removed).
    pub async fn remove(&self, id: WatchId, reason: &str, by: &str) -> Result<Entry, WatchError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(WatchError::Invalid(Refusal::new(
                "移除黑名单条目须填写原因",
                "removing an entry needs a reason",
            )));
        }
        let _w = self.writes.lock().await;
        let e = read(&self.list)
            .can_remove(id)
            .cloned()
            .map_err(|e| match e {
                model::ListError::Unknown(id) => WatchError::Unknown(id),
                model::ListError::AlreadyRemoved(id) => WatchError::Conflict(Refusal::new(
                    format!("黑名单条目 {id} 已被移除"),
                    format!("watch-list entry {id} was removed already"),
                )),
                other => WatchError::Conflict(Refusal::new(
                    format!("黑名单条目冲突：{other}"),
                    other.to_string(),
                )),
            })?;
        let payload = RemovedV1 {
            entry: id.to_string(),
            reason: reason.to_owned(),
            by: by.to_owned(),
        };
        let sealed = self
            .log
            .append(payload.draft(e.person.id_number.as_ref().map(|c| c.as_str())))
            .await
            .map_err(anyhow::Error::from)?;
        let r = model::Removal {
            at: sealed.event.time,
            by: by.to_owned(),
            reason: reason.to_owned(),
            seq: sealed.event.seq.0,
        };
        write(&self.list).remove(id, r).map_err(|e| {
            WatchError::Conflict(Refusal::new(format!("黑名单条目冲突：{e}"), e.to_string()))
        })?;
        write(&self.watch).remove(id);
        tracing::info!(entry = %id, by, "watch-list entry removed");
        Ok(read(&self.list).get(id).cloned().expect("the entry exists"))
    }

    fn apply_logged(&self, ev: &audit::Event) {
        if matches!(
            ev.kind,
            EventKind::WatchlistHit | EventKind::IdentityDuplicateApplicant
        ) && let Err(e) = events::apply(&mut write(&self.list), ev)
        {
            tracing::warn!(error = %e, "watch-list event not shown");
        }
    }
}

mod follow {
    //! The log follower: hits and alarms into the list, enrolments into [`super::checks::enrolment`].

    use std::collections::HashSet;
    use std::sync::Arc;

    use ::model::{EventKind, Seq};
    use ::store::identity::PersonKind;
    use tokio::sync::broadcast;

    use super::{WatchlistArea, checks, lock};

    pub(super) async fn run(
        area: Arc<WatchlistArea>,
        mut tail: broadcast::Receiver<Arc<audit::Sealed>>,
        resume: Seq,
        mut next: Seq,
    ) {
        // The enrolments logged since the stored position (while the daemon was down), checked first, in order,
        // each against the people enrolled before it; those whose alarms are logged already are not checked again.
        let (pending, alarmed) = match unchecked(&area, resume, next).await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "watch-list: enrolments logged since the last start not read; not checked");
                (Vec::new(), HashSet::new())
            }
        };
        let later: HashSet<String> = pending
            .iter()
            .flat_map(|e| checks::enrolled_candidates(e.kind, &e.payload))
            .collect();
        if let Err(e) = load_people(&area, &later).await {
            tracing::error!(error = %format!("{e:#}"), "watch-list: enrolled candidates not loaded; duplicate checks see only new enrolments");
        }
        for ev in &pending {
            let people = checks::enrolled_candidates(ev.kind, &ev.payload);
            let done = if alarmed.contains(&ev.seq.0) {
                checks::admit(&area, people).await
            } else {
                checks::enrolment(&area, ev.seq.0, people).await
            };
            if let Err(e) = done {
                tracing::error!(seq = ev.seq.0, error = %format!("{e:#}"), "watch-list: enrolment not checked");
            }
            area.checked(ev.seq.next()).await;
        }
        if !pending.is_empty() {
            tracing::info!(
                enrolments = pending.len(),
                already_alarmed = alarmed.len(),
                "watch-list: enrolments logged since the last start checked"
            );
        }
        area.checked(next).await;
        loop {
            let ev = match tail.recv().await {
                Ok(s) => s,
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    next = catch_up(&area, next).await;
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            if ev.event.seq < next {
                continue;
            }
            if ev.event.seq > next {
                next = catch_up(&area, next).await;
                if ev.event.seq < next {
                    continue;
                }
            }
            handle(&area, &ev.event).await;
            next = ev.event.seq.next();
        }
    }

    /// The events of `kind` with `from <= seq < below` (no bound above when `None`), newest first.
    async fn logged(
        area: &WatchlistArea,
        kind: EventKind,
        from: Seq,
        below: Option<Seq>,
    ) -> anyhow::Result<Vec<audit::Event>> {
        let mut out = Vec::new();
        let mut before = below;
        loop {
            let page = area
                .store
                .events_desc(before, Some(kind.code()), 500)
                .await?;
            let Some(last) = page.last() else {
                return Ok(out);
            };
            before = Some(last.seq);
            for s in &page {
                if s.seq < from {
                    return Ok(out);
                }
                out.push(audit::decode(&s.bytes)?);
            }
        }
    }

    /// The enrolment events logged in `[from, below)`, oldest first, and the enrolment events among them whose
    /// alarms (`watchlist.hit`, `identity.duplicate_applicant`) are logged already.
    async fn unchecked(
        area: &WatchlistArea,
        from: Seq,
        below: Seq,
    ) -> anyhow::Result<(Vec<audit::Event>, HashSet<u64>)> {
        let mut pending = Vec::new();
        if from >= below {
            return Ok((pending, HashSet::new()));
        }
        for kind in [
            EventKind::IdentityEnrolled,
            EventKind::IdentityRosterImported,
        ] {
            pending.extend(logged(area, kind, from, Some(below)).await?);
        }
        pending.sort_by_key(|e| e.seq);
        let mut alarmed = HashSet::new();
        for kind in [
            EventKind::WatchlistHit,
            EventKind::IdentityDuplicateApplicant,
        ] {
            for e in logged(area, kind, from, None).await? {
                let v: serde_json::Value = serde_json::from_slice(&e.payload).unwrap_or_default();
                if let Some(seq) = v["enrolment_seq"].as_u64() {
                    alarmed.insert(seq);
                }
            }
        }
        Ok((pending, alarmed))
    }

    /// Reads the events from `next` on from the store (after the tail lagged); returns the seq after them.
    async fn catch_up(area: &Arc<WatchlistArea>, mut next: Seq) -> Seq {
        loop {
            let page = match area.store.events(next, 500).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "watch-list: reading the log to catch up");
                    return next;
                }
            };
            let Some(last) = page.last() else {
                return next;
            };
            let after = last.seq.next();
            for stored in page {
                match audit::decode(&stored.bytes) {
                    Ok(ev) => handle(area, &ev).await,
                    Err(e) => {
                        tracing::error!(seq = stored.seq.0, error = %e, "watch-list: event does not decode")
                    }
                }
            }
            next = after;
        }
    }

    async fn handle(area: &Arc<WatchlistArea>, ev: &audit::Event) {
        area.apply_logged(ev);
        if matches!(
            ev.kind,
            EventKind::IdentityEnrolled | EventKind::IdentityRosterImported
        ) {
            let people = checks::enrolled_candidates(ev.kind, &ev.payload);
            if people.is_empty() {
                return;
            }
            if let Err(e) = checks::enrolment(area, ev.seq.0, people).await {
                tracing::error!(seq = ev.seq.0, error = %format!("{e:#}"), "watch-list: enrolment not checked");
            }
            area.checked(ev.seq.next()).await;
        }
    }

    /// Every enrolled candidate's templates into the people gallery, but those of `later` (whose enrolments
    /// are checked next).
    async fn load_people(area: &Arc<WatchlistArea>, later: &HashSet<String>) -> anyhow::Result<()> {
        let rows = area.store.templates_of_kind(PersonKind::Candidate).await?;
        let a = area.clone();
        let later = later.clone();
        let g = tokio::task::spawn_blocking(move || {
            let key = a.identity.template_key();
            let mut by: std::collections::BTreeMap<String, Vec<scoring::Template>> =
                Default::default();
            for (id, row) in rows {
                let owner = format!("candidate:{id}");
                if later.contains(&owner) {
                    continue;
                }
                if let Some(t) = key
                    .open(&owner, &row.sealed)
                    .ok()
                    .and_then(|p| scoring::Template::from_standard_bytes(&p).ok())
                {
                    by.entry(owner).or_default().push(t);
                }
            }
            let mut g = super::PeopleGallery::new();
            for (p, ts) in by {
                g.replace(&p, &ts);
            }
            g
        })
        .await?;
        let (n, t) = (g.people(), g.templates());
        *lock(&area.people) = g;
        tracing::info!(
            people = n,
            templates = t,
            "watch-list: enrolled candidates loaded for duplicate checks"
        );
        Ok(())
    }
}

/// Routes under `/api/v1/watchlist`.
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// Console pages of the area.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/watchlist", axum::routing::get(page::watchlist_page))
        .route(
            "/watchlist/static/watchlist.js",
            axum::routing::get(page::watchlist_js),
        )
}

/// What `examd demo` runs in this area: one synthetic person on the list, who then tries the gate once.
pub async fn demo(state: AppState, base_url: String) {
    if let Err(e) = demo::run(state, base_url).await {
        tracing::error!(area = "watchlist", error = %format!("{e:#}"), "demo stopped");
    }
}
