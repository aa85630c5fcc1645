//! One test per `fixtures/drives/<name>/`: judge `drive.jsonl` and compare with `expected.json`;
//! one per scenario that the simulator still produces the committed drive byte for byte; and
//! checks over the whole set (rule coverage, determinism, live and batch paths agree).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use judge::sim::fixture::{self, Expected};
use judge::sim::scenarios;
use judge::{Catalogue, CatalogueSource, Course, Judge, Standard, TelemetryReader, VehicleProfile};
use libtest_mimic::{Arguments, Failed, Trial};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn read(p: &Path) -> Result<String, Failed> {
    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()).into())
}

fn source() -> Result<CatalogueSource, Failed> {
    let dir = root().join("judge/catalogue");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.retain(|p| p.extension().is_some_and(|x| x == "toml"));
    files.sort();
    let mut src = CatalogueSource::default();
    for f in files {
        src.merge(CatalogueSource::from_toml(&read(&f)?)?);
    }
    Ok(src)
}

struct Setup {
    course: Course,
    vehicle: VehicleProfile,
    cat: Catalogue,
}

fn setup(e: &Expected) -> Result<Setup, Failed> {
    let j = root().join("judge");
    let std = fixture::standard_of(e).ok_or("unknown standard")?;
    Ok(Setup {
        course: Course::from_geojson(&read(&j.join(&e.course))?)?,
        vehicle: VehicleProfile::from_json(&read(&j.join(&e.vehicle))?)?,
        cat: source()?.resolve(std, e.region.as_deref())?,
    })
}

fn expected(dir: &Path) -> Result<Expected, Failed> {
    Ok(serde_json::from_str(&read(&dir.join("expected.json"))?)?)
}

fn judge_dir(dir: &Path) -> Result<(), Failed> {
    let e = expected(dir)?;
    let s = setup(&e)?;
    let file = std::fs::File::open(dir.join("drive.jsonl"))?;
    let records =
        TelemetryReader::new(std::io::BufReader::new(file)).collect::<Result<Vec<_>, _>>()?;
    let got = judge::judge(&s.course, &s.vehicle, &s.cat, records.iter().cloned()).to_dto();
    fixture::check(&e.triggers, &e.must_not, &got)?;
    if got != e.verdict {
        return Err(format!(
            "verdict differs:\n got  {}\n want {}",
            serde_json::to_string(&got)?,
            serde_json::to_string(&e.verdict)?
        )
        .into());
    }
    // The live path gives the same deductions, in the same order.
    let mut live = Judge::new(&s.course, &s.vehicle, &s.cat);
    let mut pushed = Vec::new();
    for r in &records {
        pushed.extend(live.push(r).iter().cloned());
    }
    let (v, _) = live.finish();
    if v.deductions[..pushed.len()] != pushed[..] {
        return Err("incremental deductions differ from the verdict".into());
    }
    Ok(())
}

fn regenerates(sc: &scenarios::Scenario) -> Result<(), Failed> {
    let dir = root().join("drives").join(&sc.name);
    let e = expected(&dir)?;
    let s = setup(&e)?;
    let (jsonl, exp) = fixture::render(sc, &s.course, &s.vehicle, &s.cat)?;
    if jsonl != read(&dir.join("drive.jsonl"))? || exp != read(&dir.join("expected.json"))? {
        return Err(format!(
            "{} is stale: run `cargo run -p judge --bin gen-drives`",
            sc.name
        )
        .into());
    }
    Ok(())
}

/// Every rule a detector prices has a scenario that triggers it and one that must not.
fn coverage() -> Result<(), Failed> {
    let mut triggered = BTreeSet::new();
    let mut cleared = BTreeSet::new();
    for dir in drive_dirs() {
        let e = expected(&dir)?;
        triggered.extend(e.triggers);
        cleared.extend(e.must_not);
    }
    let src = source()?;
    let mut missing = Vec::new();
    for st in [
        Standard::Ga1026_2016,
        Standard::Ga1026_2017,
        Standard::Ga1026_2022,
    ] {
        for region in [None, Some("370800")] {
            for r in src
                .resolve(st, region)?
                .rules()
                .iter()
                .filter(|r| r.fault.is_some())
            {
                let c = r.code.as_str().to_owned();
                if !triggered.contains(&c) || !cleared.contains(&c) {
                    missing.push(c);
                }
            }
        }
    }
    missing.sort();
    missing.dedup();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("rules without both scenarios: {missing:?}").into())
    }
}

