//! Synthetic corpora with planted overlaps and their ground truth, for
//! benchmarks and tests at any scale.
//!
//! In: a number of documents and a seed. Out: documents (an id and a text,
//! [`Synth::document`]) and, for every planted pair, a [`Truth`] record: the
//! two ids, the [`EditKind`] that made one from the other, the pair's true
//! word 5-gram shingle Jaccard (measured exactly as doppel measures it, on
//! [`text::tokenize`] norms with [`shingle::word_shingles`]) and the passages
//! that correspond, as byte spans in both texts. [`write_corpus`] streams a
//! whole corpus as JSON Lines with bounded memory (`doppel-gen` is its
//! command-line front end).
//!
//! Every document is a pure function of `(seed, index)`: there is no state
//! carried from one document to the next, so documents are generated in
//! parallel, in any order, and a source document is regenerated (not kept)
//! when its copy needs it. The same seed always gives the same bytes, on any
//! machine and with any number of threads.
//!
//! The text: English stop words take the top ranks of a Zipf (s = 1)
//! distribution over about 50,000 word types, as function words do in real
//! English (about half of all tokens); the other types are pronounceable
//! synthetic words, shorter ones more frequent. Originals have 150–600 words
//! in sentences of 6–28 words, with occasional commas and paragraph breaks.
//! The text is plain ASCII without apostrophes, hyphens or digits, so a
//! `\w+` tokeniser (as Python peers use) finds the same words as doppel.
//!
//! Documents are paired through a seeded permutation of the indices: a fifth
//! of the pairs are planted, the second document being made from the first
//! by one [`EditKind`]. Each original is the source of at most one copy, so
//! the planted pairs are the only pairs that share more than chance
//! shingles.
//!
//! [`SplitMix64`], the random numbers behind all of this, is public so that
//! tests, benchmarks and examples draw from the same fully specified
//! generator instead of keeping copies of it.

pub use doppel::hash::SplitMix64;
use doppel::hash::mix64;
use doppel::shingle;
use doppel::text::{self, STOP_WORDS};
use doppel::{Span, minhash};
use std::io::{self, Write};

/// Number of word types (stop words included).
pub const VOCABULARY: usize = 50_000;
/// Shingle length of the truth's Jaccard (doppel's default).
pub const SHINGLE_WORDS: usize = 5;
/// Fewest words in an original document.
pub const MIN_WORDS: usize = 150;
/// Most words in an original document.
pub const MAX_WORDS: usize = 600;
/// Share of document pairs that are planted.
const PLANTED_SHARE: f64 = 0.2;

/// Stream tags: independent random streams per document for each purpose.
const TAG_VOCAB: u64 = 1;
const TAG_BASE: u64 = 2;
const TAG_EDIT: u64 = 3;
const TAG_PERM: u64 = 4;

/// How the second document of a planted pair was made from the first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EditKind {
    /// 5–10% of the words replaced by other words.
    SubstituteLight,
    /// 30% of the words replaced by other words.
    SubstituteHeavy,
    /// One to three sentences deleted.
    DeleteSentences,
    /// One to three new sentences inserted.
    InsertSentences,
    /// A passage of 3–8 sentences of the first document embedded in an
    /// otherwise unrelated second document.
    EmbedPassage,
    /// The sentences shuffled.
    ReorderSentences,
    /// A passage of 3–8 sentences of the first document rewritten — 30% of
    /// its words replaced, its sentences shuffled — and embedded in an
    /// otherwise unrelated second document. Planted only when asked for
    /// ([`Synth::with_kinds`]): the default kinds keep every corpus made
    /// before it byte for byte.
    EmbedRewrite,
}

impl EditKind {
    /// Every kind, in a fixed order.
    pub const ALL: [EditKind; 7] = [
        EditKind::SubstituteLight,
        EditKind::SubstituteHeavy,
        EditKind::DeleteSentences,
        EditKind::InsertSentences,
        EditKind::EmbedPassage,
        EditKind::ReorderSentences,
        EditKind::EmbedRewrite,
    ];

    /// The kinds planted by default, in the order the generator draws them:
    /// every kind but the last, which earlier corpora lacked.
    pub const DEFAULT: &[EditKind] = EditKind::ALL.split_at(6).0;

