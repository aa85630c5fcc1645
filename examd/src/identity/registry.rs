//! The site-wide identity registry: people and their sealed templates in the store, rosters per sitting, and the
//! decrypted, prepared galleries the matchers use, kept in memory.
//!
//! Writes (import, enrol) are serialised; each is one store transaction followed by one event that names the
//! templates by SHA-256 only. Reads (verify, identify) never touch the store once a person or sitting is cached.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, RwLock};

use model::{EventKind, SubjectKind, SubjectRef};
use rayon::prelude::*;
use scoring::{Prepared, Template};
use serde::Serialize;
use serde_json::json;
use store::identity::{
    IdentityWrite, PersonKind, PersonRow, PersonWrite, RosterEntryRow, RosterRow, TemplateRow,
};
use store::{Draft, LogWriter, Store, StoreError};
use tokio::sync::watch;

use super::crypto::TemplateKey;
use super::error::IdentityError;
use super::gallery::{Entry, Gallery, best, threshold};
use super::ids::{CandidateId, ExaminerId, PersonRef, SeatId, SittingId};
use super::roster::{CheckedTemplate, RosterImport, RosterV1, check_template};
use crate::state::Clock;

/// The outcome of a 1:1 check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Verdict {
    /// The best score of the probe against the person's templates.
    pub score: f32,
    /// The decision threshold (the matcher's FMR 1 in 10,000).
    pub threshold: f32,
    /// `score >= threshold`.
    pub matched: bool,
}

impl Verdict {
    fn of(score: gate::MatchScore) -> Verdict {
        let t = threshold();
        Verdict {
            score: score.0,
            threshold: t.score().0,
            matched: t.accepts(score),
        }
    }
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// The sitting.
    pub sitting: String,
    /// Candidates on the roster.
    pub candidates: usize,
    /// Examiners enrolled with it.
    pub examiners: usize,
    /// Templates enrolled by this import.
    pub templates: usize,
    /// Candidates on the roster with no enrolled template (they cannot pass a finger check yet).
    pub without_templates: Vec<String>,
    /// Who imported it.
    pub by: String,
    /// The seq of the `identity.roster_imported` event.
    pub seq: u64,
}

/// What an enrolment wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrollSummary {
    /// Whose templates.
    pub person: String,
    /// How many templates are now enrolled (they replace the earlier ones).
    pub templates: usize,
    /// SHA-256 of each record, hex.
    pub sha256: Vec<String>,
    /// The seq of the `identity.enrolled` event.
    pub seq: u64,
}

/// One roster line, as any API may show it (never with templates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterEntry {
    /// The candidate.
    #[serde(serialize_with = "as_text")]
    pub candidate: CandidateId,
    /// Name.
    pub name: String,
    /// Reserved seat.
    #[serde(serialize_with = "opt_as_text")]
    pub seat: Option<SeatId>,
    /// Subject sat.
    pub subject: Option<String>,
    /// Number of enrolled templates.
    pub templates: usize,
}

fn as_text<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

