//! Which device's camera took each photo, read back from the log: the events that carry a photo
//! name its SHA-256 and the device it was taken for (a car's `driving.identity`, `driving.photo`
//! and `driving.result` name the car as their device subject; a seat's `theory.photo` names the
//! seat as its device subject, and `theory.candidate_login` names it in its `seat` field). The
//! photo area replays them at start, so a device keeps reading its own photos across a restart.
//! Pure: the caller reads the log.

use model::{EventKind, SubjectKind, SubjectRef};

/// The kinds whose `photo` a device's camera took.
pub const PHOTO_KINDS: [EventKind; 5] = [
    EventKind::DrivingIdentity,
    EventKind::DrivingPhoto,
    EventKind::DrivingResult,
    EventKind::TheoryCandidateLogin,
    EventKind::TheoryPhoto,
];

/// The photo an event names and the device it was taken for, `(sha256, device)`: the event's
/// device subject, else its payload's `seat`. `None` for other kinds, an event without a photo
/// (or with an unavailable one) and one that names no device.
pub fn owner(kind: EventKind, subjects: &[SubjectRef], payload: &[u8]) -> Option<(String, String)> {
    if !PHOTO_KINDS.contains(&kind) {
        return None;
    }
    let sha = uplink::photo::photo_ref(payload)?;
    let device = match subjects.iter().find(|s| s.kind == SubjectKind::Device) {
        Some(s) => s.id.clone(),
        None => serde_json::from_slice::<serde_json::Value>(payload)
            .ok()?
            .get("seat")?
            .as_str()?
            .to_owned(),
    };
    (!device.is_empty()).then_some((sha, device))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";

    fn subjects(device: Option<&str>) -> Vec<SubjectRef> {
        let mut s = vec![
            SubjectRef::new(SubjectKind::Session, "s-1"),
            SubjectRef::new(SubjectKind::Candidate, "c1"),
        ];
        s.extend(device.map(|d| SubjectRef::new(SubjectKind::Device, d)));
        s
    }

    #[test]
    fn a_photo_belongs_to_the_device_the_event_names() {
        let photo = format!(
            r#"{{"session":"s-1","photo":{{"camera":"cam","taken_at":1,"sha256":"{SHA}"}}}}"#
        );
        let want = Some((SHA.to_owned(), "car-01".to_owned()));
        for kind in [
            EventKind::DrivingIdentity,
            EventKind::DrivingPhoto,
            EventKind::DrivingResult,
        ] {
            assert_eq!(
                owner(kind, &subjects(Some("car-01")), photo.as_bytes()),
                want,
                "{kind:?}"
            );
        }
        // A theory login names its seat in the payload, a theory photo as its device subject.
        let login = format!(
            r#"{{"seat":"seat-3","candidate":"c1","photo":{{"camera":"cam","taken_at":1,"sha256":"{SHA}"}}}}"#
        );
        assert_eq!(
            owner(
                EventKind::TheoryCandidateLogin,
                &subjects(None),
                login.as_bytes()
            ),
            Some((SHA.to_owned(), "seat-3".to_owned()))
        );
        assert_eq!(
            owner(
                EventKind::TheoryPhoto,
                &subjects(Some("seat-4")),
                login.as_bytes()
            ),
            Some((SHA.to_owned(), "seat-4".to_owned()))
        );
    }

    #[test]
    fn no_owner_without_a_photo_kind_a_photo_or_a_device() {
        let photo = format!(r#"{{"photo":{{"camera":"cam","taken_at":1,"sha256":"{SHA}"}}}}"#);
        // Another kind with a `photo` field grants nothing.
        assert_eq!(
            owner(
                EventKind::TheoryResult,
                &subjects(Some("seat-1")),
                photo.as_bytes()
            ),
            None
        );
        let gone = r#"{"seat":"seat-1","photo":{"camera":"cam","taken_at":1,"unavailable":"photo unavailable: timeout"}}"#;
        assert_eq!(
            owner(
                EventKind::TheoryCandidateLogin,
                &subjects(None),
                gone.as_bytes()
            ),
            None
        );
        assert_eq!(
            owner(EventKind::DrivingPhoto, &subjects(None), photo.as_bytes()),
            None
        );
        assert_eq!(
            owner(EventKind::DrivingPhoto, &subjects(None), b"not json"),
            None
        );
        let nameless = format!(r#"{{"seat":"","photo":{{"sha256":"{SHA}"}}}}"#);
        assert_eq!(
            owner(
                EventKind::TheoryCandidateLogin,
                &subjects(None),
                nameless.as_bytes()
            ),
            None
        );
    }
}
