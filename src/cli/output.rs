//! Report files written atomically: a temporary file beside the target,
//! renamed over it once complete, removed on error or on a signal (SIGINT, SIGTERM, SIGHUP).
//! A target that is a device, a FIFO or a socket (`-o /dev/null`, a named
//! pipe to another program) is written directly: a rename would put a
//! file in its place.

use anyhow::{Context, bail};
use doppel_report::{self as report, Format, Report};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Outputs in progress, shared with the signal handler.
struct Pending {
    /// Set by the signal handler: no output may be completed any more.
    interrupted: bool,
    /// Temporary files not yet renamed over their targets.
    temps: Vec<PathBuf>,
    /// Directories temporary files are made in: on a signal, this
    /// process's own files there go too (one may not be recorded yet).
    dirs: Vec<PathBuf>,
}

/// Creating a temporary file and recording it, and renaming it and
/// forgetting it, each happen under this lock, and so does the signal
/// handler's clean-up: an interrupt either finds a temporary file and
/// removes it, or finds the output complete — never a file in between.
static PENDING: Mutex<Pending> = Mutex::new(Pending {
    interrupted: false,
    temps: Vec::new(),
    dirs: Vec::new(),
});

fn pending() -> std::sync::MutexGuard<'static, Pending> {
    // A panic elsewhere must not stop the clean-up.
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// An output file being written: a temporary file beside the target,
/// renamed over it once complete, or the special file itself.
pub struct Output {
    target: PathBuf,
    format: Format,
    sink: Sink,
}

/// Where an output's bytes go.
enum Sink {
    /// A temporary file beside a regular (or new) target.
    Temp(tempfile::NamedTempFile),
    /// A device, FIFO or socket, written directly.
    Special(std::fs::File),
}

/// Whether `target` exists and is neither a regular file nor a directory.
fn is_special(target: &Path) -> bool {
    std::fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

impl Output {
    /// Create the temporary file now, so a missing directory or a read-only
    /// place fails before any work starts.
    pub fn open(target: &Path, fallback: Format) -> anyhow::Result<Output> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => bail!(
                "{}: cannot write the output file: {} is not a directory",
                target.display(),
                dir.display()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "{}: cannot write the output file: directory {} does not exist",
                target.display(),
                dir.display()
            ),
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "{}: cannot write the output file: directory {}",
                        target.display(),
                        dir.display()
                    )
                });
            }
        }
        if target.is_dir() {
            bail!("{}: is a directory, not an output file", target.display());
        }
        let format = Format::from_extension(target).unwrap_or(fallback);
        if is_special(target) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(target)
                .with_context(|| format!("{}: cannot write the output", target.display()))?;
            return Ok(Output {
                target: target.to_path_buf(),
                format,
                sink: Sink::Special(file),
            });
        }
        let mut p = pending();
        if p.interrupted {
            bail!("interrupted");
        }
        note_orphans(dir);
        p.dirs.push(dir.to_path_buf());
        let temp = doppel_index::scratch::create_in(dir, "report")
            .with_context(|| format!("{}: cannot write the output file here", target.display()))?;
        p.temps.push(temp.path().to_path_buf());
        drop(p);
        Ok(Output {
            target: target.to_path_buf(),
            format,
            sink: Sink::Temp(temp),
        })
    }

    /// The file the output will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The open temporary file, for outputs written as work goes on (JSON
    /// Lines); complete it with [`Output::finish`].
    pub fn writer(&mut self) -> &mut std::fs::File {
        match &mut self.sink {
            Sink::Temp(temp) => temp.as_file_mut(),
            Sink::Special(file) => file,
        }
    }

    /// Render a whole report into the file and complete it.
    pub fn write(mut self, report: &Report, opts: &report::RenderOptions) -> anyhow::Result<()> {
        {
            let format = self.format;
            let target = self.target.clone();
            let mut w = std::io::BufWriter::new(self.writer());
            report::render(report, format, opts, &mut w)
                .and_then(|_| w.flush())
                .with_context(|| format!("{}: write failed", target.display()))?;
        }
        self.finish()
    }

    /// Flush the temporary file to disk and rename it over the target (a
    /// special file has had its bytes already).
    pub fn finish(self) -> anyhow::Result<()> {
        let temp = match self.sink {
            Sink::Temp(temp) => temp,
            Sink::Special(_) => return Ok(()),
        };
        let temp_path = temp.path().to_path_buf();
        // The temporary file has the mode the umask gives a new file; a
        // report replacing a file keeps that file's mode.
        if let Ok(m) = std::fs::metadata(&self.target) {
            let _ = temp.as_file().set_permissions(m.permissions());
        }
        temp.as_file()
            .sync_all()
            .with_context(|| format!("{}: write failed", self.target.display()))?;
        let target = self.target;
        finish_tracked(&target, &temp_path, || {
            temp.persist(&target)
                .with_context(|| format!("{}: cannot replace the output file", target.display()))?;
            Ok(())
        })
    }
}

/// JSON Lines outputs written as work goes on: standard output (when it
/// is one of them) and files, every line to each; the files are completed
/// by [`Lines::finish`] (and removed unfinished on an error or a signal).
pub struct Lines {
    stdout: Option<std::io::BufWriter<std::io::Stdout>>,
    files: Vec<Output>,
}

impl Lines {
    /// Lines to standard output when `stdout`, and into `files`.
    pub fn new(stdout: bool, files: Vec<Output>) -> Lines {
        Lines {
            stdout: stdout.then(|| std::io::BufWriter::new(std::io::stdout())),
            files,
        }
    }

