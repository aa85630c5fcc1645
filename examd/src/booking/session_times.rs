//! A session's times as an administrator gives them (the admin page's form or the API): the
//! start, the gate margins and a lottery's application close, checked into the
//! [`SessionTimesV1`] that `booking.session_opened` and `booking.lottery_opened` log. Every
//! refusal names its field, in Chinese and English. Pure: `now` comes in as an argument.

use booking::LocalDay;
use booking::sitting::{self, GateWindow, StartTime};
use model::UnixMs;

use super::events::{SessionTimesV1, parse_local_time};

/// The times as given, each optional (blank text counts as not given).
#[derive(Debug, Clone, Copy, Default)]
pub struct TimesForm<'a> {
    /// Start, `HH:MM` China time on the exam day.
    pub starts: Option<&'a str>,
    /// Minutes before the start the gate admits (default 60).
    pub gate_opens_before_min: Option<u32>,
    /// Minutes after the start the gate stops admitting (default 15).
    pub gate_closes_after_min: Option<u32>,
    /// Lottery sessions: when the applications close, `YYYY-MM-DD HH:MM` China time.
    pub applications_close: Option<&'a str>,
}

/// Why a session's times were refused; [`TimesError::field`] names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimesError {
    /// The start is not `HH:MM`.
    #[error("starts must be HH:MM (00:00 to 23:59), got {0:?}")]
    Starts(String),
    /// A gate margin longer than a day.
    #[error("{field} must be at most 1440 minutes, got {got}")]
    MarginTooLong {
        /// `gate_opens_before_min` or `gate_closes_after_min`.
        field: &'static str,
        /// What was given.
        got: u32,
    },
    /// A gate margin for a session without a start (it admits all its exam day).
    #[error("{field} needs a start time (starts): a session without one admits all its exam day")]
    MarginWithoutStart {
        /// `gate_opens_before_min` or `gate_closes_after_min`.
        field: &'static str,
    },
    /// The application close is not `YYYY-MM-DD HH:MM`.
    #[error("applications_close must be YYYY-MM-DD HH:MM (China time), got {0:?}")]
    CloseFormat(String),
    /// An application close for a first-come session.
    #[error("applications_close is for lottery sessions (allocation \"lottery\")")]
    CloseNotLottery,
    /// The applications would close at or after the sitting's start.
    #[error("applications_close {close} must be before the sitting starts ({start})")]
    CloseNotBeforeStart {
        /// The close, `YYYY-MM-DD HH:MM`.
        close: String,
        /// The start (midnight of the exam day without a start time), `YYYY-MM-DD HH:MM`.
        start: String,
    },
    /// The applications would close before the session is even opened.
    #[error("applications_close {0} has already passed")]
    ClosePassed(String),
}

impl TimesError {
    /// The form field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            TimesError::Starts(_) => "starts",
            TimesError::MarginTooLong { field, .. } | TimesError::MarginWithoutStart { field } => {
                field
            }
            TimesError::CloseFormat(_)
            | TimesError::CloseNotLottery
            | TimesError::CloseNotBeforeStart { .. }
            | TimesError::ClosePassed(_) => "applications_close",
        }
    }

    /// The message in Chinese.
    pub fn zh(&self) -> String {
        let margin = |f: &str| match f {
            "gate_opens_before_min" => "开考前入场分钟数",
            _ => "开考后停止入场分钟数",
        };
        match self {
            TimesError::Starts(got) => {
                format!("开考时间须为 HH:MM（00:00 至 23:59），收到 {got:?}")
            }
            TimesError::MarginTooLong { field, got } => {
                format!("{}不得超过 1440 分钟，收到 {got}", margin(field))
            }
            TimesError::MarginWithoutStart { field } => format!(
                "{}须与开考时间一同填写（未填开考时间的场次全天可入场）",
                margin(field)
            ),
            TimesError::CloseFormat(got) => {
                format!("申请截止时间须为 YYYY-MM-DD HH:MM（北京时间），收到 {got:?}")
            }
            TimesError::CloseNotLottery => "申请截止时间仅适用于抽签分配名额的场次".into(),
            TimesError::CloseNotBeforeStart { close, start } => {
                format!("申请截止时间 {close} 须早于开考时间 {start}")
            }
            TimesError::ClosePassed(close) => format!("申请截止时间 {close} 已过"),
        }
    }
}

/// `s` trimmed, unless blank.
fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// `t` as `YYYY-MM-DD HH:MM`, China time.
pub fn local_time(t: UnixMs) -> String {
    format!("{} {}", LocalDay::of(t), sitting::clock_time(t))
}