    /// The kebab-case name used in the truth file.
    pub fn name(self) -> &'static str {
        match self {
            EditKind::SubstituteLight => "substitute-light",
            EditKind::SubstituteHeavy => "substitute-heavy",
            EditKind::DeleteSentences => "delete-sentences",
            EditKind::InsertSentences => "insert-sentences",
            EditKind::EmbedPassage => "embed-passage",
            EditKind::ReorderSentences => "reorder-sentences",
            EditKind::EmbedRewrite => "embed-rewrite",
        }
    }

    /// The kind of a name (see [`name`](Self::name)).
    pub fn from_name(name: &str) -> Option<EditKind> {
        EditKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A span of the first document and the span of the second that holds the
/// same passage (verbatim, or word for word with substitutions for the
/// substitution kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpanPair {
    /// Byte span in the first document (`a`).
    pub a: Span,
    /// Byte span in the second document (`b`).
    pub b: Span,
}

/// One planted pair: one line of the truth file.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Truth {
    /// Id of the source document.
    pub a: String,
    /// Id of the document made from it.
    pub b: String,
    /// The edit.
    pub kind: EditKind,
    /// Share of the words substituted (substitution kinds only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit_rate: Option<f64>,
    /// Exact Jaccard of the two documents' word 5-gram shingle sets.
    pub jaccard: f64,
    /// Corresponding passages, in the order of `b`.
    pub spans: Vec<SpanPair>,
}

/// One generated document.
#[derive(Clone, Debug)]
pub struct SynthDoc {
    /// Its id (`d` and its zero-padded index).
    pub id: String,
    /// Its text.
    pub text: String,
    /// When it is the second document of a planted pair: the truth record.
    pub truth: Option<Truth>,
}

/// A word occurrence: its vocabulary index and whether a comma follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Word {
    id: u32,
    comma: bool,
}

/// A sentence and where it came from.
#[derive(Clone, Debug)]
struct Sentence {
    words: Vec<Word>,
    /// A paragraph break (blank line) follows it.
    para_end: bool,
    /// Index of the source sentence it copies, if any.
    origin: Option<usize>,
}

/// What the role of a logical slot is.
enum Role {
    Original,
    Copy { source_slot: usize, kind: EditKind },
}

/// A corpus generator for a number of documents and a seed.
pub struct Synth {
    docs: usize,
    seed: u64,
    vocab: Vec<String>,
    /// Cumulative Zipf weights of the ranks of `vocab`.
    cdf: Vec<f64>,
    perm: Permutation,
    id_width: usize,
    /// The kinds planted pairs are drawn from.
    kinds: Vec<EditKind>,
}

impl Synth {
    /// A generator of `docs` documents from `seed`.
    pub fn new(docs: usize, seed: u64) -> Synth {
        let vocab = vocabulary(seed);
        let mut acc = 0.0;
        let cdf = (0..vocab.len())
            .map(|r| {
                acc += 1.0 / (r as f64 + 1.0);
                acc
            })
            .collect();
        let id_width = docs.saturating_sub(1).to_string().len().max(7);
        Synth {
            docs,
            seed,
            vocab,
            cdf,
            perm: Permutation::new(docs, seed),
            id_width,
            kinds: EditKind::DEFAULT.to_vec(),
        }
    }

    /// The same generator planting pairs of `kinds` (drawn uniformly, in
    /// the order given; empty: the default kinds). With
    /// [`EditKind::DEFAULT`] it is the default generator.
    pub fn with_kinds(mut self, kinds: &[EditKind]) -> Synth {
        self.kinds = if kinds.is_empty() {
            EditKind::DEFAULT.to_vec()
        } else {
            kinds.to_vec()
        };
        self
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs
    }

    /// True when the corpus has no document.
    pub fn is_empty(&self) -> bool {
        self.docs == 0
    }

    /// The id of document `index`.
    pub fn id(&self, index: usize) -> String {
        format!("d{index:0width$}", width = self.id_width)
    }

    /// Document `index` (`< len()`), with its truth record when it is the
    /// copy of a planted pair.
    pub fn document(&self, index: usize) -> SynthDoc {
        let slot = self.perm.inverse(index);
        match self.role(slot) {
            Role::Original => SynthDoc {
                id: self.id(index),
                text: self.render(&self.base(slot)).0,
                truth: None,
            },
            Role::Copy { source_slot, kind } => {
                let source = self.base(source_slot);
                let (copy, edit_rate) = self.edit(&source, slot, kind);
                let (a_text, a_spans) = self.render(&source);
                let (b_text, b_spans) = self.render(&copy);
                let spans = passage_spans(&copy, &a_spans, &b_spans);
                let jaccard = shingle_jaccard(&a_text, &b_text);
                SynthDoc {
                    id: self.id(index),
                    truth: Some(Truth {
                        a: self.id(self.perm.forward(source_slot)),
                        b: self.id(index),
                        kind,
                        edit_rate,
                        jaccard,
                        spans,
                    }),
                    text: b_text,
                }
            }
        }
    }

