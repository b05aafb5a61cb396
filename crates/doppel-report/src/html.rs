//! The HTML report: a [`Report`] in, one self-contained HTML page out.
//!
//! The page needs nothing but itself: styles and the small script are
//! inline, nothing is fetched, it opens from disk and works offline. It
//! holds a summary table of the reported pairs (in the report's order:
//! verdict, then the larger coverage, then cosine; a click on a heading
//! re-sorts it) and, for each pair, both documents side by side with the
//! aligned passages lit up — passage *k* of A and passage *k* of B share a
//! colour and a number, and a click on one scrolls the other into view.
//! Inside a passage, the words of A that B dropped or replaced are struck
//! through and the words B inserted are underlined (a word-level diff, see
//! [`word_diff`]). When the report carries the sentence similarity matrix
//! (`compare` and `scan` keep it for pairs of reasonable size), an SVG heat
//! map shows it with the passages outlined: a rewrite shows as a diagonal
//! band.
//!
//! Every piece of document text and every id goes through [`escape`]: a
//! document containing `<script>` renders as text.
//!
//! The output is a function of the report alone (no clock, no randomness),
//! so the same run writes the same bytes. [`render`] is what any subcommand
//! calls for `--format html`.

use crate::{PairReport, PassageReport, Report, SentenceMap};
use doppel::Span;
use doppel::text::{Token, tokenize};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Edit distance (in words) past which [`word_diff`] stops looking for the
/// best alignment of the middle of two passages: the search costs memory
/// quadratic in this distance (about 16 MB at 2,000).
pub const MAX_DIFF_EDITS: usize = 2_000;

/// Width in pixels the heat map aims for.
const MAP_PIXELS: usize = 600;

/// Escape text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    escape_into(s, &mut out);
    out
}

fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Which words two sequences have in common, in order: a longest common
/// subsequence. Returns, for each element of `a` and of `b`, whether it is
/// part of it; the k-th kept element of `a` matches the k-th kept element
/// of `b`. Elements of `a` not kept were dropped or replaced, elements of
/// `b` not kept were inserted.
///
/// Common prefix and suffix are matched first; the middle goes through
/// Myers' O((N+M)·D) greedy search for the shortest edit script, which is
/// fast when the passages differ little (a copy with light edits, however
/// long). If more than [`MAX_DIFF_EDITS`] edits would be needed, the
/// middle is reported as entirely changed rather than spending more memory.
pub fn word_diff<T: PartialEq>(a: &[T], b: &[T]) -> (Vec<bool>, Vec<bool>) {
    let mut keep_a = vec![false; a.len()];
    let mut keep_b = vec![false; b.len()];
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    for k in 0..prefix {
        keep_a[k] = true;
        keep_b[k] = true;
    }
    for k in 0..suffix {
        keep_a[a.len() - 1 - k] = true;
        keep_b[b.len() - 1 - k] = true;
    }
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    if let Some(pairs) = myers(ma, mb, MAX_DIFF_EDITS) {
        for (i, j) in pairs {
            keep_a[prefix + i] = true;
            keep_b[prefix + j] = true;
        }
    }
    (keep_a, keep_b)
}

/// Matched index pairs of a shortest edit script from `a` to `b`, or None
/// when it needs more than `max_d` insertions and deletions.
fn myers<T: PartialEq>(a: &[T], b: &[T], max_d: usize) -> Option<Vec<(usize, usize)>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let limit = (a.len() + b.len()).min(max_d) as isize;
    // v[k + off]: furthest x reached on diagonal k = x - y.
    let off = limit + 1;
    let mut v = vec![0isize; 2 * off as usize + 1];
    // trace[d]: v over diagonals -d..=d as it was before step d.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut end_d = None;
    'search: for d in 0..=limit {
        trace.push(v[(off - d) as usize..=(off + d) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let mut x =
                if k == -d || (k != d && v[(off + k - 1) as usize] < v[(off + k + 1) as usize]) {
                    v[(off + k + 1) as usize]
                } else {
                    v[(off + k - 1) as usize] + 1
                };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(off + k) as usize] = x;
            if x >= n && y >= m {
                end_d = Some(d);
                break 'search;
            }
            k += 2;
        }
    }
    let end_d = end_d?;
    let mut pairs = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..=end_d).rev() {
        let prev = &trace[d as usize];
        // prev covers diagonals -d..=d; the step from d-1 read k±1.
        let at = |k: isize| prev[(k + d) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = at(prev_k);
        let prev_y = prev_x - prev_k;
        // The snake after the edit: diagonal moves back to the edit's end.
        let (edit_x, edit_y) = if prev_k == k + 1 {
            (prev_x, prev_x - k)
        } else {
            (prev_x + 1, prev_x + 1 - k)
        };
        while x > edit_x && y > edit_y {
            x -= 1;
            y -= 1;
            pairs.push((x as usize, y as usize));
        }
        x = prev_x;
        y = prev_y;
    }
    while x > 0 && y > 0 {
        x -= 1;
        y -= 1;
        pairs.push((x as usize, y as usize));
    }
    pairs.reverse();
    Some(pairs)
}

/// The words of one excerpt and which of them the other side shares.
struct Marked<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    kept: Vec<bool>,
}

/// Word-diff the two excerpts of a passage (over normalised words, so case
/// and typographic quotes do not count as changes).
fn diff_passage(p: &PassageReport) -> (Marked<'_>, Marked<'_>) {
    diff_texts(&p.a.text, &p.b.text)
}

/// Word-diff two texts: each with its tokens and which of them the other
/// shares.
fn diff_texts<'a>(a: &'a str, b: &'a str) -> (Marked<'a>, Marked<'a>) {
    let ta = tokenize(a);
    let tb = tokenize(b);
    let na: Vec<&str> = ta.iter().map(|t| t.norm.as_str()).collect();
    let nb: Vec<&str> = tb.iter().map(|t| t.norm.as_str()).collect();
    let (ka, kb) = word_diff(&na, &nb);
    (
        Marked {
            text: a,
            tokens: ta,
            kept: ka,
        },
        Marked {
            text: b,
            tokens: tb,
            kept: kb,
        },
    )
}

/// What one piece of a drawn excerpt is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    /// Shared words and what lies between them.
    Plain = 0,
    /// Words of A that B dropped or replaced (struck through).
    Del = 1,
    /// Words B inserted (underlined).
    Ins = 2,
    /// One space (between a struck run and what follows in the unified
    /// line); its range is empty.
    Space = 3,
}

/// A run of text the page's script draws: bytes `start..end` of side A or
/// B's excerpt (offsets are relative to the excerpt until [`Layout`] moves
/// them into the page's texts), drawn as `tag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Piece {
    b: bool,
    start: usize,
    end: usize,
    tag: Tag,
}

