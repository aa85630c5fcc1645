//! Small banks for unit tests.

use std::collections::BTreeMap;

use crate::bank::{AnswerSet, Bank, Choice, Question, QuestionKind, TheoryExam};
use crate::ids::{BankVersion, OptionKey};

/// A well-formed question. True/false answers A; single answers B; multiple answers A and C.
pub fn question(id: &str, exam: TheoryExam, kind: QuestionKind, chapter: u32) -> Question {
    let (n, answer): (usize, &[usize]) = match kind {
        QuestionKind::TrueFalse => (2, &[0]),
        QuestionKind::Single => (4, &[1]),
        QuestionKind::Multi => (4, &[0, 2]),
    };
    Question {
        id: id.parse().unwrap(),
        exam,
        kind,
        chapter: chapter.to_string().parse().unwrap(),
        stem_zh: format!("题 {id}"),
        stem_en: None,
        options: (0..n)
            .map(|i| Choice {
                key: OptionKey::from_index(i).unwrap(),
                text_zh: format!("选项 {i}"),
                text_en: None,
                media: None,
            })
            .collect(),
        answer: AnswerSet::new(answer.iter().map(|&i| OptionKey::from_index(i).unwrap())),
        media: None,
        explanation: None,
    }
}

/// A bank with `n` questions in each (chapter, kind) cell given.
pub fn bank(exam: TheoryExam, version: u32, cells: &[(u32, QuestionKind, usize)]) -> Bank {
    let mut qs = Vec::new();
    for &(chapter, kind, n) in cells {
        for i in 0..n {
            qs.push(question(
                &format!("c{chapter}-{kind:?}-{i}"),
                exam,
                kind,
                chapter,
            ));
        }
    }
    Bank::new(
        "test".parse().unwrap(),
        BankVersion(version),
        BTreeMap::new(),
        qs,
    )
}
