//! `keyaudit scan --git` end to end: real repositories with backdated commits, the real binary,
//! and the JSON and SARIF reports it writes.

use crate::common;

use crate::common::git::Repo;
use crate::common::{github_token, json, run_in, validate_sarif};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn scan(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["scan", "-f", "json", "-q"];
    args.extend_from_slice(extra);
    let r = run_in(dir, &args);
    assert!(
        matches!(r.code, 0 | 1),
        "exit {}: {}\n{}",
        r.code,
        r.stderr,
        r.stdout
    );
    (r.code, json(&r))
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().expect("findings")
}

/// (path, line, rule, fingerprint) of every finding, the identity of a secret at a place.
fn places(report: &Value) -> BTreeSet<(String, u64, String, String)> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn deleted_secret_is_reported_with_its_2020_commit_and_only_in_history() {
    let repo = Repo::new();
    let token = github_token("ghp", 11);
    repo.write("deploy.sh", &format!("export GITHUB_TOKEN={token}\n"));
    repo.write("README.md", "deploy tooling\n");
    let added = repo.commit("2020-03-01T12:00:00Z", "add deploy script");
    std::fs::remove_file(repo.dir.join("deploy.sh")).unwrap();
    repo.commit("2022-06-01T12:00:00Z", "remove deploy script");

    let (code, report) = scan(&repo.dir, &["--git", "."]);
    assert_eq!(code, 1, "a finding exits 1");
    let f = &findings(&report)[0];
    assert_eq!(findings(&report).len(), 1, "{report:#}");
    assert_eq!(f["rule_id"], "github-pat-classic");
    assert_eq!(f["location"]["path"], "deploy.sh");
    assert_eq!(f["location"]["start"]["line"], 1);
    let git = &f["git"];
    assert_eq!(git["commit"]["id"], added.as_str());
    assert_eq!(git["commit"]["author_date"], "2020-03-01T12:00:00Z");
    assert_eq!(git["commit"]["author_name"], "Alice Author");
    assert_eq!(git["present_at_head"], false);
    assert!(!report.to_string().contains(&token), "secret leaked");

    common::assert_schema_valid(&report);
    let run = &report["git"][0];
    assert_eq!(run["commits_walked"], 2);
    assert_eq!(run["shallow"], false);
    assert_eq!(report["complete"], true);

    // Without --git the same directory has nothing: the secret is only in history.
    let (code, report) = scan(&repo.dir, &["."]);
    assert_eq!(code, 0);
    assert!(findings(&report).is_empty());
}

#[test]
fn a_secret_kept_through_many_edits_is_one_finding_dated_by_its_first_commit() {
    let repo = Repo::new();
    let token = github_token("ghp", 51);
    let mut first = String::new();
    for i in 0..5 {
        repo.write(
            "settings.py",
            &format!("DEBUG = {i}\nGITHUB_TOKEN = \"{token}\"\n"),
        );
        let id = repo.commit(&format!("202{i}-02-01T00:00:00Z"), "edit settings");
        if i == 0 {
            first = id;
        }
    }
    let (_, report) = scan(&repo.dir, &["--git", "."]);
    assert_eq!(findings(&report).len(), 1, "{report:#}");
    let git = &findings(&report)[0]["git"];
    assert_eq!(git["commit"]["id"], first.as_str());
    assert_eq!(git["commit"]["author_date"], "2020-02-01T00:00:00Z");
    assert_eq!(git["present_at_head"], true, "a later edit still holds it");
    assert_eq!(report["git"][0]["blobs_scanned"], 5);
}

#[test]
fn a_secret_replaced_at_one_of_two_paths_is_at_head_only_where_it_still_is() {
    // One key committed for two services, then one service given its own: the old blob is
    // still at HEAD under checkout/, but refunds/ no longer holds it.
    let repo = Repo::new();
    let shared = github_token("ghp", 71);
    repo.write("checkout/app.env", &format!("GITHUB_TOKEN={shared}\n"));
    repo.write("refunds/app.env", &format!("GITHUB_TOKEN={shared}\n"));
    repo.commit("2024-01-01T00:00:00Z", "one token for both");
    let own = github_token("ghp", 72);
    repo.write("refunds/app.env", &format!("GITHUB_TOKEN={own}\n"));
    repo.commit("2024-02-01T00:00:00Z", "refunds: its own token");

    let (_, report) = scan(&repo.dir, &["--git", "."]);
    let mut at_head: Vec<(String, String, bool)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_string(),
                f["fingerprint"].as_str().unwrap().to_string(),
                f["git"]["present_at_head"].as_bool().unwrap(),
            )
        })
        .collect();
    at_head.sort();
    let fp = |path: &str, head: bool| {
        at_head
            .iter()
            .find(|(p, _, h)| p == path && *h == head)
            .map(|(_, f, _)| f.clone())
    };
    assert_eq!(at_head.len(), 3, "{report:#}");
    let old = fp("refunds/app.env", false).expect("the shared token, history only at refunds/");
    assert_eq!(
        fp("checkout/app.env", true),
        Some(old.clone()),
        "{report:#}"
    );
    assert_ne!(fp("refunds/app.env", true), Some(old), "{report:#}");
    // The inventory entry is still at HEAD, through checkout/.
    let entry = report["inventory"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["occurrences"].as_array().unwrap().len() == 2)
        .expect("the shared token's entry");
    assert_eq!(entry["present_at_head"], true);
}

