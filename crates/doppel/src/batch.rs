//! Streaming MinHash pipeline for corpus-scale runs: paths in, verified
//! near-duplicate pairs out, without keeping any document's text.
//!
//! **In:** the same inputs as [`crate::corpus`] — JSON Lines files, text
//! files, directories, or standard input (spooled to a temporary file, so it
//! can be read twice) — and a [`Config`] (shingles, signature length, LSH
//! threshold, verdict thresholds).
//!
//! **Out:** a [`Corpus`] that knows, for each document, its id, a few counts
//! (bytes, characters, words, sentences) and its [`Location`] — the input
//! file and the byte range of its JSON line, or the file itself — but not its
//! text; and the LSH candidate pairs, each verified by the exact Jaccard of
//! the two shingle sets ([`scan`]), or the same clustered into duplicate
//! groups ([`Clusters`]).
//!
//! # How
//! 1. **Read, sign, drop.** JSON Lines are read in chunks of whole lines
//!    (8 MiB by default); the next chunk is read while the lines of the
//!    current one are parsed, tokenised, shingled and signed in parallel with
//!    rayon (results kept in input order, so ids and output never depend on
//!    the thread count). Of each document only its band keys (`bands` × 8
//!    bytes), its location and counts are kept: memory grows with the number
//!    of documents times the number of bands, not with the text.
//! 2. **Candidates.** `lsh::candidate_pairs_capped` over the flat list of
//!    `(band key, document)` entries.
//! 3. **Verify.** Candidate pairs are taken in blocks; the texts of the
//!    documents of a block are read again by their location, shingled and
//!    signed again (in parallel), and every pair of the block gets its exact
//!    Jaccard, containments and MinHash estimate (`pipeline::minhash_pair`).
//!    Keeping every shingle set instead would cost about 500 hashes × 8 bytes
//!    per document (4 GB for a million documents); verifying with the MinHash
//!    estimate alone would let false positives through at the threshold's
//!    edge. Re-reading only the candidates costs one more pass over a small
//!    share of the corpus and gives exact scores — the same as the in-memory
//!    `pipeline::scan_minhash`.
//!
//! Reading mirrors [`crate::corpus`]: the same ids (the JSONL id field, else
//! `path:line`; a file's path relative to its directory argument; `-` for
//! standard input), the same duplicate-id renaming, the same warnings and
//! errors (naming the file, and the line of a JSON Lines file), and
//! [`LoadOptions::strict`] stops at the first problem.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::DocId;
use crate::Span;
use crate::config::Config;
use crate::corpus::{self, LoadOptions, Source, WalkProblem, line_too_long};
use crate::error::{Error, Result, Warning, WarningKind};
use crate::lsh::{self, LshParams};
use crate::minhash::{MinHasher, Signature};
use crate::pipeline::{self, PairResult};
use crate::shingle::ShingleKind;
use crate::text::{self, Token};

/// Bytes of JSON Lines read per chunk by default.
pub(crate) const CHUNK_BYTES: usize = 8 << 20;

/// Candidate pairs verified per block (their documents' texts are read
/// again and held together, so this bounds the memory of verification).
const VERIFY_BLOCK: usize = 20_000;

/// Settings of the streaming reader that are not part of [`Config`].
#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// How inputs are read (JSON Lines or files, fields, limits, strictness).
    pub load: LoadOptions,
    /// Bytes of JSON Lines read and processed at a time.
    pub chunk_bytes: usize,
    /// LSH buckets larger than this become stars
    /// (see `lsh::candidate_pairs_capped`); 0: no cap.
    pub max_bucket: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            load: LoadOptions::default(),
            chunk_bytes: CHUNK_BYTES,
            max_bucket: lsh::MAX_BUCKET,
        }
    }
}

pub use crate::progress::{Event, Progress};

/// Where a document's text is: `len` bytes at `offset` of input `file` — a
/// whole JSON line (without its line break) or a whole text file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// Index of the input in [`Corpus::inputs`].
    pub file: u32,
    /// Byte offset of the line (0 for a text file).
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
}

/// What is kept of one document: no text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocStats {
    /// Where its text is.
    pub location: Location,
    /// 1-based line of a JSON Lines document (0 for a text file).
    pub line: u64,
    /// Size of its text in bytes.
    pub bytes: u64,
    /// Size of its text in characters (Unicode scalar values).
    pub chars: u64,
    /// Words.
    pub words: u32,
    /// Sentences.
    pub sentences: u32,
}

/// How an input is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// One document per line.
    JsonLines,
    /// The whole file is one document.
    Text,
}

/// One input file.
#[derive(Debug)]
pub struct Input {
    /// Its path (`<stdin>` for standard input).
    pub path: PathBuf,
    /// How it is laid out.
    pub kind: InputKind,
    /// An open handle to a JSON Lines file, for reading documents again
    /// (text files are opened when needed).
    handle: OnceLock<std::io::Result<File>>,
    /// Standard input, spooled.
    spooled: Option<File>,
}

impl Input {
    fn new(path: PathBuf, kind: InputKind) -> Input {
        Input {
            path,
            kind,
            handle: OnceLock::new(),
            spooled: None,
        }
    }

