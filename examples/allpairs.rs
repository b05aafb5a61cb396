//! Speed of the prefix-filtered all-pairs cosine search
//! ([`tfidf::top_k_pairs`]) against the plain inverted index it replaced
//! ([`tfidf::top_k_pairs_unpruned`]), on the same generated vectors, in the
//! same run.
//!
//! ```sh
//! cargo run --release --example allpairs -- [DOCS…]   # default: 20000 50000 100000
//! ```
//!
//! Documents are term lists drawn from a Zipf (s = 1) vocabulary of 50,000
//! terms, 80–320 terms each (an article after stop-word removal); a fifth are
//! rewrites of an earlier document with 10–60% of their terms replaced, so
//! high cosines occur. Each search runs three times (`RUNS=n` to change);
//! the table gives the median wall time, the median CPU time of the process
//! (steadier on a shared machine) and their ratios, and the run fails unless
//! both searches return the same pairs.

use std::time::Instant;

use doppel::tfidf::{self, TfIdfModel, TfIdfOptions};
use doppel_synth::SplitMix64;

#[path = "support/cpu.rs"]
mod cpu;
use cpu::cpu_seconds;

const VOCAB: usize = 50_000;

fn corpus(n: usize, seed: u64) -> Vec<Vec<u32>> {
    let mut rng = SplitMix64::new(seed);
    // Zipf s = 1 by inverse CDF over the harmonic numbers.
    let mut cdf = Vec::with_capacity(VOCAB);
    let mut acc = 0.0;
    for r in 0..VOCAB {
        acc += 1.0 / (r as f64 + 1.0);
        cdf.push(acc);
    }
    let word = |rng: &mut SplitMix64| {
        let u = rng.unit() * acc;
        cdf.partition_point(|&c| c < u).min(VOCAB - 1) as u32
    };
    let mut docs: Vec<Vec<u32>> = Vec::with_capacity(n);
    for _ in 0..n {
        if docs.len() > 10 && rng.below(5) == 0 {
            let mut d = docs[rng.below(docs.len())].clone();
            let rate = 0.1 + 0.5 * rng.unit();
            for t in d.iter_mut() {
                if rng.unit() < rate {
                    *t = word(&mut rng);
                }
            }
            docs.push(d);
        } else {
            let len = 80 + rng.below(241);
            docs.push((0..len).map(|_| word(&mut rng)).collect());
        }
    }
    docs
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![20_000, 50_000, 100_000]
    } else {
        sizes
    };
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
        .max(1);
    println!(
        "threads: {}; median of {runs} runs; wall seconds (CPU seconds)",
        rayon::current_num_threads()
    );
    println!("| docs | threshold | k | pairs | unpruned | prefix-filtered | speedup |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let docs = corpus(n, 0xA11_0A1E5 ^ n as u64);
        let terms: Vec<Vec<String>> = docs
            .iter()
            .map(|d| d.iter().map(|t| format!("t{t}")).collect())
            .collect();
        let (_, vecs) = TfIdfModel::fit_transform(&terms, TfIdfOptions::default());
        drop(terms);
        for (threshold, k) in [(0.3f32, 10usize), (0.2, 10), (0.5, 0)] {
            let time = |f: &dyn Fn() -> Vec<tfidf::ScoredPair>| {
                let mut out = Vec::new();
                let (mut wall, mut cpu) = (Vec::new(), Vec::new());
                for _ in 0..runs {
                    let (t0, c0) = (Instant::now(), cpu_seconds());
                    out = f();
                    wall.push(t0.elapsed().as_secs_f64());
                    cpu.push(cpu_seconds() - c0);
                }
                (median(wall), median(cpu), out)
            };
            let (slow, slow_cpu, a) = time(&|| tfidf::top_k_pairs_unpruned(&vecs, threshold, k));
            let (fast, fast_cpu, b) = time(&|| tfidf::top_k_pairs(&vecs, threshold, k));
            assert_eq!(
                a, b,
                "the two searches disagree at n={n} t={threshold} k={k}"
            );
            println!(
                "| {n} | {threshold} | {k} | {} | {slow:.2} ({slow_cpu:.2}) | {fast:.2} ({fast_cpu:.2}) | {:.1}× ({:.1}×) |",
                b.len(),
                slow / fast,
                slow_cpu / fast_cpu.max(0.01),
            );
        }
    }
}
