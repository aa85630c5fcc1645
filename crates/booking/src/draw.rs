//! The same-day draw (art. 48) as a commit–reveal protocol.
//!
//! 1. Before the roster closes, the site draws a 32-byte seed from the operating system's
//!    random source and logs only its commitment `SHA-256("examd.draw.v1" ‖ 0 ‖ session ‖ 0 ‖ seed)`;
//!    the commitment is shown on a public page.
//! 2. The roster closes (logged): the session's booked candidates, examiners, cars and routes.
//! 3. The assignment is computed from the seed and the roster by [`assign`] and logged.
//! 4. After the sitting the seed is revealed (logged). Anyone recomputes the commitment and every
//!    assignment ([`verify`]).
//!
//! The algorithm, pinned by tests because changing it changes every logged draw:
//! * A byte stream: block `i` is `SHA-256(seed ‖ label ‖ 0 ‖ i as u64 big-endian)`, taken 8
//!   bytes at a time as big-endian `u64`s; one stream per label (`candidates`, `examiners`,
//!   `cars`, `routes`).
//! * A uniform index below `n`: draw `u64`s, rejecting those `≥ 2^64 − (2^64 mod n)`, then take
//!   the value mod `n`.
//! * A shuffle: Fisher–Yates from the end (`for i in (1..len).rev(): swap(i, below(i + 1))`) of
//!   the list sorted ascending.
//! * Candidates are shuffled (`candidates`) and cut into consecutive groups of `group_size`;
//!   the position in the group is the order of driving.
//! * Driving tests: examiners are shuffled (`examiners`) and group `g` gets examiner `g mod E`;
//!   cars are shuffled (`cars`) and group `g` gets car `g mod C`; Subject 3 road driving draws
//!   one route per group, in group order, uniformly from the sorted routes (`routes`).
//!
//! Architecture Invariant: nobody can choose an outcome without it showing: the seed is fixed
//! (committed) before the roster is known, a second commitment for the same session shows in
//! the log, and the roster is the ledger's own list of bookings.

use ring::digest::{Context, SHA256};

use crate::{CandidateId, CarId, ExamSubject, ExaminerId, RouteId, SessionId};

/// A draw seed: 32 bytes from the system random source.
#[derive(Clone, PartialEq, Eq)]
pub struct Seed(pub [u8; 32]);

impl std::fmt::Debug for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seed(..)")
    }
}

impl Seed {
    /// The seed as 64 hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A seed from 64 hex digits.
    pub fn from_hex(s: &str) -> Result<Seed, String> {
        let v = hex::decode(s.trim()).map_err(|e| format!("seed is not hex: {e}"))?;
        let a: [u8; 32] = v
            .try_into()
            .map_err(|v: Vec<u8>| format!("seed must be 32 bytes, got {}", v.len()))?;
        Ok(Seed(a))
    }
}

/// The commitment to `seed` for `session`, as 64 hex digits.
pub fn commitment(session: &SessionId, seed: &Seed) -> String {
    let mut c = Context::new(&SHA256);
    c.update(b"examd.draw.v1\0");
    c.update(session.as_str().as_bytes());
    c.update(b"\0");
    c.update(&seed.0);
    hex::encode(c.finish().as_ref())
}

/// The deterministic stream of `u64`s for one label.
#[derive(Debug)]
pub struct Stream<'a> {
    seed: &'a Seed,
    label: &'static str,
    block: u64,
    buf: [u8; 32],
    at: usize,
}

impl<'a> Stream<'a> {
    /// The stream for `label`.
    pub fn new(seed: &'a Seed, label: &'static str) -> Stream<'a> {
        Stream {
            seed,
            label,
            block: 0,
            buf: [0; 32],
            at: 32,
        }
    }

    /// The next `u64`.
    pub fn next_u64(&mut self) -> u64 {
        if self.at == 32 {
            let mut c = Context::new(&SHA256);
            c.update(&self.seed.0);
            c.update(self.label.as_bytes());
            c.update(b"\0");
            c.update(&self.block.to_be_bytes());
            self.buf.copy_from_slice(c.finish().as_ref());
            self.block += 1;
            self.at = 0;
        }
        let v = u64::from_be_bytes(self.buf[self.at..self.at + 8].try_into().expect("8 bytes"));
        self.at += 8;
        v
    }

    /// A uniform index below `n` (`n > 0`), without modulo bias.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0)");
        let zone = u64::MAX - (u64::MAX % n + 1) % n;
        loop {
            let v = self.next_u64();
            if v <= zone {
                return v % n;
            }
        }
    }

    /// Shuffles `items` (Fisher–Yates from the end).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// What the draw is computed from: the closed roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    /// The session.
    pub session: SessionId,
    /// Its subject.
    pub subject: ExamSubject,
    /// Booked candidates (any order; sorted by the draw).
    pub candidates: Vec<CandidateId>,
    /// Examiners on duty.
    pub examiners: Vec<ExaminerId>,
    /// Cars.
    pub cars: Vec<CarId>,
    /// Routes.
    pub routes: Vec<RouteId>,
    /// Candidates per group.
    pub group_size: u32,
}

