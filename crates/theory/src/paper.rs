//! Paper assembly: draw questions from a bank in set proportions, deterministically from a seed.
//!
//! Algorithm, for a spec with quotas `q1..qn` of weights `w1..wn` and `total` questions:
//!
//! 1. Share `total` among the quotas by largest remainder: each quota gets `⌊total·wi/W⌋`, and the
//!    questions left over go one each to the quotas with the largest remainders (ties: earlier quota).
//! 2. One [`SplitMix64`] stream is started from the seed. For each quota in order, the eligible
//!    questions (right test, a type the test allows, matching chapter and type, not yet drawn) are
//!    taken in bank order and the quota's share is drawn from them by a partial Fisher–Yates shuffle.
//!    A retake draws from questions not on the first paper first, and only then from those that were.
//!    A question whose stem, options and media repeat an earlier question of the bank (the same
//!    question filed under two ids, common in scraped banks) is never eligible: only the first is.
//! 3. The drawn questions are shuffled, then stably grouped by type: true/false, single, multiple.
//!
//! The same bank version, spec, seed and attempt therefore give the same paper ([`rebuild`]).

use std::collections::HashSet;

use crate::bank::{Bank, Question, QuestionKind, TheoryExam};
use crate::ids::{BankId, BankVersion, ChapterId, QuestionId};
use crate::rng::SplitMix64;
use crate::rules::ExamRules;

/// One share of a paper: questions of a chapter and/or type, by weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    /// Only this chapter; `None` = any chapter.
    pub chapter: Option<ChapterId>,
    /// Only this type; `None` = any type the test allows.
    pub kind: Option<QuestionKind>,
    /// The share's weight; shares are proportional to weights.
    pub weight: u32,
}

impl Quota {
    fn admits(&self, q: &Question) -> bool {
        self.chapter.as_ref().is_none_or(|c| *c == q.chapter)
            && self.kind.is_none_or(|k| k == q.kind)
    }
}

/// How to assemble a paper: which test, how many questions, and in which proportions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperSpec {
    /// Which test.
    pub exam: TheoryExam,
    /// Questions on the paper.
    pub total: u16,
    /// The shares. Overlapping shares are allowed: a question is never drawn twice.
    pub quotas: Vec<Quota>,
}

impl PaperSpec {
    /// A spec with only type proportions.
    pub fn by_kind(exam: TheoryExam, total: u16, kinds: &[(QuestionKind, u32)]) -> PaperSpec {
        let quotas = kinds
            .iter()
            .map(|&(kind, weight)| Quota {
                chapter: None,
                kind: Some(kind),
                weight,
            })
            .collect();
        PaperSpec {
            exam,
            total,
            quotas,
        }
    }

    /// The default paper of a test. The official proportions (《机动车驾驶证业务工作规范》) are
    /// not public, so these are configurable defaults: Subject 1 40 true/false + 60 single;
    /// safety theory 20 true/false + 20 single + 10 multiple, the split most often reported.
    pub fn default_for(exam: TheoryExam) -> PaperSpec {
        let rules = ExamRules::of(exam);
        match exam {
            TheoryExam::Subject1 => PaperSpec::by_kind(
                exam,
                rules.questions,
                &[(QuestionKind::TrueFalse, 40), (QuestionKind::Single, 60)],
            ),
            TheoryExam::SafetyTheory => PaperSpec::by_kind(
                exam,
                rules.questions,
                &[
                    (QuestionKind::TrueFalse, 20),
                    (QuestionKind::Single, 20),
                    (QuestionKind::Multi, 10),
                ],
            ),
        }
    }

