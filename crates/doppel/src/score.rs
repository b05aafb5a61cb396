//! Scores and verdicts: a candidate pair's measures in, a verdict out.
//!
//! Input is a pair of documents' shingle sets, signatures and TF-IDF vectors,
//! and later their [`Alignment`]. Output is a [`PairScores`] (estimated and
//! exact Jaccard, containment both ways, cosine) and a [`Verdict`].

use crate::align::Alignment;
use crate::config::VerdictConfig;
use crate::minhash::{self, Signature};
use crate::tfidf::{self, SparseVec};

/// Similarity measures of one pair of documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct PairScores {
    /// Jaccard similarity of the shingle sets estimated from signatures.
    pub jaccard_est: f64,
    /// Exact Jaccard similarity of the shingle sets.
    pub jaccard: f64,
    /// Share of A's shingles found in B.
    pub containment_a: f64,
    /// Share of B's shingles found in A.
    pub containment_b: f64,
    /// Cosine similarity of the documents' TF-IDF vectors; `None` (JSON
    /// `null`) where it was not computed (MinHash mode).
    pub cosine: Option<f64>,
}

/// A score as reports show it: the number, or "—" where it was not
/// computed. Honours the precision asked for (`{:.3}`).
pub struct Shown(pub Option<f64>);

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(v) => std::fmt::Display::fmt(&v, f),
            None => f.write_str("—"),
        }
    }
}

impl PairScores {
    /// The cosine for ordering pairs: one not computed sorts below any.
    pub fn cosine_key(&self) -> f64 {
        self.cosine.unwrap_or(f64::NEG_INFINITY)
    }

    /// Measure a pair. `shingles_*` are sorted, deduplicated sets.
    pub fn measure(
        shingles_a: &[u64],
        shingles_b: &[u64],
        sig_a: &Signature,
        sig_b: &Signature,
        vec_a: &SparseVec,
        vec_b: &SparseVec,
    ) -> PairScores {
        PairScores {
            jaccard_est: minhash::estimate_jaccard(sig_a, sig_b),
            jaccard: minhash::jaccard(shingles_a, shingles_b),
            containment_a: minhash::containment(shingles_a, shingles_b),
            containment_b: minhash::containment(shingles_b, shingles_a),
            cosine: Some(tfidf::cosine(vec_a, vec_b) as f64),
        }
    }
}

/// What a pair of documents is to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The same text, give or take a few words.
    Duplicate,
    /// Mostly the same text: light edits, a changed header or footer.
    NearDuplicate,
    /// One is derived from the other: rewritten, excerpted or embedded.
    Derivative,
    /// Nothing that says one comes from the other.
    Unrelated,
}

impl Verdict {
    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Duplicate => "duplicate",
            Verdict::NearDuplicate => "near-duplicate",
            Verdict::Derivative => "derivative",
            Verdict::Unrelated => "unrelated",
        }
    }

    /// Whether the pair is reported (anything but unrelated).
    pub fn is_flagged(self) -> bool {
        self != Verdict::Unrelated
    }
}

/// Decide a pair's verdict from its scores and alignment.
///
/// Shingle Jaccard decides between duplicates and near-duplicates; below
/// that, a pair is derivative when it shares a passage: every passage the
/// alignment keeps is substantial — at least
/// [`AlignConfig::min_passage_words`](crate::align::AlignConfig) words on
/// each side, its two sides alike as wholes — whatever the documents'
/// lengths. Coverage is reported beside it and decides nothing: a
/// paragraph rewritten into a long article covers little of it.
pub fn verdict(scores: &PairScores, alignment: &Alignment, cfg: &VerdictConfig) -> Verdict {
    if scores.jaccard >= cfg.duplicate {
        Verdict::Duplicate
    } else if scores.jaccard >= cfg.near_duplicate {
        Verdict::NearDuplicate
    } else if alignment.passages.is_empty() {
        Verdict::Unrelated
    } else {
        Verdict::Derivative
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;
    use crate::align::{Passage, PassageKind};

    fn alignment(cov: f64, kind: PassageKind) -> Alignment {
        Alignment {
            passages: vec![Passage {
                a: Span::new(0, 10),
                b: Span::new(0, 10),
                a_sentences: 0..1,
                b_sentences: 0..1,
                score: 0.9,
                kind,
            }],
            coverage_a: cov,
            coverage_b: cov / 2.0,
            similarity: None,
        }
    }

    #[test]
    fn verdicts_follow_thresholds() {
        let cfg = VerdictConfig::default();
        let s = |j| PairScores {
            jaccard: j,
            ..PairScores::default()
        };
        let none = Alignment::default();
        assert_eq!(verdict(&s(0.95), &none, &cfg), Verdict::Duplicate);
        assert_eq!(verdict(&s(0.6), &none, &cfg), Verdict::NearDuplicate);
        assert_eq!(verdict(&s(0.05), &none, &cfg), Verdict::Unrelated);
        // One passage is enough, however little of the documents it covers.
        for kind in [PassageKind::Paraphrase, PassageKind::Verbatim] {
            let small = alignment(0.02, kind);
            assert_eq!(verdict(&s(0.05), &small, &cfg), Verdict::Derivative);
        }
    }
}