impl Piece {
    fn new(b: bool, start: usize, end: usize, tag: Tag) -> Piece {
        Piece { b, start, end, tag }
    }
}

/// One side's excerpt in pieces, its unshared words (runs of neighbouring
/// ones form one piece) tagged `tag`: every byte of the excerpt in one
/// piece, in order.
fn marked_pieces(m: &Marked<'_>, b: bool, tag: Tag) -> Vec<Piece> {
    let mut out = Vec::new();
    let plain = |out: &mut Vec<Piece>, from: usize, to: usize| {
        if to > from {
            out.push(Piece::new(b, from, to, Tag::Plain));
        }
    };
    let (mut pos, mut i) = (0, 0);
    while i < m.tokens.len() {
        if m.kept[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < m.tokens.len() && !m.kept[j] {
            j += 1;
        }
        let (start, end) = (m.tokens[i].span.start, m.tokens[j - 1].span.end);
        plain(&mut out, pos, start);
        out.push(Piece::new(b, start, end, tag));
        pos = end;
        i = j;
    }
    plain(&mut out, pos, m.text.len());
    out
}

/// One line reading B with A's dropped words struck through in place and
/// B's inserted words underlined: "for <del>deterrence</del>
/// <ins>discouragement</ins> purposes". Every byte of B's excerpt is in
/// one piece, in order; A's dropped runs sit before the word of B that
/// follows them.
fn unified_pieces(a: &Marked<'_>, b: &Marked<'_>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    // B's text from `from` to `to`, joined to the plain piece it continues.
    let plain = |out: &mut Vec<Piece>, from: usize, to: usize| {
        if to <= from {
            return;
        }
        match out.last_mut() {
            Some(last) if last.b && last.tag == Tag::Plain && last.end == from => last.end = to,
            _ => out.push(Piece::new(true, from, to, Tag::Plain)),
        }
    };
    let (mut i, mut j, mut pos) = (0, 0, 0);
    loop {
        // Words of A dropped before the next shared word.
        let i0 = i;
        while i < a.tokens.len() && !a.kept[i] {
            i += 1;
        }
        if i > i0 {
            let next = b.tokens.get(j).map_or(b.text.len(), |t| t.span.start);
            plain(&mut out, pos, next);
            pos = next;
            let (start, end) = (a.tokens[i0].span.start, a.tokens[i - 1].span.end);
            out.push(Piece::new(false, start, end, Tag::Del));
            if j < b.tokens.len() {
                out.push(Piece::new(true, pos, pos, Tag::Space));
            }
        }
        // Words of B inserted before the next shared word.
        let j0 = j;
        while j < b.tokens.len() && !b.kept[j] {
            j += 1;
        }
        if j > j0 {
            let (start, end) = (b.tokens[j0].span.start, b.tokens[j - 1].span.end);
            plain(&mut out, pos, start);
            out.push(Piece::new(true, start, end, Tag::Ins));
            pos = end;
        }
        if i >= a.tokens.len() || j >= b.tokens.len() {
            break;
        }
        // A shared word.
        plain(&mut out, pos, b.tokens[j].span.end);
        pos = b.tokens[j].span.end;
        i += 1;
        j += 1;
    }
    plain(&mut out, pos, b.text.len());
    out
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The hue of passage `k`: successive passages a golden angle apart, so
/// neighbours never look alike.
fn hue(k: usize) -> u32 {
    ((k as f64 * 137.508) % 360.0).round() as u32
}

fn verdict_class(p: &PairReport) -> &'static str {
    p.verdict.name()
}

/// Pairs an HTML page shows side by side unless told otherwise
/// (`--max-html-pairs`), flagged ones first; the table lists every pair.
/// Each shown pair carries its heat map and passages (the texts are held
/// once for the whole page).
pub const DEFAULT_MAX_PAIRS: usize = 200;

/// Write the report as one self-contained HTML page, showing at most
/// `max_pairs` pairs side by side.
pub fn render(report: &Report, max_pairs: usize, out: &mut dyn Write) -> io::Result<()> {
    let mut h = String::with_capacity(64 * 1024);
    let flagged = report.flagged();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"doppel {}\">\n\
         <title>doppel report: {} document{}, {} flagged pair{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        escape(report.version),
        report.documents.len(),
        plural(report.documents.len()),
        flagged,
        plural(flagged),
        CSS
    );
    let _ = writeln!(
        h,
        "<header><h1>doppel report</h1><p class=\"sub\">{} document{} · {} flagged pair{} · {} pair{} reported · doppel {}</p></header>",
        report.documents.len(),
        plural(report.documents.len()),
        flagged,
        plural(flagged),
        report.pairs.len(),
        plural(report.pairs.len()),
        escape(report.version)
    );
    legend(&mut h);
    h.push_str(
        "<noscript><p class=\"omitted\" role=\"note\">This page draws the documents' texts \
         with its script: allow JavaScript to see them.</p></noscript>\n",
    );
    summary(report, max_pairs, &mut h);
    if report.pairs.len() > max_pairs {
        let _ = writeln!(
            h,
            "<p class=\"omitted\" role=\"note\">The first {max_pairs} of {} pairs are shown side by side \
             ({} left out; <code>--max-html-pairs</code> shows more); the JSON report \
             (<code>--format json</code>) holds them all.</p>",
            report.pairs.len(),
            report.pairs.len() - max_pairs
        );
    }
    let mut texts = Texts::default();
    for (i, p) in report.pairs.iter().take(max_pairs).enumerate() {
        let ab = [text_of(report, &p.a), text_of(report, &p.b)];
        pair(i, p, ab, &mut texts, &mut h);
    }
    let all: Vec<&str> = texts.all.iter().map(|t| t.as_ref()).collect();
    let json = serde_json::to_string(&all).map_err(io::Error::other)?;
    let _ = write!(
        h,
        "<script type=\"application/json\" id=\"doppel-texts\">{}</script>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        script_json(&json)
    );
    out.write_all(h.as_bytes())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn legend(h: &mut String) {
    h.push_str(
        "<aside class=\"legend\" aria-label=\"legend\">\
         <span class=\"lg\"><mark class=\"psg demo\" data-n=\"1\" style=\"--h:0\">passage</mark>\
         <mark class=\"psg demo\" data-n=\"2\" style=\"--h:138\">passage</mark> \
         same colour and number in A and B: corresponding passages (click one to see the other)</span>\
         <span class=\"lg\"><mark class=\"psg demo verbatim\" data-n=\"3\" style=\"--h:275\">verbatim</mark>\
         <mark class=\"psg demo near-verbatim\" data-n=\"4\" style=\"--h:50\">near-verbatim</mark>\
         <mark class=\"psg demo paraphrase\" data-n=\"5\" style=\"--h:188\">paraphrase</mark> \
         = copied word for word, ≈ lightly edited, number alone: rewritten</span>\
         <span class=\"lg\"><del>dropped or replaced in A</del> <ins>inserted in B</ins> \
         word differences inside a passage</span>\
         </aside>\n",
    );
}

fn summary(report: &Report, max_pairs: usize, h: &mut String) {
    h.push_str("<section class=\"summary\"><h2>Pairs</h2>\n");
    if report.pairs.is_empty() {
        h.push_str("<p>No pair was flagged.</p>");
        documents(report, h);
        h.push_str("</section>\n");
        return;
    }
    h.push_str(
        "<table class=\"pairs\"><thead><tr>\
         <th data-key=\"num\" title=\"sort\">#</th><th data-key=\"text\">A</th><th data-key=\"text\">B</th>\
         <th data-key=\"num\">verdict</th><th data-key=\"num\">coverage A</th><th data-key=\"num\">coverage B</th>\
         <th data-key=\"num\">cosine</th><th data-key=\"num\">Jaccard</th><th data-key=\"num\">passages</th>\
         </tr></thead><tbody>\n",
    );
    for (i, p) in report.pairs.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td data-v=\"{i}\">{}</td><td>{}</td><td>{}</td>\
             <td data-v=\"{}\"><span class=\"verdict {}\">{}</span></td>\
             <td data-v=\"{:.4}\">{}</td><td data-v=\"{:.4}\">{}</td>\
             <td data-v=\"{:.4}\">{:.3}</td><td data-v=\"{:.4}\">{:.3}</td><td data-v=\"{}\">{}</td></tr>",
            if i < max_pairs {
                format!("<a href=\"#pair-{i}\">{}</a>", i + 1)
            } else {
                (i + 1).to_string()
            },
            escape(&p.a),
            escape(&p.b),
            p.verdict as u8,
            verdict_class(p),
            p.verdict.name(),
            p.coverage.map_or(-1.0, |c| c.a),
            bar(p.coverage.map(|c| c.a)),
            p.coverage.map_or(-1.0, |c| c.b),
            bar(p.coverage.map(|c| c.b)),
            p.scores.cosine.unwrap_or(-1.0),
            doppel::score::Shown(p.scores.cosine),
            p.scores.jaccard,
            p.scores.jaccard,
            p.passages.len(),
            p.passages.len()
        );
    }
    h.push_str("</tbody></table>\n");
    documents(report, h);
    h.push_str("</section>\n");
}

