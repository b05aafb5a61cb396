//! The whole pipeline: documents in, scored and aligned pairs out.
//!
//! documents → [`crate::text`] (tokens, sentences) →
//! [`crate::shingle`] / [`crate::tfidf`] →
//! [`crate::minhash`] / [`crate::lsh`] → candidate pairs →
//! [`crate::align`] (passages) → [`crate::score`] (verdicts).
//!
//! Parallel with rayon over documents (analysis, signing) and over candidate
//! pairs (scoring, alignment); the result is the same whatever the number of
//! threads.

use crate::DocId;
use crate::align::{self, Alignment, Side};
use crate::config::Config;
use crate::corpus::Document;
use crate::lsh::{self, LshParams};
use crate::minhash::{MinHasher, Signature};
use crate::neighbours;
use crate::progress::{self, Counter, Event, Progress};
use crate::rewrites;
use crate::score::{self, PairScores, Verdict};
use crate::shingle::{self, ShingleKind};
use crate::text::{Analysed, Analyzer};
use crate::tfidf::{self, Fitter, SparseVec, TfIdfModel, TfIdfOptions};
use crate::winnow;
use rayon::prelude::*;

/// What the pipeline keeps of one document.
#[derive(Clone, Debug)]
pub struct Features {
    /// Tokens and sentences.
    pub analysed: Analysed,
    /// TF-IDF terms of each sentence.
    pub sentence_terms: Vec<Vec<String>>,
    /// Shingle set (sorted, deduplicated hashes).
    pub shingles: Vec<u64>,
    /// MinHash signature of the shingle set.
    pub signature: Signature,
    /// Winnowed fingerprints of the word 5-grams (see [`crate::winnow`]);
    /// empty when `Config::copy_words` is 0.
    pub fingerprints: Vec<u64>,
}

/// What a report shows of a document's analysis: its counts of words
/// and sentences.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DocStats {
    /// Words (tokens).
    pub words: usize,
    /// Sentences.
    pub sentences: usize,
}

/// Whatever knows a document's [`DocStats`]: its full [`Features`], or
/// the stats alone that a [`Scan`] keeps.
pub trait Stats {
    /// The counts.
    fn stats(&self) -> DocStats;
}

impl Stats for DocStats {
    fn stats(&self) -> DocStats {
        *self
    }
}

impl Stats for Features {
    fn stats(&self) -> DocStats {
        DocStats {
            words: self.analysed.tokens.len(),
            sentences: self.analysed.sentences.len(),
        }
    }
}

/// The shingle set (sorted, deduplicated hashes) of an analysed document:
/// word n-grams of its normalised tokens, or character n-grams of those
/// tokens joined by single spaces. Shared by [`features`] and the streaming
/// pipeline ([`crate::batch`]) so both measure the same sets.
pub fn shingle_set(text: &str, analysed: &Analysed, kind: ShingleKind) -> Vec<u64> {
    shingles_of(text, &analysed.norms(0..analysed.tokens.len()), kind)
}

/// [`shingle_set`] of a text whose normalised words are `norms`. A text
/// without words (emoji, punctuation, box drawing) is shingled by its own
/// characters instead — character n-grams of its NFKC form without
/// invisible characters, n being the shingle size — so that two identical
/// such documents are still duplicates.
pub(crate) fn shingles_of<S: AsRef<str>>(text: &str, norms: &[S], kind: ShingleKind) -> Vec<u64> {
    if norms.is_empty() {
        let n = match kind {
            ShingleKind::Words(n) | ShingleKind::Chars(n) => n,
        };
        return shingle::char_shingles(&crate::text::wordless_form(text), n);
    }
    match kind {
        ShingleKind::Words(n) => shingle::word_shingles(norms, n),
        ShingleKind::Chars(n) => {
            let joined: Vec<&str> = norms.iter().map(AsRef::as_ref).collect();
            shingle::char_shingles(&joined.join(" "), n)
        }
    }
}

