//! The HTML report in a real browser: headless Chromium (Debian's
//! `chromium` package; `.ci/run` installs it) opens `reports/seeds.html`,
//! runs its script, and these tests read the rendered DOM and take a
//! screenshot.
//!
//! Without Chromium the tests fail with a message saying how to install
//! it, unless `DOPPEL_SKIP_BROWSER=1`. `DOPPEL_CHROMIUM` names another
//! binary. `DOPPEL_SCREENSHOT=reports/seeds.png` keeps the screenshot
//! (that is how the committed one is made); otherwise it goes to a
//! temporary directory.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Longest a Chromium run may take before the test gives up on it (a hang
/// guard, not a measurement).
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(180);

/// The Chromium binary, or None when the tests are to be skipped.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DOPPEL_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var("DOPPEL_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("chromium not found; browser test skipped (DOPPEL_SKIP_BROWSER=1)");
            return None;
        }
        panic!(
            "chromium not found on PATH: the browser tests need headless Chromium. \
             Install Debian's package (`apt-get install -y chromium`, as .ci/run does), \
             point DOPPEL_CHROMIUM at a Chromium binary, or set DOPPEL_SKIP_BROWSER=1 \
             to skip these tests"
        );
    }
    found
}

/// Run headless Chromium on `url` with extra flags; return its stdout.
fn run_chromium(bin: &Path, extra: &[String], url: &str) -> String {
    let profile = tempfile::tempdir().expect("temp profile dir");
    let out = tempfile::NamedTempFile::new().expect("temp stdout");
    let err = tempfile::NamedTempFile::new().expect("temp stderr");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1400,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        // Files, not pipes: the DOM is larger than a pipe's buffer.
        .stdout(out.reopen().expect("stdout file"))
        .stderr(err.reopen().expect("stderr file"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {CHROMIUM_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(err.path()).unwrap_or_default();
    assert!(status.success(), "chromium failed ({status}):\n{stderr}");
    std::fs::read_to_string(out.path()).expect("chromium's output is UTF-8")
}

fn seeds_url(fragment: &str) -> String {
    let path = Path::new(ROOT).join("reports/seeds.html");
    assert!(path.is_file(), "{} missing", path.display());
    let path = path.canonicalize().expect("absolute path");
    format!("file://{}{fragment}", path.display())
}

/// Attributes of every `<mark …>` start tag in serialised HTML.
fn marks(dom: &str) -> Vec<BTreeMap<String, String>> {
    let mut all = Vec::new();
    for (at, _) in dom.match_indices("<mark ") {
        let end = at + dom[at..].find('>').expect("tag ends");
        all.push(attributes(&dom[at + 6..end]));
    }
    all
}

/// `name="value"` pairs of a start tag's inside (values never hold `"`
/// unescaped in serialised HTML).
fn attributes(tag: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut rest = tag.trim();
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].trim().to_string();
        let value_end = eq + 2 + rest[eq + 2..].find('"').expect("value ends");
        map.insert(name, rest[eq + 2..value_end].to_string());
        rest = rest[value_end + 1..].trim_start();
    }
    map
}

/// Passages per pair in the committed JSON report.
fn passages_in_json() -> Vec<usize> {
    let json = std::fs::read_to_string(Path::new(ROOT).join("reports/seeds.json"))
        .expect("reports/seeds.json");
    let json: Value = serde_json::from_str(&json).expect("JSON");
    json["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| p["passages"].as_array().expect("passages").len())
        .collect()
}

#[test]
fn rendered_page_lights_up_and_links_every_passage() {
    let Some(bin) = chromium() else { return };
    let expected = passages_in_json();
    assert!(
        expected.iter().sum::<usize>() > 0,
        "the seeds report has passages"
    );
    // `#selftest` makes the page click every passage and record whether
    // the counterpart then lies in view.
    let dom = run_chromium(&bin, &["--dump-dom".into()], &seeds_url("#selftest"));
    assert!(dom.contains("<body"), "no DOM from chromium:\n{dom}");
    let raw = std::fs::read_to_string(Path::new(ROOT).join("reports/seeds.html"))
        .expect("reports/seeds.html");
    assert!(
        !raw.contains("data-linked="),
        "the static file must not carry what the script sets"
    );

    // Highlighted passages, as the script left them: per pair and side.
    let marks = marks(&dom);
    let linked: Vec<&BTreeMap<String, String>> = marks
        .iter()
        .filter(|m| m.contains_key("data-linked"))
        .collect();
    let by_id: BTreeMap<&str, &BTreeMap<String, String>> = linked
        .iter()
        .map(|m| (m.get("id").expect("a passage has an id").as_str(), *m))
        .collect();
    assert_eq!(by_id.len(), linked.len(), "passage ids are unique");
    for (i, &n) in expected.iter().enumerate() {
        for side in ["a", "b"] {
            let here = linked
                .iter()
                .filter(|m| {
                    m["data-linked"] == side && m["id"].starts_with(&format!("p{i}-{side}"))
                })
                .count();
            assert_eq!(
                here, n,
                "pair {i}, side {side}: {here} highlighted passages in the page, {n} in seeds.json"
            );
        }
    }
    assert_eq!(
        linked.len(),
        2 * expected.iter().sum::<usize>(),
        "highlighted passages outside any pair"
    );

    // Each passage points at its counterpart, which points back.
    for m in &linked {
        let target = &m["data-target"];
        let other = by_id
            .get(target.as_str())
            .unwrap_or_else(|| panic!("{} links to {target}, which is not a passage", m["id"]));
        assert_ne!(other["data-side"], m["data-side"]);
        assert_eq!(other["data-target"], m["id"]);
        assert_eq!(other["data-n"], m["data-n"], "same number on both sides");
        assert_eq!(other["style"], m["style"], "same colour on both sides");
    }

    // A click on any passage brought its counterpart into view.
    let body = dom.find("<body").expect("body");
    let body = attributes(&dom[body + 5..body + dom[body..].find('>').expect("tag ends")]);
    let total = linked.len();
    assert_eq!(
        body.get("data-selftest").map(String::as_str),
        Some(format!("{total}/{total}").as_str()),
        "counterparts not scrolled into view: {:?}",
        body.get("data-selftest-missed")
    );
}

#[test]
fn screenshot_of_the_seeds_report() {
    let Some(bin) = chromium() else { return };
    let (path, _keep) = match std::env::var_os("DOPPEL_SCREENSHOT") {
        Some(p) => (Path::new(ROOT).join(p), None),
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            (dir.path().join("seeds.png"), Some(dir))
        }
    };
    let _ = std::fs::remove_file(&path);
    run_chromium(
        &bin,
        &[format!("--screenshot={}", path.display())],
        &seeds_url(""),
    );
    let png = std::fs::read(&path).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be32 = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes"));
    assert_eq!(&png[12..16], b"IHDR");
    assert_eq!((be32(16), be32(20)), (1400, 1000), "window size");
    // A blank or error page compresses to a few kilobytes; two columns of
    // highlighted text do not.
    assert!(
        png.len() > 60_000,
        "screenshot looks empty: {} bytes",
        png.len()
    );
}

/// A page written by the built binary: `doppel ARGS… -o DIR/NAME`.
fn page_of(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new(env!("CARGO_BIN_EXE_doppel"))
        .args(args)
        .arg("-o")
        .arg(&out)
        .current_dir(ROOT)
        .status()
        .expect("doppel runs");
    assert!(
        status.code().is_some_and(|c| c <= 1),
        "doppel failed: {status}"
    );
    out
}

fn file_url(path: &Path, fragment: &str) -> String {
    format!(
        "file://{}{fragment}",
        path.canonicalize().expect("absolute").display()
    )
}

/// What the script draws: word differences struck and underlined on each
/// side and in the passage table, each passage's mark holding exactly its
/// excerpt, and a document's markup shown as text, never run.
#[test]
fn drawn_pairs_show_word_differences_and_markup_as_text() {
    let Some(bin) = chromium() else { return };
    let dom = run_chromium(&bin, &["--dump-dom".into()], &seeds_url("#selftest"));
    // Side by side: the word struck in A, its replacement underlined in B.
    assert!(dom.contains("for <del>deterrence</del> purposes."));
    assert!(dom.contains("for <ins>discouragement</ins> purposes."));
    // Passage by passage: one line with both.
    assert!(
        dom.contains("<del>deterrence</del> <ins>discouragement</ins> purposes."),
        "unified line of the substitution missing"
    );
    // "… if deterrence is decoupled from assurance" became "… where
    // discouragement purposes failed due to a lack of assurance".
    assert!(dom.contains("<ins>where discouragement purposes failed due to"));
    // Each mark holds its passage's excerpt (diff tags aside).
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("reports/seeds.json")).expect("json"),
    )
    .expect("JSON");
    // How a serialised DOM writes text.
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('\u{a0}', "&nbsp;")
    };
    for (k, p) in json["pairs"][0]["passages"]
        .as_array()
        .expect("passages")
        .iter()
        .enumerate()
    {
        for (side, tag) in [("a", "del"), ("b", "ins")] {
            let at = dom
                .find(&format!("id=\"p0-{side}{k}\""))
                .expect("mark drawn");
            let open = at + dom[at..].find('>').expect("tag ends") + 1;
            let close = open + dom[open..].find("</mark>").expect("mark closes");
            let inner = dom[open..close]
                .replace(&format!("<{tag}>"), "")
                .replace(&format!("</{tag}>"), "");
            assert_eq!(
                inner,
                escape(p[side]["text"].as_str().expect("text")),
                "passage {k}, {side}"
            );
        }
    }

    // A document with markup in it, and its copy.
    let dir = tempfile::tempdir().expect("temp dir");
    let hostile = "The committee met on Monday to discuss the new bridge. \
        <script>alert(1)</script> was found in the minutes, next to a stray </div> tag \
        and an <img src=x onerror=\"alert('x')\"> element. Members said it was fine \
        and voted for the budget after hours of debate. In the end the vote was close.";
    std::fs::write(dir.path().join("a.txt"), hostile).expect("write");
    std::fs::write(
        dir.path().join("b.txt"),
        hostile.replace("Monday", "Friday"),
    )
    .expect("write");
    let a = dir.path().join("a.txt").display().to_string();
    let b = dir.path().join("b.txt").display().to_string();
    let page = page_of(dir.path(), "h.html", &["compare", &a, &b]);
    let dom = run_chromium(&bin, &["--dump-dom".into()], &file_url(&page, "#selftest"));
    assert!(
        !dom.contains("<script>alert") && !dom.contains("<img"),
        "markup came alive"
    );
    // On side A, side B and the passage table.
    assert!(
        dom.matches("&lt;script&gt;alert(1)&lt;/script&gt;").count() >= 3,
        "the markup is not shown as text"
    );
    assert!(dom.contains("stray &lt;/div&gt; tag"));
}

