//! `doppel dedup PATH…`: cluster near-duplicates and keep one per cluster.
//!
//! The corpus is streamed ([`batch::scan`]): LSH candidates tuned for
//! `--threshold`, verified by exact shingle Jaccard; pairs at or above the
//! threshold are joined by union–find, and each cluster keeps its first
//! (or longest) member. Output: the decision for every document
//! (`--emit ids`) or the input's JSON lines of the kept documents, copied
//! byte for byte (`--emit jsonl`), written atomically with `-o`.

use super::args::{InputArgs, SignArgs};
use super::progress::{self, Progress, Summary};
use anyhow::Context;
use clap::{Args, ValueEnum};
use doppel::DocId;
use doppel::batch::{self, BatchOptions, Clusters, Corpus, InputKind, Keep};
use doppel::config::Config;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Which member of a cluster to keep.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KeepArg {
    /// The first in input order.
    First,
    /// The one with the most characters (the first of those on a tie).
    Longest,
}

/// What to write.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum EmitArg {
    /// One line per document: keep or drop, its id, its cluster's kept id
    /// (tab-separated).
    Ids,
    /// The kept documents as JSON Lines: the original lines of a JSONL
    /// input, byte for byte; for text files, objects with the id and text
    /// fields.
    Jsonl,
}

/// Flags of `dedup`.
#[derive(Args, Debug)]
pub struct DedupArgs {
    /// Files, directories (read recursively) or `-` for standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Shingle Jaccard similarity at or above which two documents are
    /// near-duplicates (LSH is tuned for it; pairs are verified exactly).
    #[arg(long, default_value_t = 0.7)]
    pub threshold: f64,
    /// Which member of a cluster to keep.
    #[arg(long, value_enum, default_value = "first")]
    pub keep: KeepArg,
    /// What to write.
    #[arg(long, value_enum, default_value = "ids")]
    pub emit: EmitArg,
    /// Write to FILE instead of standard output, atomically (never a
    /// partial file).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    #[command(flatten)]
    pub sign: SignArgs,
    /// Print the summary line on standard error even when it is not a
    /// terminal.
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

impl DedupArgs {
    fn config(&self) -> anyhow::Result<Config> {
        let mut cfg = Config {
            shingle: self.sign.shingle(),
            num_perm: self.sign.num_perm,
            lsh_threshold: self.threshold,
            ..Config::default()
        };
        cfg.verdict.near_duplicate = self.threshold;
        cfg.verdict.duplicate = cfg.verdict.duplicate.max(self.threshold);
        cfg.validate().map_err(|e| {
            anyhow::anyhow!(
                "{}",
                super::flag_names(&e.to_string().replace("`lsh_threshold`", "--threshold"))
            )
        })?;
        Ok(cfg)
    }
}

/// Find the clusters, write the decisions or the kept lines. Exit status 0
/// when near-duplicates were found, 1 when none, 2 on error.
pub fn run(args: &DedupArgs) -> anyhow::Result<ExitCode> {
    let cfg = args.config()?;
    super::threads(args.threads)?;
    let opts = BatchOptions {
        load: args.input.load_options(),
        ..BatchOptions::default()
    };
    super::output::refuse_overlap(args.output.as_deref(), &args.paths, &opts.load.filter)?;
    let mut out = Sink::open(args.output.as_deref())?;
    let progress = Progress::new(args.input.quiet);
    let result = batch::scan(&args.paths, &opts, &cfg, &|e| progress.event(e));
    progress.finish();
    let scan = result?;
    let failed = super::report_batch_problems(&scan, args.input.quiet);
    let corpus = &scan.corpus;
    let pairs: Vec<(DocId, DocId)> = scan
        .pairs
        .iter()
        .filter(|p| p.scores.jaccard >= args.threshold)
        .map(|p| (p.a, p.b))
        .collect();
    let lengths: Vec<u64> = (0..corpus.len() as DocId)
        .map(|d| corpus.stats(d).chars)
        .collect();
    let keep = match args.keep {
        KeepArg::First => Keep::First,
        KeepArg::Longest => Keep::Longest,
    };
    let clusters = Clusters::build(corpus.len(), &pairs, &lengths, keep);
    {
        let w = out.writer();
        match args.emit {
            EmitArg::Ids => emit_ids(corpus, &clusters, w)?,
            EmitArg::Jsonl => emit_jsonl(corpus, &clusters, &opts, w)?,
        }
    }
    out.finish()?;
    let dropped = clusters.dropped();
    progress::summary(
        &Summary {
            documents: corpus.len(),
            candidates: Some(scan.candidates),
            found: &format!(
                "{} near-duplicate pair{}, {dropped} document{} dropped",
                pairs.len(),
                if pairs.len() == 1 { "" } else { "s" },
                if dropped == 1 { "" } else { "s" }
            ),
            elapsed: progress.elapsed(),
        },
        args.input.quiet,
        args.stats,
    );
    // A filter: success whether or not anything was dropped (so `set -e`
    // pipelines go on); 2 when an input could not be read.
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// An id on one tab-separated field: backslash, tab, line feed and carriage
/// return escaped as `\\`, `\t`, `\n`, `\r`.
fn field(id: &str) -> std::borrow::Cow<'_, str> {
    if !id.contains(['\\', '\t', '\n', '\r']) {
        return id.into();
    }
    let mut s = String::with_capacity(id.len() + 4);
    for c in id.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\t' => s.push_str("\\t"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            c => s.push(c),
        }
    }
    s.into()
}

