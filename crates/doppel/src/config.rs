//! Settings of a run, in one place, with their defaults.
//!
//! The binary's flags fill a [`Config`]; [`Config::validate`] rejects
//! contradictions before any work starts.

use crate::align::AlignConfig;
use crate::error::{Error, Result};
use crate::shingle::ShingleKind;

/// Each setting a caller names, as `(field, name)`: the field as
/// [`Config::validate`] names it in its errors, and the name callers give
/// it — the command line's flag without its dashes, words joined by
/// underscores (`--min-passage-words` is `min_passage_words`), which is
/// also a binding's keyword argument. One table, so an error shows the
/// caller's own name for a setting.
pub const SETTING_NAMES: &[(&str, &str)] = &[
    ("lsh_threshold", "lsh_threshold"),
    ("cosine_threshold", "cosine_threshold"),
    ("verdict.duplicate", "duplicate"),
    ("verdict.near_duplicate", "near_duplicate"),
    ("align.min_passage_words", "min_passage_words"),
    ("align.seed_threshold", "seed_threshold"),
    ("num_perm", "num_perm"),
    ("shingle.size", "shingle_size"),
    ("top_k", "top_k"),
    ("copy_words", "min_copy_words"),
    ("rewrite_candidates", "rewrite_candidates"),
    ("exact_neighbours", "exact_neighbours"),
];

/// Everything that shapes a run's results.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Shingles for MinHash and exact Jaccard: word n-grams (default 5) or
    /// character n-grams.
    pub shingle: ShingleKind,
    /// Values per MinHash signature.
    pub num_perm: usize,
    /// Jaccard similarity the LSH bands are tuned for.
    pub lsh_threshold: f64,
    /// Document cosine (TF-IDF) at which a pair becomes a candidate.
    pub cosine_threshold: f32,
    /// Nearest neighbours by cosine kept per document (0: no limit).
    pub top_k: usize,
    /// Find the cosine neighbours by the exact all-pairs search
    /// ([`crate::tfidf::top_k_pairs`]), whose cost grows faster than the
    /// corpus, instead of through each document's heaviest terms
    /// ([`crate::neighbours`]), linear in the corpus, which misses a few
    /// pairs of documents sharing no heavy term.
    pub exact_neighbours: bool,
    /// Pairs sharing a verbatim run of this many words are candidates
    /// whatever their Jaccard or cosine (winnowed fingerprints, see
    /// [`crate::winnow`]); 0 turns it off.
    pub copy_words: usize,
    /// Pairs whose sentences share MinHash bands of their term sets are
    /// candidates whatever the cosine of the whole documents: a rewritten
    /// paragraph inside a long document (see [`crate::rewrites`]). Off by
    /// default: on texts of one genre it proposes many pairs whose only
    /// likeness is the genre's stock phrasing, and the alignment flags
    /// some of them (README, "Rewritten passages").
    pub rewrite_candidates: bool,
    /// Stem words (Snowball English) on the TF-IDF side.
    pub stem: bool,
    /// Drop English stop words on the TF-IDF side.
    pub stop_words: bool,
    /// Verdict thresholds.
    pub verdict: VerdictConfig,
    /// Passage alignment settings.
    pub align: AlignConfig,
}

/// Thresholds that turn scores into a verdict (below them, the passages
/// decide: see [`crate::score::verdict`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictConfig {
    /// Exact shingle Jaccard at or above which a pair is a duplicate.
    pub duplicate: f64,
    /// Exact shingle Jaccard at or above which a pair is a near-duplicate.
    pub near_duplicate: f64,
}

impl Default for VerdictConfig {
    fn default() -> Self {
        VerdictConfig {
            duplicate: 0.9,
            near_duplicate: 0.5,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            shingle: ShingleKind::Words(5),
            num_perm: 128,
            lsh_threshold: 0.5,
            cosine_threshold: 0.2,
            top_k: 10,
            exact_neighbours: false,
            copy_words: 25,
            rewrite_candidates: false,
            stem: true,
            stop_words: true,
            verdict: VerdictConfig::default(),
            align: AlignConfig::default(),
        }
    }
}

impl Config {
    /// Check ranges and contradictions. An error names each setting by its
    /// field, in backticks (`` `align.min_passage_words` ``), so a caller
    /// can show its own name for it (the command line shows the flag:
    /// `--min-passage-words`).
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::Config(msg));
        let unit = |name: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                bad(format!("`{name}` must be between 0 and 1, not {v}"))
            }
        };
        unit("lsh_threshold", self.lsh_threshold)?;
        unit("cosine_threshold", self.cosine_threshold as f64)?;
        unit("verdict.duplicate", self.verdict.duplicate)?;
        unit("verdict.near_duplicate", self.verdict.near_duplicate)?;
        if self.align.min_passage_words == 0 {
            return bad("`align.min_passage_words` must be at least 1".into());
        }
        unit("align.seed_threshold", self.align.seed_threshold as f64)?;
        if self.lsh_threshold == 0.0 {
            return bad("`lsh_threshold` must be above 0".into());
        }
        if !(1..=4096).contains(&self.num_perm) {
            return bad(format!(
                "`num_perm` must be between 1 and 4096, not {}",
                self.num_perm
            ));
        }
        if self.copy_words != 0 && self.copy_words < crate::winnow::K {
            return bad(format!(
                "`copy_words` must be 0 (off) or at least {}, not {}",
                crate::winnow::K,
                self.copy_words
            ));
        }
        if self.shingle.size() == 0 {
            return bad("`shingle.size` must be at least 1".into());
        }
        if self.verdict.near_duplicate > self.verdict.duplicate {
            return bad(format!(
                "`verdict.near_duplicate` ({}) must not exceed `verdict.duplicate` ({})",
                self.verdict.near_duplicate, self.verdict.duplicate
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report's `settings` read back give the run's configuration: a
    /// report says how to reproduce it.
    #[test]
    fn settings_read_back_are_the_configuration() {
        let mut cfg = Config {
            shingle: ShingleKind::Chars(7),
            ..Config::default()
        };
        cfg.align.min_passage_words = 40;
        let json = serde_json::to_string(&cfg).unwrap();
        assert_eq!(serde_json::from_str::<Config>(&json).unwrap(), cfg);
        // The seeds' committed report was written with the defaults (but
        // for the matrices, kept for its heat map).
        let report = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../reports/seeds.json"
        ))
        .unwrap();
        let report: serde_json::Value = serde_json::from_str(&report).unwrap();
        let mut read: Config = serde_json::from_value(report["settings"].clone()).unwrap();
        read.align.max_matrix_cells = Config::default().align.max_matrix_cells;
        assert_eq!(read, Config::default());
        // A misspelt setting is refused, not ignored.
        let mut v = serde_json::to_value(Config::default()).unwrap();
        v["top_kk"] = 3.into();
        assert!(serde_json::from_value::<Config>(v).is_err());
    }
}
