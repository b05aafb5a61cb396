//! Files in the encodings real corpora hold, read through the binary as a
//! user runs it: UTF-16 LE and BE with a byte order mark, UTF-8 with one,
//! Windows-1252 (and another single-byte encoding named by `--encoding`),
//! a stray NUL byte in text. Each is a copy of the seeds' 000 and must be
//! found a duplicate of it, with passages that slice the decoded text;
//! real binaries (an executable, a PNG image) are still skipped, by name.
//! Then the disguises of a copy (invisible characters, look-alike letters,
//! accents) through `scan` and `check` against an index.

use serde_json::Value;

use crate::common::bin;
use bin::*;

use crate::common::disguise;
use disguise::*;

const SEED: &str = "000_51955296cd91fa83.txt";

/// The smallest PNG image: one transparent pixel.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\
\0\0\0\rIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";

fn utf16(text: &str, le: bool) -> Vec<u8> {
    let bom: &[u8] = if le { b"\xFF\xFE" } else { b"\xFE\xFF" };
    bom.iter()
        .copied()
        .chain(
            text.encode_utf16()
                .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() }),
        )
        .collect()
}

/// `text` in a single-byte encoding; characters it lacks become their
/// base letter (the seed has one, a Vietnamese ị) so the copy stays whole.
fn single_byte(text: &str, enc: &'static encoding_rs::Encoding) -> Vec<u8> {
    let text = text.replace('ị', "i");
    let (bytes, _, unmappable) = enc.encode(&text);
    assert!(!unmappable, "the test text fits {}", enc.name());
    bytes.into_owned()
}

fn pair<'a>(report: &'a Value, a: &str, b: &str) -> &'a Value {
    report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| (p["a"] == a && p["b"] == b) || (p["a"] == b && p["b"] == a))
        .unwrap_or_else(|| panic!("no pair {a} / {b} in {report:#}"))
}

