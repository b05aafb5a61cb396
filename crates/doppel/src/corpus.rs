//! Corpus loading: paths in, documents out.
//!
//! Input is a list of paths — files, directories (walked recursively in
//! sorted order, so a run is deterministic), JSON Lines files (with
//! [`LoadOptions::jsonl`]) or `-` for standard input. Output is a
//! [`Loaded`] corpus: the documents in a deterministic order, plus the
//! warnings (skipped binary, non-UTF-8 or oversized inputs, FIFOs and
//! devices met in directories, empty documents) and errors (unreadable
//! paths, link loops, malformed JSON lines) met on the way. A bad input never
//! stops the others from loading, except under [`LoadOptions::strict`].
//! Memory stays bounded by [`LoadOptions::max_doc_bytes`] per input, even
//! for a JSON Lines file holding one endless line.

use crate::error::{Error, Result, Warning, WarningKind};
use crate::progress::{self, Event, Progress};
/// The encodings [`LoadOptions::encoding`] names (from `encoding_rs`).
pub use encoding_rs::Encoding;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// Where a document came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file on disk.
    File(PathBuf),
    /// One line of a JSON Lines file (1-based line number).
    JsonLine(PathBuf, usize),
    /// Standard input.
    Stdin,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(p) => write!(f, "{}", p.display()),
            Source::JsonLine(p, n) => write!(f, "{}:{n}", p.display()),
            Source::Stdin => write!(f, "<stdin>"),
        }
    }
}

/// One input document.
#[derive(Clone, Debug)]
pub struct Document {
    /// Its id: the path relative to the argument it was found under, the
    /// JSONL id field, or `-` for standard input.
    pub id: String,
    /// Where it came from.
    pub source: Source,
    /// Its original text.
    pub text: String,
}

impl Document {
    /// A document from an id and a text (for library users and tests).
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            source: Source::Stdin,
            text: text.into(),
        }
    }
}

/// How to read the inputs.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Read every path as JSON Lines, one document per line.
    pub jsonl: bool,
    /// Field holding a JSONL document's id.
    pub id_field: String,
    /// Field holding a JSONL document's text.
    pub text_field: String,
    /// Turn warnings (binary, non-UTF-8, empty) into errors that stop the run.
    pub strict: bool,
    /// Documents larger than this many bytes are skipped with a warning.
    pub max_doc_bytes: u64,
    /// How a file that is not UTF-8 (and has no UTF-16 byte order mark) is
    /// read, with a warning; under `strict` it is refused instead.
    pub encoding: &'static encoding_rs::Encoding,
    /// Which files of a directory walk are read (`--glob`, `--exclude`).
    pub filter: PathFilter,
    /// Put before every document's id (`--id-prefix`): two daily batches
    /// holding the same file names get distinct ids.
    pub id_prefix: String,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            jsonl: false,
            id_field: "id".into(),
            text_field: "text".into(),
            strict: false,
            max_doc_bytes: 50 * 1024 * 1024,
            encoding: encoding_rs::WINDOWS_1252,
            filter: PathFilter::default(),
            id_prefix: String::new(),
        }
    }
}

/// What loading produced.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The documents, in a deterministic order.
    pub documents: Vec<Document>,
    /// Inputs skipped, or documents worth a remark (empty ones).
    pub warnings: Vec<Warning>,
    /// Inputs that could not be read; the run goes on without them.
    pub errors: Vec<Error>,
    /// Inputs skipped with a warning (binary, oversized, not a regular
    /// file): documents the caller was given and does not get.
    pub skipped: usize,
}

impl Loaded {
    /// Keep a warning, or under `strict` stop on the error it is
    /// ([`Warning::refusal`]).
    fn warn(&mut self, opts: &LoadOptions, warning: Warning) -> Result<()> {
        if opts.strict
            && let Some(err) = warning.refusal()
        {
            return Err(err);
        }
        self.skipped += usize::from(warning.skipped());
        self.warnings.push(warning);
        Ok(())
    }
}

/// Load every path. Returns `Err` only under `strict` (on the first
/// problem); otherwise problems are collected in the result.
pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> Result<Loaded> {
    load_with(paths, opts, progress::NONE)
}

/// One input to read, found by the first pass of [`load_with`].
enum Planned {
    Stdin,
    File(PathBuf, String),
}

