//! `doppel completions SHELL` and `doppel man`: a shell completion script
//! and the manual page, both generated from the clap definitions of the
//! binary, printed on standard output.

use clap::Args;
use clap_complete::Shell;
use clap_mangen::Man;
use std::io::Write;
use std::process::ExitCode;

/// Flags of `completions`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Print the completion script for a shell.
pub fn completions(args: &CompletionsArgs, mut cmd: clap::Command) -> anyhow::Result<ExitCode> {
    let name = cmd.get_name().to_string();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, name, &mut out);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Print one manual page covering the program and every subcommand.
pub fn man(cmd: clap::Command) -> anyhow::Result<ExitCode> {
    let mut page = Vec::new();
    render_man(cmd, &mut page)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The manual page as roff. clap_mangen writes one page per command; a
/// user looks for one page, `man doppel`, so every subcommand, at every
/// depth (`index build`), becomes a section of it with its synopsis and
/// options (clap_mangen's top-level list of subcommands would point at
/// `doppel-scan(1)` pages nobody installs); then the exit status and
/// examples.
fn render_man(cmd: clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let top = Man::new(cmd.clone());
    top.render_title(out)?;
    top.render_name_section(out)?;
    top.render_synopsis_section(out)?;
    top.render_description_section(out)?;
    top.render_options_section(out)?;
    render_subcommands(&cmd, cmd.get_name(), out)?;
    let mut roff = clap_mangen::roff::Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_STATUS {
        roff.control("TP", []);
        roff.text([clap_mangen::roff::bold(code)]);
        roff.text([clap_mangen::roff::roman(meaning)]);
    }
    roff.control("SH", ["EXAMPLES"]);
    for (what, command) in EXAMPLES {
        roff.control("TP", []);
        roff.text([clap_mangen::roff::roman(what)]);
        roff.text([clap_mangen::roff::bold(command)]);
    }
    roff.to_writer(out)?;
    top.render_version_section(out)
}

/// Sections for the subcommands of `cmd` (named `path`), and theirs.
fn render_subcommands(cmd: &clap::Command, path: &str, out: &mut dyn Write) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let title = format!("{path} {}", sub.get_name());
        let mut roff = clap_mangen::roff::Roff::new();
        roff.control("SH", [title.to_uppercase().as_str()]);
        if let Some(about) = sub.get_long_about().or_else(|| sub.get_about()) {
            roff.text([clap_mangen::roff::roman(about.to_string())]);
        }
        roff.to_writer(out)?;
        let man = Man::new(sub.clone().bin_name(title.clone()));
        let mut synopsis = Vec::new();
        man.render_synopsis_section(&mut synopsis)?;
        out.write_all(&demote(&synopsis, "Synopsis"))?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            let mut options = Vec::new();
            man.render_options_section(&mut options)?;
            out.write_all(&demote(&options, "Options"))?;
        }
        render_subcommands(sub, &title, out)?;
    }
    Ok(())
}

/// The exit statuses, as README's "Exit status" gives them.
const EXIT_STATUS: [(&str, &str); 5] = [
    (
        "0",
        "At least one pair was flagged (scan, compare, check); the work was done (index, dedup, man, completions).",
    ),
    ("1", "Nothing was flagged (scan, compare, check)."),
    (
        "2",
        "An error: a bad flag, an output that cannot be written or would overwrite an input, or an input that could not be read (the run goes on with the others, then exits 2).",
    ),
    (
        "129, 130, 143",
        "Stopped by SIGHUP, SIGINT (Ctrl-C) or SIGTERM; temporary files removed, no partial output.",
    ),
    ("(a closed pipe)", "Ends the run quietly with 0."),
];

/// Commands a new user starts from.
const EXAMPLES: [(&str, &str); 6] = [
    (
        "Every overlapping pair of a directory, as a web page:",
        "doppel scan corpus/ -o report.html",
    ),
    (
        "Two documents aligned passage by passage:",
        "doppel compare original.txt suspect.txt",
    ),
    (
        "A million documents, near-duplicates only, streamed:",
        "doppel scan big.jsonl --jsonl --minhash-only --format json -o pairs.json",
    ),
    (
        "Keep one document of each near-duplicate cluster:",
        "doppel dedup big.jsonl --jsonl --emit jsonl -o deduped.jsonl",
    ),
    (
        "Build a reference index, then check a new batch against it:",
        "doppel index build archive/ --index archive.doppel; doppel check --index archive.doppel batch/",
    ),
    (
        "Many pairs at once, one JSON object per line:",
        "doppel compare --pairs pairs.tsv --base corpus/",
    ),
];

/// Turn the `.SH` headings of a rendered section into `.SS` subsections
/// under the subcommand's own heading.
fn demote(roff: &[u8], name: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(roff);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.starts_with(".SH ") {
            out.push_str(&format!(".SS {name}\n"));
        } else {
            out.push_str(line);
        }
    }
    out.into_bytes()
}