    /// Write one object as a line to every output; standard output is
    /// flushed, so a reader sees each line as it is done.
    pub fn line(&mut self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        let mut json = serde_json::to_string(value)?;
        json.push('\n');
        if let Some(o) = &mut self.stdout {
            o.write_all(json.as_bytes())?;
            o.flush()?;
        }
        for f in &mut self.files {
            let target = f.target().display().to_string();
            f.writer()
                .write_all(json.as_bytes())
                .with_context(|| format!("{target}: write failed"))?;
        }
        Ok(())
    }

    /// Complete every file.
    pub fn finish(self) -> anyhow::Result<()> {
        for f in self.files {
            f.finish()?;
        }
        Ok(())
    }
}

/// Remove the temporary files in `dir` that killed runs left, saying so.
pub fn note_orphans(dir: &Path) {
    for (path, pid) in doppel_index::scratch::remove_orphans(dir) {
        eprintln!(
            "doppel: note: removed {}, left by an interrupted run (process {pid})",
            path.display()
        );
    }
}

/// Make a temporary file of another kind (an index being built) with
/// `make`, and have the path `temp_of` gives removed on a signal until
/// [`finish_tracked`]; under the lock the signal handler's clean-up takes
/// (see [`Pending`]), so a signal either comes first (and nothing is
/// made) or finds the file recorded. `what` names the output for the
/// error.
pub fn create_tracked<T>(
    what: &Path,
    make: impl FnOnce() -> anyhow::Result<T>,
    temp_of: impl Fn(&T) -> PathBuf,
) -> anyhow::Result<T> {
    let mut p = pending();
    if p.interrupted {
        bail!("{}: interrupted", what.display());
    }
    let made = make()?;
    p.temps.push(temp_of(&made));
    Ok(made)
}

/// Complete a tracked temporary file with `finish` (which moves it into
/// place, and may make and remove files beside it, as SQLite's log) and
/// forget it once it succeeded, under the same lock (reports and indexes
/// alike): a signal during `finish` waits for it
/// and then finds the output complete, never a half-moved file or a log
/// made after its clean-up.
pub fn finish_tracked(
    what: &Path,
    temp: &Path,
    finish: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut p = pending();
    if p.interrupted {
        bail!("{}: interrupted", what.display());
    }
    finish()?;
    p.temps.retain(|x| x != temp);
    Ok(())
}

/// Have this process's temporary files in `dir` removed on a signal (call
/// before making one there).
pub fn track_dir(dir: &Path) {
    pending().dirs.push(dir.to_path_buf());
}

/// The signal that stopped the run, once one came (0: none).
static RECEIVED: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Take signal `sig`: note it, then remove what is pending.
pub fn interrupt(sig: i32) {
    RECEIVED.store(sig, std::sync::atomic::Ordering::SeqCst);
    remove_pending();
}

/// The signal that stopped the run, if one came: the work failing after
/// it (its files removed under it) is the signal's doing, not an error.
pub fn received() -> Option<i32> {
    match RECEIVED.load(std::sync::atomic::Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// Remove the temporary files of outputs in progress and complete no
/// other (on a signal, just before the process exits).
pub fn remove_pending() {
    let mut p = pending();
    p.interrupted = true;
    for path in p.temps.drain(..) {
        let _ = std::fs::remove_file(path);
    }
    for dir in p.dirs.drain(..) {
        doppel_index::scratch::remove_own(&dir);
    }
}

/// Refuse, before any input is read, an output that would destroy an
/// input or be read as one: the same file (device and inode) as an input,
/// or a file a walk of an input directory would read (not left out by
/// `filter`). The message names both.
pub fn refuse_overlap<'a>(
    outputs: impl IntoIterator<Item = &'a Path>,
    inputs: &[PathBuf],
    filter: &doppel::corpus::PathFilter,
) -> anyhow::Result<()> {
    for out in outputs {
        if out.as_os_str() == "-" {
            continue;
        }
        let out_meta = std::fs::metadata(out).ok();
        let canonical_out = canonical_target(out);
        for input in inputs {
            if input.as_os_str() == "-" {
                continue;
            }
            let Ok(in_meta) = std::fs::metadata(input) else {
                // Reading it will report the problem.
                continue;
            };
            if out_meta.as_ref().is_some_and(|m| same_file(m, &in_meta)) {
                bail!(
                    "{}: is the input {}; refusing to write over it (nothing was written)",
                    out.display(),
                    input.display()
                );
            }
            if !in_meta.is_dir() {
                continue;
            }
            let (Some(target), Ok(dir)) = (&canonical_out, input.canonicalize()) else {
                continue;
            };
            let Ok(rel) = target.strip_prefix(&dir) else {
                continue;
            };
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if filter.walk_reads(&rel) {
                if out_meta.is_some() {
                    bail!(
                        "{}: is the input {} of the directory {} being read; refusing to \
                         write over it (nothing was written)",
                        out.display(),
                        rel,
                        input.display()
                    );
                }
                bail!(
                    "{}: lies inside the directory {} being read, so a later run would read it \
                     as a document; write it elsewhere or leave it out with --exclude \
                     (nothing was written)",
                    out.display(),
                    input.display()
                );
            }
        }
    }
    Ok(())
}

/// The absolute path `path` names, its directory resolved (it may not
/// exist yet).
fn canonical_target(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(dir.canonicalize().ok()?.join(name))
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}
