//! The reference index: documents in, a persistent store on disk out; new
//! documents in, the reference documents they derive from out ([`check`]).
//!
//! An archive is indexed once ([`Builder`]), grown ([`Index::add`]) and
//! pruned ([`Index::remove`]); a batch of new documents is then checked
//! against it ([`check::Checker`]) without the original files.
//!
//! ```
//! use doppel::config::Config;
//! use doppel::corpus::Document;
//! use doppel_index::{Builder, Index, IndexParams, check::{Checker, Mode}};
//! use doppel::score::Verdict;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("archive.db");
//! let cfg = Config::default();
//! let mut builder = Builder::new(&path, &IndexParams::from_config(&cfg), false)?;
//! builder.add(&[Document::new("budget", "The committee approved the budget on Monday. \
//!     Members argued for hours about the cost of the new bridge. \
//!     In the end the vote was close.")])?;
//! builder.finish()?;
//!
//! let index = Index::open_read_only(&path)?;
//! let mut checker = Checker::new(&index, &cfg, Mode::Full)?;
//! let new = Document::new("rewrite", "On Monday the budget was approved by the committee. \
//!     For hours, members argued over what the new bridge would cost. \
//!     The vote, in the end, was close.");
//! let checked = checker.check(&[new])?;
//! let m = &checked[0].matches[0];
//! assert_eq!(m.reference.document.id, "budget");
//! assert_eq!(m.pair.verdict, Verdict::Derivative);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Storage
//!
//! The index is one SQLite database file (rusqlite, SQLite compiled in). A
//! real embedded database rather than a file format of our own gives us, for
//! free and well tested: transactions (each `add` and `remove` is one, so a
//! crash leaves the old or the new index, never a mix), write-ahead logging
//! (readers keep their snapshot while a writer adds), a stable and
//! inspectable file format (`sqlite3 index.db .schema`), and no server.
//!
//! Tables:
//!
//! * `meta (key, value)` — the format version, the doppel version that
//!   created the file, the engine parameters (shingle kind and size, values
//!   per signature, LSH threshold, bands and rows, stemming, stop words, the
//!   hash function and seed), an *engine fingerprint*, the number of
//!   documents and a generation number every committed change increments
//!   (so readers can tell they see the same state). The fingerprint hashes what this build of doppel makes of a
//!   fixed probe text (tokens, terms, shingles, signature, band keys): a
//!   doppel whose hashing or text processing differs from the one that
//!   built the index refuses to use it rather than silently missing matches.
//! * `documents (doc, id, source, signature, terms, text)` — per reference
//!   document: its id and source, its MinHash signature (little-endian
//!   `u64`s), its term counts (a compact blob of term ids and counts, so
//!   `remove` can decrement document frequencies and `check` can weigh the
//!   document without re-reading its text), and its text. The text is
//!   stored as-is: SQLite has no page compression, and alignment needs the
//!   original bytes to report offsets, so it is kept verbatim.
//! * `bands (key, doc)` — LSH band keys. Each key already encodes its band
//!   (see [`lsh::band_keys`]), so one indexed column answers "which
//!   documents share this band value".
//! * `terms (term, text, df)` — the vocabulary of the TF-IDF side and each
//!   term's document frequency, kept current by `add` and `remove`.
//! * `added (doc, at)` — when each document was added, in seconds since
//!   1970 (UTC; `SOURCE_DATE_EPOCH` when set, for reproducible builds).
//!   Indexes made before this table existed get it when next opened to
//!   write; their older documents have no time.
//! * `prints (fp, doc)` — the copied-passage fingerprints of each
//!   document (see `doppel::winnow`), so `check` finds a reference
//!   document that shares a verbatim run of `copy_words` words (meta) with
//!   a new one, whatever their other scores. An index made before this
//!   table existed gets it, filled from its stored texts, when next opened
//!   to write; until then `check` finds copies only through LSH and
//!   TF-IDF.
//! * `sbands (key, doc)` — optional: the rewritten-passage band keys of
//!   each document (MinHash bands of each sentence's terms, see
//!   `doppel::rewrites`), so a check with rewrite candidates finds a
//!   reference document one of whose paragraphs a new document rewrites.
//!   Made on request ([`Builder::store_sentence_bands`],
//!   [`Index::store_sentence_bands`]: 16 keys a sentence, more space and
//!   build time),
//!   filled from the stored texts; once there, `add` and `remove` keep it
//!   current.
//! * `postings (term, first, data)` — an inverted index: for each term,
//!   the documents holding it, each with the term's weight in the document
//!   *without* idf (sublinear tf over the document's idf-free norm,
//!   quantised to a byte), so it stays valid as document frequencies
//!   change; `check` applies the current idf when it reads it. Postings
//!   are packed in blocks — delta-coded document numbers as varints and
//!   one-byte weights, one row per term and block, keyed by the block's first
//!   document — a few bytes a posting instead of a row each. An add writes
//!   one block per term, or extends the term's last block while it is
//!   small, so one-document adds do not fragment the lists.
//!
//! Document numbers only grow (`AUTOINCREMENT`): a removed document's
//! number is never reused, so a term's blocks stay in document order.
//!
//! Sentence data is not stored (but for the sentence band keys): it is
//! recomputed from the text with the same code `scan` uses, which keeps the index small and guarantees that
//! `check` aligns exactly as `scan` would.

pub mod check;
pub mod scratch;

use ahash::{AHashMap, AHashSet};
use doppel::config::Config;
use doppel::corpus::Document;
use doppel::lsh::{self, LshParams};
use doppel::minhash::{MinHasher, Signature};
use doppel::pipeline;
use doppel::progress::{self, Event, Progress};
use doppel::shingle::{self, ShingleKind};
use doppel::text::Analyzer;
use rayon::prelude::*;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The format version this doppel writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Marks the SQLite file as a doppel index (`PRAGMA application_id`, "dopp").
const APPLICATION_ID: i32 = 0x646F_7070;

/// Database page size in bytes.
const PAGE_SIZE: usize = 16384;

/// Documents prepared in parallel before being written, per round.
const WRITE_CHUNK: usize = 2048;

/// How long a writer waits for another writer to finish.
const WRITER_WAIT: Duration = Duration::from_secs(60);

/// How long a reader waits for a lock (only briefly taken in WAL mode).
const READER_WAIT: Duration = Duration::from_secs(10);

/// A term's last postings block is extended by an add while it is smaller
/// than this many bytes; otherwise the add starts a new block.
const BLOCK_BYTES: usize = 1024;

/// Scale of the quantised posting weights: a weight in (0, 1] becomes one
/// byte, 1..=255. Posting weights only rank documents for the exact cosine
/// computed afterwards, so a byte is precision enough.
const WEIGHT_SCALE: f64 = 255.0;

/// Errors of the index. Each names the index file.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No index at this path.
    #[error("{}: no index here (create one with `doppel index build`)", path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// A new index would overwrite an existing file.
    #[error("{}: already exists (add to it with `doppel index add`, or replace it with --force)", path.display())]
    Exists {
        /// The path given.
        path: PathBuf,
    },
    /// The file is not a doppel index.
    #[error("{}: not a doppel index ({reason})", path.display())]
    NotAnIndex {
        /// The file.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// The file is a doppel index but its content is damaged.
    #[error("{}: the index is damaged ({reason}); rebuild it with `doppel index build`", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What was found wrong.
        reason: String,
    },
    /// The index was written by a newer doppel.
    #[error("{}: index format version {found} is newer than this doppel reads (version {FORMAT_VERSION}); use a newer doppel", path.display())]
    NewerVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u32,
    },
    /// The index has a format version this doppel does not know.
    #[error("{}: unknown index format version {found:?} (this doppel reads version {FORMAT_VERSION}); rebuild the index", path.display())]
    UnknownVersion {
        /// The file.
        path: PathBuf,
        /// The version found, as stored.
        found: String,
    },
    /// This doppel processes text differently from the one that built the
    /// index, so its hashes would not match the stored ones.
    #[error("{}: this doppel hashes text differently from the one that built the index (engine fingerprint {found} instead of {stored}); rebuild the index", path.display())]
    Fingerprint {
        /// The file.
        path: PathBuf,
        /// Stored fingerprint.
        stored: String,
        /// This doppel's fingerprint.
        found: String,
    },
    /// Rewritten-passage candidates were asked of an index that does not
    /// store sentence band keys yet.
    #[error("{}: the index does not store sentence band keys, so rewritten passages cannot be looked up in it; store them with `doppel index add --rewrite-candidates` (or build it with that flag), or check without rewrite candidates", path.display())]
    NoSentenceBands {
        /// The file.
        path: PathBuf,
    },
    /// A flag contradicts a parameter the index was built with.
    #[error("{flag} {given} differs from the index's {stored} ({}): an index answers only with the parameters it was built with; drop the flag or rebuild the index", path.display())]
    ParamMismatch {
        /// The file.
        path: PathBuf,
        /// The flag, as typed on the command line.
        flag: &'static str,
        /// The value given.
        given: String,
        /// The value stored.
        stored: String,
    },
    /// A document to add has an id the index already holds.
    #[error("{}: a document with id {id:?} ({source_name}) is already in the index; nothing was added (remove it first with `doppel index remove`)", path.display())]
    AlreadyIndexed {
        /// The file.
        path: PathBuf,
        /// The id.
        id: String,
        /// Where the new document came from.
        source_name: String,
    },
    /// Two documents to add share an id.
    #[error("{}: two documents to add have the id {id:?}; nothing was added", path.display())]
    DuplicateInput {
        /// The file.
        path: PathBuf,
        /// The id.
        id: String,
    },
    /// A document to remove is not in the index.
    #[error("{}: no document with id {id:?}; nothing was removed", path.display())]
    UnknownId {
        /// The file.
        path: PathBuf,
        /// The id.
        id: String,
    },
    /// Invalid settings for a new index.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The index file or its directory could not be used.
    #[error("{}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Any other database error.
    #[error("{}", path.display())]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: rusqlite::Error,
    },
}

