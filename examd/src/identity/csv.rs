//! Rosters as CSV, for `examd roster import --file f.csv`: a header row, then one candidate per row.
//!
//! Columns (by header name, any order): `id` and `name` (required), `seat` and `subject` (optional), and
//! `templates` (optional): records separated by `;` or spaces, each either hex of an ISO/IEC 19794-2 (or ANSI 378)
//! record or the path of a record file (anything with a `.` or `/`), relative to the CSV file's folder.
//! Examiners are not part of a CSV roster; enrol them with `/api/v1/identity/enroll`.

use std::path::Path;

use super::error::IdentityError;
use super::roster::{CandidateImport, CheckedTemplate, RosterImport, check_template};

fn invalid(msg: String) -> IdentityError {
    IdentityError::Invalid(msg)
}

/// Reads a CSV roster for `sitting`; template files are looked up relative to `base`. Errors name the line.
pub fn parse(sitting: &str, text: &[u8], base: &Path) -> Result<RosterImport, IdentityError> {
    let sitting = sitting
        .parse()
        .map_err(|e| invalid(format!("sitting {sitting:?}: {e}")))?;
    let mut rd = ::csv::ReaderBuilder::new()
        .trim(::csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text);
    let headers = rd
        .headers()
        .map_err(|e| invalid(format!("CSV header: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(id_col), Some(name_col)) = (col("id"), col("name")) else {
        return Err(invalid(format!(
            "CSV header must name the columns id and name (and optionally seat, subject, templates); got {:?}",
            headers.iter().collect::<Vec<_>>()
        )));
    };
    let (seat_col, subject_col, templates_col) = (col("seat"), col("subject"), col("templates"));
    let known = ["id", "name", "seat", "subject", "templates"];
    if let Some(h) = headers
        .iter()
        .find(|h| !known.iter().any(|k| h.eq_ignore_ascii_case(k)))
    {
        return Err(invalid(format!("CSV header: unknown column {h:?}")));
    }
    let mut candidates = Vec::new();
    for (n, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| invalid(format!("CSV: {e}")))?;
        let line = rec.position().map_or(n as u64 + 2, |p| p.line());
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").to_owned();
        let id_text = get(Some(id_col));
        let id = id_text
            .parse()
            .map_err(|e| invalid(format!("line {line}: id {id_text:?}: {e}")))?;
        let name = get(Some(name_col));
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid(format!(
                "line {line}: a name has 1 to 100 characters"
            )));
        }
        let seat_text = get(seat_col);
        let seat = (!seat_text.is_empty())
            .then(|| seat_text.parse())
            .transpose()
            .map_err(|e| invalid(format!("line {line}: seat {seat_text:?}: {e}")))?;
        let subject = Some(get(subject_col)).filter(|s| !s.is_empty());
        let owner = format!("line {line}: candidate {id}");
        let templates = get(templates_col)
            .split([';', ' '])
            .filter(|t| !t.is_empty())
            .enumerate()
            .map(|(i, t)| record(&owner, i, t, base))
            .collect::<Result<Vec<CheckedTemplate>, _>>()?;
        candidates.push(CandidateImport {
            id,
            name,
            seat,
            subject,
            templates,
        });
    }
    RosterImport {
        sitting,
        candidates,
        examiners: Vec::new(),
    }
    .checked()
}

