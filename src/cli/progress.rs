//! Progress on standard error for long runs, and the summary line at the end.
//!
//! The bar (documents and bytes read, then candidate pairs verified, each
//! with an ETA) appears only once a run has lasted a second, only when
//! standard error is a terminal, and never with `--quiet`: scripts and pipes
//! see nothing. The summary line — documents, candidate pairs, flagged
//! pairs, elapsed time, peak memory — is printed when standard error is a
//! terminal (unless `--quiet`), or whenever `--stats` asks for it, so that
//! redirected standard error stays empty by default.

use doppel::batch::Event;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a run goes before its progress is shown.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A progress display on standard error (possibly disabled).
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    enabled: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    shown: bool,
    docs: u64,
}

impl Progress {
    /// A display, enabled when standard error is a terminal and not `quiet`.
    pub fn new(quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        Progress {
            bar,
            start: Instant::now(),
            enabled: !quiet && std::io::stderr().is_terminal(),
            state: Mutex::new(State::default()),
        }
    }

    /// Take one event of a run.
    pub fn event(&self, event: Event) {
        if !self.enabled {
            return;
        }
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        match event {
            Event::Reading { total_bytes } => {
                self.bar.set_length(total_bytes);
                self.bar.set_style(style(
                    "{elapsed:>4} reading   [{bar:30}] {bytes}/{total_bytes} · {msg} · ETA {eta}",
                ));
            }
            Event::Read { docs, bytes } => {
                state.docs = docs;
                self.bar.set_position(bytes);
                self.bar.set_message(format!("{docs} documents"));
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
        if !state.shown && self.start.elapsed() >= SHOW_AFTER {
            state.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
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
