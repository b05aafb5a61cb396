//! Reports: the engine's scored, aligned pairs in; text, Markdown, JSON
//! and HTML out.
//!
//! This module is the model: [`Report::build`] turns the engine's results
//! into a serialisable [`Report`] (byte offsets become character offsets
//! and line numbers here, and only here), and [`batch`] and [`check`] make
//! the reports of the streamed MinHash mode and of a check against an
//! index. The printers know the model and nothing else: [`render`] (the
//! one dispatcher, with the text and Markdown printers; JSON is the
//! model's serialisation) and [`html`] (the side-by-side page). The model
//! imports no printer.

pub mod batch;
pub mod check;
pub mod html;
mod render;

pub use render::{Format, RenderOptions, jsonl_line, render};

use doppel::align::Passage;
use doppel::config::Config;
use doppel::corpus::Document;
use doppel::pipeline::{PairResult, Stats};
use doppel::score::{PairScores, Verdict};
use doppel::text::Disguise;
use doppel::{DocId, Span};
use ndarray::Array2;
use std::ops::Range;

/// A whole report: the documents and the pairs found among them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    /// The doppel version that wrote the report.
    pub version: &'static str,
    /// The version of the report's JSON layout ([`SCHEMA_VERSION`]).
    pub schema: u32,
    /// The settings of the run, so a report can be reproduced.
    pub settings: Config,
    /// Every input document.
    pub documents: Vec<DocInfo>,
    /// Reported pairs, flagged first.
    pub pairs: Vec<PairReport>,
}

/// The configuration of a run whose report is written in `formats`: the
/// sentence similarity matrices (up to 16 MB a pair) are kept only when an
/// HTML page will draw their heat maps. Every caller that writes a report
/// (the command line, a binding) fits its settings here, so a report's
/// `settings` are the same for the same outputs.
pub fn fit_settings(mut cfg: Config, formats: impl IntoIterator<Item = Format>) -> Config {
    if !formats.into_iter().any(|f| f == Format::Html) {
        cfg.align.max_matrix_cells = 0;
    }
    cfg
}

/// The version of the JSON report's layout, raised whenever a field is
/// renamed, removed or changes meaning (README, "JSON schema"). 2: the
/// shingle setting is `{"kind", "size"}`; `scores.cosine` and `coverage`
/// are `null` where not computed.
pub const SCHEMA_VERSION: u32 = 2;

/// One input document.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DocInfo {
    /// Its id.
    pub id: String,
    /// Size in bytes.
    pub bytes: usize,
    /// Size in characters (Unicode scalar values).
    pub chars: usize,
    /// Words.
    pub words: usize,
    /// Sentences.
    pub sentences: usize,
    /// What it holds that hides text from a word-based comparison
    /// (invisible characters, combining accents, look-alike letters); left
    /// out of JSON when there is none.
    #[serde(default, skip_serializing_if = "Disguise::is_empty")]
    pub disguise: Disguise,
    /// The whole text, kept for documents of reported pairs so the HTML
    /// report can show them side by side (shared with their excerpts); not
    /// in JSON.
    #[serde(skip)]
    pub text: Option<std::sync::Arc<str>>,
}

/// One pair of documents.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PairReport {
    /// Id of the first document.
    pub a: String,
    /// Id of the second document.
    pub b: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Similarity measures.
    pub scores: PairScores,
    /// Share of each document covered by passages; `None` (JSON `null`)
    /// where nothing was aligned (MinHash mode).
    pub coverage: Option<Coverage>,
    /// Aligned passages, in the order of B.
    pub passages: Vec<PassageReport>,
    /// The sentence similarity matrix (pooled to a bounded size) and where
    /// the passages lie in it, for the HTML heat map; not in JSON.
    #[serde(skip)]
    pub sentence_map: Option<SentenceMap>,
}

/// Share of each document covered by passages, in [0, 1].
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Coverage {
    /// Of document A.
    pub a: f64,
    /// Of document B.
    pub b: f64,
}

/// One pair of corresponding passages.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PassageReport {
    /// The passage of A.
    pub a: Excerpt,
    /// The passage of B.
    pub b: Excerpt,
    /// Similarity in [0, 1].
    pub score: f32,
    /// "verbatim", "near-verbatim" or "paraphrase".
    pub kind: doppel::align::PassageKind,
}

