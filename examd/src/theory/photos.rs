//! The theory hall's photos of candidates (`crate::photos`): one at the seat's finger login (in
//! `theory.candidate_login`), and [`SHOTS`] during the paper, one at a random moment in each third
//! of its time (`theory.photo`). The moments come from the paper's logged seed, so a replay of
//! the log names the same moments. A seat's own camera is used, else the hall's; a camera that
//! fails gives `photo unavailable: <reason>` in the event, never a missing event. A logged photo
//! is kept on its seat ([`record`]; the replay at start does the same) for the examiner's page.

use model::{EventKind, SubjectKind, SubjectRef};
use serde::{Deserialize, Serialize};
use store::Draft;
use theory::Sitting;

use crate::photos::{CameraRole, PhotoV1};
use crate::state::AppState;

/// Photos taken during a paper.
pub const SHOTS: usize = 3;

/// `theory.photo`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PhotoEventV1 {
    /// The sitting.
    pub sitting: String,
    /// The seat.
    pub seat: String,
    /// The candidate.
    pub candidate: String,
    /// Which of the paper's photos (1 to [`SHOTS`]).
    pub shot: u8,
    /// When it was due, ms after the paper began ([`photo_times`]).
    pub due_ms: i64,
    /// The photo, or why there is none.
    pub photo: PhotoV1,
    /// When it was logged (server clock).
    pub at: i64,
}

/// When a paper's photos are due, ms after it began: shot `k` at a moment drawn uniformly in the
/// `k`-th third of `duration_ms`, from `SHA-256("examd.theory.photos.v1" ‖ 0 ‖ seed ‖ k)`. Pure.
pub fn photo_times(seed: u64, duration_ms: i64) -> [i64; SHOTS] {
    let third = (duration_ms / SHOTS as i64).max(1);
    std::array::from_fn(|k| {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(b"examd.theory.photos.v1\0");
        ctx.update(&seed.to_be_bytes());
        ctx.update(&(k as u64).to_be_bytes());
        let d = ctx.finish();
        let mut b = [0u8; 8];
        b.copy_from_slice(&d.as_ref()[..8]);
        k as i64 * third + (u64::from_be_bytes(b) % third as u64) as i64
    })
}

/// The cameras that see `seat`: its own, else the hall's.
pub fn roles(seat: &str) -> [CameraRole; 2] {
    [CameraRole::Seat(seat.to_owned()), CameraRole::Hall]
}

/// A photo of `candidate` at `seat` now.
pub async fn take(st: &AppState, seat: &str, candidate: &str) -> PhotoV1 {
    st.areas
        .photos
        .capture(&roles(seat), Some(candidate), seat)
        .await
}

/// Takes the paper's [`SHOTS`] photos at their moments, in the background, while the candidate
/// is still at the seat with this paper (a finished or reassigned seat ends the series).
pub fn schedule(
    st: AppState,
    seat: String,
    candidate: String,
    seed: u64,
    duration_ms: i64,
    began_at: i64,
) {
    tokio::spawn(async move {
        for (k, due) in photo_times(seed, duration_ms).into_iter().enumerate() {
            let wait = began_at + due - st.now().0;
            if wait > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(wait as u64)).await;
            }
            let Some(holder) = st.areas.theory.hall.lock().await.seat(&seat) else {
                return;
            };
            let sitting = {
                let s = holder.lock().await;
                let same = s.candidate == candidate && s.seed == seed;
                if !same || !matches!(s.state, Sitting::InProgress(_) | Sitting::Paused { .. }) {
                    return;
                }
                s.sitting.clone()
            };
            let photo = take(&st, &seat, &candidate).await;
            let event = PhotoEventV1 {
                sitting: sitting.clone(),
                seat: seat.clone(),
                candidate: candidate.clone(),
                shot: k as u8 + 1,
                due_ms: due,
                photo,
                at: st.now().0,
            };
            if let Err(e) = record(&st, event).await {
                tracing::error!(seat = %seat, error = %e, "theory: photo not logged");
            }
        }
    });
}

/// Logs a paper's photo (`theory.photo`), then shows it on its seat (the examiner's page reads
/// the seats), as a replay of the log does at start.
pub async fn record(st: &AppState, event: PhotoEventV1) -> Result<(), store::AppendError> {
    let draft = Draft {
        kind: EventKind::TheoryPhoto,
        subjects: vec![
            SubjectRef::new(SubjectKind::Session, event.sitting.clone()),
            SubjectRef::new(SubjectKind::Candidate, event.candidate.clone()),
            SubjectRef::new(SubjectKind::Device, event.seat.clone()),
        ],
        payload: serde_json::to_vec(&event).expect("payloads serialise"),
    };
    st.log.append(draft).await?;
    let holder = st.areas.theory.hall.lock().await.seat(&event.seat);
    if let Some(holder) = holder
        && let Err(e) = holder.lock().await.add_photo(&event)
    {
        tracing::warn!(seat = %event.seat, error = %e, "theory: photo not shown on the seat");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_photo_in_each_third_the_same_for_the_same_seed() {
        let d = 45 * 60_000;
        for seed in 0..200u64 {
            let t = photo_times(seed, d);
            for (k, &x) in t.iter().enumerate() {
                assert!(
                    x >= k as i64 * d / 3 && x < (k as i64 + 1) * d / 3,
                    "seed {seed}: {t:?}"
                );
            }
            assert_eq!(t, photo_times(seed, d));
        }
        assert_ne!(photo_times(1, d), photo_times(2, d));
    }
}
