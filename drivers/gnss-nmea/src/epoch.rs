//! Combining an epoch's sentences into one [`Fix`]. Pure.
//!
//! A receiver sends, per epoch, a burst such as GGA, RMC, VTG, HDT. GGA and RMC carry the epoch's time; HDT and
//! VTG do not. The assembler starts an epoch at a time-stamped sentence with a new time and attaches untimed
//! sentences to the open epoch, so it assumes the usual order: an epoch's untimed sentences follow its first
//! time-stamped one. An untimed sentence that cannot belong to the open epoch (none is open yet, the epoch already
//! has one of that type, or was already emitted) is dropped and counted.
//!
//! It learns the set of sentence types an epoch carries (the union over past epochs) and emits a fix as soon as
//! the open epoch has them all, so steady-state latency is zero; an epoch that lacks one (heading lost, say) is
//! emitted when the next epoch starts, or on [`EpochAssembler::flush`].

use std::collections::VecDeque;

use crate::fix::{Fix, FixQuality};
use crate::geo::Geodetic;
use crate::sentence::{Gga, Hdt, Rmc, Sentence, Vtg};

const MS_PER_DAY: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Kinds(u8);

impl Kinds {
    const GGA: u8 = 1;
    const RMC: u8 = 2;
    const HDT: u8 = 4;
    const VTG: u8 = 8;

    fn has(self, k: u8) -> bool {
        self.0 & k != 0
    }

