//! Corpus-scale behaviour on generated data with known ground truth:
//!
//! - prefix-filtered all-pairs cosine gives exactly the brute-force pairs
//!   (5,000 documents, several thresholds and k);
//! - the streaming MinHash pipeline gives the same pairs and scores as the
//!   in-memory one, whatever the thread count, and finds the planted
//!   near-duplicates;
//! - `doppel dedup` collapses every planted cluster to one document, drops
//!   nothing else, keeps the longest when asked, and copies kept JSON lines
//!   byte for byte;
//! - the summary line appears on standard error only when asked for.

use crate::common::corpus;

use assert_cmd::Command;
use doppel::DocId;
use doppel::batch::{self, BatchOptions};
use doppel::config::Config;
use doppel::corpus::LoadOptions;
use doppel::pipeline;
use doppel::score::Verdict;
use doppel::text::Analysed;
use doppel::tfidf::{self, SparseVec, TfIdfModel, TfIdfOptions};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------
// All-pairs cosine
// ---------------------------------------------------------------------------

/// Every neighbour of every document with cosine ≥ `floor` (and > 0), by the
/// brute-force product: document `a` scattered densely, dotted with every
/// other document in term order (the same sums as `tfidf::cosine`).
fn brute_neighbours(v: &[SparseVec], floor: f32) -> Vec<Vec<(DocId, f32)>> {
    let n_terms = v
        .iter()
        .flat_map(|x| x.terms.iter())
        .map(|&t| t as usize + 1)
        .max()
        .unwrap_or(0);
    let norms: Vec<f64> = v
        .iter()
        .map(|x| {
            x.weights
                .iter()
                .map(|&w| f64::from(w) * f64::from(w))
                .sum::<f64>()
                .sqrt()
        })
        .collect();
    (0..v.len())
        .into_par_iter()
        .map_init(
            || vec![0f32; n_terms],
            |dense, a| {
                for (&t, &w) in v[a].terms.iter().zip(&v[a].weights) {
                    dense[t as usize] = w;
                }
                let mut out = Vec::new();
                for (b, x) in v.iter().enumerate() {
                    if b == a || norms[a] == 0.0 || norms[b] == 0.0 {
                        continue;
                    }
                    let dot: f64 = x
                        .terms
                        .iter()
                        .zip(&x.weights)
                        .map(|(&t, &w)| f64::from(w) * f64::from(dense[t as usize]))
                        .sum();
                    let c = (dot / (norms[a] * norms[b])).clamp(-1.0, 1.0) as f32;
                    if c > 0.0 && c >= floor {
                        out.push((b as DocId, c));
                    }
                }
                for &t in &v[a].terms {
                    dense[t as usize] = 0.0;
                }
                out
            },
        )
        .collect()
}

/// The definition of `top_k_pairs` applied to brute-force neighbours.
fn expected_pairs(
    neighbours: &[Vec<(DocId, f32)>],
    threshold: f32,
    k: usize,
) -> BTreeMap<(DocId, DocId), f32> {
    let mut out = BTreeMap::new();
    for (a, nb) in neighbours.iter().enumerate() {
        let mut nb: Vec<(DocId, f32)> = nb.iter().copied().filter(|p| p.1 >= threshold).collect();
        nb.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        if k > 0 {
            nb.truncate(k);
        }
        for (b, c) in nb {
            let a = a as DocId;
            out.insert((a.min(b), a.max(b)), c);
        }
    }
    out
}