/// Tokenise, segment, shingle and sign one document.
pub fn features(text: &str, cfg: &Config, analyzer: &Analyzer, hasher: &MinHasher) -> Features {
    let analysed = Analysed::new(text);
    let sentence_terms = sentence_terms_of(&analysed, analyzer);
    let norms = analysed.norms(0..analysed.tokens.len());
    // The fingerprints' word 5-grams, hashed once: with the default
    // shingles they are also the shingle set's.
    let grams = (cfg.copy_words > 0).then(|| shingle::word_shingle_sequence(&norms, winnow::K));
    let shingles = match (&grams, cfg.shingle) {
        (Some(g), ShingleKind::Words(n)) if n == winnow::K && !norms.is_empty() => {
            let mut set = g.clone();
            set.sort_unstable();
            set.dedup();
            set
        }
        _ => shingles_of(text, &norms, cfg.shingle),
    };
    drop(norms);
    let signature = hasher.sign(&shingles);
    let fingerprints = grams.map_or_else(Vec::new, |g| fingerprints_from(&g, cfg.copy_words));
    Features {
        analysed,
        sentence_terms,
        shingles,
        signature,
        fingerprints,
    }
}

/// The TF-IDF terms of each sentence of an analysed text, as
/// [`features`] makes them.
pub(crate) fn sentence_terms_of(analysed: &Analysed, analyzer: &Analyzer) -> Vec<Vec<String>> {
    analysed
        .sentences
        .iter()
        .map(|s| analyzer.terms(&analysed.tokens[s.tokens.clone()]))
        .collect()
}

/// The rewritten-passage band keys of a text ([`rewrites::band_keys`] of
/// its sentences' terms), as a scan with `rewrite_candidates` makes them.
pub fn sentence_bands_of(analysed: &Analysed, analyzer: &Analyzer) -> Vec<u32> {
    rewrites::band_keys(&sentence_terms_of(analysed, analyzer))
}

/// The winnowed fingerprints of an analysed document's word 5-grams that
/// guarantee a shared run of `copy_words` words a shared fingerprint (see
/// [`crate::winnow`]); none when `copy_words` is 0.
pub fn fingerprints_of(analysed: &Analysed, copy_words: usize) -> Vec<u64> {
    if copy_words == 0 {
        return Vec::new();
    }
    let norms = analysed.norms(0..analysed.tokens.len());
    fingerprints_from(
        &shingle::word_shingle_sequence(&norms, winnow::K),
        copy_words,
    )
}

/// The fingerprints of a document's word 5-gram sequence.
fn fingerprints_from(grams: &[u64], copy_words: usize) -> Vec<u64> {
    winnow::fingerprints(grams, winnow::window(copy_words))
}

/// One compared pair of documents.
#[derive(Clone, Debug)]
pub struct PairResult {
    /// First document (the lower id).
    pub a: DocId,
    /// Second document.
    pub b: DocId,
    /// Similarity measures.
    pub scores: PairScores,
    /// Aligned passages and coverage.
    pub alignment: Alignment,
    /// The verdict.
    pub verdict: Verdict,
}

/// The outcome of a run over a corpus.
#[derive(Debug)]
pub struct Scan {
    /// Per document, in input order, its counts (the features themselves
    /// are not kept: see [`scan_with`]).
    pub stats: Vec<DocStats>,
    /// Every candidate pair, flagged first (see `sort_pairs`); empty
    /// from [`scan_each`], which hands them over one by one.
    pub pairs: Vec<PairResult>,
    /// LSH parameters used.
    pub lsh: LshParams,
    /// Candidate pairs from LSH.
    pub lsh_candidates: usize,
    /// Candidate pairs from TF-IDF cosine.
    pub cosine_candidates: usize,
    /// Heavy terms left out of the cosine neighbour search as words of
    /// the whole corpus (see [`crate::neighbours`]).
    pub corpus_keys: usize,
    /// Candidate pairs sharing a winnowed fingerprint (a verbatim run of
    /// `Config::copy_words` words).
    pub copy_candidates: usize,
    /// Fingerprints left out as boilerplate (in more than
    /// [`winnow::MAX_POSTING`] documents).
    pub boilerplate_fingerprints: usize,
    /// Candidate pairs whose sentences share MinHash bands (a rewritten
    /// passage, see [`crate::rewrites`]).
    pub rewrite_candidates: usize,
    /// Sentence band keys left out as stock sentences (in more than
    /// [`winnow::MAX_POSTING`] documents).
    pub stock_sentences: usize,
}

/// Two documents analysed in full, with their document vectors (what
/// [`compare`] aligns).
struct Prepared {
    features: Vec<Features>,
    vectors: Vec<SparseVec>,
}

