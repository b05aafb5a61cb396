//! Partial reuse on real text: one rewritten paragraph inside a long
//! unrelated document. Each paragraph of the seeds' 001 (a spun rewrite of
//! 000) of 40 words or more is put, alone, in the middle of the GPL-3 text
//! (Debian's /usr/share/common-licenses/GPL-3, 35 KB) and compared with 000.

use doppel::config::Config;
use doppel::corpus::Document;
use doppel::pipeline;
use doppel::score::Verdict;

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn seed(name: &str) -> String {
    read(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("seeds")
            .join(name),
    )
}

#[test]
fn a_rewritten_paragraph_in_a_long_unrelated_text_is_one_passage_at_its_place() {
    let original = seed("000_51955296cd91fa83.txt");
    let rewrite = seed("001_8e21ef8ac6e0b3df.txt");
    let host = read(std::path::Path::new("/usr/share/common-licenses/GPL-3"));
    let a = Document::new("000", original.clone());
    let (_, alone) = pipeline::compare(
        &a,
        &Document::new("GPL-3", host.clone()),
        &Config::default(),
    );
    assert_eq!(
        alone.verdict,
        Verdict::Unrelated,
        "{:#?}",
        alone.alignment.passages
    );

    let lines: Vec<&str> = host.lines().collect();
    let at = lines.len() / 2;
    let before = lines[..at].join("\n") + "\n";
    let paragraphs: Vec<&str> = rewrite
        .lines()
        .filter(|l| l.split_whitespace().count() >= 40)
        .collect();
    assert_eq!(paragraphs.len(), 7);
    let mut found = 0;
    for paragraph in &paragraphs {
        let text = format!("{before}{paragraph}\n{}\n", lines[at..].join("\n"));
        let (start, end) = (before.len(), before.len() + paragraph.len());
        let (_, pair) = pipeline::compare(
            &a,
            &Document::new("GPL-3+", text.clone()),
            &Config::default(),
        );
        if pair.verdict == Verdict::Unrelated {
            continue;
        }
        found += 1;
        assert_eq!(pair.verdict, Verdict::Derivative);
        assert_eq!(
            pair.alignment.passages.len(),
            1,
            "{:#?}",
            pair.alignment.passages
        );
        let p = &pair.alignment.passages[0];
        // B's side lies in the paragraph (give or take the sentence before
        // it) and holds a good part of it: the spinner left some of its
        // sentences with little of their source.
        let inside = p.b.end.min(end).saturating_sub(p.b.start.max(start));
        assert!(
            inside * 10 >= paragraph.len() * 4 && p.b.start + 120 >= start && p.b.end <= end,
            "B side {:?} for {start}..{end}",
            &text[p.b.start..p.b.end]
        );
        // A's side holds text of 000's body (the paragraph merges and
        // reorders sentences of several paragraphs of 000, so a side of
        // several paragraphs is right).
        let body = original.find("Vietnam has successfully navigated").unwrap();
        assert!(p.a.end > body, "A side {:?}", p.a);
    }
    assert!(
        found >= 5,
        "only {found} of {} paragraphs found",
        paragraphs.len()
    );
}

/// A verbatim passage copied into an unrelated long document is found by a
/// scan, however little of either document it is: 30 to 60 words of the
/// seeds' 000 in the middle of Debian's licence texts leave Jaccard and
/// cosine far below the candidate thresholds, but the copy shares a
/// winnowed fingerprint (`--min-copy-words`, 25 by default). Without the
/// fingerprints (`copy_words` 0) the same corpus gives no such pair; the
/// licences that share no such run stay apart.
#[test]
fn a_copied_passage_in_an_unrelated_document_is_a_candidate_of_a_scan() {
    let original = seed("000_51955296cd91fa83.txt");
    let words: Vec<&str> = original.split_whitespace().collect();
    let mut docs = vec![Document::new("000", original.clone())];
    for name in [
        "002_38f6590440b9d911.txt",
        "003_78536e3fa57423e4.txt",
        "004_795a0b2c7150b453.txt",
    ] {
        docs.push(Document::new(name, seed(name)));
    }
    // Licences no paraphrase passage joins (tests/licences.rs), each with
    // its own stretch of 000.
    let hosts = ["GPL-3", "Apache-2.0", "Artistic", "CC0-1.0"];
    for (k, host) in hosts.iter().enumerate() {
        let text = read(&std::path::Path::new("/usr/share/common-licenses").join(host));
        let len = 30 + 10 * k;
        let start = 120 + 70 * k;
        let passage = words[start..start + len].join(" ");
        let mid = text[..text.len() / 2]
            .rfind("\n\n")
            .expect("a paragraph break");
        let host_text = format!("{}\n\n{passage}\n\n{}", &text[..mid], &text[mid..]);
        docs.push(Document::new(format!("{host}+copy"), host_text));
    }
    let flagged = |cfg: &Config| -> Vec<String> {
        let scan = pipeline::scan(&docs, cfg);
        let mut ids: Vec<String> = scan
            .pairs
            .iter()
            .filter(|p| p.verdict.is_flagged())
            .map(|p| format!("{} ~ {}", docs[p.a as usize].id, docs[p.b as usize].id))
            .collect();
        ids.sort();
        ids
    };
    let with = flagged(&Config::default());
    let mut want: Vec<String> = hosts.iter().map(|h| format!("000 ~ {h}+copy")).collect();
    want.sort();
    assert_eq!(with, want, "the copies, and nothing else");
    let without = flagged(&Config {
        copy_words: 0,
        ..Config::default()
    });
    assert!(
        without.is_empty(),
        "found without fingerprints too: {without:?}"
    );
}
