//! What users of other secret scanners expect from the command line, through the real binary:
//! completions and manual pages for every command, formats each command can really write,
//! standard input, NO_COLOR, --quiet, --exit-code, diagnostics on stderr, the summary line and
//! the inventory document.

use crate::common::git::Repo;
use crate::common::*;
use std::fs;
use std::path::Path;
use std::process::Command;

/// The names listed under `Commands:` in `keyaudit [SUB] --help`, read from the help itself so
/// that a new command is checked without touching this file.
fn commands_of(sub: &[&str]) -> Vec<String> {
    let mut args = sub.to_vec();
    args.push("--help");
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let Some((_, rest)) = r.stdout.split_once("Commands:\n") else {
        return Vec::new();
    };
    rest.lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect()
}

/// Every (parent, command) pair: top-level commands and their subcommands.
fn all_commands() -> Vec<(Option<String>, String)> {
    let mut all = Vec::new();
    for top in commands_of(&[]) {
        for sub in commands_of(&[&top]) {
            all.push((Some(top.clone()), sub));
        }
        all.push((None, top));
    }
    assert!(all.len() >= 12, "commands found: {all:?}");
    all
}

#[test]
fn completions_for_each_shell_name_every_command() {
    let commands = all_commands();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        for (_, name) in &commands {
            assert!(r.stdout.contains(name), "{shell} completion lacks {name}");
        }
        // Options are completed too, not only command names.
        assert!(r.stdout.contains("stdin-name"), "{shell}: no options");
    }
    let bad = run(&["completions", "tcsh"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn man_page_covers_every_command() {
    let r = run(&["man"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with(".ie") || r.stdout.contains(".TH keyaudit"));
    for (parent, name) in all_commands() {
        if parent.is_none() {
            assert!(r.stdout.contains(&name), "top page lacks {name}");
        }
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("man1");
    let dir_s = dir.display().to_string();
    let r = run(&["man", "--dir", &dir_s]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for (parent, name) in all_commands() {
        let page = match &parent {
            Some(p) => format!("keyaudit-{p}-{name}.1"),
            None => format!("keyaudit-{name}.1"),
        };
        let text = fs::read_to_string(dir.join(&page)).unwrap_or_default();
        assert!(text.contains(".TH"), "{page} missing or not a man page");
    }
    // The scan page documents its options and its examples line by line.
    let scan = fs::read_to_string(dir.join("keyaudit-scan.1")).expect("scan page");
    assert!(scan.contains("exit\\-code") && scan.contains("stdin\\-name"));
}

#[test]
fn formats_are_offered_only_where_they_can_be_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    fs::write(tmp.path().join("a.txt"), "nothing here\n").expect("write");
    let d = tmp.path().display().to_string();
    let r = run(&["inventory", "-f", "sarif", &d]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("[possible values: text, json]"),
        "{}",
        r.stderr
    );
    let r = run(&["baseline", "create", "-f", "sarif", &d]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("[possible values: json]"), "{}", r.stderr);
    // --help lists only what works.
    let help = run(&["inventory", "--help"]).stdout;
    let format_line = help.lines().find(|l| l.contains("--format")).unwrap_or("");
    assert!(
        !help.contains("sarif") && !help.contains("gitlab"),
        "{format_line}"
    );
    let help = run(&["scan", "--help"]).stdout;
    assert!(help.contains("sarif") && help.contains("gitlab"));

    // A baseline under a SARIF name is refused, and nothing is written.
    let out = tmp.path().join("b.sarif");
    let o = out.display().to_string();
    let r = run(&["baseline", "create", "-q", "-o", &o, &d]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("JSON only"), "{}", r.stderr);
    assert!(!out.exists());
    let out = tmp.path().join("b.json");
    let o = out.display().to_string();
    let r = run(&["baseline", "create", "-q", "-f", "json", "-o", &o, &d]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let b: serde_json::Value =
        serde_json::from_slice(&fs::read(&out).expect("baseline")).expect("baseline is JSON");
    assert!(b.is_object());
}

#[test]
fn scan_dash_reads_standard_input() {
    let tok = github_token("ghp", 71);
    let tmp = tempfile::tempdir().expect("tmp");
    let diff = format!("+++ b/app.py\n+TOKEN = \"{tok}\"\n");
    let r = run_with(
        tmp.path(),
        &["scan", "-", "-f", "json"],
        diff.as_bytes(),
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = json(&r);
    assert_schema_valid(&j);
    assert_eq!(by_path(&j, |f| f["rule_id"].clone()).len(), 1);
    assert_eq!(j["findings"][0]["location"]["path"], "-");
    assert_eq!(j["findings"][0]["location"]["start"]["line"], 2);
    assert_eq!(j["roots"], serde_json::json!(["-"]));
    assert!(!r.stdout.contains(&tok));

    // Named: the context is judged from the name (a checksummed token still fails).
    let args = ["scan", "-", "--stdin-name", "tests/data.py", "-f", "json"];
    let r = run_with(tmp.path(), &args, diff.as_bytes(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let f = &json(&r)["findings"][0];
    assert_eq!(f["location"]["path"], "tests/data.py");
    assert_eq!(f["context"], "test");

    // Empty input is a clean run; `-` with other paths or with --git is refused.
    let r = run_with(tmp.path(), &["scan", "-", "-q"], b"", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(run_with(tmp.path(), &["scan", "-", "."], b"", &[]).code, 2);
    assert_eq!(
        run_with(tmp.path(), &["scan", "--git", "-"], b"", &[]).code,
        2
    );
    assert_eq!(
        run_with(tmp.path(), &["scan", "--stdin-name", "x", "."], b"", &[]).code,
        2
    );
}

/// Run `keyaudit ARGS` under a pseudo-terminal (util-linux `script`), so that `--color auto`
/// sees a terminal. Returns what the terminal showed.
fn on_terminal(dir: &Path, args: &str, no_color: Option<&str>) -> String {
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("{} {args}", bin()), "/dev/null"])
        .current_dir(dir)
        .env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().expect("script(1) from util-linux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn no_color_turns_colour_off_unless_always() {
    let tmp = tempfile::tempdir().expect("tmp");
    fs::write(
        tmp.path().join("app.py"),
        format!("T = \"{}\"\n", github_token("ghp", 72)),
    )
    .expect("write");
    let esc = "\u{1b}[";
    let plain = on_terminal(tmp.path(), "scan app.py -q", None);
    assert!(plain.contains("github-pat"), "no report: {plain}");
    assert!(plain.contains(esc), "a terminal gets colour");
    let off = on_terminal(tmp.path(), "scan app.py -q", Some("1"));
    assert!(off.contains("github-pat") && !off.contains(esc), "{off}");
    // An empty NO_COLOR does not count; --color always wins over it.
    assert!(on_terminal(tmp.path(), "scan app.py -q", Some("")).contains(esc));
    let always = on_terminal(tmp.path(), "scan app.py -q --color always", Some("1"));
    assert!(always.contains(esc));
}

#[test]
fn quiet_clean_run_prints_nothing_and_exit_code_is_configurable() {
    let tmp = tempfile::tempdir().expect("tmp");
    let clean = tmp.path().join("clean");
    fs::create_dir(&clean).expect("mkdir");
    fs::write(clean.join("readme.txt"), "no secrets\n").expect("write");
    let c = clean.display().to_string();
    let r = run(&["scan", &c, "--quiet"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    let out = tmp.path().join("r.json").display().to_string();
    let r = run(&["scan", &c, "-q", "-o", &out]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    // Without --quiet the summary is there.
    let r = run(&["scan", &c, "-o", &out]);
    assert!(r.stderr.contains("0 findings"), "{}", r.stderr);

    let dirty = tmp.path().join("dirty");
    fs::create_dir(&dirty).expect("mkdir");
    fs::write(
        dirty.join("app.py"),
        format!("T = \"{}\"\n", github_token("ghp", 73)),
    )
    .expect("write");
    let d = dirty.display().to_string();
    let r = run(&["scan", &d, "-q", "--exit-code", "7"]);
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert!(
        r.stdout.contains("github-pat"),
        "quiet still reports findings"
    );
    assert_eq!(run(&["scan", &c, "-q", "--exit-code", "7"]).code, 0);
    assert_eq!(run(&["scan", &d, "-q", "--exit-code", "0"]).code, 0);
    assert_eq!(run(&["scan", &d, "-q"]).code, 1);
}

#[test]
fn verbose_logs_phases_and_skips_without_secrets_and_with_escaped_paths() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tok = github_token("ghp", 74);
    fs::write(tmp.path().join("app.py"), format!("T = \"{tok}\"\n")).expect("write");
    // A hostile name: a newline that would forge a log line, and a file over the size limit.
    fs::write(
        tmp.path().join("big\nkeyaudit: error: forged"),
        vec![b'a'; 2048],
    )
    .expect("write");
    let d = tmp.path().display().to_string();
    let r = run(&[
        "scan",
        &d,
        "-q",
        "-v",
        "--max-file-size",
        "1K",
        "--show-secrets",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for phase in ["rules load", "walk/scan", "inventory", "policy", "report"] {
        assert!(
            r.stderr.contains(&format!("info: {phase}: ")),
            "{phase}: {}",
            r.stderr
        );
    }
    assert!(
        r.stderr
            .contains("skipped big\\nkeyaudit: error: forged: too_large")
    );
    assert!(!r.stderr.lines().any(|l| l.starts_with("keyaudit: error")));
    assert!(!r.stderr.contains(&tok), "a secret in the log");
    let r = run(&["scan", &d, "-q", "--log-level", "debug"]);
    assert!(r.stderr.contains("debug: "), "{}", r.stderr);
    assert!(!r.stderr.contains(&tok));
    let r = run(&["scan", &d, "-q", "--log-level", "error"]);
    assert_eq!(r.stderr, "");
}

/// A real certificate valid for one day, judged two years later: a note finding and an
/// expired-certificate violation that fails the run.
#[test]
fn summary_line_counts_policy_violations() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tree = tmp.path().join("tree");
    fs::create_dir(&tree).expect("mkdir");
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args([
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=t",
        ])
        .arg("-keyout")
        .arg(tmp.path().join("key.pem"))
        .arg("-out")
        .arg(tree.join("server.crt"))
        .output()
        .expect("openssl");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let t = tree.display().to_string();
    let out = tmp.path().join("r.json").display().to_string();
    let r = run(&["scan", &t, "--now", "2099-01-01", "-o", &out]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: serde_json::Value =
        serde_json::from_slice(&fs::read(&out).expect("report")).expect("JSON");
    let n = report["violations"].as_array().map_or(0, Vec::len);
    assert!(n >= 1, "{report}");
    let words = if n == 1 { "violation" } else { "violations" };
    let expected = format!("1 finding (1 note), {n} policy {words} (");
    assert!(r.stderr.contains(&expected), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("; {n} gating)")), "{}", r.stderr);
    // The text report ends with the same line.
    let r = run(&["scan", &t, "--now", "2099-01-01"]);
    let last = r.stdout.lines().last().unwrap_or("");
    assert!(last.starts_with(&expected), "{last}");
}

#[test]
fn inventory_json_describes_the_run_and_matches_its_schema() {
    let a = Repo::new();
    let b = Repo::new();
    a.write(
        "config/prod.env",
        &format!("T={}\n", github_token("ghp", 75)),
    );
    let head_a = a.commit("2021-03-04T05:06:07Z", "add config");
    b.write(
        "src/app.py",
        &format!("T = \"{}\"\n", github_token("ghp", 76)),
    );
    let head_b = b.commit("2022-03-04T05:06:07Z", "add app");
    let (ad, bd) = (a.dir.display().to_string(), b.dir.display().to_string());
    let args = [
        "inventory",
        "--git",
        "-f",
        "json",
        "--now",
        "2024-02-03",
        "-q",
    ];
    let r = run(&[&args[..], &[&ad, &bd]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = json(&r);
    assert_inventory_schema_valid(&j);
    assert_eq!(j["tool"]["name"], "keyaudit");
    assert_eq!(j["roots"], serde_json::json!([ad, bd]));
    assert_eq!(j["complete"], true);
    assert_eq!(j["policy_date"], "2024-02-03T00:00:00Z");
    let heads: Vec<(String, String)> = j["repositories"]
        .as_array()
        .expect("repositories")
        .iter()
        .map(|r| {
            (
                r["repo"].as_str().unwrap_or("").into(),
                r["head_commit"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(heads, vec![(ad.clone(), head_a), (bd.clone(), head_b)]);
    let mut repos: Vec<String> = j["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .flat_map(|e| e["occurrences"].as_array().cloned().unwrap_or_default())
        .map(|o| o["repo"].as_str().unwrap_or("none").to_string())
        .collect();
    repos.sort();
    let mut expected = vec![ad, bd];
    expected.sort();
    assert_eq!(repos, expected);

    // One file tree: no repositories, no repo fields, still valid; `--now` defaults to today.
    let r = run(&[
        "inventory",
        "-f",
        "json",
        "-q",
        &a.dir.display().to_string(),
    ]);
    let j = json(&r);
    assert_inventory_schema_valid(&j);
    assert!(j.get("repositories").is_none());
    assert!(!r.stdout.contains("\"repo\""));
    assert!(
        j["policy_date"]
            .as_str()
            .is_some_and(|d| d.starts_with("20"))
    );
}