fn prepare(docs: &[Document], cfg: &Config) -> Prepared {
    let analyzer = Analyzer::new(cfg.stem, cfg.stop_words);
    let hasher = MinHasher::new(cfg.num_perm);
    let features: Vec<Features> = docs
        .par_iter()
        .map(|d| features(&d.text, cfg, &analyzer, &hasher))
        .collect();
    let terms: Vec<Vec<&str>> = features.iter().map(all_terms).collect();
    let (_, vectors) = TfIdfModel::fit_transform(&terms, TfIdfOptions::default());
    Prepared { features, vectors }
}

/// A document's TF-IDF terms, in text order.
fn all_terms(f: &Features) -> Vec<&str> {
    f.sentence_terms
        .iter()
        .flatten()
        .map(String::as_str)
        .collect()
}

/// Documents analysed together in the first pass of a scan; their terms
/// are held only until they are counted.
const ANALYSIS_CHUNK: usize = 4096;

/// Text (bytes) of the documents whose full features are held at once
/// while candidate pairs are aligned: about 20 times as much memory.
const ALIGN_CHUNK_BYTES: usize = 8 << 20;

/// Candidate pairs aligned together (in parallel) before they are handed
/// to [`scan_each`]'s receiver: enough to keep every core busy, few
/// enough that pairs flow steadily and little is held.
const HANDED_OVER: usize = 512;

/// What a scan keeps of each document to find candidates: its LSH band
/// keys, fingerprints and document vector, never its tokens, terms or
/// signature.
struct Compact {
    stats: Vec<DocStats>,
    band_keys: Vec<Vec<u64>>,
    fingerprints: Vec<Vec<u64>>,
    vectors: Vec<SparseVec>,
    /// Each document's sentence band keys (see [`crate::rewrites`]).
    sentence_keys: Vec<Vec<u32>>,
}

fn prepare_compact(
    docs: &[Document],
    cfg: &Config,
    (analyzer, hasher): (&Analyzer, &MinHasher),
    params: &LshParams,
    progress: Progress<'_>,
) -> Compact {
    progress(Event::Analysing {
        docs: docs.len() as u64,
    });
    let analysed = Counter::new(progress, |docs| Event::Analysed { docs });
    let mut fitter = Fitter::new(TfIdfOptions::default());
    let mut out = Compact {
        stats: Vec::with_capacity(docs.len()),
        band_keys: Vec::with_capacity(docs.len()),
        fingerprints: Vec::with_capacity(docs.len()),
        vectors: Vec::new(),
        sentence_keys: Vec::with_capacity(docs.len()),
    };
    for chunk in docs.chunks(ANALYSIS_CHUNK) {
        // Per document: its counts, LSH band keys, fingerprints, sentence
        // band keys and terms.
        type Part = (DocStats, Vec<u64>, Vec<u64>, Vec<u32>, Vec<Vec<String>>);
        let parts: Vec<Part> = chunk
            .par_iter()
            .map(|d| {
                let f = features(&d.text, cfg, analyzer, hasher);
                analysed.add(1);
                let keys = lsh::band_keys(&f.signature, params);
                let sentences = if cfg.rewrite_candidates {
                    rewrites::band_keys(&f.sentence_terms)
                } else {
                    Vec::new()
                };
                (f.stats(), keys, f.fingerprints, sentences, f.sentence_terms)
            })
            .collect();
        for (stats, keys, fingerprints, sentence_keys, terms) in parts {
            let terms: Vec<&str> = terms.iter().flatten().map(String::as_str).collect();
            fitter.add(&terms);
            out.stats.push(stats);
            out.band_keys.push(keys);
            out.fingerprints.push(fingerprints);
            out.sentence_keys.push(sentence_keys);
        }
    }
    out.vectors = fitter.finish().1;
    out
}

/// Find, score and align every pair of overlapping documents in `docs`.
///
/// Candidates come from LSH over the MinHash signatures (near-duplicates),
/// from the top-k TF-IDF neighbours above the cosine threshold
/// (paraphrases share few shingles), from shared winnowed fingerprints
/// (a copied passage, [`crate::winnow`]) and, with
/// `Config::rewrite_candidates`, from shared sentence bands (a rewritten
/// passage, [`crate::rewrites`]); every candidate is then measured and
/// aligned in parallel, and its verdict decided.
pub fn scan(docs: &[Document], cfg: &Config) -> Scan {
    scan_with(docs, cfg, progress::NONE)
}

