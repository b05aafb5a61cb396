//! `doppel bench-stage` (hidden, used by scripts/bench/) on a generated
//! corpus: the same signatures whatever the thread count, the planted
//! near-duplicates found and verified, TF-IDF vectors written in the CSR
//! form the Python peers read, and clear errors on bad input.

use assert_cmd::Command;
use doppel_synth::{self as synth, Synth, Truth};
use std::collections::HashSet;
use std::path::Path;

fn corpus(dir: &Path, docs: usize) -> (std::path::PathBuf, Vec<Truth>) {
    let path = dir.join("corpus.jsonl");
    let mut c = Vec::new();
    let mut t = Vec::new();
    synth::write_corpus(&Synth::new(docs, 4), &mut c, &mut t).expect("generate");
    std::fs::write(&path, c).expect("write corpus");
    let truth = t
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("truth"))
        .collect();
    (path, truth)
}

fn stage(args: &[&str]) -> serde_json::Value {
    let out = Command::cargo_bin("doppel")
        .expect("binary")
        .arg("bench-stage")
        .args(args)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON summary")
}

#[test]
fn sign_is_the_same_on_one_and_two_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = corpus(dir.path(), 300);
    let p = path.to_str().expect("utf-8 path");
    let one = stage(&["sign", p, "-j", "1"]);
    let two = stage(&["sign", p, "-j", "2"]);
    assert_eq!(one["docs"], 300);
    assert_eq!(one["digest"], two["digest"]);
}

/// A corpus file opening with a UTF-8 byte order mark signs as without it
/// (its first line is JSON after the mark).
#[test]
fn a_byte_order_mark_opening_the_corpus_is_no_part_of_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = corpus(dir.path(), 50);
    let marked = dir.path().join("bom.jsonl");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(&path).expect("read"));
    std::fs::write(&marked, bytes).expect("write");
    let plain = stage(&["sign", path.to_str().expect("path")]);
    let bom = stage(&["sign", marked.to_str().expect("path")]);
    assert_eq!(bom["docs"], 50);
    assert_eq!(bom["digest"], plain["digest"]);
}

#[test]
fn lsh_finds_and_verifies_the_planted_near_duplicates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, truth) = corpus(dir.path(), 1500);
    let out = dir.path().join("pairs.jsonl");
    let s = stage(&[
        "lsh",
        path.to_str().expect("path"),
        "-j",
        "2",
        "--recall-weight",
        "0.9",
        "--out",
        out.to_str().expect("path"),
    ]);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .expect("pairs")
        .lines()
        .map(|l| serde_json::from_str(l).expect("pair"))
        .collect();
    assert_eq!(
        lines.len(),
        s["candidates"].as_u64().expect("count") as usize
    );
    let verified: HashSet<(String, String)> = lines
        .iter()
        .filter(|l| l["jaccard"].as_f64().expect("j") >= 0.5)
        .map(|l| {
            let (a, b) = (l["a"].as_str().expect("a"), l["b"].as_str().expect("b"));
            (a.min(b).to_string(), a.max(b).to_string())
        })
        .collect();
    assert_eq!(
        verified.len(),
        s["verified_exact"].as_u64().expect("n") as usize
    );
    let want: Vec<&Truth> = truth.iter().filter(|t| t.jaccard >= 0.5).collect();
    assert!(want.len() > 30);
    let found = want
        .iter()
        .filter(|t| {
            verified.contains(&(t.a.clone().min(t.b.clone()), t.a.clone().max(t.b.clone())))
        })
        .count();
    assert!(found * 100 >= want.len() * 90, "{found} of {}", want.len());
    // The exact Jaccard written for a planted pair is the truth's.
    for l in &lines {
        let (a, b) = (l["a"].as_str().expect("a"), l["b"].as_str().expect("b"));
        if let Some(t) = truth
            .iter()
            .find(|t| (t.a == a && t.b == b) || (t.a == b && t.b == a))
        {
            assert!((l["jaccard"].as_f64().expect("j") - t.jaccard).abs() < 1e-12);
        }
    }
}

#[test]
fn tfidf_writes_csr_vectors_and_neighbours() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = corpus(dir.path(), 400);
    let vec = dir.path().join("vec");
    let out = dir.path().join("nb.jsonl");
    let s = stage(&[
        "tfidf",
        path.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--vectors",
        vec.to_str().expect("path"),
    ]);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(vec.join("meta.json")).expect("meta")).expect("json");
    assert_eq!(meta["rows"], 400);
    let nnz = meta["nnz"].as_u64().expect("nnz") as usize;
    assert_eq!(s["nnz"].as_u64().expect("nnz") as usize, nnz);
    let indptr = std::fs::read(vec.join("indptr.u64")).expect("indptr");
    assert_eq!(indptr.len(), 401 * 8);
    let last = u64::from_le_bytes(indptr[400 * 8..].try_into().expect("8 bytes"));
    assert_eq!(last as usize, nnz);
    assert_eq!(
        std::fs::read(vec.join("indices.u32"))
            .expect("indices")
            .len(),
        nnz * 4
    );
    let data = std::fs::read(vec.join("data.f32")).expect("data");
    assert_eq!(data.len(), nnz * 4);
    // Rows are L2-normalised.
    let row0_end = u64::from_le_bytes(indptr[8..16].try_into().expect("8 bytes")) as usize;
    let norm: f64 = data[..row0_end * 4]
        .chunks_exact(4)
        .map(|b| f64::from(f32::from_le_bytes(b.try_into().expect("4 bytes"))).powi(2))
        .sum();
    assert!((norm - 1.0).abs() < 1e-5, "{norm}");
    let pairs = std::fs::read_to_string(&out).expect("neighbours");
    assert_eq!(
        pairs.lines().count(),
        s["pairs"].as_u64().expect("n") as usize
    );
    assert!(pairs.lines().count() > 0);
}

#[test]
fn bad_jsonl_is_named_with_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.jsonl");
    std::fs::write(&path, "{\"id\": \"a\", \"text\": \"x y z\"}\n{\"id\": 3}\n").expect("write");
    Command::cargo_bin("doppel")
        .expect("binary")
        .args(["bench-stage", "sign"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.jsonl:2"));
    Command::cargo_bin("doppel")
        .expect("binary")
        .args(["bench-stage", "jaccard"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--pairs"));
}