/// [`load`], reporting the bytes and documents read to `progress`. The
/// inputs are resolved first (directories walked), so that the total size
/// is known before reading starts.
pub fn load_with(paths: &[PathBuf], opts: &LoadOptions, progress: Progress<'_>) -> Result<Loaded> {
    stdin_once(paths)?;
    let mut out = Loaded::default();
    let mut plan = Vec::new();
    for arg in paths {
        if arg.as_os_str() == "-" {
            plan.push(Planned::Stdin);
            continue;
        }
        let meta = match std::fs::metadata(arg) {
            Ok(m) => m,
            Err(source) => {
                fail(
                    &mut out,
                    opts,
                    Error::Io {
                        path: arg.clone(),
                        source,
                    },
                )?;
                continue;
            }
        };
        if meta.is_dir() {
            let files = walk(arg, &opts.filter, |p| match p {
                WalkProblem::Skip(e) => out.warn(opts, e),
                WalkProblem::Error(e) => fail(&mut out, opts, e),
            })?;
            if files.is_empty() {
                out.warn(opts, empty_dir_note(arg, &opts.filter))?;
            }
            plan.extend(files.into_iter().map(|(path, id)| Planned::File(path, id)));
        } else {
            plan.push(Planned::File(
                arg.clone(),
                arg.to_string_lossy().into_owned(),
            ));
        }
    }
    progress(Event::Reading {
        total_bytes: plan
            .iter()
            .map(|p| match p {
                Planned::File(path, _) => std::fs::metadata(path).map_or(0, |m| m.len()),
                Planned::Stdin => 0,
            })
            .sum(),
    });
    let mut meter = Meter { progress, bytes: 0 };
    let mut seen = ahash::AHashSet::new();
    for input in plan {
        let path = match input {
            Planned::File(path, id) => {
                load_file(&path, id, opts, &mut out, &mut seen, &mut meter)?;
                continue;
            }
            Planned::Stdin => PathBuf::from("<stdin>"),
        };
        if opts.jsonl {
            let stdin = std::io::stdin().lock();
            read_jsonl(&path, stdin, opts, &mut out, &mut seen, &mut meter)?;
            continue;
        }
        match read_whole(std::io::stdin().lock(), opts.max_doc_bytes) {
            Ok(Some(bytes)) => {
                meter.read(&out, bytes.len() as u64);
                if let Some(text) = check_text(&path, bytes, opts, &mut out)? {
                    push(&mut out, &mut seen, opts, "-".into(), Source::Stdin, text)?;
                }
            }
            Ok(None) => out.warn(opts, too_large(&path, opts.max_doc_bytes))?,
            Err(source) => fail(&mut out, opts, Error::Io { path, source })?,
        }
    }
    Ok(out)
}

/// Input bytes consumed so far, reported to a progress callback.
struct Meter<'p> {
    progress: Progress<'p>,
    bytes: u64,
}

impl Meter<'_> {
    /// `bytes` more were consumed.
    fn read(&mut self, out: &Loaded, bytes: u64) {
        self.bytes += bytes;
        (self.progress)(Event::Read {
            docs: out.documents.len() as u64,
            bytes: self.bytes,
        });
    }
}

/// Standard input can be read once: `-` twice is refused (the second
/// would be an empty document).
pub fn stdin_once(paths: &[PathBuf]) -> Result<()> {
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(Error::StdinTwice);
    }
    Ok(())
}

fn fail(out: &mut Loaded, opts: &LoadOptions, err: Error) -> Result<()> {
    if opts.strict {
        return Err(err);
    }
    out.errors.push(err);
    Ok(())
}

/// One `--glob` or `--exclude` pattern, with ripgrep's meaning: matched
/// against a path relative to the directory walked, or against the file
/// or directory name alone when it holds no `/`.
#[derive(Clone, Debug)]
pub struct PathGlob {
    matcher: globset::GlobMatcher,
    /// An exclusion (`--exclude GLOB`, or `--glob '!GLOB'`).
    exclude: bool,
    /// Holds a `/`: matched against the whole relative path.
    whole_path: bool,
}