/// Result of index operations.
pub type IndexResult<T> = std::result::Result<T, IndexError>;

/// Turns a database error into an [`IndexError`] naming `path`, telling a
/// damaged or foreign file apart from other failures.
fn db_error(path: &Path, e: rusqlite::Error) -> IndexError {
    use rusqlite::ffi::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => IndexError::NotAnIndex {
            path: path.to_path_buf(),
            reason: "not an SQLite database, or its header is damaged".into(),
        },
        Some(ErrorCode::DatabaseCorrupt) => IndexError::Damaged {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
        _ => IndexError::Sqlite {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// The parameters fixed when an index is built: everything that decides
/// which hashes and terms a document gives.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IndexParams {
    /// Shingles behind signatures and exact Jaccard.
    pub shingle: ShingleKind,
    /// Values per MinHash signature.
    pub num_perm: usize,
    /// Jaccard similarity the LSH bands are tuned for.
    pub lsh_threshold: f64,
    /// The bands and rows derived from the threshold.
    pub lsh: LshParams,
    /// Stem TF-IDF terms.
    pub stem: bool,
    /// Drop stop words from TF-IDF terms.
    pub stop_words: bool,
}

impl IndexParams {
    /// The parameters of a configuration, with the same banding `scan`
    /// derives from it.
    pub fn from_config(cfg: &Config) -> IndexParams {
        IndexParams {
            shingle: cfg.shingle,
            num_perm: cfg.num_perm,
            lsh_threshold: cfg.lsh_threshold,
            lsh: LshParams::optimal(cfg.lsh_threshold, cfg.num_perm, 0.5, 0.5),
            stem: cfg.stem,
            stop_words: cfg.stop_words,
        }
    }

    /// Overwrite the index parameters of `cfg` with these.
    pub fn apply(&self, cfg: &mut Config) {
        cfg.shingle = self.shingle;
        cfg.num_perm = self.num_perm;
        cfg.lsh_threshold = self.lsh_threshold;
        cfg.stem = self.stem;
        cfg.stop_words = self.stop_words;
    }

    /// A configuration with these parameters and default settings otherwise.
    pub fn config(&self) -> Config {
        let mut cfg = Config::default();
        self.apply(&mut cfg);
        cfg
    }

    fn to_meta(&self) -> Vec<(&'static str, String)> {
        let (kind, size) = match self.shingle {
            ShingleKind::Words(n) => ("words", n),
            ShingleKind::Chars(n) => ("chars", n),
        };
        vec![
            ("shingle_kind", kind.into()),
            ("shingle_size", size.to_string()),
            ("num_perm", self.num_perm.to_string()),
            ("lsh_threshold", self.lsh_threshold.to_string()),
            ("lsh_bands", self.lsh.bands.to_string()),
            ("lsh_rows", self.lsh.rows.to_string()),
            ("stem", self.stem.to_string()),
            ("stop_words", self.stop_words.to_string()),
            ("hash", "xxh3-64".into()),
            ("shingle_seed", format!("{:#018x}", shingle::SHINGLE_SEED)),
            ("tfidf", "sublinear-tf smooth-idf l2".into()),
        ]
    }

    fn from_meta(path: &Path, meta: &BTreeMap<String, String>) -> IndexResult<IndexParams> {
        fn get<T: std::str::FromStr>(
            path: &Path,
            meta: &BTreeMap<String, String>,
            key: &str,
        ) -> IndexResult<T> {
            let damaged = |what: &str| IndexError::Damaged {
                path: path.to_path_buf(),
                reason: format!("meta {key}: {what}"),
            };
            let raw = meta.get(key).ok_or_else(|| damaged("missing"))?;
            raw.parse()
                .map_err(|_| damaged(&format!("cannot read {raw:?}")))
        }
        let size: usize = get(path, meta, "shingle_size")?;
        let kind: String = get(path, meta, "shingle_kind")?;
        let shingle = match kind.as_str() {
            "words" => ShingleKind::Words(size),
            "chars" => ShingleKind::Chars(size),
            other => {
                return Err(IndexError::Damaged {
                    path: path.to_path_buf(),
                    reason: format!("meta shingle_kind: unknown kind {other:?}"),
                });
            }
        };
        let hash: String = get(path, meta, "hash")?;
        let seed: String = get(path, meta, "shingle_seed")?;
        let want_seed = format!("{:#018x}", shingle::SHINGLE_SEED);
        if hash != "xxh3-64" || seed != want_seed {
            return Err(IndexError::Fingerprint {
                path: path.to_path_buf(),
                stored: format!("{hash} {seed}"),
                found: format!("xxh3-64 {want_seed}"),
            });
        }
        let p = IndexParams {
            shingle,
            num_perm: get(path, meta, "num_perm")?,
            lsh_threshold: get(path, meta, "lsh_threshold")?,
            lsh: LshParams {
                bands: get(path, meta, "lsh_bands")?,
                rows: get(path, meta, "lsh_rows")?,
            },
            stem: get(path, meta, "stem")?,
            stop_words: get(path, meta, "stop_words")?,
        };
        if p.num_perm == 0 || p.lsh.rows == 0 || p.lsh.bands * p.lsh.rows > p.num_perm {
            return Err(IndexError::Damaged {
                path: path.to_path_buf(),
                reason: format!(
                    "meta: {} bands of {} rows do not fit signatures of {} values",
                    p.lsh.bands, p.lsh.rows, p.num_perm
                ),
            });
        }
        Ok(p)
    }

    /// Refuse flags that contradict these parameters. `None` (and `false`
    /// for the switches) means the flag was not given.
    pub fn check_flags(&self, flags: &ParamFlags, path: &Path) -> IndexResult<()> {
        let mismatch = |flag, given: String, stored: String| IndexError::ParamMismatch {
            path: path.to_path_buf(),
            flag,
            given,
            stored,
        };
        if let Some(n) = flags.num_perm {
            if n != self.num_perm {
                return Err(mismatch(
                    "--num-perm",
                    n.to_string(),
                    self.num_perm.to_string(),
                ));
            }
        }
        let (is_chars, size) = match self.shingle {
            ShingleKind::Words(n) => (false, n),
            ShingleKind::Chars(n) => (true, n),
        };
        if flags.char_shingles && !is_chars {
            return Err(mismatch(
                "--char-shingles",
                "(character shingles)".into(),
                format!("word shingles of {size}"),
            ));
        }
        if let Some(n) = flags.shingle_size {
            if n != size {
                return Err(mismatch("--shingle-size", n.to_string(), size.to_string()));
            }
        }
        if let Some(t) = flags.lsh_threshold {
            if (t - self.lsh_threshold).abs() > 1e-12 {
                return Err(mismatch(
                    "--lsh-threshold",
                    t.to_string(),
                    self.lsh_threshold.to_string(),
                ));
            }
        }
        if flags.no_stem && self.stem {
            return Err(mismatch(
                "--no-stem",
                "(no stemming)".into(),
                "stemmed terms".into(),
            ));
        }
        if flags.keep_stop_words && self.stop_words {
            return Err(mismatch(
                "--keep-stop-words",
                "(stop words kept)".into(),
                "stop words dropped".into(),
            ));
        }
        Ok(())
    }
}

/// Index parameters as given on a command line: only what the user typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParamFlags {
    /// `--num-perm`.
    pub num_perm: Option<usize>,
    /// `--shingle-size`.
    pub shingle_size: Option<usize>,
    /// `--char-shingles`.
    pub char_shingles: bool,
    /// `--lsh-threshold`.
    pub lsh_threshold: Option<f64>,
    /// `--no-stem`.
    pub no_stem: bool,
    /// `--keep-stop-words`.
    pub keep_stop_words: bool,
}

impl ParamFlags {
    /// The parameters of a new index: the flags given, defaults otherwise.
    pub fn params(&self) -> IndexResult<IndexParams> {
        let d = Config::default();
        let size = self.shingle_size.unwrap_or(match d.shingle {
            ShingleKind::Words(n) | ShingleKind::Chars(n) => n,
        });
        let cfg = Config {
            shingle: if self.char_shingles {
                ShingleKind::Chars(size)
            } else {
                ShingleKind::Words(size)
            },
            num_perm: self.num_perm.unwrap_or(d.num_perm),
            lsh_threshold: self.lsh_threshold.unwrap_or(d.lsh_threshold),
            stem: !self.no_stem,
            stop_words: !self.keep_stop_words,
            ..d
        };
        cfg.validate().map_err(|e| {
            IndexError::Config(e.to_string().replace("invalid configuration: ", ""))
        })?;
        Ok(IndexParams::from_config(&cfg))
    }
}

/// A fixed text whose processing fingerprints the engine: tokens, sentence
/// breaks, normalisation (invisible characters, look-alike letters and
/// accents included, words hyphenated at line ends, sentences of caseless
/// scripts), stemming, stop words, shingle hashes, signatures, band keys
/// and sentence band keys all show in its fingerprint.
const PROBE: &str = "Doppel\u{2019}s probe. The U.S. committee approved \
    the budget on Monday \u{2014} after hours of argument!\n\nRunners ran; \
    the running runner runs. Ｆｕｌｌ-width, caf\u{e9}, na\u{ef}ve, \u{201c}quoted\u{201d} 1,234.\n\
    De\u{200B}ter\u{00AD}rence of \u{0440}\u{0430}ypal, \u{0406}\u{3bd}\u{FE0F}k and e\u{0301}te\ngoes on in lower case, strate-\ngic as ever. \u{627}\u{646}\u{62a}\u{647}\u{649}. \u{628}\u{62f}\u{623}. \u{1230}\u{120b}\u{121d}\u{1362}\u{12a5}\u{1295}\u{12f4}\u{1275}\u{1362}";

/// Hash of what this doppel makes of [`PROBE`] under `params`.
fn engine_fingerprint(params: &IndexParams) -> String {
    let cfg = params.config();
    let analyzer = Analyzer::new(params.stem, params.stop_words);
    let hasher = MinHasher::new(params.num_perm);
    let f = pipeline::features(PROBE, &cfg, &analyzer, &hasher);
    let mut bytes: Vec<u8> = Vec::new();
    for s in &f.analysed.sentences {
        bytes.extend_from_slice(&(s.span.start as u64).to_le_bytes());
        bytes.extend_from_slice(&(s.span.end as u64).to_le_bytes());
    }
    for t in f.sentence_terms.iter().flatten() {
        bytes.extend_from_slice(t.as_bytes());
        bytes.push(0x1F);
    }
    for v in f.shingles.iter().chain(&f.signature.0) {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    for k in lsh::band_keys(&f.signature, &params.lsh) {
        bytes.extend_from_slice(&k.to_le_bytes());
    }
    for k in doppel::rewrites::band_keys(&f.sentence_terms) {
        bytes.extend_from_slice(&k.to_le_bytes());
    }
    format!("{:016x}", shingle::stable_hash(&bytes, 0))
}

const SCHEMA: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE documents (
    doc       INTEGER PRIMARY KEY AUTOINCREMENT,
    id        TEXT NOT NULL UNIQUE,
    source    TEXT NOT NULL,
    signature BLOB NOT NULL,
    terms     BLOB NOT NULL,
    text      TEXT NOT NULL
);
CREATE TABLE bands (
    key INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (key, doc)
) WITHOUT ROWID;
CREATE TABLE terms (
    term INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE,
    df   INTEGER NOT NULL
);
CREATE TABLE postings (
    term  INTEGER NOT NULL,
    first INTEGER NOT NULL,
    data  BLOB NOT NULL,
    PRIMARY KEY (term, first)
) WITHOUT ROWID;
";

/// The `added` table: part of a new index, and made in an index made
/// before it existed when it is opened to write (documents added from then
/// on get their time; older ones have none).
const ADDED_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS added (doc INTEGER PRIMARY KEY, at INTEGER NOT NULL);";

/// The `prints` table: part of a new index, and made (and filled) in an
/// index made before it existed by [`add_prints`].
const PRINTS_TABLE: &str = "CREATE TABLE prints (fp INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (fp, doc)) WITHOUT ROWID;";

/// The `sbands` table, made (and filled) on request by [`add_sbands`].
const SBANDS_TABLE: &str = "CREATE TABLE sbands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;";

/// Whether the index has the table `name`.
fn has_table(conn: &Connection, path: &Path, name: &str) -> IndexResult<bool> {
    conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get(0),
    )
    .map_err(|e| db_error(path, e))
}

/// Make a table of `(key, doc)` rows with `create` and fill it in one
/// transaction from the stored texts, `keys_of` giving each text's keys
/// (computed in parallel, a round of documents at a time) and `insert`
/// writing a row; `finish` completes the transaction's work.
fn fill_from_texts(
    conn: &Connection,
    path: &Path,
    create: &str,
    insert: &str,
    keys_of: impl Fn(&str) -> Vec<i64> + Sync,
    finish: impl FnOnce(&rusqlite::Transaction<'_>) -> IndexResult<()>,
) -> IndexResult<()> {
    let err = |e| db_error(path, e);
    let tx =
        rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(err)?;
    tx.execute_batch(create).map_err(err)?;
    let docs: Vec<(i64, String)> = {
        let mut st = tx.prepare("SELECT doc, text FROM documents").map_err(err)?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(err)?
            .collect::<Result<_, _>>()
            .map_err(err)?
    };
    for chunk in docs.chunks(WRITE_CHUNK) {
        let keys: Vec<Vec<i64>> = chunk.par_iter().map(|(_, text)| keys_of(text)).collect();
        let mut rows: Vec<(i64, i64)> = chunk
            .iter()
            .zip(keys)
            .flat_map(|((doc, _), keys)| keys.into_iter().map(move |k| (k, *doc)))
            .collect();
        // Sorted inserts touch each B-tree page once per round.
        rows.sort_unstable();
        rows.dedup();
        let mut ins = tx.prepare_cached(insert).map_err(err)?;
        for (k, d) in rows {
            ins.execute(params![k, d]).map_err(err)?;
        }
    }
    finish(&tx)?;
    tx.commit().map_err(err)
}

/// Give an index its `sbands` table, filled from the stored texts (once:
/// later calls find it there).
fn add_sbands(conn: &Connection, path: &Path, params: &IndexParams) -> IndexResult<()> {
    if has_table(conn, path, "sbands")? {
        return Ok(());
    }
    let analyzer = Analyzer::new(params.stem, params.stop_words);
    fill_from_texts(
        conn,
        path,
        SBANDS_TABLE,
        "INSERT OR IGNORE INTO sbands (key, doc) VALUES (?1, ?2)",
        |text| {
            pipeline::sentence_bands_of(&doppel::text::Analysed::new(text), &analyzer)
                .into_iter()
                .map(i64::from)
                .collect()
        },
        |_| Ok(()),
    )
}

/// Give an index made before copied-passage fingerprints were stored its
/// `prints` table, filled from the stored texts (once: the next opening
/// finds it), and record the run length they guarantee.
fn add_prints(conn: &Connection, path: &Path, params: &IndexParams) -> IndexResult<()> {
    if has_table(conn, path, "prints")? {
        return Ok(());
    }
    let copy_words = params.config().copy_words;
    fill_from_texts(
        conn,
        path,
        PRINTS_TABLE,
        "INSERT OR IGNORE INTO prints (fp, doc) VALUES (?1, ?2)",
        |text| {
            pipeline::fingerprints_of(&doppel::text::Analysed::new(text), copy_words)
                .into_iter()
                .map(|fp| fp as i64)
                .collect()
        },
        |tx| set_meta(tx, path, "copy_words", &copy_words.to_string()),
    )
}

/// The time documents are recorded as added, in seconds since 1970 (UTC):
/// now, or `SOURCE_DATE_EPOCH` when set, so that a build can be reproduced
/// byte for byte.
fn added_now() -> i64 {
    if let Some(t) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        return t;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// One document of [`Index::list`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Listed {
    /// Its id (what `check` reports and `index remove` takes).
    pub id: String,
    /// Where it was read from when added.
    pub source: String,
    /// Its size in characters.
    pub chars: u64,
    /// When it was added, in seconds since 1970 (UTC); `None` for a
    /// document added by a doppel that did not record it.
    pub added: Option<i64>,
}

/// What `stats` reports.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Stats {
    /// The index file.
    pub path: PathBuf,
    /// Its format version.
    pub format_version: u32,
    /// The doppel version that created it.
    pub created_by: String,
    /// Reference documents.
    pub documents: u64,
    /// Distinct TF-IDF terms.
    pub terms: u64,
    /// Size of the database file in bytes.
    pub file_bytes: u64,
    /// Size of its write-ahead log in bytes (committed changes not yet
    /// copied into the file, or 0).
    pub wal_bytes: u64,
    /// The engine parameters.
    pub params: IndexParams,
    /// The engine fingerprint.
    pub fingerprint: String,
    /// Whether it stores sentence band keys for rewritten passages
    /// ([`Index::store_sentence_bands`]).
    pub sentence_bands: bool,
}

/// An open index.
pub struct Index {
    conn: Connection,
    path: PathBuf,
    params: IndexParams,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("path", &self.path)
            .field("params", &self.params)
            .finish()
    }
}

