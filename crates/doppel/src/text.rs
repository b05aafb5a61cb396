//! Text model: original text in, normalised tokens and sentences out.
//!
//! Input is a document's original text. Output is an [`Analysed`] value: the
//! words (by Unicode word boundaries, UAX #29) each with its byte [`Span`] in
//! the original text and a normalised form, and the sentences, each with its
//! byte span and the range of tokens it holds. Nothing here rewrites the
//! original text: normalisation applies to each token's copy, so every offset
//! a later stage reports slices the text the user gave us.
//!
//! Normalisation of a token: Unicode NFKC, lower-casing, and folding of
//! typographic apostrophes, quotes and dashes to their ASCII forms; what
//! hides a copy is undone — invisible characters ([`is_invisible`]) are
//! dropped and split no word, accents on Latin letters are dropped, and
//! letters of other scripts drawn like Latin ones (Unicode's confusables)
//! become those letters.
//! Non-breaking spaces are word separators, like any other space.
//!
//! [`Analyzer`] turns tokens into the terms of the TF-IDF side: optional
//! stop-word removal and Snowball (Porter 2) English stemming.

use crate::Span;
use std::ops::Range;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// One word of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Where the word is in the original text.
    pub span: Span,
    /// Its normalised form (NFKC, lower case, ASCII quotes and dashes).
    pub norm: String,
}

/// One sentence (or heading, or line that stands alone) of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    /// Where the sentence is in the original text, trimmed of white space.
    pub span: Span,
    /// The indices of its tokens in [`Analysed::tokens`].
    pub tokens: Range<usize>,
}

/// A document broken into tokens and sentences.
#[derive(Clone, Debug, Default)]
pub struct Analysed {
    /// The words, in text order.
    pub tokens: Vec<Token>,
    /// The sentences, in text order; each holds at least one token.
    pub sentences: Vec<Sentence>,
}

impl Analysed {
    /// Tokenise and segment `text`.
    pub fn new(text: &str) -> Analysed {
        let tokens = tokenize(text);
        let sentences = sentences(text, &tokens);
        Analysed { tokens, sentences }
    }

    /// The normalised forms of the tokens of a range.
    pub fn norms(&self, range: Range<usize>) -> Vec<&str> {
        self.tokens[range].iter().map(|t| t.norm.as_str()).collect()
    }
}

/// Normalise one word: NFKC, lower case, typographic quotes and dashes
/// folded to ASCII, non-breaking and other exotic spaces to a plain space;
/// invisible characters and accents on Latin letters dropped, look-alikes
/// of Latin letters from other scripts folded to them.
pub fn normalize(word: &str) -> String {
    // A word holds a line break only where [`word_indices`] joined a word
    // hyphenated at the end of a line.
    if word.contains('\n') {
        return normalize(&unhyphenate(word));
    }
    // Fast path with the same result: ASCII text is its own NFKC form, the
    // folds below map only non-ASCII characters, and lower-casing an ASCII
    // letter is ASCII lower-casing.
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    normalize_unicode(word)
}

/// Append the normalised form of `word` ([`normalize`]) to `out`, without
/// allocating for ASCII words.
pub(crate) fn normalize_into(word: &str, out: &mut String) {
    if word.contains('\n') {
        out.push_str(&normalize(word));
    } else if word.is_ascii() {
        let start = out.len();
        out.push_str(word);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(&normalize_unicode(word));
    }
}

/// What a text without words is compared by: its NFKC form without
/// invisible characters (see [`crate::pipeline::shingles_of`]).
pub(crate) fn wordless_form(text: &str) -> String {
    text.nfkc().filter(|&c| !is_invisible(c)).collect()
}

/// A word joined over end-of-line hyphenation without the hyphen, the line
/// break and the white space around it.
fn unhyphenate(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(nl) = rest.find('\n') {
        let blank = |c: char| c == ' ' || c == '\t' || c == '\r' || is_invisible(c);
        let before = rest[..nl].trim_end_matches(blank);
        out.push_str(before.strip_suffix('-').unwrap_or(before));
        rest = rest[nl + 1..].trim_start_matches(blank);
    }
    out.push_str(rest);
    out
}

/// [`normalize`] without the ASCII fast path.
fn normalize_unicode(word: &str) -> String {
    if word.contains('\n') {
        return normalize_unicode(&unhyphenate(word));
    }
    let mut out = String::with_capacity(word.len());
    for c in word.nfkc() {
        if is_invisible(c) || is_diacritic(c) {
            continue;
        }
        if let Some(bare) = strip_diacritic(c) {
            out.push(bare);
            continue;
        }
        let c = fold_lookalike(c);
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' => {
                out.push('\'')
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => out.push('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => out.push('-'),
            '\u{00A0}' | '\u{202F}' | '\u{2007}' => out.push(' '),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Characters that show nothing and join or split nothing a reader sees:
/// Unicode's `Default_Ignorable_Code_Point` (DerivedCoreProperties.txt) —
/// soft hyphen, zero-width space, non-joiner and joiner, word joiner, byte
/// order mark, invisible operators, bidirectional marks and controls,
/// variation selectors, Hangul fillers, tag characters and the rest.
/// Sprinkled inside words they hide a copy from a word-based comparison,
/// so words are found as if they were absent, and normalised without them.
/// (A test holds this list to the property as `unicode-security` has it.)
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Invisible characters that are part of how a symbol is drawn when they
/// follow one: variation selectors (text or emoji presentation, "❤️") and
/// tag characters (the flags of regions, "🏴" and its tags). They are
/// dropped from matching like any invisible character, but a report does
/// not count them as a disguise.
fn draws_a_symbol(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0020}'..='\u{E007F}')
}

/// What a document holds that hides text from a word-based comparison —
/// the evidence a reader of a report wants to see (the comparison itself
/// already sees through it).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Disguise {
    /// Invisible characters ([`is_invisible`]) by code point (`"U+200B"`).
    pub invisible: std::collections::BTreeMap<String, usize>,
    /// Combining accents (U+0300–U+036F) on Latin letters.
    pub combining_marks: usize,
    /// Letters of other scripts drawn like Latin ones, counted in a text
    /// whose letters are mostly Latin (in Russian or Greek text they are
    /// simply its letters).
    pub lookalike_letters: usize,
}

impl Disguise {
    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.invisible.is_empty() && self.combining_marks == 0 && self.lookalike_letters == 0
    }

    /// Count what `text` holds.
    pub fn of(text: &str) -> Disguise {
        let mut d = Disguise::default();
        let (mut latin, mut letters, mut lookalikes) = (0usize, 0usize, 0usize);
        let mut prev_latin = false;
        // The last visible character was a symbol (neither a letter nor a
        // digit, nor white space): what may follow it to pick how it is drawn.
        let mut after_symbol = false;
        for c in text.chars() {
            if is_invisible(c) {
                if !(after_symbol && draws_a_symbol(c)) {
                    *d.invisible
                        .entry(format!("U+{:04X}", c as u32))
                        .or_insert(0) += 1;
                }
                continue;
            }
            after_symbol = !c.is_alphanumeric() && !c.is_whitespace();
            if is_diacritic(c) {
                d.combining_marks += usize::from(prev_latin);
                continue;
            }
            prev_latin = c.is_ascii_alphabetic();
            if c.is_alphabetic() {
                letters += 1;
                if prev_latin {
                    latin += 1;
                } else if fold_lookalike(c) != c {
                    lookalikes += 1;
                }
            }
        }
        if 2 * (latin + lookalikes) > letters && lookalikes < latin {
            d.lookalike_letters = lookalikes;
        }
        d
    }
}

