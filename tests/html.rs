//! The HTML report without a browser: escaping of hostile documents,
//! word differences on the seeds, self-containment, determinism, the
//! heat map of `compare`, and the fallback to excerpts when a report lacks
//! the texts. `tests/browser.rs` checks the rendered page in Chromium.

use assert_cmd::Command;
use doppel::config::Config;
use doppel::corpus::{self, Document, LoadOptions};
use doppel::pipeline;
use doppel_report::html;
use doppel_report::{self as report, Format, Report};
use serde_json::Value;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const S000: &str = "seeds/000_51955296cd91fa83.txt";
const S001: &str = "seeds/001_8e21ef8ac6e0b3df.txt";

fn doppel() -> Command {
    let mut c = Command::cargo_bin("doppel").expect("the doppel binary is built");
    c.current_dir(ROOT);
    c
}

/// Run the binary; return (exit code, stdout).
fn run(args: &[&str]) -> (i32, String) {
    let out = doppel().args(args).output().expect("doppel runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "the binary panicked:\n{stderr}"
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
    )
}

fn seeds_report() -> Report {
    let loaded = corpus::load(&[Path::new(ROOT).join("seeds")], &LoadOptions::default())
        .expect("seeds load");
    let cfg = Config::default();
    let scan = pipeline::scan(&loaded.documents, &cfg);
    Report::build(&loaded.documents, &scan.stats, &scan.pairs, false, &cfg)
}

fn to_html(report: &Report) -> String {
    let mut out = Vec::new();
    report::render(report, Format::Html, &Default::default(), &mut out).expect("renders");
    String::from_utf8(out).expect("UTF-8")
}

/// The text between `key` and the next `"` after the first `anchor`.
fn value_after<'h>(html: &'h str, anchor: &str, key: &str) -> &'h str {
    let at = html
        .find(anchor)
        .unwrap_or_else(|| panic!("{anchor} missing"));
    let rest = &html[at..];
    let s = rest.find(key).unwrap_or_else(|| panic!("{key} missing")) + key.len();
    &rest[s..s + rest[s..].find('"').expect("value ends")]
}

/// What the page's script draws from: the texts (each held once) and, per
/// pair shown, where its passages go and their pieces.
fn page_data(html: &str) -> (Vec<String>, Vec<Value>) {
    let inside = |open: &str| -> Vec<Value> {
        html.match_indices(open)
            .map(|(at, _)| {
                let start = at + open.len();
                let end = start + html[start..].find("</script>").expect("script ends");
                serde_json::from_str(&html[start..end]).expect("the page's data is JSON")
            })
            .collect()
    };
    let texts = inside("<script type=\"application/json\" id=\"doppel-texts\">");
    assert_eq!(texts.len(), 1, "one store of texts");
    let texts = serde_json::from_value(texts[0].clone()).expect("texts are strings");
    (
        texts,
        inside("<script type=\"application/json\" class=\"pair-data\">"),
    )
}

/// `text[start..end]` in UTF-16 units, as the page's script slices it.
fn slice16(text: &str, start: u64, end: u64) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    String::from_utf16(&units[start as usize..end as usize]).expect("slice on a boundary")
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// Opening and closing tags of `name` balance, so no document text closed
/// or opened an element.
fn assert_balanced(html: &str, name: &str) {
    let open = count(html, &format!("<{name} ")) + count(html, &format!("<{name}>"));
    let close = count(html, &format!("</{name}>"));
    assert_eq!(open, close, "<{name}> opened {open} times, closed {close}");
}

const HOSTILE: &str = "The committee met on Monday to discuss the new bridge. \
    <script>alert(1)</script> was found in the minutes, next to a stray </div> tag \
    and an <img src=x onerror=\"alert('x')\"> element. \
    Members said \"it's fine\" & voted for the budget after hours of debate. \
    In the end the vote was close and the bridge will be built.";

