//! Candidates for rewritten passages: MinHash bands of each sentence's
//! set of terms.
//!
//! A paragraph rewritten into an otherwise unrelated document shares no
//! long run of words (the fingerprints of [`crate::winnow`] miss it) and
//! barely moves the cosine of the whole documents (the top-k search
//! misses it). Its sentences, though, keep most of their words: with a
//! third of them replaced, a sentence and its rewrite still share about
//! half their terms (Jaccard ≈ 0.5). So each sentence of at least
//! `MIN_TERMS` distinct terms gets a MinHash sketch of its term set, cut
//! into `BANDS` bands of `ROWS` values: two sentences at Jaccard `j`
//! share a band with probability `1 − (1 − j³)^16` — 0.88 at 0.5, 0.98 at
//! 0.6, 0.016 at 0.1. Two documents whose sentences share at least
//! [`MIN_SHARED`] bands (one sentence pair alike enough to share two, or
//! two pairs) are a candidate pair; the alignment then decides. With two
//! values a band, unrelated sentences sharing a few common words collided
//! too often: on 20,000 generated documents 8,600 extra candidates for 96
//! more pairs found; with three, 1,750 for 96.
//!
//! A band shared by more than [`crate::winnow::MAX_POSTING`] documents is
//! a stock sentence of the corpus (a licence's warranty line, a template)
//! and pairs nothing, as for the fingerprints. Cost: one pass over the
//! sentences, then per band a sort of its keys — linear in the sentences
//! but for the sort; 4 bytes a band a sentence are kept.
//!
//! In: each sentence's terms (as [`crate::text::Analyzer`] makes them).
//! Out: per document, its band keys ([`band_keys`]); [`candidate_pairs`]
//! pairs the documents.

use crate::DocId;
use crate::hash::{SplitMix64, mix64};
use crate::shingle::stable_hash;

/// Values a band holds.
pub(crate) const ROWS: usize = 3;

/// Bands per sentence.
pub(crate) const BANDS: usize = 16;

/// Distinct terms a sentence needs to be sketched: a shorter one ("See
/// below", a heading) matches too much by chance.
pub(crate) const MIN_TERMS: usize = 5;

/// Band collisions two documents need to be a candidate pair.
pub const MIN_SHARED: usize = 2;

/// Seed of the terms' hashes (fixed: an index keeps the keys).
const SEED: u64 = 0x5e47_e9ce_b4d5_0001;

/// A document's band keys: `BANDS` keys for each of its sketched
/// sentences, band `b` of a sentence at position `b` of its group of
/// `BANDS` (so `keys.chunks(BANDS)` are the sentences).
pub fn band_keys<S: AsRef<str>>(sentences: &[Vec<S>]) -> Vec<u32> {
    let salts = salts();
    let mut keys = Vec::new();
    let mut hashes: Vec<u64> = Vec::new();
    for terms in sentences {
        hashes.clear();
        hashes.extend(
            terms
                .iter()
                .map(|t| stable_hash(t.as_ref().as_bytes(), SEED)),
        );
        hashes.sort_unstable();
        hashes.dedup();
        if hashes.len() < MIN_TERMS {
            continue;
        }
        for (b, band) in salts.chunks(ROWS).enumerate() {
            let mut key = mix64(b as u64 + 1);
            for &salt in band {
                let min = hashes
                    .iter()
                    .map(|&h| mix64(h ^ salt))
                    .min()
                    .expect("a sketched sentence has terms");
                key = mix64(key ^ min);
            }
            keys.push(key as u32);
        }
    }
    keys
}

/// The salts of the sketch's `BANDS · ROWS` hash functions.
fn salts() -> [u64; BANDS * ROWS] {
    let mut rng = SplitMix64::new(SEED);
    std::array::from_fn(|_| rng.next_u64())
}

