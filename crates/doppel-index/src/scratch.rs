//! Temporary files written beside their targets (reports, indexes being
//! built), named so that one left by a killed run is recognisable:
//! `.doppel-KIND-PID-RANDOM.tmp`. A run that writes into a directory first
//! removes the ones whose process is gone ([`remove_orphans`]).

use std::path::{Path, PathBuf};

/// A new temporary file of `kind` (`report`, `index`) in `dir`, named
/// after this process.
pub fn create_in(dir: &Path, kind: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".doppel-{kind}-{}-", std::process::id());
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).suffix(".tmp");
    // Created as any file is, 0666 less the umask: a report or an index is
    // for others to read as much as any file the user writes.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// The process that made a temporary file of this naming (or the journal
/// SQLite keeps beside one), if the name is one.
fn owner(name: &str) -> Option<u32> {
    let name = ["-journal", "-wal", "-shm"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name);
    let rest = name.strip_prefix(".doppel-")?.strip_suffix(".tmp")?;
    let mut parts = rest.splitn(3, '-');
    let (_kind, pid, _random) = (parts.next()?, parts.next()?, parts.next()?);
    pid.parse().ok()
}

/// Remove the temporary files in `dir` left by runs that no longer exist
/// (killed with SIGKILL, or by a power cut); returns what was removed. A
/// file of a live process — another run writing beside this one — is
/// left alone. Only where the live processes can be listed (Linux's
/// `/proc`); elsewhere nothing is removed.
pub fn remove_orphans(dir: &Path) -> Vec<(PathBuf, u32)> {
    let proc_dir = Path::new("/proc/self");
    if !proc_dir.exists() {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let me = std::process::id();
    let mut removed = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(owner) else {
            continue;
        };
        if pid == me || Path::new("/proc").join(pid.to_string()).exists() {
            continue;
        }
        let path = e.path();
        if e.file_type().is_ok_and(|t| t.is_file()) && std::fs::remove_file(&path).is_ok() {
            removed.push((path, pid));
        }
    }
    removed.sort();
    removed
}

/// Remove this process's own temporary files in `dir` (on a signal: one
/// may have been made and not yet recorded).
pub fn remove_own(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        if e.file_name().to_str().and_then(owner) == Some(me) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orphans_of_dead_processes_go_and_live_ones_stay() {
        let d = tempfile::tempdir().unwrap();
        let mine = create_in(d.path(), "report").unwrap();
        // No process has a pid this high (Linux caps them at 2^22).
        let dead = d.path().join(".doppel-index-4294967-abc.tmp");
        std::fs::write(&dead, b"half an index").unwrap();
        let other = d.path().join(".doppel-notes.tmp");
        std::fs::write(&other, b"not ours by name").unwrap();
        let removed = remove_orphans(d.path());
        if Path::new("/proc/self").exists() {
            assert_eq!(removed, [(dead.clone(), 4_294_967)]);
            assert!(!dead.exists());
        }
        assert!(mine.path().exists() && other.exists());
        assert_eq!(owner(".doppel-report-12-x1y2.tmp"), Some(12));
        assert_eq!(owner(".doppel-x.tmp"), None);
        assert_eq!(owner(".doppel-index-12-x1y2.tmp-journal"), Some(12));
        let journal = d.path().join(format!(
            ".doppel-index-{}-q.tmp-journal",
            std::process::id()
        ));
        std::fs::write(&journal, b"").unwrap();
        remove_own(d.path());
        assert!(!journal.exists() && !mine.path().exists() && other.exists());
    }
}