/// [`scan`], reporting its progress to `progress`: the documents analysed,
/// the search for candidates, the candidate pairs verified.
///
/// Memory follows the compact features, not the texts' analyses: a first
/// pass keeps of each document only its LSH band keys, fingerprints and
/// document vector; the candidate pairs are then aligned a chunk at a
/// time, their documents analysed again for it (about 8 MB of text at
/// once), so the full analysis of a document is held only while a pair
/// of it is aligned.
pub fn scan_with(docs: &[Document], cfg: &Config, progress: Progress<'_>) -> Scan {
    scan_chunked(docs, cfg, progress, ALIGN_CHUNK_BYTES)
}

/// [`scan_with`], handing every candidate pair to `each` as it is aligned
/// (a few hundred at a time) instead of keeping them: pairs come in the
/// order of their ids
/// (by `a`, then `b`, each pair's `a < b`), the same order whatever the
/// threads, and the returned [`Scan`] has no `pairs`. Memory then follows
/// the documents, not the number of pairs. An error from `each` (a
/// failed write) stops the scan and is returned.
pub fn scan_each<E>(
    docs: &[Document],
    cfg: &Config,
    progress: Progress<'_>,
    each: impl FnMut(PairResult) -> std::result::Result<(), E>,
) -> std::result::Result<Scan, E> {
    scan_chunks(docs, cfg, progress, ALIGN_CHUNK_BYTES, each)
}

/// [`scan_with`], aligning pairs in chunks of `chunk_bytes` of text.
fn scan_chunked(
    docs: &[Document],
    cfg: &Config,
    progress: Progress<'_>,
    chunk_bytes: usize,
) -> Scan {
    let mut pairs = Vec::new();
    let mut scan = scan_chunks(docs, cfg, progress, chunk_bytes, |p| {
        pairs.push(p);
        Ok::<(), std::convert::Infallible>(())
    })
    .unwrap_or_else(|never| match never {});
    sort_pairs(&mut pairs);
    scan.pairs = pairs;
    scan
}

/// The scan itself: every candidate pair, aligned a chunk of
/// `chunk_bytes` of text at a time, handed to `each` in id order.
fn scan_chunks<E>(
    docs: &[Document],
    cfg: &Config,
    progress: Progress<'_>,
    chunk_bytes: usize,
    mut each: impl FnMut(PairResult) -> std::result::Result<(), E>,
) -> std::result::Result<Scan, E> {
    let analyzer = Analyzer::new(cfg.stem, cfg.stop_words);
    let hasher = MinHasher::new(cfg.num_perm);
    let params = LshParams::optimal(cfg.lsh_threshold, cfg.num_perm, 0.5, 0.5);
    let mut prep = prepare_compact(docs, cfg, (&analyzer, &hasher), &params, progress);
    progress(Event::Searching);
    let from_lsh = lsh::candidate_pairs(&prep.band_keys);
    prep.band_keys = Vec::new();
    let (neighbours, corpus_keys) = if cfg.exact_neighbours {
        let pairs = tfidf::top_k_pairs(&prep.vectors, cfg.cosine_threshold, cfg.top_k);
        (pairs, 0)
    } else {
        let (pairs, searched) =
            neighbours::top_k_pairs(&prep.vectors, cfg.cosine_threshold, cfg.top_k);
        (pairs, searched.corpus_keys)
    };
    let from_cosine: Vec<(DocId, DocId)> = neighbours.into_iter().map(|p| (p.a, p.b)).collect();
    let (from_copies, boilerplate) =
        winnow::candidate_pairs(prep.fingerprints.iter().map(Vec::as_slice));
    let (from_rewrites, stock_sentences) =
        rewrites::candidate_pairs(prep.sentence_keys.iter().map(Vec::as_slice));
    prep.sentence_keys = Vec::new();
    let mut candidates: Vec<(DocId, DocId)> = from_lsh
        .iter()
        .chain(&from_cosine)
        .chain(&from_copies)
        .chain(&from_rewrites)
        .copied()
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    progress(Event::Candidates {
        pairs: candidates.len() as u64,
    });
    let verified = Counter::new(progress, |pairs| Event::Verified { pairs });
    for chunk in align_chunks(&candidates, docs, chunk_bytes) {
        let mut held: Vec<DocId> = chunk.iter().flat_map(|&(a, b)| [a, b]).collect();
        held.sort_unstable();
        held.dedup();
        let full: Vec<Features> = held
            .par_iter()
            .map(|&d| features(&docs[d as usize].text, cfg, &analyzer, &hasher))
            .collect();
        let of = |d: DocId| {
            let i = held.binary_search(&d).expect("a pair's documents are held");
            (
                docs[d as usize].text.as_str(),
                &full[i],
                &prep.vectors[d as usize],
            )
        };
        // A slice of pairs at a time, so the receiver has each soon after
        // it is aligned and only a slice is held at once.
        for slice in chunk.chunks(HANDED_OVER) {
            let aligned: Vec<PairResult> = slice
                .par_iter()
                .map(|&(a, b)| {
                    let mut pair = compare_features(of(a), of(b), cfg);
                    (pair.a, pair.b) = (a, b);
                    verified.add(1);
                    pair
                })
                .collect();
            for pair in aligned {
                each(pair)?;
            }
        }
    }
    Ok(Scan {
        stats: prep.stats,
        pairs: Vec::new(),
        lsh: params,
        lsh_candidates: from_lsh.len(),
        cosine_candidates: from_cosine.len(),
        corpus_keys,
        copy_candidates: from_copies.len(),
        boilerplate_fingerprints: boilerplate,
        rewrite_candidates: from_rewrites.len(),
        stock_sentences,
    })
}