/// A connection that only reads the index at `path`. A reader of an index
/// in write-ahead-log mode needs the log and shared-memory files beside
/// it. Opened to write but held to reading (`query_only`), the last
/// connection to close removes them, so a `check` or `stats` leaves
/// nothing beside the index; where the file may only be read it is opened
/// read-only (and the files it makes stay, as SQLite keeps them for other
/// readers); on read-only media, or in a directory this user may not
/// write, where they cannot be made, the file is opened as immutable (no
/// locks, no log) instead.
pub(crate) fn read_connection(path: &Path) -> IndexResult<Connection> {
    let err = |e| db_error(path, e);
    let probe = |conn: &Connection| -> rusqlite::Result<i32> {
        conn.query_row("PRAGMA application_id", [], |r| r.get(0))
    };
    let writable = std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly());
    if writable {
        let held = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .and_then(|conn| {
            conn.busy_timeout(READER_WAIT)?;
            conn.execute_batch("PRAGMA query_only = ON")?;
            probe(&conn)?;
            Ok(conn)
        });
        match held {
            Ok(conn) => return Ok(conn),
            Err(e) if cannot_share(&e) => {}
            Err(e) => return Err(err(e)),
        }
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    conn.busy_timeout(READER_WAIT).map_err(err)?;
    match probe(&conn) {
        Ok(_) => Ok(conn),
        Err(e) if cannot_share(&e) => {
            drop(conn);
            let conn = Connection::open_with_flags(
                immutable_uri(path),
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(err)?;
            probe(&conn).map_err(err)?;
            Ok(conn)
        }
        Err(e) => Err(err(e)),
    }
}

/// Whether opening a database failed for want of writing beside it (the
/// shared-memory file of write-ahead logging).
fn cannot_share(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::ErrorCode;
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied)
    )
}

