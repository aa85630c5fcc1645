//! The bank validator: every answer is an option, every media file exists, and the shape of
//! each question fits its type. It reports; it never refuses to run.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::bank::{Bank, Question, QuestionKind, TheoryExam};
use crate::ids::{OptionKey, QuestionId};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The question cannot be used in a paper as it is.
    Error,
    /// Worth a look; the question can be used.
    Warning,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Two questions share an id.
    DuplicateId,
    /// The question has no correct answer.
    NoAnswer,
    /// A correct answer key is not among the options.
    AnswerNotAnOption(OptionKey),
    /// Two options share a key.
    DuplicateOptionKey(OptionKey),
    /// A true/false question without exactly two options.
    TrueFalseOptionCount(usize),
    /// A choice question with fewer than two options.
    TooFewOptions(usize),
    /// A true/false or single-choice question with more than one correct answer.
    SingleWithManyAnswers(usize),
    /// A multiple-choice question with only one correct answer.
    MultiWithOneAnswer,
    /// Multiple choice in a Subject 1 bank, where the test has none.
    MultiInSubject1,
    /// The stem is empty.
    EmptyStem,
    /// An option has neither text nor picture.
    EmptyOption(OptionKey),
    /// A media file the question refers to does not exist.
    MediaMissing(String),
    /// The stem speaks of a picture or animation ("这个标志", "如图", "动画") but the question has
    /// none: the candidate could not answer it.
    StemMentionsMissingPicture,
    /// The chapter has no title in the bank's chapter table.
    UnknownChapter,
    /// The same stem and options appear under another id.
    DuplicateOf(QuestionId),
}

impl Problem {
    /// How bad it is.
    pub fn severity(&self) -> Severity {
        match self {
            Problem::MultiWithOneAnswer | Problem::UnknownChapter | Problem::DuplicateOf(_) => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }

    /// A stable name of the kind of problem, for counting and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::DuplicateId => "duplicate-id",
            Problem::NoAnswer => "no-answer",
            Problem::AnswerNotAnOption(_) => "answer-not-an-option",
            Problem::DuplicateOptionKey(_) => "duplicate-option-key",
            Problem::TrueFalseOptionCount(_) => "true-false-option-count",
            Problem::TooFewOptions(_) => "too-few-options",
            Problem::SingleWithManyAnswers(_) => "single-with-many-answers",
            Problem::MultiWithOneAnswer => "multi-with-one-answer",
            Problem::MultiInSubject1 => "multi-in-subject1",
            Problem::EmptyStem => "empty-stem",
            Problem::EmptyOption(_) => "empty-option",
            Problem::MediaMissing(_) => "media-missing",
            Problem::StemMentionsMissingPicture => "stem-mentions-missing-picture",
            Problem::UnknownChapter => "unknown-chapter",
            Problem::DuplicateOf(_) => "duplicate-content",
        }
    }

    /// The message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Problem::DuplicateId => "题号重复".into(),
            Problem::NoAnswer => "没有正确答案".into(),
            Problem::AnswerNotAnOption(k) => format!("答案 {k} 不在选项中"),
            Problem::DuplicateOptionKey(k) => format!("选项 {k} 重复"),
            Problem::TrueFalseOptionCount(n) => format!("判断题应有 2 个选项，实有 {n} 个"),
            Problem::TooFewOptions(n) => format!("选择题至少应有 2 个选项，实有 {n} 个"),
            Problem::SingleWithManyAnswers(n) => {
                format!("判断题或单选题只能有 1 个答案，实有 {n} 个")
            }
            Problem::MultiWithOneAnswer => "多选题只有 1 个正确答案".into(),
            Problem::MultiInSubject1 => "科目一不考多选题".into(),
            Problem::EmptyStem => "题干为空".into(),
            Problem::EmptyOption(k) => format!("选项 {k} 既无文字也无图片"),
            Problem::MediaMissing(p) => format!("媒体文件不存在：{p}"),
            Problem::StemMentionsMissingPicture => "题干提到图片或动画，但题目没有媒体".into(),
            Problem::UnknownChapter => "章节不在章节表中".into(),
            Problem::DuplicateOf(id) => format!("与 {id} 题干和选项相同"),
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        match self {
            Problem::DuplicateId => "the id is used twice".into(),
            Problem::NoAnswer => "no correct answer".into(),
            Problem::AnswerNotAnOption(k) => format!("answer {k} is not an option"),
            Problem::DuplicateOptionKey(k) => format!("option {k} appears twice"),
            Problem::TrueFalseOptionCount(n) => {
                format!("a true/false question needs 2 options, has {n}")
            }
            Problem::TooFewOptions(n) => {
                format!("a choice question needs at least 2 options, has {n}")
            }
            Problem::SingleWithManyAnswers(n) => {
                format!("a true/false or single-choice question has one answer, this has {n}")
            }
            Problem::MultiWithOneAnswer => {
                "a multiple-choice question with only one correct answer".into()
            }
            Problem::MultiInSubject1 => "Subject 1 has no multiple-choice questions".into(),
            Problem::EmptyStem => "the stem is empty".into(),
            Problem::EmptyOption(k) => format!("option {k} has neither text nor picture"),
            Problem::MediaMissing(p) => format!("media file missing: {p}"),
            Problem::StemMentionsMissingPicture => {
                "the stem mentions a picture or animation but the question has no media".into()
            }
            Problem::UnknownChapter => "the chapter is not in the chapter table".into(),
            Problem::DuplicateOf(id) => format!("same stem and options as {id}"),
        }
    }
}