/// Candidate pairs (sorted) cut into runs whose documents hold at most
/// `budget` bytes of text between them (a run holds at least one pair,
/// whatever its size).
fn align_chunks<'a>(
    candidates: &'a [(DocId, DocId)],
    docs: &[Document],
    budget: usize,
) -> impl Iterator<Item = &'a [(DocId, DocId)]> {
    let mut cuts = vec![0];
    let mut seen: ahash::AHashSet<DocId> = ahash::AHashSet::new();
    let mut bytes = 0usize;
    let len = |d: DocId| docs[d as usize].text.len();
    for (i, &(a, b)) in candidates.iter().enumerate() {
        let new: usize = [a, b]
            .iter()
            .filter(|d| !seen.contains(d))
            .map(|&d| len(d))
            .sum();
        if bytes + new > budget && i > cuts[cuts.len() - 1] {
            cuts.push(i);
            seen.clear();
            bytes = 0;
        }
        for d in [a, b] {
            if seen.insert(d) {
                bytes += len(d);
            }
        }
    }
    cuts.push(candidates.len());
    cuts.windows(2)
        .map(|w| &candidates[w[0]..w[1]])
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

/// MinHash mode: candidates from LSH alone (banded by
/// [`minhash_lsh_params`]), each verified by the exact Jaccard similarity of
/// the two shingle sets; no TF-IDF, no alignment.
///
/// Every LSH candidate is returned (flagged first, see `sort_pairs`) with
/// its MinHash estimate, exact Jaccard and containments (`cosine` is 0: not
/// computed) and an empty alignment. Its verdict comes from the exact
/// Jaccard alone: duplicate at or above `cfg.verdict.duplicate`,
/// near-duplicate at or above `cfg.verdict.near_duplicate`, else unrelated.
/// This is the in-memory reference of the streaming
/// [`crate::batch::scan`], which gives the same pairs and scores without
/// keeping the texts.
/// Hidden from the documentation: a reference for tests, not an entry
/// point (`scan --minhash-only` streams).
#[doc(hidden)]
pub fn scan_minhash(docs: &[Document], cfg: &Config) -> Scan {
    let hasher = MinHasher::new(cfg.num_perm);
    let analyzer = Analyzer::new(cfg.stem, cfg.stop_words);
    let features: Vec<Features> = docs
        .par_iter()
        .map(|d| features(&d.text, cfg, &analyzer, &hasher))
        .collect();
    let params = minhash_lsh_params(cfg);
    let keys: Vec<Vec<u64>> = features
        .par_iter()
        .map(|f| lsh::band_keys(&f.signature, &params))
        .collect();
    let candidates = lsh::candidate_pairs(&keys);
    let mut pairs: Vec<PairResult> = candidates
        .par_iter()
        .map(|&(a, b)| {
            let (fa, fb) = (&features[a as usize], &features[b as usize]);
            minhash_pair(
                a,
                b,
                (&fa.shingles, &fb.shingles),
                (&fa.signature, &fb.signature),
                cfg,
            )
        })
        .collect();
    sort_pairs(&mut pairs);
    Scan {
        stats: features.iter().map(Features::stats).collect(),
        pairs,
        lsh: params,
        lsh_candidates: candidates.len(),
        cosine_candidates: 0,
        corpus_keys: 0,
        copy_candidates: 0,
        boilerplate_fingerprints: 0,
        rewrite_candidates: 0,
        stock_sentences: 0,
    }
}