/// Combining diacritical marks (U+0300–U+036F): accents on Latin, Greek
/// and Cyrillic letters, which a copy can sprinkle on its vowels.
fn is_diacritic(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// A precomposed Latin letter with diacritics as its bare letter ("é" as
/// "e"), or `None`.
fn strip_diacritic(c: char) -> Option<char> {
    if !('\u{00C0}'..='\u{024F}').contains(&c) && !('\u{1E00}'..='\u{1EFF}').contains(&c) {
        return None;
    }
    let one = c.to_string();
    let mut bare = one.nfd().filter(|&d| !is_diacritic(d));
    match (bare.next(), bare.next()) {
        (Some(b), None) if b != c && b.is_ascii_alphabetic() => Some(b.to_ascii_lowercase()),
        _ => None,
    }
}

/// A letter drawn like a Latin one, as that Latin letter in lower case:
/// "pаypаl" with Cyrillic "а" is "paypal". Which letters look alike is
/// Unicode's (UTS #39 confusables, as `unicode-security` has them): a
/// letter outside ASCII whose confusable prototype is also the prototype
/// of an ASCII letter of its own case folds to that letter — Cyrillic "І"
/// to "i" (drawn as capital I), Greek "Η" to "h", "η" to "n", "ν" to "v".
/// Folded in every text alike, so Russian or Greek text still matches
/// itself.
fn fold_lookalike(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    // The Basic Multilingual Plane, where nearly all text lies, from a
    // table made once; the planes above looked up each time.
    static BMP: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    match u16::try_from(c as u32) {
        Ok(k) => {
            let table = BMP.get_or_init(|| {
                (0..=0xFFFFu32)
                    .map(|k| {
                        char::from_u32(k)
                            .and_then(look_up_lookalike)
                            .map_or(0, |l| l as u8)
                    })
                    .collect()
            });
            match table[usize::from(k)] {
                0 => c,
                l => char::from(l),
            }
        }
        Err(_) => look_up_lookalike(c).unwrap_or(c),
    }
}

/// [`fold_lookalike`] through the confusables themselves: the Latin letter
/// `c` folds to, if any.
fn look_up_lookalike(c: char) -> Option<char> {
    if c.is_ascii() || !c.is_alphabetic() || has_no_latin_lookalikes(c) {
        return None;
    }
    let p = prototype(c)?;
    let (own, other) = if c.is_uppercase() {
        (&latin_prototypes().upper, &latin_prototypes().lower)
    } else {
        (&latin_prototypes().lower, &latin_prototypes().upper)
    };
    own.get(&p)
        .or_else(|| other.get(&p))
        .map(char::to_ascii_lowercase)
}

/// Scripts of many letters none of which is drawn like a Latin one (the
/// CJK ideographs, kana, Hangul syllables): no look-up needed.
fn has_no_latin_lookalikes(c: char) -> bool {
    matches!(
        c,
        '\u{3040}'..='\u{30FF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{AC00}'..='\u{D7AF}'
            | '\u{20000}'..='\u{3FFFF}'
    )
}

/// A character's confusable prototype (its UTS #39 skeleton) when that is
/// one character.
fn prototype(c: char) -> Option<char> {
    let mut buf = [0u8; 4];
    let mut skeleton = unicode_security::skeleton(c.encode_utf8(&mut buf));
    match (skeleton.next(), skeleton.next()) {
        (Some(p), None) => Some(p),
        _ => None,
    }
}

/// The ASCII letters by their confusable prototype, capitals and small
/// letters apart ("I" and "l" share one).
struct LatinPrototypes {
    upper: ahash::AHashMap<char, char>,
    lower: ahash::AHashMap<char, char>,
}

fn latin_prototypes() -> &'static LatinPrototypes {
    static TABLE: std::sync::OnceLock<LatinPrototypes> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let by_prototype = |letters: std::ops::RangeInclusive<char>| {
            letters
                .filter_map(|l| prototype(l).map(|p| (p, l)))
                .collect()
        };
        LatinPrototypes {
            upper: by_prototype('A'..='Z'),
            lower: by_prototype('a'..='z'),
        }
    })
}

/// The words of `text` by Unicode word boundaries (UAX #29, as
/// `unicode_segmentation`'s `unicode_word_indices` finds them), each with its
/// byte offset.
///
/// A text that is all ASCII — most texts of most corpora — takes a byte
/// loop with the same result (see `AsciiWords`); any other text goes
/// through the Unicode tables. Invisible characters ([`is_invisible`]) do
/// not break words: a text holding any is segmented without them, and each
/// word is the span of the original text from its first to its last
/// visible character (invisible ones inside included).
///
/// A word broken at the end of a line by a hyphen ("strate-" and "gic" at
/// the start of the next line, in lower case) is one word, its span running
/// over the hyphen and the line break; [`normalize`] drops them again.
pub fn word_indices(text: &str) -> Words<'_> {
    Words {
        text,
        inner: segment(text),
        peeked: None,
    }
}

