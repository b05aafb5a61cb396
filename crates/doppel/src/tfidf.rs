//! TF-IDF weighting and thresholded all-pairs cosine search.
//!
//! **In:** one list of *analysed* terms per document — strings that an earlier
//! stage has already tokenised, case-folded, stemmed and stop-word filtered.
//! This module does no text processing: every distinct string is a distinct
//! term, and repeated strings within a document count towards its term
//! frequency.
//!
//! **Out:**
//! * a [`TfIdfModel`]: the vocabulary (term → [`TermId`], assigned in
//!   first-seen order over the documents, so deterministic), document
//!   frequencies and idf weights;
//! * one [`SparseVec`] per document: TF-IDF weights sorted by term id,
//!   L2-normalised by default;
//! * [`top_k_pairs`]: the pairs of documents whose cosine similarity is at
//!   least a threshold, optionally limited to each document's `k` nearest
//!   neighbours, as [`ScoredPair`]s.
//!
//! The weighting matches scikit-learn's `TfidfVectorizer(sublinear_tf=True)`
//! with its other defaults (see [`TfIdfOptions`]):
//!
//! * `tf` = raw count of the term in the document; sublinear: `1 + ln(tf)`;
//! * smooth `idf = ln((1 + n) / (1 + df)) + 1`, otherwise `ln(n / df) + 1`,
//!   where `n` is the number of documents the model was fitted on and `df`
//!   the number of those documents containing the term;
//! * `weight = tf · idf`, then each document vector is divided by its
//!   Euclidean norm.
//!
//! Sums and norms are accumulated in `f64`; weights are stored as `f32`.

use std::cmp::Ordering;

use ahash::AHashMap;
use rayon::prelude::*;
use std::sync::Mutex;

use crate::DocId;

/// Dense index of a term in a [`TfIdfModel`]'s vocabulary.
pub type TermId = u32;

/// A sparse vector: parallel arrays of term ids and weights.
///
/// Invariant (upheld by everything this module produces, and assumed by
/// [`SparseVec::dot`], [`cosine`] and [`top_k_pairs`]): `terms` is sorted and
/// strictly increasing, and `weights.len() == terms.len()`. Violating it gives
/// meaningless results but never a panic; entries beyond the shorter of the two
/// arrays are ignored.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SparseVec {
    /// Term ids, strictly increasing.
    pub terms: Vec<TermId>,
    /// Weight of each term in `terms`, same length.
    pub weights: Vec<f32>,
}

impl SparseVec {
    /// Number of stored (non-zero) entries.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True when the vector has no entries.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Dot product with `other`, by a merge join over the two sorted term
    /// lists: `O(self.len() + other.len())`, accumulated in `f64`.
    pub fn dot(&self, other: &SparseVec) -> f32 {
        dot_f64(self, other) as f32
    }
}

/// The valid (term, weight) prefix of a vector.
fn parts(v: &SparseVec) -> (&[TermId], &[f32]) {
    let n = v.terms.len().min(v.weights.len());
    (&v.terms[..n], &v.weights[..n])
}

/// Merge-join dot product. Products of two `f32`s are exact in `f64`, and the
/// sum runs over the common terms in increasing term order: [`top_k_pairs`]
/// relies on accumulating in exactly this order so that its scores are
/// bit-identical to [`cosine`].
pub(crate) fn dot_f64(a: &SparseVec, b: &SparseVec) -> f64 {
    let (at, aw) = parts(a);
    let (bt, bw) = parts(b);
    let (mut i, mut j) = (0, 0);
    let mut sum = 0.0f64;
    while i < at.len() && j < bt.len() {
        match at[i].cmp(&bt[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                sum += f64::from(aw[i]) * f64::from(bw[j]);
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// Euclidean norm, accumulated in `f64`.
pub(crate) fn norm_f64(v: &SparseVec) -> f64 {
    let (_, w) = parts(v);
    w.iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        .sqrt()
}

/// `dot / (norm_a · norm_b)`, clamped to `[-1, 1]`; 0 when either norm is not
/// positive. Shared by [`cosine`] and [`top_k_pairs`] so both give the same
/// bits for the same pair.
pub(crate) fn cosine_from(dot: f64, norm_a: f64, norm_b: f64) -> f32 {
    if !(norm_a > 0.0 && norm_b > 0.0) {
        return 0.0;
    }
    (dot / (norm_a * norm_b)).clamp(-1.0, 1.0) as f32
}

/// Cosine similarity of two sparse vectors.
///
/// For the L2-normalised vectors a [`TfIdfModel`] produces this is simply
/// their dot product; vectors that are not normalised (e.g. with
/// [`TfIdfOptions::l2_norm`] off) are divided by their norms here, so the
/// result is a true cosine either way. Returns 0 if either vector is empty or
/// all-zero. `O(a.len() + b.len())`.
pub fn cosine(a: &SparseVec, b: &SparseVec) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    cosine_from(dot_f64(a, b), norm_f64(a), norm_f64(b))
}

/// How term frequencies and document frequencies become weights.
///
/// [`Default`] turns everything on, which matches scikit-learn's
/// `TfidfVectorizer(sublinear_tf=True)` (whose own defaults are
/// `smooth_idf=True, norm="l2"`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TfIdfOptions {
    /// Use `1 + ln(tf)` instead of the raw count `tf`.
    pub sublinear_tf: bool,
    /// Use `idf = ln((1 + n) / (1 + df)) + 1` (as if one extra document
    /// contained every term once) instead of `ln(n / df) + 1`.
    pub smooth_idf: bool,
    /// Divide each document vector by its Euclidean norm.
    pub l2_norm: bool,
}

impl Default for TfIdfOptions {
    fn default() -> Self {
        TfIdfOptions {
            sublinear_tf: true,
            smooth_idf: true,
            l2_norm: true,
        }
    }
}

/// Inverse document frequency of a term found in `df` of `n` documents.
fn idf_value(n: usize, df: u32, smooth: bool) -> f64 {
    let (n, df) = (n as f64, f64::from(df));
    if smooth {
        ((1.0 + n) / (1.0 + df)).ln() + 1.0
    } else {
        (n / df).ln() + 1.0
    }
}

/// A fitted TF-IDF model: vocabulary, document frequencies and idf weights.
///
/// Build it with [`TfIdfModel::fit`] or [`TfIdfModel::fit_transform`], then
/// turn documents into vectors with [`TfIdfModel::transform`].
#[derive(Clone, Debug)]
pub struct TfIdfModel {
    /// Term string → id; ids are `0..vocabulary.len()` in first-seen order.
    vocabulary: AHashMap<String, TermId>,
    /// Number of fitted documents containing each term, indexed by id.
    doc_freq: Vec<u32>,
    /// Number of documents the model was fitted on.
    n_docs: usize,
    /// Idf weight of each term, indexed by id.
    idf: Vec<f32>,
    /// Options used for fitting and transforming.
    opts: TfIdfOptions,
}

impl TfIdfModel {
    /// Learn the vocabulary, document frequencies and idf weights of `docs`
    /// (each a list of analysed terms). Term ids are assigned in the order the
    /// terms are first seen, scanning documents in order, so the result is
    /// deterministic. Zero documents, or only empty ones, give an empty model.
    ///
    /// # Panics
    /// If the vocabulary would exceed `u32::MAX` distinct terms.
    pub fn fit<S: AsRef<str>>(docs: &[Vec<S>], opts: TfIdfOptions) -> TfIdfModel {
        Self::fit_inner(docs, opts)
    }

    /// [`fit`](Self::fit) on `docs`, then the vector of every document in
    /// `docs` (computed in parallel with rayon; element `i` belongs to
    /// `docs[i]`). Reuses the term ids found while fitting instead of hashing
    /// every term twice.
    ///
    /// # Panics
    /// As [`fit`](Self::fit).
    pub fn fit_transform<S: AsRef<str> + Sync>(
        docs: &[Vec<S>],
        opts: TfIdfOptions,
    ) -> (TfIdfModel, Vec<SparseVec>) {
        let mut fitter = Fitter::new(opts);
        for doc in docs {
            fitter.add(doc);
        }
        fitter.finish()
    }

    /// Fit without keeping the documents' term counts.
    fn fit_inner<S: AsRef<str>>(docs: &[Vec<S>], opts: TfIdfOptions) -> TfIdfModel {
        let mut fitter = Fitter::new(opts);
        fitter.keep_counts = false;
        for doc in docs {
            fitter.add(doc);
        }
        fitter.finish().0
    }

    /// The TF-IDF vector of one document given as analysed terms. Terms not in
    /// the vocabulary are ignored, so a document of only unknown terms (or no
    /// terms) gives an empty vector. `O(m log m)` for `m` terms.
    pub fn transform<S: AsRef<str>>(&self, terms: &[S]) -> SparseVec {
        let ids = terms
            .iter()
            .filter_map(|t| self.term_id(t.as_ref()))
            .collect();
        self.vector_from_ids(ids)
    }

    /// Count term ids, weight them and normalise.
    fn vector_from_ids(&self, mut ids: Vec<TermId>) -> SparseVec {
        ids.sort_unstable();
        let counts: Vec<(TermId, u32)> = ids
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len() as u32))
            .collect();
        self.vector_from_counts(&counts)
    }

    /// Weigh `(term id, count)` pairs sorted by id, and normalise.
    fn vector_from_counts(&self, counts: &[(TermId, u32)]) -> SparseVec {
        let mut terms = Vec::with_capacity(counts.len());
        let mut raw: Vec<f64> = Vec::with_capacity(counts.len());
        for &(id, count) in counts {
            let Some(&idf) = self.idf.get(id as usize) else {
                continue;
            };
            let count = f64::from(count);
            let tf = if self.opts.sublinear_tf {
                1.0 + count.ln()
            } else {
                count
            };
            terms.push(id);
            raw.push(tf * f64::from(idf));
        }
        let scale = if self.opts.l2_norm {
            let norm = raw.iter().map(|w| w * w).sum::<f64>().sqrt();
            if norm > 0.0 { 1.0 / norm } else { 1.0 }
        } else {
            1.0
        };
        let weights = raw.iter().map(|&w| (w * scale) as f32).collect();
        SparseVec { terms, weights }
    }

    /// Idf weight of `term`, or `None` if it is not in the vocabulary.
    pub fn idf(&self, term: &str) -> Option<f32> {
        self.term_id(term).map(|id| self.idf[id as usize])
    }

    /// Number of fitted documents containing `term`, or `None` if it is not in
    /// the vocabulary.
    pub fn df(&self, term: &str) -> Option<u32> {
        self.term_id(term).map(|id| self.doc_freq[id as usize])
    }

    /// Number of documents the model was fitted on.
    pub fn n_docs(&self) -> usize {
        self.n_docs
    }

    /// Number of distinct terms in the vocabulary.
    pub fn vocabulary_len(&self) -> usize {
        self.doc_freq.len()
    }

    /// Id of `term`, or `None` if it is not in the vocabulary.
    pub fn term_id(&self, term: &str) -> Option<TermId> {
        self.vocabulary.get(term).copied()
    }
}

