//! Command-line tests of the `doppel` binary: exit statuses, messages,
//! report contents (text, Markdown, JSON), output files, bad inputs.
//!
//! Every test runs the built binary with the crate root as its working
//! directory, so `seeds/` resolves. The seeds: 000 is an article, 001 a spun
//! rewrite of it, 002–004 other articles on the same topic.

use serde_json::Value;
use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::Path;

use crate::common::bin;
use bin::*;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn pairs(report: &Value) -> &Vec<Value> {
    report["pairs"].as_array().expect("\"pairs\" is an array")
}

fn doc_ids(report: &Value) -> Vec<String> {
    report["documents"]
        .as_array()
        .expect("\"documents\" is an array")
        .iter()
        .map(|d| d["id"].as_str().expect("string id").to_string())
        .collect()
}

fn pair_ids(pair: &Value) -> (String, String) {
    (
        pair["a"].as_str().unwrap().to_string(),
        pair["b"].as_str().unwrap().to_string(),
    )
}

fn same_pair(pair: &Value, x: &str, y: &str) -> bool {
    let (a, b) = pair_ids(pair);
    (a == x && b == y) || (a == y && b == x)
}

fn is_flagged(pair: &Value) -> bool {
    pair["verdict"].as_str().unwrap() != "unrelated"
}

fn unit(v: &Value, what: &str) -> f64 {
    let x = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"));
    assert!(
        (0.0..=1.0 + 1e-9).contains(&x),
        "{what} = {x} is not in [0, 1]"
    );
    x
}

fn usize_of(v: &Value, field: &str) -> usize {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} is not an unsigned integer in {v}")) as usize
}

/// Check one side of a passage against the original document: the byte
/// range and the char range both slice out `text`, and the lines are those
/// of the first and last byte.
fn check_excerpt(e: &Value, original: &str, what: &str) {
    let bytes = original.as_bytes();
    let (bs, be) = (usize_of(e, "byte_start"), usize_of(e, "byte_end"));
    let (cs, ce) = (usize_of(e, "char_start"), usize_of(e, "char_end"));
    let (ls, le) = (usize_of(e, "line_start"), usize_of(e, "line_end"));
    let text = e["text"].as_str().expect("excerpt text");
    assert!(bs < be && be <= bytes.len(), "{what}: bad byte range {e}");
    assert!(!text.is_empty(), "{what}: empty passage");
    assert_eq!(
        &bytes[bs..be],
        text.as_bytes(),
        "{what}: bytes [{bs}, {be}) differ from text"
    );
    let by_chars: String = original.chars().skip(cs).take(ce - cs).collect();
    assert_eq!(
        by_chars, text,
        "{what}: chars [{cs}, {ce}) differ from text"
    );
    assert_eq!(
        original[..bs].chars().count(),
        cs,
        "{what}: char_start does not match byte_start"
    );
    let newlines = |upto: usize| bytes[..upto].iter().filter(|&&b| b == b'\n').count();
    assert_eq!(ls, newlines(bs) + 1, "{what}: line_start");
    assert_eq!(le, newlines((be - 1).max(bs)) + 1, "{what}: line_end");
}

/// Check the invariants of a whole JSON report against the original texts
/// (looked up by document id).
fn check_report(report: &Value, original: impl Fn(&str) -> String) {
    for d in report["documents"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        let text = original(id);
        assert_eq!(usize_of(d, "bytes"), text.len(), "bytes of {id}");
        assert_eq!(usize_of(d, "chars"), text.chars().count(), "chars of {id}");
        let _ = usize_of(d, "words");
        let _ = usize_of(d, "sentences");
    }
    for pair in pairs(report) {
        let (a, b) = pair_ids(pair);
        assert_ne!(a, b, "a pair of a document with itself");
        let verdict = pair["verdict"].as_str().unwrap();
        assert!(
            ["duplicate", "near-duplicate", "derivative", "unrelated"].contains(&verdict),
            "unknown verdict {verdict}"
        );
        for k in [
            "jaccard_est",
            "jaccard",
            "containment_a",
            "containment_b",
            "cosine",
        ] {
            unit(&pair["scores"][k], k);
        }
        unit(&pair["coverage"]["a"], "coverage.a");
        unit(&pair["coverage"]["b"], "coverage.b");
        let (ta, tb) = (original(&a), original(&b));
        let passages = pair["passages"].as_array().unwrap();
        let mut last_b = 0;
        for (k, s) in passages.iter().enumerate() {
            check_excerpt(&s["a"], &ta, &format!("{a}↔{b} passage {k} side a"));
            check_excerpt(&s["b"], &tb, &format!("{a}↔{b} passage {k} side b"));
            unit(&s["score"], "passage score");
            let kind = s["kind"].as_str().unwrap();
            assert!(
                ["verbatim", "near-verbatim", "paraphrase"].contains(&kind),
                "unknown passage kind {kind}"
            );
            let bs = usize_of(&s["b"], "byte_start");
            assert!(bs >= last_b, "passages are not in the order of B");
            last_b = bs;
        }
    }
}

/// A deterministic text of `n` varied pseudo-words in sentences of 8–14
/// words. Its words never contain the letters x, y, z or q.
fn varied_words(n: usize, seed: u64) -> Vec<String> {
    const ONSETS: &[&str] = &[
        "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "br", "st", "tr", "gl",
    ];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou"];
    const CODAS: &[&str] = &["", "n", "r", "l", "s", "m", "nd", "rt"];
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    let mut next = |m: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % m as u64) as usize
    };
    (0..n)
        .map(|_| {
            let syllables = 1 + next(3);
            (0..syllables)
                .map(|_| {
                    format!(
                        "{}{}{}",
                        ONSETS[next(ONSETS.len())],
                        VOWELS[next(VOWELS.len())],
                        CODAS[next(CODAS.len())]
                    )
                })
                .collect::<String>()
        })
        .collect()
}

/// Join words into sentences: a capital after each full stop.
fn sentences_of(words: &[String]) -> String {
    let mut out = String::new();
    let mut start = true;
    for (i, w) in words.iter().enumerate() {
        if !out.is_empty() {
            out.push(' ');
        }
        if start {
            let mut c = w.chars();
            let first = c.next().unwrap().to_ascii_uppercase();
            out.push(first);
            out.push_str(c.as_str());
        } else {
            out.push_str(w);
        }
        start = i % 11 == 10;
        if start || i + 1 == words.len() {
            out.push('.');
        }
    }
    out.push('\n');
    out
}

/// Two short documents on unrelated subjects.
fn write_unrelated(dir: &Path) {
    std::fs::write(
        dir.join("fox.txt"),
        "The quick brown fox jumped over the lazy dog beside the river bank. \
         Later the fox slept in a hollow under an old oak tree.\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("chips.txt"),
        "Quarterly earnings rose sharply as semiconductor demand outpaced supply. \
         Analysts expect chip prices to stay high until new factories open.\n",
    )
    .unwrap();
}

