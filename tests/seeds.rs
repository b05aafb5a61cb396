//! The seed case, through the library: 001 is a spun rewrite of 000, and
//! 002–004 are other articles on the same topic.
//!
//! The ground truth below was annotated by hand, reading both texts: for
//! each sentence of 001 (identified by a phrase of it), the phrases of 000
//! it was rewritten from.

use doppel::Span;
use doppel::config::Config;
use doppel::corpus::{self, Document, LoadOptions};
use doppel::pipeline::{self, PairResult};
use doppel::score::Verdict;
use doppel_synth::SplitMix64;
use std::path::PathBuf;

const A: &str = "000_51955296cd91fa83.txt";
const B: &str = "001_8e21ef8ac6e0b3df.txt";

/// (phrase of 001, phrases of 000 it derives from).
const TRUTH: &[(&str, &[&str])] = &[
    (
        "some thought China would react poorly",
        &["observers anticipated that the move would provoke backlash"],
    ),
    (
        "China’s response was measured",
        &["Beijing reacted rather mildly"],
    ),
    (
        "The way China’s press covered",
        &["press coverage of Xi’s visit"],
    ),
    (
        "Vietnam aims to successfully navigate",
        &[
            "Vietnam has successfully navigated",
            "maintaining diplomatic agility and strategic autonomy",
        ],
    ),
    (
        "The recent favorable developments indicate",
        &["These positive developments suggest"],
    ),
    (
        "As demonstrated in the case of Ukraine",
        &["The case of Ukraine demonstrates"],
    ),
    (
        "smaller and mid-sized countries like Vietnam",
        &["small and medium-sized states"],
    ),
    (
        "unique mixture of discouragement purposes",
        &["distinctive balance between deterrence"],
    ),
    (
        "Due to its history of fending off invasions",
        &["long history of fighting off invasions"],
    ),
    (
        "The persistent threat of conflict in the South China Sea",
        &["ever-present risk of conflict"],
    ),
    (
        "while not foolproof against determined adversaries",
        &["while not always successful against determined challengers"],
    ),
    (
        "To achieve and maintain peace, effective diplomacy",
        &[
            "deterrence alone is rarely sufficient",
            "agile and skilful diplomacy",
        ],
    ),
    (
        "learned from historical errors like World War I",
        &["World War I is a classic case"],
    ),
    (
        "Vietnam prioritizes assurance through diplomatic efforts",
        &["assurance is the centrepiece"],
    ),
    (
        "Vietnam assures these powers of its commitment",
        &["To assure the great powers"],
    ),
    (
        "even powerful leaders can have insecurities",
        &["even leaders of the most powerful state can feel insecure"],
    ),
    (
        "Vietnam portrays its partnership with the U.S.",
        &["chose to frame the partnership"],
    ),
    (
        "Vietnamese officials engaged in discussions",
        &["Vietnamese and Chinese officials also held discussions"],
    ),
    (
        "Vietnam employs active hedging",
        &["balancing triad is active hedging"],
    ),
    (
        "The U.S.-China reconciliation served as a reminder",
        &["rapprochement showed Vietnamese policymakers"],
    ),
    (
        "emphasizes the diversification and multilateralization",
        &["Numerous Communist Party of Vietnam documents"],
    ),
    (
        "designed to reduce reliance on a single power",
        &["This prevents over-reliance on any single great power"],
    ),
    (
        "creating diverse relationships with several middle powers",
        &[
            "engages with multiple middle powers",
            "did not sever ties with Russia",
        ],
    ),
    (
        "not overly dependent on any one country",
        &[
            "This prevents over-reliance",
            "enhances its diplomatic leverage",
        ],
    ),
    (
        "It also provides Vietnam with access to various economic",
        &["gains access to diverse economic"],
    ),
    (
        "Vietnam actively participates in ASEAN",
        &["vital role of ASEAN", "regional bloc remains key"],
    ),
    (
        "Vietnam is determined to work closely",
        &["work closely with like-minded partners"],
    ),
    (
        "skillful management of relations with the United States and China",
        &["Recent positive interactions with both"],
    ),
    (
        "ongoing challenges like great power competition",
        &[
            "Key challenges include sustained great power competition",
            "evolving geopolitical landscape presents challenges",
        ],
    ),
    (
        "To guarantee its sovereignty and prevent conflict",
        &[
            "To navigate this complex environment",
            "Pursuing a proactive but principled approach",
        ],
    ),
];