#[test]
fn prefix_filtered_all_pairs_equals_brute_force_on_5000_documents() {
    // Term lists: Zipf words, a fifth of the documents edited copies of
    // earlier ones, so cosines spread from 0 to 1.
    let mut g = corpus::Gen::new(7);
    let mut docs: Vec<Vec<u32>> = Vec::new();
    for i in 0..5_000 {
        if i > 10 && g.rng.chance(0.2) {
            let src = g.rng.below(i);
            let rate = [0.05, 0.2, 0.4, 0.6][g.rng.below(4)];
            let copy = g.edit(&docs[src], rate);
            docs.push(copy);
        } else {
            docs.push(g.document(20, 70));
        }
    }
    let terms: Vec<Vec<String>> = docs
        .iter()
        .map(|d| d.iter().map(|w| format!("w{w}")).collect())
        .collect();
    let (_, v) = TfIdfModel::fit_transform(&terms, TfIdfOptions::default());
    let floor = 0.1;
    let neighbours = brute_neighbours(&v, floor);
    let mut sizes = Vec::new();
    for &(threshold, k) in &[
        (0.1f32, 0usize),
        (0.1, 10),
        (0.2, 10),
        (0.3, 10),
        (0.3, 1),
        (0.5, 0),
        (0.5, 3),
        (0.8, 10),
        (0.95, 0),
    ] {
        let want = expected_pairs(&neighbours, threshold, k);
        let got = tfidf::top_k_pairs(&v, threshold, k);
        let got_keys: Vec<(DocId, DocId)> = got.iter().map(|p| (p.a, p.b)).collect();
        let want_keys: Vec<(DocId, DocId)> = want.keys().copied().collect();
        assert_eq!(got_keys, want_keys, "t={threshold} k={k}: pair sets differ");
        for p in &got {
            let c = want[&(p.a, p.b)];
            assert!(
                (p.cosine - c).abs() < 1e-6,
                "t={threshold} k={k}: ({}, {}) cosine {} vs {c}",
                p.a,
                p.b,
                p.cosine
            );
        }
        sizes.push(got.len());
    }
    // The comparison is not vacuous: many pairs at low thresholds, some at
    // high ones, and k matters.
    assert!(sizes[0] > 10_000, "{sizes:?}");
    assert!(sizes[1] < sizes[0] && sizes[7] > 50, "{sizes:?}");
}

// ---------------------------------------------------------------------------
// Streaming MinHash pipeline
// ---------------------------------------------------------------------------

fn write_jsonl(dir: &Path, texts: &[String]) -> PathBuf {
    let p = dir.join("corpus.jsonl");
    let mut s = String::new();
    for (i, t) in texts.iter().enumerate() {
        s.push_str(&corpus::json_line(i, t));
        s.push('\n');
    }
    std::fs::write(&p, s).unwrap();
    p
}

fn jsonl_opts() -> BatchOptions {
    BatchOptions {
        load: LoadOptions {
            jsonl: true,
            ..LoadOptions::default()
        },
        chunk_bytes: 1 << 16,
        ..BatchOptions::default()
    }
}

/// Exact shingle Jaccard of two texts, as the pipeline measures it.
fn jaccard(a: &str, b: &str, cfg: &Config) -> f64 {
    let s = |t: &str| pipeline::shingle_set(t, &Analysed::new(t), cfg.shingle);
    doppel::minhash::jaccard(&s(a), &s(b))
}