    /// Slots `2m` and `2m + 1` form pair `m`; a planted pair's second slot
    /// is a copy of its first.
    fn role(&self, slot: usize) -> Role {
        let m = slot / 2;
        if slot % 2 == 0 {
            return Role::Original;
        }
        let mut rng = SplitMix64::stream(self.seed, TAG_EDIT, m as u64);
        if !rng.chance(PLANTED_SHARE) {
            return Role::Original;
        }
        let kind = self.kinds[rng.below(self.kinds.len())];
        Role::Copy {
            source_slot: 2 * m,
            kind,
        }
    }

    /// A Zipf-distributed word.
    fn word(&self, rng: &mut SplitMix64) -> u32 {
        let total = self.cdf[self.cdf.len() - 1];
        let u = rng.unit() * total;
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1) as u32
    }

    /// A fresh sentence of 6–28 words (fewer when `max` says so).
    fn sentence(&self, rng: &mut SplitMix64, max: usize) -> Sentence {
        let n = rng.between(6, 28).min(max.max(1));
        let words = (0..n)
            .map(|i| Word {
                id: self.word(rng),
                comma: i > 1 && i + 1 < n && rng.chance(0.06),
            })
            .collect();
        Sentence {
            words,
            para_end: rng.chance(0.2),
            origin: None,
        }
    }

    /// Sentences totalling `target` words; the last sentence is cut short to
    /// fit, but never below 3 words (it joins the one before instead).
    fn sentences(&self, rng: &mut SplitMix64, target: usize) -> Vec<Sentence> {
        let mut out: Vec<Sentence> = Vec::new();
        let mut left = target;
        while left > 0 {
            let mut s = self.sentence(rng, left);
            if s.words.len() < 3 {
                if let Some(last) = out.last_mut() {
                    last.words.append(&mut s.words);
                    break;
                }
            }
            left -= s.words.len();
            out.push(s);
        }
        out
    }

    /// The original text of a slot, its sentences numbered as their own origin.
    fn base(&self, slot: usize) -> Vec<Sentence> {
        let mut rng = SplitMix64::stream(self.seed, TAG_BASE, slot as u64);
        let target = rng.between(MIN_WORDS, MAX_WORDS);
        let mut doc = self.sentences(&mut rng, target);
        for (i, s) in doc.iter_mut().enumerate() {
            s.origin = Some(i);
        }
        doc
    }

    /// The copy of `source` made by `kind`, and the substitution rate.
    fn edit(
        &self,
        source: &[Sentence],
        slot: usize,
        kind: EditKind,
    ) -> (Vec<Sentence>, Option<f64>) {
        let mut rng = SplitMix64::stream(self.seed, TAG_BASE ^ TAG_EDIT, slot as u64);
        let mut doc = source.to_vec();
        match kind {
            EditKind::SubstituteLight | EditKind::SubstituteHeavy => {
                let rate = if kind == EditKind::SubstituteLight {
                    0.05 + 0.05 * rng.unit()
                } else {
                    0.30
                };
                let mut positions: Vec<(usize, usize)> = doc
                    .iter()
                    .enumerate()
                    .flat_map(|(s, sent)| (0..sent.words.len()).map(move |w| (s, w)))
                    .collect();
                let count = ((positions.len() as f64) * rate).round() as usize;
                // Partial Fisher–Yates: the first `count` positions are a
                // uniform sample without replacement.
                for i in 0..count.min(positions.len()) {
                    let j = i + rng.below(positions.len() - i);
                    positions.swap(i, j);
                    let (s, w) = positions[i];
                    let old = doc[s].words[w].id;
                    let mut new = self.word(&mut rng);
                    while new == old {
                        new = self.word(&mut rng);
                    }
                    doc[s].words[w].id = new;
                }
                let total = positions.len().max(1);
                (doc, Some(count as f64 / total as f64))
            }
            EditKind::DeleteSentences => {
                let k = rng.between(1, 3).min(doc.len().saturating_sub(2));
                for _ in 0..k {
                    let i = rng.below(doc.len());
                    doc.remove(i);
                }
                (doc, None)
            }
            EditKind::InsertSentences => {
                let k = rng.between(1, 3);
                for _ in 0..k {
                    let s = self.sentence(&mut rng, usize::MAX);
                    let at = rng.below(doc.len() + 1);
                    doc.insert(at, s);
                }
                (doc, None)
            }
            EditKind::ReorderSentences => {
                while doc.len() > 1 && doc.iter().enumerate().all(|(i, s)| s.origin == Some(i)) {
                    for i in (1..doc.len()).rev() {
                        let j = rng.below(i + 1);
                        doc.swap(i, j);
                    }
                }
                (doc, None)
            }
            EditKind::EmbedPassage | EditKind::EmbedRewrite => {
                let len = rng.between(3, 8).min(source.len());
                let start = rng.below(source.len() - len + 1);
                let mut passage = source[start..start + len].to_vec();
                if kind == EditKind::EmbedRewrite {
                    self.rewrite(&mut passage, &mut rng);
                }
                let passage = &passage[..];
                let passage_words: usize = passage.iter().map(|s| s.words.len()).sum();
                // The host is the copy slot's own text, unrelated to the source.
                let mut host_rng = SplitMix64::stream(self.seed, TAG_BASE, slot as u64);
                let room = MAX_WORDS.saturating_sub(passage_words).max(MIN_WORDS);
                let target = host_rng.between(MIN_WORDS.min(room), room);
                let mut host = self.sentences(&mut host_rng, target);
                let at = rng.below(host.len() + 1);
                host.splice(at..at, passage.iter().cloned());
                (host, None)
            }
        }
    }

    /// Rewrite sentences in place: 30% of their words replaced by other
    /// words, the sentences shuffled (when there are two or more).
    fn rewrite(&self, doc: &mut [Sentence], rng: &mut SplitMix64) {
        for s in doc.iter_mut() {
            for w in &mut s.words {
                if rng.chance(0.30) {
                    let old = w.id;
                    while w.id == old {
                        w.id = self.word(rng);
                    }
                }
            }
        }
        while doc.len() > 1 && doc.windows(2).all(|p| p[0].origin < p[1].origin) {
            for i in (1..doc.len()).rev() {
                let j = rng.below(i + 1);
                doc.swap(i, j);
            }
        }
    }

    /// The text of sentences and the byte span of each sentence.
    fn render(&self, doc: &[Sentence]) -> (String, Vec<Span>) {
        let words: usize = doc.iter().map(|s| s.words.len()).sum();
        let mut out = String::with_capacity(words * 8);
        let mut spans = Vec::with_capacity(doc.len());
        for (i, s) in doc.iter().enumerate() {
            let start = out.len();
            for (j, w) in s.words.iter().enumerate() {
                let word = &self.vocab[w.id as usize];
                if j == 0 {
                    out.push_str(&word[..1].to_ascii_uppercase());
                    out.push_str(&word[1..]);
                } else {
                    out.push(' ');
                    out.push_str(word);
                }
                if w.comma {
                    out.push(',');
                }
            }
            out.push('.');
            spans.push(Span::new(start, out.len()));
            if i + 1 < doc.len() {
                out.push_str(if s.para_end { "\n\n" } else { " " });
            }
        }
        (out, spans)
    }
}