/// Every passage of the pair slices `text` of `side`'s document at its
/// byte offsets and its character offsets alike.
fn passages_slice(pair: &Value, id: &str, text: &str) {
    let side = if pair["a"] == id { "a" } else { "b" };
    let passages = pair["passages"].as_array().unwrap();
    assert!(!passages.is_empty(), "{pair:#}");
    for p in passages {
        let span = &p[side];
        let (bs, be) = (
            span["byte_start"].as_u64().unwrap() as usize,
            span["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[bs..be], span["text"].as_str().unwrap(), "{id}");
        let (cs, ce) = (
            span["char_start"].as_u64().unwrap() as usize,
            span["char_end"].as_u64().unwrap() as usize,
        );
        let chars: String = text.chars().skip(cs).take(ce - cs).collect();
        assert_eq!(chars, span["text"].as_str().unwrap(), "{id}");
    }
}

#[test]
fn copies_in_other_encodings_are_duplicates_with_passages_in_the_decoded_text() {
    let original = seed_text(SEED);
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    std::fs::write(dir.join("original.txt"), &original).unwrap();
    std::fs::write(dir.join("utf16le.txt"), utf16(&original, true)).unwrap();
    std::fs::write(dir.join("utf16be.txt"), utf16(&original, false)).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(original.as_bytes());
    std::fs::write(dir.join("utf8bom.txt"), bom).unwrap();
    std::fs::write(
        dir.join("cp1252.txt"),
        single_byte(&original, encoding_rs::WINDOWS_1252),
    )
    .unwrap();
    let half = original.len() / 2;
    let cut = (half..).find(|&i| original.is_char_boundary(i)).unwrap();
    let with_nul = format!("{}\0{}", &original[..cut], &original[cut..]);
    std::fs::write(dir.join("nul.txt"), &with_nul).unwrap();
    // A real executable: the first 256 KiB of this test's own (a debug
    // build is larger than the default --max-doc-bytes).
    let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    std::fs::write(dir.join("program"), &exe[..exe.len().min(256 * 1024)]).unwrap();
    std::fs::write(dir.join("pixel.png"), PNG).unwrap();

    let r = run(&["scan", &p(dir), "--format", "json"]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let report = r.json();
    let ids: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "cp1252.txt",
            "nul.txt",
            "original.txt",
            "utf16be.txt",
            "utf16le.txt",
            "utf8bom.txt"
        ]
    );
    // What the user is told, file by file.
    let warning = |name: &str, what: &str| {
        assert!(
            r.stderr
                .lines()
                .any(|l| l.contains(&p(&dir.join(name))) && l.contains(what)),
            "{name}: {what}\n{}",
            r.stderr
        )
    };
    warning("program", "binary");
    warning("pixel.png", "binary");
    warning("cp1252.txt", "read as windows-1252");
    warning("nul.txt", "1 NUL byte");
    for quiet in ["utf16le.txt", "utf16be.txt", "utf8bom.txt", "original.txt"] {
        assert!(
            !r.stderr.contains(&p(&dir.join(quiet))),
            "{quiet}: {}",
            r.stderr
        );
    }

    let decoded = [
        ("utf16le.txt", original.clone()),
        ("utf16be.txt", original.clone()),
        ("utf8bom.txt", original.clone()),
        ("cp1252.txt", original.replace('ị', "i")),
        ("nul.txt", with_nul.clone()),
    ];
    for (id, text) in &decoded {
        let pr = pair(&report, "original.txt", id);
        assert_eq!(pr["verdict"], "duplicate", "{id}: {pr:#}");
        passages_slice(pr, id, text);
    }

    // Under --strict a file that is not UTF-8 stops the run, named.
    let r = run(&["scan", &p(&dir.join("cp1252.txt")), "--strict"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cp1252.txt") && r.stderr.contains("not valid UTF-8"),
        "{}",
        r.stderr
    );
}

/// `--encoding` names the encoding of files that are not UTF-8: a Russian
/// text in KOI8-R is a duplicate of its UTF-8 original only when read so.
#[test]
fn encoding_flag_names_the_fallback() {
    let russian = "Вчера в городе открылась новая библиотека. В ней три этажа и \
        двести тысяч книг. Мэр сказал, что строительство заняло три года. \
        Каждый день библиотека работает с восьми утра до девяти вечера.";
    let d = tempfile::tempdir().unwrap();
    let utf8 = d.path().join("utf8.txt");
    let koi8 = d.path().join("koi8.txt");
    std::fs::write(&utf8, russian).unwrap();
    std::fs::write(&koi8, single_byte(russian, encoding_rs::KOI8_R)).unwrap();
    let verdict = |extra: &[&str]| {
        let mut args = vec![
            "compare".to_string(),
            p(&utf8),
            p(&koi8),
            "--format".into(),
            "json".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let r = run(&args);
        assert!(r.code <= 1, "{}", r.stderr);
        (
            r.json()["pairs"][0]["verdict"]
                .as_str()
                .unwrap()
                .to_string(),
            r.stderr,
        )
    };
    let (v, stderr) = verdict(&["--encoding", "koi8-r"]);
    assert_eq!(v, "duplicate", "{stderr}");
    assert!(stderr.contains("read as KOI8-R"), "{stderr}");
    let (v, _) = verdict(&[]);
    assert_eq!(v, "unrelated", "read as Windows-1252 it is other letters");
}

/// The evasions of a checker — invisible characters inside words,
/// look-alike letters of other scripts (Cyrillic, Greek, and Armenian,
/// Cherokee, Lisu), variation selectors and tag characters, combining
/// accents, all at once —
/// through `scan` and through `check` against an index: each copy of 000
/// is a duplicate of it, with passages slicing the copy's own text.
#[test]
fn disguised_copies_are_duplicates_in_scan_and_in_check() {
    let original = seed_text(SEED);
    let copies = [
        (
            "zwsp.txt",
            sprinkle(&original, char::is_alphabetic, '\u{200B}', 0.5, 1),
        ),
        (
            "shy.txt",
            sprinkle(&original, char::is_alphabetic, '\u{00AD}', 0.3, 2),
        ),
        (
            "zwnj.txt",
            sprinkle(&original, char::is_alphabetic, '\u{200C}', 0.3, 3),
        ),
        ("cyrillic.txt", cyrillic_lookalikes(&original)),
        ("greek.txt", greek_lookalikes(&original)),
        ("far.txt", far_lookalikes(&original)),
        (
            "selectors.txt",
            sprinkle(&original, char::is_alphabetic, '\u{FE0F}', 0.3, 6),
        ),
        (
            "tags.txt",
            sprinkle(&original, char::is_alphabetic, '\u{E0061}', 0.3, 7),
        ),
        (
            "accents.txt",
            sprinkle(&original, |c| "aeiou".contains(c), '\u{0301}', 0.3, 4),
        ),
        (
            "mixed.txt",
            sprinkle(
                &greek_lookalikes(&cyrillic_lookalikes(&original)),
                char::is_alphabetic,
                '\u{200B}',
                0.2,
                5,
            ),
        ),
    ];
    let d = tempfile::tempdir().unwrap();
    let corpus = d.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("original.txt"), &original).unwrap();
    for (name, text) in &copies {
        assert_ne!(text, &original);
        std::fs::write(corpus.join(name), text).unwrap();
    }
    let r = run(&["scan", &p(&corpus), "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    for (name, text) in &copies {
        let pr = pair(&report, "original.txt", name);
        assert_eq!(pr["verdict"], "duplicate", "scan, {name}: {pr:#}");
        passages_slice(pr, name, text);
    }

    let reference = d.path().join("reference");
    std::fs::create_dir(&reference).unwrap();
    std::fs::write(reference.join("original.txt"), &original).unwrap();
    let index = d.path().join("refs.doppel");
    let r = run(&[
        "index",
        "build",
        &p(&reference),
        "--index",
        &p(&index),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::remove_file(corpus.join("original.txt")).unwrap();
    let r = run(&[
        "check",
        "--index",
        &p(&index),
        &p(&corpus),
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    for (name, text) in &copies {
        let pr = pair(&report, "original.txt", name);
        assert_eq!(pr["verdict"], "duplicate", "check, {name}: {pr:#}");
        passages_slice(pr, name, text);
    }
}