/// Byte span of `phrase` in `text`, where a space in the phrase matches any
/// white space (000 has non-breaking spaces inside sentences).
fn find(text: &str, phrase: &str) -> Span {
    let want: Vec<char> = phrase.chars().collect();
    for (start, _) in text.char_indices() {
        let mut it = text[start..].char_indices();
        let mut ok = true;
        let mut end = start;
        for &w in &want {
            match it.next() {
                Some((off, c)) if c == w || (w == ' ' && c.is_whitespace()) => {
                    end = start + off + c.len_utf8();
                }
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return Span::new(start, end);
        }
    }
    panic!("phrase not found: {phrase:?}");
}

fn overlaps(x: Span, y: Span) -> bool {
    x.start < y.end && y.start < x.end
}

fn seeds() -> Vec<Document> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let loaded = corpus::load(&[dir], &LoadOptions::default()).unwrap();
    assert!(loaded.errors.is_empty() && loaded.warnings.is_empty());
    loaded.documents
}

fn pair<'a>(docs: &[Document], pairs: &'a [PairResult], a: &str, b: &str) -> &'a PairResult {
    pairs
        .iter()
        .find(|p| docs[p.a as usize].id == a && docs[p.b as usize].id == b)
        .unwrap_or_else(|| panic!("{a} ↔ {b} is not a candidate"))
}

/// Check the 000 ↔ 001 passages against the hand-annotated truth.
fn check_rewrite(docs: &[Document], p: &PairResult) {
    let (ta, tb) = (&docs[p.a as usize].text, &docs[p.b as usize].text);
    assert_eq!(p.verdict, Verdict::Derivative);
    for q in &p.alignment.passages {
        assert!(ta.is_char_boundary(q.a.start) && ta.is_char_boundary(q.a.end));
        assert!(tb.is_char_boundary(q.b.start) && tb.is_char_boundary(q.b.end));
        assert!(q.score > 0.0 && q.score <= 1.0);
    }
    // Each annotated sentence of 001 inside a passage must be paired with
    // (one of) the sentences of 000 it was rewritten from.
    let mut covered = 0;
    for (phrase_b, sources) in TRUTH {
        let at = find(tb, phrase_b);
        let holding: Vec<_> = p
            .alignment
            .passages
            .iter()
            .filter(|q| overlaps(q.b, at))
            .collect();
        if holding.is_empty() {
            continue;
        }
        covered += 1;
        for q in holding {
            let right = sources.iter().any(|s| overlaps(q.a, find(ta, s)));
            assert!(
                right,
                "001 {phrase_b:?} is aligned with {:?}, not with its source {sources:?}",
                &ta[q.a.start..q.a.end]
            );
        }
    }
    assert!(
        covered >= 27,
        "only {covered} of {} annotated sentences aligned",
        TRUTH.len()
    );

    // Coverage of the body of 001: everything but the title, the
    // "According to Globely News, " lead-in and the "READ ALSO" line.
    let title = find(tb, "Xi Jinping’s Visit to Vietnam Shows Stable Relations");
    let lead = find(tb, "According to Globely News, ");
    let read_start = find(tb, "READ ALSO:").start;
    let read = Span::new(
        read_start,
        read_start + tb[read_start..].find('\n').unwrap(),
    );
    let mut body = 0usize;
    let mut inside = 0usize;
    for (i, c) in tb.char_indices() {
        let here = Span::new(i, i + c.len_utf8());
        if c.is_whitespace() || [title, lead, read].iter().any(|x| overlaps(*x, here)) {
            continue;
        }
        body += 1;
        if p.alignment.passages.iter().any(|q| overlaps(q.b, here)) {
            inside += 1;
        }
    }
    let share = inside as f64 / body as f64;
    assert!(
        share >= 0.85,
        "passages cover {share:.3} of the body of 001"
    );
}