/// Runs of consecutive copied sentences that are consecutive in the source,
/// as pairs of byte spans.
fn passage_spans(copy: &[Sentence], a_spans: &[Span], b_spans: &[Span]) -> Vec<SpanPair> {
    let mut out: Vec<SpanPair> = Vec::new();
    let mut prev: Option<usize> = None;
    for (k, s) in copy.iter().enumerate() {
        match s.origin {
            Some(o) => {
                if prev.is_some_and(|p| p + 1 == o) {
                    if let Some(last) = out.last_mut() {
                        last.a.end = a_spans[o].end;
                        last.b.end = b_spans[k].end;
                    }
                } else {
                    out.push(SpanPair {
                        a: a_spans[o],
                        b: b_spans[k],
                    });
                }
                prev = Some(o);
            }
            None => prev = None,
        }
    }
    out
}

/// Exact Jaccard of the word 5-gram shingle sets of two texts, as doppel
/// measures it.
pub fn shingle_jaccard(a: &str, b: &str) -> f64 {
    minhash::jaccard(&word_shingle_set(a), &word_shingle_set(b))
}

/// Word 5-gram shingle set of a text (normalised tokens, doppel's hashing).
pub fn word_shingle_set(text: &str) -> Vec<u64> {
    let tokens = text::tokenize(text);
    let norms: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
    shingle::word_shingles(&norms, SHINGLE_WORDS)
}