/// A [`TfIdfModel`] fitted one document at a time, for a corpus whose
/// documents' terms are not all held at once: each document added keeps
/// only its term ids and counts (8 bytes a distinct term), and
/// [`finish`](Self::finish) gives the model and every document's vector —
/// the same, to the bit, as [`TfIdfModel::fit_transform`] on the same
/// documents in the same order (it is that function's own path).
#[derive(Debug)]
pub(crate) struct Fitter {
    vocabulary: AHashMap<String, TermId>,
    doc_freq: Vec<u32>,
    /// Per document, its `(term id, count)` pairs sorted by id.
    counts: Vec<Vec<(TermId, u32)>>,
    keep_counts: bool,
    n_docs: usize,
    opts: TfIdfOptions,
}

impl Fitter {
    /// An empty fit.
    pub fn new(opts: TfIdfOptions) -> Fitter {
        Fitter {
            vocabulary: AHashMap::new(),
            doc_freq: Vec::new(),
            counts: Vec::new(),
            keep_counts: true,
            n_docs: 0,
            opts,
        }
    }

    /// Add the next document, given as its analysed terms in text order.
    /// Term ids are assigned in the order terms are first seen.
    ///
    /// # Panics
    /// If the vocabulary would exceed `u32::MAX` distinct terms.
    pub fn add<S: AsRef<str>>(&mut self, terms: &[S]) {
        let mut ids: Vec<TermId> = Vec::with_capacity(terms.len());
        for term in terms {
            let term = term.as_ref();
            let id = match self.vocabulary.get(term) {
                Some(&id) => id,
                None => {
                    let id = TermId::try_from(self.doc_freq.len())
                        .expect("tfidf: more than u32::MAX distinct terms");
                    self.vocabulary.insert(term.to_owned(), id);
                    self.doc_freq.push(0);
                    id
                }
            };
            ids.push(id);
        }
        ids.sort_unstable();
        let counts: Vec<(TermId, u32)> = ids
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len() as u32))
            .collect();
        for &(id, _) in &counts {
            let df = &mut self.doc_freq[id as usize];
            *df = df.saturating_add(1);
        }
        if self.keep_counts {
            self.counts.push(counts);
        }
        self.n_docs += 1;
    }

    /// The fitted model and the vector of every document added, in order
    /// (weighed in parallel with rayon).
    pub fn finish(self) -> (TfIdfModel, Vec<SparseVec>) {
        let n_docs = self.n_docs;
        let opts = self.opts;
        let idf = self
            .doc_freq
            .iter()
            .map(|&df| idf_value(n_docs, df, opts.smooth_idf) as f32)
            .collect();
        let model = TfIdfModel {
            vocabulary: self.vocabulary,
            doc_freq: self.doc_freq,
            n_docs,
            idf,
            opts,
        };
        let vecs = self
            .counts
            .into_par_iter()
            .map(|c| model.vector_from_counts(&c))
            .collect();
        (model, vecs)
    }
}

/// Two documents and their cosine similarity; always `a < b`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct ScoredPair {
    /// The lower document id.
    pub a: DocId,
    /// The higher document id.
    pub b: DocId,
    /// Cosine similarity of the two documents' vectors.
    pub cosine: f32,
}

/// Inverted index in compressed-row form: for each term slot, the documents
/// containing it (ascending) and their weights.
struct Postings {
    /// Postings of slot `s` are `docs[offsets[s]..offsets[s + 1]]`.
    offsets: Vec<usize>,
    docs: Vec<DocId>,
    weights: Vec<f32>,
    /// Sorted distinct term ids when ids are too sparse to index directly;
    /// `None` means slot == term id.
    sparse_terms: Option<Vec<TermId>>,
}

impl Postings {
    /// Index every vector for which `usable[i]` holds.
    fn build(vecs: &[SparseVec], usable: &[bool]) -> Postings {
        let nnz: usize = vecs
            .iter()
            .zip(usable)
            .filter(|(_, u)| **u)
            .map(|(v, _)| parts(v).0.len())
            .sum();
        let max_term = vecs
            .iter()
            .zip(usable)
            .filter(|(_, u)| **u)
            .filter_map(|(v, _)| parts(v).0.iter().copied().max())
            .max();
        let Some(max_term) = max_term else {
            return Postings {
                offsets: vec![0],
                docs: Vec::new(),
                weights: Vec::new(),
                sparse_terms: None,
            };
        };
        // Term ids from a TfIdfModel are dense; arbitrary caller-built vectors
        // might use huge ids, so fall back to binary search over the distinct ids
        // rather than allocating per possible id.
        let sparse_terms = if (max_term as usize) <= nnz.saturating_mul(4).saturating_add(1024) {
            None
        } else {
            let mut t: Vec<TermId> = vecs
                .iter()
                .zip(usable)
                .filter(|(_, u)| **u)
                .flat_map(|(v, _)| parts(v).0.iter().copied())
                .collect();
            t.sort_unstable();
            t.dedup();
            Some(t)
        };
        let n_slots = match &sparse_terms {
            None => max_term as usize + 1,
            Some(t) => t.len(),
        };
        let slot_of = |t: TermId| match &sparse_terms {
            None => t as usize,
            Some(ts) => ts.binary_search(&t).unwrap_or(0),
        };
        let mut offsets = vec![0usize; n_slots + 1];
        for (v, _) in vecs.iter().zip(usable).filter(|(_, u)| **u) {
            for &t in parts(v).0 {
                offsets[slot_of(t) + 1] += 1;
            }
        }
        for s in 0..n_slots {
            offsets[s + 1] += offsets[s];
        }
        let mut cursor = offsets[..n_slots].to_vec();
        let mut docs = vec![0 as DocId; nnz];
        let mut weights = vec![0f32; nnz];
        for (d, (v, _)) in vecs
            .iter()
            .zip(usable)
            .enumerate()
            .filter(|(_, (_, u))| **u)
        {
            let (ts, ws) = parts(v);
            for (&t, &w) in ts.iter().zip(ws) {
                let s = slot_of(t);
                docs[cursor[s]] = d as DocId;
                weights[cursor[s]] = w;
                cursor[s] += 1;
            }
        }
        Postings {
            offsets,
            docs,
            weights,
            sparse_terms,
        }
    }

    /// Documents and weights of `term`, empty if no indexed vector has it.
    fn list(&self, term: TermId) -> (&[DocId], &[f32]) {
        let slot = match &self.sparse_terms {
            None => Some(term as usize),
            Some(ts) => ts.binary_search(&term).ok(),
        };
        match slot {
            Some(s) if s + 1 < self.offsets.len() => {
                let r = self.offsets[s]..self.offsets[s + 1];
                (&self.docs[r.clone()], &self.weights[r])
            }
            _ => (&[], &[]),
        }
    }
}

/// Per-task scratch space for [`top_k_pairs`]: a dense score accumulator with
/// generation stamps, so it never needs clearing between documents.
struct Scratch {
    acc: Vec<f64>,
    stamp: Vec<usize>,
    touched: Vec<DocId>,
    found: Vec<(DocId, f32)>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            acc: vec![0.0; n],
            stamp: vec![0; n],
            touched: Vec::new(),
            found: Vec::new(),
        }
    }
}

