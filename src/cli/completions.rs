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
/// user looks for one page, `man doppel`, so the subcommands' synopses and
/// options become sections of it (clap_mangen's top-level list of
/// subcommands would point at `doppel-scan(1)` pages nobody installs).
fn render_man(cmd: clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let top = Man::new(cmd.clone());
    top.render_title(out)?;
    top.render_name_section(out)?;
    top.render_synopsis_section(out)?;
    top.render_description_section(out)?;
    top.render_options_section(out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let title = sub
            .get_bin_name()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{} {}", cmd.get_name(), sub.get_name()));
        let mut roff = clap_mangen::roff::Roff::new();
        roff.control("SH", [title.to_uppercase().as_str()]);
        if let Some(about) = sub.get_long_about().or_else(|| sub.get_about()) {
            roff.text([clap_mangen::roff::roman(about.to_string())]);
        }
        roff.to_writer(out)?;
        let man = Man::new(sub.clone());
        let mut synopsis = Vec::new();
        man.render_synopsis_section(&mut synopsis)?;
        out.write_all(&demote(&synopsis, "Synopsis"))?;
        let mut options = Vec::new();
        man.render_options_section(&mut options)?;
        out.write_all(&demote(&options, "Options"))?;
    }
    top.render_version_section(out)
}

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
