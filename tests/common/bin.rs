//! Running the built `doppel` binary from a test, as a user runs it: the
//! crate root as working directory (so `seeds/` resolves), the seeds' names,
//! and what one run produced. Shared by the command-line test files; each
//! uses what it needs.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
pub const S000: &str = "000_51955296cd91fa83.txt";
pub const S001: &str = "001_8e21ef8ac6e0b3df.txt";
pub const S002: &str = "002_38f6590440b9d911.txt";
pub const S003: &str = "003_78536e3fa57423e4.txt";
pub const S004: &str = "004_795a0b2c7150b453.txt";

/// A run that takes longer than this has hung (it only turns a hang into a
/// failure; no test asserts a duration).
pub const HANG: Duration = Duration::from_secs(120);

/// The binary, run from the crate root.
pub fn doppel() -> Command {
    let mut c = Command::cargo_bin("doppel").expect("the doppel binary is built");
    c.current_dir(ROOT).timeout(HANG);
    c
}

/// What one run produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON (the test fails, showing stderr, if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    pub fn assert_no_panic(&self) {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "the binary panicked:\n{}",
            self.stderr
        );
    }
}

/// Run `cmd`; its output must be UTF-8 and it must not panic.
pub fn run_cmd(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("doppel runs");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    };
    run.assert_no_panic();
    run
}

/// [`run_cmd`] for hostile input, whose names in messages need not be
/// UTF-8: output decoded lossily; it still must not panic.
pub fn run_cmd_lossy(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("doppel runs");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    run.assert_no_panic();
    run
}

/// `doppel ARGS…`, by [`run_cmd`].
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    run_cmd(doppel().args(args))
}

/// A seed's path relative to the crate root.
pub fn seed(name: &str) -> String {
    format!("seeds/{name}")
}

/// A seed's text.
pub fn seed_text(name: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join("seeds").join(name)).unwrap()
}

/// A temporary path as an argument.
pub fn p(path: &Path) -> String {
    path.to_str().expect("UTF-8 temp path").to_string()
}

/// The names in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}