/// The vocabulary: stop words first (in a seeded order), then distinct
/// pronounceable synthetic words, shorter ones first.
fn vocabulary(seed: u64) -> Vec<String> {
    const ONSETS: &[&str] = &[
        "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
        "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr", "sk", "sp",
    ];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"];
    const CODAS: &[&str] = &[
        "", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "x",
    ];
    let mut rng = SplitMix64::stream(seed, TAG_VOCAB, 0);
    let mut head: Vec<String> = STOP_WORDS.iter().map(|s| s.to_string()).collect();
    for i in (1..head.len()).rev() {
        let j = rng.below(i + 1);
        head.swap(i, j);
    }
    let mut seen: ahash::AHashSet<String> = head.iter().cloned().collect();
    let mut content = Vec::with_capacity(VOCABULARY - head.len());
    while head.len() + content.len() < VOCABULARY {
        let syllables = rng.between(2, 4);
        let mut w = String::new();
        for _ in 0..syllables {
            w.push_str(ONSETS[rng.below(ONSETS.len())]);
            w.push_str(VOWELS[rng.below(VOWELS.len())]);
            w.push_str(CODAS[rng.below(CODAS.len())]);
        }
        if w.len() >= 4 && seen.insert(w.clone()) {
            content.push(w);
        }
    }
    content.sort_by_key(String::len); // stable: deterministic
    head.extend(content);
    head
}

/// A seeded bijection of `0..n` (a 4-round Feistel network on the smallest
/// even number of bits covering `n`, cycle-walked into range).
struct Permutation {
    n: usize,
    half_bits: u32,
    keys: [u64; 4],
}

impl Permutation {
    fn new(n: usize, seed: u64) -> Permutation {
        let bits = usize::BITS - n.saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        let mut rng = SplitMix64::stream(seed, TAG_PERM, 0);
        Permutation {
            n,
            half_bits,
            keys: [
                rng.next_u64(),
                rng.next_u64(),
                rng.next_u64(),
                rng.next_u64(),
            ],
        }
    }

    fn mask(&self) -> u64 {
        (1u64 << self.half_bits) - 1
    }

    fn round(&self, x: u64, key: u64) -> u64 {
        mix64(x ^ key) & self.mask()
    }

    fn encrypt(&self, x: u64) -> u64 {
        let (mut l, mut r) = (x >> self.half_bits, x & self.mask());
        for &k in &self.keys {
            (l, r) = (r, l ^ self.round(r, k));
        }
        (l << self.half_bits) | r
    }

    fn decrypt(&self, x: u64) -> u64 {
        let (mut l, mut r) = (x >> self.half_bits, x & self.mask());
        for &k in self.keys.iter().rev() {
            (l, r) = (r ^ self.round(l, k), l);
        }
        (l << self.half_bits) | r
    }

    /// Where slot `x` goes (`x < n`).
    fn forward(&self, x: usize) -> usize {
        let mut y = self.encrypt(x as u64);
        while y >= self.n as u64 {
            y = self.encrypt(y);
        }
        y as usize
    }

    /// The slot that goes to `y` (`y < n`).
    fn inverse(&self, y: usize) -> usize {
        let mut x = self.decrypt(y as u64);
        while x >= self.n as u64 {
            x = self.decrypt(x);
        }
        x as usize
    }
}

/// What [`write_corpus`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Documents written.
    pub docs: usize,
    /// Bytes of document text (not counting the JSON around it).
    pub text_bytes: u64,
    /// Planted pairs written to the truth file.
    pub pairs: usize,
}

/// Documents generated in parallel per batch; memory stays at a few batches.
const BATCH: usize = 4096;