/// Thirty copies of one 53 KB text (435 pairs): the page holds each text
/// once and opens drawing only the pairs in or near view, so a browser
/// opens it at once (its time is in `scripts/bench/html_open.sh`); a link
/// to one pair draws that pair.
#[test]
fn thirty_copies_open_drawing_only_the_pairs_asked_for() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::new();
    for name in ["GPL-3", "Apache-2.0", "LGPL-2.1", "GPL-2"] {
        text += &std::fs::read_to_string(Path::new("/usr/share/common-licenses").join(name))
            .expect("Debian's licence texts");
    }
    let text: String = text.chars().take(53_000).collect();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).expect("mkdir");
    for k in 0..30 {
        std::fs::write(docs.join(format!("copy{k:02}.txt")), &text).expect("write");
    }
    let page = page_of(
        dir.path(),
        "c.html",
        &["scan", &docs.display().to_string(), "-q"],
    );
    let raw = std::fs::read_to_string(&page).expect("page");
    // Each text once, not twice per pair shown (200 × 2 × 53 KB).
    assert!(raw.len() < 12_000_000, "{} bytes", raw.len());
    assert_eq!(raw.matches("<section class=\"pair\"").count(), 200);

    let dom = run_chromium(&bin, &["--dump-dom".into()], &file_url(&page, "#pair-7"));
    let drawn: Vec<&str> = dom
        .match_indices("<section class=\"pair\" id=\"")
        .filter(|(at, _)| dom[*at..at + 60].contains("data-drawn"))
        .map(|(at, _)| {
            let id = at + "<section class=\"pair\" id=\"".len();
            &dom[id..id + dom[id..].find('"').expect("id ends")]
        })
        .collect();
    assert!(
        drawn.contains(&"pair-7"),
        "the pair asked for is not drawn: {drawn:?}"
    );
    assert!(
        drawn.len() <= 10,
        "pairs far from view were drawn: {drawn:?}"
    );
    assert!(dom.contains("id=\"p7-a0\"") && dom.contains("id=\"p7-b0\""));
    assert!(
        dom.len() < raw.len() + 10 * 2 * 60_000,
        "{} bytes of DOM",
        dom.len()
    );
}
