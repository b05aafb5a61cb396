//! The `doppel` binary: parses flags, hands each subcommand to its module
//! in `cli/`, and turns the outcome into an exit status — 0 when a pair was
//! flagged, 1 when none was, 2 on error (like grep).

mod cli;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// Find duplicated and paraphrased text across documents and show which
/// passages correspond.
#[derive(Parser, Debug)]
#[command(name = "doppel", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Find every pair of overlapping documents in a corpus.
    Scan(cli::scan::ScanArgs),
    /// Align two documents in full.
    // Candidate search settings mean nothing for a given pair: accepted
    // (scripts share flags), not listed.
    #[command(
        mut_arg("lsh_threshold", |a| a.hide(true)),
        mut_arg("cosine_threshold", |a| a.hide(true)),
        mut_arg("top_k", |a| a.hide(true)),
        mut_arg("min_copy_words", |a| a.hide(true)),
        mut_arg("rewrite_candidates", |a| a.hide(true)),
        mut_arg("exact_neighbours", |a| a.hide(true))
    )]
    Compare(cli::compare::CompareArgs),
    /// Print a shell completion script on standard output.
    Completions(cli::completions::CompletionsArgs),
    /// Print the manual page (roff) on standard output.
    Man,
    /// Build, grow and inspect a reference index.
    Index(cli::index::IndexArgs),
    /// Check new documents against a reference index.
    Check(cli::check::CheckArgs),
    /// Time one engine stage on a JSONL corpus (for scripts/bench/).
    #[command(hide = true)]
    BenchStage(cli::stage::StageArgs),
    /// Cluster near-duplicates and keep one document per cluster.
    Dedup(cli::dedup::DedupArgs),
}

fn main() -> ExitCode {
    // On Ctrl-C (SIGINT), SIGTERM (kill, timeout, CI cancellation, docker
    // stop) and SIGHUP (a closed terminal), remove unfinished output files
    // — never a partial report — and exit 128 + the signal's number, as a
    // shell reports it.
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                cli::output::interrupt(sig);
                std::process::exit(128 + sig);
            }
        });
    }
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Scan(args) => cli::scan::run(args),
        Command::Compare(args) => cli::compare::run(args),
        Command::Completions(args) => cli::completions::completions(args, Cli::command()),
        Command::Man => cli::completions::man(Cli::command()),
        Command::Index(args) => cli::index::run(args),
        Command::Check(args) => cli::check::run(args),
        Command::BenchStage(args) => cli::stage::run(args),
        Command::Dedup(args) => cli::dedup::run(args),
    };
    // A run the signal stopped ends with the signal's status, whatever its
    // work made of the files removed under it.
    if let Some(sig) = cli::output::received() {
        std::process::exit(128 + sig);
    }
    match result {
        Ok(code) => code,
        // A closed pipe (`doppel scan … | head`) is a normal ending.
        Err(err) if is_broken_pipe(&err) => ExitCode::from(0),
        Err(err) => {
            eprintln!("doppel: error: {}", cli::flag_names(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            // serde_json keeps the I/O error inside its own.
            || e.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(BrokenPipe))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use doppel::config::Config;
    use doppel::corpus::LoadOptions;

    /// Every flag's default is the library's: the configuration a command
    /// builds from no flags at all is `Config::default()` (and the reader's
    /// `LoadOptions::default()`), so changing a default in one place changes
    /// it everywhere.
    #[test]
    fn flag_defaults_are_the_librarys() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).expect("parses").command;
        let Command::Scan(scan) = parse(&["doppel", "scan", "x"]) else {
            panic!("not scan")
        };
        assert_eq!(scan.engine.config().expect("valid"), Config::default());
        let load = scan.input.load_options();
        let want = LoadOptions::default();
        assert_eq!(
            (
                &load.id_field,
                &load.text_field,
                load.max_doc_bytes,
                load.encoding
            ),
            (
                &want.id_field,
                &want.text_field,
                want.max_doc_bytes,
                want.encoding
            )
        );
        let Command::Compare(compare) = parse(&["doppel", "compare", "a", "b"]) else {
            panic!("not compare")
        };
        assert_eq!(compare.engine.config().expect("valid"), Config::default());
        let Command::Check(check) = parse(&["doppel", "check", "--index", "i", "x"]) else {
            panic!("not check")
        };
        let cfg = Config::default();
        assert_eq!(
            (check.query.cosine_threshold, check.query.top_k),
            (cfg.cosine_threshold, cfg.top_k)
        );
        let mut judged = cfg.clone();
        check.query.judge.apply(&mut judged);
        assert_eq!(judged, cfg);
    }
}