impl PathGlob {
    /// Parse `pattern` (a leading `!` makes an inclusion an exclusion);
    /// the error names the pattern and the problem.
    pub fn parse(pattern: &str, exclude: bool) -> std::result::Result<PathGlob, String> {
        let (body, exclude) = match pattern.strip_prefix('!') {
            Some(rest) => (rest, !exclude),
            None => (pattern, exclude),
        };
        let body = body.trim_end_matches('/');
        if body.is_empty() {
            return Err(format!("{pattern:?}: an empty pattern"));
        }
        let glob = globset::GlobBuilder::new(body)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("{pattern:?}: {}", e.kind()))?;
        Ok(PathGlob {
            matcher: glob.compile_matcher(),
            exclude,
            whole_path: body.contains('/'),
        })
    }

    fn matches(&self, rel: &str) -> bool {
        if self.whole_path {
            self.matcher.is_match(rel)
        } else {
            self.matcher.is_match(rel.rsplit('/').next().unwrap_or(rel))
        }
    }
}

/// Which files of a directory walk are read: with inclusions, only files
/// one of them matches; never a file or directory an exclusion matches.
/// Files named on the command line are always read.
#[derive(Clone, Debug, Default)]
pub struct PathFilter {
    globs: Vec<PathGlob>,
}

/// What a run says of a directory given that holds no file to read: a
/// silently empty corpus looks like a corpus without overlaps.
pub(crate) fn empty_dir_note(dir: &Path, filter: &PathFilter) -> Warning {
    let filtered = !filter.globs.is_empty();
    Warning::of_path(dir, WarningKind::EmptyDirectory { filtered })
}

impl PathFilter {
    /// A filter of these patterns.
    pub fn new(globs: Vec<PathGlob>) -> PathFilter {
        PathFilter { globs }
    }

    /// Whether the file at `rel` (relative to the walked directory) is read.
    pub fn reads(&self, rel: &str) -> bool {
        let mut included = self.globs.iter().filter(|g| !g.exclude).peekable();
        let wanted = included.peek().is_none() || included.any(|g| g.matches(rel));
        wanted && !self.globs.iter().any(|g| g.exclude && g.matches(rel))
    }

    /// Whether the directory at `rel` is left out of the walk.
    pub fn excludes_dir(&self, rel: &str) -> bool {
        self.globs.iter().any(|g| g.exclude && g.matches(rel))
    }

    /// Whether a walk of a directory (`walk`'s rules) reads the file at
    /// `rel` under it: no hidden entry on the way, no directory left out,
    /// and the file itself read.
    pub fn walk_reads(&self, rel: &str) -> bool {
        let parts: Vec<&str> = rel.split('/').collect();
        !parts.iter().any(|p| hidden(p))
            && !(1..parts.len()).any(|k| self.excludes_dir(&parts[..k].join("/")))
            && self.reads(rel)
    }
}

/// Entries a directory walk skips: names starting with '.'.
fn hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// What a directory walk found wrong with an entry.
pub(crate) enum WalkProblem {
    /// An entry that is skipped with a warning (a FIFO, socket or device).
    Skip(Warning),
    /// An entry that could not be read (unreadable directory, link loop).
    Error(Error),
}

/// Files under `dir`, sorted, with their ids (paths relative to `dir`).
/// Hidden entries (names starting with '.') are skipped; symbolic links are
/// followed, and a link loop is reported as an error, not walked forever.
/// Each problem goes to `problem`, which decides whether the walk goes on.
/// The one walk of both readers, in memory ([`load`]) and streamed
/// ([`crate::batch`]).
pub(crate) fn walk(
    dir: &Path,
    filter: &PathFilter,
    mut problem: impl FnMut(WalkProblem) -> Result<()>,
) -> Result<Vec<(PathBuf, String)>> {
    let mut files = Vec::new();
    let rel = |p: &Path| {
        p.strip_prefix(dir)
            .unwrap_or(p)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    };
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(hidden(&e.file_name().to_string_lossy())
                    || e.file_type().is_dir() && filter.excludes_dir(&rel(e.path())))
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let id = rel(e.path());
                if filter.reads(&id) {
                    files.push((e.path().to_path_buf(), id));
                }
            }
            Ok(e) if !e.file_type().is_dir() => {
                // A FIFO would block the run until someone writes to it; a
                // device may never end. Name it and go on.
                let kind = WarningKind::NotRegularFile;
                problem(WalkProblem::Skip(Warning::of_path(e.path(), kind)))?;
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let err = match e.io_error() {
                    Some(io) if e.loop_ancestor().is_none() => Error::Io {
                        path,
                        source: std::io::Error::new(io.kind(), io.to_string()),
                    },
                    _ => Error::Walk {
                        path,
                        message: e.to_string(),
                    },
                };
                problem(WalkProblem::Error(err))?;
            }
        }
    }
    Ok(files)
}

