//! Winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003, the method
//! behind MOSS): a few fingerprints per document that any long enough
//! shared run of words is guaranteed to share.
//!
//! A document's word k-gram hashes (its shingles, in text order) are
//! covered by windows of `w` consecutive hashes; each window selects its
//! smallest hash (the rightmost, on ties), and the selected hashes are the
//! fingerprints. Two documents sharing a run of `w + k − 1` words share a
//! window of `w` hashes, so they share that window's selection: the
//! guarantee holds whatever else the documents hold. A document of `n`
//! words keeps about `2n / (w + 1)` fingerprints.
//!
//! In: the shingle hash sequence (`crate::shingle::word_shingle_sequence`).
//! Out: the fingerprint set (sorted, deduplicated); [`candidate_pairs`]
//! pairs the documents that share one.

use crate::DocId;
use ahash::AHashMap;

/// Words per k-gram the fingerprints are taken over.
pub(crate) const K: usize = 5;

/// Posting lists longer than this (a fingerprint in more documents) are
/// boilerplate — a licence paragraph, a generated page's template, a
/// tool's standard preamble — and pair nothing: a passage copied by hand
/// is in a few documents, a template in many (and it would make candidates
/// quadratic in their number). MOSS ignores a passage found more than 10
/// times by default (its `-m`); so does doppel. At 64, a scan of 1,000
/// manual pages reported 37,318 pairs instead of 11,597, nearly all
/// generated pages sharing their templates (`gcloud` pages, Pod::Man's
/// preamble).
pub const MAX_POSTING: usize = 10;

/// The window, in hashes, that guarantees a shared run of `words` words
/// (`words ≥ K`) a shared fingerprint.
pub fn window(words: usize) -> usize {
    words.saturating_sub(K) + 1
}

/// The fingerprints of a hash sequence with windows of `w` hashes: sorted
/// and deduplicated. A sequence shorter than one window has its minimum
/// as its one fingerprint (so a short document shares it with a copy of
/// itself); an empty one has none.
pub fn fingerprints(hashes: &[u64], w: usize) -> Vec<u64> {
    let w = w.max(1);
    if hashes.is_empty() {
        return Vec::new();
    }
    if hashes.len() <= w {
        return vec![*hashes.iter().min().expect("not empty")];
    }
    // A deque of positions whose hashes increase: its front is the
    // window's minimum; a later equal or smaller hash removes earlier ones,
    // so ties go to the rightmost.
    let mut queue: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    let mut out = Vec::with_capacity(2 * hashes.len() / (w + 1) + 1);
    let mut last = usize::MAX;
    for (i, &h) in hashes.iter().enumerate() {
        while queue.back().is_some_and(|&j| hashes[j] >= h) {
            queue.pop_back();
        }
        queue.push_back(i);
        if i + 1 < w {
            continue;
        }
        while queue.front().is_some_and(|&j| j + w <= i) {
            queue.pop_front();
        }
        let m = *queue.front().expect("the window's minimum");
        if m != last {
            out.push(hashes[m]);
            last = m;
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Pairs of documents sharing a fingerprint, `(a, b)` with `a < b`, sorted
/// and deduplicated, and how many fingerprints were left out as
/// boilerplate (in more than [`MAX_POSTING`] documents).
pub fn candidate_pairs<'a>(
    prints: impl IntoIterator<Item = &'a [u64]>,
) -> (Vec<(DocId, DocId)>, usize) {
    let mut postings: AHashMap<u64, Vec<DocId>> = AHashMap::new();
    for (d, fs) in prints.into_iter().enumerate() {
        for &f in fs {
            postings.entry(f).or_default().push(d as DocId);
        }
    }
    let mut pairs = Vec::new();
    let mut capped = 0;
    for docs in postings.values() {
        if docs.len() > MAX_POSTING {
            capped += 1;
            continue;
        }
        for (i, &a) in docs.iter().enumerate() {
            for &b in &docs[i + 1..] {
                pairs.push((a.min(b), a.max(b)));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    (pairs, capped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::SplitMix64;

    /// Winnowing by its definition: every window's rightmost minimum.
    fn slow(hashes: &[u64], w: usize) -> Vec<u64> {
        if hashes.is_empty() {
            return Vec::new();
        }
        if hashes.len() <= w {
            return vec![*hashes.iter().min().unwrap()];
        }
        let mut out: Vec<u64> = hashes
            .windows(w)
            .map(|win| *win.iter().min().unwrap())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn fingerprints_are_every_windows_minimum() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..500 {
            let n = rng.below(120);
            let w = 1 + rng.below(30);
            // Few distinct values, so ties are common.
            let hashes: Vec<u64> = (0..n).map(|_| rng.below(20) as u64).collect();
            assert_eq!(
                fingerprints(&hashes, w),
                slow(&hashes, w),
                "{hashes:?} w={w}"
            );
        }
    }

    /// The guarantee: a run of w hashes common to two sequences, anywhere
    /// in each, gives them a common fingerprint.
    #[test]
    fn a_shared_window_shares_a_fingerprint() {
        let mut rng = SplitMix64::new(11);
        for _ in 0..2_000 {
            let w = 1 + rng.below(25);
            let run: Vec<u64> = (0..w).map(|_| rng.next_u64()).collect();
            let (b1, a1, b2, a2) = (
                rng.below(300),
                rng.below(300),
                rng.below(300),
                rng.below(300),
            );
            let mut embed = |before: usize, after: usize| {
                let mut v: Vec<u64> = (0..before).map(|_| rng.next_u64()).collect();
                v.extend(&run);
                v.extend((0..after).map(|_| rng.next_u64()));
                v
            };
            let x = embed(b1, a1);
            let y = embed(b2, a2);
            let (fx, fy) = (fingerprints(&x, w), fingerprints(&y, w));
            assert!(
                fx.iter().any(|f| fy.binary_search(f).is_ok()),
                "no shared fingerprint, w={w}"
            );
            // And the density is about 2/(w+1).
            assert!(fx.len() <= x.len());
        }
    }

    #[test]
    fn boilerplate_pairs_nothing_and_is_counted() {
        let mut prints: Vec<Vec<u64>> =
            (0..=MAX_POSTING as u64).map(|d| vec![1, 100 + d]).collect();
        prints[3].push(7);
        prints[MAX_POSTING].push(7);
        let (pairs, capped) = candidate_pairs(prints.iter().map(Vec::as_slice));
        assert_eq!(pairs, [(3, MAX_POSTING as DocId)]);
        assert_eq!(capped, 1);
    }
}
