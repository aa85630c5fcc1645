//! The exam-site gate: a two-door [`Interlock`] plus who is in the vestibule between the doors.
//!
//! Anti-passback: passing door A on a verified scan is "in", passing door B is "out" of the vestibule.
//! An entry scan by someone already inside, or an exit scan by someone not inside, is refused with a passback
//! alarm. Only one person at a time: a scan at A while the vestibule is occupied (or granted to someone else) is
//! refused and is a tailgating sign, as is a door that opens twice on one grant (found by the interlock).
//! Exit buttons only lead *out*: from the vestibule back through A, and from the hall back into the vestibule
//! through B; a button the other way round would bypass the scans and is refused.
//! Whenever the gate cannot know who passed (a second passage on one grant, a forced door, an exit-button entry
//! from the hall, a fire override) the vestibule holds an [`Occupant::Unidentified`] until an examiner clears it.

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

use crate::config::Config;
use crate::error::{ConfigError, GateError};
use crate::ids::{CandidateId, DoorId, ExaminerId, GrantId, MonoMs};
use crate::interlock::Interlock;
use crate::io::{
    Alarm, Command, DenyReason, Grant, Input, Notice, Occupant, Output, Side, TailgatingSign,
};

/// A gate's configuration: the interlock and which of its doors are entry (A) and exit (B).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MantrapConfig {
    /// The interlock of the two doors.
    pub interlock: Config,
    /// The door from the waiting area into the vestibule.
    pub entry: DoorId,
    /// The door from the vestibule into the exam hall.
    pub exit: DoorId,
}

impl Default for MantrapConfig {
    /// [`Config::two_doors`], entry A, exit B.
    fn default() -> Self {
        MantrapConfig {
            interlock: Config::two_doors(),
            entry: DoorId::A,
            exit: DoorId::B,
        }
    }
}

/// A release granted to a candidate and not used or expired yet.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    grant: GrantId,
    door: DoorId,
    candidate: CandidateId,
}

/// The gate: interlock, vestibule occupancy, anti-passback, tailgating signs. Pure.
///
/// ```
/// use gate::{CandidateId, DoorId, Input, Mantrap, MantrapConfig, MonoMs, Notice, Output};
/// let mut gate = Mantrap::new(MantrapConfig::default()).unwrap();
/// let t = MonoMs(0);
/// for door in [DoorId::A, DoorId::B] {
///     gate.handle(t, Input::Contact { door, closed: true }).unwrap();
/// }
/// let zhang: CandidateId = "37090219900101123X".parse().unwrap();
/// gate.request_entry(t, &zhang).unwrap();
/// gate.handle(MonoMs(1_000), Input::Contact { door: DoorId::A, closed: false }).unwrap();
/// let out = gate.handle(MonoMs(2_000), Input::Contact { door: DoorId::A, closed: true }).unwrap();
/// assert!(out.contains(&Output::Notice(Notice::Entered { candidate: zhang.clone() })));
/// assert_eq!(gate.inside(), Some(&zhang));
/// ```
#[derive(Debug, Clone)]
pub struct Mantrap {
    interlock: Interlock,
    entry: DoorId,
    exit: DoorId,
    occupants: Vec<Occupant>,
    pending: Vec<Pending>,
    next_grant: u64,
}

impl Mantrap {
    /// A new gate with an empty vestibule. Send [`Interlock::startup_commands`] first.
    pub fn new(cfg: MantrapConfig) -> Result<Mantrap, ConfigError> {
        let n = cfg.interlock.doors.len();
        if cfg.entry == cfg.exit || cfg.entry.index() >= n || cfg.exit.index() >= n {
            return Err(ConfigError::MantrapDoors {
                entry: cfg.entry,
                exit: cfg.exit,
            });
        }
        Ok(Mantrap {
            interlock: Interlock::new(cfg.interlock)?,
            entry: cfg.entry,
            exit: cfg.exit,
            occupants: Vec::new(),
            pending: Vec::new(),
            next_grant: 1,
        })
    }

