//! The `doppel` binary: parses flags, runs the library, prints, and turns
//! the outcome into an exit status — 0 when a pair was flagged, 1 when none
//! was, 2 on error (like grep).

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use doppel::config::Config;
use doppel::corpus::{self, LoadOptions};
use doppel::pipeline;
use doppel::report::{self, Format, Report};
use doppel::shingle::ShingleKind;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

/// Find duplicated and paraphrased text across documents and show which
/// passages correspond.
#[derive(Parser, Debug)]
#[command(name = "doppel", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Find every pair of overlapping documents in a corpus.
    Scan(ScanArgs),
    /// Align two documents in full.
    Compare(CompareArgs),
}

#[derive(Args, Debug)]
struct ScanArgs {
    /// Files, directories (read recursively) or `-` for standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Also report candidate pairs judged unrelated.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug)]
struct CompareArgs {
    /// The first document (a file, or `-` for standard input).
    a: PathBuf,
    /// The second document.
    b: PathBuf,
    #[command(flatten)]
    common: Common,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug)]
struct Common {
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "text")]
    format: FormatArg,
    /// Write the report to FILE instead of standard output, atomically
    /// (never a partial file). Repeatable; the format follows the
    /// extension (.json, .md, .txt), else --format.
    #[arg(short, long, value_name = "FILE")]
    output: Vec<PathBuf>,
    /// Colour in text output.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
    /// Read inputs as JSON Lines, one document per line.
    #[arg(long)]
    jsonl: bool,
    /// JSONL field holding the document id.
    #[arg(long, default_value = "id")]
    id_field: String,
    /// JSONL field holding the document text.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// Stop on the first skipped or unreadable input.
    #[arg(long)]
    strict: bool,
    /// Skip documents larger than this many bytes.
    #[arg(long, default_value_t = 50 * 1024 * 1024)]
    max_doc_bytes: u64,
    /// Do not print warnings.
    #[arg(short, long)]
    quiet: bool,
    /// Worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    threads: usize,
    /// Values per MinHash signature.
    #[arg(long, default_value_t = 128)]
    num_perm: usize,
    /// Words per shingle (characters with --char-shingles).
    #[arg(long, default_value_t = 5)]
    shingle_size: usize,
    /// Shingle characters instead of words.
    #[arg(long)]
    char_shingles: bool,
    /// Jaccard similarity the LSH bands are tuned for.
    #[arg(long, default_value_t = 0.5)]
    lsh_threshold: f64,
    /// Document cosine (TF-IDF) at which a pair becomes a candidate.
    #[arg(long, default_value_t = 0.2)]
    cosine_threshold: f32,
    /// Nearest neighbours by cosine kept per document (0: no limit).
    #[arg(long, default_value_t = 10)]
    top_k: usize,
    /// Do not stem words on the TF-IDF side.
    #[arg(long)]
    no_stem: bool,
    /// Keep English stop words on the TF-IDF side.
    #[arg(long)]
    keep_stop_words: bool,
    /// Sentence cosine at which two sentences may be aligned.
    #[arg(long, default_value_t = 0.2)]
    seed_threshold: f32,
    /// Share of either document passages must cover for "derivative".
    #[arg(long, default_value_t = 0.3)]
    min_coverage: f64,
    /// Exact shingle Jaccard for "duplicate".
    #[arg(long, default_value_t = 0.9)]
    duplicate: f64,
    /// Exact shingle Jaccard for "near-duplicate".
    #[arg(long, default_value_t = 0.5)]
    near_duplicate: f64,
}

impl Common {
    fn config(&self) -> anyhow::Result<Config> {
        let mut cfg = Config {
            shingle: if self.char_shingles {
                ShingleKind::Chars(self.shingle_size)
            } else {
                ShingleKind::Words(self.shingle_size)
            },
            num_perm: self.num_perm,
            lsh_threshold: self.lsh_threshold,
            cosine_threshold: self.cosine_threshold,
            top_k: self.top_k,
            stem: !self.no_stem,
            stop_words: !self.keep_stop_words,
            ..Config::default()
        };
        cfg.align.seed_threshold = self.seed_threshold;
        cfg.verdict.coverage = self.min_coverage;
        cfg.verdict.duplicate = self.duplicate;
        cfg.verdict.near_duplicate = self.near_duplicate;
        cfg.validate()?;
        Ok(cfg)
    }

    fn load_options(&self) -> LoadOptions {
        LoadOptions {
            jsonl: self.jsonl,
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            strict: self.strict,
            max_doc_bytes: self.max_doc_bytes,
        }
    }

    fn color(&self) -> bool {
        match self.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }

