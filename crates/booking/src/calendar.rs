//! Working days: Monday to Friday, minus public holidays, plus the weekend days made working
//! days in exchange (调休). The holiday list is the State Council's, given as data each year.

use std::collections::BTreeSet;

use theory::LocalDay;

/// Which days are working days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    /// Weekdays that are public holidays.
    pub holidays: BTreeSet<LocalDay>,
    /// Weekend days that are working days (调休).
    pub extra_workdays: BTreeSet<LocalDay>,
}

/// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
pub fn weekday(day: LocalDay) -> u32 {
    (day.0 + 3).rem_euclid(7) as u32
}

impl WorkCalendar {
    /// Whether `day` is a working day.
    pub fn is_working(&self, day: LocalDay) -> bool {
        if self.extra_workdays.contains(&day) {
            return true;
        }
        weekday(day) < 5 && !self.holidays.contains(&day)
    }

    /// The last working day strictly before `day` (looks back at most a year).
    pub fn working_day_before(&self, day: LocalDay) -> Option<LocalDay> {
        (1..=366)
            .map(|n| day.plus_days(-n))
            .find(|d| self.is_working(*d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_and_holidays() {
        let mon = LocalDay::from_ymd(2026, 11, 30);
        assert_eq!(weekday(mon), 0);
        let cal = WorkCalendar::default();
        assert_eq!(
            cal.working_day_before(mon),
            Some(LocalDay::from_ymd(2026, 11, 27))
        );
        let mut cal = WorkCalendar::default();
        cal.holidays.insert(LocalDay::from_ymd(2026, 11, 27));
        cal.extra_workdays.insert(LocalDay::from_ymd(2026, 11, 28));
        assert_eq!(
            cal.working_day_before(mon),
            Some(LocalDay::from_ymd(2026, 11, 28))
        );
    }
}