/// Order by cosine descending, then doc id ascending.
fn by_score(x: &(DocId, f32), y: &(DocId, f32)) -> Ordering {
    y.1.total_cmp(&x.1).then(x.0.cmp(&y.0))
}

/// Each document's kept neighbours into sorted, deduplicated pairs `a < b`:
/// shared by [`top_k_pairs`] and `top_k_pairs_unpruned`.
fn finish_pairs(per_doc: Vec<Vec<(DocId, f32)>>) -> Vec<ScoredPair> {
    let mut pairs: Vec<ScoredPair> = Vec::with_capacity(per_doc.iter().map(Vec::len).sum());
    for (a, found) in per_doc.into_iter().enumerate() {
        let a = a as DocId;
        for (b, cosine) in found {
            let (a, b) = if a < b { (a, b) } else { (b, a) };
            pairs.push(ScoredPair { a, b, cosine });
        }
    }
    // Both directions of a pair carry bit-identical cosines, so which
    // duplicate survives does not matter.
    pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
    pairs.dedup_by_key(|p| (p.a, p.b));
    pairs
}

/// Norms of the vectors and which can pair (a finite, non-zero norm), for
/// the all-pairs searches; `None` when there are fewer than two vectors.
///
/// # Panics
/// If `vecs.len()` exceeds the [`DocId`] range.
fn norms_of(vecs: &[SparseVec]) -> Option<(Vec<f64>, Vec<bool>)> {
    let n = vecs.len();
    if n < 2 {
        return None;
    }
    assert!(
        n - 1 <= DocId::MAX as usize,
        "tfidf: more documents than DocId can index"
    );
    let norms: Vec<f64> = vecs.par_iter().map(norm_f64).collect();
    let usable = norms.iter().map(|&x| x > 0.0 && x.is_finite()).collect();
    Some((norms, usable))
}

/// Keep the `k` best of `found` (`k == 0`: all).
fn keep_top(found: &mut Vec<(DocId, f32)>, k: usize) {
    if k > 0 && found.len() > k {
        found.select_nth_unstable_by(k - 1, by_score);
        found.truncate(k);
    }
}

/// Slack subtracted from the threshold in every pruning bound. The bounds are
/// computed from `f32` weights in `f64`, while a pair is kept when its `f32`
/// cosine reaches the threshold; the slack (far above either rounding error)
/// makes pruning conservative, so no pair that [`cosine`] would keep is ever
/// pruned. It only costs a few extra exact verifications.
const BOUND_SLACK: f64 = 1e-5;

/// [`PrefixSummary::last`] of a document whose whole vector is indexed.
const NO_PREFIX: u32 = u32::MAX;

/// The vectors re-expressed for prefix filtering: each term replaced by its
/// rank in the global order (most frequent term first), entries sorted by
/// rank, weights divided by the vector's norm. Compressed-row form.
struct Ranked {
    /// Entries of document `d` are `offsets[d]..offsets[d + 1]`.
    offsets: Vec<usize>,
    ranks: Vec<u32>,
    weights: Vec<f32>,
    /// Per document: entries before `split[d]` (a prefix, in rank order) are
    /// not indexed; their dot product with any vector is provably below the
    /// threshold.
    split: Vec<usize>,
    /// Per document: its unindexed prefix, summarised.
    prefix: Vec<PrefixSummary>,
    /// Per rank: the largest |normalised weight| any document has there.
    max_weight: Vec<f64>,
    /// Per entry: norm of the entries of its document before it.
    before: Vec<f32>,
    /// One past the largest rank in any unindexed prefix (0 when none).
    prefix_end: usize,
}

/// Bounds on a document's unindexed prefix, read without its entries.
#[derive(Clone, Copy, Debug)]
struct PrefixSummary {
    /// Rank of its last entry ([`NO_PREFIX`] when it is empty).
    last: u32,
    /// Its L2 norm (rounded up).
    l2: f32,
    /// Its largest |weight|.
    max: f32,
}

impl PrefixSummary {
    /// The summary of a prefix: its (rank, weight) entries in rank order.
    fn of(prefix: &[(u32, f32)]) -> PrefixSummary {
        let (mut sq, mut max) = (0.0f64, 0.0f32);
        for &(_, w) in prefix {
            sq += f64::from(w) * f64::from(w);
            max = max.max(w.abs());
        }
        PrefixSummary {
            last: prefix.last().map_or(NO_PREFIX, |&(r, _)| r),
            l2: (sq.sqrt() * (1.0 + 1e-6)) as f32,
            max,
        }
    }
}

/// Map from term ids to dense slots `0..len`.
enum Slots {
    /// Term ids are dense enough to index directly.
    Direct(usize),
    /// Sorted distinct term ids; a term's slot is its position.
    Sorted(Vec<TermId>),
}

impl Slots {
    fn of(vecs: &[SparseVec], usable: &[bool]) -> Slots {
        let used = || {
            vecs.iter()
                .zip(usable)
                .filter(|(_, u)| **u)
                .map(|(v, _)| parts(v).0)
        };
        let nnz: usize = used().map(<[TermId]>::len).sum();
        let max_term = used().filter_map(|t| t.iter().copied().max()).max();
        match max_term {
            None => Slots::Direct(0),
            Some(m) if (m as usize) <= nnz.saturating_mul(4).saturating_add(1024) => {
                Slots::Direct(m as usize + 1)
            }
            Some(_) => {
                let mut t: Vec<TermId> = used().flatten().copied().collect();
                t.par_sort_unstable();
                t.dedup();
                Slots::Sorted(t)
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            Slots::Direct(n) => *n,
            Slots::Sorted(t) => t.len(),
        }
    }

    fn slot(&self, term: TermId) -> usize {
        match self {
            Slots::Direct(_) => term as usize,
            // Every term of a usable vector is present.
            Slots::Sorted(t) => t.binary_search(&term).unwrap_or(0),
        }
    }
}

impl Ranked {
    /// Rank the terms, normalise, and choose each document's unindexed prefix
    /// for threshold `t` (already lowered by [`BOUND_SLACK`]).
    fn build(vecs: &[SparseVec], norms: &[f64], usable: &[bool], t: f64) -> Ranked {
        let slots = Slots::of(vecs, usable);
        let n_slots = slots.len();
        // Document frequency and largest normalised |weight| of each slot.
        let mut df = vec![0u32; n_slots];
        let mut max_w = vec![0f64; n_slots];
        for (d, v) in vecs.iter().enumerate().filter(|(d, _)| usable[*d]) {
            let (ts, ws) = parts(v);
            for (&term, &w) in ts.iter().zip(ws) {
                let s = slots.slot(term);
                df[s] = df[s].saturating_add(1);
                max_w[s] = max_w[s].max((f64::from(w) / norms[d]).abs());
            }
        }
        // Most frequent terms first: they form the unindexed prefixes, so the
        // long posting lists are the ones never built.
        let mut order: Vec<u32> = (0..n_slots as u32).collect();
        order.par_sort_unstable_by(|&x, &y| df[y as usize].cmp(&df[x as usize]).then(x.cmp(&y)));
        let mut rank_of = vec![0u32; n_slots];
        for (r, &s) in order.iter().enumerate() {
            rank_of[s as usize] = r as u32;
        }
        let max_w: Vec<f64> = order.iter().map(|&s| max_w[s as usize]).collect();

        let sorted: Vec<Vec<(u32, f32)>> = vecs
            .par_iter()
            .enumerate()
            .map(|(d, v)| {
                if !usable[d] {
                    return Vec::new();
                }
                let (ts, ws) = parts(v);
                let mut e: Vec<(u32, f32)> = ts
                    .iter()
                    .zip(ws)
                    .map(|(&term, &w)| {
                        (rank_of[slots.slot(term)], (f64::from(w) / norms[d]) as f32)
                    })
                    .collect();
                e.sort_unstable_by_key(|x| x.0);
                e
            })
            .collect();
        // head_norm[r]: the largest norm any document has over its entries
        // of rank ≤ r (rounded up). Common terms carry little of any
        // document's weight, so a prefix of common terms can only meet a
        // small part of any other vector.
        let mut head_norm = vec![0f64; n_slots];
        for e in &sorted {
            let mut sq = 0.0f64;
            for &(r, w) in e {
                sq += f64::from(w) * f64::from(w);
                let h = &mut head_norm[r as usize];
                *h = h.max(sq.sqrt());
            }
        }
        let mut running = 0.0f64;
        for h in &mut head_norm {
            running = running.max(*h);
            *h = running * (1.0 + 1e-6);
        }

        type Entry = (Vec<(u32, f32)>, usize);
        let per_doc: Vec<Entry> = sorted
            .into_par_iter()
            .map(|e| {
                // Grow the prefix while the prefix's largest possible dot
                // product with any vector stays below t, by the smallest of
                // three bounds: Cauchy–Schwarz against the other vector's
                // entries over the same ranks (‖prefix‖ · head_norm of its
                // last rank), and the sum of |w| times the largest weight any
                // document has for that term.
                let (mut sq, mut by_max, mut split) = (0.0f64, 0.0f64, 0);
                for &(r, w) in &e {
                    let w = f64::from(w);
                    let sq2 = sq + w * w;
                    let by_max2 = by_max + w.abs() * max_w[r as usize];
                    let by_norm = sq2.sqrt() * head_norm[r as usize].min(1.0);
                    if by_norm.min(by_max2) < t {
                        sq = sq2;
                        by_max = by_max2;
                        split += 1;
                    } else {
                        break;
                    }
                }
                (e, split)
            })
            .collect();
        let mut offsets = Vec::with_capacity(vecs.len() + 1);
        offsets.push(0);
        let total: usize = per_doc.iter().map(|x| x.0.len()).sum();
        let mut ranks = Vec::with_capacity(total);
        let mut weights = Vec::with_capacity(total);
        let mut split = Vec::with_capacity(vecs.len());
        let mut prefix = Vec::with_capacity(vecs.len());
        let mut before = Vec::with_capacity(total);
        for (e, s) in per_doc {
            split.push(ranks.len() + s);
            prefix.push(PrefixSummary::of(&e[..s]));
            let mut sq = 0.0f64;
            for (r, w) in e {
                ranks.push(r);
                weights.push(w);
                before.push(sq.sqrt() as f32);
                sq += f64::from(w) * f64::from(w);
            }
            offsets.push(ranks.len());
        }
        let prefix_end = prefix
            .iter()
            .filter(|p| p.last != NO_PREFIX)
            .map(|p| p.last as usize + 1)
            .max()
            .unwrap_or(0);
        Ranked {
            prefix_end,
            offsets,
            ranks,
            weights,
            split,
            prefix,
            before,
            max_weight: max_w,
        }
    }

