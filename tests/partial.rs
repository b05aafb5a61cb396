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
