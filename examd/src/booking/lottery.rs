//! Lottery sessions on the site: open one with its seed's commitment, and close its
//! application window by drawing the places. The algorithm is `booking::lottery`; this file
//! holds the seed between the two (`<data_dir>/lotteries/<session>.seed`, mode 0600) and logs
//! each step through the writer task, so the ledger decides (and a replay decides the same).

use std::path::PathBuf;

use anyhow::Context;
use booking::draw::Seed;
use booking::lottery::Allotment;
use booking::{Allocation, SessionId};
use ring::rand::{SecureRandom, SystemRandom};

use super::events::{AllocatedV1, BookingEvent, LotterySessionV1, SessionV1};
use super::{BookingArea, SubmitError};

/// Why a lottery step was refused.
#[derive(Debug, thiserror::Error)]
pub enum LotteryError {
    /// The ledger refused it (a bad session, a closed window, an unknown session).
    #[error(transparent)]
    Submit(#[from] SubmitError),
    /// The seed file or the random source failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn seed_path(area: &BookingArea, session: &SessionId) -> PathBuf {
    area.data_dir
        .join("lotteries")
        .join(format!("{}.seed", session.as_str()))
}

/// Opens `ev` as a lottery session: draws a seed from the system random source, keeps it in
/// the data folder and logs `booking.lottery_opened` with its commitment. Returns the
/// commitment.
pub async fn open(area: &BookingArea, ev: SessionV1) -> Result<String, LotteryError> {
    let _one = area.draw_lock.lock().await;
    let spec = ev.spec().map_err(SubmitError::Invalid)?;
    if area.read(|l| l.sessions.contains_key(&spec.id)) {
        return Err(SubmitError::Ledger(booking::LedgerError::Exists(format!(
            "session {}",
            spec.id
        )))
        .into());
    }
    let mut b = [0u8; 32];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| anyhow::anyhow!("the system random source failed"))?;
    let seed = Seed(b);
    let path = seed_path(area, &spec.id);
    std::fs::create_dir_all(path.parent().expect("has a parent"))
        .with_context(|| format!("creating {}", path.display()))?;
    // A seed file left by an opening that was not logged belongs to no session: replace it.
    if path.exists() {
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    }
    crate::site::write_private(&path, seed.to_hex().as_bytes())?;
    let commitment = booking::lottery::commitment(&spec.id, &seed);
    area.submit(BookingEvent::LotteryOpened(LotterySessionV1 {
        session: ev,
        commitment: commitment.clone(),
    }))
    .await?;
    Ok(commitment)
}

/// Closes the application window of a lottery session: reads its seed and logs
/// `booking.allocated`; the ledger draws the places from the seed and the applications and the
/// event records every winner and loser. Returns the outcome.
pub async fn allocate(
    area: &BookingArea,
    session: &str,
    by: &str,
) -> Result<Allotment, LotteryError> {
    let _one = area.draw_lock.lock().await;
    let id: SessionId = session
        .parse()
        .map_err(|e| SubmitError::Invalid(format!("session: {e}")))?;
    let lottery = area.read(|l| {
        l.sessions
            .get(&id)
            .map(|s| matches!(s.spec.allocation, Allocation::Lottery { .. }))
    });
    match lottery {
        None => {
            return Err(SubmitError::Ledger(booking::LedgerError::UnknownSession(
                session.to_owned(),
            ))
            .into());
        }
        Some(false) => {
            return Err(
                SubmitError::Ledger(booking::LedgerError::NotLottery(session.to_owned())).into(),
            );
        }
        Some(true) => {}
    }
    let path = seed_path(area, &id);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let seed = Seed::from_hex(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let ev = AllocatedV1 {
        session: session.to_owned(),
        seed: seed.to_hex(),
        places: 0,
        winners: vec![],
        losers: vec![],
        by: by.to_owned(),
        at: area.now().0,
    };
    let fx = area.submit(BookingEvent::Allocated(ev)).await?;
    area.draws
        .lock()
        .expect("draws lock")
        .entry(session.to_owned())
        .or_default()
        .lottery_seed = Some(seed.to_hex());
    Ok(fx.allotment.unwrap_or_default())
}
