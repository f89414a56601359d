//! The CI gate as `docs/github-actions.yml` and `docs/gitlab-ci.yml` run it on a pull request:
//! `scan --since <base> --baseline FILE -o REPORT` in a real repository with a feature branch.
//! It must pass on everything accepted (baseline, configuration allowlist, inline allow, what the
//! base branch already had) and fail on a new secret only, with reports GitHub and GitLab accept.

use crate::common;

use crate::common::git::Repo;
use crate::common::{github_token, run_in, validate_sarif};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;

#[test]
fn pull_request_gate_fails_on_new_secrets_only() {
    let repo = Repo::new();
    let accepted = github_token("ghp", 501);
    let on_main = github_token("ghp", 502);
    repo.write("config/app.env", &format!("TOKEN={accepted}\n"));
    repo.write("legacy/old.env", &format!("TOKEN={on_main}\n"));
    repo.write(
        ".keyaudit.toml",
        "[[allow]]\ndescription = \"fake tokens for the test suite\"\npaths = [\"tests/fixtures/\"]\n",
    );
    repo.commit("2024-01-10T09:00:00Z", "initial");
    // The team accepts what main has today.
    let r = run_in(
        &repo.dir,
        &[
            "baseline",
            "create",
            ".",
            "-q",
            "-o",
            ".keyaudit-baseline.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    repo.commit("2024-01-11T09:00:00Z", "baseline");

    // A branch that moves the accepted secret, adds a fixture token and an inline-allowed one.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        "config/app.env",
        &format!("# moved down\nA=1\nTOKEN={accepted}\n"),
    );
    repo.write(
        "tests/fixtures/fake.env",
        &format!("TOKEN={}\n", github_token("ghp", 503)),
    );
    repo.write(
        "docs/example.sh",
        &format!(
            "export GH_TOKEN={}  # keyaudit:allow (documentation)\n",
            github_token("ghp", 504)
        ),
    );
    repo.commit("2024-02-01T09:00:00Z", "feature work");

    let gate = |out: &str| {
        run_in(
            &repo.dir,
            &[
                "scan",
                "--since",
                "main",
                "--baseline",
                ".keyaudit-baseline.json",
                // Judge ages as of the branch's time: the tokens are not overdue yet.
                "--now",
                "2024-03-01",
                "-q",
                "-o",
                out,
            ],
        )
    };
    let r = gate("keyaudit.sarif");
    assert_eq!(r.code, 0, "nothing new: {}{}", r.stdout, r.stderr);
    validate_sarif(&repo.dir.join("keyaudit.sarif"));

    // Now the branch leaks a real one.
    let leaked = github_token("ghp", 505);
    repo.write(
        "src/deploy.sh",
        &format!("curl -H 'Authorization: token {leaked}'\n"),
    );
    let commit = repo.commit("2024-02-02T09:00:00Z", "deploy script");
    let r = gate("keyaudit.sarif");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let sarif_path = repo.dir.join("keyaudit.sarif");
    validate_sarif(&sarif_path);
    let sarif: Value = serde_json::from_str(&fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let results: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_none())
        .collect();
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/deploy.sh"
    );
    let text = fs::read_to_string(&sarif_path).unwrap();
    assert!(!text.contains(&leaked) && !text.contains(&accepted));

    // The GitLab job's report names the same finding and its commit.
    let r = gate("gl-secret-detection-report.json");
    assert_eq!(r.code, 1);
    let gl: Value = serde_json::from_str(
        &fs::read_to_string(repo.dir.join("gl-secret-detection-report.json")).unwrap(),
    )
    .unwrap();
    let vulns = gl["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 1, "{vulns:#?}");
    assert_eq!(vulns[0]["location"]["file"], "src/deploy.sh");
    assert_eq!(vulns[0]["location"]["commit"]["sha"], commit.as_str());
}

/// `scan -f json` with `args`; (exit code, report).
fn json_scan(repo: &Repo, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["scan", "-f", "json", "-q", "--now", "2024-03-01"];
    all.extend_from_slice(args);
    let r = run_in(&repo.dir, &all);
    assert!(matches!(r.code, 0 | 1), "exit {}: {}", r.code, r.stderr);
    (r.code, common::json(&r))
}

#[test]
fn since_and_range_scan_the_commits_git_log_lists_not_every_ref() {
    let (repo, on_main) = common::git::team_repository(600);
    // The repository really holds the stray secrets: a full history scan sees all four.
    let (code, all) = json_scan(&repo, &["--git", "."]);
    assert_eq!(code, 1);
    let mut paths: Vec<String> = common::by_path(&all, |_| ())
        .into_iter()
        .map(|p| p.0)
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "keys/deploy.pem",
            "legacy/old.env",
            "ops/new.env",
            "release/creds.env"
        ]
    );

    // A clean feature branch passes, whichever way the range is written.
    for args in [
        &["--since", "main"][..],
        &["--range", "main..feature"],
        &["--since", "main", "--ref", "HEAD"],
    ] {
        let (code, report) = json_scan(&repo, args);
        assert_eq!(code, 0, "{args:?}: {report:#}");
        assert!(
            report["findings"].as_array().unwrap().is_empty(),
            "{args:?}"
        );
        let walked = report["git"][0]["commits_walked"].as_u64().unwrap();
        assert_eq!(
            walked, 1,
            "{args:?}: git log main..feature lists one commit"
        );
    }

    // The feature branch adds a token, then edits the file around it.
    let leaked = github_token("ghp", 604);
    repo.write("src/settings.py", &format!("TOKEN = '{leaked}'\n"));
    let added = repo.commit("2024-02-10T09:00:00Z", "settings");
    repo.write(
        "src/settings.py",
        &format!("DEBUG = False\nTOKEN = '{leaked}'\n"),
    );
    repo.commit("2024-02-11T09:00:00Z", "debug off");
    let git_log = repo.git(&["log", "--format=%H", "main..HEAD"]);
    for args in [&["--since", "main"][..], &["--range", "main..feature"]] {
        let (code, report) = json_scan(&repo, args);
        assert_eq!(code, 1, "{args:?}");
        let found = common::by_path(&report, |f| {
            (
                f["git"]["commit"]["id"].as_str().unwrap().to_string(),
                f["git"]["present_at_head"].as_bool().unwrap(),
            )
        });
        assert_eq!(
            found,
            [("src/settings.py".to_string(), (added.clone(), true))],
            "{args:?}"
        );
        assert_eq!(
            report["git"][0]["commits_walked"].as_u64().unwrap(),
            git_log.lines().count() as u64
        );
        let rules: Vec<&str> = report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v["rule"].as_str())
            .collect();
        assert!(!rules.contains(&"secret-in-history"), "{args:?}: {rules:?}");
        assert!(!report.to_string().contains(&on_main));
    }
}

