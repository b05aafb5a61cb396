//! Progress of a long run, reported as [`Event`]s to a callback.
//!
//! Every command that can run long — the full and the streamed scan, an
//! index build or addition, a check — reports what it is doing through one
//! callback type, [`Progress`]; the library never draws anything itself.
//! Events may come from several worker threads at once.

/// What a run is doing, reported to a [`Progress`] callback as it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Reading starts; the inputs hold this many bytes in all (0 when
    /// unknown, as for standard input).
    Reading {
        /// Total size of the inputs.
        total_bytes: u64,
    },
    /// More has been read.
    Read {
        /// Documents read so far.
        docs: u64,
        /// Input bytes consumed so far.
        bytes: u64,
    },
    /// Documents are analysed (words, sentences, signatures), indexed or
    /// checked: this many in all.
    Analysing {
        /// Documents to go through.
        docs: u64,
    },
    /// More documents have been analysed.
    Analysed {
        /// Documents done so far.
        docs: u64,
    },
    /// Candidate pairs are being searched for (LSH buckets, TF-IDF
    /// neighbours).
    Searching,
    /// Candidate pairs are known; verification starts.
    Candidates {
        /// Number of candidate pairs.
        pairs: u64,
    },
    /// More candidate pairs have been verified.
    Verified {
        /// Pairs verified so far.
        pairs: u64,
    },
}

/// A progress callback (see [`Event`]); [`NONE`] for none.
pub type Progress<'a> = &'a (dyn Fn(Event) + Sync);

/// The callback that ignores every event.
pub const NONE: Progress<'static> = &|_| {};

/// A counter shared by worker threads that reports each step through
/// `progress` as `event(count so far)`.
pub(crate) struct Counter<'a> {
    done: std::sync::atomic::AtomicU64,
    progress: Progress<'a>,
    event: fn(u64) -> Event,
}

impl<'a> Counter<'a> {
    pub(crate) fn new(progress: Progress<'a>, event: fn(u64) -> Event) -> Counter<'a> {
        Counter {
            done: std::sync::atomic::AtomicU64::new(0),
            progress,
            event,
        }
    }

    /// Count `n` more steps done.
    pub(crate) fn add(&self, n: u64) {
        let done = self.done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        (self.progress)((self.event)(done));
    }
}