// ---------------------------------------------------------------------------
// The seed corpus
// ---------------------------------------------------------------------------

#[test]
fn scan_seeds_json_flags_exactly_the_derivative_pair_with_true_offsets() {
    let r = run(&["scan", "seeds/", "--format", "json"]);
    assert_eq!(
        r.code, 0,
        "a flagged pair means exit 0; stderr:\n{}",
        r.stderr
    );
    assert!(r.stderr.is_empty(), "no warnings expected: {}", r.stderr);
    let report = r.json();
    assert_eq!(doc_ids(&report), [S000, S001, S002, S003, S004]);
    let ps = pairs(&report);
    assert_eq!(ps.len(), 1, "exactly one flagged pair: {ps:#?}");
    let pair = &ps[0];
    assert!(same_pair(pair, S000, S001), "wrong pair: {pair}");
    assert_eq!(pair["verdict"], "derivative");
    let passages = pair["passages"].as_array().unwrap();
    assert!(
        !passages.is_empty() && passages.len() <= 3,
        "a rewrite of the whole article is one passage or a few, got {}",
        passages.len()
    );
    // A rewrite covers most of both texts, yet shares few exact shingles.
    assert!(unit(&pair["coverage"]["a"], "coverage a") >= 0.6);
    assert!(unit(&pair["coverage"]["b"], "coverage b") >= 0.6);
    assert!(unit(&pair["scores"]["jaccard"], "jaccard") < 0.5);
    check_report(&report, seed_text);
}

