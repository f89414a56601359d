//! The GitHub Action as GitHub runs it: the Scan step of `action.yml` (its `env:` mapping and its
//! `run:` line, read from the file itself) run by bash in a clone laid out as `actions/checkout`
//! leaves it, with the environment a runner gives. What decides keyaudit's command line is
//! `action-scan.sh`, the very file the step runs, so a change to either is tested here.

use crate::common;
use crate::common::git::Repo;
use crate::common::{github_token, validate_sarif};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Scan step of action.yml: its `env:` entries (name, expression) and its `run:` line.
fn scan_step() -> (Vec<(String, String)>, String) {
    let yml = fs::read_to_string(manifest_dir().join("action.yml")).expect("action.yml");
    let start = yml.find("\n    - name: Scan\n").expect("a step named Scan");
    let rest = &yml[start + 1..];
    let end = rest[1..].find("\n    - ").map_or(rest.len(), |e| e + 1);
    let step = &rest[..end];
    let mut env = Vec::new();
    let mut run = None;
    let mut in_env = false;
    for line in step.lines() {
        if let Some(r) = line.strip_prefix("      run: ") {
            assert!(!r.starts_with('|'), "the Scan step runs one line: {r}");
            run = Some(r.to_string());
        }
        if line.starts_with("      ") && !line.starts_with("        ") {
            in_env = line == "      env:";
        } else if in_env && let Some(entry) = line.strip_prefix("        ") {
            let (name, value) = entry.split_once(": ").expect("NAME: value");
            env.push((name.to_string(), value.to_string()));
        }
    }
    (env, run.expect("the Scan step's run line"))
}

/// Every input's default, as action.yml declares it.
fn input_defaults() -> BTreeMap<String, String> {
    let yml = fs::read_to_string(manifest_dir().join("action.yml")).expect("action.yml");
    let inputs =
        &yml[yml.find("\ninputs:\n").expect("inputs")..yml.find("\noutputs:\n").expect("outputs")];
    let mut defaults = BTreeMap::new();
    let mut name = String::new();
    for line in inputs.lines() {
        if let Some(n) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
            if !n.starts_with(' ') {
                name = n.to_string();
            }
        } else if let Some(d) = line.strip_prefix("    default: ") {
            defaults.insert(name.clone(), d.trim_matches('"').to_string());
        }
    }
    defaults
}

/// What GitHub knows about one run: the event and the action's inputs (unset ones default).
struct Event {
    name: &'static str,
    base_ref: &'static str,
    head_repo: &'static str,
    inputs: Vec<(&'static str, String)>,
}

impl Event {
    fn pull_request() -> Event {
        Event {
            name: "pull_request",
            base_ref: "main",
            head_repo: "acme/service",
            inputs: Vec::new(),
        }
    }

    fn push() -> Event {
        Event {
            name: "push",
            base_ref: "",
            head_repo: "",
            inputs: Vec::new(),
        }
    }

