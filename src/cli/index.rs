//! `doppel index build|add|stats|remove`: the reference index on disk (see
//! [`doppel_index`]).

use super::args::InputArgs;
use super::progress::Progress;
use anyhow::bail;
use clap::{Args, Subcommand};
use doppel::corpus::{self, Document};
use doppel_index::{Builder, Index, ParamFlags};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Flags of `index`.
#[derive(Args, Debug)]
pub struct IndexArgs {
    #[command(subcommand)]
    pub command: IndexCommand,
}

/// The subcommands of `index`.
#[derive(Subcommand, Debug)]
pub enum IndexCommand {
    /// Create an index of reference documents (written aside, then moved
    /// into place: never a half-built index).
    Build(BuildArgs),
    /// Add documents to an index, in one transaction: all or none.
    Add(AddArgs),
    /// Show an index's size, counts and parameters.
    Stats(StatsArgs),
    /// Remove documents from an index by id, in one transaction.
    Remove(RemoveArgs),
    /// List the documents of an index: id, source, size in characters and
    /// when it was added (UTC), in the order they were added (the ids
    /// `check` reports and `remove` takes).
    List(ListArgs),
}

/// Flags of `index list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// The index file.
    #[arg(long, value_name = "PATH")]
    pub index: PathBuf,
    /// One JSON object a line ({"id", "source", "chars", "added"}: seconds
    /// since 1970, or null) instead of tab-separated columns.
    #[arg(long)]
    pub json: bool,
}

/// The parameters fixed when an index is built. At build time, flags not
/// given take their defaults; later, a flag given must match the index.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Index parameters (fixed at build time)")]
pub struct ParamArgs {
    /// Values per MinHash signature [default at build: 128].
    #[arg(long)]
    pub num_perm: Option<usize>,
    /// Words per shingle (characters with --char-shingles) [default at
    /// build: 5].
    #[arg(long)]
    pub shingle_size: Option<usize>,
    /// Shingle characters instead of words.
    #[arg(long)]
    pub char_shingles: bool,
    /// Jaccard similarity the LSH bands are tuned for [default at build:
    /// 0.5].
    #[arg(long)]
    pub lsh_threshold: Option<f64>,
    /// Do not stem words on the TF-IDF side.
    #[arg(long)]
    pub no_stem: bool,
    /// Keep English stop words on the TF-IDF side.
    #[arg(long)]
    pub keep_stop_words: bool,
}

impl ParamArgs {
    /// The flags as typed.
    pub fn flags(&self) -> ParamFlags {
        ParamFlags {
            num_perm: self.num_perm,
            shingle_size: self.shingle_size,
            char_shingles: self.char_shingles,
            lsh_threshold: self.lsh_threshold,
            no_stem: self.no_stem,
            keep_stop_words: self.keep_stop_words,
        }
    }
}

/// Flags of `index build`.
#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Reference documents: files, directories (read recursively) or `-`
    /// for standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The index file to create.
    #[arg(long, value_name = "PATH")]
    pub index: PathBuf,
    /// Replace an existing index.
    #[arg(long)]
    pub force: bool,
    /// Store each document's sentence band keys, so `check
    /// --rewrite-candidates` can find a paragraph rewritten from one (16
    /// keys a sentence: more space and build time).
    #[arg(long)]
    pub rewrite_candidates: bool,
    /// Worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Index the other inputs when some are skipped (binary, over
    /// --max-doc-bytes, FIFOs); without it such a run stops with nothing
    /// written, so an index never silently lacks a document it was given.
    #[arg(long)]
    pub skip_unreadable: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub params: ParamArgs,
}