/// A share as a number and a small bar.
/// A share as a bar and a percentage; "—" where it was not computed.
fn bar(x: Option<f64>) -> String {
    match x {
        Some(x) => format!(
            "<span class=\"bar\"><span style=\"width:{:.1}%\"></span></span> {}",
            (x * 100.0).clamp(0.0, 100.0),
            pct(x)
        ),
        None => "—".into(),
    }
}

fn documents(report: &Report, h: &mut String) {
    let _ = writeln!(
        h,
        "<details class=\"docs\"><summary>Documents ({})</summary><table><thead><tr>\
         <th>id</th><th>bytes</th><th>characters</th><th>words</th><th>sentences</th><th>hides</th></tr></thead><tbody>",
        report.documents.len()
    );
    for d in &report.documents {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&d.id),
            d.bytes,
            d.chars,
            d.words,
            d.sentences,
            d.disguise_note().map_or_else(|| "—".into(), |n| escape(&n))
        );
    }
    h.push_str("</tbody></table></details>\n");
}

fn text_of<'r>(report: &'r Report, id: &str) -> Option<&'r str> {
    report
        .documents
        .iter()
        .find(|d| d.id == id)
        .and_then(|d| d.text.as_deref())
}

/// The texts the page's script draws the pairs from, each document's held
/// once however many pairs show it (thirty copies of one file made every
/// pair repeat both texts).
#[derive(Default)]
struct Texts<'r> {
    all: Vec<std::borrow::Cow<'r, str>>,
    by_id: ahash::AHashMap<&'r str, usize>,
}

impl<'r> Texts<'r> {
    /// The index of document `id`'s text, added on first use.
    fn document(&mut self, id: &'r str, text: &'r str) -> usize {
        let next = self.all.len();
        let k = *self.by_id.entry(id).or_insert(next);
        if k == next {
            self.all.push(text.into());
        }
        k
    }

    /// A text made of the excerpts of one side of a pair (for a report
    /// without the documents' texts), and where each excerpt starts in it.
    fn excerpts(&mut self, p: &PairReport, b: bool) -> (usize, Vec<usize>) {
        let mut text = String::new();
        let mut starts = Vec::with_capacity(p.passages.len());
        for s in &p.passages {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            starts.push(text.len());
            text.push_str(if b { &s.b.text } else { &s.a.text });
        }
        self.all.push(text.into());
        (self.all.len() - 1, starts)
    }

    fn get(&self, k: usize) -> &str {
        &self.all[k]
    }
}

/// Byte offsets of a text as UTF-16 code units, which is how the page's
/// script indexes strings.
struct Utf16 {
    /// Per byte, the code units before the character holding it; `None`
    /// for ASCII text, where the two agree.
    table: Option<Vec<u32>>,
}

impl Utf16 {
    fn new(text: &str) -> Utf16 {
        if text.is_ascii() {
            return Utf16 { table: None };
        }
        let mut table = vec![0u32; text.len() + 1];
        let mut units = 0u32;
        for (i, c) in text.char_indices() {
            table[i..i + c.len_utf8()].fill(units);
            units += c.len_utf16() as u32;
        }
        table[text.len()] = units;
        Utf16 { table: Some(table) }
    }

    fn at(&self, byte: usize) -> u32 {
        match &self.table {
            None => byte as u32,
            Some(t) => t[byte.min(t.len() - 1)],
        }
    }
}

/// Where each passage of one side is drawn in that side's text: in text
/// order, `(passage, start, end, exact)`. The aligner never lets two
/// passages share a sentence; should a report say otherwise, the later
/// passage starts where the earlier one ends, so the marks stay flat and
/// every passage keeps its anchor. `exact`: the passage is drawn whole and
/// its text is the excerpt its word differences were computed on.
fn layout(text: &str, spans: &[Span], excerpts: &[&str]) -> Vec<(usize, usize, usize, bool)> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&k| (spans[k].start, spans[k].end, k));
    let mut out = Vec::with_capacity(spans.len());
    let mut pos = 0;
    for k in order {
        let span = spans[k];
        let start = span.start.max(pos).min(text.len());
        let end = span.end.max(start).min(text.len());
        let (Some(_), Some(inner)) = (text.get(pos..start), text.get(start..end)) else {
            continue;
        };
        let exact = start == span.start && end == span.end && inner == excerpts[k];
        out.push((k, start, end, exact));
        pos = end;
    }
    out
}

