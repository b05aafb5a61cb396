//! Benchmark of the reference index on generated text: build time and
//! bytes on disk per document for a reference of stated size, then `check`
//! throughput (documents/s) and per-document latency (p50/p99) for 10,000
//! new documents, in near-duplicate and in full mode. Writes
//! `reports/bench-index.md`.
//!
//! ```sh
//! cargo bench --bench index                              # 100,000 reference documents
//! cargo bench --bench index -- --docs 100000,1000000     # and a million (the committed report)
//! ```
//!
//! Flags after `--`: `--docs N[,N…]` (reference sizes, one section each),
//! `--new N` (new documents), `--report PATH` (where the Markdown goes), `--dir PATH`
//! (where the index is built; default a temporary directory), `--keep`
//! (leave the index and the new documents there).
//!
//! Run by `cargo test --all-targets` (without `--bench`) it checks a small
//! version end to end — planted near-duplicates must be found — and writes
//! nothing.
//!
//! Text: a deterministic generator of pseudo-words with Zipf-distributed
//! frequencies (a few very common words, a long tail of rare ones), in
//! sentences of 8–24 words, documents of 120–320 words (about 1.4 KB).
//! New documents: 30% near-duplicates of a random reference document (one
//! word in 40 replaced), 10% rewrites (rare words kept, common words
//! replaced, each sentence's words reversed: shingles differ, vocabulary
//! matches) and
//! 60% unrelated documents.
//!
//! Throughput is measured as `doppel check` runs, in batches of 256 over all
//! cores, and set beside a floor measured in the same run: only computing
//! the new documents' features (tokens, terms, shingles, signature), which
//! any check must do. Latency is the time to check one document alone, on
//! one thread.

use doppel::config::Config;
use doppel::corpus::Document;
use doppel::minhash::MinHasher;
use doppel::pipeline;
use doppel::text::Analyzer;
use doppel_index::check::{Checker, Mode};
use doppel_index::{Builder, Index, IndexParams};
use doppel_synth::SplitMix64;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

/// Pseudo-words with Zipf (s = 1) frequencies.
struct Words {
    vocab: Vec<String>,
    cdf: Vec<f64>,
}

impl Words {
    const SIZE: usize = 50_000;

    fn new() -> Words {
        const SYL: [&str; 24] = [
            "ka", "lo", "mi", "ten", "ra", "vo", "sel", "dun", "pri", "ma", "gor", "el", "tis",
            "bu", "nar", "quo", "fen", "da", "ril", "so", "wex", "ju", "pan", "hob",
        ];
        // Distinct by construction: the syllables spell the rank in base 24.
        let vocab = (0..Self::SIZE)
            .map(|mut r| {
                let mut w = String::new();
                loop {
                    w.push_str(SYL[r % 24]);
                    r /= 24;
                    if r == 0 {
                        break;
                    }
                }
                if w.len() < 4 {
                    w.push_str("an");
                }
                w
            })
            .collect();
        let mut acc = 0.0;
        let cdf = (0..Self::SIZE)
            .map(|r| {
                acc += 1.0 / (r as f64 + 1.0);
                acc
            })
            .collect();
        Words { vocab, cdf }
    }

    fn draw(&self, rng: &mut SplitMix64) -> usize {
        let u = rng.unit() * self.cdf[Self::SIZE - 1];
        self.cdf.partition_point(|&c| c <= u).min(Self::SIZE - 1)
    }

    /// Word ranks of a document, as sentences.
    fn document(&self, seed: u64) -> Vec<Vec<usize>> {
        let mut rng = SplitMix64::new(seed);
        let target = rng.between(120, 320);
        let mut out = Vec::new();
        let mut n = 0;
        while n < target {
            let len = rng.between(8, 24);
            out.push((0..len).map(|_| self.draw(&mut rng)).collect::<Vec<_>>());
            n += len;
        }
        out
    }

    fn text(&self, sentences: &[Vec<usize>]) -> String {
        let mut t = String::new();
        for s in sentences {
            if !t.is_empty() {
                t.push(' ');
            }
            for (i, &w) in s.iter().enumerate() {
                let word = &self.vocab[w];
                if i == 0 {
                    t.push_str(&word[..1].to_uppercase());
                    t.push_str(&word[1..]);
                } else {
                    t.push(' ');
                    t.push_str(word);
                }
            }
            t.push('.');
        }
        t
    }
}

const REF_SEED: u64 = 0x5EED_0001;
const NEW_SEED: u64 = 0x5EED_0002;

fn reference_doc(words: &Words, i: usize) -> Document {
    let s = words.document(REF_SEED ^ (i as u64).wrapping_mul(0x9E37_79B9));
    Document::new(format!("ref-{i:07}"), words.text(&s))
}