#[test]
fn scan_seeds_all_adds_only_unrelated_candidate_pairs() {
    let r = run(&["scan", "seeds/", "--all", "--format", "json"]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let report = r.json();
    let ps = pairs(&report);
    assert!(ps.len() > 1, "--all reports the unrelated candidates too");
    let flagged: Vec<&Value> = ps.iter().filter(|p| is_flagged(p)).collect();
    assert_eq!(flagged.len(), 1, "only one flagged pair: {flagged:#?}");
    assert!(same_pair(flagged[0], S000, S001));
    assert_eq!(flagged[0]["verdict"], "derivative");
    assert!(is_flagged(&ps[0]), "flagged pairs are listed first");
    for pair in ps.iter().filter(|p| !same_pair(p, S000, S001)) {
        assert_eq!(pair["verdict"], "unrelated", "{pair}");
    }
    // No pair twice, in either order.
    let mut seen = BTreeSet::new();
    for pair in ps {
        let (a, b) = pair_ids(pair);
        let key = if a < b { (a, b) } else { (b, a) };
        assert!(seen.insert(key.clone()), "pair {key:?} reported twice");
    }
    check_report(&report, seed_text);
}

#[test]
fn scan_seeds_text_and_markdown_reports() {
    let r = run(&["scan", "seeds/"]);
    assert_eq!(r.code, 0);
    let first = r.stdout.lines().next().unwrap();
    assert_eq!(first, "5 documents, 1 flagged pair");
    assert!(
        r.stdout.contains(&format!("derivative {S000} ↔ {S001}"))
            || r.stdout.contains(&format!("derivative {S001} ↔ {S000}")),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("unrelated"), "{}", r.stdout);

    let r = run(&["scan", "seeds/", "--format", "markdown"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("# doppel report\n"), "{}", r.stdout);
    assert!(r.stdout.contains("## Documents"));
    assert!(r.stdout.contains("| derivative |"), "{}", r.stdout);
    // Ids are Markdown-escaped in tables.
    assert!(r.stdout.contains("000\\_51955296cd91fa83.txt"));
}

#[test]
fn compare_derivative_pair_exits_0() {
    let r = run(&["compare", &seed(S000), &seed(S001)]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(r.stdout.starts_with("2 documents, 1 flagged pair"));
    assert!(r.stdout.contains("derivative"), "{}", r.stdout);

    let r = run(&["compare", &seed(S000), &seed(S001), "--format", "json"]);
    assert_eq!(r.code, 0);
    let report = r.json();
    assert_eq!(pairs(&report).len(), 1);
    assert_eq!(pairs(&report)[0]["verdict"], "derivative");
    assert_eq!(
        pair_ids(&pairs(&report)[0]),
        (seed(S000), seed(S001)),
        "compare keeps the order of its arguments, ids are the paths given"
    );
    check_report(&report, |id| seed_text(id.trim_start_matches("seeds/")));
}

#[test]
fn compare_unrelated_pair_exits_1_and_still_reports_it() {
    let r = run(&["compare", &seed(S002), &seed(S003)]);
    assert_eq!(
        r.code, 1,
        "no flagged pair means exit 1; stderr:\n{}",
        r.stderr
    );
    assert!(r.stdout.starts_with("2 documents, 0 flagged pairs"));
    assert!(r.stdout.contains("unrelated"), "{}", r.stdout);
    assert!(!r.stdout.contains("derivative"));

    let r = run(&["compare", &seed(S002), &seed(S003), "--format", "json"]);
    assert_eq!(r.code, 1);
    let report = r.json();
    assert_eq!(pairs(&report).len(), 1, "compare always reports its pair");
    assert_eq!(pairs(&report)[0]["verdict"], "unrelated");
}

#[test]
fn compare_needs_exactly_one_document_per_side() {
    let r = run(&["compare", "seeds", &seed(S000)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("seeds") && r.stderr.contains("5 documents"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

// ---------------------------------------------------------------------------
// Verdicts on generated documents
// ---------------------------------------------------------------------------

#[test]
fn scan_of_two_unrelated_short_docs_exits_1() {
    let d = tmp();
    write_unrelated(d.path());
    let r = run(&["scan", &p(d.path())]);
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("0 flagged pairs"), "{}", r.stdout);
    assert!(r.stdout.starts_with("2 documents"), "{}", r.stdout);

    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(r.code, 1);
    let report = r.json();
    assert_eq!(doc_ids(&report), ["chips.txt", "fox.txt"]);
    assert!(pairs(&report).is_empty());

    let r = run(&["scan", &p(d.path()), "--format", "markdown"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("No pair was flagged."), "{}", r.stdout);
}

#[test]
fn identical_documents_are_duplicates() {
    let d = tmp();
    let text = sentences_of(&varied_words(300, 7));
    std::fs::write(d.path().join("one.txt"), &text).unwrap();
    std::fs::write(d.path().join("two.txt"), &text).unwrap();
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let report = r.json();
    let ps = pairs(&report);
    assert_eq!(ps.len(), 1);
    assert!(same_pair(&ps[0], "one.txt", "two.txt"));
    assert_eq!(ps[0]["verdict"], "duplicate");
    assert_eq!(ps[0]["scores"]["jaccard"].as_f64(), Some(1.0));
    assert!(unit(&ps[0]["coverage"]["a"], "coverage") > 0.99);
    check_report(&report, |id| {
        std::fs::read_to_string(d.path().join(id)).unwrap()
    });
}

#[test]
fn a_few_words_changed_is_still_a_near_or_full_duplicate() {
    let d = tmp();
    let words = varied_words(300, 42);
    let mut edited = words.clone();
    // The generator never produces x, y, z or q: these are real changes.
    edited[40] = "xylophone".into();
    edited[150] = "quagmire".into();
    edited[260] = "zeppelin".into();
    let (ta, tb) = (sentences_of(&words), sentences_of(&edited));
    assert_ne!(ta, tb);
    std::fs::write(d.path().join("orig.txt"), &ta).unwrap();
    std::fs::write(d.path().join("edit.txt"), &tb).unwrap();
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let report = r.json();
    let ps = pairs(&report);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    let verdict = ps[0]["verdict"].as_str().unwrap();
    assert!(
        verdict == "duplicate" || verdict == "near-duplicate",
        "3 words changed in 300 gave {verdict}"
    );
    let j = unit(&ps[0]["scores"]["jaccard"], "jaccard");
    assert!(j > 0.5 && j < 1.0, "jaccard {j}");
    check_report(&report, |id| {
        std::fs::read_to_string(d.path().join(id)).unwrap()
    });

    // The same through `compare`, in both formats.
    let (a, b) = (p(&d.path().join("orig.txt")), p(&d.path().join("edit.txt")));
    let r = run(&["compare", &a, &b]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains(&format!("{verdict} ")), "{}", r.stdout);
}

#[test]
fn passages_ending_in_a_multibyte_character_are_reported() {
    // A sentence may end in a non-ASCII character: a closing typographic
    // quote after its full stop, or a word such as "café" at the very end.
    let d = tmp();
    let text = "The council met on Tuesday to discuss the new harbour bridge. \
        “We will finish the foundations before winter arrives and the roads close,” \
        the engineer said. “Nobody expected the budget to hold this long.” \
        Residents gathered outside the hall until late in the evening. \
        Afterwards most of them walked across the square to the little café";
    std::fs::write(d.path().join("a.txt"), text).unwrap();
    std::fs::write(d.path().join("b.txt"), text).unwrap();
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let report = r.json();
    assert_eq!(pairs(&report).len(), 1);
    assert_eq!(pairs(&report)[0]["verdict"], "duplicate");
    check_report(&report, |_| text.to_string());
}

// ---------------------------------------------------------------------------
// Output files
// ---------------------------------------------------------------------------

#[test]
fn output_file_is_complete_json_and_leaves_no_temporary_file() {
    let d = tmp();
    let out = d.path().join("report.json");
    std::fs::write(&out, "stale content that must be replaced").unwrap();
    let r = run(&["scan", "seeds/", "-o", &p(&out)]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(
        r.stdout.is_empty(),
        "with -o, stdout stays empty: {}",
        r.stdout
    );
    assert_eq!(listing(d.path()), ["report.json"], "temporary file left");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap())
        .expect("the output file is JSON");
    assert_eq!(pairs(&report).len(), 1);
    assert!(same_pair(&pairs(&report)[0], S000, S001));
    check_report(&report, seed_text);
}

#[test]
fn several_outputs_each_take_the_format_of_their_extension() {
    let d = tmp();
    let (md, json, txt, other) = (
        d.path().join("r.md"),
        d.path().join("r.json"),
        d.path().join("r.txt"),
        d.path().join("r.report"),
    );
    let r = run(&[
        "scan",
        "seeds/",
        "--format",
        "json",
        "--color",
        "always",
        "-o",
        &p(&md),
        "--output",
        &p(&json),
        "-o",
        &p(&txt),
        "-o",
        &p(&other),
    ]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert_eq!(
        listing(d.path()),
        ["r.json", "r.md", "r.report", "r.txt"],
        "exactly the outputs asked for, no temporary file"
    );
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.starts_with("# doppel report\n"), "{md}");
    assert!(md.contains("| derivative |"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(pairs(&json)[0]["verdict"], "derivative");
    let txt = std::fs::read_to_string(&txt).unwrap();
    assert!(txt.starts_with("5 documents, 1 flagged pair\n"), "{txt}");
    assert!(!txt.contains('\x1b'), "files never get colour: {txt:?}");
    // No known extension: the --format given.
    let other: Value = serde_json::from_str(&std::fs::read_to_string(&other).unwrap())
        .expect("an unknown extension falls back to --format json");
    assert_eq!(other, json);
}

#[test]
fn output_into_a_missing_directory_fails_before_any_work() {
    let d = tmp();
    let out = d.path().join("no-such-dir").join("out.json");
    // The input is missing too: if inputs were read before the output was
    // opened, an error about the input would show up.
    let missing_input = d.path().join("missing-input.txt");
    let r = run(&["scan", &p(&missing_input), "-o", &p(&out)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&p(&out)),
        "the message names the output path: {}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("missing-input.txt"),
        "inputs were read before the output was checked: {}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    assert!(
        listing(d.path()).is_empty(),
        "left behind: {:?}",
        listing(d.path())
    );
}

#[test]
fn output_onto_a_directory_is_refused() {
    let d = tmp();
    let r = run(&["scan", "seeds/", "-o", &p(d.path())]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&p(d.path())) && r.stderr.contains("is a directory"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    assert!(listing(d.path()).is_empty());
}

#[test]
fn a_failed_run_leaves_no_output_file_behind() {
    let d = tmp();
    let out = d.path().join("out.json");
    let missing = d.path().join("gone.txt");
    let r = run(&["compare", &seed(S000), &p(&missing), "-o", &p(&out)]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(&p(&missing)), "{}", r.stderr);
    assert!(
        listing(d.path()).is_empty(),
        "left behind: {:?}",
        listing(d.path())
    );
}

// ---------------------------------------------------------------------------
// Bad inputs
// ---------------------------------------------------------------------------

#[test]
fn empty_documents_warn_and_never_crash() {
    let d = tmp();
    write_unrelated(d.path());
    std::fs::write(d.path().join("empty.txt"), "").unwrap();
    std::fs::write(d.path().join("blank.txt"), "  \n\t\n").unwrap();
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(r.code, 1, "nothing flagged; stderr:\n{}", r.stderr);
    for name in ["empty.txt", "blank.txt"] {
        assert!(
            r.stderr
                .lines()
                .any(|l| l.contains("warning") && l.contains(name) && l.contains("empty")),
            "no warning naming {name}: {}",
            r.stderr
        );
    }
    let report = r.json();
    assert_eq!(
        doc_ids(&report),
        ["blank.txt", "chips.txt", "empty.txt", "fox.txt"],
        "empty documents are kept and listed"
    );
    let empty = &report["documents"][2];
    assert_eq!(
        (empty["bytes"].as_u64(), empty["words"].as_u64()),
        (Some(0), Some(0))
    );

    // Alongside a real pair, the pair is still flagged.
    std::fs::write(d.path().join("s0.txt"), seed_text(S000)).unwrap();
    std::fs::write(d.path().join("s1.txt"), seed_text(S001)).unwrap();
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(same_pair(&pairs(&r.json())[0], "s0.txt", "s1.txt"));

    // Two empty documents compared: unrelated, exit 1.
    let (e, b) = (d.path().join("empty.txt"), d.path().join("blank.txt"));
    let r = run(&["compare", &p(&e), &p(&b), "--format", "json"]);
    assert_eq!(r.code, 1, "stderr:\n{}", r.stderr);
    assert_eq!(pairs(&r.json())[0]["verdict"], "unrelated");
}

#[test]
fn strict_mode_reports_an_empty_document_as_such() {
    let d = tmp();
    write_unrelated(d.path());
    let empty = d.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let r = run(&["scan", &p(d.path()), "--strict"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains(&p(&empty)) && r.stderr.contains("empty document"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("invalid configuration"),
        "an empty input is not a configuration problem: {}",
        r.stderr
    );
}

#[test]
fn binary_file_is_skipped_with_a_warning_and_fails_under_strict() {
    let d = tmp();
    std::fs::write(d.path().join("s0.txt"), seed_text(S000)).unwrap();
    std::fs::write(d.path().join("s1.txt"), seed_text(S001)).unwrap();
    let bin = d.path().join("image.bin");
    std::fs::write(&bin, b"GIF89a\x01\x00\x00\x00binary junk\xff\xfe").unwrap();
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(
        r.code, 0,
        "a skipped file is no error; stderr:\n{}",
        r.stderr
    );
    assert!(
        r.stderr
            .lines()
            .any(|l| l.contains("warning") && l.contains(&p(&bin)) && l.contains("binary")),
        "{}",
        r.stderr
    );
    let report = r.json();
    assert_eq!(doc_ids(&report), ["s0.txt", "s1.txt"]);
    assert_eq!(pairs(&report).len(), 1);

    // --quiet silences the warning, not the result.
    let r = run(&["scan", &p(d.path()), "--quiet"]);
    assert_eq!(r.code, 0);
    assert!(r.stderr.is_empty(), "{}", r.stderr);

    let r = run(&["scan", &p(d.path()), "--strict"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&p(&bin)) && r.stderr.contains("binary"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "--strict stops the run: {}", r.stdout);
}

#[test]
fn text_that_is_not_utf8_is_read_as_windows_1252_with_a_warning_naming_it() {
    let d = tmp();
    write_unrelated(d.path());
    let latin = d.path().join("latin1.txt");
    std::fs::write(&latin, b"Un caf\xe9 cr\xe8me, s'il vous pla\xeet.\n").unwrap();
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(r.code, 1, "stderr:\n{}", r.stderr);
    assert!(
        r.stderr
            .lines()
            .any(|l| l.contains("warning") && l.contains(&p(&latin)) && l.contains("UTF-8")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("offset 6"), "{}", r.stderr);
    assert!(r.stderr.contains("read as windows-1252"), "{}", r.stderr);
    assert_eq!(doc_ids(&r.json()), ["chips.txt", "fox.txt", "latin1.txt"]);

    let r = run(&["scan", &p(d.path()), "--strict"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(&p(&latin)), "{}", r.stderr);

    let r = run(&["scan", &p(d.path()), "--encoding", "no-such-thing"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--encoding") && r.stderr.contains("no-such-thing"),
        "{}",
        r.stderr
    );
}

#[test]
fn missing_path_is_an_error_but_the_other_inputs_are_still_scanned() {
    let d = tmp();
    let missing = d.path().join("nothing-here.txt");
    let r = run(&["scan", "seeds/", &p(&missing), "--format", "json"]);
    assert_eq!(r.code, 2, "an unreadable input means exit 2");
    assert!(
        r.stderr
            .lines()
            .any(|l| l.contains("error") && l.contains(&p(&missing))),
        "{}",
        r.stderr
    );
    let report = r.json();
    assert_eq!(report["documents"].as_array().unwrap().len(), 5);
    assert_eq!(pairs(&report).len(), 1);
    assert!(same_pair(&pairs(&report)[0], S000, S001));

    // Errors are not warnings: --quiet keeps them.
    let r = run(&["scan", "seeds/", &p(&missing), "--quiet"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(&p(&missing)), "{}", r.stderr);
}

#[test]
fn strict_errors_state_their_cause_once() {
    let d = tmp();
    let missing = d.path().join("nothing-here.txt");
    let r = run(&["scan", &p(&missing), "--strict"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(&p(&missing)), "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("No such file or directory").count(),
        1,
        "the cause is repeated: {}",
        r.stderr
    );

    let jsonl = d.path().join("bad.jsonl");
    std::fs::write(&jsonl, "{\"id\": \"a\", \"text\": \"fine\"}\n{broken\n").unwrap();
    let r = run(&["scan", "--jsonl", &p(&jsonl), "--strict"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad.jsonl:2"), "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("key must be a string").count(),
        1,
        "the cause is repeated: {}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_an_error_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let d = tmp();
    std::fs::write(d.path().join("s0.txt"), seed_text(S000)).unwrap();
    std::fs::write(d.path().join("s1.txt"), seed_text(S001)).unwrap();
    let locked = d.path().join("locked.txt");
    std::fs::write(&locked, "secret words nobody may read").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&locked).is_ok() {
        eprintln!("skipped: mode 000 does not stop this user (root?) from reading");
        return;
    }
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .lines()
            .any(|l| l.contains("error") && l.contains(&p(&locked))),
        "{}",
        r.stderr
    );
    let report = r.json();
    assert_eq!(doc_ids(&report), ["s0.txt", "s1.txt"]);
    assert_eq!(pairs(&report).len(), 1);
}

#[test]
fn malformed_jsonl_lines_are_errors_naming_file_and_line() {
    let d = tmp();
    let f = d.path().join("corpus.jsonl");
    let text = sentences_of(&varied_words(120, 3));
    let good = |id: &str| serde_json::json!({"id": id, "text": text}).to_string();
    std::fs::write(
        &f,
        format!(
            "{}\n{{not json at all\n{}\n{{\"id\": \"c\", \"body\": \"no text field\"}}\n\n{}\n",
            good("a"),
            good("b"),
            serde_json::json!({"id": "d", "text": 17}),
        ),
    )
    .unwrap();
    let r = run(&["scan", "--jsonl", &p(&f), "--format", "json"]);
    assert_eq!(r.code, 2, "stderr:\n{}", r.stderr);
    for line in [2, 4, 6] {
        let at = format!("corpus.jsonl:{line}");
        assert!(
            r.stderr
                .lines()
                .any(|l| l.contains("error") && l.contains(&at)),
            "no error naming {at}: {}",
            r.stderr
        );
    }
    assert!(r.stderr.contains("--text-field"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("corpus.jsonl:5"),
        "blank lines are skipped"
    );
    // The good lines were loaded and compared anyway.
    let report = r.json();
    assert_eq!(doc_ids(&report), ["a", "b"]);
    assert_eq!(pairs(&report)[0]["verdict"], "duplicate");
}

#[test]
fn jsonl_with_custom_fields_keeps_its_ids() {
    let d = tmp();
    let f = d.path().join("docs.jsonl");
    let shared = sentences_of(&varied_words(150, 11));
    let other = sentences_of(&varied_words(150, 12));
    let lines = [
        serde_json::json!({"doc_id": "alpha", "body": shared, "text": "decoy"}),
        serde_json::json!({"doc_id": "beta", "body": shared}),
        serde_json::json!({"doc_id": 42, "body": other}),
    ];
    let content: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&f, &content).unwrap();
    let r = run(&[
        "scan",
        "--jsonl",
        &p(&f),
        "--id-field",
        "doc_id",
        "--text-field",
        "body",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let report = r.json();
    assert_eq!(doc_ids(&report), ["alpha", "beta", "42"]);
    let ps = pairs(&report);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert!(same_pair(&ps[0], "alpha", "beta"));
    assert_eq!(ps[0]["verdict"], "duplicate");
    // Offsets are within the document text, not the JSON line.
    check_report(&report, |id| {
        if id == "42" {
            other.clone()
        } else {
            shared.clone()
        }
    });

    // The same lines on standard input.
    let r = run_cmd(
        doppel()
            .args([
                "scan",
                "-",
                "--jsonl",
                "--id-field",
                "doc_id",
                "--text-field",
                "body",
                "--format",
                "json",
            ])
            .write_stdin(content.clone()),
    );
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert_eq!(doc_ids(&r.json()), ["alpha", "beta", "42"]);
    assert!(same_pair(&pairs(&r.json())[0], "alpha", "beta"));
}

#[test]
fn stdin_jsonl_errors_name_stdin_and_line() {
    let text = sentences_of(&varied_words(80, 5));
    let input = format!(
        "{}\n[1, 2]\n{}\n",
        serde_json::json!({"id": "x", "text": text}),
        serde_json::json!({"id": "y", "text": text}),
    );
    let r = run_cmd(
        doppel()
            .args(["scan", "-", "--jsonl", "--format", "json"])
            .write_stdin(input),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("<stdin>:2"), "{}", r.stderr);
    assert_eq!(doc_ids(&r.json()), ["x", "y"]);
}

#[test]
fn plain_stdin_is_a_document_named_dash() {
    let r = run_cmd(
        doppel()
            .args(["scan", &seed(S000), "-", "--format", "json"])
            .write_stdin(seed_text(S001)),
    );
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let report = r.json();
    assert_eq!(doc_ids(&report), [seed(S000), "-".to_string()]);
    assert!(same_pair(&pairs(&report)[0], &seed(S000), "-"));
    assert_eq!(pairs(&report)[0]["verdict"], "derivative");
    check_report(&report, |id| {
        if id == "-" {
            seed_text(S001)
        } else {
            seed_text(S000)
        }
    });

    let r = run_cmd(
        doppel()
            .args(["compare", "-", &seed(S001)])
            .write_stdin(seed_text(S000)),
    );
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    assert!(r.stdout.contains("derivative - ↔ seeds/"), "{}", r.stdout);
}

// ---------------------------------------------------------------------------
// JSON Lines reports
// ---------------------------------------------------------------------------

/// The objects of a JSON Lines output, one a line.
fn json_lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// A JSON report's pairs in the order of its documents (by A, then B).
fn pairs_in_document_order(report: &Value) -> Vec<Value> {
    let at = |id: &Value| {
        report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .position(|d| &d["id"] == id)
            .unwrap()
    };
    let mut pairs = pairs(report).clone();
    pairs.sort_by_key(|p| (at(&p["a"]), at(&p["b"])));
    pairs
}

/// `scan --format jsonl` writes, pair by pair as they are aligned, the JSON
/// report's pair objects in document order; the same lines whether or not
/// another format is written beside them, with --all and in MinHash mode.
#[test]
fn scan_json_lines_are_the_reports_pairs_in_document_order() {
    let d = tmp();
    for name in [S000, S001, S002, S003, S004] {
        std::fs::write(d.path().join(name), seed_text(name)).unwrap();
    }
    // A light edit of 003 and two copies of 004: four flagged pairs beside
    // 000-001.
    let edited = seed_text(S003).replacen(". ", ". Indeed, ", 3);
    std::fs::write(d.path().join("005_edit.txt"), edited).unwrap();
    std::fs::write(d.path().join("006_copy.txt"), seed_text(S004)).unwrap();
    std::fs::write(d.path().join("007_copy.txt"), seed_text(S004)).unwrap();
    let dir = p(d.path());
    let out = tmp();
    let (json, jsonl) = (out.path().join("r.json"), out.path().join("r.jsonl"));
    for extra in [&[][..], &["--all"][..], &["--minhash-only"][..]] {
        let streamed = run(&[&["scan", &dir, "--format", "jsonl"][..], extra].concat());
        assert!(streamed.code <= 1, "{}", streamed.stderr);
        let lines = json_lines(&streamed.stdout);
        let both = run(&[
            &["scan", &dir, "-o", &p(&json), "-o", &p(&jsonl)][..],
            extra,
        ]
        .concat());
        assert!(both.code <= 1, "{}", both.stderr);
        let report: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        assert_eq!(lines, pairs_in_document_order(&report), "{extra:?}");
        assert_eq!(std::fs::read_to_string(&jsonl).unwrap(), streamed.stdout);
        let flagged = lines.iter().filter(|p| is_flagged(p)).count();
        assert!(flagged >= 4, "{extra:?}: {flagged} flagged");
        if extra == ["--all"] {
            assert!(lines.len() > flagged, "--all adds unrelated candidates");
        } else {
            assert_eq!(lines.len(), flagged, "{extra:?}");
        }
    }
    // The exact cosine search proposes no other pair here.
    let exact = run(&["scan", &dir, "--format", "jsonl", "--exact-neighbours"]);
    let default = run(&["scan", &dir, "--format", "jsonl"]);
    assert_eq!(exact.stdout, default.stdout);
    // One pair compared: its one line is the report's pair, on stdout or
    // in a .jsonl file.
    let one = run(&["compare", &seed(S000), &seed(S001), "--format", "jsonl"]);
    let json = run(&["compare", &seed(S000), &seed(S001), "--format", "json"]);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json_lines(&one.stdout), pairs(&report).clone());
    let file = out.path().join("pair.jsonl");
    let r = run(&["compare", &seed(S000), &seed(S001), "-o", &p(&file)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), one.stdout);
    // A reader that stops after one line: exit 0, nothing said.
    let (code, stderr) = run_into_closed_pipe(&["scan", &dir, "--format", "jsonl", "--all"], 1);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

// ---------------------------------------------------------------------------
// Broken pipe
// ---------------------------------------------------------------------------

/// Run `doppel args` with stdout on a pipe that the reader closes after
/// `lines` lines; return (exit code, stderr).
fn run_into_closed_pipe(args: &[&str], lines: usize) -> (Option<i32>, String) {
    use std::process::{Command as Std, Stdio};
    let mut child = Std::new(env!("CARGO_BIN_EXE_doppel"))
        .current_dir(ROOT)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    {
        let mut reader = std::io::BufReader::new(stdout);
        for _ in 0..lines {
            let mut line = String::new();
            assert!(reader.read_line(&mut line).unwrap() > 0, "no output at all");
        }
    } // The read end closes here.
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_reader_closing_the_pipe_early_is_not_an_error() {
    // Over a megabyte of JSON: far more than a pipe holds, so the writer is
    // sure to meet the closed pipe.
    let d = tmp();
    for i in 0..6 {
        std::fs::write(d.path().join(format!("copy{i}.txt")), seed_text(S004)).unwrap();
    }
    let (code, stderr) = run_into_closed_pipe(&["scan", &p(d.path()), "--format", "json"], 1);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert_eq!(code, Some(0), "stderr: {stderr}");

    // Closed before anything was read.
    let (code, stderr) = run_into_closed_pipe(&["scan", "seeds/"], 0);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(code, Some(0), "stderr: {stderr}");
}

// ---------------------------------------------------------------------------
// Flags, help and configuration
// ---------------------------------------------------------------------------

#[test]
fn help_shows_subcommands_and_defaults() {
    let r = run(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("scan") && r.stdout.contains("compare"));

    for sub in ["scan", "compare"] {
        let r = run(&[sub, "--help"]);
        assert_eq!(r.code, 0);
        let h = &r.stdout;
        for (flag, default) in [
            ("--num-perm", "[default: 128]"),
            ("--shingle-size", "[default: 5]"),
            ("--min-passage-words", "[default: 25]"),
            ("--duplicate", "[default: 0.9]"),
        ]
        .into_iter()
        // compare's format depends on --pairs (text, or jsonl); the LSH
        // threshold acts on scan's candidate search alone.
        .chain((sub == "scan").then_some(("--format", "[default: text]")))
        .chain((sub == "scan").then_some(("--lsh-threshold", "[default: 0.5]")))
        {
            let at = h
                .find(&format!("{flag} "))
                .unwrap_or_else(|| panic!("{sub} --help lacks {flag}:\n{h}"));
            let next_default = h[at..].find("[default:").map(|i| &h[at + i..]);
            assert!(
                next_default.is_some_and(|s| s.starts_with(default)),
                "{sub} --help: {flag} should show {default}:\n{h}"
            );
        }
    }

    let r = run(&["--version"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("doppel "), "{}", r.stdout);
}

#[test]
fn invalid_settings_exit_2_naming_the_flag() {
    for (args, needles) in [
        (
            vec!["--lsh-threshold", "1.5"],
            vec!["--lsh-threshold", "1.5"],
        ),
        (vec!["--lsh-threshold", "0"], vec!["--lsh-threshold"]),
        (vec!["--cosine-threshold=-0.1"], vec!["--cosine-threshold"]),
        (
            vec!["--min-passage-words", "0"],
            vec!["--min-passage-words"],
        ),
        (vec!["--num-perm", "0"], vec!["--num-perm"]),
        (vec!["--shingle-size", "0"], vec!["--shingle-size"]),
        (
            vec!["--near-duplicate", "0.95"],
            vec!["--near-duplicate", "--duplicate"],
        ),
        (vec!["--format", "yaml"], vec!["--format", "yaml"]),
        (vec!["--color", "sometimes"], vec!["--color"]),
        (vec!["--num-perm", "lots"], vec!["--num-perm"]),
    ] {
        let mut all = vec!["scan", "seeds/"];
        all.extend(&args);
        let r = run(&all);
        assert_eq!(r.code, 2, "{args:?} should be refused");
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        for n in needles {
            assert!(
                r.stderr.contains(n),
                "{args:?}: message lacks {n}: {}",
                r.stderr
            );
        }
    }
    // Missing operands are usage errors too.
    assert_eq!(run(&["scan"]).code, 2);
    assert_eq!(run(&["compare", &seed(S000)]).code, 2);
    assert_eq!(run::<&str>(&[]).code, 2);
}

#[test]
fn colour_only_when_asked_for() {
    let esc = '\x1b';
    let r = run(&["scan", "seeds/", "--color", "never"]);
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains(esc), "{:?}", r.stdout);

    // auto: stdout is a pipe here, so no colour.
    let r = run(&["scan", "seeds/"]);
    assert!(!r.stdout.contains(esc), "{:?}", r.stdout);

    let r = run(&["scan", "seeds/", "--color", "always"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("\x1b[1;31mderivative\x1b[0m"),
        "{:?}",
        r.stdout
    );
    // Colour never leaks into machine formats.
    for format in ["json", "markdown"] {
        let r = run(&["scan", "seeds/", "--color", "always", "--format", format]);
        assert_eq!(r.code, 0);
        assert!(!r.stdout.contains(esc), "{format}: {:?}", r.stdout);
    }
}

#[test]
fn thresholds_change_the_verdicts() {
    // Demanding longer passages than the whole rewrite unflags it.
    let r = run(&[
        "scan",
        "seeds/",
        "--min-passage-words",
        "5000",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "stderr:\n{}", r.stderr);
    assert!(pairs(&r.json()).is_empty());
}

// ---------------------------------------------------------------------------
// compare --pairs
// ---------------------------------------------------------------------------

#[test]
fn compare_pairs_streams_one_object_per_pair_and_writes_pan_files_at_true_offsets() {
    let d = tmp();
    let list = d.path().join("pairs.txt");
    std::fs::write(
        &list,
        format!("# A B\n{S000}\t{S001}\n\n{S002} {S003}\n{S000} missing.txt\n"),
    )
    .unwrap();
    let r = run(&["compare", "--pairs", &p(&list), "--base", "seeds"]);
    assert_eq!(r.code, 2, "a missing document is an error: {}", r.stderr);
    assert!(
        r.stderr.contains("pairs.txt:5") && r.stderr.contains("missing.txt"),
        "{}",
        r.stderr
    );
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "one line per pair that could be read");
    let rewrite = lines
        .iter()
        .find(|x| x["a"] == "seeds/000_51955296cd91fa83.txt")
        .expect("000 vs 001");
    assert_eq!(rewrite["verdict"], "derivative");
    let other = lines.iter().find(|x| x["a"] != rewrite["a"]).unwrap();
    assert_eq!(other["verdict"], "unrelated");

    // The same pairs as PAN files: one per pair, features only for the
    // flagged one, at the character offsets of the JSON passages.
    let out = d.path().join("pan");
    std::fs::write(&list, format!("{S000}\t{S001}\n{S002}\t{S003}\n")).unwrap();
    let r = run(&[
        "compare",
        "--pairs",
        &p(&list),
        "--base",
        "seeds",
        "--format",
        "pan",
        "-o",
        &p(&out),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let xml = std::fs::read_to_string(out.join(format!(
        "{}-{}.xml",
        S001.trim_end_matches(".txt"),
        S000.trim_end_matches(".txt")
    )))
    .unwrap();
    assert!(
        xml.starts_with(&format!("<document reference=\"{S001}\">")),
        "{xml}"
    );
    let passages = rewrite["passages"].as_array().unwrap();
    assert_eq!(xml.matches("<feature ").count(), passages.len());
    for q in passages {
        let (b0, b1) = (
            q["b"]["char_start"].as_u64().unwrap(),
            q["b"]["char_end"].as_u64().unwrap(),
        );
        let (a0, a1) = (
            q["a"]["char_start"].as_u64().unwrap(),
            q["a"]["char_end"].as_u64().unwrap(),
        );
        let want = format!(
            "this_offset=\"{b0}\" this_length=\"{}\" source_reference=\"{S000}\" source_offset=\"{a0}\" source_length=\"{}\"",
            b1 - b0,
            a1 - a0
        );
        assert!(xml.contains(&want), "{want} not in {xml}");
        // Character offsets slice the passage's text.
        let text: String = seed_text(S001)
            .chars()
            .skip(b0 as usize)
            .take((b1 - b0) as usize)
            .collect();
        assert_eq!(text, q["b"]["text"].as_str().unwrap());
    }
    let unrelated = std::fs::read_to_string(out.join(format!(
        "{}-{}.xml",
        S003.trim_end_matches(".txt"),
        S002.trim_end_matches(".txt")
    )))
    .unwrap();
    assert!(!unrelated.contains("<feature"), "{unrelated}");

    // Bad lists and bad combinations are named.
    std::fs::write(&list, "only-one-path\n").unwrap();
    let r = run(&["compare", "--pairs", &p(&list)]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("pairs.txt:1"), "{}", r.stderr);
    let r = run(&["compare", "--pairs", &p(&list), "--format", "pan"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("-o DIR"), "{}", r.stderr);
}

#[test]
fn a_jsonl_file_opening_with_a_byte_order_mark_reads_in_both_modes() {
    let d = tmp();
    let f = d.path().join("bom.jsonl");
    let text = "The committee approved the budget on Monday after hours of argument.";
    std::fs::write(
        &f,
        format!(
            "\u{FEFF}{{\"id\":\"x\",\"text\":\"{text}\"}}\n{{\"id\":\"y\",\"text\":\"{text}\"}}\n"
        ),
    )
    .unwrap();
    let path = p(&f);
    for extra in [None, Some("--minhash-only")] {
        let mut args = vec!["scan", path.as_str(), "--jsonl", "--format", "json"];
        args.extend(extra);
        let r = run(&args);
        assert_eq!(r.code, 0, "{extra:?}: {}", r.stderr);
        assert!(r.stderr.is_empty(), "{extra:?}: {}", r.stderr);
        assert_eq!(pairs(&r.json()).len(), 1, "{extra:?}");
    }
}

/// Small untruths of the command line, each as a user meets it.
#[test]
fn standard_streams_thread_counts_and_plurals_say_what_they_do() {
    let d = tmp();
    // `-o -` is standard output, beside files; no file named "-".
    let out = d.path().join("r.json");
    let r = run_cmd(
        doppel()
            .args([
                "scan",
                &p(&std::path::Path::new(ROOT).join("seeds")),
                "-o",
                "-",
                "-o",
            ])
            .arg(&out)
            .args(["--format", "json"])
            .current_dir(d.path()),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.json(),
        serde_json::from_slice::<Value>(&std::fs::read(&out).unwrap()).unwrap()
    );
    assert!(!d.path().join("-").exists());
    // Standard input is read once: `compare - -` is refused, not an empty B.
    let r = run_cmd(
        doppel()
            .args(["compare", "-", "-"])
            .write_stdin("Some text."),
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("standard input")
            && r.stderr.contains("once")
            && !r.stderr.contains("configuration"),
        "an input error, not a setting's: {}",
        r.stderr
    );
    let r = run_cmd(
        doppel()
            .args(["scan", "-", "seeds/", "-"])
            .write_stdin("Some text."),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("standard input"), "{}", r.stderr);
    // An absurd thread count is refused at once, not run for minutes.
    let r = run(&["scan", "seeds/", "--threads", "100000"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--threads 100000"), "{}", r.stderr);
    // One document is "1 document".
    let r = run(&["scan", "seeds/000_51955296cd91fa83.txt"]);
    assert!(
        r.stdout.starts_with("1 document, 0 flagged pairs"),
        "{}",
        r.stdout
    );
}

/// The JSON report names its layout's version and its settings as a
/// consumer expects them: `{"kind": "words", "size": 5}`, not a Rust enum.
#[test]
fn the_json_report_names_its_schema_and_settings_plainly() {
    let r = run(&["scan", "seeds/", "--format", "json"]);
    let j = r.json();
    assert_eq!(j["schema"], 2);
    assert_eq!(
        j["settings"]["shingle"],
        serde_json::json!({"kind": "words", "size": 5})
    );
    let r = run(&[
        "scan",
        "seeds/",
        "--format",
        "json",
        "--char-shingles",
        "--shingle-size",
        "7",
    ]);
    assert_eq!(
        r.json()["settings"]["shingle"],
        serde_json::json!({"kind": "chars", "size": 7})
    );
}

/// A wrong --text-field on every line of a long file: the first errors
/// one by one, then how many more — not one line per input line.
#[test]
fn a_flood_of_like_errors_is_shown_by_its_first_and_counted() {
    let d = tmp();
    let path = d.path().join("c.jsonl");
    let lines: String = (0..1000)
        .map(|i| format!("{{\"id\": \"{i}\", \"body\": \"text {i}\"}}\n"))
        .collect();
    std::fs::write(&path, lines).unwrap();
    for extra in [&[][..], &["--minhash-only"][..]] {
        let mut args = vec!["scan", "--jsonl"];
        args.extend_from_slice(extra);
        let path = p(&path);
        args.push(&path);
        let r = run(&args);
        assert_eq!(r.code, 2, "{extra:?}");
        let errors: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.starts_with("doppel: error:"))
            .collect();
        assert_eq!(errors.len(), 21, "{extra:?}: {}", r.stderr);
        assert!(
            errors[0].contains("c.jsonl:1:") && errors[0].contains("--text-field"),
            "{}",
            errors[0]
        );
        assert!(errors[20].contains("980 more errors"), "{}", errors[20]);
    }
}

/// MinHash mode computes no cosine and aligns nothing: JSON says `null`,
/// the text report "—", never a 0 that was not measured.
#[test]
fn values_never_computed_are_null_not_zero() {
    let d = tmp();
    let text = "The same words here and there, all of them, again and again in a row.\n";
    for name in ["x.txt", "y.txt"] {
        std::fs::write(d.path().join(name), text).unwrap();
    }
    let r = run(&["scan", &p(d.path()), "--minhash-only", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pair = &r.json()["pairs"][0];
    assert_eq!(pair["verdict"], "duplicate");
    assert!(pair["scores"]["cosine"].is_null(), "{pair}");
    assert!(pair["coverage"].is_null(), "{pair}");
    assert_eq!(pair["scores"]["jaccard"], 1.0);
    let r = run(&["scan", &p(d.path()), "--minhash-only"]);
    assert!(
        r.stdout.contains("coverage — of A, — of B · cosine — ·"),
        "{}",
        r.stdout
    );
    // The full mode measures both.
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    let pair = &r.json()["pairs"][0];
    assert!(pair["scores"]["cosine"].as_f64().unwrap() > 0.99, "{pair}");
    assert!(pair["coverage"]["a"].as_f64().is_some(), "{pair}");
}

/// The text report shows a long passage by its first and last lines and
/// a count of the rest; JSON keeps it whole. Two copies of a 1 MB file
/// must not print megabytes to a terminal.
#[test]
fn the_text_report_elides_long_excerpts_and_json_keeps_them() {
    let d = tmp();
    let text = seed_text("004_795a0b2c7150b453.txt").repeat(30);
    for name in ["a.txt", "b.txt"] {
        std::fs::write(d.path().join(name), &text).unwrap();
    }
    let (a, b) = (p(&d.path().join("a.txt")), p(&d.path().join("b.txt")));
    let r = run(&["compare", &a, &b]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.len() < 20_000, "{} bytes printed", r.stdout.len());
    assert!(
        r.stdout.contains(" more lines (the whole passage is in"),
        "{}",
        r.stdout
    );
    let r = run(&["compare", &a, &b, "--format", "json"]);
    let passage = &r.json()["pairs"][0]["passages"][0];
    assert_eq!(
        passage["a"]["text"].as_str().unwrap().len(),
        text.trim().len()
    );
}

/// `compare --help` lists only what acts on a pair: the candidate search's
/// LSH threshold, cosine threshold and top-k belong to `scan`.
#[test]
fn compare_help_lists_no_candidate_search_flags() {
    let compare = run(&["compare", "--help"]).stdout;
    let scan = run(&["scan", "--help"]).stdout;
    for flag in [
        "--lsh-threshold",
        "--cosine-threshold",
        "--top-k",
        "--min-copy-words",
        "--rewrite-candidates",
        "--exact-neighbours",
    ] {
        assert!(!compare.contains(flag), "compare --help lists {flag}");
        assert!(scan.contains(flag), "scan --help lacks {flag}");
    }
    assert!(compare.contains("--min-passage-words") && compare.contains("--pairs"));
}

// ---------------------------------------------------------------------------
// Progress on a terminal
// ---------------------------------------------------------------------------

/// Run `args` of the doppel binary under a pseudo-terminal (`script`), with
/// the progress display shown from the start; returns what the terminal
/// showed, control sequences removed.
fn on_terminal(args: &[&str]) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line = std::iter::once(env!("CARGO_BIN_EXE_doppel"))
        .chain(args.iter().copied())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    let out = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("DOPPEL_PROGRESS_AFTER_MS", "0")
        .current_dir(ROOT)
        .output()
        .expect("script (util-linux) runs");
    let shown = String::from_utf8_lossy(&out.stdout);
    let mut plain = String::new();
    let mut chars = shown.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters final-letter
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else if c == '\r' {
            plain.push('\n');
        } else {
            plain.push(c);
        }
    }
    plain
}

/// Every long command shows its steps on a terminal — reading, analysing
/// (indexing, checking), verifying candidate pairs — and ends with the
/// summary line; the bar leaves the report untouched, and off a terminal
/// or with --quiet nothing of it is printed.
#[test]
fn long_commands_show_progress_on_a_terminal_only() {
    let dir = tmp();
    let corpus = dir.path().join("c.jsonl");
    let reference = dir.path().join("r.jsonl");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_doppel-gen"))
        .args(["--docs", "2000", "--out", &p(&corpus), "--truth"])
        .arg(dir.path().join("truth.jsonl"))
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&corpus).unwrap();
    let half: Vec<&str> = text.lines().take(1000).collect();
    std::fs::write(&reference, half.join("\n") + "\n").unwrap();

    let shown_json = dir.path().join("shown.json");
    let shown = on_terminal(&["scan", "--jsonl", &p(&corpus), "-o", &p(&shown_json)]);
    for step in [
        "reading",
        "analysing",
        "documents",
        "verifying",
        "candidate pairs",
    ] {
        assert!(
            shown.contains(step),
            "no {step:?} on the terminal:\n{shown}"
        );
    }
    assert!(
        shown.contains("doppel: 2000 documents,") && shown.contains("flagged pairs"),
        "no summary line:\n{shown}"
    );
    let plain_json = dir.path().join("plain.json");
    let plain = run(&["scan", "--jsonl", &p(&corpus), "-o", &p(&plain_json)]);
    assert_eq!(
        plain.stderr, "",
        "off a terminal, standard error stays empty"
    );
    assert_eq!(
        std::fs::read(&shown_json).unwrap(),
        std::fs::read(&plain_json).unwrap(),
        "the display changed the report"
    );
    let quiet = on_terminal(&["scan", "--jsonl", "-q", &p(&corpus), "-o", &p(&plain_json)]);
    assert!(
        !quiet.contains("analysing") && !quiet.contains("doppel:"),
        "--quiet still shows progress:\n{quiet}"
    );

    let index = dir.path().join("i.db");
    let built = on_terminal(&[
        "index",
        "build",
        "--index",
        &p(&index),
        "--jsonl",
        &p(&reference),
    ]);
    assert!(built.contains("indexing"), "no indexing step:\n{built}");
    assert!(built.contains("indexed 1000 documents"), "{built}");
    let out = dir.path().join("check.json");
    let checked = on_terminal(&[
        "check",
        "--index",
        &p(&index),
        "--jsonl",
        &p(&corpus),
        "-o",
        &p(&out),
    ]);
    assert!(checked.contains("checking"), "no checking step:\n{checked}");
    assert!(
        checked.contains("doppel: 2000 documents,"),
        "no summary line:\n{checked}"
    );
}
