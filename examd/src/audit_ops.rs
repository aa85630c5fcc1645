//! Verifying and exporting the log: shared by `examd audit …` and the auditors' API.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use audit::{
    Anchor, ExportReader, ExportVerifyError, ExportWriter, Failure, PublicKey, Report,
    SignedCheckpoint, Verifier,
};
use model::{Seq, SiteId};
use serde_json::{Value, json};
use store::Store;

use crate::config::{self, SiteArgs};

/// Records read per database round trip.
const PAGE: u32 = 2000;

/// The signed checkpoints in the store.
pub async fn signed_checkpoints(store: &Arc<dyn Store>) -> anyhow::Result<Vec<SignedCheckpoint>> {
    Ok(store
        .checkpoints()
        .await?
        .into_iter()
        .map(|c| SignedCheckpoint {
            body: c.body,
            signature: c.signature,
        })
        .collect())
}

/// Verifies the stored log from `from` (the whole log when `None`).
///
/// The outer error is an IO failure (the database); the inner one is what verification found.
pub async fn verify_store(
    store: &Arc<dyn Store>,
    site: &SiteId,
    keys: &[PublicKey],
    from: Option<u64>,
) -> anyhow::Result<Result<Report, Failure>> {
    let checkpoints = signed_checkpoints(store).await?;
    let anchor = match from {
        None | Some(0) | Some(1) => None,
        Some(f) => {
            let prev = store.events(Seq(f - 1), 1).await?;
            let prev = prev
                .into_iter()
                .next()
                .filter(|e| e.seq == Seq(f - 1))
                .with_context(|| format!("the log has no event {} to start after", f - 1))?;
            Some(Anchor::trusted(prev.seq, prev.hash))
        }
    };
    let mut v = match Verifier::new(site, keys, &checkpoints, anchor) {
        Ok(v) => v,
        Err(f) => return Ok(Err(f)),
    };
    let mut next = Seq(from.unwrap_or(1).max(1));
    loop {
        let page = store.events(next, PAGE).await?;
        let Some(last) = page.last() else { break };
        next = last.seq.next();
        for e in &page {
            if let Err(f) = v.push(&e.bytes, e.hash) {
                return Ok(Err(f));
            }
        }
    }
    Ok(v.finish())
}

/// A verification outcome as JSON.
pub fn outcome_json(outcome: &Result<Report, Failure>) -> Value {
    match outcome {
        Ok(r) => json!({
            "ok": true,
            "events": r.events,
            "checkpoints_checked": r.checkpoints_checked,
            "checkpoints_skipped": r.checkpoints_skipped,
            "last_seq": r.last_seq.0,
            "head": r.head.to_hex(),
        }),
        Err(f) => json!({
            "ok": false,
            "seq": f.seq.0,
            "problem": f.problem.to_string(),
            "message": f.to_string(),
        }),
    }
}

fn print_outcome(outcome: &Result<Report, Failure>, json: bool) -> ExitCode {
    if json {
        println!("{}", outcome_json(outcome));
    } else {
        match outcome {
            Ok(r) => println!(
                "日志完整 / log intact: {} events verified (last seq {}), {} signed checkpoints checked, head {}",
                r.events, r.last_seq, r.checkpoints_checked, r.head
            ),
            Err(f) => println!(
                "日志校验失败 / verification FAILED at seq {}: {}",
                f.seq, f.problem
            ),
        }
    }
    if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes the stored log as a self-contained export file.
pub async fn export_to(
    store: &Arc<dyn Store>,
    site: &SiteId,
    keys: &[PublicKey],
    out: impl std::io::Write,
) -> anyhow::Result<u64> {
    let checkpoints = signed_checkpoints(store).await?;
    let mut w = ExportWriter::new(out, site, keys, &checkpoints)?;
    let mut next = Seq::FIRST;
    let mut n = 0;
    loop {
        let page = store.events(next, PAGE).await?;
        let Some(last) = page.last() else { break };
        next = last.seq.next();
        for e in &page {
            w.record(&e.bytes, &e.hash)?;
            n += 1;
        }
    }
    w.finish()?;
    Ok(n)
}

/// Verifies an export file against `trusted` keys, or the keys the file carries when none are given.
/// A damaged file is an error naming the byte; a log that does not verify is the inner error.
pub fn verify_file(path: &Path, trusted: &[PublicKey]) -> anyhow::Result<Result<Report, Failure>> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader = ExportReader::new(std::io::BufReader::new(f))
        .with_context(|| format!("{} is not a readable examd export", path.display()))?;
    let keys = if trusted.is_empty() {
        eprintln!(
            "注意 / note: trusting the {} key(s) inside the file; pass --key <hex> to pin the site's key",
            reader.keys().len()
        );
        reader.keys().to_vec()
    } else {
        trusted.to_vec()
    };
    match audit::verify_export(reader, &keys) {
        Ok(r) => Ok(Ok(r)),
        Err(ExportVerifyError::Log(f)) => Ok(Err(f)),
        Err(ExportVerifyError::Read(e)) => {
            Err(e).with_context(|| format!("{} is damaged", path.display()))
        }
    }
}

/// `examd audit export`.
pub async fn export_command(args: &SiteArgs, out: &Path) -> anyhow::Result<()> {
    let rt = config::load(args, Path::new("examd-data"))?;
    let (store, key) = crate::site::open_read_only(&rt).await?;
    let keys: Vec<PublicKey> = key.into_iter().collect();
    let tmp = out.with_extension("partial");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let n = export_to(&store, &rt.site, &keys, &mut w).await?;
    w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&tmp, out)?;
    eprintln!("已导出 / exported {n} events to {}", out.display());
    Ok(())
}

/// `examd audit verify`.
pub async fn verify_command(
    args: &SiteArgs,
    from: Option<u64>,
    file: Option<PathBuf>,
    trusted: &[PublicKey],
    json: bool,
) -> anyhow::Result<ExitCode> {
    if let Some(file) = file {
        if from.is_some() {
            anyhow::bail!("--from applies to the site's database, not to an export file");
        }
        let outcome = verify_file(&file, trusted)?;
        return Ok(print_outcome(&outcome, json));
    }
    let rt = config::load(args, Path::new("examd-data"))?;
    let (store, key) = crate::site::open_read_only(&rt).await?;
    let keys: Vec<PublicKey> = if trusted.is_empty() {
        key.into_iter().collect()
    } else {
        trusted.to_vec()
    };
    let outcome = verify_store(&store, &rt.site, &keys, from).await?;
    Ok(print_outcome(&outcome, json))
}

/// The Merkle leaf hashes of the first `n` stored events.
pub async fn leaf_hashes(store: &Arc<dyn Store>, n: u64) -> anyhow::Result<Vec<audit::Hash>> {
    let mut leaves = Vec::with_capacity(n as usize);
    let mut next = Seq::FIRST;
    while (leaves.len() as u64) < n {
        let page = store.events(next, PAGE).await?;
        let Some(last) = page.last() else { break };
        next = last.seq.next();
        leaves.extend(
            page.iter()
                .take((n - leaves.len() as u64) as usize)
                .map(|e| audit::leaf_hash(&e.bytes)),
        );
    }
    anyhow::ensure!(
        leaves.len() as u64 == n,
        "the log holds {} events, fewer than {n}",
        leaves.len()
    );
    Ok(leaves)
}
