//! Progress on standard error for long runs, and the summary line at the end.
//!
//! The bar (bytes and documents read, documents analysed — or indexed, or
//! checked —, then candidate pairs verified, each with an ETA) appears only
//! once a run has lasted a second, only when standard error is a terminal,
//! and never with `--quiet`: scripts and pipes see nothing. The summary
//! line — documents, candidate pairs, flagged pairs, elapsed time, peak
//! memory — is printed when standard error is a terminal (unless
//! `--quiet`), or whenever `--stats` asks for it, so that redirected
//! standard error stays empty by default.

use doppel::progress::Event;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How long a run goes before its progress is shown: a second, or
/// `DOPPEL_PROGRESS_AFTER_MS` milliseconds (for tests of the display).
fn show_after() -> Duration {
    std::env::var("DOPPEL_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

/// How often a shown bar is redrawn even when no event comes (so that the
/// elapsed time moves during a long step).
const TICK: Duration = Duration::from_millis(200);

/// A progress display on standard error (possibly disabled).
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    enabled: bool,
    /// What the analysis step is called: "analysing", "indexing", "checking".
    verb: &'static str,
}

impl Progress {
    /// A display, enabled when standard error is a terminal and not `quiet`.
    pub fn new(quiet: bool) -> Progress {
        Progress::with_verb(quiet, "analysing")
    }

    /// A display whose analysis step is called `verb`.
    pub fn with_verb(quiet: bool, verb: &'static str) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let enabled = !quiet && std::io::stderr().is_terminal();
        if enabled {
            // Shown after a second, however long the first step is silent.
            let shown = bar.clone();
            std::thread::spawn(move || {
                std::thread::sleep(show_after());
                if !shown.is_finished() {
                    shown.set_draw_target(ProgressDrawTarget::stderr());
                    shown.enable_steady_tick(TICK);
                }
            });
        }
        Progress {
            bar,
            start: Instant::now(),
            enabled,
            verb,
        }
    }

    /// Take one event of a run (from any thread).
    pub fn event(&self, event: Event) {
        if !self.enabled {
            return;
        }
        match event {
            Event::Reading { total_bytes } => {
                self.bar.set_length(total_bytes);
                self.bar.set_position(0);
                self.bar.set_style(if total_bytes > 0 {
                    style("{elapsed:>4} reading   [{bar:30}] {bytes}/{total_bytes} · {msg} · ETA {eta}")
                } else {
                    style("{elapsed:>4} reading   {bytes} · {msg}")
                });
            }
            Event::Read { docs, bytes } => {
                self.bar.set_position(bytes);
                self.bar.set_message(format!("{docs} documents"));
            }
            Event::Analysing { docs } => {
                self.bar.set_length(docs);
                self.bar.set_position(0);
                self.bar.reset_eta();
                self.bar.set_style(style(&format!(
                    "{{elapsed:>4}} {:<9} [{{bar:30}}] {{pos}}/{{len}} documents · ETA {{eta}}",
                    self.verb
                )));
            }
            Event::Analysed { docs } => self.bar.set_position(docs),
            Event::Searching => {
                self.bar.set_style(style(
                    "{elapsed:>4} searching for candidate pairs (LSH buckets, TF-IDF neighbours)",
                ));
            }
            Event::Candidates { pairs } => {
                self.bar.set_length(pairs);
                self.bar.set_position(0);
                self.bar.reset_eta();
                self.bar.set_style(style(
                    "{elapsed:>4} verifying [{bar:30}] {pos}/{len} candidate pairs · ETA {eta}",
                ));
            }
            Event::Verified { pairs } => self.bar.set_position(pairs),
        }
        if !matches!(
            event,
            Event::Read { .. } | Event::Analysed { .. } | Event::Verified { .. }
        ) {
            // Each step is drawn, however soon the next one follows.
            self.bar.force_draw();
        }
    }

    /// Print on standard error with the bar out of the way.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// Remove the bar (before anything else is printed on standard error).
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Seconds since the display was created.
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// Peak resident memory of this process in bytes (`VmHWM` of
/// `/proc/self/status`), where the system reports it.
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// What the summary line says.
pub struct Summary<'a> {
    /// Documents read.
    pub documents: usize,
    /// Candidate pairs compared, where the run counts them.
    pub candidates: Option<usize>,
    /// What the run found, e.g. "12 flagged pairs".
    pub found: &'a str,
    /// Seconds since the start.
    pub elapsed: f64,
}

/// Print the summary line on standard error when standard error is a
/// terminal and not `quiet`, or when `stats` is set.
pub fn summary(s: &Summary<'_>, quiet: bool, stats: bool) {
    if !(stats || (!quiet && std::io::stderr().is_terminal())) {
        return;
    }
    let memory = match peak_memory() {
        Some(b) => format!(", peak memory {:.0} MB", b as f64 / 1e6),
        None => String::new(),
    };
    let candidates = s
        .candidates
        .map(|n| format!(" {n} candidate pairs,"))
        .unwrap_or_default();
    eprintln!(
        "doppel: {} document{},{candidates} {}, {:.1} s{memory}",
        s.documents,
        if s.documents == 1 { "" } else { "s" },
        s.found,
        s.elapsed
    );
}