fn load_file(
    path: &Path,
    id: String,
    opts: &LoadOptions,
    out: &mut Loaded,
    seen: &mut ahash::AHashSet<String>,
    meter: &mut Meter<'_>,
) -> Result<()> {
    if !opts.jsonl {
        match std::fs::metadata(path) {
            Ok(m) if m.len() > opts.max_doc_bytes => {
                let kind = WarningKind::TooLarge {
                    bytes: Some(m.len()),
                    limit: opts.max_doc_bytes,
                };
                return out.warn(opts, Warning::of_path(path, kind));
            }
            _ => {}
        }
    }
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(source) => return fail(out, opts, io(source)),
    };
    if opts.jsonl {
        let reader = std::io::BufReader::new(file);
        return read_jsonl(path, reader, opts, out, seen, meter);
    }
    // The size checked above may not hold: a file can grow, and a pipe or
    // a device has none. Never read more than the limit.
    let bytes = match read_whole(file, opts.max_doc_bytes) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return out.warn(opts, too_large(path, opts.max_doc_bytes)),
        Err(source) => return fail(out, opts, io(source)),
    };
    meter.read(out, bytes.len() as u64);
    if let Some(text) = check_text(path, bytes, opts, out)? {
        push(out, seen, opts, id, Source::File(path.to_path_buf()), text)?;
    }
    Ok(())
}

/// The UTF-8 byte order mark, which some editors put at the start of a
/// file.
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes in the first block of a file that are checked for NUL bytes.
const PROBE: usize = 8192;

/// Where the first NUL byte of `probe` (a file's first block) is, when
/// the block looks binary: NUL bytes make more than 1% of it, or it holds
/// a NUL byte and is not UTF-8 (a character cut at the block's end
/// allowed). A few stray NUL bytes in text — broken converters leave them,
/// and real corpora hold such files — do not make it binary; the NUL
/// characters are kept (offsets stay true to the file) and are no part of
/// any word.
fn binary_at(probe: &[u8]) -> Option<usize> {
    let first = probe.iter().position(|&b| b == 0)?;
    let nuls = probe.iter().filter(|&&b| b == 0).count();
    let utf8 = match std::str::from_utf8(probe) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && probe.len() == PROBE,
    };
    (nuls * 100 > probe.len() || !utf8).then_some(first)
}

