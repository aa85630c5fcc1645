//! The JSON Lines bank format: one question per line, UTF-8.
//!
//! ```json
//! {"id": "km1-1.029", "subject": 1, "chapter_code": "1", "chapter_name": "道路交通安全法律、法规和规章",
//!  "type": "single", "stem": "驾驶这种机动车上路行驶属于什么行为？",
//!  "options": [{"key":"A","text":"违规行为"}, ...], "answer": ["C"], "media": "km1image/1.029.jpg"}
//! ```
//!
//! Fields: `id` (text or number), `subject` (1 = 科目一, 4 = 安全文明驾驶常识), `chapter_code` and
//! `chapter_name` (optional; questions without a chapter go to chapter [`NO_CHAPTER`]), `type`
//! (`judge`, `single`, `multi`), `stem`, `options` (`key`, `text`), `answer` (option keys),
//! `media` (a path, a list of at most one path, or null), `option_media` (one picture per option),
//! `explanation`. The project's own bank adds `stem_en`, `text_en` on options and `explanation_en`.
//! Unknown fields are ignored.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{LineError, RecordError};
use crate::bank::{AnswerSet, Choice, MediaRef, Question, QuestionKind, TheoryExam};
use crate::ids::{ChapterId, OptionKey, QuestionId};

/// The chapter of questions whose record names none.
pub const NO_CHAPTER: &str = "none";

