//! `doppel compare A B`: the full alignment of two documents; and
//! `doppel compare --pairs FILE`: many pairs at once, in parallel, each
//! written as it finishes (JSON Lines, or one PAN XML file per pair).

use super::args::{ColorArg, EngineArgs, FormatArg, InputArgs, OutputArgs};
use super::output::{Lines, Output};
use anyhow::{Context, bail};
use clap::builder::PossibleValue;
use clap::{Args, ValueEnum};
use doppel::config::Config;
use doppel::corpus::{self, Document, LoadOptions};
use doppel::pipeline;
use doppel_report::{PairReport, Report};
use rayon::prelude::*;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Output formats of `compare`: the report formats (JSON Lines being the
/// one for `--pairs`), and PAN's.
#[derive(Clone, Copy, Debug)]
pub enum CompareFormat {
    /// A report format, as `scan` writes it.
    Report(FormatArg),
    /// PAN XML: one file per pair in the directory given by `-o`.
    Pan,
}

impl ValueEnum for CompareFormat {
    fn value_variants<'a>() -> &'a [Self] {
        static VARIANTS: OnceLock<Vec<CompareFormat>> = OnceLock::new();
        VARIANTS.get_or_init(|| {
            FormatArg::value_variants()
                .iter()
                .map(|f| CompareFormat::Report(*f))
                .chain([CompareFormat::Pan])
                .collect()
        })
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            CompareFormat::Report(f) => f.to_possible_value(),
            CompareFormat::Pan => Some(
                PossibleValue::new("pan")
                    .help("PAN XML: one file per pair into the directory -o names (with --pairs)"),
            ),
        }
    }
}

/// Flags of `compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The first document (a file, or `-` for standard input).
    #[arg(required_unless_present = "pairs", conflicts_with = "pairs")]
    pub a: Option<PathBuf>,
    /// The second document.
    #[arg(required_unless_present = "pairs", conflicts_with = "pairs")]
    pub b: Option<PathBuf>,
    /// Compare many pairs: FILE holds one pair a line, the paths of A and
    /// B separated by a tab (or by white space when the line has no tab);
    /// empty lines and lines starting with `#` are skipped; `-` reads the
    /// list from standard input. Pairs are aligned in parallel and written
    /// as each is done (--format jsonl, the default, or pan).
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// Resolve relative paths of --pairs against DIR.
    #[arg(long, value_name = "DIR", requires = "pairs")]
    pub base: Option<PathBuf>,
    /// Resolve relative paths of the first column of --pairs against DIR
    /// (instead of --base).
    #[arg(long, value_name = "DIR", requires = "pairs")]
    pub a_dir: Option<PathBuf>,
    /// Resolve relative paths of the second column of --pairs against DIR
    /// (instead of --base).
    #[arg(long, value_name = "DIR", requires = "pairs")]
    pub b_dir: Option<PathBuf>,
    /// Worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Output format on standard output: text, or with --pairs jsonl,
    /// unless given.
    #[arg(long, value_enum)]
    pub format: Option<CompareFormat>,
    /// Write to FILE instead of standard output, atomically (never a
    /// partial file). Repeatable; the format follows the extension (.json,
    /// .md, .txt, .html, .jsonl), else --format. With --format pan, the
    /// directory the PAN files go into (created if missing).
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Colour in text output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Align one pair, or every pair of `--pairs`.
pub fn run(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let cfg = args.engine.config()?;
    super::threads(args.threads)?;
    if args.pairs.is_some() {
        // JSON Lines and PAN files draw no heat map: no matrices kept.
        let mut cfg = cfg;
        cfg.align.max_matrix_cells = 0;
        return run_pairs(args, &cfg);
    }
    let format = match args.format {
        None => FormatArg::Text,
        Some(CompareFormat::Report(f)) => f,
        Some(CompareFormat::Pan) => bail!("--format pan needs --pairs FILE"),
    };
    let output = OutputArgs {
        format,
        output: args.output.clone(),
        color: args.color,
        // One pair: the page always shows it.
        max_html_pairs: 1,
    };
    let cfg = output.fit(cfg);
    let opts = args.input.load_options();
    let inputs: Vec<PathBuf> = [&args.a, &args.b].into_iter().flatten().cloned().collect();
    doppel::corpus::stdin_once(&inputs)?;
    super::output::refuse_overlap(
        args.output.iter().map(PathBuf::as_path),
        &inputs,
        &opts.filter,
    )?;
    let outputs = output.open()?;
    let mut docs = Vec::new();
    let mut failed = false;
    for path in [&args.a, &args.b].into_iter().flatten() {
        let (doc, bad) = load_one(path, &opts, args.input.quiet)?;
        failed |= bad;
        docs.push(doc);
    }
    let (features, pair) = pipeline::compare(&docs[0], &docs[1], &cfg);
    let report = Report::build(&docs, &features, std::slice::from_ref(&pair), true, &cfg);
    output.emit(outputs, &report)?;
    Ok(super::status(failed, report.flagged()))
}

