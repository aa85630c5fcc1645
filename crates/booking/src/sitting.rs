//! When a sitting's candidates may pass the gate: the sitting's start time (China time, on its
//! exam day) and the margins around it. A candidate may come in from `opens_before` minutes
//! before the start until `closes_after` minutes after it; a sitting opened without a start time
//! admits all of its exam day.

use std::fmt;
use std::str::FromStr;

use model::UnixMs;
use theory::LocalDay;

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
const CST_OFFSET_MS: i64 = 8 * 3_600_000;

/// How many minutes before its start a sitting's gate window opens unless the sitting says.
pub const DEFAULT_OPENS_BEFORE_MIN: u32 = 60;
/// How many minutes after its start a sitting's gate window closes (late arrivals) unless the
/// sitting says.
pub const DEFAULT_CLOSES_AFTER_MIN: u32 = 15;

/// A start time of day in China, `HH:MM` (minutes after midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StartTime(u16);

/// Why a start time or window was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SittingTimeError {
    /// A start time is `HH:MM` with `HH` 00–23 and `MM` 00–59.
    #[error("start time must be HH:MM (00:00 to 23:59), got {0:?}")]
    Start(String),
    /// A margin longer than a day.
    #[error("{what} must be at most 1440 minutes, got {got}")]
    Margin {
        /// Which margin.
        what: &'static str,
        /// What was given.
        got: u32,
    },
}

impl StartTime {
    /// Minutes after midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// The time `hour:minute`, if it is one.
    pub fn new(hour: u32, minute: u32) -> Option<StartTime> {
        (hour < 24 && minute < 60).then(|| StartTime((hour * 60 + minute) as u16))
    }
}

impl FromStr for StartTime {
    type Err = SittingTimeError;
    fn from_str(s: &str) -> Result<StartTime, SittingTimeError> {
        let bad = || SittingTimeError::Start(s.to_owned());
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        let digits = |x: &str| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit());
        if !digits(h) || !digits(m) {
            return Err(bad());
        }
        StartTime::new(h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl fmt::Display for StartTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// When a sitting admits its candidates at the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateWindow {
    /// The exam day.
    pub day: LocalDay,
    /// The start, China time; `None` admits all of `day`.
    pub starts: Option<StartTime>,
    /// Minutes before the start the window opens.
    pub opens_before_min: u32,
    /// Minutes after the start the window closes.
    pub closes_after_min: u32,
}

/// Where `now` stands against a sitting's gate window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowState {
    /// The candidates may come in.
    Open,
    /// The sitting is on another day (and its window is not open now).
    NotToday {
        /// Its exam day.
        day: LocalDay,
    },
    /// Later today.
    NotYetOpen {
        /// When the window opens.
        opens: UnixMs,
    },
    /// Earlier today: the window has closed.
    Over {
        /// When the window closed.
        closed: UnixMs,
    },
}

/// Midnight at the start of `day`, China time.
fn midnight(day: LocalDay) -> i64 {
    i64::from(day.0) * DAY_MS - CST_OFFSET_MS
}

impl GateWindow {
    /// A window with the default margins.
    pub fn new(day: LocalDay, starts: Option<StartTime>) -> GateWindow {
        GateWindow {
            day,
            starts,
            opens_before_min: DEFAULT_OPENS_BEFORE_MIN,
            closes_after_min: DEFAULT_CLOSES_AFTER_MIN,
        }
    }

    /// Checks the margins (at most a day each).
    pub fn checked(self) -> Result<GateWindow, SittingTimeError> {
        for (what, got) in [
            ("gate_opens_before_min", self.opens_before_min),
            ("gate_closes_after_min", self.closes_after_min),
        ] {
            if got > 1440 {
                return Err(SittingTimeError::Margin { what, got });
            }
        }
        Ok(self)
    }

    /// When the sitting starts (midnight of its day without a start time).
    pub fn start(&self) -> UnixMs {
        let m = self.starts.map_or(0, |s| i64::from(s.minutes()));
        UnixMs(midnight(self.day) + m * MINUTE_MS)
    }

    /// When the window opens.
    pub fn opens(&self) -> UnixMs {
        match self.starts {
            None => UnixMs(midnight(self.day)),
            Some(_) => UnixMs(self.start().0 - i64::from(self.opens_before_min) * MINUTE_MS),
        }
    }

    /// When the window closes (exclusive).
    pub fn closes(&self) -> UnixMs {
        match self.starts {
            None => UnixMs(midnight(self.day.plus_days(1))),
            Some(_) => UnixMs(self.start().0 + i64::from(self.closes_after_min) * MINUTE_MS),
        }
    }

    /// Where `now` stands: open inside `[opens, closes)`; otherwise another day, not yet open
    /// or over.
    pub fn state(&self, now: UnixMs) -> WindowState {
        let (opens, closes) = (self.opens(), self.closes());
        if opens <= now && now < closes {
            WindowState::Open
        } else if LocalDay::of(now) != self.day {
            WindowState::NotToday { day: self.day }
        } else if now < opens {
            WindowState::NotYetOpen { opens }
        } else {
            WindowState::Over { closed: closes }
        }
    }
}

