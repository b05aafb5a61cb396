//! Shingling: turns normalised tokens (or normalised text) into 64-bit shingle hashes.
//!
//! In: a slice of already-normalised tokens (for word shingles) or a normalised
//! string (for character shingles), plus a window length `n`.
//! Out: `u64` shingle hashes, either one per window position
//! (`word_shingle_sequence`) or as a sorted, deduplicated set
//! ([`word_shingles`], [`char_shingles`]) ready for
//! [`MinHasher::sign`](crate::minhash::MinHasher::sign) and the exact set
//! measures in [`crate::minhash`].
//!
//! All hashes come from [`stable_hash`], which is stable across runs,
//! versions and machines, so shingle hashes may be persisted.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Seed used for every shingle hash produced by this module.
///
/// Persisted indexes depend on it: never change it.
pub const SHINGLE_SEED: u64 = 0x5D0C_9E1A_7B3F_2468;

/// Byte placed between tokens when hashing a word window (ASCII unit separator).
pub(crate) const TOKEN_SEPARATOR: u8 = 0x1F;

/// Stable 64-bit hash of `bytes` (XXH3-64 with `seed`).
///
/// This hash is persisted by a later index, so it must never change across
/// runs, crate versions or machines: it is a fixed, fully specified function
/// of `bytes` and `seed`. Use it for anything that is written to disk or
/// compared between runs. `ahash` is randomly seeded per process and is only
/// for in-memory hash maps.
pub fn stable_hash(bytes: &[u8], seed: u64) -> u64 {
    xxh3_64_with_seed(bytes, seed)
}

/// Hash of the tokens `window` joined with a `0x1F` separator byte, reusing `buf`.
fn hash_token_window<S: AsRef<str>>(window: &[S], buf: &mut Vec<u8>) -> u64 {
    buf.clear();
    for (i, tok) in window.iter().enumerate() {
        if i > 0 {
            buf.push(TOKEN_SEPARATOR);
        }
        buf.extend_from_slice(tok.as_ref().as_bytes());
    }
    stable_hash(buf, SHINGLE_SEED)
}

/// Word `n`-gram shingle hashes in text order, one per window start.
///
/// Returns `tokens.len() - n + 1` hashes; window `i` hashes
/// `tokens[i..i + n]` joined with a `0x1F` separator byte. If
/// `0 < tokens.len() < n`, a single shingle of all tokens is returned; no
/// tokens give an empty vector. `n == 0` is treated as `n == 1`.
pub(crate) fn word_shingle_sequence<S: AsRef<str>>(tokens: &[S], n: usize) -> Vec<u64> {
    if tokens.is_empty() {
        return Vec::new();
    }
    let n = n.clamp(1, tokens.len());
    let mut buf = Vec::new();
    tokens
        .windows(n)
        .map(|w| hash_token_window(w, &mut buf))
        .collect()
}

/// Word `n`-gram shingles as a set: `word_shingle_sequence`, sorted and deduplicated.
pub fn word_shingles<S: AsRef<str>>(tokens: &[S], n: usize) -> Vec<u64> {
    let mut v = word_shingle_sequence(tokens, n);
    v.sort_unstable();
    v.dedup();
    v
}