    fn covers(self, other: Kinds) -> bool {
        self.0 & other.0 == other.0
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Untimed {
    hdt: Option<Hdt>,
    vtg: Option<Vtg>,
}

#[derive(Debug, Clone)]
struct Epoch {
    time_of_day_ms: u32,
    gga: Option<Gga>,
    rmc: Option<Rmc>,
    untimed: Untimed,
    kinds: Kinds,
    emitted: bool,
}

/// Turns a stream of [`Sentence`]s into [`Fix`]es, one per epoch.
#[derive(Debug, Clone, Default)]
pub struct EpochAssembler {
    open: Option<Epoch>,
    full: Kinds,
    dropped: u64,
    /// The last known date and the time of day it was seen at, to date epochs without an RMC.
    date: Option<(i64, u32)>,
    out: VecDeque<Fix>,
}

impl EpochAssembler {
    /// A new assembler.
    pub fn new() -> EpochAssembler {
        EpochAssembler::default()
    }

    /// Takes one sentence.
    pub fn push(&mut self, s: Sentence) {
        match s {
            Sentence::Gga(g) => match g.time_of_day_ms {
                Some(t) => self.epoch_at(t).gga = Some(g),
                None => return,
            },
            Sentence::Rmc(r) => match r.time_of_day_ms {
                Some(t) => {
                    if let Some(day) = r.unix_day {
                        self.date = Some((day, t));
                    }
                    self.epoch_at(t).rmc = Some(r);
                }
                None => return,
            },
            Sentence::Hdt(h) => {
                match self
                    .open
                    .as_mut()
                    .filter(|e| !e.emitted && !e.kinds.has(Kinds::HDT))
                {
                    Some(e) => e.untimed.hdt = Some(h),
                    None => self.dropped += 1,
                }
            }
            Sentence::Vtg(v) => {
                match self
                    .open
                    .as_mut()
                    .filter(|e| !e.emitted && !e.kinds.has(Kinds::VTG))
                {
                    Some(e) => e.untimed.vtg = Some(v),
                    None => self.dropped += 1,
                }
            }
            Sentence::Other(_) => return,
        }
        self.refresh_kinds();
        if let Some(e) = &self.open
            && !e.emitted
            && self.full.0 != 0
            && e.kinds.covers(self.full)
        {
            self.emit();
        }
    }

    /// The next finished fix, if any.
    pub fn pop_fix(&mut self) -> Option<Fix> {
        self.out.pop_front()
    }

    /// Untimed sentences dropped because no open epoch could take them.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Ends the open epoch (end of input): emits it if it was not emitted yet.
    pub fn flush(&mut self) {
        if self.open.as_ref().is_some_and(|e| !e.emitted) {
            self.emit();
        }
        self.open = None;
    }

    fn refresh_kinds(&mut self) {
        if let Some(e) = &mut self.open {
            let mut k = 0;
            if e.gga.is_some() {
                k |= Kinds::GGA;
            }
            if e.rmc.is_some() {
                k |= Kinds::RMC;
            }
            if e.untimed.hdt.is_some() {
                k |= Kinds::HDT;
            }
            if e.untimed.vtg.is_some() {
                k |= Kinds::VTG;
            }
            e.kinds = Kinds(k);
        }
    }

    /// The open epoch at `t`, closing the previous one if its time differs.
    fn epoch_at(&mut self, t: u32) -> &mut Epoch {
        if self.open.as_ref().is_some_and(|e| e.time_of_day_ms != t) {
            if self.open.as_ref().is_some_and(|e| !e.emitted) {
                self.emit();
            }
            if let Some(prev) = self.open.take() {
                self.full.0 |= prev.kinds.0;
            }
        }
        self.open.get_or_insert_with(|| Epoch {
            time_of_day_ms: t,
            gga: None,
            rmc: None,
            untimed: Untimed::default(),
            kinds: Kinds::default(),
            emitted: false,
        })
    }

    fn emit(&mut self) {
        let Some(e) = self.open.as_mut() else { return };
        e.emitted = true;
        if e.gga.is_none() && e.rmc.is_none() {
            return;
        }
        let fix = build(e, self.date);
        self.out.push_back(fix);
    }
}

fn build(e: &Epoch, date: Option<(i64, u32)>) -> Fix {
    let t = e.time_of_day_ms;
    let day = match (&e.rmc, date) {
        (
            Some(Rmc {
                unix_day: Some(d), ..
            }),
            _,
        ) => Some(*d),
        // A date seen earlier; past midnight the time of day wraps round.
        (_, Some((d, seen))) => Some(if i64::from(t) + MS_PER_DAY / 2 < i64::from(seen) {
            d + 1
        } else {
            d
        }),
        _ => None,
    };
    let gga = e.gga.as_ref();
    let rmc = e.rmc.as_ref();
    let position = match gga {
        Some(g) => g.lat_lon.map(|(lat, lon)| Geodetic {
            lat_deg: lat,
            lon_deg: lon,
            height_m: g.altitude_m.unwrap_or(0.0) + g.geoid_separation_m.unwrap_or(0.0),
        }),
        None => rmc.and_then(|r| r.lat_lon).map(|(lat, lon)| Geodetic {
            lat_deg: lat,
            lon_deg: lon,
            height_m: 0.0,
        }),
    };
    let quality = match (gga, rmc) {
        (Some(g), _) => g.quality,
        // No GGA (lost to a bad checksum, say): RMC's mode letter, else its status.
        (None, Some(r)) => r.mode.unwrap_or(if r.valid {
            FixQuality::Autonomous
        } else {
            FixQuality::Invalid
        }),
        _ => FixQuality::Invalid,
    };
    let vtg = e.untimed.vtg.as_ref();
    Fix {
        time_of_day_ms: t,
        unix_ms: day.map(|d| d * MS_PER_DAY + i64::from(t)),
        position,
        quality,
        satellites: gga.and_then(|g| g.satellites),
        hdop: gga.and_then(|g| g.hdop),
        age_s: gga.and_then(|g| g.age_s),
        heading_deg: e.untimed.hdt.as_ref().and_then(|h| h.heading_deg),
        course_deg: vtg
            .and_then(|v| v.course_deg)
            .or_else(|| rmc.and_then(|r| r.course_deg)),
        speed_kmh: vtg
            .and_then(|v| v.speed_kmh)
            .or_else(|| rmc.and_then(|r| r.speed_kmh)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentence::parse_sentence;
    use crate::sim;

    fn fix(t: u32, heading: f64) -> Fix {
        Fix {
            time_of_day_ms: t,
            unix_ms: Some(1_795_910_400_000 + i64::from(t)),
            position: Some(Geodetic {
                lat_deg: 39.9,
                lon_deg: 116.4,
                height_m: 33.0,
            }),
            quality: FixQuality::RtkFixed,
            satellites: Some(24),
            hdop: Some(0.6),
            age_s: Some(1.0),
            heading_deg: Some(heading),
            course_deg: Some(heading),
            speed_kmh: Some(12.0),
        }
    }

    fn feed(asm: &mut EpochAssembler, text: &str) -> Vec<Fix> {
        let mut out = vec![];
        for line in text.lines() {
            asm.push(parse_sentence(line).unwrap());
            while let Some(f) = asm.pop_fix() {
                out.push(f);
            }
        }
        out
    }

    #[test]
    fn the_first_epoch_waits_for_the_next_later_ones_come_out_on_their_last_sentence() {
        let mut asm = EpochAssembler::new();
        let e0 = sim::epoch("GN", &fix(28_800_000, 10.0), -8.5);
        let e1 = sim::epoch("GN", &fix(28_800_100, 20.0), -8.5);
        assert!(
            feed(&mut asm, &e0).is_empty(),
            "the epoch's size is not known yet"
        );
        let mut lines = e1.lines();
        let first = lines.next().unwrap();
        let out = feed(&mut asm, first);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].time_of_day_ms, 28_800_000);
        assert!((out[0].heading_deg.unwrap() - 10.0).abs() < 1e-4);
        let rest: Vec<&str> = lines.collect();
        let out = feed(&mut asm, &rest.join("\n"));
        assert_eq!(out.len(), 1, "emitted on its HDT, without waiting");
        let f = &out[0];
        assert_eq!(f.time_of_day_ms, 28_800_100);
        assert_eq!(f.unix_ms, Some(1_795_910_400_000 + 28_800_100));
        assert!((f.heading_deg.unwrap() - 20.0).abs() < 1e-4);
        assert!((f.speed_kmh.unwrap() - 12.0).abs() < 1e-3);
        assert_eq!(
            (f.quality, f.satellites, f.age_s),
            (FixQuality::RtkFixed, Some(24), Some(1.0))
        );
        let p = f.position.unwrap();
        assert!((p.height_m - 33.0).abs() < 1e-4);
        assert_eq!(asm.dropped(), 0);
    }

    #[test]
    fn a_missing_heading_delays_the_epoch_but_never_shifts_headings() {
        let mut asm = EpochAssembler::new();
        let mut out = feed(&mut asm, &sim::epoch("GN", &fix(1_000, 10.0), 0.0));
        let mut no_hdt = fix(1_100, 20.0);
        no_hdt.heading_deg = None;
        out.extend(feed(
            &mut asm,
            &sim::epoch("GN", &no_hdt, 0.0).replace("$GNHDT,,T*03\r\n", ""),
        ));
        out.extend(feed(&mut asm, &sim::epoch("GN", &fix(1_200, 30.0), 0.0)));
        asm.flush();
        out.extend(asm.pop_fix());
        let got: Vec<(u32, Option<f64>)> = out
            .iter()
            .map(|f| (f.time_of_day_ms, f.heading_deg.map(|h| h.round())))
            .collect();
        assert_eq!(
            got,
            [(1_000, Some(10.0)), (1_100, None), (1_200, Some(30.0))]
        );
    }

    #[test]
    fn untimed_sentences_before_any_epoch_are_dropped_not_misplaced() {
        let mut asm = EpochAssembler::new();
        let e0 = sim::epoch("GN", &fix(1_000, 10.0), 0.0);
        let tail: Vec<&str> = e0.lines().skip(2).collect(); // VTG, HDT of an epoch we joined late
        assert!(feed(&mut asm, &tail.join("\n")).is_empty());
        assert_eq!(asm.dropped(), 2);
        feed(&mut asm, &sim::epoch("GN", &fix(1_100, 20.0), 0.0));
        asm.flush();
        let f = asm.pop_fix().unwrap();
        assert_eq!(
            (f.time_of_day_ms, f.heading_deg.map(f64::round)),
            (1_100, Some(20.0))
        );
    }

    #[test]
    fn epochs_without_rmc_take_the_last_date_and_cross_midnight() {
        let mut asm = EpochAssembler::new();
        let day = 1_795_910_400_000 / MS_PER_DAY;
        let late = fix(86_399_900, 0.0);
        let mut out = feed(&mut asm, &sim::epoch("GN", &late, 0.0));
        // Only GGA after midnight.
        out.extend(feed(&mut asm, &sim::gga("GN", &fix(0, 0.0), 0.0)));
        asm.flush();
        out.extend(asm.pop_fix());
        let [a, b] = &out[..] else { panic!("{out:?}") };
        assert_eq!(a.unix_ms, Some(day * MS_PER_DAY + 86_399_900));
        assert_eq!(b.unix_ms, Some((day + 1) * MS_PER_DAY));
    }
}