/// What a new document was made from.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    NearDuplicate(usize),
    Rewrite(usize),
    Fresh,
}

fn new_docs(words: &Words, n: usize, n_ref: usize) -> Vec<(Document, Kind)> {
    (0..n)
        .into_par_iter()
        .map(|k| {
            let mut rng = SplitMix64::new(NEW_SEED ^ (k as u64).wrapping_mul(0x2545_F491));
            let id = format!("new-{k:05}");
            let (sentences, kind) = match k % 10 {
                0..=2 => {
                    let j = rng.below(n_ref);
                    let mut s = words.document(REF_SEED ^ (j as u64).wrapping_mul(0x9E37_79B9));
                    let mut i = 0;
                    for sent in &mut s {
                        for w in sent.iter_mut() {
                            if i % 40 == 20 {
                                *w = words.draw(&mut rng);
                            }
                            i += 1;
                        }
                    }
                    (s, Kind::NearDuplicate(j))
                }
                3 => {
                    let j = rng.below(n_ref);
                    let mut s = words.document(REF_SEED ^ (j as u64).wrapping_mul(0x9E37_79B9));
                    for sent in &mut s {
                        for w in sent.iter_mut() {
                            if *w < 300 {
                                *w = rng.below(300);
                            }
                        }
                        sent.reverse();
                    }
                    (s, Kind::Rewrite(j))
                }
                _ => (
                    words.document(NEW_SEED ^ 0xF00D ^ (k as u64) << 20),
                    Kind::Fresh,
                ),
            };
            (Document::new(id, words.text(&sentences)), kind)
        })
        .collect()
}