/// Word `n`-gram shingles of a text as a sorted, deduplicated set: the same
/// set as [`word_shingles`] over the norms of
/// [`text::tokenize`](crate::text::tokenize), computed without a string per
/// word (see [`WordShingler`]).
pub fn text_word_shingles(text: &str, n: usize) -> Vec<u64> {
    let mut v = WordShingler::default().hashes(text, n).to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// Reusable buffers for the word shingles of many texts, one per thread.
///
/// The norms of a text are written once into one buffer, separated by the
/// separator byte, so each window's bytes are already contiguous there and
/// no string is made per word.
#[derive(Debug, Default)]
pub struct WordShingler {
    buf: String,
    ranges: Vec<std::ops::Range<usize>>,
    hashes: Vec<u64>,
}

impl WordShingler {
    /// Word `n`-gram shingle hashes of `text` in text order, duplicates
    /// kept: `word_shingle_sequence` over the norms of
    /// [`text::tokenize`](crate::text::tokenize). Enough for
    /// [`MinHasher::sign`](crate::minhash::MinHasher::sign), which depends
    /// only on the set of values; sort and deduplicate for a set.
    pub fn hashes(&mut self, text: &str, n: usize) -> &[u64] {
        crate::text::norms_into(text, TOKEN_SEPARATOR, &mut self.buf, &mut self.ranges);
        self.hashes.clear();
        self.hashes
            .extend(separated_window_hashes(&self.buf, &self.ranges, n));
        &self.hashes
    }
}

/// Word `n`-gram hashes of words written into `buf` separated by
/// [`TOKEN_SEPARATOR`] ([`crate::text::norms_into`]), `ranges` their
/// places: each window's bytes are contiguous in `buf`, so they are hashed
/// where they lie — the values of [`word_shingle_sequence`] on the same
/// words. No words give none; fewer than `n`, one of them all.
pub(crate) fn separated_window_hashes<'a>(
    buf: &'a str,
    ranges: &'a [std::ops::Range<usize>],
    n: usize,
) -> impl Iterator<Item = u64> + 'a {
    let n = n.clamp(1, ranges.len().max(1));
    let bytes = buf.as_bytes();
    ranges
        .windows(n)
        .map(move |w| stable_hash(&bytes[w[0].start..w[n - 1].end], SHINGLE_SEED))
}