/// Pieces as the script's JSON: `[start, end, tag]`, or with the side
/// first, `[side, start, end, tag]`; offsets moved by `base` bytes (per
/// side) and given in UTF-16 units.
fn pieces_json(
    pieces: &[Piece],
    base: [usize; 2],
    units: [&Utf16; 2],
    with_side: bool,
    out: &mut String,
) {
    out.push('[');
    for (n, p) in pieces.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let side = usize::from(p.b);
        let (start, end) = (
            units[side].at(base[side] + p.start),
            units[side].at(base[side] + p.end),
        );
        if with_side {
            let _ = write!(out, "[{side},{start},{end},{}]", p.tag as u8);
        } else {
            let _ = write!(out, "[{start},{end},{}]", p.tag as u8);
        }
    }
    out.push(']');
}

/// JSON inside a `<script>` element: no `<` may end it early.
fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
}

fn pair<'r>(
    i: usize,
    p: &'r PairReport,
    ab: [Option<&'r str>; 2],
    texts: &mut Texts<'r>,
    h: &mut String,
) {
    let _ = write!(
        h,
        "<section class=\"pair\" id=\"pair-{i}\">\n<h2><span class=\"num\">{}</span> \
         <span class=\"verdict {}\">{}</span> {} <span class=\"arrow\">↔</span> {}</h2>\n\
         <p class=\"metrics\">{} passage{} · cosine {:.3} · Jaccard {:.3} (estimate {:.3}) · \
         containment {:.3} / {:.3}</p>\n",
        i + 1,
        verdict_class(p),
        p.verdict.name(),
        escape(&p.a),
        escape(&p.b),
        p.passages.len(),
        plural(p.passages.len()),
        doppel::score::Shown(p.scores.cosine),
        p.scores.jaccard,
        p.scores.jaccard_est,
        p.scores.containment_a,
        p.scores.containment_b
    );
    let diffs: Vec<(Marked, Marked)> = p.passages.iter().map(diff_passage).collect();
    // Each side's text, and the byte where each passage's excerpt starts in
    // it; without the documents' texts (a report built elsewhere), a text
    // of the excerpts alone.
    let (sides, starts, excerpt_only) = match ab {
        [Some(ta), Some(tb)] => {
            let starts = |b: bool| -> Vec<usize> {
                p.passages
                    .iter()
                    .map(|s| if b { s.b.byte_start } else { s.a.byte_start })
                    .collect()
            };
            (
                [texts.document(&p.a, ta), texts.document(&p.b, tb)],
                [starts(false), starts(true)],
                false,
            )
        }
        _ => {
            let (ka, sa) = texts.excerpts(p, false);
            let (kb, sb) = texts.excerpts(p, true);
            ([ka, kb], [sa, sb], true)
        }
    };
    let _ = write!(
        h,
        "<div class=\"cols{}\">\n<div class=\"doc\">",
        if excerpt_only { " excerpts" } else { "" }
    );
    column_head('a', &p.a, p.coverage.map(|c| c.a), h);
    h.push_str("<div class=\"text\" data-side=\"a\"></div></div>\n<div class=\"doc\">");
    column_head('b', &p.b, p.coverage.map(|c| c.b), h);
    h.push_str("<div class=\"text\" data-side=\"b\"></div></div>\n</div>\n");
    h.push_str("<div class=\"below\">");
    if let Some(map) = &p.sentence_map {
        heat_map(i, p, map, h);
    }
    if !p.passages.is_empty() {
        passage_table(p, h);
    }
    h.push_str("</div>\n");

    // What the script draws: where each passage goes on each side, and its
    // pieces (plain, struck, underlined), as ranges of the texts.
    let text = [texts.get(sides[0]), texts.get(sides[1])];
    let units = [Utf16::new(text[0]), Utf16::new(text[1])];
    let units = [&units[0], &units[1]];
    let mut json = format!("{{\"i\":{i},\"a\":{},\"b\":{}", sides[0], sides[1]);
    let mut fits = [vec![false; p.passages.len()], vec![false; p.passages.len()]];
    for (side, key) in ["la", "lb"].into_iter().enumerate() {
        let excerpts: Vec<&str> = p
            .passages
            .iter()
            .map(|s| {
                if side == 1 {
                    s.b.text.as_str()
                } else {
                    s.a.text.as_str()
                }
            })
            .collect();
        let spans: Vec<Span> = starts[side]
            .iter()
            .zip(&excerpts)
            .map(|(&start, e)| Span::new(start, start + e.len()))
            .collect();
        for (k, span) in spans.iter().enumerate() {
            fits[side][k] = text[side].get(span.start..span.end) == Some(excerpts[k]);
        }
        let _ = write!(json, ",\"{key}\":[");
        for (n, (k, start, end, exact)) in layout(text[side], &spans, &excerpts)
            .into_iter()
            .enumerate()
        {
            let _ = write!(
                json,
                "{}[{k},{},{},{}]",
                if n > 0 { "," } else { "" },
                units[side].at(start),
                units[side].at(end),
                u8::from(exact)
            );
        }
        json.push(']');
    }
    json.push_str(",\"p\":[");
    for (k, (s, (ma, mb))) in p.passages.iter().zip(&diffs).enumerate() {
        let base = [starts[0][k], starts[1][k]];
        let title = format!(
            "passage {} · {} · score {:.2} · A lines {}–{} ↔ B lines {}–{}",
            k + 1,
            s.kind.name(),
            s.score,
            s.a.line_start,
            s.a.line_end,
            s.b.line_start,
            s.b.line_end
        );
        let _ = write!(
            json,
            "{}{{\"kind\":\"{}\",\"h\":{},\"t\":{},\"pa\":",
            if k > 0 { "," } else { "" },
            s.kind.name(),
            hue(k),
            serde_json::Value::from(title)
        );
        let none: &[Piece] = &[];
        let pa = fits[0][k].then(|| marked_pieces(ma, false, Tag::Del));
        pieces_json(pa.as_deref().unwrap_or(none), base, units, false, &mut json);
        json.push_str(",\"pb\":");
        let pb = fits[1][k].then(|| marked_pieces(mb, true, Tag::Ins));
        pieces_json(pb.as_deref().unwrap_or(none), base, units, false, &mut json);
        json.push_str(",\"u\":");
        let u = if fits[0][k] && fits[1][k] {
            unified_pieces(ma, mb)
        } else if fits[1][k] {
            vec![Piece::new(true, 0, mb.text.len(), Tag::Plain)]
        } else {
            Vec::new()
        };
        pieces_json(&u, base, units, true, &mut json);
        json.push('}');
    }
    json.push_str("]}");
    let _ = writeln!(
        h,
        "<script type=\"application/json\" class=\"pair-data\">{}</script>\n</section>",
        script_json(&json)
    );
}