/// Write every document of `synth` to `corpus` as JSON Lines
/// (`{"id": …, "text": …}`, in index order) and every planted pair to
/// `truth` (one [`Truth`] per line, in the order of the copies).
///
/// Documents are generated in parallel (rayon) in batches and written in
/// order, so memory does not grow with the corpus and the bytes do not
/// depend on the number of threads.
pub fn write_corpus(
    synth: &Synth,
    mut corpus: impl Write,
    mut truth: impl Write,
) -> io::Result<WriteStats> {
    use rayon::prelude::*;
    let mut stats = WriteStats::default();
    let mut start = 0;
    while start < synth.len() {
        let end = (start + BATCH).min(synth.len());
        let lines: Vec<(Vec<u8>, Option<Vec<u8>>, usize)> = (start..end)
            .into_par_iter()
            .map(|i| {
                let doc = synth.document(i);
                let mut line = serde_json::to_vec(&serde_json::json!({
                    "id": doc.id,
                    "text": doc.text,
                }))
                .map_err(io::Error::other)?;
                line.push(b'\n');
                let truth_line = match &doc.truth {
                    Some(t) => {
                        let mut v = serde_json::to_vec(t).map_err(io::Error::other)?;
                        v.push(b'\n');
                        Some(v)
                    }
                    None => None,
                };
                Ok((line, truth_line, doc.text.len()))
            })
            .collect::<io::Result<_>>()?;
        for (line, truth_line, text_len) in lines {
            corpus.write_all(&line)?;
            stats.docs += 1;
            stats.text_bytes += text_len as u64;
            if let Some(t) = truth_line {
                truth.write_all(&t)?;
                stats.pairs += 1;
            }
        }
        start = end;
    }
    corpus.flush()?;
    truth.flush()?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_bijection_with_its_inverse() {
        for n in [1, 2, 3, 10, 255, 256, 1000, 4097] {
            let p = Permutation::new(n, 7);
            let mut seen = vec![false; n];
            for x in 0..n {
                let y = p.forward(x);
                assert!(y < n);
                assert!(!seen[y], "n={n}: {y} hit twice");
                seen[y] = true;
                assert_eq!(p.inverse(y), x);
            }
        }
        // Not the identity.
        let p = Permutation::new(1000, 7);
        assert!((0..1000).filter(|&x| p.forward(x) == x).count() < 20);
    }

    #[test]
    fn vocabulary_is_distinct_with_stop_words_first() {
        let v = vocabulary(3);
        assert_eq!(v.len(), VOCABULARY);
        let set: ahash::AHashSet<&String> = v.iter().collect();
        assert_eq!(set.len(), v.len());
        assert!(
            v[..STOP_WORDS.len()]
                .iter()
                .all(|w| STOP_WORDS.contains(&w.as_str()))
        );
        assert!(v.iter().all(|w| w.bytes().all(|b| b.is_ascii_lowercase())));
        assert_eq!(v, vocabulary(3));
        assert_ne!(v, vocabulary(4));
    }

    #[test]
    fn zipf_head_is_about_half_of_the_tokens() {
        let s = Synth::new(200, 11);
        let mut rng = SplitMix64::stream(11, 99, 0);
        let draws = 200_000;
        let mut counts = vec![0usize; VOCABULARY];
        for _ in 0..draws {
            counts[s.word(&mut rng) as usize] += 1;
        }
        let stop: usize = counts[..STOP_WORDS.len()].iter().sum();
        let share = stop as f64 / draws as f64;
        assert!((0.4..0.6).contains(&share), "stop-word share {share}");
        // Rank 1 about twice as frequent as rank 2, ten times rank 10 (s = 1).
        let r = counts[0] as f64 / counts[9] as f64;
        assert!((7.0..13.0).contains(&r), "f(1)/f(10) = {r}");
    }

    #[test]
    fn passage_runs_merge_consecutive_origins_only() {
        let sent = |origin| Sentence {
            words: vec![],
            para_end: false,
            origin,
        };
        let a: Vec<Span> = (0..5).map(|i| Span::new(i * 10, i * 10 + 9)).collect();
        let b: Vec<Span> = (0..5).map(|i| Span::new(i * 20, i * 20 + 9)).collect();
        let copy = [
            sent(Some(0)),
            sent(Some(1)),
            sent(None),
            sent(Some(3)),
            sent(Some(2)),
        ];
        let runs = passage_spans(&copy, &a, &b);
        assert_eq!(
            runs,
            vec![
                SpanPair {
                    a: Span::new(0, 19),
                    b: Span::new(0, 29)
                },
                SpanPair { a: a[3], b: b[3] },
                SpanPair { a: a[2], b: b[4] },
            ]
        );
    }
}