/// Checks `form` for a session on `day` (a lottery one when `lottery`), opened at `now`.
pub fn check(
    form: &TimesForm<'_>,
    day: LocalDay,
    lottery: bool,
    now: UnixMs,
) -> Result<SessionTimesV1, TimesError> {
    let starts = given(form.starts);
    let start: Option<StartTime> = starts
        .map(|s| s.parse().map_err(|_| TimesError::Starts(s.to_owned())))
        .transpose()?;
    for (field, got) in [
        ("gate_opens_before_min", form.gate_opens_before_min),
        ("gate_closes_after_min", form.gate_closes_after_min),
    ] {
        match got {
            Some(got) if got > 1440 => return Err(TimesError::MarginTooLong { field, got }),
            Some(_) if start.is_none() => return Err(TimesError::MarginWithoutStart { field }),
            _ => {}
        }
    }
    let applications_close = match given(form.applications_close) {
        None => None,
        Some(_) if !lottery => return Err(TimesError::CloseNotLottery),
        Some(t) => {
            let close = parse_local_time("applications_close", t)
                .map_err(|_| TimesError::CloseFormat(t.to_owned()))?;
            let sitting = GateWindow::new(day, start).start();
            if close >= sitting {
                return Err(TimesError::CloseNotBeforeStart {
                    close: local_time(close),
                    start: local_time(sitting),
                });
            }
            if close <= now {
                return Err(TimesError::ClosePassed(local_time(close)));
            }
            Some(close.0)
        }
    };
    Ok(SessionTimesV1 {
        starts: start.map(|s| s.to_string()),
        gate_opens_before_min: form.gate_opens_before_min,
        gate_closes_after_min: form.gate_closes_after_min,
        applications_close,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: (i32, u32, u32) = (2026, 12, 10);

    fn day() -> LocalDay {
        LocalDay::from_ymd(DAY.0, DAY.1, DAY.2)
    }

    /// 2026-12-01 10:00 China time.
    fn now() -> UnixMs {
        parse_local_time("now", "2026-12-01 10:00").unwrap()
    }

    fn form<'a>(
        starts: &'a str,
        before: Option<u32>,
        after: Option<u32>,
        close: &'a str,
    ) -> TimesForm<'a> {
        TimesForm {
            starts: Some(starts),
            gate_opens_before_min: before,
            gate_closes_after_min: after,
            applications_close: Some(close),
        }
    }

    #[test]
    fn good_times_are_kept_as_given_and_blank_ones_left_out() {
        let t = check(
            &form(" 09:30 ", Some(45), Some(10), "2026-12-05 18:00"),
            day(),
            true,
            now(),
        )
        .unwrap();
        assert_eq!(t.starts.as_deref(), Some("09:30"));
        assert_eq!(
            (t.gate_opens_before_min, t.gate_closes_after_min),
            (Some(45), Some(10))
        );
        assert_eq!(
            local_time(UnixMs(t.applications_close.unwrap())),
            "2026-12-05 18:00"
        );
        let none = check(&form("", None, None, " "), day(), false, now()).unwrap();
        assert_eq!(none, SessionTimesV1::default());
        assert_eq!(
            check(&TimesForm::default(), day(), true, now()).unwrap(),
            SessionTimesV1::default()
        );
    }

    #[test]
    fn every_refusal_names_its_field() {
        let cases: [(TimesForm<'_>, bool, TimesError); 8] = [
            (
                form("9:30", None, None, ""),
                false,
                TimesError::Starts("9:30".into()),
            ),
            (
                form("24:00", None, None, ""),
                false,
                TimesError::Starts("24:00".into()),
            ),
            (
                form("09:00", Some(1441), None, ""),
                false,
                TimesError::MarginTooLong {
                    field: "gate_opens_before_min",
                    got: 1441,
                },
            ),
            (
                form("", None, Some(20), ""),
                false,
                TimesError::MarginWithoutStart {
                    field: "gate_closes_after_min",
                },
            ),
            (
                form("09:00", None, None, "2026-12-05"),
                true,
                TimesError::CloseFormat("2026-12-05".into()),
            ),
            (
                form("09:00", None, None, "2026-12-05 18:00"),
                false,
                TimesError::CloseNotLottery,
            ),
            (
                form("09:00", None, None, "2026-12-10 09:00"),
                true,
                TimesError::CloseNotBeforeStart {
                    close: "2026-12-10 09:00".into(),
                    start: "2026-12-10 09:00".into(),
                },
            ),
            (
                form("", None, None, "2026-12-01 09:59"),
                true,
                TimesError::ClosePassed("2026-12-01 09:59".into()),
            ),
        ];
        for (f, lottery, want) in cases {
            let got = check(&f, day(), lottery, now()).unwrap_err();
            assert_eq!(got, want);
            assert!(got.to_string().contains(got.field()), "{got}");
            assert!(!got.zh().is_empty());
        }
        assert_eq!(TimesError::CloseNotLottery.field(), "applications_close");
    }

    #[test]
    fn without_a_start_the_applications_close_before_the_exam_day() {
        let late = check(
            &form("", None, None, "2026-12-10 00:00"),
            day(),
            true,
            now(),
        );
        assert_eq!(
            late,
            Err(TimesError::CloseNotBeforeStart {
                close: "2026-12-10 00:00".into(),
                start: "2026-12-10 00:00".into()
            })
        );
        assert!(
            check(
                &form("", None, None, "2026-12-09 23:59"),
                day(),
                true,
                now()
            )
            .is_ok()
        );
    }
}
