//! Import and validate the two public banks kept beside the repository, when they are there.

use std::path::Path;

use theory::import::jsonl;
use theory::{
    Bank, BankVersion, PaperSpec, QuestionKind, Severity, TheoryExam, assemble, validate,
};

use crate::common::public_banks_dir;

struct Expect {
    folder: &'static str,
    id: &'static str,
    /// (exam, kind, count) as counted in the data's README.
    counts: &'static [(TheoryExam, QuestionKind, usize)],
}

const BANKS: [Expect; 2] = [
    Expect {
        folder: "umeit-DriverExam",
        id: "umeit",
        counts: &[
            (TheoryExam::Subject1, QuestionKind::TrueFalse, 659),
            (TheoryExam::Subject1, QuestionKind::Single, 815),
            (TheoryExam::SafetyTheory, QuestionKind::TrueFalse, 502),
            (TheoryExam::SafetyTheory, QuestionKind::Single, 282),
            (TheoryExam::SafetyTheory, QuestionKind::Multi, 115),
        ],
    },
    Expect {
        folder: "youbl-Beinet.cn.DrivingTest",
        id: "beinet",
        counts: &[
            (TheoryExam::Subject1, QuestionKind::TrueFalse, 411),
            (TheoryExam::Subject1, QuestionKind::Single, 562),
        ],
    },
];

fn load(dir: &Path, e: &Expect) -> Option<Bank> {
    let path = dir.join(e.folder).join("normalized.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("SKIP: {} is not readable", path.display());
        return None;
    };
    let parsed = jsonl::parse(&text);
    for err in &parsed.errors {
        eprintln!("{err}");
    }
    assert!(
        parsed.errors.is_empty(),
        "{}: {} lines could not be imported",
        e.folder,
        parsed.errors.len()
    );
    Some(Bank::new(
        e.id.parse().unwrap(),
        BankVersion(1),
        parsed.chapters,
        parsed.questions,
    ))
}

#[test]
fn public_banks_import_and_validate() {
    let Some(dir) = public_banks_dir() else {
        eprintln!("SKIP: ../shared/data/qbank is absent; the public banks were not checked");
        return;
    };
    for e in &BANKS {
        let started = std::time::Instant::now();
        let Some(bank) = load(&dir, e) else { continue };
        let imported = started.elapsed();
        let root = dir.join(e.folder);
        let report = validate(&bank, |p| root.join(p).is_file());
        let validated = started.elapsed() - imported;
        let text = report.to_string();
        let head = 2 + report.counts.len() + report.tally().len();
        let lines: Vec<&str> = text.lines().collect();
        println!("{}", lines[..head].join("\n"));
        for f in report
            .findings
            .iter()
            .filter(|f| f.problem.severity() == Severity::Error)
            .take(5)
        {
            println!("{f}");
        }
        println!("{}", lines.last().unwrap());
        assert_eq!(
            report.counts, e.counts,
            "{}: counts differ from the data's README",
            e.folder
        );
        assert_eq!(
            report.questions,
            e.counts.iter().map(|c| c.2).sum::<usize>()
        );
        // Papers can be drawn from every test the bank holds.
        for exam in [TheoryExam::Subject1, TheoryExam::SafetyTheory] {
            if e.counts.iter().any(|c| c.0 == exam) {
                let t = std::time::Instant::now();
                let paper = assemble(&bank, &PaperSpec::default_for(exam), 2026).unwrap();
                println!("  {} paper assembled in {:?}", exam.en(), t.elapsed());
                assert_eq!(
                    paper.questions.len(),
                    usize::from(theory::ExamRules::of(exam).questions)
                );
            }
        }
        println!("  parsed in {imported:?}, validated (with file checks) in {validated:?}");
    }
}