/// One finding about one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The question.
    pub question: QuestionId,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.problem.severity() {
            Severity::Error => "错误 error",
            Severity::Warning => "警告 warning",
        };
        write!(
            f,
            "[{sev}] {}: {} / {}",
            self.question,
            self.problem.zh(),
            self.problem.en()
        )
    }
}

/// The validator's report on one bank.
#[derive(Debug, Clone)]
pub struct Report {
    /// `<bank id> <version>`.
    pub bank: String,
    /// Questions looked at.
    pub questions: usize,
    /// Questions per exam and kind.
    pub counts: Vec<(TheoryExam, QuestionKind, usize)>,
    /// Media files referred to (with repeats).
    pub media_refs: usize,
    /// Everything found, in bank order.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Findings of this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.problem.severity() == severity)
            .count()
    }

    /// No errors (warnings allowed): the bank may be used for papers.
    pub fn is_usable(&self) -> bool {
        self.count(Severity::Error) == 0
    }

    /// The questions with at least one error, to leave out when a bank is imported anyway.
    pub fn questions_with_errors(&self) -> HashSet<&QuestionId> {
        self.findings
            .iter()
            .filter(|f| f.problem.severity() == Severity::Error)
            .map(|f| &f.question)
            .collect()
    }

    /// How many findings of each kind, by [`Problem::code`].
    pub fn tally(&self) -> Vec<(&'static str, usize)> {
        let mut t: Vec<(&'static str, usize)> = Vec::new();
        for f in &self.findings {
            match t.iter_mut().find(|(c, _)| *c == f.problem.code()) {
                Some((_, n)) => *n += 1,
                None => t.push((f.problem.code(), 1)),
            }
        }
        t.sort();
        t
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (e, w) = (self.count(Severity::Error), self.count(Severity::Warning));
        writeln!(
            f,
            "题库 {}：{} 题，媒体引用 {} 个，错误 {e} 项，警告 {w} 项",
            self.bank, self.questions, self.media_refs
        )?;
        writeln!(
            f,
            "bank {}: {} questions, {} media references, {e} errors, {w} warnings",
            self.bank, self.questions, self.media_refs
        )?;
        for (exam, kind, n) in &self.counts {
            writeln!(
                f,
                "  {} {}: {n} / {} {}: {n}",
                exam.zh(),
                kind.zh(),
                exam.en(),
                kind.en()
            )?;
        }
        for (code, n) in self.tally() {
            writeln!(f, "  {code}: {n}")?;
        }
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        if e == 0 {
            write!(f, "结论：可以组卷 / verdict: usable for papers")
        } else {
            write!(
                f,
                "结论：有错误，不能组卷 / verdict: has errors, not usable for papers"
            )
        }
    }
}

const PICTURE_WORDS: [&str; 5] = ["如图", "图中", "动画", "这个标志", "这种标志"];

