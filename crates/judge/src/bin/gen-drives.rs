//! Writes the reference courses, vehicle profiles and every scripted drive to `fixtures/`.
//!
//! `cargo run -p judge --bin gen-drives [-- <fixtures-dir>]`. Fails, writing nothing for that
//! scenario, when a drive's verdict does not contain exactly the codes the scenario expects.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use judge::sim::{fixture, layout, scenarios};
use judge::{CatalogueSource, Course, VehicleProfile};

fn load_catalogue(dir: &Path) -> Result<CatalogueSource, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut src = CatalogueSource::default();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        src.merge(CatalogueSource::from_toml(&text).map_err(|e| format!("{}: {e}", f.display()))?);
    }
    Ok(src)
}

fn run(root: &Path) -> Result<usize, String> {
    let jdir = root.join("judge");
    let write = |p: PathBuf, text: &str| {
        std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))
    };
    std::fs::create_dir_all(&jdir).map_err(|e| e.to_string())?;
    write(
        jdir.join("course-s2.geojson"),
        &layout::subject2_course().to_geojson(),
    )?;
    write(
        jdir.join("course-s3.geojson"),
        &layout::subject3_course().to_geojson(),
    )?;
    for (name, text) in [
        ("vehicle-c1.json", layout::C1_PROFILE),
        ("vehicle-c2.json", layout::C2_PROFILE),
    ] {
        let pretty = serde_json::to_string_pretty(
            &serde_json::from_str::<serde_json::Value>(text).map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        write(jdir.join(name), &(pretty + "\n"))?;
    }
    let src = load_catalogue(&jdir.join("catalogue"))?;
    let mut errors = Vec::new();
    let all = scenarios::all();
    for sc in &all {
        let course =
            std::fs::read_to_string(jdir.join(sc.course.file())).map_err(|e| e.to_string())?;
        let course = Course::from_geojson(&course).map_err(|e| e.to_string())?;
        let vehicle = std::fs::read_to_string(jdir.join(sc.vehicle)).map_err(|e| e.to_string())?;
        let vehicle = VehicleProfile::from_json(&vehicle).map_err(|e| e.to_string())?;
        let cat = src
            .resolve(sc.standard, sc.region)
            .map_err(|e| e.to_string())?;
        match fixture::render(sc, &course, &vehicle, &cat) {
            Ok((jsonl, expected)) => {
                let d = root.join("drives").join(&sc.name);
                std::fs::create_dir_all(&d).map_err(|e| e.to_string())?;
                write(d.join("drive.jsonl"), &jsonl)?;
                write(d.join("expected.json"), &expected)?;
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(all.len())
    } else {
        Err(errors.join("\n"))
    }
}

fn main() -> ExitCode {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"));
    match run(&root) {
        Ok(n) => {
            println!("wrote {n} scenarios under {}", root.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