/// Where the word after a hyphenation break at `end` must start: `end`
/// holds a hyphen, then a line break, with spaces or tabs allowed around
/// it; `None` if there is no such break.
fn hyphen_break(text: &str, end: usize) -> Option<usize> {
    // Nearly every word ends before an ASCII byte other than a hyphen,
    // which no invisible character starts with: no break.
    let next = *text.as_bytes().get(end)?;
    if next.is_ascii() && next != b'-' {
        return None;
    }
    // Spaces, tabs and invisible characters (which break no word) around
    // the line break; invisible ones before the hyphen too.
    let blank = |c: char| c == ' ' || c == '\t' || is_invisible(c);
    let rest = text
        .get(end..)?
        .trim_start_matches(is_invisible)
        .strip_prefix('-')?;
    let after = rest.trim_start_matches(blank);
    let after = after.strip_prefix('\r').unwrap_or(after);
    let after = after.strip_prefix('\n')?.trim_start_matches(blank);
    Some(text.len() - after.len())
}

/// Iterator of [`word_indices`]: the segmenter's words, with words broken
/// by end-of-line hyphenation joined.
pub struct Words<'a> {
    text: &'a str,
    inner: WordIndices<'a>,
    peeked: Option<(usize, &'a str)>,
}

impl<'a> Iterator for Words<'a> {
    type Item = (usize, &'a str);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'a str)> {
        let (mut start, mut w) = self.peeked.take().or_else(|| self.inner.next())?;
        // A space that characters extending it follow (U+FF9F, a
        // half-width sound mark, is a letter) opens a word by UAX #29: a
        // word never begins or ends with white space here.
        while w.starts_with(char::is_whitespace) || w.ends_with(char::is_whitespace) {
            let t = w.trim_start();
            start += w.len() - t.len();
            w = t.trim_end();
            if w.is_empty() {
                (start, w) = self.peeked.take().or_else(|| self.inner.next())?;
            }
        }
        let mut end = start + w.len();
        while let Some(resume) = hyphen_break(self.text, end) {
            let ends_in_letter = self.text[..end]
                .chars()
                .next_back()
                .is_some_and(char::is_alphabetic);
            match self.inner.next() {
                Some((s, next))
                    if ends_in_letter
                        && s == resume
                        && next.chars().next().is_some_and(char::is_lowercase) =>
                {
                    end = s + next.len();
                }
                other => {
                    self.peeked = other;
                    break;
                }
            }
        }
        Some((start, &self.text[start..end]))
    }
}

/// Words by UAX #29 alone (see [`word_indices`]).
fn segment(text: &str) -> WordIndices<'_> {
    if text.is_ascii() {
        WordIndices::Ascii(AsciiWords { text, pos: 0 })
    } else if text.chars().any(is_invisible) {
        // Visible characters, and where each sits in the original.
        let mut clean = String::with_capacity(text.len());
        let mut at: Vec<usize> = Vec::with_capacity(text.len() + 1);
        for (i, c) in text.char_indices() {
            if !is_invisible(c) {
                for k in 0..c.len_utf8() {
                    at.push(i + k);
                }
                clean.push(c);
            }
        }
        let words: Vec<(usize, usize)> = clean
            .unicode_word_indices()
            .map(|(s, w)| {
                let last = s + w.len() - 1;
                let end = at[last] + 1;
                // `at[last]` is the last byte of a character of `text`.
                (at[s], end)
            })
            .collect();
        WordIndices::Mapped(text, words.into_iter())
    } else {
        WordIndices::Unicode(text.unicode_word_indices())
    }
}

/// Iterator of [`word_indices`].
pub(crate) enum WordIndices<'a> {
    /// All-ASCII text.
    Ascii(AsciiWords<'a>),
    /// Any other text.
    Unicode(unicode_segmentation::UnicodeWordIndices<'a>),
    /// A text holding invisible characters: the words' spans found without
    /// them.
    Mapped(&'a str, std::vec::IntoIter<(usize, usize)>),
}

impl<'a> Iterator for WordIndices<'a> {
    type Item = (usize, &'a str);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'a str)> {
        match self {
            WordIndices::Ascii(w) => w.next(),
            WordIndices::Unicode(w) => w.next(),
            WordIndices::Mapped(text, w) => w.next().map(|(s, e)| (s, &text[s..e])),
        }
    }
}

/// The UAX #29 words of an all-ASCII text by a byte loop.
///
/// For ASCII the word-break rules reduce to: letters, digits and `_` join
/// each other (WB5, WB8–WB10, WB13a/b); `:`, `.` or `'` between two letters
/// joins them (WB6/7); `,`, `;`, `.` or `'` between two digits joins them
/// (WB11/12); everything else is a boundary. Of the segments, those holding
/// a letter or digit are words (a run of `_` alone is not).
/// `tests::ascii_words_match_unicode_segmentation` holds this to the
/// Unicode implementation.
pub(crate) struct AsciiWords<'a> {
    text: &'a str,
    pos: usize,
}

/// Byte classes of the ASCII word-break rules, one bit each.
const WORD: u8 = 1; // letter, digit or `_`
const ALPHA: u8 = 2;
const DIGIT: u8 = 4;
const MID_LETTER: u8 = 8; // joins two letters: `:` `.` `'`
const MID_NUM: u8 = 16; // joins two digits: `,` `;` `.` `'`

const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphabetic() {
            WORD | ALPHA
        } else if c.is_ascii_digit() {
            WORD | DIGIT
        } else {
            match c {
                b'_' => WORD,
                b':' => MID_LETTER,
                b'.' | b'\'' => MID_LETTER | MID_NUM,
                b',' | b';' => MID_NUM,
                _ => 0,
            }
        };
        b += 1;
    }
    t
};