    /// Read `len` bytes at `offset`.
    fn read_at(&self, offset: u64, len: u64) -> Result<Vec<u8>> {
        let io = |source| Error::Io {
            path: self.path.clone(),
            source,
        };
        let len = usize::try_from(len).map_err(|_| {
            io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "document too large for this machine",
            ))
        })?;
        let mut buf = vec![0u8; len];
        match (&self.spooled, self.kind) {
            (Some(f), _) => read_exact_at(f, &mut buf, offset).map_err(io)?,
            // A corpus of files may hold millions: open them when needed.
            (None, InputKind::Text) => {
                let f = File::open(&self.path).map_err(io)?;
                read_exact_at(&f, &mut buf, offset).map_err(io)?;
            }
            (None, InputKind::JsonLines) => {
                match self.handle.get_or_init(|| File::open(&self.path)) {
                    Ok(f) => read_exact_at(f, &mut buf, offset).map_err(io)?,
                    Err(e) => return Err(io(std::io::Error::new(e.kind(), e.to_string()))),
                }
            }
        }
        Ok(buf)
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::Seek;
    let mut f = file.try_clone()?;
    f.seek(std::io::SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

/// The documents of a streamed corpus: ids, counts and locations, no text.
#[derive(Debug, Default)]
pub struct Corpus {
    /// The input files, in the order they were read.
    pub inputs: Vec<Input>,
    /// Per document.
    docs: Vec<DocStats>,
    /// All ids, concatenated; id `d` is `ids[id_ends[d - 1]..id_ends[d]]`.
    ids: String,
    id_ends: Vec<usize>,
    /// Inputs skipped, or documents worth a remark (empty ones).
    pub warnings: Vec<Warning>,
    /// Inputs that could not be read; the run went on without them.
    pub errors: Vec<Error>,
}

impl Corpus {
    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when no document was read.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Id of document `d`.
    pub fn id(&self, d: DocId) -> &str {
        let d = d as usize;
        let start = if d == 0 { 0 } else { self.id_ends[d - 1] };
        &self.ids[start..self.id_ends[d]]
    }

    /// What is kept of document `d`.
    pub fn stats(&self, d: DocId) -> &DocStats {
        &self.docs[d as usize]
    }

    /// Where document `d` came from.
    pub fn source(&self, d: DocId) -> Source {
        self.source_of(&self.docs[d as usize])
    }

    /// Where the document of these counts came from.
    fn source_of(&self, s: &DocStats) -> Source {
        let input = &self.inputs[s.location.file as usize];
        match (input.kind, input.spooled.is_some()) {
            (InputKind::JsonLines, _) => Source::JsonLine(input.path.clone(), s.line as usize),
            (InputKind::Text, true) => Source::Stdin,
            (InputKind::Text, false) => Source::File(input.path.clone()),
        }
    }

    /// The original bytes of document `d`: its JSON line (without the line
    /// break) or its whole file.
    pub fn raw(&self, d: DocId) -> Result<Vec<u8>> {
        let loc = self.docs[d as usize].location;
        self.inputs[loc.file as usize].read_at(loc.offset, loc.len)
    }

    /// The text of document `d`, read again from its input. Fails if the
    /// input changed since it was read.
    pub fn text(&self, d: DocId, opts: &LoadOptions) -> Result<String> {
        let raw = self.raw(d)?;
        let s = &self.docs[d as usize];
        let input = &self.inputs[s.location.file as usize];
        let changed = |what: &str| Error::Io {
            path: input.path.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{what} (the input changed while doppel was reading it)"),
            ),
        };
        let text = match input.kind {
            InputKind::JsonLines => match parse_line(&input.path, s.line as usize, &raw, opts) {
                Ok(Some((_, text))) => text,
                _ => return Err(changed(&format!("line {} is no longer readable", s.line))),
            },
            InputKind::Text => {
                corpus::decode(&input.path, raw, opts.encoding)
                    .map_err(|_| changed("not text any more"))?
                    .text
            }
        };
        if text.len() as u64 != s.bytes {
            return Err(changed(&format!("document {:?} changed size", self.id(d))));
        }
        Ok(text)
    }

    /// Heap bytes this structure holds (ids, counts, locations): what a
    /// streamed corpus costs in memory, independent of the texts' size.
    pub fn retained_bytes(&self) -> usize {
        self.docs.capacity() * std::mem::size_of::<DocStats>()
            + self.ids.capacity()
            + self.id_ends.capacity() * std::mem::size_of::<usize>()
            + self
                .inputs
                .iter()
                .map(|i| std::mem::size_of::<Input>() + i.path.as_os_str().len())
                .sum::<usize>()
    }

    fn push_doc(&mut self, id: &str, stats: DocStats) {
        self.ids.push_str(id);
        self.id_ends.push(self.ids.len());
        self.docs.push(stats);
    }

    /// Rename every repeated id after its first use to `id@source`, with a
    /// warning, as [`crate::corpus::load`] does.
    fn rename_duplicates(&mut self) {
        let n = self.docs.len();
        let mut order: Vec<DocId> = (0..n as DocId).collect();
        order.par_sort_unstable_by(|&x, &y| self.id(x).cmp(self.id(y)).then(x.cmp(&y)));
        // (document, new id, warning), in document order.
        let mut renames: Vec<(DocId, String, Warning)> = Vec::new();
        for run in order.chunk_by(|&x, &y| self.id(x) == self.id(y)) {
            for &d in &run[1..] {
                let (id, source) = (self.id(d), self.source(d));
                let fresh = format!("{id}@{source}");
                let kind = WarningKind::DuplicateId {
                    id: id.to_string(),
                    renamed: fresh.clone(),
                };
                renames.push((d, fresh, Warning::new(source.to_string(), kind)));
            }
        }
        if renames.is_empty() {
            return;
        }
        renames.sort_by_key(|r| r.0);
        let extra: usize = renames.iter().map(|r| r.1.len()).sum();
        let mut ids = String::with_capacity(self.ids.len() + extra);
        let mut ends = Vec::with_capacity(n);
        let mut next = renames.iter().peekable();
        for d in 0..n as DocId {
            match next.peek() {
                Some(r) if r.0 == d => {
                    ids.push_str(&r.1);
                    next.next();
                }
                _ => ids.push_str(self.id(d)),
            }
            ends.push(ids.len());
        }
        self.ids = ids;
        self.id_ends = ends;
        self.warnings.extend(renames.into_iter().map(|r| r.2));
    }
}

/// A corpus read and signed: its documents, and one `(band key, document)`
/// entry per band of every non-empty document.
#[derive(Debug)]
pub(crate) struct Signed {
    /// The documents.
    pub corpus: Corpus,
    /// Band keys, in document order.
    pub entries: Vec<(u64, DocId)>,
    /// The banding used.
    pub params: LshParams,
}

/// A problem met while reading: an error (the input is lost) or a warning
/// (it is skipped, or kept with a remark).
enum Problem {
    Error(Error),
    Warn(Warning),
}

/// What one JSON line or file gave.
enum Item {
    Blank,
    Doc {
        /// `None`: the default id (`path:line`).
        id: Option<String>,
        stats: DocStats,
        keys: Vec<u64>,
        empty: bool,
        /// What decoding the file remarked ([`corpus::decode_remark`]).
        remark: Option<Warning>,
    },
    Problem(Problem),
}

/// Shared by the workers that turn texts into band keys.
struct Signer<'a> {
    cfg: &'a Config,
    hasher: MinHasher,
    params: LshParams,
}

