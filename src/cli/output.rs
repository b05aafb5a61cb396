//! Report files written atomically: a temporary file beside the target,
//! renamed over it once complete, removed on error or Ctrl-C.

use anyhow::{Context, bail};
use doppel::report::{self, Format, Report};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Outputs in progress, shared with the Ctrl-C handler.
struct Pending {
    /// Set by the Ctrl-C handler: no output may be completed any more.
    interrupted: bool,
    /// Temporary files not yet renamed over their targets.
    temps: Vec<PathBuf>,
}

/// Creating a temporary file and recording it, and renaming it and
/// forgetting it, each happen under this lock, and so does the Ctrl-C
/// handler's clean-up: an interrupt either finds a temporary file and
/// removes it, or finds the output complete — never a file in between.
static PENDING: Mutex<Pending> = Mutex::new(Pending {
    interrupted: false,
    temps: Vec::new(),
});

fn pending() -> std::sync::MutexGuard<'static, Pending> {
    // A panic elsewhere must not stop the clean-up.
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// An output file being written: a temporary file beside the target,
/// renamed over it once complete.
pub struct Output {
    target: PathBuf,
    format: Format,
    temp: tempfile::NamedTempFile,
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
        let mut p = pending();
        if p.interrupted {
            bail!("interrupted");
        }
        let temp = tempfile::Builder::new()
            .prefix(".doppel-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("{}: cannot write the output file here", target.display()))?;
        p.temps.push(temp.path().to_path_buf());
        drop(p);
        Ok(Output {
            target: target.to_path_buf(),
            format: Format::from_extension(target).unwrap_or(fallback),
            temp,
        })
    }

    /// The file the output will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The open temporary file, for outputs written as work goes on (JSON
    /// Lines); complete it with [`Output::finish`].
    pub fn writer(&mut self) -> &mut std::fs::File {
        self.temp.as_file_mut()
    }

    /// Render a whole report into the file and complete it.
    pub fn write(mut self, report: &Report) -> anyhow::Result<()> {
        {
            let format = self.format;
            let target = self.target.clone();
            let mut w = std::io::BufWriter::new(self.writer());
            report::render(report, format, false, &mut w)
                .and_then(|_| w.flush())
                .with_context(|| format!("{}: write failed", target.display()))?;
        }
        self.finish()
    }

    /// Flush the temporary file to disk and rename it over the target.
    pub fn finish(self) -> anyhow::Result<()> {
        let temp_path = self.temp.path().to_path_buf();
        // A temporary file is private (0600); the report should get the
        // permissions of the file it replaces, or the usual ones.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&self.target)
                .map(|m| m.permissions().mode())
                .unwrap_or(0o644);
            let _ = self
                .temp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode));
        }
        self.temp
            .as_file()
            .sync_all()
            .with_context(|| format!("{}: write failed", self.target.display()))?;
        let mut p = pending();
        if p.interrupted {
            bail!("{}: interrupted", self.target.display());
        }
        self.temp.persist(&self.target).with_context(|| {
            format!("{}: cannot replace the output file", self.target.display())
        })?;
        p.temps.retain(|x| x != &temp_path);
        Ok(())
    }
}

/// Have a temporary file of another kind (an index being built) removed
/// on Ctrl-C, until [`untrack`] is called.
pub fn track(path: &Path) {
    pending().temps.push(path.to_path_buf());
}

/// Stop tracking a temporary file (it was renamed into place or removed).
pub fn untrack(path: &Path) {
    pending().temps.retain(|x| x != path);
}

/// Remove the temporary files of outputs in progress and complete no
/// other (on Ctrl-C, just before the process exits).
pub fn remove_pending() {
    let mut p = pending();
    p.interrupted = true;
    for path in p.temps.drain(..) {
        let _ = std::fs::remove_file(path);
    }
}