/// Every byte of a word set to `b`.
const fn lanes(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// The high bit of each of eight ASCII bytes set where the byte is a
/// letter, a digit or `_` (the class `WORD`), by arithmetic on all eight at
/// once. No sum below carries from one byte into the next: every byte is
/// below 0x80 and every addend at most 0x80.
#[inline]
fn word_bytes(x: u64) -> u64 {
    const HIGH: u64 = lanes(0x80);
    // High bit set where the byte is >= `lo`.
    let at_least = |v: u64, lo: u8| v.wrapping_add(lanes(0x80 - lo)) & HIGH;
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    // Setting bit 5 maps upper-case letters onto lower-case ones and no other
    // byte onto a letter.
    let folded = x | lanes(0x20);
    let alpha = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    let nonzero = |v: u64| v.wrapping_add(lanes(0x7F)) & HIGH;
    let underscore = !nonzero(x ^ lanes(b'_')) & HIGH;
    digit | alpha | underscore
}

/// The first position at or after `i` whose byte is (`word`) or is not
/// (`!word`) a letter, digit or `_`; `bytes.len()` if none. Eight bytes at a
/// time, then one by one.
#[inline]
fn next_with(bytes: &[u8], mut i: usize, word: bool) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let hits = if word {
            word_bytes(x)
        } else {
            !word_bytes(x) & lanes(0x80)
        };
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && (CLASS[usize::from(bytes[i])] & WORD != 0) != word {
        i += 1;
    }
    i
}

impl<'a> Iterator for AsciiWords<'a> {
    type Item = (usize, &'a str);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'a str)> {
        let bytes = self.text.as_bytes();
        let class = |i: usize| CLASS[usize::from(bytes[i])];
        let n = bytes.len();
        let mut i = self.pos;
        loop {
            i = next_with(bytes, i, true);
            if i >= n {
                self.pos = n;
                return None;
            }
            let start = i;
            loop {
                // A run of letters, digits and underscores.
                i = next_with(bytes, i, false);
                // A middle character between two letters or two digits
                // (most words end at a space: test the middle one first).
                if i + 1 < n && class(i) & (MID_LETTER | MID_NUM) != 0 {
                    let (prev, mid, next) = (class(i - 1), class(i), class(i + 1));
                    let joins = (prev & next & ALPHA != 0 && mid & MID_LETTER != 0)
                        || (prev & next & DIGIT != 0 && mid & MID_NUM != 0);
                    if joins {
                        i += 1;
                        continue;
                    }
                }
                break;
            }
            let word = &self.text[start..i];
            // Only a run of underscores alone holds no letter or digit.
            if bytes[start] != b'_' || word.bytes().any(|b| b.is_ascii_alphanumeric()) {
                self.pos = i;
                return Some((start, word));
            }
        }
    }
}

/// The words of `text` by Unicode word boundaries, each with its byte span.
pub fn tokenize(text: &str) -> Vec<Token> {
    word_indices(text)
        .map(|(start, w)| Token {
            span: Span::new(start, start + w.len()),
            norm: normalize(w),
        })
        .collect()
}

/// The normalised words of `text` (the norms of [`tokenize`], in order),
/// written into one buffer: `buf` receives the norms separated by `sep`, and
/// `ranges` the byte range of each norm in `buf`. Both are cleared first.
/// For the hot path of shingling, which needs no spans and no per-word
/// allocation.
pub(crate) fn norms_into(text: &str, sep: u8, buf: &mut String, ranges: &mut Vec<Range<usize>>) {
    norms_spans_into(text, sep, buf, ranges, None);
}

/// `norms_into`, also writing each word's byte span in `text` into
/// `spans` (cleared first) when given: one pass over the words for both.
/// Hidden from the documentation: the shingler's fast path, public for
/// the fuzz target that holds it to [`tokenize`].
#[doc(hidden)]
pub fn norms_spans_into(
    text: &str,
    sep: u8,
    buf: &mut String,
    ranges: &mut Vec<Range<usize>>,
    mut spans: Option<&mut Vec<Span>>,
) {
    buf.clear();
    ranges.clear();
    if let Some(s) = spans.as_deref_mut() {
        s.clear();
    }
    let sep = char::from(sep);
    let ascii = text.is_ascii() && !sep.is_ascii_uppercase();
    for (start, w) in word_indices(text) {
        if !ranges.is_empty() {
            buf.push(sep);
        }
        let at = buf.len();
        if !ascii {
            normalize_into(w, buf);
        } else if w.contains('\n') {
            buf.push_str(&unhyphenate(w));
        } else {
            buf.push_str(w);
        }
        ranges.push(at..buf.len());
        if let Some(s) = spans.as_deref_mut() {
            s.push(Span::new(start, start + w.len()));
        }
    }
    if ascii {
        // Lower-case the whole buffer once instead of word by word (which
        // leaves the separator as it is).
        buf.make_ascii_lowercase();
    }
}

/// Whether `text` (of `words` words) reads as prose: at least one sentence
/// end (a terminal followed by white space or the end) per 40 words, where
/// lists, code and manual-page sources have next to none.
fn is_prose(text: &str, words: usize) -> bool {
    let mut ends = 0usize;
    let mut it = text.chars().peekable();
    while let Some(c) = it.next() {
        if is_terminal(c) && it.peek().is_none_or(|n| n.is_whitespace()) {
            ends += 1;
        }
    }
    ends * 40 >= words
}

/// Words that end with a full stop without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "inc", "ltd", "co", "corp",
    "no", "fig", "gen", "gov", "sen", "rep", "col", "lt", "sgt", "capt", "maj", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "dept", "est",
    "vol", "pp", "ed", "eds", "cf", "al", "e.g", "i.e", "u.s", "u.k", "u.n",
];

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…') || is_unspaced_terminal(c)
}

