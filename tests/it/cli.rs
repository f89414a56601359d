//! End-to-end tests of `keyaudit scan` through the real binary: exit codes, bad input of every
//! kind, report files, determinism, JSON schema and SARIF validity.

use crate::common::*;
use std::fs;
use std::path::Path;

/// A scan that uses only the test rules, so that these tests do not depend on the built-in set.
/// The rule file lives outside the scanned tree (its examples would otherwise be found).
fn scan(dir: &Path, root: &Path, extra: &[&str]) -> Run {
    let rules_dir = tempfile::tempdir().expect("tmp");
    let rules_path = rules_dir.path().join("rules.toml");
    fs::write(&rules_path, TEST_RULES).expect("write rules");
    let rules = rules_path.display().to_string();
    let root = root.display().to_string();
    let mut args = vec![
        "scan",
        root.as_str(),
        "--no-builtin-rules",
        "--rules",
        rules.as_str(),
        "-q",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

#[test]
fn finds_token_at_exact_line_and_column_and_redacts_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("tree");
    fs::create_dir_all(root.join("src")).expect("mkdir");
    let tok = github_token("ghp", 1);
    fs::write(
        root.join("src/app.py"),
        format!("import os\n\n    TOKEN = \"{tok}\"\n"),
    )
    .expect("write");
    let r = scan(tmp.path(), &root, &["-f", "json"]);
    assert_eq!(r.code, 1, "findings exit 1: {}", r.stderr);
    let j = json(&r);
    assert_schema_valid(&j);
    let f = &j["findings"][0];
    assert_eq!(j["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(f["rule_id"], "test-github-pat");
    assert_eq!(f["location"]["path"], "src/app.py");
    assert_eq!(f["location"]["start"]["line"], 3);
    assert_eq!(f["location"]["start"]["column"], 14);
    assert_eq!(f["location"]["end"]["column"], 14 + 40);
    assert!(!r.stdout.contains(&tok), "secret must not appear in clear");
    assert!(
        !r.stdout.contains(&tok[10..30]),
        "no long part of the secret either"
    );
    assert!(f.get("secret").is_none());
    // --show-secrets puts it back.
    let r = scan(tmp.path(), &root, &["-f", "json", "--show-secrets"]);
    assert_eq!(json(&r)["findings"][0]["secret"], tok.as_str());
}

#[test]
fn wrong_checksum_is_not_a_finding() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut tok = github_token("ghp", 2).into_bytes();
    let last = tok.len() - 1;
    tok[last] = if tok[last] == b'A' { b'B' } else { b'A' };
    fs::write(tmp.path().join("a.txt"), &tok).expect("write");
    let r = scan(tmp.path(), tmp.path(), &["-f", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn inline_allow_suppresses_and_is_counted() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tok = github_token("ghp", 3);
    fs::write(
        tmp.path().join("a.rs"),
        format!("let t = \"{tok}\"; // keyaudit:allow test fixture\n"),
    )
    .expect("write");
    let r = scan(tmp.path(), tmp.path(), &["-f", "json"]);
    assert_eq!(r.code, 0);
    assert_eq!(json(&r)["summary"]["suppressed_inline"], 1);
}

#[test]
fn fail_on_threshold_controls_exit_code() {
    let tmp = tempfile::tempdir().expect("tmp");
    fs::write(tmp.path().join("a.txt"), "x = lowtok_abcdef123456\n").expect("write");
    assert_eq!(scan(tmp.path(), tmp.path(), &[]).code, 1);
    assert_eq!(scan(tmp.path(), tmp.path(), &["--fail-on", "high"]).code, 0);
    assert_eq!(scan(tmp.path(), tmp.path(), &["--fail-on", "low"]).code, 1);
    assert_eq!(
        scan(tmp.path(), tmp.path(), &["--fail-on", "bogus"]).code,
        2
    );
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    assert_eq!(run_in(tmp.path(), &["scan", "does-not-exist"]).code, 2);
    assert_eq!(run_in(tmp.path(), &["bogus-command"]).code, 2);
    fs::write(tmp.path().join("bad.toml"), "[[rules]]\nid = \"x\"\n").expect("write");
    let r = run_in(tmp.path(), &["scan", ".", "--rules", "bad.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("bad.toml"),
        "error names the file: {}",
        r.stderr
    );
}

#[test]
fn binary_invalid_utf8_and_large_files_are_scanned_as_bytes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("t");
    fs::create_dir(&root).expect("mkdir");
    let tok = github_token("ghp", 4);
    // Invalid UTF-8 before the token on the same line, and on earlier lines.
    let mut data = b"\xff\xfe bad\n\x80\x81\n".to_vec();
    data.extend_from_slice(b"k=\xc3\x28 ");
    data.extend_from_slice(tok.as_bytes());
    data.push(b'\n');
    fs::write(root.join("latin1.txt"), &data).expect("write");
    // A binary blob with NULs around the token.
    let mut bin = vec![0u8; 5000];
    bin.extend_from_slice(tok.as_bytes());
    bin.extend_from_slice(&[0u8; 100]);
    fs::write(root.join("blob.bin"), &bin).expect("write");
    // A file above the memory-map threshold (4 MiB) with the token on its last line.
    let mut big = "filler line of text without secrets\n"
        .repeat(150_000)
        .into_bytes();
    big.extend_from_slice(format!("last = {tok}\n").as_bytes());
    fs::write(root.join("big.log"), &big).expect("write");
    let r = scan(tmp.path(), &root, &["-f", "json"]);
    let j = json(&r);
    assert_schema_valid(&j);
    let found: Vec<(String, u64)> = j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap_or("").to_string(),
                f["location"]["start"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("big.log".to_string(), 150_001),
            ("blob.bin".to_string(), 1),
            ("latin1.txt".to_string(), 3)
        ]
    );
}

#[test]
fn oversize_files_are_skipped_and_counted_but_scan_is_complete() {
    let tmp = tempfile::tempdir().expect("tmp");
    fs::write(tmp.path().join("big.txt"), vec![b'a'; 2048]).expect("write");
    fs::write(tmp.path().join("small.txt"), "nothing\n").expect("write");
    let r = scan(
        tmp.path(),
        tmp.path(),
        &["-f", "json", "--max-file-size", "1K"],
    );
    assert_eq!(r.code, 0, "skipping by choice is not an error");
    let j = json(&r);
    assert_schema_valid(&j);
    assert_eq!(j["summary"]["problems"]["too_large"], 1);
    assert_eq!(j["complete"], true);
}

#[cfg(unix)]
#[test]
fn fifo_broken_symlink_and_loop_never_hang_or_crash() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("t");
    fs::create_dir_all(root.join("d")).expect("mkdir");
    let tok = github_token("ghp", 5);
    fs::write(root.join("d/secret.env"), format!("GH={tok}\n")).expect("write");
    let fifo = root.join("pipe");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "mkfifo");
    std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling")).expect("symlink");
    std::os::unix::fs::symlink(&root, root.join("d/loop")).expect("symlink");
    // Default: links not followed; the FIFO is reported and skipped, never opened.
    let r = scan(tmp.path(), &root, &["-f", "json"]);
    let j = json(&r);
    assert_schema_valid(&j);
    assert_eq!(r.code, 1);
    assert_eq!(j["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(j["summary"]["problems"]["special_file"], 1);
    // Following links: the loop and the dangling link are walk errors, the scan is incomplete,
    // and the finding is still reported exactly once.
    let r = scan(tmp.path(), &root, &["-f", "json", "-L"]);
    let j = json(&r);
    assert_schema_valid(&j);
    assert_eq!(j["complete"], false);
    assert!(
        j["summary"]["problems"]["walk_error"].as_u64().unwrap_or(0) >= 1,
        "{}",
        r.stdout
    );
    assert_eq!(j["findings"].as_array().map(Vec::len), Some(1));
}

#[cfg(target_os = "linux")]
#[test]
fn unreadable_input_makes_the_scan_incomplete_exit_3() {
    // /proc/self/mem is a regular file whose read at offset 0 fails with EIO, even for root
    // (a chmod 000 file is readable by root, so it would not test anything here).
    let tmp = tempfile::tempdir().expect("tmp");
    let r = scan(tmp.path(), Path::new("/proc/self/mem"), &["-f", "json"]);
    let j = json(&r);
    assert_schema_valid(&j);
    assert_eq!(j["complete"], false);
    assert_eq!(j["summary"]["problems"]["unreadable"], 1);
    assert_eq!(r.code, 3, "an incomplete scan must not exit 0");
}

#[test]
fn gitignored_files_scanned_by_default_and_git_dir_skipped() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("repo");
    fs::create_dir_all(root.join(".git")).expect("mkdir");
    let tok = github_token("ghp", 6);
    fs::write(root.join(".gitignore"), ".env\n").expect("write");
    fs::write(root.join(".env"), format!("GH={tok}\n")).expect("write");
    fs::write(root.join(".git/config"), format!("token = {tok}\n")).expect("write");
    let r = scan(tmp.path(), &root, &["-f", "json"]);
    let paths: Vec<String> = json(&r)["findings"]
        .as_array()
        .expect("arr")
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(paths, vec![".env".to_string()]);
    let r = scan(tmp.path(), &root, &["-f", "json", "--respect-gitignore"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = scan(tmp.path(), &root, &["-f", "json", "--exclude", "*.env"]);
    assert_eq!(r.code, 0);
}

#[cfg(unix)]
#[test]
fn report_file_is_private_and_format_follows_extension() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("t");
    fs::create_dir(&root).expect("mkdir");
    fs::write(root.join("a.txt"), github_token("ghp", 7)).expect("write");
    let out = tmp.path().join("report.sarif");
    // Pre-create with a permissive mode: the report must still end up 0600.
    fs::write(&out, "old").expect("write");
    fs::set_permissions(&out, fs::Permissions::from_mode(0o644)).expect("chmod");
    let r = scan(tmp.path(), &root, &["-o", out.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mode = fs::metadata(&out).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&out).expect("read")).expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "test-github-pat");
    validate_sarif(&out);
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("t");
    for i in 0..200u64 {
        let d = root.join(format!("pkg{}/sub{}", i % 7, i % 3));
        fs::create_dir_all(&d).expect("mkdir");
        let body = if i % 5 == 0 {
            format!(
                "a\nb\nkey = \"{}\" and {}\n",
                github_token("ghp", i),
                github_token("gho", i + 1000)
            )
        } else {
            "no secrets here\n".repeat(50)
        };
        fs::write(d.join(format!("f{i}.txt")), body).expect("write");
    }
    for fmt in ["json", "sarif", "text"] {
        let one = scan(
            tmp.path(),
            &root,
            &["-f", fmt, "--threads", "1", "--color", "never"],
        );
        let many = scan(
            tmp.path(),
            &root,
            &["-f", fmt, "--threads", "8", "--color", "never"],
        );
        assert_eq!(one.code, 1);
        assert!(!one.stdout.is_empty());
        assert!(
            one.stdout == many.stdout,
            "{fmt} output differs between 1 and 8 threads"
        );
    }
}

#[test]
fn sarif_is_valid_with_odd_paths_and_problems() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("t");
    fs::create_dir_all(root.join("dir with space/ünï")).expect("mkdir");
    fs::write(
        root.join("dir with space/ünï/a#b%c.txt"),
        github_token("ghp", 8),
    )
    .expect("write");
    fs::write(root.join("big.txt"), vec![b'x'; 4096]).expect("write");
    let out = tmp.path().join("r.sarif");
    scan(
        tmp.path(),
        &root,
        &[
            "-o",
            out.to_str().unwrap_or_default(),
            "--max-file-size",
            "1K",
        ],
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&out).expect("read")).expect("json");
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dir%20with%20space/%C3%BCn%C3%AF/a%23b%25c.txt"
    );
    validate_sarif(&out);
}

#[test]
fn one_key_has_one_fingerprint_in_every_encoding_and_file() {
    let tmp = tempfile::tempdir().unwrap();
    let crypto = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crypto");
    for name in [
        "rsa2048.pkcs1.pem",
        "rsa2048.pkcs8.pem",
        "rsa2048.pkcs8.der",
        "rsa2048.pub.pem",
        "rsa2048.selfsigned.crt",
        "p256.sec1.pem",
    ] {
        fs::copy(crypto.join(name), tmp.path().join(name)).unwrap();
    }
    let r = run_in(tmp.path(), &["scan", ".", "-f", "json", "-q"]);
    let report = json(&r);
    let fp = |file: &str| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["location"]["path"] == file)
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let rsa = fp("rsa2048.pkcs1.pem");
    assert_eq!(rsa.len(), 1, "{report:#}");
    for other in [
        "rsa2048.pkcs8.pem",
        "rsa2048.pkcs8.der",
        "rsa2048.pub.pem",
        "rsa2048.selfsigned.crt",
    ] {
        assert_eq!(fp(other), rsa, "{other}");
    }
    assert_eq!(fp("p256.sec1.pem").len(), 1);
    assert_ne!(fp("p256.sec1.pem"), rsa);
}
