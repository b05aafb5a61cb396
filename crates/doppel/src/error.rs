//! The library's error type. Every variant names the input it is about
//! (a path, a line of a JSON Lines file) so a user can find and fix it.

use std::path::PathBuf;

/// Errors raised while reading input or configuring a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read.
    #[error("{}", path.display())]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid UTF-8.
    #[error("{}: not valid UTF-8 (first bad byte at offset {offset})", path.display())]
    NotUtf8 {
        /// The offending file.
        path: PathBuf,
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// A file looks binary (it contains NUL bytes).
    #[error("{}: looks like a binary file (NUL byte at offset {offset})", path.display())]
    Binary {
        /// The offending file.
        path: PathBuf,
        /// Byte offset of the first NUL byte.
        offset: usize,
    },
    /// A document is larger than the configured limit.
    #[error("{}: {bytes} bytes is over the limit of {limit} bytes (see --max-doc-bytes){}", path.display(), jsonl_hint(path))]
    TooLarge {
        /// The offending file (or JSONL file).
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// A line of a JSON Lines file is not a JSON object.
    #[error("{}:{line}: malformed JSON", path.display())]
    Json {
        /// The JSON Lines file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// A line of a JSON Lines file lacks a field or has one of the wrong type.
    #[error("{}:{line}: {problem}", path.display())]
    JsonField {
        /// The JSON Lines file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// A directory walk failed (for example a symbolic link loop).
    #[error("{}: {message}", path.display())]
    Walk {
        /// Where the walk failed.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A document holds no text (only white space, or nothing).
    #[error("{source_name}: empty document (no text to compare)")]
    Empty {
        /// Where the document came from (a path, `path:line` or `<stdin>`).
        source_name: String,
    },
    /// Standard input (`-`) named more than once among the inputs.
    #[error("`-` (standard input) is given more than once; it can be read only once")]
    StdinTwice,
    /// Contradictory or out-of-range settings.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// An error and its causes on one line: "outer: cause: root cause".
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push_str(": ");
        out.push_str(&e.to_string());
        cur = e.source();
    }
    out
}

/// Result type of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// For a file named like JSON Lines read as one document: how to read it as
/// one document per line instead.
fn jsonl_hint(path: &std::path::Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ["jsonl", "ndjson"]
        .iter()
        .any(|x| ext.eq_ignore_ascii_case(x))
    {
        "; to read it as one document per line, pass --jsonl"
    } else {
        ""
    }
}
