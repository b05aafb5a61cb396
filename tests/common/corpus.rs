//! A deterministic generator of test corpora with planted near-duplicates,
//! shared by `tests/scale.rs` and `examples/corpus_jsonl.rs`.
//!
//! Text is Zipf-distributed words (s = 1) from a synthetic vocabulary of
//! pronounceable words, in capitalised sentences of 8–25 words ending with a
//! full stop, paragraphs of 3–6 sentences. A planted cluster is an original
//! document and copies of it with a share of their words substituted (and a
//! few words inserted or deleted), so their shingle Jaccard spans the range
//! from near-identical to unrelated.

#![allow(dead_code)]

use doppel_synth::SplitMix64;

/// Generator of Zipf-distributed synthetic text.
pub struct Gen {
    pub rng: SplitMix64,
    vocab: Vec<String>,
    /// Cumulative Zipf weights of the ranks of `vocab`.
    cdf: Vec<f64>,
}

impl Gen {
    pub const VOCAB: usize = 20_000;

    pub fn new(seed: u64) -> Gen {
        const ONSETS: &[&str] = &[
            "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
            "z", "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr",
        ];
        const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"];
        const CODAS: &[&str] = &["", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck"];
        let mut rng = SplitMix64::new(seed);
        let mut seen = std::collections::HashSet::new();
        let mut vocab = Vec::with_capacity(Self::VOCAB);
        while vocab.len() < Self::VOCAB {
            let syllables = rng.between(1, 4);
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(ONSETS[rng.below(ONSETS.len())]);
                w.push_str(VOWELS[rng.below(VOWELS.len())]);
                w.push_str(CODAS[rng.below(CODAS.len())]);
            }
            if w.len() >= 3 && seen.insert(w.clone()) {
                vocab.push(w);
            }
        }
        vocab.sort_by_key(String::len); // stable: frequent words are short
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
    pub fn word(&mut self) -> u32 {
        let total = self.cdf[self.cdf.len() - 1];
        let u = self.rng.unit() * total;
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1) as u32
    }

    /// A document of `lo..=hi` words.
    pub fn document(&mut self, lo: usize, hi: usize) -> Vec<u32> {
        let n = self.rng.between(lo, hi);
        (0..n).map(|_| self.word()).collect()
    }

    /// A copy of `doc` with each word substituted with probability `rate`,
    /// and a word inserted or deleted at about a tenth of that rate.
    pub fn edit(&mut self, doc: &[u32], rate: f64) -> Vec<u32> {
        let mut out = Vec::with_capacity(doc.len() + 8);
        for &w in doc {
            if self.rng.chance(rate / 10.0) {
                out.push(self.word());
            }
            if self.rng.chance(rate / 10.0) {
                continue;
            }
            out.push(if self.rng.chance(rate) {
                self.word()
            } else {
                w
            });
        }
        out
    }

    /// Text of a document: capitalised sentences of 8–25 words ending in a
    /// full stop, an occasional comma, paragraphs separated by a blank line.
    pub fn render(&mut self, doc: &[u32]) -> String {
        let mut out = String::with_capacity(doc.len() * 7);
        let mut i = 0;
        let mut left_in_paragraph = self.rng.between(3, 6);
        while i < doc.len() {
            let n = self.rng.between(8, 25).min(doc.len() - i);
            if i > 0 {
                if left_in_paragraph == 0 {
                    out.push_str("\n\n");
                    left_in_paragraph = self.rng.between(3, 6);
                } else {
                    out.push(' ');
                }
            }
            left_in_paragraph = left_in_paragraph.saturating_sub(1);
            for (k, &w) in doc[i..i + n].iter().enumerate() {
                let word = &self.vocab[w as usize];
                if k == 0 {
                    let mut cs = word.chars();
                    if let Some(c) = cs.next() {
                        out.extend(c.to_uppercase());
                        out.push_str(cs.as_str());
                    }
                } else {
                    out.push(' ');
                    out.push_str(word);
                }
                if k + 1 < n && k > 1 && self.rng.chance(0.06) {
                    out.push(',');
                }
            }
            out.push('.');
            i += n;
        }
        out
    }
}

