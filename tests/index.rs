//! The reference index and `doppel check`, through the binary as a user runs
//! them (and through the library where the index's contents are compared).
//!
//! The seeds: 000 is an article, 001 a spun rewrite of it, 002–004 other
//! articles on the same topic. Generated documents come from a small
//! deterministic generator of pseudo-words, so their overlaps are known.

use doppel_index::Index;
use doppel_synth::SplitMix64;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::bin;
use bin::*;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A directory holding copies of some seeds (ids are the file names, as for
/// `scan seeds/`).
fn seed_dir(root: &Path, names: &[&str]) -> PathBuf {
    let dir = root.join("ref");
    std::fs::create_dir_all(&dir).unwrap();
    for n in names {
        std::fs::copy(Path::new(ROOT).join("seeds").join(n), dir.join(n)).unwrap();
    }
    dir
}

fn build(docs: &[&str], index: &Path) {
    let mut args = vec!["index".to_string(), "build".into(), "-q".into()];
    args.extend(docs.iter().map(|s| s.to_string()));
    args.extend(["--index".into(), p(index)]);
    let r = run(&args);
    assert_eq!(r.code, 0, "build failed: {}", r.stderr);
}

/// Byte spans, kinds and scores of a JSON pair's passages.
fn passages(pair: &Value) -> Vec<(u64, u64, u64, u64, String, String)> {
    pair["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["a"]["byte_start"].as_u64().unwrap(),
                x["a"]["byte_end"].as_u64().unwrap(),
                x["b"]["byte_start"].as_u64().unwrap(),
                x["b"]["byte_end"].as_u64().unwrap(),
                x["kind"].as_str().unwrap().to_string(),
                format!("{:.5}", x["score"].as_f64().unwrap()),
            )
        })
        .collect()
}

fn pairs(report: &Value) -> &Vec<Value> {
    report["pairs"].as_array().expect("pairs")
}

/// (a, b, verdict) of each pair.
fn pair_list(report: &Value) -> Vec<(String, String, String)> {
    pairs(report)
        .iter()
        .map(|x| {
            (
                x["a"].as_str().unwrap().into(),
                x["b"].as_str().unwrap().into(),
                x["verdict"].as_str().unwrap().into(),
            )
        })
        .collect()
}

/// A pseudo-word from a number: distinct numbers give distinct words.
fn word(mut n: usize) -> String {
    const SYL: [&str; 16] = [
        "ka", "lo", "mi", "ten", "ra", "vo", "sel", "dun", "pri", "ma", "gor", "el", "tis", "bu",
        "nar", "quo",
    ];
    let mut w = String::new();
    loop {
        w.push_str(SYL[n % 16]);
        n /= 16;
        if n == 0 {
            break;
        }
    }
    w
}

/// Words of a generated document: half from a small common vocabulary,
/// half from a large one, so documents share common words but not
/// passages.
fn words(rng: &mut SplitMix64, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            if rng.below(2) == 0 {
                word(rng.below(200))
            } else {
                word(200 + rng.below(50_000))
            }
        })
        .collect()
}

/// Sentences of 10 words.
fn text_of(words: &[String]) -> String {
    words
        .chunks(10)
        .map(|s| {
            let mut t = s.join(" ");
            if let Some(c) = t.get(..1) {
                t.replace_range(..1, &c.to_uppercase());
            }
            t + "."
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A light edit: one word in `every` replaced.
fn edited(words: &[String], every: usize, rng: &mut SplitMix64) -> Vec<String> {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i % every == every / 2 {
                word(60_000 + rng.below(10_000))
            } else {
                w.clone()
            }
        })
        .collect()
}

/// `n` small generated documents as JSON Lines, ids `gen-00000`…
fn write_jsonl(path: &Path, n: usize, seed: u64) -> Vec<String> {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::new();
    let mut ids = Vec::new();
    for i in 0..n {
        let id = format!("gen-{i:05}");
        let text = text_of(&words(&mut rng, 40));
        out.push_str(&serde_json::json!({"id": id, "text": text}).to_string());
        out.push('\n');
        ids.push(id);
    }
    std::fs::write(path, out).unwrap();
    ids
}

/// Whether some connection holds the index's write lock: a writer is in
/// the middle of a transaction.
fn write_locked(index: &Path) -> bool {
    let Ok(conn) = rusqlite::Connection::open(index) else {
        return false;
    };
    let _ = conn.busy_timeout(Duration::ZERO);
    match conn.execute_batch("BEGIN IMMEDIATE") {
        Ok(()) => {
            let _ = conn.execute_batch("ROLLBACK");
            false
        }
        Err(_) => true,
    }
}

fn copy_index(from: &Path, to: &Path) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", p(to)));
    }
    std::fs::copy(from, to).unwrap();
}