/// Where a passage lies in its document, and its text.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Excerpt {
    /// First byte (0-based).
    pub byte_start: usize,
    /// One past the last byte.
    pub byte_end: usize,
    /// First character (0-based, Unicode scalar values).
    pub char_start: usize,
    /// One past the last character.
    pub char_end: usize,
    /// Line of the first character (1-based).
    pub line_start: usize,
    /// Line of the last character (1-based, inclusive).
    pub line_end: usize,
    /// The passage's original text.
    pub text: ExcerptText,
}

/// The text of an excerpt: a range of its document's text, which every
/// excerpt of that document shares, so that a report of many pairs holds
/// each text once rather than once per passage (100,000 pairs of 8 KB
/// documents held 1.5 GB of excerpts). Reads as a `&str`; serialised as a
/// string.
#[derive(Clone)]
pub struct ExcerptText {
    doc: std::sync::Arc<str>,
    range: std::ops::Range<usize>,
}

impl ExcerptText {
    /// `doc[range]`, sharing `doc`. `range` must lie on character
    /// boundaries of `doc`.
    pub fn shared(doc: std::sync::Arc<str>, range: std::ops::Range<usize>) -> ExcerptText {
        assert!(
            doc.get(range.clone()).is_some(),
            "excerpt range off its text"
        );
        ExcerptText { doc, range }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.doc[self.range.clone()]
    }

    /// The same text holding only itself (not the whole document), for a
    /// pair kept long after its documents are gone.
    pub fn detached(&self) -> ExcerptText {
        ExcerptText::from(self.as_str())
    }
}

impl From<&str> for ExcerptText {
    fn from(text: &str) -> ExcerptText {
        ExcerptText {
            range: 0..text.len(),
            doc: text.into(),
        }
    }
}

impl std::ops::Deref for ExcerptText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for ExcerptText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for ExcerptText {
    fn eq(&self, other: &ExcerptText) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<str> for ExcerptText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl serde::Serialize for ExcerptText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Converts byte offsets of one text into character offsets and lines.
struct Positions<'a> {
    text: &'a str,
    /// The text the excerpts share.
    shared: std::sync::Arc<str>,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
    /// (byte offset, characters before it) about every [`MARK`] bytes, so
    /// that no offset is counted from further than that — counting from
    /// the line start made a long single-line text quadratic in its
    /// passages.
    marks: Vec<(usize, usize)>,
}

/// Bytes between two character-count marks.
const MARK: usize = 1024;

impl<'a> Positions<'a> {
    fn new(text: &'a str, shared: std::sync::Arc<str>) -> Self {
        let mut line_starts = vec![0];
        let mut marks = vec![(0, 0)];
        for (chars, (i, c)) in text.char_indices().enumerate() {
            if i >= marks[marks.len() - 1].0 + MARK {
                marks.push((i, chars));
            }
            if c == '\n' {
                line_starts.push(i + 1);
            }
        }
        Positions {
            text,
            shared,
            line_starts,
            marks,
        }
    }

    /// (0-based char offset, 1-based line) of a byte offset.
    fn at(&self, byte: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= byte) - 1;
        let (start, before) = self.marks[self.marks.partition_point(|&(b, _)| b <= byte) - 1];
        let chars = before + self.text[start..byte].chars().count();
        (chars, line + 1)
    }

    fn excerpt(&self, span: Span) -> Excerpt {
        let (char_start, line_start) = self.at(span.start);
        let (char_end, _) = self.at(span.end);
        // The line of the last byte (a line ending in '\n' ends on that line).
        let last = span.end.saturating_sub(1).max(span.start);
        let line_end = self.line_starts.partition_point(|&s| s <= last);
        Excerpt {
            byte_start: span.start,
            byte_end: span.end,
            char_start,
            char_end,
            line_start,
            line_end,
            text: ExcerptText::shared(self.shared.clone(), span.start..span.end),
        }
    }
}

