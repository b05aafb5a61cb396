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
