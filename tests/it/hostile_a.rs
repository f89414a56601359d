//! Hostile inputs, part A: millions of hits in one file, files truncated under the scan, output
//! cut short by its reader, and previews that must not disclose a secret's length. Time and
//! memory are bounded through limits (a kill timeout and an address-space limit on the real
//! binary, both generous), never through timing assertions.

#![cfg(unix)]

use crate::common::{self, bin, github_token, json, random_base62};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// Address space allowed to the binary: generous (a debug build, several threads), far below
/// what a run that keeps every one of 100k findings in memory would reach.
const MEMORY_LIMIT: u64 = 3 << 30;
/// Seconds before the binary is killed: generous for a debug build on a loaded machine.
const TIME_LIMIT: u32 = 180;

struct Limited {
    /// `None` when the process died by a signal (a limit's kill, SIGBUS…).
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run keyaudit in `dir` under the kill timeout and the address-space limit.
fn run_limited(dir: &Path, args: &[&str]) -> Limited {
    let out = Command::new("timeout")
        .args(["-s", "KILL", &TIME_LIMIT.to_string(), "prlimit"])
        .arg(format!("--as={MEMORY_LIMIT}"))
        .arg("--")
        .arg(bin())
        .args(args)
        .current_dir(dir)
        .env_remove("KEYAUDIT_FINGERPRINT_KEY")
        .output()
        .expect("run timeout/prlimit (coreutils, util-linux)");
    // `timeout` reports its child's death by signal as 128+n; SIGKILL from the limit is 137.
    let code = out.status.code().filter(|&c| c < 128);
    Limited {
        code,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A valid-looking AWS access key id (AKIA + 16 base32 characters), distinct per seed.
fn aws_key_id(seed: u64) -> String {
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let random = random_base62(seed, 16);
    let body: String = random
        .bytes()
        .map(|b| B32[usize::from(b) % 32] as char)
        .collect();
    format!("AKIA{body}")
}

fn problems_of<'a>(report: &'a serde_json::Value, kind: &str) -> Vec<&'a serde_json::Value> {
    report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter(|p| p["kind"] == kind)
        .collect()
}

/// The number in a `findings_capped` message ("N more finding(s) not reported…").
fn dropped(problem: &serde_json::Value) -> u64 {
    let msg = problem["message"].as_str().expect("message");
    msg.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {msg:?}"))
}

#[test]
fn a_hundred_thousand_hits_on_one_line_are_capped_in_bounded_time_and_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line: Vec<String> = (0..100_000).map(aws_key_id).collect();
    std::fs::write(dir.path().join("ids.txt"), line.join(" ")).expect("write");
    let r = run_limited(dir.path(), &["scan", ".", "-f", "json"]);
    assert_eq!(r.code, Some(1), "killed by a limit or failed: {}", r.stderr);
    let report = json(&common::Run {
        code: 1,
        stdout: r.stdout,
        stderr: r.stderr,
    });
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1000, "the default cap");
    // The first in the file are kept, in order, with their real columns on the one line.
    assert_eq!(findings[0]["location"]["start"]["column"], 1);
    for f in findings {
        let loc = &f["location"];
        assert_eq!(loc["start"]["line"], 1);
        let column = loc["start"]["column"].as_u64().expect("column");
        assert_eq!(column, loc["byte_start"].as_u64().expect("byte") + 1);
    }
    let last = findings[999]["location"]["byte_start"]
        .as_u64()
        .expect("byte");
    assert!(last < 1100 * 21, "the first ones in the file: {last}");
    let capped = problems_of(&report, "findings_capped");
    assert_eq!(capped.len(), 1);
    assert!(dropped(capped[0]) > 90_000, "{:?}", capped[0]);
}

