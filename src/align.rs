//! Passage alignment: two analysed documents in, aligned passages out.
//!
//! Input is a pair of documents, each as its text, its [`Analysed`] tokens
//! and sentences, and the TF-IDF terms of each sentence. Output is an
//! [`Alignment`]: the passages of A and B that correspond, each with byte
//! spans in both texts, a score and a [`PassageKind`], plus the share of each
//! document they cover and the sentence similarity matrix.
//!
//! How: the sentences of both documents are weighted by TF-IDF computed over
//! those sentences alone (so the alignment of a pair does not depend on the
//! rest of the corpus: `compare A B`, `scan` and a later `check` agree), and
//! every sentence of A is compared with every sentence of B. Cells above
//! [`AlignConfig::seed_threshold`], and cells whose sentences share an exact
//! word shingle, are seeds. A dynamic programme over the seeds finds chains
//! that keep their order on both sides — a step may skip a few sentences
//! (dropped or inserted material) or stay on the same sentence of one side
//! (a sentence merged or split in the rewrite). The best chain is taken, its
//! sentences are withdrawn and the search repeats, so reordered blocks come
//! out as chains of their own. A chain is cut into passages wherever it
//! skips a sentence. Lone matches must be strong to count; chains of several
//! matches are evidence of derivation even when each match is moderate —
//! that is what tells a spun rewrite from another article on the same topic.

use crate::Span;
use crate::text::Analysed;
use crate::tfidf::{SparseVec, TfIdfModel, TfIdfOptions};
use ahash::AHashMap;
use ndarray::Array2;
use std::ops::Range;

/// Settings of the alignment.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AlignConfig {
    /// Sentence cosine at which a pair of sentences may start or extend a
    /// chain.
    pub seed_threshold: f32,
    /// Sentence cosine at which a match standing alone counts as a passage.
    pub single_threshold: f32,
    /// Score a chain of several matches needs to count.
    pub min_chain_score: f32,
    /// Sentences a chain may skip on either side between two matches.
    pub max_gap: usize,
    /// Cost of each sentence skipped inside a chain.
    pub gap_cost: f32,
    /// Sentence cosine at which a lone match counts once chains have shown
    /// the pair to be related.
    pub context_threshold: f32,
    /// Cosine at which unmatched sentences next to a passage, or between
    /// two, join it.
    pub gap_threshold: f32,
    /// Words of a shingle shared verbatim that makes a pair of sentences a seed.
    pub shingle_words: usize,
    /// Passages shorter than this many characters (on both sides) are dropped.
    pub min_passage_chars: usize,
    /// Largest number of sentence pairs kept as a dense matrix.
    pub max_matrix_cells: usize,
}

impl Default for AlignConfig {
    fn default() -> Self {
        AlignConfig {
            seed_threshold: 0.2,
            single_threshold: 0.5,
            min_chain_score: 0.8,
            max_gap: 3,
            gap_cost: 0.1,
            context_threshold: 0.3,
            gap_threshold: 0.15,
            shingle_words: 6,
            min_passage_chars: 30,
            max_matrix_cells: 4_000_000,
        }
    }
}

/// How closely a passage of B follows its counterpart in A.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PassageKind {
    /// The same words in the same order (after normalisation).
    Verbatim,
    /// Mostly the same words in the same order: light edits.
    NearVerbatim,
    /// The same content in other words.
    Paraphrase,
}

impl PassageKind {
    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            PassageKind::Verbatim => "verbatim",
            PassageKind::NearVerbatim => "near-verbatim",
            PassageKind::Paraphrase => "paraphrase",
        }
    }
}

/// One pair of corresponding passages.
#[derive(Clone, Debug, PartialEq)]
pub struct Passage {
    /// Bytes of A.
    pub a: Span,
    /// Bytes of B.
    pub b: Span,
    /// Sentences of A it spans.
    pub a_sentences: Range<usize>,
    /// Sentences of B it spans.
    pub b_sentences: Range<usize>,
    /// Similarity in [0, 1]: the mean sentence cosine of its matches
    /// (1 for verbatim passages).
    pub score: f32,
    /// Verbatim, near-verbatim or paraphrase.
    pub kind: PassageKind,
}

/// The result of aligning two documents.
#[derive(Clone, Debug, Default)]
pub struct Alignment {
    /// Passages, ordered by their position in B.
    pub passages: Vec<Passage>,
    /// Share of A's sentence text (in characters) covered by passages.
    pub coverage_a: f64,
    /// Share of B's sentence text (in characters) covered by passages.
    pub coverage_b: f64,
    /// Sentence-by-sentence cosine similarity (A rows, B columns), when the
    /// pair is small enough to hold it (see [`AlignConfig::max_matrix_cells`]).
    pub similarity: Option<Array2<f32>>,
}

/// One side of a pair to align.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    /// Original text.
    pub text: &'a str,
    /// Its tokens and sentences.
    pub analysed: &'a Analysed,
    /// TF-IDF terms of each sentence (same length as `analysed.sentences`).
    pub sentence_terms: &'a [Vec<String>],
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Seed {
    i: usize,
    j: usize,
    sim: f32,
}

