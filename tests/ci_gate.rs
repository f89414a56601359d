//! The CI gate as `docs/github-actions.yml` and `docs/gitlab-ci.yml` run it on a pull request:
//! `scan --since <base> --baseline FILE -o REPORT` in a real repository with a feature branch.
//! It must pass on everything accepted (baseline, configuration allowlist, inline allow, what the
//! base branch already had) and fail on a new secret only, with reports GitHub and GitLab accept.

mod common;

use common::git::Repo;
use common::{github_token, run_in, validate_sarif};
use serde_json::Value;
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
