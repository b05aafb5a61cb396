//! `doppel bench-stage STAGE CORPUS.jsonl` (hidden): times one stage of the
//! engine on a JSON Lines corpus through the library's public API and prints
//! a JSON summary on stdout, for `scripts/bench/` to compare with peers.
//!
//! Stages:
//! - `sign`: read JSONL → normalise → word 5-gram shingles → MinHash
//!   signature of every document (parallel over documents).
//! - `lsh`: `sign`, then LSH bands tuned for `--threshold`, candidate pairs,
//!   and verification two ways: by the signatures' estimated Jaccard, and by
//!   the exact shingle Jaccard (a second pass over the corpus re-shingles
//!   only the documents that are in a candidate pair, so memory holds
//!   signatures, not shingle sets). `--out` gets every candidate pair with
//!   both measures. `--recall-weight` trades candidates for recall.
//! - `tfidf`: read → TF-IDF terms (stemmed, stop words dropped, as `scan`
//!   does) → vectors → all-pairs top-k cosine above `--cosine`. `--out` gets
//!   the neighbour pairs (row numbers) with their cosines, `--vectors DIR`
//!   the vectors as raw little-endian CSR arrays (`indptr.u64`,
//!   `indices.u32`, `data.f32`, `meta.json`) so peers compute on the very
//!   same vectors, `--terms FILE` each document's terms on one line.
//! - `jaccard`: exact shingle Jaccard of the id pairs in `--pairs` (JSONL
//!   `{"a": id, "b": id}`), written to `--out`.
//!
//! Timings cover the work from opening the corpus to the result in memory;
//! writing `--out`, `--vectors` and `--terms` is not timed.

use super::output::Output;
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use doppel::config::Config;
use doppel::lsh::{self, LshParams};
use doppel::minhash::{self, MinHasher, Signature};
use doppel::shingle::{self, WordShingler};
use doppel::text::{self, Analyzer};
use doppel::tfidf::{self, SparseVec, TfIdfModel, TfIdfOptions};
use doppel_report::Format;
use rayon::prelude::*;
use serde_json::json;
use std::borrow::Cow;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The stage to time.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Stage {
    /// Read, normalise, shingle, sign.
    Sign,
    /// Sign, LSH candidates, verification.
    Lsh,
    /// TF-IDF vectors and all-pairs top-k cosine.
    Tfidf,
    /// Exact Jaccard of given pairs.
    Jaccard,
}

/// Flags of `bench-stage`.
#[derive(Args, Debug)]
pub struct StageArgs {
    /// The stage to time.
    #[arg(value_enum)]
    pub stage: Stage,
    /// JSON Lines corpus, one `{"id": …, "text": …}` per line.
    pub corpus: PathBuf,
    /// Worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Values per MinHash signature.
    #[arg(long, default_value_t = Config::default().num_perm)]
    pub num_perm: usize,
    /// Word shingle length.
    #[arg(long, default_value_t = Config::default().shingle.size())]
    pub shingle_size: usize,
    /// Jaccard threshold of LSH and of verification (`lsh`).
    #[arg(long, default_value_t = Config::default().lsh_threshold)]
    pub threshold: f64,
    /// Weight of false negatives against false positives when the LSH
    /// bands are chosen (`lsh`; 0.5: equal, as `scan` does). A higher weight
    /// gives more candidates and fewer missed pairs; exact verification
    /// keeps precision.
    #[arg(long, default_value_t = 0.5)]
    pub recall_weight: f64,
    /// Cosine threshold (`tfidf`).
    #[arg(long, default_value_t = 0.3)]
    pub cosine: f32,
    /// Neighbours per document (`tfidf`).
    #[arg(long, default_value_t = Config::default().top_k)]
    pub top_k: usize,
    /// Pairs or neighbours found, as JSON Lines.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Directory for the TF-IDF vectors in CSR form (`tfidf`).
    #[arg(long, value_name = "DIR")]
    pub vectors: Option<PathBuf>,
    /// File for each document's TF-IDF terms, one document per line (`tfidf`).
    #[arg(long, value_name = "FILE")]
    pub terms: Option<PathBuf>,
    /// Id pairs to measure (`jaccard`), JSON Lines `{"a": id, "b": id}`.
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
}

/// One corpus line; fields borrow the line unless they hold escapes.
#[derive(serde::Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// Bytes read per batch (whole lines; a longer line makes a longer batch).
const BATCH_BYTES: u64 = 8 << 20;

