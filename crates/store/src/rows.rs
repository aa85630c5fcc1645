//! Conversions between column values and row types, and the append checks both backends share.
//!
//! Backends read plain column values (`i64`, `Vec<u8>`, `String`) and hand them here, so the
//! rules for what a valid row is live in one place.

use std::collections::BTreeMap;

use audit::{Chain, Hash, Sealed};
use model::{Role, Seq, UnixMs, UserName};

use crate::StoreError;

/// The constraint named when a batch does not continue the stored log.
pub(crate) const SEQ_CONTINUITY: &str = "events.seq continuity";
/// The constraint named when a batch's hashes do not chain onto the stored log.
pub(crate) const HASH_CHAIN: &str = "events.hash chain";

/// A seq as a column value.
pub(crate) fn seq_param(seq: Seq) -> Result<i64, StoreError> {
    i64::try_from(seq.0).map_err(|_| StoreError::OutOfRange { what: "seq" })
}

/// A count (tree size, limit) as a column value.
pub(crate) fn count_param(n: u64, what: &'static str) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::OutOfRange { what })
}

/// A seq read back.
pub(crate) fn seq_from(what: &'static str, v: i64) -> Result<Seq, StoreError> {
    u64::try_from(v)
        .map(Seq)
        .map_err(|_| corrupt(what, format!("negative seq {v}")))
}

/// A non-negative count read back.
pub(crate) fn count_from(what: &'static str, v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| corrupt(what, format!("negative count {v}")))
}

/// A 32-byte hash read back.
pub(crate) fn hash_from(what: &'static str, bytes: &[u8]) -> Result<Hash, StoreError> {
    Hash::from_slice(bytes).ok_or_else(|| corrupt(what, format!("{} bytes, not 32", bytes.len())))
}

/// A kind code read back.
pub(crate) fn kind_from(what: &'static str, v: i64) -> Result<u16, StoreError> {
    u16::try_from(v).map_err(|_| corrupt(what, format!("kind code {v} out of range")))
}

/// A role read back.
pub(crate) fn role_from(what: &'static str, s: &str) -> Result<Role, StoreError> {
    s.parse()
        .map_err(|e: model::RoleError| corrupt(what, e.to_string()))
}

/// A user name read back.
pub(crate) fn user_name_from(what: &'static str, s: &str) -> Result<UserName, StoreError> {
    s.parse()
        .map_err(|e: model::IdError| corrupt(what, e.to_string()))
}

/// A time read back.
pub(crate) fn time_from(v: i64) -> UnixMs {
    UnixMs(v)
}

fn corrupt(what: &'static str, detail: String) -> StoreError {
    StoreError::Corrupt { what, detail }
}

/// Checks that `batch` continues the stored log whose last event is `head`: seqs dense from
/// the next one, and each hash chained onto the one before (onto the stored head hash for the
/// first event; the first event of a log, seq 1, chains onto the site's genesis hash, which
/// the store does not know, so it is checked by seq only).
pub(crate) fn check_continuity(
    head: Option<(Seq, Hash)>,
    batch: &[Sealed],
) -> Result<(), StoreError> {
    let mut expected = head.map_or(Seq::FIRST, |(seq, _)| seq.next());
    let mut prev = head.map(|(_, hash)| hash);
    for sealed in batch {
        if sealed.event.seq != expected {
            return Err(StoreError::Conflict {
                constraint: SEQ_CONTINUITY.to_owned(),
            });
        }
        if let Some(prev) = prev
            && Chain::link(&prev, &sealed.bytes) != sealed.hash
        {
            return Err(StoreError::Conflict {
                constraint: HASH_CHAIN.to_owned(),
            });
        }
        prev = Some(sealed.hash);
        expected = expected.next();
    }
    Ok(())
}

