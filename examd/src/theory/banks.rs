//! Imported question banks on disk: `<data_dir>/banks/<bank-id>/<version>/`.
//!
//! A version folder holds `bank.jsonl` (the bank normalized to the JSON Lines format of
//! `theory::import::jsonl`, only questions without validation errors), the media files it refers to
//! (same relative paths), and `report.txt` (the validator's report of the source).
//! The version is the SHA-256 of the normalized text and every media file (path and bytes): the same
//! source imports to the same version, and a version folder never changes once written.
//! `<data_dir>/banks/<bank-id>/CURRENT` names the version new sittings use.
//!
//! Files rather than database tables, because a bank is an immutable document with binary media
//! beside it: the folder can be copied, diffed and checked with ordinary tools, and both database
//! backends stay free of bulky blobs. The audit log names the version (hash) each paper came from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Serialize;
use theory::{Bank, BankId, BankVersion, ChapterId, Question, QuestionKind, TheoryExam};

/// The folder of all banks.
pub fn banks_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("banks")
}

/// A bank read from a source, before it is installed.
#[derive(Debug)]
pub struct Source {
    /// The questions and chapters.
    pub bank: Bank,
    /// The folder media paths are relative to.
    pub media_root: PathBuf,
    /// Lines or rows that could not be read at all.
    pub record_errors: Vec<String>,
}

/// A bank as loaded by the daemon.
#[derive(Debug, Clone)]
pub struct Installed {
    /// The bank (its `BankVersion` is the first 32 bits of the version hash).
    pub bank: std::sync::Arc<Bank>,
    /// The version folder's name (16 hex digits of the hash).
    pub version: String,
    /// The version folder.
    pub dir: PathBuf,
}

/// What `import` did.
#[derive(Debug)]
pub struct Imported {
    /// The bank id.
    pub id: BankId,
    /// The version folder's name.
    pub version: String,
    /// Whether that version existed already.
    pub unchanged: bool,
    /// Questions installed.
    pub questions: usize,
    /// Questions left out for validation errors.
    pub excluded: usize,
    /// Media files copied.
    pub media: usize,
    /// The validator's report (Chinese, then English).
    pub report: String,
}

#[derive(Serialize)]
struct OptionOut<'a> {
    key: String,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text_en: Option<&'a str>,
}

#[derive(Serialize)]
struct LineOut<'a> {
    id: &'a str,
    subject: u8,
    chapter_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    chapter_name: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
    stem: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    stem_en: Option<&'a str>,
    options: Vec<OptionOut<'a>>,
    answer: Vec<String>,
    media: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    option_media: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<&'a str>,
}

fn kind_name(k: QuestionKind) -> &'static str {
    match k {
        QuestionKind::TrueFalse => "judge",
        QuestionKind::Single => "single",
        QuestionKind::Multi => "multi",
    }
}

/// One question as a JSON Lines record that `theory::import::jsonl` reads back to the same question.
fn line_of(q: &Question, chapters: &BTreeMap<ChapterId, String>) -> String {
    let line = LineOut {
        id: q.id.as_str(),
        subject: match q.exam {
            TheoryExam::Subject1 => 1,
            TheoryExam::SafetyTheory => 4,
        },
        chapter_code: q.chapter.as_str(),
        chapter_name: chapters.get(&q.chapter).map(String::as_str),
        kind: kind_name(q.kind),
        stem: &q.stem_zh,
        stem_en: q.stem_en.as_deref(),
        options: q
            .options
            .iter()
            .map(|c| OptionOut {
                key: c.key.letter().to_string(),
                text: &c.text_zh,
                text_en: c.text_en.as_deref(),
            })
            .collect(),
        answer: q.answer.keys().map(|k| k.letter().to_string()).collect(),
        media: q.media.as_ref().map(|m| m.path.as_str()),
        option_media: q
            .options
            .iter()
            .filter_map(|c| c.media.as_ref().map(|m| m.path.as_str()))
            .collect(),
        explanation: q.explanation.as_deref(),
    };
    serde_json::to_string(&line).expect("a question serializes")
}

/// Reads a source: a `.jsonl` file, a folder with `bank.jsonl` or `normalized.jsonl`, a SQLite
/// `km1.db`/`km4.db`, or a folder of those (`format` = `auto`, `jsonl` or `sqlite`).
pub async fn read_source(path: &Path, id: &BankId, format: &str) -> anyhow::Result<Source> {
    let jsonl_in = |dir: &Path| {
        ["bank.jsonl", "normalized.jsonl"]
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
    };
    let (is_jsonl, file) = if path.is_file() {
        (
            path.extension().is_some_and(|e| e == "jsonl"),
            path.to_path_buf(),
        )
    } else if path.is_dir() {
        match (format, jsonl_in(path)) {
            ("sqlite", _) | ("auto", None) => (false, path.to_path_buf()),
            (_, Some(f)) => (true, f),
            ("jsonl", None) => bail!("{} holds no bank.jsonl or normalized.jsonl", path.display()),
            (other, None) => bail!("unknown format {other:?} (auto, jsonl or sqlite)"),
        }
    } else {
        bail!("{} does not exist", path.display());
    };
    if is_jsonl {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let parsed = theory::import::jsonl::parse(&text);
        let media_root = file.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Source {
            bank: Bank::new(
                id.clone(),
                BankVersion(0),
                parsed.chapters,
                parsed.questions,
            ),
            media_root,
            record_errors: parsed.errors.iter().map(ToString::to_string).collect(),
        })
    } else {
        super::sqlite_import::read(&file, id).await
    }
}

