//! A third party holding only signed checkpoints checks single events and log growth.

use audit::{
    Hash, consistency_proof, inclusion_proof, leaf_hash, verify_consistency, verify_inclusion,
};
use proptest::prelude::*;

use crate::support::build;

proptest! {
    #![proptest_config(crate::support::proptest_config())]

    #[test]
    fn events_and_growth_check_against_signed_checkpoints(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..120),
        every in 1..30u64,
        pick in any::<prop::sample::Index>(),
    ) {
        let log = build(&payloads, every);
        let leaves: Vec<Hash> = log.records.iter().map(|(b, _)| leaf_hash(b)).collect();
        let mut previous: Option<audit::Checkpoint> = None;
        for signed in &log.checkpoints {
            // The third party trusts only the key and the signed checkpoint.
            let cp = log.key.verify(signed).unwrap();
            let size = cp.tree_size as usize;
            if size > 0 {
                let i = pick.index(size);
                let proof = inclusion_proof(&leaves[..size], i as u64).unwrap();
                let bytes = &log.records[i].0;
                prop_assert_eq!(verify_inclusion(&leaf_hash(bytes), i as u64, cp.tree_size, &proof, &cp.root), Ok(()));
                // A changed event, or the event at another index, does not verify.
                let mut changed = bytes.clone();
                let last = changed.len() - 1;
                changed[last] ^= 1;
                prop_assert!(verify_inclusion(&leaf_hash(&changed), i as u64, cp.tree_size, &proof, &cp.root).is_err());
                if size > 1 {
                    let j = (i + 1) % size;
                    prop_assert!(verify_inclusion(&leaves[j], i as u64, cp.tree_size, &proof, &cp.root).is_err());
                }
            }
            if let Some(prev) = &previous {
                let proof = consistency_proof(&leaves[..size], prev.tree_size).unwrap();
                prop_assert_eq!(verify_consistency(prev.tree_size, cp.tree_size, &prev.root, &cp.root, &proof), Ok(()));
                let wrong = leaf_hash(b"rewritten history");
                if prev.tree_size > 0 && prev.tree_size < cp.tree_size {
                    prop_assert!(verify_consistency(prev.tree_size, cp.tree_size, &wrong, &cp.root, &proof).is_err());
                }
            }
            previous = Some(cp);
        }
    }
}
