//! The corpus generator (`doppel::synth`, `doppel-gen`): deterministic
//! bytes, a truth file that matches a recomputation, spans that slice the
//! passages they claim, and no unplanted overlap.

use assert_cmd::Command;
use doppel::minhash;
use doppel_synth::{self as synth, EditKind, Synth, Truth};
use std::collections::{HashMap, HashSet};

/// Generate a corpus in memory: (id → text, truth records, corpus bytes).
fn generate(docs: usize, seed: u64) -> (HashMap<String, String>, Vec<Truth>, Vec<u8>) {
    let mut corpus = Vec::new();
    let mut truth = Vec::new();
    let stats = synth::write_corpus(&Synth::new(docs, seed), &mut corpus, &mut truth)
        .expect("in-memory write");
    assert_eq!(stats.docs, docs);
    let mut texts = HashMap::new();
    for line in corpus.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_slice(line).expect("corpus line is JSON");
        let id = v["id"].as_str().expect("id").to_string();
        let text = v["text"].as_str().expect("text").to_string();
        assert!(texts.insert(id, text).is_none(), "duplicate id");
    }
    let truth: Vec<Truth> = truth
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("truth line"))
        .collect();
    assert_eq!(truth.len(), stats.pairs);
    (texts, truth, corpus)
}

#[test]
fn same_seed_same_bytes_any_thread_count() {
    let (_, _, one) = generate(700, 5);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let (_, _, single) = pool.install(|| generate(700, 5));
    assert_eq!(one, single);
    let (_, _, other) = generate(700, 6);
    assert_ne!(one, other);
    // A document is a function of the seed and its index alone.
    let s = Synth::new(700, 5);
    let d = s.document(123);
    assert_eq!(d.text, Synth::new(700, 5).document(123).text);
}

#[test]
fn truth_matches_recomputation_and_covers_every_kind() {
    let (texts, truth, _) = generate(3000, 1);
    let mut kinds = HashSet::new();
    let mut copies = HashSet::new();
    let mut sources = HashSet::new();
    for t in &truth {
        let (a, b) = (&texts[&t.a], &texts[&t.b]);
        // Recomputed from the texts as doppel reads them.
        let sa = synth::word_shingle_set(a);
        let sb = synth::word_shingle_set(b);
        let j = minhash::jaccard(&sa, &sb);
        assert!(
            (j - t.jaccard).abs() < 1e-12,
            "{}-{}: {j} vs {}",
            t.a,
            t.b,
            t.jaccard
        );
        kinds.insert(t.kind);
        // Each document is in at most one planted pair.
        assert!(copies.insert(t.b.clone()) && sources.insert(t.a.clone()));
        assert!(!copies.contains(&t.a) && !sources.contains(&t.b));
        match t.kind {
            EditKind::SubstituteLight => {
                let r = t.edit_rate.expect("rate");
                assert!((0.045..=0.105).contains(&r), "{r}");
            }
            EditKind::SubstituteHeavy => {
                let r = t.edit_rate.expect("rate");
                assert!((r - 0.30).abs() < 0.01, "{r}");
                assert!(t.jaccard < 0.3);
            }
            EditKind::DeleteSentences | EditKind::InsertSentences => assert!(t.jaccard > 0.4),
            EditKind::ReorderSentences => assert!(t.jaccard > 0.3 && t.jaccard < 1.0),
            EditKind::EmbedPassage => assert!(t.jaccard > 0.0 && t.jaccard < 0.5),
            EditKind::EmbedRewrite => panic!("embed-rewrite is planted only when asked for"),
        }
    }
    assert_eq!(kinds.len(), EditKind::DEFAULT.len(), "{kinds:?}");
    // About a fifth of the pairs are planted.
    let share = truth.len() as f64 / 1500.0;
    assert!((0.15..0.25).contains(&share), "{share}");
}

fn words(s: &str) -> Vec<String> {
    doppel::text::tokenize(s)
        .into_iter()
        .map(|t| t.norm)
        .collect()
}

