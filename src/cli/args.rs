//! Flags shared by subcommands: how inputs are read, how reports are
//! written, and the engine's settings.

use super::output::Output;
use clap::{Args, ValueEnum};
use doppel::config::Config;
use doppel::corpus::{LoadOptions, PathFilter, PathGlob};
use doppel::shingle::ShingleKind;
use doppel_report::{self as report, Format, RenderOptions, Report};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Report formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    /// Plain text for a terminal.
    Text,
    /// Markdown.
    Markdown,
    /// JSON.
    Json,
    /// One self-contained HTML page: both texts side by side.
    Html,
    /// JSON Lines: one object a line, a pair (for check, a new document and
    /// its pairs), written as they are done (scan --minhash-only: at the
    /// end).
    Jsonl,
}

/// When to colour text output.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ColorArg {
    /// When standard output is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Where and how reports are written.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "text")]
    pub format: FormatArg,
    /// Write the report to FILE instead of standard output, atomically
    /// (never a partial file). Repeatable; the format follows the
    /// extension (.json, .md, .txt, .html, .jsonl), else --format.
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Colour in text output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Pairs an HTML report shows side by side, flagged first (its table
    /// lists every pair; the JSON report holds them all).
    #[arg(long, value_name = "N", default_value_t = doppel_report::html::DEFAULT_MAX_PAIRS)]
    pub max_html_pairs: usize,
}

impl OutputArgs {
    /// Whether text on standard output gets colour.
    pub fn color(&self) -> bool {
        match self.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }

    /// How reports are written on standard output.
    pub fn render_options(&self) -> RenderOptions {
        RenderOptions {
            color: self.color(),
            max_html_pairs: self.max_html_pairs,
        }
    }

    /// The format on standard output.
    pub fn format(&self) -> Format {
        match self.format {
            FormatArg::Text => Format::Text,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Json => Format::Json,
            FormatArg::Html => Format::Html,
            FormatArg::Jsonl => Format::Jsonl,
        }
    }

    /// Open every `--output` file now, before any work, so a bad path fails
    /// early.
    pub fn open(&self) -> anyhow::Result<Vec<Output>> {
        self.output
            .iter()
            .filter(|p| !is_stdout(p))
            .map(|p| Output::open(p, self.format()))
            .collect()
    }

    /// The formats of every output (standard output's, then each file's).
    pub fn formats(&self) -> Vec<Format> {
        let stdout = writes_stdout(&self.output);
        stdout
            .then(|| self.format())
            .into_iter()
            .chain(
                self.output
                    .iter()
                    .filter(|p| !is_stdout(p))
                    .map(|p| Format::from_extension(p).unwrap_or(self.format())),
            )
            .collect()
    }

    /// The configuration for a run writing these outputs (see
    /// [`doppel_report::fit_settings`]).
    pub fn fit(&self, cfg: Config) -> Config {
        doppel_report::fit_settings(cfg, self.formats())
    }

    /// Print the report on standard output when no `--output` was given,
    /// then complete every output file.
    pub fn emit(&self, outputs: Vec<Output>, report: &Report) -> anyhow::Result<()> {
        if writes_stdout(&self.output) {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            report::render(report, self.format(), &self.render_options(), &mut w)?;
            w.flush()?;
        }
        let files = RenderOptions {
            color: false,
            ..self.render_options()
        };
        for out in outputs {
            out.write(report, &files)?;
        }
        Ok(())
    }
}

