//! The Merkle tree over the log, hashed as RFC 6962 (Certificate Transparency) does.
//!
//! ```text
//! leaf hash  = SHA-256(0x00 ‖ canonical event bytes)
//! node hash  = SHA-256(0x01 ‖ left ‖ right)
//! MTH({})    = SHA-256("")
//! MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n]))  with k the largest power of two < n
//! ```
//!
//! The leaf and node prefixes keep a leaf from passing for an inner node (second pre-image).
//! Leaf `i` of the tree is the event with seq `i + 1`.
//!
//! [`root`] is the plain recursive definition, kept as the oracle. [`Frontier`] computes the
//! same root incrementally, holding one hash per set bit of the tree size, so a writer can
//! append forever in O(log n) memory and persist its state in a few hundred bytes.
//!
//! Proofs follow RFC 6962 §2.1.1–2.1.2 (generation) and RFC 9162 §2.1.3.2 / §2.1.4.2
//! (verification), so a third party holding a signed checkpoint can check one event
//! ([`verify_inclusion`]) or that a later checkpoint extends an earlier one ([`verify_consistency`]).

use crate::hash::{Hash, sha256};

/// The root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    sha256(&[])
}

/// The RFC 6962 leaf hash of canonical bytes: `SHA-256(0x00 ‖ bytes)`.
pub fn leaf_hash(bytes: &[u8]) -> Hash {
    sha256(&[&[0x00], bytes])
}

/// The RFC 6962 inner node hash: `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    sha256(&[&[0x01], &left.0, &right.0])
}

/// The largest power of two strictly smaller than `n` (`n >= 2`).
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The Merkle tree hash of a list of leaf hashes, by the recursive definition (RFC 6962 §2.1).
///
/// This is the oracle; [`Frontier`] is the incremental way to the same value.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// A proof was refused, or could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is outside a tree of {tree_size} leaves")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The tree size.
        tree_size: u64,
    },
    /// A consistency proof between sizes `m > n` was asked for.
    #[error("an older tree of {m} leaves cannot be larger than the newer one of {n}")]
    SizeOrder {
        /// The older size.
        m: u64,
        /// The newer size.
        n: u64,
    },
    /// The proof has the wrong number of hashes for these sizes.
    #[error("the proof has the wrong number of hashes ({len}) for these tree sizes")]
    WrongLength {
        /// The number of hashes given.
        len: usize,
    },
    /// The proof is well formed but does not lead to the expected root(s).
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
}

/// The incremental Merkle tree: one perfect-subtree root per set bit of the size.
///
/// `nodes[0]` is the root of the leftmost (largest) perfect subtree, the last entry the
/// rightmost (smallest). Pushing a leaf merges equal-sized subtrees like a binary counter
/// carries; the root folds the subtrees from the right, which is exactly RFC 6962's MTH.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

/// Bytes are not a serialised [`Frontier`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontierDecodeError {
    /// The version byte is not one this build reads.
    #[error("unsupported frontier format version {0}")]
    Version(u8),
    /// The bytes end inside the named field.
    #[error("frontier truncated in field `{0}`")]
    Truncated(&'static str),
    /// The number of hashes does not match the size (one per set bit).
    #[error("a frontier of size {size} holds {expected} hashes, the bytes hold {found}")]
    HashCount {
        /// The tree size read.
        size: u64,
        /// Hashes that size needs.
        expected: usize,
        /// Hashes present.
        found: usize,
    },
}

impl Frontier {
    /// The encoding version of [`Frontier::to_bytes`].
    pub const FORMAT_VERSION: u8 = 1;

