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

/// Print what a streamed run met: warnings and errors of its inputs, and
/// oversized LSH buckets; true if any input failed.
fn report_batch_problems(scan: &doppel::batch::BatchScan, quiet: bool) -> bool {
    let corpus = &scan.corpus;
    if !quiet {
        for w in &corpus.warnings {
            eprintln!("doppel: warning: {w}");
        }
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
    for e in &corpus.errors {
        eprintln!("doppel: error: {}", doppel::error::chain(e));
    }
    !corpus.errors.is_empty()
}
