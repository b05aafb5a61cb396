//! The invariants the fuzz targets check, one function per target: bytes in,
//! a panic out when doppel breaks a promise (or panics itself).
//!
//! The fuzz targets in `fuzz_targets/` call these; `tests/hostile.rs` in the
//! main crate includes this file and replays every input committed under
//! `tests/regressions/<target>/` through the same function, so a crash the
//! fuzzer once found stays fixed under plain `cargo test`.
//!
//! Only the doppel library and serde_json are used here, so the file compiles
//! both inside the fuzz crate and as a module of the main crate's tests.

use doppel::config::Config;
use doppel::corpus::{self, Document, LoadOptions, Source};
use doppel::pipeline;
use doppel::shingle::ShingleKind;
use doppel::text::{self, Analysed};
use doppel_report::{self as report, Format, Report};
use std::path::Path;

/// Check that `span` is a non-empty range of `text` on character boundaries.
fn check_span(text: &str, start: usize, end: usize, what: &str) {
    assert!(
        start < end && end <= text.len(),
        "{what}: bad span {start}..{end} of a {}-byte text",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {start}..{end} is not on character boundaries"
    );
}

/// Normalisation, tokenisation and sentence segmentation of arbitrary text
/// (invalid UTF-8 is replaced first, as a user's file would be rejected
/// before reaching this stage).
///
/// Every token's span is non-empty, on character boundaries, in order and
/// disjoint, and its normalised form is `normalize` of exactly the text it
/// slices. Sentences are in order, disjoint, trimmed, hold at least one
/// token each, and together hold every token once, each inside its span.
/// The one-buffer forms and spans (`text::norms_spans_into`) are the
/// tokens', and the streamed mode's shingle sets (`batch::shingles`) those
/// of the analysed text.
pub fn text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let a = Analysed::new(text);
    let mut prev = 0;
    for (k, t) in a.tokens.iter().enumerate() {
        check_span(text, t.span.start, t.span.end, &format!("token {k}"));
        assert!(t.span.start >= prev, "token {k} overlaps the one before");
        prev = t.span.end;
        assert_eq!(
            t.norm,
            text::normalize(&text[t.span.start..t.span.end]),
            "token {k}: normalised form is not that of its span"
        );
    }
    let mut next_token = 0;
    let mut prev_end = 0;
    for (k, s) in a.sentences.iter().enumerate() {
        let what = format!("sentence {k}");
        check_span(text, s.span.start, s.span.end, &what);
        assert!(s.span.start >= prev_end, "{what} overlaps the one before");
        let slice = &text[s.span.start..s.span.end];
        assert!(
            !slice.starts_with(char::is_whitespace) && !slice.ends_with(char::is_whitespace),
            "{what} is not trimmed: {slice:?}"
        );
        assert_eq!(s.tokens.start, next_token, "{what} skips or repeats tokens");
        assert!(s.tokens.end > s.tokens.start, "{what} holds no token");
        assert!(
            s.tokens.end <= a.tokens.len(),
            "{what}: token range past the end"
        );
        for t in &a.tokens[s.tokens.clone()] {
            assert!(
                s.span.start <= t.span.start && t.span.end <= s.span.end,
                "{what} does not contain its token {:?}",
                t.span
            );
        }
        next_token = s.tokens.end;
        prev_end = s.span.end;
    }
    assert_eq!(next_token, a.tokens.len(), "tokens outside every sentence");
    // The one-buffer forms and spans of the fast paths are the tokens'.
    let (mut buf, mut ranges, mut spans) = (String::new(), Vec::new(), Vec::new());
    text::norms_spans_into(text, 0x1F, &mut buf, &mut ranges, Some(&mut spans));
    assert_eq!(ranges.len(), a.tokens.len(), "norms_spans_into: word count");
    for (k, t) in a.tokens.iter().enumerate() {
        assert_eq!(
            &buf[ranges[k].clone()],
            t.norm,
            "norms_spans_into: form {k}"
        );
        assert_eq!(spans[k], t.span, "norms_spans_into: span {k}");
    }
    // The streamed mode's shingles are the analysed text's.
    for kind in [
        ShingleKind::Words(5),
        ShingleKind::Words(1),
        ShingleKind::Chars(4),
    ] {
        assert_eq!(
            doppel::batch::shingles(text, kind),
            pipeline::shingle_set(text, &a, kind),
            "batch::shingles {kind:?}"
        );
    }
}