#[test]
fn hostile_document_renders_as_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Quotes and markup in the file name too: ids reach attributes.
    let a = dir.path().join("a\"<b>'.txt");
    let b = dir.path().join("copy.txt");
    std::fs::write(&a, HOSTILE).expect("write a");
    std::fs::write(
        &b,
        HOSTILE
            .replace("Monday", "Tuesday")
            .replace("budget", "plan"),
    )
    .expect("write b");
    let (code, html) = run(&[
        "compare",
        a.to_str().expect("UTF-8 path"),
        b.to_str().expect("UTF-8 path"),
        "--format",
        "html",
    ]);
    assert_eq!(code, 0, "the copy is flagged");
    // The document's markup never reaches the page as markup: the texts
    // are JSON with `<` escaped (the script draws them as text nodes; see
    // tests/browser.rs), and ids are escaped where they are shown.
    assert!(
        !html.contains("<script>alert"),
        "raw <script> in the output"
    );
    assert!(!html.contains("<img"), "raw <img> in the output");
    assert!(
        html.contains("a&quot;&lt;b&gt;&#39;.txt"),
        "escaped file name"
    );
    // Each document's text is held once: two documents, two copies of the
    // hostile sentence, however many places draw it.
    assert_eq!(count(&html, "\\u003cscript>alert(1)\\u003c/script>"), 2);
    let (texts, pairs) = page_data(&html);
    assert_eq!(texts.len(), 2);
    assert_eq!(pairs.len(), 1);
    // Exactly our own script runs; the other script elements are data.
    assert_eq!(count(&html, "<script>"), 1);
    assert_eq!(count(&html, "<script type=\"application/json\""), 2);
    for tag in ["div", "section", "table", "td", "svg", "script"] {
        assert_balanced(&html, tag);
    }
}

#[test]
fn excerpt_only_report_escapes_and_links_too() {
    let a = Document::new("a <i>", HOSTILE);
    let b = Document::new("b", HOSTILE.replace("Monday", "Friday"));
    let cfg = Config::default();
    let (features, pair) = pipeline::compare(&a, &b, &cfg);
    let mut report = Report::build(&[a, b], &features, &[pair], true, &cfg);
    // A report built without the texts (say, from an index that keeps
    // excerpts only) shows the passages as excerpts.
    for d in &mut report.documents {
        d.text = None;
    }
    let n = report.pairs[0].passages.len();
    assert!(n >= 1);
    let html = to_html(&report);
    assert!(html.contains("cols excerpts"));
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("a &lt;i&gt;"));
    // The script draws each passage whole, from a text of the excerpts.
    let (texts, pairs) = page_data(&html);
    for (side, key) in [("a", "la"), ("b", "lb")] {
        let text = &texts[pairs[0][side].as_u64().unwrap() as usize];
        let layout = pairs[0][key].as_array().unwrap();
        assert_eq!(layout.len(), n, "side {side}");
        for l in layout {
            let k = l[0].as_u64().unwrap() as usize;
            assert_eq!(l[3], 1, "passage {k} of {side} drawn whole");
            let p = &report.pairs[0].passages[k];
            let excerpt = if side == "a" { &p.a.text } else { &p.b.text };
            assert_eq!(
                slice16(text, l[1].as_u64().unwrap(), l[2].as_u64().unwrap()),
                excerpt.as_str()
            );
        }
    }
    assert_balanced(&html, "div");
}

