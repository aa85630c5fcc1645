//! Subject 2 and Subject 3 electronic judging from telemetry, course map and rule catalogue. Pure.
//!
//! The judge reads a course map ([`Course`], GeoJSON), a vehicle profile ([`VehicleProfile`]) and a
//! resolved rule catalogue ([`Catalogue`]), then judges telemetry records ([`Record`]) one at a time
//! ([`Judge::push`]) or all at once ([`judge`], built on the incremental judge so both agree).
//! Detectors measure faults; the catalogue decides what each costs. No clock, no IO.
//!
//! ```
//! use judge::{Catalogue, CatalogueSource, Course, Standard, VehicleProfile, judge, sim};
//! let course = Course::from_geojson(&sim::layout::subject2_course().to_geojson()).unwrap();
//! let vehicle = VehicleProfile::from_json(sim::layout::C1_PROFILE).unwrap();
//! let src = CatalogueSource::from_toml(r#"
//!     [[pass_mark]]
//!     subject = 2
//!     mark = 80
//!     [[rule]]
//!     code = "10101"
//!     subject = 2
//!     fault = "seatbelt_off"
//!     penalty = "fail"
//!     zh = "不按规定使用安全带"
//!     en = "Seat belt not worn"
//! "#).unwrap();
//! let catalogue: Catalogue = src.resolve(Standard::Ga1026_2017, None).unwrap();
//! let drive = sim::scenarios::all().into_iter().find(|s| s.name == "s2-hill-clean").unwrap();
//! let verdict = judge(&course, &vehicle, &catalogue, drive.records.into_iter());
//! assert!(verdict.passed);
//! ```
#![warn(missing_docs)]

pub mod catalogue;
pub mod course;
mod engine;
pub mod error;
pub mod geo;
pub mod geom;
pub mod sim;
pub mod telemetry;
pub mod vehicle;
pub mod verdict;

pub use catalogue::{Catalogue, CatalogueSource, Fault, Penalty, Rule, RuleCode, Scope, Standard};
pub use course::{Course, ItemKind, Subject};
pub use engine::Judge;
pub use error::{CatalogueError, CourseError, TelemetryError, VehicleError};
pub use telemetry::{Record, TelemetryReader};
pub use vehicle::{VehicleClass, VehicleProfile};
pub use verdict::{Deduction, Finding, Verdict, VerdictDto};

/// Judges a whole drive. Built on [`Judge`], so the batch and live paths agree.
pub fn judge(
    course: &Course,
    vehicle: &VehicleProfile,
    catalogue: &Catalogue,
    samples: impl Iterator<Item = Record>,
) -> Verdict {
    judge_report(course, vehicle, catalogue, samples).0
}

/// Judges a whole drive and also returns the findings about the input.
pub fn judge_report(
    course: &Course,
    vehicle: &VehicleProfile,
    catalogue: &Catalogue,
    samples: impl Iterator<Item = Record>,
) -> (Verdict, Vec<Finding>) {
    let mut j = Judge::new(course, vehicle, catalogue);
    for r in samples {
        // After the pass mark is out of reach the judge only counts what it ignores.
        j.push(&r);
    }
    j.finish()
}