/// Stream the corpus in batches of whole lines and hand every batch to `f`
/// with the index of its first document: the non-blank lines with their
/// line numbers, for `f` to parse (with [`parse`]) and process in parallel.
fn for_each_batch(
    path: &Path,
    mut f: impl FnMut(usize, &[(usize, &[u8])]) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let mut file = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
    let mut first = 0usize;
    // Line number of the first line in `buf`.
    let mut line_no = 1usize;
    // One buffer for the whole run (its pages are touched once): the lines
    // of a batch, then the start of the next line, moved to the front.
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let n = (&mut file)
            .take(BATCH_BYTES)
            .read_to_end(&mut buf)
            .with_context(|| format!("{}:{line_no}", path.display()))?;
        let cut = match buf.iter().rposition(|&b| b == b'\n') {
            _ if n == 0 => buf.len(),
            Some(p) => p + 1,
            None => continue,
        };
        if cut == 0 {
            return Ok(first);
        }
        let chunk = &buf[..cut];
        let lines: Vec<(usize, &[u8])> = chunk
            .split(|&b| b == b'\n')
            .enumerate()
            .map(|(i, line)| match line_no + i {
                // A byte order mark opening the file is no part of its
                // first line.
                1 => (1, line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)),
                n => (n, line),
            })
            .filter(|(_, line)| !line.trim_ascii().is_empty())
            .collect();
        line_no += chunk.iter().filter(|&&b| b == b'\n').count();
        f(first, &lines)?;
        first += lines.len();
        drop(lines);
        buf.drain(..cut);
    }
}

/// Parse line `no` of the corpus at `path`.
fn parse<'a>(path: &Path, no: usize, line: &'a [u8]) -> anyhow::Result<Record<'a>> {
    serde_json::from_slice::<Record>(line).with_context(|| {
        format!(
            "{}:{no}: not a JSON object with string fields \"id\" and \"text\"",
            path.display()
        )
    })
}

/// Word shingle set of a text, as `scan` computes it.
fn shingles(text: &str, n: usize) -> Vec<u64> {
    shingle::text_word_shingles(text, n)
}

/// Ids and signatures of every document.
fn sign_all(args: &StageArgs) -> anyhow::Result<(Vec<String>, Vec<Signature>)> {
    let hasher = MinHasher::new(args.num_perm);
    let mut ids = Vec::new();
    let mut sigs = Vec::new();
    for_each_batch(&args.corpus, |_, lines| {
        let batch: Vec<(String, Signature)> = lines
            .par_iter()
            .map_init(WordShingler::default, |s, &(no, line)| {
                let r = parse(&args.corpus, no, line)?;
                let sig = hasher.sign(s.hashes(&r.text, args.shingle_size));
                Ok((r.id.into_owned(), sig))
            })
            .collect::<anyhow::Result<_>>()?;
        for (id, sig) in batch {
            ids.push(id);
            sigs.push(sig);
        }
        Ok(())
    })?;
    Ok((ids, sigs))
}