/// How many events of each kind code a batch holds, by code.
pub(crate) fn kind_totals(batch: &[Sealed]) -> Vec<(i64, i64)> {
    let mut totals = BTreeMap::<u16, i64>::new();
    for sealed in batch {
        *totals.entry(sealed.event.kind.code()).or_default() += 1;
    }
    totals.into_iter().map(|(k, n)| (i64::from(k), n)).collect()
}

/// Row counts of the multi-row statements a batch is split into. Few distinct sizes keep the
/// prepared-statement cache small; large ones keep the statement count per batch low.
const CHUNK_SIZES: [usize; 4] = [64, 16, 4, 1];

/// Splits `items` greedily into slices of the sizes in [`CHUNK_SIZES`].
pub(crate) fn chunked<T>(mut items: &[T]) -> Vec<&[T]> {
    let mut out = Vec::new();
    while !items.is_empty() {
        let size = CHUNK_SIZES
            .into_iter()
            .find(|&c| c <= items.len())
            .unwrap_or(1);
        let (chunk, rest) = items.split_at(size);
        out.push(chunk);
        items = rest;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use audit::Event;
    use model::{EventKind, SiteId};

    fn chain_of(n: u64) -> Vec<Sealed> {
        let site: SiteId = "t".parse().unwrap();
        let mut chain = Chain::genesis(&site);
        (1..=n)
            .map(|i| {
                let kind = if i % 2 == 0 {
                    EventKind::UserLogin
                } else {
                    EventKind::DeviceReport
                };
                let event = Event {
                    seq: Seq(i),
                    time: UnixMs(0),
                    kind,
                    subjects: vec![],
                    payload: vec![],
                };
                chain.append(event).unwrap()
            })
            .collect()
    }

    #[test]
    fn continuity_accepts_the_next_events_only() {
        let all = chain_of(4);
        assert!(check_continuity(None, &all).is_ok());
        let head = Some((Seq(2), all[1].hash));
        assert!(check_continuity(head, &all[2..]).is_ok());
        let conflict = |r: Result<(), StoreError>| match r {
            Err(StoreError::Conflict { constraint }) => constraint,
            other => panic!("{other:?}"),
        };
        assert_eq!(conflict(check_continuity(head, &all[1..])), SEQ_CONTINUITY);
        assert_eq!(conflict(check_continuity(head, &all[3..])), SEQ_CONTINUITY);
        assert_eq!(conflict(check_continuity(None, &all[1..])), SEQ_CONTINUITY);
        // Right seq, wrong predecessor hash.
        assert_eq!(
            conflict(check_continuity(Some((Seq(2), all[0].hash)), &all[2..])),
            HASH_CHAIN
        );
        // A gap inside the batch.
        let gappy = [all[2].clone(), all[1].clone()];
        assert_eq!(conflict(check_continuity(head, &gappy)), SEQ_CONTINUITY);
        assert!(check_continuity(head, &[]).is_ok());
    }

    #[test]
    fn kind_totals_count_per_code() {
        let all = chain_of(5);
        assert_eq!(
            kind_totals(&all),
            vec![
                (i64::from(EventKind::UserLogin.code()), 2),
                (i64::from(EventKind::DeviceReport.code()), 3)
            ]
        );
    }

    #[test]
    fn chunks_cover_everything_in_order_with_few_sizes() {
        for n in 0..300usize {
            let items: Vec<usize> = (0..n).collect();
            let chunks = chunked(&items);
            assert_eq!(chunks.concat(), items);
            assert!(chunks.iter().all(|c| CHUNK_SIZES.contains(&c.len())));
            assert!(
                chunks.len() <= n / 64 + 3 + 3 + 3,
                "n={n}: {} chunks",
                chunks.len()
            );
        }
    }

    #[test]
    fn out_of_range_values_are_refused() {
        assert!(matches!(
            seq_param(Seq(u64::MAX)),
            Err(StoreError::OutOfRange { .. })
        ));
        assert!(matches!(
            seq_from("events.seq", -1),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            hash_from("events.hash", &[0; 31]),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            role_from("users.role", "root"),
            Err(StoreError::Corrupt { .. })
        ));
    }
}
