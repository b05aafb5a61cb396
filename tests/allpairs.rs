//! Prefix-filtered all-pairs cosine against the full sparse product, on a
//! generated corpus of 5,000 documents with planted near-duplicates and
//! paraphrases (`doppel::synth`).

use doppel::text::{Analysed, Analyzer};
use doppel::tfidf::{self, TfIdfModel, TfIdfOptions};
use doppel_synth::Synth;

#[test]
fn prefix_filtering_gives_the_pairs_of_the_full_product_on_5000_documents() {
    let synth = Synth::new(5000, 7);
    let analyzer = Analyzer::new(true, true);
    let terms: Vec<Vec<String>> = (0..synth.len())
        .map(|i| {
            let doc = synth.document(i);
            analyzer.terms(&Analysed::new(&doc.text).tokens)
        })
        .collect();
    let (_, vecs) = TfIdfModel::fit_transform(&terms, TfIdfOptions::default());
    // Thresholds at the cosines of actual pairs (a pair exactly at the
    // threshold must be kept): where the bounds are tight enough that a
    // slightly unsound one would lose pairs.
    let mut cosines: Vec<f32> = tfidf::top_k_pairs_unpruned(&vecs, 0.1, 0)
        .iter()
        .map(|p| p.cosine)
        .collect();
    cosines.sort_by(f32::total_cmp);
    assert!(cosines.len() > 100, "{} pairs above 0.1", cosines.len());
    let at = |q: f64| cosines[((cosines.len() - 1) as f64 * q) as usize];
    let at_pairs = [(at(0.2), 0), (at(0.6), 0), (at(0.9), 2)];
    for (threshold, k) in [(0.3, 10), (0.5, 0), (0.2, 3)].into_iter().chain(at_pairs) {
        let fast = tfidf::top_k_pairs(&vecs, threshold, k);
        let full = tfidf::top_k_pairs_unpruned(&vecs, threshold, k);
        assert!(
            !full.is_empty(),
            "the planted pairs give neighbours at {threshold}"
        );
        assert_eq!(fast.len(), full.len(), "threshold {threshold}, k {k}");
        for (x, y) in fast.iter().zip(&full) {
            assert_eq!((x.a, x.b), (y.a, y.b), "threshold {threshold}, k {k}");
            assert!((x.cosine - y.cosine).abs() <= 1e-6, "{x:?} vs {y:?}");
        }
    }
}