/// Character `n`-gram shingles of `text` as a sorted, deduplicated set.
///
/// Windows are `n` Unicode scalar values long. Before windowing, every run of
/// whitespace is collapsed to a single ASCII space and leading/trailing
/// whitespace is removed. A (collapsed) text shorter than `n` characters gives
/// one shingle of the whole text, an empty or all-whitespace text gives an
/// empty vector. `n == 0` is treated as `n == 1`.
pub fn char_shingles(text: &str, n: usize) -> Vec<u64> {
    let mut collapsed = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    if collapsed.is_empty() {
        return Vec::new();
    }
    // Byte offset of every char boundary, including the end of the string.
    let mut bounds: Vec<usize> = collapsed.char_indices().map(|(i, _)| i).collect();
    bounds.push(collapsed.len());
    let n_chars = bounds.len() - 1;
    let n = n.clamp(1, n_chars);
    let bytes = collapsed.as_bytes();
    let mut v: Vec<u64> = bounds
        .windows(n + 1)
        .map(|w| stable_hash(&bytes[w[0]..w[n]], SHINGLE_SEED))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Which kind of shingles to build from a passage, with the window length.
/// In JSON: `{"kind": "words", "size": 5}` (or `"chars"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "ShingleSpec", try_from = "ShingleSpec")]
pub enum ShingleKind {
    /// Word `n`-grams over normalised tokens (see [`word_shingles`]).
    Words(usize),
    /// Character `n`-grams over normalised text (see [`char_shingles`]).
    Chars(usize),
}

impl ShingleKind {
    /// Words or characters per shingle.
    pub fn size(self) -> usize {
        match self {
            ShingleKind::Words(n) | ShingleKind::Chars(n) => n,
        }
    }
}

/// [`ShingleKind`] as JSON names it.
#[derive(serde::Serialize, serde::Deserialize)]
struct ShingleSpec {
    kind: String,
    size: usize,
}

impl From<ShingleKind> for ShingleSpec {
    fn from(k: ShingleKind) -> ShingleSpec {
        let (kind, size) = match k {
            ShingleKind::Words(n) => ("words", n),
            ShingleKind::Chars(n) => ("chars", n),
        };
        ShingleSpec {
            kind: kind.into(),
            size,
        }
    }
}

impl TryFrom<ShingleSpec> for ShingleKind {
    type Error = String;

    fn try_from(s: ShingleSpec) -> Result<ShingleKind, String> {
        match s.kind.as_str() {
            "words" => Ok(ShingleKind::Words(s.size)),
            "chars" => Ok(ShingleKind::Chars(s.size)),
            other => Err(format!(
                "shingle kind {other:?}: expected \"words\" or \"chars\""
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_hash_values_are_pinned() {
        // Computed once and hard-coded: if any of these change, persisted
        // indexes silently stop matching. The first is XXH3-64's published
        // reference value for empty input.
        assert_eq!(stable_hash(b"", 0), 0x2D06_8005_38D3_94C2);
        assert_eq!(stable_hash(b"doppel", SHINGLE_SEED), 0x7A0B_45A2_9F86_2AC9);
        assert_eq!(
            word_shingle_sequence(&["the", "quick", "fox"], 2),
            vec![0x7E5F_CEB9_8FD2_98E7, 0x2AEF_A8F4_7EE2_7645]
        );
    }

    #[test]
    fn sequence_has_one_hash_per_window() {
        let toks = ["a", "b", "c", "d", "e"];
        let seq = word_shingle_sequence(&toks, 3);
        assert_eq!(seq.len(), 3);
        assert_eq!(seq[0], stable_hash(b"a\x1Fb\x1Fc", SHINGLE_SEED));
        assert_eq!(seq[2], stable_hash(b"c\x1Fd\x1Fe", SHINGLE_SEED));
        // Works with owned strings too.
        let owned: Vec<String> = toks.iter().map(|t| t.to_string()).collect();
        assert_eq!(word_shingle_sequence(&owned, 3), seq);
    }

    #[test]
    fn separator_prevents_concatenation_collisions() {
        assert_ne!(
            word_shingle_sequence(&["ab", "c"], 2),
            word_shingle_sequence(&["a", "bc"], 2)
        );
    }

    #[test]
    fn short_and_empty_inputs() {
        let empty: [&str; 0] = [];
        assert!(word_shingle_sequence(&empty, 3).is_empty());
        assert!(word_shingles(&empty, 0).is_empty());
        let short = word_shingle_sequence(&["x", "y"], 5);
        assert_eq!(short, vec![stable_hash(b"x\x1Fy", SHINGLE_SEED)]);
        // n == 0 behaves like n == 1.
        assert_eq!(
            word_shingle_sequence(&["x", "y"], 0),
            word_shingle_sequence(&["x", "y"], 1)
        );
        assert!(char_shingles("", 4).is_empty());
        assert!(char_shingles(" \t\n ", 4).is_empty());
        assert_eq!(
            char_shingles("ab", 4),
            vec![stable_hash(b"ab", SHINGLE_SEED)]
        );
        assert_eq!(char_shingles("ab", 0), char_shingles("ab", 1));
    }

    #[test]
    fn text_word_shingles_match_word_shingles_of_tokens() {
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../seeds/000_51955296cd91fa83.txt"
        ))
        .unwrap();
        for text in [
            seed.as_str(),
            "One two three four five six seven.",
            "Vietnam\u{2019}s \u{FB01}nance, US\u{2013}China: ＡＢＣ déjà vu. DON'T",
            "two words",
            "",
        ] {
            let toks = crate::text::tokenize(text);
            let norms: Vec<&str> = toks.iter().map(|t| t.norm.as_str()).collect();
            for n in [0, 1, 3, 5, 9] {
                assert_eq!(
                    text_word_shingles(text, n),
                    word_shingles(&norms, n),
                    "n={n}"
                );
            }
        }
    }

    #[test]
    fn word_shingles_is_sorted_set() {
        let toks = ["a", "b", "a", "b", "a", "b"];
        let set = word_shingles(&toks, 2);
        assert_eq!(set.len(), 2); // "a b" and "b a"
        assert!(set.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn char_shingles_collapse_whitespace_and_use_scalars() {
        assert_eq!(
            char_shingles("  la  vie\t\n en ", 3),
            char_shingles("la vie en", 3)
        );
        // 4 scalar values, multi-byte: windows of 2 -> 3 distinct shingles.
        let s = char_shingles("éàüö", 2);
        assert_eq!(s.len(), 3);
        assert!(s.contains(&stable_hash("àü".as_bytes(), SHINGLE_SEED)));
        // Repeated windows are deduplicated.
        assert_eq!(char_shingles("aaaaaa", 2).len(), 1);
        let set = char_shingles("the quick brown fox", 4);
        assert!(set.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(set.len(), "the quick brown fox".chars().count() - 3);
    }

    #[test]
    fn shingle_kind_roundtrips() {
        for k in [ShingleKind::Words(5), ShingleKind::Chars(4)] {
            let json = serde_json::to_string(&k).expect("serialise");
            let back: ShingleKind = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, k);
        }
        assert_ne!(ShingleKind::Words(5), ShingleKind::Chars(5));
    }
}