/// All the bytes of `reader`, or `None` when there are more than `limit`.
/// Stops after the first block if it looks binary ([`binary_at`], and no
/// UTF-16 byte order mark): the
/// input will be skipped, so reading the rest (of `/dev/zero`, say) is
/// waste.
pub(crate) fn read_whole(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut reader = reader.take(limit.saturating_add(1));
    let mut bytes = Vec::new();
    (&mut reader).take(PROBE as u64).read_to_end(&mut bytes)?;
    if utf16_bom(&bytes).is_none() && binary_at(&bytes).is_some() {
        return Ok(Some(bytes));
    }
    reader.read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// A document over the limit whose size is unknown (a pipe, standard input,
/// a file that grew since it was listed).
pub(crate) fn too_large(path: &Path, limit: u64) -> Warning {
    let kind = WarningKind::TooLarge { bytes: None, limit };
    Warning::of_path(path, kind)
}

/// What a reader says of a document that is not empty but has no words
/// (emoji, punctuation, box drawing): it is compared by its characters
/// ([`crate::pipeline::shingles_of`]), and has no passages.
pub(crate) fn wordless_remark(source: &Source) -> Warning {
    Warning::new(source.to_string(), WarningKind::Wordless)
}

/// A file's text, and how it was read from its bytes.
#[derive(Debug)]
pub struct Decoded {
    /// The text; byte offsets in reports are offsets into it.
    pub text: String,
    /// The bytes were not UTF-8 (first bad byte here) and were read with
    /// the fallback encoding.
    pub fallback_at: Option<usize>,
    /// NUL bytes kept in the text (first one, how many).
    pub nuls: Option<(usize, usize)>,
}

/// Turn a file's bytes into text, one rule for every reader:
/// - a UTF-16 LE or BE byte order mark: decoded as UTF-16 (unpaired
///   surrogates become U+FFFD);
/// - otherwise binary (`binary_at`) is refused with [`Error::Binary`];
/// - a UTF-8 byte order mark is dropped, and UTF-8 is taken as it is;
/// - bytes that are not UTF-8 are decoded with `fallback` (Windows-1252
///   unless `--encoding` names another), which [`Decoded::fallback_at`]
///   reports so the caller can warn, or refuse under `--strict`.
///
/// Byte offsets are those of the decoded UTF-8 text; for a single-byte
/// fallback encoding, character offsets are those of the file.
pub fn decode(
    path: &Path,
    bytes: Vec<u8>,
    fallback: &'static encoding_rs::Encoding,
) -> Result<Decoded> {
    if let Some(enc) = utf16_bom(&bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[2..]);
        return Ok(with_nuls(text.into_owned(), None));
    }
    let probe = &bytes[..bytes.len().min(PROBE)];
    if let Some(offset) = binary_at(probe) {
        return Err(Error::Binary {
            path: path.to_path_buf(),
            offset,
        });
    }
    let mut bytes = bytes;
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(with_nuls(text, None)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let (text, _) = fallback.decode_without_bom_handling(e.as_bytes());
            Ok(with_nuls(text.into_owned(), Some(at)))
        }
    }
}

/// The UTF-16 encoding whose byte order mark opens `bytes`.
fn utf16_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if bytes.starts_with(b"\xFF\xFE") {
        Some(encoding_rs::UTF_16LE)
    } else if bytes.starts_with(b"\xFE\xFF") {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

fn with_nuls(text: String, fallback_at: Option<usize>) -> Decoded {
    let nuls = text.bytes().position(|b| b == 0).map(|first| {
        let n = text[first..].bytes().filter(|&b| b == 0).count();
        (first, n)
    });
    Decoded {
        text,
        fallback_at,
        nuls,
    }
}

/// The text of a file's bytes ([`decode`]), or `None` when it is skipped
/// (binary); the remarks decoding makes are warnings, and under `--strict`
/// bytes that are not UTF-8 stop the run.
fn check_text(
    path: &Path,
    bytes: Vec<u8>,
    opts: &LoadOptions,
    out: &mut Loaded,
) -> Result<Option<String>> {
    match decode(path, bytes, opts.encoding) {
        Ok(d) => {
            if let Some(remark) = decode_remark(path, &d, opts) {
                out.warn(opts, remark)?;
            }
            Ok(Some(d.text))
        }
        Err(Error::Binary { offset, .. }) => {
            let kind = WarningKind::Binary { offset };
            out.warn(opts, Warning::of_path(path, kind))?;
            Ok(None)
        }
        Err(err) => fail(out, opts, err).map(|()| None),
    }
}

/// What a reader tells the user about a decoded file: read with the
/// fallback encoding (an error under `--strict`), NUL bytes kept.
pub(crate) fn decode_remark(path: &Path, d: &Decoded, opts: &LoadOptions) -> Option<Warning> {
    let fallback = d.fallback_at.map(|offset| (offset, opts.encoding));
    (fallback.is_some() || d.nuls.is_some()).then(|| {
        let kind = WarningKind::Decoded {
            fallback,
            nuls: d.nuls,
        };
        Warning::of_path(path, kind)
    })
}

fn push(
    out: &mut Loaded,
    seen: &mut ahash::AHashSet<String>,
    opts: &LoadOptions,
    mut id: String,
    source: Source,
    text: String,
) -> Result<()> {
    id.insert_str(0, &opts.id_prefix);
    if text.trim().is_empty() {
        out.warn(opts, Warning::new(source.to_string(), WarningKind::Empty))?;
    } else if crate::text::word_indices(&text).next().is_none() {
        out.warn(opts, wordless_remark(&source))?;
    }
    if !seen.insert(id.clone()) {
        // Two inputs with one id: keep both, tell them apart by source.
        // The new name may itself be taken (an input can use any id).
        let mut fresh = format!("{id}@{source}");
        let mut n = 1;
        while seen.contains(&fresh) {
            n += 1;
            fresh = format!("{id}@{source}#{n}");
        }
        let kind = WarningKind::DuplicateId {
            id,
            renamed: fresh.clone(),
        };
        out.warn(opts, Warning::new(source.to_string(), kind))?;
        id = fresh;
        seen.insert(id.clone());
    }
    out.documents.push(Document { id, source, text });
    Ok(())
}

/// Documents of a JSON Lines stream, named `name` in messages (for library
/// users with JSONL in memory or from a socket, and for the fuzz tests).
/// Same rules as [`load`] with [`LoadOptions::jsonl`]: `Err` only under
/// `strict`, otherwise problems are collected in the result.
pub fn load_jsonl(name: &Path, reader: impl BufRead, opts: &LoadOptions) -> Result<Loaded> {
    let mut out = Loaded::default();
    let mut meter = Meter {
        progress: progress::NONE,
        bytes: 0,
    };
    let seen = &mut ahash::AHashSet::new();
    read_jsonl(name, reader, opts, &mut out, seen, &mut meter)?;
    Ok(out)
}

/// How reading one line went.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// No more lines.
    End,
    /// A line (without its `\n`) is in the buffer.
    Read,
    /// The line was longer than the limit and was skipped; it had this many
    /// bytes.
    TooLong(u64),
}

