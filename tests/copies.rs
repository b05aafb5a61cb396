//! The copied-passage guarantee, through the product's own features: two
//! unrelated documents that share a verbatim run of `--min-copy-words`
//! words, anywhere in each, share a winnowed fingerprint and are a
//! candidate pair of `scan` — whatever else they hold.

use doppel::config::Config;
use doppel::corpus::Document;
use doppel::minhash::MinHasher;
use doppel::pipeline;
use doppel::text::Analyzer;
use doppel_synth::SplitMix64;

/// `n` words of a vocabulary of its own (`tag`), in sentences of 5 to 15
/// words.
fn words(rng: &mut SplitMix64, tag: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| format!("{tag}{}", rng.below(5000)))
        .collect()
}

fn text(words: &[String], rng: &mut SplitMix64) -> String {
    let mut out = String::new();
    let mut left = rng.between(5, 15);
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
        left -= 1;
        if left == 0 {
            out.push('.');
            left = rng.between(5, 15);
        }
    }
    out
}

/// `run` inserted into `host` at a random word.
fn embed(host: &[String], run: &[String], rng: &mut SplitMix64) -> Vec<String> {
    let at = rng.below(host.len() + 1);
    let mut v = host[..at].to_vec();
    v.extend_from_slice(run);
    v.extend_from_slice(&host[at..]);
    v
}

#[test]
fn a_shared_run_of_the_guaranteed_length_always_makes_a_candidate() {
    let cfg = Config::default();
    let analyzer = Analyzer::new(cfg.stem, cfg.stop_words);
    let hasher = MinHasher::new(cfg.num_perm);
    let mut rng = SplitMix64::new(2026);
    let mut shorter_missed = 0;
    for case in 0..300 {
        let len = cfg.copy_words;
        let run = words(&mut rng, "r", len);
        let (na, nb) = (rng.between(0, 400), rng.between(0, 400));
        let host_a = words(&mut rng, "a", na);
        let host_b = words(&mut rng, "b", nb);
        let a = text(&embed(&host_a, &run, &mut rng), &mut rng);
        let b = text(&embed(&host_b, &run, &mut rng), &mut rng);
        let fa = pipeline::features(&a, &cfg, &analyzer, &hasher).fingerprints;
        let fb = pipeline::features(&b, &cfg, &analyzer, &hasher).fingerprints;
        assert!(
            fa.iter().any(|f| fb.binary_search(f).is_ok()),
            "case {case}: a run of {len} words shared, no fingerprint"
        );
        if case < 30 {
            // Through the scan, beside documents that share nothing.
            let mut docs = vec![Document::new("a", a.clone()), Document::new("b", b.clone())];
            for k in 0..4 {
                let other = words(&mut rng, &format!("o{k}x"), 200);
                docs.push(Document::new(format!("o{k}"), text(&other, &mut rng)));
            }
            let scan = pipeline::scan(&docs, &cfg);
            assert!(
                scan.pairs.iter().any(|p| (p.a, p.b) == (0, 1)),
                "case {case}: the pair is not a candidate"
            );
        }
        // One word shorter carries no guarantee (it may still be found).
        let short = &run[..len - 1];
        let a = text(&embed(&host_a, short, &mut rng), &mut rng);
        let b = text(&embed(&host_b, short, &mut rng), &mut rng);
        let fa = pipeline::features(&a, &cfg, &analyzer, &hasher).fingerprints;
        let fb = pipeline::features(&b, &cfg, &analyzer, &hasher).fingerprints;
        shorter_missed += usize::from(!fa.iter().any(|f| fb.binary_search(f).is_ok()));
    }
    // The guarantee is tight: some runs one word shorter share nothing.
    assert!(shorter_missed > 0, "every shorter run was found too");
}