/// Banding of MinHash mode, tuned for `cfg.lsh_threshold` with false
/// negatives weighted 9 to 1 against false positives.
///
/// Every candidate is verified by exact Jaccard, so a false positive costs
/// only its verification, while a false negative is a near-duplicate lost:
/// with 128 values this gives 32 bands of 4 rows at 0.5, which finds a pair
/// at Jaccard 0.5 with probability 0.87 and at 0.6 with 0.99 (0.55 and 0.87
/// with equal weights).
pub fn minhash_lsh_params(cfg: &Config) -> LshParams {
    LshParams::optimal(cfg.lsh_threshold, cfg.num_perm, 0.1, 0.9)
}

/// A pair measured in MinHash mode (see `scan_minhash`).
pub(crate) fn minhash_pair(
    a: DocId,
    b: DocId,
    shingles: (&[u64], &[u64]),
    signatures: (&Signature, &Signature),
    cfg: &Config,
) -> PairResult {
    let empty = SparseVec::default();
    let scores = PairScores {
        // MinHash mode has no TF-IDF vectors.
        cosine: None,
        ..PairScores::measure(
            shingles.0,
            shingles.1,
            signatures.0,
            signatures.1,
            &empty,
            &empty,
        )
    };
    let verdict = if scores.jaccard >= cfg.verdict.duplicate {
        Verdict::Duplicate
    } else if scores.jaccard >= cfg.verdict.near_duplicate {
        Verdict::NearDuplicate
    } else {
        Verdict::Unrelated
    };
    PairResult {
        a,
        b,
        scores,
        alignment: Alignment::default(),
        verdict,
    }
}

/// Compare two documents fully (always aligned, whatever their scores).
/// Document vectors are weighted over the two documents alone.
pub fn compare(a: &Document, b: &Document, cfg: &Config) -> (Vec<Features>, PairResult) {
    let docs = [a.clone(), b.clone()];
    let prep = prepare(&docs, cfg);
    let pair = compare_prepared(&docs, &prep, 0, 1, cfg);
    (prep.features, pair)
}

fn compare_prepared(
    docs: &[Document],
    prep: &Prepared,
    a: DocId,
    b: DocId,
    cfg: &Config,
) -> PairResult {
    let (ia, ib) = (a as usize, b as usize);
    let mut pair = compare_features(
        (&docs[ia].text, &prep.features[ia], &prep.vectors[ia]),
        (&docs[ib].text, &prep.features[ib], &prep.vectors[ib]),
        cfg,
    );
    (pair.a, pair.b) = (a, b);
    pair
}

/// Score, align and judge two documents from their text, features and
/// TF-IDF vectors: what `scan`, `compare` and the index's `check` do for
/// every pair, so all three give the same result for the same two texts.
/// The result's ids are 0 and 1; the caller sets them.
pub fn compare_features(
    (text_a, fa, va): (&str, &Features, &SparseVec),
    (text_b, fb, vb): (&str, &Features, &SparseVec),
    cfg: &Config,
) -> PairResult {
    let scores = PairScores::measure(
        &fa.shingles,
        &fb.shingles,
        &fa.signature,
        &fb.signature,
        va,
        vb,
    );
    fn side<'a>(text: &'a str, f: &'a Features) -> Side<'a> {
        Side {
            text,
            analysed: &f.analysed,
            sentence_terms: &f.sentence_terms,
        }
    }
    let mut alignment = align::align(side(text_a, fa), side(text_b, fb), &cfg.align);
    let verdict = score::verdict(&scores, &alignment, &cfg.verdict);
    if !verdict.is_flagged() {
        // No heat map is drawn for an unrelated pair: free its matrix now,
        // not when the report is built.
        alignment.similarity = None;
    }
    PairResult {
        a: 0,
        b: 1,
        scores,
        alignment,
        verdict,
    }
}