/// The 1-based line number that a message names right after `name:`, if any.
fn named_line(message: &str, name: &str) -> Option<usize> {
    let at = message.find(&format!("{name}:"))? + name.len() + 1;
    let digits: String = message[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The JSON Lines reader over an arbitrary stream.
///
/// The first byte chooses the reader's buffer size (1 to 16 bytes, so lines
/// straddle many refills), a line-length limit and strict mode; the rest is
/// the stream. The documents read must be exactly those an independent
/// reading of the lines gives (same lines, same texts), and every warning
/// and error must name `fuzz.jsonl:LINE` with a line that exists.
pub fn jsonl(data: &[u8]) {
    let Some((&ctl, body)) = data.split_first() else {
        return;
    };
    let capacity = 1 + usize::from(ctl & 0x0f);
    let limit = if ctl & 0x10 != 0 {
        u64::from((ctl >> 5) & 0x03) * 24
    } else {
        LoadOptions::default().max_doc_bytes
    };
    let opts = LoadOptions {
        jsonl: true,
        strict: ctl & 0x80 != 0,
        max_doc_bytes: limit,
        ..LoadOptions::default()
    };
    let name = "fuzz.jsonl";
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    let line_ok = |m: &str| named_line(m, name).is_some_and(|n| (1..=lines.len()).contains(&n));
    let reader = std::io::BufReader::with_capacity(capacity, body);
    let loaded = match corpus::load_jsonl(Path::new(name), reader, &opts) {
        Ok(l) => l,
        Err(e) => {
            assert!(opts.strict, "an error escaped outside strict mode: {e}");
            let m = doppel::chain(&e);
            assert!(line_ok(&m), "error does not name {name}:LINE: {m}");
            return;
        }
    };
    for e in &loaded.errors {
        let m = doppel::chain(e);
        assert!(line_ok(&m), "error does not name {name}:LINE: {m}");
    }
    for w in &loaded.warnings {
        let w = w.to_string();
        assert!(line_ok(&w), "warning does not name {name}:LINE: {w}");
    }
    // What an independent reading of the lines expects.
    let mut expected: Vec<(usize, String)> = Vec::new();
    for (k, line) in lines.iter().enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) || line.len() as u64 > limit {
            continue;
        }
        let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice(line) else {
            continue;
        };
        let id_ok = matches!(
            obj.get("id"),
            None | Some(serde_json::Value::String(_)) | Some(serde_json::Value::Number(_))
        );
        if let (Some(serde_json::Value::String(t)), true) = (obj.get("text"), id_ok) {
            expected.push((k + 1, t.clone()));
        }
    }
    let got: Vec<(usize, String)> = loaded
        .documents
        .iter()
        .map(|d| match &d.source {
            Source::JsonLine(p, n) if p == Path::new(name) => (*n, d.text.clone()),
            other => panic!("document from {other:?}, not a line of {name}"),
        })
        .collect();
    if opts.strict {
        // Strict mode stops at the first problem; what it read must be a
        // prefix of the expected documents.
        assert!(
            expected.starts_with(&got),
            "strict read {got:?}, expected a prefix of {expected:?}"
        );
    } else {
        assert_eq!(got, expected, "documents differ from the lines' contents");
    }
    let mut ids: Vec<&str> = loaded.documents.iter().map(|d| d.id.as_str()).collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "two documents share an id");
}