/// A generated corpus and its planted clusters.
pub struct Planted {
    /// Document texts; document `i` has id `d{i}`.
    pub texts: Vec<String>,
    /// Each planted cluster: the original's index, then its copies'.
    pub clusters: Vec<Vec<usize>>,
}

impl Planted {
    /// The texts as documents, document `i` with id `d{i}`.
    pub fn documents(&self) -> Vec<doppel::corpus::Document> {
        self.texts
            .iter()
            .enumerate()
            .map(|(i, t)| doppel::corpus::Document::new(format!("d{i}"), t.clone()))
            .collect()
    }
}

/// Documents generated one at a time (a million need not fit in memory):
/// an original's words are drawn from its own seed, so a copy regenerates
/// them instead of keeping them.
pub struct Stream {
    g: Gen,
    seed: u64,
    n: usize,
    next: usize,
    lo: usize,
    hi: usize,
    dup_share: f64,
    rates: Vec<f64>,
    /// Per document: its cluster + 1 (0: none).
    cluster_of: Vec<u32>,
    /// Each planted cluster: the original's index, then its copies'.
    pub clusters: Vec<Vec<usize>>,
}

impl Stream {
    /// `n` documents of `lo..=hi` words. About `dup_share` of them are
    /// copies of an earlier document's original, edited at a rate drawn
    /// from `rates`.
    pub fn new(seed: u64, n: usize, lo: usize, hi: usize, dup_share: f64, rates: &[f64]) -> Stream {
        Stream {
            g: Gen::new(seed),
            seed,
            n,
            next: 0,
            lo,
            hi,
            dup_share,
            rates: rates.to_vec(),
            cluster_of: Vec::with_capacity(n),
            clusters: Vec::new(),
        }
    }

    /// The words of original document `i`.
    fn original(&mut self, i: usize) -> Vec<u32> {
        let saved = std::mem::replace(
            &mut self.g.rng,
            SplitMix64::new(self.seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407)),
        );
        let doc = self.g.document(self.lo, self.hi);
        self.g.rng = saved;
        doc
    }
}

impl Iterator for Stream {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        let i = self.next;
        if i >= self.n {
            return None;
        }
        self.next += 1;
        let copy = i > 0 && !self.rates.is_empty() && self.g.rng.chance(self.dup_share);
        let doc = if copy {
            let src = self.g.rng.below(i);
            let c = match self.cluster_of[src] {
                0 => {
                    self.clusters.push(vec![src]);
                    self.cluster_of[src] = self.clusters.len() as u32;
                    self.clusters.len() - 1
                }
                c => c as usize - 1,
            };
            let original = self.clusters[c][0];
            self.clusters[c].push(i);
            self.cluster_of.push(c as u32 + 1);
            let rate = self.rates[self.g.rng.below(self.rates.len())];
            let words = self.original(original);
            self.g.edit(&words, rate)
        } else {
            self.cluster_of.push(0);
            self.original(i)
        };
        Some(self.g.render(&doc))
    }
}

/// [`Stream`], collected.
pub fn planted(
    seed: u64,
    n: usize,
    lo: usize,
    hi: usize,
    dup_share: f64,
    rates: &[f64],
) -> Planted {
    let mut stream = Stream::new(seed, n, lo, hi, dup_share, rates);
    let texts = stream.by_ref().collect();
    Planted {
        texts,
        clusters: stream.clusters,
    }
}

/// One JSON line `{"id": "d{i}", "text": …}`.
pub fn json_line(i: usize, text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 32);
    s.push_str("{\"id\": \"d");
    s.push_str(&i.to_string());
    s.push_str("\", \"text\": \"");
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            c if (c as u32) < 0x20 => s.push_str(&format!("\\u{:04x}", c as u32)),
            c => s.push(c),
        }
    }
    s.push_str("\"}");
    s
}
