//! The per-question text files of the Beinet bank (`jk/<id>.txt`), already decoded to UTF-8.
//!
//! The files are GBK on disk; the caller decodes them (e.g. with `encoding_rs::GBK`) and hands
//! the text to [`parse_question`]. Fields are separated by lines of `=` signs:
//!
//! ```text
//! stem
//! ======================
//! image list, e.g. "29.jpg," (may be empty)
//! ======================
//! answer digit(s), 1 = A
//! ======================
//! explanation
//! ======================
//! option A  ... option D  (all empty: a true/false question, 1 = 正确, 2 = 错误)
//! ```
//!
//! Every question is Subject 1; the bank has no chapters ([`super::jsonl::NO_CHAPTER`]).

use super::RecordError;
use crate::bank::{AnswerSet, Choice, MediaRef, Question, QuestionKind, TheoryExam};
use crate::ids::OptionKey;

fn is_separator(line: &str) -> bool {
    let l = line.trim();
    l.len() >= 10 && l.chars().all(|c| c == '=')
}

/// Parse one file. `id` is the file's stem (`29` for `29.txt`); `media_dir` is the folder the
/// pictures are in, relative to the bank folder (`jk`).
pub fn parse_question(id: &str, text: &str, media_dir: &str) -> Result<Question, RecordError> {
    let mut fields: Vec<String> = vec![String::new()];
    for line in text.lines() {
        if is_separator(line) {
            fields.push(String::new());
        } else {
            let f = fields.last_mut().expect("never empty");
            if !f.is_empty() {
                f.push('\n');
            }
            f.push_str(line);
        }
    }
    if fields.len() < 4 {
        return Err(RecordError::MissingFields(fields.len()));
    }
    let field = |i: usize| fields.get(i).map(|s| s.trim()).unwrap_or("");
    let images: Vec<&str> = field(1)
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if images.len() > 1 {
        return Err(RecordError::TooManyMedia(images.len()));
    }
    let mut keys = Vec::new();
    for d in field(2).chars() {
        let key = d
            .to_digit(10)
            .and_then(|n| (n as usize).checked_sub(1))
            .and_then(OptionKey::from_index)
            .ok_or_else(|| RecordError::BadAnswer(field(2).to_owned()))?;
        keys.push(key);
    }
    let texts: Vec<&str> = (4..fields.len())
        .map(field)
        .filter(|t| !t.is_empty())
        .collect();
    let (kind, texts) = if texts.is_empty() {
        (QuestionKind::TrueFalse, vec!["正确", "错误"])
    } else if keys.len() > 1 {
        (QuestionKind::Multi, texts)
    } else {
        (QuestionKind::Single, texts)
    };
    if texts.len() > OptionKey::MAX {
        return Err(RecordError::TooManyOptions(texts.len()));
    }
    let options = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Choice {
            key: OptionKey::from_index(i).expect("checked above"),
            text_zh: (*t).to_owned(),
            text_en: None,
            media: None,
        })
        .collect();
    let explanation = Some(field(3).to_owned()).filter(|s| !s.is_empty());
    Ok(Question {
        id: id.parse()?,
        exam: TheoryExam::Subject1,
        kind,
        chapter: super::jsonl::NO_CHAPTER.parse()?,
        stem_zh: field(0).to_owned(),
        stem_en: None,
        options,
        answer: AnswerSet::new(keys),
        media: images
            .first()
            .map(|f| MediaRef::new(format!("{media_dir}/{f}"))),
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rustfmt::skip]
    const SINGLE: &str = concat!(
        "驾驶这种机动车上路行驶属于什么行为？\n",  // stem
        "======================\n",
        "29.jpg,\n",                            // image list
        "======================\n",
        "3\n",                                  // answer: C
        "======================\n",
        "遮挡号牌属于违法行为。\n",                // explanation
        "======================\n",
        "违规行为\n",                            // A
        "======================\n",
        "违章行为\n",                            // B
        "======================\n",
        "违法行为\n",                            // C
        "======================\n",
        "犯罪行为\n",                            // D
    );

    #[rustfmt::skip]
    const JUDGE: &str = concat!(
        "驾驶机动车上道路行驶,不允许超过限速标志标明的最高时速。\n",
        "======================\n",
        "\n",                                   // no image
        "======================\n",
        "1\n",                                  // 1 = 正确
        "======================\n",
        "这个没问题。\n",
        "======================\n",
        "\n",                                   // options empty: true/false
        "======================\n",
        "\n",
    );

    #[test]
    fn single_choice_file() {
        let q = parse_question("29", SINGLE, "jk").unwrap();
        assert_eq!(
            (q.id.as_str(), q.kind, q.exam),
            ("29", QuestionKind::Single, TheoryExam::Subject1)
        );
        assert_eq!(q.answer.to_string(), "C");
        assert_eq!(q.options[2].text_zh, "违法行为");
        assert_eq!(q.media.unwrap().path, "jk/29.jpg");
        assert_eq!(q.explanation.as_deref(), Some("遮挡号牌属于违法行为。"));
    }

    #[test]
    fn empty_options_make_a_true_false_question() {
        let q = parse_question("100", JUDGE, "jk").unwrap();
        assert_eq!(q.kind, QuestionKind::TrueFalse);
        let texts: Vec<&str> = q.options.iter().map(|c| c.text_zh.as_str()).collect();
        assert_eq!(texts, ["正确", "错误"]);
        assert_eq!(q.answer.to_string(), "A");
        assert!(q.media.is_none());
    }

    #[test]
    fn a_file_without_separators_is_refused() {
        assert_eq!(
            parse_question("1", "只有题干", "jk").unwrap_err(),
            RecordError::MissingFields(1)
        );
    }
}