/// Write a file atomically: a temporary file beside it, renamed when complete.
fn write_atomic(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut out = Output::open(path, Format::Json)?;
    {
        let mut w = BufWriter::with_capacity(1 << 20, out.writer());
        f(&mut w)
            .and_then(|_| w.flush())
            .with_context(|| format!("{}: write failed", path.display()))?;
    }
    out.finish()
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// Run the stage and print its JSON summary.
pub fn run(args: &StageArgs) -> anyhow::Result<ExitCode> {
    super::threads(args.threads)?;
    let summary = match args.stage {
        Stage::Sign => stage_sign(args)?,
        Stage::Lsh => stage_lsh(args)?,
        Stage::Tfidf => stage_tfidf(args)?,
        Stage::Jaccard => stage_jaccard(args)?,
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &summary)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

fn stage_sign(args: &StageArgs) -> anyhow::Result<serde_json::Value> {
    let t = Instant::now();
    let (ids, sigs) = sign_all(args)?;
    let seconds = secs(t);
    // A digest of every value: proves the work was done, and lets runs with
    // different thread counts be compared.
    let digest = sigs.iter().flat_map(|s| s.0.iter()).fold(0u64, |acc, &v| {
        (acc ^ v)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29)
    });
    Ok(json!({
        "stage": "sign",
        "docs": ids.len(),
        "threads": rayon::current_num_threads(),
        "num_perm": args.num_perm,
        "seconds": seconds,
        "digest": format!("{digest:016x}"),
    }))
}

fn stage_lsh(args: &StageArgs) -> anyhow::Result<serde_json::Value> {
    let t0 = Instant::now();
    let (ids, sigs) = sign_all(args)?;
    let sign_s = secs(t0);

    let t = Instant::now();
    if !(0.0..=1.0).contains(&args.recall_weight) {
        bail!("--recall-weight must be between 0 and 1");
    }
    let params = LshParams::optimal(
        args.threshold,
        args.num_perm,
        1.0 - args.recall_weight,
        args.recall_weight,
    );
    let keys: Vec<Vec<u64>> = sigs
        .par_iter()
        .map(|s| lsh::band_keys(s, &params))
        .collect();
    let candidates = lsh::candidate_pairs(&keys);
    drop(keys);
    let lsh_s = secs(t);

    let t = Instant::now();
    let estimates: Vec<f64> = candidates
        .par_iter()
        .map(|&(a, b)| minhash::estimate_jaccard(&sigs[a as usize], &sigs[b as usize]))
        .collect();
    let verify_estimate_s = secs(t);

    // Exact verification: re-shingle only the documents of candidate pairs.
    let t = Instant::now();
    let mut needed = vec![false; ids.len()];
    for &(a, b) in &candidates {
        needed[a as usize] = true;
        needed[b as usize] = true;
    }
    let mut sets: Vec<Option<Vec<u64>>> = vec![None; ids.len()];
    for_each_batch(&args.corpus, |first, lines| {
        let batch: Vec<(usize, Vec<u64>)> = lines
            .par_iter()
            .enumerate()
            .filter(|(i, _)| needed.get(first + i).copied().unwrap_or(false))
            .map(|(i, &(no, line))| {
                let r = parse(&args.corpus, no, line)?;
                Ok((first + i, shingles(&r.text, args.shingle_size)))
            })
            .collect::<anyhow::Result<_>>()?;
        for (i, s) in batch {
            sets[i] = Some(s);
        }
        Ok(())
    })?;
    let exact: Vec<f64> = candidates
        .par_iter()
        .map(|&(a, b)| match (&sets[a as usize], &sets[b as usize]) {
            (Some(x), Some(y)) => minhash::jaccard(x, y),
            _ => 0.0,
        })
        .collect();
    let verify_exact_s = secs(t);
    let total = secs(t0);

    let thr = args.threshold;
    let verified_estimate = estimates.iter().filter(|&&e| e >= thr).count();
    let verified_exact = exact.iter().filter(|&&e| e >= thr).count();
    if let Some(path) = &args.out {
        write_atomic(path, |w| {
            for (i, &(a, b)) in candidates.iter().enumerate() {
                let line = json!({
                    "a": ids[a as usize], "b": ids[b as usize],
                    "estimate": estimates[i], "jaccard": exact[i],
                });
                serde_json::to_writer(&mut *w, &line)?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
    }
    Ok(json!({
        "stage": "lsh",
        "docs": ids.len(),
        "threads": rayon::current_num_threads(),
        "num_perm": args.num_perm,
        "threshold": thr,
        "recall_weight": args.recall_weight,
        "bands": params.bands,
        "rows": params.rows,
        "candidates": candidates.len(),
        "verified_estimate": verified_estimate,
        "verified_exact": verified_exact,
        "seconds": total,
        "seconds_estimate_verified": sign_s + lsh_s + verify_estimate_s,
        "phases": {
            "sign": sign_s, "lsh": lsh_s,
            "verify_estimate": verify_estimate_s, "verify_exact": verify_exact_s,
        },
    }))
}

fn stage_tfidf(args: &StageArgs) -> anyhow::Result<serde_json::Value> {
    let t0 = Instant::now();
    let analyzer = Analyzer::new(true, true);
    let mut terms: Vec<Vec<String>> = Vec::new();
    for_each_batch(&args.corpus, |_, lines| {
        let batch: Vec<Vec<String>> = lines
            .par_iter()
            .map(|&(no, line)| {
                let r = parse(&args.corpus, no, line)?;
                Ok(analyzer.terms(&text::tokenize(&r.text)))
            })
            .collect::<anyhow::Result<_>>()?;
        terms.extend(batch);
        Ok(())
    })?;
    let analyse_s = secs(t0);
    let t = Instant::now();
    let (model, vecs) = TfIdfModel::fit_transform(&terms, TfIdfOptions::default());
    let vectorise_s = secs(t);
    let t = Instant::now();
    let pairs = tfidf::top_k_pairs(&vecs, args.cosine, args.top_k);
    let top_k_s = secs(t);
    let total = secs(t0);

    if let Some(path) = &args.out {
        write_atomic(path, |w| {
            for p in &pairs {
                serde_json::to_writer(&mut *w, &json!({"a": p.a, "b": p.b, "cosine": p.cosine}))?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
    }
    if let Some(dir) = &args.vectors {
        write_csr(dir, &vecs, model.vocabulary_len())?;
    }
    if let Some(path) = &args.terms {
        write_atomic(path, |w| {
            for doc in &terms {
                w.write_all(doc.join(" ").as_bytes())?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
    }
    let nnz: usize = vecs.iter().map(SparseVec::len).sum();
    Ok(json!({
        "stage": "tfidf",
        "docs": vecs.len(),
        "threads": rayon::current_num_threads(),
        "vocabulary": model.vocabulary_len(),
        "nnz": nnz,
        "cosine": args.cosine,
        "top_k": args.top_k,
        "pairs": pairs.len(),
        "seconds": total,
        "phases": {"analyse": analyse_s, "vectorise": vectorise_s, "top_k": top_k_s},
    }))
}

/// The vectors as CSR arrays in little-endian binary files, with their shape
/// in `meta.json`.
fn write_csr(dir: &Path, vecs: &[SparseVec], cols: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}", dir.display()))?;
    write_atomic(&dir.join("indptr.u64"), |w| {
        let mut at = 0u64;
        w.write_all(&at.to_le_bytes())?;
        for v in vecs {
            at += v.len() as u64;
            w.write_all(&at.to_le_bytes())?;
        }
        Ok(())
    })?;
    write_atomic(&dir.join("indices.u32"), |w| {
        for v in vecs {
            for t in &v.terms {
                w.write_all(&t.to_le_bytes())?;
            }
        }
        Ok(())
    })?;
    write_atomic(&dir.join("data.f32"), |w| {
        for v in vecs {
            for x in &v.weights {
                w.write_all(&x.to_le_bytes())?;
            }
        }
        Ok(())
    })?;
    let nnz: usize = vecs.iter().map(SparseVec::len).sum();
    write_atomic(&dir.join("meta.json"), |w| {
        serde_json::to_writer(
            &mut *w,
            &json!({"rows": vecs.len(), "cols": cols, "nnz": nnz}),
        )?;
        Ok(())
    })
}

fn stage_jaccard(args: &StageArgs) -> anyhow::Result<serde_json::Value> {
    let Some(pairs_path) = &args.pairs else {
        bail!("the jaccard stage needs --pairs FILE");
    };
    #[derive(serde::Deserialize)]
    struct IdPair {
        a: String,
        b: String,
    }
    let text =
        std::fs::read_to_string(pairs_path).with_context(|| format!("{}", pairs_path.display()))?;
    let mut pairs = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let p: IdPair = serde_json::from_str(line).with_context(|| {
            format!(
                "{}:{}: expected {{\"a\": id, \"b\": id}}",
                pairs_path.display(),
                i + 1
            )
        })?;
        pairs.push(p);
    }
    let t0 = Instant::now();
    let wanted: ahash::AHashSet<&str> = pairs
        .iter()
        .flat_map(|p| [p.a.as_str(), p.b.as_str()])
        .collect();
    let mut sets: ahash::AHashMap<String, Vec<u64>> = ahash::AHashMap::new();
    for_each_batch(&args.corpus, |_, lines| {
        let batch: Vec<(String, Vec<u64>)> = lines
            .par_iter()
            .map(|&(no, line)| parse(&args.corpus, no, line))
            .filter(|r| r.as_ref().map_or(true, |r| wanted.contains(r.id.as_ref())))
            .map(|r| {
                let r = r?;
                Ok((r.id.to_string(), shingles(&r.text, args.shingle_size)))
            })
            .collect::<anyhow::Result<_>>()?;
        sets.extend(batch);
        Ok(())
    })?;
    let mut missing = Vec::new();
    let measured: Vec<f64> = pairs
        .iter()
        .map(|p| match (sets.get(&p.a), sets.get(&p.b)) {
            (Some(x), Some(y)) => minhash::jaccard(x, y),
            _ => {
                missing.push(if sets.contains_key(&p.a) { &p.b } else { &p.a });
                0.0
            }
        })
        .collect();
    if let Some(id) = missing.first() {
        bail!(
            "{}: id {id} is not in {}",
            pairs_path.display(),
            args.corpus.display()
        );
    }
    let seconds = secs(t0);
    if let Some(path) = &args.out {
        write_atomic(path, |w| {
            for (p, j) in pairs.iter().zip(&measured) {
                serde_json::to_writer(&mut *w, &json!({"a": p.a, "b": p.b, "jaccard": j}))?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
    }
    Ok(json!({"stage": "jaccard", "pairs": pairs.len(), "seconds": seconds}))
}
