//! Locality-sensitive hashing by banding MinHash signatures.
//!
//! In: MinHash [`Signature`]s (from [`crate::minhash`]) and banding
//! parameters ([`LshParams`], usually from [`LshParams::optimal`]).
//! Out: one stable 64-bit key per band for each signature ([`band_keys`]),
//! and the candidate document pairs that share at least one band key
//! ([`candidate_pairs`], or `candidate_pairs_capped` from a flat list of
//! `(key, doc)` entries), as sorted `(a, b)` pairs with `a < b`.
//!
//! A signature of `k` values is cut into `bands` bands of `rows` values
//! (`bands * rows <= k`; leftover values are ignored). Two sets of Jaccard
//! similarity `s` become candidates with probability
//! `P(s) = 1 - (1 - s^rows)^bands`.

use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use crate::DocId;
use crate::minhash::Signature;
use crate::shingle::stable_hash;

/// Seed from which every band's key seed is derived. Persisted band keys depend on it.
const BAND_SEED: u64 = 0xA409_3822_299F_31D0;

/// Number of integration intervals (even, for Simpson's rule) on each side of the threshold.
const INTEGRATION_STEPS: usize = 200;

/// Banding parameters: `bands` bands of `rows` signature values each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LshParams {
    /// Number of bands.
    pub bands: usize,
    /// Signature values per band.
    pub rows: usize,
}

/// Simpson's rule for `f` over `[a, b]` with `INTEGRATION_STEPS` intervals.
fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    if b <= a {
        return 0.0;
    }
    let n = INTEGRATION_STEPS;
    let h = (b - a) / n as f64;
    let mut sum = f(a) + f(b);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(a + i as f64 * h);
    }
    sum * h / 3.0
}

/// `x^n` for a non-negative integer exponent.
fn powu(x: f64, n: usize) -> f64 {
    match i32::try_from(n) {
        Ok(n) => x.powi(n),
        Err(_) => x.powf(n as f64),
    }
}

/// A weight usable in the cost function: finite and non-negative, else 0.
fn sanitize_weight(w: f64) -> f64 {
    if w.is_finite() && w > 0.0 { w } else { 0.0 }
}

impl LshParams {
    /// Banding that best separates pairs above and below `threshold` for
    /// signatures of `k` values.
    ///
    /// Over every `(bands, rows)` with `bands, rows >= 1` and
    /// `bands * rows <= k`, minimises
    /// `fp_weight * ∫_0^t P(s) ds + fn_weight * ∫_t^1 (1 - P(s)) ds`
    /// (the weighted false-positive and false-negative areas), integrated
    /// with Simpson's rule. Ties keep the first candidate in the order
    /// (bands ascending, then rows ascending).
    ///
    /// `threshold` is clamped to `[0, 1]` (NaN counts as 0.5), `k == 0`
    /// counts as 1, and negative or non-finite weights count as 0. The
    /// search evaluates about `k ln k` candidates, which is instantaneous
    /// for the usual `k` of a few hundred.
    pub fn optimal(threshold: f64, k: usize, fp_weight: f64, fn_weight: f64) -> LshParams {
        let t = if threshold.is_nan() {
            0.5
        } else {
            threshold.clamp(0.0, 1.0)
        };
        let k = k.max(1);
        let (wfp, wfn) = (sanitize_weight(fp_weight), sanitize_weight(fn_weight));
        let mut best = LshParams { bands: 1, rows: 1 };
        let mut best_cost = f64::INFINITY;
        for bands in 1..=k {
            for rows in 1..=k / bands {
                let p = LshParams { bands, rows };
                let fp = integrate(|s| p.probability(s), 0.0, t);
                let fneg = integrate(|s| 1.0 - p.probability(s), t, 1.0);
                let cost = wfp * fp + wfn * fneg;
                if cost < best_cost {
                    best_cost = cost;
                    best = p;
                }
            }
        }
        best
    }

    /// Probability `1 - (1 - s^rows)^bands` that two sets of Jaccard
    /// similarity `s` (clamped to `[0, 1]`) share at least one band.
    pub fn probability(&self, s: f64) -> f64 {
        let s = if s.is_nan() { 0.0 } else { s.clamp(0.0, 1.0) };
        1.0 - powu(1.0 - powu(s, self.rows), self.bands)
    }
}

