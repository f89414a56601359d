//! Hostile inputs, part B: names that try to drive the terminal, rule and configuration files
//! that must not be echoed, names that are not UTF-8, excludes for every source, report files
//! that must not follow planted links, hostile tree entries and damaged pack indexes; plus the
//! cases that already held (no program from a repository's configuration runs, FIFOs never
//! block, unreadable input makes the scan incomplete, determinism, private report files), kept
//! here so that they keep holding. Every input is real: files on disk, repositories built with
//! git (plumbing where porcelain refuses), tokens with valid checksums.

#![cfg(unix)]

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;
use crate::common::git::Repo;
use crate::common::{Run, bin, github_token, json, run_in};

/// A name that sets the terminal title, rings the bell, clears the screen and forges a log line.
const EVIL: &str = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nkeyaudit: error: forged\u{9b}31m.env";

/// Output that is safe on a terminal: no control character but the line ends, no bidi override,
/// and no line forged by a name.
fn assert_terminal_safe(s: &str, what: &str) {
    let bad: Vec<char> = s
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
        .collect();
    assert!(bad.is_empty(), "{what} carries {bad:?}:\n{s}");
    assert!(
        !s.lines().any(|l| l.starts_with("keyaudit: error: forged")),
        "{what} has a forged line:\n{s}"
    );
}

fn token(seed: u64) -> String {
    github_token("ghp", seed)
}

