//! Stable hashing and the one pseudo-random generator of tests, benchmarks
//! and generated corpora: the same numbers on every machine and run.

/// Weyl-sequence increment (2^64 / golden ratio, odd).
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The splitmix64 finaliser: a strong 64-bit bijective mixer.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Small, fast, fully specified random numbers: splitmix64 (Steele, Lea and
/// Flood, 2014), a Weyl sequence passed through a bijective mixer.
///
/// Not for anything adversarial; for generated text and test data that must
/// be the same on every machine. [`SplitMix64::new`] takes the generator's
/// state as is, so the sequence is the reference one: from seed 0 it starts
/// `0xE220A8397B1DCDAF`, `0x6E789E6AA1B965F4`, `0x06C45D188009454F`.
///
/// ```
/// use doppel::hash::SplitMix64;
///
/// let mut rng = SplitMix64::new(0);
/// assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
/// assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
/// let roll = rng.between(1, 6);
/// assert!((1..=6).contains(&roll));
/// ```
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator whose state starts at `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }
    /// An independent stream for `(seed, tag, index)`: the state is hashed
    /// from all three, so neighbouring indices give unrelated sequences.
    pub fn stream(seed: u64, tag: u64, index: u64) -> SplitMix64 {
        SplitMix64(mix64(
            mix64(seed ^ tag.wrapping_mul(GOLDEN_GAMMA)).wrapping_add(index),
        ))
    }
    /// The next 64 random bits. Every output is distinct for 2^64 calls
    /// (the mixer is a bijection of a counter).
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix64(self.0)
    }
    /// Uniform in `[0, 1)`, from the top 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `0..n` (`n >= 1`), by the high half of a 128-bit product
    /// rather than a modulo (one multiplication, no division).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
    /// Uniform in `lo..=hi` (`lo <= hi`).
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}
