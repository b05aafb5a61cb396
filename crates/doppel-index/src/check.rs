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
//!    [`doppel::align::align`] and given a verdict. Alignment depends on the two
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
//! partial score (a shortlist of [`Limits::shortlist`], at least twice
//! `top_k`) then get their exact cosine from their stored term counts and
//! the current idf; those above the threshold, at most `top_k`, are
//! candidates. A document ranked low by the partial score can be left out
//! of the shortlist although its exact cosine would have ranked it higher:
//! the price of never computing the cosine of every document met.
//!
//! # Consistency and parallelism
//!
//! A [`Checker`] reads through one read-only connection per worker thread,
//! each holding a read transaction for the checker's whole life, all on the
//! same committed state of the index (every `add` and `remove` increments a
//! generation number; the connections are opened again until they agree).
//! It sees the index as of its start whatever writers commit meanwhile,
//! and never blocks them. Each batch runs in three parallel phases (rayon):
//! every connection finds the candidates of its share of the new documents;
//! every connection reads back and analyses its share of the reference
//! documents met; then every (reference, new) pair is measured and aligned.

use super::{Index, IndexError, IndexResult, decode_terms, for_each_posting, tf_weight};
use ahash::AHashMap;
use doppel::DocId;
use doppel::config::Config;
use doppel::corpus::{Document, Source};
use doppel::lsh;
use doppel::lsh::LshParams;
use doppel::minhash::MinHasher;
use doppel::pipeline::{self, Features, PairResult};
use doppel::text::Analyzer;
use doppel::tfidf::{SparseVec, TermId};
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
            max_terms: 32,
            max_postings: 20_000,
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

    /// This document's results as the engine's types, for a report: the
    /// documents (the new document, then the reference documents of the
    /// kept pairs), their features, and the pairs (reference, new).
    /// Unrelated candidates are left out unless `all`.
    pub fn into_parts(self, all: bool) -> (Vec<Document>, Vec<Features>, Vec<PairResult>) {
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
        (docs, feats, pairs)
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

/// What every reader of a [`Checker`] shares: settings and the constants
/// of the snapshot.
struct Shared {
    path: PathBuf,
    lsh: LshParams,
    cfg: Config,
    mode: Mode,
    limits: Limits,
    n_docs: u64,
    max_term: i64,
    /// The highest document number in the snapshot.
    max_doc: usize,
    analyzer: Analyzer,
    hasher: MinHasher,
    /// The whole vocabulary once read ([`Checker::expect`]).
    vocabulary: Option<Vocabulary>,
    /// Run length the index's copied-passage fingerprints guarantee, if it
    /// has them and they are the ones this run makes (else 0: none used).
    copy_words: usize,
    /// Whether rewritten-passage candidates are looked up (asked for, and
    /// the index has its sentence band keys).
    rewrites: bool,
}

/// Term text → (id, document frequency), and idf by term id (NaN for
/// unused ids).
type Vocabulary = (AHashMap<String, (i64, u32)>, Vec<f64>);

impl Shared {
    fn damaged(&self, reason: String) -> IndexError {
        IndexError::Damaged {
            path: self.path.clone(),
            reason,
        }
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> IndexError + '_ {
        move |e| super::db_error(&self.path, e)
    }

    /// Inverse document frequency over the reference (smooth, as the
    /// TF-IDF side computes it).
    fn idf(&self, df: u32) -> f64 {
        let n = self.n_docs as f64;
        ((1.0 + n) / (1.0 + f64::from(df))).ln() + 1.0
    }

    /// Slot of a term id in an idf table; ids above the snapshot's highest
    /// are damage.
    fn slot(&self, id: i64) -> IndexResult<usize> {
        usize::try_from(id)
            .ok()
            .filter(|_| id <= self.max_term)
            .ok_or_else(|| self.damaged(format!("term id {id} out of range")))
    }

    /// Term id as a vector index; ids near `u32::MAX` are kept for terms of
    /// new documents that the index does not hold.
    fn term_index(&self, id: i64) -> IndexResult<TermId> {
        u32::try_from(id)
            .ok()
            .filter(|&t| t < u32::MAX / 2)
            .ok_or_else(|| self.damaged(format!("term id {id} out of range")))
    }
}

/// One connection to the index, inside a read transaction, with its caches.
struct Reader {
    conn: rusqlite::Connection,
    /// Term text → (id, document frequency), or `None` if not indexed.
    terms: AHashMap<String, Option<(i64, u32)>>,
    /// Idf by term id (ids are dense), NaN until the term is met.
    idf_by_id: Vec<f64>,
    /// Partial cosine scores by document number, for the candidate search.
    scores: Scores,
}

/// A score per document number without clearing between searches: a slot
/// counts only if its stamp is the current search's.
#[derive(Default)]
struct Scores {
    score: Vec<f64>,
    stamp: Vec<u32>,
    current: u32,
    touched: Vec<i64>,
}

impl Scores {
    /// Start a search over document numbers up to `max_doc`.
    fn reset(&mut self, max_doc: usize) {
        if self.score.len() <= max_doc {
            self.score.resize(max_doc + 1, 0.0);
            self.stamp.resize(max_doc + 1, 0);
        }
        self.current = self.current.wrapping_add(1);
        if self.current == 0 {
            self.stamp.fill(0);
            self.current = 1;
        }
        self.touched.clear();
    }

    /// Add to a document's score; `false` for a number above `max_doc`.
    fn add(&mut self, doc: i64, x: f64) -> bool {
        let Some(i) = usize::try_from(doc).ok().filter(|&i| i < self.score.len()) else {
            return false;
        };
        if self.stamp[i] != self.current {
            self.stamp[i] = self.current;
            self.score[i] = 0.0;
            self.touched.push(doc);
        }
        self.score[i] += x;
        true
    }
}

/// What the first phase of a check finds for one new document.
struct Found {
    features: Features,
    query: Query,
    candidates: Vec<i64>,
}

/// Checks new documents against an index (see the module documentation).
///
/// It reads through one connection per worker thread, all holding read
/// transactions on the same committed state of the index: every `add` and
/// `remove` bumps a generation number, and the connections are opened
/// again until they all see the same one.
pub struct Checker {
    shared: Shared,
    readers: Vec<Reader>,
}

impl Drop for Reader {
    fn drop(&mut self) {
        // Ends the read transaction; nothing was written.
        let _ = self.conn.execute_batch("ROLLBACK");
    }
}

/// Attempts at opening readers that all see the same generation before
/// giving up (a writer committing in between makes them differ).
const SNAPSHOT_ATTEMPTS: usize = 100;

impl Reader {
    /// A read-only connection in a read transaction; returns it with the
    /// generation it sees.
    fn open(path: &std::path::Path) -> IndexResult<(Reader, String)> {
        let err = |e| super::db_error(path, e);
        let conn = super::read_connection(path)?;
        conn.execute_batch("PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536; BEGIN;")
            .map_err(err)?;
        // The first read fixes the snapshot.
        let generation: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        let generation = generation.ok_or_else(|| IndexError::Damaged {
            path: path.to_path_buf(),
            reason: "meta generation: missing".into(),
        })?;
        Ok((
            Reader {
                conn,
                terms: AHashMap::new(),
                idf_by_id: Vec::new(),
                scores: Scores::default(),
            },
            generation,
        ))
    }

    fn term(&mut self, sh: &Shared, text: &str) -> IndexResult<Option<(i64, u32)>> {
        if let Some((vocabulary, _)) = &sh.vocabulary {
            return Ok(vocabulary.get(text).copied());
        }
        if let Some(&v) = self.terms.get(text) {
            return Ok(v);
        }
        let v: Option<(i64, u32)> = self
            .conn
            .prepare_cached("SELECT term, df FROM terms WHERE text = ?1")
            .and_then(|mut st| {
                st.query_row([text], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(sh.err())?;
        self.terms.insert(text.to_owned(), v);
        if let Some((id, df)) = v {
            self.set_idf(sh, id, df)?;
        }
        Ok(v)
    }

    fn set_idf(&mut self, sh: &Shared, id: i64, df: u32) -> IndexResult<()> {
        let i = sh.slot(id)?;
        if i >= self.idf_by_id.len() {
            let len = (i + 1)
                .max(self.idf_by_id.len() * 2)
                .min(sh.max_term as usize + 1);
            self.idf_by_id.resize(len, f64::NAN);
        }
        self.idf_by_id[i] = sh.idf(df);
        Ok(())
    }

    /// Idf of a term by id, read from the index the first time.
    fn idf_of(&mut self, sh: &Shared, id: i64) -> IndexResult<f64> {
        let i = sh.slot(id)?;
        let known = match &sh.vocabulary {
            Some((_, idf)) => idf.get(i),
            None => self.idf_by_id.get(i),
        };
        if let Some(&idf) = known {
            if !idf.is_nan() {
                return Ok(idf);
            }
        }
        let df: Option<u32> = if sh.vocabulary.is_some() {
            None
        } else {
            self.conn
                .prepare_cached("SELECT df FROM terms WHERE term = ?1")
                .and_then(|mut st| st.query_row([id], |r| r.get(0)).optional())
                .map_err(sh.err())?
        };
        let df = df.ok_or_else(|| sh.damaged(format!("term {id} is used but not defined")))?;
        self.set_idf(sh, id, df)?;
        Ok(sh.idf(df))
    }

    /// Features and candidates of one new document.
    fn find(&mut self, sh: &Shared, doc: &Document) -> IndexResult<Found> {
        let features = pipeline::features(&doc.text, &sh.cfg, &sh.analyzer, &sh.hasher);
        let mut candidates = self.lsh_candidates(sh, &features)?;
        // Near-duplicate mode needs the document's vector only for the
        // cosine of its candidates: most documents have none.
        let query = if sh.mode == Mode::Full || !candidates.is_empty() {
            self.query(sh, &features)?
        } else {
            Query::default()
        };
        if sh.mode == Mode::Full {
            candidates.extend(self.cosine_candidates(sh, &query)?);
            candidates.extend(self.copy_candidates(sh, &features)?);
            if sh.rewrites {
                candidates.extend(self.rewrite_candidates(sh, &features)?);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        Ok(Found {
            features,
            query,
            candidates,
        })
    }

    fn query(&mut self, sh: &Shared, f: &Features) -> IndexResult<Query> {
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
            let info = self.term(sh, t)?;
            let (index, df) = match info {
                Some((id, df)) => (sh.term_index(id)?, df),
                None => {
                    // Not in the reference: df 0, an id no reference term has.
                    unknown += 1;
                    (u32::MAX - unknown, 0)
                }
            };
            entries.push((index, tf_weight(counts[t]) * sh.idf(df), info));
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

    fn lsh_candidates(&mut self, sh: &Shared, f: &Features) -> IndexResult<Vec<i64>> {
        let keys: Vec<i64> = lsh::band_keys(&f.signature, &sh.lsh)
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
        let mut st = self.conn.prepare_cached(&sql).map_err(sh.err())?;
        let rows = st
            .query_map(rusqlite::params_from_iter(&keys), |r| r.get::<_, i64>(0))
            .map_err(sh.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sh.err())
    }

    /// Reference documents sharing a copied-passage fingerprint with the
    /// new document (see [`doppel::winnow`]); a fingerprint in more than
    /// [`doppel::winnow::MAX_POSTING`] of them is boilerplate and pairs
    /// nothing, as in a scan.
    fn copy_candidates(&mut self, sh: &Shared, f: &Features) -> IndexResult<Vec<i64>> {
        if sh.copy_words == 0 || f.fingerprints.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<i64> = f.fingerprints.iter().map(|&fp| fp as i64).collect();
        self.holders(sh, "prints", "fp", keys)
    }

    /// Reference documents whose sentences share at least
    /// [`doppel::rewrites::MIN_SHARED`] band keys with the new document's
    /// (see [`doppel::rewrites`]): a paragraph of one rewritten in the
    /// other. A key in more than [`doppel::winnow::MAX_POSTING`] of them is
    /// a stock sentence and pairs nothing, as in a scan.
    fn rewrite_candidates(&mut self, sh: &Shared, f: &Features) -> IndexResult<Vec<i64>> {
        let keys = doppel::rewrites::band_keys(&f.sentence_terms)
            .into_iter()
            .map(i64::from)
            .collect();
        let mut shared = self.holders(sh, "sbands", "key", keys)?;
        shared.sort_unstable();
        Ok(shared
            .chunk_by(|x, y| x == y)
            .filter(|run| run.len() >= doppel::rewrites::MIN_SHARED)
            .map(|run| run[0])
            .collect())
    }

    /// The documents `table` holds under each of `keys` (in its `column`),
    /// once per key: a key held by more than [`doppel::winnow::MAX_POSTING`]
    /// documents is the corpus's stock text and gives none, as in a scan.
    fn holders(
        &mut self,
        sh: &Shared,
        table: &str,
        column: &str,
        mut keys: Vec<i64>,
    ) -> IndexResult<Vec<i64>> {
        keys.sort_unstable();
        keys.dedup();
        let mut found: Vec<(i64, i64)> = Vec::new();
        for chunk in keys.chunks(500) {
            let sql = format!(
                "SELECT {column}, doc FROM {table} WHERE {column} IN ({})",
                vec!["?"; chunk.len()].join(",")
            );
            let mut st = self.conn.prepare_cached(&sql).map_err(sh.err())?;
            let rows = st
                .query_map(rusqlite::params_from_iter(chunk), |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
                })
                .map_err(sh.err())?;
            for row in rows {
                found.push(row.map_err(sh.err())?);
            }
        }
        found.sort_unstable();
        let mut docs = Vec::new();
        for run in found.chunk_by(|x, y| x.0 == y.0) {
            if run.len() <= doppel::winnow::MAX_POSTING {
                docs.extend(run.iter().map(|&(_, d)| d));
            }
        }
        Ok(docs)
    }

    fn cosine_candidates(&mut self, sh: &Shared, q: &Query) -> IndexResult<Vec<i64>> {
        let threshold = f64::from(sh.cfg.cosine_threshold);
        let mut residual: f64 = q.known.iter().map(|k| k.1 * k.1).sum();
        let scores = &mut self.scores;
        scores.reset(sh.max_doc);
        let (mut terms_read, mut postings_read) = (0usize, 0u64);
        {
            let mut st = self
                .conn
                .prepare_cached("SELECT first, data FROM postings WHERE term = ?1")
                .map_err(sh.err())?;
            for &(term, w, df) in &q.known {
                // Documents met only through the terms left cannot reach the
                // threshold (Cauchy–Schwarz): nothing more to find.
                if residual.max(0.0).sqrt() < threshold || terms_read >= sh.limits.max_terms {
                    break;
                }
                if postings_read + u64::from(df) > sh.limits.max_postings {
                    continue;
                }
                let qw = w * sh.idf(df) / super::WEIGHT_SCALE;
                let mut rows = st.query([term]).map_err(sh.err())?;
                while let Some(r) = rows.next().map_err(sh.err())? {
                    let first: i64 = r.get(0).map_err(sh.err())?;
                    let data = r.get_ref(1).map_err(sh.err())?;
                    let mut in_range = true;
                    data.as_blob()
                        .ok()
                        .and_then(|b| {
                            for_each_posting(first, b, |doc, weight| {
                                in_range &= scores.add(doc, qw * f64::from(weight));
                            })
                        })
                        .filter(|_| in_range)
                        .ok_or_else(|| sh.damaged(format!("postings block ({term}, {first})")))?;
                }
                terms_read += 1;
                postings_read += u64::from(df);
                residual -= w * w;
            }
        }
        let mut ranked: Vec<(i64, f64)> = scores
            .touched
            .iter()
            .map(|&d| (d, scores.score[d as usize]))
            .collect();
        // The best few of up to `max_postings` documents: select, then sort
        // only those.
        let keep = sh.limits.shortlist.max(2 * sh.cfg.top_k);
        let best_first = |x: &(i64, f64), y: &(i64, f64)| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0));
        if ranked.len() > keep && keep > 0 {
            ranked.select_nth_unstable_by(keep - 1, best_first);
        }
        ranked.truncate(keep);
        ranked.sort_by(best_first);
        let mut scored = Vec::with_capacity(ranked.len());
        for (doc, _) in ranked {
            let counts = self.fetch_counts(sh, doc)?;
            let v = self.reference_vector(sh, &counts)?;
            let c = doppel::tfidf::cosine(&q.vector, &v);
            if f64::from(c) >= threshold && c > 0.0 {
                scored.push((doc, c));
            }
        }
        scored.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        if sh.cfg.top_k > 0 {
            scored.truncate(sh.cfg.top_k);
        }
        Ok(scored.into_iter().map(|(d, _)| d).collect())
    }

    fn fetch_counts(&mut self, sh: &Shared, doc: i64) -> IndexResult<Vec<(i64, u32)>> {
        let blob: Vec<u8> = self
            .conn
            .prepare_cached("SELECT terms FROM documents WHERE doc = ?1")
            .and_then(|mut st| st.query_row([doc], |r| r.get(0)))
            .map_err(sh.err())?;
        decode_terms(&blob).ok_or_else(|| sh.damaged(format!("term counts of document {doc}")))
    }

    /// A reference document read back, analysed, with its vector.
    fn reference(&mut self, sh: &Shared, doc: i64) -> IndexResult<(Arc<Reference>, SparseVec)> {
        let (id, source, blob, text): (String, String, Vec<u8>, String) = self
            .conn
            .prepare_cached("SELECT id, source, terms, text FROM documents WHERE doc = ?1")
            .and_then(|mut st| {
                st.query_row([doc], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            })
            .map_err(sh.err())?;
        let counts =
            decode_terms(&blob).ok_or_else(|| sh.damaged(format!("term counts of {id:?}")))?;
        let vector = self.reference_vector(sh, &counts)?;
        let document = Document {
            id,
            source: Source::File(PathBuf::from(source)),
            text,
        };
        let features = pipeline::features(&document.text, &sh.cfg, &sh.analyzer, &sh.hasher);
        Ok((Arc::new(Reference { document, features }), vector))
    }

    /// A reference document's TF-IDF vector under the snapshot's idf.
    fn reference_vector(&mut self, sh: &Shared, counts: &[(i64, u32)]) -> IndexResult<SparseVec> {
        let mut terms = Vec::with_capacity(counts.len());
        let mut raw = Vec::with_capacity(counts.len());
        for &(id, c) in counts {
            let idf = self.idf_of(sh, id)?;
            terms.push(sh.term_index(id)?);
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

impl Checker {
    /// Start checking against `index` with the settings of `cfg` (its
    /// index parameters are replaced by the index's own). The checker sees
    /// the index as of now until it is dropped; it opens one read-only
    /// connection per worker thread of the current rayon pool.
    pub fn new(index: &Index, cfg: &Config, mode: Mode) -> IndexResult<Checker> {
        let mut cfg = cfg.clone();
        index.params.apply(&mut cfg);
        let path = index.path.clone();
        let threads = rayon::current_num_threads().max(1);
        let mut readers = Vec::with_capacity(threads);
        for attempt in 0.. {
            readers.clear();
            let mut generations = BTreeSet::new();
            for _ in 0..threads {
                let (reader, generation) = Reader::open(&path)?;
                readers.push(reader);
                generations.insert(generation);
            }
            if generations.len() == 1 {
                break;
            }
            if attempt >= SNAPSHOT_ATTEMPTS {
                return Err(IndexError::Damaged {
                    path,
                    reason: "it changed under every attempt to read it consistently".into(),
                });
            }
        }
        let first = &readers[0].conn;
        let n_docs = super::meta_count(first, &path)?;
        let max_term: i64 = first
            .query_row("SELECT coalesce(max(term), 0) FROM terms", [], |r| r.get(0))
            .map_err(|e| super::db_error(&path, e))?;
        let max_doc: i64 = first
            .query_row("SELECT coalesce(max(doc), 0) FROM documents", [], |r| {
                r.get(0)
            })
            .map_err(|e| super::db_error(&path, e))?;
        let max_doc = usize::try_from(max_doc).map_err(|_| IndexError::Damaged {
            path: path.clone(),
            reason: format!("document number {max_doc}"),
        })?;
        // An index made before fingerprints were stored has no `prints`
        // table (nor this meta key) until it is next opened to write.
        let stored: Option<String> = first
            .query_row("SELECT value FROM meta WHERE key = 'copy_words'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| super::db_error(&path, e))?;
        let copy_words = match stored.and_then(|v| v.parse::<usize>().ok()) {
            Some(n) if n == cfg.copy_words => n,
            _ => 0,
        };
        let rewrites = cfg.rewrite_candidates && mode == Mode::Full;
        if rewrites && !super::has_table(first, &path, "sbands")? {
            return Err(IndexError::NoSentenceBands { path });
        }
        Ok(Checker {
            shared: Shared {
                path,
                lsh: index.params.lsh,
                analyzer: Analyzer::new(cfg.stem, cfg.stop_words),
                hasher: MinHasher::new(cfg.num_perm),
                cfg,
                mode,
                limits: Limits::default(),
                n_docs,
                max_term,
                max_doc,
                vocabulary: None,
                copy_words,
                rewrites,
            },
            readers,
        })
    }

    /// Change the bounds of the cosine candidate search.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.shared.limits = limits;
        self
    }

    /// The settings in use (the index's parameters and the caller's other
    /// settings).
    pub fn config(&self) -> &Config {
        &self.shared.cfg
    }

    /// Reference documents in the snapshot being checked against.
    pub fn reference_len(&self) -> u64 {
        self.shared.n_docs
    }

    /// Prepare for checking about `n` new documents: when looking their
    /// terms up one by one would cost more than reading the whole
    /// vocabulary (about one lookup per 16 terms read), read it now.
    pub fn expect(&mut self, n: usize) -> IndexResult<()> {
        let sh = &self.shared;
        // About 100 distinct terms per document, most of them seen before.
        if sh.vocabulary.is_some() || (n as i64).saturating_mul(16) < sh.max_term {
            return Ok(());
        }
        let mut terms = AHashMap::new();
        let mut idf = vec![f64::NAN; sh.max_term as usize + 1];
        {
            let mut st = self.readers[0]
                .conn
                .prepare("SELECT term, text, df FROM terms")
                .map_err(sh.err())?;
            let mut rows = st.query([]).map_err(sh.err())?;
            while let Some(r) = rows.next().map_err(sh.err())? {
                let id: i64 = r.get(0).map_err(sh.err())?;
                let text: String = r.get(1).map_err(sh.err())?;
                let df: u32 = r.get(2).map_err(sh.err())?;
                idf[sh.slot(id)?] = sh.idf(df);
                terms.insert(text, (id, df));
            }
        }
        self.shared.vocabulary = Some((terms, idf));
        Ok(())
    }

    /// Check a batch of new documents; results in input order.
    ///
    /// Three parallel phases: each connection finds the candidates of its
    /// share of the documents; each reads back and analyses its share of
    /// the reference documents met; then every (reference, new) pair is
    /// measured and aligned.
    pub fn check(&mut self, docs: &[Document]) -> IndexResult<Vec<Checked>> {
        let sh = &self.shared;
        let share = docs.len().div_ceil(self.readers.len()).max(1);
        let found: Vec<Found> = self
            .readers
            .par_iter_mut()
            .zip(docs.par_chunks(share))
            .map(|(reader, part)| {
                part.iter()
                    .map(|d| reader.find(sh, d))
                    .collect::<IndexResult<Vec<_>>>()
            })
            .collect::<IndexResult<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let wanted: Vec<i64> = found
            .iter()
            .flat_map(|f| f.candidates.iter().copied())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let share = wanted.len().div_ceil(self.readers.len()).max(1);
        let references: AHashMap<i64, (Arc<Reference>, SparseVec)> = self
            .readers
            .par_iter_mut()
            .zip(wanted.par_chunks(share))
            .map(|(reader, part)| {
                part.iter()
                    .map(|&doc| Ok((doc, reader.reference(sh, doc)?)))
                    .collect::<IndexResult<Vec<_>>>()
            })
            .collect::<IndexResult<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let jobs: Vec<(usize, i64)> = found
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.candidates.iter().map(move |&r| (i, r)))
            .collect();
        let pairs: Vec<PairResult> = jobs
            .par_iter()
            .map(|&(i, r)| {
                let (reference, vector) = &references[&r];
                compare(
                    reference,
                    vector,
                    &docs[i],
                    &found[i].features,
                    &found[i].query.vector,
                    &sh.cfg,
                )
            })
            .collect();
        let mut out: Vec<Checked> = docs
            .iter()
            .zip(found)
            .map(|(d, f)| Checked {
                document: d.clone(),
                features: f.features,
                matches: Vec::new(),
            })
            .collect();
        for ((i, r), pair) in jobs.into_iter().zip(pairs) {
            out[i].matches.push(Match {
                reference: Arc::clone(&references[&r].0),
                pair,
            });
        }
        for c in &mut out {
            sort_matches(&mut c.matches);
        }
        Ok(out)
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
    let mut pair = pipeline::compare_features(
        (&reference.document.text, &reference.features, ref_vector),
        (&doc.text, f, vector),
        cfg,
    );
    (pair.a, pair.b) = (0, 0);
    pair
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
            .then(
                y.pair
                    .scores
                    .cosine_key()
                    .total_cmp(&x.pair.scores.cosine_key()),
            )
            .then(x.reference.document.id.cmp(&y.reference.document.id))
    });
}