    /// The value GitHub substitutes for `${{ expr }}` in the step's env.
    fn evaluate(&self, expr: &str, tool_root: &Path) -> String {
        let mut inputs = input_defaults();
        for (k, v) in &self.inputs {
            inputs.insert(k.to_string(), v.clone());
        }
        let inner = expr
            .strip_prefix("${{ ")
            .and_then(|e| e.strip_suffix(" }}"))
            .unwrap_or_else(|| panic!("not an expression: {expr}"));
        if let Some(input) = inner.strip_prefix("inputs.") {
            return inputs.get(input).cloned().expect("a declared input");
        }
        match inner {
            "steps.build.outputs.root" => tool_root.display().to_string(),
            "github.base_ref" => self.base_ref.to_string(),
            "github.event.pull_request.head.repo.full_name" => self.head_repo.to_string(),
            "github.event_name" => self.name.to_string(),
            other => panic!("the test does not simulate `{other}`: add it"),
        }
    }
}

/// What the step left: its outputs (GITHUB_OUTPUT) and its log.
struct StepRun {
    outputs: BTreeMap<String, String>,
    log: String,
}

/// Run the Scan step in `workspace` as a runner would: bash with GitHub's flags, the step's env
/// evaluated for `event`, keyaudit installed where the build step puts it (and on PATH).
fn run_scan_step(workspace: &Path, home: &Path, event: &Event) -> StepRun {
    let (env, run) = scan_step();
    let bin_dir = Path::new(common::bin())
        .parent()
        .expect("binary's directory");
    let tool_root = home.join("toolcache/keyaudit/0123");
    fs::create_dir_all(tool_root.join("bin")).unwrap();
    let installed = tool_root.join("bin/keyaudit");
    if !installed.exists() {
        std::os::unix::fs::symlink(common::bin(), &installed).unwrap();
    }
    let output_file = home.join("github_output");
    fs::write(&output_file, "").unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &run])
        .current_dir(workspace)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GITHUB_ACTION_PATH", manifest_dir())
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_REPOSITORY", "acme/service")
        .env("GITHUB_EVENT_NAME", event.name)
        .env("GITHUB_BASE_REF", event.base_ref)
        .env("RUNNER_TOOL_CACHE", home.join("toolcache"));
    for (name, expr) in &env {
        cmd.env(name, event.evaluate(expr, &tool_root));
    }
    let out = cmd.output().expect("run bash");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The step itself always succeeds: the verdict travels in its exit-code output.
    assert!(out.status.success(), "the Scan step failed: {log}");
    let outputs = fs::read_to_string(&output_file)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    StepRun { outputs, log }
}