/// Load the one document of `path`; true beside it if a problem was
/// reported on the way.
fn load_one(path: &Path, opts: &LoadOptions, quiet: bool) -> anyhow::Result<(Document, bool)> {
    let mut loaded = corpus::load(std::slice::from_ref(&path.to_path_buf()), opts)?;
    let failed = super::report_problems(&loaded, quiet);
    match loaded.documents.len() {
        1 => Ok((loaded.documents.remove(0), failed)),
        0 => bail!("{}: no document to compare", path.display()),
        n => bail!(
            "{}: holds {n} documents; compare takes one document on each side",
            path.display()
        ),
    }
}

/// One line of a pairs file.
struct PairLine {
    /// 1-based line number in the pairs file.
    line: usize,
    a: PathBuf,
    b: PathBuf,
}

/// Read the pairs file: every line must name two paths.
fn read_pairs(args: &CompareArgs, file: &Path) -> anyhow::Result<Vec<PairLine>> {
    let name = file.display().to_string();
    let reader: Box<dyn BufRead> = if file == Path::new("-") {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(file)
            .with_context(|| format!("{name}: cannot open the pairs file"))?;
        Box::new(std::io::BufReader::new(f))
    };
    let resolve = |dir: &Option<PathBuf>, p: &str| match dir.as_ref().or(args.base.as_ref()) {
        Some(d) => d.join(p),
        None => PathBuf::from(p),
    };
    let mut out = Vec::new();
    for (k, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{name}:{}: cannot read the line", k + 1))?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = if line.contains('\t') {
            line.split('\t').filter(|f| !f.is_empty()).collect()
        } else {
            line.split_whitespace().collect()
        };
        if fields.len() != 2 {
            bail!(
                "{name}:{}: a pair is two paths separated by a tab or white space; \
                 this line has {} field{}",
                k + 1,
                fields.len(),
                if fields.len() == 1 { "" } else { "s" }
            );
        }
        out.push(PairLine {
            line: k + 1,
            a: resolve(&args.a_dir, fields[0]),
            b: resolve(&args.b_dir, fields[1]),
        });
    }
    Ok(out)
}

/// The file name of a document without its extension, as PAN names files.
fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "stdin".to_string())
}

fn base_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "stdin".to_string())
}

fn xml_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A pair's PAN detections: B is the suspicious document ("this"), A the
/// source, offsets and lengths in characters; no feature for a pair judged
/// unrelated.
fn pan_xml(line: &PairLine, report: &PairReport) -> String {
    let mut s = format!(
        "<document reference=\"{}\">\n",
        xml_attr(&base_name(&line.b))
    );
    if report.verdict.is_flagged() {
        for p in &report.passages {
            s.push_str(&format!(
                "<feature name=\"detected-plagiarism\" this_offset=\"{}\" this_length=\"{}\" \
                 source_reference=\"{}\" source_offset=\"{}\" source_length=\"{}\"/>\n",
                p.b.char_start,
                p.b.char_end - p.b.char_start,
                xml_attr(&base_name(&line.a)),
                p.a.char_start,
                p.a.char_end - p.a.char_start,
            ));
        }
    }
    s.push_str("</document>\n");
    s
}