/// `doppel index add` of a JSON Lines file, as a child process.
fn spawn_add(jsonl: &Path, index: &Path) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("doppel"))
        .current_dir(ROOT)
        .args([
            "index",
            "add",
            "-q",
            "--jsonl",
            &p(jsonl),
            "--index",
            &p(index),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("doppel starts")
}

/// Wait until the child holds the write lock (true) or has ended (false).
fn wait_for_lock(child: &mut std::process::Child, index: &Path) -> bool {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if write_locked(index) {
            return true;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the add never started writing"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

// ---------------------------------------------------------------------------
// Round trip
// ---------------------------------------------------------------------------

#[test]
fn check_finds_the_rewrite_with_the_passages_scan_reports() {
    let dir = tempfile::tempdir().unwrap();
    let refs = seed_dir(dir.path(), &[S000, S002, S003, S004]);
    let index = dir.path().join("seeds.db");
    build(&[&p(&refs)], &index);

    let scan = run(&["scan", "seeds/", "--format", "json"]);
    assert_eq!(scan.code, 0);
    let scan = scan.json();
    let want = pairs(&scan)
        .iter()
        .find(|x| x["a"] == S000 && x["b"] == S001)
        .expect("scan flags 000 ↔ 001");

    let check = run(&[
        "check",
        "--index",
        &p(&index),
        &seed(S001),
        "--format",
        "json",
    ]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let report = check.json();
    assert_eq!(
        pair_list(&report),
        vec![(S000.into(), seed(S001), "derivative".into())],
        "only 000 is flagged, as by scan"
    );
    let got = &pairs(&report)[0];
    assert_eq!(got["verdict"], want["verdict"]);
    assert_eq!(passages(got), passages(want), "same passages as scan");
    assert!(!passages(got).is_empty());
    for side in ["a", "b"] {
        let (x, y) = (
            got["coverage"][side].as_f64().unwrap(),
            want["coverage"][side].as_f64().unwrap(),
        );
        assert!((x - y).abs() < 1e-12, "coverage {side}: {x} vs {y}");
    }
    for s in ["jaccard", "containment_a", "containment_b", "jaccard_est"] {
        assert_eq!(got["scores"][s], want["scores"][s], "{s}");
    }
    // Passage texts are read back from the index, not from the files.
    let text000 = std::fs::read_to_string(refs.join(S000)).unwrap();
    for x in got["passages"].as_array().unwrap() {
        let (s, e) = (
            x["a"]["byte_start"].as_u64().unwrap() as usize,
            x["a"]["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(x["a"]["text"].as_str().unwrap(), &text000[s..e]);
    }
    // The report lists the new document and the matched reference.
    let ids: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![seed(S001).as_str(), S000]);

    // JSON Lines: one object per new document, with the same pair.
    let lines = run(&[
        "check",
        "--index",
        &p(&index),
        &seed(S001),
        &seed(S002),
        "--format",
        "jsonl",
    ]);
    assert_eq!(lines.code, 0, "{}", lines.stderr);
    let objs: Vec<Value> = lines
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs.len(), 2);
    assert_eq!(objs[0]["document"]["id"], seed(S001));
    assert_eq!(objs[0]["flagged"], 1);
    assert_eq!(passages(&objs[0]["pairs"][0]), passages(want));
    assert_eq!(objs[1]["document"]["id"], seed(S002));
    // 002 is itself in the index: it is its own duplicate, nothing else.
    assert_eq!(
        pair_list(&serde_json::json!({"pairs": objs[1]["pairs"]})),
        vec![(S002.into(), seed(S002), "duplicate".into())]
    );
}

#[test]
fn near_duplicate_mode_finds_copies_but_not_paraphrases() {
    let dir = tempfile::tempdir().unwrap();
    let refs = seed_dir(dir.path(), &[S000, S002, S003, S004]);
    let index = dir.path().join("i.db");
    build(&[&p(&refs)], &index);
    // A lightly edited copy of 002.
    let mut rng = SplitMix64::new(7);
    let text = std::fs::read_to_string(refs.join(S002)).unwrap();
    let ws: Vec<String> = text.split(' ').map(str::to_string).collect();
    let copy = dir.path().join("copy.txt");
    std::fs::write(&copy, edited(&ws, 40, &mut rng).join(" ")).unwrap();

    for mode in ["full", "near-duplicate"] {
        let r = run(&[
            "check",
            "--index",
            &p(&index),
            "--mode",
            mode,
            "--format",
            "json",
            &p(&copy),
        ]);
        assert_eq!(r.code, 0, "{mode}: {}", r.stderr);
        let got = pair_list(&r.json());
        assert_eq!(got.len(), 1, "{mode}: {got:?}");
        assert_eq!(got[0].0, S002);
        assert!(got[0].2.contains("duplicate"), "{mode}: {got:?}");
    }
    // The spun rewrite shares almost no shingles: only the TF-IDF side
    // finds it.
    let full = run(&["check", "--index", &p(&index), &seed(S001)]);
    assert_eq!(full.code, 0);
    let near = run(&[
        "check",
        "--index",
        &p(&index),
        "--mode",
        "near-duplicate",
        &seed(S001),
    ]);
    assert_eq!(near.code, 1, "{}", near.stdout);
    assert!(near.stdout.contains("0 flagged pairs"), "{}", near.stdout);
}

#[test]
fn within_also_compares_the_new_documents_with_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let refs = seed_dir(dir.path(), &[S002, S003, S004]);
    let index = dir.path().join("i.db");
    build(&[&p(&refs)], &index);
    let new = [seed(S000), seed(S001)];
    let alone = run(&["check", "--index", &p(&index), &new[0], &new[1]]);
    assert_eq!(alone.code, 1, "{}", alone.stdout);
    let within = run(&[
        "check",
        "--index",
        &p(&index),
        "--within",
        "--format",
        "json",
        &new[0],
        &new[1],
    ]);
    assert_eq!(within.code, 0, "{}", within.stderr);
    assert_eq!(
        pair_list(&within.json()),
        vec![(new[0].clone(), new[1].clone(), "derivative".into())]
    );
}

// ---------------------------------------------------------------------------
// add, remove, and idf
// ---------------------------------------------------------------------------

#[test]
fn added_documents_are_found_and_removed_ones_forgotten_with_idf_as_if_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let refs = seed_dir(d, &[S000, S002, S003, S004]);
    let mut rng = SplitMix64::new(42);
    let original = words(&mut rng, 300);
    let extra = d.join("extra");
    std::fs::create_dir(&extra).unwrap();
    std::fs::write(extra.join("gen-a.txt"), text_of(&original)).unwrap();
    std::fs::write(extra.join("gen-b.txt"), text_of(&words(&mut rng, 200))).unwrap();
    let probe = d.join("probe.txt");
    std::fs::write(&probe, text_of(&edited(&original, 30, &mut rng))).unwrap();

    let index = d.join("i.db");
    build(&[&p(&refs)], &index);
    let check = |want: i32| {
        let r = run(&[
            "check",
            "--index",
            &p(&index),
            "--format",
            "json",
            &p(&probe),
        ]);
        assert_eq!(r.code, want, "{}{}", r.stdout, r.stderr);
        pair_list(&r.json())
    };
    assert!(check(1).is_empty());

    let r = run(&["index", "add", &p(&extra), "--index", &p(&index)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("added 2 documents"), "{}", r.stderr);
    let found = check(0);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "gen-a.txt");
    assert_eq!(found[0].2, "near-duplicate");

    // The same documents indexed in one go give the same statistics.
    let both = d.join("both.db");
    build(&[&p(&refs), &p(&extra)], &both);
    let stats = |path: &Path| {
        let i = Index::open_read_only(path).unwrap();
        i.verify().unwrap();
        (
            i.len().unwrap(),
            i.ids().unwrap(),
            i.document_frequencies().unwrap(),
        )
    };
    assert_eq!(stats(&index), stats(&both));

    let r = run(&[
        "index",
        "remove",
        "gen-a.txt",
        "gen-b.txt",
        "--index",
        &p(&index),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(check(1).is_empty());
    let fresh = d.join("fresh.db");
    build(&[&p(&refs)], &fresh);
    let (n, _, df) = stats(&index);
    assert_eq!(stats(&index), stats(&fresh));
    assert_eq!(n, 4);
    assert!(df.values().all(|&x| x > 0));
}

#[test]
fn add_and_remove_are_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let refs = seed_dir(d, &[S000, S002]);
    let index = d.join("i.db");
    build(&[&p(&refs)], &index);
    let before = std::fs::read(&index).unwrap();
    let ids = || Index::open_read_only(&index).unwrap().ids().unwrap();

    // 003 is new, 000 is already there: nothing is added.
    let batch = seed_dir(&d.join("batch"), &[S003, S000]);
    let r = run(&["index", "add", &p(&batch), "--index", &p(&index)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(S000) && r.stderr.contains("already in the index"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&p(&index)), "{}", r.stderr);
    assert_eq!(ids(), vec![S000.to_string(), S002.to_string()]);

    // An unreadable input: nothing is added either.
    let r = run(&[
        "index",
        "add",
        &seed(S003),
        &p(&d.join("missing.txt")),
        "--index",
        &p(&index),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.txt"), "{}", r.stderr);
    assert_eq!(ids().len(), 2);

    // One unknown id: nothing is removed.
    let r = run(&["index", "remove", S000, "nope.txt", "--index", &p(&index)]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("\"nope.txt\""), "{}", r.stderr);
    assert_eq!(ids().len(), 2);
    assert_eq!(
        Index::open_read_only(&index)
            .unwrap()
            .document_frequencies()
            .unwrap(),
        {
            let fresh = d.join("fresh.db");
            build(&[&p(&refs)], &fresh);
            Index::open_read_only(&fresh)
                .unwrap()
                .document_frequencies()
                .unwrap()
        }
    );
    let _ = before;
}

#[test]
fn build_never_overwrites_unless_forced_and_never_leaves_a_partial_index() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let index = d.join("i.db");
    build(&[&seed(S000)], &index);
    let r = run(&["index", "build", &seed(S002), "--index", &p(&index)]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    let ids = || Index::open_read_only(&index).unwrap().ids().unwrap();
    assert_eq!(ids(), vec![seed(S000)]);

    let r = run(&[
        "index",
        "build",
        "--force",
        "-q",
        &seed(S002),
        "--index",
        &p(&index),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(ids(), vec![seed(S002)]);

    // An input that cannot be read: no index, no temporary file.
    let other = d.join("other.db");
    let r = run(&[
        "index",
        "build",
        &seed(S000),
        &p(&d.join("missing.txt")),
        "--index",
        &p(&other),
    ]);
    assert_eq!(r.code, 2);
    assert!(!other.exists());
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.ends_with(".tmp")),
        "left behind: {names:?}"
    );
}

// ---------------------------------------------------------------------------
// Crash safety and concurrency
// ---------------------------------------------------------------------------

#[test]
fn sigkill_during_an_add_leaves_exactly_the_old_or_the_new_set() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pristine = d.join("pristine.db");
    build(&["seeds/"], &pristine);
    let old: Vec<String> = Index::open_read_only(&pristine).unwrap().ids().unwrap();
    let jsonl = d.join("new.jsonl");
    let added = write_jsonl(&jsonl, 10_000, 1);
    let mut new: Vec<String> = old.iter().cloned().chain(added).collect();
    new.sort();

    let index = d.join("i.db");
    // Kill at increasing delays after the writer took the lock, so kills
    // land early, midway and late in the transaction.
    let delays_ms = [0u64, 10, 40, 100, 250, 500, 900, 1400];
    let (mut mid_transaction, mut kept_old, mut kept_new) = (0, 0, 0);
    for &delay in &delays_ms {
        copy_index(&pristine, &index);
        let mut child = spawn_add(&jsonl, &index);
        let locked = wait_for_lock(&mut child, &index);
        std::thread::sleep(Duration::from_millis(delay));
        let still_running = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        let status = child.wait().unwrap();
        if locked && still_running {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "killed by SIGKILL");
            mid_transaction += 1;
        }
        let opened = Index::open_read_only(&index)
            .unwrap_or_else(|e| panic!("the index no longer opens after a kill: {e}"));
        opened.verify().unwrap();
        let ids = opened.ids().unwrap();
        let n = opened.len().unwrap() as usize;
        assert_eq!(n, ids.len());
        if ids == old {
            kept_old += 1;
        } else if ids == new {
            kept_new += 1;
        } else {
            panic!(
                "after a kill {delay} ms into the add the index holds {} documents: neither the old {} nor the new {}",
                ids.len(),
                old.len(),
                new.len()
            );
        }
    }
    assert!(
        mid_transaction >= 3,
        "only {mid_transaction} kills landed while the add was writing"
    );
    assert!(kept_old >= 1, "no kill interrupted the transaction");
    eprintln!("kills mid-transaction: {mid_transaction}; old set: {kept_old}, new set: {kept_new}");
}

#[test]
fn check_runs_while_an_add_is_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let refs = seed_dir(d, &[S000, S002, S003, S004]);
    let pristine = d.join("pristine.db");
    build(&[&p(&refs)], &pristine);
    let jsonl = d.join("new.jsonl");
    write_jsonl(&jsonl, 10_000, 2);
    let index = d.join("i.db");

    let mut overlapped = false;
    for _ in 0..5 {
        copy_index(&pristine, &index);
        let mut child = spawn_add(&jsonl, &index);
        if !wait_for_lock(&mut child, &index) {
            continue;
        }
        let r = run(&[
            "check",
            "--index",
            &p(&index),
            &seed(S001),
            "--format",
            "json",
        ]);
        let during = child.try_wait().unwrap().is_none();
        assert_eq!(r.code, 0, "check beside a writer: {}", r.stderr);
        assert_eq!(
            pair_list(&r.json()),
            vec![(S000.into(), seed(S001), "derivative".into())]
        );
        // The reader saw the index as of before the add.
        assert_eq!(r.json()["documents"].as_array().unwrap().len(), 2);
        let status = child.wait().unwrap();
        assert!(status.success(), "the add failed beside a reader");
        assert_eq!(
            Index::open_read_only(&index).unwrap().len().unwrap(),
            10_004
        );
        if during {
            overlapped = true;
            break;
        }
    }
    assert!(overlapped, "the add always ended before check did");
}

/// The files in a directory, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Readers (`check`, `index stats`, `index list`, and the library's
/// read-only open) leave nothing beside the index: no log, no
/// shared-memory file another user would find owned by them.
#[test]
fn readers_leave_nothing_beside_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("archive");
    std::fs::create_dir(&d).unwrap();
    let refs = seed_dir(dir.path(), &[S000, S002, S003]);
    let index = d.join("refs.doppel");
    build(&[&p(&refs)], &index);
    assert_eq!(files_in(&d), ["refs.doppel"]);
    let i = p(&index);
    for args in [
        vec!["check", "--index", &i, "-q", "--format", "json"],
        vec!["index", "stats", "--index", &i],
        vec!["index", "list", "--index", &i],
    ] {
        let mut args: Vec<String> = args.into_iter().map(String::from).collect();
        if args[0] == "check" {
            args.push(seed(S001));
        }
        let r = run(&args);
        assert!(r.code <= 1, "{args:?}: {}", r.stderr);
        assert_eq!(files_in(&d), ["refs.doppel"], "after {args:?}");
    }
    let ro = Index::open_read_only(&index).unwrap();
    assert_eq!(ro.len().unwrap(), 3);
    drop(ro);
    assert_eq!(files_in(&d), ["refs.doppel"], "after a library read");
    // A reader beside a writer's open transaction still reads the last
    // commit, and when both are gone nothing is left either.
    let writer = rusqlite::Connection::open(&index).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    let r = run(&["index", "stats", "--index", &i]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    writer.execute_batch("ROLLBACK").unwrap();
    drop(writer);
    assert_eq!(
        files_in(&d),
        ["refs.doppel"],
        "after a reader beside a writer"
    );
}

// ---------------------------------------------------------------------------
// Bad index files and flags
// ---------------------------------------------------------------------------

/// Every command that opens `index` fails with status 2, naming it and
/// saying `what`.
fn all_commands_refuse(index: &Path, what: &str) {
    let i = p(index);
    let commands: Vec<Vec<String>> = vec![
        vec!["check".into(), "--index".into(), i.clone(), seed(S001)],
        vec![
            "index".into(),
            "add".into(),
            seed(S001),
            "--index".into(),
            i.clone(),
        ],
        vec!["index".into(), "stats".into(), "--index".into(), i.clone()],
        vec![
            "index".into(),
            "remove".into(),
            "x".into(),
            "--index".into(),
            i.clone(),
        ],
    ];
    for args in commands {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(&i) && r.stderr.contains(what),
            "{args:?}: expected the path and {what:?} in: {}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    }
}

#[test]
fn a_file_that_is_not_an_index_is_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.db");
    let bytes: Vec<u8> = (0..20_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&garbage, &bytes).unwrap();
    all_commands_refuse(&garbage, "not a doppel index");
    assert_eq!(std::fs::read(&garbage).unwrap(), bytes, "file untouched");

    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, "").unwrap();
    all_commands_refuse(&empty, "not a doppel index");

    let other = dir.path().join("other.sqlite");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    all_commands_refuse(&other, "not a doppel index");

    all_commands_refuse(&dir.path().join("nothing.db"), "no index here");
}

#[test]
fn newer_unknown_or_foreign_formats_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("pristine.db");
    build(&[&seed(S000)], &pristine);
    let index = dir.path().join("i.db");
    let set = |key: &str, value: &str| {
        copy_index(&pristine, &index);
        let conn = rusqlite::Connection::open(&index).unwrap();
        conn.execute("UPDATE meta SET value = ?2 WHERE key = ?1", [key, value])
            .unwrap();
    };
    set("format_version", "999");
    all_commands_refuse(&index, "index format version 999 is newer");
    set("format_version", "0");
    all_commands_refuse(&index, "unknown index format version");
    set("fingerprint", "0123456789abcdef");
    all_commands_refuse(&index, "hashes text differently");
    set("num_perm", "many");
    all_commands_refuse(&index, "damaged");
}

#[test]
fn a_damaged_index_is_reported_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("i.db");
    build(&["seeds/"], &index);
    let ok = run(&["index", "stats", "--verify", "--index", &p(&index)]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.contains("documents        5"), "{}", ok.stdout);
    // Scribble over the second half of the file.
    let mut bytes = std::fs::read(&index).unwrap();
    let half = bytes.len() / 2;
    for (i, b) in bytes[half..].iter_mut().enumerate() {
        *b = (i * 31 % 256) as u8;
    }
    std::fs::write(&index, &bytes).unwrap();
    let r = run(&["index", "stats", "--verify", "--index", &p(&index)]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains(&p(&index)) && r.stderr.contains("damaged"),
        "{}",
        r.stderr
    );
    // A check either fails naming the index, or, when it reads none of the
    // damaged pages, still answers.
    let c = run(&["check", "--index", &p(&index), &seed(S001)]);
    assert!(c.code == 2 || c.code == 0 || c.code == 1);
    if c.code == 2 {
        assert!(c.stderr.contains(&p(&index)), "{}", c.stderr);
    }
}