/// One candidate's draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Who.
    pub candidate: CandidateId,
    /// The group (0-based).
    pub group: u32,
    /// The order inside the group (0-based).
    pub position: u32,
    /// The examiner (driving tests).
    pub examiner: Option<ExaminerId>,
    /// The car (driving tests).
    pub car: Option<CarId>,
    /// The route (Subject 3 road driving).
    pub route: Option<RouteId>,
}

fn sorted<T: Ord + Clone>(v: &[T]) -> Vec<T> {
    let mut v = v.to_vec();
    v.sort();
    v
}

fn pick<T: Clone>(driving: bool, list: &[T], k: usize) -> Option<T> {
    (driving && !list.is_empty()).then(|| list[k % list.len()].clone())
}

/// Every candidate's assignment, in group and position order.
pub fn assign(roster: &Roster, seed: &Seed) -> Vec<Assignment> {
    let g = roster.group_size.max(1) as usize;
    let mut people = sorted(&roster.candidates);
    Stream::new(seed, "candidates").shuffle(&mut people);
    let groups = people.len().div_ceil(g);
    let driving = roster.subject.is_driving();
    let mut examiners = sorted(&roster.examiners);
    let mut cars = sorted(&roster.cars);
    let routes = sorted(&roster.routes);
    Stream::new(seed, "examiners").shuffle(&mut examiners);
    Stream::new(seed, "cars").shuffle(&mut cars);
    let mut route_stream = Stream::new(seed, "routes");
    let group_route: Vec<Option<RouteId>> = (0..groups)
        .map(|_| {
            (roster.subject == ExamSubject::Subject3Road && !routes.is_empty())
                .then(|| routes[route_stream.below(routes.len() as u64) as usize].clone())
        })
        .collect();
    people
        .into_iter()
        .enumerate()
        .map(|(i, candidate)| {
            let k = i / g;
            Assignment {
                candidate,
                group: k as u32,
                position: (i % g) as u32,
                examiner: pick(driving, &examiners, k),
                car: pick(driving, &cars, k),
                route: group_route[k].clone(),
            }
        })
        .collect()
}

/// What the log says about one session's draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawRecord {
    /// The session.
    pub session: SessionId,
    /// Commitments logged, with their seqs (exactly one is expected).
    pub commitments: Vec<(u64, String)>,
    /// The roster as logged at close, with its seq.
    pub roster: Option<(u64, Roster)>,
    /// The bookings the ledger held when the roster closed (from the booking events).
    pub booked_at_close: Option<Vec<CandidateId>>,
    /// The assignments as logged.
    pub assigned: Option<Vec<Assignment>>,
    /// The revealed seed (hex), with its seq.
    pub revealed: Option<(u64, String)>,
}

/// Something in a draw that does not add up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    /// No commitment was logged.
    #[error("no commitment logged")]
    NoCommitment,
    /// More than one commitment for the session: someone could have picked among seeds.
    #[error("{0} commitments logged; exactly one is allowed")]
    SeveralCommitments(usize),
    /// The roster was closed before the seed was committed.
    #[error("the seed was committed (seq {commit}) after the roster closed (seq {roster})")]
    CommittedAfterRoster {
        /// Commitment seq.
        commit: u64,
        /// Roster seq.
        roster: u64,
    },
    /// No roster was logged.
    #[error("no roster logged")]
    NoRoster,
    /// The logged roster is not the session's bookings.
    #[error("the logged roster differs from the bookings: {0}")]
    RosterNotBookings(String),
    /// The seed was not revealed (yet).
    #[error("the seed is not revealed")]
    NotRevealed,
    /// The revealed seed is malformed.
    #[error("the revealed seed is malformed: {0}")]
    BadSeed(String),
    /// The revealed seed does not match the commitment.
    #[error("the revealed seed does not match the commitment")]
    SeedNotCommitted,
    /// No assignment was logged.
    #[error("no assignment logged")]
    NoAssignment,
    /// A logged assignment differs from the recomputed one.
    #[error("candidate {candidate}: logged {logged}, recomputed {recomputed}")]
    AssignmentDiffers {
        /// Who (masked).
        candidate: String,
        /// What the log says.
        logged: String,
        /// What the seed gives.
        recomputed: String,
    },
}

