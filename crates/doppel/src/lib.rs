//! The doppel engine: documents in, scored and aligned pairs out. It finds
//! duplicated and paraphrased text across documents and says which
//! passages correspond.
//!
//! The stages, one module each, data flowing one way:
//! [`corpus`] (documents, read and decoded) → [`text`] (tokens and
//! sentences with byte offsets) → [`shingle`] / [`tfidf`] (shingle hashes,
//! term vectors) → [`minhash`] / [`lsh`] (signatures, candidate pairs) and
//! [`neighbours`] (cosine neighbours through heavy terms) →
//! [`align`] (passages) → [`score`] (scores, verdicts).
//! [`pipeline`] runs them in order over a corpus in memory, [`batch`]
//! streams a large corpus in MinHash mode; [`config`] holds every setting
//! and its default; [`progress`] reports long runs; [`hash`] holds the
//! stable hashes and the one pseudo-random generator.
//!
//! At the root: the [`Engine`] (a configuration checked, its analyzer and
//! hasher built once), the [`Error`]s and [`Warning`]s of reading, which
//! name the input, and the types most callers need — [`Config`],
//! [`Document`], [`Scan`], [`PairResult`], [`Verdict`], [`Passage`] — so
//! `use doppel::{Config, Document}` is enough to start.
//!
//! The engine prints nothing and stores nothing: reports are the
//! `doppel-report` crate's, the reference index on disk the
//! `doppel-index` crate's, the command line `doppel-cli`'s (see
//! ARCHITECTURE.md).
//!
//! A scan of three documents, one a rewrite of another:
//!
//! ```
//! use doppel::{config::Config, corpus::Document, pipeline, score::Verdict};
//!
//! let docs = [
//!     Document::new("a", "The committee approved the budget on Monday. \
//!         Members argued for hours about the cost of the new bridge. \
//!         In the end the vote was close."),
//!     Document::new("b", "On Monday the budget was approved by the committee. \
//!         For hours, members argued over what the new bridge would cost. \
//!         The vote, in the end, was close."),
//!     Document::new("c", "Rain is expected over the hills tonight, with snow \
//!         above a thousand metres and strong winds along the coast."),
//! ];
//! let scan = pipeline::scan(&docs, &Config::default());
//! let flagged: Vec<_> = scan.pairs.iter().filter(|p| p.verdict.is_flagged()).collect();
//! assert_eq!(flagged.len(), 1);
//! assert_eq!((flagged[0].a, flagged[0].b), (0, 1));
//! assert_eq!(flagged[0].verdict, Verdict::Derivative);
//! // Every passage maps a span of A to a span of B, in byte offsets.
//! let p = &flagged[0].alignment.passages[0];
//! assert!(docs[1].text[p.b.start..p.b.end].contains("bridge"));
//! ```
//!
//! One pair, aligned whatever its scores:
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
mod engine;
mod error;
pub mod hash;
pub mod lsh;
pub mod minhash;
pub mod neighbours;
pub mod pipeline;
pub mod progress;
pub mod rewrites;
pub mod score;
pub mod shingle;
pub mod text;
pub mod tfidf;
pub mod winnow;

pub use align::{Alignment, Passage, PassageKind};
pub use batch::{BatchOptions, BatchScan};
pub use config::Config;
pub use corpus::{Document, LoadOptions, Loaded, Source};
pub use engine::Engine;
pub use error::{Error, Result, Warning, WarningKind, chain};
pub use pipeline::{Features, PairResult, Scan};
pub use score::{PairScores, Verdict};

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
