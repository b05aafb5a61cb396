//! `doppel scan PATH…`: every overlapping pair in a corpus.

use super::args::{EngineArgs, InputArgs, OutputArgs};
use super::output::Lines;
use super::progress::{self, Progress, Summary};
use clap::Args;
use doppel::batch::{self, BatchOptions};
use doppel::corpus;
use doppel::pipeline;
use doppel_report::{Format, PairReport, Report};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `scan`.
#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files, directories (read recursively) or `-` for standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Also report candidate pairs judged unrelated.
    #[arg(long)]
    pub all: bool,
    /// Worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// MinHash mode for large corpora: candidates from LSH only, verified by
    /// exact shingle Jaccard (duplicate, near-duplicate); texts are streamed
    /// and not kept in memory; no TF-IDF, no passages (see --align).
    #[arg(long)]
    pub minhash_only: bool,
    /// With --minhash-only: read the flagged pairs' texts again and align
    /// them, to report their passages.
    #[arg(long, requires = "minhash_only")]
    pub align: bool,
    /// Print the summary line (documents, pairs, time, peak memory) on
    /// standard error even when it is not a terminal.
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Load the corpus, find and align every overlapping pair (in parallel,
/// see [`pipeline::scan`]), write the report. With `--minhash-only`, stream
/// the corpus instead (see [`batch::scan`]).
pub fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let cfg = args.output.fit(args.engine.config()?);
    super::threads(args.threads)?;
    let opts = args.input.load_options();
    super::output::refuse_overlap(
        args.output.output.iter().map(PathBuf::as_path),
        &args.paths,
        &opts.filter,
    )?;
    let outputs = args.output.open()?;
    if args.minhash_only {
        return run_minhash(args, &cfg, outputs);
    }
    if args.output.formats().iter().all(|&f| f == Format::Jsonl) {
        return run_streamed(args, &cfg, outputs);
    }
    let progress = Progress::new(args.input.quiet);
    let shown = |e| progress.event(e);
    let loaded = corpus::load_with(&args.paths, &opts, &shown)?;
    let failed = progress.suspend(|| super::report_problems(&loaded, args.input.quiet));
    let scan = pipeline::scan_with(&loaded.documents, &cfg, &shown);
    let report = Report::build(&loaded.documents, &scan.stats, &scan.pairs, args.all, &cfg);
    progress.finish();
    args.output.emit(outputs, &report)?;
    progress::summary(
        &Summary {
            documents: loaded.documents.len(),
            candidates: Some(scan.pairs.len()),
            found: &found(&scan, report.flagged()),
            elapsed: progress.elapsed(),
        },
        args.input.quiet,
        args.stats,
    );
    Ok(super::status(failed, report.flagged()))
}

/// A scan whose every output is JSON Lines: each pair is written as soon
/// as it is aligned (see [`pipeline::scan_each`]), none is kept.
fn run_streamed(
    args: &ScanArgs,
    cfg: &doppel::config::Config,
    outputs: Vec<super::output::Output>,
) -> anyhow::Result<ExitCode> {
    let to_stdout = super::args::writes_stdout(&args.output.output);
    // Lines streamed to a terminal are their own progress: no bar among them.
    let quiet = args.input.quiet || (to_stdout && std::io::stdout().is_terminal());
    let progress = Progress::new(quiet);
    let shown = |e| progress.event(e);
    let loaded = corpus::load_with(&args.paths, &args.input.load_options(), &shown)?;
    let failed = progress.suspend(|| super::report_problems(&loaded, args.input.quiet));
    let docs = &loaded.documents;
    let mut lines = Lines::new(to_stdout, outputs);
    let (mut candidates, mut flagged) = (0, 0);
    let scan = pipeline::scan_each(docs, cfg, &shown, |pair| {
        candidates += 1;
        if pair.verdict.is_flagged() {
            flagged += 1;
        } else if !args.all {
            return Ok(());
        }
        let (a, b) = (&docs[pair.a as usize], &docs[pair.b as usize]);
        lines.line(&PairReport::new(a, b, &pair))
    })?;
    progress.finish();
    lines.finish()?;
    progress::summary(
        &Summary {
            documents: docs.len(),
            candidates: Some(candidates),
            found: &found(&scan, flagged),
            elapsed: progress.elapsed(),
        },
        args.input.quiet,
        args.stats,
    );
    Ok(super::status(failed, flagged))
}

/// The summary's account of a full scan: what each source of candidates
/// proposed (a pair may come from several), what was flagged, and what
/// was left out as boilerplate.
fn found(scan: &pipeline::Scan, flagged_pairs: usize) -> String {
    let mut parts = vec![
        format!(
            "proposed by LSH {}, cosine {}, copied runs {}, rewritten sentences {}",
            scan.lsh_candidates,
            scan.cosine_candidates,
            scan.copy_candidates,
            scan.rewrite_candidates
        ),
        flagged(flagged_pairs),
    ];
    let max = doppel::winnow::MAX_POSTING;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if scan.boilerplate_fingerprints > 0 {
        let n = scan.boilerplate_fingerprints;
        parts.push(format!(
            "{n} boilerplate fingerprint{} (in more than {max} documents) paired nothing",
            plural(n)
        ));
    }
    if scan.corpus_keys > 0 {
        let n = scan.corpus_keys;
        parts.push(format!(
            "{n} heavy term{} of the whole corpus (in more than {} documents) left out of the \
             cosine search",
            plural(n),
            doppel::neighbours::MAX_KEY_DOCS
        ));
    }
    if scan.stock_sentences > 0 {
        let n = scan.stock_sentences;
        parts.push(format!(
            "{n} stock sentence band{} (in more than {max} documents) paired nothing",
            plural(n)
        ));
    }
    parts.join(", ")
}

fn flagged(n: usize) -> String {
    format!("{n} flagged pair{}", if n == 1 { "" } else { "s" })
}

fn run_minhash(
    args: &ScanArgs,
    cfg: &doppel::config::Config,
    outputs: Vec<super::output::Output>,
) -> anyhow::Result<ExitCode> {
    let opts = BatchOptions {
        load: args.input.load_options(),
        ..BatchOptions::default()
    };
    let progress = Progress::new(args.input.quiet);
    let result = batch::scan(&args.paths, &opts, cfg, &|e| progress.event(e));
    progress.finish();
    let scan = result?;
    let failed = super::report_batch_problems(&scan, args.input.quiet);
    let mut report = doppel_report::batch::report(&scan, args.all, cfg);
    if args.align {
        doppel_report::batch::align_pairs(&scan, &mut report, &opts, cfg)?;
    }
    args.output.emit(outputs, &report)?;
    progress::summary(
        &Summary {
            documents: scan.corpus.len(),
            candidates: Some(scan.candidates),
            found: &flagged(report.flagged()),
            elapsed: progress.elapsed(),
        },
        args.input.quiet,
        args.stats,
    );
    Ok(super::status(failed, report.flagged()))
}