fn column_head(side: char, id: &str, coverage: Option<f64>, h: &mut String) {
    let _ = write!(
        h,
        "<div class=\"head\"><span class=\"side\">{}</span> <span class=\"id\">{}</span>\
         <span class=\"cov\">{} in passages</span></div>",
        side.to_ascii_uppercase(),
        escape(id),
        bar(coverage)
    );
}

/// The passages' table; the script fills each row's unified line.
fn passage_table(p: &PairReport, h: &mut String) {
    let _ = writeln!(
        h,
        "<details class=\"diffs\" open><summary>Word differences, passage by passage ({})</summary>\
         <table><thead><tr><th>#</th><th>kind</th><th>score</th><th>A lines</th><th>B lines</th>\
         <th>B, with A's dropped words struck through and B's inserted words underlined</th></tr></thead><tbody>",
        p.passages.len()
    );
    for (k, s) in p.passages.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td><span class=\"n\" style=\"--h:{}\">{}</span></td><td>{}</td>\
             <td>{:.2}</td><td>{}–{}</td><td>{}–{}</td><td class=\"u\" data-k=\"{k}\"></td></tr>",
            hue(k),
            k + 1,
            s.kind.name(),
            s.score,
            s.a.line_start,
            s.a.line_end,
            s.b.line_start,
            s.b.line_end
        );
    }
    h.push_str("</tbody></table></details>\n");
}

fn heat_map(i: usize, p: &PairReport, map: &SentenceMap, h: &mut String) {
    let (na, nb, pool) = (map.rows, map.cols, map.pool);
    let (rows, cols) = map.cells.dim();
    if rows == 0 || cols == 0 || pool == 0 {
        return;
    }
    let cell = (MAP_PIXELS / rows.max(cols)).clamp(2, 16);
    let (left, top) = (44, 34);
    let (width, height) = (left + cols * cell + 8, top + rows * cell + 8);
    let _ = write!(
        h,
        "<figure class=\"map\"><figcaption>Sentence similarity: {na} sentences of A (rows) × {nb} of B (columns){}; \
         outlined: passages (click one to see it in B). A rewrite shows as a band along the diagonal. \
         <span class=\"ramp\"></span> cosine 0 → 1</figcaption>\n\
         <svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" \
         aria-label=\"sentence similarity heat map\">\n\
         <text x=\"{}\" y=\"12\" class=\"axis\">B sentences →</text>\
         <text x=\"10\" y=\"{}\" class=\"axis\" text-anchor=\"middle\" transform=\"rotate(90 10 {})\">A sentences →</text>\n\
         <rect x=\"{left}\" y=\"{top}\" width=\"{}\" height=\"{}\" class=\"bg\"/>\n",
        if pool > 1 {
            format!(", each cell the largest of {pool}×{pool}")
        } else {
            String::new()
        },
        left,
        top + rows * cell / 2,
        top + rows * cell / 2,
        cols * cell,
        rows * cell,
    );
    // Ticks every 10 sentences (or pooled equivalent).
    let step = 10usize.div_ceil(pool).max(1) * pool;
    for s in (0..nb).step_by(step) {
        let _ = write!(
            h,
            "<text x=\"{}\" y=\"{}\" class=\"tick\">{}</text>",
            left + s / pool * cell,
            top - 4,
            s + 1
        );
    }
    for s in (0..na).step_by(step) {
        let _ = write!(
            h,
            "<text x=\"{}\" y=\"{}\" class=\"tick\" text-anchor=\"end\">{}</text>",
            left - 3,
            top + s / pool * cell + cell.min(9),
            s + 1
        );
    }
    // The cells, drawn by the script when the pair is: each cell's
    // similarity in hundredths, two hex digits, row by row.
    let mut values = String::with_capacity(rows * cols * 2);
    for v in &map.cells {
        let _ = write!(values, "{:02x}", (v.clamp(0.0, 1.0) * 100.0).round() as u8);
    }
    let _ = writeln!(
        h,
        "\n<g class=\"cells\" data-cols=\"{cols}\" data-cell=\"{cell}\" data-x=\"{left}\" \
         data-y=\"{top}\" data-pool=\"{pool}\" data-v=\"{values}\"></g>"
    );
    for (k, (ra, rb)) in map.passages.iter().enumerate() {
        if ra.is_empty() || rb.is_empty() || ra.end > na || rb.end > nb {
            continue;
        }
        let (x0, x1) = (rb.start / pool, rb.end.div_ceil(pool));
        let (y0, y1) = (ra.start / pool, ra.end.div_ceil(pool));
        let _ = writeln!(
            h,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"outline\" style=\"--h:{}\" \
             data-target=\"p{i}-b{k}\"><title>passage {}: A sentences {}–{}, B sentences {}–{} ({})</title></rect>",
            left + x0 * cell,
            top + y0 * cell,
            (x1 - x0) * cell,
            (y1 - y0) * cell,
            hue(k),
            k + 1,
            ra.start + 1,
            ra.end,
            rb.start + 1,
            rb.end,
            p.passages.get(k).map_or("", |s| s.kind.name())
        );
    }
    h.push_str("</svg></figure>\n");
}

