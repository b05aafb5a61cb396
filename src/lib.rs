//! doppel finds duplicated and paraphrased text across documents and shows
//! which passages correspond.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`corpus`] (documents) → [`text`] (tokens and sentences with byte offsets)
//! → [`shingle`] / [`tfidf`] (shingle hashes, term vectors) → [`minhash`] /
//! [`lsh`] (signatures, candidate pairs) → [`score`] (scores, verdicts) →
//! [`align`] (passages) → [`report`] (text, Markdown, JSON; [`html`] for the
//! side-by-side HTML page).
//! [`pipeline`] runs the stages in order; [`config`] holds every setting.
//! [`index`] keeps a reference corpus on disk and checks new documents
//! against it.
//! [`synth`] generates corpora with planted overlaps and their ground truth.
//!
//! ```
//! use doppel::{config::Config, corpus::Document, pipeline, score::Verdict};
//!
//! let a = Document::new("a", "The committee approved the budget on Monday. \
//!     Members argued for hours about the cost of the new bridge. \
//!     In the end the vote was close.");
//! let b = Document::new("b", "On Monday the budget was approved by the committee. \
//!     For hours, members argued over what the new bridge would cost. \
//!     The vote, in the end, was close.");
//! let (_features, pair) = pipeline::compare(&a, &b, &Config::default());
//! assert_eq!(pair.verdict, Verdict::Derivative);
//! // Every passage maps a span of A to a span of B, in byte offsets.
//! let p = &pair.alignment.passages[0];
//! assert!(b.text[p.b.start..p.b.end].contains("budget"));
//! ```
#![warn(missing_docs)]

pub mod align;
pub mod batch;
pub mod config;
pub mod corpus;
pub mod error;
pub mod html;
pub mod index;
pub mod lsh;
pub mod minhash;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod score;
pub mod scratch;
pub mod shingle;
pub mod synth;
pub mod text;
pub mod tfidf;

pub use error::{Error, Result};

/// Index of a document inside one corpus (its position in load order).
pub type DocId = u32;

/// A half-open byte range `[start, end)` into a document's original text.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A new span; `start <= end`.
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span { start, end }
    }
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}