/// Align two documents. Deterministic; runs on the calling thread (the
/// pipeline parallelises over pairs).
pub fn align(a: Side<'_>, b: Side<'_>, cfg: &AlignConfig) -> Alignment {
    let na = a.analysed.sentences.len();
    let nb = b.analysed.sentences.len();
    if na == 0 || nb == 0 {
        return Alignment::default();
    }
    let (va, vb) = sentence_vectors(a, b);
    let (seeds, similarity) = seeds(a, b, &va, &vb, cfg);
    let chains = chains(seeds.clone(), na, nb, cfg);
    let mut used_a = vec![false; na];
    let mut used_b = vec![false; nb];
    let mut units: Vec<Unit> = Vec::new();
    for chain in &chains {
        for s in chain {
            used_a[s.i] = true;
            used_b[s.j] = true;
        }
        units.extend(split_units(chain));
    }
    // Once chains show that one text follows the other, weaker evidence
    // counts too: a lone match that is each sentence's best among those
    // left (a moved sentence), unmatched sentences between or beside
    // passages. Without chains it is what any two texts on one topic share.
    let chained: usize = chains.iter().filter(|c| c.len() >= 2).map(Vec::len).sum();
    units.sort_by_key(|u| (u.b.start, u.a.start));
    if chained >= 4 {
        for s in mutual_best(&seeds, &used_a, &used_b, cfg.context_threshold) {
            used_a[s.i] = true;
            used_b[s.j] = true;
            units.push(Unit {
                a: s.i..s.i + 1,
                b: s.j..s.j + 1,
            });
        }
        units.sort_by_key(|u| (u.b.start, u.a.start));
        fill_gaps(&mut units, &va, &vb, &mut used_a, &mut used_b, cfg);
        for k in 0..units.len() {
            attach(k, &mut units, &va, &vb, &mut used_a, &mut used_b, cfg);
        }
    }
    let mut passages: Vec<Passage> = Vec::new();
    // The last passage's words, kept while units join it.
    let mut growing: Option<Growing> = None;
    for u in &units {
        let p = passage(a, b, u.a.clone(), u.b.clone(), cosine_of(&va, &vb, u));
        // Consecutive (near-)verbatim units form one passage: a copied page
        // is one passage, not one per sentence.
        if let Some(last) = passages.last_mut() {
            if last.kind != PassageKind::Paraphrase
                && p.kind != PassageKind::Paraphrase
                && last.a_sentences.end == p.a_sentences.start
                && last.b_sentences.end == p.b_sentences.start
            {
                let ia = last.a_sentences.start..p.a_sentences.end;
                let jb = last.b_sentences.start..p.b_sentences.end;
                let g = growing.get_or_insert_with(|| {
                    Growing::new(
                        a.analysed,
                        b.analysed,
                        token_range(a.analysed, &last.a_sentences),
                        token_range(b.analysed, &last.b_sentences),
                    )
                });
                g.extend(
                    a.analysed,
                    b.analysed,
                    token_range(a.analysed, &ia).end,
                    token_range(b.analysed, &jb).end,
                );
                let sim = (last.score + p.score) / 2.0;
                let (kind, score) = classify(g.verbatim(), g.dice(), sim);
                *last = Passage {
                    a: sentence_span(a.analysed, &ia),
                    b: sentence_span(b.analysed, &jb),
                    a_sentences: ia,
                    b_sentences: jb,
                    score,
                    kind,
                };
                continue;
            }
        }
        growing = None;
        passages.push(p);
    }
    let chars = |t: &str, s: Span| t[s.start..s.end].chars().count();
    passages.retain(|p| {
        chars(a.text, p.a) >= cfg.min_passage_chars || chars(b.text, p.b) >= cfg.min_passage_chars
    });
    passages.sort_by_key(|p| (p.b.start, p.a.start));
    let coverage_a = coverage(a, passages.iter().map(|p| p.a_sentences.clone()));
    let coverage_b = coverage(b, passages.iter().map(|p| p.b_sentences.clone()));
    Alignment {
        passages,
        coverage_a,
        coverage_b,
        similarity,
    }
}

/// Sentence vectors of both sides, weighted over these sentences alone.
fn sentence_vectors(a: Side<'_>, b: Side<'_>) -> (Vec<SparseVec>, Vec<SparseVec>) {
    let all: Vec<Vec<&str>> = a
        .sentence_terms
        .iter()
        .chain(b.sentence_terms)
        .map(|t| t.iter().map(String::as_str).collect())
        .collect();
    let model = TfIdfModel::fit(&all, TfIdfOptions::default());
    let mut vecs: Vec<SparseVec> = all.iter().map(|t| model.transform(t)).collect();
    let vb = vecs.split_off(a.sentence_terms.len());
    (vecs, vb)
}

/// Word shingles of each sentence (sorted, deduplicated).
fn sentence_shingles(side: Side<'_>, n: usize) -> Vec<Vec<u64>> {
    side.analysed
        .sentences
        .iter()
        .map(|s| {
            if s.tokens.len() >= n {
                crate::shingle::word_shingles(&side.analysed.norms(s.tokens.clone()), n)
            } else {
                Vec::new()
            }
        })
        .collect()
}