fn opt_as_text<T: std::fmt::Display, S: serde::Serializer>(
    v: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

/// The site's identity registry. Reach it as `state.identity`.
pub struct Registry {
    store: Arc<dyn Store>,
    log: LogWriter,
    clock: Clock,
    key: Arc<TemplateKey>,
    writes: tokio::sync::Mutex<()>,
    people: RwLock<HashMap<PersonRef, Arc<Vec<Prepared>>>>,
    galleries: RwLock<HashMap<SittingId, Arc<Gallery>>>,
    current: watch::Sender<Arc<Gallery>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("current", &self.current.borrow().sitting)
            .finish_non_exhaustive()
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    audit::sha256(&[bytes]).to_hex()
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

/// Opens and prepares stored templates: `(owner id, row)` grouped by owner. Runs on a blocking thread.
fn open_rows(
    key: &TemplateKey,
    kind: PersonKind,
    rows: Vec<(String, TemplateRow)>,
) -> Result<BTreeMap<String, Vec<Prepared>>, IdentityError> {
    let opened: Vec<(String, Prepared)> = rows
        .into_par_iter()
        .map(|(id, row)| {
            let owner = format!("{}:{id}", kind.as_str());
            let plain = key
                .open(&owner, &row.sealed)
                .map_err(|_| IdentityError::Sealed(owner.clone()))?;
            let t =
                Template::from_standard_bytes(&plain).map_err(|e| IdentityError::BadTemplate {
                    owner: owner.clone(),
                    index: row.index as usize,
                    detail: e.to_string(),
                })?;
            Ok((id, Prepared::new(&t)))
        })
        .collect::<Result<_, IdentityError>>()?;
    let mut out: BTreeMap<String, Vec<Prepared>> = BTreeMap::new();
    for (id, p) in opened {
        out.entry(id).or_default().push(p);
    }
    Ok(out)
}

impl Registry {
    /// Opens the registry over a site's store and log, with the template key at `key_path` (created, mode
    /// 0600, on first use). Loads the most recently imported roster as the current gallery.
    pub async fn open(
        store: Arc<dyn Store>,
        log: LogWriter,
        clock: Clock,
        key_path: &Path,
    ) -> Result<Arc<Registry>, IdentityError> {
        let key = TemplateKey::load_or_create(key_path)?;
        let (current, _) = watch::channel(Arc::new(Gallery::default()));
        let reg = Arc::new(Registry {
            store,
            log,
            clock,
            key: Arc::new(key),
            writes: tokio::sync::Mutex::new(()),
            people: RwLock::new(HashMap::new()),
            galleries: RwLock::new(HashMap::new()),
            current,
        });
        if let Some(latest) = reg.store.rosters().await?.into_iter().next() {
            let sitting: SittingId = latest.sitting.parse().map_err(|e| {
                IdentityError::Store(StoreError::Corrupt {
                    what: "rosters.sitting",
                    detail: e,
                })
            })?;
            let g = reg.gallery(&sitting).await?;
            reg.current.send_replace(g);
        } else {
            // Examiners enrolled without a roster still get a gallery for overrides.
            let g = reg.build_gallery(None).await?;
            reg.current.send_replace(g);
        }
        Ok(reg)
    }

    /// The template key (for tests that check what is at rest).
    pub fn template_key(&self) -> &TemplateKey {
        &self.key
    }

    /// The gallery of the most recently imported roster (what the gate admits against).
    pub fn current(&self) -> Arc<Gallery> {
        self.current.borrow().clone()
    }

    /// Notified with the new current gallery after every import or enrolment.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Gallery>> {
        self.current.subscribe()
    }

    /// A sitting's gallery (decrypted and prepared on first use, then cached).
    pub async fn gallery(&self, sitting: &SittingId) -> Result<Arc<Gallery>, IdentityError> {
        if let Some(g) = read(&self.galleries).get(sitting) {
            return Ok(g.clone());
        }
        let g = self.build_gallery(Some(sitting)).await?;
        write(&self.galleries).insert(sitting.clone(), g.clone());
        Ok(g)
    }

    async fn build_gallery(
        &self,
        sitting: Option<&SittingId>,
    ) -> Result<Arc<Gallery>, IdentityError> {
        let mut g = Gallery {
            sitting: sitting.map(|s| s.to_string()),
            ..Default::default()
        };
        if let Some(s) = sitting {
            let roster = match self.store.roster(s.as_str()).await {
                Err(StoreError::NotFound) => {
                    return Err(IdentityError::UnknownSitting(s.to_string()));
                }
                r => r?,
            };
            let missing = roster.entries.iter().any(|e| {
                e.candidate
                    .parse()
                    .map(|c| !read(&self.people).contains_key(&PersonRef::Candidate(c)))
                    .unwrap_or(true)
            });
            let mut loaded = if missing {
                let rows = self.store.roster_templates(s.as_str()).await?;
                let key = self.key.clone();
                tokio::task::spawn_blocking(move || open_rows(&key, PersonKind::Candidate, rows))
                    .await??
            } else {
                BTreeMap::new()
            };
            for e in roster.entries {
                let id: CandidateId =
                    e.candidate
                        .parse()
                        .map_err(|err: gate::IdError| StoreError::Corrupt {
                            what: "roster_entries.candidate",
                            detail: err.to_string(),
                        })?;
                let person = PersonRef::Candidate(id.clone());
                let templates = match read(&self.people).get(&person) {
                    Some(t) => t.clone(),
                    None => Arc::new(loaded.remove(id.as_str()).unwrap_or_default()),
                };
                write(&self.people).insert(person, templates.clone());
                let seat = e.seat.as_deref().and_then(|s| s.parse().ok());
                g.candidates.insert(
                    id,
                    Entry {
                        name: e.name,
                        seat,
                        templates,
                    },
                );
            }
        }
        let rows = self.store.templates_of_kind(PersonKind::Examiner).await?;
        let key = self.key.clone();
        let examiners =
            tokio::task::spawn_blocking(move || open_rows(&key, PersonKind::Examiner, rows))
                .await??;
        for (id, t) in examiners {
            if let Ok(ex) = id.parse::<ExaminerId>() {
                let t = Arc::new(t);
                write(&self.people).insert(PersonRef::Examiner(ex.clone()), t.clone());
                g.examiners.insert(ex, t);
            }
        }
        Ok(Arc::new(g))
    }

    /// A person's prepared templates (from the cache, or opened from the store).
    async fn prepared(&self, person: &PersonRef) -> Result<Arc<Vec<Prepared>>, IdentityError> {
        if let Some(t) = read(&self.people).get(person) {
            return Ok(t.clone());
        }
        let (_, rows) = match self.store.person(person.kind(), person.id()).await {
            Err(StoreError::NotFound) => return Err(IdentityError::UnknownPerson(person.clone())),
            r => r?,
        };
        let key = self.key.clone();
        let kind = person.kind();
        let id = person.id().to_owned();
        let rows = rows.into_iter().map(|r| (id.clone(), r)).collect();
        let mut opened = tokio::task::spawn_blocking(move || open_rows(&key, kind, rows)).await??;
        let t = Arc::new(opened.remove(person.id()).unwrap_or_default());
        write(&self.people).insert(person.clone(), t.clone());
        Ok(t)
    }

    /// 1:1: how well `probe` matches `person`'s enrolled templates.
    pub async fn verify(
        &self,
        person: &PersonRef,
        probe: &Template,
    ) -> Result<Verdict, IdentityError> {
        let t = self.prepared(person).await?;
        if t.is_empty() {
            return Err(IdentityError::NoTemplates(person.clone()));
        }
        let probe = probe.clone();
        let score = tokio::task::spawn_blocking(move || best(&Prepared::new(&probe), &t)).await?;
        Ok(Verdict::of(score))
    }

    /// 1:1 against an examiner's own enrolled finger.
    pub async fn verify_examiner(
        &self,
        name: &ExaminerId,
        probe: &Template,
    ) -> Result<Verdict, IdentityError> {
        self.verify(&PersonRef::Examiner(name.clone()), probe).await
    }

    /// 1:N: the `k` best candidates of a sitting's roster for `probe`, best first, with their scores (compare
    /// with the threshold of [`Verdict`], [`super::gallery::threshold`]).
    pub async fn identify(
        &self,
        sitting: &SittingId,
        probe: &Template,
        k: usize,
    ) -> Result<Vec<(CandidateId, gate::MatchScore)>, IdentityError> {
        let g = self.gallery(sitting).await?;
        let probe = probe.clone();
        Ok(tokio::task::spawn_blocking(move || g.top(&probe, k)).await?)
    }

    /// A sitting's roster, in order, without templates.
    pub async fn roster(&self, sitting: &SittingId) -> Result<Vec<RosterEntry>, IdentityError> {
        let g = self.gallery(sitting).await?;
        let r = self.store.roster(sitting.as_str()).await?;
        Ok(r.entries
            .into_iter()
            .filter_map(|e| {
                let candidate: CandidateId = e.candidate.parse().ok()?;
                let templates = g
                    .candidates
                    .get(&candidate)
                    .map_or(0, |c| c.templates.len());
                Some(RosterEntry {
                    seat: e.seat.as_deref().and_then(|s| s.parse().ok()),
                    candidate,
                    name: e.name,
                    subject: e.subject,
                    templates,
                })
            })
            .collect())
    }

    /// Every imported roster, most recent first.
    pub async fn rosters(&self) -> Result<Vec<store::identity::RosterSummary>, IdentityError> {
        Ok(self.store.rosters().await?)
    }

    /// Checks and imports a JSON roster (see [`Registry::import_roster`]).
    pub async fn import_roster_v1(
        &self,
        r: RosterV1,
        by: &str,
    ) -> Result<ImportSummary, IdentityError> {
        let checked = tokio::task::spawn_blocking(move || RosterImport::from_v1(&r)).await??;
        self.import_roster(checked, by).await
    }

    /// Imports a sitting's roster: replaces the sitting's entries, upserts every candidate and examiner, and
    /// replaces the templates of everyone who came with templates. One store transaction, then one
    /// `identity.roster_imported` event (template hashes only). The sitting becomes the current gallery.
    pub async fn import_roster(
        &self,
        r: RosterImport,
        by: &str,
    ) -> Result<ImportSummary, IdentityError> {
        let _w = self.writes.lock().await;
        let now = (self.clock)();
        let key = self.key.clone();
        let r = Arc::new(r);
        let r2 = r.clone();
        // Seal and prepare off the async threads.
        let (people, prepared) = tokio::task::spawn_blocking(move || {
            let seal = |person: &PersonRef,
                        name: &str,
                        ts: &[CheckedTemplate]|
             -> (PersonWrite, Option<Arc<Vec<Prepared>>>) {
                let owner = person.owner_key();
                let templates = (!ts.is_empty()).then(|| {
                    ts.iter()
                        .enumerate()
                        .map(|(i, t)| TemplateRow {
                            index: i as u32,
                            sealed: key.seal(&owner, &t.bytes),
                            sha256: audit::sha256(&[&t.bytes]),
                            enrolled: now,
                        })
                        .collect()
                });
                let prepared = (!ts.is_empty())
                    .then(|| Arc::new(ts.par_iter().map(|t| Prepared::new(&t.template)).collect()));
                (
                    PersonWrite {
                        person: PersonRow {
                            kind: person.kind(),
                            id: person.id().to_owned(),
                            name: name.to_owned(),
                            updated: now,
                        },
                        templates,
                    },
                    prepared,
                )
            };
            let mut people = Vec::new();
            let mut prepared = Vec::new();
            for c in &r2.candidates {
                let p = PersonRef::Candidate(c.id.clone());
                let (w, t) = seal(&p, &c.name, &c.templates);
                people.push(w);
                prepared.push((p, t));
            }
            for e in &r2.examiners {
                let p = PersonRef::Examiner(e.id.clone());
                let (w, t) = seal(&p, &e.name, &e.templates);
                people.push(w);
                prepared.push((p, t));
            }
            (people, prepared)
        })
        .await?;
        let hashes: Vec<serde_json::Value> = people
            .iter()
            .filter_map(|p| {
                let t = p.templates.as_ref()?;
                Some(json!({
                    "person": format!("{}:{}", p.person.kind.as_str(), p.person.id),
                    "sha256": t.iter().map(|t| t.sha256.to_hex()).collect::<Vec<_>>(),
                }))
            })
            .collect();
        let templates: usize = people
            .iter()
            .map(|p| p.templates.as_ref().map_or(0, Vec::len))
            .sum();
        let roster = RosterRow {
            sitting: r.sitting.to_string(),
            imported: now,
            imported_by: by.to_owned(),
            entries: r
                .candidates
                .iter()
                .map(|c| RosterEntryRow {
                    candidate: c.id.to_string(),
                    name: c.name.clone(),
                    seat: c.seat.as_ref().map(ToString::to_string),
                    subject: c.subject.clone(),
                })
                .collect(),
        };
        self.store
            .put_identity(&IdentityWrite {
                people,
                roster: Some(roster),
            })
            .await?;
        {
            let mut cache = write(&self.people);
            for (p, t) in prepared {
                match t {
                    Some(t) => {
                        cache.insert(p, t);
                    }
                    None => {
                        // Keep what is enrolled, but read it again: the person may be new.
                        cache.remove(&p);
                    }
                }
            }
        }
        write(&self.galleries).clear();
        let g = self.gallery(&r.sitting).await?;
        let without_templates: Vec<String> = g
            .candidates
            .iter()
            .filter(|(_, e)| e.templates.is_empty())
            .map(|(c, _)| c.to_string())
            .collect();
        let payload = json!({
            "sitting": r.sitting.as_str(),
            "candidates": r.candidates.len(),
            "examiners": r.examiners.len(),
            "templates": templates,
            "without_templates": without_templates,
            "enrolled": hashes,
            "by": by,
        });
        let sealed = self
            .log
            .append(Draft {
                kind: EventKind::IdentityRosterImported,
                subjects: vec![
                    SubjectRef::new(SubjectKind::Session, r.sitting.as_str()),
                    SubjectRef::new(SubjectKind::User, by),
                ],
                payload: serde_json::to_vec(&payload).expect("JSON values serialise"),
            })
            .await?;
        self.current.send_replace(g);
        tracing::info!(sitting = %r.sitting, candidates = r.candidates.len(), templates, "roster imported");
        Ok(ImportSummary {
            sitting: r.sitting.to_string(),
            candidates: r.candidates.len(),
            examiners: r.examiners.len(),
            templates,
            without_templates,
            by: by.to_owned(),
            seq: sealed.event.seq.0,
        })
    }

    /// Enrols a person's templates (replacing any earlier ones), e.g. from a desk sensor. `name` sets the
    /// display name (a new person without one is named by their id). One store transaction, then one
    /// `identity.enrolled` event with the templates' SHA-256 only.
    pub async fn enroll(
        &self,
        person: PersonRef,
        name: Option<&str>,
        templates: Vec<Template>,
        by: &str,
    ) -> Result<EnrollSummary, IdentityError> {
        let checked = templates
            .into_iter()
            .enumerate()
            .map(|(i, t)| check_template(&person.to_string(), i, t.to_iso2005()))
            .collect::<Result<Vec<_>, _>>()?;
        self.enroll_records(person, name, checked, by).await
    }

    /// [`Registry::enroll`] with standard records already checked (ISO/IEC 19794-2 or ANSI/INCITS 378).
    pub async fn enroll_records(
        &self,
        person: PersonRef,
        name: Option<&str>,
        templates: Vec<CheckedTemplate>,
        by: &str,
    ) -> Result<EnrollSummary, IdentityError> {
        if templates.is_empty() {
            return Err(IdentityError::Invalid(format!(
                "{person}: no templates to enrol"
            )));
        }
        let _w = self.writes.lock().await;
        let now = (self.clock)();
        let name = match name {
            Some(n) if !n.trim().is_empty() => n.trim().to_owned(),
            _ => match self.store.person(person.kind(), person.id()).await {
                Ok((p, _)) => p.name,
                Err(StoreError::NotFound) => person.id().to_owned(),
                Err(e) => return Err(e.into()),
            },
        };
        let owner = person.owner_key();
        let rows: Vec<TemplateRow> = templates
            .iter()
            .enumerate()
            .map(|(i, t)| TemplateRow {
                index: i as u32,
                sealed: self.key.seal(&owner, &t.bytes),
                sha256: audit::sha256(&[&t.bytes]),
                enrolled: now,
            })
            .collect();
        let sha: Vec<String> = rows.iter().map(|r| r.sha256.to_hex()).collect();
        let prepared: Vec<Prepared> = templates
            .iter()
            .map(|t| Prepared::new(&t.template))
            .collect();
        self.store
            .put_identity(&IdentityWrite {
                people: vec![PersonWrite {
                    person: PersonRow {
                        kind: person.kind(),
                        id: person.id().to_owned(),
                        name: name.clone(),
                        updated: now,
                    },
                    templates: Some(rows),
                }],
                roster: None,
            })
            .await?;
        write(&self.people).insert(person.clone(), Arc::new(prepared));
        write(&self.galleries).clear();
        let current = self.current().sitting.clone();
        let g = match current.as_deref().map(str::parse::<SittingId>) {
            Some(Ok(s)) => self.gallery(&s).await?,
            _ => self.build_gallery(None).await?,
        };
        let payload = json!({
            "person": person.to_string(),
            "name": name,
            "templates": sha.len(),
            "sha256": sha,
            "by": by,
        });
        let sealed = self
            .log
            .append(Draft {
                kind: EventKind::IdentityEnrolled,
                subjects: vec![person.subject()],
                payload: serde_json::to_vec(&payload).expect("JSON values serialise"),
            })
            .await?;
        self.current.send_replace(g);
        Ok(EnrollSummary {
            person: person.to_string(),
            templates: sha.len(),
            sha256: sha,
            seq: sealed.event.seq.0,
        })
    }
}

/// SHA-256 of a standard record, hex (what events carry instead of templates).
pub fn template_hash(record: &[u8]) -> String {
    sha256_hex(record)
}
