//! Calendar days in China Standard Time (UTC+8; China keeps no daylight saving).

use std::fmt;

use model::UnixMs;

const DAY_MS: i64 = 86_400_000;
const CST_OFFSET_MS: i64 = 8 * 3_600_000;

/// A calendar day in China Standard Time, counted from 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDay(pub i32);

impl LocalDay {
    /// The day an instant falls on in China.
    pub fn of(t: UnixMs) -> LocalDay {
        LocalDay((t.0 + CST_OFFSET_MS).div_euclid(DAY_MS) as i32)
    }

    /// The day for a civil date (proleptic Gregorian).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> LocalDay {
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        LocalDay(era * 146_097 + doe - 719_468)
    }

    /// The civil date (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        // Howard Hinnant's civil_from_days.
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (yoe + era * 400 + i32::from(m <= 2), m, d)
    }

    /// The day `n` days later.
    #[must_use]
    pub fn plus_days(self, n: i32) -> LocalDay {
        LocalDay(self.0 + n)
    }

    /// The same calendar date `n` years later (29 February becomes 28 February).
    #[must_use]
    pub fn plus_years(self, n: i32) -> LocalDay {
        let (y, m, d) = self.ymd();
        let leap = |y: i32| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let d = if m == 2 && d == 29 && !leap(y + n) {
            28
        } else {
            d
        };
        LocalDay::from_ymd(y + n, m, d)
    }
}

impl fmt::Display for LocalDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_turn_at_midnight_in_china() {
        // 2026-11-29 15:59:59.999 UTC is 23:59:59.999 in Beijing; one ms later is the next day.
        let t = UnixMs(1_795_967_999_999);
        assert_eq!(LocalDay::of(t).to_string(), "2026-11-29");
        assert_eq!(LocalDay::of(UnixMs(t.0 + 1)).to_string(), "2026-11-30");
    }

    #[test]
    fn civil_dates_round_trip() {
        for day in [-800_000, -1, 0, 1, 11_016, 20_000, 2_000_000] {
            let (y, m, d) = LocalDay(day).ymd();
            assert_eq!(LocalDay::from_ymd(y, m, d), LocalDay(day));
        }
        assert_eq!(LocalDay::from_ymd(1970, 1, 1), LocalDay(0));
        assert_eq!(
            LocalDay::from_ymd(2024, 2, 29).plus_years(3).to_string(),
            "2027-02-28"
        );
    }
}