    /// How many questions each quota gets (largest-remainder apportionment of `total`).
    pub fn shares(&self) -> Result<Vec<usize>, AssemblyError> {
        let rules = ExamRules::of(self.exam);
        for q in &self.quotas {
            if let Some(kind) = q.kind
                && !rules.kinds.contains(&kind)
            {
                return Err(AssemblyError::KindNotInExam {
                    kind,
                    exam: self.exam,
                });
            }
        }
        let sum: u64 = self.quotas.iter().map(|q| u64::from(q.weight)).sum();
        if sum == 0 {
            return Err(AssemblyError::NoWeight);
        }
        let total = u64::from(self.total);
        let mut shares: Vec<usize> = self
            .quotas
            .iter()
            .map(|q| (total * u64::from(q.weight) / sum) as usize)
            .collect();
        let left = self.total as usize - shares.iter().sum::<usize>();
        let mut order: Vec<usize> = (0..self.quotas.len()).collect();
        // Largest remainder first; the sort is stable, so ties keep quota order.
        order.sort_by_key(|&i| std::cmp::Reverse(total * u64::from(self.quotas[i].weight) % sum));
        for &i in order.iter().take(left) {
            shares[i] += 1;
        }
        Ok(shares)
    }
}

/// Whether a paper is a first sitting or the same-day retake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attempt {
    /// The first paper of the day.
    First,
    /// The free retake; it avoids the questions of the paper built from `first_seed`.
    Retake {
        /// The seed of the first paper.
        first_seed: u64,
    },
}

/// An assembled paper: everything needed to rebuild it, and its questions in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paper {
    /// The bank drawn from.
    pub bank: BankId,
    /// Its version.
    pub bank_version: BankVersion,
    /// Which test.
    pub exam: TheoryExam,
    /// The seed of the draw.
    pub seed: u64,
    /// First paper or retake.
    pub attempt: Attempt,
    /// The questions, in the order shown.
    pub questions: Vec<QuestionId>,
}

/// A paper could not be assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssemblyError {
    /// The spec's weights add up to nothing.
    #[error("组卷规则没有权重 / the paper spec has no weight")]
    NoWeight,
    /// A quota asks for a type the test does not have (multiple choice in Subject 1).
    #[error("{} 不考{} / {} has no {} questions", exam.zh(), kind.zh(), exam.en(), kind.en())]
    KindNotInExam {
        /// The type asked for.
        kind: QuestionKind,
        /// The test.
        exam: TheoryExam,
    },
    /// The bank has too few questions for a quota.
    #[error("第 {} 条组卷规则需要 {needed} 题，题库只有 {available} 题 / quota {} needs {needed} questions, the bank has {available}", quota + 1, quota + 1)]
    NotEnough {
        /// The quota's position in the spec (0-based).
        quota: usize,
        /// Questions it needs.
        needed: usize,
        /// Eligible questions left.
        available: usize,
    },
    /// The retake seed equals the first paper's seed.
    #[error("补考必须用新的随机种子 / a retake needs a seed other than the first paper's")]
    SeedNotFresh,
    /// The paper names another bank or version than the one given.
    #[error(
        "试卷来自题库 {expected}，给出的是 {found} / the paper is from bank {expected}, got {found}"
    )]
    WrongBank {
        /// The paper's bank and version.
        expected: String,
        /// The bank given.
        found: String,
    },
    /// The paper and spec are for different tests.
    #[error("试卷与组卷规则的科目不同 / the paper and the spec are for different tests")]
    WrongExam,
}