#[test]
fn spans_slice_the_corresponding_passages() {
    let (texts, truth, _) = generate(3000, 2);
    for t in &truth {
        let (a, b) = (&texts[&t.a], &texts[&t.b]);
        assert!(!t.spans.is_empty());
        let mut prev_b = 0;
        for sp in &t.spans {
            let (pa, pb) = (&a[sp.a.start..sp.a.end], &b[sp.b.start..sp.b.end]);
            assert!(sp.b.start >= prev_b, "spans in the order of b");
            prev_b = sp.b.end;
            // A passage is whole sentences.
            assert!(pa.ends_with('.') && pb.ends_with('.'));
            assert!(pa.starts_with(|c: char| c.is_ascii_uppercase()));
            match t.kind {
                EditKind::SubstituteLight | EditKind::SubstituteHeavy => {
                    // Word for word, a share of them replaced.
                    let (wa, wb) = (words(pa), words(pb));
                    assert_eq!(wa.len(), wb.len());
                    let changed = wa.iter().zip(&wb).filter(|(x, y)| x != y).count();
                    let rate = t.edit_rate.expect("rate");
                    let expected = rate * wa.len() as f64;
                    assert!(
                        (changed as f64 - expected).abs() <= 1.0,
                        "{changed} vs {expected}"
                    );
                }
                _ => assert_eq!(pa, pb, "{:?} {}-{}", t.kind, t.a, t.b),
            }
        }
        match t.kind {
            // The whole document corresponds.
            EditKind::SubstituteLight | EditKind::SubstituteHeavy => {
                assert_eq!(t.spans.len(), 1);
                assert_eq!((t.spans[0].a.start, t.spans[0].a.end), (0, a.len()));
                assert_eq!((t.spans[0].b.start, t.spans[0].b.end), (0, b.len()));
            }
            // One passage, of 3–8 sentences, in a host of its own words.
            EditKind::EmbedPassage => {
                assert_eq!(t.spans.len(), 1);
                let n = a[t.spans[0].a.start..t.spans[0].a.end].matches('.').count();
                assert!((3..=8).contains(&n), "{n} sentences");
                assert!(t.spans[0].b.len() < b.len());
            }
            EditKind::ReorderSentences => assert!(t.spans.len() > 1),
            // Everything of the shorter side is in some passage.
            EditKind::DeleteSentences => {
                let covered: usize = t
                    .spans
                    .iter()
                    .map(|s| words(&b[s.b.start..s.b.end]).len())
                    .sum();
                assert_eq!(covered, words(b).len());
            }
            EditKind::InsertSentences => {
                let covered: usize = t
                    .spans
                    .iter()
                    .map(|s| words(&a[s.a.start..s.a.end]).len())
                    .sum();
                assert_eq!(covered, words(a).len());
            }
            EditKind::EmbedRewrite => panic!("embed-rewrite is planted only when asked for"),
        }
    }
}

#[test]
fn originals_have_150_to_600_words_and_only_planted_pairs_overlap() {
    let n = 700;
    let (texts, truth, _) = generate(n, 3);
    let copies: HashSet<&String> = truth.iter().map(|t| &t.b).collect();
    for (id, text) in &texts {
        assert!(text.is_ascii());
        if !copies.contains(id) {
            let w = words(text).len();
            assert!((150..=600).contains(&w), "{id}: {w} words");
        }
    }
    // Brute force over all pairs: every pair with more than chance overlap
    // is planted.
    let planted: HashSet<(&str, &str)> = truth
        .iter()
        .flat_map(|t| [(t.a.as_str(), t.b.as_str()), (t.b.as_str(), t.a.as_str())])
        .collect();
    let sets: Vec<(&String, Vec<u64>)> = texts
        .iter()
        .map(|(id, t)| (id, synth::word_shingle_set(t)))
        .collect();
    let mut overlapping = 0;
    for i in 0..sets.len() {
        for j in i + 1..sets.len() {
            let jac = minhash::jaccard(&sets[i].1, &sets[j].1);
            if jac > 0.02 {
                overlapping += 1;
                assert!(
                    planted.contains(&(sets[i].0.as_str(), sets[j].0.as_str())),
                    "{} {} share J={jac} but are not planted",
                    sets[i].0,
                    sets[j].0
                );
            }
        }
    }
    assert!(overlapping > truth.len() / 2);
}

