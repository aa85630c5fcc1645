//! `[[sensor]]` in the configuration file: what each entry may say ([`RawSensor`]) and what it means once
//! checked ([`SensorSpec`]). Pure: no IO.
//!
//! ```toml
//! [[sensor]]
//! id = "gate-a-reader"
//! kind = "r30x"            # r30x | nb1010 | upektc
//! port = "/dev/ttyUSB0"    # r30x: serial port (or a pty link)
//! baud = 57600             # r30x, default 57600
//! address = "FFFFFFFF"     # r30x, hex, default FFFFFFFF
//! password = "00000000"    # r30x, hex, default 00000000
//! model = "optical"        # r30x: optical (R305/R307/AS608, 256×288) or r503 (192×192)
//! role = "gate-A"          # gate-<door> | seat-<seat id> | desk
//!
//! [[sensor]]
//! id = "desk-1"
//! kind = "nb1010"
//! usb = "298d:1010"        # vid:pid[:serial]
//! role = "desk"
//! ```

use std::fmt;
use std::str::FromStr;

use fp_r30x::protocol::{Address, ImageGeometry, Password};
use hw::Selector;
use serde::Deserialize;

/// One `[[sensor]]` entry as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSensor {
    /// Device id (`[A-Za-z0-9._-]`, at most 32).
    pub id: Option<String>,
    /// `r30x`, `nb1010` or `upektc`.
    pub kind: Option<String>,
    /// Serial port of an R30x module.
    pub port: Option<String>,
    /// Baud rate of an R30x module.
    pub baud: Option<u32>,
    /// R30x module address, 8 hex digits.
    pub address: Option<String>,
    /// R30x module password, 8 hex digits.
    pub password: Option<String>,
    /// R30x model family: `optical` or `r503`.
    pub model: Option<String>,
    /// USB id of an image sensor, `vid:pid[:serial]` in hex.
    pub usb: Option<String>,
    /// Where the sensor serves: `gate-<door>`, `seat-<seat id>` or `desk`.
    pub role: Option<String>,
}

/// A configured device's id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId(String);