/// Flags of `index add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// Documents to add: files, directories (read recursively) or `-` for
    /// standard input.
    #[arg(required_unless_present = "rewrite_candidates")]
    pub paths: Vec<PathBuf>,
    /// The index file.
    #[arg(long, value_name = "PATH")]
    pub index: PathBuf,
    /// Store the sentence band keys of every document, those already in
    /// the index included, so `check --rewrite-candidates` can find a
    /// paragraph rewritten from one (16 keys a sentence); the index then
    /// keeps them for every later add.
    #[arg(long)]
    pub rewrite_candidates: bool,
    /// Worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Index the other inputs when some are skipped (binary, over
    /// --max-doc-bytes, FIFOs); without it such a run stops with nothing
    /// written, so an index never silently lacks a document it was given.
    #[arg(long)]
    pub skip_unreadable: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub params: ParamArgs,
}

/// Flags of `index stats`.
#[derive(Args, Debug)]
pub struct StatsArgs {
    /// The index file.
    #[arg(long, value_name = "PATH")]
    pub index: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Also check the whole index for damage (reads every page).
    #[arg(long)]
    pub verify: bool,
}

/// Flags of `index remove`.
#[derive(Args, Debug)]
pub struct RemoveArgs {
    /// Ids of the documents to remove.
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// The index file.
    #[arg(long, value_name = "PATH")]
    pub index: PathBuf,
    /// Do not print the summary.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Run one `index` subcommand. Exit status 0 on success (errors exit 2
/// through `main`).
pub fn run(args: &IndexArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        IndexCommand::Build(a) => build(a),
        IndexCommand::Add(a) => add(a),
        IndexCommand::Stats(a) => stats(a),
        IndexCommand::Remove(a) => remove(a),
        IndexCommand::List(a) => list(a),
    }
}

/// Load documents; an input that could not be read, or that was skipped
/// (unless `skip_unreadable`), stops the command with nothing written, so
/// an index never silently lacks a document it was given. The index file
/// itself may not be an input. Returns the documents and the progress
/// display, which goes on to show them being indexed.
fn load(
    paths: &[PathBuf],
    index: &Path,
    input: &InputArgs,
    skip_unreadable: bool,
) -> anyhow::Result<(Vec<Document>, Progress)> {
    let progress = Progress::with_verb(input.quiet, "indexing");
    let opts = input.load_options();
    super::output::refuse_overlap([index], paths, &opts.filter)?;
    let loaded = corpus::load_with(paths, &opts, &|e| progress.event(e))?;
    if progress.suspend(|| super::report_problems(&loaded, input.quiet)) {
        bail!("nothing was indexed: an input could not be read (see above)");
    }
    if loaded.skipped > 0 && !skip_unreadable {
        bail!(
            "nothing was indexed: {} input{} skipped (see above); --skip-unreadable indexes the rest",
            loaded.skipped,
            if loaded.skipped == 1 {
                " was"
            } else {
                "s were"
            }
        );
    }
    Ok((loaded.documents, progress))
}