    /// The interlock, for door states.
    pub fn interlock(&self) -> &Interlock {
        &self.interlock
    }

    /// Who may be in the vestibule, in order of entry.
    pub fn occupants(&self) -> &[Occupant] {
        &self.occupants
    }

    /// The one identified candidate inside, if the vestibule holds exactly that: whom the scan at door B must match.
    pub fn inside(&self) -> Option<&CandidateId> {
        match self.occupants.as_slice() {
            [Occupant::Candidate(c)] => Some(c),
            _ => None,
        }
    }

    /// Handle one observation or tick.
    pub fn handle(&mut self, now: MonoMs, input: Input) -> Result<Vec<Output>, GateError> {
        if let Input::ExitButton { door, side } = input {
            let inward = (door == self.entry && side == Side::Outer)
                || (door == self.exit && side == Side::Vestibule);
            if inward {
                let mut out = self.interlock.handle(now, Input::Tick)?;
                out.push(Output::Denied {
                    door,
                    grant: Grant::ExitButton(side),
                    reason: DenyReason::Passback,
                });
                self.observe(&mut out);
                return Ok(out);
            }
        }
        let mut out = self.interlock.handle(now, input)?;
        self.observe(&mut out);
        Ok(out)
    }

    /// A candidate whose scan at door A was accepted asks to enter the vestibule.
    pub fn request_entry(
        &mut self,
        now: MonoMs,
        candidate: &CandidateId,
    ) -> Result<Vec<Output>, GateError> {
        let door = self.entry;
        let mut out = self.interlock.handle(now, Input::Tick)?;
        self.observe(&mut out);
        let refusal = if self.is_inside(candidate) {
            Some((
                DenyReason::Passback,
                Alarm::Passback {
                    door,
                    candidate: candidate.clone(),
                },
            ))
        } else if self
            .pending
            .iter()
            .any(|p| &p.candidate == candidate && p.door == door)
        {
            self.deny(door, DenyReason::AlreadyGranted, &mut out);
            return Ok(out);
        } else if !self.occupants.is_empty() || !self.pending.is_empty() {
            let sign = TailgatingSign::ScanWhileOccupied {
                candidate: candidate.clone(),
            };
            Some((
                DenyReason::VestibuleOccupied,
                Alarm::Tailgating { door, sign },
            ))
        } else {
            None
        };
        self.release_or_refuse(now, door, candidate, refusal, &mut out)?;
        Ok(out)
    }

    /// The candidate inside, whose scan at door B matched the same person, asks to leave into the hall.
    pub fn request_exit(
        &mut self,
        now: MonoMs,
        candidate: &CandidateId,
    ) -> Result<Vec<Output>, GateError> {
        let door = self.exit;
        let mut out = self.interlock.handle(now, Input::Tick)?;
        self.observe(&mut out);
        let refusal = if !self.is_inside(candidate) {
            Some((
                DenyReason::Passback,
                Alarm::Passback {
                    door,
                    candidate: candidate.clone(),
                },
            ))
        } else if self
            .pending
            .iter()
            .any(|p| &p.candidate == candidate && p.door == door)
        {
            self.deny(door, DenyReason::AlreadyGranted, &mut out);
            return Ok(out);
        } else if self.occupants.len() > 1 {
            // Someone unidentified is inside too: opening B would let them into the hall.
            let sign = TailgatingSign::ScanWhileOccupied {
                candidate: candidate.clone(),
            };
            Some((
                DenyReason::VestibuleOccupied,
                Alarm::Tailgating { door, sign },
            ))
        } else {
            None
        };
        self.release_or_refuse(now, door, candidate, refusal, &mut out)?;
        Ok(out)
    }

