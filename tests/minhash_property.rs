//! Statistical property test of the MinHash estimator.
//!
//! In: proptest-chosen union size, target Jaccard similarity and seed.
//! Out: assertions that, over many set pairs of exactly that Jaccard
//! similarity, `estimate_jaccard(sign(A), sign(B))` has a root-mean-square
//! error of at most `1.2 / sqrt(k)` and a bias below `0.5 / sqrt(k)`, for
//! `k = 64` and `k = 128`.

use doppel::minhash::{MinHasher, estimate_jaccard};
use doppel_synth::SplitMix64;
use proptest::prelude::*;

/// Set pairs built per proptest case.
const PAIRS: usize = 200;

/// `n` fresh elements. splitmix64 outputs are distinct for 2^64 calls, so
/// elements never repeat within or across pairs of one case.
fn take(rng: &mut SplitMix64, n: usize) -> Vec<u64> {
    (0..n).map(|_| rng.next_u64()).collect()
}

/// Builds `PAIRS` pairs (A, B) with |A ∪ B| = `union` and |A ∩ B| = `inter`
/// (the non-shared elements split as evenly as possible between A and B).
fn make_pairs(union: usize, inter: usize, seed: u64) -> Vec<(Vec<u64>, Vec<u64>)> {
    let mut rng = SplitMix64::new(seed);
    let rest = union - inter;
    let a_only = rest / 2;
    let b_only = rest - a_only;
    (0..PAIRS)
        .map(|_| {
            let shared = take(&mut rng, inter);
            let mut a = shared.clone();
            a.extend(take(&mut rng, a_only));
            let mut b = shared;
            b.extend(take(&mut rng, b_only));
            (a, b)
        })
        .collect()
}

/// (RMSE, mean error) of the estimate against `exact` over all pairs.
fn error_stats(k: usize, pairs: &[(Vec<u64>, Vec<u64>)], exact: f64) -> (f64, f64) {
    let h = MinHasher::new(k);
    let (mut sq, mut sum) = (0.0, 0.0);
    for (a, b) in pairs {
        let err = estimate_jaccard(&h.sign(a), &h.sign(b)) - exact;
        sq += err * err;
        sum += err;
    }
    let n = pairs.len() as f64;
    ((sq / n).sqrt(), sum / n)
}

/// Checks the RMSE and bias bounds for `k` = 64 and 128.
fn check(union: usize, target_j: f64, seed: u64) -> Result<(), TestCaseError> {
    let inter = ((target_j * union as f64).round() as usize).min(union);
    let exact = inter as f64 / union as f64;
    let pairs = make_pairs(union, inter, seed);
    for k in [64usize, 128] {
        let (rmse, bias) = error_stats(k, &pairs, exact);
        let scale = 1.0 / (k as f64).sqrt();
        prop_assert!(
            rmse <= 1.2 * scale,
            "k={k} union={union} J={exact:.3}: RMSE {rmse:.4} > {:.4}",
            1.2 * scale
        );
        prop_assert!(
            bias.abs() < 0.5 * scale,
            "k={k} union={union} J={exact:.3}: bias {bias:.4}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Typical passage sizes.
    #[test]
    fn estimate_error_within_bound(
        union in 50usize..3000,
        target_j in 0.0f64..=1.0,
        seed in any::<u64>(),
    ) {
        check(union, target_j, seed)?;
    }

    /// Sets smaller than k, where most bins are filled by densification.
    #[test]
    fn estimate_error_within_bound_small_sets(
        union in 2usize..130,
        target_j in 0.0f64..=1.0,
        seed in any::<u64>(),
    ) {
        check(union, target_j, seed)?;
    }
}

/// Fixed extreme cases that random sampling may miss.
#[test]
fn edge_jaccards_and_sizes() {
    for &(union, j) in &[
        (50, 0.0),
        (50, 1.0),
        (2, 0.5),
        (3, 0.34),
        (64, 0.5),
        (128, 0.5),
    ] {
        if let Err(e) = check(union, j, 0xD0_99E1) {
            panic!("{e}");
        }
    }
}