/// Every result's and policy violation's (uriBaseId, uri), and the run's originalUriBaseIds.
fn sarif_places(path: &std::path::Path) -> (BTreeSet<(String, String)>, BTreeMap<String, String>) {
    validate_sarif(path);
    let sarif: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let run = &sarif["runs"][0];
    let places = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["locations"].as_array().unwrap())
        .map(|l| {
            let a = &l["physicalLocation"]["artifactLocation"];
            (
                a["uriBaseId"].as_str().unwrap().to_string(),
                a["uri"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let bases = run["originalUriBaseIds"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["uri"].as_str().unwrap().to_string()))
        .collect();
    (places, bases)
}

fn file_uri(dir: &std::path::Path) -> String {
    format!("file://{}/", fs::canonicalize(dir).unwrap().display())
}

fn place(base: &str, uri: &str) -> (String, String) {
    (base.to_string(), uri.to_string())
}

#[test]
fn sarif_uris_are_relative_to_the_repository_top_for_a_subfolder_or_a_file() {
    let repo = Repo::new();
    repo.write("README.md", "app\n");
    repo.write("fixtures/crypto/deploy.pem", &common::fresh_private_key());
    repo.write(
        "fixtures/crypto/app.env",
        &format!("TOKEN={}\n", github_token("ghp", 701)),
    );
    repo.commit("2024-01-10T09:00:00Z", "fixtures");
    let top = ("%SRCROOT%".to_string(), file_uri(&repo.dir));

    let r = run_in(
        &repo.dir,
        &["scan", "fixtures/crypto", "-q", "-o", "sub.sarif"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let (places, bases) = sarif_places(&repo.dir.join("sub.sarif"));
    assert!(
        places.contains(&place("%SRCROOT%", "fixtures/crypto/app.env")),
        "{places:?}"
    );
    assert!(
        places.contains(&place("%SRCROOT%", "fixtures/crypto/deploy.pem")),
        "{places:?}"
    );
    assert!(
        places.iter().all(|p| p.1.starts_with("fixtures/crypto/")),
        "{places:?}"
    );
    assert_eq!(
        bases.into_iter().collect::<Vec<_>>(),
        std::slice::from_ref(&top)
    );
    // JSON keeps paths relative to the scanned folder, as the allowlist sees them.
    let r = run_in(&repo.dir, &["scan", "fixtures/crypto", "-q", "-f", "json"]);
    let paths: BTreeSet<String> = common::by_path(&common::json(&r), |_| ())
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert!(paths.contains("app.env"), "{paths:?}");

    // A single file, named from a folder below the top.
    let cwd = repo.dir.join("fixtures");
    let r = run_in(&cwd, &["scan", "crypto/app.env", "-q", "-o", "file.sarif"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let (places, bases) = sarif_places(&cwd.join("file.sarif"));
    assert_eq!(
        places.into_iter().collect::<Vec<_>>(),
        [place("%SRCROOT%", "fixtures/crypto/app.env")]
    );
    assert_eq!(bases.into_iter().collect::<Vec<_>>(), [top]);
}

#[test]
fn sarif_of_two_repositories_names_each_top_once() {
    let (first, second) = (Repo::new(), Repo::new());
    first.write(
        "a/first.env",
        &format!("TOKEN={}\n", github_token("ghp", 711)),
    );
    first.commit("2024-01-10T09:00:00Z", "first");
    second.write(
        "b/second.env",
        &format!("TOKEN={}\n", github_token("ghp", 712)),
    );
    second.commit("2024-01-11T09:00:00Z", "second");
    // One repository by absolute path, one relative to where the scan runs.
    let absolute = first.dir.display().to_string();
    let cwd = second._tmp.path();
    let r = run_in(
        cwd,
        &[
            "scan",
            "--git",
            &absolute,
            "repo",
            "-q",
            "-o",
            "multi.sarif",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let (places, bases) = sarif_places(&cwd.join("multi.sarif"));
    assert_eq!(
        places.into_iter().collect::<Vec<_>>(),
        [
            place("REPO0", "a/first.env"),
            place("REPO1", "b/second.env")
        ]
    );
    assert_eq!(
        bases.into_iter().collect::<Vec<_>>(),
        [
            ("REPO0".to_string(), file_uri(&first.dir)),
            ("REPO1".to_string(), file_uri(&second.dir))
        ]
    );
}