fn record(
    owner: &str,
    index: usize,
    token: &str,
    base: &Path,
) -> Result<CheckedTemplate, IdentityError> {
    let bytes = if token.contains(['.', '/']) {
        let path = base.join(token);
        std::fs::read(&path).map_err(|e| IdentityError::BadTemplate {
            owner: owner.to_owned(),
            index,
            detail: format!("reading {}: {e}", path.display()),
        })?
    } else {
        hex::decode(token).map_err(|e| IdentityError::BadTemplate {
            owner: owner.to_owned(),
            index,
            detail: format!("not hex (and not a file name): {e}"),
        })?
    };
    check_template(owner, index, bytes)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::gate::synth::iso_impression;

    #[test]
    fn csv_rows_with_hex_and_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c2.iso"), iso_impression(2, 0)).unwrap();
        let text = format!(
            "id,name,seat,templates\n# a comment\nc1,张三,H1-001,{}\nc2,李四,,c2.iso\nc3,王五,,\n",
            hex::encode(iso_impression(1, 0))
        );
        let r = parse("am", text.as_bytes(), dir.path()).unwrap();
        let got: Vec<_> = r
            .candidates
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    c.name.as_str(),
                    c.seat.is_some(),
                    c.templates.len(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("c1", "张三", true, 1),
                ("c2", "李四", false, 1),
                ("c3", "王五", false, 0)
            ]
        );
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let e = parse("am", b"id,name,templates\nc1,A,missing.iso\n", dir.path()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("line 2: candidate c1: template 0: reading"),
            "{e}"
        );
        let e = parse("am", b"id,name,templates\nc1,A,zz\n", dir.path()).unwrap_err();
        assert!(e.to_string().contains("not hex"), "{e}");
        let e = parse("am", b"id,name\nc1,A\nc 2,B\n", dir.path()).unwrap_err();
        assert!(e.to_string().starts_with("line 3: id \"c 2\""), "{e}");
        let e = parse("am", b"name,seat\nA,1\n", dir.path()).unwrap_err();
        assert!(
            e.to_string().contains("must name the columns id and name"),
            "{e}"
        );
        let e = parse("am", b"id,name,colour\nc1,A,red\n", dir.path()).unwrap_err();
        assert!(e.to_string().contains("unknown column \"colour\""), "{e}");
        let e = parse("am", b"id,name\nc1,A,extra\n", dir.path()).unwrap_err();
        assert!(e.to_string().starts_with("CSV: "), "{e}");
    }
    /// One generated roster row: id, name, whether it has a seat.
    fn row() -> impl Strategy<Value = (String, String, bool)> {
        (
            "[a-z][a-z0-9_-]{0,15}",
            "[A-Za-z\u{4e00}-\u{9fa5}]([A-Za-z \u{4e00}-\u{9fa5}]{0,30}[A-Za-z\u{4e00}-\u{9fa5}])?",
            any::<bool>(),
        )
    }

    proptest! {
        /// Rows written by the `csv` crate (LF or CRLF, with or without a UTF-8 BOM) read back as written.
        #[test]
        fn written_rows_read_back(
            rows in proptest::collection::btree_map("[a-z][a-z0-9_-]{0,15}", row(), 1..12),
            crlf in any::<bool>(),
            bom in any::<bool>(),
        ) {
            let rows: Vec<_> = rows
                .into_iter()
                .enumerate()
                .map(|(i, (id, (_, name, seat)))| (id, name, seat.then(|| format!("H1-{:03}", i + 1))))
                .collect();
            let mut w = ::csv::WriterBuilder::new()
                .terminator(if crlf { ::csv::Terminator::CRLF } else { ::csv::Terminator::Any(b'\n') })
                .from_writer(Vec::new());
            w.write_record(["id", "name", "seat"]).unwrap();
            for (id, name, seat) in &rows {
                w.write_record([id.as_str(), name.as_str(), seat.as_deref().unwrap_or("")]).unwrap();
            }
            let mut text = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            text.extend(w.into_inner().unwrap());
            let r = parse("am", &text, Path::new(".")).unwrap();
            let got: Vec<_> = r
                .candidates
                .iter()
                .map(|c| (c.id.to_string(), c.name.clone(), c.seat.as_ref().map(|s| s.to_string())))
                .collect();
            prop_assert_eq!(got, rows);
        }

        /// Arbitrary bytes never panic; a refusal says where or what (a line, the header, the CSV reader's
        /// position, or the candidate or field concerned).
        #[test]
        fn arbitrary_bytes_are_refused_by_name(text in proptest::collection::vec(any::<u8>(), 0..200)) {
            let dir = tempfile::tempdir().unwrap();
            if let Err(e) = parse("am", &text, dir.path()) {
                let m = e.to_string();
                prop_assert!(
                    m.starts_with("line ") || m.starts_with("CSV") || m.starts_with("sitting") || m.contains("candidate") || m.contains("seat"),
                    "{}", m
                );
            }
        }
    }

    /// GBK text is not read as UTF-8: the refusal names the line (rosters are UTF-8, as the format says).
    #[test]
    fn gbk_text_is_refused_naming_the_line() {
        // "张三" in GBK.
        let e = parse("am", b"id,name\nc1,\xD5\xC5\xC8\xFD\n", Path::new(".")).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
