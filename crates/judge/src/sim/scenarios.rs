//! Scripted drives: every detector has a drive that triggers it and drives that must not.
//!
//! Each [`Scenario`] names its course, car, standard and region, and the exact set of rule codes
//! its verdict must contain. `gen-drives` writes them to `fixtures/drives/<name>/`.

use super::road_drives;
use super::site_drives;
use crate::catalogue::Standard;
use crate::telemetry::Record;

/// Which reference course a scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseRef {
    /// `course-s2.geojson`.
    Subject2,
    /// `course-s3.geojson`.
    Subject3,
}

impl CourseRef {
    /// The fixture file name.
    pub fn file(self) -> &'static str {
        match self {
            Self::Subject2 => "course-s2.geojson",
            Self::Subject3 => "course-s3.geojson",
        }
    }
}

/// One scripted drive and what its verdict must contain.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Directory name.
    pub name: String,
    /// One sentence: what is driven.
    pub about: &'static str,
    /// Course.
    pub course: CourseRef,
    /// Vehicle profile fixture file.
    pub vehicle: &'static str,
    /// Standard to resolve the catalogue for.
    pub standard: Standard,
    /// Region to resolve the catalogue for.
    pub region: Option<&'static str>,
    /// Exactly the rule codes the verdict must contain (in any order, duplicates allowed).
    pub expect: Vec<&'static str>,
    /// The telemetry.
    pub records: Vec<Record>,
}

impl Scenario {
    pub(crate) fn new(
        name: &str,
        about: &'static str,
        course: CourseRef,
        expect: &[&'static str],
        records: Vec<Record>,
    ) -> Self {
        Self {
            name: name.into(),
            about,
            course,
            vehicle: "vehicle-c1.json",
            standard: Standard::Ga1026_2017,
            region: None,
            expect: expect.to_vec(),
            records,
        }
    }
    pub(crate) fn with_standard(mut self, s: Standard) -> Self {
        self.standard = s;
        self
    }
    pub(crate) fn with_region(mut self, r: &'static str) -> Self {
        self.region = Some(r);
        self
    }
    pub(crate) fn with_vehicle(mut self, v: &'static str) -> Self {
        self.vehicle = v;
        self
    }
}

/// Every scenario, Subject 2 first.
pub fn all() -> Vec<Scenario> {
    let mut v = site_drives::all();
    v.extend(road_drives::all());
    v
}
