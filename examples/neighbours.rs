//! The key-term neighbour search ([`neighbours::top_k_pairs`], what `scan`
//! runs) against the exact all-pairs search ([`tfidf::top_k_pairs`]) on
//! the TF-IDF vectors of a JSON Lines corpus, as `scan` makes them, in the
//! same run: wall and CPU time of each, and how many of the exact pairs
//! the key-term search finds.
//!
//! ```sh
//! cargo run --release --example neighbours -- CORPUS.jsonl [CORPUS.jsonl…]
//! ```

use std::time::Instant;

use doppel::config::Config;
use doppel::corpus::{self, LoadOptions};
use doppel::neighbours;
use doppel::text::Analyzer;
use doppel::tfidf::{self, TfIdfModel, TfIdfOptions};
use rayon::prelude::*;

#[path = "support/cpu.rs"]
mod cpu;
use cpu::cpu_seconds;

fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    if paths.is_empty() {
        eprintln!("usage: neighbours CORPUS.jsonl [CORPUS.jsonl…]");
        std::process::exit(2);
    }
    let cfg = Config::default();
    println!(
        "| documents | exact: wall, CPU | key terms: wall, CPU | exact pairs | found | recall | extra pairs |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for path in paths {
        let opts = LoadOptions {
            jsonl: true,
            ..LoadOptions::default()
        };
        let loaded = corpus::load(std::slice::from_ref(&path), &opts).expect("corpus");
        let analyzer = Analyzer::new(cfg.stem, cfg.stop_words);
        let terms: Vec<Vec<String>> = loaded
            .documents
            .par_iter()
            .map(|d| analyzer.terms(&doppel::text::Analysed::new(&d.text).tokens))
            .collect();
        let (_, vecs) = TfIdfModel::fit_transform(&terms, TfIdfOptions::default());
        drop(terms);
        let (c0, t0) = (cpu_seconds(), Instant::now());
        let exact = tfidf::top_k_pairs(&vecs, cfg.cosine_threshold, cfg.top_k);
        let (exact_wall, exact_cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
        let (c0, t0) = (cpu_seconds(), Instant::now());
        let (found, searched) = neighbours::top_k_pairs(&vecs, cfg.cosine_threshold, cfg.top_k);
        let (key_wall, key_cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
        let want: std::collections::HashSet<(u32, u32)> =
            exact.iter().map(|p| (p.a, p.b)).collect();
        let got: std::collections::HashSet<(u32, u32)> = found.iter().map(|p| (p.a, p.b)).collect();
        let hit = want.intersection(&got).count();
        println!(
            "| {} | {exact_wall:.2} s, {exact_cpu:.2} s | {key_wall:.2} s, {key_cpu:.2} s | {} | {hit} | {:.4} | {} |",
            vecs.len(),
            want.len(),
            hit as f64 / want.len().max(1) as f64,
            got.len() - hit
        );
        eprintln!(
            "{}: {} keys over the cap",
            path.display(),
            searched.corpus_keys
        );
    }
}