impl DocInfo {
    /// A line saying what the document holds that hides text, or `None`:
    /// "340 invisible characters (U+200B ×340), 12 look-alike letters".
    pub fn disguise_note(&self) -> Option<String> {
        let d = &self.disguise;
        if d.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        let invisible: usize = d.invisible.values().sum();
        if invisible > 0 {
            let kinds: Vec<String> = d
                .invisible
                .iter()
                .map(|(c, n)| format!("{c} ×{n}"))
                .collect();
            parts.push(format!(
                "{invisible} invisible characters ({})",
                kinds.join(", ")
            ));
        }
        if d.combining_marks > 0 {
            parts.push(format!(
                "{} combining accents on Latin letters",
                d.combining_marks
            ));
        }
        if d.lookalike_letters > 0 {
            parts.push(format!(
                "{} Cyrillic or Greek letters drawn like Latin ones",
                d.lookalike_letters
            ));
        }
        Some(parts.join(", "))
    }
}

impl Report {
    /// Build a report. Pairs judged unrelated are left out unless `all`.
    pub fn build<F: Stats>(
        docs: &[Document],
        features: &[F],
        pairs: &[PairResult],
        all: bool,
        settings: &Config,
    ) -> Report {
        let reported: Vec<&PairResult> = pairs
            .iter()
            .filter(|p| all || p.verdict.is_flagged())
            .collect();
        // Only documents of reported pairs keep their text, once, shared
        // by the page and every excerpt: a large scan should not hold its
        // corpus twice, nor a text once per passage.
        let mut shown = vec![false; docs.len()];
        for p in &reported {
            shown[p.a as usize] = true;
            shown[p.b as usize] = true;
        }
        let shared: Vec<Option<std::sync::Arc<str>>> = docs
            .iter()
            .zip(&shown)
            .map(|(d, &shown)| shown.then(|| d.text.as_str().into()))
            .collect();
        let positions: Vec<Option<Positions>> = docs
            .iter()
            .zip(&shared)
            .map(|(d, s)| s.as_ref().map(|s| Positions::new(&d.text, s.clone())))
            .collect();
        let documents = docs
            .iter()
            .zip(features)
            .zip(shared)
            .map(|((d, f), text)| DocInfo {
                id: d.id.clone(),
                bytes: d.text.len(),
                chars: d.text.chars().count(),
                words: f.stats().words,
                sentences: f.stats().sentences,
                disguise: Disguise::of(&d.text),
                text,
            })
            .collect();
        let at = |d: DocId| {
            positions[d as usize]
                .as_ref()
                .expect("a reported document is shown")
        };
        let pairs = reported
            .into_iter()
            .map(|p| {
                pair_report(
                    (&docs[p.a as usize], at(p.a)),
                    (&docs[p.b as usize], at(p.b)),
                    p,
                )
            })
            .collect();
        Report {
            version: env!("CARGO_PKG_VERSION"),
            schema: crate::SCHEMA_VERSION,
            settings: settings.clone(),
            documents,
            pairs,
        }
    }

    /// Number of flagged pairs.
    pub fn flagged(&self) -> usize {
        self.pairs.iter().filter(|p| p.verdict.is_flagged()).count()
    }
}

impl PairReport {
    /// The report of one pair of documents, `a` and `b` being the
    /// documents the pair's ids stand for (for runs that report pairs one
    /// at a time, such as `compare --pairs`).
    pub fn new(a: &Document, b: &Document, pair: &PairResult) -> PairReport {
        pair_report(
            (a, &Positions::new(&a.text, a.text.as_str().into())),
            (b, &Positions::new(&b.text, b.text.as_str().into())),
            pair,
        )
    }

    /// The same pair with excerpts that hold only their own text, not
    /// their documents', for a pair kept after its documents are gone.
    pub fn detached(mut self) -> PairReport {
        for s in &mut self.passages {
            s.a.text = s.a.text.detached();
            s.b.text = s.b.text.detached();
        }
        self
    }
}