fn emit_ids(corpus: &Corpus, clusters: &Clusters, w: &mut dyn Write) -> anyhow::Result<()> {
    for d in 0..corpus.len() as DocId {
        let rep = clusters.representative[d as usize];
        let action = if rep == d { "keep" } else { "drop" };
        writeln!(
            w,
            "{action}\t{}\t{}",
            field(corpus.id(d)),
            field(corpus.id(rep))
        )?;
    }
    Ok(())
}

fn emit_jsonl(
    corpus: &Corpus,
    clusters: &Clusters,
    opts: &BatchOptions,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    for d in (0..corpus.len() as DocId).filter(|&d| clusters.kept(d)) {
        let input = &corpus.inputs[corpus.stats(d).location.file as usize];
        match input.kind {
            InputKind::JsonLines => {
                w.write_all(&corpus.raw(d)?)?;
                w.write_all(b"\n")?;
            }
            InputKind::Text => {
                let mut obj = serde_json::Map::new();
                obj.insert(opts.load.id_field.clone(), corpus.id(d).into());
                obj.insert(
                    opts.load.text_field.clone(),
                    corpus.text(d, &opts.load)?.into(),
                );
                serde_json::to_writer(&mut *w, &obj)?;
                w.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}

/// Where the output goes: standard output, or a temporary file beside the
/// target renamed over it once complete (removed on error or on a signal).
enum Sink {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    File {
        out: super::output::Output,
        w: std::io::BufWriter<std::fs::File>,
    },
}

impl Sink {
    /// Create the temporary file now, so a bad path fails before any work.
    fn open(target: Option<&Path>) -> anyhow::Result<Sink> {
        let Some(target) = target.filter(|t| !super::args::is_stdout(t)) else {
            return Ok(Sink::Stdout(std::io::BufWriter::new(std::io::stdout())));
        };
        let mut out = super::output::Output::open(target, doppel_report::Format::Text)?;
        let file = out
            .writer()
            .try_clone()
            .with_context(|| format!("{}: cannot write the output file", target.display()))?;
        Ok(Sink::File {
            out,
            w: std::io::BufWriter::with_capacity(1 << 20, file),
        })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::Stdout(w) => w,
            Sink::File { w, .. } => w,
        }
    }

    /// Flush; for a file, sync it and move it in place.
    fn finish(self) -> anyhow::Result<()> {
        match self {
            Sink::Stdout(mut w) => Ok(w.flush()?),
            Sink::File { out, w } => {
                let target = out.target().display().to_string();
                w.into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| format!("{target}: write failed"))?;
                out.finish()
            }
        }
    }
}
