//! The judge's inputs in the daemon: course maps, vehicle profiles and the rule catalogue, by name.
//!
//! The reference course maps, cars and the GA 1026 catalogue are built in; a site adds or replaces
//! them with files in `<data_dir>/driving/`: `courses/<name>.geojson`, `vehicles/<name>.json` and
//! `catalogue/*.toml` (which, when present, replaces the built-in catalogue as a whole).
//! Every input is identified in the log by the SHA-256 of its text.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use judge::{Catalogue, CatalogueSource, Course, Standard, VehicleProfile};

/// The built-in reference course maps.
pub const BUILTIN_COURSES: &[(&str, &str)] = &[
    (
        "course-s2",
        include_str!("../../../fixtures/judge/course-s2.geojson"),
    ),
    (
        "course-s3",
        include_str!("../../../fixtures/judge/course-s3.geojson"),
    ),
    (
        "course-s3-b",
        include_str!("../../../fixtures/judge/course-s3-b.geojson"),
    ),
];

/// The built-in reference cars.
pub const BUILTIN_VEHICLES: &[(&str, &str)] = &[
    (
        "vehicle-c1",
        include_str!("../../../fixtures/judge/vehicle-c1.json"),
    ),
    (
        "vehicle-c2",
        include_str!("../../../fixtures/judge/vehicle-c2.json"),
    ),
];

/// The built-in catalogue files, in merge order.
pub const BUILTIN_CATALOGUE: &[(&str, &str)] = &[
    (
        "ga1026.toml",
        include_str!("../../../fixtures/judge/catalogue/ga1026.toml"),
    ),
    (
        "region-370800.toml",
        include_str!("../../../fixtures/judge/catalogue/region-370800.toml"),
    ),
];

/// SHA-256 of a text, hex.
pub fn sha256_hex(text: &str) -> String {
    audit::sha256(&[text.as_bytes()]).to_hex()
}

/// One input file: its name, text and hash.
#[derive(Debug, Clone)]
pub struct Text {
    /// Name (file stem).
    pub name: String,
    /// The exact text.
    pub text: String,
    /// SHA-256 of `text`, hex.
    pub sha256: String,
}

impl Text {
    /// A named text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Text {
        let text = text.into();
        Text {
            name: name.into(),
            sha256: sha256_hex(&text),
            text,
        }
    }
}

/// The catalogue text: the files as a JSON array of `[name, text]` pairs, in merge order.
pub fn catalogue_text(files: &[(String, String)]) -> String {
    serde_json::to_string(files).expect("strings serialise")
}

/// Parses a catalogue text made by [`catalogue_text`], merging its files in order.
pub fn parse_catalogue(text: &str) -> anyhow::Result<CatalogueSource> {
    let files: Vec<(String, String)> =
        serde_json::from_str(text).context("rule catalogue: not a list of files")?;
    let mut src = CatalogueSource::default();
    for (name, t) in files {
        src.merge(
            CatalogueSource::from_toml(&t)
                .map_err(|e| anyhow::anyhow!("rule catalogue {name}: {e}"))?,
        );
    }
    Ok(src)
}

