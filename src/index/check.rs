//! Checking new documents against an [`Index`]: new documents in; for each,
//! the reference documents it derives from — verdict, scores, coverage both
//! ways and aligned passages — out.
//!
//! For each new document:
//!
//! 1. **Features** — tokens, sentences, terms, shingles and signature, by
//!    [`pipeline::features`] with the index's parameters.
//! 2. **Candidates** — reference documents sharing an LSH band key
//!    (near-duplicates: one indexed lookup per band), and, unless in
//!    [`Mode::NearDuplicate`], the nearest reference documents by TF-IDF
//!    cosine (paraphrases, which share few shingles), with idf from the
//!    index's document frequencies.
//! 3. **Verification** — each candidate's text is read back from the index
//!    and analysed exactly as `scan` would, then measured, aligned with
//!    [`align::align`] and given a verdict. Alignment depends on the two
//!    documents alone, so a pair's passages, coverage and verdict are the
//!    ones `scan` reports for it (with the reference as A and the new
//!    document as B); only the document cosine differs, its idf coming from
//!    the reference rather than from the scanned corpus.
//!
//! # Cosine candidates without scanning the reference
//!
//! The `postings` table lists, per term, the documents holding it with an
//! idf-free weight. The new document's terms are visited from the heaviest
//! (rarest, most repeated) down; each term's postings add
//! `query weight × idf × weight` to a partial score of the documents they
//! hold. The search stops as soon as the norm of the query terms not yet
//! visited falls below the cosine threshold: by Cauchy–Schwarz no
//! document met only through those terms can reach the threshold, so up to
//! that point the search misses nothing. Long documents have long tails of
//! common words, so the search is also bounded ([`Limits`]): at most so
//! many terms and postings, skipping terms whose postings alone would
//! exceed the budget. Rare shared words (names, places, figures, uncommon
//! vocabulary) are what a rewrite keeps and what tells it from another text
//! on the same topic, and they are read first. The best documents by
//! partial score then get their exact cosine from their stored term counts
//! and the current idf; those above the threshold, at most `top_k`, are
//! candidates.
//!
//! # Consistency and parallelism
//!
//! A [`Checker`] holds one read transaction on the index for its whole
//! life: it sees the index as of its start whatever writers commit
//! meanwhile, and never blocks them. Database reads run on the calling
//! thread; analysis, alignment and scoring run in parallel (rayon) over the
//! documents and pairs of each batch.

use super::{Index, IndexError, IndexResult, decode_block, decode_terms, tf_weight};
use crate::DocId;
use crate::align::{self, Side};
use crate::config::Config;
use crate::corpus::{Document, Source};
use crate::lsh;
use crate::minhash::MinHasher;
use crate::pipeline::{self, Features, PairResult};
use crate::report::{DocInfo, PairReport, Report};
use crate::score::{self, PairScores};
use crate::text::Analyzer;
use crate::tfidf::{SparseVec, TermId};
use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use rusqlite::OptionalExtension;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

/// Where candidates come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// LSH band lookups (near-duplicates) and TF-IDF neighbours
    /// (paraphrases).
    Full,
    /// LSH band lookups only: copies and light edits, at a fraction of the
    /// cost.
    NearDuplicate,
}

/// Bounds of the TF-IDF candidate search for one new document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Query terms whose postings are read, at most.
    pub max_terms: usize,
    /// Postings read, at most.
    pub max_postings: u64,
    /// Documents whose exact cosine is measured: the best by partial score
    /// (at least twice `top_k`).
    pub shortlist: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_terms: 48,
            max_postings: 50_000,
            shortlist: 16,
        }
    }
}

/// A reference document read back from the index and analysed.
#[derive(Debug)]
pub struct Reference {
    /// Its id, source (as recorded when it was indexed) and text.
    pub document: Document,
    /// Its features, computed as `scan` computes them.
    pub features: Features,
}

/// A reference document a new document was compared with.
#[derive(Clone, Debug)]
pub struct Match {
    /// The reference document.
    pub reference: Arc<Reference>,
    /// Scores, alignment and verdict, with the reference as A and the new
    /// document as B (`a` and `b` are meaningless here).
    pub pair: PairResult,
}