    /// An empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// Builds the frontier of a list of leaf hashes.
    pub fn from_leaves<'a>(leaves: impl IntoIterator<Item = &'a Hash>) -> Frontier {
        let mut f = Frontier::new();
        for l in leaves {
            f.push(*l);
        }
        f
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash (see [`leaf_hash`]).
    pub fn push(&mut self, leaf: Hash) {
        let mut h = leaf;
        let mut s = self.size;
        while s & 1 == 1 {
            let left = self.nodes.pop().expect("one node per set bit");
            h = node_hash(&left, &h);
            s >>= 1;
        }
        self.nodes.push(h);
        self.size += 1;
    }

    /// The Merkle tree hash of all leaves pushed so far.
    pub fn root(&self) -> Hash {
        let mut it = self.nodes.iter().rev();
        match it.next() {
            None => empty_root(),
            Some(last) => it.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }

    /// Serialises the state: `u8 version, u64 size (big-endian), one 32-byte hash per set bit of size`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(9 + 32 * self.nodes.len());
        out.push(Self::FORMAT_VERSION);
        out.extend_from_slice(&self.size.to_be_bytes());
        for n in &self.nodes {
            out.extend_from_slice(&n.0);
        }
        out
    }

    /// Reads the bytes of [`Frontier::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Frontier, FrontierDecodeError> {
        let (&version, rest) = bytes
            .split_first()
            .ok_or(FrontierDecodeError::Truncated("version"))?;
        if version != Self::FORMAT_VERSION {
            return Err(FrontierDecodeError::Version(version));
        }
        let (size, rest) = rest
            .split_at_checked(8)
            .ok_or(FrontierDecodeError::Truncated("size"))?;
        let size = u64::from_be_bytes(size.try_into().expect("8 bytes"));
        let expected = size.count_ones() as usize;
        if rest.len() % 32 != 0 || rest.len() / 32 != expected {
            return Err(FrontierDecodeError::HashCount {
                size,
                expected,
                found: rest.len() / 32,
            });
        }
        let nodes = rest
            .chunks_exact(32)
            .map(|c| Hash::from_slice(c).expect("32 bytes"))
            .collect();
        Ok(Frontier { size, nodes })
    }
}

/// The audit path of leaf `index` in the tree of all `leaves` (RFC 6962 §2.1.1), leaf side first.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, ProofError> {
    let tree_size = leaves.len() as u64;
    if index >= tree_size {
        return Err(ProofError::IndexOutOfRange { index, tree_size });
    }
    let mut proof = Vec::new();
    path(index as usize, leaves, &mut proof);
    Ok(proof)
}

fn path(m: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, &leaves[..k], out);
        out.push(root(&leaves[k..]));
    } else {
        path(m - k, &leaves[k..], out);
        out.push(root(&leaves[..k]));
    }
}

/// Checks that `leaf` is leaf `index` of the tree of `tree_size` leaves with root `root`
/// (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    tree_size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= tree_size {
        return Err(ProofError::IndexOutOfRange { index, tree_size });
    }
    let (mut fnode, mut snode) = (index, tree_size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::WrongLength { len: proof.len() });
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength { len: proof.len() });
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// The proof that the tree of the first `m` leaves is a prefix of the tree of all `leaves`
/// (RFC 6962 §2.1.2). Empty when `m` is 0 or equals the size.
pub fn consistency_proof(leaves: &[Hash], m: u64) -> Result<Vec<Hash>, ProofError> {
    let n = leaves.len() as u64;
    if m > n {
        return Err(ProofError::SizeOrder { m, n });
    }
    let mut proof = Vec::new();
    if m > 0 && m < n {
        subproof(m as usize, leaves, true, &mut proof);
    }
    Ok(proof)
}

fn subproof(m: usize, leaves: &[Hash], whole: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !whole {
            out.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], whole, out);
        out.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root(&leaves[..k]));
    }
}

