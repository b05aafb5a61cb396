//! `doppel-gen`: writes a synthetic corpus with planted near-duplicates and
//! paraphrases (JSON Lines) and the ground truth of the planted pairs, for
//! benchmarks. The generator itself is [`doppel_synth`].
//!
//! ```sh
//! doppel-gen --docs 100000 --seed 1 --out corpus.jsonl --truth truth.jsonl
//! ```
//!
//! Both files are written atomically (a temporary file beside each target,
//! renamed when complete); memory stays bounded whatever `--docs` is.

use anyhow::{Context, bail};
use clap::Parser;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Generate a synthetic corpus with planted overlaps and its ground truth.
#[derive(Parser, Debug)]
#[command(name = "doppel-gen", version, about, long_about = None)]
struct Args {
    /// Number of documents.
    #[arg(long)]
    docs: usize,
    /// Seed: the same seed always gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Corpus file (JSON Lines: {"id": …, "text": …}).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Ground-truth file (JSON Lines, one planted pair per line).
    #[arg(long, value_name = "FILE")]
    truth: PathBuf,
    /// Kinds of planted pairs, comma-separated (default: every kind but
    /// embed-rewrite, which earlier corpora lacked; `all`: every kind).
    /// Kinds: substitute-light, substitute-heavy, delete-sentences,
    /// insert-sentences, embed-passage, reorder-sentences, embed-rewrite.
    #[arg(long, value_name = "LIST", value_parser = parse_kinds)]
    kinds: Option<Kinds>,
    /// Worker threads (0: one per core). The output does not depend on it.
    #[arg(short = 'j', long, default_value_t = 0)]
    threads: usize,
}

/// The kinds `--kinds` names.
#[derive(Clone, Debug)]
struct Kinds(Vec<doppel_synth::EditKind>);

/// `--kinds`: kind names separated by commas, or `all`.
fn parse_kinds(list: &str) -> Result<Kinds, String> {
    use doppel_synth::EditKind;
    if list == "all" {
        return Ok(Kinds(EditKind::ALL.to_vec()));
    }
    let mut kinds = Vec::new();
    for name in list.split(',').map(str::trim) {
        let kind = EditKind::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = EditKind::ALL.iter().map(|k| k.name()).collect();
            format!(
                "unknown kind {name:?} (kinds: {}, or all)",
                names.join(", ")
            )
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(Kinds(kinds))
}

/// A temporary file beside `target`, to be renamed over it when complete.
fn temp_beside(target: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        bail!(
            "{}: cannot write: directory {} does not exist",
            target.display(),
            dir.display()
        );
    }
    // Outputs are moved into place by a rename, which over /dev/null or a
    // FIFO would put a file where the special one was.
    if std::fs::metadata(target).is_ok_and(|m| !m.is_file()) {
        bail!(
            "{}: not a regular file (a device, FIFO, socket or directory); doppel-gen writes \
             regular files",
            target.display()
        );
    }
    tempfile::Builder::new()
        .prefix(".doppel-gen-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot write here", target.display()))
}

fn run(args: &Args) -> anyhow::Result<()> {
    if args.out == args.truth {
        bail!("--out and --truth must be different files");
    }
    if args.threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(args.threads)
            .build_global()
            .context("cannot start worker threads")?;
    }
    let mut corpus = temp_beside(&args.out)?;
    let mut truth = temp_beside(&args.truth)?;
    let synth = doppel_synth::Synth::new(args.docs, args.seed)
        .with_kinds(args.kinds.as_ref().map_or(&[], |k| k.0.as_slice()));
    let stats = doppel_synth::write_corpus(
        &synth,
        BufWriter::with_capacity(1 << 20, corpus.as_file_mut()),
        BufWriter::with_capacity(1 << 16, truth.as_file_mut()),
    )
    .with_context(|| format!("{}: write failed", args.out.display()))?;
    corpus
        .persist(&args.out)
        .with_context(|| format!("{}: cannot write", args.out.display()))?;
    truth
        .persist(&args.truth)
        .with_context(|| format!("{}: cannot write", args.truth.display()))?;
    // Temporary files are private; the outputs are ordinary files.
    #[cfg(unix)]
    for path in [&args.out, &args.truth] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("{}: cannot set permissions", path.display()))?;
    }
    eprintln!(
        "doppel-gen: {} documents ({:.1} MB of text), {} planted pairs",
        stats.docs,
        stats.text_bytes as f64 / 1e6,
        stats.pairs
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("doppel-gen: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
