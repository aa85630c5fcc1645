//! Rows of the SQLite banks `km1.db` / `km4.db` (table `tbl_question`) mapped to questions.
//!
//! The daemon runs `SELECT c_index, answer, name, answer_a, answer_b, answer_c, answer_d
//! FROM tbl_question ORDER BY id` and `SELECT chapter_num, chapter_name FROM tbl_chapter_name`
//! (km4 spells the columns `chapterNum`, `chapterName`), looks up which media files exist, and
//! hands the values to [`question_from_row`] and [`chapter_from_row`]. Nothing here touches a file.
//!
//! | column | meaning | becomes |
//! |---|---|---|
//! | `c_index` | `<chapter>.<nnn>`, sometimes with a trailing space | id `<prefix>-<c_index>`, chapter `<chapter>` |
//! | `answer` | digits, `"2"` = B, `"124"` = A+B+D | [`Question::answer`]; two or more digits = multiple choice |
//! | `name` | the question text | [`Question::stem_zh`] |
//! | `answer_a`..`answer_d` | option texts; NULL c/d and 正确/错误 or 对/错 = true/false | [`Question::options`] |
//! | `tbl_chapter_name.chapter_num` | `0.NN` (other prefixes are vehicle-class or local chapters) | chapter id `NN` |

use super::RecordError;
use crate::bank::{AnswerSet, Choice, MediaRef, Question, QuestionKind, TheoryExam};
use crate::ids::{ChapterId, OptionKey};

/// The column values of one `tbl_question` row.
#[derive(Debug, Clone, Copy)]
pub struct UmeitRow<'a> {
    /// `c_index`, e.g. `"1.029"` or `"1.365 "`.
    pub c_index: &'a str,
    /// `answer`, e.g. `"124"`.
    pub answer: &'a str,
    /// `name`: the stem.
    pub name: &'a str,
    /// `answer_a` to `answer_d`; NULL as `None`.
    pub options: [Option<&'a str>; 4],
}

/// The media files the caller found for a row (paths relative to the bank folder).
#[derive(Debug, Clone, Default)]
pub struct UmeitMedia {
    /// The question's picture or animation, if one of [`media_candidates`] exists.
    pub question: Option<String>,
    /// Option pictures, if the files of [`option_media_candidates`] exist (all of them, in order).
    pub options: Vec<String>,
}

/// The trimmed `c_index`.
pub fn c_index<'a>(row: &UmeitRow<'a>) -> &'a str {
    row.c_index.trim()
}

/// The files that may hold a row's picture, in the order to try: `<dir>/<c_index>.jpg`, then
/// `.gif`, each also as `.Jpg`/`.JPG` and `.Gif`/`.GIF` (the km1 snapshot has `4.007.Jpg`).
pub fn media_candidates(image_dir: &str, c_index: &str) -> [String; 6] {
    let c = c_index.trim();
    ["jpg", "Jpg", "JPG", "gif", "Gif", "GIF"].map(|ext| format!("{image_dir}/{c}.{ext}"))
}

/// The files that hold option pictures, when a question's options are pictures: `<c_index>a.jpg` ...
pub fn option_media_candidates(image_dir: &str, c_index: &str) -> [String; 4] {
    let c = c_index.trim();
    ["a", "b", "c", "d"].map(|s| format!("{image_dir}/{c}{s}.jpg"))
}

/// The chapter id and title for a `tbl_chapter_name` row, or `None` for rows that are not
/// chapters of the general bank (`1.0x` vehicle-class and `2.01` local rows).
pub fn chapter_from_row(chapter_num: &str, chapter_name: &str) -> Option<(ChapterId, String)> {
    let n = chapter_num.trim().strip_prefix("0.")?;
    let n = n.trim_start_matches('0');
    let id = n.parse().ok()?;
    Some((id, chapter_name.trim().to_owned()))
}

fn is_true_false(a: &str, b: &str) -> bool {
    matches!((a.trim(), b.trim()), ("正确", "错误") | ("对", "错"))
}