/// Where `--pairs` writes.
enum Sink {
    /// JSON Lines on standard output (unless `-o` was given) and into files.
    Jsonl(Lines),
    /// One PAN XML file per pair in a directory.
    Pan { dir: PathBuf },
}

fn run_pairs(args: &CompareArgs, cfg: &Config) -> anyhow::Result<ExitCode> {
    let file = args.pairs.as_deref().expect("--pairs given");
    let sink = match args
        .format
        .unwrap_or(CompareFormat::Report(FormatArg::Jsonl))
    {
        CompareFormat::Report(FormatArg::Jsonl) => Sink::Jsonl(Lines::new(
            super::args::writes_stdout(&args.output),
            args.output
                .iter()
                .filter(|p| !super::args::is_stdout(p))
                .map(|p| Output::open(p, doppel_report::Format::Jsonl))
                .collect::<anyhow::Result<_>>()?,
        )),
        CompareFormat::Pan => match args.output.as_slice() {
            [dir] => {
                if dir.exists() && !dir.is_dir() {
                    bail!(
                        "{}: --format pan writes into a directory; this is a file",
                        dir.display()
                    );
                }
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("{}: cannot create the directory", dir.display()))?;
                Sink::Pan { dir: dir.clone() }
            }
            _ => bail!("--format pan needs exactly one -o DIR, the directory of the PAN files"),
        },
        CompareFormat::Report(_) => {
            bail!("--pairs writes one object per pair: use --format jsonl or --format pan")
        }
    };
    let pairs = read_pairs(args, file)?;
    let opts = args.input.load_options();
    let name = file.display().to_string();
    let flagged = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let sink = Mutex::new(sink);
    pairs
        .par_iter()
        .try_for_each(|line| -> anyhow::Result<()> {
            let loaded = [&line.a, &line.b].map(|p| load_one(p, &opts, args.input.quiet));
            let [a, b] = match loaded {
                [Ok(a), Ok(b)] => [a, b],
                [x, y] => {
                    for e in [x.err(), y.err()].into_iter().flatten() {
                        eprintln!(
                            "doppel: error: {name}:{}: {}",
                            line.line,
                            super::flag_names(&format!("{e:#}"))
                        );
                    }
                    failed.store(true, Ordering::Relaxed);
                    if args.input.strict {
                        bail!("{name}:{}: stopped (--strict)", line.line);
                    }
                    return Ok(());
                }
            };
            if a.1 || b.1 {
                failed.store(true, Ordering::Relaxed);
            }
            let (_, pair) = pipeline::compare(&a.0, &b.0, cfg);
            let report = PairReport::new(&a.0, &b.0, &pair);
            if report.verdict.is_flagged() {
                flagged.fetch_add(1, Ordering::Relaxed);
            }
            let mut sink = sink.lock().unwrap_or_else(|e| e.into_inner());
            match &mut *sink {
                Sink::Jsonl(lines) => lines.line(&report)?,
                Sink::Pan { dir } => {
                    let target = dir.join(format!("{}-{}.xml", stem(&line.b), stem(&line.a)));
                    drop(sink);
                    let mut f = Output::open(&target, doppel_report::Format::Json)?;
                    f.writer()
                        .write_all(pan_xml(line, &report).as_bytes())
                        .with_context(|| format!("{}: write failed", target.display()))?;
                    f.finish()?;
                }
            }
            Ok(())
        })?;
    let sink = sink.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Sink::Jsonl(lines) = sink {
        lines.finish()?;
    }
    Ok(super::status(
        failed.load(Ordering::Relaxed),
        flagged.load(Ordering::Relaxed),
    ))
}