/// Run keyaudit in `dir`, killed after a generous `limit`: returns `None` when it had to be killed.
fn run_bounded(dir: &Path, args: &[&str], limit: Duration) -> Option<Run> {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run keyaudit");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            let out = child.wait_with_output().expect("output");
            return Some(Run {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

fn problems_of(j: &serde_json::Value) -> Vec<(String, String)> {
    j["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap_or("").to_string(),
                p["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn finding_paths(j: &serde_json::Value) -> Vec<String> {
    j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap_or("").to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 3. Terminal and log injection

#[test]
fn text_report_and_logs_escape_hostile_file_names() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    fs::write(root.join(EVIL), format!("GH={}\n", token(1))).expect("write");
    mkfifo(&root.join(format!("{EVIL}.fifo")));
    let r = run_in(root, &["scan", ".", "-f", "text", "--color", "never", "-v"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("evil"), "{}", r.stdout);
    assert_terminal_safe(&r.stdout, "text report");
    assert_terminal_safe(&r.stderr, "stderr with -v");
    // The same name is unchanged (and escaped by JSON itself) in the JSON report.
    let j = json(&run_in(root, &["scan", ".", "-f", "json"]));
    assert_eq!(finding_paths(&j), vec![EVIL.to_string()]);
    // The inventory's text view names the file too.
    let r = run_in(root, &["inventory", ".", "--color", "never"]);
    assert!(r.stdout.contains("evil"), "{}", r.stdout);
    assert_terminal_safe(&r.stdout, "inventory text");
    // So does an error about a path that does not exist, and a report that cannot be written.
    let r = run_in(root, &["scan", &format!("missing-{EVIL}")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing-evil"), "{}", r.stderr);
    assert_terminal_safe(&r.stderr, "error message");
    let r = run_in(root, &["scan", ".", "-o", &format!("nodir-{EVIL}/r.json")]);
    assert_eq!(r.code, 2);
    assert_terminal_safe(&r.stderr, "write error");
}

#[test]
fn history_text_report_escapes_paths_and_author_names() {
    let repo = Repo::new();
    repo.write(EVIL, &format!("GH={}\n", token(2)));
    repo.git(&["add", "-A"]);
    let out = repo
        .git_cmd(&repo.dir, &["commit", "-q", "-m", "x"])
        .env("GIT_AUTHOR_NAME", "Mallory\u{1b}[2J\u{7}")
        .output()
        .expect("commit");
    assert!(out.status.success(), "{out:?}");
    let r = run_in(&repo.dir, &["scan", ".", "--git", "--color", "never", "-v"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("Mallory"), "{}", r.stdout);
    assert_terminal_safe(&r.stdout, "history text report");
    assert_terminal_safe(&r.stderr, "history stderr");
}

#[test]
fn snippets_and_shown_secrets_never_carry_control_characters() {
    let tmp = tempfile::tempdir().expect("tmp");
    let body = format!(
        "\u{1b}]0;title\u{7}GH={} \u{1b}[2J\u{202e}tail\r\npassword = \"Zq8#vL2\u{1b}[31mxW9!pK4m\"\n",
        token(3)
    );
    fs::write(tmp.path().join("a.env"), body).expect("write");
    for extra in [&[][..], &["--show-secrets"][..]] {
        let mut args = vec!["scan", ".", "-f", "text", "--color", "never"];
        args.extend_from_slice(extra);
        let r = run_in(tmp.path(), &args);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stdout.contains("tail"), "{}", r.stdout);
        assert_terminal_safe(&r.stdout, "text report with snippets");
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Rule and configuration errors do not print file contents

const LEAK: &str = "hunter2-Correct-Horse-Battery";

fn assert_located_without_content(r: &Run, file: &str) {
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        !r.stderr.contains(LEAK),
        "the error echoes the file:\n{}",
        r.stderr
    );
    assert!(!r.stderr.contains("hunter2"), "{}", r.stderr);
    let located = r.stderr.lines().any(|l| {
        l.contains(&format!("{file}:")) && l.split(':').any(|p| p.trim().parse::<u32>().is_ok())
    });
    assert!(located, "no file:line:col in {}", r.stderr);
}

#[test]
fn a_rule_file_parse_error_names_the_place_not_the_content() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("rules");
    fs::create_dir(&dir).expect("mkdir");
    // Not TOML at all: a credentials file that happens to end in .toml.
    fs::write(dir.join("creds.toml"), format!("[db]\npassword = {LEAK}\n")).expect("write");
    let r = run_in(tmp.path(), &["scan", ".", "--rules", "rules"]);
    assert_located_without_content(&r, "creds.toml");
    assert!(r.stderr.contains("creds.toml:2:"), "{}", r.stderr);
    // TOML, but a value of the wrong type quoted by serde.
    fs::write(dir.join("creds.toml"), format!("rules = \"{LEAK}\"\n")).expect("write");
    let r = run_in(tmp.path(), &["scan", ".", "--rules", "rules/creds.toml"]);
    assert_located_without_content(&r, "creds.toml");
    let r = run_in(tmp.path(), &["rules", "check", "rules"]);
    assert_located_without_content(&r, "creds.toml");
}

#[test]
fn a_configuration_parse_error_names_the_place_not_the_content() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cfg = tmp.path().join(".keyaudit.toml");
    for text in [
        format!("[scan]\nexclude = [\"a\"]\npassword = {LEAK}\n"),
        format!("[scan]\nfail-on = \"{LEAK}\"\n"),
    ] {
        fs::write(&cfg, text).expect("write");
        let r = run_in(tmp.path(), &["scan", "."]);
        assert_located_without_content(&r, ".keyaudit.toml");
        let r = run_in(tmp.path(), &["config", "check"]);
        assert_located_without_content(&r, ".keyaudit.toml");
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Names that are not UTF-8

/// Undo the reports' path encoding: `%XX` is byte XX, everything else stands for itself.
fn decode_path(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[test]
fn names_differing_in_an_invalid_byte_stay_apart_and_can_be_found() {
    let repo = Repo::new();
    let names: [&[u8]; 3] = [b"key\xff.env", b"key\xfe.env", b"key%FF.env"];
    for (i, n) in names.iter().enumerate() {
        let p = repo.dir.join(OsStr::from_bytes(n));
        fs::write(p, format!("GH={}\n", token(10 + i as u64))).expect("write");
    }
    repo.commit("2020-01-01T00:00:00Z", "three keys");
    let tree = run_in(&repo.dir, &["scan", ".", "-f", "json"]);
    let history = run_in(&repo.dir, &["scan", ".", "--git", "-f", "json"]);
    for r in [&tree, &history] {
        let mut paths = finding_paths(&json(r));
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), 3, "names collapsed: {paths:?}");
        // Each reported path leads back to the very file.
        let mut decoded: Vec<Vec<u8>> = paths.iter().map(|p| decode_path(p)).collect();
        decoded.sort();
        let mut want: Vec<Vec<u8>> = names.iter().map(|n| n.to_vec()).collect();
        want.sort();
        assert_eq!(decoded, want);
    }
    let mut a = finding_paths(&json(&tree));
    let mut b = finding_paths(&json(&history));
    a.sort();
    b.sort();
    assert_eq!(a, b, "the file tree and history name the same files alike");
    // SARIF keeps them apart too: three distinct URIs and partial fingerprints.
    let r = run_in(&repo.dir, &["scan", ".", "-f", "sarif"]);
    let s = json(&r);
    let results = s["runs"][0]["results"].as_array().expect("results");
    let uris: std::collections::BTreeSet<String> = results
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].to_string())
        .collect();
    let fps: std::collections::BTreeSet<String> = results
        .iter()
        .map(|r| r["partialFingerprints"].to_string())
        .collect();
    assert_eq!((uris.len(), fps.len()), (3, 3), "{uris:?}");
    assert!(uris.iter().any(|u| u.contains("key%FF.env")), "{uris:?}");
    assert!(uris.iter().any(|u| u.contains("key%25FF.env")), "{uris:?}");
}

// ---------------------------------------------------------------------------------------------
// 7. --exclude applies to every source

#[test]
fn exclude_applies_to_history_and_staged_scans() {
    let repo = Repo::new();
    repo.write("vendor/lib/k.env", &format!("GH={}\n", token(20)));
    repo.commit("2020-01-01T00:00:00Z", "vendored key");
    repo.write("vendor/lib/new.env", &format!("GH={}\n", token(21)));
    repo.git(&["add", "-A"]);
    for mode in ["--git", "--staged"] {
        let all = run_in(&repo.dir, &["scan", ".", mode, "-f", "json"]);
        assert_eq!(all.code, 1, "{mode} must find the key: {}", all.stderr);
        for glob in ["vendor/", "*.env", "/vendor/lib"] {
            let r = run_in(
                &repo.dir,
                &["scan", ".", mode, "-f", "json", "--exclude", glob],
            );
            assert_eq!(r.code, 0, "{mode} --exclude {glob}: {}", r.stdout);
            assert!(finding_paths(&json(&r)).is_empty());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 8. Report files, hostile tree entries, damaged pack indexes

fn tree_with_token(seed: u64) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    fs::create_dir(tmp.path().join("t")).expect("mkdir");
    fs::write(tmp.path().join("t/a.env"), format!("GH={}\n", token(seed))).expect("write");
    tmp
}

#[test]
fn output_refuses_a_link_to_a_file_that_is_not_the_users() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
    let tmp = tree_with_token(30);
    let dir = tmp.path();
    // A dangling link: following it would create a file where the planter chose.
    symlink(dir.join("planted-target"), dir.join("dangling.json")).expect("symlink");
    let r = run_in(dir, &["scan", "t", "-o", "dangling.json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert!(!dir.join("planted-target").exists());
    // A link to a directory.
    fs::create_dir(dir.join("d")).expect("mkdir");
    symlink(dir.join("d"), dir.join("dir.json")).expect("symlink");
    assert_eq!(run_in(dir, &["scan", "t", "-o", "dir.json"]).code, 2);
    // A link to the user's own regular file: followed, the file is replaced and made private.
    fs::write(dir.join("mine.json"), "old").expect("write");
    fs::set_permissions(dir.join("mine.json"), fs::Permissions::from_mode(0o644)).expect("chmod");
    symlink(dir.join("mine.json"), dir.join("link.json")).expect("symlink");
    let r = run_in(dir, &["scan", "t", "-o", "link.json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        fs::symlink_metadata(dir.join("link.json"))
            .expect("meta")
            .is_symlink()
    );
    let report = fs::read_to_string(dir.join("mine.json")).expect("read");
    assert!(report.contains("\"findings\""), "{report}");
    let meta = fs::metadata(dir.join("mine.json")).expect("meta");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    // A link to someone else's file (only root can make one to test with).
    if meta.uid() != 0 {
        eprintln!("note: not root: cannot chown a file to another user; that case is skipped");
        return;
    }
    fs::write(dir.join("theirs.txt"), "theirs").expect("write");
    std::os::unix::fs::chown(dir.join("theirs.txt"), Some(65534), Some(65534)).expect("chown");
    symlink(dir.join("theirs.txt"), dir.join("theirs.json")).expect("symlink");
    let r = run_in(dir, &["scan", "t", "-o", "theirs.json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(dir.join("theirs.txt")).expect("read"),
        "theirs"
    );
}

#[test]
fn output_never_blocks_on_a_fifo() {
    let tmp = tree_with_token(31);
    mkfifo(&tmp.path().join("out.json"));
    let r = run_bounded(
        tmp.path(),
        &["scan", "t", "-o", "out.json"],
        Duration::from_secs(60),
    )
    .expect("keyaudit blocked opening a FIFO as its report");
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// Write a tree object from raw entries (mode, name, id): `git mktree` refuses some names.
fn raw_tree(repo: &Repo, entries: &[(&str, &[u8], &str)]) -> String {
    let mut bytes = Vec::new();
    for (mode, name, id) in entries {
        bytes.extend_from_slice(mode.as_bytes());
        bytes.push(b' ');
        bytes.extend_from_slice(name);
        bytes.push(0);
        bytes.extend(hex_bytes(id));
    }
    let mut child = repo
        .git_cmd(
            &repo.dir,
            &["hash-object", "-t", "tree", "--literally", "-w", "--stdin"],
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git hash-object");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&bytes)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn hex_bytes(id: &str) -> Vec<u8> {
    (0..id.len() / 2)
        .map(|i| u8::from_str_radix(&id[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn sarif_paths_from_hostile_tree_entries_stay_inside_the_root() {
    let repo = Repo::new();
    repo.write("blob.env", &format!("GH={}\n", token(40)));
    let blob = repo.git(&["hash-object", "-w", "blob.env"]);
    let etc = raw_tree(&repo, &[("100644", b"x", &blob)]);
    let up1 = raw_tree(&repo, &[("40000", b"etc", &etc)]);
    let up2 = raw_tree(&repo, &[("40000", b"..", &up1)]);
    let top = raw_tree(
        &repo,
        &[
            ("40000", b"..", &up2),
            ("100644", b"/abs", &blob),
            ("40000", b".", &etc),
        ],
    );
    let commit = repo.git(&["commit-tree", &top, "-m", "hostile"]);
    repo.git(&["update-ref", "refs/heads/main", &commit]);
    let r = run_in(&repo.dir, &["scan", ".", "--git", "-f", "sarif"]);
    assert!(r.code == 1 || r.code == 3, "{}", r.stderr);
    let s = json(&r);
    let results = s["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty(), "{}", r.stdout);
    for res in results {
        let at = &res["locations"][0]["physicalLocation"]["artifactLocation"];
        let uri = at["uri"].as_str().expect("uri");
        assert!(at["uriBaseId"].is_string(), "no base: {at}");
        assert!(
            !uri.starts_with('/') && !uri.contains(':'),
            "escapes the root: {uri}"
        );
        assert!(
            uri.split('/')
                .all(|seg| seg != ".." && seg != "." && !seg.is_empty()),
            "not normalised: {uri}"
        );
    }
}

#[test]
fn a_truncated_pack_index_is_one_corrupt_index_problem() {
    let repo = Repo::new();
    for i in 0..40u64 {
        repo.write(&format!("f{i}.txt"), &format!("file {i}\n"));
        repo.commit(&format!("2020-01-{:02}T00:00:00Z", 1 + i % 28), "c");
    }
    repo.git(&["repack", "-a", "-d", "-q"]);
    let packs = repo.dir.join(".git/objects/pack");
    let idx = fs::read_dir(&packs)
        .expect("pack dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .expect("an index");
    let len = fs::metadata(&idx).expect("meta").len();
    let f = fs::OpenOptions::new()
        .write(true)
        .open(&idx)
        .expect("open idx");
    f.set_len(len / 2).expect("truncate");
    let r = run_in(&repo.dir, &["scan", ".", "--git", "-f", "json"]);
    assert_eq!(
        r.code, 3,
        "a broken index leaves the scan incomplete: {}",
        r.stderr
    );
    let j = json(&r);
    let problems = problems_of(&j);
    let corrupt: Vec<_> = problems.iter().filter(|p| p.0 == "corrupt_index").collect();
    assert_eq!(corrupt.len(), 1, "{problems:?}");
    assert!(corrupt[0].1.ends_with(".idx"), "{corrupt:?}");
    assert!(
        problems.len() <= 2,
        "the damage is reported once, not object by object: {problems:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Cases that already hold, kept holding

#[test]
fn no_program_from_a_hostile_repository_configuration_runs() {
    let repo = Repo::new();
    let marker = repo.dir.parent().expect("parent").join("MARKER");
    let cmd = format!("touch {}", marker.display());
    repo.write("a.env", &format!("GH={}\n", token(50)));
    repo.write(".gitattributes", "* filter=evil diff=evil merge=evil\n");
    repo.commit("2020-01-01T00:00:00Z", "first");
    // Something staged (before the configuration turns hostile: git itself would run it), so
    // that the staged scan reads the index and its blobs.
    repo.write("b.env", &format!("GH={}\n", token(51)));
    repo.git(&["add", "b.env"]);
    for (key, value) in [
        ("core.fsmonitor", cmd.as_str()),
        ("core.sshCommand", cmd.as_str()),
        ("core.pager", cmd.as_str()),
        ("core.editor", cmd.as_str()),
        ("core.askPass", cmd.as_str()),
        ("core.hooksPath", "hooks-here"),
        ("credential.helper", &format!("!{cmd}")),
        ("filter.evil.clean", cmd.as_str()),
        ("filter.evil.smudge", cmd.as_str()),
        ("filter.evil.process", cmd.as_str()),
        ("filter.evil.required", "true"),
        ("diff.evil.textconv", cmd.as_str()),
        ("diff.external", cmd.as_str()),
        ("merge.evil.driver", cmd.as_str()),
        ("gpg.program", cmd.as_str()),
        ("uploadpack.packObjectsHook", cmd.as_str()),
        ("remote.origin.url", "ext::sh -c touch% MARKER"),
    ] {
        repo.git(&["config", key, value]);
    }
    let hook = format!("#!/bin/sh\n{cmd}\n");
    for dir in [repo.dir.join(".git/hooks"), repo.dir.join("hooks-here")] {
        fs::create_dir_all(&dir).expect("mkdir");
        for name in [
            "pre-commit",
            "post-checkout",
            "post-index-change",
            "fsmonitor-watchman",
            "reference-transaction",
        ] {
            let p = dir.join(name);
            fs::write(&p, &hook).expect("write hook");
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
    }
    assert!(!marker.exists(), "building the test ran a program");
    for args in [
        &["scan", ".", "--git", "--worktree"][..],
        &["scan", ".", "--staged"][..],
        &["scan", "."][..],
        &["inventory", ".", "--git"][..],
    ] {
        let r = run_in(&repo.dir, args);
        // The inventory lists; it does not gate.
        let want = if args[0] == "inventory" { 0 } else { 1 };
        assert_eq!(r.code, want, "{args:?}: {}", r.stderr);
        assert!(
            !marker.exists(),
            "{args:?} ran a program from the repository's configuration"
        );
    }
}

#[test]
fn a_fifo_in_the_tree_never_blocks_and_is_listed() {
    let tmp = tree_with_token(60);
    mkfifo(&tmp.path().join("t/pipe"));
    let r = run_bounded(
        tmp.path(),
        &["scan", "t", "-f", "json"],
        Duration::from_secs(120),
    )
    .expect("the scan blocked on a FIFO");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = json(&r);
    assert_eq!(
        problems_of(&j),
        vec![("special_file".to_string(), "pipe".to_string())]
    );
    assert_eq!(finding_paths(&j), vec!["a.env".to_string()]);
}

/// A tree with one unreadable entry and a non-gating finding elsewhere: exit 3, finding kept.
fn assert_incomplete_with_rest_scanned(dir: &Path, args: &[&str], kind: &str) {
    let r = run_in(dir, args);
    let j = json(&r);
    assert_eq!(r.code, 3, "{args:?}: {}", r.stdout);
    assert_eq!(j["complete"], false);
    assert!(
        problems_of(&j).iter().any(|p| p.0 == kind),
        "{:?}",
        problems_of(&j)
    );
    assert_eq!(finding_paths(&j), vec!["tests/fixture.env".to_string()]);
}

#[test]
fn unreadable_input_makes_the_scan_incomplete_with_the_rest_scanned() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let t = tmp.path().join("t");
    fs::create_dir_all(t.join("tests")).expect("mkdir");
    // A test fixture's password: found, but it cannot fail the run (a checksummed token could).
    fs::write(
        t.join("tests/fixture.env"),
        "password = \"Zq8vL2xW9pK4mT7r\"\n",
    )
    .expect("write");
    // Works as root too: with -L, a dangling link and a directory loop cannot be read.
    std::os::unix::fs::symlink(t.join("gone"), t.join("dangling.env")).expect("symlink");
    std::os::unix::fs::symlink(&t, t.join("tests/loop")).expect("symlink");
    assert_incomplete_with_rest_scanned(
        tmp.path(),
        &["scan", "t", "-L", "-f", "json"],
        "walk_error",
    );
    fs::remove_file(t.join("dangling.env")).expect("rm");
    fs::remove_file(t.join("tests/loop")).expect("rm");
    fs::write(t.join("locked.env"), format!("GH={}\n", token(71))).expect("write");
    fs::set_permissions(t.join("locked.env"), fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read(t.join("locked.env")).is_ok() {
        eprintln!("note: running as root, mode 000 does not stop reads; that case is skipped");
        return;
    }
    assert_incomplete_with_rest_scanned(tmp.path(), &["scan", "t", "-f", "json"], "unreadable");
}

#[test]
fn reports_are_byte_identical_across_thread_counts() {
    let repo = Repo::new();
    for i in 0..30u64 {
        let body = if i % 3 == 0 {
            format!("a\nGH={}\n", token(80 + i))
        } else {
            "nothing\n".repeat(20)
        };
        repo.write(&format!("d{}/f{i}.env", i % 4), &body);
        if i % 10 == 9 {
            repo.commit(&format!("2020-0{}-01T00:00:00Z", 1 + i / 10), "batch");
        }
    }
    for mode in [&[][..], &["--git"][..]] {
        for fmt in ["text", "json", "sarif", "gitlab"] {
            let mut args = vec!["scan", ".", "-f", fmt, "--color", "never"];
            args.extend_from_slice(mode);
            let one = run_with_threads(&repo.dir, &args, "1");
            let two = run_with_threads(&repo.dir, &args, "2");
            assert_eq!(one.code, 1, "{fmt} {mode:?}: {}", one.stderr);
            assert!(
                one.stdout == two.stdout,
                "{fmt} {mode:?} differs between -j 1 and -j 2"
            );
        }
    }
}

fn run_with_threads(dir: &Path, args: &[&str], j: &str) -> Run {
    let mut all = args.to_vec();
    all.extend(["-j", j]);
    common::run_with(dir, &all, b"", &[("SOURCE_DATE_EPOCH", "1600000000")])
}

#[test]
fn report_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tree_with_token(90);
    for name in [
        "r.json",
        "r.sarif",
        "r.txt",
        "gl-secret-detection-report.json",
    ] {
        let r = run_in(tmp.path(), &["scan", "t", "-o", name]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        let mode = fs::metadata(tmp.path().join(name))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    let r = run_in(tmp.path(), &["baseline", "create", "t", "-o", "b.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mode = fs::metadata(tmp.path().join("b.json"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_bad_secret_regex_in_the_allowlist_is_not_echoed() {
    let tmp = tempfile::tempdir().expect("tmp");
    fs::write(
        tmp.path().join(".keyaudit.toml"),
        format!("[[allow]]\nsecrets = [\"{LEAK}(\"]\n"),
    )
    .expect("write");
    let r = run_in(tmp.path(), &["scan", "."]);
    assert_located_without_content(&r, ".keyaudit.toml");
    assert!(r.stderr.contains("bad secret regex"), "{}", r.stderr);
}
