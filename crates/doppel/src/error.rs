//! The library's error type. Every variant names the input it is about
//! (a path, a line of a JSON Lines file) so a user can find and fix it.
//!
//! Messages name no command-line flag: where a hint helps, they name the
//! setting by its field, in backticks — a reading option of
//! [`LoadOptions`](crate::corpus::LoadOptions) (`` `max_doc_bytes` ``,
//! `` `text_field` ``, `` `encoding` ``, `` `jsonl` ``, `` `filter` ``) as
//! [`Config::validate`](crate::config::Config::validate) names
//! configuration fields — so each caller can show its own name for it (the
//! command line shows its flag).

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
    #[error("{}: {bytes} bytes is over the limit of {limit} bytes (see `max_doc_bytes`){}", path.display(), jsonl_hint(path))]
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

/// The problem of a JSON Lines line without the text field `field`: the
/// one text of the two readers ([`crate::corpus`], [`crate::batch`]).
pub(crate) fn no_text_field(field: &str) -> String {
    format!("no field {field:?} (see `text_field`)")
}

/// For a file named like JSON Lines read as one document: how to read it as
/// one document per line instead.
fn jsonl_hint(path: &std::path::Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ["jsonl", "ndjson"]
        .iter()
        .any(|x| ext.eq_ignore_ascii_case(x))
    {
        "; to read it as one document per line, set `jsonl`"
    } else {
        ""
    }
}

/// Something met while reading that does not stop the run: an input
/// skipped, or a document kept with a remark. It names the input. Under
/// `strict` (see `LoadOptions` in [`crate::corpus`]) skipped inputs,
/// empty documents and bytes that are not UTF-8 stop the run instead, as
/// the matching [`Error`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The input it is about, as messages name it: a path (of a file or
    /// a directory), `path:line` for a line of a JSON Lines file, or
    /// `<stdin>`.
    pub source: String,
    /// What was met.
    pub kind: WarningKind,
}

