//! Criterion benchmarks of doppel's hot stages on generated corpora of stated
//! size (the size is part of every benchmark name).
//!
//! Groups: `tokenise`, `sign`, `lsh`, `tfidf_topk`, `align`.
//!
//! Text comes from a small deterministic generator (splitmix64, Zipf-like
//! word choice over a synthetic vocabulary of pronounceable words), so runs
//! are comparable across machines and commits. All corpus building happens
//! outside the timed closures.
//!
//! `cargo bench --bench stages` runs everything (about two minutes on two
//! cores); `cargo bench --bench stages -- --test` runs each routine once.

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, measurement::WallTime};
use doppel::align::{self, AlignConfig, Side};
use doppel::config::Config;
use doppel::corpus::Document;
use doppel::lsh::{self, LshParams};
use doppel::minhash::{MinHasher, Signature};
use doppel::pipeline;
use doppel::shingle;
use doppel::text::{Analysed, Analyzer, STOP_WORDS};
use doppel::tfidf::{self, TfIdfModel, TfIdfOptions};
use doppel_synth::SplitMix64;

const SEED_000: &str = include_str!("../seeds/000_51955296cd91fa83.txt");
const SEED_001: &str = include_str!("../seeds/001_8e21ef8ac6e0b3df.txt");

/// Signature length used by the pipeline's default configuration.
const NUM_PERM: usize = 128;
/// Word shingle length used by the pipeline's default configuration.
const SHINGLE_WORDS: usize = 5;

// ---------------------------------------------------------------------------
// Deterministic text generator
// ---------------------------------------------------------------------------

/// A document as sentences of word ids (indices into [`Gen::vocab`]).
type Words = Vec<Vec<u32>>;

/// Generator of Zipf-distributed synthetic English-looking text.
struct Gen {
    rng: SplitMix64,
    /// Distinct lower-case words, shortest first (frequent words are short).
    vocab: Vec<String>,
    /// Cumulative Zipf (s = 1) weights of the ranks of `vocab`.
    cdf: Vec<f64>,
}

impl Gen {
    const VOCAB: usize = 5_000;

    fn new(seed: u64) -> Gen {
        const ONSETS: &[&str] = &[
            "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
            "z", "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr",
        ];
        const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"];
        const CODAS: &[&str] = &["", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck"];
        let mut rng = SplitMix64::new(seed);
        let stop: HashSet<&str> = STOP_WORDS.iter().copied().collect();
        let mut seen = HashSet::new();
        let mut vocab = Vec::with_capacity(Self::VOCAB);
        while vocab.len() < Self::VOCAB {
            let syllables = rng.between(1, 4);
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(ONSETS[rng.below(ONSETS.len())]);
                w.push_str(VOWELS[rng.below(VOWELS.len())]);
                w.push_str(CODAS[rng.below(CODAS.len())]);
            }
            if w.len() >= 3 && !stop.contains(w.as_str()) && seen.insert(w.clone()) {
                vocab.push(w);
            }
        }
        vocab.sort_by_key(String::len); // stable: deterministic
        let mut acc = 0.0;
        let cdf = (0..vocab.len())
            .map(|r| {
                acc += 1.0 / (r as f64 + 1.0);
                acc
            })
            .collect();
        Gen { rng, vocab, cdf }
    }