/// Map one row. `id_prefix` names the bank (`km1`, `km4`) so ids read `km1-1.029`.
pub fn question_from_row(
    row: &UmeitRow<'_>,
    exam: TheoryExam,
    id_prefix: &str,
    media: UmeitMedia,
) -> Result<Question, RecordError> {
    let c = c_index(row);
    let id = format!("{id_prefix}-{c}").parse()?;
    let chapter: ChapterId = c.split('.').next().unwrap_or(c).parse()?;
    let texts: Vec<&str> = row
        .options
        .iter()
        .map_while(|o| o.map(str::trim).filter(|t| !t.is_empty()))
        .collect();
    let mut keys = Vec::new();
    for d in row.answer.trim().chars() {
        let key = d
            .to_digit(10)
            .and_then(|n| (n as usize).checked_sub(1))
            .and_then(OptionKey::from_index)
            .ok_or_else(|| RecordError::BadAnswer(row.answer.to_owned()))?;
        keys.push(key);
    }
    let answer = AnswerSet::new(keys);
    let kind = if texts.len() == 2 && is_true_false(texts[0], texts[1]) {
        QuestionKind::TrueFalse
    } else if answer.len() > 1 {
        QuestionKind::Multi
    } else {
        QuestionKind::Single
    };
    if media.options.len() > texts.len() {
        return Err(RecordError::OptionMediaCount {
            media: media.options.len(),
            options: texts.len(),
        });
    }
    let mut option_media = media.options.into_iter();
    let options = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Choice {
            key: OptionKey::from_index(i).expect("at most four columns"),
            text_zh: (*t).to_owned(),
            text_en: None,
            media: option_media.next().map(MediaRef::new),
        })
        .collect();
    Ok(Question {
        id,
        exam,
        kind,
        chapter,
        stem_zh: row.name.trim().to_owned(),
        stem_en: None,
        options,
        answer,
        media: media.question.map(MediaRef::new),
        explanation: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(c: &'a str, answer: &'a str, opts: [Option<&'a str>; 4]) -> UmeitRow<'a> {
        UmeitRow {
            c_index: c,
            answer,
            name: "题干",
            options: opts,
        }
    }

    #[test]
    fn single_choice_row() {
        let r = row(
            "1.001",
            "2",
            [
                Some("违章行为"),
                Some("违法行为 "),
                Some("过失行为"),
                Some("违规行为"),
            ],
        );
        let q = question_from_row(&r, TheoryExam::Subject1, "km1", UmeitMedia::default()).unwrap();
        assert_eq!(q.id.as_str(), "km1-1.001");
        assert_eq!(q.chapter.as_str(), "1");
        assert_eq!(q.kind, QuestionKind::Single);
        assert_eq!(q.answer.to_string(), "B");
        assert_eq!(q.options.len(), 4);
        assert_eq!(q.options[1].text_zh, "违法行为", "texts are trimmed");
    }

    #[test]
    fn true_false_row_with_trailing_space_in_index() {
        let r = row("1.365 ", "1", [Some("对"), Some("错"), None, None]);
        let q = question_from_row(&r, TheoryExam::Subject1, "km1", UmeitMedia::default()).unwrap();
        assert_eq!(q.id.as_str(), "km1-1.365");
        assert_eq!(q.kind, QuestionKind::TrueFalse);
        assert_eq!(q.options.len(), 2);
    }

    #[test]
    fn multi_digit_answer_is_multiple_choice() {
        let r = row(
            "39.009",
            "124",
            [Some("a"), Some("b"), Some("c"), Some("d")],
        );
        let media = UmeitMedia {
            question: Some("km4image/39.009.gif".into()),
            options: vec![],
        };
        let q = question_from_row(&r, TheoryExam::SafetyTheory, "km4", media).unwrap();
        assert_eq!(q.kind, QuestionKind::Multi);
        assert_eq!(q.answer.to_string(), "ABD");
        assert_eq!(q.media.unwrap().kind, crate::MediaKind::Animation);
    }

    #[test]
    fn answer_digits_outside_one_to_eight_are_refused() {
        let r = row("1.001", "0", [Some("a"), Some("b"), None, None]);
        assert_eq!(
            question_from_row(&r, TheoryExam::Subject1, "km1", UmeitMedia::default()).unwrap_err(),
            RecordError::BadAnswer("0".into())
        );
    }

    #[test]
    fn chapter_rows_map_only_general_chapters() {
        assert_eq!(
            chapter_from_row("0.01 ", "道路交通安全法律、法规和规章")
                .unwrap()
                .0
                .as_str(),
            "1"
        );
        assert_eq!(chapter_from_row("0.61", "x").unwrap().0.as_str(), "61");
        assert!(chapter_from_row("1.02 ", "货车专用试题").is_none());
        assert!(chapter_from_row("2.01", "北京市地方交通法规试题").is_none());
    }

    #[test]
    fn media_candidates_try_jpg_then_gif() {
        let c = media_candidates("km4image", "39.001 ");
        assert_eq!(
            (c[0].as_str(), c[3].as_str()),
            ("km4image/39.001.jpg", "km4image/39.001.gif")
        );
        assert!(c.contains(&"km4image/39.001.Jpg".to_owned()));
        assert_eq!(
            option_media_candidates("km1image", "1.441")[3],
            "km1image/1.441d.jpg"
        );
    }
}