impl Signer<'_> {
    /// Counts and band keys of one text.
    fn sign(&self, text: &str, location: Location, line: u64) -> (DocStats, Vec<u64>) {
        let words = Words::new(text);
        let shingles = words.shingles(text, self.cfg.shingle);
        let sig = self.hasher.sign(&shingles);
        let stats = DocStats {
            location,
            line,
            bytes: text.len() as u64,
            chars: text.chars().count() as u64,
            words: u32::try_from(words.len()).unwrap_or(u32::MAX),
            sentences: u32::try_from(words.sentences(text)).unwrap_or(u32::MAX),
        };
        (stats, lsh::band_keys(&sig, &self.params))
    }

    /// Shingle set and signature of a text (for verification).
    fn features(&self, text: &str) -> (Vec<u64>, Signature) {
        let shingles = shingles(text, self.cfg.shingle);
        let sig = self.hasher.sign(&shingles);
        (shingles, sig)
    }
}

/// The shingle set of a text as this mode computes it, the set it signs
/// (the same set as [`pipeline::shingle_set`], without a full analysis):
/// for a library user signing texts as `scan --minhash-only` and `dedup`
/// do.
pub fn shingles(text: &str, kind: ShingleKind) -> Vec<u64> {
    Words::new(text).shingles(text, kind)
}

/// A text's words and their normalised forms, as [`text::tokenize`] finds
/// and normalises them, in two allocations instead of one per word.
///
/// The forms are written by `text::norms_spans_into` (whose ASCII texts skip
/// the Unicode tables), separated by the shingles' separator byte, so a
/// word n-gram's bytes lie together and are hashed where they are. The
/// shingles are exactly those of
/// [`pipeline::shingle_set`]`(&Analysed::new(text), …)`.
struct Words {
    /// Normalised forms, separated.
    norms: String,
    /// Each word's form in `norms`.
    ranges: Vec<std::ops::Range<usize>>,
    /// Byte span of each word in the text.
    spans: Vec<Span>,
}

impl Words {
    fn new(text: &str) -> Words {
        let mut w = Words {
            norms: String::with_capacity(text.len() + text.len() / 4),
            ranges: Vec::new(),
            spans: Vec::new(),
        };
        text::norms_spans_into(
            text,
            crate::shingle::TOKEN_SEPARATOR,
            &mut w.norms,
            &mut w.ranges,
            Some(&mut w.spans),
        );
        w
    }

    fn len(&self) -> usize {
        self.ranges.len()
    }

    fn norm(&self, i: usize) -> &str {
        &self.norms[self.ranges[i].clone()]
    }

    fn shingles(&self, text: &str, kind: ShingleKind) -> Vec<u64> {
        if let ShingleKind::Words(n) = kind
            && !self.ranges.is_empty()
        {
            let mut v: Vec<u64> =
                crate::shingle::separated_window_hashes(&self.norms, &self.ranges, n).collect();
            v.sort_unstable();
            v.dedup();
            return v;
        }
        let norms: Vec<&str> = (0..self.len()).map(|i| self.norm(i)).collect();
        pipeline::shingles_of(text, &norms, kind)
    }

    /// Number of sentences, by [`text::sentences`]. Sentence splitting
    /// reads a word's normalised form only to tell an abbreviation's full
    /// stop from a sentence's end, so only words followed by `.` carry it.
    fn sentences(&self, text: &str) -> usize {
        let tokens: Vec<Token> = self
            .spans
            .iter()
            .enumerate()
            .map(|(i, &span)| Token {
                span,
                norm: if text.as_bytes().get(span.end) == Some(&b'.') {
                    self.norm(i).to_string()
                } else {
                    String::new()
                },
            })
            .collect();
        text::sentences(text, &tokens).len()
    }
}

/// Parse one JSON line into its id (if any) and text, or the problem with
/// it, with the messages of [`crate::corpus`]. `Ok(None)`: a blank line.
fn parse_line(
    path: &Path,
    line: usize,
    bytes: &[u8],
    opts: &LoadOptions,
) -> std::result::Result<Option<(Option<String>, String)>, Error> {
    // A byte order mark opening the file is no part of its first line.
    let bytes = match line {
        1 => bytes.strip_prefix(crate::corpus::UTF8_BOM).unwrap_or(bytes),
        _ => bytes,
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let field_err = |problem: String| Error::JsonField {
        path: path.to_path_buf(),
        line,
        problem,
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        line,
        source,
    })?;
    let serde_json::Value::Object(mut obj) = value else {
        return Err(field_err("expected a JSON object".into()));
    };
    let text = match obj.remove(&opts.text_field) {
        Some(serde_json::Value::String(s)) => s,
        Some(_) => {
            return Err(field_err(format!(
                "field {:?} is not a string",
                opts.text_field
            )));
        }
        None => {
            return Err(field_err(crate::error::no_text_field(&opts.text_field)));
        }
    };
    let id = match obj.get(&opts.id_field) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(_) => {
            return Err(field_err(format!(
                "field {:?} is not a string or number",
                opts.id_field
            )));
        }
        None => None,
    };
    Ok(Some((id, text)))
}

/// A chunk of whole lines of one JSON Lines input.
struct Chunk {
    bytes: Vec<u8>,
    /// File offset of `bytes[0]`.
    offset: u64,
    /// Line number of the first line.
    first_line: u64,
    /// Lines too long to hold: (line, offset, length), skipped with a warning.
    oversized: Vec<(u64, u64, u64)>,
}

/// Reads an input in chunks of whole lines, never holding a line longer
/// than the document size limit.
struct ChunkReader<R> {
    reader: R,
    chunk_bytes: usize,
    max_line: u64,
    /// Bytes read but not yet handed out (a partial last line).
    carry: Vec<u8>,
    /// File offset of `carry[0]`.
    offset: u64,
    /// Line number of the first line in `carry`.
    line: u64,
    done: bool,
}

impl<R: Read> ChunkReader<R> {
    fn new(reader: R, chunk_bytes: usize, max_line: u64) -> Self {
        ChunkReader {
            reader,
            chunk_bytes: chunk_bytes.max(1),
            max_line,
            carry: Vec::new(),
            offset: 0,
            line: 1,
            done: false,
        }
    }

