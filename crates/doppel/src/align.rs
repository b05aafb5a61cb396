//! Passage alignment: two analysed documents in, aligned passages out.
//!
//! Input is a pair of documents, each as its text, its [`Analysed`] tokens
//! and sentences, and the TF-IDF terms of each sentence. Output is an
//! [`Alignment`]: the passages of A and B that correspond, each with byte
//! spans in both texts, a score and a [`PassageKind`], plus the share of each
//! document they cover and the sentence similarity matrix.
//!
//! How, in four steps (after the text-alignment method of Sanchez-Perez,
//! Sidorov and Gelbukh, PAN 2014, adapted):
//!
//! 1. **Units.** Sentences are the units compared, except that a sentence
//!    of fewer than [`AlignConfig::min_unit_terms`] terms ("NAME", "\\[FILE\\]",
//!    a heading) joins the sentence after it: a few words cannot by
//!    themselves make a passage. Units are weighted `(1 + ln tf) · ln(n /
//!    df)` over the `n` units of both documents alone: a term of every unit
//!    (the topic the two share) weighs nothing, and the alignment of a pair
//!    does not depend on the rest of the corpus (`compare A B`, `scan` and a
//!    later `check` agree).
//! 2. **Seeds.** A pair of units is a seed when both the cosine of their
//!    vectors and the Dice coefficient of their term sets reach
//!    [`AlignConfig::seed_threshold`] — the cosine alone lets one shared
//!    rare word make a match — and they share at least
//!    `SEED_SHARED_TERMS` terms, or when they share a run of
//!    [`AlignConfig::shingle_words`] words verbatim (a copied sentence inside
//!    a longer one).
//! 3. **Extension.** Seeds are clustered: sorted by their unit in A, a
//!    cluster is cut wherever more than [`AlignConfig::max_gap`] units lie
//!    between two seeds; then each cluster likewise by B, then by A again,
//!    until no cut is made. A cluster is a candidate passage: the units of A
//!    from its first seed to its last, and the same in B. A seed at the edge
//!    standing apart from the others is withdrawn when that raises the
//!    cosine of the two sides. The sides are then compared as wholes; below
//!    [`AlignConfig::cluster_threshold`] the cluster's seeds are clustered
//!    again with a gap one smaller, so a cluster that joined two passages
//!    through unrelated text comes apart. Nothing is matched outside the
//!    clusters. A summary condenses a long passage of its source: the
//!    extension is tried again with [`AlignConfig::summary_gap`], and a
//!    passage it finds whose side in A holds at least `SUMMARY_RATIO`
//!    times the words of its side in B, and whose side in B has at least
//!    `SUMMARY_MIN_UNITS` units holding a seed, replaces the passages it
//!    overlaps in B — unless one of them, of like length on both sides,
//!    already holds most of it.
//! 4. **Filtering.** Passages that overlap on both sides are merged. Each
//!    stretch of B belongs to at most one passage (B is the document whose
//!    passages are traced back: the suspicious or new one); of two
//!    overlapping in B alone, the one with more matched words is kept. A
//!    passage needs [`AlignConfig::min_passage_words`] words on each side. A
//!    copy (verbatim or near-verbatim) is then evidence; a paraphrase must
//!    span more than one unit on a side, and its score times the share of
//!    its units holding a seed must reach [`AlignConfig::min_evidence`]:
//!    independent texts of one genre (two licences, two manual pages) match
//!    on a stock sentence here and there, a rewrite as a whole and sentence
//!    by sentence. A stretch of A paraphrased in `GENRE_ECHOES` or more
//!    separate places of B is the genre's stock wording, not a reuse: those
//!    paraphrase passages are dropped.
//!
//! Verbatim and near-verbatim passages are told apart from paraphrases by
//! the words of their two sides (see [`PassageKind`]).

use crate::Span;
use crate::text::Analysed;
use crate::tfidf::SparseVec;
use ahash::AHashMap;
use ndarray::Array2;
use std::ops::Range;

/// A passage's longer side must be this many times its shorter side (in
/// words) for the summary extension to replace the ordinary one: a
/// summary is a third of its source or less (PAN's summaries: a fifth on
/// average), while a rewritten or translated passage keeps its length
/// within a factor of two.
pub(crate) const SUMMARY_RATIO: usize = 3;

/// Units of B a summary passage needs that each echo its source (hold a
/// seed): a summary condenses several sentences of its source, while one
/// or two sentences of a short text that echo a long passage of one genre
/// (a licence's disclaimer, a manual page's option boilerplate) are its
/// stock phrasing.
pub(crate) const SUMMARY_MIN_UNITS: usize = 3;

/// Terms two units must share to be a seed by their cosine and Dice: one
/// shared word between two three-word lines is chance (two files of 12,000
/// short lines of random words drawn from 5,000 share one in 290,000 pairs
/// of lines — seeds enough to chain the whole files), two are not.
pub(crate) const SEED_SHARED_TERMS: u32 = 2;

/// Paraphrase passages whose stretches of A overlap, this many or more,
/// are dropped: a reused passage is reused once or twice in a document,
/// while a stock paragraph of a genre (a licence's warranty disclaimer, a
/// manual page's option boilerplate) echoes in every place with the same
/// vocabulary.
pub(crate) const GENRE_ECHOES: usize = 3;

