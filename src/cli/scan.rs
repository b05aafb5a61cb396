//! `doppel scan PATH…`: every overlapping pair in a corpus.

use super::args::{EngineArgs, InputArgs, OutputArgs};
use clap::Args;
use doppel::corpus;
use doppel::pipeline;
use doppel::report::Report;
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
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Load the corpus, find and align every overlapping pair (in parallel,
/// see [`pipeline::scan`]), write the report.
pub fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let cfg = args.engine.config()?;
    super::threads(args.threads)?;
    let outputs = args.output.open()?;
    let loaded = corpus::load(&args.paths, &args.input.load_options())?;
    let failed = super::report_problems(&loaded, args.input.quiet);
    let scan = pipeline::scan(&loaded.documents, &cfg);
    let report = Report::build(
        &loaded.documents,
        &scan.features,
        &scan.pairs,
        args.all,
        &cfg,
    );
    args.output.emit(outputs, &report)?;
    Ok(super::status(failed, report.flagged()))
}