    /// The next chunk of whole lines, `None` at the end.
    fn next_chunk(&mut self) -> std::io::Result<Option<Chunk>> {
        let mut oversized = Vec::new();
        loop {
            if let Some(nl) = self.carry.iter().rposition(|&b| b == b'\n')
                && (self.carry.len() >= self.chunk_bytes || self.done)
            {
                let rest = self.carry.split_off(nl + 1);
                let bytes = std::mem::replace(&mut self.carry, rest);
                return Ok(Some(self.emit(bytes, oversized)));
            }
            if self.done {
                if self.carry.is_empty() && oversized.is_empty() {
                    return Ok(None);
                }
                let bytes = std::mem::take(&mut self.carry);
                return Ok(Some(self.emit(bytes, oversized)));
            }
            // A line that already exceeds the limit is skipped without
            // being held: remember it, drop its bytes up to its end.
            let start_of_last = self
                .carry
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            if start_of_last == 0 && self.carry.len() as u64 > self.max_line {
                let (line, offset) = (self.line, self.offset);
                let mut len = self.carry.len() as u64;
                self.carry.clear();
                let mut buf = vec![0u8; 1 << 16];
                loop {
                    let n = self.reader.read(&mut buf)?;
                    if n == 0 {
                        self.done = true;
                        break;
                    }
                    if let Some(p) = buf[..n].iter().position(|&b| b == b'\n') {
                        len += p as u64;
                        self.carry.extend_from_slice(&buf[p + 1..n]);
                        break;
                    }
                    len += n as u64;
                }
                oversized.push((line, offset, len));
                self.offset = offset + len + u64::from(!self.done);
                self.line += 1;
                continue;
            }
            let want = self.chunk_bytes.max(1 << 16);
            let old = self.carry.len();
            self.carry.resize(old + want, 0);
            let n = loop {
                match self.reader.read(&mut self.carry[old..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.carry.truncate(old);
                        return Err(e);
                    }
                }
            };
            self.carry.truncate(old + n);
            if n == 0 {
                self.done = true;
            }
        }
    }

    fn emit(&mut self, bytes: Vec<u8>, oversized: Vec<(u64, u64, u64)>) -> Chunk {
        let breaks = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        let unterminated = bytes.last().is_some_and(|&b| b != b'\n');
        let chunk = Chunk {
            offset: self.offset,
            first_line: self.line,
            bytes,
            oversized,
        };
        self.offset += chunk.bytes.len() as u64;
        self.line += breaks + u64::from(unterminated);
        chunk
    }
}

/// Split a chunk into its lines: (line number, offset in chunk, bytes without
/// the line break).
fn lines(chunk: &Chunk) -> Vec<(u64, usize, &[u8])> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut line = chunk.first_line;
    let b = &chunk.bytes;
    while start < b.len() {
        let end = b[start..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |p| start + p);
        out.push((line, start, &b[start..end]));
        line += 1;
        start = end + 1;
    }
    out
}

/// Collects what the workers produce, in input order, applying the
/// strictness rules of [`crate::corpus`].
struct Builder<'a> {
    corpus: Corpus,
    entries: Vec<(u64, DocId)>,
    opts: &'a BatchOptions,
    docs_read: u64,
    bytes_read: u64,
}

impl Builder<'_> {
    fn problem(&mut self, p: Problem) -> Result<()> {
        let strict = self.opts.load.strict;
        match p {
            Problem::Error(e) if strict => Err(e),
            Problem::Error(e) => {
                self.corpus.errors.push(e);
                Ok(())
            }
            Problem::Warn(w) => match w.refusal() {
                Some(e) if strict => Err(e),
                _ => {
                    self.corpus.warnings.push(w);
                    Ok(())
                }
            },
        }
    }

    fn item(&mut self, item: Item, default_id: impl FnOnce() -> String) -> Result<()> {
        match item {
            Item::Blank => Ok(()),
            Item::Problem(p) => self.problem(p),
            Item::Doc {
                id,
                stats,
                keys,
                empty,
                remark,
            } => {
                if let Some(remark) = remark {
                    self.problem(Problem::Warn(remark))?;
                }
                let doc = DocId::try_from(self.corpus.len()).map_err(|_| {
                    Error::Config("more documents than doppel can index (4,294,967,296)".into())
                })?;
                let mut id = id.unwrap_or_else(default_id);
                id.insert_str(0, &self.opts.load.id_prefix);
                if empty {
                    // Noted before the document is kept: under `strict` it
                    // stops the run instead.
                    let source = self.corpus.source_of(&stats).to_string();
                    self.problem(Problem::Warn(Warning::new(source, WarningKind::Empty)))?;
                } else if stats.words == 0 {
                    let remark = corpus::wordless_remark(&self.corpus.source_of(&stats));
                    self.problem(Problem::Warn(remark))?;
                }
                self.corpus.push_doc(&id, stats);
                self.entries.extend(keys.into_iter().map(|k| (k, doc)));
                self.docs_read += 1;
                Ok(())
            }
        }
    }
}

/// Read, tokenise, shingle and sign every input, keeping no text (see the
/// module documentation). Returns `Err` only under `strict` (at the first
/// problem) or when an output of this function cannot be built; problems
/// with inputs are collected in [`Corpus::errors`] and
/// [`Corpus::warnings`].
pub(crate) fn read(
    paths: &[PathBuf],
    opts: &BatchOptions,
    cfg: &Config,
    progress: Progress<'_>,
) -> Result<Signed> {
    corpus::stdin_once(paths)?;
    let params = pipeline::minhash_lsh_params(cfg);
    let signer = Signer {
        cfg,
        hasher: MinHasher::new(cfg.num_perm),
        params,
    };
    let mut b = Builder {
        corpus: Corpus::default(),
        entries: Vec::new(),
        opts,
        docs_read: 0,
        bytes_read: 0,
    };
    // Resolve the inputs first, so progress knows the total size.
    let mut plan: Vec<(PathBuf, String, Option<File>)> = Vec::new();
    for arg in paths {
        if arg.as_os_str() == "-" {
            match spool_stdin() {
                Ok(f) => plan.push((PathBuf::from("<stdin>"), "-".into(), Some(f))),
                Err(source) => b.problem(Problem::Error(Error::Io {
                    path: PathBuf::from("<stdin>"),
                    source,
                }))?,
            }
            continue;
        }
        match std::fs::metadata(arg) {
            Err(source) => b.problem(Problem::Error(Error::Io {
                path: arg.clone(),
                source,
            }))?,
            Ok(m) if m.is_dir() => {
                let files = corpus::walk(arg, &opts.load.filter, |p| {
                    b.problem(match p {
                        WalkProblem::Skip(w) => Problem::Warn(w),
                        WalkProblem::Error(e) => Problem::Error(e),
                    })
                })?;
                if files.is_empty() {
                    let note = corpus::empty_dir_note(arg, &opts.load.filter);
                    b.problem(Problem::Warn(note))?;
                }
                for (path, id) in files {
                    plan.push((path, id, None));
                }
            }
            Ok(_) => plan.push((arg.clone(), arg.to_string_lossy().into_owned(), None)),
        }
    }
    let size = |p: &(PathBuf, String, Option<File>)| match &p.2 {
        Some(f) => f.metadata().map(|m| m.len()).unwrap_or(0),
        None => std::fs::metadata(&p.0).map(|m| m.len()).unwrap_or(0),
    };
    progress(Event::Reading {
        total_bytes: plan.iter().map(size).sum(),
    });
    if opts.load.jsonl {
        for (path, _, spooled) in plan {
            read_jsonl_input(path, spooled, &signer, &mut b, progress)?;
        }
    } else {
        read_text_inputs(plan, &signer, &mut b, progress)?;
    }
    b.corpus.rename_duplicates();
    Ok(Signed {
        corpus: b.corpus,
        entries: b.entries,
        params,
    })
}