    /// A Zipf-distributed word id.
    fn word(&mut self) -> u32 {
        let total = *self.cdf.last().expect("vocabulary is not empty");
        let u = self.rng.unit() * total;
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1) as u32
    }

    /// A sentence of 8–25 words.
    fn sentence(&mut self) -> Vec<u32> {
        let n = self.rng.between(8, 25);
        (0..n).map(|_| self.word()).collect()
    }

    /// A document of 150–600 words (whole sentences; the last one may run a
    /// few words past the target).
    fn document(&mut self) -> Words {
        let target = self.rng.between(150, 600);
        let mut words = 0;
        let mut out = Vec::new();
        while words < target {
            let s = self.sentence();
            words += s.len();
            out.push(s);
        }
        out
    }

    /// A document of exactly `n` sentences.
    fn sentences(&mut self, n: usize) -> Words {
        (0..n).map(|_| self.sentence()).collect()
    }

    /// A near-duplicate of `doc`: each word replaced with probability `rate`.
    fn substituted(&mut self, doc: &Words, rate: f64) -> Words {
        doc.iter()
            .map(|s| {
                s.iter()
                    .map(|&w| {
                        if self.rng.chance(rate) {
                            self.word()
                        } else {
                            w
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// A paraphrase-like copy of `doc`: in each sentence the words are
    /// shuffled (fully in half the sentences, by a few swaps in the others)
    /// and each is replaced with probability `rate`.
    fn shuffled(&mut self, doc: &Words, rate: f64) -> Words {
        let mut out = self.substituted(doc, rate);
        for s in &mut out {
            if self.rng.chance(0.5) {
                for i in (1..s.len()).rev() {
                    let j = self.rng.below(i + 1);
                    s.swap(i, j);
                }
            } else {
                for _ in 0..s.len() / 4 {
                    let i = self.rng.below(s.len() - 1);
                    s.swap(i, i + 1);
                }
            }
        }
        out
    }

    /// Text of a document: capitalised sentences ending in a full stop, an
    /// occasional comma, paragraphs of 3–6 sentences separated by a blank line.
    fn render(&mut self, doc: &Words) -> String {
        let mut out = String::new();
        let mut left_in_paragraph = self.rng.between(3, 6);
        for (si, s) in doc.iter().enumerate() {
            if si > 0 {
                if left_in_paragraph == 0 {
                    out.push_str("\n\n");
                    left_in_paragraph = self.rng.between(3, 6);
                } else {
                    out.push(' ');
                }
            }
            left_in_paragraph = left_in_paragraph.saturating_sub(1);
            for (wi, &w) in s.iter().enumerate() {
                let word = &self.vocab[w as usize];
                if wi == 0 {
                    let mut cs = word.chars();
                    if let Some(c) = cs.next() {
                        out.extend(c.to_uppercase());
                        out.push_str(cs.as_str());
                    }
                } else {
                    out.push(' ');
                    out.push_str(word);
                }
                if wi + 1 < s.len() && wi > 1 && self.rng.chance(0.06) {
                    out.push(',');
                }
            }
            out.push('.');
        }
        out
    }

    /// The normalised tokens of a document (the vocabulary is already lower
    /// case ASCII, so these equal what `text::Analysed` would produce).
    fn norms<'a>(&'a self, doc: &Words) -> Vec<&'a str> {
        doc.iter()
            .flatten()
            .map(|&w| self.vocab[w as usize].as_str())
            .collect()
    }
}

/// `n` documents, of which a `dup_share` are near-duplicates (word
/// substitution at `rate`) of a random earlier document. Returns the
/// documents and the planted pairs `(original, copy)`.
fn corpus(g: &mut Gen, n: usize, dup_share: f64, rate: f64) -> (Vec<Words>, Vec<(usize, usize)>) {
    let mut docs: Vec<Words> = Vec::with_capacity(n);
    let mut planted = Vec::new();
    for i in 0..n {
        if i > 0 && g.rng.chance(dup_share) {
            let src = g.rng.below(i);
            let copy = g.substituted(&docs[src], rate);
            docs.push(copy);
            planted.push((src, i));
        } else {
            docs.push(g.document());
        }
    }
    (docs, planted)
}

fn configure_heavy(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sampling_mode(SamplingMode::Flat);
}

// ---------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------

fn bench_tokenise(c: &mut Criterion) {
    const DOCS: usize = 1_000;
    let mut g = Gen::new(1);
    let (docs, _) = corpus(&mut g, DOCS, 0.0, 0.0);
    let texts: Vec<String> = docs.iter().map(|d| g.render(d)).collect();
    let bytes: usize = texts.iter().map(String::len).sum();

    let mut group = c.benchmark_group("tokenise");
    configure_heavy(&mut group);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(format!("{DOCS}docs"), |b| {
        b.iter(|| {
            let mut n = 0usize;
            for t in &texts {
                let a = Analysed::new(black_box(t));
                n += a.tokens.len() + a.sentences.len();
            }
            n
        })
    });
    group.throughput(Throughput::Bytes(SEED_000.len() as u64));
    group.bench_function("seed000", |b| b.iter(|| Analysed::new(black_box(SEED_000))));
    group.finish();
}

fn bench_sign(c: &mut Criterion) {
    const DOCS: usize = 1_000;
    let mut g = Gen::new(2);
    let (docs, _) = corpus(&mut g, DOCS, 0.0, 0.0);
    let norms: Vec<Vec<&str>> = docs.iter().map(|d| g.norms(d)).collect();
    let hasher = MinHasher::new(NUM_PERM);
    let shingles: Vec<Vec<u64>> = norms
        .iter()
        .map(|n| shingle::word_shingles(n, SHINGLE_WORDS))
        .collect();

    let mut group = c.benchmark_group("sign");
    configure_heavy(&mut group);
    group.throughput(Throughput::Elements(DOCS as u64));
    group.bench_function(format!("shingle+minhash/{DOCS}docs"), |b| {
        b.iter(|| {
            norms
                .iter()
                .map(|n| {
                    let s = shingle::word_shingles(black_box(n), SHINGLE_WORDS);
                    hasher.sign(&s)
                })
                .collect::<Vec<Signature>>()
        })
    });
    group.bench_function(format!("minhash/{DOCS}docs"), |b| {
        b.iter(|| {
            shingles
                .iter()
                .map(|s| hasher.sign(black_box(s)))
                .collect::<Vec<Signature>>()
        })
    });
    group.finish();
}

fn bench_lsh(c: &mut Criterion) {
    const SIGS: usize = 10_000;
    let mut g = Gen::new(3);
    // 5% of documents are copies of an earlier one with 2% of words replaced.
    let (docs, planted) = corpus(&mut g, SIGS, 0.05, 0.02);
    let hasher = MinHasher::new(NUM_PERM);
    let sigs: Vec<Signature> = docs
        .iter()
        .map(|d| hasher.sign(&shingle::word_shingles(&g.norms(d), SHINGLE_WORDS)))
        .collect();
    let params = LshParams::optimal(Config::default().lsh_threshold, NUM_PERM, 0.5, 0.5);
    let keys: Vec<Vec<u64>> = sigs.iter().map(|s| lsh::band_keys(s, &params)).collect();
    let found = lsh::candidate_pairs(&keys);
    let hits = planted
        .iter()
        .filter(|&&(a, b)| found.binary_search(&(a as u32, b as u32)).is_ok())
        .count();
    eprintln!(
        "lsh corpus: {SIGS} signatures, {} bands x {} rows, {} planted near-duplicates, \
         {hits} of them found, {} candidate pairs",
        params.bands,
        params.rows,
        planted.len(),
        found.len()
    );

    let mut group = c.benchmark_group("lsh");
    configure_heavy(&mut group);
    group.throughput(Throughput::Elements(SIGS as u64));
    group.bench_function(format!("band_keys+candidate_pairs/{SIGS}sigs"), |b| {
        b.iter(|| {
            let keys: Vec<Vec<u64>> = sigs
                .iter()
                .map(|s| lsh::band_keys(black_box(s), &params))
                .collect();
            lsh::candidate_pairs(&keys)
        })
    });
    group.bench_function(format!("band_keys/{SIGS}sigs"), |b| {
        b.iter(|| {
            sigs.iter()
                .map(|s| lsh::band_keys(black_box(s), &params))
                .collect::<Vec<Vec<u64>>>()
        })
    });
    group.bench_function(format!("candidate_pairs/{SIGS}sigs"), |b| {
        b.iter(|| lsh::candidate_pairs(black_box(&keys)))
    });
    group.finish();
}

fn bench_tfidf_topk(c: &mut Criterion) {
    const DOCS: usize = 2_000;
    const THRESHOLD: f32 = 0.3;
    const K: usize = 10;
    let mut g = Gen::new(4);
    // 5% near-duplicates with 20% of words replaced: cosine well above 0.3.
    let (docs, planted) = corpus(&mut g, DOCS, 0.05, 0.2);
    let analyzer = Analyzer::new(true, true);
    let terms: Vec<Vec<String>> = docs
        .iter()
        .map(|d| g.norms(d).iter().filter_map(|w| analyzer.term(w)).collect())
        .collect();
    let (model, vecs) = TfIdfModel::fit_transform(&terms, TfIdfOptions::default());
    let nnz: usize = vecs.iter().map(|v| v.len()).sum();
    // top_k_pairs costs about the sum over terms of df², so log it.
    let mut df = vec![0u64; model.vocabulary_len()];
    for t in vecs.iter().flat_map(|v| &v.terms) {
        df[*t as usize] += 1;
    }
    let df2: u64 = df.iter().map(|d| d * d).sum();
    eprintln!(
        "tfidf corpus: {DOCS} documents, {} planted near-duplicates, {} terms, {nnz} non-zeros, \
         sum of df^2 {df2}, {} pairs at cosine >= {THRESHOLD}",
        planted.len(),
        model.vocabulary_len(),
        tfidf::top_k_pairs(&vecs, THRESHOLD, K).len()
    );

    let mut group = c.benchmark_group("tfidf_topk");
    configure_heavy(&mut group);
    // One fit_transform + top_k_pairs takes ~0.35 s on two cores.
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(DOCS as u64));
    group.bench_function(format!("fit_transform+top_k_pairs/{DOCS}docs"), |b| {
        b.iter(|| {
            let (_, vecs) = TfIdfModel::fit_transform(black_box(&terms), TfIdfOptions::default());
            tfidf::top_k_pairs(&vecs, THRESHOLD, K)
        })
    });
    group.bench_function(format!("fit_transform/{DOCS}docs"), |b| {
        b.iter(|| TfIdfModel::fit_transform(black_box(&terms), TfIdfOptions::default()))
    });
    group.bench_function(format!("top_k_pairs/{DOCS}docs"), |b| {
        b.iter(|| tfidf::top_k_pairs(black_box(&vecs), THRESHOLD, K))
    });
    group.finish();
}

fn bench_align(c: &mut Criterion) {
    const SENTENCES: usize = 40;
    let cfg = Config::default();
    let doc_a = Document::new("000", SEED_000);
    let doc_b = Document::new("001", SEED_001);

    let mut g = Gen::new(5);
    let words_a = g.sentences(SENTENCES);
    let words_b = g.shuffled(&words_a, 0.15);
    let text_a = g.render(&words_a);
    let text_b = g.render(&words_b);
    let analyzer = Analyzer::new(cfg.stem, cfg.stop_words);
    let an_a = Analysed::new(&text_a);
    let an_b = Analysed::new(&text_b);
    let terms = |an: &Analysed| -> Vec<Vec<String>> {
        an.sentences
            .iter()
            .map(|s| analyzer.terms(&an.tokens[s.tokens.clone()]))
            .collect()
    };
    let (terms_a, terms_b) = (terms(&an_a), terms(&an_b));
    let side_a = Side {
        text: &text_a,
        analysed: &an_a,
        sentence_terms: &terms_a,
    };
    let side_b = Side {
        text: &text_b,
        analysed: &an_b,
        sentence_terms: &terms_b,
    };
    let align_cfg = AlignConfig::default();
    let al = align::align(side_a, side_b, &align_cfg);
    eprintln!(
        "align pair: {SENTENCES} sentences, {} passages, coverage {:.2} / {:.2}",
        al.passages.len(),
        al.coverage_a,
        al.coverage_b
    );

    let mut group = c.benchmark_group("align");
    configure_heavy(&mut group);
    group.throughput(Throughput::Bytes((SEED_000.len() + SEED_001.len()) as u64));
    group.bench_function("compare/seed000-vs-seed001", |b| {
        b.iter(|| pipeline::compare(black_box(&doc_a), black_box(&doc_b), &cfg))
    });
    group.throughput(Throughput::Bytes((text_a.len() + text_b.len()) as u64));
    group.bench_function(format!("align/{SENTENCES}sentences-shuffled"), |b| {
        b.iter(|| align::align(black_box(side_a), black_box(side_b), &align_cfg))
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_tokenise(&mut c);
    bench_sign(&mut c);
    bench_lsh(&mut c);
    bench_tfidf_topk(&mut c);
    bench_align(&mut c);
    c.final_summary();
}
