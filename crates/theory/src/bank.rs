//! The bank model: questions, their options and answers, chapters and media.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use crate::ids::{BankId, BankVersion, ChapterId, OptionKey, QuestionId};

/// Which theory test a question belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TheoryExam {
    /// 科目一: road traffic law and related knowledge.
    Subject1,
    /// 科目三 安全文明驾驶常识, the paper people call 科目四.
    SafetyTheory,
}

impl TheoryExam {
    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            TheoryExam::Subject1 => "科目一",
            TheoryExam::SafetyTheory => "安全文明驾驶常识",
        }
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        match self {
            TheoryExam::Subject1 => "Subject 1",
            TheoryExam::SafetyTheory => "safety theory",
        }
    }
}

/// The type of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QuestionKind {
    /// 判断题: two options, right or wrong.
    TrueFalse,
    /// 单项选择题: one correct option.
    Single,
    /// 多项选择题: two or more correct options, all of which must be chosen.
    Multi,
}

impl QuestionKind {
    /// Every kind, in paper order.
    pub const ALL: [QuestionKind; 3] = [
        QuestionKind::TrueFalse,
        QuestionKind::Single,
        QuestionKind::Multi,
    ];

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            QuestionKind::TrueFalse => "判断题",
            QuestionKind::Single => "单选题",
            QuestionKind::Multi => "多选题",
        }
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        match self {
            QuestionKind::TrueFalse => "true/false",
            QuestionKind::Single => "single choice",
            QuestionKind::Multi => "multiple choice",
        }
    }
}

/// Whether a media file is a still picture or an animation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// A still picture (JPEG, PNG).
    Image,
    /// An animated GIF (the 科目四 动画 questions).
    Animation,
}

/// A media file, by its path relative to the bank's folder, e.g. `km4image/39.001.gif`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaRef {
    /// The path relative to the bank folder, with `/` separators.
    pub path: String,
    /// Still or animated, from the file name's extension.
    pub kind: MediaKind,
}

impl MediaRef {
    /// A reference to `path`; `.gif` files are taken as animations.
    pub fn new(path: impl Into<String>) -> MediaRef {
        let path = path.into();
        let kind = if path.to_ascii_lowercase().ends_with(".gif") {
            MediaKind::Animation
        } else {
            MediaKind::Image
        };
        MediaRef { path, kind }
    }
}

/// One answer option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// A, B, C...
    pub key: OptionKey,
    /// The option text in Chinese.
    pub text_zh: String,
    /// The option text in English, where the bank has it.
    pub text_en: Option<String>,
    /// A picture shown as the option, where the option is a picture.
    pub media: Option<MediaRef>,
}

/// A set of option keys: a correct answer, or what a candidate chose.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AnswerSet(BTreeSet<OptionKey>);

impl AnswerSet {
    /// The set of these keys.
    pub fn new(keys: impl IntoIterator<Item = OptionKey>) -> AnswerSet {
        AnswerSet(keys.into_iter().collect())
    }

    /// One key.
    pub fn one(key: OptionKey) -> AnswerSet {
        AnswerSet::new([key])
    }

    /// The keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = OptionKey> + '_ {
        self.0.iter().copied()
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No key at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `key` is in the set.
    pub fn contains(&self, key: OptionKey) -> bool {
        self.0.contains(&key)
    }
}

impl fmt::Display for AnswerSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for k in &self.0 {
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

/// One question of a bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Unique inside the bank.
    pub id: QuestionId,
    /// Which theory test the question is for.
    pub exam: TheoryExam,
    /// True/false, single or multiple choice.
    pub kind: QuestionKind,
    /// The chapter, for paper proportions.
    pub chapter: ChapterId,
    /// The question in Chinese.
    pub stem_zh: String,
    /// The question in English, where the bank has it.
    pub stem_en: Option<String>,
    /// The options, in the order shown.
    pub options: Vec<Choice>,
    /// The correct option keys.
    pub answer: AnswerSet,
    /// The picture or animation shown with the question.
    pub media: Option<MediaRef>,
    /// The explanation (解析), where the bank has one.
    pub explanation: Option<String>,
}

impl Question {
    /// The keys of the options, in order.
    pub fn option_keys(&self) -> impl Iterator<Item = OptionKey> + '_ {
        self.options.iter().map(|c| c.key)
    }

    /// Every media file the question refers to: its own and its options'.
    pub fn media_refs(&self) -> impl Iterator<Item = &MediaRef> + '_ {
        self.media
            .iter()
            .chain(self.options.iter().filter_map(|c| c.media.as_ref()))
    }
}

/// An immutable, versioned set of questions.
///
/// Questions keep the order they were imported in; paper assembly depends on that order,
/// so a bank version, once stored, must never change.
#[derive(Debug, Clone)]
pub struct Bank {
    id: BankId,
    version: BankVersion,
    chapters: BTreeMap<ChapterId, String>,
    questions: Vec<Question>,
    index: HashMap<QuestionId, usize>,
}

impl Bank {
    /// A bank of these questions. Chapter titles map chapter ids to names (may be empty).
    ///
    /// Nothing is checked here: run [`crate::validate`] for a report. When an id repeats,
    /// [`Bank::question`] finds the first one.
    pub fn new(
        id: BankId,
        version: BankVersion,
        chapters: BTreeMap<ChapterId, String>,
        questions: Vec<Question>,
    ) -> Bank {
        let mut index = HashMap::with_capacity(questions.len());
        for (i, q) in questions.iter().enumerate() {
            index.entry(q.id.clone()).or_insert(i);
        }
        Bank {
            id,
            version,
            chapters,
            questions,
            index,
        }
    }

    /// The bank's id.
    pub fn id(&self) -> &BankId {
        &self.id
    }

    /// The bank's version.
    pub fn version(&self) -> BankVersion {
        self.version
    }

    /// Chapter titles by id.
    pub fn chapters(&self) -> &BTreeMap<ChapterId, String> {
        &self.chapters
    }

    /// Every question, in import order.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// The question with this id.
    pub fn question(&self, id: &QuestionId) -> Option<&Question> {
        self.index.get(id).map(|&i| &self.questions[i])
    }
}