#[test]
fn binary_writes_the_same_files_as_the_library() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, truth) = (dir.path().join("c.jsonl"), dir.path().join("t.jsonl"));
    Command::cargo_bin("doppel-gen")
        .expect("binary")
        .args(["--docs", "400", "--seed", "9", "-j", "1", "--out"])
        .arg(&out)
        .arg("--truth")
        .arg(&truth)
        .assert()
        .success();
    let mut corpus = Vec::new();
    let mut t = Vec::new();
    synth::write_corpus(&Synth::new(400, 9), &mut corpus, &mut t).expect("write");
    assert_eq!(std::fs::read(&out).expect("corpus"), corpus);
    assert_eq!(std::fs::read(&truth).expect("truth"), t);
    // Into a missing directory: a clear error, exit 2, nothing written.
    let missing = dir.path().join("nope").join("c.jsonl");
    Command::cargo_bin("doppel-gen")
        .expect("binary")
        .args(["--docs", "10", "--out"])
        .arg(&missing)
        .arg("--truth")
        .arg(dir.path().join("t2.jsonl"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("does not exist"));
    assert!(!dir.path().join("t2.jsonl").exists());
}

/// An embedded rewrite, planted only when asked for: the source's
/// sentences are in the host, in another order, about 30% of their words
/// replaced; the default kinds give the default generator's bytes.
#[test]
fn embedded_rewrites_are_planted_when_asked_for() {
    let write = |s: &Synth| {
        let (mut corpus, mut truth) = (Vec::new(), Vec::new());
        synth::write_corpus(s, &mut corpus, &mut truth).unwrap();
        (corpus, truth)
    };
    assert_eq!(
        write(&Synth::new(400, 3).with_kinds(EditKind::DEFAULT)),
        write(&Synth::new(400, 3))
    );
    let s = Synth::new(600, 2).with_kinds(&[EditKind::EmbedRewrite]);
    let (corpus, truth) = write(&s);
    let mut texts = HashMap::new();
    for line in corpus.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_slice(line).unwrap();
        texts.insert(
            v["id"].as_str().unwrap().to_string(),
            v["text"].as_str().unwrap().to_string(),
        );
    }
    let truth: Vec<Truth> = truth
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert!(truth.len() > 40, "{}", truth.len());
    let (mut replaced, mut total, mut reordered) = (0usize, 0usize, 0usize);
    for t in &truth {
        assert_eq!(t.kind, EditKind::EmbedRewrite);
        let (a, b) = (&texts[&t.a], &texts[&t.b]);
        assert!(t.jaccard < 0.2, "{}-{}: {}", t.a, t.b, t.jaccard);
        // The spans slice sentences of equal length, word for word with
        // substitutions.
        for sp in &t.spans {
            let (wa, wb) = (
                words(&a[sp.a.start..sp.a.end]),
                words(&b[sp.b.start..sp.b.end]),
            );
            assert_eq!(wa.len(), wb.len(), "{}-{}", t.a, t.b);
            replaced += wa.iter().zip(&wb).filter(|(x, y)| x != y).count();
            total += wa.len();
        }
        // In b, the spans' sources are not all in their order in a.
        let starts: Vec<usize> = t.spans.iter().map(|sp| sp.a.start).collect();
        reordered += usize::from(starts.windows(2).any(|w| w[0] > w[1]));
    }
    let rate = replaced as f64 / total as f64;
    assert!((0.25..0.35).contains(&rate), "{rate}");
    assert!(
        reordered * 2 > truth.len(),
        "{reordered} of {}",
        truth.len()
    );
}
