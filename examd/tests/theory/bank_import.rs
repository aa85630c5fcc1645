//! Question banks: import versioned by content with its problems reported, the `examd bank` command, the
//! public banks from JSONL and SQLite.

use std::process::Command;

use examd::theory::banks;

use super::{fixture_bank, public_banks};
use crate::support::examd_bin;

#[tokio::test]
async fn import_is_versioned_by_content_and_reports_problems() {
    let dir = tempfile::tempdir().unwrap();
    let id = "synthetic".parse().unwrap();
    let first = banks::import(dir.path(), &fixture_bank(), &id, "auto")
        .await
        .unwrap();
    assert_eq!(
        (first.questions, first.excluded, first.media),
        (211, 0, 6),
        "{}",
        first.report
    );
    assert!(!first.unchanged);
    let again = banks::import(dir.path(), &fixture_bank(), &id, "auto")
        .await
        .unwrap();
    assert_eq!(again.version, first.version);
    assert!(again.unchanged);
    // The normalized bank reads back to the same questions, and its media are copied.
    let loaded = banks::load(dir.path(), &id, &first.version).unwrap();
    assert_eq!(loaded.bank.questions().len(), 211);
    for q in loaded.bank.questions() {
        for m in q.media_refs() {
            assert!(loaded.dir.join(&m.path).is_file(), "{} missing", m.path);
        }
    }
    // A broken source: an answer that is no option and a missing picture are left out and reported.
    let bad = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(fixture_bank().join("bank.jsonl")).unwrap();
    text.push_str(r#"{"id":"bad-1","subject":1,"type":"single","stem":"坏题","options":[{"key":"A","text":"甲"},{"key":"B","text":"乙"}],"answer":["D"]}"#);
    text.push('\n');
    text.push_str(r#"{"id":"bad-2","subject":1,"type":"judge","stem":"如图","options":[{"key":"A","text":"正确"},{"key":"B","text":"错误"}],"answer":["A"],"media":"media/nope.png"}"#);
    text.push('\n');
    std::fs::write(bad.path().join("bank.jsonl"), text).unwrap();
    std::fs::create_dir(bad.path().join("media")).unwrap();
    for f in std::fs::read_dir(fixture_bank().join("media")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), bad.path().join("media").join(f.file_name())).unwrap();
    }
    let r = banks::import(dir.path(), bad.path(), &id, "auto")
        .await
        .unwrap();
    assert_eq!((r.questions, r.excluded), (211, 2));
    assert_eq!(
        r.version, first.version,
        "the left-out questions do not make a new version"
    );
    assert!(
        r.report.contains("bad-1") && r.report.contains("bad-2"),
        "{}",
        r.report
    );
    assert_eq!(
        banks::current_versions(dir.path()).unwrap(),
        vec![(id.clone(), r.version.clone())]
    );
}

#[test]
fn bank_cli_validates_imports_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(examd_bin())
        .args(["bank", "validate"])
        .arg(fixture_bank())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(examd_bin())
        .args([
            "bank",
            "import",
            "--id",
            "synthetic",
            "--site-id",
            "test-site",
            "--data-dir",
        ])
        .arg(dir.path())
        .arg(fixture_bank())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("211 questions"), "{text}");
    let out = Command::new(examd_bin())
        .args(["bank", "list", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("synthetic\t"));
    // A source with an error fails validation with exit code 1.
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(
        bad.path().join("bank.jsonl"),
        r#"{"id":"x","subject":1,"type":"single","stem":"题","options":[{"key":"A","text":"甲"}],"answer":["C"]}"#,
    )
    .unwrap();
    let out = Command::new(examd_bin())
        .args(["bank", "validate"])
        .arg(bad.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test]
async fn the_public_banks_import_from_jsonl_and_sqlite() {
    let Some(root) = public_banks() else {
        eprintln!("SKIP: ../shared/data/qbank is absent; the public banks were not imported");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let umeit = root.join("umeit-DriverExam");
    let sql = banks::import(dir.path(), &umeit, &"umeit-db".parse().unwrap(), "sqlite")
        .await
        .unwrap();
    let json = banks::import(dir.path(), &umeit, &"umeit".parse().unwrap(), "jsonl")
        .await
        .unwrap();
    eprintln!(
        "umeit sqlite: {} in, {} out; jsonl: {} in, {} out",
        sql.questions, sql.excluded, json.questions, json.excluded
    );
    assert_eq!(sql.questions + sql.excluded, 1474 + 899);
    assert!(sql.questions > 2200 && json.questions > 2200);
    let b = banks::load(dir.path(), &"umeit-db".parse().unwrap(), &sql.version).unwrap();
    assert!(
        b.bank
            .questions()
            .iter()
            .any(|q| q.media.as_ref().is_some_and(|m| m.path.ends_with(".gif")))
    );
    let beinet = banks::import(
        dir.path(),
        &root.join("youbl-Beinet.cn.DrivingTest"),
        &"beinet".parse().unwrap(),
        "auto",
    )
    .await
    .unwrap();
    assert!(beinet.questions > 900, "{}", beinet.report);
}
