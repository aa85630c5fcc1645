//! The learner permit (学习驾驶证明), issued when Subject 1 is passed (art. 40).

use theory::LocalDay;

/// The learner permit in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearnerPermit {
    /// The day it was issued.
    pub issued: LocalDay,
    /// The first day it is no longer valid.
    pub expires: LocalDay,
}

impl LearnerPermit {
    /// A permit issued on `day`, valid for three years (art. 40).
    pub fn issued_on(day: LocalDay) -> LearnerPermit {
        LearnerPermit {
            issued: day,
            expires: day.plus_years(3),
        }
    }

    /// Whether `day` falls inside the validity.
    pub fn covers(&self, day: LocalDay) -> bool {
        self.issued <= day && day < self.expires
    }
}
