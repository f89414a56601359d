//! The progress display of a history scan, as a terminal shows it (util-linux `script` gives
//! keyaudit a pseudo-terminal): it names the step inside the history with counts and totals,
//! escapes the repository's path, and stays silent under `--quiet`.

use crate::common;
use crate::common::git::Repo;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Commits in the generated history: enough that the scan spends many display refreshes
/// (100 ms apart) inside its steps on any machine, so the test does not hang on timing.
const COMMITS: u64 = 20_000;

/// A history of `COMMITS` commits, each adding one small file (spread over folders, as real
/// trees are), written with `git fast-import` in one go; real, increasing dates.
fn long_history(repo: &Repo) {
    let mut stream = Vec::new();
    for i in 0..COMMITS {
        let content = format!("entry {i}\n");
        let when = 1_600_000_000 + i * 600;
        let message = format!("add {i}");
        write!(
            stream,
            "commit refs/heads/main\ncommitter Carol <carol@example.com> {when} +0000\n\
             data {}\n{message}\n",
            message.len()
        )
        .unwrap();
        // No `from`: fast-import continues the branch from the commit it wrote last.
        write!(
            stream,
            "M 100644 inline d{}/f{i}.txt\ndata {}\n{content}\n",
            i / 100,
            content.len()
        )
        .unwrap();
    }
    let mut child = repo
        .git_cmd(&repo.dir, &["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&stream)
        .expect("feed fast-import");
    assert!(child.wait().expect("fast-import ends").success());
}

/// What a terminal shows while `keyaudit ARGS` runs in `dir`.
fn on_terminal(dir: &Path, args: &str) -> String {
    let out = Command::new("script")
        .args(["-qec", &format!("{} {args}", common::bin()), "/dev/null"])
        .current_dir(dir)
        .env("TERM", "xterm")
        .output()
        .expect("script(1) from util-linux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_history_scan_names_its_steps_with_totals_on_a_terminal() {
    let repo = Repo::new();
    long_history(&repo);
    // A hostile directory name: an escape sequence that would retitle the terminal.
    let hostile = repo._tmp.path().join("evil\u{1b}]0;pwned\u{7}repo");
    std::fs::rename(&repo.dir, &hostile).unwrap();
    let cwd = repo._tmp.path();
    let shown = on_terminal(cwd, "scan --git 'evil'*'repo' -f json -o out.json");
    let totals = [
        format!(" / {} commits", "20,000"),
        format!(" / {} blobs", "20,000"),
    ];
    assert!(
        totals.iter().any(|t| shown.contains(t.as_str())),
        "no step with its total among the progress lines: {shown:?}"
    );
    assert!(
        shown.contains("history of evil\\u{1b}]0;pwned\\u{7}repo"),
        "{shown:?}"
    );
    assert!(
        !shown.contains("\u{1b}]0;pwned"),
        "the raw escape reached the terminal"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cwd.join("out.json")).unwrap()).unwrap();
    assert_eq!(report["git"][0]["commits_walked"], COMMITS);

    let quiet = on_terminal(cwd, "scan --git 'evil'*'repo' -q -f json -o quiet.json");
    assert!(!quiet.contains("history of"), "{quiet:?}");
}
