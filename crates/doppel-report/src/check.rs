//! Reports of `check` (new documents against a reference index): a line
//! of JSON Lines per new document, and one report gathering them all. The
//! index hands over the engine's results
//! (`doppel_index::check::Checked::into_parts`); [`Report::build`] makes
//! each new document's report.

use crate::{DocInfo, PairReport, Report};
use ahash::AHashSet;
use doppel::config::Config;
use doppel::corpus::Document;
use doppel::pipeline;
use doppel::progress::Progress;

/// The pairs among a batch of new documents (`check --within`): for each
/// document, the pairs it forms with the documents before it, reported
/// with it (the later one as B). Unrelated pairs are left out unless
/// `all`.
pub fn within(
    docs: &[Document],
    cfg: &Config,
    all: bool,
    progress: Progress<'_>,
) -> Vec<Vec<PairReport>> {
    let scan = pipeline::scan_with(docs, cfg, progress);
    let kept: Vec<_> = scan
        .pairs
        .iter()
        .filter(|p| all || p.verdict.is_flagged())
        .cloned()
        .collect();
    let report = Report::build(docs, &scan.stats, &kept, true, cfg);
    let mut by_doc: Vec<Vec<PairReport>> = vec![Vec::new(); docs.len()];
    for (p, pr) in kept.iter().zip(report.pairs) {
        by_doc[p.b as usize].push(pr.detached());
    }
    by_doc
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
    /// The line of a report made by `doppel_index::check::Checked::into_parts` (`None` for a
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
    /// Add the report of one new document (from `doppel_index::check::Checked::into_parts`).
    pub fn push(&mut self, report: Report) {
        let mut docs = report.documents.into_iter();
        self.documents.extend(docs.next());
        for r in docs {
            if self.seen.insert(r.id.clone()) {
                self.references.push(r);
            }
        }
        // Each report holds its own copy of the texts its excerpts point
        // into: keep the excerpts alone.
        self.pairs
            .extend(report.pairs.into_iter().map(PairReport::detached));
    }

    /// The whole report.
    pub fn finish(mut self, settings: &Config) -> Report {
        self.documents.append(&mut self.references);
        Report {
            version: env!("CARGO_PKG_VERSION"),
            schema: crate::SCHEMA_VERSION,
            settings: settings.clone(),
            documents: self.documents,
            pairs: self.pairs,
        }
    }
}