/// One stable key per band of `sig`.
///
/// Band `i` covers values `i * rows .. (i + 1) * rows`; its key is
/// [`stable_hash`] of those values' little-endian bytes, with a seed derived
/// from the band index, so equal values in different bands give different
/// keys. Keys are stable across runs and machines and may be persisted.
/// Only complete bands are keyed (at most `sig.len() / rows`). An empty-set
/// signature, or `rows == 0`, gives no keys, so it is never a candidate.
pub fn band_keys(sig: &Signature, params: &LshParams) -> Vec<u64> {
    let rows = params.rows;
    if rows == 0 || sig.is_empty_set() {
        return Vec::new();
    }
    let mut buf = Vec::with_capacity(rows * 8);
    sig.0
        .chunks_exact(rows)
        .take(params.bands)
        .enumerate()
        .map(|(i, band)| {
            buf.clear();
            for v in band {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            let seed = stable_hash(&(i as u64).to_le_bytes(), BAND_SEED);
            stable_hash(&buf, seed)
        })
        .collect()
}

/// Buckets larger than this become stars in [`candidate_pairs`]: see
/// `candidate_pairs_capped`.
pub const MAX_BUCKET: usize = 1_000;

/// Candidate pairs, and what was done about oversized buckets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidates {
    /// Pairs `(a, b)` with `a < b`, sorted and deduplicated.
    pub pairs: Vec<(DocId, DocId)>,
    /// Buckets whose members were paired only with the first member.
    pub capped_buckets: usize,
    /// Size of the largest bucket.
    pub largest_bucket: usize,
}

/// Pairs of documents that share at least one band key.
///
/// `keys[d]` holds the band keys of document `d` (as from [`band_keys`]);
/// keys are compared across all documents (each key already encodes its
/// band index). Returns pairs `(a, b)` with `a < b`, sorted and
/// deduplicated; the result is the same for any number of threads.
/// Documents past index `DocId::MAX` are ignored. Buckets of more than
/// [`MAX_BUCKET`] documents are turned into stars (see
/// `candidate_pairs_capped`).
pub fn candidate_pairs(keys: &[Vec<u64>]) -> Vec<(DocId, DocId)> {
    let max_docs = usize::try_from(DocId::MAX)
        .map(|m| m.saturating_add(1))
        .unwrap_or(usize::MAX);
    let keys = &keys[..keys.len().min(max_docs)];
    let entries: Vec<(u64, DocId)> = keys
        .par_iter()
        .enumerate()
        .flat_map_iter(|(d, ks)| ks.iter().map(move |&k| (k, d as DocId)))
        .collect();
    candidate_pairs_capped(entries, MAX_BUCKET).pairs
}