/// Sentence ends that need no space or capital after them: Unicode's
/// `Sentence_Terminal` characters beyond ASCII's `!` and `?` (UAX #29,
/// where such a character ends a sentence whatever follows) — the Chinese
/// and Japanese full stops, exclamation and question marks (full and half
/// width, and their vertical forms), the Devanagari danda and double
/// danda, the Arabic question mark and full stop, the Armenian, Ethiopic,
/// Myanmar, Khmer, Tibetan-family, Mongolian, Syriac and other scripts'
/// full stops, "‼" and "‽" — and the fullwidth full stop "．" of CJK text.
/// A test holds the list to `unicode-segmentation`'s sentence breaks.
fn is_unspaced_terminal(c: char) -> bool {
    !c.is_ascii()
        && matches!(
            c,
            '\u{0589}'
                | '\u{061D}'..='\u{061F}'
                | '\u{06D4}'
                | '\u{0700}'..='\u{0702}'
                | '\u{07F9}'
                | '\u{0837}'
                | '\u{0839}'
                | '\u{083D}'..='\u{083E}'
                | '\u{0964}'..='\u{0965}'
                | '\u{104A}'..='\u{104B}'
                | '\u{1362}'
                | '\u{1367}'..='\u{1368}'
                | '\u{166E}'
                | '\u{1735}'..='\u{1736}'
                | '\u{17D4}'..='\u{17D5}'
                | '\u{1803}'
                | '\u{1809}'
                | '\u{1944}'..='\u{1945}'
                | '\u{1AA8}'..='\u{1AAB}'
                | '\u{1B4E}'..='\u{1B4F}'
                | '\u{1B5A}'..='\u{1B5B}'
                | '\u{1B5E}'..='\u{1B5F}'
                | '\u{1B7D}'..='\u{1B7F}'
                | '\u{1C3B}'..='\u{1C3C}'
                | '\u{1C7E}'..='\u{1C7F}'
                | '\u{203C}'..='\u{203D}'
                | '\u{2047}'..='\u{2049}'
                | '\u{2CF9}'..='\u{2CFB}'
                | '\u{2E2E}'
                | '\u{2E3C}'
                | '\u{2E53}'..='\u{2E54}'
                | '\u{3002}'
                | '\u{A4FF}'
                | '\u{A60E}'..='\u{A60F}'
                | '\u{A6F3}'
                | '\u{A6F7}'
                | '\u{A876}'..='\u{A877}'
                | '\u{A8CE}'..='\u{A8CF}'
                | '\u{A92F}'
                | '\u{A9C8}'..='\u{A9C9}'
                | '\u{AA5D}'..='\u{AA5F}'
                | '\u{AAF0}'..='\u{AAF1}'
                | '\u{ABEB}'
                | '\u{FE12}'
                | '\u{FE15}'..='\u{FE16}'
                | '\u{FE56}'..='\u{FE57}'
                | '\u{FF01}'
                | '\u{FF0E}'
                | '\u{FF1F}'
                | '\u{FF61}'
                | '\u{10A56}'..='\u{10A57}'
                | '\u{10F55}'..='\u{10F59}'
                | '\u{10F86}'..='\u{10F89}'
                | '\u{11047}'..='\u{11048}'
                | '\u{110BE}'..='\u{110C1}'
                | '\u{11141}'..='\u{11143}'
                | '\u{111C5}'..='\u{111C6}'
                | '\u{111CD}'
                | '\u{111DE}'..='\u{111DF}'
                | '\u{11238}'..='\u{11239}'
                | '\u{1123B}'..='\u{1123C}'
                | '\u{112A9}'
                | '\u{113D4}'..='\u{113D5}'
                | '\u{1144B}'..='\u{1144C}'
                | '\u{115C2}'..='\u{115C3}'
                | '\u{115C9}'..='\u{115D7}'
                | '\u{11641}'..='\u{11642}'
                | '\u{1173C}'..='\u{1173E}'
                | '\u{11944}'
                | '\u{11946}'
                | '\u{11A42}'..='\u{11A43}'
                | '\u{11A9B}'..='\u{11A9C}'
                | '\u{11C41}'..='\u{11C42}'
                | '\u{11EF7}'..='\u{11EF8}'
                | '\u{11F43}'..='\u{11F44}'
                | '\u{16A6E}'..='\u{16A6F}'
                | '\u{16AF5}'
                | '\u{16B37}'..='\u{16B38}'
                | '\u{16B44}'
                | '\u{16D6E}'..='\u{16D6F}'
                | '\u{16E98}'
                | '\u{1BC9F}'
                | '\u{1DA88}'
        )
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | ')' | ']' | '}' | '\u{2019}' | '\u{201D}' | '\u{00BB}'
    )
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '('
            | '['
            | '\u{2018}'
            | '\u{201C}'
            | '\u{00AB}'
            | '-'
            | '\u{2013}'
            | '\u{2014}'
    )
}

/// Whether `text` looks hard-wrapped (lines broken at a fixed width in the
/// middle of sentences, as in text extracted from PDF). In such text a single
/// line break does not end a sentence; elsewhere it does (titles, bylines and
/// one-paragraph-per-line text).
fn wrap_width(text: &str) -> Option<usize> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if lines.len() < 5 {
        return None;
    }
    let mut lens: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    lens.sort_unstable();
    let width = lens[lens.len() * 9 / 10];
    if !(30..=200).contains(&width) {
        return None;
    }
    let open = lines
        .iter()
        .filter(|l| !l.ends_with(|c: char| is_terminal(c) || is_closer(c)))
        .count();
    let long = lens.iter().filter(|&&n| n * 10 >= width * 6).count();
    (open * 2 >= lines.len() && long * 2 >= lines.len()).then_some(width)
}