/// Reads `--rules`: one TOML file, or a folder whose `*.toml` files are merged in name order.
pub fn read_catalogue_path(path: &Path) -> anyhow::Result<Text> {
    let mut files = Vec::new();
    if path.is_dir() {
        let mut paths: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("reading {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            bail!("{}: no *.toml rule files in this folder", path.display());
        }
        for p in paths {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            // Each file alone must parse, so an error names the file.
            CatalogueSource::from_toml(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            files.push((name, text));
        }
    } else {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        CatalogueSource::from_toml(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        files.push((name, text));
    }
    Ok(Text::new("catalogue", catalogue_text(&files)))
}

/// The built-in catalogue as one text.
pub fn builtin_catalogue() -> Text {
    let files: Vec<(String, String)> = BUILTIN_CATALOGUE
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect();
    Text::new("catalogue", catalogue_text(&files))
}

/// The name an input is asked for by: a file name's stem (`course-s2.geojson` → `course-s2`).
pub fn stem(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.strip_suffix(".geojson")
        .or_else(|| base.strip_suffix(".json"))
        .unwrap_or(base)
}

/// Parsed inputs for one session (shared by every session that uses the same ones).
#[derive(Debug)]
pub struct Setup {
    /// The course map.
    pub course: Course,
    /// The car.
    pub vehicle: VehicleProfile,
    /// The resolved catalogue.
    pub catalogue: Catalogue,
    /// The course text.
    pub course_text: Text,
    /// The vehicle text.
    pub vehicle_text: Text,
    /// The catalogue text.
    pub catalogue_text: Text,
    /// The standard it was resolved for.
    pub standard: Standard,
    /// The region whose overrides apply.
    pub region: Option<String>,
}

impl Setup {
    /// Parses the three texts and resolves the catalogue; errors name the input.
    pub fn parse(
        course: Text,
        vehicle: Text,
        catalogue: Text,
        standard: Standard,
        region: Option<String>,
    ) -> anyhow::Result<Setup> {
        let c = Course::from_geojson(&course.text)
            .map_err(|e| anyhow::anyhow!("course map {}: {e}", course.name))?;
        let v = VehicleProfile::from_json(&vehicle.text)
            .map_err(|e| anyhow::anyhow!("vehicle profile {}: {e}", vehicle.name))?;
        let cat = parse_catalogue(&catalogue.text)?
            .resolve(standard, region.as_deref())
            .map_err(|e| anyhow::anyhow!("rule catalogue: {e}"))?;
        Ok(Setup {
            course: c,
            vehicle: v,
            catalogue: cat,
            course_text: course,
            vehicle_text: vehicle,
            catalogue_text: catalogue,
            standard,
            region,
        })
    }
}

/// Every named input the daemon can judge with.
#[derive(Debug, Default)]
pub struct Library {
    courses: BTreeMap<String, Text>,
    vehicles: BTreeMap<String, Text>,
    catalogue: Option<Text>,
    routes: super::routes::RouteMaps,
    cache: std::sync::Mutex<BTreeMap<String, Arc<Setup>>>,
}

impl Library {
    /// The built-in inputs, then those in `<data_dir>/driving/` (which win on a name clash).
    pub fn load(data_dir: &Path) -> anyhow::Result<Library> {
        let mut lib = Library {
            catalogue: Some(builtin_catalogue()),
            ..Default::default()
        };
        for (n, t) in BUILTIN_COURSES {
            lib.courses.insert((*n).into(), Text::new(*n, *t));
        }
        for (n, t) in BUILTIN_VEHICLES {
            lib.vehicles.insert((*n).into(), Text::new(*n, *t));
        }
        let dir = data_dir.join("driving");
        for (sub, ext, map) in [
            ("courses", "geojson", &mut lib.courses),
            ("vehicles", "json", &mut lib.vehicles),
        ] {
            let Ok(rd) = std::fs::read_dir(dir.join(sub)) else {
                continue;
            };
            for e in rd.filter_map(Result::ok) {
                let p = e.path();
                if p.extension().is_some_and(|x| x == ext) {
                    let text = std::fs::read_to_string(&p)
                        .with_context(|| format!("reading {}", p.display()))?;
                    let name = p
                        .file_stem()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned();
                    map.insert(name.clone(), Text::new(name, text));
                }
            }
        }
        let cat_dir = dir.join("catalogue");
        if cat_dir.is_dir() {
            lib.catalogue = Some(read_catalogue_path(&cat_dir)?);
        }
        // Subject 3 routes → course maps (`routes.toml`): each must name a Subject 3 map held here.
        let subject3 = |name: &str| {
            let t = lib.courses.get(stem(name))?;
            Some(
                Course::from_geojson(&t.text)
                    .map(|c| c.subject() == judge::Subject::Three)
                    .map_err(|e| e.to_string()),
            )
        };
        lib.routes = super::routes::RouteMaps::load(&dir, subject3)?;
        Ok(lib)
    }

    /// The Subject 3 routes and their course maps.
    pub fn routes(&self) -> &super::routes::RouteMaps {
        &self.routes
    }

    /// The names of the course maps.
    pub fn course_names(&self) -> impl Iterator<Item = &str> {
        self.courses.keys().map(String::as_str)
    }

    /// The inputs for a session, parsed once per combination.
    pub fn setup(
        &self,
        course: &str,
        vehicle: &str,
        standard: Standard,
        region: Option<&str>,
    ) -> anyhow::Result<Arc<Setup>> {
        let (course, vehicle) = (stem(course), stem(vehicle));
        let key = format!(
            "{course}\n{vehicle}\n{}\n{}",
            standard.as_str(),
            region.unwrap_or("")
        );
        if let Some(s) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(s.clone());
        }
        let c = self
            .courses
            .get(course)
            .with_context(|| format!("unknown course map {course:?}"))?;
        let v = self
            .vehicles
            .get(vehicle)
            .with_context(|| format!("unknown vehicle profile {vehicle:?}"))?;
        let cat = self.catalogue.clone().unwrap_or_else(builtin_catalogue);
        let s = Arc::new(Setup::parse(
            c.clone(),
            v.clone(),
            cat,
            standard,
            region.map(str::to_owned),
        )?);
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, s.clone());
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_inputs_parse_and_concatenated_files_merge() {
        let lib = Library::load(Path::new("/nonexistent")).unwrap();
        let s = lib
            .setup(
                "course-s2.geojson",
                "vehicle-c1",
                Standard::Ga1026_2017,
                Some("370800"),
            )
            .unwrap();
        assert_eq!(s.course.subject(), judge::Subject::Two);
        // The regional file's entries are there: its sub-code resolves for its region.
        let s3 = lib
            .setup(
                "course-s3",
                "vehicle-c1",
                Standard::Ga1026_2017,
                Some("370800"),
            )
            .unwrap();
        assert!(s3.catalogue.by_code("4060601").is_some());
        assert!(
            lib.setup("nope", "vehicle-c1", Standard::Ga1026_2017, None)
                .is_err()
        );
        assert_eq!(stem("a/b/course-s3.geojson"), "course-s3");
    }
}