    /// An examiner (verified by the caller with their own finger) has checked the vestibule and clears the record.
    pub fn examiner_clear(
        &mut self,
        now: MonoMs,
        examiner: ExaminerId,
    ) -> Result<Vec<Output>, GateError> {
        let mut out = self.interlock.handle(now, Input::Tick)?;
        self.observe(&mut out);
        let removed = std::mem::take(&mut self.occupants);
        out.push(Output::Notice(Notice::VestibuleCleared {
            examiner,
            removed,
        }));
        Ok(out)
    }

    fn is_inside(&self, candidate: &CandidateId) -> bool {
        self.occupants
            .iter()
            .any(|o| matches!(o, Occupant::Candidate(c) if c == candidate))
    }

    fn new_grant(&mut self) -> GrantId {
        let g = GrantId(self.next_grant);
        self.next_grant += 1;
        g
    }

    fn deny(&mut self, door: DoorId, reason: DenyReason, out: &mut Vec<Output>) {
        let grant = Grant::Credential(self.new_grant());
        out.push(Output::Denied {
            door,
            grant,
            reason,
        });
    }

    fn release_or_refuse(
        &mut self,
        now: MonoMs,
        door: DoorId,
        candidate: &CandidateId,
        refusal: Option<(DenyReason, Alarm)>,
        out: &mut Vec<Output>,
    ) -> Result<(), GateError> {
        if let Some((reason, alarm)) = refusal {
            self.deny(door, reason, out);
            out.push(Output::Alarm(alarm));
            return Ok(());
        }
        let grant = self.new_grant();
        let mut got = self.interlock.request_release(now, door, grant)?;
        if got
            .iter()
            .any(|o| matches!(o, Output::Command(Command::Release { door: d, .. }) if *d == door))
        {
            self.pending.push(Pending {
                grant,
                door,
                candidate: candidate.clone(),
            });
        }
        self.observe(&mut got);
        out.append(&mut got);
        Ok(())
    }

    fn mark_unidentified(&mut self) {
        if !self.occupants.contains(&Occupant::Unidentified) {
            self.occupants.push(Occupant::Unidentified);
        }
    }

    /// Update the vestibule from the interlock's outputs, appending the notices this produces.
    fn observe(&mut self, out: &mut Vec<Output>) {
        let mut extra = Vec::new();
        for o in out.iter() {
            match *o {
                Output::Notice(Notice::Passed {
                    door,
                    grant: Grant::Credential(g),
                    cycle: 1,
                }) => {
                    let Some(i) = self.pending.iter().position(|p| p.grant == g) else {
                        continue;
                    };
                    let p = self.pending.remove(i);
                    if door == self.entry {
                        self.occupants
                            .push(Occupant::Candidate(p.candidate.clone()));
                        extra.push(Output::Notice(Notice::Entered {
                            candidate: p.candidate,
                        }));
                    } else {
                        self.occupants
                            .retain(|o| *o != Occupant::Candidate(p.candidate.clone()));
                        extra.push(Output::Notice(Notice::Admitted {
                            candidate: p.candidate,
                        }));
                    }
                }
                // A second passage on one grant: someone else may have come along.
                Output::Notice(Notice::Passed {
                    grant: Grant::Credential(_),
                    ..
                }) => self.mark_unidentified(),
                Output::Notice(Notice::Passed {
                    door,
                    grant: Grant::ExitButton(_),
                    ..
                }) => {
                    if door == self.entry {
                        for o in self.occupants.drain(..) {
                            if let Occupant::Candidate(candidate) = o {
                                extra.push(Output::Notice(Notice::BackedOut { candidate }));
                            }
                        }
                    } else {
                        self.mark_unidentified();
                    }
                }
                Output::Notice(Notice::GrantExpired {
                    grant: Grant::Credential(g),
                    ..
                }) => {
                    self.pending.retain(|p| p.grant != g);
                }
                Output::Alarm(Alarm::ForcedOpen { .. }) => self.mark_unidentified(),
                Output::Alarm(Alarm::FireOverride) => {
                    self.pending.clear();
                    self.mark_unidentified();
                }
                _ => {}
            }
        }
        out.append(&mut extra);
    }
}