#[test]
fn flags_that_contradict_the_index_are_refused_naming_both_values() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("i.db");
    build(&[&seed(S000)], &index);
    let i = p(&index);
    let cases: &[(&[&str], &[&str])] = &[
        (&["--num-perm", "64"], &["--num-perm 64", "128"]),
        (&["--shingle-size", "3"], &["--shingle-size 3", "5"]),
        (&["--char-shingles"], &["--char-shingles"]),
        (&["--lsh-threshold", "0.8"], &["--lsh-threshold 0.8", "0.5"]),
        (&["--no-stem"], &["--no-stem"]),
        (&["--keep-stop-words"], &["--keep-stop-words"]),
    ];
    for (flags, want) in cases {
        for cmd in [
            vec!["check", "--index", i.as_str(), "seeds/"],
            vec!["index", "add", "seeds/", "--index", i.as_str()],
        ] {
            let mut args: Vec<&str> = cmd.clone();
            args.extend_from_slice(flags);
            let r = run(&args);
            assert_eq!(r.code, 2, "{args:?}");
            for w in *want {
                assert!(r.stderr.contains(w), "{args:?}: {w:?} in {}", r.stderr);
            }
            assert!(r.stderr.contains(&i), "{}", r.stderr);
        }
    }
    // The same values as stored are fine.
    let r = run(&[
        "check",
        "--index",
        &i,
        "--num-perm",
        "128",
        "--lsh-threshold",
        "0.5",
        &seed(S001),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        Index::open_read_only(&index).unwrap().len().unwrap(),
        1,
        "refused adds added nothing"
    );

    // An index built with other parameters is used with them.
    let other = dir.path().join("other.db");
    let r = run(&[
        "index",
        "build",
        "-q",
        "--num-perm",
        "64",
        "--no-stem",
        &seed(S002),
        "--index",
        &p(&other),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&[
        "check",
        "--index",
        &p(&other),
        "--format",
        "json",
        &seed(S002),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    assert_eq!(report["settings"]["num_perm"], 64);
    assert_eq!(report["settings"]["stem"], false);
    let s = run(&["index", "stats", "--json", "--index", &p(&other)]);
    let s: Value = serde_json::from_str(&s.stdout).unwrap();
    assert_eq!(s["params"]["num_perm"], 64);
    assert_eq!(s["documents"], 1);
}

#[test]
fn jsonl_and_report_files_are_written_atomically_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let refs = seed_dir(dir.path(), &[S000, S002]);
    let index = dir.path().join("i.db");
    build(&[&p(&refs)], &index);
    let (lines, json) = (dir.path().join("out.jsonl"), dir.path().join("out.json"));
    let r = run(&[
        "check",
        "--index",
        &p(&index),
        "seeds/",
        "-o",
        &p(&lines),
        "-o",
        &p(&json),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let objs: Vec<Value> = std::fs::read_to_string(&lines)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(objs.len(), 5, "one line per new document");
    let from_lines: BTreeSet<(String, String, String)> = objs
        .iter()
        .flat_map(|o| pair_list(&serde_json::json!({"pairs": o["pairs"]})))
        .collect();
    let from_report: BTreeSet<_> = pair_list(&report).into_iter().collect();
    assert_eq!(from_lines, from_report);
    // 000 and 002 are their own duplicates; 001 derives from 000.
    assert!(from_report.contains(&(S000.into(), S001.into(), "derivative".into())));
    assert!(from_report.contains(&(S002.into(), S002.into(), "duplicate".into())));
}

#[test]
fn a_checker_keeps_its_snapshot_while_documents_are_added_and_removed() {
    use doppel::config::Config;
    use doppel::corpus::Document;
    use doppel_index::check::{Checker, Mode};
    let dir = tempfile::tempdir().unwrap();
    let refs = seed_dir(dir.path(), &[S002, S003]);
    let index_path = dir.path().join("i.db");
    build(&[&p(&refs)], &index_path);
    let text000 = std::fs::read_to_string(Path::new(ROOT).join("seeds").join(S000)).unwrap();
    let text001 = std::fs::read_to_string(Path::new(ROOT).join("seeds").join(S001)).unwrap();
    let new = [Document::new("new", text001)];
    let open = || {
        let index = Index::open_read_only(&index_path).unwrap();
        Checker::new(&index, &Config::default(), Mode::Full).unwrap()
    };
    // Several connections, as with several worker threads.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let mut before = pool.install(open);
    let flagged = |c: &mut Checker| -> Vec<String> {
        pool.install(|| c.check(&new))
            .unwrap()
            .remove(0)
            .matches
            .into_iter()
            .filter(|m| m.pair.verdict.is_flagged())
            .map(|m| m.reference.document.id.clone())
            .collect()
    };
    assert!(flagged(&mut before).is_empty());
    let mut writer = Index::open(&index_path).unwrap();
    writer.add(&[Document::new("000", text000)]).unwrap();
    // The old checker still sees two documents and finds nothing; a new
    // one sees the added document.
    assert_eq!(before.reference_len(), 2);
    assert!(flagged(&mut before).is_empty());
    let mut after = pool.install(open);
    assert_eq!(after.reference_len(), 3);
    assert_eq!(flagged(&mut after), vec!["000".to_string()]);
    writer.remove(&["000".to_string()]).unwrap();
    assert_eq!(flagged(&mut after), vec!["000".to_string()]);
    drop((before, after));
    let mut fresh = open();
    assert!(flagged(&mut fresh).is_empty());
}

/// A shared archive: the index file gets the mode the umask gives any new
/// file (others may read it), and a user who can only read it — the file
/// 0444, in a directory nobody may write — can `check` it and `stat` it,
/// leaving nothing behind. Run as root, the reader is another user
/// (`setpriv`), since root may write anywhere.
#[cfg(unix)]
#[test]
fn a_read_only_index_in_a_read_only_directory_is_checked_and_stated() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let shared = d.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let index = shared.join("refs.doppel");
    let r = run_cmd(
        assert_cmd::Command::new("sh")
            .args(["-c", "umask 022 && exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_doppel"))
            .args(["index", "build", "seeds/", "--index", &p(&index), "-q"])
            .current_dir(ROOT),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mode = std::fs::metadata(&index).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "umask 022 gives 0644, not {mode:o}");

    std::fs::set_permissions(&index, std::fs::Permissions::from_mode(0o444)).unwrap();
    // The reader runs a copy of the binary from here: the checkout may lie
    // where another user may not go.
    let bin = d.path().join("doppel");
    std::fs::copy(env!("CARGO_BIN_EXE_doppel"), &bin).unwrap();
    for dir in [d.path(), shared.as_path()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    // The rewrite, given as standard input so the reader needs no access
    // to the test's files.
    let rewrite = seed_text("001_8e21ef8ac6e0b3df.txt");
    let r = run_cmd(
        doppel_as(root, &bin)
            .args(["check", "--index", &p(&index), "-", "--format", "json"])
            .write_stdin(rewrite),
    );
    let restore = || {
        for dir in [d.path(), shared.as_path()] {
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
        }
    };
    if r.code == 126 || r.stderr.contains("setpriv:") {
        restore();
        panic!("cannot run as another user: {}", r.stderr);
    }
    let flagged: Vec<String> = r.json()["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["verdict"] != "unrelated")
        .map(|p| format!("{}", p["a"]))
        .collect();
    let stats =
        run_cmd(doppel_as(root, &bin).args(["index", "stats", "--index", &p(&index), "--json"]));
    let left = listing(&shared);
    restore();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(flagged.iter().any(|b| b.contains("000_")), "{flagged:?}");
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    assert_eq!(stats.json()["documents"], 5);
    assert_eq!(
        left,
        ["refs.doppel"],
        "a reader leaves nothing beside the index"
    );
    drop(d);
}

/// The binary `bin`, run as another user (nobody) when `other` is set, in
/// its own directory.
#[cfg(unix)]
fn doppel_as(other: bool, bin: &Path) -> assert_cmd::Command {
    let mut c = if other {
        let mut c = assert_cmd::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin);
        c
    } else {
        assert_cmd::Command::new(bin)
    };
    c.current_dir(bin.parent().unwrap());
    c
}

/// Ids a user can find and use: `index list` shows every document's id,
/// source and size in the order added; `--id-prefix` keeps two daily
/// batches holding the same file names apart; a listed id is what
/// `index remove` takes.
#[test]
fn index_list_shows_the_ids_remove_takes_and_prefixes_keep_batches_apart() {
    let d = tempfile::tempdir().unwrap();
    let index = d.path().join("a.doppel");
    let day = |name: &str, seeds: &[&str]| {
        let dir = d.path().join(name).join("batch");
        std::fs::create_dir_all(&dir).unwrap();
        for s in seeds {
            std::fs::copy(
                Path::new(ROOT).join("seeds").join(s),
                dir.join("article.txt"),
            )
            .unwrap();
        }
        dir
    };
    let monday = day("mon", &["000_51955296cd91fa83.txt"]);
    let tuesday = day("tue", &["002_38f6590440b9d911.txt"]);
    // SOURCE_DATE_EPOCH stands for the clock: Monday 2026-11-30, 09:00 UTC.
    let r = run_cmd(doppel().env("SOURCE_DATE_EPOCH", "1796029200").args([
        "index",
        "build",
        &p(&monday),
        "--index",
        &p(&index),
        "-q",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The same name the next day: refused without a prefix, kept with one.
    let r = run(&["index", "add", &p(&tuesday), "--index", &p(&index), "-q"]);
    assert_eq!(r.code, 2, "article.txt is taken: {}", r.stderr);
    let r = run_cmd(doppel().env("SOURCE_DATE_EPOCH", "1796115600").args([
        "index",
        "add",
        &p(&tuesday),
        "--index",
        &p(&index),
        "--id-prefix",
        "tue/",
        "-q",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["index", "list", "--index", &p(&index)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<Vec<&str>> = r.stdout.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{}", r.stdout);
    assert_eq!(rows[0][0], "article.txt");
    assert_eq!(rows[1][0], "tue/article.txt");
    assert!(rows[1][1].contains("tue"), "{:?}", rows[1]);
    assert_eq!(
        rows[0][2].parse::<usize>().unwrap(),
        seed_text("000_51955296cd91fa83.txt").chars().count()
    );
    assert_eq!(
        rows[0][3], "2026-11-30T09:00:00Z",
        "when Monday's was added"
    );
    assert_eq!(
        rows[1][3], "2026-12-01T09:00:00Z",
        "when Tuesday's was added"
    );
    let r = run(&["index", "list", "--index", &p(&index), "--json"]);
    let first: Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "article.txt");
    assert_eq!(first["added"], 1796029200);
    // A listed id is what remove takes.
    let r = run(&[
        "index",
        "remove",
        "article.txt",
        "--index",
        &p(&index),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["index", "list", "--index", &p(&index)]);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    // check and scan report prefixed ids too.
    let r = run(&[
        "scan",
        &p(&monday),
        &p(&tuesday),
        "--id-prefix",
        "x:",
        "--format",
        "json",
        "--all",
    ]);
    let report = r.json();
    let ids: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|i| i.starts_with("x:")), "{ids:?}");
}

/// `check --stats` ends with a summary line on standard error: new
/// documents, flagged pairs, how many new documents were flagged, time,
/// peak memory.
#[test]
fn check_stats_prints_a_summary_line() {
    let d = tempfile::tempdir().unwrap();
    let reference = seed_dir(d.path(), &["000_51955296cd91fa83.txt"]);
    let index = d.path().join("refs.doppel");
    build(&[&p(&reference)], &index);
    let r = run(&[
        "check",
        "--index",
        &p(&index),
        "seeds/001_8e21ef8ac6e0b3df.txt",
        "seeds/002_38f6590440b9d911.txt",
        "--format",
        "json",
        "--stats",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line = r.stderr.lines().last().unwrap_or_default();
    assert!(
        line.starts_with("doppel: 2 documents, 1 flagged pair, 1 new document flagged, ")
            && line.contains(" s"),
        "{}",
        r.stderr
    );
}

/// An index made before documents' times were recorded lists them with
/// none ("—", JSON null), keeps answering, and records the time of every
/// document added to it from then on.
#[test]
fn index_list_of_an_index_without_added_times() {
    let d = tempfile::tempdir().unwrap();
    let index = d.path().join("old.doppel");
    let r = run(&[
        "index",
        "build",
        &seed("000_51955296cd91fa83.txt"),
        "--index",
        &p(&index),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // As an earlier doppel left it: no `added` table.
    let conn = rusqlite::Connection::open(&index).unwrap();
    conn.execute_batch("DROP TABLE added").unwrap();
    drop(conn);
    let r = run(&["index", "list", "--index", &p(&index), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(first["added"], Value::Null);
    let r = run(&["index", "list", "--index", &p(&index)]);
    assert!(r.stdout.trim_end().ends_with("\t—"), "{}", r.stdout);
    let r = run_cmd(doppel().env("SOURCE_DATE_EPOCH", "1796115600").args([
        "index",
        "add",
        &seed("002_38f6590440b9d911.txt"),
        "--index",
        &p(&index),
        "-q",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["index", "list", "--index", &p(&index)]);
    let times: Vec<&str> = r
        .stdout
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap())
        .collect();
    assert_eq!(times, ["—", "2026-12-01T09:00:00Z"]);
    let r = run(&[
        "check",
        "--index",
        &p(&index),
        &seed("001_8e21ef8ac6e0b3df.txt"),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "the spun copy is still found: {}", r.stderr);
    assert_eq!(r.json()["pairs"][0]["a"], seed("000_51955296cd91fa83.txt"));
}

/// An index built by an earlier version (tests/fixtures/index-v1, made by
/// its make.sh) keeps giving the same answers: the same pairs, verdicts
/// and passage offsets. A change that alters them must rebuild the fixture
/// on purpose.
#[test]
fn frozen_index_keeps_its_answers() {
    let fixture = Path::new(ROOT).join("tests/fixtures/index-v1");
    let d = tempfile::tempdir().unwrap();
    // A copy: a reader may leave SQLite's side files beside the index.
    let index = d.path().join("seeds.doppel");
    std::fs::copy(fixture.join("seeds.doppel"), &index).unwrap();
    let r = run(&[
        "check",
        "--index",
        &p(&index),
        "--format",
        "json",
        "--all",
        &seed("001_8e21ef8ac6e0b3df.txt"),
        &seed("000_51955296cd91fa83.txt"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got: Vec<Value> = r.json()["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let passages: Vec<Value> = p["passages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    serde_json::json!([
                        s["a"]["byte_start"],
                        s["a"]["byte_end"],
                        s["b"]["byte_start"],
                        s["b"]["byte_end"],
                        s["kind"]
                    ])
                })
                .collect();
            serde_json::json!({"a": p["a"], "b": p["b"], "verdict": p["verdict"], "passages": passages})
        })
        .collect();
    let want: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(fixture.join("expected.json")).unwrap())
            .unwrap();
    assert_eq!(got, want);
    assert!(
        want.iter().any(|p| p["verdict"] == "derivative"),
        "the fixture holds the spun copy's answer"
    );
    // Listing and stats read it too.
    let r = run(&["index", "list", "--index", &p(&index)]);
    assert_eq!(r.stdout.lines().count(), 4, "{}", r.stdout);
    let r = run(&["index", "stats", "--index", &p(&index), "--verify"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A passage of 000 (30 to 60 words) copied into Debian licence texts is
/// found by `check` against an index of the seeds through the fingerprints
/// the index stores. An index made before it stored them misses the
/// copies, until it is next opened to write (`index add`), which fills
/// them in from its stored texts.
#[test]
fn check_finds_a_copied_passage_through_the_indexs_fingerprints() {
    let d = tempfile::tempdir().unwrap();
    let index = d.path().join("seeds.doppel");
    let mut args = vec![
        "index".to_string(),
        "build".into(),
        "--index".into(),
        p(&index),
        "-q".into(),
    ];
    for s in [
        "000_51955296cd91fa83.txt",
        "002_38f6590440b9d911.txt",
        "003_78536e3fa57423e4.txt",
        "004_795a0b2c7150b453.txt",
    ] {
        args.push(seed(s));
    }
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let original = seed_text("000_51955296cd91fa83.txt");
    let words: Vec<&str> = original.split_whitespace().collect();
    let batch = d.path().join("batch");
    std::fs::create_dir(&batch).unwrap();
    let hosts = ["GPL-3", "Apache-2.0", "Artistic", "CC0-1.0"];
    for (k, host) in hosts.iter().enumerate() {
        let text =
            std::fs::read_to_string(Path::new("/usr/share/common-licenses").join(host)).unwrap();
        let passage = words[120 + 70 * k..120 + 70 * k + 30 + 10 * k].join(" ");
        let mid = text[..text.len() / 2].rfind("\n\n").unwrap();
        std::fs::write(
            batch.join(format!("{host}.txt")),
            format!("{}\n\n{passage}\n\n{}", &text[..mid], &text[mid..]),
        )
        .unwrap();
    }
    let flagged = |index: &Path| -> Vec<String> {
        let r = run(&[
            "check",
            "--index",
            &p(index),
            &p(&batch),
            "--format",
            "json",
        ]);
        assert!(r.code <= 1, "{}", r.stderr);
        let mut v: Vec<String> = r.json()["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{} ~ {}",
                    p["a"].as_str().unwrap(),
                    p["b"].as_str().unwrap()
                )
            })
            .collect();
        v.sort();
        v
    };
    let mut want: Vec<String> = hosts
        .iter()
        .map(|h| format!("{} ~ {h}.txt", seed("000_51955296cd91fa83.txt")))
        .collect();
    want.sort();
    assert_eq!(flagged(&index), want);

    // As an earlier doppel left it: no fingerprints.
    let conn = rusqlite::Connection::open(&index).unwrap();
    conn.execute_batch("DROP TABLE prints; DELETE FROM meta WHERE key = 'copy_words';")
        .unwrap();
    drop(conn);
    assert!(flagged(&index).is_empty(), "found without fingerprints");
    let r = run(&[
        "index",
        "add",
        "--index",
        &p(&index),
        &seed("001_8e21ef8ac6e0b3df.txt"),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let now = flagged(&index);
    for w in &want {
        assert!(
            now.contains(w),
            "{w} not found after the index was filled in: {now:?}"
        );
    }
}