    fn entries(&self, d: usize) -> (&[u32], &[f32]) {
        let r = self.offsets[d]..self.offsets[d + 1];
        (&self.ranks[r.clone()], &self.weights[r])
    }

    /// Inverted index of the indexed suffixes.
    fn index(&self, n_ranks: usize) -> SuffixIndex {
        let n = self.split.len();
        let mut offsets = vec![0usize; n_ranks + 1];
        for d in 0..n {
            for &r in &self.ranks[self.split[d]..self.offsets[d + 1]] {
                offsets[r as usize + 1] += 1;
            }
        }
        for s in 0..n_ranks {
            offsets[s + 1] += offsets[s];
        }
        let nnz = offsets[n_ranks];
        let mut cursor = offsets[..n_ranks].to_vec();
        let mut docs = vec![0 as DocId; nnz];
        let mut weights = vec![0f32; nnz];
        let mut before = vec![0f32; nnz];
        let mut max_w = vec![0f32; n_ranks];
        let mut max_before = vec![0f32; n_ranks];
        for d in 0..n {
            for e in self.split[d]..self.offsets[d + 1] {
                let s = self.ranks[e] as usize;
                let (w, norm_before) = (self.weights[e], self.before[e]);
                docs[cursor[s]] = d as DocId;
                weights[cursor[s]] = w;
                before[cursor[s]] = norm_before;
                cursor[s] += 1;
                max_w[s] = max_w[s].max(w.abs());
                max_before[s] = max_before[s].max(norm_before);
            }
        }
        SuffixIndex {
            offsets,
            docs,
            weights,
            before,
            max_w,
            max_before,
        }
    }
}

/// Inverted index of the vectors' indexed suffixes: for each rank, the
/// documents having it (ascending), their weight, and the norm of their
/// entries before it (`‖x_<j‖`, the positional bound of L2AP).
struct SuffixIndex {
    /// Postings of rank `r` are `offsets[r]..offsets[r + 1]`.
    offsets: Vec<usize>,
    docs: Vec<DocId>,
    weights: Vec<f32>,
    before: Vec<f32>,
    /// Per rank: the largest |weight| and the largest `before` in its list.
    max_w: Vec<f32>,
    max_before: Vec<f32>,
}

impl SuffixIndex {
    fn list(&self, rank: u32) -> (&[DocId], &[f32], &[f32]) {
        let r = rank as usize;
        let range = self.offsets[r]..self.offsets[r + 1];
        (
            &self.docs[range.clone()],
            &self.weights[range.clone()],
            &self.before[range],
        )
    }
}

/// Per-task scratch space of [`top_k_pairs`].
struct PrefixScratch {
    /// One bit per document: met by the current query (as a candidate or
    /// dropped). Small enough to stay in the fastest cache, so walking a
    /// list past documents never met costs little.
    met: Vec<u64>,
    /// Per document met: its accumulated dot product (`-∞` once it cannot
    /// reach the threshold); 0 for every other document. Single precision:
    /// half the cache of `f64`; the query lowers its threshold by the
    /// rounding this allows.
    state: Vec<f32>,
    /// Documents met by the current query, candidates or dropped (its
    /// first entries; `n` long, so the walk appends without a branch).
    met_list: Vec<DocId>,
    /// The current query's threshold for bounds (see [`query`]), norm and
    /// L1 norm.
    t: f64,
    norm: f64,
    l1: f64,
    /// `‖a_<j‖` (norm of the entries before position `j`) of the query.
    norm_before: Vec<f64>,
    /// `‖a_<j‖₁`, the same with the L1 norm.
    l1_before: Vec<f64>,
    /// `Σ_{i<j} |a_i| · (largest weight of rank r_i)`: what the entries
    /// before position `j` can add to any dot product.
    max_before: Vec<f64>,
    /// Whether some list at or before position `j` could admit a candidate.
    admits: Vec<bool>,
    /// The query's weights by rank (zero elsewhere).
    dense: Vec<f32>,
    /// `upto[r]`: how many of the query's entries have rank ≤ `r`, for
    /// `r` up to the last rank of any unindexed prefix (filled per query
    /// when it has enough candidates to be worth it).
    upto: Vec<u32>,
    found: Vec<(DocId, f32)>,
}

impl PrefixScratch {
    fn new(n: usize, n_ranks: usize) -> PrefixScratch {
        PrefixScratch {
            met: vec![0; n.div_ceil(64)],
            state: vec![0.0; n],
            met_list: vec![0; n],
            t: 0.0,
            norm: 0.0,
            l1: 0.0,
            norm_before: Vec::new(),
            l1_before: Vec::new(),
            max_before: Vec::new(),
            admits: Vec::new(),
            dense: vec![0.0; n_ranks],
            upto: Vec::new(),
            found: Vec::new(),
        }
    }
}

/// What every query of one [`top_k_pairs`] call shares.
#[derive(Clone, Copy)]
struct Search<'a> {
    vecs: &'a [SparseVec],
    norms: &'a [f64],
    ranked: &'a Ranked,
    index: &'a SuffixIndex,
    /// The threshold lowered by [`BOUND_SLACK`], for bounds.
    t: f64,
    /// The threshold itself, for exact cosines.
    threshold: f32,
}