/// Every passage of the seeds' pair is drawn whole on both sides, from the
/// documents' texts held once; its pieces cover it, struck and underlined
/// words included (tests/browser.rs checks the drawn page).
#[test]
fn seeds_report_places_every_passage_on_both_sides() {
    let report = seeds_report();
    let html = to_html(&report);
    let (texts, pairs) = page_data(&html);
    assert_eq!(pairs.len(), report.pairs.len());
    let ids: std::collections::BTreeSet<&str> = report
        .pairs
        .iter()
        .flat_map(|p| [p.a.as_str(), p.b.as_str()])
        .collect();
    assert_eq!(texts.len(), ids.len(), "each document's text once");
    let mut total = 0;
    for (i, (p, data)) in report.pairs.iter().zip(&pairs).enumerate() {
        assert_eq!(data["i"], i);
        for (side, key, pieces) in [("a", "la", "pa"), ("b", "lb", "pb")] {
            let text = &texts[data[side].as_u64().unwrap() as usize];
            let layout = data[key].as_array().unwrap();
            assert_eq!(layout.len(), p.passages.len());
            for l in layout {
                let k = l[0].as_u64().unwrap() as usize;
                let excerpt = if side == "a" {
                    &p.passages[k].a.text
                } else {
                    &p.passages[k].b.text
                };
                assert_eq!(l[3], 1);
                let (start, end) = (l[1].as_u64().unwrap(), l[2].as_u64().unwrap());
                assert_eq!(slice16(text, start, end), excerpt.as_str());
                // The pieces, in order, are the passage again.
                let joined: String = data["p"][k][pieces]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|q| slice16(text, q[0].as_u64().unwrap(), q[1].as_u64().unwrap()))
                    .collect();
                assert_eq!(joined, excerpt.as_str());
            }
        }
        total += p.passages.len();
    }
    assert!(total >= 1, "the seeds pair has its passages");
}

#[test]
fn report_is_self_contained() {
    let html = to_html(&seeds_report());
    assert!(html.starts_with("<!DOCTYPE html>"));
    for needle in [" src=", "<link", "@import", "url(", "<iframe", "<object"] {
        assert!(!html.contains(needle), "{needle} would fetch something");
    }
    for (k, _) in html.match_indices("href=\"") {
        assert!(
            html[k + 6..].starts_with('#'),
            "a link leaves the page: {}",
            &html[k..(k + 60).min(html.len())]
        );
    }
    assert!(html.len() < 1_000_000, "{} bytes", html.len());
}

#[test]
fn same_bytes_whatever_the_thread_count() {
    let (c1, one) = run(&["scan", "seeds/", "--format", "html", "-j", "1"]);
    let (c2, two) = run(&["scan", "seeds/", "--format", "html", "-j", "2"]);
    assert_eq!((c1, c2), (0, 0));
    assert!(one == two, "HTML differs between -j 1 and -j 2");
}

#[test]
fn html_extension_selects_the_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out: PathBuf = dir.path().join("r.HTML");
    let (code, stdout) = run(&["scan", "seeds/", "-o", out.to_str().expect("UTF-8")]);
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    let html = std::fs::read_to_string(&out).expect("report written");
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
}

#[test]
fn compare_draws_the_similarity_matrix_with_passages_outlined() {
    let (code, json) = run(&["compare", S000, S001, "--format", "json"]);
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&json).expect("JSON");
    let (code, html) = run(&["compare", S000, S001, "--format", "html"]);
    assert_eq!(code, 0);
    let sentences = |k: usize| json["documents"][k]["sentences"].as_u64().expect("count");
    let caption = format!(
        "{} sentences of A (rows) × {} of B (columns)",
        sentences(0),
        sentences(1)
    );
    assert!(html.contains(&caption), "caption {caption} missing");
    let passages = json["pairs"][0]["passages"]
        .as_array()
        .expect("passages")
        .len();
    assert_eq!(count(&html, "class=\"outline\""), passages);
    // Each outline leads to its passage in B, in the passage's colour.
    let (_, pairs) = page_data(&html);
    let drawn = pairs[0]["p"].as_array().expect("passages drawn");
    assert_eq!(drawn.len(), passages);
    for (k, q) in drawn.iter().enumerate() {
        let hue = &q["h"];
        let outline = format!("class=\"outline\" style=\"--h:{hue}\" data-target=\"p0-b{k}\"");
        assert!(html.contains(&outline), "{outline} missing");
    }
    // A rewrite is a band along the diagonal: the outlines go down and to
    // the right, mostly.
    let mut corners: Vec<(usize, usize)> = Vec::new();
    for (k, _) in html.match_indices("class=\"outline\"") {
        let tag_start = html[..k].rfind("<rect").expect("rect");
        let tag = &html[tag_start..k];
        let attr = |name: &str| -> usize {
            value_after(tag, "<rect", &format!(" {name}=\""))
                .parse()
                .expect("number")
        };
        corners.push((attr("x"), attr("y")));
    }
    corners.sort();
    let rising = corners.windows(2).filter(|w| w[1].1 >= w[0].1).count();
    assert!(
        rising * 10 >= (corners.len() - 1) * 8,
        "outlines do not follow the diagonal: {corners:?}"
    );
}

