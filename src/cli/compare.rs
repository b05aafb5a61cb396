//! `doppel compare A B`: the full alignment of two documents.

use super::args::{EngineArgs, InputArgs, OutputArgs};
use anyhow::bail;
use clap::Args;
use doppel::corpus;
use doppel::pipeline;
use doppel::report::Report;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The first document (a file, or `-` for standard input).
    pub a: PathBuf,
    /// The second document.
    pub b: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Load both documents, align them whatever their scores, write the report.
pub fn run(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let cfg = args.engine.config()?;
    let outputs = args.output.open()?;
    let opts = args.input.load_options();
    let mut docs = Vec::new();
    let mut failed = false;
    for path in [&args.a, &args.b] {
        let loaded = corpus::load(std::slice::from_ref(path), &opts)?;
        failed |= super::report_problems(&loaded, args.input.quiet);
        match loaded.documents.len() {
            1 => docs.extend(loaded.documents),
            0 => bail!("{}: no document to compare", path.display()),
            n => bail!(
                "{}: holds {n} documents; compare takes one document on each side",
                path.display()
            ),
        }
    }
    let (features, pair) = pipeline::compare(&docs[0], &docs[1], &cfg);
    let report = Report::build(&docs, &features, std::slice::from_ref(&pair), true, &cfg);
    args.output.emit(outputs, &report)?;
    Ok(super::status(failed, report.flagged()))
}