/// Split `text` into sentences. `tokens` must be `tokenize(text)`.
///
/// A sentence ends at a blank line; at a single line break followed by
/// anything but a lower-case letter (at any line break in text that is not
/// prose: lists, code), and in hard-wrapped text only before a short line
/// or after one; and at
/// `.`, `!`, `?` or `…` (with any closing quotes or brackets) followed by
/// white space and an upper-case letter, a digit or an opening quote —
/// except after a known abbreviation ("Mr.", "etc.") or a single letter
/// ("U.S.", "J. Smith"); and at the full stops of scripts that put no
/// space or capital after them (`。！？` of Chinese and Japanese, `।` of
/// Devanagari, `؟` of Arabic), whatever follows.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    let wrap = wrap_width(text);
    let prose = is_prose(text, tokens.len());
    let mut cuts: Vec<usize> = Vec::new(); // byte offsets where a sentence ends
    let bytes = text.as_bytes();
    // Walk by byte offset, decoding characters as we go: a table of every
    // character would cost 16 bytes per character of a document that may
    // hold tens of millions.
    let char_at = |p: usize| text.get(p..).and_then(|s| s.chars().next());
    let mut line_start = 0usize;
    let mut k = 0;
    while let Some(c) = char_at(k) {
        let pos = k;
        if c == '\n' {
            let line = &text[line_start..pos];
            // Look ahead: blank line? Stop at the next line break, so a
            // long run of empty lines is read once, not once per line.
            let mut m = k + 1;
            let mut blank = false;
            while let Some(w) = char_at(m).filter(|w| w.is_whitespace()) {
                if w == '\n' {
                    blank = true;
                    break;
                }
                m += w.len_utf8();
            }
            let next = char_at(m);
            let cut = if blank || next.is_none() {
                true
            } else if let Some(width) = wrap {
                let short = line.trim().chars().count() * 10 < width * 7;
                let next_upper = next.is_some_and(|c| !c.is_lowercase());
                next_upper && short
            } else {
                // In prose, a line that goes on in lower case continues
                // its sentence: text broken at arbitrary places (by a
                // copy, an extraction or an editor) stays whole. In lists,
                // code and the like every line stands alone.
                !prose || next.is_some_and(|c| !c.is_lowercase())
            };
            if cut {
                cuts.push(pos);
            }
            line_start = pos + 1;
            k += 1;
            continue;
        }
        if is_terminal(c) {
            // Extend over further terminals and closers.
            let mut m = k + c.len_utf8();
            while let Some(t) = char_at(m).filter(|&t| is_terminal(t) || is_closer(t)) {
                m += t.len_utf8();
            }
            let end = m;
            // Must be followed by white space, then a sentence opener.
            let mut n = m;
            while let Some(w) = char_at(n).filter(|w| w.is_whitespace()) {
                n += w.len_utf8();
            }
            let spaced = n > m || m == text.len();
            let next = char_at(n);
            // A letter of a script without case (Arabic, Hebrew, Devanagari,
            // Thai, CJK) opens a sentence as a capital does.
            let caseless = |c: char| c.is_alphabetic() && !c.is_lowercase() && !c.is_uppercase();
            let opens = next
                .is_none_or(|c| c.is_uppercase() || c.is_numeric() || is_opener(c) || caseless(c));
            let single = m == k + c.len_utf8();
            // Scripts without capitals or spaces between sentences end one
            // at their own full stops, whatever follows.
            let own = is_unspaced_terminal(c);
            if own
                || (spaced && opens && !(c == '.' && single && is_abbreviation(text, pos, tokens)))
            {
                cuts.push(end);
            }
            k = m;
            continue;
        }
        k += c.len_utf8();
    }
    cuts.push(text.len());
    cuts.sort_unstable();
    cuts.dedup();
    // A word joined over a hyphenated line break is never cut.
    cuts.retain(|&cut| {
        let t = tokens.partition_point(|t| t.span.end <= cut);
        tokens.get(t).is_none_or(|t| t.span.start >= cut)
    });

    let mut out = Vec::new();
    let mut start = 0usize;
    let mut t = 0usize; // first token not yet assigned
    for &cut in &cuts {
        if cut <= start {
            continue;
        }
        let first = t;
        while t < tokens.len() && tokens[t].span.start < cut {
            t += 1;
        }
        if t > first {
            // Trim white space around the sentence.
            let mut s = start;
            while s < cut && (bytes[s] as char).is_ascii_whitespace() {
                s += 1;
            }
            let raw = &text[s..cut];
            let trimmed_start = s + (raw.len() - raw.trim_start().len());
            let trimmed_end = s + raw.trim_end().len();
            let span = Span::new(
                trimmed_start.min(tokens[first].span.start),
                trimmed_end.max(tokens[t - 1].span.end),
            );
            out.push(Sentence {
                span,
                tokens: first..t,
            });
        }
        start = cut;
    }
    out
}

/// Whether the full stop at byte `dot` ends an abbreviation or an initial.
fn is_abbreviation(text: &str, dot: usize, tokens: &[Token]) -> bool {
    // The token that ends right at the dot (or contains it, as in "U.S").
    let idx = tokens.partition_point(|t| t.span.end <= dot);
    let tok = if idx > 0 && tokens[idx - 1].span.end == dot {
        &tokens[idx - 1]
    } else {
        return false;
    };
    let word = &tok.norm;
    if word.chars().count() == 1 && word.chars().all(char::is_alphabetic) {
        return true;
    }
    // Forms such as "U.S." tokenise as "U.S" or "S" preceded by "U.".
    let before = &text[..tok.span.start];
    if before.ends_with('.') && word.chars().count() <= 2 {
        return true;
    }
    ABBREVIATIONS.contains(&word.as_str())
}

/// Common English function words, left out of TF-IDF terms by default.
pub const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "either",
    "else",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "neither",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "otherwise",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "perhaps",
    "quite",
    "rather",
    "same",
    "shall",
    "she",
    "should",
    "since",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "therefore",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "whatever",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Turns tokens into TF-IDF terms: optional stop-word removal and stemming.
pub struct Analyzer {
    stemmer: Option<rust_stemmers::Stemmer>,
    stop_words: Option<ahash::AHashSet<&'static str>>,
}