#[test]
fn empty_report_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("x.txt"), "Nothing to compare here at all.").expect("write");
    std::fs::write(
        dir.path().join("y.txt"),
        "Cats sleep most of the afternoon.",
    )
    .expect("write");
    let (code, html) = run(&[
        "scan",
        dir.path().to_str().expect("UTF-8"),
        "--format",
        "html",
    ]);
    assert_eq!(code, 1);
    assert!(html.contains("No pair was flagged."));
    assert!(!html.contains("<section class=\"pair\""));
}

/// Many copies of one document: the page shows the first
/// `html::DEFAULT_MAX_PAIRS` pairs side by side (or `--max-html-pairs`)
/// and says how many it left out; the table still lists every pair, the
/// JSON holds them all, and each document's text is in the page once.
#[test]
fn a_page_of_many_pairs_shows_the_first_and_says_what_it_left_out() {
    let d = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(Path::new(ROOT).join(S000)).unwrap();
    for k in 0..22 {
        std::fs::write(d.path().join(format!("copy{k:02}.txt")), &text).unwrap();
    }
    let dir = d.path().display().to_string();
    let (code, page) = run(&["scan", &dir, "--format", "html"]);
    assert_eq!(code, 0);
    let pairs = 22 * 21 / 2;
    assert!(pairs > html::DEFAULT_MAX_PAIRS);
    assert_eq!(
        page.matches("<section class=\"pair\"").count(),
        html::DEFAULT_MAX_PAIRS
    );
    assert!(
        page.contains(&format!(
            "The first {} of {pairs} pairs are shown side by side ({} left out;",
            html::DEFAULT_MAX_PAIRS,
            pairs - html::DEFAULT_MAX_PAIRS
        )),
        "no note of what was left out"
    );
    // The table lists them all, linking only to the pairs on the page.
    assert_eq!(page.matches("<tr><td data-v=").count(), pairs);
    assert_eq!(
        page.matches("<a href=\"#pair-").count(),
        html::DEFAULT_MAX_PAIRS
    );
    let (_, json) = run(&["scan", &dir, "--format", "json"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["pairs"].as_array().unwrap().len(), pairs);
    // 22 documents, 200 pairs shown: each text once.
    let (texts, _) = page_data(&page);
    assert_eq!(texts.len(), 22);
    assert!(texts.iter().all(|t| *t == text));
    assert!(
        page.len() < 22 * text.len() + 200 * 40_000,
        "{} bytes",
        page.len()
    );
    let (code, few) = run(&["scan", &dir, "--format", "html", "--max-html-pairs", "5"]);
    assert_eq!(code, 0);
    assert_eq!(few.matches("<section class=\"pair\"").count(), 5);
    assert!(few.contains(&format!(
        "The first 5 of {pairs} pairs are shown side by side"
    )));
    let shown: std::collections::BTreeSet<&str> = json["pairs"].as_array().unwrap()[..5]
        .iter()
        .flat_map(|p| [p["a"].as_str().unwrap(), p["b"].as_str().unwrap()])
        .collect();
    assert_eq!(
        page_data(&few).0.len(),
        shown.len(),
        "texts of the shown pairs only"
    );
}
