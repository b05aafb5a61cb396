//! Outputs that would destroy or pollute an input are refused before any
//! input is read, and directory walks take `--glob` / `--exclude`; an
//! index is never built without a document it was given. Through the
//! binary, as a user runs it.

use std::path::Path;

use crate::common::bin;
use bin::*;

/// A directory of the seeds 000 and 001 (a flagged pair) and 002.
fn corpus() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for name in [
        "000_51955296cd91fa83.txt",
        "001_8e21ef8ac6e0b3df.txt",
        "002_38f6590440b9d911.txt",
    ] {
        std::fs::write(d.path().join(name), seed_text(name)).unwrap();
    }
    d
}

fn ids(r: &Run) -> Vec<String> {
    r.json()["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

/// The run was refused with exit 2, a message naming both paths, and the
/// input untouched.
fn refused(r: &Run, out: &Path, input: &Path, before: &[u8], why: &str) {
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&p(out)) && r.stderr.contains(&p(input)) && r.stderr.contains(why),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    if out.is_file() {
        assert_eq!(
            std::fs::read(out).unwrap(),
            before,
            "{} was touched",
            p(out)
        );
    }
}

#[test]
fn an_output_onto_an_input_or_into_a_scanned_directory_is_refused() {
    let d = corpus();
    let dir = d.path();
    let a = dir.join("000_51955296cd91fa83.txt");
    let b = dir.join("001_8e21ef8ac6e0b3df.txt");
    let before = std::fs::read(&a).unwrap();

    // Onto a file of a scanned directory.
    let r = run(&["scan", &p(dir), "-o", &p(&a)]);
    refused(&r, &a, dir, &before, "is the input");
    // Onto a compared file, by its own name, through a hard link, and as
    // the second of two outputs.
    let r = run(&["compare", &p(&a), &p(&b), "-o", &p(&a)]);
    refused(&r, &a, &a, &before, "is the input");
    let other = tempfile::tempdir().unwrap();
    let link = other.path().join("link.txt");
    std::fs::hard_link(&a, &link).unwrap();
    let report = other.path().join("r.json");
    let r = run(&[
        "compare",
        &p(&a),
        &p(&b),
        "-o",
        &p(&report),
        "-o",
        &p(&link),
    ]);
    refused(&r, &link, &a, &before, "is the input");
    assert!(!report.exists(), "no output is written when one is refused");
    // dedup and check likewise.
    let r = run(&["dedup", &p(dir), "-o", &p(&b)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is the input"), "{}", r.stderr);
    assert_eq!(
        std::fs::read(&b).unwrap(),
        seed_text("001_8e21ef8ac6e0b3df.txt").as_bytes()
    );

    // A new file inside the scanned directory would be read next time.
    let inside = dir.join("report.html");
    let r = run(&["scan", &p(dir), "-o", &p(&inside)]);
    refused(&r, &inside, dir, b"", "lies inside the directory");
    assert!(!inside.exists());
    let listing_now = listing(dir);
    assert!(
        listing_now.iter().all(|f| !f.starts_with(".doppel-")),
        "no temporary file: {listing_now:?}"
    );
    // Unless the walk leaves it out: excluded, or hidden.
    let r = run(&["scan", &p(dir), "-o", &p(&inside), "--exclude", "*.html"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(inside.is_file());
    let r = run(&["scan", &p(dir), "--format", "json", "--exclude", "*.html"]);
    assert_eq!(ids(&r).len(), 3);
    let hidden = dir.join(".report.json");
    let r = run(&["scan", &p(dir), "-o", &p(&hidden)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn globs_choose_the_files_of_a_directory_walk_in_both_modes() {
    let d = corpus();
    let dir = d.path();
    std::fs::create_dir(dir.join("drafts")).unwrap();
    std::fs::write(
        dir.join("drafts/003.txt"),
        seed_text("003_78536e3fa57423e4.txt"),
    )
    .unwrap();
    std::fs::write(dir.join("notes.md"), "Some notes of no interest.").unwrap();
    for mode in [&[][..], &["--minhash-only"][..]] {
        let scan = |extra: &[&str]| {
            let mut args = vec!["scan".to_string(), p(dir), "--format".into(), "json".into()];
            args.extend(mode.iter().chain(extra).map(|s| s.to_string()));
            let r = run(&args);
            assert!(r.code <= 1, "{:?}: {}", args, r.stderr);
            ids(&r)
        };
        assert_eq!(scan(&[]).len(), 5, "{mode:?}");
        assert_eq!(
            scan(&["--exclude", "drafts", "--exclude", "*.md"]),
            [
                "000_51955296cd91fa83.txt",
                "001_8e21ef8ac6e0b3df.txt",
                "002_38f6590440b9d911.txt"
            ],
            "{mode:?}"
        );
        assert_eq!(scan(&["-g", "*.md"]), ["notes.md"], "{mode:?}");
        assert_eq!(
            scan(&["-g", "drafts/*.txt"]),
            ["drafts/003.txt"],
            "{mode:?}"
        );
        assert_eq!(
            scan(&["-g", "*.txt", "-g", "!00[01]_*"]),
            ["002_38f6590440b9d911.txt", "drafts/003.txt"],
            "{mode:?}"
        );
    }
    // A file named directly is read whatever the globs say.
    let notes = dir.join("notes.md");
    let r = run(&["scan", &p(&notes), "--exclude", "*.md", "--format", "json"]);
    assert_eq!(ids(&r), [p(&notes)]);
    // A bad pattern is named.
    let r = run(&["scan", &p(dir), "--glob", "a[b"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("a[b"), "{}", r.stderr);
}

#[test]
fn an_index_is_not_built_without_a_document_it_was_given() {
    let d = corpus();
    let dir = d.path();
    std::fs::write(
        dir.join("image.bin"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let index = out.path().join("refs.doppel");
    let r = run(&["index", "build", &p(dir), "--index", &p(&index)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("image.bin") && r.stderr.contains("nothing was indexed"),
        "{}",
        r.stderr
    );
    assert!(listing(out.path()).is_empty(), "{:?}", listing(out.path()));
    let r = run(&[
        "index",
        "build",
        &p(dir),
        "--index",
        &p(&index),
        "--skip-unreadable",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("indexed 3 documents"), "{}", r.stderr);
    // `add` likewise: nothing added.
    let more = tempfile::tempdir().unwrap();
    std::fs::write(
        more.path().join("new.txt"),
        seed_text("004_795a0b2c7150b453.txt"),
    )
    .unwrap();
    std::fs::write(more.path().join("zeros.bin"), [0u8; 64]).unwrap();
    let r = run(&["index", "add", &p(more.path()), "--index", &p(&index)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(&["index", "stats", "--index", &p(&index), "--json"]);
    assert_eq!(r.json()["documents"], 3, "{}", r.stdout);
    // The index may not lie in the directory it indexes.
    let inside = dir.join("refs.doppel");
    let r = run(&[
        "index",
        "build",
        &p(dir),
        "--index",
        &p(&inside),
        "--exclude",
        "*.bin",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("lies inside the directory"),
        "{}",
        r.stderr
    );
    assert!(!inside.exists());
}

/// An output that is a FIFO (or a device: `-o /dev/null`) is written
/// straight into, not replaced by a renamed file: the report reaches the
/// program reading the pipe, and the pipe is still a pipe. An index, moved
/// into place by a rename, refuses such a target even with `--force`, and
/// so does doppel-gen.
#[test]
fn special_files_as_outputs_are_written_into_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let d = corpus();
    let out = tempfile::tempdir().unwrap();
    let fifo = out.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let is_fifo = |path: &Path| {
        std::fs::symlink_metadata(path)
            .unwrap()
            .file_type()
            .is_fifo()
    };
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    let r = run(&[
        "scan",
        &p(d.path()),
        "-o",
        &p(&fifo),
        "--format",
        "json",
        "-q",
    ]);
    // Had the run not written into the pipe, the reader would wait for a
    // writer for ever: be one (without waiting for a reader, O_NONBLOCK),
    // so it reads nothing instead.
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(0o4000)
            .open(&fifo);
    }
    assert!(r.code <= 1, "{}", r.stderr);
    let got = reader.join().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&got).expect("the report came through");
    assert_eq!(report["documents"].as_array().unwrap().len(), 3);
    assert!(is_fifo(&fifo), "the FIFO was replaced");
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        1,
        "nothing beside it"
    );

    let r = run(&[
        "index",
        "build",
        "--index",
        &p(&fifo),
        "--force",
        &p(d.path()),
        "-q",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&p(&fifo)), "{}", r.stderr);
    assert!(is_fifo(&fifo));

    let r = run_cmd(
        assert_cmd::Command::cargo_bin("doppel-gen")
            .unwrap()
            .args(["--docs", "10", "--out"])
            .arg(&fifo)
            .arg("--truth")
            .arg(out.path().join("t.jsonl")),
    );
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(&p(&fifo)), "{}", r.stderr);
    assert!(is_fifo(&fifo));
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        1,
        "nothing beside it"
    );
}

/// A directory given that holds no file to read (none at all, or none the
/// globs let through) is named in a warning, in both modes: an empty
/// corpus must not pass for one without overlaps.
#[test]
fn a_directory_with_nothing_to_read_is_named() {
    let d = corpus();
    let empty = tempfile::tempdir().unwrap();
    for extra in [&[][..], &["--minhash-only"][..]] {
        let mut args = vec!["scan".to_string(), p(empty.path())];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&args);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("{}: no files in this directory", p(empty.path()))),
            "{extra:?}: {}",
            r.stderr
        );
    }
    let r = run(&["scan", &p(d.path()), "--glob", "*.md"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("--glob/--exclude let through"),
        "{}",
        r.stderr
    );
    let r = run(&["scan", &p(d.path()), "--glob", "*.txt"]);
    assert!(!r.stderr.contains("no files"), "{}", r.stderr);
}