/// The same drive judged 1,000 times gives identical output.
fn determinism() -> Result<(), Failed> {
    let dir = root().join("drives/s2-hill-rollback-minor");
    let e = expected(&dir)?;
    let s = setup(&e)?;
    let records = judge::telemetry::parse_str(&read(&dir.join("drive.jsonl"))?)?;
    let first = judge::judge_report(&s.course, &s.vehicle, &s.cat, records.iter().cloned());
    for _ in 0..1000 {
        if judge::judge_report(&s.course, &s.vehicle, &s.cat, records.iter().cloned()) != first {
            return Err("two runs differ".into());
        }
    }
    Ok(())
}

/// Judging throughput; prints samples per second when `JUDGE_THROUGHPUT` is set (use a release build).
fn throughput() -> Result<(), Failed> {
    let rounds: usize = std::env::var("JUDGE_THROUGHPUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    for name in ["s2-full-clean", "s3-route-clean"] {
        let dir = root().join("drives").join(name);
        let e = expected(&dir)?;
        let s = setup(&e)?;
        let records = judge::telemetry::parse_str(&read(&dir.join("drive.jsonl"))?)?;
        let t0 = std::time::Instant::now();
        for _ in 0..rounds {
            if !judge::judge(&s.course, &s.vehicle, &s.cat, records.iter().cloned()).passed {
                return Err(format!("{name} failed").into());
            }
        }
        if std::env::var_os("JUDGE_THROUGHPUT").is_some() {
            let (n, secs) = ((records.len() * rounds) as f64, t0.elapsed().as_secs_f64());
            println!(
                "judge throughput {name}: {n} records in {secs:.3} s = {:.0} records/s on one core",
                n / secs
            );
        }
    }
    if std::env::var_os("JUDGE_THROUGHPUT").is_some() {
        thirty_minutes()?;
    }
    Ok(())
}

/// A 30-minute Subject 3 drive at 10 Hz (the reference route driven again and again, time running
/// on), parsed from JSON Lines and judged; prints the wall time.
fn thirty_minutes() -> Result<(), Failed> {
    let dir = root().join("drives/s3-route-clean");
    let e = expected(&dir)?;
    let s = setup(&e)?;
    let lap = judge::telemetry::parse_str(&read(&dir.join("drive.jsonl"))?)?;
    let lap_ms = lap.last().map_or(0, |r| r.t_ms) + 100;
    let mut records = Vec::new();
    for i in 0.. {
        if records.len() >= 18_000 {
            break;
        }
        records.extend(lap.iter().cloned().map(|mut r| {
            r.t_ms += i * lap_ms;
            r
        }));
    }
    records.truncate(18_000);
    let text = judge::sim::fixture::drive_jsonl(&records);
    let t0 = std::time::Instant::now();
    let parsed = judge::telemetry::parse_str(&text)?;
    let t1 = t0.elapsed();
    // Judged lap by lap (a fresh judge per lap), so every record is judged as in a clean drive:
    // one long judge would stop at the jump back to the start, where the pass mark goes out of reach.
    let mut passed = 0;
    for lap_records in parsed.chunks(lap.len()) {
        let first = lap_records[0].t_ms;
        let v = judge::judge(
            &s.course,
            &s.vehicle,
            &s.cat,
            lap_records.iter().cloned().map(|mut r| {
                r.t_ms -= first;
                r
            }),
        );
        passed += usize::from(v.passed);
    }
    let t2 = t0.elapsed();
    println!(
        "30-minute Subject 3 drive at 10 Hz ({} records, {} bytes): parse {:.1} ms + judge {:.1} ms = {:.1} ms ({passed} clean laps passed)",
        records.len(),
        text.len(),
        t1.as_secs_f64() * 1e3,
        (t2 - t1).as_secs_f64() * 1e3,
        t2.as_secs_f64() * 1e3,
    );
    Ok(())
}

fn drive_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("drives"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.retain(|d| d.is_dir());
    dirs.sort();
    dirs
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for d in drive_dirs() {
        let name = d
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        trials.push(Trial::test(format!("judge::{name}"), move || judge_dir(&d)));
    }
    for sc in scenarios::all() {
        trials.push(Trial::test(format!("regenerate::{}", sc.name), move || {
            regenerates(&sc)
        }));
    }
    trials.push(Trial::test("coverage", coverage));
    trials.push(Trial::test("determinism", determinism));
    trials.push(Trial::test("throughput", throughput));
    libtest_mimic::run(&args, trials).exit();
}
