//! `scan --staged` and the installed pre-commit hook, through real `git add` / `git commit`.

use crate::common;

use crate::common::git::Repo;
use crate::common::{github_token, json, run_in};
use std::process::Command;

fn staged(repo: &Repo) -> serde_json::Value {
    let r = run_in(&repo.dir, &["scan", "--staged", "-f", "json", "-q"]);
    assert!(matches!(r.code, 0 | 1), "{}", r.stderr);
    json(&r)
}

fn lines(report: &serde_json::Value) -> Vec<(String, u64)> {
    common::by_path(report, |f| f["location"]["start"]["line"].as_u64().unwrap())
}

#[test]
fn staged_scan_reports_only_what_the_commit_adds() {
    let repo = Repo::new();
    let old = github_token("ghp", 71);
    repo.write("app.py", &format!("A = 1\nOLD = \"{old}\"\n"));
    repo.commit("2024-01-01T00:00:00Z", "existing secret");
    // nothing staged
    assert!(lines(&staged(&repo)).is_empty());
    // a new secret staged below the old one; the old one moved down a line is not new
    let new = github_token("ghp", 72);
    repo.write(
        "app.py",
        &format!("A = 1\nB = 2\nOLD = \"{old}\"\nNEW = \"{new}\"\n"),
    );
    repo.git(&["add", "app.py"]);
    // an unstaged edit adding another secret does not count
    let unstaged = github_token("ghp", 73);
    repo.write(
        "app.py",
        &format!("A = 1\nB = 2\nOLD = \"{old}\"\nNEW = \"{new}\"\nX = \"{unstaged}\"\n"),
    );
    assert_eq!(lines(&staged(&repo)), [("app.py".to_string(), 4)]);
}

#[test]
fn installed_hook_blocks_a_commit_with_a_secret_and_allows_clean_or_allowed_ones() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit("2024-01-01T00:00:00Z", "init");
    let r = run_in(&repo.dir, &["hook", "install"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hook = repo.dir.join(".git/hooks/pre-commit");
    assert!(std::fs::read_to_string(&hook).unwrap().contains("keyaudit"));

    let commit = |msg: &str| {
        let mut cmd: Command = repo.git_cmd(&repo.dir, &["commit", "-q", "-m", msg]);
        cmd.env("KEYAUDIT", common::bin());
        cmd.output().expect("git commit")
    };
    // a secret: blocked, with file, line and rule in the message
    let token = github_token("ghp", 74);
    repo.write("deploy.sh", &format!("export GITHUB_TOKEN={token}\n"));
    repo.git(&["add", "deploy.sh"]);
    let out = commit("add deploy script");
    assert!(!out.status.success(), "commit went through");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("deploy.sh"), "{said}");
    assert!(said.contains("github-pat-classic"), "{said}");
    assert!(said.contains("commit blocked"), "{said}");
    assert!(!said.contains(&token), "the hook printed the secret");
    // the same line with an inline allow: goes through
    repo.write(
        "deploy.sh",
        &format!("export GITHUB_TOKEN={token}  # keyaudit:allow test fixture\n"),
    );
    repo.git(&["add", "deploy.sh"]);
    assert!(commit("allowed fixture").status.success());
    // a clean change: goes through
    repo.write("README.md", "hello again\n");
    repo.git(&["add", "README.md"]);
    assert!(commit("docs").status.success());

    // a foreign hook is not replaced without --force
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    assert_eq!(run_in(&repo.dir, &["hook", "install"]).code, 2);
    assert_eq!(run_in(&repo.dir, &["hook", "install", "--force"]).code, 0);
}

