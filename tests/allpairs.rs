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

/// The key-term neighbour search (what `scan` runs) against the exact
/// search on the same 5,000 generated documents: every pair it gives has
/// its exact cosine, at or above the threshold; without a k limit it gives
/// only exact pairs; it finds at least 99% of the exact pairs at the
/// default and benchmark settings (a cosine of 0.2 or 0.3, ten neighbours
/// each) and 97% at a cosine of 0.1, which light terms carry too; and its
/// answer does not depend on the number of threads.
#[test]
fn key_term_neighbours_find_the_exact_pairs_on_5000_documents() {
    let synth = Synth::new(5000, 7);
    let analyzer = Analyzer::new(true, true);
    let terms: Vec<Vec<String>> = (0..synth.len())
        .map(|i| analyzer.terms(&Analysed::new(&synth.document(i).text).tokens))
        .collect();
    let (_, vecs) = TfIdfModel::fit_transform(&terms, TfIdfOptions::default());
    for (threshold, k, recall) in [
        (0.2, 10, 0.99),
        (0.3, 10, 0.99),
        (0.5, 0, 0.99),
        (0.1, 3, 0.97),
    ] {
        let exact = tfidf::top_k_pairs(&vecs, threshold, k);
        let (found, _) = doppel::neighbours::top_k_pairs(&vecs, threshold, k);
        assert!(
            exact.len() > 100,
            "{} exact pairs at {threshold}",
            exact.len()
        );
        for p in &found {
            let c = tfidf::cosine(&vecs[p.a as usize], &vecs[p.b as usize]);
            assert_eq!(p.cosine.to_bits(), c.to_bits(), "{p:?}");
            assert!(
                p.a < p.b && p.cosine >= threshold && p.cosine > 0.0,
                "{p:?}"
            );
        }
        let want: std::collections::BTreeSet<(u32, u32)> =
            exact.iter().map(|p| (p.a, p.b)).collect();
        let got: std::collections::BTreeSet<(u32, u32)> =
            found.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(got.len(), found.len(), "no pair twice");
        if k == 0 {
            assert!(got.is_subset(&want), "threshold {threshold}");
        }
        let hit = want.intersection(&got).count();
        assert!(
            hit as f64 >= recall * want.len() as f64,
            "threshold {threshold}, k {k}: {hit} of {} exact pairs",
            want.len()
        );
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| doppel::neighbours::top_k_pairs(&vecs, threshold, k).0);
        assert_eq!(
            one_thread
                .iter()
                .map(|p| (p.a, p.b, p.cosine.to_bits()))
                .collect::<Vec<_>>(),
            found
                .iter()
                .map(|p| (p.a, p.b, p.cosine.to_bits()))
                .collect::<Vec<_>>()
        );
    }
}