/// The time of day of `t` in China, `HH:MM`.
pub fn clock_time(t: UnixMs) -> StartTime {
    let m = (t.0 + CST_OFFSET_MS).rem_euclid(DAY_MS) / MINUTE_MS;
    StartTime(m as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(day: LocalDay, hh: i64, mm: i64) -> UnixMs {
        UnixMs(midnight(day) + (hh * 60 + mm) * MINUTE_MS)
    }

    #[test]
    fn start_times_parse_and_print() {
        assert_eq!("08:30".parse::<StartTime>().unwrap().minutes(), 510);
        assert_eq!("23:59".parse::<StartTime>().unwrap().to_string(), "23:59");
        for bad in ["24:00", "8:30", "08:60", "0830", "08:3x", ""] {
            assert_eq!(
                bad.parse::<StartTime>(),
                Err(SittingTimeError::Start(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_window_opens_before_the_start_and_closes_after_it() {
        let day = LocalDay::from_ymd(2026, 12, 1);
        let w = GateWindow::new(day, Some("09:00".parse().unwrap()));
        assert_eq!(
            w.state(at(day, 7, 59)),
            WindowState::NotYetOpen {
                opens: at(day, 8, 0)
            }
        );
        assert_eq!(w.state(at(day, 8, 0)), WindowState::Open);
        assert_eq!(w.state(at(day, 9, 14)), WindowState::Open);
        assert_eq!(
            w.state(at(day, 9, 15)),
            WindowState::Over {
                closed: at(day, 9, 15)
            }
        );
        assert_eq!(
            w.state(at(day.plus_days(-1), 9, 0)),
            WindowState::NotToday { day }
        );
        assert_eq!(
            w.state(at(day.plus_days(1), 8, 30)),
            WindowState::NotToday { day }
        );
        assert_eq!(clock_time(at(day, 9, 14)).to_string(), "09:14");
    }

    #[test]
    fn without_a_start_the_whole_day_is_open() {
        let day = LocalDay::from_ymd(2026, 12, 1);
        let w = GateWindow::new(day, None);
        assert_eq!(w.state(at(day, 0, 0)), WindowState::Open);
        assert_eq!(w.state(at(day, 23, 59)), WindowState::Open);
        assert_eq!(
            w.state(at(day.plus_days(1), 0, 0)),
            WindowState::NotToday { day }
        );
    }

    #[test]
    fn a_window_may_open_the_evening_before() {
        let day = LocalDay::from_ymd(2026, 12, 1);
        let w = GateWindow::new(day, Some("00:30".parse().unwrap()));
        assert_eq!(w.state(at(day.plus_days(-1), 23, 45)), WindowState::Open);
        assert_eq!(
            w.state(at(day.plus_days(-1), 23, 0)),
            WindowState::NotToday { day }
        );
        let bad = GateWindow {
            opens_before_min: 1441,
            ..w
        };
        assert_eq!(
            bad.checked(),
            Err(SittingTimeError::Margin {
                what: "gate_opens_before_min",
                got: 1441
            })
        );
    }

    /// The naive reading of the rule: open exactly inside the window, and otherwise the reason
    /// follows the day and the side of the window.
    fn naive(w: &GateWindow, now: UnixMs) -> WindowState {
        let start = midnight(w.day) + i64::from(w.starts.map_or(0, |s| s.minutes())) * MINUTE_MS;
        let (lo, hi) = match w.starts {
            None => (midnight(w.day), midnight(w.day) + DAY_MS),
            Some(_) => (
                start - i64::from(w.opens_before_min) * MINUTE_MS,
                start + i64::from(w.closes_after_min) * MINUTE_MS,
            ),
        };
        if (lo..hi).contains(&now.0) {
            WindowState::Open
        } else if (now.0 + CST_OFFSET_MS).div_euclid(DAY_MS) != i64::from(w.day.0) {
            WindowState::NotToday { day: w.day }
        } else if now.0 < lo {
            WindowState::NotYetOpen { opens: UnixMs(lo) }
        } else {
            WindowState::Over { closed: UnixMs(hi) }
        }
    }

    proptest! {
        #[test]
        fn state_matches_the_naive_reading(
            start in proptest::option::of(0u32..1440),
            before in 0u32..300,
            after in 0u32..300,
            offset in -3_000i64..3_000,
        ) {
            let day = LocalDay::from_ymd(2026, 12, 1);
            let w = GateWindow {
                day,
                starts: start.map(|m| StartTime::new(m / 60, m % 60).unwrap()),
                opens_before_min: before,
                closes_after_min: after,
            };
            let now = UnixMs(midnight(day) + offset * MINUTE_MS);
            prop_assert_eq!(w.state(now), naive(&w, now));
        }
    }
}
