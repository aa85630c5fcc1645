//! The identity registry's tables: people, sealed templates and rosters, on every backend.

use audit::Hash;
use model::UnixMs;
use store::identity::{
    IdentityWrite, PersonKind, PersonRow, PersonWrite, RosterEntryRow, RosterRow, TemplateRow,
};
use store::{Store, StoreError};

fn person(kind: PersonKind, id: &str, name: &str) -> PersonRow {
    PersonRow {
        kind,
        id: id.into(),
        name: name.into(),
        updated: UnixMs(1_800_000_000_000),
    }
}

fn template(index: u32, byte: u8) -> TemplateRow {
    TemplateRow {
        index,
        sealed: vec![byte; 40],
        sha256: Hash([byte; 32]),
        enrolled: UnixMs(1_800_000_000_000 + i64::from(byte)),
    }
}

fn entry(candidate: &str, seat: Option<&str>) -> RosterEntryRow {
    RosterEntryRow {
        candidate: candidate.into(),
        name: format!("name of {candidate}"),
        seat: seat.map(Into::into),
        subject: Some("subject1".into()),
    }
}

pub async fn story(store: &dyn Store) {
    assert!(store.rosters().await.unwrap().is_empty());
    assert!(matches!(
        store.person(PersonKind::Candidate, "c1").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.roster("am").await,
        Err(StoreError::NotFound)
    ));

    // A roster with two candidates (one without templates yet) and an examiner, in one write.
    let write = IdentityWrite {
        people: vec![
            PersonWrite {
                person: person(PersonKind::Candidate, "c1", "张三"),
                templates: Some(vec![template(0, 1), template(1, 2)]),
            },
            PersonWrite {
                person: person(PersonKind::Candidate, "c2", "李四"),
                templates: None,
            },
            PersonWrite {
                person: person(PersonKind::Examiner, "wang", "王考官"),
                templates: Some(vec![template(0, 9)]),
            },
        ],
        roster: Some(RosterRow {
            sitting: "am".into(),
            imported: UnixMs(1_800_000_000_500),
            imported_by: "admin".into(),
            entries: vec![entry("c2", Some("H1-002")), entry("c1", None)],
        }),
    };
    store.put_identity(&write).await.unwrap();
    let (p, t) = store.person(PersonKind::Candidate, "c1").await.unwrap();
    assert_eq!(p.name, "张三");
    assert_eq!(t, vec![template(0, 1), template(1, 2)]);
    assert!(
        store
            .person(PersonKind::Candidate, "c2")
            .await
            .unwrap()
            .1
            .is_empty()
    );
    assert!(matches!(
        store.person(PersonKind::Examiner, "c1").await,
        Err(StoreError::NotFound)
    ));
    let r = store.roster("am").await.unwrap();
    assert_eq!(
        r,
        write.roster.clone().unwrap(),
        "entries kept in roster order"
    );
    let rt = store.roster_templates("am").await.unwrap();
    assert_eq!(
        rt,
        vec![
            ("c1".to_string(), template(0, 1)),
            ("c1".to_string(), template(1, 2))
        ]
    );
    assert_eq!(
        store.templates_of_kind(PersonKind::Examiner).await.unwrap(),
        vec![("wang".to_string(), template(0, 9))]
    );

    // Enrolment replaces a person's templates and keeps the roster.
    store
        .put_identity(&IdentityWrite {
            people: vec![PersonWrite {
                person: person(PersonKind::Candidate, "c2", "李四"),
                templates: Some(vec![template(0, 5)]),
            }],
            roster: None,
        })
        .await
        .unwrap();
    assert_eq!(store.roster_templates("am").await.unwrap().len(), 3);

    // A second sitting; a re-import of the first replaces its entries.
    let mut pm = write.roster.clone().unwrap();
    pm.sitting = "pm".into();
    pm.imported = UnixMs(1_800_000_000_900);
    pm.entries = vec![entry("c1", Some("H1-001"))];
    store
        .put_identity(&IdentityWrite {
            people: vec![],
            roster: Some(pm.clone()),
        })
        .await
        .unwrap();
    let mut am = write.roster.clone().unwrap();
    am.entries.truncate(1);
    store
        .put_identity(&IdentityWrite {
            people: vec![],
            roster: Some(am.clone()),
        })
        .await
        .unwrap();
    assert_eq!(store.roster("am").await.unwrap(), am);
    assert_eq!(store.roster("pm").await.unwrap(), pm);
    let list = store.rosters().await.unwrap();
    assert_eq!(
        list.iter()
            .map(|s| (s.sitting.as_str(), s.entries))
            .collect::<Vec<_>>(),
        vec![("pm", 1), ("am", 1)],
        "most recent first"
    );

    // A roster naming an unknown person, or one person twice, writes nothing.
    let mut bad = am.clone();
    bad.entries.push(entry("ghost", None));
    let e = store
        .put_identity(&IdentityWrite {
            people: vec![PersonWrite {
                person: person(PersonKind::Candidate, "c3", "王五"),
                templates: None,
            }],
            roster: Some(bad),
        })
        .await;
    assert!(
        matches!(&e, Err(StoreError::Conflict { constraint }) if constraint == "roster_entries.candidate"),
        "{e:?}"
    );
    assert!(
        matches!(
            store.person(PersonKind::Candidate, "c3").await,
            Err(StoreError::NotFound)
        ),
        "the failed write left nothing behind"
    );
    let mut twice = am.clone();
    twice.entries.push(entry("c2", None));
    assert!(matches!(
        store
            .put_identity(&IdentityWrite {
                people: vec![],
                roster: Some(twice),
            })
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(store.roster("am").await.unwrap(), am, "unchanged");
}
