//! MinHash signatures and exact set similarity.
//!
//! In: a set of 64-bit shingle hashes (from [`crate::shingle`]).
//! Out: a fixed-length [`Signature`] of `k` values whose position-wise
//! agreement rate estimates the Jaccard similarity of two sets
//! ([`estimate_jaccard`]), plus exact set measures (`intersection_size`,
//! [`jaccard`], [`containment`]) on sorted, deduplicated slices.
//!
//! Signatures use one-permutation hashing with optimal densification
//! (Shrivastava, ICML 2017): each shingle is re-mixed once with a strong
//! 64-bit bijective mixer, its high bits pick one of `k` bins, and each bin
//! keeps its minimum. Each bin left empty copies the value of the first
//! non-empty bin met along a probe sequence that depends only on the bin
//! index (never on the set), so two sets agree on a densified position with
//! the same probability as on a filled one. Signing costs
//! O(|shingles| + k) instead of k hashes per shingle (one mix per shingle,
//! then on average k / filled-bins cheap probes per empty bin, which only
//! matters for sets much smaller than k), and involves no run-time
//! randomness: the same shingles always give the same signature on every
//! run and machine.

/// Mixed into every shingle hash before binning. Persisted signatures depend on it.
const SIGN_SEED: u64 = 0x243F_6A88_85A3_08D3;
/// Seeds the per-bin probe sequences of densification. Persisted signatures depend on it.
const DENSIFY_SEED: u64 = 0x1319_8A2E_0370_7344;
/// Weyl-sequence increment (2^64 / golden ratio, odd).
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Strong 64-bit bijective mixer (the splitmix64 output finaliser).
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Maps a uniform 64-bit value onto `0..k` using its high bits (k >= 1).
#[inline]
fn bucket(h: u64, k: usize) -> usize {
    ((h as u128 * k as u128) >> 64) as usize
}

/// A MinHash signature: `k` values, one per bin.
///
/// The signature of an empty shingle set has every value equal to
/// `u64::MAX`; a non-empty set never produces `u64::MAX` at any position.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signature(pub Vec<u64>);

// `is_empty` would be ambiguous next to `is_empty_set` (a signature of an
// empty set still has `k` positions), so it is deliberately not provided.
#[allow(clippy::len_without_is_empty)]
impl Signature {
    /// Number of positions (`k` of the [`MinHasher`] that made it).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for the signature of an empty shingle set (every value is
    /// `u64::MAX`; a zero-length signature also counts). Such a signature
    /// is never similar to anything.
    pub fn is_empty_set(&self) -> bool {
        self.0.iter().all(|&v| v == u64::MAX)
    }
}

/// Builds [`Signature`]s of a fixed length `k`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinHasher {
    k: usize,
}

impl MinHasher {
    /// A hasher producing signatures of `k` positions. `k == 0` is clamped to 1.
    pub fn new(k: usize) -> MinHasher {
        MinHasher { k: k.max(1) }
    }

