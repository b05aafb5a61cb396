//! The engine object ([`Engine`], re-exported at the crate root).

use crate::Result;
use crate::config::Config;
use crate::corpus::Document;
use crate::minhash::MinHasher;
use crate::pipeline::{self, Features, PairResult, Scan};
use crate::progress::Progress;
use crate::text::Analyzer;

/// A validated configuration with what every document needs built once
/// (the term analyzer, the MinHash permutations), and the three things a
/// caller asks of it — one document's features, one pair compared, a
/// corpus scanned.
///
/// ```
/// use doppel::{Engine, config::Config, corpus::Document, score::Verdict};
///
/// let engine = Engine::new(Config::default())?;
/// let a = Document::new("a", "The committee approved the budget on Monday. \
///     Members argued for hours about the cost of the new bridge. \
///     In the end the vote was close.");
/// let b = Document::new("b", "On Monday the budget was approved by the committee. \
///     For hours, members argued over what the new bridge would cost. \
///     The vote, in the end, was close.");
/// let pair = engine.compare(&a, &b);
/// assert_eq!(pair.verdict, Verdict::Derivative);
/// let f = engine.features(&a.text);
/// assert_eq!(f.signature.len(), engine.config().num_perm);
/// # Ok::<(), doppel::Error>(())
/// ```
pub struct Engine {
    cfg: Config,
    analyzer: Analyzer,
    hasher: MinHasher,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine for `cfg`; an invalid setting is an error naming it.
    pub fn new(cfg: Config) -> Result<Engine> {
        cfg.validate()?;
        Ok(Engine {
            analyzer: Analyzer::new(cfg.stem, cfg.stop_words),
            hasher: MinHasher::new(cfg.num_perm),
            cfg,
        })
    }

    /// Its configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// One document's tokens, sentences, terms, shingles and signature.
    pub fn features(&self, text: &str) -> Features {
        pipeline::features(text, &self.cfg, &self.analyzer, &self.hasher)
    }

    /// Two documents compared in full and aligned, whatever their scores
    /// (ids 0 and 1); TF-IDF weights come from the two documents alone.
    pub fn compare(&self, a: &Document, b: &Document) -> PairResult {
        pipeline::compare(a, b, &self.cfg).1
    }

    /// Every overlapping pair of a corpus (see [`pipeline::scan`]),
    /// reporting progress to `progress` ([`crate::progress::NONE`] for
    /// none).
    pub fn scan(&self, docs: &[Document], progress: Progress<'_>) -> Scan {
        pipeline::scan_with(docs, &self.cfg, progress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_setting_is_refused_by_name() {
        let cfg = Config {
            num_perm: 0,
            ..Config::default()
        };
        let err = Engine::new(cfg).unwrap_err().to_string();
        assert!(err.contains("`num_perm`"), "{err}");
    }

    /// The engine's answers are the pipeline's: it only holds what the
    /// pipeline would build for every call.
    #[test]
    fn answers_as_the_pipeline_does() {
        let text = |name: &str| {
            std::fs::read_to_string(format!("{}/../../seeds/{name}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
        };
        let docs = [
            Document::new("000", text("000_51955296cd91fa83.txt")),
            Document::new("001", text("001_8e21ef8ac6e0b3df.txt")),
            Document::new("002", text("002_38f6590440b9d911.txt")),
        ];
        let engine = Engine::new(Config::default()).unwrap();
        let pair = engine.compare(&docs[0], &docs[1]);
        let (_, want) = pipeline::compare(&docs[0], &docs[1], engine.config());
        assert_eq!(
            (pair.verdict, pair.alignment.passages.len()),
            (want.verdict, want.alignment.passages.len())
        );
        let f = engine.features(&docs[2].text);
        let analyzer = Analyzer::new(true, true);
        let hasher = MinHasher::new(engine.config().num_perm);
        let g = pipeline::features(&docs[2].text, engine.config(), &analyzer, &hasher);
        assert_eq!((f.shingles, f.signature), (g.shingles, g.signature));
        let scan = engine.scan(&docs, crate::progress::NONE);
        let flagged: Vec<(u32, u32)> = scan
            .pairs
            .iter()
            .filter(|p| p.verdict.is_flagged())
            .map(|p| (p.a, p.b))
            .collect();
        assert_eq!(flagged, [(0, 1)]);
    }
}
