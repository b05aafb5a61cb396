//! Candidates for rewritten passages (`--rewrite-candidates`, the engine's
//! `rewrites` module) on generated corpora with known truth: a passage of
//! 3–8 sentences, a third of its words replaced and its sentences
//! shuffled, embedded in an unrelated document (doppel-gen's
//! embed-rewrite kind). The whole documents' cosine stays low, so without
//! the sentence bands many such pairs are never proposed; with them
//! nearly all are found, and nothing unplanted is flagged.

use doppel::config::Config;
use doppel::corpus::Document;
use doppel::pipeline;
use doppel_synth::{EditKind, Synth};
use std::collections::HashSet;

#[test]
fn embedded_rewrites_are_found_with_sentence_bands() {
    let synth = Synth::new(3000, 11).with_kinds(&[EditKind::EmbedRewrite]);
    let mut docs = Vec::new();
    let mut planted = HashSet::new();
    for i in 0..synth.len() {
        let d = synth.document(i);
        if let Some(t) = &d.truth {
            planted.insert((t.a.clone(), t.b.clone()));
        }
        docs.push(Document::new(d.id, d.text));
    }
    assert!(planted.len() > 200, "{}", planted.len());
    let found = |rewrite_candidates: bool| {
        let cfg = Config {
            rewrite_candidates,
            ..Config::default()
        };
        let scan = pipeline::scan(&docs, &cfg);
        let flagged: HashSet<(String, String)> = scan
            .pairs
            .iter()
            .filter(|p| p.verdict.is_flagged())
            .map(|p| {
                let (a, b) = (&docs[p.a as usize].id, &docs[p.b as usize].id);
                (a.min(b).clone(), a.max(b).clone())
            })
            .collect();
        let unplanted = flagged
            .iter()
            .filter(|(a, b)| {
                !planted.contains(&(a.clone(), b.clone()))
                    && !planted.contains(&(b.clone(), a.clone()))
            })
            .count();
        let hits = planted
            .iter()
            .filter(|(a, b)| flagged.contains(&(a.min(b).clone(), a.max(b).clone())))
            .count();
        (
            hits as f64 / planted.len() as f64,
            unplanted,
            scan.rewrite_candidates,
        )
    };
    let (with, false_with, proposed) = found(true);
    let (without, false_without, none) = found(false);
    assert_eq!((false_with, false_without), (0, 0));
    assert_eq!(none, 0, "off means no sentence-band candidates");
    assert!(proposed > 0);
    assert!(with >= 0.9, "recall with sentence bands {with:.3}");
    assert!(
        with - without >= 0.2,
        "{with:.3} against {without:.3} without"
    );
}

/// The same through a reference index: the sources of embedded rewrites
/// indexed, the rewritten documents checked against it. An index stores
/// its documents' sentence band keys when asked (`index build
/// --rewrite-candidates`, or `index add --rewrite-candidates` later, which
/// fills them in for the documents already there); with `check
/// --rewrite-candidates` nearly all rewrites are then found, without it
/// many are not, and nothing unplanted is flagged. An index without the
/// keys refuses the flag, naming itself; removing a document forgets its
/// keys.
#[test]
fn check_finds_embedded_rewrites_through_the_indexs_sentence_bands() {
    use crate::common::bin::{Run, run};
    let synth = Synth::new(1200, 5).with_kinds(&[EditKind::EmbedRewrite]);
    let docs: Vec<_> = (0..synth.len()).map(|i| synth.document(i)).collect();
    let planted: HashSet<(String, String)> = docs
        .iter()
        .filter_map(|d| d.truth.as_ref().map(|t| (t.a.clone(), t.b.clone())))
        .collect();
    assert!(planted.len() > 80, "{}", planted.len());
    let rewritten: HashSet<&str> = planted.iter().map(|(_, b)| b.as_str()).collect();
    let dir = tempfile::tempdir().unwrap();
    let line =
        |id: &str, text: &str| serde_json::json!({"id": id, "text": text}).to_string() + "\n";
    let (mut refs, mut new) = (String::new(), String::new());
    for d in &docs {
        if rewritten.contains(d.id.as_str()) {
            new += &line(&d.id, &d.text);
        } else {
            refs += &line(&d.id, &d.text);
        }
    }
    let (refs_path, new_path) = (dir.path().join("refs.jsonl"), dir.path().join("new.jsonl"));
    std::fs::write(&refs_path, refs).unwrap();
    std::fs::write(&new_path, new).unwrap();
    let p = |x: &std::path::Path| x.display().to_string();
    let (refs_arg, new_arg) = (p(&refs_path), p(&new_path));
    let build = |index: &std::path::Path, extra: &[&str]| {
        let index = p(index);
        let mut args = vec![
            "index", "build", "--index", &index, "--jsonl", &refs_arg, "-q",
        ];
        args.extend_from_slice(extra);
        let r = run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    let check = |index: &std::path::Path, extra: &[&str]| -> (f64, usize, Run) {
        let index = p(index);
        let mut args = vec![
            "check", "--index", &index, "--format", "json", "--jsonl", &new_arg,
        ];
        args.extend_from_slice(extra);
        let r = run(&args);
        if r.code > 1 {
            return (0.0, 0, r);
        }
        let report = r.json();
        let flagged: HashSet<(String, String)> = report["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["verdict"] != "unrelated")
            .map(|x| {
                (
                    x["a"].as_str().unwrap().to_owned(),
                    x["b"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let hits = planted
            .iter()
            .filter(|pair| flagged.contains(*pair))
            .count();
        let unplanted = flagged
            .iter()
            .filter(|pair| !planted.contains(*pair))
            .count();
        (hits as f64 / planted.len() as f64, unplanted, r)
    };
    let with_keys = dir.path().join("with.doppel");
    build(&with_keys, &["--rewrite-candidates"]);
    let (with, false_with, r) = check(&with_keys, &["--rewrite-candidates"]);
    assert!(r.code <= 1, "{}", r.stderr);
    let (without, false_without, _) = check(&with_keys, &[]);
    assert_eq!((false_with, false_without), (0, 0));
    assert!(with >= 0.9, "recall with sentence bands {with:.3}");
    assert!(
        with - without >= 0.2,
        "{with:.3} against {without:.3} without"
    );

    // Built without the keys: the flag is refused, naming the index; the
    // keys filled in later answer as if built with them.
    let plain = dir.path().join("plain.doppel");
    build(&plain, &[]);
    let (_, _, r) = check(&plain, &["--rewrite-candidates"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("sentence band keys") && r.stderr.contains("plain.doppel"),
        "{}",
        r.stderr
    );
    assert_eq!(check(&plain, &[]).0, without);
    let r = run(&[
        "index",
        "add",
        "--index",
        &p(&plain),
        "--rewrite-candidates",
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let stats = run(&["index", "stats", "--index", &p(&plain), "--json"]).json();
    assert_eq!(stats["sentence_bands"], true, "{stats}");
    let (filled, false_filled, r) = check(&plain, &["--rewrite-candidates"]);
    assert!(r.code <= 1, "{}", r.stderr);
    assert_eq!((filled, false_filled), (with, 0));

    // A removed source is forgotten, keys and all.
    let (source, _) = planted.iter().min().unwrap();
    let r = run(&["index", "remove", "--index", &p(&with_keys), source, "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["index", "stats", "--index", &p(&with_keys), "--verify"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let conn = rusqlite::Connection::open(&with_keys).unwrap();
    let (kept, orphans): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE doc NOT IN (SELECT doc FROM documents)) \
             FROM sbands",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(kept > 0);
    assert_eq!(orphans, 0);
}
