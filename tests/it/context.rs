//! The gate follows the context: a repository whose only credentials are test fixtures and
//! documentation examples passes the default gate with every finding still reported; the same
//! key in application configuration fails it; a checksummed token fails it anywhere.

use crate::common;

use crate::common::git::Repo;
use crate::common::{github_token, json, run_in};
use std::path::Path;

/// A real RSA key made by openssl, in PKCS#1 PEM.
fn rsa_key(dir: &Path) -> String {
    let pem = common::openssl(dir, &["genrsa", "-traditional", "2048"]);
    String::from_utf8(pem).expect("PEM is ASCII")
}

/// A repository holding credentials only in tests, docs and examples.
fn fixtures_only_repo() -> (Repo, String) {
    let repo = Repo::new();
    let key = rsa_key(repo._tmp.path());
    repo.write("src/app.py", "import os\nTOKEN = os.environ['API_TOKEN']\n");
    repo.write("tests/fixtures/server.key", &key);
    repo.write(
        "internal/auth/client_test.go",
        "package auth\n\nconst testPassword = \"Q9v!x2Lr-Zt7wPq\"\n",
    );
    repo.write(
        "docs/setup.md",
        "Connect with:\n\n    postgres://app:Hs83kdPq29xZ@db.internal:5432/app\n",
    );
    repo.write(
        ".env.example",
        "SECRET_KEY=\"b7Jq2LmX9pWz4RtY8vNc3KdF6hGs1QaE\"\n",
    );
    repo.commit("2024-03-01T10:00:00Z", "app with fixtures");
    (repo, key)
}

fn contexts_of(report: &serde_json::Value) -> Vec<(String, String, bool)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().expect("path").to_string(),
                f["context"].as_str().expect("context").to_string(),
                f["gating"].as_bool().expect("gating"),
            )
        })
        .collect()
}

#[test]
fn fixtures_and_docs_are_reported_but_do_not_fail_the_default_gate() {
    let (repo, _) = fixtures_only_repo();
    let r = run_in(&repo.dir, &["scan", ".", "-f", "json", "--no-config"]);
    assert_eq!(
        r.code, 0,
        "fixtures-only repository must pass: {}",
        r.stdout
    );
    let report = json(&r);
    common::assert_schema_valid(&report);
    let found = contexts_of(&report);
    for (path, ctx) in [
        ("tests/fixtures/server.key", "test"),
        ("internal/auth/client_test.go", "test"),
        ("docs/setup.md", "docs"),
        (".env.example", "example"),
    ] {
        assert!(
            found.iter().any(|(p, c, g)| p == path && c == ctx && !g),
            "{path} reported as a non-gating {ctx} finding: {found:?}"
        );
    }
    // The policy still judges the key (unencrypted private key) but does not gate on it.
    let violations = report["violations"].as_array().expect("violations");
    assert!(!violations.is_empty());
    assert!(violations.iter().all(|v| v["gating"] == false));
    // History agrees with the tree.
    let h = run_in(&repo.dir, &["scan", "--git", "-f", "json", "--no-config"]);
    assert_eq!(h.code, 0, "{}", h.stdout);
    // Asking for every context turns them back into failures.
    let all = run_in(
        &repo.dir,
        &["scan", ".", "--fail-contexts", "all", "--no-config"],
    );
    assert_eq!(all.code, 1, "{}", all.stdout);
}

