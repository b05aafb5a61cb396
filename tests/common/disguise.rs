//! How a copy is disguised from a checker, for the tests that must see
//! through it: invisible characters or combining marks sprinkled into the
//! text, letters swapped for look-alikes of other scripts.
#![allow(dead_code)]

use doppel_synth::SplitMix64;

/// `mark` after a share `p` of the characters `after` accepts.
pub fn sprinkle(text: &str, after: impl Fn(char) -> bool, mark: char, p: f64, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if after(c) && rng.chance(p) {
            out.push(mark);
        }
    }
    out
}

/// Latin a e o p c x i y written with the Cyrillic letters drawn alike.
pub fn cyrillic_lookalikes(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'a' => 'а',
            'e' => 'е',
            'o' => 'о',
            'p' => 'р',
            'c' => 'с',
            'x' => 'х',
            'i' => 'і',
            'y' => 'у',
            c => c,
        })
        .collect()
}

/// Latin o A T i written with the Greek letters drawn alike.
pub fn greek_lookalikes(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'o' => 'ο',
            'A' => 'Α',
            'T' => 'Τ',
            'i' => 'ι',
            c => c,
        })
        .collect()
}

/// Latin letters written with look-alikes from further afield: Armenian
/// o, Cherokee A and T, Lisu B and S, Greek v, dotless i.
pub fn far_lookalikes(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'o' => '\u{0585}',
            'A' => '\u{13AA}',
            'T' => '\u{13A2}',
            'B' => '\u{A4D0}',
            'S' => '\u{A4E2}',
            'v' => '\u{03BD}',
            'i' => '\u{0131}',
            c => c,
        })
        .collect()
}