/// Copy standard input into an anonymous temporary file, so documents can be
/// read again by offset.
fn spool_stdin() -> std::io::Result<File> {
    let mut f = tempfile::tempfile()?;
    std::io::copy(&mut std::io::stdin().lock(), &mut f)?;
    f.flush()?;
    Ok(f)
}

/// Stream one JSON Lines input through the signer, chunk by chunk, reading
/// the next chunk while the current one is processed.
fn read_jsonl_input(
    path: PathBuf,
    spooled: Option<File>,
    signer: &Signer<'_>,
    b: &mut Builder<'_>,
    progress: Progress<'_>,
) -> Result<()> {
    let io_err = |path: &Path, source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = match &spooled {
        Some(f) => f.try_clone().and_then(|mut f| {
            use std::io::Seek;
            f.seek(std::io::SeekFrom::Start(0))?;
            Ok(f)
        }),
        None => File::open(&path),
    };
    let file = match file {
        Ok(f) => f,
        Err(source) => return b.problem(Problem::Error(io_err(&path, source))),
    };
    let file_idx = u32::try_from(b.corpus.inputs.len())
        .map_err(|_| Error::Config("too many input files".into()))?;
    let mut input = Input::new(path.clone(), InputKind::JsonLines);
    input.spooled = spooled;
    b.corpus.inputs.push(input);
    let opts = &b.opts.load;
    let mut reader = ChunkReader::new(
        std::io::BufReader::with_capacity(1 << 20, file),
        b.opts.chunk_bytes,
        opts.max_doc_bytes,
    );
    let process = |chunk: &Chunk| -> Vec<(u64, Item)> {
        let mut items: Vec<(u64, Item)> = chunk
            .oversized
            .iter()
            .map(|&(line, _, len)| {
                let item = Item::Problem(Problem::Warn(line_too_long(&path, line, len, opts)));
                (line, item)
            })
            .collect();
        let lines = lines(chunk);
        let parsed: Vec<(u64, Item)> = lines
            .par_iter()
            .map(|&(line, start, bytes)| {
                if bytes.len() as u64 > opts.max_doc_bytes {
                    let err = line_too_long(&path, line, bytes.len() as u64, opts);
                    return (line, Item::Problem(Problem::Warn(err)));
                }
                let item = match parse_line(&path, line as usize, bytes, opts) {
                    Ok(None) => Item::Blank,
                    Err(e) => Item::Problem(Problem::Error(e)),
                    Ok(Some((id, text))) => {
                        let location = Location {
                            file: file_idx,
                            offset: chunk.offset + start as u64,
                            len: bytes.len() as u64,
                        };
                        let (stats, keys) = signer.sign(&text, location, line);
                        Item::Doc {
                            id,
                            stats,
                            keys,
                            empty: text.trim().is_empty(),
                            remark: None,
                        }
                    }
                };
                (line, item)
            })
            .collect();
        if items.is_empty() {
            return parsed;
        }
        items.extend(parsed);
        items.sort_by_key(|x| x.0);
        items
    };
    let mut current = reader.next_chunk();
    loop {
        let chunk = match current {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(source) => return b.problem(Problem::Error(io_err(&path, source))),
        };
        let (items, next) = rayon::join(|| process(&chunk), || reader.next_chunk());
        for (line, item) in items {
            b.item(item, || format!("{}:{line}", path.display()))?;
        }
        let last = chunk
            .oversized
            .iter()
            .map(|o| o.1 + o.2 + 1)
            .max()
            .unwrap_or(0);
        b.bytes_read = b
            .bytes_read
            .max(chunk.offset + chunk.bytes.len() as u64)
            .max(last);
        progress(Event::Read {
            docs: b.docs_read,
            bytes: b.bytes_read,
        });
        current = next;
    }
    Ok(())
}

/// Text files, each one document, processed in parallel batches.
fn read_text_inputs(
    plan: Vec<(PathBuf, String, Option<File>)>,
    signer: &Signer<'_>,
    b: &mut Builder<'_>,
    progress: Progress<'_>,
) -> Result<()> {
    let opts = b.opts.load.clone();
    let base = b.corpus.inputs.len();
    let mut ids = Vec::with_capacity(plan.len());
    for (path, id, spooled) in plan {
        let mut input = Input::new(path, InputKind::Text);
        input.spooled = spooled;
        b.corpus.inputs.push(input);
        ids.push(id);
    }
    let n = ids.len();
    let batch = 256;
    let mut start = 0;
    while start < n {
        let end = (start + batch).min(n);
        let inputs = &b.corpus.inputs;
        let items: Vec<(Item, u64)> = (start..end)
            .into_par_iter()
            .map(|i| read_text_file(&inputs[base + i], (base + i) as u32, &opts, signer))
            .collect();
        for ((item, bytes), id) in items.into_iter().zip(&mut ids[start..end]) {
            let id = std::mem::take(id);
            b.item(item, || id)?;
            b.bytes_read += bytes;
        }
        progress(Event::Read {
            docs: b.docs_read,
            bytes: b.bytes_read,
        });
        start = end;
    }
    Ok(())
}