/// Pairs of documents, `(a, b)` with `a < b`, sorted, whose sentences
/// share at least [`MIN_SHARED`] bands, given each document's
/// [`band_keys`]; and the number of band keys left out as stock sentences
/// (in more than [`crate::winnow::MAX_POSTING`] documents).
pub fn candidate_pairs<'a>(
    docs: impl Iterator<Item = &'a [u32]> + Clone,
) -> (Vec<(DocId, DocId)>, usize) {
    let mut hits: Vec<(DocId, DocId)> = Vec::new();
    let mut stock = 0;
    let mut entries: Vec<(u32, DocId)> = Vec::new();
    for band in 0..BANDS {
        entries.clear();
        for (d, keys) in docs.clone().enumerate() {
            entries.extend(
                keys.iter()
                    .skip(band)
                    .step_by(BANDS)
                    .map(|&k| (k, d as DocId)),
            );
        }
        entries.sort_unstable();
        entries.dedup();
        for run in entries.chunk_by(|x, y| x.0 == y.0) {
            if run.len() > crate::winnow::MAX_POSTING {
                stock += 1;
                continue;
            }
            for (i, &(_, a)) in run.iter().enumerate() {
                for &(_, b) in &run[i + 1..] {
                    hits.push((a, b));
                }
            }
        }
    }
    hits.sort_unstable();
    let pairs = hits
        .chunk_by(|x, y| x == y)
        .filter(|run| run.len() >= MIN_SHARED)
        .map(|run| run[0])
        .collect();
    (pairs, stock)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(words: &str) -> Vec<String> {
        words.split(' ').map(str::to_owned).collect()
    }

    /// The same term set gives the same keys, whatever the order and
    /// repeats; a short sentence gives none.
    #[test]
    fn keys_depend_on_the_term_set_alone() {
        let a = band_keys(&[sentence("alpha beta gamma delta epsilon zeta")]);
        let b = band_keys(&[sentence("zeta epsilon delta gamma beta alpha alpha")]);
        assert_eq!(a.len(), BANDS);
        assert_eq!(a, b);
        assert!(band_keys(&[sentence("alpha beta gamma delta")]).is_empty());
        let c = band_keys(&[sentence("alpha beta gamma delta epsilon eta")]);
        assert_ne!(a, c);
    }

    /// Sentences at Jaccard 0.6 share a band as often as
    /// `1 − (1 − j^ROWS)^BANDS` says, unrelated ones almost never.
    #[test]
    fn band_collisions_follow_the_jaccard_similarity() {
        let mut rng = SplitMix64::new(7);
        let mut word = || format!("w{}", rng.next_u64() % 1_000_000);
        let trials = 2000;
        let (mut alike, mut unrelated) = (0, 0);
        for _ in 0..trials {
            // 12 shared terms, 4 of each side's own: Jaccard 12 / 20.
            let shared: Vec<String> = (0..12).map(|_| word()).collect();
            let mut x = shared.clone();
            let mut y = shared;
            x.extend((0..4).map(|_| word()));
            y.extend((0..4).map(|_| word()));
            let z: Vec<String> = (0..16).map(|_| word()).collect();
            let (kx, ky, kz) = (band_keys(&[x]), band_keys(&[y]), band_keys(&[z]));
            alike += usize::from(kx.iter().zip(&ky).any(|(p, q)| p == q));
            unrelated += usize::from(kx.iter().zip(&kz).any(|(p, q)| p == q));
        }
        let want = 1.0 - (1.0 - 0.6f64.powi(ROWS as i32)).powi(BANDS as i32);
        let got = alike as f64 / trials as f64;
        assert!((got - want).abs() < 0.04, "{got} vs {want}");
        assert!(unrelated <= 2, "{unrelated}");
    }

    /// Documents pair when they share two bands; a key in more documents
    /// than a posting list may hold pairs nothing and is counted.
    #[test]
    fn pairs_need_two_shared_bands_and_skip_stock_keys() {
        // Every band of every document its own key, but for those given.
        let doc = |n: u32, shared: &[(usize, u32)]| {
            let mut v: Vec<u32> = (0..BANDS as u32).map(|b| 1_000_000 * (n + 1) + b).collect();
            for &(b, k) in shared {
                v[b] = k;
            }
            v
        };
        // 0 and 1 share bands 0 and 3; 2 shares one band with 0.
        let mut docs = vec![
            doc(0, &[(0, 1), (3, 2), (1, 3)]),
            doc(1, &[(0, 1), (3, 2)]),
            doc(2, &[(1, 3)]),
        ];
        let many = crate::winnow::MAX_POSTING as u32 + 1;
        // One more than a posting list holds share bands 5 and 6.
        docs.extend((0..many).map(|n| doc(3 + n, &[(5, 42), (6, 43)])));
        let (pairs, skipped) = candidate_pairs(docs.iter().map(Vec::as_slice));
        assert_eq!(pairs, [(0, 1)]);
        assert_eq!(skipped, 2);
        // With one document fewer they are a posting list, and all pair.
        docs.pop();
        let (pairs, skipped) = candidate_pairs(docs.iter().map(Vec::as_slice));
        let n = many as usize - 1;
        assert_eq!((pairs.len(), skipped), (1 + n * (n - 1) / 2, 0));
    }
}
