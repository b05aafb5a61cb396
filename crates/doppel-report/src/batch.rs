//! Reports of the streamed MinHash mode ([`doppel::batch`]): the run's
//! report, and its flagged pairs aligned after the texts are read again.

use crate::{DocInfo, PairReport, Report};
use doppel::batch::{BatchOptions, BatchScan};
use doppel::config::Config;
use doppel::pipeline::{self, PairResult};
use doppel::{DocId, Result};
use rayon::prelude::*;

/// The report of a MinHash-mode run: every document, and the flagged pairs
/// (all candidates with `all`), without passages — MinHash mode does not
/// align (see [`align_pairs`] to add them).
pub fn report(scan: &BatchScan, all: bool, cfg: &Config) -> Report {
    let c = &scan.corpus;
    let documents = (0..c.len() as DocId)
        .map(|d| {
            let s = c.stats(d);
            DocInfo {
                id: c.id(d).to_string(),
                bytes: s.bytes as usize,
                chars: s.chars as usize,
                words: s.words as usize,
                sentences: s.sentences as usize,
                // Texts are not kept in MinHash mode (the HTML page
                // then shows passages as excerpts).
                text: None,
                disguise: Default::default(),
            }
        })
        .collect();
    let pairs = scan
        .pairs
        .iter()
        .filter(|p| all || p.verdict.is_flagged())
        .map(|p| PairReport {
            a: c.id(p.a).to_string(),
            b: c.id(p.b).to_string(),
            verdict: p.verdict,
            scores: p.scores,
            // MinHash mode aligns nothing.
            coverage: None,
            passages: Vec::new(),
            sentence_map: None,
        })
        .collect();
    Report {
        version: env!("CARGO_PKG_VERSION"),
        schema: crate::SCHEMA_VERSION,
        settings: cfg.clone(),
        documents,
        pairs,
    }
}

/// Align the flagged pairs of a report made by [`report`]: each
/// pair's two texts are read again and compared in full
/// ([`pipeline::compare`]), which fills in passages and coverage (and
/// cosine, weighted over the two documents). Parallel over pairs.
pub fn align_pairs(
    scan: &BatchScan,
    report: &mut Report,
    opts: &BatchOptions,
    cfg: &Config,
) -> Result<()> {
    let c = &scan.corpus;
    let flagged: Vec<&PairResult> = scan
        .pairs
        .iter()
        .filter(|p| p.verdict.is_flagged())
        .collect();
    let aligned: Vec<PairReport> = flagged
        .par_iter()
        .map(|p| {
            let a = doppel::corpus::Document::new(c.id(p.a), c.text(p.a, &opts.load)?);
            let b = doppel::corpus::Document::new(c.id(p.b), c.text(p.b, &opts.load)?);
            let (features, pair) = pipeline::compare(&a, &b, cfg);
            let docs = [a, b];
            let mut r = Report::build(&docs, &features, std::slice::from_ref(&pair), true, cfg);
            // Excerpts alone: the two texts are not kept past this pair.
            Ok(r.pairs.remove(0).detached())
        })
        .collect::<Result<_>>()?;
    for (slot, pair) in report.pairs.iter_mut().zip(aligned) {
        *slot = pair;
    }
    Ok(())
}