/// Seeds: sentence pairs whose cosine, or whose share of exact shared word
/// shingles, reaches the seed threshold. Also returns the cosine matrix.
fn seeds(
    a: Side<'_>,
    b: Side<'_>,
    va: &[SparseVec],
    vb: &[SparseVec],
    cfg: &AlignConfig,
) -> (Vec<Seed>, Option<Array2<f32>>) {
    let na = va.len();
    let nb = vb.len();
    // Inverted index over B's sentences: term -> (sentence, weight).
    let mut postings: AHashMap<u32, Vec<(u32, f32)>> = AHashMap::new();
    for (j, v) in vb.iter().enumerate() {
        for (&t, &w) in v.terms.iter().zip(&v.weights) {
            postings.entry(t).or_default().push((j as u32, w));
        }
    }
    let n = cfg.shingle_words.max(1);
    let sh_a = sentence_shingles(a, n);
    let sh_b = sentence_shingles(b, n);
    let mut b_shingles: AHashMap<u64, Vec<u32>> = AHashMap::new();
    for (j, set) in sh_b.iter().enumerate() {
        for &h in set {
            b_shingles.entry(h).or_default().push(j as u32);
        }
    }
    within_budget(&mut postings, va.iter().map(|v| v.terms.as_slice()));
    within_budget(&mut b_shingles, sh_a.iter().map(Vec::as_slice));
    let mut matrix =
        (na.saturating_mul(nb) <= cfg.max_matrix_cells).then(|| Array2::zeros((na, nb)));
    let mut out = Vec::new();
    let mut acc = vec![0f32; nb];
    let mut shared = vec![0u32; nb];
    let mut touched: Vec<u32> = Vec::new();
    for (i, v) in va.iter().enumerate() {
        for (&t, &w) in v.terms.iter().zip(&v.weights) {
            if let Some(list) = postings.get(&t) {
                for &(j, wb) in list {
                    if acc[j as usize] == 0.0 && shared[j as usize] == 0 {
                        touched.push(j);
                    }
                    acc[j as usize] += w * wb;
                }
            }
        }
        for h in &sh_a[i] {
            if let Some(js) = b_shingles.get(h) {
                for &j in js {
                    if acc[j as usize] == 0.0 && shared[j as usize] == 0 {
                        touched.push(j);
                    }
                    shared[j as usize] += 1;
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for &j in &touched {
            let j = j as usize;
            let cos = acc[j].min(1.0);
            let fewer = sh_a[i].len().min(sh_b[j].len()).max(1);
            let copied = shared[j] as f32 / fewer as f32;
            acc[j] = 0.0;
            shared[j] = 0;
            if let Some(m) = matrix.as_mut() {
                m[(i, j)] = cos;
            }
            // A run of words shared verbatim is as telling as a high cosine.
            let sim = cos.max(copied);
            if sim >= cfg.seed_threshold {
                out.push(Seed { i, j, sim });
            }
        }
        touched.clear();
    }
    (out, matrix)
}
/// Most (sentence of A, sentence of B, shared term or shingle) visits the
/// seed search makes, for terms and for shingles each: about a second's
/// work. Ordinary pairs stay far below it; two huge documents whose common
/// words each sit in thousands of sentences would otherwise have every
/// sentence compared with every other (two 20 MB documents: hours).
const SEED_WORK: usize = 1 << 26;

/// Keep the seed search within [`SEED_WORK`]: drop from B's inverted index
/// the keys (terms or shingles) costing most — sentences of A holding the
/// key times sentences of B holding it — until the rest fit. Those are the
/// most common words, which weigh least in a cosine; sentences still meet
/// through their rarer words. `a_keys` are each sentence of A's keys, each
/// key once. Deterministic: ties go by key.
fn within_budget<K, V>(
    index: &mut AHashMap<K, Vec<V>>,
    a_keys: impl Iterator<Item = impl AsRef<[K]>>,
) where
    K: Copy + Ord + std::hash::Hash,
{
    let mut in_a: AHashMap<K, usize> = AHashMap::new();
    for keys in a_keys {
        for &k in keys.as_ref() {
            if index.contains_key(&k) {
                *in_a.entry(k).or_default() += 1;
            }
        }
    }
    let mut cost: Vec<(usize, K)> = in_a
        .into_iter()
        .map(|(k, n)| (n.saturating_mul(index[&k].len()), k))
        .collect();
    let mut total = cost.iter().fold(0usize, |s, c| s.saturating_add(c.0));
    if total <= SEED_WORK {
        return;
    }
    cost.sort_unstable_by(|x, y| y.cmp(x));
    for (c, k) in cost {
        if total <= SEED_WORK {
            break;
        }
        index.remove(&k);
        total = total.saturating_sub(c);
    }
}

/// The best chain ending at each seed, by one dynamic programme over seeds
/// sorted by `(i, j)`.
struct ChainScores {
    /// Its score: the seeds' similarities less the cost of skipped sentences.
    best: Vec<f32>,
    /// The seed before it in that chain.
    prev: Vec<Option<usize>>,
    /// How many seeds the chain holds.
    len: Vec<usize>,
}

/// [`ChainScores`] of `seeds` (sorted by `(i, j)`): a chain keeps the order
/// on both sides, may skip up to `max_gap` sentences (at `gap_cost` each),
/// and may stay on a sentence of one side for one step (a merge or split).
fn chain_scores(seeds: &[Seed], cfg: &AlignConfig) -> ChainScores {
    let g = cfg.max_gap + 1;
    let at: AHashMap<(usize, usize), usize> = seeds
        .iter()
        .enumerate()
        .map(|(k, s)| ((s.i, s.j), k))
        .collect();
    let mut best = vec![0f32; seeds.len()];
    let mut prev: Vec<Option<usize>> = vec![None; seeds.len()];
    let mut len = vec![1usize; seeds.len()];
    for (k, &s) in seeds.iter().enumerate() {
        let mut score = s.sim;
        for pi in s.i.saturating_sub(g)..=s.i {
            for pj in s.j.saturating_sub(g)..=s.j {
                if pi == s.i && pj == s.j {
                    continue;
                }
                // A merged or split sentence: one side stays put. Only one
                // step of that kind at a time.
                if (pi == s.i && s.j - pj > 1) || (pj == s.j && s.i - pi > 1) {
                    continue;
                }
                let Some(&p) = at.get(&(pi, pj)) else {
                    continue;
                };
                let skips = (s.i - pi).saturating_sub(1) + (s.j - pj).saturating_sub(1);
                let cand = best[p] + s.sim - cfg.gap_cost * skips as f32;
                if cand > score {
                    score = cand;
                    prev[k] = Some(p);
                    len[k] = len[p] + 1;
                }
            }
        }
        best[k] = score;
    }
    ChainScores { best, prev, len }
}

/// Ordered chains of seeds, best first, each seed used at most once and each
/// sentence in at most one chain.
fn chains(mut seeds: Vec<Seed>, na: usize, nb: usize, cfg: &AlignConfig) -> Vec<Vec<Seed>> {
    seeds.sort_by_key(|s| (s.i, s.j));
    let mut used_a = vec![false; na];
    let mut used_b = vec![false; nb];
    let mut out = Vec::new();
    // Sentences of chains passed over in a round, marked with its number.
    let mut passed_a = vec![0u32; na];
    let mut passed_b = vec![0u32; nb];
    let mut round = 0u32;
    loop {
        seeds.retain(|s| !used_a[s.i] && !used_b[s.j]);
        if seeds.is_empty() {
            break;
        }
        let ChainScores { best, prev, len } = chain_scores(&seeds, cfg);
        // The best chain that counts: several matches scoring enough, or a
        // strong lone match.
        let counts = |k: usize| {
            if len[k] >= 2 {
                best[k] >= cfg.min_chain_score
            } else {
                seeds[k].sim >= cfg.single_threshold
            }
        };
        let mut order: Vec<usize> = (0..seeds.len()).collect();
        order.sort_by(|&x, &y| best[y].total_cmp(&best[x]).then(x.cmp(&y)));
        // Taking one chain per programme made a document whose sentences
        // were shuffled cost one programme per sentence (a 2 MB pair took
        // minutes). So go on down the order while the programme would not
        // change: a chain none of whose seeds is withdrawn keeps its score
        // and path, and scores elsewhere only fall. Stop at the first chain
        // that runs into a withdrawn sentence: its score may now be lower.
        // Chains passed over (they do not count) must keep their score too:
        // stop after taking a chain that shares a sentence with one of them.
        round += 1;
        let mut taken = 0;
        for k in order {
            let mut chain = Vec::new();
            let mut at_k = Some(k);
            while let Some(p) = at_k {
                let s = seeds[p];
                if used_a[s.i] || used_b[s.j] {
                    break;
                }
                chain.push(s);
                at_k = prev[p];
            }
            if at_k.is_some() {
                break;
            }
            if !counts(k) {
                for s in &chain {
                    passed_a[s.i] = round;
                    passed_b[s.j] = round;
                }
                continue;
            }
            chain.reverse();
            // A long chain may hold a weak single at either end; keep it,
            // the passage filter judges each run.
            let mut touches = false;
            for s in &chain {
                used_a[s.i] = true;
                used_b[s.j] = true;
                touches |= passed_a[s.i] == round || passed_b[s.j] == round;
            }
            out.push(chain);
            taken += 1;
            if touches {
                break;
            }
        }
        if taken == 0 {
            break;
        }
    }
    out
}

/// A group of consecutive sentences of A matched to a group of consecutive
/// sentences of B.
#[derive(Clone, Debug)]
struct Unit {
    a: Range<usize>,
    b: Range<usize>,
}

/// Cut a chain into units: a unit grows while one side stays on the same
/// sentence (a merge or a split) and ends when both sides move on.
fn split_units(chain: &[Seed]) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    for (k, s) in chain.iter().enumerate() {
        let joined = k > 0 && (chain[k - 1].i == s.i || chain[k - 1].j == s.j);
        match units.last_mut() {
            Some(u) if joined => {
                u.a = u.a.start.min(s.i)..u.a.end.max(s.i + 1);
                u.b = u.b.start.min(s.j)..u.b.end.max(s.j + 1);
            }
            _ => units.push(Unit {
                a: s.i..s.i + 1,
                b: s.j..s.j + 1,
            }),
        }
    }
    units
}

/// Sum of sentence vectors, L2-normalised: the vector of a sentence window.
fn window(vecs: &[SparseVec], r: Range<usize>) -> SparseVec {
    let mut acc: std::collections::BTreeMap<u32, f32> = std::collections::BTreeMap::new();
    for v in &vecs[r] {
        for (&t, &w) in v.terms.iter().zip(&v.weights) {
            *acc.entry(t).or_insert(0.0) += w;
        }
    }
    let norm = acc.values().map(|w| w * w).sum::<f32>().sqrt();
    let (terms, weights) = if norm > 0.0 {
        acc.into_iter().map(|(t, w)| (t, w / norm)).unzip()
    } else {
        (Vec::new(), Vec::new())
    };
    SparseVec { terms, weights }
}

fn cosine_of(va: &[SparseVec], vb: &[SparseVec], u: &Unit) -> f32 {
    window(va, u.a.clone())
        .dot(&window(vb, u.b.clone()))
        .min(1.0)
}

/// Seeds whose two sentences are both unused and each other's best match
/// among unused sentences, at or above `min`.
fn mutual_best(seeds: &[Seed], used_a: &[bool], used_b: &[bool], min: f32) -> Vec<Seed> {
    let free: Vec<Seed> = seeds
        .iter()
        .copied()
        .filter(|s| !used_a[s.i] && !used_b[s.j])
        .collect();
    let mut best_a: AHashMap<usize, Seed> = AHashMap::new();
    let mut best_b: AHashMap<usize, Seed> = AHashMap::new();
    for s in &free {
        let better = |o: &Seed| s.sim > o.sim || (s.sim == o.sim && (s.i, s.j) < (o.i, o.j));
        if best_a.get(&s.i).is_none_or(better) {
            best_a.insert(s.i, *s);
        }
        if best_b.get(&s.j).is_none_or(better) {
            best_b.insert(s.j, *s);
        }
    }
    let mut out: Vec<Seed> = free
        .into_iter()
        .filter(|s| {
            s.sim >= min
                && best_a.get(&s.i).is_some_and(|o| o.j == s.j)
                && best_b.get(&s.j).is_some_and(|o| o.i == s.i)
        })
        .collect();
    out.sort_by_key(|s| (s.j, s.i));
    out
}

/// Pair the unmatched sentences lying between two consecutive units (in
/// both texts) when, taken together, they match: a rewrite's weaker
/// sentences between two strong ones. Also before the first unit and after
/// the last.
fn fill_gaps(
    units: &mut Vec<Unit>,
    va: &[SparseVec],
    vb: &[SparseVec],
    used_a: &mut [bool],
    used_b: &mut [bool],
    cfg: &AlignConfig,
) {
    let mut found = Vec::new();
    let bounds: Vec<(usize, usize, usize, usize)> = {
        let mut v = Vec::new();
        for k in 0..=units.len() {
            let (a0, b0) = if k == 0 {
                (0, 0)
            } else {
                (units[k - 1].a.end, units[k - 1].b.end)
            };
            let (a1, b1) = if k == units.len() {
                (va.len(), vb.len())
            } else {
                (units[k].a.start, units[k].b.start)
            };
            v.push((a0, a1, b0, b1));
        }
        v
    };
    for (k, (a0, a1, b0, b1)) in bounds.into_iter().enumerate() {
        if a1 <= a0 || b1 <= b0 || units.is_empty() {
            continue;
        }
        // Only the sentences next to a unit, at most max_gap on each side.
        let g = cfg.max_gap;
        let (ra, rb) = if k == 0 {
            (
                a1.saturating_sub(g).max(a0)..a1,
                b1.saturating_sub(g).max(b0)..b1,
            )
        } else if k == units.len() {
            (a0..a1.min(a0 + g), b0..b1.min(b0 + g))
        } else if a1 - a0 <= g && b1 - b0 <= g {
            (a0..a1, b0..b1)
        } else {
            continue;
        };
        if ra.clone().any(|i| used_a[i]) || rb.clone().any(|j| used_b[j]) {
            continue;
        }
        let u = trim(Unit { a: ra, b: rb }, va, vb);
        if !u.a.is_empty() && !u.b.is_empty() && cosine_of(va, vb, &u) >= cfg.gap_threshold {
            found.push(u);
        }
    }
    for u in found {
        u.a.clone().for_each(|i| used_a[i] = true);
        u.b.clone().for_each(|j| used_b[j] = true);
        units.push(u);
    }
    units.sort_by_key(|u| (u.b.start, u.a.start));
}

/// Drop sentences at either end of a unit that share nothing with the
/// other side (a byline after the last paragraph, say).
fn trim(mut u: Unit, va: &[SparseVec], vb: &[SparseVec]) -> Unit {
    const NOTHING: f32 = 0.02;
    let wb = window(vb, u.b.clone());
    while !u.a.is_empty() && va[u.a.end - 1].dot(&wb) < NOTHING {
        u.a.end -= 1;
    }
    while !u.a.is_empty() && va[u.a.start].dot(&wb) < NOTHING {
        u.a.start += 1;
    }
    let wa = window(va, u.a.clone());
    while !u.b.is_empty() && vb[u.b.end - 1].dot(&wa) < NOTHING {
        u.b.end -= 1;
    }
    while !u.b.is_empty() && vb[u.b.start].dot(&wa) < NOTHING {
        u.b.start += 1;
    }
    u
}

/// Attach to unit `k` an unmatched sentence next to it (on either side)
/// whose own similarity to the unit's counterpart window is at least
/// [`AlignConfig::gap_threshold`]: a sentence the rewrite split off, or the
/// weaker half of a merge.
fn attach(
    k: usize,
    units: &mut [Unit],
    va: &[SparseVec],
    vb: &[SparseVec],
    used_a: &mut [bool],
    used_b: &mut [bool],
    cfg: &AlignConfig,
) {
    loop {
        let u = units[k].clone();
        let wa = window(va, u.a.clone());
        let wb = window(vb, u.b.clone());
        let mut options: Vec<(f32, Unit)> = Vec::new();
        for i in [
            u.a.start.checked_sub(1),
            Some(u.a.end).filter(|&e| e < va.len()),
        ]
        .into_iter()
        .flatten()
        {
            if !used_a[i] {
                let a = u.a.start.min(i)..u.a.end.max(i + 1);
                options.push((va[i].dot(&wb), Unit { a, b: u.b.clone() }));
            }
        }
        for j in [
            u.b.start.checked_sub(1),
            Some(u.b.end).filter(|&e| e < vb.len()),
        ]
        .into_iter()
        .flatten()
        {
            if !used_b[j] {
                let b = u.b.start.min(j)..u.b.end.max(j + 1);
                options.push((vb[j].dot(&wa), Unit { a: u.a.clone(), b }));
            }
        }
        let pick = options
            .into_iter()
            .filter(|(c, _)| *c >= cfg.gap_threshold)
            .max_by(|x, y| x.0.total_cmp(&y.0));
        let Some((_, o)) = pick else { break };
        o.a.clone().for_each(|i| used_a[i] = true);
        o.b.clone().for_each(|j| used_b[j] = true);
        units[k] = o;
    }
}

fn passage(a: Side<'_>, b: Side<'_>, ia: Range<usize>, jb: Range<usize>, sim: f32) -> Passage {
    let ta = a.analysed.norms(token_range(a.analysed, &ia));
    let tb = b.analysed.norms(token_range(b.analysed, &jb));
    let verbatim = ta == tb;
    let dice = if verbatim {
        1.0
    } else {
        trigram_dice(&ta, &tb)
    };
    let (kind, score) = classify(verbatim, dice, sim);
    Passage {
        a: sentence_span(a.analysed, &ia),
        b: sentence_span(b.analysed, &jb),
        a_sentences: ia,
        b_sentences: jb,
        score,
        kind,
    }
}

/// Kind and score of a passage from whether its sides hold the same words,
/// the word-trigram Dice of its sides and its sentence cosine.
fn classify(verbatim: bool, dice: f64, sim: f32) -> (PassageKind, f32) {
    if verbatim {
        (PassageKind::Verbatim, 1.0)
    } else {
        let kind = if dice >= 0.5 {
            PassageKind::NearVerbatim
        } else {
            PassageKind::Paraphrase
        };
        (kind, sim.max(dice as f32))
    }
}

/// Byte span of a range of sentences.
fn sentence_span(an: &Analysed, r: &Range<usize>) -> Span {
    Span::new(
        an.sentences[r.start].span.start,
        an.sentences[r.end - 1].span.end,
    )
}

/// Tokens of a range of sentences (sentences hold consecutive tokens).
fn token_range(an: &Analysed, r: &Range<usize>) -> Range<usize> {
    an.sentences[r.start].tokens.start..an.sentences[r.end - 1].tokens.end
}

/// A passage growing at its end as units join it, with what [`passage`]
/// would compute from its words — whether both sides hold the same words,
/// and the Dice of their word-trigram sets — kept up to date in time
/// proportional to what each join adds. Computing it afresh at each join
/// made a long copy quadratic: a copied document is one join per sentence,
/// and two identical 4 MB documents took four minutes.
struct Growing {
    /// Tokens of each side.
    a: Range<usize>,
    b: Range<usize>,
    /// Leading tokens found equal on both sides.
    equal: usize,
    /// A pair of tokens at the same position differs.
    differs: bool,
    /// Word-trigram sets of each side, as [`trigram_dice`] builds them.
    tri_a: ahash::AHashSet<u64>,
    tri_b: ahash::AHashSet<u64>,
    /// Size of their intersection.
    common: usize,
}

impl Growing {
    fn new(a: &Analysed, b: &Analysed, ta: Range<usize>, tb: Range<usize>) -> Growing {
        let mut g = Growing {
            a: ta.start..ta.start,
            b: tb.start..tb.start,
            equal: 0,
            differs: false,
            tri_a: Default::default(),
            tri_b: Default::default(),
            common: 0,
        };
        g.extend(a, b, ta.end, tb.end);
        g
    }

    /// Extend the sides to end at these tokens.
    fn extend(&mut self, a: &Analysed, b: &Analysed, a_end: usize, b_end: usize) {
        let (old_a, old_b) = (self.a.end, self.b.end);
        self.a.end = a_end;
        self.b.end = b_end;
        if !self.differs {
            let n = self.a.len().min(self.b.len());
            while self.equal < n {
                let (i, j) = (self.a.start + self.equal, self.b.start + self.equal);
                if a.tokens[i].norm != b.tokens[j].norm {
                    self.differs = true;
                    break;
                }
                self.equal += 1;
            }
        }
        let added = new_trigrams(a, self.a.clone(), old_a);
        add_trigrams(&mut self.tri_a, &self.tri_b, &mut self.common, added);
        let added = new_trigrams(b, self.b.clone(), old_b);
        add_trigrams(&mut self.tri_b, &self.tri_a, &mut self.common, added);
    }

    fn verbatim(&self) -> bool {
        !self.differs && self.a.len() == self.b.len()
    }

    /// As [`trigram_dice`] of the two sides.
    fn dice(&self) -> f64 {
        if self.verbatim() {
            return 1.0;
        }
        if self.tri_a.is_empty() || self.tri_b.is_empty() {
            return 0.0;
        }
        2.0 * self.common as f64 / (self.tri_a.len() + self.tri_b.len()) as f64
    }
}

/// Add one side's new trigrams (from [`new_trigrams`]: whether they replace
/// the side's set, and the trigrams) to `mine`, keeping `common`, the size of
/// its intersection with `theirs`, up to date.
fn add_trigrams(
    mine: &mut ahash::AHashSet<u64>,
    theirs: &ahash::AHashSet<u64>,
    common: &mut usize,
    (fresh, added): (bool, Vec<u64>),
) {
    if fresh {
        *mine = added.into_iter().collect();
        *common = mine.iter().filter(|h| theirs.contains(*h)).count();
    } else {
        for h in added {
            if mine.insert(h) && theirs.contains(&h) {
                *common += 1;
            }
        }
    }
}

/// Trigrams that extending `range` from `old_end` adds. `true` when they
/// replace the old set rather than add to it: a side of fewer than three
/// words has one shingle of all its words, which a longer side does not.
fn new_trigrams(an: &Analysed, range: Range<usize>, old_end: usize) -> (bool, Vec<u64>) {
    if old_end - range.start < 3 {
        let all = an.norms(range);
        return (true, crate::shingle::word_shingle_sequence(&all, 3));
    }
    if range.end == old_end {
        return (false, Vec::new());
    }
    let tail = an.norms(old_end - 2..range.end);
    (false, crate::shingle::word_shingle_sequence(&tail, 3))
}

/// Dice coefficient of the word-trigram sets of two token sequences.
fn trigram_dice(a: &[&str], b: &[&str]) -> f64 {
    let sa = crate::shingle::word_shingles(a, 3);
    let sb = crate::shingle::word_shingles(b, 3);
    if sa.is_empty() || sb.is_empty() {
        return 0.0;
    }
    let common = crate::minhash::intersection_size(&sa, &sb);
    2.0 * common as f64 / (sa.len() + sb.len()) as f64
}

/// Share of a side's sentence characters inside the given sentence ranges.
fn coverage(side: Side<'_>, ranges: impl Iterator<Item = Range<usize>>) -> f64 {
    let sents = &side.analysed.sentences;
    let len = |k: usize| {
        side.text[sents[k].span.start..sents[k].span.end]
            .chars()
            .count()
    };
    let total: usize = (0..sents.len()).map(len).sum();
    if total == 0 {
        return 0.0;
    }
    let mut covered = vec![false; sents.len()];
    for r in ranges {
        for k in r {
            covered[k] = true;
        }
    }
    let inside: usize = (0..sents.len()).filter(|&k| covered[k]).map(len).sum();
    inside as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Analyzer;

    struct Doc {
        text: String,
        analysed: Analysed,
        terms: Vec<Vec<String>>,
    }

    fn doc(text: &str) -> Doc {
        let analysed = Analysed::new(text);
        let an = Analyzer::new(true, true);
        let terms = analysed
            .sentences
            .iter()
            .map(|s| an.terms(&analysed.tokens[s.tokens.clone()]))
            .collect();
        Doc {
            text: text.to_string(),
            analysed,
            terms,
        }
    }

    fn side(d: &Doc) -> Side<'_> {
        Side {
            text: &d.text,
            analysed: &d.analysed,
            sentence_terms: &d.terms,
        }
    }

    const S: [&str; 8] = [
        "The harbour authority approved a new breakwater for the northern port.",
        "Engineers expect construction to take three years and cost forty million.",
        "Fishermen worry that the works will disturb spawning grounds near the reef.",
        "The mayor promised compensation for any boat owner who loses income.",
        "A public hearing on the environmental study is planned for early spring.",
        "Tourism operators welcomed the project as a shelter for cruise ships.",
        "Critics say the budget ignores the rising cost of imported granite.",
        "The council will vote on the final design before the summer recess.",
    ];

    fn join(idx: &[usize]) -> String {
        idx.iter().map(|&i| S[i]).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn a_verbatim_copy_is_one_verbatim_passage_covering_everything() {
        let a = doc(&join(&[0, 1, 2, 3, 4, 5, 6, 7]));
        let b = doc(&format!("Copied news. {}", join(&[0, 1, 2, 3, 4, 5, 6, 7])));
        let al = align(side(&a), side(&b), &AlignConfig::default());
        assert_eq!(al.passages.len(), 1, "{:#?}", al.passages);
        let p = &al.passages[0];
        assert_eq!(p.kind, PassageKind::Verbatim);
        assert_eq!(p.score, 1.0);
        assert_eq!(&a.text[p.a.start..p.a.end], a.text);
        assert_eq!(&b.text[p.b.start..p.b.end], &b.text[13..]);
        assert!((al.coverage_a - 1.0).abs() < 1e-9);
        assert!(al.coverage_b > 0.9 && al.coverage_b < 1.0);
    }

    #[test]
    fn moved_blocks_are_found_in_their_new_place() {
        // B tells the second half first.
        let a = doc(&join(&[0, 1, 2, 3, 4, 5, 6, 7]));
        let b = doc(&join(&[4, 5, 6, 7, 0, 1, 2, 3]));
        let al = align(side(&a), side(&b), &AlignConfig::default());
        assert!(al.coverage_a > 0.99 && al.coverage_b > 0.99, "{al:#?}");
        for p in &al.passages {
            // Each passage maps text to the same text.
            let ta: Vec<&str> = a.text[p.a.start..p.a.end].split_whitespace().collect();
            let tb: Vec<&str> = b.text[p.b.start..p.b.end].split_whitespace().collect();
            assert_eq!(ta, tb);
        }
    }

    #[test]
    fn a_merged_sentence_maps_to_both_of_its_sources() {
        let a = doc(&join(&[0, 1, 2, 3, 4]));
        // Sentences 1 and 2 merged into one; light rewording elsewhere.
        let b = doc(&format!(
            "{} Engineers expect construction to take three years and cost forty million, while fishermen worry that the works will disturb spawning grounds near the reef. {} {}",
            S[0], S[3], S[4]
        ));
        let al = align(side(&a), side(&b), &AlignConfig::default());
        let merged = al
            .passages
            .iter()
            .find(|p| b.text[p.b.start..p.b.end].contains("while fishermen"))
            .expect("the merged sentence is aligned");
        assert!(
            merged.a_sentences.contains(&1) && merged.a_sentences.contains(&2),
            "{merged:#?}"
        );
        assert!(al.coverage_a > 0.99 && al.coverage_b > 0.99);
    }

    #[test]
    fn unrelated_texts_on_one_topic_have_no_passages() {
        let a = doc(&join(&[0, 1, 2, 3]));
        let b = doc(
            "The port of the south reported record cargo volumes this year. \
             Container traffic rose because of new shipping routes to Asia. \
             Dock workers negotiated a wage increase after a short strike. \
             The harbour master retires in autumn after thirty years.",
        );
        let al = align(side(&a), side(&b), &AlignConfig::default());
        assert!(al.passages.is_empty(), "{:#?}", al.passages);
        assert_eq!((al.coverage_a, al.coverage_b), (0.0, 0.0));
    }

    #[test]
    fn a_paraphrase_chain_is_found_and_classified() {
        let a = doc(&join(&[0, 1, 2, 3, 4]));
        let b = doc(
            "A new breakwater for the northern port was approved by the harbour authority. \
             Construction should take three years and cost forty million, engineers expect. \
             Spawning grounds near the reef may be disturbed by the works, fishermen worry. \
             Any boat owner who loses income will get compensation, the mayor promised. \
             Early spring is when a public hearing on the environmental study is planned.",
        );
        let al = align(side(&a), side(&b), &AlignConfig::default());
        assert!(al.coverage_b > 0.99, "{al:#?}");
        // Every sentence is paired with its own rewrite: passages lie on
        // the diagonal and together hold all five sentences.
        let mut seen = Vec::new();
        for p in &al.passages {
            assert_eq!(p.a_sentences, p.b_sentences, "{p:#?}");
            assert_ne!(p.kind, PassageKind::Verbatim);
            seen.extend(p.a_sentences.clone());
        }
        assert_eq!(seen, [0, 1, 2, 3, 4]);
        // Same words in another order: a perfect cosine, yet a paraphrase.
        let moved = al
            .passages
            .iter()
            .find(|p| p.a_sentences == (2..3))
            .expect("sentence 2");
        assert_eq!(moved.kind, PassageKind::Paraphrase);
        let m = al.similarity.expect("small pairs keep their matrix");
        assert_eq!(m.dim(), (5, 5));
        for i in 0..5 {
            let row_best = (0..5)
                .max_by(|&x, &y| m[(i, x)].total_cmp(&m[(i, y)]))
                .unwrap();
            assert_eq!(row_best, i, "diagonal dominates");
        }
    }

    #[test]
    fn empty_sides_give_an_empty_alignment() {
        let a = doc("");
        let b = doc(S[0]);
        let al = align(side(&a), side(&b), &AlignConfig::default());
        assert!(al.passages.is_empty());
    }

    /// A passage grown join by join classifies as a fresh computation over
    /// its whole range would, at every join — including sides shorter than
    /// a trigram and sides of unequal length.
    #[test]
    fn a_growing_passage_matches_a_fresh_computation_at_every_join() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |m: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % m as u64) as usize
        };
        const WORDS: &[&str] = &["Alpha", "beta", "gamma", "delta", "eps"];
        let mut checked = (0, 0);
        for _ in 0..200 {
            let sentences: Vec<Vec<&str>> = (0..12)
                .map(|_| (0..1 + next(5)).map(|_| WORDS[next(WORDS.len())]).collect())
                .collect();
            let edit = next(3);
            let copy: Vec<Vec<&str>> = sentences
                .iter()
                .map(|s| {
                    let mut s = s.clone();
                    if edit > 0 && next(4) == 0 {
                        let k = next(s.len());
                        s[k] = WORDS[next(WORDS.len())];
                    }
                    s
                })
                .collect();
            let text = |ss: &[Vec<&str>]| {
                ss.iter()
                    .map(|s| format!("Start {}.", s.join(" ")))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let (ta, tb) = (text(&sentences), text(&copy));
            let (xa, xb) = (Analysed::new(&ta), Analysed::new(&tb));
            assert_eq!((xa.sentences.len(), xb.sentences.len()), (12, 12));
            let (sa, sb) = (next(4), next(4));
            let mut g = Growing::new(
                &xa,
                &xb,
                token_range(&xa, &(sa..sa + 1)),
                token_range(&xb, &(sb..sb + 1)),
            );
            let (mut ea, mut eb) = (sa + 1, sb + 1);
            while ea < 12 && eb < 12 {
                ea += next(2);
                eb += next(2);
                let (ra, rb) = (token_range(&xa, &(sa..ea)), token_range(&xb, &(sb..eb)));
                g.extend(&xa, &xb, ra.end, rb.end);
                let (na, nb) = (xa.norms(ra), xb.norms(rb));
                assert_eq!(g.verbatim(), na == nb, "{na:?} / {nb:?}");
                if na != nb {
                    assert_eq!(g.dice(), trigram_dice(&na, &nb), "{na:?} / {nb:?}");
                    checked.1 += 1;
                } else {
                    checked.0 += 1;
                }
            }
        }
        assert!(checked.0 > 50 && checked.1 > 500, "{checked:?}");
    }

    /// The former extraction, one chain per dynamic programme: the
    /// reference the faster one must agree with exactly.
    fn one_chain_per_programme(
        mut seeds: Vec<Seed>,
        na: usize,
        nb: usize,
        cfg: &AlignConfig,
    ) -> Vec<Vec<Seed>> {
        seeds.sort_by_key(|s| (s.i, s.j));
        let mut used_a = vec![false; na];
        let mut used_b = vec![false; nb];
        let mut out = Vec::new();
        loop {
            seeds.retain(|s| !used_a[s.i] && !used_b[s.j]);
            if seeds.is_empty() {
                break;
            }
            let ChainScores { best, prev, len } = chain_scores(&seeds, cfg);
            // The best chain that counts: several matches scoring enough, or a
            // strong lone match.
            let mut order: Vec<usize> = (0..seeds.len()).collect();
            order.sort_by(|&x, &y| best[y].total_cmp(&best[x]).then(x.cmp(&y)));
            let pick = order.into_iter().find(|&k| {
                if len[k] >= 2 {
                    best[k] >= cfg.min_chain_score
                } else {
                    seeds[k].sim >= cfg.single_threshold
                }
            });
            let Some(mut k) = pick else { break };
            let mut chain = vec![seeds[k]];
            while let Some(p) = prev[k] {
                chain.push(seeds[p]);
                k = p;
            }
            chain.reverse();
            // A long chain may hold a weak single at either end; keep it, the
            // passage filter judges each run.
            for s in &chain {
                used_a[s.i] = true;
                used_b[s.j] = true;
            }
            out.push(chain);
        }
        out
    }

    /// Chains taken several per programme are those taken one per
    /// programme, on random seeds: diagonals with gaps, shuffled blocks,
    /// merges and splits, and noise.
    #[test]
    fn several_chains_per_programme_are_the_chains_of_one_per_programme() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |m: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % m as u64) as usize
        };
        let cfg = AlignConfig::default();
        let mut several = 0;
        for _ in 0..400 {
            let (na, nb) = (5 + next(40), 5 + next(40));
            let mut seeds = Vec::new();
            let mut seen = std::collections::HashSet::new();
            let mut add = |i: usize, j: usize, sim: f32, seeds: &mut Vec<Seed>| {
                if i < na && j < nb && seen.insert((i, j)) {
                    seeds.push(Seed { i, j, sim });
                }
            };
            let sims = [0.2, 0.25, 0.3, 0.45, 0.5, 0.6, 0.8, 1.0];
            for _ in 0..1 + next(4) {
                // A run in order, with gaps, merges and splits.
                let (mut i, mut j) = (next(na), next(nb));
                for _ in 0..next(12) {
                    add(i, j, sims[next(sims.len())], &mut seeds);
                    match next(5) {
                        0 => i += 1,
                        1 => j += 1,
                        2 => {
                            i += 1 + next(3);
                            j += 1 + next(3)
                        }
                        _ => {
                            i += 1;
                            j += 1
                        }
                    }
                }
            }
            for _ in 0..next(30) {
                add(next(na), next(nb), sims[next(sims.len())], &mut seeds);
            }
            let fast = chains(seeds.clone(), na, nb, &cfg);
            let reference = one_chain_per_programme(seeds, na, nb, &cfg);
            assert_eq!(fast, reference);
            several += usize::from(fast.len() >= 2);
        }
        assert!(
            several > 100,
            "too few cases with several chains: {several}"
        );
    }
}