/// An SQLite URI opening `path` as immutable: read without locks or log,
/// which is right for a file nobody can be writing (read-only media, a
/// directory the reader may not write).
fn immutable_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for b in abs.as_os_str().as_encoded_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(char::from(*b))
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// The sibling files SQLite keeps beside a database in WAL mode.
fn wal_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push("-wal");
    PathBuf::from(s)
}

fn shm_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push("-shm");
    PathBuf::from(s)
}

impl Index {
    /// Open an index to add or remove documents.
    pub fn open(path: &Path) -> IndexResult<Index> {
        Self::open_with(path, false)
    }

    /// Open an index to read it (`check`, `stats`). Reading never blocks a
    /// writer and sees the index as of its last commit.
    pub fn open_read_only(path: &Path) -> IndexResult<Index> {
        Self::open_with(path, true)
    }

    fn open_with(path: &Path, read_only: bool) -> IndexResult<Index> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(IndexError::Missing {
                    path: path.to_path_buf(),
                });
            }
            Err(source) => {
                return Err(IndexError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
            Ok(m) if m.is_dir() => {
                return Err(IndexError::NotAnIndex {
                    path: path.to_path_buf(),
                    reason: "a directory".into(),
                });
            }
            Ok(m) if m.len() == 0 => {
                return Err(IndexError::NotAnIndex {
                    path: path.to_path_buf(),
                    reason: "an empty file".into(),
                });
            }
            Ok(_) => {}
        }
        let err = |e| db_error(path, e);
        let conn = if read_only {
            read_connection(path)?
        } else {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(path, flags).map_err(err)?;
            conn.busy_timeout(WRITER_WAIT).map_err(err)?;
            conn
        };
        let app: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(err)?;
        if app != APPLICATION_ID {
            return Err(IndexError::NotAnIndex {
                path: path.to_path_buf(),
                reason: "an SQLite database, but not one doppel wrote".into(),
            });
        }
        let meta = read_meta(&conn, path)?;
        check_version(path, &meta)?;
        let params = IndexParams::from_meta(path, &meta)?;
        let stored = meta.get("fingerprint").cloned().unwrap_or_default();
        let found = engine_fingerprint(&params);
        if stored != found {
            return Err(IndexError::Fingerprint {
                path: path.to_path_buf(),
                stored,
                found,
            });
        }
        if read_only {
            // Reads are random B-tree lookups: map the file, keep a generous
            // page cache.
            conn.execute_batch("PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536;")
                .map_err(err)?;
        } else {
            // WAL is recorded in the file, so this is a no-op on our own
            // indexes; FULL syncs each commit, so a committed add survives
            // a power cut, not just a crash.
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
                .map_err(err)?;
            conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA cache_size = -65536;")
                .map_err(err)?;
            conn.execute_batch(ADDED_TABLE).map_err(err)?;
            add_prints(&conn, path, &params)?;
        }
        Ok(Index {
            conn,
            path: path.to_path_buf(),
            params,
        })
    }

    /// The index file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The parameters the index was built with.
    pub fn params(&self) -> &IndexParams {
        &self.params
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> IndexError + '_ {
        move |e| db_error(&self.path, e)
    }

    /// Number of reference documents.
    pub fn len(&self) -> IndexResult<u64> {
        meta_count(&self.conn, &self.path)
    }

    /// True when the index holds no document.
    pub fn is_empty(&self) -> IndexResult<bool> {
        Ok(self.len()? == 0)
    }

    /// Ids of every reference document, sorted.
    pub fn ids(&self) -> IndexResult<Vec<String>> {
        let mut st = self
            .conn
            .prepare("SELECT id FROM documents ORDER BY id")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// Every document's id, where it was read from and its size in
    /// characters, in the order they were added.
    pub fn list(&self) -> IndexResult<Vec<Listed>> {
        let has_added: bool = self
            .conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'added'",
                [],
                |r| r.get(0),
            )
            .map_err(self.err())?;
        let sql = if has_added {
            "SELECT id, source, length(text), at FROM documents LEFT JOIN added USING (doc) ORDER BY doc"
        } else {
            "SELECT id, source, length(text), NULL FROM documents ORDER BY doc"
        };
        let mut st = self.conn.prepare(sql).map_err(self.err())?;
        let rows = st
            .query_map([], |r| {
                Ok(Listed {
                    id: r.get(0)?,
                    source: r.get(1)?,
                    chars: r.get::<_, i64>(2)?.max(0) as u64,
                    added: r.get(3)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// Document frequency of every term: the statistics behind idf.
    pub fn document_frequencies(&self) -> IndexResult<BTreeMap<String, u32>> {
        let mut st = self
            .conn
            .prepare("SELECT text, df FROM terms")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))
            .map_err(self.err())?;
        rows.collect::<Result<BTreeMap<_, _>, _>>()
            .map_err(self.err())
    }

    /// Add documents in one transaction: all of them, or none (on error,
    /// or if the process dies). Returns how many were added.
    ///
    /// Documents are analysed in parallel (rayon) in rounds of a few
    /// thousand and written by the calling thread. Readers keep seeing the
    /// index as it was until the transaction commits.
    pub fn add(&mut self, docs: &[Document]) -> IndexResult<usize> {
        self.add_with(docs, progress::NONE)
    }

    /// [`Index::add`], reporting the documents written to `progress`.
    pub fn add_with(&mut self, docs: &[Document], progress: Progress<'_>) -> IndexResult<usize> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(self.err())?;
        let n = insert_documents(&tx, &self.path, &self.params, docs, progress)?;
        tx.commit().map_err(self.err())?;
        Ok(n)
    }

    /// Store the rewritten-passage band keys of every document (made from
    /// the stored texts, in one transaction), and of every document added
    /// from then on, so a check can look up rewritten passages
    /// ([`check::Checker`] with `rewrite_candidates`). Nothing to do when the
    /// index already stores them.
    pub fn store_sentence_bands(&mut self) -> IndexResult<()> {
        add_sbands(&self.conn, &self.path, &self.params)
    }

    /// Whether the index stores the rewritten-passage band keys
    /// ([`Index::store_sentence_bands`]).
    pub fn has_sentence_bands(&self) -> IndexResult<bool> {
        has_table(&self.conn, &self.path, "sbands")
    }

    /// Remove documents by id in one transaction, updating document
    /// frequencies. An unknown id aborts the whole removal.
    pub fn remove(&mut self, ids: &[String]) -> IndexResult<usize> {
        // The keys to delete are recomputed from each text, as made.
        let sentence_bands = self
            .has_sentence_bands()?
            .then(|| Analyzer::new(self.params.stem, self.params.stop_words));
        let path = self.path.clone();
        let err = |e| db_error(&path, e);
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(err)?;
        let mut seen = AHashSet::new();
        let mut removed = 0u64;
        for id in ids {
            if !seen.insert(id.as_str()) {
                continue;
            }
            let row: Option<(i64, Vec<u8>, Vec<u8>, String)> = tx
                .query_row(
                    "SELECT doc, signature, terms, text FROM documents WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()
                .map_err(err)?;
            let Some((doc, sig, terms, text)) = row else {
                return Err(IndexError::UnknownId {
                    path: path.clone(),
                    id: id.clone(),
                });
            };
            let sig = decode_signature(&sig, self.params.num_perm).ok_or_else(|| {
                IndexError::Damaged {
                    path: path.clone(),
                    reason: format!("signature of {id:?}"),
                }
            })?;
            let terms = decode_terms(&terms).ok_or_else(|| IndexError::Damaged {
                path: path.clone(),
                reason: format!("term counts of {id:?}"),
            })?;
            {
                // Its fingerprints, recomputed from its text as they were
                // made (a table keyed by fingerprint has no index by
                // document).
                let mut del_print = tx
                    .prepare_cached("DELETE FROM prints WHERE fp = ?1 AND doc = ?2")
                    .map_err(err)?;
                let analysed = doppel::text::Analysed::new(&text);
                for fp in pipeline::fingerprints_of(&analysed, self.params.config().copy_words) {
                    del_print.execute(params![fp as i64, doc]).map_err(err)?;
                }
                if let Some(analyzer) = &sentence_bands {
                    let mut del_sband = tx
                        .prepare_cached("DELETE FROM sbands WHERE key = ?1 AND doc = ?2")
                        .map_err(err)?;
                    for key in pipeline::sentence_bands_of(&analysed, analyzer) {
                        del_sband
                            .execute(params![i64::from(key), doc])
                            .map_err(err)?;
                    }
                }
                let mut del_band = tx
                    .prepare_cached("DELETE FROM bands WHERE key = ?1 AND doc = ?2")
                    .map_err(err)?;
                for key in lsh::band_keys(&sig, &self.params.lsh) {
                    del_band.execute(params![key as i64, doc]).map_err(err)?;
                }
                let mut dec = tx
                    .prepare_cached("UPDATE terms SET df = df - 1 WHERE term = ?1")
                    .map_err(err)?;
                let mut drop_term = tx
                    .prepare_cached("DELETE FROM terms WHERE term = ?1 AND df <= 0")
                    .map_err(err)?;
                for (term, _) in terms {
                    remove_posting(&tx, &path, term, doc)?;
                    dec.execute([term]).map_err(err)?;
                    drop_term.execute([term]).map_err(err)?;
                }
            }
            tx.execute("DELETE FROM documents WHERE doc = ?1", [doc])
                .map_err(err)?;
            tx.execute("DELETE FROM added WHERE doc = ?1", [doc])
                .map_err(err)?;
            removed += 1;
        }
        let n = meta_count(&tx, &path)?;
        set_meta(&tx, &path, "n_docs", &(n - removed.min(n)).to_string())?;
        bump_generation(&tx, &path)?;
        tx.commit().map_err(err)?;
        Ok(removed as usize)
    }

    /// Sizes, counts and parameters.
    pub fn stats(&self) -> IndexResult<Stats> {
        let meta = read_meta(&self.conn, &self.path)?;
        let terms: i64 = self
            .conn
            .query_row("SELECT count(*) FROM terms", [], |r| r.get(0))
            .map_err(self.err())?;
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        Ok(Stats {
            path: self.path.clone(),
            format_version: FORMAT_VERSION,
            created_by: meta.get("created_by").cloned().unwrap_or_default(),
            documents: self.len()?,
            terms: terms as u64,
            file_bytes: size(&self.path),
            wal_bytes: size(&wal_path(&self.path)),
            params: self.params.clone(),
            fingerprint: meta.get("fingerprint").cloned().unwrap_or_default(),
            sentence_bands: self.has_sentence_bands()?,
        })
    }

    /// Check the index from end to end: SQLite's own integrity check, then
    /// that counts, document frequencies, postings and band keys agree with
    /// the documents. Reads everything: slow on a large index.
    pub fn verify(&self) -> IndexResult<()> {
        let damaged = |reason: String| IndexError::Damaged {
            path: self.path.clone(),
            reason,
        };
        let ok: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(self.err())?;
        if ok != "ok" {
            return Err(damaged(ok));
        }
        let count = |sql: &str| -> IndexResult<i64> {
            self.conn
                .query_row(sql, [], |r| r.get(0))
                .map_err(self.err())
        };
        let docs = count("SELECT count(*) FROM documents")?;
        let n = self.len()?;
        if docs as u64 != n {
            return Err(damaged(format!("{docs} documents, but meta says {n}")));
        }
        let mut st = self
            .conn
            .prepare("SELECT doc, id, signature, terms FROM documents")
            .map_err(self.err())?;
        let mut rows = st.query([]).map_err(self.err())?;
        let mut expected_bands = 0i64;
        // (term, doc) of every document's term counts, to match the postings.
        let mut expected: Vec<(i64, i64)> = Vec::new();
        while let Some(r) = rows.next().map_err(self.err())? {
            let doc: i64 = r.get(0).map_err(self.err())?;
            let id: String = r.get(1).map_err(self.err())?;
            let sig = decode_signature(
                &r.get::<_, Vec<u8>>(2).map_err(self.err())?,
                self.params.num_perm,
            )
            .ok_or_else(|| damaged(format!("signature of {id:?}")))?;
            let terms = decode_terms(&r.get::<_, Vec<u8>>(3).map_err(self.err())?)
                .ok_or_else(|| damaged(format!("term counts of {id:?}")))?;
            expected_bands += lsh::band_keys(&sig, &self.params.lsh).len() as i64;
            expected.extend(terms.iter().map(|&(t, _)| (t, doc)));
        }
        drop(rows);
        let bands = count("SELECT count(*) FROM bands")?;
        if bands != expected_bands {
            return Err(damaged(format!(
                "{bands} band keys, expected {expected_bands}"
            )));
        }
        let orphans =
            count("SELECT count(*) FROM bands WHERE doc NOT IN (SELECT doc FROM documents)")?;
        if orphans > 0 {
            return Err(damaged(format!("{orphans} band keys of missing documents")));
        }
        if has_table(&self.conn, &self.path, "sbands")? {
            let orphans =
                count("SELECT count(*) FROM sbands WHERE doc NOT IN (SELECT doc FROM documents)")?;
            if orphans > 0 {
                return Err(damaged(format!(
                    "{orphans} sentence band keys of missing documents"
                )));
            }
        }
        let mut found: Vec<(i64, i64)> = Vec::with_capacity(expected.len());
        let mut st = self
            .conn
            .prepare("SELECT term, first, data FROM postings")
            .map_err(self.err())?;
        let mut rows = st.query([]).map_err(self.err())?;
        while let Some(r) = rows.next().map_err(self.err())? {
            let term: i64 = r.get(0).map_err(self.err())?;
            let first: i64 = r.get(1).map_err(self.err())?;
            let block = decode_block(first, &r.get::<_, Vec<u8>>(2).map_err(self.err())?)
                .filter(|b| b.first().is_some_and(|e| e.0 == first))
                .ok_or_else(|| damaged(format!("postings block ({term}, {first})")))?;
            found.extend(block.iter().map(|&(d, _)| (term, d)));
        }
        expected.sort_unstable();
        found.sort_unstable();
        if found != expected {
            return Err(damaged(format!(
                "{} postings, but the documents' term counts make {}",
                found.len(),
                expected.len()
            )));
        }
        let mut df: BTreeMap<i64, u32> = BTreeMap::new();
        for (t, _) in &expected {
            *df.entry(*t).or_insert(0) += 1;
        }
        let mut st = self
            .conn
            .prepare("SELECT term, df FROM terms ORDER BY term")
            .map_err(self.err())?;
        let stored = st
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?)))
            .map_err(self.err())?
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map_err(self.err())?;
        if stored != df {
            return Err(damaged(
                "document frequencies disagree with the documents' term counts".into(),
            ));
        }
        Ok(())
    }
}