impl DeviceId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A device id that is not `[A-Za-z0-9._-]{1,32}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("device id must be 1 to 32 of A-Z a-z 0-9 . _ -, got {0:?}")]
pub struct BadDeviceId(String);

impl FromStr for DeviceId {
    type Err = BadDeviceId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = (1..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(DeviceId(s.to_owned()))
        } else {
            Err(BadDeviceId(s.to_owned()))
        }
    }
}

/// The driver family of a sensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SensorKind {
    /// Synochip AS608 / ZFM-20 / R305 / R307 / R503 over a serial port.
    R30x,
    /// NEXT NB-1010-U over USB.
    Nb1010,
    /// UPEK TouchChip TCS5B over USB.
    UpekTc,
}

impl SensorKind {
    /// The name used in the configuration and the API.
    pub fn name(self) -> &'static str {
        match self {
            SensorKind::R30x => "r30x",
            SensorKind::Nb1010 => "nb1010",
            SensorKind::UpekTc => "upektc",
        }
    }
}

/// Where a sensor serves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SensorRole {
    /// The reader at a gate door (`gate-A`).
    Gate(String),
    /// A theory-hall seat's reader (`seat-H1-001`).
    Seat(String),
    /// The enrolment desk.
    Desk,
}

impl fmt::Display for SensorRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SensorRole::Gate(d) => write!(f, "gate-{d}"),
            SensorRole::Seat(s) => write!(f, "seat-{s}"),
            SensorRole::Desk => f.write_str("desk"),
        }
    }
}

impl FromStr for SensorRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let part_ok = |p: &str| {
            !p.is_empty()
                && p.len() <= 32
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if s == "desk" {
            Ok(SensorRole::Desk)
        } else if let Some(d) = s.strip_prefix("gate-").filter(|d| part_ok(d)) {
            Ok(SensorRole::Gate(d.to_owned()))
        } else if let Some(seat) = s.strip_prefix("seat-").filter(|d| part_ok(d)) {
            Ok(SensorRole::Seat(seat.to_owned()))
        } else {
            Err(format!(
                "role must be gate-<door>, seat-<seat id> or desk, got {s:?}"
            ))
        }
    }
}

/// R30x settings beyond the port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct R30xSettings {
    /// Module address.
    pub address: Address,
    /// Module password.
    pub password: Password,
    /// Image geometry (optical 256×288 or R503 192×192).
    pub geometry: ImageGeometry,
}

/// A checked `[[sensor]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorSpec {
    /// Its id.
    pub id: DeviceId,
    /// Its driver family.
    pub kind: SensorKind,
    /// How to open it (`r30x:<port>@<baud>` or `usb:<vid>:<pid>[:serial]`).
    pub selector: Selector,
    /// Where it serves.
    pub role: SensorRole,
    /// R30x settings (defaults for USB sensors, unused there).
    pub r30x: R30xSettings,
}

fn hex32(field: &str, v: Option<&str>, default: u32) -> Result<u32, String> {
    match v {
        None => Ok(default),
        Some(s) => {
            let digits = s.trim_start_matches("0x");
            if digits.len() != 8 {
                return Err(format!("{field} must be 8 hex digits, got {s:?}"));
            }
            u32::from_str_radix(digits, 16)
                .map_err(|_| format!("{field} must be 8 hex digits, got {s:?}"))
        }
    }
}

impl RawSensor {
    /// Checks one entry; the error names the field.
    pub fn resolve(&self) -> Result<SensorSpec, String> {
        let id: DeviceId = self
            .id
            .as_deref()
            .ok_or("id is missing")?
            .parse()
            .map_err(|e: BadDeviceId| e.to_string())?;
        let kind = match self.kind.as_deref() {
            Some("r30x") => SensorKind::R30x,
            Some("nb1010") => SensorKind::Nb1010,
            Some("upektc") => SensorKind::UpekTc,
            Some(other) => {
                return Err(format!(
                    "kind must be r30x, nb1010 or upektc, got {other:?}"
                ));
            }
            None => return Err("kind is missing (r30x, nb1010 or upektc)".into()),
        };
        let role: SensorRole = self
            .role
            .as_deref()
            .ok_or("role is missing (gate-<door>, seat-<seat id> or desk)")?
            .parse()?;
        let serial_only = [
            ("port", self.port.is_some()),
            ("baud", self.baud.is_some()),
            ("address", self.address.is_some()),
            ("password", self.password.is_some()),
            ("model", self.model.is_some()),
        ];
        let selector = match kind {
            SensorKind::R30x => {
                if self.usb.is_some() {
                    return Err("usb is for USB sensors; an r30x module needs port".into());
                }
                let port = self
                    .port
                    .as_deref()
                    .filter(|p| !p.is_empty())
                    .ok_or("port is missing (the module's serial port)")?;
                let baud = self.baud.unwrap_or(57_600);
                if fp_r30x::protocol::BaudRate::from_bps(baud).is_none() {
                    return Err(format!(
                        "baud must be a multiple of 9600 from 9600 to 115200, got {baud}"
                    ));
                }
                Selector::R30x {
                    path: port.into(),
                    baud: Some(baud),
                }
            }
            SensorKind::Nb1010 | SensorKind::UpekTc => {
                if let Some((field, _)) = serial_only.iter().find(|(_, set)| *set) {
                    return Err(format!("{field} is for r30x modules, not {}", kind.name()));
                }
                let usb = self
                    .usb
                    .as_deref()
                    .ok_or("usb is missing (vid:pid[:serial] in hex)")?;
                let sel: Selector = format!("usb:{usb}")
                    .parse()
                    .map_err(|e| format!("usb {usb:?}: {e}"))?;
                let Selector::Usb { vid, pid, .. } = &sel else {
                    unreachable!("a usb: selector parses to Selector::Usb")
                };
                let model = fp_usb::Model::from_ids(*vid, *pid);
                let expected = match kind {
                    SensorKind::Nb1010 => fp_usb::Model::Nb1010,
                    _ => fp_usb::Model::UpekTc,
                };
                if model != Some(expected) {
                    return Err(format!(
                        "usb {usb:?} is not a {} ({})",
                        kind.name(),
                        expected.name()
                    ));
                }
                sel
            }
        };
        let geometry = match self.model.as_deref() {
            None | Some("optical") => ImageGeometry::Optical,
            Some("r503") => ImageGeometry::Capacitive,
            Some(other) => return Err(format!("model must be optical or r503, got {other:?}")),
        };
        Ok(SensorSpec {
            id,
            kind,
            selector,
            role,
            r30x: R30xSettings {
                address: Address(hex32("address", self.address.as_deref(), 0xFFFF_FFFF)?),
                password: Password(hex32("password", self.password.as_deref(), 0)?),
                geometry,
            },
        })
    }
}

/// Checks every entry; ids must be unique. Errors name the entry.
pub fn resolve_all(raw: &[RawSensor]) -> Result<Vec<SensorSpec>, String> {
    let mut out: Vec<SensorSpec> = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let name = match &r.id {
            Some(id) => format!("sensor {id:?}"),
            None => format!("sensor #{}", i + 1),
        };
        let spec = r.resolve().map_err(|e| format!("{name}: {e}"))?;
        if out.iter().any(|s| s.id == spec.id) {
            return Err(format!("{name}: id used twice"));
        }
        if out.iter().any(|s| s.selector == spec.selector) {
            return Err(format!("{name}: device {} configured twice", spec.selector));
        }
        out.push(spec);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct File {
        sensor: Vec<RawSensor>,
    }

    fn parse(toml_text: &str) -> Result<Vec<SensorSpec>, String> {
        let f: File = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        resolve_all(&f.sensor)
    }

    #[test]
    fn the_module_doc_example_resolves() {
        let specs = parse(
            r#"
            [[sensor]]
            id = "gate-a-reader"
            kind = "r30x"
            port = "/dev/ttyUSB0"
            baud = 115200
            address = "0000ABCD"
            password = "00000001"
            model = "r503"
            role = "gate-A"
            [[sensor]]
            id = "desk-1"
            kind = "nb1010"
            usb = "298d:1010:SN1"
            role = "desk"
            [[sensor]]
            id = "seat"
            kind = "upektc"
            usb = "147e:2016"
            role = "seat-H1-001"
            "#,
        )
        .unwrap();
        assert_eq!(specs.len(), 3);
        assert_eq!(specs[0].selector.to_string(), "r30x:/dev/ttyUSB0@115200");
        assert_eq!(specs[0].r30x.address, Address(0xABCD));
        assert_eq!(specs[0].r30x.password, Password(1));
        assert_eq!(specs[0].r30x.geometry, ImageGeometry::Capacitive);
        assert_eq!(specs[0].role, SensorRole::Gate("A".into()));
        assert_eq!(specs[1].selector.to_string(), "usb:298d:1010:SN1");
        assert_eq!(specs[1].kind, SensorKind::Nb1010);
        assert_eq!(specs[2].role, SensorRole::Seat("H1-001".into()));
        assert_eq!(specs[2].role.to_string(), "seat-H1-001");
    }

    #[test]
    fn defaults_for_an_r30x() {
        let s = parse("[[sensor]]\nid='a'\nkind='r30x'\nport='/dev/x'\nrole='desk'\n").unwrap();
        assert_eq!(s[0].selector.to_string(), "r30x:/dev/x@57600");
        assert_eq!(s[0].r30x.address, Address::DEFAULT);
        assert_eq!(s[0].r30x.password, Password(0));
        assert_eq!(s[0].r30x.geometry, ImageGeometry::Optical);
    }

    #[test]
    fn errors_name_the_entry_and_the_field() {
        let cases = [
            (
                "kind='r30x'\nport='/dev/x'\nrole='desk'",
                "sensor #1: id is missing",
            ),
            (
                "id='a b'\nkind='r30x'\nport='/dev/x'\nrole='desk'",
                "device id must be",
            ),
            (
                "id='a'\nkind='zk9500'\nport='/dev/x'\nrole='desk'",
                "sensor \"a\": kind must be r30x, nb1010 or upektc, got \"zk9500\"",
            ),
            ("id='a'\nkind='r30x'\nrole='desk'", "port is missing"),
            (
                "id='a'\nkind='r30x'\nport='/dev/x'\nrole='door'",
                "role must be gate-<door>",
            ),
            (
                "id='a'\nkind='r30x'\nport='/dev/x'\nbaud=1234\nrole='desk'",
                "baud must be",
            ),
            (
                "id='a'\nkind='r30x'\nport='/dev/x'\naddress='FFFF'\nrole='desk'",
                "address must be 8 hex digits",
            ),
            (
                "id='a'\nkind='r30x'\nport='/dev/x'\nmodel='r307x'\nrole='desk'",
                "model must be optical or r503",
            ),
            (
                "id='a'\nkind='nb1010'\nusb='147e:2016'\nrole='desk'",
                "is not a nb1010",
            ),
            (
                "id='a'\nkind='nb1010'\nusb='298d'\nrole='desk'",
                "usb \"298d\": bad pid",
            ),
            (
                "id='a'\nkind='nb1010'\nusb='298d:1010'\nport='/dev/x'\nrole='desk'",
                "port is for r30x modules",
            ),
        ];
        for (body, want) in cases {
            let e = parse(&format!("[[sensor]]\n{body}\n")).unwrap_err();
            assert!(e.contains(want), "{body:?}: {e:?} lacks {want:?}");
        }
        let twice = "[[sensor]]\nid='a'\nkind='r30x'\nport='/dev/x'\nrole='desk'\n";
        assert!(
            parse(&format!("{twice}{twice}"))
                .unwrap_err()
                .contains("id used twice")
        );
        let e = parse(&format!(
            "{twice}[[sensor]]\nid='b'\nkind='r30x'\nport='/dev/x'\nrole='desk'\n"
        ))
        .unwrap_err();
        assert!(e.contains("configured twice"), "{e}");
        assert!(
            parse("[[sensor]]\nid='a'\nkind='r30x'\nport='/dev/x'\nrole='desk'\nspeed=1\n")
                .is_err()
        );
    }
}
