//! The printers' dispatcher, and the text and Markdown printers (JSON is
//! the model's serialisation; HTML is [`crate::html`]'s).

use crate::Report;
use doppel::score::Verdict;
use std::io::{self, Write};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    /// Markdown.
    Markdown,
    /// JSON (see README for the schema).
    Json,
    /// One self-contained HTML page (see [`crate::html`]).
    Html,
    /// JSON Lines: one pair a line, each the pair object of the JSON
    /// report, in the order of the documents (by A, then B); the settings
    /// and documents are left out. A scan writing only this format hands
    /// the lines over as pairs are aligned (see [`jsonl_line`]).
    Jsonl,
}

impl Format {
    /// The format a file name implies (`.json`, `.md`, `.txt`, `.html`,
    /// `.jsonl`), if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Markdown),
            "txt" | "text" => Some(Format::Text),
            "html" | "htm" => Some(Format::Html),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// How a report is written, beyond its format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colours (text only).
    pub color: bool,
    /// Pairs an HTML page shows side by side (the table lists them all).
    pub max_html_pairs: usize,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions {
            color: false,
            max_html_pairs: crate::html::DEFAULT_MAX_PAIRS,
        }
    }
}

/// Write the report in a format.
pub fn render(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
        Format::Text => render_text(report, opts.color, out),
        Format::Markdown => render_markdown(report, out),
        Format::Html => crate::html::render(report, opts.max_html_pairs, out),
        Format::Jsonl => {
            let at: ahash::AHashMap<&str, usize> = report
                .documents
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id.as_str(), i))
                .collect();
            let mut pairs: Vec<&crate::PairReport> = report.pairs.iter().collect();
            pairs.sort_by_key(|p| (at.get(p.a.as_str()), at.get(p.b.as_str())));
            for p in pairs {
                jsonl_line(p, out)?;
            }
            Ok(())
        }
    }
}

/// One pair as a line of [`Format::Jsonl`].
pub fn jsonl_line(pair: &crate::PairReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(&mut *out, pair)?;
    writeln!(out)
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// [`pct`], or "—" where the share was not computed.
fn pct_or_dash(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), pct)
}

/// Lines of an excerpt the text report shows in full; a longer one shows
/// its first and last [`EXCERPT_ENDS`] lines around a count of the rest
/// (two copies of a 2 MB file printed 4.3 MB to the terminal). JSON,
/// Markdown and HTML keep excerpts whole.
const EXCERPT_LINES: usize = 40;
const EXCERPT_ENDS: usize = 10;

/// A wrapped excerpt (lines after the first indented by `indent`) cut to
/// its ends when it is longer than [`EXCERPT_LINES`].
fn elide(wrapped: &str, indent: usize) -> String {
    let lines: Vec<&str> = wrapped.split('\n').collect();
    if lines.len() <= EXCERPT_LINES {
        return wrapped.to_string();
    }
    let hidden = lines.len() - 2 * EXCERPT_ENDS;
    let mut out = lines[..EXCERPT_ENDS].join("\n");
    out.push_str(&format!(
        "\n{:indent$}… {hidden} more lines (the whole passage is in --format json, markdown or html) …\n",
        ""
    ));
    out.push_str(&lines[lines.len() - EXCERPT_ENDS..].join("\n"));
    out
}

/// An excerpt's words wrapped to `width` columns, each line after the
/// first indented by `indent` spaces.
fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut col = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if col > 0 && col + 1 + n > width {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', indent));
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += n;
    }
    out
}

