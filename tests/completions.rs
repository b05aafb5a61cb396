//! `doppel completions SHELL` and `doppel man`: generated from the clap
//! definitions, so they must name every subcommand and its flags.

use assert_cmd::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("doppel")
        .expect("the doppel binary is built")
        .args(args)
        .output()
        .expect("doppel runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn completion_scripts_know_subcommands_flags_and_values() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, script, stderr) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        for word in [
            "scan",
            "compare",
            "completions",
            "format",
            "lsh-threshold",
            "seed-threshold",
            "id-field",
        ] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
        assert!(script.len() > 2_000, "{shell}: {} bytes", script.len());
    }
    // Values of --format are offered, html among them.
    let (_, bash, _) = run(&["completions", "bash"]);
    assert!(bash.contains("complete -F") && bash.contains("doppel"));
    let (_, fish, _) = run(&["completions", "fish"]);
    let at = fish.find("-l format").expect("fish completes --format");
    // The values follow, one per line, up to the closing quote.
    let values = &fish[at..at + fish[at..].find("\"\n").expect("values end")];
    for value in ["text", "markdown", "json", "html"] {
        assert!(values.contains(&format!("{value}\\t")), "{values}");
    }
}

#[test]
fn unknown_shell_is_an_error() {
    let (code, stdout, stderr) = run(&["completions", "cmd.exe"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("cmd.exe") && stderr.contains("bash"),
        "{stderr}"
    );
}

#[test]
fn man_page_covers_every_subcommand_and_flag() {
    let (code, page, stderr) = run(&["man"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(page.contains(".TH doppel 1"), "no title line");
    // One page: the program's sections once, then one per subcommand.
    assert_eq!(page.matches(".SH SYNOPSIS").count(), 1);
    for section in [
        "DOPPEL SCAN",
        "DOPPEL COMPARE",
        "DOPPEL CHECK",
        "DOPPEL INDEX",
        "DOPPEL COMPLETIONS",
    ] {
        assert!(page.contains(&format!(".SH \"{section}\"")), "{section}");
    }
    // roff escapes dashes in flags.
    for flag in [
        r"\-\-format",
        r"\-\-output",
        r"\-\-lsh\-threshold",
        r"\-\-min\-passage\-words",
        r"\-\-pairs",
        r"\-\-all",
    ] {
        assert!(page.contains(flag), "{flag} missing");
    }
    // Each of scan, compare and check lists the formats, html included.
    assert_eq!(
        page.matches(r"html: One self\-contained HTML page").count(),
        3
    );
    // Defaults come along.
    assert!(page.contains("[default: 0.5]"));
}

/// The subcommands a `--help` lists under "Commands:", help itself left
/// out.
fn subcommands(help: &str) -> Vec<String> {
    let Some(at) = help.find("\nCommands:\n") else {
        return Vec::new();
    };
    help[at + 11..]
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|&c| c != "help")
        .map(str::to_string)
        .collect()
}

/// The long flags a `--help` lists.
fn long_flags(help: &str) -> Vec<String> {
    help.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .flat_map(|l| l.split([' ', ',', '=', '<', '[']))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_string)
        .collect()
}

/// Walk the command tree through `--help` at every depth: every
/// subcommand has its section in `man doppel` and every long flag is in
/// it; and the page has its exit statuses and examples.
#[test]
fn man_page_holds_every_command_and_flag_of_the_help_at_every_depth() {
    let (_, page, _) = run(&["man"]);
    let mut todo: Vec<Vec<String>> = vec![Vec::new()];
    let mut seen = 0;
    while let Some(path) = todo.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let (code, help, stderr) = run(&args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        if !path.is_empty() {
            let title = format!(".SH \"DOPPEL {}\"", path.join(" ").to_uppercase());
            assert!(page.contains(&title), "no section {title}");
        }
        for flag in long_flags(&help) {
            let roff = flag.replace('-', r"\-");
            assert!(
                page.contains(&roff),
                "{args:?}: {flag} is not in the man page"
            );
            seen += 1;
        }
        for sub in subcommands(&help) {
            let mut next = path.clone();
            next.push(sub);
            todo.push(next);
        }
    }
    assert!(seen > 100, "only {seen} flags walked");
    for must in [
        ".SH \"DOPPEL INDEX BUILD\"",
        ".SH \"DOPPEL INDEX REMOVE\"",
        ".SH \"EXIT STATUS\"",
        ".SH EXAMPLES",
        r"\-\-force",
        r"\-\-verify",
        r"\-\-json",
    ] {
        assert!(page.contains(must), "{must}");
    }
}
