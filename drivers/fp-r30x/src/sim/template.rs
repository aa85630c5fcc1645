//! The simulator's fake feature extraction and matching.
//!
//! A "template" is 512 bytes derived deterministically from the packed image: a 2-byte header,
//! then SHA-256 of the image, then SHA-256 expansions of that digest. Matching counts equal
//! bytes, so the same image always matches itself (score 300) and a different image practically
//! never does (about 2 of 512 bytes agree by chance). This is not fingerprint matching: it only
//! gives the simulator consistent enrol/search behaviour.

use ring::digest::{SHA256, digest};

/// Template length.
pub const LEN: usize = 512;
/// Score of identical templates.
pub const MAX_SCORE: u16 = 300;

/// The template of a packed image; `None` when the image is blank (no features).
pub fn extract(packed_image: &[u8]) -> Option<Vec<u8>> {
    let first = *packed_image.first()?;
    if packed_image.iter().all(|&b| b == first) {
        return None;
    }
    let d = digest(&SHA256, packed_image);
    let mut t = Vec::with_capacity(LEN);
    t.extend_from_slice(&[0x03, 0x01]);
    t.extend_from_slice(d.as_ref());
    let mut counter = 0u32;
    while t.len() < LEN {
        let mut seed = d.as_ref().to_vec();
        seed.extend_from_slice(&counter.to_be_bytes());
        t.extend_from_slice(digest(&SHA256, &seed).as_ref());
        counter += 1;
    }
    t.truncate(LEN);
    Some(t)
}

/// The merged template of two captures (RegModel), marked in byte 1.
pub fn merge(a: &[u8], b: &[u8], threshold: u16) -> Option<Vec<u8>> {
    (score(a, b) >= threshold).then(|| {
        let mut m = a.to_vec();
        m[1] = 0x02;
        m
    })
}

/// Similarity 0..=300.
pub fn score(a: &[u8], b: &[u8]) -> u16 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    (same * usize::from(MAX_SCORE) / LEN) as u16
}

/// The acceptance threshold for a security level 1..=5.
pub fn threshold(security: u8) -> u16 {
    30 + 10 * u16::from(security)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_image_matches_different_does_not() {
        let a: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let mut b = a.clone();
        b[500] ^= 0x10;
        let (ta, tb) = (extract(&a).unwrap(), extract(&b).unwrap());
        assert_eq!(ta.len(), LEN);
        assert_eq!(score(&ta, &extract(&a).unwrap()), MAX_SCORE);
        assert!(score(&ta, &tb) < threshold(1));
        let m = merge(&ta, &ta, threshold(3)).unwrap();
        assert!(score(&m, &ta) >= threshold(5));
        assert_eq!(merge(&ta, &tb, threshold(3)), None);
        assert_eq!(extract(&[7; 100]), None);
    }
}