/// What a [`Warning`] is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WarningKind {
    /// Skipped: the input looks binary (NUL byte at this offset).
    Binary {
        /// Byte offset of the first NUL byte.
        offset: usize,
    },
    /// Skipped: the input is larger than the document size limit.
    TooLarge {
        /// Its size; `None` when it was not known before reading (a pipe,
        /// standard input, a file that grew since it was listed).
        bytes: Option<u64>,
        /// The limit.
        limit: u64,
    },
    /// Skipped: a line of a JSON Lines file is longer than the document
    /// size limit (the source is `path:line`).
    LineTooLong {
        /// Its 1-based line number.
        line: usize,
        /// Its length.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// Skipped: a directory walk met a FIFO, socket or device.
    NotRegularFile,
    /// Kept: the bytes were not UTF-8 and were read with a fallback
    /// encoding, or NUL bytes were kept as characters (or both).
    Decoded {
        /// Where the first byte that is not UTF-8 is, and the encoding
        /// the file was read with.
        fallback: Option<(usize, &'static encoding_rs::Encoding)>,
        /// The first NUL byte kept, and how many there are.
        nuls: Option<(usize, usize)>,
    },
    /// Kept: the document holds no text (only white space, or nothing).
    Empty,
    /// Kept: the document has text but no words (letters or digits); it is
    /// compared by its characters, and has no passages.
    Wordless,
    /// Kept, renamed: another document already has this id.
    DuplicateId {
        /// The id it had.
        id: String,
        /// The id it was given (`id@source`).
        renamed: String,
    },
    /// A directory given holds no file to read.
    EmptyDirectory {
        /// Files were there, but none the path filter lets through.
        filtered: bool,
    },
}

impl Warning {
    /// A warning about `source`.
    pub fn new(source: impl Into<String>, kind: WarningKind) -> Warning {
        Warning {
            source: source.into(),
            kind,
        }
    }

    /// A warning about the input at `path`.
    pub(crate) fn of_path(path: &std::path::Path, kind: WarningKind) -> Warning {
        Warning::new(path.display().to_string(), kind)
    }

    /// True when the input was skipped: it is not among the documents.
    pub fn skipped(&self) -> bool {
        use WarningKind::*;
        matches!(
            self.kind,
            Binary { .. } | TooLarge { .. } | LineTooLong { .. } | NotRegularFile
        )
    }

    /// The error this warning is under `strict`, which refuses skipped
    /// inputs, empty documents and bytes that are not UTF-8; `None` for
    /// the kinds that stay warnings.
    pub(crate) fn refusal(&self) -> Option<Error> {
        let path = || PathBuf::from(&self.source);
        Some(match self.kind {
            WarningKind::Binary { offset } => Error::Binary {
                path: path(),
                offset,
            },
            WarningKind::TooLarge {
                bytes: Some(bytes),
                limit,
            } => Error::TooLarge {
                path: path(),
                bytes,
                limit,
            },
            WarningKind::TooLarge { bytes: None, limit } => Error::Io {
                path: path(),
                source: std::io::Error::new(
                    std::io::ErrorKind::FileTooLarge,
                    format!("more than {limit} bytes, over the limit (see `max_doc_bytes`)"),
                ),
            },
            WarningKind::LineTooLong { line, bytes, limit } => Error::JsonField {
                path: PathBuf::from(
                    self.source
                        .strip_suffix(&format!(":{line}"))
                        .unwrap_or(&self.source),
                ),
                line,
                problem: format!(
                    "line of {bytes} bytes is over the limit of {limit} bytes (see `max_doc_bytes`)"
                ),
            },
            WarningKind::NotRegularFile => Error::Walk {
                path: path(),
                message: "not a regular file (a FIFO, socket or device)".into(),
            },
            WarningKind::Decoded {
                fallback: Some((offset, _)),
                ..
            } => Error::NotUtf8 {
                path: path(),
                offset,
            },
            WarningKind::Empty => Error::Empty {
                source_name: self.source.clone(),
            },
            WarningKind::Decoded { fallback: None, .. }
            | WarningKind::Wordless
            | WarningKind::DuplicateId { .. }
            | WarningKind::EmptyDirectory { .. } => return None,
        })
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = &self.source;
        match &self.kind {
            WarningKind::Decoded { fallback, nuls } => {
                write!(f, "{source}: ")?;
                if let Some((offset, encoding)) = fallback {
                    write!(
                        f,
                        "not valid UTF-8 (first bad byte at offset {offset}), read as {} (see `encoding`)",
                        encoding.name()
                    )?;
                    if nuls.is_some() {
                        write!(f, "; ")?;
                    }
                }
                if let Some((first, n)) = nuls {
                    write!(
                        f,
                        "{n} NUL byte{} (first at offset {first}) kept as characters outside any word",
                        if *n == 1 { "" } else { "s" }
                    )?;
                }
                Ok(())
            }
            // Named as the error `strict` stops on: one text for both.
            WarningKind::Binary { .. }
            | WarningKind::TooLarge { .. }
            | WarningKind::LineTooLong { .. }
            | WarningKind::NotRegularFile
            | WarningKind::Empty => {
                let err = self.refusal().expect("strict refuses these kinds");
                if self.skipped() {
                    write!(f, "skipped {}", chain(&err))
                } else {
                    write!(f, "{err}")
                }
            }
            WarningKind::Wordless => write!(
                f,
                "{source}: no words (letters or digits) in this document; compared by its characters, without passages"
            ),
            WarningKind::DuplicateId { id, renamed } => {
                write!(f, "{source}: duplicate id {id:?}, renamed to {renamed:?}")
            }
            WarningKind::EmptyDirectory { filtered } => write!(
                f,
                "{source}: no files in this directory{}",
                if *filtered {
                    " that `filter` lets through"
                } else {
                    ""
                }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_warning_kind_reads_as_its_message() {
        let w = |source: &str, kind| Warning::new(source, kind).to_string();
        let limit = 1000;
        assert_eq!(
            w("a.bin", WarningKind::Binary { offset: 2 }),
            "skipped a.bin: looks like a binary file (NUL byte at offset 2)"
        );
        assert_eq!(
            w(
                "a.jsonl",
                WarningKind::TooLarge {
                    bytes: Some(1001),
                    limit
                }
            ),
            "skipped a.jsonl: 1001 bytes is over the limit of 1000 bytes (see `max_doc_bytes`); \
             to read it as one document per line, set `jsonl`"
        );
        assert_eq!(
            w("<stdin>", WarningKind::TooLarge { bytes: None, limit }),
            "skipped <stdin>: more than 1000 bytes, over the limit (see `max_doc_bytes`)"
        );
        let kind = WarningKind::LineTooLong {
            line: 4,
            bytes: 3001,
            limit,
        };
        assert_eq!(
            w("a.jsonl:4", kind),
            "skipped a.jsonl:4: line of 3001 bytes is over the limit of 1000 bytes (see `max_doc_bytes`)"
        );
        assert_eq!(
            w("d/fifo", WarningKind::NotRegularFile),
            "skipped d/fifo: not a regular file (a FIFO, socket or device)"
        );
        let kind = WarningKind::Decoded {
            fallback: Some((3, encoding_rs::WINDOWS_1252)),
            nuls: Some((5, 2)),
        };
        assert_eq!(
            w("f", kind),
            "f: not valid UTF-8 (first bad byte at offset 3), read as windows-1252 (see `encoding`); \
             2 NUL bytes (first at offset 5) kept as characters outside any word"
        );
        let kind = WarningKind::Decoded {
            fallback: None,
            nuls: Some((5, 1)),
        };
        assert_eq!(
            w("f", kind),
            "f: 1 NUL byte (first at offset 5) kept as characters outside any word"
        );
        assert_eq!(
            w("a.jsonl:3", WarningKind::Empty),
            "a.jsonl:3: empty document (no text to compare)"
        );
        assert_eq!(
            w("f", WarningKind::Wordless),
            "f: no words (letters or digits) in this document; compared by its characters, without passages"
        );
        let kind = WarningKind::DuplicateId {
            id: "x".into(),
            renamed: "x@a.jsonl:2".into(),
        };
        assert_eq!(
            w("a.jsonl:2", kind),
            "a.jsonl:2: duplicate id \"x\", renamed to \"x@a.jsonl:2\""
        );
        assert_eq!(
            w("d", WarningKind::EmptyDirectory { filtered: true }),
            "d: no files in this directory that `filter` lets through"
        );
    }

    #[test]
    fn strict_refuses_a_too_long_line_naming_its_file_and_line() {
        let kind = WarningKind::LineTooLong {
            line: 4,
            bytes: 3001,
            limit: 1000,
        };
        match Warning::new("dir:x/a.jsonl:4", kind).refusal() {
            Some(Error::JsonField { path, line: 4, .. }) => {
                assert_eq!(path, PathBuf::from("dir:x/a.jsonl"))
            }
            other => panic!("{other:?}"),
        }
        let kind = WarningKind::DuplicateId {
            id: "x".into(),
            renamed: "x@y".into(),
        };
        assert!(Warning::new("y", kind).refusal().is_none());
    }

    /// True when `text` holds a command-line flag: `--` and a letter.
    fn names_a_flag(text: &str) -> bool {
        text.as_bytes()
            .windows(3)
            .any(|w| w[0] == b'-' && w[1] == b'-' && w[2].is_ascii_alphabetic())
    }

    /// No message of the library names a command-line flag: a library
    /// caller has none. One of each variant (the `match`es fail to compile
    /// when one is added, so it is added here too), with every hint shown.
    #[test]
    fn no_message_names_a_flag() {
        let path = || PathBuf::from("a.jsonl");
        let json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let cfg = crate::config::Config {
            num_perm: 0,
            ..Default::default()
        };
        let errors = [
            Error::Io {
                path: path(),
                source: std::io::Error::other("gone"),
            },
            Error::NotUtf8 {
                path: path(),
                offset: 1,
            },
            Error::Binary {
                path: path(),
                offset: 1,
            },
            Error::TooLarge {
                path: path(),
                bytes: 2,
                limit: 1,
            },
            Error::Json {
                path: path(),
                line: 1,
                source: json,
            },
            Error::JsonField {
                path: path(),
                line: 1,
                problem: no_text_field("body"),
            },
            Error::Walk {
                path: path(),
                message: "loop".into(),
            },
            Error::Empty {
                source_name: "a.jsonl:1".into(),
            },
            Error::StdinTwice,
            cfg.validate().unwrap_err(),
        ];
        for e in &errors {
            match e {
                Error::Io { .. }
                | Error::NotUtf8 { .. }
                | Error::Binary { .. }
                | Error::TooLarge { .. }
                | Error::Json { .. }
                | Error::JsonField { .. }
                | Error::Walk { .. }
                | Error::Empty { .. }
                | Error::StdinTwice
                | Error::Config(_) => {}
            }
            let text = chain(e);
            assert!(!names_a_flag(&text), "{text}");
        }
        let kinds = [
            WarningKind::Binary { offset: 1 },
            WarningKind::TooLarge {
                bytes: Some(2),
                limit: 1,
            },
            WarningKind::TooLarge {
                bytes: None,
                limit: 1,
            },
            WarningKind::LineTooLong {
                line: 1,
                bytes: 2,
                limit: 1,
            },
            WarningKind::NotRegularFile,
            WarningKind::Decoded {
                fallback: Some((1, encoding_rs::WINDOWS_1252)),
                nuls: Some((2, 2)),
            },
            WarningKind::Empty,
            WarningKind::Wordless,
            WarningKind::DuplicateId {
                id: "x".into(),
                renamed: "x@a.jsonl:1".into(),
            },
            WarningKind::EmptyDirectory { filtered: true },
        ];
        for kind in kinds {
            match kind {
                WarningKind::Binary { .. }
                | WarningKind::TooLarge { .. }
                | WarningKind::LineTooLong { .. }
                | WarningKind::NotRegularFile
                | WarningKind::Decoded { .. }
                | WarningKind::Empty
                | WarningKind::Wordless
                | WarningKind::DuplicateId { .. }
                | WarningKind::EmptyDirectory { .. } => {}
            }
            let w = Warning::new("a.jsonl:1", kind);
            let text = w.to_string();
            assert!(!names_a_flag(&text), "{text}");
            if let Some(e) = w.refusal() {
                let text = chain(&e);
                assert!(!names_a_flag(&text), "{text}");
            }
        }
        // The reader's own messages: a line without the text field.
        let opts = crate::corpus::LoadOptions {
            text_field: "body".into(),
            ..Default::default()
        };
        let loaded =
            crate::corpus::load_jsonl(&path(), &b"{\"text\": \"x\"}\n"[..], &opts).unwrap();
        let text = chain(&loaded.errors[0]);
        assert_eq!(text, "a.jsonl:1: no field \"body\" (see `text_field`)");
    }
}
