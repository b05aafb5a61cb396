//! Candidates for rewritten passages (`--rewrite-candidates`, the engine's
//! `rewrites` module) on generated corpora with known truth: a passage of
//! 3–8 sentences, a third of its words replaced and its sentences
//! shuffled, embedded in an unrelated document (doppel-gen's
//! embed-rewrite kind). The whole documents' cosine stays low, so without
//! the sentence bands many such pairs are never proposed; with them
//! nearly all are found, and nothing unplanted is flagged.

use doppel::config::Config;
use doppel::corpus::Document;
use doppel::pipeline;
use doppel_synth::{EditKind, Synth};
use std::collections::HashSet;

#[test]
fn embedded_rewrites_are_found_with_sentence_bands() {
    let synth = Synth::new(3000, 11).with_kinds(&[EditKind::EmbedRewrite]);
    let mut docs = Vec::new();
    let mut planted = HashSet::new();
    for i in 0..synth.len() {
        let d = synth.document(i);
        if let Some(t) = &d.truth {
            planted.insert((t.a.clone(), t.b.clone()));
        }
        docs.push(Document::new(d.id, d.text));
    }
    assert!(planted.len() > 200, "{}", planted.len());
    let found = |rewrite_candidates: bool| {
        let cfg = Config {
            rewrite_candidates,
            ..Config::default()
        };
        let scan = pipeline::scan(&docs, &cfg);
        let flagged: HashSet<(String, String)> = scan
            .pairs
            .iter()
            .filter(|p| p.verdict.is_flagged())
            .map(|p| {
                let (a, b) = (&docs[p.a as usize].id, &docs[p.b as usize].id);
                (a.min(b).clone(), a.max(b).clone())
            })
            .collect();
        let unplanted = flagged
            .iter()
            .filter(|(a, b)| {
                !planted.contains(&(a.clone(), b.clone()))
                    && !planted.contains(&(b.clone(), a.clone()))
            })
            .count();
        let hits = planted
            .iter()
            .filter(|(a, b)| flagged.contains(&(a.min(b).clone(), a.max(b).clone())))
            .count();
        (
            hits as f64 / planted.len() as f64,
            unplanted,
            scan.rewrite_candidates,
        )
    };
    let (with, false_with, proposed) = found(true);
    let (without, false_without, none) = found(false);
    assert_eq!((false_with, false_without), (0, 0));
    assert_eq!(none, 0, "off means no sentence-band candidates");
    assert!(proposed > 0);
    assert!(with >= 0.9, "recall with sentence bands {with:.3}");
    assert!(
        with - without >= 0.2,
        "{with:.3} against {without:.3} without"
    );
}