const CSS: &str = r#"
:root{--ink:#1d2330;--muted:#5b6475;--line:#d9dee7;--paper:#fff;--bg:#f4f6f9;--del:#a61b1b;--ins:#0f6b34}
*{box-sizing:border-box}
body{margin:0;padding:18px 24px 40px;background:var(--bg);color:var(--ink);font:15px/1.5 "Liberation Sans","DejaVu Sans",Arial,Helvetica,system-ui,sans-serif}
header{display:flex;align-items:baseline;gap:16px;flex-wrap:wrap}
h1{font-size:22px;margin:0}
h2{font-size:17px;margin:0 0 6px}
.sub{margin:0;color:var(--muted)}
.legend{display:flex;flex-wrap:wrap;gap:8px 22px;margin:10px 0 14px;padding:8px 12px;background:var(--paper);border:1px solid var(--line);border-radius:6px;font-size:13px;color:var(--muted)}
.legend .lg{display:inline-flex;align-items:center;gap:6px}
.docs{margin-top:8px}
.docs table{margin-top:4px}
.summary,.pair{background:var(--paper);border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin:0 0 14px}
table{border-collapse:collapse;font-size:13.5px}
th,td{padding:4px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600}
table.pairs th{cursor:pointer;user-select:none}
table.pairs td:nth-child(n+4){white-space:nowrap}
.bar{display:inline-block;width:54px;height:8px;background:#e6e9ef;border-radius:4px;vertical-align:middle;overflow:hidden}
.bar>span{display:block;height:100%;background:#d9480f}
.verdict{display:inline-block;padding:0 7px;border-radius:10px;font-size:12.5px;font-weight:600;background:#e9ecef;color:#343a40}
.verdict.duplicate{background:#c92a2a;color:#fff}
.verdict.near-duplicate{background:#e8590c;color:#fff}
.verdict.derivative{background:#f59f00;color:#1d2330}
.pair h2 .num{color:var(--muted)}
.pair h2 .arrow{color:var(--muted);padding:0 4px}
.metrics{margin:0 0 10px;color:var(--muted);font-size:13.5px}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.doc{min-width:0;border:1px solid var(--line);border-radius:6px;overflow:hidden}
.doc .head{display:flex;gap:10px;align-items:center;padding:6px 10px;background:#eef1f6;border-bottom:1px solid var(--line);font-size:13.5px}
.doc .side{font-weight:700;background:var(--ink);color:#fff;border-radius:4px;padding:0 6px}
.doc .id{font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.doc .cov{margin-left:auto;color:var(--muted);white-space:nowrap}
.doc .text{position:relative;white-space:pre-wrap;overflow-wrap:anywhere;max-height:78vh;overflow:auto;padding:10px 14px;font:16px/1.62 "Liberation Serif","DejaVu Serif",Georgia,serif}
.pair:not([data-drawn]) .cols .text{min-height:40vh}
mark.psg{background:hsl(var(--h) 85% 88%);color:inherit;border-radius:3px;cursor:pointer;-webkit-box-decoration-break:clone;box-decoration-break:clone;scroll-margin:40px}
mark.psg::before{content:attr(data-n);display:inline-block;font:700 10.5px/1.45 "Liberation Sans","DejaVu Sans",sans-serif;color:#fff;background:hsl(var(--h) 55% 38%);border-radius:8px;padding:0 5px;margin-right:4px;vertical-align:2px}
mark.psg.hot,mark.psg:hover{background:hsl(var(--h) 90% 78%)}
mark.psg.flash{animation:flash 1.6s ease-out}
@keyframes flash{0%{box-shadow:0 0 0 4px hsl(var(--h) 70% 45%)}100%{box-shadow:0 0 0 4px transparent}}
mark.psg.verbatim::before{content:attr(data-n) " ="}
mark.psg.near-verbatim::before{content:attr(data-n) " \2248"}
mark.demo{cursor:default}
del{color:var(--del);text-decoration:line-through;text-decoration-color:rgba(166,27,27,.45)}
ins{color:var(--ins);text-decoration:underline;text-decoration-color:rgba(15,107,52,.5);text-underline-offset:3px}
.n{display:inline-block;min-width:20px;text-align:center;font-weight:700;font-size:11px;color:#fff;background:hsl(var(--h) 55% 38%);border-radius:8px}
.map{margin:0;max-width:640px}
.map figcaption{font-size:13px;color:var(--muted);margin-bottom:6px}
.ramp{display:inline-block;width:90px;height:9px;vertical-align:middle;border:1px solid var(--line);background:linear-gradient(90deg,hsl(215 70% 97%),hsl(215 70% 25%))}
svg .axis{font:12px "Liberation Sans","DejaVu Sans",sans-serif;fill:var(--muted)}
svg .tick{font:10px "Liberation Sans","DejaVu Sans",sans-serif;fill:var(--muted)}
svg .bg{fill:hsl(215 70% 97%);stroke:var(--line)}
svg .outline{fill:none;stroke:hsl(var(--h) 60% 40%);stroke-width:2;cursor:pointer;pointer-events:all}
svg .outline:hover{stroke-width:3.5}
.below{display:grid;grid-template-columns:auto minmax(0,1fr);gap:18px;align-items:start;margin-top:14px}
.diffs{margin-top:0}
.diffs table{margin-top:6px}
.diffs summary,.docs summary{cursor:pointer;color:var(--muted);font-weight:600}
.diffs td.u{font:14.5px/1.5 "Liberation Serif","DejaVu Serif",Georgia,serif}
.q1{fill:hsl(215 70% 93%)}.q2{fill:hsl(215 70% 90%)}.q3{fill:hsl(215 70% 87%)}.q4{fill:hsl(215 70% 83%)}
.q5{fill:hsl(215 70% 79%)}.q6{fill:hsl(215 70% 75%)}.q7{fill:hsl(215 70% 71%)}.q8{fill:hsl(215 70% 67%)}
.q9{fill:hsl(215 70% 63%)}.q10{fill:hsl(215 70% 59%)}.q11{fill:hsl(215 70% 55%)}.q12{fill:hsl(215 70% 51%)}
.q13{fill:hsl(215 70% 47%)}.q14{fill:hsl(215 70% 43%)}.q15{fill:hsl(215 70% 39%)}.q16{fill:hsl(215 70% 35%)}
.q17{fill:hsl(215 70% 31%)}.q18{fill:hsl(215 70% 28%)}.q19{fill:hsl(215 70% 25%)}
@media (max-width:900px){.cols,.below{grid-template-columns:1fr}}
"#;

/// Draws each pair's texts when its section comes near the view (from
/// the page's one copy of each text and the pair's ranges), links each
/// passage to its counterpart (click: scroll it into view; hover: light it
/// up) and sorts the summary table. `data-linked` records that a passage
/// was wired, so a test of the rendered page can count them. With
/// `#selftest` in the address, every pair is drawn, every passage is
/// clicked in turn and the page records on `<body>` how many counterparts
/// ended up visible.
///
/// Text goes into the page only as text nodes (`createTextNode`,
/// `textContent`): a document holding markup shows it, never runs it.
const SCRIPT: &str = r#"
(function () {
  'use strict';
  var selftest = location.hash === '#selftest';
  var store = document.getElementById('doppel-texts');
  var texts = store ? JSON.parse(store.textContent) : [];
  var TAGS = [null, 'del', 'ins'];
  function append(box, tag, s) {
    if (!s) return;
    if (!tag) { box.appendChild(document.createTextNode(s)); return; }
    var x = document.createElement(tag);
    x.textContent = s;
    box.appendChild(x);
  }
  function mark(i, k, side, q) {
    var m = document.createElement('mark');
    m.className = 'psg ' + q.kind;
    m.id = 'p' + i + '-' + side + k;
    m.setAttribute('data-side', side);
    m.setAttribute('data-target', 'p' + i + '-' + (side === 'a' ? 'b' : 'a') + k);
    m.setAttribute('data-n', k + 1);
    m.setAttribute('style', '--h:' + q.h);
    m.title = q.t;
    return m;
  }
  function fill(sec) {
    if (sec.hasAttribute('data-drawn')) return;
    var data = sec.querySelector('script.pair-data');
    if (!data) return;
    sec.setAttribute('data-drawn', '');
    var d = JSON.parse(data.textContent);
    ['a', 'b'].forEach(function (side) {
      var box = sec.querySelector('.text[data-side="' + side + '"]');
      var t = texts[d[side]], pos = 0, frag = document.createDocumentFragment();
      d['l' + side].forEach(function (l) {
        var q = d.p[l[0]], m = mark(d.i, l[0], side, q);
        append(frag, null, t.slice(pos, l[1]));
        if (l[3]) q['p' + side].forEach(function (p) { append(m, TAGS[p[2]], t.slice(p[0], p[1])); });
        else append(m, null, t.slice(l[1], l[2]));
        frag.appendChild(m);
        pos = l[2];
      });
      append(frag, null, t.slice(pos));
      box.appendChild(frag);
    });
    sec.querySelectorAll('g.cells').forEach(cells);
    sec.querySelectorAll('td.u').forEach(function (td) {
      d.p[+td.getAttribute('data-k')].u.forEach(function (p) {
        if (p[3] === 3) append(td, null, ' ');
        else append(td, TAGS[p[3]], texts[p[0] ? d.b : d.a].slice(p[1], p[2]));
      });
    });
    wire(sec);
  }
  // Heat-map cells: white at 0, deep blue at 1, in 20 steps (a class each).
  var SVG = 'http://www.w3.org/2000/svg';
  function cells(g) {
    var v = g.getAttribute('data-v'), cols = +g.getAttribute('data-cols');
    var size = +g.getAttribute('data-cell'), x0 = +g.getAttribute('data-x');
    var y0 = +g.getAttribute('data-y'), pool = +g.getAttribute('data-pool');
    var frag = document.createDocumentFragment();
    for (var n = 0; 2 * n < v.length; n++) {
      var x = parseInt(v.substr(2 * n, 2), 16) / 100, q = Math.round(x * 19);
      if (!q) continue;
      var row = Math.floor(n / cols), col = n % cols;
      var r = document.createElementNS(SVG, 'rect');
      r.setAttribute('x', x0 + col * size);
      r.setAttribute('y', y0 + row * size);
      r.setAttribute('width', size);
      r.setAttribute('height', size);
      r.setAttribute('class', 'q' + q);
      if (pool === 1) {
        var t = document.createElementNS(SVG, 'title');
        t.textContent = 'A ' + (row + 1) + ' × B ' + (col + 1) + ': ' + x.toFixed(2);
        r.appendChild(t);
      }
      frag.appendChild(r);
    }
    g.appendChild(frag);
  }
  function reveal(t) {
    t.scrollIntoView({behavior: selftest ? 'auto' : 'smooth', block: 'center', inline: 'nearest'});
    t.classList.remove('flash');
    void t.offsetWidth;
    t.classList.add('flash');
  }
  var links = [];
  function wire(root) {
    root.querySelectorAll('[data-target]').forEach(function (el) {
      if (el.hasAttribute('data-linked')) return;
      el.setAttribute('data-linked', el.getAttribute('data-side') || 'map');
      function target() {
        var sec = el.closest('section.pair');
        if (sec) fill(sec);
        return document.getElementById(el.getAttribute('data-target'));
      }
      el.addEventListener('click', function (ev) { ev.preventDefault(); var t = target(); if (t) reveal(t); });
      el.addEventListener('mouseenter', function () { var t = target(); if (t) t.classList.add('hot'); });
      el.addEventListener('mouseleave', function () { var t = target(); if (t) t.classList.remove('hot'); });
      if (el.tagName === 'MARK') links.push(el);
    });
  }
  wire(document);
  var sections = document.querySelectorAll('section.pair');
  if (selftest || !('IntersectionObserver' in window)) {
    sections.forEach(fill);
  } else {
    // The pairs in and near the first view are drawn at once; the others
    // as they come near it.
    var near = 1500;
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { seen.unobserve(e.target); fill(e.target); }
      });
    }, {rootMargin: near + 'px 0px'});
    // A link to one pair (#pair-N) draws it before the page scrolls there.
    var asked = /^#pair-\d+$/.test(location.hash) && document.getElementById(location.hash.slice(1));
    if (asked) fill(asked);
    sections.forEach(function (s) {
      if (s.getBoundingClientRect().top < innerHeight + near) fill(s);
      else seen.observe(s);
    });
  }
  document.querySelectorAll('table.pairs th').forEach(function (th) {
    th.addEventListener('click', function () {
      var body = th.closest('table').tBodies[0];
      var col = th.cellIndex, num = th.getAttribute('data-key') === 'num';
      var dir = th.getAttribute('data-dir') === 'asc' ? -1 : 1;
      th.setAttribute('data-dir', dir === 1 ? 'asc' : 'desc');
      var key = function (r) { var c = r.cells[col]; return c.getAttribute('data-v') || c.textContent; };
      Array.prototype.slice.call(body.rows).sort(function (x, y) {
        var a = key(x), b = key(y);
        return dir * (num ? parseFloat(a) - parseFloat(b) : a.localeCompare(b));
      }).forEach(function (r) { body.appendChild(r); });
    });
  });
  if (!selftest) return;
  var shown = 0, missed = [];
  links.forEach(function (el) {
    var t = document.getElementById(el.getAttribute('data-target'));
    if (!t) { missed.push(el.getAttribute('data-target')); return; }
    var box = t.closest('.text');
    // Start from a view where the counterpart is out of sight: its column
    // and the page scrolled to the far end from it.
    if (box) box.scrollTop = t.offsetTop < box.clientHeight ? box.scrollHeight : 0;
    var y = t.getBoundingClientRect().top + window.scrollY;
    window.scrollTo(0, y < innerHeight ? document.documentElement.scrollHeight : 0);
    el.click();
    var r = t.getBoundingClientRect();
    var b = box ? box.getBoundingClientRect() : {top: 0, bottom: innerHeight};
    if (r.bottom > Math.max(b.top, 0) && r.top < Math.min(b.bottom, innerHeight)) shown++;
    else missed.push(t.id);
  });
  document.body.setAttribute('data-selftest', shown + '/' + links.length);
  document.body.setAttribute('data-selftest-missed', missed.join(' '));
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Length of a longest common subsequence, by the textbook table.
    fn lcs_len(a: &[u8], b: &[u8]) -> usize {
        let mut t = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in 0..a.len() {
            for j in 0..b.len() {
                t[i + 1][j + 1] = if a[i] == b[j] {
                    t[i][j] + 1
                } else {
                    t[i][j + 1].max(t[i + 1][j])
                };
            }
        }
        t[a.len()][b.len()]
    }

    /// The kept elements of both sides, in order.
    fn kept<T: Clone>(x: &[T], k: &[bool]) -> Vec<T> {
        x.iter()
            .zip(k)
            .filter(|(_, k)| **k)
            .map(|(x, _)| x.clone())
            .collect()
    }

    proptest! {
        #[test]
        fn word_diff_keeps_a_longest_common_subsequence(
            a in proptest::collection::vec(0u8..5, 0..40),
            b in proptest::collection::vec(0u8..5, 0..40),
        ) {
            let (ka, kb) = word_diff(&a, &b);
            prop_assert_eq!(ka.len(), a.len());
            prop_assert_eq!(kb.len(), b.len());
            let (sa, sb) = (kept(&a, &ka), kept(&b, &kb));
            prop_assert_eq!(&sa, &sb);
            prop_assert_eq!(sa.len(), lcs_len(&a, &b));
        }
    }

    #[test]
    fn word_diff_finds_a_substitution() {
        let a = [
            "national",
            "defence",
            "force",
            "for",
            "deterrence",
            "purposes",
        ];
        let b = ["defense", "system", "for", "discouragement", "purposes"];
        let (ka, kb) = word_diff(&a, &b);
        assert_eq!(ka, [false, false, false, true, false, true]);
        assert_eq!(kb, [false, false, true, false, true]);
    }

    #[test]
    fn word_diff_gives_up_on_the_middle_past_the_edit_budget() {
        // Disjoint middles need 2n edits; common ends are still matched.
        let n = MAX_DIFF_EDITS;
        let mut a = vec![0u32; 1];
        a.extend((0..n as u32).map(|x| x + 10));
        a.push(1);
        let mut b = vec![0u32; 1];
        b.extend((0..n as u32).map(|x| x + 10 + n as u32));
        b.push(1);
        let (ka, kb) = word_diff(&a, &b);
        assert!(ka[0] && kb[0] && ka[n + 1] && kb[n + 1]);
        assert_eq!(ka.iter().filter(|k| **k).count(), 2);
        // A long copy with a few edits is still diffed exactly.
        let long: Vec<u32> = (0..20_000).collect();
        let mut edited = long.clone();
        edited[5_000] = 99_999;
        edited.remove(12_000);
        let (ka, kb) = word_diff(&long, &edited);
        assert_eq!(ka.iter().filter(|k| !**k).count(), 2);
        assert_eq!(kb.iter().filter(|k| !**k).count(), 1);
    }

    #[test]
    fn escape_neutralises_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    /// Pieces drawn as the page's script draws them, tags written out.
    fn draw(pieces: &[Piece], a: &str, b: &str) -> String {
        let mut out = String::new();
        for p in pieces {
            let text = if p.b {
                &b[p.start..p.end]
            } else {
                &a[p.start..p.end]
            };
            match p.tag {
                Tag::Plain => out.push_str(text),
                Tag::Del => out.push_str(&format!("<del>{text}</del>")),
                Tag::Ins => out.push_str(&format!("<ins>{text}</ins>")),
                Tag::Space => out.push(' '),
            }
        }
        out
    }

    #[test]
    fn unified_diff_shows_substitution_in_place() {
        let a_text = "World War I shows what happens if deterrence is decoupled from assurance.";
        let b_text = "World War I shows what happens if discouragement purposes is decoupled from assurance.";
        let (a, b) = diff_texts(a_text, b_text);
        assert_eq!(
            draw(&unified_pieces(&a, &b), a_text, b_text),
            "World War I shows what happens if <del>deterrence</del> \
             <ins>discouragement purposes</ins> is decoupled from assurance."
        );
        assert_eq!(
            draw(&marked_pieces(&a, false, Tag::Del), a_text, b_text),
            "World War I shows what happens if <del>deterrence</del> is decoupled from assurance."
        );
        let side = draw(&marked_pieces(&b, true, Tag::Ins), a_text, b_text);
        assert!(side.contains("if <ins>discouragement purposes</ins> is"));
    }

    #[test]
    fn unified_diff_keeps_every_word_of_both_sides() {
        let a_text = "One two three, four five. Six!";
        let b_text = "Zero one three four <five> seven six";
        let (a, b) = diff_texts(a_text, b_text);
        let pieces = unified_pieces(&a, &b);
        let u = draw(&pieces, a_text, b_text);
        // Dropped words appear struck through, B's words all appear.
        assert!(u.contains("<del>two</del>"), "{u}");
        assert!(u.contains("<ins>Zero</ins>"), "{u}");
        assert!(u.contains("<five>"), "{u}");
        // B's pieces cover B's excerpt exactly once, in order.
        let b_only: String = pieces
            .iter()
            .filter(|p| p.b)
            .map(|p| &b_text[p.start..p.end])
            .collect();
        assert_eq!(b_only, b_text);
        let plain = u
            .replace("<del>", "")
            .replace("</del>", "")
            .replace("<ins>", "")
            .replace("</ins>", "");
        for w in [
            "Zero", "one", "two", "three", "four", "five", "seven", "six",
        ] {
            assert!(plain.contains(w), "{w} missing from {u}");
        }
    }

    #[test]
    fn marked_pieces_cover_the_excerpt_in_order() {
        let a_text = "Ünïcode — «quoted» words, then more words.";
        let b_text = "Unicode «quoted» words, and then more.";
        let (a, b) = diff_texts(a_text, b_text);
        for (m, side, tag, text) in [(&a, false, Tag::Del, a_text), (&b, true, Tag::Ins, b_text)] {
            let pieces = marked_pieces(m, side, tag);
            let joined: String = pieces.iter().map(|p| &text[p.start..p.end]).collect();
            assert_eq!(joined, text);
            assert!(pieces.iter().any(|p| p.tag == tag));
        }
    }

    #[test]
    fn utf16_offsets_are_what_a_script_indexes() {
        let text = "a€𝄞b\u{301}c";
        let units = Utf16::new(text);
        for (byte, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(
                units.at(byte) as usize,
                text[..byte].encode_utf16().count(),
                "byte {byte}"
            );
        }
        let ascii = Utf16::new("plain");
        assert_eq!(ascii.at(3), 3);
    }

    #[test]
    fn hues_of_neighbouring_passages_differ() {
        for k in 0..50 {
            let d = (hue(k) as i32 - hue(k + 1) as i32).rem_euclid(360);
            assert!((40..=320).contains(&d), "{k}: {d}");
        }
    }
}