/// Checks that the tree of `m` leaves with root `root_m` is a prefix of the tree of `n`
/// leaves with root `root_n` (RFC 9162 §2.1.4.2).
///
/// `m == 0` is consistent with anything (the proof must be empty); `m == n` needs an empty
/// proof and equal roots.
pub fn verify_consistency(
    m: u64,
    n: u64,
    root_m: &Hash,
    root_n: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if m > n {
        return Err(ProofError::SizeOrder { m, n });
    }
    if m == 0 || m == n {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength { len: proof.len() });
        }
        if m == n && root_m != root_n {
            return Err(ProofError::RootMismatch);
        }
        return Ok(());
    }
    let wrong = ProofError::WrongLength { len: proof.len() };
    // When m is a power of two the old root is itself a node of the new tree, and the
    // proof leaves it out.
    let (first, rest) = if m.is_power_of_two() {
        (*root_m, proof)
    } else {
        let (first, rest) = proof.split_first().ok_or(wrong.clone())?;
        (*first, rest)
    };
    let (mut fnode, mut snode) = (m - 1, n - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (first, first);
    for c in rest {
        if snode == 0 {
            return Err(wrong);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(wrong);
    }
    if fr != *root_m || sr != *root_n {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(s: &str) -> Hash {
        Hash::from_hex(s).unwrap()
    }

    /// The Certificate Transparency reference tree (RFC 6962 test data).
    fn ct_leaves() -> Vec<Hash> {
        let data: [&[u8]; 8] = [
            b"",
            b"\x00",
            b"\x10",
            b"\x20\x21",
            b"\x30\x31",
            b"\x40\x41\x42\x43",
            b"\x50\x51\x52\x53\x54\x55\x56\x57",
            b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
        ];
        data.iter().map(|d| leaf_hash(d)).collect()
    }

    /// Roots of the first 0..=8 reference leaves.
    const CT_ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    #[test]
    fn reference_roots() {
        let leaves = ct_leaves();
        for n in 0..=8 {
            assert_eq!(root(&leaves[..n]), h(CT_ROOTS[n]), "naive root of {n}");
            assert_eq!(
                Frontier::from_leaves(&leaves[..n]).root(),
                h(CT_ROOTS[n]),
                "frontier of {n}"
            );
        }
    }

    #[test]
    fn reference_inclusion_proofs() {
        let leaves = ct_leaves();
        let cases: [(u64, [&str; 3]); 2] = [
            (
                0,
                [
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                5,
                [
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
        ];
        for (index, want) in cases {
            let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
            assert_eq!(inclusion_proof(&leaves, index).unwrap(), want);
            let leaf = &leaves[index as usize];
            assert_eq!(
                verify_inclusion(leaf, index, 8, &want, &h(CT_ROOTS[8])),
                Ok(())
            );
        }
    }

    #[test]
    fn reference_consistency_proofs() {
        let leaves = ct_leaves();
        let cases: [(u64, &[&str]); 3] = [
            (
                1,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                2,
                &[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                6,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
        ];
        for (m, want) in cases {
            let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
            assert_eq!(consistency_proof(&leaves, m).unwrap(), want, "m = {m}");
            let (rm, rn) = (h(CT_ROOTS[m as usize]), h(CT_ROOTS[8]));
            assert_eq!(verify_consistency(m, 8, &rm, &rn, &want), Ok(()));
        }
    }

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n as u32).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn every_inclusion_proof_up_to_40_leaves() {
        let all = leaves(40);
        for n in 1..=all.len() {
            let tree = &all[..n];
            let r = root(tree);
            for i in 0..n as u64 {
                let p = inclusion_proof(tree, i).unwrap();
                let leaf = &tree[i as usize];
                assert_eq!(
                    verify_inclusion(leaf, i, n as u64, &p, &r),
                    Ok(()),
                    "{i}/{n}"
                );
                // Wrong leaf, wrong root, wrong index, short or long proofs all fail.
                let other = leaf_hash(b"not a leaf");
                assert!(verify_inclusion(&other, i, n as u64, &p, &r).is_err());
                assert!(verify_inclusion(leaf, i, n as u64, &p, &other).is_err());
                if n > 1 {
                    let j = (i + 1) % n as u64;
                    assert!(
                        verify_inclusion(leaf, j, n as u64, &p, &r).is_err(),
                        "index {j}/{n}"
                    );
                    assert!(verify_inclusion(leaf, i, n as u64, &p[1..], &r).is_err());
                }
                let mut longer = p.clone();
                longer.push(other);
                assert!(verify_inclusion(leaf, i, n as u64, &longer, &r).is_err());
            }
            assert_eq!(
                inclusion_proof(tree, n as u64),
                Err(ProofError::IndexOutOfRange {
                    index: n as u64,
                    tree_size: n as u64
                })
            );
        }
    }

    #[test]
    fn every_consistency_proof_up_to_40_leaves() {
        let all = leaves(40);
        let roots: Vec<Hash> = (0..=all.len()).map(|n| root(&all[..n])).collect();
        for n in 0..=all.len() {
            for m in 0..=n {
                let p = consistency_proof(&all[..n], m as u64).unwrap();
                let (m64, n64) = (m as u64, n as u64);
                assert_eq!(
                    verify_consistency(m64, n64, &roots[m], &roots[n], &p),
                    Ok(()),
                    "{m}->{n}"
                );
                if m == 0 {
                    continue;
                }
                let bogus = leaf_hash(b"bogus");
                assert!(
                    verify_consistency(m64, n64, &bogus, &roots[n], &p).is_err(),
                    "{m}->{n}"
                );
                assert!(
                    verify_consistency(m64, n64, &roots[m], &bogus, &p).is_err(),
                    "{m}->{n}"
                );
                if !p.is_empty() {
                    assert!(verify_consistency(m64, n64, &roots[m], &roots[n], &p[1..]).is_err());
                    let mut flipped = p.clone();
                    flipped[0].0[0] ^= 1;
                    assert!(verify_consistency(m64, n64, &roots[m], &roots[n], &flipped).is_err());
                }
                let mut longer = p.clone();
                longer.push(bogus);
                assert!(verify_consistency(m64, n64, &roots[m], &roots[n], &longer).is_err());
            }
        }
        assert_eq!(
            consistency_proof(&all[..3], 4),
            Err(ProofError::SizeOrder { m: 4, n: 3 })
        );
    }

    #[test]
    fn frontier_bytes_round_trip_and_resume() {
        let all = leaves(23);
        let mut f = Frontier::from_leaves(&all[..13]);
        let bytes = f.to_bytes();
        assert_eq!(bytes.len(), 1 + 8 + 32 * 3); // 13 = 0b1101
        let mut resumed = Frontier::from_bytes(&bytes).unwrap();
        assert_eq!(resumed, f);
        for l in &all[13..] {
            f.push(*l);
            resumed.push(*l);
        }
        assert_eq!(resumed.root(), root(&all));
        assert_eq!(
            Frontier::from_bytes(&bytes[..bytes.len() - 1]),
            Err(FrontierDecodeError::HashCount {
                size: 13,
                expected: 3,
                found: 2
            })
        );
        assert_eq!(
            Frontier::from_bytes(&[2]),
            Err(FrontierDecodeError::Version(2))
        );
        assert_eq!(
            Frontier::from_bytes(&[1, 0]),
            Err(FrontierDecodeError::Truncated("size"))
        );
        assert_eq!(
            Frontier::from_bytes(&[]),
            Err(FrontierDecodeError::Truncated("version"))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn frontier_agrees_with_naive_root(data in prop::collection::vec(any::<u8>(), 0..200)) {
            let all: Vec<Hash> = data.iter().map(|b| leaf_hash(&[*b])).collect();
            let mut f = Frontier::new();
            prop_assert_eq!(f.root(), root(&[]));
            for (i, l) in all.iter().enumerate() {
                f.push(*l);
                prop_assert_eq!(f.size(), i as u64 + 1);
                prop_assert_eq!(f.root(), root(&all[..=i]));
            }
            prop_assert_eq!(Frontier::from_bytes(&f.to_bytes()).unwrap(), f);
        }
    }
}