/// The outcome for one new document.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The new document.
    pub document: Document,
    /// Its features.
    pub features: Features,
    /// Every candidate compared, flagged first (by verdict, then coverage,
    /// cosine and reference id).
    pub matches: Vec<Match>,
}

impl Checked {
    /// Number of flagged matches.
    pub fn flagged(&self) -> usize {
        self.matches
            .iter()
            .filter(|m| m.pair.verdict.is_flagged())
            .count()
    }

    /// A report of this document: its documents are the new document, then
    /// the reference documents of the reported pairs; its pairs are
    /// (reference, new). Unrelated candidates are left out unless `all`.
    pub fn into_report(self, all: bool, settings: &Config) -> Report {
        let mut docs = vec![self.document];
        let mut feats = vec![self.features];
        let mut pairs = Vec::new();
        for m in self
            .matches
            .iter()
            .filter(|m| all || m.pair.verdict.is_flagged())
        {
            docs.push(m.reference.document.clone());
            feats.push(m.reference.features.clone());
            pairs.push(PairResult {
                a: (docs.len() - 1) as DocId,
                b: 0,
                ..m.pair.clone()
            });
        }
        Report::build(&docs, &feats, &pairs, true, settings)
    }
}

/// One new document's result as a line of JSON Lines output.
#[derive(Debug, serde::Serialize)]
pub struct Line<'a> {
    /// The new document.
    pub document: &'a DocInfo,
    /// Number of flagged pairs.
    pub flagged: usize,
    /// The reference documents of its pairs.
    pub references: &'a [DocInfo],
    /// Its pairs, (reference, new).
    pub pairs: &'a [PairReport],
}

impl<'a> Line<'a> {
    /// The line of a report made by [`Checked::into_report`] (`None` for a
    /// report without documents).
    pub fn of(report: &'a Report) -> Option<Line<'a>> {
        let (document, references) = report.documents.split_first()?;
        Some(Line {
            document,
            flagged: report.flagged(),
            references,
            pairs: &report.pairs,
        })
    }
}

/// Gathers the reports of new documents into one report: every new
/// document, then each reference document met (once), then all pairs.
#[derive(Debug, Default)]
pub struct Collector {
    documents: Vec<DocInfo>,
    references: Vec<DocInfo>,
    seen: AHashSet<String>,
    pairs: Vec<PairReport>,
}

impl Collector {
    /// Add the report of one new document (from [`Checked::into_report`]).
    pub fn push(&mut self, report: Report) {
        let mut docs = report.documents.into_iter();
        self.documents.extend(docs.next());
        for r in docs {
            if self.seen.insert(r.id.clone()) {
                self.references.push(r);
            }
        }
        self.pairs.extend(report.pairs);
    }

    /// The whole report.
    pub fn finish(mut self, settings: &Config) -> Report {
        self.documents.append(&mut self.references);
        Report {
            version: env!("CARGO_PKG_VERSION"),
            settings: settings.clone(),
            documents: self.documents,
            pairs: self.pairs,
        }
    }
}

/// A term of a new document: its vector index, its weight before
/// normalisation, and its id and document frequency if the index has it.
type QueryTerm = (TermId, f64, Option<(i64, u32)>);

/// The new document's TF-IDF vector, and its terms found in the index.
#[derive(Default)]
struct Query {
    vector: SparseVec,
    /// (term id, normalised weight, document frequency), heaviest first.
    known: Vec<(i64, f64, u32)>,
}

/// Checks new documents against an index (see the module documentation).
pub struct Checker<'i> {
    index: &'i Index,
    cfg: Config,
    mode: Mode,
    limits: Limits,
    n_docs: u64,
    analyzer: Analyzer,
    hasher: MinHasher,
    /// Term text → (id, document frequency), or `None` if not indexed.
    terms: AHashMap<String, Option<(i64, u32)>>,
    /// Whether `terms` holds the whole vocabulary.
    preloaded: bool,
    /// Idf by term id (ids are dense), NaN until the term is met.
    idf_by_id: Vec<f64>,
    /// The highest term id in the snapshot.
    max_term: i64,
}

impl Drop for Checker<'_> {
    fn drop(&mut self) {
        // Ends the read transaction; nothing was written.
        let _ = self.index.conn.execute_batch("ROLLBACK");
    }
}

