//! `[[camera]]` in the configuration file: an IP camera's snapshot resource and where it looks.
//! Pure: no IO.
//!
//! ```toml
//! [[camera]]
//! id = "car-01-cam"
//! url = "http://192.0.2.31"    # the camera's base URL; the ISAPI picture path is added
//! channel = 1                  # default 1 (stream 101)
//! user = "admin"
//! password = "…"
//! auth = "digest"              # digest (default) | basic
//! timeout_ms = 2000            # default 2000
//! role = "car:car-01"          # car:<car id> | seat:<seat id> | hall
//! ```

use std::fmt;
use std::time::Duration;

use camera_http::{Auth, CameraConfig, Channel};
use serde::Deserialize;

/// One `[[camera]]` entry as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCamera {
    /// Camera id (`[A-Za-z0-9._-]`, at most 32).
    pub id: Option<String>,
    /// Base URL, `http://host[:port]`.
    pub url: Option<String>,
    /// Channel, 1–327.
    pub channel: Option<u16>,
    /// Account name.
    pub user: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// `digest` or `basic`.
    pub auth: Option<String>,
    /// Time for one snapshot.
    pub timeout_ms: Option<u64>,
    /// `car:<car id>`, `seat:<seat id>` or `hall`.
    pub role: Option<String>,
}

/// What a camera looks at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CameraRole {
    /// The inside of a car (its terminal's device account name).
    Car(String),
    /// One theory seat.
    Seat(String),
    /// The theory hall (used for a seat without its own camera).
    Hall,
}

impl fmt::Display for CameraRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CameraRole::Car(c) => write!(f, "car:{c}"),
            CameraRole::Seat(s) => write!(f, "seat:{s}"),
            CameraRole::Hall => f.write_str("hall"),
        }
    }
}

impl std::str::FromStr for CameraRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let name_ok = |n: &str| !n.is_empty() && n.len() <= 64 && !n.chars().any(char::is_control);
        match s.split_once(':') {
            Some(("car", c)) if name_ok(c) => Ok(CameraRole::Car(c.to_owned())),
            Some(("seat", v)) if name_ok(v) => Ok(CameraRole::Seat(v.to_owned())),
            None if s == "hall" => Ok(CameraRole::Hall),
            _ => Err(format!(
                "camera role must be car:<car id>, seat:<seat id> or hall, got {s:?}"
            )),
        }
    }
}

/// A checked `[[camera]]`.
#[derive(Debug, Clone)]
pub struct CameraSpec {
    /// Camera id.
    pub id: String,
    /// Where it looks.
    pub role: CameraRole,
    /// How to reach it (password hidden by `Debug`).
    pub config: CameraConfig,
}

/// Checks one entry; the error names the entry and the field.
pub fn resolve(raw: &RawCamera) -> Result<CameraSpec, String> {
    let id = raw.id.clone().ok_or("[[camera]] needs an id")?;
    let id_ok = (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !id_ok {
        return Err(format!(
            "camera id must be 1 to 32 of A-Z a-z 0-9 . _ -, got {id:?}"
        ));
    }
    let field = |name: &str, v: &Option<String>| {
        v.clone()
            .ok_or_else(|| format!("camera {id}: {name} is missing"))
    };
    let url = field("url", &raw.url)?;
    if !url.starts_with("http://") && !url.starts_with("https://") {
        return Err(format!(
            "camera {id}: url must be http://host[:port], got {url:?}"
        ));
    }
    let channel =
        Channel::new(raw.channel.unwrap_or(1)).map_err(|e| format!("camera {id}: {e}"))?;
    let (user, password) = (field("user", &raw.user)?, field("password", &raw.password)?);
    let auth = match raw.auth.as_deref().unwrap_or("digest") {
        "digest" => Auth::digest(user, password),
        "basic" => Auth::basic(user, password),
        other => {
            return Err(format!(
                "camera {id}: auth must be digest or basic, got {other:?}"
            ));
        }
    };
    let role = field("role", &raw.role)?
        .parse()
        .map_err(|e| format!("camera {id}: {e}"))?;
    let timeout_ms = raw.timeout_ms.unwrap_or(2000);
    if !(100..=30_000).contains(&timeout_ms) {
        return Err(format!(
            "camera {id}: timeout_ms must be 100 to 30000, got {timeout_ms}"
        ));
    }
    let mut config = CameraConfig::new(url, channel, auth);
    config.timeout = Duration::from_millis(timeout_ms);
    Ok(CameraSpec { id, role, config })
}

/// Checks every entry; ids and roles must be unique.
pub fn resolve_all(raw: &[RawCamera]) -> Result<Vec<CameraSpec>, String> {
    let specs = raw.iter().map(resolve).collect::<Result<Vec<_>, _>>()?;
    for (i, a) in specs.iter().enumerate() {
        for b in &specs[i + 1..] {
            if a.id == b.id {
                return Err(format!("camera id {} is used twice", a.id));
            }
            if a.role == b.role {
                return Err(format!(
                    "cameras {} and {} both have role {}",
                    a.id, b.id, a.role
                ));
            }
        }
    }
    Ok(specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Vec<RawCamera> {
        #[derive(Deserialize)]
        struct File {
            camera: Vec<RawCamera>,
        }
        toml::from_str::<File>(text).unwrap().camera
    }

    #[test]
    fn a_car_camera_resolves() {
        let specs = resolve_all(&raw(
            "[[camera]]\nid = \"c1\"\nurl = \"http://192.0.2.3:8000/\"\nuser = \"admin\"\npassword = \"p\"\nrole = \"car:car-01\"\n",
        ))
        .unwrap();
        assert_eq!(specs[0].role, CameraRole::Car("car-01".into()));
        assert_eq!(
            specs[0].config.picture_url(),
            "http://192.0.2.3:8000/ISAPI/Streaming/channels/101/picture"
        );
        assert!(!format!("{specs:?}").contains("\"p\""));
    }

    #[test]
    fn mistakes_are_named() {
        let base = "[[camera]]\nid = \"c1\"\nurl = \"http://h\"\nuser = \"u\"\npassword = \"p\"\n";
        let e = resolve_all(&raw(&format!("{base}role = \"roof\"\n"))).unwrap_err();
        assert!(e.contains("car:<car id>"), "{e}");
        let e =
            resolve_all(&raw(&format!("{base}role = \"hall\"\nauth = \"ntlm\"\n"))).unwrap_err();
        assert!(e.contains("auth must be digest or basic"), "{e}");
        let e = resolve_all(&raw(&format!("{base}role = \"hall\"\nchannel = 0\n"))).unwrap_err();
        assert!(e.contains("channel 0"), "{e}");
        let e = resolve_all(&raw(&format!(
            "{base}role = \"hall\"\n{}role = \"hall\"\n",
            base.replace("c1", "c2")
        )))
        .unwrap_err();
        assert!(e.contains("both have role hall"), "{e}");
        let e = resolve_all(&raw("[[camera]]\nid = \"c1\"\nrole = \"hall\"\n")).unwrap_err();
        assert!(e.contains("url is missing"), "{e}");
    }
}