/// How inputs are read.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Read inputs as JSON Lines, one document per line.
    #[arg(long)]
    pub jsonl: bool,
    /// JSONL field holding the document id.
    #[arg(long, default_value_t = LoadOptions::default().id_field)]
    pub id_field: String,
    /// JSONL field holding the document text.
    #[arg(long, default_value_t = LoadOptions::default().text_field)]
    pub text_field: String,
    /// Stop on the first skipped or unreadable input.
    #[arg(long)]
    pub strict: bool,
    /// Skip documents larger than this many bytes, with a warning naming
    /// them; with --jsonl, lines longer than this (read in bounded memory).
    #[arg(long, default_value_t = LoadOptions::default().max_doc_bytes)]
    pub max_doc_bytes: u64,
    /// Encoding of text files that are not UTF-8 (and have no UTF-16 byte
    /// order mark): any WHATWG label, such as windows-1252, iso-8859-2,
    /// shift_jis, gbk, koi8-r. Such files are read with a warning naming
    /// them; --strict refuses them instead.
    #[arg(long, default_value = "windows-1252", value_parser = parse_encoding)]
    pub encoding: &'static encoding_rs::Encoding,
    /// Read only the files of a directory that match GLOB (repeatable;
    /// `!GLOB` excludes), as ripgrep's --glob: a pattern without `/` is
    /// matched against file and directory names, one with `/` against the
    /// path under the directory given. Files named directly are always read.
    #[arg(short = 'g', long = "glob", value_name = "GLOB", value_parser = |s: &str| PathGlob::parse(s, false))]
    pub globs: Vec<PathGlob>,
    /// Leave out the files and directories of a directory walk that match
    /// GLOB (repeatable; the same as --glob '!GLOB').
    #[arg(long = "exclude", value_name = "GLOB", value_parser = |s: &str| PathGlob::parse(s, true))]
    pub excludes: Vec<PathGlob>,
    /// Put PREFIX before every document's id (`2026-12-01/` makes
    /// `a.txt` of that day's batch `2026-12-01/a.txt`), so batches holding
    /// the same names stay apart in an index.
    #[arg(long, value_name = "PREFIX", default_value = "")]
    pub id_prefix: String,
    /// Do not print warnings.
    #[arg(short, long)]
    pub quiet: bool,
}

impl InputArgs {
    /// The loader's options.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            jsonl: self.jsonl,
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            strict: self.strict,
            max_doc_bytes: self.max_doc_bytes,
            encoding: self.encoding,
            filter: PathFilter::new(self.globs.iter().chain(&self.excludes).cloned().collect()),
            id_prefix: self.id_prefix.clone(),
        }
    }
}

/// Whether an output path is `-`, standard output.
pub fn is_stdout(path: &std::path::Path) -> bool {
    path.as_os_str() == "-"
}

/// Whether a command given these `-o` paths writes to standard output:
/// when none is given, or one is `-`.
pub fn writes_stdout(outputs: &[PathBuf]) -> bool {
    outputs.is_empty() || outputs.iter().any(|p| is_stdout(p))
}

fn parse_encoding(label: &str) -> Result<&'static encoding_rs::Encoding, String> {
    match encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
        // UTF-16 needs its byte order mark, which is read whatever this says.
        Some(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => Err(format!(
            "{label:?}: UTF-16 files are read by their byte order mark; name a fallback for files without one"
        )),
        Some(e) => Ok(e),
        None => Err(format!(
            "{label:?} is not an encoding label (try windows-1252, iso-8859-15, shift_jis, gbk, koi8-r)"
        )),
    }
}

/// How documents are shingled and signed (`scan`, `compare`, `dedup`).
#[derive(Args, Debug, Clone)]
pub struct SignArgs {
    /// Values per MinHash signature.
    #[arg(long, default_value_t = Config::default().num_perm)]
    pub num_perm: usize,
    /// Words per shingle (characters with --char-shingles).
    #[arg(long, default_value_t = Config::default().shingle.size())]
    pub shingle_size: usize,
    /// Shingle characters instead of words.
    #[arg(long)]
    pub char_shingles: bool,
}

impl SignArgs {
    /// The shingles these flags ask for.
    pub fn shingle(&self) -> ShingleKind {
        if self.char_shingles {
            ShingleKind::Chars(self.shingle_size)
        } else {
            ShingleKind::Words(self.shingle_size)
        }
    }
}