#[test]
fn streamed_scan_equals_in_memory_scan_and_finds_the_planted_pairs() {
    let planted = corpus::planted(11, 2_000, 150, 250, 0.15, &[0.01, 0.03, 0.06, 0.1, 0.2]);
    let d = tempfile::tempdir().unwrap();
    let path = write_jsonl(d.path(), &planted.texts);
    let cfg = Config::default();
    let docs = planted.documents();
    let memory = pipeline::scan_minhash(&docs, &cfg);
    let key = |p: &pipeline::PairResult| (p.a, p.b, p.verdict, p.scores);
    let want: Vec<_> = memory.pairs.iter().map(key).collect();
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let streamed = pool
            .install(|| batch::scan(std::slice::from_ref(&path), &jsonl_opts(), &cfg, &|_| {}))
            .unwrap();
        assert_eq!(streamed.corpus.len(), 2_000);
        assert!(streamed.corpus.errors.is_empty() && streamed.corpus.warnings.is_empty());
        let got: Vec<_> = streamed.pairs.iter().map(key).collect();
        assert_eq!(got, want, "{threads} threads");
        // Ids and counts are those of the in-memory text model.
        for i in (0..2_000).step_by(97) {
            let a = Analysed::new(&planted.texts[i]);
            let s = streamed.corpus.stats(i as DocId);
            assert_eq!(streamed.corpus.id(i as DocId), format!("d{i}"));
            assert_eq!(s.words as usize, a.tokens.len());
            assert_eq!(s.sentences as usize, a.sentences.len());
            assert_eq!(s.bytes as usize, planted.texts[i].len());
        }
    }
    // Ground truth: every planted pair (original–copy, and copies of one
    // original with each other) with its true Jaccard.
    let flagged: BTreeSet<(DocId, DocId)> = memory
        .pairs
        .iter()
        .filter(|p| p.verdict.is_flagged())
        .map(|p| (p.a, p.b))
        .collect();
    let mut truth = BTreeMap::new();
    for c in &planted.clusters {
        for (i, &x) in c.iter().enumerate() {
            for &y in &c[i + 1..] {
                let j = jaccard(&planted.texts[x], &planted.texts[y], &cfg);
                truth.insert((x.min(y) as DocId, x.max(y) as DocId), j);
            }
        }
    }
    let above: Vec<_> = truth.iter().filter(|(_, j)| **j >= 0.5).collect();
    let found = above.iter().filter(|(p, _)| flagged.contains(p)).count();
    assert!(
        above.len() >= 100,
        "only {} planted pairs at J ≥ 0.5",
        above.len()
    );
    // The figure: recall ≥ 0.95 at threshold 0.5.
    assert!(
        found * 100 >= above.len() * 95,
        "recall {found}/{} of planted pairs with J ≥ 0.5",
        above.len()
    );
    // Precision: every flagged pair is planted, with its true Jaccard.
    for p in memory.pairs.iter().filter(|p| p.verdict.is_flagged()) {
        let j = truth.get(&(p.a, p.b));
        assert!(j.is_some(), "flagged an unplanted pair {:?}", (p.a, p.b));
        assert_eq!(j.copied(), Some(p.scores.jaccard));
        assert!(p.scores.jaccard >= 0.5);
        let want = if p.scores.jaccard >= 0.9 {
            Verdict::Duplicate
        } else {
            Verdict::NearDuplicate
        };
        assert_eq!(p.verdict, want);
    }
}

#[test]
fn minhash_mode_agrees_with_the_full_scan_on_its_pairs() {
    // The full scan (TF-IDF and alignment as well) measures the same exact
    // Jaccard, so every pair MinHash mode flags it flags the same way.
    let planted = corpus::planted(5, 400, 120, 200, 0.2, &[0.01, 0.05, 0.1]);
    let cfg = Config::default();
    let docs = planted.documents();
    let minhash = pipeline::scan_minhash(&docs, &cfg);
    let full = pipeline::scan(&docs, &cfg);
    let full: BTreeMap<(DocId, DocId), (Verdict, f64)> = full
        .pairs
        .iter()
        .map(|p| ((p.a, p.b), (p.verdict, p.scores.jaccard)))
        .collect();
    let flagged: Vec<_> = minhash
        .pairs
        .iter()
        .filter(|p| p.verdict.is_flagged())
        .collect();
    assert!(flagged.len() >= 40, "{}", flagged.len());
    for p in flagged {
        assert_eq!(
            full.get(&(p.a, p.b)),
            Some(&(p.verdict, p.scores.jaccard)),
            "({}, {})",
            p.a,
            p.b
        );
    }
}

// ---------------------------------------------------------------------------
// doppel dedup
// ---------------------------------------------------------------------------