/// Every document `b < a` with `cosine(a, b) >= threshold` (and `> 0`)
/// into `s.found`. `t` is the threshold lowered by [`BOUND_SLACK`].
///
/// Walks `a`'s entries from the rarest term down, each through the postings
/// of documents before `a`, adding to the score of every document met. A
/// document `x` met for the first time at position `j` shares no rarer entry
/// with `a` (those of `x` are all indexed and were walked), so
/// `dot ≤ x_j·a_j + ‖x_<pos‖·‖a_<j‖`. Once no list still to walk could admit
/// a new document by that bound (by the list's largest weight and
/// positional norm, or by `‖a_≤j‖`), lists are walked only for the
/// documents already met, and one whose score plus the same bound falls
/// below `t` is dropped. At the end a candidate's score covers every shared
/// entry of its indexed suffix;
/// its unindexed prefix is bounded against `a`'s entries over the same ranks
/// (Cauchy–Schwarz, and largest weight times L1 norm), then added exactly,
/// and what still reaches `t` is verified with [`cosine`]'s own arithmetic.
fn query(q: &Search<'_>, a: usize, s: &mut PrefixScratch) {
    let Search {
        ranked, index, t, ..
    } = *q;
    s.found.clear();
    let (rs, ws) = ranked.entries(a);
    let m = rs.len();
    // A candidate's score is stored in `f32` after each of at most `m`
    // additions, each rounding by at most half an ulp of a value ≤ 1 in
    // magnitude (a partial dot product of unit vectors): lower every bound's
    // threshold by twice that, so rounding never prunes a pair.
    let t = t - (m as f64 + 1.0) * f64::from(f32::EPSILON);
    s.norm_before.clear();
    s.l1_before.clear();
    s.max_before.clear();
    let (mut sq, mut l1, mut by_max) = (0.0f64, 0.0f64, 0.0f64);
    for (&r, &w) in rs.iter().zip(ws) {
        s.norm_before.push(sq.sqrt());
        s.l1_before.push(l1);
        s.max_before.push(by_max);
        sq += f64::from(w) * f64::from(w);
        l1 += f64::from(w).abs();
        by_max += f64::from(w).abs() * ranked.max_weight[r as usize];
    }
    let norm = sq.sqrt();
    (s.t, s.norm, s.l1) = (t, norm, l1);
    // admits[j]: some list at position ≤ j could still let in a document
    // never met before (bounded by the list's largest weight and positional
    // norm or the largest weights of a's earlier terms, and by ‖a_≤j‖).
    s.admits.clear();
    let mut any = false;
    for j in 0..m {
        let r = rs[j] as usize;
        let aj = f64::from(ws[j]).abs();
        let by_list = aj * f64::from(index.max_w[r])
            + (f64::from(index.max_before[r]) * s.norm_before[j]).min(s.max_before[j]);
        let by_norm = (s.norm_before[j] * s.norm_before[j] + aj * aj).sqrt();
        any |= by_list.min(by_norm) >= t;
        s.admits.push(any);
    }
    // While lists can admit, every document met is scored with no bound
    // (bounding each one costs more in the walk than finishing it costs
    // at the end: the prefix bound there is far tighter). Lists that can no
    // longer admit a new document are still walked for the documents
    // already met: their shared entries there are few, and a walk finds them
    // more cheaply than reading each candidate's entries. Scores start at 0
    // (`finish` resets them). `admits` is cumulative (true from some
    // position up) and the walk goes down, so every admitting list is
    // walked before any document can be dropped.
    let state = &mut s.state[..a];
    let met = &mut s.met[..];
    let met_list = &mut s.met_list[..];
    let mut n_met = 0usize;
    for j in (0..m).rev() {
        let (docs, weights, before) = index.list(rs[j]);
        let wa = f64::from(ws[j]);
        let nb = s.norm_before[j];
        let by_max = s.max_before[j];
        // Lists are in document order: stop at `a` rather than search for it.
        if s.admits[j] {
            for (&b, &wb) in docs.iter().zip(weights) {
                let bi = b as usize;
                if bi >= a {
                    break;
                }
                let (word, bit) = (bi / 64, 1u64 << (bi % 64));
                let seen = met[word] & bit != 0;
                state[bi] = (f64::from(state[bi]) + wa * f64::from(wb)) as f32;
                met[word] |= bit;
                met_list[n_met] = b;
                n_met += usize::from(!seen);
            }
        } else {
            for ((&b, &wb), &pb) in docs.iter().zip(weights).zip(before) {
                let bi = b as usize;
                if bi >= a {
                    break;
                }
                let (word, bit) = (bi / 64, 1u64 << (bi % 64));
                if met[word] & bit != 0 {
                    let rest = (f64::from(pb) * nb).min(by_max);
                    let score = f64::from(state[bi]) + wa * f64::from(wb);
                    let kept = if score + rest < t {
                        f64::NEG_INFINITY
                    } else {
                        score
                    };
                    state[bi] = kept as f32;
                }
            }
        }
    }
    for (&r, &w) in rs.iter().zip(ws) {
        s.dense[r as usize] = w;
    }
    // A candidate's prefix is bounded against a's entries up to its last
    // rank: with many candidates, a table of those positions (one pass over
    // the ranks any prefix reaches) is cheaper than a search for each.
    let tabled = ranked.prefix_end > 0
        && n_met * (usize::BITS - m.leading_zeros()) as usize >= ranked.prefix_end;
    if tabled {
        s.upto.clear();
        let mut p = 0usize;
        for r in 0..ranked.prefix_end as u32 {
            while p < m && rs[p] <= r {
                p += 1;
            }
            s.upto.push(p as u32);
        }
    }
    for i in 0..n_met {
        let b = s.met_list[i] as usize;
        s.met[b / 64] = 0;
        finish(q, a, b, tabled, s);
    }
    for &r in rs {
        s.dense[r as usize] = 0.0;
    }
}

/// Finish document `bi` met by the walk of query `a` (and reset its score):
/// bound its unindexed prefix, add it, verify; a pair reaching the threshold
/// goes to `s.found`.
#[inline]
fn finish(q: &Search<'_>, a: usize, bi: usize, tabled: bool, s: &mut PrefixScratch) {
    // (Read and reset for the next query.)
    let acc = std::mem::take(&mut s.state[bi]);
    if acc == f32::NEG_INFINITY {
        return;
    }
    let ranked = q.ranked;
    let (rs, _) = ranked.entries(a);
    let t = s.t;
    let acc = f64::from(acc);
    // What `acc` lacks is the candidate's unindexed prefix (every shared
    // entry of its suffix was walked). Bound it by Cauchy–Schwarz and by
    // the largest weight, against `a`'s entries over the same ranks,
    // without reading the candidate's entries; then add it exactly.
    let PrefixSummary {
        last,
        l2: x_l2,
        max: x_max,
    } = ranked.prefix[bi];
    if last != NO_PREFIX {
        let upto = if tabled {
            s.upto[last as usize] as usize
        } else {
            rs.partition_point(|&r| r <= last)
        };
        let a_l2 = s.norm_before.get(upto).copied().unwrap_or(s.norm);
        let a_l1 = s.l1_before.get(upto).copied().unwrap_or(s.l1);
        let (x_l2, x_max) = (f64::from(x_l2), f64::from(x_max));
        if acc + (x_l2 * a_l2).min(x_max * a_l1) < t {
            return;
        }
    }
    let (xr, xw) = ranked.entries(bi);
    let unindexed = ranked.split[bi] - ranked.offsets[bi];
    let mut score = acc;
    for (&r, &w) in xr[..unindexed].iter().zip(&xw[..unindexed]) {
        score += f64::from(w) * f64::from(s.dense[r as usize]);
    }
    if score < t {
        return;
    }
    let c = cosine_from(dot_f64(&q.vecs[a], &q.vecs[bi]), q.norms[a], q.norms[bi]);
    if c > 0.0 && c >= q.threshold {
        s.found.push((bi as DocId, c));
    }
}

/// Offer a neighbour to a list holding the `k` best so far (`k > 0`). The
/// list ends up with the `k` best of everything offered, whatever the order
/// of the offers.
fn offer(list: &mut Vec<(DocId, f32)>, k: usize, item: (DocId, f32)) {
    if list.len() < k {
        list.push(item);
        return;
    }
    let worst = (0..list.len()).max_by(|&x, &y| by_score(&list[x], &list[y]));
    if let Some(w) = worst
        && by_score(&item, &list[w]) == Ordering::Less
    {
        list[w] = item;
    }
}

/// All pairs of documents with cosine ≥ `threshold`, restricted to each
/// document's `k` nearest neighbours (`k == 0`: no limit).
///
/// For each document `a`, its neighbours are the other documents `b` with
/// `cosine(a, b) > 0` and `cosine(a, b) >= threshold`, ranked by cosine
/// (descending, ties to the lower doc id); the first `k` are kept. The result
/// is the union over all documents — a pair is reported when `b` is among
/// `a`'s top `k` **or** `a` is among `b`'s — normalised to `a < b`, without
/// duplicates, sorted by `(a, b)`. Document ids are indices into `vecs`.
///
/// The `cosine` of each pair is bit-identical to [`cosine`] on the two
/// vectors, and the output is identical for any number of rayon threads —
/// and identical to `top_k_pairs_unpruned` and to the brute-force product
/// (`tests/scale.rs` checks this on 5,000 documents).
/// Pairs with cosine 0 are never reported, even for `threshold <= 0`.
/// Vectors need not be normalised (norms are divided out); empty or all-zero
/// vectors never pair.
///
/// # Algorithm and cost
/// Prefix filtering with L2 bounds, in the style of AllPairs (Bayardo et
/// al., 2007) and L2AP (Anastasiu and Karypis, 2014):
///
/// 1. Terms are ranked by document frequency, most frequent first, and every
///    (normalised) vector is sorted in that order.
/// 2. Each vector's longest *prefix* whose dot product with any vector is
///    provably below the threshold — by Cauchy–Schwarz against the largest
///    norm any vector has over the same (common) terms
///    (`‖prefix‖₂ · max_x ‖x_≤last‖ < t`), or by the largest weight of each
///    term in the corpus — stays out of the
///    inverted index; only the suffix (its rarer terms) is indexed. A pair
///    with cosine ≥ `t` must share a term of that suffix, or its dot product
///    would be that of the prefix alone, below `t`. So the long posting
///    lists of common terms, the `Σ df²` cost of a plain inverted index, are
///    mostly never built.
/// 3. In parallel over documents, each document walks the postings of its
///    own terms from the rarest, through the documents before it,
///    accumulating partial dot products in a dense per-task accumulator
///    (`O(n)` memory per task, never `n × n`; a bitset of the documents met
///    small enough to stay in cache). Once L2AP's positional bound
///    (`x_j·a_j + ‖x_<j‖·‖a_<j‖`), or AllPairs' bound of the query's earlier
///    entries times the largest weight of their terms, shows that no
///    remaining list can admit a document not met yet, lists are walked only
///    to complete the documents already met, and the same bounds drop those
///    that cannot reach `t`. Scores are kept in `f32`; every bound's
///    threshold is lowered by the rounding that allows.
/// 4. Each surviving candidate's unindexed prefix is bounded, then added
///    exactly; what reaches `t` is verified with the exact merge-join
///    cosine.
///
/// Each pair is found once, from its higher document. The top-`k` semantics
/// are kept exactly: prefix filtering finds *every* pair above `t`, and each
/// pair is offered to both documents' lists of their `k` best (a mutex per
/// document; the lists end up the same whatever the order of the offers).
/// Picking each document's top `k` among pairs found from one side only, or
/// raising a document's threshold to its current `k`-th best, would lose
/// pairs that are in the other document's top `k`. For `threshold <= 0`
/// nothing can be pruned and the cost is about that of
/// `top_k_pairs_unpruned`. `examples/allpairs.rs` measures the two.
///
/// # Panics
/// If `vecs.len()` exceeds the [`DocId`] range.
pub fn top_k_pairs(vecs: &[SparseVec], threshold: f32, k: usize) -> Vec<ScoredPair> {
    let n = vecs.len();
    let Some((norms, usable)) = norms_of(vecs) else {
        return Vec::new();
    };
    let t = f64::from(threshold) - BOUND_SLACK;
    let ranked = Ranked::build(vecs, &norms, &usable, t);
    let n_ranks = ranked
        .ranks
        .iter()
        .map(|&r| r as usize + 1)
        .max()
        .unwrap_or(0);
    let index = ranked.index(n_ranks);
    let search = Search {
        vecs,
        norms: &norms,
        ranked: &ranked,
        index: &index,
        t,
        threshold,
    };

    // Each pair is found once, from its lower document; with a k limit both
    // documents' lists of their k best are offered it.
    let best: Vec<Mutex<Vec<(DocId, f32)>>> = if k > 0 {
        (0..n).map(|_| Mutex::new(Vec::new())).collect()
    } else {
        Vec::new()
    };
    let lock = |d: usize| best[d].lock().unwrap_or_else(|e| e.into_inner());
    let per_doc: Vec<Vec<(DocId, f32)>> = (0..n)
        .into_par_iter()
        .map_init(
            || PrefixScratch::new(n, n_ranks),
            |s, a| {
                if !usable[a] {
                    return Vec::new();
                }
                query(&search, a, s);
                if k == 0 {
                    return s.found.clone();
                }
                for &(b, c) in &s.found {
                    offer(&mut lock(a), k, (b, c));
                    offer(&mut lock(b as usize), k, (a as DocId, c));
                }
                Vec::new()
            },
        )
        .collect();
    let per_doc = if k == 0 {
        per_doc
    } else {
        best.into_iter()
            .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect()
    };
    finish_pairs(per_doc)
}

