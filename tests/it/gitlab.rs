//! GitLab secret-detection report (`-f gitlab`). GitLab's schema is not obtainable from a package
//! registry here (it ships as a RubyGem and on GitLab's own npm registry), so `check_report`
//! enforces, one by one, the constraints schema 15.1.0 states for this report type.

use crate::common;

use crate::common::git::Repo;
use crate::common::{github_token, run_in};
use serde_json::Value;
use std::fs;

/// Every constraint of security-report-schemas 15.1.0 `secret-detection-report-format.json` that
/// applies to what keyaudit writes.
fn check_report(r: &Value) {
    let re = |p: &str, s: &str| regex::Regex::new(p).unwrap().is_match(s);
    let nonempty = |v: &Value, what: &str| {
        let s = v
            .as_str()
            .unwrap_or_else(|| panic!("{what} not a string: {v}"));
        assert!(!s.is_empty(), "{what} empty");
        s.to_string()
    };
    assert!(re(
        r"^[0-9]+\.[0-9]+\.[0-9]+$",
        r["version"].as_str().unwrap()
    ));
    assert!(re(r"^https?://.+", r["schema"].as_str().unwrap()));
    let scan = &r["scan"];
    for key in ["analyzer", "scanner"] {
        for f in ["id", "name", "version"] {
            nonempty(&scan[key][f], &format!("scan.{key}.{f}"));
        }
        nonempty(&scan[key]["vendor"]["name"], "vendor.name");
    }
    assert_eq!(scan["type"], "secret_detection");
    assert!(matches!(
        scan["status"].as_str(),
        Some("success" | "failure")
    ));
    for t in ["start_time", "end_time"] {
        let v = scan[t].as_str().unwrap();
        assert!(re(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", v), "{t} = {v}");
    }
    if let Some(msgs) = scan.get("messages") {
        for m in msgs.as_array().unwrap() {
            assert!(matches!(
                m["level"].as_str(),
                Some("info" | "warn" | "fatal")
            ));
            nonempty(&m["value"], "message value");
        }
    }
    for v in r["vulnerabilities"].as_array().unwrap() {
        nonempty(&v["id"], "id");
        let ids = v["identifiers"].as_array().unwrap();
        assert!(!ids.is_empty() && ids.len() <= 20);
        for i in ids {
            for f in ["type", "name", "value"] {
                nonempty(&i[f], &format!("identifier {f}"));
            }
        }
        nonempty(&v["location"]["commit"]["sha"], "commit.sha");
        assert!(v["location"]["file"].is_string());
        assert!(v["location"]["start_line"].is_number());
        assert!(v["location"]["end_line"].is_number());
        assert!(matches!(
            v["severity"].as_str(),
            Some("Info" | "Unknown" | "Low" | "Medium" | "High" | "Critical")
        ));
        assert!(v["name"].as_str().unwrap().chars().count() <= 255);
        assert!(v["description"].as_str().unwrap().chars().count() <= 1_048_576);
        if let Some(s) = v.get("solution") {
            assert!(s.as_str().unwrap().chars().count() <= 7000);
        }
    }
}

fn gitlab(dir: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["scan", "-q", "-f", "gitlab"];
    all.extend_from_slice(args);
    let r = run_in(dir, &all);
    assert!(matches!(r.code, 0 | 1 | 3), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    check_report(&v);
    (r.code, v, r.stdout)
}

#[test]
fn file_tree_report_meets_the_schema_and_hides_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let token = github_token("ghp", 401);
    fs::write(dir.join("app.env"), format!("A=1\nTOKEN={token}\n")).unwrap();
    let ca = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crypto/ca.crt");
    fs::copy(ca, dir.join("ca.crt")).unwrap();
    let (code, r, text) = gitlab(dir, &["."]);
    assert_eq!(code, 1);
    assert!(!text.contains(&token), "secret in clear");
    let v = r["vulnerabilities"].as_array().unwrap();
    // The certificate is a note (inventory), not a vulnerability.
    assert_eq!(v.len(), 1, "{v:#?}");
    let v = &v[0];
    assert_eq!(v["identifiers"][0]["type"], "keyaudit_rule_id");
    assert_eq!(v["identifiers"][0]["value"], "github-pat-classic");
    assert_eq!(v["location"]["file"], "app.env");
    assert_eq!(v["location"]["start_line"], 2);
    assert_eq!(v["location"]["commit"]["sha"], "0000000");
    assert_eq!(v["severity"], "Critical");
    assert!(v.get("raw_source_code_extract").is_none());
    assert!(v["description"].as_str().unwrap().contains("fp1:"));

    // --show-secrets: the extract GitLab reads as the token is the token itself.
    let (_, r, _) = gitlab(dir, &[".", "--show-secrets"]);
    assert_eq!(
        r["vulnerabilities"][0]["raw_source_code_extract"].as_str(),
        Some(token.as_str())
    );

    // Reproducible with SOURCE_DATE_EPOCH, whatever the thread count; the file is 0600.
    let run = |threads: &str| {
        let out = std::process::Command::new(common::bin())
            .args([
                "scan",
                ".",
                "-q",
                "-j",
                threads,
                "-o",
                "gl-secret-detection-report.json",
            ])
            .current_dir(dir)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        fs::read(dir.join("gl-secret-detection-report.json")).unwrap()
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let parsed: Value = serde_json::from_slice(&one).unwrap();
    check_report(&parsed);
    assert_eq!(parsed["scan"]["start_time"], "2023-11-14T22:13:20");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir.join("gl-secret-detection-report.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn history_report_carries_the_commit_and_policy_violations() {
    let repo = Repo::new();
    let token = github_token("ghp", 402);
    repo.write("deploy/prod/app.env", &format!("TOKEN={token}\n"));
    let commit = repo.commit("2019-03-02T10:00:00Z", "add token");
    repo.write("README", "x\n");
    repo.commit("2020-01-01T00:00:00Z", "more");
    let (code, r, text) = gitlab(&repo.dir, &["--git", ".", "--now", "2026-11-24"]);
    assert_eq!(code, 1);
    assert!(!text.contains(&token));
    let vulns = r["vulnerabilities"].as_array().unwrap();
    let found = vulns
        .iter()
        .find(|v| v["identifiers"][0]["type"] == "keyaudit_rule_id")
        .unwrap();
    assert_eq!(found["location"]["commit"]["sha"], commit.as_str());
    assert_eq!(found["location"]["file"], "deploy/prod/app.env");
    assert!(
        found["location"]["commit"]["author"]
            .as_str()
            .unwrap()
            .contains("alice@example.com")
    );
    // A 2019 token still at HEAD in 2026 is overdue for rotation: a vulnerability of its own.
    let overdue = vulns
        .iter()
        .find(|v| v["identifiers"][0]["value"] == "policy/rotation-overdue")
        .unwrap_or_else(|| panic!("no rotation-overdue in {vulns:#?}"));
    assert_eq!(overdue["identifiers"][0]["type"], "keyaudit_policy_rule");
    assert_eq!(overdue["location"]["file"], "deploy/prod/app.env");
}

#[test]
fn incomplete_scan_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("a.env"), "A=1\n").unwrap();
    // A dangling link, followed: a walk error that makes the scan incomplete.
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("missing"), dir.join("dangling")).unwrap();
    let (code, r, _) = gitlab(dir, &[".", "-L"]);
    if cfg!(unix) {
        assert_eq!(code, 3);
        let msgs = r["scan"]["messages"].as_array().unwrap();
        assert!(msgs[0]["value"].as_str().unwrap().contains("incomplete"));
    }
}