/// How passages are found and pairs judged (`scan`, `compare`, `check`).
#[derive(Args, Debug, Clone)]
pub struct JudgeArgs {
    /// Cosine and term Dice at which two sentences match (a seed of a
    /// passage).
    #[arg(long, default_value_t = Config::default().align.seed_threshold)]
    pub seed_threshold: f32,
    /// Words each side of a passage needs; a pair sharing one such
    /// passage is derivative.
    #[arg(long, default_value_t = Config::default().align.min_passage_words)]
    pub min_passage_words: usize,
    /// Exact shingle Jaccard for "duplicate".
    #[arg(long, default_value_t = Config::default().verdict.duplicate)]
    pub duplicate: f64,
    /// Exact shingle Jaccard for "near-duplicate".
    #[arg(long, default_value_t = Config::default().verdict.near_duplicate)]
    pub near_duplicate: f64,
}

impl JudgeArgs {
    /// Set these in `cfg` (not validated).
    pub fn apply(&self, cfg: &mut Config) {
        cfg.align.seed_threshold = self.seed_threshold;
        cfg.align.min_passage_words = self.min_passage_words;
        cfg.verdict.duplicate = self.duplicate;
        cfg.verdict.near_duplicate = self.near_duplicate;
    }
}

/// The engine's settings.
#[derive(Args, Debug, Clone)]
pub struct EngineArgs {
    #[command(flatten)]
    pub sign: SignArgs,
    /// Jaccard similarity the LSH bands are tuned for.
    #[arg(long, default_value_t = Config::default().lsh_threshold)]
    pub lsh_threshold: f64,
    /// Document cosine (TF-IDF) at which a pair becomes a candidate.
    #[arg(long, default_value_t = Config::default().cosine_threshold)]
    pub cosine_threshold: f32,
    /// Nearest neighbours by cosine kept per document (0: no limit).
    #[arg(long, default_value_t = Config::default().top_k)]
    pub top_k: usize,
    /// Find the cosine neighbours by the exact all-pairs search, whose
    /// cost grows faster than the corpus (by default they are found
    /// through each document's heaviest terms, in time linear in the
    /// corpus, missing a few pairs that share no heavy term).
    #[arg(long)]
    pub exact_neighbours: bool,
    /// Pairs sharing a verbatim run of N words are candidates, whatever
    /// their Jaccard or cosine: a passage copied into an unrelated document
    /// (winnowed fingerprints; 0: off).
    #[arg(long, value_name = "N", default_value_t = Config::default().copy_words)]
    pub min_copy_words: usize,
    /// Also propose pairs whose sentences share MinHash bands of their
    /// terms: a paragraph rewritten inside a long document, whose
    /// whole-document cosine stays low (off by default: on texts of one
    /// genre it also proposes pairs alike only in stock phrasing).
    #[arg(long)]
    pub rewrite_candidates: bool,
    /// Do not stem words on the TF-IDF side.
    #[arg(long)]
    pub no_stem: bool,
    /// Keep English stop words on the TF-IDF side.
    #[arg(long)]
    pub keep_stop_words: bool,
    #[command(flatten)]
    pub judge: JudgeArgs,
}

impl EngineArgs {
    /// The validated configuration these flags describe.
    pub fn config(&self) -> anyhow::Result<Config> {
        let mut cfg = Config {
            shingle: self.sign.shingle(),
            num_perm: self.sign.num_perm,
            lsh_threshold: self.lsh_threshold,
            cosine_threshold: self.cosine_threshold,
            top_k: self.top_k,
            exact_neighbours: self.exact_neighbours,
            copy_words: self.min_copy_words,
            rewrite_candidates: self.rewrite_candidates,
            stem: !self.no_stem,
            stop_words: !self.keep_stop_words,
            ..Config::default()
        };
        self.judge.apply(&mut cfg);
        cfg.validate()?;
        Ok(cfg)
    }
}