fn pair_report(
    (da, pa): (&Document, &Positions<'_>),
    (db, pb): (&Document, &Positions<'_>),
    p: &PairResult,
) -> PairReport {
    PairReport {
        a: da.id.clone(),
        b: db.id.clone(),
        verdict: p.verdict,
        scores: p.scores,
        coverage: Some(Coverage {
            a: p.alignment.coverage_a,
            b: p.alignment.coverage_b,
        }),
        passages: p
            .alignment
            .passages
            .iter()
            .map(|s| PassageReport {
                a: pa.excerpt(s.a),
                b: pb.excerpt(s.b),
                score: s.score,
                kind: s.kind,
            })
            .collect(),
        sentence_map: p
            .alignment
            .similarity
            .as_ref()
            .map(|m| SentenceMap::new(m, &p.alignment.passages)),
    }
}

/// Largest number of rows or columns the heat map draws; bigger matrices
/// are pooled (each cell shows the largest similarity of its block).
pub const MAX_MAP_SIDE: usize = 150;

/// What the heat map draws for one pair: the sentence similarity matrix,
/// pooled so that neither side exceeds [`MAX_MAP_SIDE`] cells (a report
/// keeps at most that much per pair, however long the documents), and the
/// sentences each passage spans.
#[derive(Clone, Debug)]
pub struct SentenceMap {
    /// Sentences of A.
    pub rows: usize,
    /// Sentences of B.
    pub cols: usize,
    /// Sentences per cell along each side (1: no pooling).
    pub pool: usize,
    /// Per cell, the largest cosine of the sentence pairs it covers.
    pub cells: Array2<f32>,
    /// Sentences of A and of B each passage spans, in passage order.
    pub passages: Vec<(Range<usize>, Range<usize>)>,
}

impl SentenceMap {
    /// Pool an alignment's similarity matrix (A rows, B columns).
    pub fn new(similarity: &Array2<f32>, passages: &[Passage]) -> SentenceMap {
        let (rows, cols) = similarity.dim();
        let pool = rows.max(cols).div_ceil(MAX_MAP_SIDE).max(1);
        let mut cells = Array2::<f32>::zeros((rows.div_ceil(pool), cols.div_ceil(pool)));
        for ((a, b), &v) in similarity.indexed_iter() {
            let cell = &mut cells[[a / pool, b / pool]];
            *cell = cell.max(v);
        }
        SentenceMap {
            rows,
            cols,
            pool,
            cells,
            passages: passages
                .iter()
                .map(|p| (p.a_sentences.clone(), p.b_sentences.clone()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_chars_and_lines() {
        let text = "ab\ncé\n\nxyz";
        let p = Positions::new(text, text.into());
        let e = p.excerpt(Span::new(3, 6)); // "cé"
        assert_eq!(
            (e.char_start, e.char_end, e.line_start, e.line_end),
            (3, 5, 2, 2)
        );
        assert_eq!(e.text.as_str(), "cé");
        // Detached, the excerpt holds only itself.
        assert_eq!(e.text.detached().as_str(), "cé");
        let e = p.excerpt(Span::new(8, 11)); // "xyz"
        assert_eq!(
            (e.char_start, e.char_end, e.line_start, e.line_end),
            (7, 10, 4, 4)
        );
        let e = p.excerpt(Span::new(0, 7)); // "ab\ncé\n" ends on line 2
        assert_eq!((e.line_start, e.line_end), (1, 2));
    }

    #[test]
    fn sentence_map_pools_large_matrices_keeping_the_maximum() {
        let mut m = Array2::<f32>::zeros((400, 300));
        m[[299, 200]] = 0.9;
        m[[0, 0]] = 0.2;
        m[[2, 2]] = 0.4;
        let map = SentenceMap::new(&m, &[]);
        assert_eq!((map.rows, map.cols, map.pool), (400, 300, 3));
        assert_eq!(map.cells.dim(), (134, 100));
        assert_eq!(map.cells[[99, 66]], 0.9);
        assert_eq!(map.cells[[0, 0]], 0.4);
        assert_eq!(map.cells.iter().filter(|v| **v > 0.0).count(), 2);
        // Small matrices are kept as they are.
        let small = Array2::<f32>::from_elem((47, 32), 0.5);
        let map = SentenceMap::new(&small, &[]);
        assert_eq!((map.pool, map.cells.dim()), (1, (47, 32)));
    }
}