fn describe(a: Option<&Assignment>) -> String {
    match a {
        None => "nothing".into(),
        Some(a) => format!(
            "group {} position {} examiner {} car {} route {}",
            a.group,
            a.position,
            a.examiner.as_ref().map_or("-", |x| x.as_str()),
            a.car.as_ref().map_or("-", |x| x.as_str()),
            a.route.as_ref().map_or("-", |x| x.as_str()),
        ),
    }
}

/// How far a draw has got, for a draw that shows no mismatch so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The seed is committed; the roster is not closed yet.
    Committed,
    /// The roster is closed and the draw logged; the seed is not revealed yet.
    Drawn,
}

/// A draw's standing: verified, pending (not revealed yet, nothing wrong so far), or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Revealed, and everything recomputes.
    Verified,
    /// Not revealed yet (the sitting has not finished); what can be checked so far checks.
    Pending(Stage),
    /// Something does not add up.
    Failed(Vec<Mismatch>),
}

/// The draw's standing: [`verify`], with a draw that is merely not finished yet (committed, or
/// drawn but not revealed, and nothing else wrong) reported as [`Status::Pending`] rather than
/// as a mismatch.
pub fn status(rec: &DrawRecord) -> Status {
    let m = verify(rec);
    match m.as_slice() {
        [] => Status::Verified,
        [Mismatch::NoRoster] if rec.commitments.len() == 1 && rec.revealed.is_none() => {
            Status::Pending(Stage::Committed)
        }
        [Mismatch::NotRevealed] if rec.assigned.is_some() => Status::Pending(Stage::Drawn),
        [Mismatch::NotRevealed] => Status::Failed(vec![Mismatch::NoAssignment]),
        _ => Status::Failed(m),
    }
}

/// Recomputes a draw from its record; an empty list means it verifies.
pub fn verify(rec: &DrawRecord) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let commit = match rec.commitments.as_slice() {
        [] => {
            out.push(Mismatch::NoCommitment);
            None
        }
        [one] => Some(one),
        many => {
            out.push(Mismatch::SeveralCommitments(many.len()));
            many.first()
        }
    };
    let Some((roster_seq, roster)) = &rec.roster else {
        out.push(Mismatch::NoRoster);
        return out;
    };
    if let Some((seq, _)) = commit
        && seq >= roster_seq
    {
        out.push(Mismatch::CommittedAfterRoster {
            commit: *seq,
            roster: *roster_seq,
        });
    }
    if let Some(booked) = &rec.booked_at_close {
        let (a, b) = (sorted(booked), sorted(&roster.candidates));
        if a != b {
            let missing = a.iter().filter(|c| !b.contains(c)).count();
            let extra = b.iter().filter(|c| !a.contains(c)).count();
            out.push(Mismatch::RosterNotBookings(format!(
                "{missing} booked candidates missing, {extra} not booked added"
            )));
        }
    }
    let Some((_, hex_seed)) = &rec.revealed else {
        out.push(Mismatch::NotRevealed);
        return out;
    };
    let seed = match Seed::from_hex(hex_seed) {
        Ok(s) => s,
        Err(e) => {
            out.push(Mismatch::BadSeed(e));
            return out;
        }
    };
    if let Some((_, c)) = commit
        && *c != commitment(&rec.session, &seed)
    {
        out.push(Mismatch::SeedNotCommitted);
    }
    let Some(logged) = &rec.assigned else {
        out.push(Mismatch::NoAssignment);
        return out;
    };
    let recomputed = assign(roster, &seed);
    let mut everyone: Vec<&CandidateId> = logged
        .iter()
        .chain(&recomputed)
        .map(|a| &a.candidate)
        .collect();
    everyone.sort();
    everyone.dedup();
    for c in everyone {
        let l = logged.iter().find(|a| &a.candidate == c);
        let r = recomputed.iter().find(|a| &a.candidate == c);
        if l != r {
            out.push(Mismatch::AssignmentDiffers {
                candidate: c.masked(),
                logged: describe(l),
                recomputed: describe(r),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
