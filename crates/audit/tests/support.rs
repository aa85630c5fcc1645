//! Builds signed test logs.

use std::sync::OnceLock;

use audit::{CheckpointPolicy, Event, Hash, PublicKey, SignedCheckpoint, Signer, Writer};
use model::{EventKind, Seq, SiteId, SubjectKind, SubjectRef, UnixMs};

/// A log as a store would hold it.
#[derive(Debug)]
pub struct Log {
    pub site: SiteId,
    pub signer: Signer,
    pub key: PublicKey,
    pub records: Vec<(Vec<u8>, Hash)>,
    pub checkpoints: Vec<SignedCheckpoint>,
}

pub fn site() -> SiteId {
    "test-site".parse().unwrap()
}

/// One signing key for the whole test run (key generation is not what is tested).
pub fn signer() -> Signer {
    static PKCS8: OnceLock<Vec<u8>> = OnceLock::new();
    Signer::from_pkcs8(PKCS8.get_or_init(|| Signer::generate().unwrap().1)).unwrap()
}

pub fn event(seq: u64, payload: Vec<u8>) -> Event {
    Event {
        seq: Seq(seq),
        time: UnixMs(1_700_000_000_000 + seq as i64 * 1000),
        kind: EventKind::DeviceReport,
        subjects: vec![SubjectRef::new(SubjectKind::Candidate, format!("c{seq}"))],
        payload,
    }
}

/// A log of these payloads with a signed checkpoint every `every` events and one at the end.
pub fn build(payloads: &[Vec<u8>], every: u64) -> Log {
    let site = site();
    let signer = signer();
    let policy = CheckpointPolicy {
        every_events: every,
        every_ms: 0,
    };
    let mut w = Writer::new(&site, policy, UnixMs(0));
    let mut records = Vec::new();
    let mut checkpoints = Vec::new();
    for (i, p) in payloads.iter().enumerate() {
        let sealed = w.append(event(i as u64 + 1, p.clone())).unwrap();
        records.push((sealed.bytes, sealed.hash));
        let now = UnixMs(i as i64);
        if w.checkpoint_due(now) {
            checkpoints.push(signer.sign(&w.checkpoint(now)));
        }
    }
    if checkpoints
        .last()
        .map(|c| c.unverified().unwrap().tree_size)
        != Some(payloads.len() as u64)
    {
        checkpoints.push(signer.sign(&w.checkpoint(UnixMs(-1))));
    }
    let key = signer.public_key();
    Log {
        site,
        signer,
        key,
        records,
        checkpoints,
    }
}

/// `n` events with distinct small payloads.
pub fn simple(n: usize, every: u64) -> Log {
    let payloads: Vec<Vec<u8>> = (0..n)
        .map(|i| format!("{{\"i\":{i}}}").into_bytes())
        .collect();
    build(&payloads, every)
}

impl Log {
    pub fn verify(&self) -> Result<audit::Report, audit::Failure> {
        self.verify_records(&self.records)
    }

    pub fn verify_records(
        &self,
        records: &[(Vec<u8>, Hash)],
    ) -> Result<audit::Report, audit::Failure> {
        audit::verify(
            &self.site,
            &[self.key],
            records.iter().map(|(b, h)| (b, *h)),
            &self.checkpoints,
            None,
        )
    }
}

/// 64 cases unless `PROPTEST_CASES` says otherwise. Failures are not persisted to files:
/// proptest cannot place them for an integration test; the failing input is printed instead.
pub fn proptest_config() -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..Default::default()
    }
}