/// [`top_k_pairs`] without prefix filtering: the same result, by a plain
/// inverted index over whole vectors. Kept as the reference the prefix
/// filter is tested and measured against (`examples/allpairs.rs`).
///
/// For each document `a`, its neighbours are the other documents `b` with
/// `cosine(a, b) > 0` and `cosine(a, b) >= threshold`, ranked by cosine
/// (descending, ties to the lower doc id); the first `k` are kept. The result
/// is the union over all documents — a pair is reported when `b` is among
/// `a`'s top `k` **or** `a` is among `b`'s — normalised to `a < b`, without
/// duplicates, sorted by `(a, b)`. Document ids are indices into `vecs`.
///
/// The `cosine` of each pair is bit-identical to [`cosine`] on the two
/// vectors, and the output is identical for any number of rayon threads.
/// Because only pairs sharing a term are ever scored, pairs with cosine 0
/// are never reported, even for `threshold <= 0`. Vectors need not be
/// normalised (norms are divided out); empty or all-zero vectors never pair.
///
/// # Algorithm and cost
/// An inverted index (term → postings of (doc, weight)) is built in
/// `O(nnz)`; then, in parallel over documents, each document scatters
/// `w_a · w_b` into a dense per-task `f64` accumulator (`n` slots, reused via
/// rayon's `map_init`, so memory is `O(n)` per task, never `n × n`) by walking
/// the postings of each of its terms, and keeps its top `k` candidates.
/// Total work is `Σ_t df(t)²` over terms `t` (halved when `k == 0`, as only
/// higher doc ids are scored) — i.e. **quadratic in the posting length of
/// common terms**: a term present in every document costs `n²`. Idf
/// down-weighting does not reduce this cost, only the scores.
///
/// # Panics
/// If `vecs.len()` exceeds the [`DocId`] range.
///
/// Hidden from the documentation: the slow reference that tests and the
/// all-pairs example hold [`top_k_pairs`] to.
#[doc(hidden)]
pub fn top_k_pairs_unpruned(vecs: &[SparseVec], threshold: f32, k: usize) -> Vec<ScoredPair> {
    let n = vecs.len();
    let Some((norms, usable)) = norms_of(vecs) else {
        return Vec::new();
    };
    let index = Postings::build(vecs, &usable);

    let per_doc: Vec<Vec<(DocId, f32)>> = (0..n)
        .into_par_iter()
        .map_init(
            || Scratch::new(n),
            |s, a| {
                if !usable[a] {
                    return Vec::new();
                }
                let generation = a + 1;
                s.touched.clear();
                let (ts, ws) = parts(&vecs[a]);
                for (&t, &wa) in ts.iter().zip(ws) {
                    let (docs, weights) = index.list(t);
                    // With no k limit each pair is needed once: score only b > a.
                    let start = if k == 0 {
                        docs.partition_point(|&b| b as usize <= a)
                    } else {
                        0
                    };
                    let wa = f64::from(wa);
                    for (&b, &wb) in docs[start..].iter().zip(&weights[start..]) {
                        let bi = b as usize;
                        if s.stamp[bi] != generation {
                            s.stamp[bi] = generation;
                            s.acc[bi] = 0.0;
                            s.touched.push(b);
                        }
                        s.acc[bi] += wa * f64::from(wb);
                    }
                }
                s.found.clear();
                for &b in &s.touched {
                    let bi = b as usize;
                    if bi == a {
                        continue;
                    }
                    let c = cosine_from(s.acc[bi], norms[a], norms[bi]);
                    if c > 0.0 && c >= threshold {
                        s.found.push((b, c));
                    }
                }
                keep_top(&mut s.found, k);
                s.found.clone()
            },
        )
        .collect();

    finish_pairs(per_doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(got: f32, want: f64, what: &str) {
        assert!(
            (f64::from(got) - want).abs() < 1e-6,
            "{what}: got {got}, want {want}"
        );
    }

    /// Three tiny documents, everything worked out by hand.
    ///
    /// d0 = [the, cat, sat], d1 = [the, cat, cat], d2 = [dog]; n = 3.
    /// Ids in first-seen order: the=0, cat=1, sat=2, dog=3.
    /// df: the=2, cat=2, sat=1, dog=1.
    #[test]
    fn hand_computed_default_options() {
        let docs = vec![
            vec!["the", "cat", "sat"],
            vec!["the", "cat", "cat"],
            vec!["dog"],
        ];
        let (m, v) = TfIdfModel::fit_transform(&docs, TfIdfOptions::default());
        assert_eq!(m.n_docs(), 3);
        assert_eq!(m.vocabulary_len(), 4);
        for (t, id) in [("the", 0), ("cat", 1), ("sat", 2), ("dog", 3)] {
            assert_eq!(m.term_id(t), Some(id), "{t}");
        }
        assert_eq!(m.df("the"), Some(2));
        assert_eq!(m.df("cat"), Some(2));
        assert_eq!(m.df("sat"), Some(1));
        assert_eq!(m.df("dog"), Some(1));
        assert_eq!(m.df("bird"), None);
        assert_eq!(m.idf("bird"), None);

        // Smooth idf = ln((1+n)/(1+df)) + 1:
        //   the, cat: ln(4/3) + 1 = 0.287682072 + 1 = 1.287682072
        //   sat, dog: ln(4/2) + 1 = 0.693147181 + 1 = 1.693147181
        let idf_common = (4.0f64 / 3.0).ln() + 1.0;
        let idf_rare = 2.0f64.ln() + 1.0;
        assert_close(m.idf("the").unwrap(), 1.287682072, "idf(the)");
        assert_close(m.idf("cat").unwrap(), idf_common, "idf(cat)");
        assert_close(m.idf("sat").unwrap(), 1.693147181, "idf(sat)");
        assert_close(m.idf("dog").unwrap(), idf_rare, "idf(dog)");

        // d0: every tf = 1, so sublinear tf = 1 + ln 1 = 1.
        //   raw = [1.287682072, 1.287682072, 1.693147181]
        //   |raw|² = 2·1.658125 + 2.866747 = 6.182997614, |raw| = 2.486563415
        //   normalised = [0.517856116, 0.517856116, 0.680918560]
        assert_eq!(v[0].terms, vec![0, 1, 2]);
        assert_close(v[0].weights[0], 0.517856116, "d0 the");
        assert_close(v[0].weights[1], 0.517856116, "d0 cat");
        assert_close(v[0].weights[2], 0.680918560, "d0 sat");

        // d1: tf(the) = 1 → 1; tf(cat) = 2 → 1 + ln 2 = 1.693147181 (sublinear!)
        //   raw = [1.287682072, 1.693147181 · 1.287682072 = 2.180235270]
        //   |raw|² = 1.658125 + 4.753426 = 6.411550954, |raw| = 2.532104057
        //   normalised = [0.508542320, 0.861036996]
        //   (with raw tf=2 it would be [1/√5, 2/√5] = [0.447, 0.894] instead)
        assert_eq!(v[1].terms, vec![0, 1]);
        assert_close(v[1].weights[0], 0.508542320, "d1 the");
        assert_close(v[1].weights[1], 0.861036996, "d1 cat");

        // d2: a single term normalises to weight 1.
        assert_eq!(v[2].terms, vec![3]);
        assert_close(v[2].weights[0], 1.0, "d2 dog");

        // cos(d0, d1) = 0.517856116·0.508542320 + 0.517856116·0.861036996
        //             = 0.263351 + 0.445894 = 0.709245026
        assert_close(cosine(&v[0], &v[1]), 0.709245026, "cos(d0,d1)");
        assert_close(v[0].dot(&v[1]), 0.709245026, "dot(d0,d1)");
        assert_eq!(cosine(&v[0], &v[2]), 0.0);

        // transform on its own agrees with fit_transform, and ignores unknowns.
        assert_eq!(m.transform(&docs[1]), v[1]);
        assert_eq!(m.transform(&["cat", "zebra", "the", "cat"]), v[1]);
        assert_eq!(TfIdfModel::fit(&docs, TfIdfOptions::default()).idf, m.idf);
    }

    /// Raw tf and non-smooth idf on the same documents.
    #[test]
    fn hand_computed_raw_tf_plain_idf() {
        let docs = vec![
            vec!["the", "cat", "sat"],
            vec!["the", "cat", "cat"],
            vec!["dog"],
        ];
        let opts = TfIdfOptions {
            sublinear_tf: false,
            smooth_idf: false,
            l2_norm: true,
        };
        let (m, v) = TfIdfModel::fit_transform(&docs, opts);
        // idf = ln(n/df) + 1: the, cat: ln(3/2) + 1 = 1.405465108
        //                     sat, dog: ln(3/1) + 1 = 2.098612289
        assert_close(m.idf("the").unwrap(), 1.405465108, "idf(the)");
        assert_close(m.idf("sat").unwrap(), 2.098612289, "idf(sat)");
        // d0: raw = [1.405465, 1.405465, 2.098612], |raw| = 2.890473643
        //   → [0.486240417, 0.486240417, 0.726044430]
        assert_close(v[0].weights[0], 0.486240417, "d0 the");
        assert_close(v[0].weights[2], 0.726044430, "d0 sat");
        // d1: tf(cat) = 2 → raw = [c, 2c] with c = 1.405465: → [1/√5, 2/√5]
        assert_close(v[1].weights[0], 1.0 / 5f64.sqrt(), "d1 the");
        assert_close(v[1].weights[1], 2.0 / 5f64.sqrt(), "d1 cat");

        // Without normalisation the raw weights come through.
        let opts = TfIdfOptions {
            l2_norm: false,
            ..opts
        };
        let (_, v) = TfIdfModel::fit_transform(&docs, opts);
        assert_close(v[1].weights[1], 2.0 * ((1.5f64).ln() + 1.0), "d1 cat raw");
        // ...and cosine still divides the norms out: with d0 = [c, c, r]
        // (|d0| = 2.890473643) and d1 = [c, 2c] (|d1| = c·√5),
        // cos = (c·c + c·2c) / (2.890473643 · c·√5) = 3c² / (2.890473643 · c·√5).
        let c = 1.5f64.ln() + 1.0;
        let want = 3.0 * c * c / (c * 5f64.sqrt() * 2.890473643);
        assert_close(cosine(&v[0], &v[1]), want, "cos unnormalised");
    }

    #[test]
    fn cosine_self_and_orthogonal() {
        let docs = vec![vec!["a", "b", "b", "c"], vec!["d", "e"], vec!["a"]];
        let (_, v) = TfIdfModel::fit_transform(&docs, TfIdfOptions::default());
        for x in &v {
            assert_close(cosine(x, x), 1.0, "self");
        }
        assert_eq!(cosine(&v[0], &v[1]), 0.0);
        assert_eq!(v[0].dot(&v[1]), 0.0);
        assert_eq!(cosine(&v[1], &v[2]), 0.0);
        assert!(cosine(&v[0], &v[2]) > 0.0);
        // Unnormalised input: scaling does not change the cosine.
        let scaled = SparseVec {
            terms: v[0].terms.clone(),
            weights: v[0].weights.iter().map(|w| w * 7.5).collect(),
        };
        assert_close(cosine(&scaled, &v[0]), 1.0, "scaled self");
    }

    #[test]
    fn empty_inputs() {
        let none: Vec<Vec<String>> = Vec::new();
        let (m, v) = TfIdfModel::fit_transform(&none, TfIdfOptions::default());
        assert_eq!(m.n_docs(), 0);
        assert_eq!(m.vocabulary_len(), 0);
        assert!(v.is_empty());
        assert!(m.transform(&["x"]).is_empty());
        assert!(
            TfIdfModel::fit(&none, TfIdfOptions::default())
                .idf
                .is_empty()
        );
        assert!(top_k_pairs(&[], 0.0, 0).is_empty());

        let docs: Vec<Vec<&str>> = vec![vec![], vec!["a", "b"], vec![], vec!["a", "b"]];
        let (m, v) = TfIdfModel::fit_transform(&docs, TfIdfOptions::default());
        assert_eq!(m.n_docs(), 4);
        assert!(v[0].is_empty() && v[2].is_empty());
        assert_eq!(v[0].len(), 0);
        assert!(m.transform::<&str>(&[]).is_empty());
        assert_eq!(cosine(&v[0], &v[1]), 0.0);
        assert_eq!(cosine(&v[0], &v[0]), 0.0);
        // Only the two identical non-empty docs pair up.
        assert_eq!(top_k_pairs(&v, 1.0, 0), top_k_pairs(&v, -1.0, 0));
        let pairs = top_k_pairs(&v, -1.0, 0);
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].a, pairs[0].b), (1, 3));
        assert_close(pairs[0].cosine, 1.0, "dup");
        // All-empty / all-zero vectors never pair.
        let zero = SparseVec {
            terms: vec![0, 1],
            weights: vec![0.0, 0.0],
        };
        let empties = vec![
            SparseVec::default(),
            zero.clone(),
            zero,
            SparseVec::default(),
        ];
        assert!(top_k_pairs(&empties, 0.0, 0).is_empty());
        assert!(top_k_pairs(&empties, 0.0, 3).is_empty());
        assert!(top_k_pairs(&v[..1], 0.0, 0).is_empty());
    }

    /// Huge, sparse term ids take the binary-search path of the index.
    #[test]
    fn sparse_term_ids() {
        let v = vec![
            SparseVec {
                terms: vec![5, 4_000_000_000],
                weights: vec![1.0, 2.0],
            },
            SparseVec {
                terms: vec![4_000_000_000, u32::MAX],
                weights: vec![1.0, 1.0],
            },
            SparseVec {
                terms: vec![7],
                weights: vec![1.0],
            },
        ];
        let got = top_k_pairs(&v, 0.0, 0);
        assert_eq!(got, brute_force(&v, 0.0, 0));
        assert_eq!(got.len(), 1);
        assert_close(got[0].cosine, 2.0 / (5f64.sqrt() * 2f64.sqrt()), "cos");
    }

    // ---- generated corpora -------------------------------------------------

    struct SplitMix64(u64);

    impl SplitMix64 {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        /// Uniform in [0, 1).
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        /// Zipf-ish rank in [0, vocab): log-uniform, so P(r) ∝ ~1/(r+1).
        fn zipf(&mut self, vocab: usize) -> usize {
            let r = ((vocab as f64 + 1.0).ln() * self.unit()).exp() as usize - 1;
            r.min(vocab - 1)
        }
    }

    /// `n` documents of `len/2..3len/2` terms; about a quarter are edited
    /// copies of an earlier document so that high cosines occur too.
    fn generate(seed: u64, n: usize, len: usize, vocab: usize) -> Vec<Vec<String>> {
        let mut rng = SplitMix64(seed);
        let mut docs: Vec<Vec<String>> = Vec::with_capacity(n);
        for _ in 0..n {
            if !docs.is_empty() && rng.below(4) == 0 {
                let mut d = docs[rng.below(docs.len())].clone();
                let edits = rng.below(d.len() / 4 + 2);
                for _ in 0..edits {
                    if d.is_empty() {
                        break;
                    }
                    let i = rng.below(d.len());
                    d[i] = format!("w{}", rng.zipf(vocab));
                }
                docs.push(d);
            } else {
                let m = len / 2 + rng.below(len + 1);
                docs.push((0..m).map(|_| format!("w{}", rng.zipf(vocab))).collect());
            }
        }
        docs
    }

    /// The O(n²) definition of `top_k_pairs`, written with `cosine`.
    fn brute_force(vecs: &[SparseVec], threshold: f32, k: usize) -> Vec<ScoredPair> {
        let n = vecs.len();
        let mut set = std::collections::BTreeMap::new();
        for a in 0..n {
            let mut nb: Vec<(usize, f32)> = (0..n)
                .filter(|&b| b != a)
                .map(|b| (b, cosine(&vecs[a], &vecs[b])))
                .filter(|&(_, c)| c > 0.0 && c >= threshold)
                .collect();
            nb.sort_by(|x, y| y.1.partial_cmp(&x.1).unwrap().then(x.0.cmp(&y.0)));
            if k > 0 {
                nb.truncate(k);
            }
            for (b, c) in nb {
                set.insert((a.min(b) as DocId, a.max(b) as DocId), c);
            }
        }
        set.into_iter()
            .map(|((a, b), cosine)| ScoredPair { a, b, cosine })
            .collect()
    }

    fn assert_pairs_match(got: &[ScoredPair], want: &[ScoredPair], what: &str) {
        let gk: Vec<_> = got.iter().map(|p| (p.a, p.b)).collect();
        let wk: Vec<_> = want.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(gk, wk, "{what}: pair sets differ");
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g.cosine - w.cosine).abs() < 1e-6,
                "{what}: ({}, {}) cosine {} vs {}",
                g.a,
                g.b,
                g.cosine,
                w.cosine
            );
        }
    }

    #[test]
    fn top_k_pairs_matches_brute_force() {
        let docs = generate(0xD0_99E1, 300, 40, 2000);
        let (_, v) = TfIdfModel::fit_transform(&docs, TfIdfOptions::default());
        let mut non_trivial = 0;
        for &threshold in &[0.0f32, 0.05, 0.2, 0.5, 0.8, 0.99] {
            for &k in &[0usize, 1, 3, 10] {
                let got = top_k_pairs(&v, threshold, k);
                let want = brute_force(&v, threshold, k);
                assert_pairs_match(&got, &want, &format!("t={threshold} k={k}"));
                assert!(got.windows(2).all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b)));
                assert!(got.iter().all(|p| p.a < p.b && p.cosine >= threshold));
                if !got.is_empty() {
                    non_trivial += 1;
                }
            }
        }
        // The threshold is inclusive: using a pair's own cosine keeps it.
        for p in top_k_pairs(&v, 0.3, 0).iter().step_by(7) {
            let again = top_k_pairs(&v, p.cosine, 0);
            assert!(again.contains(p), "{p:?} lost at its own cosine");
            assert_pairs_match(&again, &brute_force(&v, p.cosine, 0), "own cosine");
        }
        // The corpus must actually exercise the comparison.
        assert!(non_trivial >= 20, "only {non_trivial} non-empty results");
        assert!(top_k_pairs(&v, 0.5, 0).len() > 20);
        // k limits: with k = 1 no more than n pairs.
        assert!(top_k_pairs(&v, 0.0, 1).len() <= v.len());
    }

    #[test]
    fn top_k_pairs_unnormalised_matches_brute_force() {
        let docs = generate(42, 120, 20, 300);
        let opts = TfIdfOptions {
            l2_norm: false,
            ..TfIdfOptions::default()
        };
        let (_, v) = TfIdfModel::fit_transform(&docs, opts);
        for &(t, k) in &[(0.0f32, 0usize), (0.3, 2), (0.7, 0)] {
            assert_pairs_match(&top_k_pairs(&v, t, k), &brute_force(&v, t, k), "raw");
        }
    }

    #[test]
    fn deterministic_across_thread_counts() {
        let docs = generate(7, 400, 30, 1000);
        let (_, v) = TfIdfModel::fit_transform(&docs, TfIdfOptions::default());
        let run = |threads: usize, t: f32, k: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| top_k_pairs(&v, t, k))
        };
        for &(t, k) in &[(0.0f32, 0usize), (0.1, 5), (0.5, 1)] {
            let one = run(1, t, k);
            let four = run(4, t, k);
            assert!(!one.is_empty());
            // Bit-for-bit identical, cosines included.
            assert_eq!(one, four, "t={t} k={k}");
        }
        // fit_transform is deterministic too.
        let vecs_in = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| TfIdfModel::fit_transform(&docs, TfIdfOptions::default()).1)
        };
        assert_eq!(vecs_in(1), vecs_in(4));
    }

    #[test]
    fn prefix_filter_prunes_and_agrees_with_unpruned() {
        let docs = generate(0x5EED, 600, 60, 3000);
        let (_, v) = TfIdfModel::fit_transform(&docs, TfIdfOptions::default());
        let norms: Vec<f64> = v.iter().map(norm_f64).collect();
        let usable = vec![true; v.len()];
        // At t = 0.5 most documents keep their common terms out of the index.
        let ranked = Ranked::build(&v, &norms, &usable, 0.5 - BOUND_SLACK);
        let unindexed: usize = (0..v.len())
            .map(|d| ranked.split[d] - ranked.offsets[d])
            .sum();
        assert!(
            unindexed * 4 > ranked.ranks.len(),
            "only {unindexed} of {} entries left out of the index",
            ranked.ranks.len()
        );
        // The invariant the search relies on: an unindexed prefix's dot
        // product with any document is below the threshold.
        let as_vec = |d: usize, end: usize| {
            let (rs, ws) = ranked.entries(d);
            let mut e: Vec<(u32, f32)> = rs.iter().copied().zip(ws.iter().copied()).collect();
            e.truncate(end);
            e.sort_unstable_by_key(|x| x.0);
            SparseVec {
                terms: e.iter().map(|x| x.0).collect(),
                weights: e.iter().map(|x| x.1).collect(),
            }
        };
        let whole: Vec<SparseVec> = (0..v.len()).map(|d| as_vec(d, usize::MAX)).collect();
        for d in 0..v.len() {
            let prefix = as_vec(d, ranked.split[d] - ranked.offsets[d]);
            let worst = whole.iter().map(|x| prefix.dot(x)).fold(0.0f32, f32::max);
            assert!(worst < 0.5, "doc {d}: prefix reaches {worst}");
            let (rs, _) = ranked.entries(d);
            assert!(
                rs.windows(2).all(|w| w[0] < w[1]),
                "doc {d} not in rank order"
            );
        }
        // Nothing is pruned at t <= 0.
        let ranked = Ranked::build(&v, &norms, &usable, 0.0 - BOUND_SLACK);
        assert!((0..v.len()).all(|d| ranked.split[d] == ranked.offsets[d]));
        for &(t, k) in &[
            (0.0f32, 0usize),
            (0.1, 3),
            (0.3, 10),
            (0.5, 0),
            (0.9, 1),
            (1.0, 2),
        ] {
            assert_eq!(
                top_k_pairs(&v, t, k),
                top_k_pairs_unpruned(&v, t, k),
                "t={t} k={k}"
            );
        }
    }

    /// Many documents above the threshold around one hub: each document's
    /// own top k must be found, not only the pairs some other document ranks.
    #[test]
    fn top_k_with_dense_neighbourhoods() {
        let mut docs: Vec<Vec<String>> = Vec::new();
        let base: Vec<String> = (0..30).map(|i| format!("core{i}")).collect();
        for d in 0..40 {
            let mut doc = base.clone();
            doc.truncate(30 - (d % 10));
            doc.extend((0..d % 7).map(|i| format!("x{d}_{i}")));
            docs.push(doc);
        }
        let (_, v) = TfIdfModel::fit_transform(&docs, TfIdfOptions::default());
        for &(t, k) in &[(0.3f32, 1usize), (0.3, 3), (0.8, 2), (0.95, 5)] {
            let got = top_k_pairs(&v, t, k);
            assert_pairs_match(&got, &brute_force(&v, t, k), &format!("t={t} k={k}"));
            assert!(!got.is_empty());
        }
    }

    /// Negative and unnormalised weights: the bounds use absolute values.
    #[test]
    fn signed_weights_match_brute_force() {
        let mut rng = SplitMix64(99);
        let v: Vec<SparseVec> = (0..150)
            .map(|_| {
                let mut terms: Vec<TermId> = (0..8).map(|_| rng.zipf(40) as TermId).collect();
                terms.sort_unstable();
                terms.dedup();
                let weights = terms
                    .iter()
                    .map(|_| (rng.unit() as f32 - 0.3) * 3.0)
                    .collect();
                SparseVec { terms, weights }
            })
            .collect();
        for &(t, k) in &[(0.0f32, 0usize), (0.2, 3), (0.6, 0), (0.9, 1)] {
            assert_pairs_match(&top_k_pairs(&v, t, k), &brute_force(&v, t, k), "signed");
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn small_corpora_match_brute_force(
                docs in prop::collection::vec(prop::collection::vec(0u8..12, 0..8), 0..25),
                threshold in 0.0f32..1.0,
                k in 0usize..4,
            ) {
                let docs: Vec<Vec<String>> = docs
                    .iter()
                    .map(|d| d.iter().map(|t| format!("t{t}")).collect())
                    .collect();
                let (m, v) = TfIdfModel::fit_transform(&docs, TfIdfOptions::default());
                prop_assert_eq!(v.len(), docs.len());
                for x in &v {
                    prop_assert!(x.terms.windows(2).all(|w| w[0] < w[1]));
                    prop_assert!(x.terms.iter().all(|&t| (t as usize) < m.vocabulary_len()));
                    if !x.is_empty() {
                        prop_assert!((cosine(x, x) - 1.0).abs() < 1e-6);
                    }
                }
                let got = top_k_pairs(&v, threshold, k);
                let want = brute_force(&v, threshold, k);
                prop_assert_eq!(&got, &want);
                prop_assert_eq!(top_k_pairs_unpruned(&v, threshold, k), want);
            }
        }
    }
}