fn build(args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let params = args.params.flags().params()?;
    super::threads(args.threads)?;
    let start = Instant::now();
    let (docs, progress) = load(&args.paths, &args.index, &args.input, args.skip_unreadable)?;
    if let Some(dir) = args.index.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        super::output::note_orphans(dir);
        super::output::track_dir(dir);
    }
    let mut builder = super::output::create_tracked(
        &args.index,
        || Ok(Builder::new(&args.index, &params, args.force)?),
        |b| b.temp_path().to_path_buf(),
    )?;
    let temp = builder.temp_path().to_path_buf();
    if args.rewrite_candidates {
        builder.store_sentence_bands()?;
    }
    let n = builder.add_with(&docs, &|e| progress.event(e))?;
    super::output::finish_tracked(&args.index, &temp, || Ok(builder.finish()?))?;
    progress.finish();
    if !args.input.quiet {
        eprintln!(
            "doppel: indexed {n} document{} into {} in {:.1} s",
            if n == 1 { "" } else { "s" },
            args.index.display(),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn add(args: &AddArgs) -> anyhow::Result<ExitCode> {
    super::threads(args.threads)?;
    let start = Instant::now();
    // Open first: a wrong path or parameter fails before any reading.
    let mut index = Index::open(&args.index)?;
    index
        .params()
        .check_flags(&args.params.flags(), &args.index)?;
    let (docs, progress) = load(&args.paths, &args.index, &args.input, args.skip_unreadable)?;
    if args.rewrite_candidates {
        index.store_sentence_bands()?;
    }
    let n = index.add_with(&docs, &|e| progress.event(e))?;
    progress.finish();
    if !args.input.quiet {
        eprintln!(
            "doppel: added {n} document{} to {} ({} in all) in {:.1} s",
            if n == 1 { "" } else { "s" },
            args.index.display(),
            index.len()?,
            start.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn list(args: &ListArgs) -> anyhow::Result<ExitCode> {
    let index = Index::open_read_only(&args.index)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for doc in index.list()? {
        if args.json {
            serde_json::to_writer(&mut out, &doc)?;
            writeln!(out)?;
        } else {
            // Tabs and line breaks in an id would break the columns.
            let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
            writeln!(
                out,
                "{}\t{}\t{}\t{}",
                clean(&doc.id),
                clean(&doc.source),
                doc.chars,
                doc.added.map_or_else(|| "—".into(), utc)
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Seconds since 1970 as a UTC time, `2026-12-01T16:20:31Z` (days to a
/// civil date by Howard Hinnant's algorithm).
fn utc(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn stats(args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let index = Index::open_read_only(&args.index)?;
    if args.verify {
        index.verify()?;
    }
    let s = index.stats()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(ExitCode::SUCCESS);
    }
    let p = &s.params;
    let per_doc = if s.documents > 0 {
        format!(
            "{:.0}",
            (s.file_bytes + s.wal_bytes) as f64 / s.documents as f64
        )
    } else {
        "-".into()
    };
    let shingles = match p.shingle {
        doppel::shingle::ShingleKind::Words(n) => format!("word {n}-grams"),
        doppel::shingle::ShingleKind::Chars(n) => format!("character {n}-grams"),
    };
    println!("index            {}", s.path.display());
    println!(
        "format           version {} (created by {})",
        s.format_version, s.created_by
    );
    println!("documents        {}", s.documents);
    println!("terms            {}", s.terms);
    println!(
        "size             {} bytes (+ {} in the write-ahead log), {} bytes per document",
        s.file_bytes, s.wal_bytes, per_doc
    );
    println!("shingles         {shingles}");
    println!(
        "minhash          {} values; LSH threshold {} ({} bands of {} rows)",
        p.num_perm, p.lsh_threshold, p.lsh.bands, p.lsh.rows
    );
    println!(
        "tf-idf terms     {}, {}",
        if p.stem { "stemmed" } else { "not stemmed" },
        if p.stop_words {
            "stop words dropped"
        } else {
            "stop words kept"
        }
    );
    println!("fingerprint      {}", s.fingerprint);
    println!(
        "sentence bands   {}",
        if s.sentence_bands {
            "stored (check --rewrite-candidates)"
        } else {
            "not stored"
        }
    );
    if args.verify {
        println!("verified         ok");
    }
    Ok(ExitCode::SUCCESS)
}

fn remove(args: &RemoveArgs) -> anyhow::Result<ExitCode> {
    let mut index = Index::open(&args.index)?;
    let n = index.remove(&args.ids)?;
    if !args.quiet {
        eprintln!(
            "doppel: removed {n} document{} from {} ({} left)",
            if n == 1 { "" } else { "s" },
            args.index.display(),
            index.len()?
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_times_are_civil_dates() {
        for (secs, want) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_796_142_031, "2026-12-01T16:20:31Z"),
            (4_107_542_399, "2100-02-28T23:59:59Z"),
            (-1, "1969-12-31T23:59:59Z"),
        ] {
            assert_eq!(super::utc(secs), want, "{secs}");
        }
    }
}