fn read_meta(conn: &Connection, path: &Path) -> IndexResult<BTreeMap<String, String>> {
    let has_meta: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .map_err(|e| db_error(path, e))?;
    if !has_meta {
        return Err(IndexError::Damaged {
            path: path.to_path_buf(),
            reason: "no meta table".into(),
        });
    }
    let mut st = conn
        .prepare("SELECT key, value FROM meta")
        .map_err(|e| db_error(path, e))?;
    let rows = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(|e| db_error(path, e))?;
    rows.collect::<Result<BTreeMap<_, _>, _>>()
        .map_err(|e| db_error(path, e))
}

fn check_version(path: &Path, meta: &BTreeMap<String, String>) -> IndexResult<()> {
    let raw = meta
        .get("format_version")
        .cloned()
        .unwrap_or_else(|| "(none)".into());
    match raw.trim().parse::<u32>() {
        Ok(v) if v == FORMAT_VERSION => Ok(()),
        Ok(v) if v > FORMAT_VERSION => Err(IndexError::NewerVersion {
            path: path.to_path_buf(),
            found: v,
        }),
        _ => Err(IndexError::UnknownVersion {
            path: path.to_path_buf(),
            found: raw,
        }),
    }
}

fn meta_count(conn: &Connection, path: &Path) -> IndexResult<u64> {
    let raw: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'n_docs'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| db_error(path, e))?;
    raw.as_deref()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| IndexError::Damaged {
            path: path.to_path_buf(),
            reason: format!("meta n_docs: {raw:?}"),
        })
}