fn draw(
    bank: &Bank,
    spec: &PaperSpec,
    seed: u64,
    avoid: &HashSet<&QuestionId>,
) -> Result<Vec<QuestionId>, AssemblyError> {
    let shares = spec.shares()?;
    let allowed = ExamRules::of(spec.exam).kinds;
    let mut rng = SplitMix64::new(seed);
    let mut contents = HashSet::new();
    let first_of_content: HashSet<&QuestionId> = bank
        .questions()
        .iter()
        .filter(|q| contents.insert(content_key(q)))
        .map(|q| &q.id)
        .collect();
    let mut used: HashSet<&QuestionId> = HashSet::new();
    let mut picked: Vec<&Question> = Vec::with_capacity(spec.total as usize);
    for (i, (quota, &share)) in spec.quotas.iter().zip(&shares).enumerate() {
        let eligible = bank.questions().iter().filter(|q| {
            q.exam == spec.exam
                && allowed.contains(&q.kind)
                && quota.admits(q)
                && first_of_content.contains(&q.id)
                && !used.contains(&q.id)
        });
        let (mut fresh, mut old): (Vec<&Question>, Vec<&Question>) =
            eligible.partition(|q| !avoid.contains(&q.id));
        if fresh.len() + old.len() < share {
            return Err(AssemblyError::NotEnough {
                quota: i,
                needed: share,
                available: fresh.len() + old.len(),
            });
        }
        let from_fresh = share.min(fresh.len());
        take_random(&mut rng, &mut fresh, from_fresh);
        take_random(&mut rng, &mut old, share - from_fresh);
        for q in fresh
            .iter()
            .take(from_fresh)
            .chain(old.iter().take(share - from_fresh))
        {
            used.insert(&q.id);
            picked.push(q);
        }
    }
    rng.shuffle(&mut picked);
    picked.sort_by_key(|q| q.kind);
    Ok(picked.into_iter().map(|q| q.id.clone()).collect())
}

/// What makes two questions the same to a candidate.
fn content_key(q: &Question) -> (&str, Vec<&str>, Option<&str>) {
    (
        q.stem_zh.trim(),
        q.options.iter().map(|c| c.text_zh.trim()).collect(),
        q.media.as_ref().map(|m| m.path.as_str()),
    )
}

/// Move `n` uniformly drawn items to the front of `items` (partial Fisher–Yates).
fn take_random<T>(rng: &mut SplitMix64, items: &mut [T], n: usize) {
    for i in 0..n {
        let j = i + rng.below((items.len() - i) as u64) as usize;
        items.swap(i, j);
    }
}

/// Assemble a first paper.
pub fn assemble(bank: &Bank, spec: &PaperSpec, seed: u64) -> Result<Paper, AssemblyError> {
    let questions = draw(bank, spec, seed, &HashSet::new())?;
    Ok(Paper {
        bank: bank.id().clone(),
        bank_version: bank.version(),
        exam: spec.exam,
        seed,
        attempt: Attempt::First,
        questions,
    })
}

/// Assemble the same-day retake paper: a fresh seed, and questions other than those of `first`
/// as far as the bank allows.
pub fn assemble_retake(
    bank: &Bank,
    spec: &PaperSpec,
    first: &Paper,
    seed: u64,
) -> Result<Paper, AssemblyError> {
    check_same_bank(bank, spec, first)?;
    if seed == first.seed {
        return Err(AssemblyError::SeedNotFresh);
    }
    let avoid: HashSet<&QuestionId> = first.questions.iter().collect();
    let questions = draw(bank, spec, seed, &avoid)?;
    Ok(Paper {
        bank: bank.id().clone(),
        bank_version: bank.version(),
        exam: spec.exam,
        seed,
        attempt: Attempt::Retake {
            first_seed: first.seed,
        },
        questions,
    })
}

fn check_same_bank(bank: &Bank, spec: &PaperSpec, paper: &Paper) -> Result<(), AssemblyError> {
    if paper.bank != *bank.id() || paper.bank_version != bank.version() {
        return Err(AssemblyError::WrongBank {
            expected: format!("{} {}", paper.bank, paper.bank_version),
            found: format!("{} {}", bank.id(), bank.version()),
        });
    }
    if paper.exam != spec.exam {
        return Err(AssemblyError::WrongExam);
    }
    Ok(())
}

/// Rebuild a paper from its recorded bank version, spec, seed and attempt. The result equals the
/// original when nothing has changed; compare them to prove a stored paper genuine.
pub fn rebuild(bank: &Bank, spec: &PaperSpec, paper: &Paper) -> Result<Paper, AssemblyError> {
    check_same_bank(bank, spec, paper)?;
    match paper.attempt {
        Attempt::First => assemble(bank, spec, paper.seed),
        Attempt::Retake { first_seed } => {
            let first = assemble(bank, spec, first_seed)?;
            assemble_retake(bank, spec, &first, paper.seed)
        }
    }
}

#[cfg(test)]
mod tests;
