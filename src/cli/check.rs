//! `doppel check --index PATH NEW…`: new documents against a reference
//! index (see [`doppel_index::check`]).

use super::args::{ColorArg, FormatArg, JudgeArgs, OutputArgs};
use super::index::ParamArgs;
use super::output::{Lines, Output};
use clap::{Args, ValueEnum};
use doppel::config::Config;
use doppel::corpus;
use doppel::progress::Event;
use doppel_index::Index;
use doppel_index::check::{Checker, Mode};
use doppel_report::check::{Collector, Line};
use doppel_report::{PairReport, Report};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// New documents checked per round: enough to keep every core busy, few
/// enough that JSON Lines output flows steadily.
const BATCH: usize = 256;

/// Candidate search.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModeArg {
    /// LSH and TF-IDF candidates: finds paraphrases too.
    Full,
    /// LSH candidates only: copies and light edits, several times faster.
    NearDuplicate,
}

/// Settings of a check that the index does not fix.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Matching")]
pub struct QueryArgs {
    /// Document cosine (TF-IDF) at which a reference document becomes a
    /// candidate.
    #[arg(long, default_value_t = Config::default().cosine_threshold)]
    pub cosine_threshold: f32,
    /// Nearest reference documents by cosine kept per new document (0: no
    /// limit).
    #[arg(long, default_value_t = Config::default().top_k)]
    pub top_k: usize,
    /// Also look up reference documents whose sentences share MinHash
    /// bands of their terms with a new document's: a paragraph rewritten
    /// inside a long document, whose whole-document cosine stays low (off
    /// by default, as in `scan`).
    #[arg(long)]
    pub rewrite_candidates: bool,
    #[command(flatten)]
    pub judge: JudgeArgs,
}

/// Flags of `check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Print the summary line (new documents, flagged pairs, how many
    /// derive from the index, time, peak memory) on standard error even
    /// when it is not a terminal.
    #[arg(long)]
    pub stats: bool,
    /// New documents: files, directories (read recursively) or `-` for
    /// standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The reference index (from `doppel index build`).
    #[arg(long, value_name = "PATH")]
    pub index: PathBuf,
    /// Also compare the new documents with each other.
    #[arg(long)]
    pub within: bool,
    /// Candidate search.
    #[arg(long, value_enum, default_value = "full")]
    pub mode: ModeArg,
    /// Also report candidates judged unrelated.
    #[arg(long)]
    pub all: bool,
    /// Worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "text")]
    pub format: FormatArg,
    /// Write to FILE instead of standard output, atomically. Repeatable;
    /// the format follows the extension (.json, .md, .txt, .html, .jsonl), else
    /// --format.
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Colour in text output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Pairs an HTML report shows side by side, flagged first (its table
    /// lists every pair).
    #[arg(long, value_name = "N", default_value_t = doppel_report::html::DEFAULT_MAX_PAIRS)]
    pub max_html_pairs: usize,
    #[command(flatten)]
    pub input: super::args::InputArgs,
    #[command(flatten)]
    pub params: ParamArgs,
    #[command(flatten)]
    pub query: QueryArgs,
}

impl QueryArgs {
    /// `cfg` with these settings, validated.
    fn apply(&self, mut cfg: Config) -> anyhow::Result<Config> {
        cfg.cosine_threshold = self.cosine_threshold;
        cfg.top_k = self.top_k;
        cfg.rewrite_candidates = self.rewrite_candidates;
        self.judge.apply(&mut cfg);
        cfg.validate()?;
        Ok(cfg)
    }
}

