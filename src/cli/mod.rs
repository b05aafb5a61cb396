//! The command line: one module per subcommand, shared flags in [`args`],
//! atomic report files in [`output`].

pub mod args;
pub mod check;
pub mod compare;
pub mod completions;
pub mod dedup;
pub mod index;
pub mod output;
pub mod progress;
pub mod scan;
pub mod stage;

use doppel::corpus;
use std::process::ExitCode;

/// Exit status of a run that completed: 0 when something was flagged, 1
/// when nothing was, 2 when an input failed along the way (like grep).
pub fn status(input_failed: bool, flagged: usize) -> ExitCode {
    if input_failed {
        ExitCode::from(2)
    } else if flagged > 0 {
        ExitCode::from(0)
    } else {
        ExitCode::from(1)
    }
}

/// The reading options (fields of `corpus::LoadOptions`) the engine's
/// messages name, in backticks, as the phrase naming each and the command
/// line's words for it.
const READER_FLAGS: &[(&str, &str)] = &[
    ("`max_doc_bytes`", "--max-doc-bytes"),
    ("`text_field`", "--text-field"),
    ("`encoding`", "--encoding"),
    // A switch the library sets and the command line passes.
    ("set `jsonl`", "pass --jsonl"),
    // One filter, filled by two flags.
    ("`filter` lets", "--glob/--exclude let"),
];

/// A message of the engine or the index, its settings (named by field, in
/// backticks) shown as the flags that set them.
pub fn flag_names(message: &str) -> String {
    let mut out = message.to_string();
    for (field, name) in doppel::config::SETTING_NAMES {
        out = out.replace(
            &format!("`{field}`"),
            &format!("--{}", name.replace('_', "-")),
        );
    }
    for (phrase, flags) in READER_FLAGS {
        out = out.replace(phrase, flags);
    }
    out
}

/// The most worker threads a run may ask for: more only cost memory and
/// start-up time (100,000 took minutes on five files).
const MAX_THREADS: usize = 1024;

/// Set the number of worker threads (0: one per core).
pub fn threads(n: usize) -> anyhow::Result<()> {
    use anyhow::Context;
    if n > MAX_THREADS {
        anyhow::bail!("--threads {n}: at most {MAX_THREADS} worker threads (0: one per core)");
    }
    if n > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot start worker threads")?;
    }
    Ok(())
}

/// The most messages of one kind (warnings, errors) printed one by one; a
/// wrong `--text-field` on a file of 100,000 lines must not print 100,000
/// lines.
const MAX_MESSAGES: usize = 20;

/// Print messages of a kind (the engine's, its settings shown as flags),
/// the first [`MAX_MESSAGES`] one by one and then how many more there were.
fn print_capped(kind: &str, messages: impl ExactSizeIterator<Item = String>) {
    let n = messages.len();
    for m in messages.take(MAX_MESSAGES) {
        eprintln!("doppel: {kind}: {}", flag_names(&m));
    }
    if n > MAX_MESSAGES {
        eprintln!(
            "doppel: {kind}: … and {} more {kind}s like these (the first {MAX_MESSAGES} shown)",
            n - MAX_MESSAGES
        );
    }
}

/// Print warnings and errors met while loading; true if any input failed.
fn report_problems(loaded: &corpus::Loaded, quiet: bool) -> bool {
    if !quiet {
        print_capped("warning", loaded.warnings.iter().map(ToString::to_string));
    }
    print_capped("error", loaded.errors.iter().map(|e| doppel::chain(e)));
    !loaded.errors.is_empty()
}

/// Print what a streamed run met: warnings and errors of its inputs, and
/// oversized LSH buckets; true if any input failed.
fn report_batch_problems(scan: &doppel::batch::BatchScan, quiet: bool) -> bool {
    let corpus = &scan.corpus;
    if !quiet {
        print_capped("warning", corpus.warnings.iter().map(ToString::to_string));
        if scan.capped_buckets > 0 {
            eprintln!(
                "doppel: warning: {} LSH buckets held more than {} documents (the largest {}); \
                 their members were paired with the first member only",
                scan.capped_buckets,
                doppel::lsh::MAX_BUCKET,
                scan.largest_bucket
            );
        }
    }
    print_capped("error", corpus.errors.iter().map(|e| doppel::chain(e)));
    !corpus.errors.is_empty()
}

#[cfg(test)]
mod tests {
    use super::flag_names;
    use doppel::{Warning, WarningKind};

    /// The engine names its reading options by field; the command line
    /// prints them as the flags that set them, the words it always printed.
    #[test]
    fn engine_messages_show_the_reading_flags() {
        let w = |source: &str, kind| flag_names(&Warning::new(source, kind).to_string());
        let limit = 1000;
        assert_eq!(
            w(
                "a.jsonl",
                WarningKind::TooLarge {
                    bytes: Some(1001),
                    limit
                }
            ),
            "skipped a.jsonl: 1001 bytes is over the limit of 1000 bytes (see --max-doc-bytes); \
             to read it as one document per line, pass --jsonl"
        );
        assert_eq!(
            w("<stdin>", WarningKind::TooLarge { bytes: None, limit }),
            "skipped <stdin>: more than 1000 bytes, over the limit (see --max-doc-bytes)"
        );
        let kind = WarningKind::LineTooLong {
            line: 4,
            bytes: 3001,
            limit,
        };
        assert_eq!(
            w("a.jsonl:4", kind),
            "skipped a.jsonl:4: line of 3001 bytes is over the limit of 1000 bytes (see --max-doc-bytes)"
        );
        let kind = WarningKind::Decoded {
            fallback: Some((3, encoding_rs::WINDOWS_1252)),
            nuls: None,
        };
        assert_eq!(
            w("f", kind),
            "f: not valid UTF-8 (first bad byte at offset 3), read as windows-1252 (see --encoding)"
        );
        assert_eq!(
            w("d", WarningKind::EmptyDirectory { filtered: true }),
            "d: no files in this directory that --glob/--exclude let through"
        );
        let opts = doppel::corpus::LoadOptions {
            text_field: "body".into(),
            ..Default::default()
        };
        let path = std::path::Path::new("a.jsonl");
        let loaded = doppel::corpus::load_jsonl(path, &b"{\"text\": \"x\"}\n"[..], &opts).unwrap();
        assert_eq!(
            flag_names(&doppel::chain(&loaded.errors[0])),
            "a.jsonl:1: no field \"body\" (see --text-field)"
        );
    }
}
