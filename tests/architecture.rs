//! The crates are the import rules (ARCHITECTURE.md): the engine imports
//! no workspace crate and none of the command line's dependencies; the
//! report printer and the reference index import the engine, never each
//! other; no library imports the Python binding; inside the engine no
//! stage imports the runners.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn cargo(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(ROOT)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Normal (not dev, not build) dependencies of each workspace package.
fn direct_dependencies() -> Vec<(String, BTreeSet<String>)> {
    let meta: Value = serde_json::from_str(&cargo(&[
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
        "--offline",
    ]))
    .expect("metadata is JSON");
    meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().expect("name").to_string())
                .collect();
            (p["name"].as_str().expect("name").to_string(), deps)
        })
        .collect()
}

#[test]
fn each_crate_imports_only_what_its_room_allows() {
    let packages = direct_dependencies();
    let deps = |name: &str| -> &BTreeSet<String> {
        &packages
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no package {name}"))
            .1
    };
    let forbid = |name: &str, others: &[&str]| {
        for o in others {
            assert!(!deps(name).contains(*o), "{name} may not depend on {o}");
        }
    };
    forbid(
        "doppel",
        &[
            "doppel-report",
            "doppel-index",
            "doppel-synth",
            "doppel-cli",
        ],
    );
    forbid(
        "doppel-report",
        &["doppel-index", "doppel-synth", "doppel-cli"],
    );
    forbid(
        "doppel-index",
        &["doppel-report", "doppel-synth", "doppel-cli"],
    );
    forbid(
        "doppel-synth",
        &["doppel-report", "doppel-index", "doppel-cli"],
    );
    for lib in ["doppel-report", "doppel-index", "doppel-synth"] {
        assert!(deps(lib).contains("doppel"), "{lib} builds on the engine");
    }
    // The Python binding builds on the libraries as the command line does;
    // none of them, nor the command line, knows it.
    for lib in [
        "doppel",
        "doppel-report",
        "doppel-index",
        "doppel-synth",
        "doppel-cli",
    ] {
        forbid(lib, &["doppel-py", "pyo3"]);
    }
    forbid(
        "doppel-py",
        &["doppel-cli", "doppel-synth", "clap", "anyhow", "indicatif"],
    );
    for lib in ["doppel", "doppel-report", "doppel-index", "pyo3"] {
        assert!(deps("doppel-py").contains(lib), "doppel-py builds on {lib}");
    }

    // Whatever the engine pulls in, transitively: no command-line or
    // storage machinery.
    let tree = cargo(&[
        "tree",
        "-p",
        "doppel",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--offline",
    ]);
    let names: BTreeSet<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for banned in [
        "clap",
        "clap_complete",
        "clap_mangen",
        "indicatif",
        "ctrlc",
        "signal-hook",
        "rusqlite",
        "anyhow",
        "pyo3",
    ] {
        assert!(!names.contains(banned), "the engine depends on {banned}");
    }
    assert!(names.contains("rayon"), "the tree was read: {names:?}");
}

/// No stage of the engine imports `pipeline` or `batch`, which run the
/// stages (nor does anything but `engine`, their facade; a mention in
/// documentation is not an import).
#[test]
fn no_engine_stage_imports_the_runners() {
    let src = Path::new(ROOT).join("crates/doppel/src");
    for entry in std::fs::read_dir(&src).expect("engine sources") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if ["pipeline", "batch", "engine", "lib"].contains(&name) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source");
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for runner in ["crate::pipeline", "crate::batch"] {
                assert!(
                    !code.contains(runner),
                    "{}:{}: a stage imports {runner}: {line}",
                    path.display(),
                    n + 1
                );
            }
        }
    }
}
