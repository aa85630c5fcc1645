//! From raw discrete-input bits to debounced `gate::Input`s. Pure.

use gate::{DoorId, Input};

use crate::debounce::Debouncer;
use crate::map::{InputPoint, IoMap, Signal};

/// The debounced view of every mapped input.
#[derive(Debug, Clone)]
pub(crate) struct InputBank {
    first: u16,
    points: Vec<(Signal, InputPoint, Debouncer)>,
}

impl InputBank {
    pub(crate) fn new(map: &IoMap, debounce_reads: u8) -> InputBank {
        let first = map.input_span().map_or(0, |(first, _)| first);
        let points = map
            .signals()
            .into_iter()
            .map(|(s, p)| (s, p, Debouncer::new(debounce_reads)))
            .collect();
        InputBank { first, points }
    }

    /// Feeds one FC02 read starting at the span's first address; returns the inputs for the interlock, contacts,
    /// lock sensors and fire first, then tamper, then exit buttons (so a button never comes before the contacts
    /// it depends on are known).
    pub(crate) fn feed(&mut self, bits: &[bool]) -> Vec<Input> {
        let mut changed: Vec<(Signal, bool)> = Vec::new();
        for (signal, point, deb) in &mut self.points {
            let Some(&raw) = bits.get(usize::from(point.input - self.first)) else {
                continue;
            };
            if let Some(active) = deb.sample(point.wiring.active(raw)) {
                changed.push((*signal, active));
            }
        }
        changed.sort_by_key(|(s, _)| priority(*s));
        changed
            .into_iter()
            .filter_map(|(s, a)| to_input(s, a))
            .collect()
    }

    /// Every input is unknown again (the link was lost).
    pub(crate) fn forget(&mut self) {
        for (_, _, deb) in &mut self.points {
            deb.forget();
        }
    }

    /// The debounced state of a signal: `Some(true)` when active.
    pub(crate) fn active(&self, signal: Signal) -> Option<bool> {
        self.points
            .iter()
            .find(|(s, _, _)| *s == signal)
            .and_then(|(_, _, d)| d.stable())
    }

    /// Whether the door's contact reads closed (`None` while unknown).
    pub(crate) fn contact_closed(&self, door: DoorId) -> Option<bool> {
        self.active(Signal::Contact(door)).map(|open| !open)
    }
}

fn priority(s: Signal) -> u8 {
    match s {
        Signal::Contact(_) | Signal::LockSensor(_) | Signal::Fire => 0,
        Signal::Tamper(_) => 1,
        Signal::ExitButton(..) => 2,
    }
}

/// The interlock input for a debounced change of `signal` to `active`. Buttons and tamper switches report
/// the press (the edge to active) only.
pub(crate) fn to_input(signal: Signal, active: bool) -> Option<Input> {
    match signal {
        Signal::Contact(door) => Some(Input::Contact {
            door,
            closed: !active,
        }),
        Signal::LockSensor(door) => Some(Input::Lock {
            door,
            locked: !active,
        }),
        Signal::Fire => Some(Input::Fire { active }),
        Signal::Tamper(door) => active.then_some(Input::Tamper { door }),
        Signal::ExitButton(door, side) => active.then_some(Input::ExitButton { door, side }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::Wiring;
    use gate::Side;

    /// Raw bits of the default two-door map (all NC): doors closed, buttons idle, no tamper, no fire.
    fn at_rest() -> Vec<bool> {
        vec![true, true, true, true, true, true, false, true]
    }

    #[test]
    fn first_reads_report_every_contact_and_the_fire_input_after_debounce() {
        let mut bank = InputBank::new(&IoMap::two_door_default(), 2);
        assert_eq!(bank.feed(&at_rest()), vec![]);
        assert_eq!(
            bank.feed(&at_rest()),
            vec![
                Input::Contact {
                    door: DoorId::A,
                    closed: true
                },
                Input::Contact {
                    door: DoorId::B,
                    closed: true
                },
                Input::Fire { active: false },
            ]
        );
        assert_eq!(bank.feed(&at_rest()), vec![]);
        assert_eq!(bank.contact_closed(DoorId::A), Some(true));
    }

    #[test]
    fn nc_wiring_reads_a_cut_wire_as_open_door_and_fire() {
        let mut bank = InputBank::new(&IoMap::two_door_default(), 1);
        let cut = vec![false; 8];
        let out = bank.feed(&cut);
        assert!(out.contains(&Input::Contact {
            door: DoorId::A,
            closed: false
        }));
        assert!(out.contains(&Input::Fire { active: true }));
        assert!(out.contains(&Input::Tamper { door: DoorId::B }));
        // Buttons come last.
        assert_eq!(
            out.last(),
            Some(&Input::ExitButton {
                door: DoorId::B,
                side: Side::Outer
            })
        );
    }

    #[test]
    fn no_wiring_inverts_the_reading() {
        let mut map = IoMap::two_door_default();
        map.doors[0].contact.wiring = Wiring::NormallyOpen;
        let mut bank = InputBank::new(&map, 1);
        let mut bits = at_rest();
        bits[0] = false; // NO contact: open circuit = door closed.
        let out = bank.feed(&bits);
        assert_eq!(
            out[0],
            Input::Contact {
                door: DoorId::A,
                closed: true
            }
        );
    }

    #[test]
    fn buttons_report_the_press_only_and_glitches_are_filtered() {
        let mut bank = InputBank::new(&IoMap::two_door_default(), 2);
        bank.feed(&at_rest());
        bank.feed(&at_rest());
        let mut pressed = at_rest();
        pressed[2] = false; // NC button of door A pressed.
        assert_eq!(bank.feed(&pressed), vec![], "one read is a glitch");
        assert_eq!(bank.feed(&at_rest()), vec![]);
        bank.feed(&pressed);
        assert_eq!(
            bank.feed(&pressed),
            vec![Input::ExitButton {
                door: DoorId::A,
                side: Side::Outer
            }]
        );
        bank.feed(&at_rest());
        assert_eq!(bank.feed(&at_rest()), vec![], "release is not reported");
    }

    #[test]
    fn forget_makes_inputs_unknown_until_read_again() {
        let mut bank = InputBank::new(&IoMap::two_door_default(), 1);
        bank.feed(&at_rest());
        bank.forget();
        assert_eq!(bank.contact_closed(DoorId::B), None);
        assert_eq!(bank.feed(&at_rest()).len(), 3);
    }

    #[test]
    fn a_short_read_leaves_the_missing_inputs_unknown() {
        let mut bank = InputBank::new(&IoMap::two_door_default(), 1);
        let out = bank.feed(&at_rest()[..2]);
        assert_eq!(out.len(), 2);
        assert_eq!(bank.active(Signal::Fire), None);
    }
}