fn render_text(report: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let flagged = report.flagged();
    writeln!(
        out,
        "{} document{}, {} flagged pair{}",
        report.documents.len(),
        if report.documents.len() == 1 { "" } else { "s" },
        flagged,
        if flagged == 1 { "" } else { "s" }
    )?;
    for p in &report.pairs {
        writeln!(out)?;
        let verdict = match p.verdict {
            Verdict::Unrelated => paint("2", p.verdict.name()),
            _ => paint("1;31", p.verdict.name()),
        };
        writeln!(
            out,
            "{} {} ↔ {}",
            verdict,
            paint("1", &p.a),
            paint("1", &p.b)
        )?;
        writeln!(
            out,
            "  coverage {} of A, {} of B · cosine {:.3} · Jaccard {:.3} (est. {:.3}) · containment {:.3} / {:.3} · {} passage{}",
            pct_or_dash(p.coverage.map(|c| c.a)),
            pct_or_dash(p.coverage.map(|c| c.b)),
            doppel::score::Shown(p.scores.cosine),
            p.scores.jaccard,
            p.scores.jaccard_est,
            p.scores.containment_a,
            p.scores.containment_b,
            p.passages.len(),
            if p.passages.len() == 1 { "" } else { "s" }
        )?;
        for (side, id) in [("A", &p.a), ("B", &p.b)] {
            if let Some(note) = report
                .documents
                .iter()
                .find(|d| &d.id == id)
                .and_then(|d| d.disguise_note())
            {
                writeln!(out, "  {} {side} holds {note}", paint("1;33", "!"))?;
            }
        }
        for (k, s) in p.passages.iter().enumerate() {
            writeln!(
                out,
                "  [{}] {} {:.2}  A lines {}-{} ↔ B lines {}-{}",
                k + 1,
                paint("33", s.kind.name()),
                s.score,
                s.a.line_start,
                s.a.line_end,
                s.b.line_start,
                s.b.line_end
            )?;
            writeln!(out, "      A: {}", elide(&wrap(&s.a.text, 92, 9), 9))?;
            writeln!(out, "      B: {}", elide(&wrap(&s.b.text, 92, 9), 9))?;
        }
    }
    Ok(())
}

fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn render_markdown(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# doppel report\n")?;
    writeln!(out, "## Documents\n")?;
    writeln!(out, "| id | bytes | characters | words | sentences |")?;
    writeln!(out, "|---|---:|---:|---:|---:|")?;
    for d in &report.documents {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            md_escape(&d.id),
            d.bytes,
            d.chars,
            d.words,
            d.sentences
        )?;
    }
    writeln!(out, "\n## Pairs\n")?;
    if report.pairs.is_empty() {
        writeln!(out, "No pair was flagged.")?;
        return Ok(());
    }
    writeln!(
        out,
        "| A | B | verdict | coverage A | coverage B | cosine | Jaccard | passages |"
    )?;
    writeln!(out, "|---|---|---|---:|---:|---:|---:|---:|")?;
    for p in &report.pairs {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {} |",
            md_escape(&p.a),
            md_escape(&p.b),
            p.verdict.name(),
            pct_or_dash(p.coverage.map(|c| c.a)),
            pct_or_dash(p.coverage.map(|c| c.b)),
            doppel::score::Shown(p.scores.cosine),
            p.scores.jaccard,
            p.passages.len()
        )?;
    }
    for p in &report.pairs {
        if p.passages.is_empty() {
            continue;
        }
        writeln!(
            out,
            "\n### {} ↔ {} ({})\n",
            md_escape(&p.a),
            md_escape(&p.b),
            p.verdict.name()
        )?;
        writeln!(out, "| # | kind | score | A (lines) | B (lines) |")?;
        writeln!(out, "|---:|---|---:|---|---|")?;
        for (k, s) in p.passages.iter().enumerate() {
            writeln!(
                out,
                "| {} | {} | {:.2} | {} ({}–{}) | {} ({}–{}) |",
                k + 1,
                s.kind.name(),
                s.score,
                md_escape(&s.a.text),
                s.a.line_start,
                s.a.line_end,
                md_escape(&s.b.text),
                s.b.line_start,
                s.b.line_end
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_every_word_and_the_width() {
        let text = "one two three four five six seven eight nine ten eleven twelve";
        let w = wrap(text, 20, 2);
        assert!(w.lines().all(|l| l.chars().count() <= 22), "{w}");
        assert_eq!(w.split_whitespace().collect::<Vec<_>>().join(" "), text);
        assert!(w.lines().count() >= 3);
    }

    #[test]
    fn markdown_escapes_table_breakers() {
        assert_eq!(md_escape("a|b\n<c>"), "a\\|b \\<c\\>");
    }
}