    /// Signature length.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Signature of a set of shingle hashes.
    ///
    /// `shingles` may be in any order and may contain duplicates; the result
    /// depends only on the set of distinct values. An empty slice gives the
    /// empty-set signature (all `u64::MAX`, [`Signature::is_empty_set`]).
    pub fn sign(&self, shingles: &[u64]) -> Signature {
        let k = self.k;
        // u64::MAX marks an empty bin; real values are capped at MAX - 1.
        let mut bins = vec![u64::MAX; k];
        for &s in shingles {
            let h = mix64(s.wrapping_add(SIGN_SEED));
            let slot = &mut bins[bucket(h, k)];
            // Branch-free min: which element wins a bin is unpredictable.
            *slot = (*slot).min(h.min(u64::MAX - 1));
        }
        let filled = bins.iter().filter(|&&v| v != u64::MAX).count();
        if filled == 0 || filled == k {
            return Signature(bins);
        }
        if filled == 1 {
            // Every probe sequence ends at the only filled bin: copy it
            // everywhere (same result as probing, without ~k^2 probes).
            let v = bins.iter().copied().min().unwrap_or(u64::MAX);
            return Signature(vec![v; k]);
        }
        // Optimal densification: probe only the *original* bins so the probe
        // outcome for bin j depends on nothing but j and the set itself.
        let mut out = bins.clone();
        // Past this many hashed probes fall back to a linear scan (always
        // terminates); with >= 1 filled bin the chance of reaching it is at
        // most (1 - 1/k)^(16k) < e^-16.
        let max_hashed = k.saturating_mul(16);
        for (j, slot) in out.iter_mut().enumerate() {
            if *slot != u64::MAX {
                continue;
            }
            let mut state = mix64((j as u64) ^ DENSIFY_SEED);
            let mut found = None;
            for _ in 0..max_hashed {
                state = state.wrapping_add(GOLDEN_GAMMA);
                let v = bins[bucket(mix64(state), k)];
                if v != u64::MAX {
                    found = Some(v);
                    break;
                }
            }
            let v = match found {
                Some(v) => v,
                None => {
                    let start = bucket(mix64(state.wrapping_add(GOLDEN_GAMMA)), k);
                    (0..k)
                        .map(|i| bins[(start + i) % k])
                        .find(|&v| v != u64::MAX)
                        .unwrap_or(u64::MAX)
                }
            };
            *slot = v;
        }
        Signature(out)
    }
}