/// Settings of the alignment.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlignConfig {
    /// Cosine and term Dice two units must both reach to be a seed.
    pub seed_threshold: f32,
    /// Words of a run shared verbatim that make a pair of units a seed.
    pub shingle_words: usize,
    /// Terms (words less stop words) a sentence needs to be a unit of its
    /// own; a shorter one joins the next sentence.
    pub min_unit_terms: usize,
    /// Units a passage may hold between two seeds, on either side.
    pub max_gap: usize,
    /// The same when looking for a summary of a long passage.
    pub summary_gap: usize,
    /// Cosine the two sides of a cluster of seeds, taken as wholes, need
    /// (else it is clustered again with a smaller gap).
    pub cluster_threshold: f32,
    /// Evidence a paraphrase passage needs: its score times the share of
    /// its units that match (see the module docs, step 4).
    pub min_evidence: f32,
    /// Words each side of a passage needs.
    pub min_passage_words: usize,
    /// Largest number of sentence pairs kept as a dense matrix.
    pub max_matrix_cells: usize,
}

impl Default for AlignConfig {
    fn default() -> Self {
        AlignConfig {
            seed_threshold: 0.27,
            shingle_words: 6,
            min_unit_terms: 3,
            max_gap: 4,
            summary_gap: 24,
            cluster_threshold: 0.3,
            min_evidence: 0.2,
            min_passage_words: 25,
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
    /// Sentences of A it spans (a near-verbatim passage begins and ends
    /// with its shared words, inside the first and the last).
    pub a_sentences: Range<usize>,
    /// Sentences of B it spans (likewise).
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

/// A pair of units that match.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Seed {
    /// Unit of A.
    i: usize,
    /// Unit of B.
    j: usize,
    sim: f32,
}

/// A candidate passage: units of A and of B, the cosine of the two sides
/// as wholes, and how many words its seeds hold (on B's side).
#[derive(Clone, Debug)]
struct Cluster {
    a: Range<usize>,
    b: Range<usize>,
    sim: f32,
    matched: usize,
    /// Found by the summary extension.
    summary: bool,
    /// Units of A that hold a seed.
    seeded_a: usize,
    /// Units of B that hold a seed.
    seeded_b: usize,
}

/// One side cut into units, with their vectors.
struct Units {
    /// Sentences of each unit.
    sentences: Vec<Range<usize>>,
    vectors: Vec<SparseVec>,
}

impl Units {
    /// Sentences of a range of units.
    fn sentences(&self, r: &Range<usize>) -> Range<usize> {
        self.sentences[r.start].start..self.sentences[r.end - 1].end
    }
}

/// Align two documents. Deterministic; runs on the calling thread (the
/// pipeline parallelises over pairs).
pub fn align(a: Side<'_>, b: Side<'_>, cfg: &AlignConfig) -> Alignment {
    let (ua, ub) = units(a, b, cfg.min_unit_terms);
    if ua.sentences.is_empty() || ub.sentences.is_empty() {
        return Alignment::default();
    }
    let (seeds, similarity) = seeds(a, b, &ua, &ub, cfg);
    let words = |side: Side<'_>, u: &Units, r: &Range<usize>| {
        token_range(side.analysed, &u.sentences(r)).len()
    };
    let long_enough = |c: &Cluster| {
        words(a, &ua, &c.a) >= cfg.min_passage_words && words(b, &ub, &c.b) >= cfg.min_passage_words
    };
    let mut found = extend(&seeds, cfg.max_gap, &ua, &ub, b, false, cfg);
    found.retain(long_enough);
    if cfg.summary_gap > cfg.max_gap {
        for s in extend(&seeds, cfg.summary_gap, &ua, &ub, b, true, cfg) {
            let wb = words(b, &ub, &s.b);
            if !long_enough(&s)
                || words(a, &ua, &s.a) < SUMMARY_RATIO * wb
                || s.seeded_b < SUMMARY_MIN_UNITS
            {
                continue;
            }
            // Where the ordinary extension already made one passage of
            // most of it, of like length on both sides (a copy or a
            // rewrite, not a summary), the summary would only stretch its
            // source.
            let whole = found.iter().any(|c| {
                let cb = words(b, &ub, &c.b);
                overlap(&c.b, &s.b) && 2 * cb >= wb && words(a, &ua, &c.a) < SUMMARY_RATIO * cb
            });
            if !whole {
                found.retain(|c| !overlap(&c.b, &s.b));
                found.push(Cluster { summary: true, ..s });
            }
        }
    }
    let found = resolve(found, &ua, &ub);
    // Merged clusters only grow: each is still long enough.
    let mut passages: Vec<Passage> = found
        .into_iter()
        .filter_map(|c| {
            let (sa, sb) = trim(a, b, ua.sentences(&c.a), ub.sentences(&c.b));
            let p = passage(a, b, sa, sb, c.sim);
            evidence(&c, &p, (ua.sentences.len(), ub.sentences.len()), cfg).then_some(p)
        })
        .collect();
    drop_genre_echoes(&mut passages);
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

/// Whether a passage is evidence of reuse ([module docs](self), step 4).
/// A copy (verbatim or near-verbatim) is. A paraphrase's *evidence* is its
/// score times the share of its units that hold a seed (the smaller share
/// of its two sides; for a summary, of its own side, the source being long
/// by nature), and must reach [`AlignConfig::min_evidence`]: a rewrite is
/// alike as a whole and sentence by sentence, while independent texts of
/// one genre (two licences, two manual pages) match on a stock sentence
/// here and there. One sentence rewritten as one other is no passage,
/// unless that sentence is the whole of a document.
fn evidence(c: &Cluster, p: &Passage, (na, nb): (usize, usize), cfg: &AlignConfig) -> bool {
    if p.kind != PassageKind::Paraphrase {
        return true;
    }
    let share = |held: usize, units: usize| held as f32 / units.max(1) as f32;
    let matched = if c.summary {
        share(c.seeded_b, c.b.len())
    } else {
        share(c.seeded_b, c.b.len()).min(share(c.seeded_a, c.a.len()))
    };
    (c.summary || c.a.len() > 1 || c.b.len() > 1 || c.a.len() == na || c.b.len() == nb)
        && p.score * matched >= cfg.min_evidence
}

/// Drop the paraphrase passages whose stretch of A overlaps those of
/// [`GENRE_ECHOES`] − 1 or more other paraphrase passages.
fn drop_genre_echoes(passages: &mut Vec<Passage>) {
    let spans: Vec<&Range<usize>> = passages
        .iter()
        .filter(|p| p.kind == PassageKind::Paraphrase)
        .map(|p| &p.a_sentences)
        .collect();
    let mut starts: Vec<usize> = spans.iter().map(|r| r.start).collect();
    let mut ends: Vec<usize> = spans.iter().map(|r| r.end).collect();
    starts.sort_unstable();
    ends.sort_unstable();
    // Spans overlapping r: those starting before r ends, less those ending
    // before r starts (which start before it ends too); r itself included.
    let overlapping = |r: &Range<usize>| {
        starts.partition_point(|&s| s < r.end) - ends.partition_point(|&e| e <= r.start)
    };
    passages.retain(|p| {
        p.kind != PassageKind::Paraphrase || overlapping(&p.a_sentences) < GENRE_ECHOES
    });
}

/// The terms of a range of a side's sentences, in order.
fn terms_of<'a>(side: Side<'a>, r: &Range<usize>) -> impl Iterator<Item = &'a str> {
    side.sentence_terms[r.clone()]
        .iter()
        .flatten()
        .map(String::as_str)
}