/// Read one line into `buf`, holding at most `limit` bytes of it: past the
/// limit the line is consumed and counted up to its end, not kept, so a
/// 500 MB line costs no more memory than the limit.
fn read_line_bounded(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<Line> {
    buf.clear();
    let mut total: u64 = 0;
    let mut any = false;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (take, newline) = match chunk.iter().position(|&b| b == b'\n') {
            Some(n) => (n, true),
            None => (chunk.len(), false),
        };
        total += take as u64;
        if total <= limit {
            buf.extend_from_slice(&chunk[..take]);
        } else if !buf.is_empty() {
            // Over the limit: drop what was kept, and its memory.
            *buf = Vec::new();
        }
        reader.consume(take + usize::from(newline));
        if newline {
            break;
        }
    }
    Ok(if !any {
        Line::End
    } else if total > limit {
        Line::TooLong(total)
    } else {
        Line::Read
    })
}

/// Read JSON Lines: one object per line with an id and a text field.
/// Blank lines are skipped; a malformed line is an error naming the file and
/// line, and reading goes on with the next line. A line longer than
/// [`LoadOptions::max_doc_bytes`] is skipped with a warning naming it.
fn read_jsonl(
    path: &Path,
    mut reader: impl BufRead,
    opts: &LoadOptions,
    out: &mut Loaded,
    seen: &mut ahash::AHashSet<String>,
    meter: &mut Meter<'_>,
) -> Result<()> {
    let mut line = Vec::new();
    let mut lineno = 0usize;
    // Bytes of the lines read since progress was last reported.
    let mut unreported = 0u64;
    loop {
        lineno += 1;
        if unreported >= 1 << 20 {
            meter.read(out, std::mem::take(&mut unreported));
        }
        match read_line_bounded(&mut reader, &mut line, opts.max_doc_bytes) {
            Ok(Line::End) => break,
            Ok(Line::Read) => unreported += line.len() as u64 + 1,
            Ok(Line::TooLong(bytes)) => {
                unreported += bytes + 1;
                out.warn(opts, line_too_long(path, lineno as u64, bytes, opts))?;
                continue;
            }
            Err(e) => {
                // Reading stops here; the line it failed on is named.
                let problem = format!("read failed: {e}");
                return fail(
                    out,
                    opts,
                    Error::JsonField {
                        path: path.to_path_buf(),
                        line: lineno,
                        problem,
                    },
                );
            }
        }
        // A byte order mark opening the file is no part of its first line.
        let line: &[u8] = match lineno {
            1 => line.strip_prefix(UTF8_BOM).unwrap_or(&line),
            _ => &line,
        };
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_slice(line) {
            Ok(v) => v,
            Err(source) => {
                fail(
                    out,
                    opts,
                    Error::Json {
                        path: path.to_path_buf(),
                        line: lineno,
                        source,
                    },
                )?;
                continue;
            }
        };
        let field_err = |problem: String| Error::JsonField {
            path: path.to_path_buf(),
            line: lineno,
            problem,
        };
        let Some(obj) = value.as_object() else {
            fail(out, opts, field_err("expected a JSON object".into()))?;
            continue;
        };
        let text = match obj.get(&opts.text_field) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(_) => {
                fail(
                    out,
                    opts,
                    field_err(format!("field {:?} is not a string", opts.text_field)),
                )?;
                continue;
            }
            None => {
                fail(
                    out,
                    opts,
                    field_err(crate::error::no_text_field(&opts.text_field)),
                )?;
                continue;
            }
        };
        let id = match obj.get(&opts.id_field) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            Some(_) => {
                fail(
                    out,
                    opts,
                    field_err(format!(
                        "field {:?} is not a string or number",
                        opts.id_field
                    )),
                )?;
                continue;
            }
            None => format!("{}:{lineno}", path.display()),
        };
        push(
            out,
            seen,
            opts,
            id,
            Source::JsonLine(path.to_path_buf(), lineno),
            text,
        )?;
    }
    meter.read(out, unreported);
    Ok(())
}

