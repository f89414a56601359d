//! `.keyaudit.toml`: discovery, strict errors with file and line, allowlists (fingerprint, secret
//! regex, path, rule), excludes, disabled rules, rule paths and the exit threshold, through the
//! real binary on file trees and real git repositories.

use crate::common;

use crate::common::git::Repo;
use crate::common::{github_token, json, run_in};
use std::fs;
use std::path::Path;

fn findings(report: &serde_json::Value) -> Vec<(String, String)> {
    common::by_path(report, |f| f["rule_id"].as_str().unwrap().to_string())
}

fn scan_json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec!["scan", "-f", "json", "-q"];
    args.extend_from_slice(extra);
    let r = run_in(dir, &args);
    assert!(matches!(r.code, 0 | 1), "exit {}: {}", r.code, r.stderr);
    let report = json(&r);
    common::assert_schema_valid(&report);
    (r.code, report, r.stdout)
}

#[test]
fn bad_keys_and_types_exit_2_naming_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("app.env"), "A=1\n").unwrap();
    let cases: &[(&str, u32, &str)] = &[
        (
            "[scan]\nfail-on = \"high\"\nexlude = [\"x\"]\n",
            3,
            "unknown field `exlude`",
        ),
        ("[scan]\nfail-on = 3\n", 2, "invalid type"),
        // The value is not quoted back (it could be a password typed into the wrong key).
        (
            "[scan]\nfail-on = \"urgent\"\n",
            2,
            "unknown severity \"…\"",
        ),
        (
            "# policy\n[policy.rotation-overdue]\nsecret-days = \"soon\"\n",
            3,
            "invalid type",
        ),
        (
            "[policy.no-such-rule]\nenabled = false\n",
            1,
            "no-such-rule",
        ),
        (
            "[[allow]]\npaths = [\"x/\"]\nsecrets = [\"(unclosed\"]\n",
            3,
            "regex",
        ),
        (
            "[[allow]]\nfingerprints = [\"sha256:abc\"]\n",
            2,
            "fingerprint",
        ),
        (
            "[rules]\ndisable = [\"github-pat-clasic\"]\n",
            2,
            "no rule matches",
        ),
        (
            "[rules]\npaths = [\"missing-rules/\"]\n",
            2,
            "does not exist",
        ),
        (
            "[services]\nfolders = [\"apps/*/\", \"services/\"]\n",
            2,
            "folder pattern \"services/\" names no service",
        ),
        (
            "[services.named]\nbilling = [\"deploy/[z-a/\"]\n",
            2,
            "bad glob \"deploy/[z-a/\"",
        ),
        (
            "[services]\nfolder = [\"apps/*/\"]\n",
            2,
            "unknown field `folder`",
        ),
        (
            "[policy.service-reuse]\nenabled = \"yes\"\n",
            2,
            "invalid type",
        ),
    ];
    for (text, line, what) in cases {
        fs::write(dir.join(".keyaudit.toml"), text).unwrap();
        for args in [&["scan", "."][..], &["config", "check"][..]] {
            let r = run_in(dir, args);
            assert_eq!(r.code, 2, "{args:?} on {text:?}: {}", r.stderr);
            assert!(
                r.stderr.contains(&format!(".keyaudit.toml:{line}:")),
                "{args:?} on {text:?}: no file:line in {}",
                r.stderr
            );
            assert!(r.stderr.contains(what), "{text:?}: {}", r.stderr);
        }
    }
    // --config names another file: its errors name it
    fs::write(dir.join("other.toml"), "[scan]\n\nbogus = 1\n").unwrap();
    let r = run_in(dir, &["scan", ".", "--config", "other.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("other.toml:3:"), "{}", r.stderr);
    // --no-config ignores the broken file
    let r = run_in(dir, &["scan", ".", "--no-config", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // and a missing explicit file is an error too
    let r = run_in(dir, &["scan", ".", "--config", "nope.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope.toml"), "{}", r.stderr);
}

#[test]
fn allowlists_by_fingerprint_secret_regex_path_and_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keep = github_token("ghp", 301);
    let by_fp = github_token("ghp", 302);
    let by_regex = github_token("ghp", 303);
    let in_fixture = github_token("ghp", 304);
    fs::write(
        dir.join("app.env"),
        format!("TOKEN={keep}\nOTHER={by_fp}\n"),
    )
    .unwrap();
    fs::write(dir.join("ci.env"), format!("TOKEN={by_regex}\n")).unwrap();
    fs::create_dir_all(dir.join("tests/fixtures")).unwrap();
    fs::write(
        dir.join("tests/fixtures/creds.env"),
        format!("TOKEN={in_fixture}\npassword = \"Zq8!vR2#kLm9@wXp\"\n"),
    )
    .unwrap();

    let (code, before, _) = scan_json(dir, &["."]);
    assert_eq!(code, 1);
    let all = findings(&before);
    assert!(all.contains(&("tests/fixtures/creds.env".into(), "generic-password".into())));
    assert_eq!(
        all.iter()
            .filter(|(_, r)| r == "github-pat-classic")
            .count(),
        4,
        "{all:?}"
    );
    // The fingerprint to accept comes from a report, as a user would copy it.
    let fp = before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["path"] == "app.env" && f["location"]["start"]["line"] == 2)
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let regex_tail = &by_regex[by_regex.len() - 10..];
    fs::write(
        dir.join(".keyaudit.toml"),
        format!(
            "[[allow]]\ndescription = \"rotated, accepted\"\nfingerprints = [\"{fp}\"]\n\n\
             [[allow]]\ndescription = \"the CI sandbox token\"\nsecrets = ['{regex_tail}$']\n\n\
             [[allow]]\ndescription = \"generic matches in fixtures only\"\n\
             paths = [\"tests/fixtures/\"]\nrules = [\"generic-*\"]\n"
        ),
    )
    .unwrap();
    let (code, after, text) = scan_json(dir, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&after),
        [
            ("app.env".to_string(), "github-pat-classic".to_string()),
            // path + rule: the GitHub token in the fixture is still reported
            (
                "tests/fixtures/creds.env".to_string(),
                "github-pat-classic".to_string()
            ),
        ]
    );
    assert_eq!(after["summary"]["allowed_by_config"], 3);
    // The secret regex needed secrets in clear inside the scan; none reached the report.
    for s in [&keep, &by_fp, &by_regex, &in_fixture] {
        assert!(!text.contains(s.as_str()), "secret in clear in the report");
    }
    // Allowed findings feed no inventory entry either.
    let inv = after["inventory"].as_array().unwrap();
    assert_eq!(inv.len(), 2, "{inv:#?}");
    // --show-secrets still works with an allowlist
    let (_, shown, _) = scan_json(dir, &[".", "--show-secrets"]);
    assert!(shown.to_string().contains(&keep));
}