/// Alignment of two arbitrary texts, through the whole pipeline and the
/// three report formats.
///
/// The first byte picks settings (a low seed threshold, character
/// shingles, no dense matrix, no minimum passage length); the rest is split
/// at its first NUL byte into the texts of A and B (without one, a text is
/// compared with itself). Every passage's spans slice its documents on
/// character boundaries and match its sentence ranges; passages come in the
/// order of B; coverage and every score lie in [0, 1]; the JSON report
/// parses back with excerpts equal to the slices.
pub fn align(data: &[u8]) {
    let Some((&ctl, body)) = data.split_first() else {
        return;
    };
    let mut cfg = Config::default();
    if ctl & 0x01 != 0 {
        cfg.align.seed_threshold = 0.05;
    }
    if ctl & 0x02 != 0 {
        cfg.shingle = ShingleKind::Chars(3);
    }
    if ctl & 0x04 != 0 {
        cfg.align.max_matrix_cells = 4;
    }
    if ctl & 0x08 != 0 {
        cfg.align.min_passage_words = 1;
    }
    let (ta, tb) = match body.iter().position(|&b| b == 0) {
        Some(k) => (&body[..k], &body[k + 1..]),
        None => (body, body),
    };
    let a = Document::new("a", String::from_utf8_lossy(ta));
    let b = Document::new("b", String::from_utf8_lossy(tb));
    let (features, pair) = pipeline::compare(&a, &b, &cfg);
    let al = &pair.alignment;
    let unit = |x: f64, what: &str| {
        assert!((0.0..=1.0).contains(&x), "{what} = {x} is not in [0, 1]");
    };
    unit(al.coverage_a, "coverage of A");
    unit(al.coverage_b, "coverage of B");
    let s = &pair.scores;
    for (x, what) in [
        (s.jaccard_est, "jaccard_est"),
        (s.jaccard, "jaccard"),
        (s.containment_a, "containment_a"),
        (s.containment_b, "containment_b"),
        (
            s.cosine.expect("the full pipeline computes the cosine"),
            "cosine",
        ),
    ] {
        unit(x, what);
    }
    let mut last = (0, 0);
    for (k, p) in al.passages.iter().enumerate() {
        for (doc, f, span, sents, side) in [
            (&a, &features[0], p.a, &p.a_sentences, "A"),
            (&b, &features[1], p.b, &p.b_sentences, "B"),
        ] {
            let what = format!("passage {k}, side {side}");
            check_span(&doc.text, span.start, span.end, &what);
            let ss = &f.analysed.sentences;
            assert!(
                sents.start < sents.end && sents.end <= ss.len(),
                "{what}: sentence range {sents:?} of {}",
                ss.len()
            );
            // Within its sentences, overlapping the first and the last (a
            // near-verbatim passage is cut to its shared words).
            assert!(
                ss[sents.start].span.start <= span.start
                    && span.start < ss[sents.start].span.end
                    && ss[sents.end - 1].span.start < span.end
                    && span.end <= ss[sents.end - 1].span.end,
                "{what}: span {span:?} is not within its sentences {sents:?} ({:?} … {:?})",
                ss[sents.start].span,
                ss[sents.end - 1].span
            );
        }
        unit(f64::from(p.score), "passage score");
        assert!((p.b.start, p.a.start) >= last, "passages out of order");
        last = (p.b.start, p.a.start);
    }
    let docs = [a, b];
    let rep = Report::build(&docs, &features, std::slice::from_ref(&pair), true, &cfg);
    let colour = report::RenderOptions {
        color: true,
        ..Default::default()
    };
    for format in [Format::Text, Format::Markdown, Format::Html] {
        report::render(&rep, format, &colour, &mut std::io::sink()).expect("render to a sink");
    }
    let mut json = Vec::new();
    report::render(&rep, Format::Json, &Default::default(), &mut json).expect("render JSON");
    let v: serde_json::Value = serde_json::from_slice(&json).expect("the JSON report parses");
    let passages = v["pairs"][0]["passages"]
        .as_array()
        .expect("passages in the JSON report");
    assert_eq!(passages.len(), al.passages.len());
    for (p, doc_p) in passages.iter().zip(&al.passages) {
        for (side, doc, span) in [("a", &docs[0], doc_p.a), ("b", &docs[1], doc_p.b)] {
            assert_eq!(
                p[side]["text"].as_str(),
                Some(&doc.text[span.start..span.end]),
                "JSON excerpt {side} differs from its span"
            );
            let chars = doc.text[..span.start].chars().count() as u64;
            assert_eq!(p[side]["char_start"].as_u64(), Some(chars), "char_start");
        }
    }
}