/// `actions/checkout` with fetch-depth 0 on a pull request: a clone (so `origin/*` and the tags
/// are real), detached at the merge of the PR branch into its base, as refs/pull/N/merge is.
fn pull_request_checkout(upstream: &Repo) -> PathBuf {
    let clone = upstream._tmp.path().join("workspace");
    upstream.git_in(
        upstream._tmp.path(),
        &[
            "clone",
            "-q",
            upstream.dir.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    upstream.git_in(&clone, &["checkout", "-q", "--detach", "origin/main"]);
    let merge = upstream
        .git_cmd(
            &clone,
            &[
                "merge",
                "-q",
                "--no-ff",
                "-m",
                "Merge feature into main",
                "origin/feature",
            ],
        )
        .env("GIT_AUTHOR_DATE", "2024-02-20T09:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-02-20T09:00:00Z")
        .output()
        .expect("git merge");
    assert!(
        merge.status.success(),
        "{}",
        String::from_utf8_lossy(&merge.stderr)
    );
    clone
}

fn sarif(path: &Path) -> Value {
    validate_sarif(path);
    serde_json::from_str(&fs::read_to_string(path).expect("SARIF written")).expect("SARIF is JSON")
}

/// Each result's (uriBaseId, uri).
fn places(sarif: &Value) -> Vec<(String, String)> {
    let mut places: Vec<(String, String)> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .flat_map(|r| r["locations"].as_array().expect("locations"))
        .map(|l| {
            let a = &l["physicalLocation"]["artifactLocation"];
            (
                a["uriBaseId"].as_str().unwrap_or("").to_string(),
                a["uri"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    places.sort();
    places.dedup();
    places
}

fn srcroot(uri: &str) -> (String, String) {
    ("%SRCROOT%".to_string(), uri.to_string())
}

#[test]
fn pull_request_passes_clean_and_fails_on_an_added_token() {
    let (upstream, _) = common::git::team_repository(800);
    let home = upstream._tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let workspace = pull_request_checkout(&upstream);

    let step = run_scan_step(&workspace, &home, &Event::pull_request());
    assert_eq!(step.outputs["exit-code"], "0", "{}", step.log);
    assert_eq!(step.outputs["category"], "keyaudit-pr");
    assert_eq!(step.outputs["upload"], "true");
    let report = sarif(&workspace.join("keyaudit.sarif"));
    // Neither main's tokens, nor the tag's, nor the other branch's key: only what the PR adds.
    assert_eq!(
        places(&report),
        Vec::<(String, String)>::new(),
        "{report:#}"
    );

    // The PR branch now adds a token; the merge commit is rebuilt as GitHub would.
    let leaked = github_token("ghp", 804);
    upstream.git(&["checkout", "-q", "feature"]);
    upstream.write("src/settings.py", &format!("TOKEN = '{leaked}'\n"));
    upstream.commit("2024-02-10T09:00:00Z", "settings");
    upstream.git(&["checkout", "-q", "main"]);
    fs::remove_dir_all(&workspace).unwrap();
    let workspace = pull_request_checkout(&upstream);
    let step = run_scan_step(&workspace, &home, &Event::pull_request());
    assert_eq!(step.outputs["exit-code"], "1", "{}", step.log);
    let path = workspace.join("keyaudit.sarif");
    let report = sarif(&path);
    assert_eq!(places(&report), [srcroot("src/settings.py")]);
    let text = fs::read_to_string(&path).unwrap();
    assert!(!text.contains(&leaked), "the secret is in the SARIF");
    assert!(!step.log.contains(&leaked), "the secret is in the log");

    // The same PR from a fork: the verdict stands, the upload is skipped with a notice.
    let fork = Event {
        head_repo: "mallory/service",
        ..Event::pull_request()
    };
    let step = run_scan_step(&workspace, &home, &fork);
    assert_eq!(step.outputs["exit-code"], "1");
    assert_eq!(step.outputs["upload"], "false");
    assert!(
        step.log.contains("::notice::keyaudit: not uploading SARIF"),
        "{}",
        step.log
    );
}

#[test]
fn push_scans_the_whole_history_under_its_own_category() {
    let (upstream, _) = common::git::team_repository(800);
    let home = upstream._tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let workspace = upstream._tmp.path().join("workspace");
    upstream.git_in(
        upstream._tmp.path(),
        &[
            "clone",
            "-q",
            upstream.dir.to_str().unwrap(),
            workspace.to_str().unwrap(),
        ],
    );

    let step = run_scan_step(&workspace, &home, &Event::push());
    assert_eq!(step.outputs["exit-code"], "1", "{}", step.log);
    assert_eq!(step.outputs["category"], "keyaudit-full");
    let report = sarif(&workspace.join("keyaudit.sarif"));
    // Every ref of the clone: main, the tag's commit, the other branch (origin/other).
    assert_eq!(
        places(&report),
        [
            srcroot("keys/deploy.pem"),
            srcroot("legacy/old.env"),
            srcroot("ops/new.env"),
            srcroot("release/creds.env"),
        ]
    );
    let top = report["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("%SRCROOT% declared");
    assert_eq!(
        top,
        format!(
            "file://{}/",
            fs::canonicalize(&workspace).unwrap().display()
        )
    );

    // A baseline at the top is used without being asked for: accept what the history has.
    let r = common::run_in(
        &workspace,
        &[
            "baseline",
            "create",
            "--git",
            ".",
            "-q",
            "-o",
            ".keyaudit-baseline.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let step = run_scan_step(&workspace, &home, &Event::push());
    assert_eq!(step.outputs["exit-code"], "0", "{}", step.log);

    // Input `args` replaces the command line, and a category input wins.
    let custom = Event {
        inputs: vec![
            ("args", "scan --git . --ref origin/main".to_string()),
            ("category", "mine".to_string()),
            ("sarif-file", "out/custom.sarif".to_string()),
        ],
        ..Event::push()
    };
    fs::create_dir_all(workspace.join("out")).unwrap();
    let step = run_scan_step(&workspace, &home, &custom);
    assert_eq!(step.outputs["exit-code"], "1", "{}", step.log);
    assert_eq!(step.outputs["category"], "mine");
    let report = sarif(&workspace.join("out/custom.sarif"));
    assert_eq!(
        places(&report),
        [srcroot("legacy/old.env"), srcroot("ops/new.env")]
    );
}