#[test]
fn capped_files_are_counted_in_every_report_and_the_scan_stays_complete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body: String = (0..60)
        .map(|i| format!("password = \"{}\"\n", random_base62(i, 14)))
        .collect();
    std::fs::write(dir.path().join("app.cfg"), body).expect("write");
    let all = common::run_in(
        dir.path(),
        &["scan", ".", "-f", "json", "--max-findings-per-file", "0"],
    );
    let total = json(&all)["findings"].as_array().expect("findings").len() as u64;
    assert!(total > 50, "{total} passwords found");
    assert!(problems_of(&json(&all), "findings_capped").is_empty());

    let r = common::run_in(
        dir.path(),
        &["scan", ".", "-f", "json", "--max-findings-per-file", "20"],
    );
    assert_eq!(r.code, 1, "findings gate; a cap is not an incomplete scan");
    let report = json(&r);
    common::assert_schema_valid(&report);
    assert_eq!(report["findings"].as_array().expect("findings").len(), 20);
    let capped = problems_of(&report, "findings_capped");
    assert_eq!(capped.len(), 1);
    assert_eq!(capped[0]["path"], "app.cfg");
    assert_eq!(dropped(capped[0]), total - 20);

    let text = common::run_in(dir.path(), &["scan", ".", "--max-findings-per-file", "20"]);
    assert!(text.stdout.contains("findings_capped"), "{}", text.stdout);
    assert!(!text.stdout.contains("SCAN INCOMPLETE"));

    let sarif = common::run_in(
        dir.path(),
        &["scan", ".", "-f", "sarif", "--max-findings-per-file", "20"],
    );
    let sarif = json(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"].to_string();
    assert!(notes.contains("findings_capped"), "{notes}");

    let gitlab = common::run_in(
        dir.path(),
        &["scan", ".", "-f", "gitlab", "--max-findings-per-file", "20"],
    );
    let messages = json(&gitlab)["scan"]["messages"].to_string();
    assert!(
        messages.contains("findings capped in app.cfg"),
        "{messages}"
    );
}

#[test]
fn the_cap_is_configurable_and_the_command_line_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body: String = (0..30)
        .map(|i| format!("AWS_ACCESS_KEY_ID={}\n", aws_key_id(i)))
        .collect();
    std::fs::write(dir.path().join("keys.env"), body).expect("write");
    std::fs::write(
        dir.path().join(".keyaudit.toml"),
        "[scan]\nmax-findings-per-file = 5\n",
    )
    .expect("write");
    let count = |args: &[&str]| {
        let r = common::run_in(dir.path(), args);
        json(&r)["findings"].as_array().expect("findings").len()
    };
    assert_eq!(count(&["scan", ".", "-f", "json"]), 5);
    assert_eq!(
        count(&["scan", ".", "-f", "json", "--max-findings-per-file", "12"]),
        12
    );
}

#[test]
fn previews_and_snippets_do_not_disclose_secret_lengths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = github_token("ghp", 7);
    let short = "Qz8#mK2pW";
    let longer = "Tq5!vN7cXr3";
    std::fs::write(
        dir.path().join("app.cfg"),
        format!("password = \"{short}\"\npassword = \"{longer}\" token = {token}\n"),
    )
    .expect("write");
    let r = common::run_in(dir.path(), &["scan", ".", "-f", "json"]);
    let report = json(&r);
    let findings = report["findings"].as_array().expect("findings");
    let of = |needle: &str| {
        findings
            .iter()
            .find(|f| f["rule_id"].as_str().is_some_and(|id| id.contains(needle)))
            .unwrap_or_else(|| panic!("no {needle} finding in {findings:?}"))
    };
    let passwords: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| {
            f["rule_id"]
                .as_str()
                .is_some_and(|id| id.contains("password"))
        })
        .collect();
    assert_eq!(passwords.len(), 2, "{findings:?}");
    assert_eq!(
        passwords[0]["preview"], passwords[1]["preview"],
        "a 9- and an 11-character password look alike"
    );
    // The neighbour on the token's line shows as the same fixed mask, not one `*` per character.
    let github = of("github");
    let snippet = github["snippet"].as_str().expect("snippet");
    assert!(
        snippet.contains("password = \"********\" token = ghp_"),
        "{snippet}"
    );
    let on_token_line = passwords[1]["snippet"].as_str().expect("snippet");
    assert!(!on_token_line.contains(&token[4..12]), "{on_token_line}");
    for f in findings {
        let shown = f.to_string();
        for secret in [short, longer, &token[4..]] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}