fn is_jsonl_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// Check every new document against the index, in batches (parallel
/// within each, see [`Checker::check`]), streaming JSON Lines as batches
/// complete and gathering one report for the other formats.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let index = Index::open_read_only(&args.index)?;
    index
        .params()
        .check_flags(&args.params.flags(), &args.index)?;
    let cfg = args.query.apply(index.params().config())?;
    super::threads(args.threads)?;

    // Outputs first, so a bad path fails before any work.
    let opts = args.input.load_options();
    let mut inputs = args.paths.clone();
    inputs.push(args.index.clone());
    super::output::refuse_overlap(
        args.output.iter().map(PathBuf::as_path),
        &inputs,
        &opts.filter,
    )?;
    // JSON Lines are check's own (a line per new document), not a report.
    let stdout_jsonl = matches!(args.format, FormatArg::Jsonl);
    let report_format = if stdout_jsonl {
        FormatArg::Json
    } else {
        args.format
    };
    let (jsonl_paths, report_paths): (Vec<PathBuf>, Vec<PathBuf>) = args
        .output
        .iter()
        .filter(|p| !super::args::is_stdout(p))
        .cloned()
        .partition(|p| {
            is_jsonl_name(p) || (stdout_jsonl && doppel_report::Format::from_extension(p).is_none())
        });
    let report_out = OutputArgs {
        format: report_format,
        output: report_paths,
        color: args.color,
        max_html_pairs: args.max_html_pairs,
    };
    let report_files = report_out.open()?;
    let cfg = report_out.fit(cfg);
    let to_stdout = super::args::writes_stdout(&args.output);
    let mut lines = Lines::new(
        to_stdout && stdout_jsonl,
        jsonl_paths
            .iter()
            .map(|p| Output::open(p, doppel_report::Format::Jsonl))
            .collect::<anyhow::Result<Vec<_>>>()?,
    );
    let need_report = !report_files.is_empty() || (to_stdout && !stdout_jsonl);

    // Lines streamed to a terminal are their own progress: no bar among them.
    let streamed = to_stdout && stdout_jsonl && std::io::stdout().is_terminal();
    let progress = super::progress::Progress::with_verb(args.input.quiet || streamed, "checking");
    let shown = |e| progress.event(e);
    let loaded = corpus::load_with(&args.paths, &opts, &shown)?;
    let failed = progress.suspend(|| super::report_problems(&loaded, args.input.quiet));
    let docs = &loaded.documents;

    // Pairs among the new documents, each reported with the later one.
    let mut within: Vec<Vec<PairReport>> = if args.within {
        doppel_report::check::within(docs, &cfg, args.all, &shown)
    } else {
        vec![Vec::new(); docs.len()]
    };

    let mode = match args.mode {
        ModeArg::Full => Mode::Full,
        ModeArg::NearDuplicate => Mode::NearDuplicate,
    };
    let mut checker = Checker::new(&index, &cfg, mode)?;
    checker.expect(docs.len())?;
    let mut collector = Collector::default();
    let mut flagged = 0;
    let mut derived = 0;
    shown(Event::Analysing {
        docs: docs.len() as u64,
    });
    for (b, batch) in docs.chunks(BATCH).enumerate() {
        // Reports are built (and the analyses freed) in parallel.
        let reports: Vec<Report> = checker
            .check(batch)?
            .into_par_iter()
            .map(|c| {
                let (docs, feats, pairs) = c.into_parts(args.all);
                Report::build(&docs, &feats, &pairs, true, &cfg)
            })
            .collect();
        for (k, mut report) in reports.into_iter().enumerate() {
            report.pairs.append(&mut within[b * BATCH + k]);
            flagged += report.flagged();
            derived += usize::from(report.flagged() > 0);
            if let Some(line) = Line::of(&report) {
                lines.line(&line)?;
            }
            if need_report {
                collector.push(report);
            }
        }
        shown(Event::Analysed {
            docs: (b * BATCH + batch.len()) as u64,
        });
    }
    progress.finish();
    drop(checker);
    lines.finish()?;
    if need_report {
        report_out.emit(report_files, &collector.finish(&cfg))?;
    }
    super::progress::summary(
        &super::progress::Summary {
            documents: docs.len(),
            candidates: None,
            found: &format!(
                "{flagged} flagged pair{}, {derived} new document{} flagged",
                if flagged == 1 { "" } else { "s" },
                if derived == 1 { "" } else { "s" }
            ),
            elapsed: progress.elapsed(),
        },
        args.input.quiet,
        args.stats,
    );
    Ok(super::status(failed, flagged))
}