/// Pairs of documents sharing a band key, from a flat list of `(key, doc)`
/// entries (in any order), with buckets capped at `max_bucket` documents.
///
/// # Algorithm
/// The entries are sorted (in parallel) by key and document; each run of one
/// key is a bucket, and a bucket of `m` documents gives its `m (m − 1) / 2`
/// pairs. Sorting one flat vector beats a hash map of vectors: no allocation
/// per key, sequential memory, and grouping is a linear scan (also parallel).
///
/// # Oversized buckets
/// Thousands of identical documents (boilerplate, empty templates) share
/// every band key, and their pairs grow quadratically: 10,000 copies give 50
/// million pairs per band. A bucket of more than `max_bucket` documents
/// therefore becomes a *star*: each member is paired with the bucket's first
/// (lowest) document only. Every member still ends up in one cluster under
/// union–find, and each member is still compared with the first, so
/// deduplication loses nothing; a report lists the star's pairs instead of
/// all pairs. [`Candidates::capped_buckets`] counts the stars so a caller can
/// warn. `max_bucket == 0` means no cap.
pub(crate) fn candidate_pairs_capped(
    mut entries: Vec<(u64, DocId)>,
    max_bucket: usize,
) -> Candidates {
    entries.par_sort_unstable();
    entries.dedup();
    let buckets: Vec<&[(u64, DocId)]> = entries.par_chunk_by(|x, y| x.0 == y.0).collect();
    let capped = AtomicUsize::new(0);
    let largest = buckets.iter().map(|b| b.len()).max().unwrap_or(0);
    let mut pairs: Vec<(DocId, DocId)> = buckets
        .par_iter()
        .filter(|b| b.len() > 1)
        .flat_map_iter(|bucket| {
            let star = max_bucket > 0 && bucket.len() > max_bucket;
            if star {
                capped.fetch_add(1, AtomicOrdering::Relaxed);
            }
            let first = bucket[0].1;
            let all = (0..bucket.len()).flat_map(move |i| {
                let a = bucket[i].1;
                bucket[i + 1..].iter().map(move |&(_, b)| (a, b))
            });
            let stars = bucket[1..].iter().map(move |&(_, b)| (first, b));
            let (all, stars) = if star {
                (None, Some(stars))
            } else {
                (Some(all), None)
            };
            all.into_iter().flatten().chain(stars.into_iter().flatten())
        })
        .collect();
    drop(buckets);
    drop(entries);
    pairs.par_sort_unstable();
    pairs.dedup();
    Candidates {
        pairs,
        capped_buckets: capped.into_inner(),
        largest_bucket: largest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::MinHasher;

    /// Distinct pseudo-random elements (splitmix64 of a counter).
    fn elems(start: u64, n: u64) -> Vec<u64> {
        (start..start + n)
            .map(|i| {
                let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            })
            .collect()
    }

    /// Two sets with `inter` shared elements and `each` private ones apiece,
    /// drawn from a fresh element range starting at `base`.
    fn pair(base: u64, inter: u64, each: u64) -> (Vec<u64>, Vec<u64>) {
        let mut a = elems(base, inter);
        let mut b = a.clone();
        a.extend(elems(base + inter, each));
        b.extend(elems(base + inter + each, each));
        (a, b)
    }

    #[test]
    fn optimal_half_threshold() {
        let p = LshParams::optimal(0.5, 128, 0.5, 0.5);
        assert!(p.bands * p.rows <= 128, "{p:?}");
        assert!(p.bands >= 1 && p.rows >= 1);
        let at = p.probability(0.5);
        assert!((at - 0.5).abs() < 0.2, "{p:?} P(0.5)={at}");
        // The S-curve separates well on both sides.
        assert!(p.probability(0.2) < 0.05, "{p:?}");
        assert!(p.probability(0.8) > 0.95, "{p:?}");
        // Deterministic.
        assert_eq!(p, LshParams::optimal(0.5, 128, 0.5, 0.5));
    }

    #[test]
    fn higher_threshold_more_rows() {
        let rows: Vec<usize> = [0.2, 0.5, 0.8, 0.95]
            .iter()
            .map(|&t| LshParams::optimal(t, 128, 0.5, 0.5).rows)
            .collect();
        assert!(rows.windows(2).all(|w| w[0] < w[1]), "{rows:?}");
    }

    #[test]
    fn optimal_degenerate_inputs() {
        for (t, k, a, b) in [
            (f64::NAN, 0, 0.5, 0.5),
            (-1.0, 1, 0.5, 0.5),
            (2.0, 16, f64::INFINITY, -1.0),
            (0.5, 16, 0.0, 0.0),
        ] {
            let p = LshParams::optimal(t, k, a, b);
            assert!(p.bands >= 1 && p.rows >= 1 && p.bands * p.rows <= k.max(1));
        }
        let p = LshParams { bands: 4, rows: 3 };
        assert_eq!(p.probability(0.0), 0.0);
        assert_eq!(p.probability(1.0), 1.0);
        assert_eq!(p.probability(f64::NAN), 0.0);
    }

    #[test]
    fn band_keys_shape_and_stability() {
        let h = MinHasher::new(128);
        let sig = h.sign(&elems(0, 100));
        let params = LshParams { bands: 20, rows: 6 };
        let keys = band_keys(&sig, &params);
        assert_eq!(keys.len(), 20);
        assert_eq!(keys, band_keys(&sig.clone(), &params));
        // Too few values for all requested bands: only complete bands.
        let p = LshParams { bands: 50, rows: 5 };
        assert_eq!(band_keys(&sig, &p).len(), 25);
        assert!(band_keys(&sig, &LshParams { bands: 4, rows: 0 }).is_empty());
        assert!(band_keys(&h.sign(&[]), &params).is_empty());
    }

    #[test]
    fn band_keys_are_pinned_and_band_dependent() {
        // All bands hold equal values, yet every band gets its own key.
        let sig = Signature(vec![7; 8]);
        let keys = band_keys(&sig, &LshParams { bands: 4, rows: 2 });
        let mut uniq = keys.clone();
        uniq.sort_unstable();
        uniq.dedup();
        assert_eq!(uniq.len(), 4);
        // Persisted keys must not change.
        assert_eq!(keys[..2], [0x03D8_6158_2C3C_C770, 0x2D14_6B33_3562_02A1]);
    }

    #[test]
    fn identical_signatures_are_candidates() {
        let h = MinHasher::new(128);
        let params = LshParams::optimal(0.5, 128, 0.5, 0.5);
        let a = elems(0, 200);
        let keys = vec![
            band_keys(&h.sign(&a), &params),
            band_keys(&h.sign(&elems(5_000, 200)), &params),
            band_keys(&h.sign(&a), &params),
            band_keys(&h.sign(&[]), &params),
            band_keys(&h.sign(&[]), &params),
        ];
        // Empty sets are never candidates, even with each other.
        assert_eq!(candidate_pairs(&keys), vec![(0, 2)]);
        assert!(candidate_pairs(&[]).is_empty());
        assert!(candidate_pairs(&[vec![], vec![]]).is_empty());
    }

    #[test]
    fn high_similarity_found_low_similarity_not() {
        let h = MinHasher::new(128);
        let params = LshParams::optimal(0.5, 128, 0.5, 0.5);
        let trials = 50u64;
        let mut found_high = 0;
        let mut found_low = 0;
        for t in 0..trials {
            // J = 900 / 1000 = 0.9.
            let (a, b) = pair(t * 1_000_000, 900, 50);
            let keys = [
                band_keys(&h.sign(&a), &params),
                band_keys(&h.sign(&b), &params),
            ];
            found_high += candidate_pairs(&keys).len();
            // J = 100 / 1000 = 0.1.
            let (a, b) = pair(t * 1_000_000 + 500_000, 100, 450);
            let keys = [
                band_keys(&h.sign(&a), &params),
                band_keys(&h.sign(&b), &params),
            ];
            found_low += candidate_pairs(&keys).len();
        }
        assert!(found_high >= 48, "found {found_high}/{trials} at J=0.9");
        assert!(found_low <= 2, "found {found_low}/{trials} at J=0.1");
    }

    #[test]
    fn oversized_buckets_become_stars() {
        let h = MinHasher::new(128);
        let params = LshParams::optimal(0.5, 128, 0.5, 0.5);
        let boiler = band_keys(&h.sign(&elems(0, 50)), &params);
        // 30 copies of one boilerplate text among 20 unrelated documents.
        let mut keys: Vec<Vec<u64>> = Vec::new();
        for d in 0..50u64 {
            if d % 5 == 1 || d >= 30 {
                keys.push(boiler.clone());
            } else {
                keys.push(band_keys(&h.sign(&elems(10_000 * (d + 1), 50)), &params));
            }
        }
        let members: Vec<DocId> = (0..50u32).filter(|d| d % 5 == 1 || *d >= 30).collect();
        assert_eq!(members.len(), 26);
        let entries = |keys: &[Vec<u64>]| -> Vec<(u64, DocId)> {
            keys.iter()
                .enumerate()
                .flat_map(|(d, ks)| ks.iter().map(move |&k| (k, d as DocId)))
                .collect()
        };
        // Under the cap: every pair of members.
        let all = candidate_pairs_capped(entries(&keys), 26);
        assert_eq!(all.pairs.len(), 26 * 25 / 2);
        assert_eq!(all.capped_buckets, 0);
        assert_eq!(all.largest_bucket, 26);
        assert_eq!(all.pairs, brute(&keys));
        // Over it: each member with the first, once per pair (every band's
        // bucket is a star, deduplicated).
        let star = candidate_pairs_capped(entries(&keys), 25);
        let want: Vec<(DocId, DocId)> = members[1..].iter().map(|&m| (members[0], m)).collect();
        assert_eq!(star.pairs, want);
        assert_eq!(star.capped_buckets, params.bands);
        // 0: no cap.
        assert_eq!(candidate_pairs_capped(entries(&keys), 0).pairs, all.pairs);
        // Order of the entries does not matter.
        let mut shuffled = entries(&keys);
        shuffled.reverse();
        assert_eq!(candidate_pairs_capped(shuffled, 25), star);
    }

    /// Brute-force reference: all pairs sharing a key.
    fn brute(keys: &[Vec<u64>]) -> Vec<(DocId, DocId)> {
        let sorted: Vec<Vec<u64>> = keys
            .iter()
            .map(|k| {
                let mut k = k.clone();
                k.sort_unstable();
                k.dedup();
                k
            })
            .collect();
        let mut out = Vec::new();
        for i in 0..sorted.len() {
            for j in i + 1..sorted.len() {
                if crate::minhash::intersection_size(&sorted[i], &sorted[j]) > 0 {
                    out.push((i as DocId, j as DocId));
                }
            }
        }
        out
    }

    #[test]
    fn candidate_pairs_match_brute_force_and_thread_count() {
        // Small key alphabet so many buckets collide; enough keys in total to
        // take the parallel path.
        let n_docs = 1_400u64;
        let keys: Vec<Vec<u64>> = (0..n_docs)
            .map(|d| {
                elems(d * 32, 24)
                    .into_iter()
                    .map(|x| elems(x % 6_000, 1)[0])
                    .collect()
            })
            .collect();
        let total: usize = keys.iter().map(Vec::len).sum();
        // Enough keys for the parallel sort to split its work.
        assert!(total >= 1 << 15);
        let expected = brute(&keys);
        assert!(!expected.is_empty());
        for threads in [1, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool");
            let got = pool.install(|| candidate_pairs(&keys));
            assert_eq!(got, expected, "threads={threads}");
        }
    }
}