#[test]
fn the_same_key_in_application_config_fails_and_its_violations_gate() {
    let (repo, key) = fixtures_only_repo();
    repo.write("config/prod/server.key", &key);
    repo.commit("2024-04-01T10:00:00Z", "ship the test key");
    let r = run_in(&repo.dir, &["scan", ".", "-f", "json", "--no-config"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let report = json(&r);
    let found = contexts_of(&report);
    assert!(found.contains(&("config/prod/server.key".into(), "code".into(), true)));
    assert!(found.contains(&("tests/fixtures/server.key".into(), "test".into(), false)));
    // One inventory entry for the key, in both contexts, and its violations gate.
    let entry = report["inventory"]
        .as_array()
        .expect("inventory")
        .iter()
        .find(|e| e["kind"] == "private-key")
        .expect("private key entry");
    assert_eq!(entry["contexts"], serde_json::json!(["code", "test"]));
    assert_eq!(entry["gating"], true);
    let unencrypted = report["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .find(|v| v["rule"] == "unencrypted-private-key")
        .expect("violation");
    assert_eq!(unencrypted["gating"], true);
}

#[test]
fn a_checksummed_token_in_a_test_file_fails_the_gate() {
    let (repo, _) = fixtures_only_repo();
    let token = github_token("ghp", 4242);
    repo.write(
        "tests/test_client.py",
        &format!("CLIENT = Github(\"{token}\")\n"),
    );
    repo.commit("2024-05-01T10:00:00Z", "a real token in a test");
    let r = run_in(&repo.dir, &["scan", ".", "-f", "json", "--no-config"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let report = json(&r);
    let f = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "github-pat-classic")
        .expect("token found");
    assert_eq!(f["context"], "test");
    assert_eq!(f["proof"], "checksum");
    assert_eq!(f["gating"], true);
    // A token with a broken checksum is no GitHub token at all.
    let mut broken = token.clone();
    broken.pop();
    broken.push(if token.ends_with('A') { 'B' } else { 'A' });
    repo.write(
        "tests/test_client.py",
        &format!("CLIENT = Github(\"{broken}\")\n"),
    );
    let r = run_in(&repo.dir, &["scan", ".", "--no-config"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_subfolder_scan_is_judged_from_the_repository_top() {
    let (repo, _) = fixtures_only_repo();
    let r = run_in(
        &repo.dir.join("tests"),
        &["scan", "fixtures", "-f", "json", "--no-config"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let found = contexts_of(&json(&r));
    assert_eq!(found, vec![("server.key".into(), "test".into(), false)]);
    // A single file given by path, too.
    let r = run_in(
        &repo.dir,
        &[
            "scan",
            "tests/fixtures/server.key",
            "-f",
            "json",
            "--no-config",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn contexts_and_the_gate_are_configurable() {
    let (repo, _) = fixtures_only_repo();
    repo.write(
        ".keyaudit.toml",
        "[scan]\nfail-contexts = [\"code\", \"docs\"]\n\n[contexts]\ntest = [\"internal/**/*_test.go\"]\n",
    );
    let r = run_in(&repo.dir, &["scan", ".", "-f", "json"]);
    // docs gates now; tests/fixtures is no longer a test folder (the list was replaced).
    assert_eq!(r.code, 1, "{}", r.stdout);
    let found = contexts_of(&json(&r));
    assert!(found.contains(&("docs/setup.md".into(), "docs".into(), true)));
    assert!(found.contains(&("tests/fixtures/server.key".into(), "code".into(), true)));
    assert!(found.contains(&("internal/auth/client_test.go".into(), "test".into(), false)));
    // The command line wins over the file.
    let r = run_in(&repo.dir, &["scan", ".", "--fail-contexts", "example"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let r = run_in(&repo.dir, &["scan", "src", "--fail-contexts", "vendor"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // A bad context name is an error with its place.
    repo.write(".keyaudit.toml", "[contexts]\ntests = [\"x/**\"]\n");
    let r = run_in(&repo.dir, &["scan", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(".keyaudit.toml:2:1"), "{}", r.stderr);
}

#[test]
fn sarif_marks_non_gating_results_as_notes_with_their_severity() {
    let (repo, _) = fixtures_only_repo();
    let out = repo._tmp.path().join("r.sarif");
    let r = run_in(
        &repo.dir,
        &[
            "scan",
            ".",
            "--no-config",
            "-o",
            out.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("sarif")).expect("json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let key = results
        .iter()
        .find(|r| r["ruleId"] == "crypto-private-key")
        .expect("key result");
    assert_eq!(key["level"], "note");
    assert_eq!(key["properties"]["severity"], "critical");
    assert_eq!(key["properties"]["context"], "test");
    assert!(
        key["properties"]["tags"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t == "context:test"))
    );
    common::validate_sarif(&out);
}