/// Estimated Jaccard similarity: the fraction of positions where `a` and `b` agree.
///
/// Returns 0.0 when the lengths differ or either is an empty-set signature.
pub fn estimate_jaccard(a: &Signature, b: &Signature) -> f64 {
    if a.len() != b.len() || a.is_empty_set() || b.is_empty_set() {
        return 0.0;
    }
    let equal = a.0.iter().zip(&b.0).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

/// Size of the intersection of two sorted, deduplicated slices (linear merge).
///
/// Unsorted input does not panic but gives an unspecified result.
pub(crate) fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Exact Jaccard similarity |a∩b| / |a∪b| of two sorted, deduplicated slices.
///
/// 0.0 when both are empty.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let inter = intersection_size(a, b);
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// Containment |a∩b| / |a| of `a` in `b` (sorted, deduplicated slices).
///
/// 0.0 when `a` is empty.
pub fn containment(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() {
        0.0
    } else {
        intersection_size(a, b) as f64 / a.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distinct pseudo-random elements `start..start + n` of a splitmix64 stream.
    fn elems(start: u64, n: u64) -> Vec<u64> {
        (start..start + n)
            .map(|i| mix64(i.wrapping_mul(GOLDEN_GAMMA)))
            .collect()
    }

    fn sorted(mut v: Vec<u64>) -> Vec<u64> {
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn signature_values_are_pinned() {
        // Persisted signatures depend on the mixer, the seeds and the
        // densification sequence: catch any accidental change. Bins 4, 5 and
        // 7 are filled; 0, 1, 2, 3 and 6 are densified copies.
        let sig = MinHasher::new(8).sign(&[1, 2, 3, 4, 5]);
        const A: u64 = 0xE5F7_5340_BA05_EF3F;
        const B: u64 = 0xA7A6_B1D4_8C74_1004;
        const C: u64 = 0x95B1_1853_11AB_26EC;
        assert_eq!(sig.0, vec![A, B, B, C, C, B, C, A]);
    }

    #[test]
    fn identical_sets_estimate_one() {
        let h = MinHasher::new(128);
        let a = elems(0, 300);
        let mut shuffled_with_dups = a.clone();
        shuffled_with_dups.reverse();
        shuffled_with_dups.extend_from_slice(&a[..50]);
        let (sa, sb) = (h.sign(&a), h.sign(&shuffled_with_dups));
        assert_eq!(sa, sb);
        assert_eq!(estimate_jaccard(&sa, &sb), 1.0);
        assert!(!sa.is_empty_set());
        assert_eq!(sa.len(), 128);
        assert!(sa.0.iter().all(|&v| v != u64::MAX));
    }

    #[test]
    fn disjoint_sets_estimate_zero() {
        let h = MinHasher::new(128);
        let (a, b) = (elems(0, 200), elems(1_000, 200));
        // Distinct elements never share a value, so disjoint sets never agree.
        assert_eq!(estimate_jaccard(&h.sign(&a), &h.sign(&b)), 0.0);
        // Also for tiny sets, where most bins are densified.
        let (a, b) = (elems(0, 2), elems(1_000, 3));
        assert_eq!(estimate_jaccard(&h.sign(&a), &h.sign(&b)), 0.0);
    }

    #[test]
    fn estimate_close_to_exact() {
        // |A| = |B| = 800 with 600 shared: J = 600 / 1000 = 0.6.
        let shared = elems(0, 600);
        let mut a = shared.clone();
        a.extend(elems(10_000, 200));
        let mut b = shared;
        b.extend(elems(20_000, 200));
        let (a, b) = (sorted(a), sorted(b));
        assert_eq!(intersection_size(&a, &b), 600);
        let exact = jaccard(&a, &b);
        assert!((exact - 0.6).abs() < 1e-12);
        for k in [64, 128, 256] {
            let h = MinHasher::new(k);
            let est = estimate_jaccard(&h.sign(&a), &h.sign(&b));
            // ~3.5 standard deviations of sqrt(J(1-J)/k).
            let tol = 3.5 * (exact * (1.0 - exact) / k as f64).sqrt();
            assert!((est - exact).abs() < tol, "k={k} est={est} exact={exact}");
        }
    }

    #[test]
    fn empty_sets() {
        let h = MinHasher::new(16);
        let e = h.sign(&[]);
        assert!(e.is_empty_set());
        assert_eq!(e.len(), 16);
        assert!(e.0.iter().all(|&v| v == u64::MAX));
        let s = h.sign(&[42]);
        assert!(!s.is_empty_set());
        // A single element fills every position with the same value.
        assert!(s.0.iter().all(|&v| v == s.0[0]));
        assert_eq!(estimate_jaccard(&e, &e), 0.0);
        assert_eq!(estimate_jaccard(&e, &s), 0.0);
        assert_eq!(estimate_jaccard(&s, &s), 1.0);
        assert!(Signature(Vec::new()).is_empty_set());
        assert_eq!(intersection_size(&[], &[]), 0);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(jaccard(&[], &[1]), 0.0);
        assert_eq!(containment(&[], &[1, 2]), 0.0);
    }

    #[test]
    fn k_is_clamped_and_lengths_must_match() {
        let h0 = MinHasher::new(0);
        assert_eq!(h0.k(), 1);
        assert_eq!(h0.sign(&[7, 8]).len(), 1);
        let a = elems(0, 50);
        let s64 = MinHasher::new(64).sign(&a);
        let s32 = MinHasher::new(32).sign(&a);
        assert_eq!(estimate_jaccard(&s64, &s32), 0.0);
    }

    #[test]
    fn exact_measures() {
        let a = [1, 3, 5, 7, 9];
        let b = [3, 4, 5, 6];
        assert_eq!(intersection_size(&a, &b), 2);
        assert!((jaccard(&a, &b) - 2.0 / 7.0).abs() < 1e-12);
        assert!((containment(&a, &b) - 2.0 / 5.0).abs() < 1e-12);
        assert!((containment(&b, &a) - 2.0 / 4.0).abs() < 1e-12);
        assert_eq!(jaccard(&a, &a), 1.0);
        assert_eq!(containment(&[3, 5], &a), 1.0);
    }

    #[test]
    fn signature_serde_roundtrip() {
        let sig = MinHasher::new(8).sign(&[1, 2, 3]);
        let json = serde_json::to_string(&sig).expect("serialise");
        let back: Signature = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, sig);
    }
}
