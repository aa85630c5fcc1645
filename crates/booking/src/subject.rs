//! The four tests a candidate books, and the licence classes with their waiting periods.

use std::fmt;
use std::str::FromStr;

/// The four tests a candidate books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExamSubject {
    /// 科目一.
    Subject1,
    /// 科目二 场地驾驶技能.
    Subject2,
    /// 科目三 道路驾驶技能.
    Subject3Road,
    /// 科目三 安全文明驾驶常识.
    Subject3Safety,
}

impl ExamSubject {
    /// Every subject, in exam order.
    pub const ALL: [ExamSubject; 4] = [
        ExamSubject::Subject1,
        ExamSubject::Subject2,
        ExamSubject::Subject3Road,
        ExamSubject::Subject3Safety,
    ];

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            ExamSubject::Subject1 => "科目一",
            ExamSubject::Subject2 => "科目二",
            ExamSubject::Subject3Road => "科目三道路驾驶技能",
            ExamSubject::Subject3Safety => "科目三安全文明驾驶常识",
        }
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        match self {
            ExamSubject::Subject1 => "Subject 1",
            ExamSubject::Subject2 => "Subject 2",
            ExamSubject::Subject3Road => "Subject 3 road driving",
            ExamSubject::Subject3Safety => "Subject 3 safety theory",
        }
    }

    /// The wire name: `subject1`, `subject2`, `subject3`, `safety`.
    pub fn code(self) -> &'static str {
        match self {
            ExamSubject::Subject1 => "subject1",
            ExamSubject::Subject2 => "subject2",
            ExamSubject::Subject3Road => "subject3",
            ExamSubject::Subject3Safety => "safety",
        }
    }

    /// Needs the learner permit (all but Subject 1).
    pub fn needs_permit(self) -> bool {
        self != ExamSubject::Subject1
    }

    /// Counts towards the five-booking cap (art. 47: Subject 2 and Subject 3 road driving).
    pub fn has_booking_cap(self) -> bool {
        matches!(self, ExamSubject::Subject2 | ExamSubject::Subject3Road)
    }

    /// A failed exam means a ten-day wait before re-booking (art. 47, read as all but Subject 1).
    pub fn has_ten_day_wait(self) -> bool {
        self != ExamSubject::Subject1
    }

    /// A driving test: candidates are grouped and given examiners and cars by the draw.
    pub fn is_driving(self) -> bool {
        matches!(self, ExamSubject::Subject2 | ExamSubject::Subject3Road)
    }
}

impl FromStr for ExamSubject {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ExamSubject::ALL
            .into_iter()
            .find(|x| x.code() == s)
            .ok_or_else(|| {
                format!("subject must be subject1, subject2, subject3 or safety, got {s:?}")
            })
    }
}

impl fmt::Display for ExamSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Licence classes (准驾车型) as far as the booking rules tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum LicenceClass {
    A1,
    A2,
    A3,
    B1,
    B2,
    C1,
    C2,
    C3,
    C4,
    C5,
    C6,
    D,
    E,
    F,
    M,
    N,
    P,
}

impl LicenceClass {
    const NAMES: [(LicenceClass, &'static str); 17] = [
        (LicenceClass::A1, "A1"),
        (LicenceClass::A2, "A2"),
        (LicenceClass::A3, "A3"),
        (LicenceClass::B1, "B1"),
        (LicenceClass::B2, "B2"),
        (LicenceClass::C1, "C1"),
        (LicenceClass::C2, "C2"),
        (LicenceClass::C3, "C3"),
        (LicenceClass::C4, "C4"),
        (LicenceClass::C5, "C5"),
        (LicenceClass::C6, "C6"),
        (LicenceClass::D, "D"),
        (LicenceClass::E, "E"),
        (LicenceClass::F, "F"),
        (LicenceClass::M, "M"),
        (LicenceClass::N, "N"),
        (LicenceClass::P, "P"),
    ];

    fn is_a_or_b(self) -> bool {
        use LicenceClass::*;
        matches!(self, A1 | A2 | A3 | B1 | B2)
    }

    /// Days after the permit before Subject 2 may be booked (art. 43): 20 for A, B and C6, 10
    /// for the others the article names. D/E/F are not named; they take 10 here.
    pub fn subject2_wait_days(self) -> i32 {
        if self.is_a_or_b() || self == LicenceClass::C6 {
            20
        } else {
            10
        }
    }

    /// Days after the permit before Subject 3 road driving may be booked (art. 44): C2/C3/C4/C5
    /// 20, C1/M/N/P 30, A/B 40 (30 when adding a class to an existing car licence). C6 sits no
    /// road test; D/E/F are not named and take 20 here.
    pub fn subject3_wait_days(self, adding_class: bool) -> i32 {
        use LicenceClass::*;
        match self {
            A1 | A2 | A3 | B1 | B2 if adding_class => 30,
            A1 | A2 | A3 | B1 | B2 => 40,
            C1 | M | N | P => 30,
            C2 | C3 | C4 | C5 | C6 | D | E | F => 20,
        }
    }
}

impl FromStr for LicenceClass {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        LicenceClass::NAMES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(s.trim()))
            .map(|(c, _)| *c)
            .ok_or_else(|| format!("licence class must be one of A1..P (e.g. C1), got {s:?}"))
    }
}

impl fmt::Display for LicenceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = LicenceClass::NAMES
            .iter()
            .find(|(c, _)| c == self)
            .map(|(_, n)| *n)
            .expect("every class is named");
        f.write_str(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_periods_by_class() {
        let c = |s: &str| s.parse::<LicenceClass>().unwrap();
        assert_eq!(c("C1").subject2_wait_days(), 10);
        assert_eq!(c("C2").subject2_wait_days(), 10);
        assert_eq!(c("B2").subject2_wait_days(), 20);
        assert_eq!(c("C6").subject2_wait_days(), 20);
        assert_eq!(c("C2").subject3_wait_days(false), 20);
        assert_eq!(c("C1").subject3_wait_days(false), 30);
        assert_eq!(c("A1").subject3_wait_days(false), 40);
        assert_eq!(c("A1").subject3_wait_days(true), 30);
        assert_eq!(c("c1").to_string(), "C1");
        assert!("Z9".parse::<LicenceClass>().unwrap_err().contains("Z9"));
    }

    #[test]
    fn subjects_round_trip() {
        for s in ExamSubject::ALL {
            assert_eq!(s.code().parse::<ExamSubject>(), Ok(s));
        }
        assert!("s2".parse::<ExamSubject>().is_err());
    }
}