#[test]
fn hook_install_honours_core_hooks_path() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", "tools/hooks"]);
    let r = run_in(&repo.dir, &["hook", "install"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(repo.dir.join("tools/hooks/pre-commit").is_file());
}

/// Whether the `pre-commit` framework is here; CI (which installs it) requires it.
fn have_pre_commit() -> bool {
    let Ok(version) = Command::new("pre-commit").arg("--version").output() else {
        assert!(
            std::env::var_os("KEYAUDIT_REQUIRE_VALIDATORS").is_none(),
            "pre-commit is not installed (.ci/run installs it)"
        );
        eprintln!("note: pre-commit not installed; skipped");
        return false;
    };
    assert!(version.status.success());
    true
}

/// `pre-commit run ARGS` in `repo`, isolated from the user's configuration and cache, with the
/// built keyaudit first on PATH (as `keyaudit`, for `language: system` hooks).
fn pre_commit(repo: &Repo, args: &[&str]) -> (bool, String) {
    let bin_dir = std::path::Path::new(common::bin())
        .parent()
        .expect("the binary's directory");
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let out = Command::new("pre-commit")
        .arg("run")
        .args(args)
        .current_dir(&repo.dir)
        .env("PATH", path)
        .env("HOME", repo._tmp.path())
        .env("PRE_COMMIT_HOME", repo._tmp.path().join("pc-cache"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("KEYAUDIT_FINGERPRINT_KEY")
        .output()
        .expect("pre-commit run");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

/// The `pre-commit` framework with a local hook that runs the built binary.
#[test]
fn pre_commit_framework_runs_keyaudit() {
    if !have_pre_commit() {
        return;
    }
    let repo = Repo::new();
    repo.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n- repo: local\n  hooks:\n  - id: keyaudit\n    name: keyaudit\n    \
             entry: {} scan --staged --quiet --color never\n    language: system\n    \
             pass_filenames: false\n    always_run: true\n",
            common::bin()
        ),
    );
    repo.write("README.md", "hello\n");
    repo.commit("2024-01-01T00:00:00Z", "init");
    repo.write("notes.txt", "nothing secret\n");
    repo.git(&["add", "notes.txt"]);
    let (clean, said) = pre_commit(&repo, &[]);
    assert!(clean, "{said}");
    repo.write("ci.env", &format!("TOKEN={}\n", github_token("ghp", 75)));
    repo.git(&["add", "ci.env"]);
    let (passed, out) = pre_commit(&repo, &[]);
    assert!(!passed, "{out}");
    assert!(
        out.contains("ci.env") && out.contains("github-pat-classic"),
        "{out}"
    );
}

/// A repository that publishes this project's `.pre-commit-hooks.yaml` as it is in the work
/// tree, for `repo:` to point at; returns it and its commit.
fn hooks_repository() -> (Repo, String) {
    let hooks = Repo::new();
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/.pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(manifest).expect(".pre-commit-hooks.yaml");
    hooks.write(".pre-commit-hooks.yaml", &text);
    let rev = hooks.commit("2024-01-01T00:00:00Z", "hooks");
    (hooks, rev)
}

/// The published hook ids, through the framework: `keyaudit-files` fails `--all-files` on a
/// secret committed long ago (which a staged scan never sees) and says what to do;
/// `keyaudit-system` runs the keyaudit on PATH and blocks a staged secret.
#[test]
fn published_hook_ids_catch_committed_and_staged_secrets() {
    if !have_pre_commit() {
        return;
    }
    let (hooks, rev) = hooks_repository();
    let repo = Repo::new();
    repo.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: keyaudit-system\n  \
             - id: keyaudit-files\n",
            hooks.dir.display()
        ),
    );
    let old = github_token("ghp", 76);
    repo.write("deploy.env", &format!("GITHUB_TOKEN={old}\n"));
    repo.write("README.md", "hello\n");
    repo.commit("2023-05-01T00:00:00Z", "deploy settings");

    let (passed, said) = pre_commit(&repo, &["--all-files"]);
    assert!(
        !passed,
        "--all-files passed with a committed secret: {said}"
    );
    assert!(said.contains("deploy.env"), "{said}");
    assert!(said.contains("github-pat-classic"), "{said}");
    assert!(
        said.contains("the files listed above contain secrets"),
        "{said}"
    );
    assert!(said.contains("rotate"), "{said}");
    assert!(!said.contains(&old), "the hook printed the secret");
    // The staged hook had nothing staged: it passed on its own line.
    let staged_line = said
        .lines()
        .find(|l| l.starts_with("keyaudit (staged changes; keyaudit on PATH)"))
        .unwrap_or_default();
    assert!(staged_line.ends_with("Passed"), "{said}");

    // keyaudit-system on a staged secret: blocked, with the advice for a commit.
    let new = github_token("ghp", 77);
    repo.write("app.py", &format!("TOKEN = \"{new}\"\n"));
    repo.git(&["add", "app.py"]);
    let (passed, said) = pre_commit(&repo, &["keyaudit-system"]);
    assert!(!passed, "{said}");
    assert!(
        said.contains("app.py") && said.contains("commit blocked"),
        "{said}"
    );
    assert!(!said.contains(&new), "the hook printed the secret");
    // Without the secret the same hook passes.
    repo.write("app.py", "TOKEN = None\n");
    repo.git(&["add", "app.py"]);
    let (passed, said) = pre_commit(&repo, &["keyaudit-system"]);
    assert!(passed, "{said}");
}
