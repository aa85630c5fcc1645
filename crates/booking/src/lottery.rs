//! Allocation by lottery: a session's places go to applicants drawn at random when its
//! application window closes, with the same commit–reveal machinery as the exam-day draw.
//!
//! 1. The session is opened as a lottery session together with the commitment
//!    `SHA-256("examd.lottery.v1" ‖ 0 ‖ session ‖ 0 ‖ seed)` of a 32-byte seed from the
//!    operating system's random source, so the seed is fixed before anyone applies.
//! 2. While the window is open candidates apply; every booking rule is checked at application
//!    time (capacity excepted: oversubscription is what the lottery is for).
//! 3. The window closes with the allocation: the seed is revealed in the logged allocation,
//!    which names every winner and every loser. The ledger recomputes it from the seed and
//!    the applicants it holds, so a replay decides exactly as the live path did; anyone
//!    recomputes it with [`verify`].
//!
//! The algorithm, pinned by a test vector because changing it changes every logged lottery:
//! * The applicants are sorted ascending by ID number (one application per candidate and
//!   session, so the ID number is the application's id).
//! * They are shuffled with the exam-day draw's Fisher–Yates shuffle
//!   ([`Stream::shuffle`](crate::draw::Stream::shuffle)) over the stream labelled `lottery`.
//! * The first `places` of the shuffled list win, in that order; the rest lose, in that order.
//!   `places` is the session's capacity, lowered to its examiners' capacity and to what the
//!   site's daily maximum leaves on the exam day when the window closes ([`places`]).

use ring::digest::{Context, SHA256};

use crate::draw::{Seed, Stream};
use crate::{CandidateId, SessionId};

/// The commitment to a lottery `seed` for `session`, as 64 hex digits.
pub fn commitment(session: &SessionId, seed: &Seed) -> String {
    let mut c = Context::new(&SHA256);
    c.update(b"examd.lottery.v1\0");
    c.update(session.as_str().as_bytes());
    c.update(b"\0");
    c.update(&seed.0);
    hex::encode(c.finish().as_ref())
}

/// The places a lottery gives out: the capacity, lowered to the examiners' capacity
/// (`examiners × per_examiner`, when the session has examiners) and to what the site's daily
/// maximum leaves after `booked_that_day` other bookings on the exam day.
pub fn places(
    capacity: u32,
    examiners: u32,
    per_examiner: u32,
    site_day_max: u32,
    booked_that_day: u32,
) -> u32 {
    let mut n = capacity.min(site_day_max.saturating_sub(booked_that_day));
    if examiners > 0 {
        n = n.min(examiners.saturating_mul(per_examiner));
    }
    n
}

/// A lottery's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Allotment {
    /// Applicants who got a place, in draw order.
    pub winners: Vec<CandidateId>,
    /// Applicants who did not, in draw order.
    pub losers: Vec<CandidateId>,
}

/// Draws `places` winners among `applicants` (any order, no repeats) with `seed`.
pub fn allocate(applicants: &[CandidateId], places: u32, seed: &Seed) -> Allotment {
    let mut order = applicants.to_vec();
    order.sort();
    Stream::new(seed, "lottery").shuffle(&mut order);
    let cut = (places as usize).min(order.len());
    let losers = order.split_off(cut);
    Allotment {
        winners: order,
        losers,
    }
}

/// What the log says about one session's lottery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotteryRecord {
    /// The session.
    pub session: SessionId,
    /// The commitment logged when the session was opened.
    pub commitment: String,
    /// The applicants the ledger held when the window closed, and the places then (`None`
    /// while the window is open).
    pub at_close: Option<(Vec<CandidateId>, u32)>,
    /// The allocation as logged: the revealed seed (hex) and the outcome.
    pub logged: Option<(String, Allotment)>,
}

/// Something in a lottery that does not add up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LotteryMismatch {
    /// The revealed seed is malformed.
    #[error("the revealed seed is malformed: {0}")]
    BadSeed(String),
    /// The revealed seed does not match the commitment logged with the session.
    #[error("the revealed seed does not match the commitment")]
    SeedNotCommitted,
    /// The allocation was logged but the ledger's applicants at that point are unknown.
    #[error("the allocation is logged but the session's applications are not")]
    NoApplications,
    /// The logged winners or losers differ from the recomputed ones.
    #[error("logged {logged}, recomputed {recomputed}")]
    AllotmentDiffers {
        /// What the log says (counts and the first difference).
        logged: String,
        /// What the seed gives.
        recomputed: String,
    },
    /// More winners than places: over-booking.
    #[error("{winners} winners for {places} places")]
    OverBooked {
        /// Winners logged.
        winners: usize,
        /// Places.
        places: u32,
    },
}

/// A lottery's standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LotteryStatus {
    /// The window is open: committed, not drawn yet.
    Pending,
    /// Drawn, and the allocation recomputes from the revealed seed.
    Verified {
        /// Applicants.
        applicants: usize,
        /// Winners.
        winners: usize,
    },
    /// Something does not add up.
    Failed(Vec<LotteryMismatch>),
}

fn first_difference(a: &[CandidateId], b: &[CandidateId]) -> String {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => format!("position {i}: {} vs {}", a[i].masked(), b[i].masked()),
        None => format!("lengths {} vs {}", a.len(), b.len()),
    }
}

/// Recomputes a lottery from its record.
pub fn verify(rec: &LotteryRecord) -> LotteryStatus {
    let Some((hex_seed, logged)) = &rec.logged else {
        return LotteryStatus::Pending;
    };
    let mut out = Vec::new();
    let seed = match Seed::from_hex(hex_seed) {
        Ok(s) => s,
        Err(e) => return LotteryStatus::Failed(vec![LotteryMismatch::BadSeed(e)]),
    };
    if commitment(&rec.session, &seed) != rec.commitment {
        out.push(LotteryMismatch::SeedNotCommitted);
    }
    let Some((applicants, places)) = &rec.at_close else {
        out.push(LotteryMismatch::NoApplications);
        return LotteryStatus::Failed(out);
    };
    if logged.winners.len() > *places as usize {
        out.push(LotteryMismatch::OverBooked {
            winners: logged.winners.len(),
            places: *places,
        });
    }
    let again = allocate(applicants, *places, &seed);
    if again != *logged {
        let which = if again.winners != logged.winners {
            first_difference(&logged.winners, &again.winners)
        } else {
            first_difference(&logged.losers, &again.losers)
        };
        out.push(LotteryMismatch::AllotmentDiffers {
            logged: format!(
                "{} winners, {} losers",
                logged.winners.len(),
                logged.losers.len()
            ),
            recomputed: format!(
                "{} winners, {} losers ({which})",
                again.winners.len(),
                again.losers.len()
            ),
        });
    }
    if out.is_empty() {
        LotteryStatus::Verified {
            applicants: applicants.len(),
            winners: logged.winners.len(),
        }
    } else {
        LotteryStatus::Failed(out)
    }
}

#[cfg(test)]
mod tests;