#[test]
fn a_file_truncated_under_the_scan_is_a_finding_or_a_problem_never_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = github_token("ghp", 11);
    let head = format!("token = {token}\n");
    // 24 MiB: well over the size at which files used to be memory-mapped (4 MiB).
    let filler =
        "log line 0000 nothing to see here, padding padding padding padd\n".repeat(400_000);
    let full = format!("{head}{filler}");
    let path = dir.path().join("app.log");
    std::fs::write(&path, &full).expect("write");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Another writer truncates the file to its first line and rewrites it, over and over (as
    // logrotate's copytruncate does): the file is shorter than when opened during most scans.
    let churn = {
        let (stop, path, head, full) = (stop.clone(), path.clone(), head.clone(), full.clone());
        std::thread::spawn(move || {
            use std::os::unix::fs::FileExt;
            let mut cycles = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let Ok(f) = std::fs::OpenOptions::new().write(true).open(&path) else {
                    break;
                };
                let _ = f.set_len(head.len() as u64);
                std::thread::sleep(std::time::Duration::from_millis(2));
                let _ = f.write_all_at(&full.as_bytes()[head.len()..], head.len() as u64);
                cycles += 1;
            }
            cycles
        })
    };
    let mut changed = 0;
    for _ in 0..12 {
        let r = run_limited(dir.path(), &["scan", "app.log", "-f", "json"]);
        let report: serde_json::Value = match r.code {
            Some(1 | 3) => serde_json::from_str(&r.stdout).expect("a JSON report"),
            other => panic!("exit {other:?} (None: killed by a signal): {}", r.stderr),
        };
        let found = report["findings"].as_array().is_some_and(|f| !f.is_empty());
        let problem = !problems_of(&report, "changed_during_scan").is_empty();
        assert!(found || problem, "neither the finding nor the problem");
        if r.code == Some(3) {
            assert!(problem, "incomplete for another reason: {report}");
            changed += 1;
        }
        assert!(!r.stdout.contains(&token[4..]) && !r.stderr.contains(&token[4..]));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let cycles = churn.join().expect("writer");
    assert!(cycles > 0, "the writer never ran");
    eprintln!("{changed} of 12 scans saw the file change; {cycles} truncations");
}

/// Spawn keyaudit with stdout on a pipe whose reader goes away after `keep` bytes.
fn with_reader_gone_after(dir: &Path, args: &[&str], keep: usize) -> (Option<i32>, String) {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env_remove("KEYAUDIT_FINGERPRINT_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run keyaudit");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut got = vec![0u8; keep];
    stdout.read_exact(&mut got).expect("the first bytes");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly_with_the_scans_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Several hundred findings: a report far larger than a pipe's buffer (64 KiB).
    let body: String = (0..800)
        .map(|i| format!("token = {}\n", github_token("ghp", 100 + i)))
        .collect();
    std::fs::write(dir.path().join("tokens.txt"), body).expect("write");
    for format in ["json", "text", "sarif"] {
        let (code, stderr) = with_reader_gone_after(dir.path(), &["scan", ".", "-f", format], 1);
        assert_eq!(code, Some(1), "{format}: the scan's own status; {stderr}");
        assert!(stderr.trim().is_empty(), "{format}: no message: {stderr}");
    }
    // Not only scans: any command's output may be cut short (here before its first byte).
    let (code, stderr) = with_reader_gone_after(dir.path(), &["rules", "list", "--verbose"], 0);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.trim().is_empty(), "{stderr}");
}
