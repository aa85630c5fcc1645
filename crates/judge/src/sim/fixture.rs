//! Scenario fixtures: `drive.jsonl` and `expected.json`, rendered and checked without IO.

use serde::{Deserialize, Serialize};

use super::scenarios::Scenario;
use crate::catalogue::{Catalogue, Standard};
use crate::course::Course;
use crate::telemetry::Record;
use crate::vehicle::VehicleProfile;
use crate::verdict::VerdictDto;

/// `expected.json` of one scenario directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// What is driven.
    pub about: String,
    /// Course file under `fixtures/judge/`.
    pub course: String,
    /// Vehicle profile file under `fixtures/judge/`.
    pub vehicle: String,
    /// Standard the catalogue is resolved for.
    pub standard: String,
    /// Region the catalogue is resolved for.
    pub region: Option<String>,
    /// Codes that must be in the verdict.
    pub triggers: Vec<String>,
    /// Detector codes of the subject that must not be in the verdict.
    pub must_not: Vec<String>,
    /// The exact verdict.
    pub verdict: VerdictDto,
}

/// The telemetry as JSON Lines.
pub fn drive_jsonl(records: &[Record]) -> String {
    let mut s = String::with_capacity(records.len() * 300);
    for r in records {
        s.push_str(&r.to_json_line());
        s.push('\n');
    }
    s
}

/// Checks a verdict against the scenario's exact code set and the must-not list.
pub fn check(triggers: &[String], must_not: &[String], verdict: &VerdictDto) -> Result<(), String> {
    let mut got: Vec<&str> = verdict.deductions.iter().map(|d| d.code.as_str()).collect();
    got.sort_unstable();
    got.dedup();
    let mut want: Vec<&str> = triggers.iter().map(String::as_str).collect();
    want.sort_unstable();
    want.dedup();
    if got != want {
        return Err(format!(
            "codes {got:?}, expected exactly {want:?}: {}",
            serde_json::to_string(verdict).unwrap_or_default()
        ));
    }
    if let Some(bad) = must_not.iter().find(|c| got.contains(&c.as_str())) {
        return Err(format!("code {bad} must not trigger"));
    }
    Ok(())
}

/// Judges a scenario (through its JSON Lines form, as the harness will) and renders `expected.json`.
pub fn render(
    sc: &Scenario,
    course: &Course,
    vehicle: &VehicleProfile,
    cat: &Catalogue,
) -> Result<(String, String), String> {
    // A failed exam ends when the pass mark is out of reach: keep one more second, drop the rest.
    let mut j = crate::Judge::new(course, vehicle, cat);
    let end = sc.records.iter().position(|r| {
        j.push(r);
        j.is_over()
    });
    let keep = match end {
        Some(i) => {
            let t_end = sc.records[i].t_ms + 1000;
            sc.records.iter().take_while(|r| r.t_ms <= t_end).count()
        }
        None => sc.records.len(),
    };
    let jsonl = drive_jsonl(&sc.records[..keep]);
    let records = crate::telemetry::parse_str(&jsonl).map_err(|e| e.to_string())?;
    if records[..] != sc.records[..keep] {
        return Err("records do not survive the JSON Lines round trip".into());
    }
    let verdict = crate::judge(course, vehicle, cat, records.into_iter()).to_dto();
    let triggers: Vec<String> = sc.expect.iter().map(|s| s.to_string()).collect();
    let must_not: Vec<String> = cat
        .rules()
        .iter()
        .filter(|r| {
            r.fault.is_some()
                && r.subject == course.subject()
                && !sc.expect.contains(&r.code.as_str())
        })
        .map(|r| r.code.as_str().to_owned())
        .collect();
    check(&triggers, &must_not, &verdict).map_err(|e| format!("{}: {e}", sc.name))?;
    let exp = Expected {
        about: sc.about.into(),
        course: sc.course.file().into(),
        vehicle: sc.vehicle.into(),
        standard: sc.standard.as_str().into(),
        region: sc.region.map(str::to_owned),
        triggers,
        must_not,
        verdict,
    };
    let json = serde_json::to_string_pretty(&exp).map_err(|e| e.to_string())? + "\n";
    Ok((jsonl, json))
}

/// The standard named in an `expected.json`.
pub fn standard_of(e: &Expected) -> Option<Standard> {
    Standard::parse(&e.standard)
}