#[test]
fn found_from_a_subdirectory_with_paths_relative_to_the_file() {
    let repo = Repo::new();
    let t1 = github_token("ghp", 311);
    let t2 = github_token("ghp", 312);
    repo.write("src/app.env", &format!("TOKEN={t1}\n"));
    repo.write("src/tests/fake.env", &format!("TOKEN={t2}\n"));
    repo.write("vendor/lib.env", &format!("TOKEN={t2}\n"));
    repo.write(
        ".keyaudit.toml",
        "[scan]\nexclude = [\"/vendor/\"]\n[[allow]]\npaths = [\"/src/tests/\"]\n",
    );
    repo.commit("2024-03-01T00:00:00Z", "add");
    // From the repository root, from a subdirectory, and from inside the subdirectory.
    let (_, at_root, _) = scan_json(&repo.dir, &["."]);
    assert_eq!(
        findings(&at_root),
        [("src/app.env".to_string(), "github-pat-classic".to_string())]
    );
    assert_eq!(at_root["summary"]["allowed_by_config"], 1);
    let (_, sub, _) = scan_json(&repo.dir, &["src"]);
    assert_eq!(
        findings(&sub),
        [("app.env".to_string(), "github-pat-classic".to_string())]
    );
    let (_, inside, _) = scan_json(&repo.dir.join("src"), &["."]);
    assert_eq!(findings(&inside), findings(&sub));
    // History: the same file applies, excluded paths included.
    let (_, hist, _) = scan_json(&repo.dir, &["--git", "."]);
    assert_eq!(
        findings(&hist),
        [("src/app.env".to_string(), "github-pat-classic".to_string())]
    );
    // Staged: a new secret in an allowed path does not block, elsewhere it does.
    repo.write(
        "src/tests/more.env",
        &format!("X={}\n", github_token("ghp", 313)),
    );
    repo.git(&["add", "-A"]);
    let r = run_in(&repo.dir, &["scan", "--staged", "-q"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    repo.write("src/more.env", &format!("X={}\n", github_token("ghp", 314)));
    repo.git(&["add", "-A"]);
    let r = run_in(&repo.dir, &["scan", "--staged", "-q"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("src/more.env"), "{}", r.stdout);
    // Outside any repository the file is looked for in the scanned root only.
    let outer = tempfile::tempdir().unwrap();
    fs::write(
        outer.path().join(".keyaudit.toml"),
        "[[allow]]\npaths = [\"*\"]\n",
    )
    .unwrap();
    fs::create_dir(outer.path().join("inner")).unwrap();
    fs::write(outer.path().join("inner/a.env"), format!("T={t1}\n")).unwrap();
    let (code, r, _) = scan_json(outer.path(), &["inner"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&r).len(), 1);
}

#[test]
fn rules_paths_disable_builtin_and_fail_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::create_dir(dir.join("ci-rules")).unwrap();
    fs::write(dir.join("ci-rules/test.toml"), common::TEST_RULES).unwrap();
    fs::write(
        dir.join("app.env"),
        format!(
            "LOW=lowtok_abcdef123456\nTOKEN={}\njwt = eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dGhpc2lzYXNpZ25hdHVyZQ\n",
            github_token("ghp", 321)
        ),
    )
    .unwrap();
    let rules_of = |report: &serde_json::Value| -> Vec<String> {
        let mut v: Vec<String> = findings(report).into_iter().map(|(_, r)| r).collect();
        v.sort();
        v
    };
    // Built-ins off, the project's rules directory on: only its rules fire.
    fs::write(
        dir.join(".keyaudit.toml"),
        "[scan]\nexclude = [\"ci-rules/\"]\n[rules]\nbuiltin = false\npaths = [\"ci-rules\"]\n",
    )
    .unwrap();
    let (_, r, _) = scan_json(dir, &["."]);
    assert_eq!(rules_of(&r), ["test-github-pat", "test-low-thing"]);
    let check = run_in(dir, &["config", "check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check.stdout.contains("2 from rule paths"),
        "{}",
        check.stdout
    );

    // Disable by id and by glob; the threshold comes from the file, the command line wins.
    fs::write(
        dir.join(".keyaudit.toml"),
        "[scan]\nfail-on = \"high\"\nexclude = [\"ci-rules/\"]\n[rules]\npaths = [\"ci-rules\"]\ndisable = [\"github-*\", \"test-github-pat\"]\n",
    )
    .unwrap();
    let (code, r, _) = scan_json(dir, &["."]);
    let rules = rules_of(&r);
    assert!(!rules.iter().any(|r| r.contains("github")), "{rules:?}");
    assert!(rules.contains(&"test-low-thing".to_string()), "{rules:?}");
    let worst = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert!(
        !worst.iter().any(|s| s == "high" || s == "critical"),
        "{worst:?}"
    );
    assert_eq!(code, 0, "fail-on high from the file: {worst:?}");
    let (code, _, _) = scan_json(dir, &[".", "--fail-on", "low"]);
    assert_eq!(code, 1);
}

#[test]
fn default_threshold_never_fails_on_notes() {
    // A committed certificate is reported (a note) but is no secret: it must not block a commit.
    let tmp = tempfile::tempdir().unwrap();
    // A CA certificate: no policy rule judges it a problem (CAs are exempt from the leaf
    // validity limit), so only the note itself is there.
    let cert =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crypto/ca.crt"))
            .unwrap();
    fs::write(tmp.path().join("ca.crt"), cert).unwrap();
    let (code, r, _) = scan_json(tmp.path(), &["."]);
    let sev: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert!(
        !sev.is_empty() && sev.iter().all(|s| *s == "note"),
        "{sev:?}"
    );
    assert_eq!(code, 0);
    let (code, _, _) = scan_json(tmp.path(), &[".", "--fail-on", "note"]);
    assert_eq!(code, 1);
}

#[test]
fn the_documented_example_configuration_is_valid() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/keyaudit.toml");
    let tmp = tempfile::tempdir().unwrap();
    fs::copy(&example, tmp.path().join(".keyaudit.toml")).unwrap();
    let r = run_in(tmp.path(), &["config", "check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("ok"), "{}", r.stdout);
}