/// The index reader over an arbitrary file (start the fuzzer from a real
/// index, see `seed_corpus.sh`, so mutations reach past SQLite's header).
///
/// Opening must either fail with an error naming the file, or give an
/// index whose statistics, ids, document frequencies and a check of a
/// document answer or fail cleanly — never a panic.
pub fn index(data: &[u8]) {
    use doppel_index::Index;
    use doppel_index::check::{Checker, Mode};
    let dir = std::env::temp_dir().join(format!("doppel-fuzz-index-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let path = dir.join("fuzz.doppel");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let index = match Index::open_read_only(&path) {
        Ok(i) => i,
        Err(e) => {
            let m = doppel::chain(&e);
            assert!(
                m.contains("fuzz.doppel"),
                "error does not name the index: {m}"
            );
            return;
        }
    };
    let _ = index.len();
    let _ = index.ids();
    let _ = index.stats();
    let _ = index.document_frequencies();
    let cfg = index.params().config();
    if let Ok(mut checker) = Checker::new(&index, &cfg, Mode::Full) {
        let doc = Document::new(
            "new",
            "Vietnam has successfully navigated its relationships with great powers. \
             Deterrence alone is rarely sufficient to maintain peace.",
        );
        let _ = checker.check(&[doc]);
    }
}

/// The decoder over any bytes, with the default fallback (Windows-1252)
/// and a multi-byte one (Shift_JIS): refused only as binary, with an error
/// naming the file; UTF-8 kept as it is (its byte order mark dropped);
/// well-formed UTF-16 after its byte order mark decoded exactly; with the
/// single-byte fallback, one character per byte, so character offsets are
/// those of the file. The text then goes through the `text` checks.
pub fn decode(data: &[u8]) {
    let path = Path::new("fuzz.txt");
    for fallback in [encoding_rs_fallback(), encoding_rs_sjis()] {
        let d = match corpus::decode(path, data.to_vec(), fallback) {
            Ok(d) => d,
            Err(e) => {
                let m = e.to_string();
                assert!(m.contains("fuzz.txt") && m.contains("binary"), "{m}");
                continue;
            }
        };
        let utf16 = data.starts_with(b"\xFF\xFE") || data.starts_with(b"\xFE\xFF");
        let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        if utf16 {
            let units: Vec<u16> = data[2..]
                .chunks_exact(2)
                .map(|c| {
                    if data[0] == 0xFF {
                        u16::from_le_bytes([c[0], c[1]])
                    } else {
                        u16::from_be_bytes([c[0], c[1]])
                    }
                })
                .collect();
            if data.len() % 2 == 0 {
                if let Ok(s) = String::from_utf16(&units) {
                    assert_eq!(d.text, s, "well-formed UTF-16 decoded exactly");
                }
            }
        } else if let Ok(s) = std::str::from_utf8(body) {
            assert_eq!(d.text, s, "UTF-8 is kept as it is");
            assert!(d.fallback_at.is_none());
        } else {
            let at = d.fallback_at.expect("not UTF-8: the fallback is reported");
            assert!(at < body.len());
            if fallback == encoding_rs_fallback() {
                assert_eq!(d.text.chars().count(), body.len(), "one character per byte");
            }
        }
        if let Some((first, n)) = d.nuls {
            assert_eq!(d.text.as_bytes()[first], 0);
            assert_eq!(d.text.bytes().filter(|&b| b == 0).count(), n);
        } else {
            assert!(!d.text.contains('\0'));
        }
        text(d.text.as_bytes());
    }
}

fn encoding_rs_fallback() -> &'static doppel::corpus::Encoding {
    doppel::corpus::Encoding::for_label(b"windows-1252").unwrap()
}

fn encoding_rs_sjis() -> &'static doppel::corpus::Encoding {
    doppel::corpus::Encoding::for_label(b"shift_jis").unwrap()
}
