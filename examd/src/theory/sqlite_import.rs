//! Reading the SQLite banks (`km1.db`, `km4.db`: table `tbl_question`) with sqlx, read-only.
//!
//! This module is the only place examd reads a foreign SQLite file; the row mapping is
//! `theory::import::umeit` (pure). Media sit in `<stem>image/` beside each `.db` file.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{Connection, Row, SqliteConnection};
use theory::import::umeit::{self, UmeitMedia, UmeitRow};
use theory::{Bank, BankId, BankVersion, TheoryExam};

use super::banks::Source;

/// Reads one `.db` file, or every `km1.db`/`km4.db` in a folder, into one bank.
pub async fn read(path: &Path, id: &BankId) -> anyhow::Result<Source> {
    let (root, files) = if path.is_dir() {
        let files: Vec<_> = ["km1.db", "km4.db"]
            .iter()
            .map(|n| path.join(n))
            .filter(|p| p.is_file())
            .collect();
        (path.to_path_buf(), files)
    } else {
        (
            path.parent().map(Path::to_path_buf).unwrap_or_default(),
            vec![path.to_path_buf()],
        )
    };
    if files.is_empty() {
        bail!("{} holds no km1.db or km4.db", path.display());
    }
    let mut chapters = BTreeMap::new();
    let mut questions = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("km1")
            .to_owned();
        let exam = if stem.contains('4') {
            TheoryExam::SafetyTheory
        } else {
            TheoryExam::Subject1
        };
        let opts = SqliteConnectOptions::new()
            .filename(&file)
            .read_only(true)
            .immutable(true);
        let mut conn = SqliteConnection::connect_with(&opts)
            .await
            .with_context(|| format!("opening {}", file.display()))?;
        let rows = sqlx::query(
            "SELECT c_index, answer, name, answer_a, answer_b, answer_c, answer_d FROM tbl_question ORDER BY id",
        )
        .fetch_all(&mut conn)
        .await
        .with_context(|| format!("reading tbl_question of {}", file.display()))?;
        let image_dir = format!("{stem}image");
        for (n, row) in rows.iter().enumerate() {
            let text = |i: usize| row.try_get::<Option<String>, _>(i).ok().flatten();
            let cols: Vec<Option<String>> = (0..7).map(text).collect();
            let r = UmeitRow {
                c_index: cols[0].as_deref().unwrap_or(""),
                answer: cols[1].as_deref().unwrap_or(""),
                name: cols[2].as_deref().unwrap_or(""),
                options: [
                    cols[3].as_deref(),
                    cols[4].as_deref(),
                    cols[5].as_deref(),
                    cols[6].as_deref(),
                ],
            };
            let c = umeit::c_index(&r);
            let question = umeit::media_candidates(&image_dir, c)
                .into_iter()
                .find(|p| root.join(p).is_file());
            let opt: Vec<String> = umeit::option_media_candidates(&image_dir, c)
                .into_iter()
                .collect();
            let options = if opt.iter().all(|p| root.join(p).is_file()) {
                opt
            } else {
                Vec::new()
            };
            match umeit::question_from_row(&r, exam, &stem, UmeitMedia { question, options }) {
                Ok(q) => questions.push(q),
                Err(e) => errors.push(format!("{stem} 第 {} 行 / row {}: {e}", n + 1, n + 1)),
            }
        }
        let rows = sqlx::query("SELECT * FROM tbl_chapter_name")
            .fetch_all(&mut conn)
            .await?;
        for row in &rows {
            let get = |a: &str, b: &str| -> Option<String> {
                let r: &SqliteRow = row;
                r.try_get::<Option<String>, _>(a)
                    .ok()
                    .flatten()
                    .or_else(|| r.try_get::<Option<String>, _>(b).ok().flatten())
            };
            if let (Some(num), Some(name)) = (
                get("chapter_num", "chapterNum"),
                get("chapter_name", "chapterName"),
            ) && let Some((cid, title)) = umeit::chapter_from_row(&num, &name)
            {
                chapters.insert(cid, title);
            }
        }
        conn.close().await?;
    }
    Ok(Source {
        bank: Bank::new(id.clone(), BankVersion(0), chapters, questions),
        media_root: root,
        record_errors: errors,
    })
}