/// What a JSON Lines text held.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The questions that could be read, in file order.
    pub questions: Vec<Question>,
    /// Chapter titles seen (the first title given for each chapter).
    pub chapters: BTreeMap<ChapterId, String>,
    /// The lines that could not be read.
    pub errors: Vec<LineError>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IdField {
    Text(String),
    Number(i64),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum MediaField {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct OptionRow {
    key: String,
    text: String,
    #[serde(default)]
    text_en: Option<String>,
}

/// The wire shape of one line. Kept apart from [`Question`] on purpose.
#[derive(Deserialize)]
struct Row {
    id: IdField,
    subject: i64,
    #[serde(default)]
    chapter_code: Option<String>,
    #[serde(default)]
    chapter_name: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    stem: String,
    #[serde(default)]
    stem_en: Option<String>,
    options: Vec<OptionRow>,
    answer: Vec<String>,
    #[serde(default)]
    media: Option<MediaField>,
    #[serde(default)]
    option_media: Option<Vec<String>>,
    #[serde(default)]
    explanation: Option<String>,
}

/// The question kind for a `type` field value.
pub fn kind_from_name(name: &str) -> Result<QuestionKind, RecordError> {
    match name {
        "judge" | "truefalse" | "true_false" => Ok(QuestionKind::TrueFalse),
        "single" => Ok(QuestionKind::Single),
        "multi" | "multiple" => Ok(QuestionKind::Multi),
        other => Err(RecordError::UnknownKind(other.to_owned())),
    }
}

/// The theory test for a `subject` field value: 1 is 科目一, 3 or 4 is 安全文明驾驶常识.
pub fn exam_from_subject(subject: i64) -> Result<TheoryExam, RecordError> {
    match subject {
        1 => Ok(TheoryExam::Subject1),
        3 | 4 => Ok(TheoryExam::SafetyTheory),
        other => Err(RecordError::UnknownSubject(other)),
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

fn question_from_row(row: Row) -> Result<(Question, Option<(ChapterId, String)>), RecordError> {
    let id: QuestionId = match row.id {
        IdField::Text(s) => s.parse()?,
        IdField::Number(n) => n.to_string().parse()?,
    };
    let exam = exam_from_subject(row.subject)?;
    let kind = kind_from_name(&row.kind)?;
    let chapter: ChapterId = match &row.chapter_code {
        Some(c) if !c.trim().is_empty() => c.trim().parse()?,
        _ => NO_CHAPTER.parse()?,
    };
    let media = match row.media {
        None => None,
        Some(MediaField::One(p)) => Some(MediaRef::new(p)),
        Some(MediaField::Many(v)) if v.len() > 1 => return Err(RecordError::TooManyMedia(v.len())),
        Some(MediaField::Many(v)) => v.into_iter().next().map(MediaRef::new),
    };
    let option_media = row.option_media.unwrap_or_default();
    if option_media.len() > row.options.len() {
        return Err(RecordError::OptionMediaCount {
            media: option_media.len(),
            options: row.options.len(),
        });
    }
    if row.options.len() > OptionKey::MAX {
        return Err(RecordError::TooManyOptions(row.options.len()));
    }
    let mut option_media = option_media.into_iter();
    let options = row
        .options
        .into_iter()
        .map(|o| {
            Ok(Choice {
                key: o.key.trim().parse()?,
                text_zh: o.text,
                text_en: non_empty(o.text_en),
                media: option_media.next().map(MediaRef::new),
            })
        })
        .collect::<Result<Vec<_>, RecordError>>()?;
    let answer = AnswerSet::new(
        row.answer
            .iter()
            .map(|k| k.trim().parse::<OptionKey>())
            .collect::<Result<Vec<_>, _>>()?,
    );
    let title = row
        .chapter_name
        .filter(|_| row.chapter_code.is_some())
        .map(|n| (chapter.clone(), n));
    let q = Question {
        id,
        exam,
        kind,
        chapter,
        stem_zh: row.stem,
        stem_en: non_empty(row.stem_en),
        options,
        answer,
        media,
        explanation: non_empty(row.explanation),
    };
    Ok((q, title))
}

/// Parse one line into a question (and the chapter title it names, if any).
pub fn parse_line(line: &str) -> Result<(Question, Option<(ChapterId, String)>), RecordError> {
    let row: Row = serde_json::from_str(line).map_err(|e| RecordError::Json(e.to_string()))?;
    question_from_row(row)
}

/// Parse a whole JSON Lines text. Blank lines are skipped; bad lines are listed, not fatal.
pub fn parse(text: &str) -> Parsed {
    let mut out = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line) {
            Ok((q, title)) => {
                if let Some((c, name)) = title {
                    out.chapters.entry(c).or_insert(name);
                }
                out.questions.push(q);
            }
            Err(error) => out.errors.push(LineError { line: i + 1, error }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SINGLE: &str = r#"{"id": "km1-1.029", "subject": 1, "chapter_code": "1", "chapter_name": "道路交通安全法律、法规和规章", "type": "single", "stem": "驾驶这种机动车上路行驶属于什么行为？", "options": [{"key": "A", "text": "违规行为"}, {"key": "B", "text": "违章行为"}, {"key": "C", "text": "违法行为"}, {"key": "D", "text": "犯罪行为"}], "answer": ["C"], "media": "km1image/1.029.jpg"}"#;
    const BEINET: &str = r#"{"id": 29, "subject": 1, "type": "judge", "stem": "s", "options": [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}], "answer": ["A"], "explanation": "e", "media": ["jk/29.jpg"]}"#;

    #[test]
    fn reads_a_single_choice_line() {
        let (q, title) = parse_line(SINGLE).unwrap();
        assert_eq!(q.id.as_str(), "km1-1.029");
        assert_eq!(q.exam, TheoryExam::Subject1);
        assert_eq!(q.kind, QuestionKind::Single);
        assert_eq!(q.options.len(), 4);
        assert_eq!(q.answer, AnswerSet::one("C".parse().unwrap()));
        assert_eq!(q.media, Some(MediaRef::new("km1image/1.029.jpg")));
        assert_eq!(title.unwrap().1, "道路交通安全法律、法规和规章");
    }

    #[test]
    fn reads_numeric_ids_media_lists_and_no_chapter() {
        let (q, title) = parse_line(BEINET).unwrap();
        assert_eq!(q.id.as_str(), "29");
        assert_eq!(q.kind, QuestionKind::TrueFalse);
        assert_eq!(q.chapter.as_str(), NO_CHAPTER);
        assert_eq!(q.explanation.as_deref(), Some("e"));
        assert_eq!(q.media.unwrap().path, "jk/29.jpg");
        assert!(title.is_none());
    }

    #[test]
    fn gif_media_is_an_animation() {
        assert_eq!(
            MediaRef::new("km4image/39.001.gif").kind,
            crate::MediaKind::Animation
        );
        assert_eq!(MediaRef::new("a.JPG").kind, crate::MediaKind::Image);
    }

    #[test]
    fn option_media_attaches_to_options_in_order() {
        let line = SINGLE.replace(
            r#""media": "km1image/1.029.jpg""#,
            r#""media": null, "option_media": ["a.jpg", "b.jpg", "c.jpg", "d.jpg"]"#,
        );
        let (q, _) = parse_line(&line).unwrap();
        assert_eq!(q.options[3].media.as_ref().unwrap().path, "d.jpg");
    }

    #[test]
    fn bad_lines_are_listed_with_their_number() {
        let text = format!(
            "{SINGLE}\n\nnot json\n{}\n",
            SINGLE.replace("\"single\"", "\"essay\"")
        );
        let p = parse(&text);
        assert_eq!(p.questions.len(), 1);
        assert_eq!(p.errors.len(), 2);
        assert_eq!(p.errors[0].line, 3);
        assert!(matches!(p.errors[0].error, RecordError::Json(_)));
        assert_eq!(p.errors[1].error, RecordError::UnknownKind("essay".into()));
        assert!(p.errors[1].to_string().contains("line 4"));
    }

    #[test]
    fn unknown_subject_and_bad_keys_are_refused() {
        assert_eq!(
            parse_line(&SINGLE.replace("\"subject\": 1", "\"subject\": 2")).unwrap_err(),
            RecordError::UnknownSubject(2)
        );
        assert!(matches!(
            parse_line(&SINGLE.replace("[\"C\"]", "[\"Z\"]")).unwrap_err(),
            RecordError::Id(crate::IdError::OptionKey(_))
        ));
    }
}