/// Drop the sentences at either end of a passage's sides that share no
/// term with the other side (a heading or a line joined to its unit).
fn trim(
    a: Side<'_>,
    b: Side<'_>,
    mut sa: Range<usize>,
    mut sb: Range<usize>,
) -> (Range<usize>, Range<usize>) {
    let terms = |side, r: &Range<usize>| -> ahash::AHashSet<&str> { terms_of(side, r).collect() };
    let shares = |side: Side<'_>, k: usize, other: &ahash::AHashSet<&str>| {
        side.sentence_terms[k]
            .iter()
            .any(|t| other.contains(t.as_str()))
    };
    let tb = terms(b, &sb);
    while sa.len() > 1 && !shares(a, sa.start, &tb) {
        sa.start += 1;
    }
    while sa.len() > 1 && !shares(a, sa.end - 1, &tb) {
        sa.end -= 1;
    }
    let ta = terms(a, &sa);
    while sb.len() > 1 && !shares(b, sb.start, &ta) {
        sb.start += 1;
    }
    while sb.len() > 1 && !shares(b, sb.end - 1, &ta) {
        sb.end -= 1;
    }
    (sa, sb)
}

fn overlap(x: &Range<usize>, y: &Range<usize>) -> bool {
    x.start < y.end && y.start < x.end
}

/// Units of both sides ([module docs](self), step 1), weighted over these
/// units alone.
fn units(a: Side<'_>, b: Side<'_>, min_terms: usize) -> (Units, Units) {
    let group = |side: Side<'_>| {
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut start = 0;
        let mut terms = 0;
        for (k, t) in side.sentence_terms.iter().enumerate() {
            terms += t.len();
            if terms >= min_terms {
                out.push(start..k + 1);
                start = k + 1;
                terms = 0;
            }
        }
        // Short sentences at the end join the last unit.
        let n = side.sentence_terms.len();
        if start < n {
            match out.last_mut() {
                Some(last) => last.end = n,
                None if terms > 0 => out.push(start..n),
                None => {}
            }
        }
        out
    };
    let (ga, gb) = (group(a), group(b));
    let all: Vec<Vec<&str>> = ga
        .iter()
        .map(|r| terms_of(a, r).collect())
        .chain(gb.iter().map(|r| terms_of(b, r).collect()))
        .collect();
    let mut vecs = unit_vectors(&all);
    let vb = vecs.split_off(ga.len());
    (
        Units {
            sentences: ga,
            vectors: vecs,
        },
        Units {
            sentences: gb,
            vectors: vb,
        },
    )
}

/// Units of a pair at which the idf of its units and a uniform weight count
/// alike (see [`unit_vectors`]).
const SHORT_PAIR_UNITS: f64 = 10.0;

/// TF-IDF vectors of units: `(1 + ln tf) · (ln(n / df) + k / n)` over the
/// `n` units of the pair, L2-normalised, with `k` = [`SHORT_PAIR_UNITS`].
/// Unlike the corpus model's smoothed idf, a term found in every unit of a
/// long pair weighs almost nothing here: the words of the topic two
/// documents share say nothing about which sentence matches which. In a
/// short pair (two sentences, MSRP's pairs) the idf is no estimate at all,
/// and the weights tend to plain term frequency.
fn unit_vectors(units: &[Vec<&str>]) -> Vec<SparseVec> {
    let mut ids: AHashMap<&str, u32> = AHashMap::new();
    let coded: Vec<Vec<u32>> = units
        .iter()
        .map(|u| {
            let mut v: Vec<u32> = u
                .iter()
                .map(|t| {
                    let n = ids.len() as u32;
                    *ids.entry(t).or_insert(n)
                })
                .collect();
            v.sort_unstable();
            v
        })
        .collect();
    let mut df = vec![0u32; ids.len()];
    for u in &coded {
        let mut last = None;
        for &t in u {
            if last != Some(t) {
                df[t as usize] += 1;
                last = Some(t);
            }
        }
    }
    let n = units.len() as f64;
    // An idf estimated from a handful of units says little: shrink it
    // towards uniform weights as the pair gets short (two sentences
    // compared alone would otherwise have every shared word weigh nothing).
    let lambda = SHORT_PAIR_UNITS / n;
    coded
        .iter()
        .map(|u| {
            let mut terms = Vec::new();
            let mut weights: Vec<f64> = Vec::new();
            for chunk in u.chunk_by(|x, y| x == y) {
                let t = chunk[0];
                let w = (1.0 + (chunk.len() as f64).ln())
                    * ((n / f64::from(df[t as usize])).ln() + lambda);
                if w > 0.0 {
                    terms.push(t);
                    weights.push(w);
                }
            }
            let norm = weights.iter().map(|w| w * w).sum::<f64>().sqrt();
            SparseVec {
                terms,
                weights: weights.iter().map(|w| (w / norm) as f32).collect(),
            }
        })
        .collect()
}