#[test]
fn scan_flags_only_the_rewrite_and_aligns_it_with_its_sources() {
    let docs = seeds();
    let scan = pipeline::scan(&docs, &Config::default());
    let flagged: Vec<_> = scan
        .pairs
        .iter()
        .filter(|p| p.verdict.is_flagged())
        .collect();
    assert_eq!(
        flagged.len(),
        1,
        "flagged: {:?}",
        flagged.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>()
    );
    check_rewrite(&docs, pair(&docs, &scan.pairs, A, B));
}

#[test]
fn compare_gives_the_same_passages_as_scan() {
    let docs = seeds();
    let scan = pipeline::scan(&docs, &Config::default());
    let from_scan = pair(&docs, &scan.pairs, A, B);
    let (_, compared) = pipeline::compare(&docs[0], &docs[1], &Config::default());
    assert_eq!(compared.alignment.passages, from_scan.alignment.passages);
    // Siblings compared in full are still unrelated.
    for (x, y) in [
        (0, 2),
        (0, 3),
        (0, 4),
        (1, 2),
        (1, 3),
        (1, 4),
        (2, 3),
        (2, 4),
        (3, 4),
    ] {
        let (_, p) = pipeline::compare(&docs[x], &docs[y], &Config::default());
        assert_eq!(
            p.verdict,
            Verdict::Unrelated,
            "{} ↔ {}",
            docs[x].id,
            docs[y].id
        );
    }
}

/// Documents of 150–600 words drawn from the seeds' own words, with their
/// frequencies, in sentences of 8–30 words: same vocabulary, no derivation.
fn generated(docs: &[Document], n: usize) -> Vec<Document> {
    let words: Vec<&str> = docs
        .iter()
        .flat_map(|d| d.text.split_whitespace())
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let mut rng = SplitMix64::new(0x5EED);
    (0..n)
        .map(|k| {
            let target = 150 + rng.below(451);
            let mut text = String::new();
            let mut count = 0;
            while count < target {
                let len = 8 + rng.below(23);
                let sentence: Vec<String> = (0..len)
                    .map(|i| {
                        let w = words[rng.below(words.len())]
                            .trim_matches(|c: char| !c.is_alphanumeric())
                            .to_string();
                        if i == 0 {
                            let mut c = w.chars();
                            c.next()
                                .map(|f| f.to_uppercase().chain(c).collect())
                                .unwrap_or(w)
                        } else {
                            w
                        }
                    })
                    .collect();
                text.push_str(&sentence.join(" "));
                text.push_str(if rng.below(5) == 0 { ".\n\n" } else { ". " });
                count += len;
            }
            Document::new(format!("gen/{k:04}.txt"), text)
        })
        .collect()
}

#[test]
fn rewrite_is_still_found_among_a_thousand_documents_of_the_same_vocabulary() {
    let seeds = seeds();
    let alone = pipeline::scan(&seeds, &Config::default());
    let expected = &pair(&seeds, &alone.pairs, A, B).alignment.passages;

    let mut docs = seeds.clone();
    docs.extend(generated(&seeds, 1000));
    let scan = pipeline::scan(&docs, &Config::default());
    let flagged: Vec<(&str, &str)> = scan
        .pairs
        .iter()
        .filter(|p| p.verdict.is_flagged())
        .map(|p| {
            (
                docs[p.a as usize].id.as_str(),
                docs[p.b as usize].id.as_str(),
            )
        })
        .collect();
    assert_eq!(flagged, [(A, B)], "exactly the rewrite is flagged");
    let found = pair(&docs, &scan.pairs, A, B);
    assert_eq!(
        &found.alignment.passages, expected,
        "same passages as on the seeds alone"
    );
    check_rewrite(&docs, found);
}