/// CPU seconds (user + system) used so far by this process, or with
/// `children` by its finished children, from Linux `/proc/self/stat`
/// (clock ticks of 1/100 s); 0 elsewhere. Wall time on a shared machine
/// depends on the other processes; CPU time much less.
fn cpu_seconds(children: bool) -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some((_, after)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    // After the command name: state is field 3, utime 14, stime 15,
    // cutime 16, cstime 17.
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    let at = if children { 13 } else { 11 };
    match (f.get(at), f.get(at + 1)) {
        (Some(u), Some(s)) => (u + s) / 100.0,
        _ => 0.0,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    percentile(&v, 0.5)
}

struct Found {
    near: (usize, usize),
    rewrite: (usize, usize),
    /// Rewrites whose source was a candidate (compared), flagged or not.
    rewrite_candidates: usize,
    fresh_flagged: usize,
}

/// Check every new document in batches of 256; (wall seconds, CPU seconds,
/// what was found).
fn throughput(index: &Index, new: &[(Document, Kind)], mode: Mode) -> (f64, f64, Found) {
    let docs: Vec<Document> = new.iter().map(|(d, _)| d.clone()).collect();
    let mut found = Found {
        near: (0, 0),
        rewrite: (0, 0),
        rewrite_candidates: 0,
        fresh_flagged: 0,
    };
    let (start, cpu) = (Instant::now(), cpu_seconds(false));
    let mut checker = Checker::new(index, &Config::default(), mode).expect("checker");
    checker.expect(docs.len()).expect("vocabulary");
    let mut results = Vec::with_capacity(docs.len());
    for batch in docs.chunks(256) {
        // As `doppel check` does: results taken apart (and their analyses
        // freed) in parallel.
        let part: Vec<(Vec<String>, Vec<String>)> = checker
            .check(batch)
            .expect("check")
            .into_par_iter()
            .map(|c| {
                let ids = |flagged: bool| {
                    c.matches
                        .iter()
                        .filter(|m| !flagged || m.pair.verdict.is_flagged())
                        .map(|m| m.reference.document.id.clone())
                        .collect::<Vec<_>>()
                };
                (ids(true), ids(false))
            })
            .collect();
        results.extend(part);
    }
    drop(checker);
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds(false) - cpu;
    for ((_, kind), (flagged, compared)) in new.iter().zip(&results) {
        match *kind {
            Kind::NearDuplicate(j) => {
                found.near.1 += 1;
                found.near.0 += flagged.contains(&format!("ref-{j:07}")) as usize;
            }
            Kind::Rewrite(j) => {
                found.rewrite.1 += 1;
                found.rewrite.0 += flagged.contains(&format!("ref-{j:07}")) as usize;
                found.rewrite_candidates += compared.contains(&format!("ref-{j:07}")) as usize;
            }
            Kind::Fresh => found.fresh_flagged += !flagged.is_empty() as usize,
        }
    }
    (secs, cpu, found)
}

/// Time to check each document alone, on one thread, in milliseconds.
fn latencies(path: &std::path::Path, new: &[(Document, Kind)], mode: Mode) -> Vec<f64> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool");
    pool.install(|| {
        // A connection is used by one thread at a time: open one here.
        let index = Index::open_read_only(path).expect("open index");
        let mut checker = Checker::new(&index, &Config::default(), mode).expect("checker");
        let mut out: Vec<f64> = new
            .iter()
            .map(|(d, _)| {
                let t = Instant::now();
                checker.check(std::slice::from_ref(d)).expect("check");
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        out.sort_by(f64::total_cmp);
        out
    })
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Everything measured for one reference size.
struct SizeResult {
    n_ref: usize,
    build_secs: f64,
    file_bytes: u64,
    text_bytes: u64,
    tables: Vec<(String, u64)>,
    floor: f64,
    /// (mode, wall seconds, CPU seconds, latencies, found)
    rows: Vec<(&'static str, f64, f64, Vec<f64>, Found)>,
    /// (mode, wall seconds, CPU seconds)
    cli: Vec<(&'static str, f64, f64)>,
    load: (String, String),
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bench = args.iter().any(|a| a == "--bench");
    let sizes: Vec<usize> = arg(&args, "--docs")
        .map(|s| {
            s.split(',')
                .map(|n| n.trim().parse().expect("--docs N[,N…]"))
                .collect()
        })
        .unwrap_or_else(|| vec![if bench { 100_000 } else { 400 }]);
    let n_new: usize = arg(&args, "--new")
        .map(|s| s.parse().expect("--new N"))
        .unwrap_or(if bench { 10_000 } else { 200 });
    let report_path =
        PathBuf::from(arg(&args, "--report").unwrap_or_else(|| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/reports/bench-index.md").into()
        }));
    let temp = tempfile::tempdir().expect("temporary directory");
    let dir = arg(&args, "--dir")
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    let keep = args.iter().any(|a| a == "--keep");
    let words = Words::new();
    let results: Vec<SizeResult> = sizes
        .iter()
        .map(|&n| run_size(n, n_new, bench, &dir, &words, keep))
        .collect();
    if bench {
        let report = render(&results, n_new, rayon::current_num_threads(), &args);
        std::fs::write(&report_path, report).expect("write the report");
        eprintln!("bench-index: wrote {}", report_path.display());
    }
}

#[allow(clippy::too_many_arguments)]
fn run_size(
    n_ref: usize,
    n_new: usize,
    bench: bool,
    dir: &std::path::Path,
    words: &Words,
    keep: bool,
) -> SizeResult {
    let path = dir.join("bench-index.db");
    let cfg = Config::default();
    let log = |s: &str| eprintln!("bench-index [{n_ref}]: {s}");
    let load_before = loadavg();

    // Build, in rounds of 50,000 documents (one transaction each); text
    // generation is not timed.
    let _ = std::fs::remove_file(&path);
    let mut build_secs = 0.0;
    let mut text_bytes = 0u64;
    let t = Instant::now();
    let mut builder = Builder::new(&path, &IndexParams::from_config(&cfg), true).expect("builder");
    build_secs += t.elapsed().as_secs_f64();
    for start in (0..n_ref).step_by(50_000) {
        let docs: Vec<Document> = (start..(start + 50_000).min(n_ref))
            .into_par_iter()
            .map(|i| reference_doc(words, i))
            .collect();
        text_bytes += docs.iter().map(|d| d.text.len() as u64).sum::<u64>();
        let t = Instant::now();
        builder.add(&docs).expect("add");
        build_secs += t.elapsed().as_secs_f64();
        log(&format!(
            "indexed {} ({build_secs:.0} s)",
            start + docs.len()
        ));
    }
    let t = Instant::now();
    builder.finish().expect("finish");
    build_secs += t.elapsed().as_secs_f64();
    let file_bytes = std::fs::metadata(&path).expect("index file").len();
    let tables: Vec<(String, u64)> = {
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open");
        let mut st = conn
            .prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
            .expect("dbstat");
        st.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
            .expect("dbstat")
            .collect::<Result<_, _>>()
            .expect("dbstat")
    };
    log(&format!(
        "built in {build_secs:.1} s, {file_bytes} bytes ({:.0} per document)",
        file_bytes as f64 / n_ref as f64
    ));

    // New documents.
    let new = new_docs(words, n_new, n_ref);
    let index = Index::open_read_only(&path).expect("open index");

    // The floor: features of the new documents, in parallel.
    let analyzer = Analyzer::new(cfg.stem, cfg.stop_words);
    let hasher = MinHasher::new(cfg.num_perm);
    let runs = if bench { 3 } else { 1 };
    let floor = median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                let n: usize = new
                    .par_iter()
                    .map(|(d, _)| {
                        pipeline::features(&d.text, &cfg, &analyzer, &hasher)
                            .shingles
                            .len()
                    })
                    .sum();
                std::hint::black_box(n);
                t.elapsed().as_secs_f64()
            })
            .collect(),
    );

    let mut rows = Vec::new();
    for (mode, name) in [
        (Mode::NearDuplicate, "near-duplicate"),
        (Mode::Full, "full"),
    ] {
        let mut secs = Vec::new();
        let mut cpus = Vec::new();
        let mut found = None;
        for _ in 0..runs {
            let (s, c, f) = throughput(&index, &new, mode);
            secs.push(s);
            cpus.push(c);
            found = Some(f);
        }
        let (secs, cpu) = (median(secs), median(cpus));
        let found = found.expect("at least one run");
        let lat = latencies(&path, &new, mode);
        log(&format!(
            "{name}: {:.0} documents/s, {:.2} CPU ms each; p50 {:.2} ms, p99 {:.2} ms; near-duplicates found {}/{}, rewrites {}/{} (candidates {})",
            n_new as f64 / secs,
            cpu * 1e3 / n_new as f64,
            percentile(&lat, 0.5),
            percentile(&lat, 0.99),
            found.near.0,
            found.near.1,
            found.rewrite.0,
            found.rewrite.1,
            found.rewrite_candidates
        ));
        if !bench {
            assert_eq!(
                found.near.0, found.near.1,
                "{name}: every planted near-duplicate is found"
            );
            if mode == Mode::Full {
                assert!(
                    found.rewrite.0 * 10 >= found.rewrite.1 * 9,
                    "full mode finds the rewrites: {}/{}",
                    found.rewrite.0,
                    found.rewrite.1
                );
            }
        }
        rows.push((name, secs, cpu, lat, found));
    }

    // The binary end to end: reading JSON Lines, writing JSON Lines.
    let jsonl = dir.join("bench-new.jsonl");
    let mut lines = String::new();
    for (d, _) in &new {
        lines.push_str(&serde_json::json!({"id": d.id, "text": d.text}).to_string());
        lines.push('\n');
    }
    std::fs::write(&jsonl, lines).expect("write new documents");
    let mut cli = Vec::new();
    for name in ["near-duplicate", "full"] {
        let mut cpus = Vec::new();
        let secs = median(
            (0..runs)
                .map(|_| {
                    let (t, cpu) = (Instant::now(), cpu_seconds(true));
                    let status = std::process::Command::new(env!("CARGO_BIN_EXE_doppel"))
                        .args(["check", "--jsonl", "--format", "jsonl", "--mode", name])
                        .arg("--index")
                        .arg(&path)
                        .arg(&jsonl)
                        .stdout(std::process::Stdio::null())
                        .status()
                        .expect("doppel runs");
                    assert!(status.code() == Some(0), "doppel check failed: {status}");
                    cpus.push(cpu_seconds(true) - cpu);
                    t.elapsed().as_secs_f64()
                })
                .collect(),
        );
        let cpu = median(cpus);
        log(&format!(
            "binary, {name}: {:.0} documents/s, {:.2} CPU ms each",
            n_new as f64 / secs,
            cpu * 1e3 / n_new as f64
        ));
        cli.push((name, secs, cpu));
    }
    drop(index);
    if !keep {
        let _ = std::fs::remove_file(&path);
    }
    SizeResult {
        n_ref,
        build_secs,
        file_bytes,
        text_bytes,
        tables,
        floor,
        rows,
        cli,
        load: (load_before, loadavg()),
    }
}

fn render(results: &[SizeResult], n_new: usize, threads: usize, args: &[String]) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let extra: Vec<&str> = args
        .iter()
        .skip(1)
        .filter(|a| *a != "--bench")
        .map(String::as_str)
        .collect();
    let command = if extra.is_empty() {
        "cargo bench --bench index".to_string()
    } else {
        format!("cargo bench --bench index -- {}", extra.join(" "))
    };
    let mut s = String::new();
    let _ = writeln!(s, "# Reference index benchmark\n");
    let _ = writeln!(
        s,
        "Produced by `{command}` (doppel {}, SQLite {}; {threads} threads on {cpu}). \
         This report covers `doppel index` and `doppel check` only; `reports/bench.md` \
         is another report, on the scan pipeline.\n",
        env!("CARGO_PKG_VERSION"),
        rusqlite::version()
    );
    let _ = writeln!(
        s,
        "Generated text (see `benches/index.rs`): Zipf-distributed pseudo-words, documents \
         of 120–320 words. Default engine settings: word 5-gram shingles, 128 MinHash values, \
         LSH tuned for Jaccard 0.5 (25 bands of 5 rows), cosine threshold 0.2, top 10. \
         {n_new} new documents: 30% near-duplicates of a reference document (one word in 40 \
         replaced), 10% rewrites (common words replaced, each sentence's words reversed: few \
         shared shingles, same vocabulary), 60% unrelated.\n"
    );
    let _ = writeln!(
        s,
        "Check throughput: batches of 256 over {threads} threads through the library, median \
         of 3 runs; the binary end to end (`doppel check --jsonl new.jsonl --format jsonl`, \
         output to /dev/null), median of 3. CPU time (user and system, from /proc) is given \
         beside wall time: on a machine shared with other work, wall time depends on that \
         work, CPU time much less. Latency: each document checked alone on one thread. \
         The *floor* is what any check must do — tokenise, stem, shingle and sign each new \
         document — measured in the same run.\n"
    );
    let _ = writeln!(s, "## Summary\n");
    let _ = writeln!(
        s,
        "| reference documents | build | bytes per document | check, near-duplicate mode | p50 | p99 | check, full mode | p50 | p99 | floor |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in results {
        let rate = |secs: f64| n_new as f64 / secs;
        let mut line = format!(
            "| {} | {:.0} s ({:.0} documents/s) | {:.0} |",
            r.n_ref,
            r.build_secs,
            r.n_ref as f64 / r.build_secs,
            r.file_bytes as f64 / r.n_ref as f64
        );
        for (_, secs, _, lat, _) in &r.rows {
            let _ = write!(
                line,
                " {:.0} documents/s | {:.2} ms | {:.2} ms |",
                rate(*secs),
                percentile(lat, 0.5),
                percentile(lat, 0.99)
            );
        }
        let _ = write!(line, " {:.0} documents/s |", rate(r.floor));
        let _ = writeln!(s, "{line}");
    }
    for r in results {
        let n = r.n_ref as f64;
        let _ = writeln!(s, "\n## {} reference documents\n", r.n_ref);
        let _ = writeln!(
            s,
            "Load average (1 min) at the start and the end of this size: {} and {} — other \
             processes shared the machine.\n",
            r.load.0, r.load.1
        );
        let _ = writeln!(
            s,
            "| build time | documents/s | index size | bytes per document | text bytes per document |"
        );
        let _ = writeln!(s, "|---:|---:|---:|---:|---:|");
        let _ = writeln!(
            s,
            "| {:.1} s | {:.0} | {:.1} MB | {:.0} | {:.0} |\n",
            r.build_secs,
            n / r.build_secs,
            r.file_bytes as f64 / 1e6,
            r.file_bytes as f64 / n,
            r.text_bytes as f64 / n
        );
        let _ = writeln!(s, "Where the bytes go (SQLite `dbstat`):\n");
        let _ = writeln!(s, "| table or index | bytes per document | share |");
        let _ = writeln!(s, "|---|---:|---:|");
        let total: u64 = r.tables.iter().map(|t| t.1).sum();
        for (name, bytes) in &r.tables {
            if (*bytes as f64) < n {
                continue;
            }
            let _ = writeln!(
                s,
                "| `{name}` | {:.0} | {:.1}% |",
                *bytes as f64 / n,
                *bytes as f64 * 100.0 / total.max(1) as f64
            );
        }
        let _ = writeln!(
            s,
            "\n| check | documents/s | CPU ms per document | binary: documents/s | binary: CPU ms per document | latency p50 | p99 | near-duplicates found | rewrites found | unrelated flagged |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for ((name, secs, cpu, lat, f), (_, cli, cli_cpu)) in r.rows.iter().zip(&r.cli) {
            let _ = writeln!(
                s,
                "| {name} | {:.0} | {:.3} | {:.0} | {:.3} | {:.2} ms | {:.2} ms | {}/{} | {}/{} | {} |",
                n_new as f64 / secs,
                cpu * 1e3 / n_new as f64,
                n_new as f64 / cli,
                cli_cpu * 1e3 / n_new as f64,
                percentile(lat, 0.5),
                percentile(lat, 0.99),
                f.near.0,
                f.near.1,
                f.rewrite.0,
                f.rewrite.1,
                f.fresh_flagged
            );
        }
        let _ = writeln!(
            s,
            "| *floor: features only* | {:.0} | | | | | | | | |",
            n_new as f64 / r.floor
        );
    }
    s
}