fn check_question(
    q: &Question,
    bank: &Bank,
    media_exists: &impl Fn(&str) -> bool,
    out: &mut Vec<Problem>,
) {
    if q.stem_zh.trim().is_empty() {
        out.push(Problem::EmptyStem);
    }
    let mut keys = HashSet::new();
    for c in &q.options {
        if !keys.insert(c.key) {
            out.push(Problem::DuplicateOptionKey(c.key));
        }
        if c.text_zh.trim().is_empty() && c.media.is_none() {
            out.push(Problem::EmptyOption(c.key));
        }
    }
    let n = q.options.len();
    match q.kind {
        QuestionKind::TrueFalse if n != 2 => out.push(Problem::TrueFalseOptionCount(n)),
        QuestionKind::Single | QuestionKind::Multi if n < 2 => out.push(Problem::TooFewOptions(n)),
        _ => {}
    }
    if q.answer.is_empty() {
        out.push(Problem::NoAnswer);
    }
    for k in q.answer.keys() {
        if !keys.contains(&k) {
            out.push(Problem::AnswerNotAnOption(k));
        }
    }
    match q.kind {
        QuestionKind::TrueFalse | QuestionKind::Single if q.answer.len() > 1 => {
            out.push(Problem::SingleWithManyAnswers(q.answer.len()));
        }
        QuestionKind::Multi if q.answer.len() == 1 => out.push(Problem::MultiWithOneAnswer),
        _ => {}
    }
    if q.kind == QuestionKind::Multi && q.exam == TheoryExam::Subject1 {
        out.push(Problem::MultiInSubject1);
    }
    for m in q.media_refs() {
        if !media_exists(&m.path) {
            out.push(Problem::MediaMissing(m.path.clone()));
        }
    }
    if q.media.is_none() && PICTURE_WORDS.iter().any(|w| q.stem_zh.contains(w)) {
        out.push(Problem::StemMentionsMissingPicture);
    }
    if !bank.chapters().is_empty() && !bank.chapters().contains_key(&q.chapter) {
        out.push(Problem::UnknownChapter);
    }
}