/// Order pairs for reporting: by verdict (duplicates first), then by the
/// larger coverage, then by cosine, then by ids — a total order, so output
/// does not depend on thread scheduling.
pub(crate) fn sort_pairs(pairs: &mut [PairResult]) {
    pairs.sort_by(|x, y| {
        let cov = |p: &PairResult| p.alignment.coverage_a.max(p.alignment.coverage_b);
        x.verdict
            .cmp(&y.verdict)
            .then(cov(y).total_cmp(&cov(x)))
            .then(y.scores.cosine_key().total_cmp(&x.scores.cosine_key()))
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shingles `features` takes from the fingerprints' 5-grams are
    /// the shingle set itself, for every kind of text and setting.
    #[test]
    fn features_shingles_are_the_shingle_set() {
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../seeds/000_51955296cd91fa83.txt"
        ))
        .unwrap();
        let analyzer = Analyzer::new(true, true);
        for text in [
            seed.as_str(),
            "",
            "two words",
            "★ ☆ ✦ ✧",
            "One two three four five.",
        ] {
            for (shingle, copy_words) in [
                (ShingleKind::Words(5), 25),
                (ShingleKind::Words(5), 0),
                (ShingleKind::Words(3), 25),
                (ShingleKind::Chars(4), 25),
            ] {
                let cfg = Config {
                    shingle,
                    copy_words,
                    ..Config::default()
                };
                let f = features(text, &cfg, &analyzer, &MinHasher::new(cfg.num_perm));
                let want = shingle_set(text, &Analysed::new(text), shingle);
                assert_eq!(f.shingles, want, "{text:?} {shingle:?} {copy_words}");
                assert_eq!(
                    f.fingerprints,
                    fingerprints_of(&Analysed::new(text), copy_words)
                );
            }
        }
    }

    /// Documents of random words from a small vocabulary: related by
    /// vocabulary only.
    fn corpus(n: usize) -> Vec<Document> {
        let mut state = 42u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        let vocab: Vec<String> = (0..400).map(|i| format!("w{i}x")).collect();
        (0..n)
            .map(|d| {
                let mut text = String::new();
                for s in 0..12 {
                    let words: Vec<&str> = (0..15)
                        .map(|_| vocab[next() % vocab.len()].as_str())
                        .collect();
                    text.push_str(&format!("S{s} {}. ", words.join(" ")));
                }
                Document::new(format!("d{d:02}"), text)
            })
            .collect()
    }

    #[test]
    fn finds_planted_copies_and_nothing_else() {
        let mut docs = corpus(40);
        let copy = docs[3].text.clone();
        docs.push(Document::new("copy-of-d03", copy));
        // A near-duplicate: two words changed.
        let near = docs[7]
            .text
            .replacen("S4 ", "S4 changed ", 1)
            .replacen("S9 ", "S9 altered ", 1);
        docs.push(Document::new("near-d07", near));
        let scan = scan(&docs, &Config::default());
        let flagged: Vec<(&str, &str, Verdict)> = scan
            .pairs
            .iter()
            .filter(|p| p.verdict.is_flagged())
            .map(|p| {
                (
                    docs[p.a as usize].id.as_str(),
                    docs[p.b as usize].id.as_str(),
                    p.verdict,
                )
            })
            .collect();
        assert_eq!(
            flagged,
            [
                ("d03", "copy-of-d03", Verdict::Duplicate),
                ("d07", "near-d07", Verdict::Duplicate)
            ]
        );
        assert!(scan.lsh_candidates >= 2, "LSH finds both copies");
        let exact = &scan.pairs[0];
        assert_eq!(exact.scores.jaccard, 1.0);
        assert!((exact.scores.cosine.unwrap() - 1.0).abs() < 1e-6);
        let near = &scan.pairs[1];
        assert!(near.scores.jaccard > 0.9 && near.scores.jaccard < 1.0);
        assert!(near.scores.containment_a < 1.0 && near.scores.containment_b < 1.0);
    }

    /// [`corpus`] of 30 documents and four light edits of four of them
    /// (two of one source).
    fn corpus_with_copies() -> Vec<Document> {
        let mut docs = corpus(30);
        for (i, src) in [(0, 5), (1, 5), (2, 11), (3, 20)] {
            let text = docs[src].text.replacen("S3 ", "S3 inserted words ", 1);
            docs.push(Document::new(format!("copy{i}"), text));
        }
        docs
    }

    /// Pairs aligned a chunk at a time, their documents analysed again
    /// for each chunk, are the pairs of one chunk holding everything; and
    /// the counts kept are those of the full features.
    #[test]
    fn results_do_not_depend_on_the_alignment_chunks() {
        let docs = corpus_with_copies();
        let key = |scan: &Scan| {
            scan.pairs
                .iter()
                .map(|p| {
                    (
                        p.a,
                        p.b,
                        p.verdict,
                        p.scores.jaccard.to_bits(),
                        p.scores.cosine.map(f64::to_bits),
                        p.alignment.passages.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let cfg = Config::default();
        let whole = scan_chunked(&docs, &cfg, progress::NONE, usize::MAX);
        let pieces = scan_chunked(&docs, &cfg, progress::NONE, 1);
        assert!(
            whole
                .pairs
                .iter()
                .filter(|p| p.verdict.is_flagged())
                .count()
                >= 4
        );
        assert_eq!(key(&whole), key(&pieces));
        let analyzer = Analyzer::new(cfg.stem, cfg.stop_words);
        let hasher = MinHasher::new(cfg.num_perm);
        for (d, stats) in docs.iter().zip(&whole.stats) {
            assert_eq!(*stats, features(&d.text, &cfg, &analyzer, &hasher).stats());
        }
    }

    /// Streamed pairs are the kept pairs, in id order (whatever the chunk
    /// budget), and an error from the receiver stops the scan with it.
    #[test]
    fn streamed_pairs_are_the_scan_pairs_in_id_order() {
        let docs = corpus_with_copies();
        let cfg = Config::default();
        let kept = scan(&docs, &cfg);
        let mut want: Vec<(DocId, DocId, Verdict)> =
            kept.pairs.iter().map(|p| (p.a, p.b, p.verdict)).collect();
        want.sort_unstable_by_key(|&(a, b, _)| (a, b));
        assert!(want.iter().filter(|p| p.2.is_flagged()).count() >= 4);
        for budget in [1, ALIGN_CHUNK_BYTES] {
            let mut got = Vec::new();
            let streamed = scan_chunks(&docs, &cfg, progress::NONE, budget, |p| {
                assert!(p.a < p.b);
                got.push((p.a, p.b, p.verdict));
                Ok::<(), ()>(())
            })
            .unwrap();
            assert_eq!(got, want, "budget {budget}");
            assert!(streamed.pairs.is_empty());
            assert_eq!(streamed.stats, kept.stats);
        }
        let mut seen = 0;
        let stopped = scan_each(&docs, &cfg, progress::NONE, |_| {
            seen += 1;
            if seen == 2 { Err("disk full") } else { Ok(()) }
        });
        assert_eq!(stopped.unwrap_err(), "disk full");
        assert_eq!(seen, 2);
    }

    /// Chunks cover the candidates in order, each within its budget
    /// unless it is a single pair.
    #[test]
    fn alignment_chunks_partition_the_candidates_within_the_budget() {
        let docs = corpus(12);
        let candidates: Vec<(DocId, DocId)> = (0..12u32)
            .flat_map(|a| (a + 1..12).map(move |b| (a, b)))
            .collect();
        let one = docs[0].text.len();
        for budget in [1, one, 3 * one, 5 * one, usize::MAX] {
            let chunks: Vec<_> = align_chunks(&candidates, &docs, budget).collect();
            assert_eq!(chunks.concat(), candidates, "budget {budget}");
            for c in &chunks {
                let mut held: Vec<DocId> = c.iter().flat_map(|&(a, b)| [a, b]).collect();
                held.sort_unstable();
                held.dedup();
                let bytes: usize = held.iter().map(|&d| docs[d as usize].text.len()).sum();
                assert!(c.len() == 1 || bytes <= budget, "budget {budget}: {bytes}");
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_the_number_of_threads() {
        let mut docs = corpus(30);
        docs.push(Document::new("copy", docs[5].text.clone()));
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                scan(&docs, &Config::default())
                    .pairs
                    .iter()
                    .map(|p| {
                        (
                            p.a,
                            p.b,
                            p.verdict,
                            p.scores.cosine.map(f64::to_bits),
                            p.alignment.passages.clone(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(run(1), run(2));
    }
}
