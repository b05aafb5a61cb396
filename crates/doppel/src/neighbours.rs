//! Cosine neighbours at corpus scale: each document's nearest documents by
//! TF-IDF cosine, found through the documents' heaviest terms.
//!
//! **In:** one TF-IDF [`SparseVec`] per document. **Out:** the pairs of
//! documents whose cosine reaches a threshold and that are among one
//! another's `k` nearest found, as [`ScoredPair`]s with their exact cosine
//! (bit-identical to [`tfidf::cosine`]).
//!
//! [`tfidf::top_k_pairs`] finds every such pair exactly, but its cost grows
//! faster than the corpus: the posting lists of a fixed vocabulary's
//! words grow with the corpus, and a document meets all their documents
//! (about `n^1.4` on generated corpora from 10,000 to 200,000 documents).
//! Here each document is known by its 24 heaviest terms, its *keys* — its
//! rare and repeated words, which carry most of its weight and which a
//! rewrite keeps (names, places, figures, the subject's own words). Two
//! documents meet when they share a key; of the documents a document
//! meets, the `2 · k` with the largest sum of key-weight products over
//! their shared keys get their exact cosine, and the best `k` of those at
//! or above the threshold are its neighbours. A key held by more than
//! 2,000 documents is a word of the whole corpus, not of a subject, and
//! joins nothing (as the fingerprints' boilerplate cap does); each
//! document then meets at most 24 · 2,000 others, whatever the size of
//! the corpus. A pair whose documents share no key is missed even above
//! the threshold, and so is a pair whose only shared keys are words of
//! the whole corpus (two copies of a short text of common words: LSH and
//! the fingerprints propose those). `tests/allpairs.rs` holds the pairs
//! found to those of the exact search, and `examples/neighbours.rs`
//! measures both searches on any corpus.

use crate::DocId;
use crate::tfidf::{self, ScoredPair, SparseVec, TermId};
use rayon::prelude::*;
use std::cmp::Ordering;

/// Terms by which each document is known: its heaviest.
const KEY_TERMS: usize = 24;

/// Documents a key may be held by before it is a word of the whole corpus
/// and joins nothing.
pub const MAX_KEY_DOCS: usize = 2000;

/// Documents met through shared keys whose exact cosine is computed, per
/// document and per neighbour kept (`SHORTLIST · k`; all of them when `k`
/// is 0).
const SHORTLIST: usize = 2;

/// What a search found, besides its pairs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Searched {
    /// Keys held by more than [`MAX_KEY_DOCS`] documents, left out.
    pub corpus_keys: usize,
}

