//! Helpers shared by the integration tests: run the real binary, make real-format tokens.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_keyaudit")
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env_remove("KEYAUDIT_FINGERPRINT_KEY")
        .output()
        .expect("run keyaudit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run keyaudit in `dir` with `input` on standard input and extra environment variables.
pub fn run_with(dir: &Path, args: &[&str], input: &[u8], env: &[(&str, &str)]) -> Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env_remove("KEYAUDIT_FINGERPRINT_KEY")
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run keyaudit");
    if let Some(mut stdin) = child.stdin.take() {
        // A run that does not read its input closes the pipe early; that is not a failure.
        let _ = stdin.write_all(input);
    }
    let out = child.wait_with_output().expect("wait for keyaudit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run openssl in `dir` and return its standard output; test material is made by the real tool.
pub fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed by these tests");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A private key made by openssl now, in PEM.
pub fn fresh_private_key() -> String {
    let pem = openssl(
        std::path::Path::new("."),
        &["genpkey", "-algorithm", "ed25519"],
    );
    String::from_utf8(pem).expect("PEM is ASCII")
}

pub fn run(args: &[&str]) -> Run {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

pub fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", r.stdout, r.stderr))
}

/// Each finding of a JSON report as (path, what `field` takes from it).
pub fn by_path<T>(
    report: &serde_json::Value,
    field: impl Fn(&serde_json::Value) -> T,
) -> Vec<(String, T)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let path = f["location"]["path"].as_str().expect("path").to_string();
            (path, field(f))
        })
        .collect()
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Deterministic xorshift generator: tests need no RNG crate, and a failure reproduces.
pub struct Rng(pub u64);

impl Rng {
    /// Any seed works: zero (xorshift's one fixed point) is moved off it.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Deterministic pseudo-random base62 string.
pub fn random_base62(seed: u64, len: usize) -> String {
    let mut rng = Rng::new(seed);
    (0..len)
        .map(|_| BASE62[(rng.next() % 62) as usize] as char)
        .collect()
}

/// A GitHub-format token (`prefix_` + 30 random + base62 CRC32 of those 30, 6 chars).
pub fn github_token(prefix: &str, seed: u64) -> String {
    let random = random_base62(seed, 30);
    let mut n = crc32fast::hash(random.as_bytes());
    let mut crc = [b'0'; 6];
    for slot in crc.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    format!("{prefix}_{random}{}", String::from_utf8_lossy(&crc))
}

/// Validate a JSON report against the shipped schema.
pub fn assert_schema_valid(report: &serde_json::Value) {
    assert_valid_against("report.schema.json", report);
}

/// Validate `keyaudit diff -f json` or `keyaudit history -f json` output against
/// schema/changes.schema.json.
pub fn assert_changes_schema_valid(doc: &serde_json::Value) {
    assert_valid_against("changes.schema.json", doc);
}

/// Validate `doc` against the schema file `name` of schema/, which refers to no other.
fn assert_valid_against(name: &str, doc: &serde_json::Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(name);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema file"))
            .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "output does not match schema/{name}:\n{}",
        errors.join("\n")
    );
}

/// Validate `keyaudit inventory -f json` output against schema/inventory.schema.json, whose
/// entries refer to the report schema's definitions (registered under the report's `$id`).
pub fn assert_inventory_schema_valid(doc: &serde_json::Value) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema");
    let load = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("schema file"))
            .expect("schema JSON")
    };
    let report = load("report.schema.json");
    let id = report["$id"]
        .as_str()
        .expect("report schema $id")
        .to_string();
    let registry = jsonschema::Registry::new()
        .add(id, report)
        .expect("report schema registers")
        .prepare()
        .expect("registry prepares");
    let validator = jsonschema::options()
        .with_registry(&registry)
        .build(&load("inventory.schema.json"))
        .expect("inventory schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "inventory does not match schema/inventory.schema.json:\n{}",
        errors.join("\n")
    );
}

/// One validator run; a crash of the .NET multitool itself (`[multitool-runtime]`, seen under
/// heavy load) says nothing about the file, so it is tried again, twice at most.
fn run_validator(script: &Path, path: &Path) -> (Output, String) {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let out = Command::new("bash")
            .arg(script)
            .arg(path)
            .env(
                "SARIF_NO_SETUP",
                if std::env::var_os("KEYAUDIT_REQUIRE_VALIDATORS").is_some() {
                    "0"
                } else {
                    "1"
                },
            )
            .output()
            .expect("run validator");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() || !text.contains("[multitool-runtime]") || attempt == 3 {
            return (out, text);
        }
        eprintln!("note: the SARIF multitool crashed (attempt {attempt}); running it again");
    }
}

/// Run the shared SARIF validator on a file. Returns false (and says why) when the validator is
/// not installed, unless KEYAUDIT_REQUIRE_VALIDATORS is set (CI sets it), then it fails.
pub fn validate_sarif(path: &Path) -> bool {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/validate-sarif.sh");
    if !script.exists() {
        assert!(
            std::env::var_os("KEYAUDIT_REQUIRE_VALIDATORS").is_none(),
            "validator {} missing but KEYAUDIT_REQUIRE_VALIDATORS is set",
            script.display()
        );
        eprintln!(
            "note: {} not found; SARIF validation skipped",
            script.display()
        );
        return false;
    }
    let (out, text) = run_validator(&script, path);
    if !out.status.success()
        && text.contains("[setup]")
        && std::env::var_os("KEYAUDIT_REQUIRE_VALIDATORS").is_none()
    {
        eprintln!("note: SARIF validator not set up; skipped:\n{text}");
        return false;
    }
    assert!(
        out.status.success(),
        "SARIF validation failed for {}:\n{text}",
        path.display()
    );
    true
}

/// A user rule file for tests that exercise the engine and CLI independently of built-in rules.
pub const TEST_RULES: &str = r#"
[[rules]]
id = "test-github-pat"
name = "GitHub personal access token (classic)"
description = "A GitHub classic personal access token."
category = "vcs"
severity = "high"
keywords = ["ghp_"]
pattern = '''\b(?P<secret>ghp_[A-Za-z0-9]{36})\b'''
validator = "github-crc32"
examples = ["t = 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"]

[[rules]]
id = "test-low-thing"
name = "Low severity test token"
description = "A made-up low-severity token for exit-code tests."
category = "test"
severity = "low"
keywords = ["lowtok_"]
pattern = '''\b(?P<secret>lowtok_[a-z0-9]{12})\b'''
examples = ["lowtok_abcdef123456"]
"#;
pub mod git;