impl<'i> Checker<'i> {
    /// Start checking against `index` with the settings of `cfg` (its
    /// index parameters are replaced by the index's own). The checker sees
    /// the index as of now until it is dropped.
    pub fn new(index: &'i Index, cfg: &Config, mode: Mode) -> IndexResult<Checker<'i>> {
        let mut cfg = cfg.clone();
        index.params.apply(&mut cfg);
        index.conn.execute_batch("BEGIN").map_err(index.err())?;
        let mut checker = Checker {
            index,
            analyzer: Analyzer::new(cfg.stem, cfg.stop_words),
            hasher: MinHasher::new(cfg.num_perm),
            cfg,
            mode,
            limits: Limits::default(),
            n_docs: 0,
            terms: AHashMap::new(),
            preloaded: false,
            idf_by_id: Vec::new(),
            max_term: 0,
        };
        // The first read fixes the snapshot.
        checker.n_docs = index.len()?;
        checker.max_term = index
            .conn
            .query_row("SELECT coalesce(max(term), 0) FROM terms", [], |r| r.get(0))
            .map_err(index.err())?;
        Ok(checker)
    }

    /// Change the bounds of the cosine candidate search.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The settings in use (the index's parameters and the caller's other
    /// settings).
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Reference documents in the snapshot being checked against.
    pub fn reference_len(&self) -> u64 {
        self.n_docs
    }

    fn damaged(&self, reason: String) -> IndexError {
        IndexError::Damaged {
            path: self.index.path.clone(),
            reason,
        }
    }

    /// Prepare for checking about `n` new documents: when looking their
    /// terms up one by one would cost more than reading the whole
    /// vocabulary (about one lookup per 16 terms read), read it now.
    pub fn expect(&mut self, n: usize) -> IndexResult<()> {
        if self.preloaded {
            return Ok(());
        }
        // About 100 distinct terms per document, most of them seen before.
        if (n as i64).saturating_mul(16) < self.max_term {
            return Ok(());
        }
        let mut st = self
            .index
            .conn
            .prepare("SELECT term, text, df FROM terms")
            .map_err(self.index.err())?;
        let mut rows = st.query([]).map_err(self.index.err())?;
        while let Some(r) = rows.next().map_err(self.index.err())? {
            let id: i64 = r.get(0).map_err(self.index.err())?;
            let text: String = r.get(1).map_err(self.index.err())?;
            let df: u32 = r.get(2).map_err(self.index.err())?;
            self.terms.insert(text, Some((id, df)));
            self.set_idf(id, df)?;
        }
        self.preloaded = true;
        Ok(())
    }

    /// Check a batch of new documents; results in input order.
    pub fn check(&mut self, docs: &[Document]) -> IndexResult<Vec<Checked>> {
        let features: Vec<Features> = {
            let (cfg, analyzer, hasher) = (&self.cfg, &self.analyzer, &self.hasher);
            docs.par_iter()
                .map(|d| pipeline::features(&d.text, cfg, analyzer, hasher))
                .collect()
        };
        let mut vectors: AHashMap<i64, SparseVec> = AHashMap::new();
        let mut queries = Vec::with_capacity(docs.len());
        let mut candidates: Vec<Vec<i64>> = Vec::with_capacity(docs.len());
        for f in &features {
            let mut cands = self.lsh_candidates(f)?;
            // Near-duplicate mode needs the document's vector only for the
            // cosine of its candidates: most documents have none.
            let query = if self.mode == Mode::Full || !cands.is_empty() {
                self.query(f)?
            } else {
                Query::default()
            };
            if self.mode == Mode::Full {
                cands.extend(self.cosine_candidates(&query, &mut vectors)?);
            }
            cands.sort_unstable();
            cands.dedup();
            queries.push(query);
            candidates.push(cands);
        }
        let wanted: BTreeSet<i64> = candidates.iter().flatten().copied().collect();
        let mut rows = Vec::with_capacity(wanted.len());
        for &doc in &wanted {
            let (document, counts) = self.fetch(doc)?;
            if !vectors.contains_key(&doc) {
                let v = self.reference_vector(&counts)?;
                vectors.insert(doc, v);
            }
            rows.push((doc, document));
        }
        let (cfg, analyzer, hasher) = (&self.cfg, &self.analyzer, &self.hasher);
        let references: AHashMap<i64, Arc<Reference>> = rows
            .into_par_iter()
            .map(|(doc, document)| {
                let features = pipeline::features(&document.text, cfg, analyzer, hasher);
                (doc, Arc::new(Reference { document, features }))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        let jobs: Vec<(usize, i64)> = candidates
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.iter().map(move |&r| (i, r)))
            .collect();
        let pairs: Vec<PairResult> = jobs
            .par_iter()
            .map(|&(i, r)| {
                compare(
                    &references[&r],
                    &vectors[&r],
                    &docs[i],
                    &features[i],
                    &queries[i].vector,
                    cfg,
                )
            })
            .collect();
        let mut out: Vec<Checked> = docs
            .iter()
            .zip(features)
            .map(|(d, f)| Checked {
                document: d.clone(),
                features: f,
                matches: Vec::new(),
            })
            .collect();
        for ((i, r), pair) in jobs.into_iter().zip(pairs) {
            out[i].matches.push(Match {
                reference: Arc::clone(&references[&r]),
                pair,
            });
        }
        for c in &mut out {
            sort_matches(&mut c.matches);
        }
        Ok(out)
    }

    /// Inverse document frequency over the reference (smooth, as the
    /// TF-IDF side computes it).
    fn idf(&self, df: u32) -> f64 {
        let n = self.n_docs as f64;
        ((1.0 + n) / (1.0 + f64::from(df))).ln() + 1.0
    }

    fn term(&mut self, text: &str) -> IndexResult<Option<(i64, u32)>> {
        if let Some(&v) = self.terms.get(text) {
            return Ok(v);
        }
        if self.preloaded {
            return Ok(None);
        }
        let v: Option<(i64, u32)> = self
            .index
            .conn
            .prepare_cached("SELECT term, df FROM terms WHERE text = ?1")
            .and_then(|mut st| {
                st.query_row([text], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(self.index.err())?;
        self.terms.insert(text.to_owned(), v);
        if let Some((id, df)) = v {
            self.set_idf(id, df)?;
        }
        Ok(v)
    }

    /// Slot of a term id in `idf_by_id`; ids above the snapshot's highest
    /// are damage.
    fn slot(&self, id: i64) -> IndexResult<usize> {
        usize::try_from(id)
            .ok()
            .filter(|_| id <= self.max_term)
            .ok_or_else(|| self.damaged(format!("term id {id} out of range")))
    }

    fn set_idf(&mut self, id: i64, df: u32) -> IndexResult<()> {
        let i = self.slot(id)?;
        if i >= self.idf_by_id.len() {
            let len = (i + 1)
                .max(self.idf_by_id.len() * 2)
                .min(self.max_term as usize + 1);
            self.idf_by_id.resize(len, f64::NAN);
        }
        self.idf_by_id[i] = self.idf(df);
        Ok(())
    }

    /// Idf of a term by id, read from the index the first time.
    fn idf_of(&mut self, id: i64) -> IndexResult<f64> {
        let i = self.slot(id)?;
        if let Some(&idf) = self.idf_by_id.get(i) {
            if !idf.is_nan() {
                return Ok(idf);
            }
        }
        let df: Option<u32> = if self.preloaded {
            None
        } else {
            self.index
                .conn
                .prepare_cached("SELECT df FROM terms WHERE term = ?1")
                .and_then(|mut st| st.query_row([id], |r| r.get(0)).optional())
                .map_err(self.index.err())?
        };
        let df = df.ok_or_else(|| self.damaged(format!("term {id} is used but not defined")))?;
        self.set_idf(id, df)?;
        Ok(self.idf(df))
    }

    /// Term id as a vector index; ids near `u32::MAX` are kept for terms of
    /// new documents that the index does not hold.
    fn term_index(&self, id: i64) -> IndexResult<TermId> {
        u32::try_from(id)
            .ok()
            .filter(|&t| t < u32::MAX / 2)
            .ok_or_else(|| self.damaged(format!("term id {id} out of range")))
    }

    fn query(&mut self, f: &Features) -> IndexResult<Query> {
        let mut order: Vec<&str> = Vec::new();
        let mut counts: AHashMap<&str, u32> = AHashMap::new();
        for t in f.sentence_terms.iter().flatten() {
            let c = counts.entry(t.as_str()).or_insert(0);
            if *c == 0 {
                order.push(t.as_str());
            }
            *c += 1;
        }
        let mut entries: Vec<QueryTerm> = Vec::with_capacity(order.len());
        let mut unknown = 0u32;
        for t in order {
            let info = self.term(t)?;
            let (index, df) = match info {
                Some((id, df)) => (self.term_index(id)?, df),
                None => {
                    // Not in the reference: df 0, an id no reference term has.
                    unknown += 1;
                    (u32::MAX - unknown, 0)
                }
            };
            entries.push((index, tf_weight(counts[t]) * self.idf(df), info));
        }
        let norm = entries.iter().map(|e| e.1 * e.1).sum::<f64>().sqrt();
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        let mut known: Vec<(i64, f64, u32)> = entries
            .iter()
            .filter_map(|&(_, w, info)| info.map(|(id, df)| (id, w * scale, df)))
            .collect();
        known.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        entries.sort_unstable_by_key(|e| e.0);
        let vector = SparseVec {
            terms: entries.iter().map(|e| e.0).collect(),
            weights: entries.iter().map(|e| (e.1 * scale) as f32).collect(),
        };
        Ok(Query { vector, known })
    }

    fn lsh_candidates(&mut self, f: &Features) -> IndexResult<Vec<i64>> {
        let keys: Vec<i64> = lsh::band_keys(&f.signature, &self.index.params.lsh)
            .into_iter()
            .map(|k| k as i64)
            .collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // One statement for all bands: the per-statement overhead, not the
        // seeks, dominates these lookups.
        let sql = format!(
            "SELECT doc FROM bands WHERE key IN ({})",
            vec!["?"; keys.len()].join(",")
        );
        let mut st = self
            .index
            .conn
            .prepare_cached(&sql)
            .map_err(self.index.err())?;
        let rows = st
            .query_map(rusqlite::params_from_iter(&keys), |r| r.get::<_, i64>(0))
            .map_err(self.index.err())?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(self.index.err())
    }

    fn cosine_candidates(
        &mut self,
        q: &Query,
        vectors: &mut AHashMap<i64, SparseVec>,
    ) -> IndexResult<Vec<i64>> {
        let threshold = f64::from(self.cfg.cosine_threshold);
        let mut residual: f64 = q.known.iter().map(|k| k.1 * k.1).sum();
        let mut partial: AHashMap<i64, f64> = AHashMap::new();
        let (mut terms_read, mut postings_read) = (0usize, 0u64);
        {
            let mut st = self
                .index
                .conn
                .prepare_cached("SELECT first, data FROM postings WHERE term = ?1")
                .map_err(self.index.err())?;
            for &(term, w, df) in &q.known {
                // Documents met only through the terms left cannot reach the
                // threshold (Cauchy–Schwarz): nothing more to find.
                if residual.max(0.0).sqrt() < threshold || terms_read >= self.limits.max_terms {
                    break;
                }
                if postings_read + u64::from(df) > self.limits.max_postings {
                    continue;
                }
                let qw = w * self.idf(df) / super::WEIGHT_SCALE;
                let mut rows = st.query([term]).map_err(self.index.err())?;
                while let Some(r) = rows.next().map_err(self.index.err())? {
                    let first: i64 = r.get(0).map_err(self.index.err())?;
                    let data = r.get_ref(1).map_err(self.index.err())?;
                    let block = data
                        .as_blob()
                        .ok()
                        .and_then(|b| decode_block(first, b))
                        .ok_or_else(|| IndexError::Damaged {
                            path: self.index.path.clone(),
                            reason: format!("postings block ({term}, {first})"),
                        })?;
                    for (doc, weight) in block {
                        *partial.entry(doc).or_insert(0.0) += qw * f64::from(weight);
                    }
                }
                terms_read += 1;
                postings_read += u64::from(df);
                residual -= w * w;
            }
        }
        let mut ranked: Vec<(i64, f64)> = partial.into_iter().collect();
        ranked.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        ranked.truncate(self.limits.shortlist.max(2 * self.cfg.top_k));
        let mut scored = Vec::with_capacity(ranked.len());
        for (doc, _) in ranked {
            if !vectors.contains_key(&doc) {
                let counts = self.fetch_counts(doc)?;
                let v = self.reference_vector(&counts)?;
                vectors.insert(doc, v);
            }
            let c = crate::tfidf::cosine(&q.vector, &vectors[&doc]);
            if f64::from(c) >= threshold && c > 0.0 {
                scored.push((doc, c));
            }
        }
        scored.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        if self.cfg.top_k > 0 {
            scored.truncate(self.cfg.top_k);
        }
        Ok(scored.into_iter().map(|(d, _)| d).collect())
    }

    fn fetch_counts(&self, doc: i64) -> IndexResult<Vec<(i64, u32)>> {
        let blob: Vec<u8> = self
            .index
            .conn
            .prepare_cached("SELECT terms FROM documents WHERE doc = ?1")
            .and_then(|mut st| st.query_row([doc], |r| r.get(0)))
            .map_err(self.index.err())?;
        decode_terms(&blob).ok_or_else(|| self.damaged(format!("term counts of document {doc}")))
    }

    fn fetch(&self, doc: i64) -> IndexResult<(Document, Vec<(i64, u32)>)> {
        let (id, source, blob, text): (String, String, Vec<u8>, String) = self
            .index
            .conn
            .prepare_cached("SELECT id, source, terms, text FROM documents WHERE doc = ?1")
            .and_then(|mut st| {
                st.query_row([doc], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            })
            .map_err(self.index.err())?;
        let counts =
            decode_terms(&blob).ok_or_else(|| self.damaged(format!("term counts of {id:?}")))?;
        let document = Document {
            id,
            source: Source::File(PathBuf::from(source)),
            text,
        };
        Ok((document, counts))
    }

    /// A reference document's TF-IDF vector under the current idf.
    fn reference_vector(&mut self, counts: &[(i64, u32)]) -> IndexResult<SparseVec> {
        let mut terms = Vec::with_capacity(counts.len());
        let mut raw = Vec::with_capacity(counts.len());
        for &(id, c) in counts {
            let idf = self.idf_of(id)?;
            terms.push(self.term_index(id)?);
            raw.push(tf_weight(c) * idf);
        }
        let norm = raw.iter().map(|w| w * w).sum::<f64>().sqrt();
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        Ok(SparseVec {
            terms,
            weights: raw.iter().map(|w| (w * scale) as f32).collect(),
        })
    }
}

/// Measure, align and judge one (reference, new) pair, as `scan` does.
fn compare(
    reference: &Reference,
    ref_vector: &SparseVec,
    doc: &Document,
    f: &Features,
    vector: &SparseVec,
    cfg: &Config,
) -> PairResult {
    let fa = &reference.features;
    let scores = PairScores::measure(
        &fa.shingles,
        &f.shingles,
        &fa.signature,
        &f.signature,
        ref_vector,
        vector,
    );
    fn side<'a>(text: &'a str, f: &'a Features) -> Side<'a> {
        Side {
            text,
            analysed: &f.analysed,
            sentence_terms: &f.sentence_terms,
        }
    }
    let alignment = align::align(
        side(&reference.document.text, fa),
        side(&doc.text, f),
        &cfg.align,
    );
    let copied: Vec<usize> = alignment
        .passages
        .iter()
        .map(|p| {
            let s = &f.analysed.sentences;
            s[p.b_sentences.end - 1].tokens.end - s[p.b_sentences.start].tokens.start
        })
        .collect();
    let verdict = score::verdict(&scores, &alignment, &copied, &cfg.verdict);
    PairResult {
        a: 0,
        b: 0,
        scores,
        alignment,
        verdict,
    }
}

/// Flagged first: by verdict, then the larger coverage, cosine and
/// reference id (the order `scan` gives pairs).
fn sort_matches(matches: &mut [Match]) {
    matches.sort_by(|x, y| {
        let cov = |m: &Match| m.pair.alignment.coverage_a.max(m.pair.alignment.coverage_b);
        x.pair
            .verdict
            .cmp(&y.pair.verdict)
            .then(cov(y).total_cmp(&cov(x)))
            .then(y.pair.scores.cosine.total_cmp(&x.pair.scores.cosine))
            .then(x.reference.document.id.cmp(&y.reference.document.id))
    });
}