impl Analyzer {
    /// An analyzer; `stem` enables English Snowball stemming, `stop_words`
    /// drops [`STOP_WORDS`].
    pub fn new(stem: bool, stop_words: bool) -> Analyzer {
        Analyzer {
            stemmer: stem
                .then(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English)),
            stop_words: stop_words.then(|| STOP_WORDS.iter().copied().collect()),
        }
    }

    /// The term for one normalised token, or `None` when it is dropped.
    pub fn term(&self, norm: &str) -> Option<String> {
        // Possessives carry no meaning of their own: "vietnam's" is "vietnam".
        let word = norm.strip_suffix("'s").unwrap_or(norm);
        if word.is_empty() {
            return None;
        }
        if let Some(stop) = &self.stop_words {
            if stop.contains(word) {
                return None;
            }
        }
        Some(match &self.stemmer {
            Some(s) => s.stem(word).into_owned(),
            None => word.to_string(),
        })
    }

    /// Terms of a slice of tokens, in order.
    pub fn terms(&self, tokens: &[Token]) -> Vec<String> {
        tokens.iter().filter_map(|t| self.term(&t.norm)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence_texts(text: &str) -> Vec<&str> {
        let a = Analysed::new(text);
        a.sentences
            .iter()
            .map(|s| &text[s.span.start..s.span.end])
            .collect()
    }

    #[test]
    fn normalises_case_quotes_dashes_and_compatibility_forms() {
        assert_eq!(normalize("Vietnam\u{2019}s"), "vietnam's");
        assert_eq!(normalize("\u{FB01}nance"), "finance"); // ligature
        assert_eq!(normalize("ＡＢＣ"), "abc"); // full width
        assert_eq!(normalize("US\u{2013}China"), "us-china");
    }

    #[test]
    fn ascii_fast_path_matches_full_normalisation() {
        // Every ASCII character alone and inside words.
        for b in 0u8..128 {
            let c = char::from(b);
            for w in [c.to_string(), format!("Ab{c}Z"), format!("{c}{c}x")] {
                assert_eq!(normalize(&w), normalize_unicode(&w), "{w:?}");
            }
        }
        // Pseudo-random ASCII words.
        let mut state = 0x1234_5678_9ABC_DEF0u64;
        for _ in 0..20_000 {
            let mut w = String::new();
            for _ in 0..(state % 12) {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                w.push(char::from(((state >> 33) % 128) as u8));
            }
            assert_eq!(normalize(&w), normalize_unicode(&w), "{w:?}");
        }
    }

    #[test]
    fn ascii_words_match_unicode_segmentation() {
        fn check(text: &str) {
            let fast: Vec<(usize, &str)> = AsciiWords { text, pos: 0 }.collect();
            let slow: Vec<(usize, &str)> = text.unicode_word_indices().collect();
            assert_eq!(fast, slow, "{text:?}");
        }
        // Every pair and triple of characters that matter to the rules.
        let alphabet: Vec<char> = "aZ09_.:,;'\" \t\r\n-!/@\x0b\x0c\x7f".chars().collect();
        for &x in &alphabet {
            for &y in &alphabet {
                for &z in &alphabet {
                    check(&format!("{x}{y}{z}"));
                    check(&format!("a{x}{y}{z}1"));
                }
            }
        }
        // Pseudo-random strings weighted towards the joining characters,
        // and over all of ASCII.
        let mut state = 0x0DDB_A11C_0FFE_E123u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        for round in 0..60_000 {
            let len = next() % 40;
            let text: String = (0..len)
                .map(|_| match round % 3 {
                    0 => alphabet[(next() % alphabet.len() as u64) as usize],
                    1 => char::from((next() % 128) as u8),
                    // Long words, so that runs cross the eight-byte steps.
                    _ if next() % 10 > 0 => char::from(b'a' + (next() % 26) as u8),
                    _ => alphabet[(next() % alphabet.len() as u64) as usize],
                })
                .collect();
            check(&text);
        }
        // Every ASCII byte at every position of an eight-byte step, inside a
        // word and inside a run of separators.
        for b in 0u8..128 {
            for at in 0..17 {
                let mut word = vec![b'x'; 24];
                word[at] = b;
                check(std::str::from_utf8(&word).unwrap());
                let mut gap = vec![b' '; 24];
                gap[at] = b;
                check(std::str::from_utf8(&gap).unwrap());
            }
        }
        // Real text.
        for name in ["000_51955296cd91fa83.txt", "001_8e21ef8ac6e0b3df.txt"] {
            let seed = std::fs::read_to_string(format!(
                "{}/../../seeds/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            let ascii: String = seed
                .chars()
                .map(|c| if c.is_ascii() { c } else { ' ' })
                .collect();
            check(&ascii);
        }
    }

    #[test]
    fn norms_into_matches_tokenize() {
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../seeds/001_8e21ef8ac6e0b3df.txt"
        ))
        .unwrap();
        let mut buf = String::new();
        let mut ranges = Vec::new();
        for text in [
            seed.as_str(),
            "Vietnam\u{2019}s \u{FB01}nance, US\u{2013}China: ＡＢＣ déjà vu. DON'T stop",
            "",
            "  ",
            "A strate-\ngic plan, hard-\nwrapped in ASCII only.",
            "Une strat\u{e9}-\ngie, d\u{e9}j\u{e0} coup\u{e9}e.",
        ] {
            let tokens = tokenize(text);
            norms_into(text, 0x1F, &mut buf, &mut ranges);
            let got: Vec<&str> = ranges.iter().map(|r| &buf[r.clone()]).collect();
            let want: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
            assert_eq!(got, want);
            let joined = want.join("\u{1F}");
            assert_eq!(buf, joined);
            let mut spans = vec![Span::new(7, 9)];
            norms_spans_into(text, 0x1F, &mut buf, &mut ranges, Some(&mut spans));
            assert_eq!(buf, joined);
            let want: Vec<Span> = tokens.iter().map(|t| t.span).collect();
            assert_eq!(spans, want, "{text:?}");
        }
    }

    #[test]
    fn tokens_keep_original_byte_spans_across_nbsp() {
        let text = "Vietnam\u{00A0}has\u{00A0}successfully navigated";
        let toks = tokenize(text);
        let words: Vec<&str> = toks
            .iter()
            .map(|t| &text[t.span.start..t.span.end])
            .collect();
        assert_eq!(words, ["Vietnam", "has", "successfully", "navigated"]);
        assert_eq!(toks[1].norm, "has");
    }

    #[test]
    fn sentences_survive_abbreviations_and_quotes() {
        let text = "Before the U.S. and Vietnam agreed, Mr. Xi spoke. \u{201C}It works,\u{201D} he said. Then 2023 came! Why? Because.";
        assert_eq!(
            sentence_texts(text),
            [
                "Before the U.S. and Vietnam agreed, Mr. Xi spoke.",
                "\u{201C}It works,\u{201D} he said.",
                "Then 2023 came!",
                "Why?",
                "Because."
            ]
        );
    }

    #[test]
    fn quoted_sentence_end_and_lowercase_continuation() {
        let text =
            "He said \u{201C}no.\u{201D} The end. Then e.g. this stays, i.e. so. it goes on.";
        assert_eq!(
            sentence_texts(text),
            [
                "He said \u{201C}no.\u{201D}",
                "The end.",
                "Then e.g. this stays, i.e. so. it goes on."
            ]
        );
    }

    #[test]
    fn lines_and_blank_lines_end_sentences_unless_hard_wrapped() {
        let text = "A Title Without Stop\nFirst sentence here. Second one\nThird line";
        assert_eq!(
            sentence_texts(text),
            [
                "A Title Without Stop",
                "First sentence here.",
                "Second one",
                "Third line"
            ]
        );
        let wrapped = "This long sentence has been wrapped at a fixed width in the middle\n\
                       of its words because it was extracted from a PDF file by some\n\
                       converter. Another sentence starts here and also wraps across the\n\
                       Line Boundary with a capital letter that must not cut it, and\n\
                       it ends here at last.\n\nNew Heading\n\nA paragraph after the heading goes on for long.";
        let s = sentence_texts(wrapped);
        assert_eq!(s.len(), 4, "{s:#?}");
        assert!(s[1].contains("Line Boundary") && s[1].ends_with("at last."));
        assert_eq!(s[2], "New Heading");
    }

    #[test]
    fn every_sentence_slices_its_tokens() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../seeds/000_51955296cd91fa83.txt"
        ))
        .unwrap();
        let a = Analysed::new(&text);
        assert!(a.sentences.len() > 30);
        let mut prev_end = 0;
        for s in &a.sentences {
            assert!(s.span.start >= prev_end);
            assert!(text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
            for t in &a.tokens[s.tokens.clone()] {
                assert!(s.span.start <= t.span.start && t.span.end <= s.span.end);
            }
            prev_end = s.span.end;
        }
        let all: usize = a.sentences.iter().map(|s| s.tokens.len()).sum();
        assert_eq!(all, a.tokens.len());
        // The NBSP-bearing sentence is one sentence, found whole.
        assert!(a.sentences.iter().any(|s| {
            text[s.span.start..s.span.end].starts_with("Vietnam has successfully navigated")
                && text[s.span.start..s.span.end].ends_with("hedging strategies.")
        }));
    }

    /// The invisible characters are exactly Unicode's default-ignorable
    /// code points: those a UTS #39 skeleton (`unicode-security`, which
    /// drops them) leaves nothing of.
    #[test]
    fn invisible_characters_are_the_default_ignorable_code_points() {
        let mut buf = [0u8; 4];
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let ignored = unicode_security::skeleton(c.encode_utf8(&mut buf))
                .next()
                .is_none();
            assert_eq!(is_invisible(c), ignored, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn lookalikes_fold_to_the_latin_letter_they_are_drawn_as() {
        for (c, latin) in [
            ('а', 'a'),
            ('е', 'e'),
            ('о', 'o'),
            ('р', 'p'),
            ('с', 'c'),
            ('х', 'x'),
            ('у', 'y'),
            ('і', 'i'),
            ('І', 'i'),
            ('ј', 'j'),
            ('ѕ', 's'),
            ('һ', 'h'),
            ('ԁ', 'd'),
            ('ԛ', 'q'),
            ('ԝ', 'w'),
            ('В', 'b'),
            ('Н', 'h'),
            ('К', 'k'),
            ('М', 'm'),
            ('Т', 't'),
            ('ο', 'o'),
            ('ι', 'i'),
            ('ν', 'v'),
            ('Α', 'a'),
            ('Η', 'h'),
            ('Τ', 't'),
            ('Ζ', 'z'),
            ('ı', 'i'),
            ('ɑ', 'a'),
            ('Ꭺ', 'a'),
            ('ꓐ', 'b'),
            ('օ', 'o'),
        ] {
            assert_eq!(fold_lookalike(c), latin, "{c} (U+{:04X})", c as u32);
        }
        // Letters drawn like no Latin one, and the letters of scripts
        // without look-alikes, stay themselves; so does ASCII.
        for c in [
            'б', 'д', 'ж', 'я', 'λ', 'ש', 'ب', '中', 'の', '한', 'ß', 'm', 'I', 'l',
        ] {
            assert_eq!(fold_lookalike(c), c, "{c}");
        }
        // A disguised word is its Latin word; a Russian word is a word.
        assert_eq!(normalize("Раураl"), "paypal");
        assert_eq!(normalize("МІСROSОFT"), "microsoft");
        assert_eq!(normalize("библиотека"), normalize("библиотека"));
        assert_ne!(normalize("библиотека"), normalize("biblioteka"));
    }

    #[test]
    fn symbols_drawn_with_selectors_are_no_disguise() {
        let d = Disguise::of("I \u{2764}\u{FE0F} it \u{1F3F4}\u{E0067}\u{E0062}\u{E007F}.");
        assert!(d.is_empty(), "{d:?}");
        let d = Disguise::of("co\u{FE0F}py th\u{E0041}is");
        assert_eq!(d.invisible.get("U+FE0F"), Some(&1), "{d:?}");
        assert_eq!(d.invisible.get("U+E0041"), Some(&1), "{d:?}");
        assert_eq!(normalize("co\u{FE0F}py"), "copy");
    }

    /// The sentence ends that need nothing after them are Unicode's
    /// `Sentence_Terminal` characters beyond ASCII, as UAX #29 breaks
    /// (`unicode-segmentation` ends a sentence after each whatever letter
    /// follows), and the fullwidth full stop of CJK text; the line and
    /// paragraph separators UAX #29 also breaks at are not punctuation.
    #[test]
    fn unspaced_terminals_are_the_sentence_terminals() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let breaks = format!("x{c}y").split_sentence_bounds().count() == 2;
            let separator = matches!(c, '\n' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}');
            let want = (breaks && !c.is_ascii() && !separator) || c == '\u{FF0E}';
            assert_eq!(is_unspaced_terminal(c), want, "U+{:04X}", c as u32);
        }
        // Armenian and Ethiopic sentences copied together.
        for (text, n) in [
            ("Բարեւ։ Ինչպես ես։", 2),
            ("ሰላም ነው። እንዴት ነህ።", 2),
            ("日本語．中国語．", 2),
        ] {
            let tokens = tokenize(text);
            assert_eq!(sentences(text, &tokens).len(), n, "{text}");
        }
    }

    #[test]
    fn analyzer_stems_and_drops_stop_words() {
        let an = Analyzer::new(true, true);
        let toks = tokenize("The strategies of Vietnam\u{2019}s hedging");
        assert_eq!(an.terms(&toks), ["strategi", "vietnam", "hedg"]);
        let plain = Analyzer::new(false, false);
        assert_eq!(
            plain.terms(&toks),
            ["the", "strategies", "of", "vietnam", "hedging"]
        );
    }
}