fn doppel() -> Command {
    Command::cargo_bin("doppel").expect("the doppel binary is built")
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Out {
    let out = doppel().args(args).output().expect("doppel runs");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

/// (action, id, representative) per line of `--emit ids`.
fn decisions(stdout: &str) -> Vec<(String, String, String)> {
    stdout
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "{l:?}");
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect()
}

/// A corpus whose planted copies are all close to their original (J ≳ 0.8),
/// so every planted cluster is one cluster of near-duplicates at 0.5.
fn dedup_corpus(dir: &Path) -> (corpus::Planted, PathBuf) {
    let planted = corpus::planted(23, 1_200, 120, 260, 0.15, &[0.003, 0.01, 0.02]);
    let path = write_jsonl(dir, &planted.texts);
    (planted, path)
}

#[test]
fn dedup_collapses_every_planted_cluster_and_nothing_else() {
    let d = tempfile::tempdir().unwrap();
    let (planted, path) = dedup_corpus(d.path());
    let p = path.to_str().unwrap();
    let r = run(&["dedup", "--jsonl", p, "--threshold", "0.5"]);
    assert_eq!(
        r.code, 0,
        "duplicates found means exit 0; stderr:\n{}",
        r.stderr
    );
    assert!(r.stderr.is_empty(), "stderr not a terminal: {}", r.stderr);
    let dec = decisions(&r.stdout);
    assert_eq!(dec.len(), 1_200);
    let cluster_of: BTreeMap<usize, usize> = planted
        .clusters
        .iter()
        .enumerate()
        .flat_map(|(c, m)| m.iter().map(move |&d| (d, c)))
        .collect();
    assert!(planted.clusters.len() >= 60, "{}", planted.clusters.len());
    let idx = |id: &str| -> usize { id[1..].parse().unwrap() };
    for (i, (action, id, rep)) in dec.iter().enumerate() {
        assert_eq!(*id, format!("d{i}"), "one line per document, in order");
        match cluster_of.get(&i) {
            // Unrelated documents are all kept.
            None => assert_eq!((action.as_str(), rep), ("keep", id), "{id}"),
            // Each cluster keeps its first member, the original.
            Some(&c) => {
                let first = planted.clusters[c].iter().min().unwrap();
                assert_eq!(idx(rep), *first, "{id} in cluster {c}");
                let want = if i == *first { "keep" } else { "drop" };
                assert_eq!(action, want, "{id}");
            }
        }
    }
    // Same decisions with one thread.
    let one = run(&["dedup", "--jsonl", p, "--threshold", "0.5", "-j", "1"]);
    assert_eq!(one.stdout, r.stdout);
}

#[test]
fn dedup_keeps_the_longest_and_copies_kept_lines_byte_for_byte() {
    let d = tempfile::tempdir().unwrap();
    let (planted, path) = dedup_corpus(d.path());
    let p = path.to_str().unwrap();
    let r = run(&[
        "dedup",
        "--jsonl",
        p,
        "--threshold",
        "0.5",
        "--keep",
        "longest",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dec = decisions(&r.stdout);
    let chars = |i: usize| planted.texts[i].chars().count();
    for members in &planted.clusters {
        let longest = members.iter().map(|&m| chars(m)).max().unwrap();
        let kept: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&m| dec[m].0 == "keep")
            .collect();
        assert_eq!(kept.len(), 1, "cluster {members:?}");
        assert_eq!(chars(kept[0]), longest, "cluster {members:?}");
        // On a tie, the first of the longest.
        let first_longest = members
            .iter()
            .copied()
            .filter(|&m| chars(m) == longest)
            .min();
        assert_eq!(Some(kept[0]), first_longest);
        for &m in members {
            assert_eq!(dec[m].2, format!("d{}", kept[0]));
        }
    }
    // --emit jsonl: the kept lines, in order, byte for byte, atomically.
    let out = d.path().join("kept.jsonl");
    let r2 = run(&[
        "dedup",
        "--jsonl",
        p,
        "--threshold",
        "0.5",
        "--keep",
        "longest",
        "--emit",
        "jsonl",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r2.code, 0, "{}", r2.stderr);
    assert!(r2.stdout.is_empty());
    let input = std::fs::read_to_string(&path).unwrap();
    let want: String = input
        .lines()
        .zip(&dec)
        .filter(|(_, d)| d.0 == "keep")
        .map(|(l, _)| format!("{l}\n"))
        .collect();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), want);
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".doppel-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn dedup_exit_status_and_errors() {
    let d = tempfile::tempdir().unwrap();
    // No copies: nothing to drop, every document kept — and exit 0: dedup
    // is a filter, and `set -e` pipelines must go on.
    let planted = corpus::planted(3, 100, 80, 120, 0.0, &[]);
    let path = write_jsonl(d.path(), &planted.texts);
    let p = path.to_str().unwrap();
    let r = run(&["dedup", "--jsonl", p]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(decisions(&r.stdout).iter().all(|x| x.0 == "keep"));
    // `-o -` is standard output, not a file named "-".
    let out = doppel()
        .args(["dedup", "--jsonl", p, "-o", "-"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        decisions(&String::from_utf8(out.stdout).unwrap()).len(),
        100
    );
    assert!(!d.path().join("-").exists());
    // A reader that stops early (`| head -c 100`): exit 0, nothing said.
    {
        use std::io::Read;
        let big = corpus::planted(4, 3000, 200, 300, 0.0, &[]);
        let big_path = d.path().join("big");
        std::fs::create_dir(&big_path).unwrap();
        let big_path = write_jsonl(&big_path, &big.texts);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_doppel"))
            .args([
                "dedup",
                "--jsonl",
                big_path.to_str().unwrap(),
                "--emit",
                "jsonl",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut head = [0u8; 100];
        out.read_exact(&mut head).unwrap();
        drop(out);
        let done = child.wait_with_output().unwrap();
        assert_eq!(
            done.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        assert!(
            done.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
    }
    // A missing input: exit 2, named.
    let r = run(&["dedup", "--jsonl", p, "/no/such/file.jsonl"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/no/such/file.jsonl"), "{}", r.stderr);
    // An output into a missing directory fails before any work, no file.
    let r = run(&["dedup", "--jsonl", p, "-o", "/no/such/dir/out.tsv"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
    // A threshold out of range.
    let r = run(&["dedup", "--jsonl", p, "--threshold", "1.5"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--threshold"), "{}", r.stderr);
    // --stats prints the summary line even off a terminal.
    let r = run(&["dedup", "--jsonl", p, "--stats"]);
    let line = r.stderr.trim();
    assert!(
        line.starts_with("doppel: 100 documents,") && line.contains("peak memory"),
        "{line}"
    );
}

#[test]
fn scan_minhash_only_reports_the_streamed_pairs() {
    let d = tempfile::tempdir().unwrap();
    let (planted, path) = dedup_corpus(d.path());
    let p = path.to_str().unwrap();
    let r = run(&["scan", "--minhash-only", "--jsonl", p, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        json["documents"].as_array().unwrap().len(),
        planted.texts.len()
    );
    let pairs = json["pairs"].as_array().unwrap();
    let copies: usize = planted.clusters.iter().map(|c| c.len() - 1).sum();
    assert!(
        pairs.len() >= copies,
        "{} pairs, {copies} copies",
        pairs.len()
    );
    for pair in pairs {
        let j = pair["scores"]["jaccard"].as_f64().unwrap();
        assert!(j >= 0.5, "{pair}");
        assert!(pair["passages"].as_array().unwrap().is_empty());
    }
    // --align adds passages from the texts read again.
    let r = run(&[
        "scan",
        "--minhash-only",
        "--align",
        "--jsonl",
        p,
        "--format",
        "json",
        "--stats",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("doppel: 1200 documents,"),
        "{}",
        r.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let pairs = json["pairs"].as_array().unwrap();
    assert!(!pairs.is_empty());
    for pair in pairs {
        let passages = pair["passages"].as_array().unwrap();
        assert!(!passages.is_empty(), "{pair}");
        let a: usize = pair["a"].as_str().unwrap()[1..].parse().unwrap();
        let text = &planted.texts[a];
        let first = &passages[0]["a"];
        let (s, e) = (
            first["byte_start"].as_u64().unwrap() as usize,
            first["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(first["text"].as_str().unwrap(), &text[s..e]);
    }
}