fn set_meta(conn: &Connection, path: &Path, key: &str, value: &str) -> IndexResult<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )
    .map_err(|e| db_error(path, e))?;
    Ok(())
}

/// Count one more committed change: readers that must see the same state
/// compare this number.
fn bump_generation(conn: &Connection, path: &Path) -> IndexResult<()> {
    let changed = conn
        .execute(
            "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) \
             WHERE key = 'generation'",
            [],
        )
        .map_err(|e| db_error(path, e))?;
    if changed != 1 {
        return Err(IndexError::Damaged {
            path: path.to_path_buf(),
            reason: "meta generation: missing".into(),
        });
    }
    Ok(())
}

/// A new index, written to a temporary file beside its target and moved
/// into place by [`Builder::finish`]: a failed or interrupted build never
/// leaves a half-built index at the target, nor touches an existing one.
pub struct Builder {
    conn: Connection,
    temp: tempfile::TempPath,
    target: PathBuf,
    replace: bool,
    params: IndexParams,
}

impl Builder {
    /// Start a new index at `target`. Unless `replace`, an existing file
    /// there is an error (checked now and again when the index is moved in).
    pub fn new(target: &Path, params: &IndexParams, replace: bool) -> IndexResult<Builder> {
        // An index is moved into place by a rename: over a device, a FIFO
        // or a socket (`--index /dev/null --force`) that would put a file
        // where the special one was.
        if let Ok(m) = std::fs::metadata(target)
            && !m.is_file()
            && !m.is_dir()
        {
            return Err(IndexError::NotAnIndex {
                path: target.to_path_buf(),
                reason: "a device, FIFO or socket, which an index cannot replace".into(),
            });
        }
        if !replace && target.exists() {
            return Err(IndexError::Exists {
                path: target.to_path_buf(),
            });
        }
        if target.is_dir() {
            return Err(IndexError::NotAnIndex {
                path: target.to_path_buf(),
                reason: "a directory".into(),
            });
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let temp = crate::scratch::create_in(dir, "index")
            .map_err(|source| IndexError::Io {
                path: target.to_path_buf(),
                source: if dir.is_dir() {
                    source
                } else {
                    std::io::Error::new(
                        source.kind(),
                        format!("directory {} does not exist", dir.display()),
                    )
                },
            })?
            .into_temp_path();
        let err = |e| db_error(target, e);
        let conn = Connection::open(&temp).map_err(err)?;
        // The file is private until finish() moves it in, and thrown away on
        // any failure: no journal and no syncs while building; finish()
        // syncs once.
        conn.execute_batch(&format!(
            "PRAGMA page_size = {PAGE_SIZE};
             PRAGMA application_id = {APPLICATION_ID};
             PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA cache_size = -262144;
             BEGIN;
             {SCHEMA}
             {ADDED_TABLE}
             {PRINTS_TABLE}
             COMMIT;"
        ))
        .map_err(err)?;
        for (k, v) in [
            ("format_version", FORMAT_VERSION.to_string()),
            (
                "created_by",
                format!("doppel {}", env!("CARGO_PKG_VERSION")),
            ),
            ("n_docs", "0".into()),
            ("generation", "0".into()),
            ("fingerprint", engine_fingerprint(params)),
            ("copy_words", params.config().copy_words.to_string()),
        ]
        .into_iter()
        .chain(params.to_meta())
        {
            set_meta(&conn, target, k, &v)?;
        }
        Ok(Builder {
            conn,
            temp,
            target: target.to_path_buf(),
            replace,
            params: params.clone(),
        })
    }

    /// The temporary file being written (to remove it if the process is
    /// interrupted).
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Store the rewritten-passage band keys of the documents added (see
    /// [`Index::store_sentence_bands`]); call it before adding them.
    pub fn store_sentence_bands(&mut self) -> IndexResult<()> {
        add_sbands(&self.conn, &self.target, &self.params)
    }

    /// Add documents (see [`Index::add`]).
    pub fn add(&mut self, docs: &[Document]) -> IndexResult<usize> {
        self.add_with(docs, progress::NONE)
    }

    /// [`Builder::add`], reporting the documents written to `progress`.
    pub fn add_with(&mut self, docs: &[Document], progress: Progress<'_>) -> IndexResult<usize> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| db_error(&self.target, e))?;
        let n = insert_documents(&tx, &self.target, &self.params, docs, progress)?;
        tx.commit().map_err(|e| db_error(&self.target, e))?;
        Ok(n)
    }

    /// Switch the file to write-ahead logging, sync it and move it to the
    /// target.
    pub fn finish(self) -> IndexResult<()> {
        let target = self.target.clone();
        let err = |e| db_error(&target, e);
        self.conn
            .execute_batch("PRAGMA optimize; PRAGMA synchronous = FULL;")
            .map_err(err)?;
        self.conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            .map_err(err)?;
        self.conn.close().map_err(|(_, e)| db_error(&target, e))?;
        let io = |source| IndexError::Io {
            path: target.clone(),
            source,
        };
        std::fs::File::open(&self.temp)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        if self.replace {
            // A write-ahead log left beside the old index belongs to it, not
            // to the new file: SQLite would replay it into the new one.
            for p in [wal_path(&target), shm_path(&target)] {
                match std::fs::remove_file(&p) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
                    _ => {}
                }
            }
            self.temp.persist(&target).map_err(|e| io(e.error))?;
        } else {
            self.temp
                .persist_noclobber(&target)
                .map_err(|e| match e.error.kind() {
                    std::io::ErrorKind::AlreadyExists => IndexError::Exists {
                        path: target.clone(),
                    },
                    _ => io(e.error),
                })?;
        }
        Ok(())
    }
}

/// One document analysed for writing.
struct Prepared<'d> {
    doc: &'d Document,
    signature: Signature,
    keys: Vec<u64>,
    /// Winnowed fingerprints (copied passages).
    prints: Vec<u64>,
    /// Rewritten-passage band keys of its sentences.
    sentence_keys: Vec<u32>,
    /// Distinct terms with their counts, in order of first occurrence.
    terms: Vec<(String, u32)>,
}

fn prepare<'d>(
    doc: &'d Document,
    cfg: &Config,
    analyzer: &Analyzer,
    hasher: &MinHasher,
    lsh_params: &LshParams,
    sentence_bands: bool,
) -> Prepared<'d> {
    let f = pipeline::features(&doc.text, cfg, analyzer, hasher);
    let keys = lsh::band_keys(&f.signature, lsh_params);
    let mut slot: AHashMap<&str, usize> = AHashMap::new();
    let mut terms: Vec<(String, u32)> = Vec::new();
    for t in f.sentence_terms.iter().flatten() {
        match slot.get(t.as_str()) {
            Some(&i) => terms[i].1 += 1,
            None => {
                slot.insert(t.as_str(), terms.len());
                terms.push((t.clone(), 1));
            }
        }
    }
    Prepared {
        doc,
        signature: f.signature,
        keys,
        prints: f.fingerprints,
        sentence_keys: if sentence_bands {
            doppel::rewrites::band_keys(&f.sentence_terms)
        } else {
            Vec::new()
        },
        terms,
    }
}

/// Sublinear term frequency, as the TF-IDF side weighs counts.
fn tf_weight(count: u32) -> f64 {
    1.0 + f64::from(count.max(1)).ln()
}

