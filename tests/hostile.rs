//! Hostile input and faults, as a user meets them: the fuzzers' regression
//! inputs replayed, size limits (whole files and JSONL lines, in bounded
//! memory), symbolic link loops, inputs that cannot be read even by root,
//! devices and FIFOs, outputs that cannot be written, signals in the middle
//! of a run, and byte-for-byte determinism across thread counts and runs.
//!
//! Runs the built binary with the crate root as working directory. Timeouts
//! here only turn a hang into a failure; no test asserts a duration.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz_checks;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::bin;
use bin::*;

/// `doppel ARGS…`; output decoded lossily (see [`run_cmd_lossy`]).
fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    run_cmd_lossy(doppel().args(args))
}

fn doc_ids(report: &Value) -> Vec<String> {
    report["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

fn flagged(report: &Value) -> Vec<(String, String)> {
    report["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .filter(|p| p["verdict"] != "unrelated")
        .map(|p| {
            (
                p["a"].as_str().unwrap().to_string(),
                p["b"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A directory holding seed 000 and its rewrite 001 as s0.txt and s1.txt:
/// one derivative pair, whatever else is added beside it.
fn pair_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("s0.txt"), seed_text(S000)).unwrap();
    std::fs::write(d.path().join("s1.txt"), seed_text(S001)).unwrap();
    d
}

/// The stderr line of an error or warning that names `what`, if any.
fn line_naming<'a>(stderr: &'a str, kind: &str, what: &str) -> Option<&'a str> {
    stderr
        .lines()
        .find(|l| l.starts_with(&format!("doppel: {kind}:")) && l.contains(what))
}

// ---------------------------------------------------------------------------
// Inputs the fuzzers found (or that were written by hand to the same end)
// ---------------------------------------------------------------------------

/// Every file under tests/regressions/<target>/ goes through the check of
/// that fuzz target (fuzz/src/lib.rs): no panic, every invariant holds.
#[test]
fn regression_inputs_replay_through_the_fuzz_checks() {
    let dir = Path::new(ROOT).join("tests/regressions");
    type Check = fn(&[u8]);
    let targets: [(&str, Check); 5] = [
        ("text", fuzz_checks::text),
        ("decode", fuzz_checks::decode),
        ("jsonl", fuzz_checks::jsonl),
        ("align", fuzz_checks::align),
        ("index", fuzz_checks::index),
    ];
    for (name, check) in targets {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(name))
            .unwrap_or_else(|e| panic!("tests/regressions/{name}: {e}"))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no inputs in tests/regressions/{name}");
        for f in files {
            let data = std::fs::read(&f).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{} fails its check", f.display());
        }
    }
}

// ---------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------

#[test]
fn a_document_over_max_doc_bytes_is_skipped_with_a_warning_naming_it() {
    let d = pair_dir();
    let big = d.path().join("big.txt");
    std::fs::write(&big, "Some words in a sentence. ".repeat(400)).unwrap(); // 10,400 bytes
    let r = run(&[
        "scan",
        &p(d.path()),
        "--max-doc-bytes",
        "10000",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "a skipped document is no error: {}", r.stderr);
    let w = line_naming(&r.stderr, "warning", &p(&big)).expect("a warning naming big.txt");
    assert!(
        w.contains("10400 bytes") && w.contains("limit of 10000"),
        "{w}"
    );
    assert_eq!(doc_ids(&r.json()), ["s0.txt", "s1.txt"]);
    assert_eq!(flagged(&r.json()).len(), 1);

    // From standard input, whose size is not known in advance.
    let r = run_cmd(
        doppel()
            .args(["scan", "-", "--max-doc-bytes", "100"])
            .write_stdin("word ".repeat(100)),
    );
    let w = line_naming(&r.stderr, "warning", "<stdin>").expect("a warning naming <stdin>");
    assert!(
        w.contains("over the limit") && w.contains("100 bytes"),
        "{w}"
    );

    // Under --strict the run stops there.
    let r = run(&["scan", &p(d.path()), "--max-doc-bytes", "10000", "--strict"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(&p(&big)), "{}", r.stderr);
}

#[test]
fn a_jsonl_line_over_max_doc_bytes_is_skipped_naming_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("c.jsonl");
    let long = "x".repeat(5000);
    std::fs::write(
        &f,
        format!(
            "{{\"id\": \"a\", \"text\": \"short one\"}}\n{{\"id\": \"b\", \"text\": \"{long}\"}}\n{{\"id\": \"c\", \"text\": \"after it\"}}\n"
        ),
    )
    .unwrap();
    let r = run(&[
        "scan",
        "--jsonl",
        &p(&f),
        "--max-doc-bytes",
        "1000",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "a skipped line is no error: {}", r.stderr);
    let w = line_naming(&r.stderr, "warning", &format!("{}:2:", p(&f)))
        .expect("a warning naming c.jsonl:2");
    assert!(
        w.contains("5023 bytes") && w.contains("limit of 1000 bytes"),
        "{w}"
    );
    assert!(!w.contains("pass --jsonl"), "{w}");
    assert_eq!(doc_ids(&r.json()), ["a", "c"]);

    // The streamed reader of MinHash mode words it the same way.
    let streamed = run(&[
        "scan",
        "--jsonl",
        "--minhash-only",
        &p(&f),
        "--max-doc-bytes",
        "1000",
        "--format",
        "json",
    ]);
    let w2 = line_naming(&streamed.stderr, "warning", &format!("{}:2:", p(&f)))
        .expect("a warning naming c.jsonl:2 in MinHash mode");
    assert_eq!(w2, w);

    // Without --jsonl the file is one document, too large: the warning
    // says how to read it line by line.
    let r = run(&["scan", &p(&f), "--max-doc-bytes", "1000"]);
    let w = line_naming(&r.stderr, "warning", &p(&f)).expect("a warning naming c.jsonl");
    assert!(
        w.contains("over the limit") && w.contains("pass --jsonl"),
        "{w}"
    );
}

/// Peak resident memory of a running process, in kB (Linux).
#[cfg(target_os = "linux")]
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

/// A 50 MB line in a JSONL file is read with at most the limit held in
/// memory (here 1,000 bytes), not the line. The file is a FIFO so the
/// process can be measured while it is still alive, right after it has
/// read past the long line (the test writes more than a pipe and a read
/// buffer hold after it, so the write returns only then). With the default
/// limit of 50 MB, a 500 MB line costs at most 50 MB in the same way; that
/// case is measured by hand in README ("Hostile input").
#[cfg(target_os = "linux")]
#[test]
fn a_50_mb_jsonl_line_is_read_in_bounded_memory() {
    use std::io::Write;
    use std::process::{Command as Std, Stdio};
    const LINE: usize = 50 * 1024 * 1024;
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("big.jsonl");
    let made = Std::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let child = Std::new(env!("CARGO_BIN_EXE_doppel"))
        .args(["scan", "--jsonl", &p(&fifo), "--max-doc-bytes", "1000"])
        .args(["--format", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut w =
        std::io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(&fifo).unwrap());
    w.write_all(b"{\"id\": \"a\", \"text\": \"before\"}\n{\"id\": \"big\", \"text\": \"")
        .unwrap();
    let chunk = vec![b'y'; 1 << 20];
    for _ in 0..LINE / chunk.len() {
        w.write_all(&chunk).unwrap();
    }
    w.write_all(b"\"}\n").unwrap();
    // Blank lines, more than the pipe (64 KiB) and the reader's buffer hold.
    w.write_all(&vec![b'\n'; 1 << 18]).unwrap();
    w.flush().unwrap();
    let peak = peak_rss_kb(pid);
    eprintln!("peak memory while skipping the line: {peak} kB");
    w.write_all(b"{\"id\": \"c\", \"text\": \"after\"}\n")
        .unwrap();
    drop(w);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        peak < (LINE / 1024 / 4) as u64,
        "peak memory {peak} kB while skipping a {} kB line",
        LINE / 1024
    );
    let warn = line_naming(&stderr, "warning", &format!("{}:2:", p(&fifo)))
        .unwrap_or_else(|| panic!("no warning naming line 2: {stderr}"));
    assert!(warn.contains(&format!("{} bytes", LINE + 25)), "{warn}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc_ids(&report), ["a", "c"], "the lines around it are read");
}

/// A document of nothing but line breaks used to be read once per line
/// break (quadratic); 4 MB of them would take hours. Now one pass.
#[test]
fn a_long_run_of_blank_lines_is_read_once() {
    let d = pair_dir();
    let mut text = String::from("Title\n");
    text.push_str(&"\n \n".repeat(1_500_000));
    text.push_str("The end.\n");
    std::fs::write(d.path().join("blank-lines.txt"), text).unwrap();
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    assert_eq!(
        report["documents"][0]["sentences"], 2,
        "{}",
        report["documents"][0]
    );
}

// ---------------------------------------------------------------------------
// Directories, links, unreadable files, devices
// ---------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symbolic_link_loops_end_with_an_error_naming_them() {
    let d = pair_dir();
    std::fs::create_dir(d.path().join("sub")).unwrap();
    let up = d.path().join("sub/up");
    std::os::unix::fs::symlink("..", &up).unwrap();
    let own = d.path().join("self-link");
    std::os::unix::fs::symlink("self-link", &own).unwrap();
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(r.code, 2, "a loop is an input error: {}", r.stderr);
    let e = line_naming(&r.stderr, "error", &p(&up)).expect("an error naming sub/up");
    assert!(e.contains("loop"), "{e}");
    assert!(
        line_naming(&r.stderr, "error", &p(&own)).is_some(),
        "{}",
        r.stderr
    );
    let report = r.json();
    assert_eq!(doc_ids(&report), ["s0.txt", "s1.txt"], "each file once");
    assert_eq!(flagged(&report).len(), 1, "the run goes on");
}

/// Inputs that fail for root too (tests often run as root, where mode 000
/// stops nothing): a dangling link (open fails) and a link to
/// /proc/self/mem (open succeeds, read fails with an I/O error). A FIFO
/// with no writer would block a reader forever; in a directory it is
/// skipped with a warning. Each is reported on its own, the others are
/// scanned, and the exit status is 2.
#[cfg(target_os = "linux")]
#[test]
fn unreadable_inputs_are_reported_one_by_one_and_the_run_goes_on() {
    let d = pair_dir();
    let dangling = d.path().join("dangling.txt");
    std::os::unix::fs::symlink("no-such-target", &dangling).unwrap();
    let mem = d.path().join("mem.txt");
    std::os::unix::fs::symlink("/proc/self/mem", &mem).unwrap();
    let fifo = d.path().join("pipe.txt");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let r = run(&["scan", &p(d.path()), "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let e = line_naming(&r.stderr, "error", &p(&dangling)).expect("dangling link named");
    assert!(e.contains("No such file"), "{e}");
    let e = line_naming(&r.stderr, "error", &p(&mem)).expect("/proc/self/mem named");
    assert!(e.contains("error"), "{e}");
    let w = line_naming(&r.stderr, "warning", &p(&fifo)).expect("FIFO named");
    assert!(w.contains("not a regular file"), "{w}");
    let report = r.json();
    assert_eq!(doc_ids(&report), ["s0.txt", "s1.txt"]);
    assert_eq!(flagged(&report).len(), 1);

    // MinHash mode walks the directory the same way and says the same.
    let r = run(&["scan", "--minhash-only", &p(d.path()), "--format", "json"]);
    let w2 = line_naming(&r.stderr, "warning", &p(&fifo)).expect("FIFO named in MinHash mode");
    assert_eq!(w2, w);
    assert_eq!(doc_ids(&r.json()), ["s0.txt", "s1.txt"]);

    // --strict stops at the first of them, with no report.
    let r = run(&["scan", &p(d.path()), "--strict"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

/// A device given by name is read no further than needed: /dev/zero is
/// binary after its first block, not 50 MB later (or never).
#[cfg(target_os = "linux")]
#[test]
fn a_device_is_not_read_forever() {
    let r = run(&["scan", "/dev/zero", &format!("seeds/{S000}")]);
    let w = line_naming(&r.stderr, "warning", "/dev/zero").expect("a warning naming /dev/zero");
    assert!(w.contains("binary"), "{w}");
    assert_eq!(r.code, 1, "{}", r.stderr);
}

// ---------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------

/// An output path that cannot be written fails before any input is read:
/// under a regular file, and in /proc (read-only, even for root).
#[test]
fn an_unwritable_output_fails_before_any_work() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let missing_input = d.path().join("missing-input.txt");
    let mut targets = vec![file.join("out.json")];
    if cfg!(target_os = "linux") {
        targets.push(PathBuf::from("/proc/doppel-out.json"));
    }
    for out in targets {
        let r = run(&["scan", &p(&missing_input), "-o", &p(&out)]);
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains(&p(&out)) && r.stderr.contains("cannot write"),
            "the message names the output: {}",
            r.stderr
        );
        assert!(
            !r.stderr.contains("missing-input.txt"),
            "inputs were read before the output was checked: {}",
            r.stderr
        );
    }
    let r = run(&["scan", "seeds/", "-o", &p(&file.join("out.json"))]);
    assert!(r.stderr.contains("is not a directory"), "{}", r.stderr);
    assert_eq!(listing(d.path()), ["a-file"]);
}

/// A signal in the middle of a run — Ctrl-C (SIGINT), SIGTERM (kill,
/// timeout, CI cancellation) or SIGHUP (a closed terminal): exit status
/// 128 + the signal, no output file, no temporary file. The run is caught
/// reading its last input, standard input, which the test keeps open: by
/// then the output's temporary file exists, and the run cannot end before
/// the signal arrives.
#[cfg(unix)]
#[test]
fn a_signal_during_a_run_leaves_no_partial_output() {
    use std::process::{Command as Std, Stdio};
    let corpus = generated_corpus(60);
    for (sig, code) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        let outdir = tempfile::tempdir().unwrap();
        let out = outdir.path().join("report.json");
        let mut child = Std::new(env!("CARGO_BIN_EXE_doppel"))
            .args(["scan", &p(corpus.path()), "-", "-o", &p(&out)])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + HANG;
        while !listing(outdir.path())
            .iter()
            .any(|f| f.starts_with(".doppel-"))
        {
            assert!(
                std::time::Instant::now() < deadline,
                "SIG{sig}: no temporary file appeared"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let killed = Std::new("kill")
            .args([&format!("-{sig}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        // Standard input stays open: only the signal can end the run.
        let stdin = child.stdin.take();
        let status = wait_for(&mut child, deadline, sig);
        drop(stdin);
        assert_eq!(status.code(), Some(code), "SIG{sig}");
        assert!(
            listing(outdir.path()).is_empty(),
            "SIG{sig}: left behind: {:?}",
            listing(outdir.path())
        );
    }
}

#[cfg(unix)]
fn wait_for(
    child: &mut std::process::Child,
    deadline: std::time::Instant,
    sig: &str,
) -> std::process::ExitStatus {
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run did not stop on SIG{sig}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `index build` stopped by SIGTERM or SIGHUP at several moments — while
/// reading, while building, while moving the index in — leaves either
/// nothing or the whole index, never a temporary file; a file a killed
/// (SIGKILL) run left is removed by the next run that writes beside it,
/// with a note.
#[cfg(unix)]
#[test]
fn a_signal_during_an_index_build_leaves_no_debris() {
    use std::process::{Command as Std, Stdio};
    let corpus = generated_corpus(400);
    // How long a whole build takes here (debug or release, a busy
    // machine or not); the signals come at fractions of it.
    let full = {
        let outdir = tempfile::tempdir().unwrap();
        let start = std::time::Instant::now();
        let r = run(&[
            "index",
            "build",
            &p(corpus.path()),
            "--index",
            &p(&outdir.path().join("refs.doppel")),
            "-q",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        start.elapsed()
    };
    let mut handled = 0;
    for (k, share) in [0.1, 0.3, 0.5, 0.7, 0.9].into_iter().enumerate() {
        let delay_ms = (full.as_secs_f64() * share * 1000.0) as u64;
        let (sig, code) = if k % 2 == 0 {
            ("TERM", 143)
        } else {
            ("HUP", 129)
        };
        let outdir = tempfile::tempdir().unwrap();
        let index = outdir.path().join("refs.doppel");
        let mut child = Std::new(env!("CARGO_BIN_EXE_doppel"))
            .args([
                "index",
                "build",
                &p(corpus.path()),
                "--index",
                &p(&index),
                "-q",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = Std::new("kill")
            .args([&format!("-{sig}"), &child.id().to_string()])
            .status();
        let status = wait_for(&mut child, std::time::Instant::now() + HANG, sig);
        let left = listing(outdir.path());
        match status.code() {
            Some(0) => assert_eq!(left, ["refs.doppel"], "after {delay_ms} ms"),
            Some(c) => {
                assert_eq!(c, code, "SIG{sig} after {delay_ms} ms");
                // Nothing, or the whole index when the signal came after
                // it was moved in.
                assert!(
                    left.is_empty() || left == ["refs.doppel"],
                    "SIG{sig} after {delay_ms} ms: left {left:?}"
                );
            }
            // Killed before the handler was installed, at start-up: then
            // nothing was written either.
            None => assert!(
                left.is_empty(),
                "SIG{sig} after {delay_ms} ms: left {left:?}"
            ),
        }
        handled += usize::from(status.code() == Some(code));
    }

    assert!(
        handled >= 2,
        "only {handled} runs were stopped by their signal"
    );

    // What SIGKILL leaves, the next run beside it removes.
    let outdir = tempfile::tempdir().unwrap();
    let orphan = outdir.path().join(".doppel-index-4294967-Xy12ab.tmp");
    std::fs::write(&orphan, b"half an index").unwrap();
    let index = outdir.path().join("refs.doppel");
    let r = run(&["index", "build", "seeds/", "--index", &p(&index)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("removed")
            && r.stderr.contains(&p(&orphan))
            && r.stderr.contains("interrupted run"),
        "{}",
        r.stderr
    );
    assert_eq!(listing(outdir.path()), ["refs.doppel"]);
}

// ---------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------

/// A small generator of pseudo-words (xorshift, fixed seed).
struct Gen(u64);

impl Gen {
    fn next(&mut self, m: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % m as u64) as usize
    }

    fn word(&mut self) -> String {
        const SYL: &[&str] = &[
            "ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "ve", "dan", "mor", "tel", "gis",
            "bru", "fen", "hal",
        ];
        (0..1 + self.next(3))
            .map(|_| SYL[self.next(SYL.len())])
            .collect()
    }

    fn sentence(&mut self) -> String {
        let n = 8 + self.next(8);
        let words: Vec<String> = (0..n).map(|_| self.word()).collect();
        let mut s = words.join(" ");
        s[..1].make_ascii_uppercase();
        s.push('.');
        s
    }
}

/// `n` documents of generated sentences; every fifth one is followed by a
/// rewrite of it (sentences dropped and swapped, a word changed in each),
/// so the corpus holds known derivative pairs.
fn generated_corpus(n: usize) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    for k in 0..n {
        let sentences: Vec<String> = (0..12 + g.next(10)).map(|_| g.sentence()).collect();
        std::fs::write(d.path().join(format!("g{k:03}.txt")), sentences.join(" ")).unwrap();
        if k % 5 == 0 {
            let mut copy: Vec<String> = sentences
                .iter()
                .filter(|_| g.next(6) != 0)
                .map(|s| s.replacen(' ', " tava ", 1))
                .collect();
            let last = copy.len() - 1;
            copy.swap(1, last);
            std::fs::write(
                d.path().join(format!("g{k:03}-rewrite.txt")),
                copy.join(" "),
            )
            .unwrap();
        }
    }
    d
}

/// The same corpus (seeds and generated documents) scanned with 1 and 2
/// worker threads, twice each: the JSON, text and Markdown reports are
/// identical byte for byte.
#[test]
fn reports_are_identical_across_thread_counts_and_runs() {
    let corpus = generated_corpus(40);
    let outdir = tempfile::tempdir().unwrap();
    let mut runs: Vec<Vec<Vec<u8>>> = Vec::new();
    for (k, threads) in ["1", "2", "1", "2"].into_iter().enumerate() {
        let files: Vec<PathBuf> = ["json", "txt", "md"]
            .iter()
            .map(|ext| outdir.path().join(format!("run{k}.{ext}")))
            .collect();
        let mut args = vec![
            "scan".to_string(),
            "seeds/".into(),
            p(corpus.path()),
            "--all".into(),
            "-j".into(),
            threads.into(),
        ];
        for f in &files {
            args.push("-o".into());
            args.push(p(f));
        }
        let r = run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        runs.push(files.iter().map(|f| std::fs::read(f).unwrap()).collect());
    }
    let report: Value = serde_json::from_slice(&runs[0][0]).unwrap();
    let flagged = flagged(&report);
    assert!(
        flagged.len() >= 9,
        "the seed pair and the 8 rewrites: {flagged:?}"
    );
    for (k, r) in runs.iter().enumerate().skip(1) {
        for (f, ext) in ["json", "txt", "md"].iter().enumerate() {
            assert!(
                r[f] == runs[0][f],
                "the {ext} report of run {k} differs from run 0"
            );
        }
    }
}