/// A JSON Lines line over the document size limit (skipped).
pub(crate) fn line_too_long(path: &Path, line: u64, bytes: u64, opts: &LoadOptions) -> Warning {
    let line = line as usize;
    let kind = WarningKind::LineTooLong {
        line,
        bytes,
        limit: opts.max_doc_bytes,
    };
    Warning::new(format!("{}:{line}", path.display()), kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn walks_directories_in_sorted_order_with_relative_ids() {
        let d = tmp();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        std::fs::write(d.path().join("b.txt"), "bee").unwrap();
        std::fs::write(d.path().join("a.txt"), "ay").unwrap();
        std::fs::write(d.path().join("sub/c.txt"), "sea").unwrap();
        std::fs::write(d.path().join(".hidden"), "no").unwrap();
        let l = load(&[d.path().to_path_buf()], &LoadOptions::default()).unwrap();
        let ids: Vec<&str> = l.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a.txt", "b.txt", "sub/c.txt"]);
        assert!(l.errors.is_empty() && l.warnings.is_empty());
    }

    #[test]
    fn skips_binary_and_decodes_other_encodings_with_named_warnings() {
        let d = tmp();
        std::fs::write(d.path().join("bin"), b"ab\0cd").unwrap();
        // Windows-1252: curly quotes and the euro sign are not Latin-1.
        std::fs::write(d.path().join("cp1252"), b"caf\xe9 \x93quoted\x94 \x80").unwrap();
        std::fs::write(d.path().join("empty"), b"").unwrap();
        // A stray NUL in a page of text: kept as text, NUL and all.
        let page = format!("{}\0{}", "Some words of text. ".repeat(20), "More words.");
        std::fs::write(d.path().join("stray-nul"), &page).unwrap();
        let l = load(&[d.path().to_path_buf()], &LoadOptions::default()).unwrap();
        let ids: Vec<&str> = l.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["cp1252", "empty", "stray-nul"], "binary skipped");
        assert_eq!(l.documents[0].text, "café \u{201c}quoted\u{201d} €");
        assert_eq!(l.documents[2].text, page);
        let kinds: Vec<_> = l.warnings.iter().map(|w| &w.kind).collect();
        assert!(
            matches!(kinds[0], WarningKind::Binary { offset: 2 }),
            "{kinds:?}"
        );
        let w: Vec<String> = l.warnings.iter().map(Warning::to_string).collect();
        let w = w.join("\n");
        assert!(w.contains("bin") && w.contains("binary"), "{w}");
        assert!(
            w.contains("cp1252")
                && w.contains("not valid UTF-8")
                && w.contains("offset 3")
                && w.contains("read as windows-1252"),
            "{w}"
        );
        assert!(
            w.contains("stray-nul") && w.contains("1 NUL byte (first at offset 400)"),
            "{w}"
        );
        assert!(w.contains("empty document"), "{w}");
        let strict = LoadOptions {
            strict: true,
            ..LoadOptions::default()
        };
        assert!(load(&[d.path().join("bin")], &strict).is_err());
        let err = load(&[d.path().join("cp1252")], &strict)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cp1252") && err.contains("not valid UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn byte_order_marks_choose_the_encoding_and_are_dropped() {
        let d = tmp();
        let text = "Grüße, 世界: one line.\nAnd another.";
        let le: Vec<u8> = b"\xFF\xFE"
            .iter()
            .copied()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = b"\xFE\xFF"
            .iter()
            .copied()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let bom8: Vec<u8> = UTF8_BOM.iter().chain(text.as_bytes()).copied().collect();
        std::fs::write(d.path().join("le"), &le).unwrap();
        std::fs::write(d.path().join("be"), &be).unwrap();
        std::fs::write(d.path().join("u8"), &bom8).unwrap();
        let l = load(&[d.path().to_path_buf()], &LoadOptions::default()).unwrap();
        assert_eq!(l.documents.len(), 3, "{:?}", l.warnings);
        for doc in &l.documents {
            assert_eq!(doc.text, text, "{}", doc.id);
        }
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
        // A named fallback encoding instead of Windows-1252.
        std::fs::write(d.path().join("koi8"), b"\xf0\xd2\xc9\xd7\xc5\xd4").unwrap();
        let koi8 = LoadOptions {
            encoding: encoding_rs::KOI8_R,
            ..LoadOptions::default()
        };
        let l = load(&[d.path().join("koi8")], &koi8).unwrap();
        assert_eq!(l.documents[0].text, "Привет");
        let w = l.warnings[0].to_string();
        assert!(w.contains("read as KOI8-R"), "{w}");
    }

    #[test]
    fn a_byte_order_mark_opening_a_jsonl_file_is_skipped() {
        let d = tmp();
        let p = d.path().join("bom.jsonl");
        std::fs::write(
            &p,
            "\u{FEFF}{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n",
        )
        .unwrap();
        let opts = LoadOptions {
            jsonl: true,
            ..LoadOptions::default()
        };
        let l = load(&[p], &opts).unwrap();
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        let ids: Vec<&str> = l.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(l.documents[0].text, "one");
    }

    #[test]
    fn reads_jsonl_and_reports_malformed_lines_by_number() {
        let d = tmp();
        let p = d.path().join("c.jsonl");
        std::fs::write(
            &p,
            "{\"id\": \"x\", \"text\": \"hello\"}\n\n{not json\n{\"id\": 7, \"body\": \"b\"}\n{\"id\": 8, \"text\": 3}\n",
        )
        .unwrap();
        let opts = LoadOptions {
            jsonl: true,
            ..LoadOptions::default()
        };
        let l = load(std::slice::from_ref(&p), &opts).unwrap();
        assert_eq!(l.documents.len(), 1);
        assert_eq!(l.documents[0].id, "x");
        let errs: Vec<String> = l.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].contains("c.jsonl:3") && errs[0].contains("malformed JSON"));
        assert!(errs[1].contains("c.jsonl:4") && errs[1].contains("\"text\""));
        assert!(errs[2].contains("c.jsonl:5") && errs[2].contains("not a string"));
        let opts = LoadOptions {
            text_field: "body".into(),
            ..opts
        };
        let l = load(&[p], &opts).unwrap();
        assert!(l.documents.iter().any(|d| d.id == "7" && d.text == "b"));
    }

    #[test]
    fn missing_path_is_an_error_naming_it() {
        let l = load(
            &[PathBuf::from("/no/such/file.txt")],
            &LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(l.errors.len(), 1);
        assert!(l.errors[0].to_string().contains("/no/such/file.txt"));
    }

    #[test]
    fn bounded_lines_keep_at_most_the_limit_and_count_the_rest() {
        // A buffer of 3 bytes: lines straddle many refills.
        let data = b"short\na line that is far too long\n\nlast";
        let mut r = std::io::BufReader::with_capacity(3, &data[..]);
        let mut buf = Vec::new();
        let mut got = Vec::new();
        loop {
            match read_line_bounded(&mut r, &mut buf, 10).unwrap() {
                Line::End => break,
                Line::Read => got.push(String::from_utf8(buf.clone()).unwrap()),
                Line::TooLong(n) => {
                    assert!(buf.capacity() <= 10, "kept {} bytes", buf.capacity());
                    got.push(format!("<{n} bytes>"));
                }
            }
        }
        assert_eq!(got, ["short", "<27 bytes>", "", "last"]);
    }
}
