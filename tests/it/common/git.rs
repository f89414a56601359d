//! A scratch git repository for tests, driven through the git CLI (building test input is
//! the one place the git command is used), isolated from the user's configuration.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch repository driven through the git CLI, isolated from the user's configuration.
pub struct Repo {
    pub _tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

impl Repo {
    pub fn new() -> Repo {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("repo");
        std::fs::create_dir(&dir).unwrap();
        let repo = Repo { _tmp: tmp, dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A scratch repository at `parent/name`, for runs over several repositories named as given
    /// from `parent` (`scan --git api billing`); `parent` must outlive it.
    pub fn new_in(parent: &Path, name: &str) -> Repo {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = parent.join(name);
        std::fs::create_dir(&dir).unwrap();
        let repo = Repo { _tmp: tmp, dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn git_cmd(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.args(args)
            .current_dir(dir)
            .env("HOME", self._tmp.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Alice Author")
            .env("GIT_AUTHOR_EMAIL", "alice@example.com")
            .env("GIT_COMMITTER_NAME", "Carol Committer")
            .env("GIT_COMMITTER_EMAIL", "carol@example.com")
            .env("GIT_AUTHOR_DATE", "2019-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2019-01-01T00:00:00Z");
        cmd
    }

    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_cmd(dir, args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.dir, args)
    }

    pub fn write(&self, path: &str, content: &str) {
        let p = self.dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    /// Commit everything with author and committer date `date` (RFC 3339); returns the id.
    pub fn commit(&self, date: &str, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.commit_staged(date, message)
    }

    /// Commit the index as it is.
    pub fn commit_staged(&self, date: &str, message: &str) -> String {
        let out = self
            .git_cmd(&self.dir, &["commit", "-q", "--allow-empty", "-m", message])
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("git commit");
        assert!(
            out.status.success(),
            "commit failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.git(&["rev-parse", "HEAD"])
    }

    /// Blob ids of every blob reachable from all refs, per `git rev-list --objects --all`.
    pub fn all_blob_ids(&self) -> Vec<String> {
        let listing = self.git(&["rev-list", "--objects", "--all"]);
        let mut ids = Vec::new();
        for line in listing.lines() {
            let id = line.split(' ').next().unwrap();
            if self.git(&["cat-file", "-t", id]) == "blob" {
                ids.push(id.to_string());
            }
        }
        ids.sort();
        ids.dedup();
        ids
    }
}

/// A clone as a new team has it: `main`, a checked-out feature branch, an unrelated branch that
/// adds a key, and tags on commits the feature branch does not contain. Returns the repository
/// and the token `main` had before the feature branched. Tokens are made from `seed + 1..=3`.
pub fn team_repository(seed: u64) -> (Repo, String) {
    let repo = Repo::new();
    let on_main = super::github_token("ghp", seed + 1);
    repo.write("README.md", "service\n");
    repo.write("legacy/old.env", &format!("TOKEN={on_main}\n"));
    repo.commit("2024-01-10T09:00:00Z", "initial");
    // A release candidate, tagged and then abandoned: its commit is on no branch.
    repo.git(&["checkout", "-q", "-b", "rc"]);
    repo.write(
        "release/creds.env",
        &format!("TOKEN={}\n", super::github_token("ghp", seed + 2)),
    );
    repo.commit("2024-01-20T09:00:00Z", "release candidate");
    repo.git(&["tag", "-a", "-m", "rc", "v0.9-rc1"]);
    repo.git(&["tag", "v0.9-lightweight"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["branch", "-q", "-D", "rc"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("src/app.py", "print('hello')\n");
    repo.commit("2024-02-01T09:00:00Z", "feature work");
    // Someone else's branch, newer than the feature's commits.
    repo.git(&["checkout", "-q", "-b", "other", "main"]);
    repo.write("keys/deploy.pem", &super::fresh_private_key());
    repo.commit("2024-02-05T09:00:00Z", "deploy key");
    // main moves on after the feature branched.
    repo.git(&["checkout", "-q", "main"]);
    repo.write(
        "ops/new.env",
        &format!("TOKEN={}\n", super::github_token("ghp", seed + 3)),
    );
    repo.commit("2024-02-03T09:00:00Z", "ops token");
    repo.git(&["checkout", "-q", "feature"]);
    (repo, on_main)
}