/// Check every question of `bank`. `media_exists` answers whether a media path (relative to the
/// bank folder) exists; the caller decides how to look.
pub fn validate(bank: &Bank, media_exists: impl Fn(&str) -> bool) -> Report {
    let mut findings = Vec::new();
    let mut ids = HashSet::new();
    let mut seen: HashMap<(&str, Vec<&str>), &QuestionId> = HashMap::new();
    let mut counts: Vec<(TheoryExam, QuestionKind, usize)> = Vec::new();
    let mut media_refs = 0;
    let mut problems = Vec::new();
    for q in bank.questions() {
        problems.clear();
        if !ids.insert(&q.id) {
            problems.push(Problem::DuplicateId);
        }
        check_question(q, bank, &media_exists, &mut problems);
        let sig = (
            q.stem_zh.trim(),
            q.options
                .iter()
                .map(|c| c.text_zh.trim())
                .collect::<Vec<_>>(),
        );
        if q.media.is_none() {
            match seen.get(&sig) {
                Some(first) => problems.push(Problem::DuplicateOf((*first).clone())),
                None => {
                    seen.insert(sig, &q.id);
                }
            }
        }
        media_refs += q.media_refs().count();
        match counts
            .iter_mut()
            .find(|(e, k, _)| *e == q.exam && *k == q.kind)
        {
            Some((_, _, n)) => *n += 1,
            None => counts.push((q.exam, q.kind, 1)),
        }
        findings.extend(problems.drain(..).map(|problem| Finding {
            question: q.id.clone(),
            problem,
        }));
    }
    counts.sort();
    Report {
        bank: format!("{} {}", bank.id(), bank.version()),
        questions: bank.questions().len(),
        counts,
        media_refs,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{AnswerSet, Choice, MediaRef};
    use crate::ids::BankVersion;
    use std::collections::BTreeMap;

    fn q(id: &str, kind: QuestionKind, options: &[&str], answer: &[usize]) -> Question {
        Question {
            id: id.parse().unwrap(),
            exam: TheoryExam::Subject1,
            kind,
            chapter: "1".parse().unwrap(),
            stem_zh: format!("题干 {id}"),
            stem_en: None,
            options: options
                .iter()
                .enumerate()
                .map(|(i, t)| Choice {
                    key: OptionKey::from_index(i).unwrap(),
                    text_zh: (*t).into(),
                    text_en: None,
                    media: None,
                })
                .collect(),
            answer: AnswerSet::new(answer.iter().map(|&i| OptionKey::from_index(i).unwrap())),
            media: None,
            explanation: None,
        }
    }

    fn bank(questions: Vec<Question>) -> Bank {
        Bank::new(
            "t".parse().unwrap(),
            BankVersion(1),
            BTreeMap::new(),
            questions,
        )
    }

    fn problems(questions: Vec<Question>) -> Vec<Problem> {
        validate(&bank(questions), |_| true)
            .findings
            .into_iter()
            .map(|f| f.problem)
            .collect()
    }

    #[test]
    fn a_sound_bank_has_no_findings() {
        let r = validate(
            &bank(vec![q(
                "1",
                QuestionKind::TrueFalse,
                &["正确", "错误"],
                &[0],
            )]),
            |_| false,
        );
        assert!(r.findings.is_empty());
        assert!(r.is_usable());
    }

    #[test]
    fn every_answer_must_be_an_option() {
        let got = problems(vec![q("1", QuestionKind::Single, &["a", "b", "c"], &[3])]);
        assert_eq!(
            got,
            vec![Problem::AnswerNotAnOption(
                OptionKey::from_index(3).unwrap()
            )]
        );
    }

    #[test]
    fn media_must_exist() {
        let mut x = q("1", QuestionKind::Single, &["a", "b"], &[0]);
        x.media = Some(MediaRef::new("img/1.jpg"));
        x.options[1].media = Some(MediaRef::new("img/1b.jpg"));
        let r = validate(&bank(vec![x]), |p| p == "img/1.jpg");
        assert_eq!(r.findings.len(), 1);
        assert_eq!(
            r.findings[0].problem,
            Problem::MediaMissing("img/1b.jpg".into())
        );
        assert!(!r.is_usable());
    }

    #[test]
    fn shapes_are_checked_per_kind() {
        assert_eq!(
            problems(vec![q(
                "1",
                QuestionKind::TrueFalse,
                &["a", "b", "c"],
                &[0]
            )]),
            vec![Problem::TrueFalseOptionCount(3)]
        );
        assert_eq!(
            problems(vec![q("1", QuestionKind::Single, &["a"], &[0])]),
            vec![Problem::TooFewOptions(1)]
        );
        assert_eq!(
            problems(vec![q("1", QuestionKind::Single, &["a", "b"], &[0, 1])]),
            vec![Problem::SingleWithManyAnswers(2)]
        );
        assert_eq!(
            problems(vec![q("1", QuestionKind::Multi, &["a", "b", "c"], &[0])]),
            vec![Problem::MultiWithOneAnswer, Problem::MultiInSubject1]
        );
        assert_eq!(
            problems(vec![q("1", QuestionKind::Single, &["a", "b"], &[])]),
            vec![Problem::NoAnswer]
        );
    }

    #[test]
    fn duplicates_are_found() {
        let got = problems(vec![
            q("1", QuestionKind::Single, &["a", "b"], &[0]),
            q("1", QuestionKind::Single, &["c", "d"], &[0]),
        ]);
        assert_eq!(got, vec![Problem::DuplicateId]);
        let mut twin = q("2", QuestionKind::Single, &["a", "b"], &[0]);
        twin.stem_zh = "题干 1".into();
        let got = problems(vec![q("1", QuestionKind::Single, &["a", "b"], &[0]), twin]);
        assert_eq!(got, vec![Problem::DuplicateOf("1".parse().unwrap())]);
    }

    #[test]
    fn stem_about_a_picture_needs_media() {
        let mut x = q("1", QuestionKind::TrueFalse, &["正确", "错误"], &[0]);
        x.stem_zh = "如图所示，可以通行。".into();
        assert_eq!(problems(vec![x]), vec![Problem::StemMentionsMissingPicture]);
    }

    #[test]
    fn report_reads_chinese_first_then_english() {
        let r = validate(
            &bank(vec![q("7", QuestionKind::Single, &["a", "b"], &[2])]),
            |_| true,
        );
        let text = r.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("题库 t v1：1 题"), "{text}");
        assert!(lines[1].starts_with("bank t v1: 1 questions"), "{text}");
        assert!(
            text.contains("[错误 error] 7: 答案 C 不在选项中 / answer C is not an option"),
            "{text}"
        );
        assert!(
            text.ends_with("verdict: has errors, not usable for papers"),
            "{text}"
        );
    }
}