#[test]
fn since_scans_only_what_the_branch_adds_and_unknown_revisions_exit_2() {
    let repo = Repo::new();
    repo.write("old.env", &format!("TOKEN={}\n", github_token("ghp", 21)));
    repo.commit("2021-01-01T00:00:00Z", "old secret");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("new.env", &format!("TOKEN={}\n", github_token("ghp", 22)));
    repo.commit("2023-01-01T00:00:00Z", "new secret");

    let (_, all) = scan(&repo.dir, &["--git", "."]);
    assert_eq!(findings(&all).len(), 2);
    let (code, branch) = scan(&repo.dir, &["--since", "main", "."]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = findings(&branch)
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["new.env"]);
    let (_, range) = scan(&repo.dir, &["--range", "main..feature", "."]);
    assert_eq!(places(&range), places(&branch));

    let r = run_in(&repo.dir, &["scan", "--since", "no-such-rev", "-q", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no-such-rev"), "{}", r.stderr);
    let r = run_in(&repo.dir, &["scan", "--range", "main", "-q", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn worktree_adds_uncommitted_files_and_reports_committed_ones_once() {
    let repo = Repo::new();
    repo.write("app.env", &format!("TOKEN={}\n", github_token("ghp", 31)));
    repo.commit("2022-01-01T00:00:00Z", "committed secret");
    repo.write("local.env", &format!("TOKEN={}\n", github_token("ghp", 32)));

    let (_, report) = scan(
        &repo.dir,
        &["--git", "--worktree", "--all-occurrences", "."],
    );
    common::assert_schema_valid(&report);
    let by_path: Vec<(&str, bool)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap(),
                f.get("git").is_some(),
            )
        })
        .collect();
    assert_eq!(by_path, [("app.env", true), ("local.env", false)]);
}

#[test]
fn work_tree_and_head_commit_find_the_same_secrets_at_the_same_lines() {
    let repo = Repo::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/project");
    copy_tree(&src, &repo.dir);
    repo.commit("2024-05-01T09:00:00Z", "import the fixture project");

    let (_, files) = scan(&repo.dir, &["."]);
    let (_, head) = scan(&repo.dir, &["--git", "--ref", "HEAD", "."]);
    assert!(findings(&files).len() >= 250);
    assert_eq!(places(&files), places(&head));
    assert!(
        findings(&head)
            .iter()
            .all(|f| f["git"]["present_at_head"] == true)
    );
}

#[test]
fn history_reports_are_identical_whatever_the_thread_count() {
    let repo = Repo::new();
    for i in 0..12u64 {
        repo.write(
            &format!("svc{}/config.env", i % 4),
            &format!("TOKEN={}\nN={i}\n", github_token("ghp", 100 + i)),
        );
        repo.commit(&format!("2021-0{}-01T00:00:00Z", 1 + i % 9), "churn");
    }
    let one = run_in(&repo.dir, &["scan", "--git", "-f", "json", "-j", "1", "."]);
    let two = run_in(&repo.dir, &["scan", "--git", "-f", "json", "-j", "2", "."]);
    assert_eq!(one.code, 1);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(findings(&json(&one)).len(), 12);
}

#[test]
fn sarif_carries_version_control_provenance_and_commit_fingerprints() {
    let repo = Repo::new();
    repo.write("ci.yml", &format!("token: {}\n", github_token("ghp", 41)));
    let commit = repo.commit("2020-07-04T10:00:00Z", "ci");
    let out = repo._tmp.path().join("report.sarif");
    let r = run_in(
        &repo.dir,
        &[
            "scan",
            "--git",
            "--all-occurrences",
            "-q",
            "-o",
            out.to_str().unwrap(),
            ".",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    validate_sarif(&out);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(
        run["versionControlProvenance"][0]["revisionId"],
        commit.as_str()
    );
    let result = &run["results"][0];
    assert_eq!(
        result["partialFingerprints"]["commitSha/v1"],
        commit.as_str()
    );
    assert_eq!(result["properties"]["authorDate"], "2020-07-04T10:00:00Z");
    assert_eq!(result["properties"]["presentAtHead"], true);
    assert_eq!(
        result["properties"]["occurrences"][0]["commit"]["id"],
        commit.as_str()
    );
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