/// The pairs of documents with cosine ≥ `threshold` (and above 0) among
/// each document's `k` nearest found through shared keys (`k == 0`: every
/// one found), normalised to `a < b`, sorted, without duplicates: a pair is
/// kept when either document keeps the other. Deterministic, and the same
/// for any number of threads.
pub fn top_k_pairs(vecs: &[SparseVec], threshold: f32, k: usize) -> (Vec<ScoredPair>, Searched) {
    let n = vecs.len();
    if n < 2 {
        return (Vec::new(), Searched::default());
    }
    assert!(
        n - 1 <= DocId::MAX as usize,
        "neighbours: more documents than DocId can index"
    );
    let keys: Vec<Vec<(TermId, f32)>> = vecs.par_iter().map(keys_of).collect();
    // As [`tfidf::cosine`] computes them, so each cosine is its bits.
    let norms: Vec<f64> = vecs.par_iter().map(tfidf::norm_f64).collect();
    // Postings of each key: (term, doc, weight), sorted by term then doc.
    let mut entries: Vec<(TermId, DocId, f32)> = keys
        .iter()
        .enumerate()
        .flat_map(|(d, ks)| ks.iter().map(move |&(t, w)| (t, d as DocId, w)))
        .collect();
    entries.par_sort_unstable_by_key(|e| (e.0, e.1));
    let mut searched = Searched::default();
    // term -> range of `entries`; keys over the cap are dropped.
    let mut postings: ahash::AHashMap<TermId, (usize, usize)> = ahash::AHashMap::new();
    let mut start = 0;
    for run in entries.chunk_by(|x, y| x.0 == y.0) {
        if run.len() > MAX_KEY_DOCS {
            searched.corpus_keys += 1;
        } else if run.len() > 1 {
            postings.insert(run[0].0, (start, start + run.len()));
        }
        start += run.len();
    }
    let shortlist = if k == 0 { usize::MAX } else { SHORTLIST * k };
    let per_doc: Vec<Vec<(DocId, f32)>> = (0..n)
        .into_par_iter()
        .map_init(
            || {
                (
                    vec![0f32; n],
                    Vec::<DocId>::new(),
                    Vec::<(DocId, f32)>::new(),
                )
            },
            |(acc, met, best), a| {
                for &(t, w) in &keys[a] {
                    let Some(&(s, e)) = postings.get(&t) else {
                        continue;
                    };
                    for &(_, b, wb) in &entries[s..e] {
                        let x = w * wb;
                        if b as usize == a || x <= 0.0 {
                            continue;
                        }
                        let slot = &mut acc[b as usize];
                        if *slot == 0.0 {
                            met.push(b);
                        }
                        // Products added are positive: a met document's
                        // slot is not 0 again until it is reset.
                        *slot += x;
                    }
                }
                best.clear();
                best.extend(met.iter().map(|&b| (b, acc[b as usize])));
                for &b in met.iter() {
                    acc[b as usize] = 0.0;
                }
                met.clear();
                if best.len() > shortlist {
                    best.select_nth_unstable_by(shortlist - 1, by_score);
                    best.truncate(shortlist);
                }
                // A new vector, not `best`'s buffer: each document's
                // neighbours are kept to the end, its meetings are not.
                let mut found: Vec<(DocId, f32)> = best
                    .iter()
                    .filter_map(|&(b, _)| {
                        let b_vec = &vecs[b as usize];
                        let c = if vecs[a].is_empty() || b_vec.is_empty() {
                            0.0
                        } else {
                            let dot = tfidf::dot_f64(&vecs[a], b_vec);
                            tfidf::cosine_from(dot, norms[a], norms[b as usize])
                        };
                        (c > 0.0 && c >= threshold).then_some((b, c))
                    })
                    .collect();
                if k > 0 && found.len() > k {
                    found.select_nth_unstable_by(k - 1, by_score);
                    found.truncate(k);
                }
                found.shrink_to_fit();
                found
            },
        )
        .collect();
    let mut pairs: Vec<ScoredPair> = per_doc
        .into_iter()
        .enumerate()
        .flat_map(|(a, found)| {
            found.into_iter().map(move |(b, cosine)| {
                let a = a as DocId;
                let (a, b) = if a < b { (a, b) } else { (b, a) };
                ScoredPair { a, b, cosine }
            })
        })
        .collect();
    pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
    pairs.dedup_by_key(|p| (p.a, p.b));
    (pairs, searched)
}

/// A document's keys: its [`KEY_TERMS`] heaviest terms (ties to the lower
/// term id), with their weights.
fn keys_of(v: &SparseVec) -> Vec<(TermId, f32)> {
    let mut ks: Vec<(TermId, f32)> = v
        .terms
        .iter()
        .copied()
        .zip(v.weights.iter().copied())
        .filter(|&(_, w)| w > 0.0 && w.is_finite())
        .collect();
    let by_weight = |x: &(TermId, f32), y: &(TermId, f32)| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0));
    if ks.len() > KEY_TERMS {
        ks.select_nth_unstable_by(KEY_TERMS - 1, by_weight);
        ks.truncate(KEY_TERMS);
    }
    ks.shrink_to_fit();
    ks
}

/// Best first: higher score, then lower document id.
fn by_score(x: &(DocId, f32), y: &(DocId, f32)) -> Ordering {
    y.1.total_cmp(&x.1).then(x.0.cmp(&y.0))
}