/// One text file: its item, and the bytes it took.
fn read_text_file(
    input: &Input,
    file: u32,
    opts: &LoadOptions,
    signer: &Signer<'_>,
) -> (Item, u64) {
    let path = &input.path;
    let problem = |p| (Item::Problem(p), 0);
    let len = match &input.spooled {
        Some(f) => f.metadata().map(|m| m.len()),
        None => std::fs::metadata(path).map(|m| m.len()),
    };
    let len = match len {
        Ok(l) => l,
        Err(source) => {
            return problem(Problem::Error(Error::Io {
                path: path.clone(),
                source,
            }));
        }
    };
    if input.spooled.is_none() && len > opts.max_doc_bytes {
        let kind = WarningKind::TooLarge {
            bytes: Some(len),
            limit: opts.max_doc_bytes,
        };
        return problem(Problem::Warn(Warning::of_path(path, kind)));
    }
    let io_error = |source| {
        problem(Problem::Error(Error::Io {
            path: path.clone(),
            source,
        }))
    };
    let bytes = if input.spooled.is_some() {
        match input.read_at(0, len) {
            Ok(b) => b,
            Err(e) => return problem(Problem::Error(e)),
        }
    } else {
        // As the in-memory reader does: the size above may not hold (a file
        // can grow; a pipe, a device or a file under /proc has none), so read
        // what is there, never more than the limit.
        let file = match File::open(path) {
            Ok(f) => f,
            Err(source) => return io_error(source),
        };
        match corpus::read_whole(file, opts.max_doc_bytes) {
            Ok(Some(b)) => b,
            Ok(None) => {
                return problem(Problem::Warn(corpus::too_large(path, opts.max_doc_bytes)));
            }
            Err(source) => return io_error(source),
        }
    };
    // What verification re-reads by offset.
    let len = bytes.len() as u64;
    let decoded = match corpus::decode(path, bytes, opts.encoding) {
        Ok(d) => d,
        Err(Error::Binary { offset, .. }) => {
            let kind = WarningKind::Binary { offset };
            return problem(Problem::Warn(Warning::of_path(path, kind)));
        }
        Err(e) => return problem(Problem::Error(e)),
    };
    let remark = corpus::decode_remark(path, &decoded, opts);
    let text = decoded.text;
    let location = Location {
        file,
        offset: 0,
        len,
    };
    let (stats, keys) = signer.sign(&text, location, 0);
    let item = Item::Doc {
        id: None,
        stats,
        keys,
        empty: text.trim().is_empty(),
        remark,
    };
    (item, len)
}

/// Verify candidate pairs by the exact Jaccard of their shingle sets, reading
/// the documents' texts again (see the module documentation). Returns one
/// [`PairResult`] per candidate, in the order given, with MinHash-mode
/// verdicts (`pipeline::minhash_pair`).
pub fn verify(
    corpus: &Corpus,
    pairs: &[(DocId, DocId)],
    opts: &BatchOptions,
    cfg: &Config,
    progress: Progress<'_>,
) -> Result<Vec<PairResult>> {
    let signer = Signer {
        cfg,
        hasher: MinHasher::new(cfg.num_perm),
        params: pipeline::minhash_lsh_params(cfg),
    };
    let mut out = Vec::with_capacity(pairs.len());
    for block in pairs.chunks(VERIFY_BLOCK) {
        // Document ids follow input order, so sorted ids read the inputs
        // again front to back.
        let mut docs: Vec<DocId> = block.iter().flat_map(|&(a, b)| [a, b]).collect();
        docs.par_sort_unstable();
        docs.dedup();
        let features: Vec<(Vec<u64>, Signature)> = docs
            .par_iter()
            .map(|&d| corpus.text(d, &opts.load).map(|t| signer.features(&t)))
            .collect::<Result<_>>()?;
        let slot = |d: DocId| docs.binary_search(&d).ok();
        let results: Vec<PairResult> = block
            .par_iter()
            .filter_map(|&(a, b)| {
                let (fa, fb) = (&features[slot(a)?], &features[slot(b)?]);
                Some(pipeline::minhash_pair(
                    a,
                    b,
                    (&fa.0, &fb.0),
                    (&fa.1, &fb.1),
                    cfg,
                ))
            })
            .collect();
        out.extend(results);
        progress(Event::Verified {
            pairs: out.len() as u64,
        });
    }
    Ok(out)
}

/// The outcome of a streamed MinHash run.
#[derive(Debug)]
pub struct BatchScan {
    /// The documents (no text).
    pub corpus: Corpus,
    /// The banding used.
    pub params: LshParams,
    /// Candidate pairs from LSH.
    pub candidates: usize,
    /// LSH buckets turned into stars (see `lsh::candidate_pairs_capped`).
    pub capped_buckets: usize,
    /// Size of the largest LSH bucket.
    pub largest_bucket: usize,
    /// Every candidate with its scores and verdict, flagged first (see
    /// `pipeline::sort_pairs`).
    pub pairs: Vec<PairResult>,
}

impl BatchScan {
    /// Number of flagged pairs.
    pub fn flagged(&self) -> usize {
        self.pairs.iter().filter(|p| p.verdict.is_flagged()).count()
    }
}

/// Read, sign, find candidates and verify them: the streamed equivalent of
/// `pipeline::scan_minhash`, with the same pairs and scores, holding no
/// text (see the module documentation).
pub fn scan(
    paths: &[PathBuf],
    opts: &BatchOptions,
    cfg: &Config,
    progress: Progress<'_>,
) -> Result<BatchScan> {
    let signed = read(paths, opts, cfg, progress)?;
    let cands = lsh::candidate_pairs_capped(signed.entries, opts.max_bucket);
    progress(Event::Candidates {
        pairs: cands.pairs.len() as u64,
    });
    let mut pairs = verify(&signed.corpus, &cands.pairs, opts, cfg, progress)?;
    pipeline::sort_pairs(&mut pairs);
    Ok(BatchScan {
        corpus: signed.corpus,
        params: signed.params,
        candidates: cands.pairs.len(),
        capped_buckets: cands.capped_buckets,
        largest_bucket: cands.largest_bucket,
        pairs,
    })
}

/// Which member of a cluster of near-duplicates to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The first in input order.
    First,
    /// The one with the most characters (the first of those on a tie).
    Longest,
}

/// Documents grouped into clusters of near-duplicates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clusters {
    /// Per document: the document kept for its cluster (itself if kept).
    pub representative: Vec<DocId>,
}

