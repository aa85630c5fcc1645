//! The Subject 1 seat plan: admission at door B assigns a seat.

use std::collections::BTreeMap;

use crate::error::SeatError;
use crate::ids::{CandidateId, SeatId};

/// The seats of the theory hall and who sits where.
///
/// A candidate the roster places on a seat gets that seat; everyone else gets the first free seat in plan order
/// that is not reserved for someone else. Assigning again returns the same seat.
#[derive(Debug, Clone, Default)]
pub struct SeatPlan {
    seats: Vec<SeatId>,
    reserved: BTreeMap<CandidateId, SeatId>,
    taken: BTreeMap<SeatId, CandidateId>,
}

impl SeatPlan {
    /// A plan of `seats` (in assignment order) with the roster's reservations.
    pub fn new(
        seats: Vec<SeatId>,
        reserved: Vec<(CandidateId, SeatId)>,
    ) -> Result<SeatPlan, SeatError> {
        let mut by_seat = BTreeMap::new();
        for (i, s) in seats.iter().enumerate() {
            if seats[..i].contains(s) {
                return Err(SeatError::DuplicateSeat);
            }
        }
        for (c, s) in &reserved {
            if !seats.contains(s) {
                return Err(SeatError::ReservedSeatUnknown);
            }
            if by_seat
                .insert(s.clone(), c.clone())
                .is_some_and(|other| other != *c)
            {
                return Err(SeatError::SeatReservedTwice);
            }
        }
        Ok(SeatPlan {
            seats,
            reserved: reserved.into_iter().collect(),
            taken: BTreeMap::new(),
        })
    }

    /// The candidate's seat, assigning one if they have none yet.
    pub fn assign(&mut self, candidate: &CandidateId) -> Result<SeatId, SeatError> {
        if let Some(seat) = self.seat_of(candidate) {
            return Ok(seat.clone());
        }
        let seat = match self.reserved.get(candidate) {
            Some(seat) => seat.clone(),
            None => {
                let reserved_for_others: Vec<&SeatId> = self.reserved.values().collect();
                self.seats
                    .iter()
                    .find(|s| !self.taken.contains_key(*s) && !reserved_for_others.contains(s))
                    .cloned()
                    .ok_or(SeatError::NoFreeSeat)?
            }
        };
        self.taken.insert(seat.clone(), candidate.clone());
        Ok(seat)
    }

    /// The candidate's seat, if assigned.
    pub fn seat_of(&self, candidate: &CandidateId) -> Option<&SeatId> {
        self.taken
            .iter()
            .find(|(_, c)| *c == candidate)
            .map(|(s, _)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seat(s: &str) -> SeatId {
        s.parse().unwrap()
    }

    fn cand(s: &str) -> CandidateId {
        s.parse().unwrap()
    }

    #[test]
    fn admission_assigns_the_first_free_seat_or_the_roster_seat() {
        let mut plan = SeatPlan::new(
            vec![seat("s1"), seat("s2"), seat("s3")],
            vec![(cand("li"), seat("s1"))],
        )
        .unwrap();
        assert_eq!(plan.assign(&cand("zhang")).unwrap(), seat("s2"));
        assert_eq!(plan.assign(&cand("li")).unwrap(), seat("s1"));
        assert_eq!(
            plan.assign(&cand("zhang")).unwrap(),
            seat("s2"),
            "assigning again keeps the seat"
        );
        assert_eq!(plan.assign(&cand("wang")).unwrap(), seat("s3"));
        assert_eq!(plan.assign(&cand("zhao")), Err(SeatError::NoFreeSeat));
        assert_eq!(plan.seat_of(&cand("li")), Some(&seat("s1")));
    }

    #[test]
    fn seat_plan_rejects_bad_reservations() {
        let seats = vec![seat("s1"), seat("s2")];
        assert_eq!(
            SeatPlan::new(seats.clone(), vec![(cand("li"), seat("s9"))]).unwrap_err(),
            SeatError::ReservedSeatUnknown
        );
        let twice = vec![(cand("li"), seat("s1")), (cand("wang"), seat("s1"))];
        assert_eq!(
            SeatPlan::new(seats, twice).unwrap_err(),
            SeatError::SeatReservedTwice
        );
        assert_eq!(
            SeatPlan::new(vec![seat("s1"), seat("s1")], vec![]).unwrap_err(),
            SeatError::DuplicateSeat
        );
    }
}