/// The validator's report of a source, with the records that could not be read at all.
pub fn validate(src: &Source) -> (theory::Report, String) {
    let report = theory::validate(&src.bank, |p| src.media_root.join(p).is_file());
    let mut text = String::new();
    if !src.record_errors.is_empty() {
        text.push_str(&format!(
            "{} 条记录无法读取 / {} records could not be read:\n",
            src.record_errors.len(),
            src.record_errors.len()
        ));
        for e in src.record_errors.iter().take(50) {
            text.push_str(&format!("  {e}\n"));
        }
    }
    text.push_str(&report.to_string());
    (report, text)
}

/// Imports a source as a new version of bank `id` under `data_dir`, leaving out questions with
/// validation errors, and makes it the current version.
pub async fn import(
    data_dir: &Path,
    source: &Path,
    id: &BankId,
    format: &str,
) -> anyhow::Result<Imported> {
    let src = read_source(source, id, format).await?;
    let (report, report_text) = validate(&src);
    let bad: BTreeSet<_> = report
        .questions_with_errors()
        .into_iter()
        .cloned()
        .collect();
    let keep: Vec<&Question> = src
        .bank
        .questions()
        .iter()
        .filter(|q| !bad.contains(&q.id))
        .collect();
    if keep.is_empty() {
        bail!("no usable question in {}:\n{report_text}", source.display());
    }
    let mut text = String::new();
    for q in &keep {
        text.push_str(&line_of(q, src.bank.chapters()));
        text.push('\n');
    }
    let media: BTreeSet<&str> = keep
        .iter()
        .flat_map(|q| q.media_refs().map(|m| m.path.as_str()))
        .collect();
    let mut parts: Vec<Vec<u8>> = vec![text.as_bytes().to_vec()];
    for p in &media {
        let bytes =
            std::fs::read(src.media_root.join(p)).with_context(|| format!("reading media {p}"))?;
        parts.push(p.as_bytes().to_vec());
        parts.push(bytes);
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let version = audit::sha256(&refs).to_hex()[..16].to_owned();
    let bank_dir = banks_dir(data_dir).join(id.as_str());
    let dir = bank_dir.join(&version);
    let unchanged = dir.join("bank.jsonl").is_file();
    if !unchanged {
        let tmp = bank_dir.join(format!(".{version}.tmp"));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        for (p, chunk) in media.iter().zip(parts[1..].chunks(2)) {
            let to = tmp.join(p);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&to, &chunk[1])?;
        }
        std::fs::write(tmp.join("report.txt"), &report_text)?;
        std::fs::write(tmp.join("bank.jsonl"), &text)?;
        std::fs::rename(&tmp, &dir).with_context(|| format!("installing {}", dir.display()))?;
    }
    let cur_tmp = bank_dir.join(".CURRENT.tmp");
    std::fs::write(&cur_tmp, format!("{version}\n"))?;
    std::fs::rename(&cur_tmp, bank_dir.join("CURRENT"))?;
    Ok(Imported {
        id: id.clone(),
        version,
        unchanged,
        questions: keep.len(),
        excluded: src.bank.questions().len() - keep.len(),
        media: media.len(),
        report: report_text,
    })
}

/// The `BankVersion` of a version folder name (its first 32 bits).
pub fn bank_version(version: &str) -> anyhow::Result<BankVersion> {
    let v = version
        .get(..8)
        .and_then(|h| u32::from_str_radix(h, 16).ok());
    v.map(BankVersion)
        .with_context(|| format!("{version:?} is not a bank version"))
}

/// Loads one installed version.
pub fn load(data_dir: &Path, id: &BankId, version: &str) -> anyhow::Result<Installed> {
    let dir = banks_dir(data_dir).join(id.as_str()).join(version);
    let path = dir.join("bank.jsonl");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let parsed = theory::import::jsonl::parse(&text);
    if let Some(e) = parsed.errors.first() {
        bail!("{} is damaged: {e}", path.display());
    }
    let bank = Bank::new(
        id.clone(),
        bank_version(version)?,
        parsed.chapters,
        parsed.questions,
    );
    Ok(Installed {
        bank: std::sync::Arc::new(bank),
        version: version.to_owned(),
        dir,
    })
}

/// Every bank's current version: (id, version folder name).
pub fn current_versions(data_dir: &Path) -> anyhow::Result<Vec<(BankId, String)>> {
    let root = banks_dir(data_dir);
    let Ok(entries) = std::fs::read_dir(&root) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for e in entries {
        let e = e?;
        let Ok(id) = e.file_name().to_string_lossy().parse::<BankId>() else {
            continue;
        };
        if let Ok(v) = std::fs::read_to_string(e.path().join("CURRENT")) {
            out.push((id, v.trim().to_owned()));
        }
    }
    out.sort();
    Ok(out)
}