impl Clusters {
    /// Union–find over `pairs`; in each cluster the member chosen by `keep`
    /// is the representative. `lengths[d]` is document `d`'s length in
    /// characters (used by [`Keep::Longest`]).
    pub fn build(n: usize, pairs: &[(DocId, DocId)], lengths: &[u64], keep: Keep) -> Clusters {
        let mut parent: Vec<DocId> = (0..n as DocId).collect();
        fn find(parent: &mut [DocId], mut x: DocId) -> DocId {
            while parent[x as usize] != x {
                let up = parent[parent[x as usize] as usize];
                parent[x as usize] = up;
                x = up;
            }
            x
        }
        for &(a, b) in pairs {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                // The lower root wins: roots stay the first member.
                let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
                parent[hi as usize] = lo;
            }
        }
        let roots: Vec<DocId> = (0..n as DocId).map(|d| find(&mut parent, d)).collect();
        let mut best: Vec<DocId> = (0..n as DocId).collect();
        if keep == Keep::Longest {
            for d in 0..n {
                let r = roots[d] as usize;
                let cur = best[r] as usize;
                if lengths[d] > lengths[cur] {
                    best[r] = d as DocId;
                }
            }
        }
        let representative = roots.iter().map(|&r| best[r as usize]).collect();
        Clusters { representative }
    }

    /// Whether document `d` is kept.
    pub fn kept(&self, d: DocId) -> bool {
        self.representative[d as usize] == d
    }

    /// Number of documents dropped as near-duplicates of a kept one.
    pub fn dropped(&self) -> usize {
        (0..self.representative.len() as DocId)
            .filter(|&d| !self.kept(d))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Analysed;

    fn cfg() -> Config {
        Config::default()
    }

    fn jsonl(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
        p
    }

    fn opts(jsonl: bool, chunk: usize) -> BatchOptions {
        BatchOptions {
            load: LoadOptions {
                jsonl,
                ..LoadOptions::default()
            },
            chunk_bytes: chunk,
            ..BatchOptions::default()
        }
    }

    fn para(seed: u64, words: usize) -> String {
        let mut x = seed;
        (0..words)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                format!("w{}", (x >> 33) % 5000)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn chunk_reader_keeps_offsets_and_line_numbers_across_chunks() {
        let text = "a\nbb\n\nccc\ndddd";
        for chunk in [1, 2, 3, 5, 100] {
            let mut r = ChunkReader::new(text.as_bytes(), chunk, 1000);
            let mut got = Vec::new();
            while let Some(c) = r.next_chunk().unwrap() {
                for (line, start, bytes) in lines(&c) {
                    got.push((line, c.offset + start as u64, bytes.to_vec()));
                }
            }
            let want: Vec<(u64, u64, Vec<u8>)> = vec![
                (1, 0, b"a".to_vec()),
                (2, 2, b"bb".to_vec()),
                (3, 5, b"".to_vec()),
                (4, 6, b"ccc".to_vec()),
                (5, 10, b"dddd".to_vec()),
            ];
            assert_eq!(got, want, "chunk {chunk}");
        }
    }

    #[test]
    fn chunk_reader_skips_oversized_lines_without_holding_them() {
        let long = "x".repeat(500_000);
        let text = format!("ok\n{long}\nfine\n{long}");
        let mut r = ChunkReader::new(text.as_bytes(), 16, 100);
        let mut got = Vec::new();
        let mut over = Vec::new();
        while let Some(c) = r.next_chunk().unwrap() {
            // At most one read (64 KiB) beyond the limit is ever held.
            assert!(c.bytes.len() < 70_000, "held {} bytes", c.bytes.len());
            over.extend(c.oversized.iter().copied());
            for (line, start, bytes) in lines(&c) {
                got.push((line, c.offset + start as u64, bytes.to_vec()));
            }
        }
        assert_eq!(
            got,
            vec![(1, 0, b"ok".to_vec()), (3, 500_004, b"fine".to_vec())]
        );
        assert_eq!(over, vec![(2, 3, 500_000), (4, 500_009, 500_000)]);
    }

    #[test]
    fn reads_jsonl_like_corpus_and_refetches_texts() {
        let d = tempfile::tempdir().unwrap();
        let lines = vec![
            r#"{"id": "x", "text": "hello there"}"#.to_string(),
            String::new(),
            "{not json".to_string(),
            r#"{"id": 7, "body": "b"}"#.to_string(),
            r#"{"id": 8, "text": 3}"#.to_string(),
            r#"{"text": "caf\u00e9 \"quoted\"\nnext line"}"#.to_string(),
            r#"{"id": "x", "text": "   "}"#.to_string(),
        ];
        let p = jsonl(d.path(), "c.jsonl", &lines);
        let signed = read(std::slice::from_ref(&p), &opts(true, 7), &cfg(), &|_| {}).unwrap();
        let c = &signed.corpus;
        assert_eq!(c.len(), 3);
        assert_eq!(c.id(0), "x");
        let default = format!("{}:6", p.display());
        assert_eq!(c.id(1), default);
        assert!(
            c.id(2).starts_with("x@") && c.id(2).ends_with("c.jsonl:7"),
            "{}",
            c.id(2)
        );
        let errs: Vec<String> = c.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].contains("c.jsonl:3") && errs[0].contains("malformed JSON"));
        assert!(errs[1].contains("c.jsonl:4") && errs[1].contains("\"text\""));
        assert!(errs[2].contains("c.jsonl:5") && errs[2].contains("not a string"));
        let w: Vec<String> = c.warnings.iter().map(|w| w.to_string()).collect();
        let w = w.join("\n");
        assert!(
            w.contains("c.jsonl:7") && w.contains("empty document"),
            "{w}"
        );
        assert!(w.contains("duplicate id \"x\""), "{w}");
        // Texts come back from their locations, byte for byte.
        let load = opts(true, 7).load;
        assert_eq!(c.text(0, &load).unwrap(), "hello there");
        assert_eq!(c.text(1, &load).unwrap(), "café \"quoted\"\nnext line");
        assert_eq!(c.raw(1).unwrap(), lines[5].as_bytes());
        assert_eq!(c.stats(1).chars, 23);
        // No sentence end anywhere, so not prose: each line stands alone.
        assert_eq!(c.stats(1).sentences, 2);
        // The empty document has no band keys; the others have one per band.
        assert_eq!(signed.entries.len(), 2 * signed.params.bands);
        // Strict mode stops at the first problem.
        let mut strict = opts(true, 7);
        strict.load.strict = true;
        let err = read(std::slice::from_ref(&p), &strict, &cfg(), &|_| {}).unwrap_err();
        assert!(err.to_string().contains("c.jsonl:3"), "{err}");
    }

    #[test]
    fn reads_text_files_like_corpus() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        std::fs::write(d.path().join("b.txt"), "bee words here").unwrap();
        std::fs::write(d.path().join("sub/a.txt"), "ay").unwrap();
        std::fs::write(d.path().join(".hidden"), "no").unwrap();
        std::fs::write(d.path().join("bin"), b"ab\0cd").unwrap();
        std::fs::write(d.path().join("latin1"), b"caf\xe9").unwrap();
        let signed = read(&[d.path().to_path_buf()], &opts(false, 64), &cfg(), &|_| {}).unwrap();
        let c = &signed.corpus;
        let ids: Vec<&str> = (0..c.len() as DocId).map(|i| c.id(i)).collect();
        assert_eq!(ids, ["b.txt", "latin1", "sub/a.txt"]);
        let w: Vec<String> = c.warnings.iter().map(|w| w.to_string()).collect();
        let w = w.join("\n");
        assert!(w.contains("binary") && w.contains("offset 2"), "{w}");
        assert!(
            w.contains("UTF-8") && w.contains("offset 3") && w.contains("windows-1252"),
            "{w}"
        );
        // Verification reads the decoded text again.
        assert_eq!(c.text(1, &LoadOptions::default()).unwrap(), "café");
        assert_eq!(
            c.text(0, &LoadOptions::default()).unwrap(),
            "bee words here"
        );
        assert_eq!(c.stats(0).words, 3);
    }

    #[test]
    fn streamed_scan_matches_in_memory_scan_at_any_chunk_size_and_thread_count() {
        let d = tempfile::tempdir().unwrap();
        let mut texts = Vec::new();
        for i in 0..60u64 {
            let t = if i % 4 == 3 {
                // A near-duplicate of the previous document.
                let prev: &String = &texts[texts.len() - 1];
                let mut w: Vec<&str> = prev.split(' ').collect();
                for j in (0..w.len()).step_by(30 + 10 * (i as usize % 5)) {
                    w[j] = "edited";
                }
                w.join(" ")
            } else {
                para(i + 1, 120)
            };
            texts.push(t);
        }
        let lines: Vec<String> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| serde_json::json!({"id": format!("d{i}"), "text": t}).to_string())
            .collect();
        let p = jsonl(d.path(), "c.jsonl", &lines);
        let docs: Vec<crate::corpus::Document> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| crate::corpus::Document::new(format!("d{i}"), t.clone()))
            .collect();
        let want = pipeline::scan_minhash(&docs, &cfg());
        let key = |p: &PairResult| (p.a, p.b, p.verdict, p.scores);
        let want: Vec<_> = want.pairs.iter().map(key).collect();
        assert!(want.iter().filter(|p| p.2.is_flagged()).count() >= 14);
        for (chunk, threads) in [(1usize, 1usize), (300, 2), (1 << 20, 4)] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let got = pool
                .install(|| {
                    scan(
                        std::slice::from_ref(&p),
                        &opts(true, chunk),
                        &cfg(),
                        &|_| {},
                    )
                })
                .unwrap();
            let got: Vec<_> = got.pairs.iter().map(key).collect();
            assert_eq!(got, want, "chunk {chunk}, {threads} threads");
        }
    }

    #[test]
    fn text_is_not_retained() {
        // A corpus of 400 documents of ~6 KB: what the corpus keeps is a
        // small, fixed amount per document, whatever the texts' size.
        let d = tempfile::tempdir().unwrap();
        let lines: Vec<String> = (0..400u64)
            .map(|i| serde_json::json!({"id": i, "text": para(i, 1000)}).to_string())
            .collect();
        let total: usize = lines.iter().map(String::len).sum();
        let p = jsonl(d.path(), "c.jsonl", &lines);
        let signed = read(
            std::slice::from_ref(&p),
            &opts(true, 1 << 16),
            &cfg(),
            &|_| {},
        )
        .unwrap();
        let kept = signed.corpus.retained_bytes()
            + signed.entries.capacity() * std::mem::size_of::<(u64, DocId)>();
        assert!(total > 2_000_000, "{total}");
        assert!(
            kept * 5 < total,
            "kept {kept} bytes of a {total}-byte corpus"
        );
        // Per document: counts, location, id and one key per band.
        // (The entries vector may hold up to twice its length.)
        let per_doc = kept / signed.corpus.len();
        let bands = signed.params.bands * 16;
        assert!(per_doc < 2 * bands + 200, "{per_doc} bytes per document");
    }

    #[test]
    fn fast_word_path_matches_the_text_model() {
        let texts = [
            "Mr. Smith went to Washington. He met Dr. Jones at 5 p.m. on Monday!",
            "The U.S. Army and the U.K. \u{201C}agreed\u{201D} \u{2014} etc. Then e.g. this.",
            "Caf\u{E9} CAF\u{C9} \u{FB01}nance \u{FF21}\u{FF22}C Stra\u{DF}e na\u{EF}ve. Vietnam\u{2019}s forces.",
            "line one\nline two\n\nA new paragraph. J. R. R. Tolkien wrote it.",
            "",
            "   \n\n  ",
            "emoji \u{1F600} and numbers 3.14 and 1,000 items... Next? Yes.",
            "\u{130}stanbul \u{3A3}\u{39F}\u{3A6}\u{399}\u{391}. Dollar\u{A0}sign, ca. 5 p.c. Mrs. X.",
            "A strate-\ngic plan, inter-  \r\n  national and \u{e9}co-\nnomic.",
            "\u{1F600}\u{1F600} -- ?! \u{2500}\u{2500}\u{200B}",
        ];
        for t in texts {
            let a = Analysed::new(t);
            let w = Words::new(t);
            assert_eq!(w.len(), a.tokens.len(), "{t:?}");
            for (i, tok) in a.tokens.iter().enumerate() {
                assert_eq!(w.norm(i), tok.norm, "{t:?}");
                assert_eq!(w.spans[i], tok.span, "{t:?}");
            }
            assert_eq!(w.sentences(t), a.sentences.len(), "{t:?}");
            for kind in [
                ShingleKind::Words(5),
                ShingleKind::Words(2),
                ShingleKind::Chars(4),
            ] {
                assert_eq!(
                    w.shingles(t, kind),
                    pipeline::shingle_set(t, &a, kind),
                    "{t:?}"
                );
            }
        }
    }

    #[test]
    fn clusters_keep_first_or_longest() {
        // Clusters {0, 2, 5}, {1, 4}, {3}; 6 alone.
        let pairs = [(2, 5), (0, 2), (1, 4)];
        let lengths = [10, 50, 30, 5, 60, 30, 1];
        let first = Clusters::build(7, &pairs, &lengths, Keep::First);
        assert_eq!(first.representative, vec![0, 1, 0, 3, 1, 0, 6]);
        assert_eq!(first.dropped(), 3);
        let longest = Clusters::build(7, &pairs, &lengths, Keep::Longest);
        // 2 and 5 tie at 30: the first of them.
        assert_eq!(longest.representative, vec![2, 4, 2, 3, 4, 2, 6]);
        assert!(longest.kept(2) && !longest.kept(0));
    }
}