/// Write `docs` inside the caller's transaction.
fn insert_documents(
    conn: &Connection,
    path: &Path,
    params: &IndexParams,
    docs: &[Document],
    progress: Progress<'_>,
) -> IndexResult<usize> {
    let err = |e| db_error(path, e);
    let mut ids = AHashSet::new();
    for d in docs {
        if !ids.insert(d.id.as_str()) {
            return Err(IndexError::DuplicateInput {
                path: path.to_path_buf(),
                id: d.id.clone(),
            });
        }
    }
    let cfg = params.config();
    let analyzer = Analyzer::new(params.stem, params.stop_words);
    let hasher = MinHasher::new(params.num_perm);
    let sentence_bands = has_table(conn, path, "sbands")?;
    let mut next_term: i64 = conn
        .query_row("SELECT coalesce(max(term), -1) + 1 FROM terms", [], |r| {
            r.get(0)
        })
        .map_err(err)?;
    progress(Event::Analysing {
        docs: docs.len() as u64,
    });
    let now = added_now();
    let mut written = 0u64;
    for chunk in docs.chunks(WRITE_CHUNK) {
        let prepared: Vec<Prepared> = chunk
            .par_iter()
            .map(|d| prepare(d, &cfg, &analyzer, &hasher, &params.lsh, sentence_bands))
            .collect();
        // Term ids: existing ones looked up, new ones numbered in order of
        // first occurrence, so a build is deterministic.
        let mut term_slot: AHashMap<&str, usize> = AHashMap::new();
        // (id, is new, documents of this chunk holding it)
        let mut slots: Vec<(i64, bool, u32, &str)> = Vec::new();
        {
            let mut find = conn
                .prepare_cached("SELECT term FROM terms WHERE text = ?1")
                .map_err(err)?;
            for p in &prepared {
                for (t, _) in &p.terms {
                    if let Some(&s) = term_slot.get(t.as_str()) {
                        slots[s].2 += 1;
                        continue;
                    }
                    let found: Option<i64> =
                        find.query_row([t], |r| r.get(0)).optional().map_err(err)?;
                    let (id, new) = match found {
                        Some(id) => (id, false),
                        None => {
                            next_term += 1;
                            (next_term - 1, true)
                        }
                    };
                    term_slot.insert(t.as_str(), slots.len());
                    slots.push((id, new, 1, t.as_str()));
                }
            }
        }
        let mut bands: Vec<(i64, i64)> = Vec::new();
        let mut sbands: Vec<(i64, i64)> = Vec::new();
        let mut postings: Vec<(i64, i64, u32)> = Vec::new();
        {
            let mut insert_doc = conn
                .prepare_cached(
                    "INSERT INTO documents (id, source, signature, terms, text) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(err)?;
            let mut record_added = conn
                .prepare_cached("INSERT INTO added (doc, at) VALUES (?1, ?2)")
                .map_err(err)?;
            let mut record_print = conn
                .prepare_cached("INSERT OR IGNORE INTO prints (fp, doc) VALUES (?1, ?2)")
                .map_err(err)?;
            for p in &prepared {
                let mut counts: Vec<(i64, u32)> = p
                    .terms
                    .iter()
                    .map(|(t, c)| (slots[term_slot[t.as_str()]].0, *c))
                    .collect();
                counts.sort_unstable();
                let sig = encode_signature(&p.signature);
                let blob = encode_terms(&counts);
                let res = insert_doc.execute(params![
                    p.doc.id,
                    p.doc.source.to_string(),
                    sig,
                    blob,
                    p.doc.text
                ]);
                match res {
                    Ok(_) => {}
                    Err(e)
                        if e.sqlite_error_code()
                            == Some(rusqlite::ffi::ErrorCode::ConstraintViolation) =>
                    {
                        return Err(IndexError::AlreadyIndexed {
                            path: path.to_path_buf(),
                            id: p.doc.id.clone(),
                            source_name: p.doc.source.to_string(),
                        });
                    }
                    Err(e) => return Err(err(e)),
                }
                let doc = conn.last_insert_rowid();
                record_added.execute([doc, now]).map_err(err)?;
                for &fp in &p.prints {
                    record_print.execute([fp as i64, doc]).map_err(err)?;
                }
                bands.extend(p.keys.iter().map(|&k| (k as i64, doc)));
                sbands.extend(p.sentence_keys.iter().map(|&k| (i64::from(k), doc)));
                let norm = counts
                    .iter()
                    .map(|&(_, c)| tf_weight(c).powi(2))
                    .sum::<f64>()
                    .sqrt();
                postings.extend(counts.iter().map(|&(t, c)| {
                    let w = (tf_weight(c) / norm * WEIGHT_SCALE).round();
                    (t, doc, w.clamp(1.0, WEIGHT_SCALE) as u32)
                }));
            }
        }
        // Sorted inserts touch each B-tree page once per round.
        bands.sort_unstable();
        bands.dedup();
        sbands.sort_unstable();
        sbands.dedup();
        postings.sort_unstable();
        {
            let mut ins = conn
                .prepare_cached("INSERT INTO bands (key, doc) VALUES (?1, ?2)")
                .map_err(err)?;
            for (k, d) in &bands {
                ins.execute(params![k, d]).map_err(err)?;
            }
            if sentence_bands {
                let mut ins = conn
                    .prepare_cached("INSERT INTO sbands (key, doc) VALUES (?1, ?2)")
                    .map_err(err)?;
                for (k, d) in &sbands {
                    ins.execute(params![k, d]).map_err(err)?;
                }
            }
            for run in postings.chunk_by(|x, y| x.0 == y.0) {
                let entries: Vec<(i64, u32)> = run.iter().map(|&(_, d, w)| (d, w)).collect();
                append_postings(conn, path, run[0].0, &entries)?;
            }
            let mut new_term = conn
                .prepare_cached("INSERT INTO terms (term, text, df) VALUES (?1, ?2, ?3)")
                .map_err(err)?;
            let mut bump = conn
                .prepare_cached("UPDATE terms SET df = df + ?2 WHERE term = ?1")
                .map_err(err)?;
            for &(id, new, n, text) in &slots {
                if new {
                    new_term.execute(params![id, text, n]).map_err(err)?;
                } else {
                    bump.execute(params![id, n]).map_err(err)?;
                }
            }
        }
        written += chunk.len() as u64;
        progress(Event::Analysed { docs: written });
    }
    let n = meta_count(conn, path)?;
    set_meta(conn, path, "n_docs", &(n + docs.len() as u64).to_string())?;
    bump_generation(conn, path)?;
    Ok(docs.len())
}

/// Add postings `(doc, weight)` for `term`, every doc above those already
/// listed: extend the term's last block while it is small, else start one.
fn append_postings(
    conn: &Connection,
    path: &Path,
    term: i64,
    entries: &[(i64, u32)],
) -> IndexResult<()> {
    let err = |e| db_error(path, e);
    let last: Option<(i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT first, data FROM postings WHERE term = ?1 ORDER BY first DESC LIMIT 1",
        )
        .and_then(|mut st| {
            st.query_row([term], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(err)?;
    match last {
        Some((first, mut data)) if data.len() < BLOCK_BYTES => {
            let block = decode_block(first, &data).ok_or_else(|| IndexError::Damaged {
                path: path.to_path_buf(),
                reason: format!("postings of term {term}"),
            })?;
            let prev = block.last().map_or(first, |e| e.0);
            encode_block_into(&mut data, prev, entries);
            conn.prepare_cached("UPDATE postings SET data = ?3 WHERE term = ?1 AND first = ?2")
                .and_then(|mut st| st.execute(params![term, first, data]))
                .map_err(err)?;
        }
        _ => {
            let first = entries[0].0;
            let mut data = Vec::with_capacity(entries.len() * 4);
            encode_block_into(&mut data, first, entries);
            conn.prepare_cached("INSERT INTO postings (term, first, data) VALUES (?1, ?2, ?3)")
                .and_then(|mut st| st.execute(params![term, first, data]))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Drop `doc` from the postings of `term`.
fn remove_posting(conn: &Connection, path: &Path, term: i64, doc: i64) -> IndexResult<()> {
    let err = |e| db_error(path, e);
    let damaged = || IndexError::Damaged {
        path: path.to_path_buf(),
        reason: format!("postings of term {term} lack document {doc}"),
    };
    let (first, data): (i64, Vec<u8>) = conn
        .prepare_cached(
            "SELECT first, data FROM postings WHERE term = ?1 AND first <= ?2 \
             ORDER BY first DESC LIMIT 1",
        )
        .and_then(|mut st| {
            st.query_row([term, doc], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(err)?
        .ok_or_else(damaged)?;
    let mut block = decode_block(first, &data).ok_or_else(damaged)?;
    let at = block.iter().position(|e| e.0 == doc).ok_or_else(damaged)?;
    block.remove(at);
    conn.prepare_cached("DELETE FROM postings WHERE term = ?1 AND first = ?2")
        .and_then(|mut st| st.execute([term, first]))
        .map_err(err)?;
    if let Some(&(new_first, _)) = block.first() {
        let mut data = Vec::with_capacity(block.len() * 4);
        encode_block_into(&mut data, new_first, &block);
        conn.prepare_cached("INSERT INTO postings (term, first, data) VALUES (?1, ?2, ?3)")
            .and_then(|mut st| st.execute(params![term, new_first, data]))
            .map_err(err)?;
    }
    Ok(())
}

/// Append `(doc, weight)` entries to a block whose last document is
/// `prev` (its first document for an empty block): each a document delta
/// as a varint, then the weight as one byte.
fn encode_block_into(out: &mut Vec<u8>, mut prev: i64, entries: &[(i64, u32)]) {
    for &(doc, w) in entries {
        put_varint(out, (doc - prev) as u64);
        out.push(w.clamp(1, 255) as u8);
        prev = doc;
    }
}

/// Decode a postings block starting at document `first`; `None` for bytes
/// [`encode_block_into`] did not write.
pub(crate) fn decode_block(first: i64, bytes: &[u8]) -> Option<Vec<(i64, u32)>> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    for_each_posting(first, bytes, |doc, w| out.push((doc, w)))?;
    Some(out)
}

/// Call `f(doc, weight)` for each posting of a block, in document order,
/// without allocating; `None` (after calls for the postings before the
/// damage) for bytes [`encode_block_into`] did not write.
pub(crate) fn for_each_posting(
    first: i64,
    bytes: &[u8],
    mut f: impl FnMut(i64, u32),
) -> Option<()> {
    let mut pos = 0;
    let mut prev = first;
    let mut any = false;
    while pos < bytes.len() {
        let delta = i64::try_from(get_varint(bytes, &mut pos)?).ok()?;
        let w = u32::from(*bytes.get(pos)?);
        pos += 1;
        if (any && delta == 0) || w == 0 {
            return None;
        }
        prev = prev.checked_add(delta)?;
        f(prev, w);
        any = true;
    }
    Some(())
}

fn encode_signature(sig: &Signature) -> Vec<u8> {
    sig.0.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn decode_signature(bytes: &[u8], k: usize) -> Option<Signature> {
    if bytes.len() != k * 8 {
        return None;
    }
    Some(Signature(
        bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect(),
    ))
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7F) << shift;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

/// Term counts as a blob: (term id delta, count) varint pairs, ids
/// ascending. `counts` must be sorted by id.
fn encode_terms(counts: &[(i64, u32)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(counts.len() * 3);
    let mut prev = 0i64;
    for &(t, c) in counts {
        put_varint(&mut out, (t - prev) as u64);
        put_varint(&mut out, u64::from(c));
        prev = t;
    }
    out
}

/// Decode [`encode_terms`]; `None` for bytes it did not write.
fn decode_terms(bytes: &[u8]) -> Option<Vec<(i64, u32)>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut prev = 0i64;
    while pos < bytes.len() {
        let delta = i64::try_from(get_varint(bytes, &mut pos)?).ok()?;
        let count = u32::try_from(get_varint(bytes, &mut pos)?).ok()?;
        let t = prev.checked_add(delta)?;
        if (!out.is_empty() && delta == 0) || count == 0 {
            return None;
        }
        out.push((t, count));
        prev = t;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_blobs_round_trip_and_reject_garbage() {
        let counts = vec![(0, 1), (5, 3), (6, 1), (300_000, 70_000), (1 << 40, 2)];
        let blob = encode_terms(&counts);
        assert_eq!(decode_terms(&blob), Some(counts));
        assert_eq!(decode_terms(&[]), Some(vec![]));
        // A truncated varint, a zero count, a repeated id.
        assert_eq!(decode_terms(&[0x85]), None);
        assert_eq!(decode_terms(&[1, 0]), None);
        assert_eq!(decode_terms(&[1, 1, 0, 1]), None);
    }

    #[test]
    fn postings_blocks_stay_consistent_through_small_adds_and_removes() {
        let dir = tempfile::tempdir().unwrap();
        let params = IndexParams::from_config(&Config::default());
        let doc = |i: usize| {
            Document::new(
                format!("d{i:03}"),
                format!("Shared words open every text here. Marker w{i}x stands alone."),
            )
        };
        let path = dir.path().join("small-adds.db");
        Builder::new(&path, &params, false)
            .unwrap()
            .finish()
            .unwrap();
        let mut index = Index::open(&path).unwrap();
        {
            // One document per write, as many one-file adds would do, in a
            // single transaction to keep the test fast.
            let tx =
                rusqlite::Transaction::new_unchecked(&index.conn, TransactionBehavior::Immediate)
                    .unwrap();
            for i in 0..700 {
                insert_documents(&tx, &path, &params, &[doc(i)], progress::NONE).unwrap();
            }
            tx.commit().unwrap();
        }
        let blocks: i64 = index
            .conn
            .query_row(
                "SELECT count(*) FROM postings WHERE term = (SELECT term FROM terms WHERE text = 'share')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            (2..=10).contains(&blocks),
            "700 postings of one term in {blocks} blocks"
        );
        index.verify().unwrap();
        // Remove the first of every block and a spread of others.
        let gone: Vec<String> = (0..700)
            .filter(|i| i % 3 == 0 || *i < 5)
            .map(|i| format!("d{i:03}"))
            .collect();
        index.remove(&gone).unwrap();
        index.verify().unwrap();
        let kept: Vec<Document> = (0..700)
            .filter(|i| !(i % 3 == 0 || *i < 5))
            .map(doc)
            .collect();
        let fresh = dir.path().join("fresh.db");
        let mut b = Builder::new(&fresh, &params, false).unwrap();
        b.add(&kept).unwrap();
        b.finish().unwrap();
        let fresh = Index::open_read_only(&fresh).unwrap();
        assert_eq!(index.len().unwrap(), kept.len() as u64);
        assert_eq!(
            index.document_frequencies().unwrap(),
            fresh.document_frequencies().unwrap()
        );
        assert_eq!(
            index.document_frequencies().unwrap()["share"],
            kept.len() as u32
        );
        // A damaged block is reported, not trusted.
        assert_eq!(decode_block(5, &[0, 0]), None);
        assert_eq!(decode_block(5, &[0, 7, 0]), None);
        assert_eq!(decode_block(5, &[0, 7, 3, 9]), Some(vec![(5, 7), (8, 9)]));
    }

    #[test]
    fn signatures_round_trip_and_check_their_length() {
        let sig = Signature(vec![1, u64::MAX, 42]);
        let bytes = encode_signature(&sig);
        assert_eq!(decode_signature(&bytes, 3), Some(sig));
        assert_eq!(decode_signature(&bytes, 4), None);
        assert_eq!(decode_signature(&bytes[..5], 3), None);
    }

    #[test]
    fn fingerprint_follows_the_parameters() {
        let p = IndexParams::from_config(&Config::default());
        let mut q = p.clone();
        q.stem = false;
        let mut r = p.clone();
        r.num_perm = 64;
        r.lsh = LshParams::optimal(r.lsh_threshold, 64, 0.5, 0.5);
        assert_eq!(engine_fingerprint(&p), engine_fingerprint(&p.clone()));
        assert_ne!(engine_fingerprint(&p), engine_fingerprint(&q));
        assert_ne!(engine_fingerprint(&p), engine_fingerprint(&r));
    }

    #[test]
    fn flags_that_differ_are_named() {
        let p = IndexParams::from_config(&Config::default());
        let path = Path::new("x.db");
        assert!(p.check_flags(&ParamFlags::default(), path).is_ok());
        let same = ParamFlags {
            num_perm: Some(128),
            shingle_size: Some(5),
            lsh_threshold: Some(0.5),
            ..ParamFlags::default()
        };
        assert!(p.check_flags(&same, path).is_ok());
        let cases = [
            (
                ParamFlags {
                    num_perm: Some(64),
                    ..Default::default()
                },
                "--num-perm 64 differs from the index's 128",
            ),
            (
                ParamFlags {
                    char_shingles: true,
                    ..Default::default()
                },
                "--char-shingles",
            ),
            (
                ParamFlags {
                    lsh_threshold: Some(0.7),
                    ..Default::default()
                },
                "--lsh-threshold 0.7 differs from the index's 0.5",
            ),
            (
                ParamFlags {
                    no_stem: true,
                    ..Default::default()
                },
                "--no-stem",
            ),
        ];
        for (flags, want) in cases {
            let msg = p.check_flags(&flags, path).unwrap_err().to_string();
            assert!(msg.contains(want) && msg.contains("x.db"), "{msg}");
        }
    }
}