/// Word shingles of each unit (sorted, deduplicated).
fn unit_shingles(side: Side<'_>, units: &Units, n: usize) -> Vec<Vec<u64>> {
    units
        .sentences
        .iter()
        .map(|r| {
            let tokens = token_range(side.analysed, r);
            if tokens.len() >= n {
                crate::shingle::word_shingles(&side.analysed.norms(tokens), n)
            } else {
                Vec::new()
            }
        })
        .collect()
}

/// Seeds ([module docs](self), step 2). Also returns the sentence cosine
/// matrix (each sentence taking its unit's cosine), when small enough.
fn seeds(
    a: Side<'_>,
    b: Side<'_>,
    ua: &Units,
    ub: &Units,
    cfg: &AlignConfig,
) -> (Vec<Seed>, Option<Array2<f32>>) {
    let (va, vb) = (&ua.vectors, &ub.vectors);
    let nb = vb.len();
    // Inverted index over B's units: term -> (unit, weight).
    let mut postings: AHashMap<u32, Vec<(u32, f32)>> = AHashMap::new();
    for (j, v) in vb.iter().enumerate() {
        for (&t, &w) in v.terms.iter().zip(&v.weights) {
            postings.entry(t).or_default().push((j as u32, w));
        }
    }
    let n = cfg.shingle_words.max(1);
    let sh_a = unit_shingles(a, ua, n);
    let sh_b = unit_shingles(b, ub, n);
    let mut b_shingles: AHashMap<u64, Vec<u32>> = AHashMap::new();
    for (j, set) in sh_b.iter().enumerate() {
        for &h in set {
            b_shingles.entry(h).or_default().push(j as u32);
        }
    }
    within_budget(&mut postings, va.iter().map(|v| v.terms.as_slice()));
    within_budget(&mut b_shingles, sh_a.iter().map(Vec::as_slice));
    let (sa, sb) = (a.analysed.sentences.len(), b.analysed.sentences.len());
    let mut matrix =
        (sa.saturating_mul(sb) <= cfg.max_matrix_cells).then(|| Array2::zeros((sa, sb)));
    let mut out = Vec::new();
    let mut acc = vec![0f32; nb];
    let mut common = vec![0u32; nb];
    let mut shared = vec![0u32; nb];
    let mut touched: Vec<u32> = Vec::new();
    for (i, v) in va.iter().enumerate() {
        for (&t, &w) in v.terms.iter().zip(&v.weights) {
            if let Some(list) = postings.get(&t) {
                for &(j, wb) in list {
                    if common[j as usize] == 0 && shared[j as usize] == 0 {
                        touched.push(j);
                    }
                    acc[j as usize] += w * wb;
                    common[j as usize] += 1;
                }
            }
        }
        for h in &sh_a[i] {
            if let Some(js) = b_shingles.get(h) {
                for &j in js {
                    if common[j as usize] == 0 && shared[j as usize] == 0 {
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
            let sizes = (v.terms.len() + vb[j].terms.len()).max(1);
            let dice = 2.0 * common[j] as f32 / sizes as f32;
            let in_common = common[j];
            let fewer = sh_a[i].len().min(sh_b[j].len()).max(1);
            let copied = shared[j] as f32 / fewer as f32;
            acc[j] = 0.0;
            common[j] = 0;
            shared[j] = 0;
            if let Some(m) = matrix.as_mut() {
                for si in ua.sentences[i].clone() {
                    for sj in ub.sentences[j].clone() {
                        m[(si, sj)] = cos;
                    }
                }
            }
            // A run of words shared verbatim is as telling as a high cosine.
            let matched = cos.min(dice);
            if (matched >= cfg.seed_threshold && in_common >= SEED_SHARED_TERMS) || copied >= 0.5 {
                out.push(Seed {
                    i,
                    j,
                    sim: matched.max(copied),
                });
            }
        }
        touched.clear();
    }
    (out, matrix)
}

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

/// Cut seeds into clusters ([module docs](self), step 3): alternately by
/// their units in A and in B, wherever more than `gap` units lie between
/// two consecutive seeds, until no cut is made.
fn clusters(seeds: &[Seed], gap: usize) -> Vec<Vec<Seed>> {
    let mut groups = vec![seeds.to_vec()];
    let mut by_a = true;
    // Rounds in a row that cut nothing: two (one per side) mean stable.
    let mut quiet = 0;
    while quiet < 2 {
        let key = |s: &Seed| if by_a { (s.i, s.j) } else { (s.j, s.i) };
        let mut next = Vec::with_capacity(groups.len());
        let mut cut = false;
        for mut g in groups {
            g.sort_by_key(key);
            let mut part: Vec<Seed> = Vec::new();
            for s in g {
                if part
                    .last()
                    .is_some_and(|last| key(&s).0 > key(last).0 + gap + 1)
                {
                    next.push(std::mem::take(&mut part));
                    cut = true;
                }
                part.push(s);
            }
            if !part.is_empty() {
                next.push(part);
            }
        }
        groups = next;
        quiet = if cut { 0 } else { quiet + 1 };
        by_a = !by_a;
    }
    groups
}

/// Clusters of `seeds` with at most `gap` units between seeds whose two
/// sides, as wholes, reach [`AlignConfig::cluster_threshold`]; a cluster
/// that does not is clustered again with a smaller gap. Stray seeds at the
/// edges are withdrawn first ([`tighten`]), except when looking for a
/// summary, whose matches lie far apart in its source by nature.
fn extend(
    seeds: &[Seed],
    gap: usize,
    ua: &Units,
    ub: &Units,
    b: Side<'_>,
    summary: bool,
    cfg: &AlignConfig,
) -> Vec<Cluster> {
    let mut out = Vec::new();
    for group in clusters(seeds, gap) {
        let (group, c) = if summary {
            let c = cluster(&group, ua, ub, b);
            (group, c)
        } else {
            tighten(group, ua, ub, b)
        };
        if c.sim >= cfg.cluster_threshold {
            out.push(c);
        } else if gap > 0 && group.len() > 1 {
            out.extend(extend(&group, gap - 1, ua, ub, b, summary, cfg));
        }
    }
    out
}

/// Withdraw the seeds at either end of a group, on either side, that
/// stand apart (no seed on the unit next to them) while that raises the
/// cosine of the passage's two sides: a stray match at the edge stretches
/// a passage over text the other side lacks.
fn tighten(mut group: Vec<Seed>, ua: &Units, ub: &Units, b: Side<'_>) -> (Vec<Seed>, Cluster) {
    let mut best = cluster(&group, ua, ub, b);
    while group.len() > 1 {
        let ends = [
            group.iter().map(|s| s.i).min(),
            group.iter().map(|s| s.i).max(),
        ];
        let ends_b = [
            group.iter().map(|s| s.j).min(),
            group.iter().map(|s| s.j).max(),
        ];
        let mut pick: Option<(Vec<Seed>, Cluster)> = None;
        for (side_a, end) in ends
            .into_iter()
            .map(|e| (true, e))
            .chain(ends_b.into_iter().map(|e| (false, e)))
        {
            let Some(end) = end else { continue };
            // Only a stray: no seed on the unit next to it, inwards.
            let at = |k: usize| {
                group
                    .iter()
                    .any(|s| if side_a { s.i == k } else { s.j == k })
            };
            let inner = [end.checked_sub(1), end.checked_add(1)];
            if inner.into_iter().flatten().any(at) {
                continue;
            }
            let rest: Vec<Seed> = group
                .iter()
                .copied()
                .filter(|s| if side_a { s.i != end } else { s.j != end })
                .collect();
            if rest.is_empty() {
                continue;
            }
            let c = cluster(&rest, ua, ub, b);
            if c.sim > pick.as_ref().map_or(best.sim, |p| p.1.sim) {
                pick = Some((rest, c));
            }
        }
        match pick {
            Some((rest, c)) => {
                group = rest;
                best = c;
            }
            None => break,
        }
    }
    (group, best)
}

/// The passage a group of seeds spans.
fn cluster(group: &[Seed], ua: &Units, ub: &Units, b: Side<'_>) -> Cluster {
    let a = group.iter().map(|s| s.i).min().unwrap_or(0)
        ..group.iter().map(|s| s.i + 1).max().unwrap_or(0);
    let bb = group.iter().map(|s| s.j).min().unwrap_or(0)
        ..group.iter().map(|s| s.j + 1).max().unwrap_or(0);
    let mut js: Vec<usize> = group.iter().map(|s| s.j).collect();
    js.sort_unstable();
    js.dedup();
    let matched = js
        .iter()
        .map(|&j| token_range(b.analysed, &ub.sentences[j]).len())
        .sum();
    let mut is: Vec<usize> = group.iter().map(|s| s.i).collect();
    is.sort_unstable();
    is.dedup();
    let mut c = with_sim(a, bb, matched, ua, ub);
    (c.seeded_a, c.seeded_b) = (is.len(), js.len());
    c
}

fn with_sim(a: Range<usize>, b: Range<usize>, matched: usize, ua: &Units, ub: &Units) -> Cluster {
    let sim = window(&ua.vectors, a.clone())
        .dot(&window(&ub.vectors, b.clone()))
        .min(1.0);
    Cluster {
        a,
        b,
        sim,
        matched,
        summary: false,
        seeded_a: 0,
        seeded_b: 0,
    }
}

/// Merge clusters that overlap on both sides, then keep each stretch of B
/// in one cluster only, the one with more matched words ([module
/// docs](self), step 4).
fn resolve(found: Vec<Cluster>, ua: &Units, ub: &Units) -> Vec<Cluster> {
    let mut found = merge_overlapping(found, |a, b, members: &[&Cluster]| {
        let mut c = with_sim(a, b, members.iter().map(|m| m.matched).sum(), ua, ub);
        c.summary = members.iter().any(|m| m.summary);
        c.seeded_a = members.iter().map(|m| m.seeded_a).sum();
        c.seeded_b = members.iter().map(|m| m.seeded_b).sum();
        c
    });
    found.sort_by(|x, y| {
        y.matched
            .cmp(&x.matched)
            .then(y.sim.total_cmp(&x.sim))
            .then((x.b.start, x.a.start).cmp(&(y.b.start, y.a.start)))
    });
    // Stretches of B taken so far: start -> end, disjoint.
    let mut taken: std::collections::BTreeMap<usize, usize> = Default::default();
    let mut kept: Vec<Cluster> = Vec::new();
    for c in found {
        let before = taken.range(..c.b.end).next_back();
        if before.is_some_and(|(_, &end)| end > c.b.start) {
            continue;
        }
        taken.insert(c.b.start, c.b.end);
        kept.push(c);
    }
    kept
}

/// Merge clusters overlapping on both sides into the cluster `join` makes
/// of their spans' union, until no two overlap so: a sweep over B with the
/// clusters still open there, then again over the merged ones while any
/// merge was made. `join` gets the A and B spans and the members.
fn merge_overlapping(
    mut found: Vec<Cluster>,
    join: impl Fn(Range<usize>, Range<usize>, &[&Cluster]) -> Cluster,
) -> Vec<Cluster> {
    loop {
        let n = found.len();
        found.sort_by_key(|c| (c.b.start, c.a.start, c.b.end, c.a.end));
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        let mut open: Vec<usize> = Vec::new();
        let mut merged = false;
        for k in 0..n {
            open.retain(|&x| found[x].b.end > found[k].b.start);
            for &x in &open {
                if overlap(&found[x].a, &found[k].a) {
                    let (rx, rk) = (root(&mut parent, x), root(&mut parent, k));
                    if rx != rk {
                        parent[rk.max(rx)] = rk.min(rx);
                        merged = true;
                    }
                }
            }
            open.push(k);
        }
        if !merged {
            return found;
        }
        let mut groups: AHashMap<usize, Vec<usize>> = AHashMap::new();
        for k in 0..n {
            let r = root(&mut parent, k);
            groups.entry(r).or_default().push(k);
        }
        let mut roots: Vec<usize> = groups.keys().copied().collect();
        roots.sort_unstable();
        found = roots
            .into_iter()
            .map(|r| {
                let members: Vec<&Cluster> = groups[&r].iter().map(|&k| &found[k]).collect();
                if members.len() == 1 {
                    return members[0].clone();
                }
                let a = members.iter().map(|m| m.a.start).min().unwrap_or(0)
                    ..members.iter().map(|m| m.a.end).max().unwrap_or(0);
                let b = members.iter().map(|m| m.b.start).min().unwrap_or(0)
                    ..members.iter().map(|m| m.b.end).max().unwrap_or(0);
                join(a, b, &members)
            })
            .collect();
    }
}

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

fn passage(a: Side<'_>, b: Side<'_>, ia: Range<usize>, jb: Range<usize>, sim: f32) -> Passage {
    let (ra, rb) = (token_range(a.analysed, &ia), token_range(b.analysed, &jb));
    let ta = a.analysed.norms(ra.clone());
    let tb = b.analysed.norms(rb.clone());
    let verbatim = ta == tb;
    let dice = if verbatim {
        1.0
    } else {
        trigram_dice(&ta, &tb)
    };
    let (kind, score) = classify(verbatim, dice, sim);
    let (mut span_a, mut span_b) = (
        sentence_span(a.analysed, &ia),
        sentence_span(b.analysed, &jb),
    );
    // A copy begins and ends where the shared words do, not where the
    // sentences around them do.
    if kind == PassageKind::NearVerbatim {
        if let (Some(xa), Some(xb)) = (shared_extent(&ta, &tb), shared_extent(&tb, &ta)) {
            let tok = |side: Side<'_>, r: &Range<usize>, x: Range<usize>| {
                let t = &side.analysed.tokens;
                Span::new(
                    t[r.start + x.start].span.start,
                    t[r.start + x.end - 1].span.end,
                )
            };
            span_a = tok(a, &ra, xa);
            span_b = tok(b, &rb, xb);
        }
    }
    Passage {
        a: span_a,
        b: span_b,
        // Cut to its shared words, a copy may leave its first or last
        // sentences: its sentences are those its span touches.
        a_sentences: sentences_touched(a.analysed, &ia, span_a),
        b_sentences: sentences_touched(b.analysed, &jb, span_b),
        score,
        kind,
    }
}

/// The sentences of `r` that `span` (inside them) overlaps.
fn sentences_touched(analysed: &Analysed, r: &Range<usize>, span: Span) -> Range<usize> {
    let ss = &analysed.sentences;
    let mut start = r.start;
    while start + 1 < r.end && ss[start].span.end <= span.start {
        start += 1;
    }
    let mut end = r.end;
    while end > start + 1 && ss[end - 1].span.start >= span.end {
        end -= 1;
    }
    start..end
}

/// Tokens of `mine` from the first to the last word trigram that `theirs`
/// also holds.
fn shared_extent(mine: &[&str], theirs: &[&str]) -> Option<Range<usize>> {
    let other: ahash::AHashSet<u64> = crate::shingle::word_shingles(theirs, 3)
        .into_iter()
        .collect();
    let seq = crate::shingle::word_shingle_sequence(mine, 3);
    if mine.len() < 3 || seq.len() + 2 != mine.len() {
        return None;
    }
    let first = seq.iter().position(|h| other.contains(h))?;
    let last = seq.iter().rposition(|h| other.contains(h))?;
    Some(first..last + 3)
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
    use crate::hash::SplitMix64;
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

    /// Sentences of random words from a vocabulary of 2,000 (no two
    /// generated texts share much beyond chance).
    fn filler(rng: &mut SplitMix64, sentences: usize) -> String {
        let mut out = String::new();
        for _ in 0..sentences {
            let n = rng.between(8, 20);
            let words: Vec<String> = (0..n).map(|_| format!("w{}q", rng.below(2000))).collect();
            out.push_str(&format!("Start {}. ", words.join(" ")));
        }
        out
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
        // B tells the second half first, and other things between.
        let mut rng = SplitMix64::new(5);
        let a = doc(&join(&[0, 1, 2, 3, 4, 5, 6, 7]));
        let b = doc(&format!(
            "{} {}{}",
            join(&[4, 5, 6, 7]),
            filler(&mut rng, 12),
            join(&[0, 1, 2, 3])
        ));
        let al = align(side(&a), side(&b), &AlignConfig::default());
        assert_eq!(al.passages.len(), 2, "{:#?}", al.passages);
        assert!(al.coverage_a > 0.99, "{al:#?}");
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
    fn a_rewritten_block_is_one_paraphrase_passage() {
        let a = doc(&join(&[0, 1, 2, 3, 4]));
        let b = doc(
            "A new breakwater for the northern port was approved by the harbour authority. \
             Construction should take three years and cost forty million, engineers expect. \
             Spawning grounds near the reef may be disturbed by the works, fishermen worry. \
             Any boat owner who loses income will get compensation, the mayor promised. \
             Early spring is when a public hearing on the environmental study is planned.",
        );
        let al = align(side(&a), side(&b), &AlignConfig::default());
        assert_eq!(al.passages.len(), 1, "{:#?}", al.passages);
        let p = &al.passages[0];
        assert_eq!((p.a_sentences.clone(), p.b_sentences.clone()), (0..5, 0..5));
        assert_eq!(p.kind, PassageKind::Paraphrase);
        assert!(p.score > 0.5 && p.score < 1.0, "{p:#?}");
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
    fn a_rewritten_paragraph_inside_long_unrelated_texts_is_one_passage_at_its_place() {
        let mut rng = SplitMix64::new(7);
        let rewritten = "A new breakwater for the northern port was approved by the harbour authority. \
             Construction should take three years and cost forty million, engineers expect. \
             Spawning grounds near the reef may be disturbed by the works, fishermen worry. ";
        let (a_pre, a_post) = (filler(&mut rng, 40), filler(&mut rng, 40));
        let (b_pre, b_post) = (filler(&mut rng, 60), filler(&mut rng, 30));
        let original = join(&[0, 1, 2]);
        let a = doc(&format!("{a_pre}{original} {a_post}"));
        let b = doc(&format!("{b_pre}{rewritten}{b_post}"));
        let al = align(side(&a), side(&b), &AlignConfig::default());
        assert_eq!(al.passages.len(), 1, "{:#?}", al.passages);
        let p = &al.passages[0];
        assert_eq!(&a.text[p.a.start..p.a.end], original);
        assert_eq!(&b.text[p.b.start..p.b.end], rewritten.trim_end());
    }

    #[test]
    fn short_sentences_and_shared_words_alone_make_no_passage() {
        let mut rng = SplitMix64::new(11);
        // Both texts: headings of one word, and long sentences sharing a
        // few rare words each.
        let mut a = String::new();
        let mut b = String::new();
        for k in 0..30 {
            a.push_str(&format!("NAME\n\nOptions\n\n{}\n\n", filler(&mut rng, 2)));
            b.push_str(&format!(
                "NAME\n\nOptions\n\nStart w{k}q {}\n\n",
                filler(&mut rng, 2)
            ));
        }
        let (a, b) = (doc(&a), doc(&b));
        let al = align(side(&a), side(&b), &AlignConfig::default());
        assert!(al.passages.is_empty(), "{:#?}", al.passages);
    }

    /// A long source passage (`SOURCE` sentences inside unrelated text)
    /// and a summary of it inside other unrelated text: `echoes`
    /// sentences, each echoing one sentence of the passage fully and the
    /// two after it a little. Returns both texts and the byte ranges of
    /// the passage and of the summary.
    fn summarised(rng: &mut SplitMix64, echoes: usize) -> (Doc, Doc, Range<usize>, Range<usize>) {
        const SOURCE: usize = 15;
        let topic = |k: usize, m: usize| format!("t{k}x{m}");
        let mut a = filler(rng, 12);
        let a_start = a.len();
        for k in 0..SOURCE {
            let mut words: Vec<String> = (0..4).map(|m| topic(k, m)).collect();
            words.extend((0..9).map(|_| format!("w{}q", rng.below(2000))));
            a.push_str(&format!("Start {}. ", words.join(" ")));
        }
        let a_end = a.len() - 1;
        a.push_str(&filler(rng, 12));
        let mut b = filler(rng, 12);
        let b_start = b.len();
        for e in 0..echoes {
            // A summary sentence condenses three of its source.
            let k = 3 * e;
            let mut words: Vec<String> = (0..4).map(|m| topic(k, m)).collect();
            for skipped in k + 1..k + 3 {
                words.extend((0..2).map(|m| topic(skipped, m)));
            }
            b.push_str(&format!("Start {}. ", words.join(" ")));
        }
        let b_end = b.len() - 1;
        b.push_str(&filler(rng, 12));
        (doc(&a), doc(&b), a_start..a_end, b_start..b_end)
    }

    #[test]
    fn a_summary_is_one_passage_from_its_first_echo_to_its_last() {
        let cfg = AlignConfig {
            min_passage_words: 10,
            ..AlignConfig::default()
        };
        let mut rng = SplitMix64::new(23);
        for echoes in [5, 4, 3] {
            let (a, b, ra, rb) = summarised(&mut rng, echoes);
            let al = align(side(&a), side(&b), &cfg);
            assert_eq!(al.passages.len(), 1, "{echoes} echoes: {:#?}", al.passages);
            let p = &al.passages[0];
            assert!(
                p.a.start >= ra.start && p.a.end <= ra.end,
                "{p:?} within {ra:?}"
            );
            assert!(
                p.b.start >= rb.start && p.b.end <= rb.end,
                "{p:?} within {rb:?}"
            );
            // The passage runs from the first echoed sentence to the last,
            // over a stretch of the source three times as long or more.
            assert!(p.a.len() >= 3 * p.b.len(), "{p:?}");
            assert_eq!(p.b.start, rb.start, "{p:?}");
            assert_eq!(p.b.end, rb.end, "{p:?}");
        }
    }

    #[test]
    fn empty_sides_give_an_empty_alignment() {
        let a = doc("");
        let b = doc(S[0]);
        let al = align(side(&a), side(&b), &AlignConfig::default());
        assert!(al.passages.is_empty());
    }

    /// Clusters are a partition of the seeds in which no further cut
    /// applies: sorted by either side, consecutive seeds lie at most
    /// `gap + 1` units apart.
    #[test]
    fn clusters_partition_the_seeds_and_admit_no_further_cut() {
        let mut rng = SplitMix64::new(3);
        for round in 0..300 {
            let n = rng.between(0, 40);
            let span = rng.between(5, 80);
            let mut seeds: Vec<Seed> = (0..n)
                .map(|_| Seed {
                    i: rng.below(span),
                    j: rng.below(span),
                    sim: 0.5,
                })
                .collect();
            seeds.sort_by_key(|s| (s.i, s.j));
            seeds.dedup();
            let gap = rng.below(5);
            let groups = clusters(&seeds, gap);
            let mut all: Vec<Seed> = groups.iter().flatten().copied().collect();
            all.sort_by_key(|s| (s.i, s.j));
            assert_eq!(all, seeds, "round {round}: a partition");
            for g in &groups {
                assert!(!g.is_empty());
                for by_a in [true, false] {
                    let key = |s: &Seed| if by_a { (s.i, s.j) } else { (s.j, s.i) };
                    let mut g = g.clone();
                    g.sort_by_key(key);
                    for w in g.windows(2) {
                        assert!(key(&w[1]).0 <= key(&w[0]).0 + gap + 1, "round {round}");
                    }
                }
            }
        }
    }

    /// The sweep gives what merging any two overlapping clusters, one pair
    /// at a time until none is left, gives.
    #[test]
    fn genre_echoes_counted_by_sorting_are_counted_pair_by_pair() {
        let mut rng = SplitMix64::new(21);
        let kinds = [
            PassageKind::Paraphrase,
            PassageKind::Paraphrase,
            PassageKind::NearVerbatim,
            PassageKind::Verbatim,
        ];
        for _ in 0..500 {
            let span = rng.between(5, 40);
            let passages: Vec<Passage> = (0..rng.between(0, 12))
                .map(|k| {
                    let a0 = rng.below(span);
                    Passage {
                        a: Span::new(0, 0),
                        b: Span::new(k, k + 1),
                        a_sentences: a0..a0 + rng.between(1, 5),
                        b_sentences: k..k + 1,
                        score: 0.5,
                        kind: kinds[rng.below(kinds.len())],
                    }
                })
                .collect();
            let para = |p: &Passage| p.kind == PassageKind::Paraphrase;
            let slow: Vec<usize> = passages
                .iter()
                .filter(|p| {
                    !para(p)
                        || passages
                            .iter()
                            .filter(|q| para(q) && overlap(&q.a_sentences, &p.a_sentences))
                            .count()
                            < GENRE_ECHOES
                })
                .map(|p| p.b.start)
                .collect();
            let mut fast = passages.clone();
            drop_genre_echoes(&mut fast);
            let fast: Vec<usize> = fast.iter().map(|p| p.b.start).collect();
            assert_eq!(fast, slow);
        }
    }

    #[test]
    fn merging_by_sweep_is_merging_pair_by_pair() {
        let mut rng = SplitMix64::new(9);
        let join = |a: Range<usize>, b: Range<usize>, m: &[&Cluster]| Cluster {
            a,
            b,
            sim: 0.0,
            matched: m.iter().map(|c| c.matched).sum(),
            summary: false,
            seeded_a: 0,
            seeded_b: 0,
        };
        for round in 0..500 {
            let span = rng.between(5, 60);
            let found: Vec<Cluster> = (0..rng.between(0, 25))
                .map(|_| {
                    let (a0, b0) = (rng.below(span), rng.below(span));
                    Cluster {
                        a: a0..a0 + rng.between(1, 6),
                        b: b0..b0 + rng.between(1, 6),
                        sim: 0.0,
                        matched: 1,
                        summary: false,
                        seeded_a: 0,
                        seeded_b: 0,
                    }
                })
                .collect();
            let mut slow = found.clone();
            'again: loop {
                for x in 0..slow.len() {
                    for y in x + 1..slow.len() {
                        if overlap(&slow[x].a, &slow[y].a) && overlap(&slow[x].b, &slow[y].b) {
                            let q = slow.remove(y);
                            let p = &slow[x];
                            slow[x] = join(
                                p.a.start.min(q.a.start)..p.a.end.max(q.a.end),
                                p.b.start.min(q.b.start)..p.b.end.max(q.b.end),
                                &[p, &q],
                            );
                            continue 'again;
                        }
                    }
                }
                break;
            }
            let key = |v: Vec<Cluster>| {
                let mut k: Vec<_> = v.into_iter().map(|c| (c.a, c.b, c.matched)).collect();
                k.sort_by_key(|x| (x.0.start, x.1.start, x.0.end, x.1.end));
                k
            };
            assert_eq!(
                key(merge_overlapping(found, join)),
                key(slow),
                "round {round}"
            );
        }
    }
}