    fn format(&self) -> Format {
        match self.format {
            FormatArg::Text => Format::Text,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Json => Format::Json,
        }
    }
}

/// Temporary files of outputs in progress, removed if the run is
/// interrupted so no partial file is left behind.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// An output file being written: a temporary file beside the target,
/// renamed over it once complete.
struct Output {
    target: PathBuf,
    format: Format,
    temp: tempfile::NamedTempFile,
}

impl Output {
    /// Create the temporary file now, so a missing directory or a read-only
    /// place fails before any work starts.
    fn open(target: &Path, fallback: Format) -> anyhow::Result<Output> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            bail!(
                "{}: cannot write the output file: directory {} does not exist",
                target.display(),
                dir.display()
            );
        }
        if target.is_dir() {
            bail!("{}: is a directory, not an output file", target.display());
        }
        let temp = tempfile::Builder::new()
            .prefix(".doppel-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("{}: cannot write the output file here", target.display()))?;
        if let Ok(mut p) = PENDING.lock() {
            p.push(temp.path().to_path_buf());
        }
        Ok(Output {
            target: target.to_path_buf(),
            format: Format::from_extension(target).unwrap_or(fallback),
            temp,
        })
    }

    fn write(mut self, report: &Report) -> anyhow::Result<()> {
        let temp_path = self.temp.path().to_path_buf();
        {
            let mut w = std::io::BufWriter::new(self.temp.as_file_mut());
            report::render(report, self.format, false, &mut w)
                .and_then(|_| w.flush())
                .with_context(|| format!("{}: write failed", self.target.display()))?;
        }
        // A temporary file is private (0600); the report should get the
        // permissions of the file it replaces, or the usual ones.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&self.target)
                .map(|m| m.permissions().mode())
                .unwrap_or(0o644);
            let _ = self
                .temp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode));
        }
        self.temp
            .as_file()
            .sync_all()
            .with_context(|| format!("{}: write failed", self.target.display()))?;
        self.temp.persist(&self.target).with_context(|| {
            format!("{}: cannot replace the output file", self.target.display())
        })?;
        if let Ok(mut p) = PENDING.lock() {
            p.retain(|x| x != &temp_path);
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    let _ = ctrlc::set_handler(|| {
        if let Ok(p) = PENDING.lock() {
            for path in p.iter() {
                let _ = std::fs::remove_file(path);
            }
        }
        std::process::exit(130);
    });
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::from(0);
            }
            eprintln!("doppel: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let common = match &cli.command {
        Command::Scan(a) => &a.common,
        Command::Compare(a) => &a.common,
    };
    let cfg = common.config()?;
    if common.threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(common.threads)
            .build_global()
            .context("cannot start worker threads")?;
    }
    let outputs: Vec<Output> = common
        .output
        .iter()
        .map(|p| Output::open(p, common.format()))
        .collect::<anyhow::Result<_>>()?;
    let opts = common.load_options();
    let (docs, failed, report) = match &cli.command {
        Command::Scan(args) => {
            let loaded = corpus::load(&args.paths, &opts)?;
            let failed = report_problems(&loaded, common.quiet);
            let scan = pipeline::scan(&loaded.documents, &cfg);
            let report = Report::build(
                &loaded.documents,
                &scan.features,
                &scan.pairs,
                args.all,
                &cfg,
            );
            (loaded.documents, failed, report)
        }
        Command::Compare(args) => {
            let mut docs = Vec::new();
            let mut failed = false;
            for path in [&args.a, &args.b] {
                let loaded = corpus::load(std::slice::from_ref(path), &opts)?;
                failed |= report_problems(&loaded, common.quiet);
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
            (docs, failed, report)
        }
    };
    drop(docs);
    if outputs.is_empty() {
        let stdout = std::io::stdout();
        let mut w = std::io::BufWriter::new(stdout.lock());
        report::render(&report, common.format(), common.color(), &mut w)?;
        w.flush()?;
    }
    for out in outputs {
        out.write(&report)?;
    }
    Ok(if failed {
        ExitCode::from(2)
    } else if report.flagged() > 0 {
        ExitCode::from(0)
    } else {
        ExitCode::from(1)
    })
}

/// Print warnings and errors met while loading; true if any input failed.
fn report_problems(loaded: &corpus::Loaded, quiet: bool) -> bool {
    if !quiet {
        for w in &loaded.warnings {
            eprintln!("doppel: warning: {w}");
        }
    }
    for e in &loaded.errors {
        eprintln!("doppel: error: {}", doppel::error::chain(e));
    }
    !loaded.errors.is_empty()
}
