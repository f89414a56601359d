//! The inventory and the policy end to end: a repository with backdated history, real keys and
//! certificates from `fixtures/crypto`, real-format tokens, and `--now` fixed so nothing rots.

use crate::common;

use crate::common::git::Repo;
use crate::common::{github_token, json, run_in};
use serde_json::Value;
use std::path::Path;

const NOW: &str = "2026-11-24";

fn crypto(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/crypto")
            .join(name),
    )
    .unwrap()
}

fn put(repo: &Repo, path: &str, data: &[u8]) {
    let p = repo.dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

fn audit(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--git", "-f", "json", "-q", "--now", NOW];
    args.extend_from_slice(extra);
    args.push(".");
    let r = run_in(dir, &args);
    assert!(matches!(r.code, 0 | 1), "exit {}: {}", r.code, r.stderr);
    let report = json(&r);
    common::assert_schema_valid(&report);
    report
}

/// (rule, path of the first location) of every violation.
fn violations(report: &Value) -> Vec<(String, String)> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["rule"].as_str().unwrap().to_string(),
                v["locations"][0][0].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(report: &Value, rule: &str, path: &str) -> bool {
    violations(report)
        .iter()
        .any(|(r, p)| r == rule && p == path)
}

fn entry_at<'a>(report: &'a Value, kind: &str, path: &str) -> &'a Value {
    report["inventory"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["kind"] == kind
                && e["occurrences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|o| o["path"] == path)
        })
        .unwrap_or_else(|| panic!("no {kind} entry at {path}"))
}

#[test]
fn every_policy_rule_fires_where_it_should_and_only_there() {
    let repo = Repo::new();
    let old = github_token("ghp", 61);
    let recent = github_token("ghp", 62);
    let gone = github_token("ghp", 63);
    // 2019: one token in dev and prod (env-reuse, rotation-overdue), a weak and an encrypted key.
    put(
        &repo,
        "deploy/prod/app.env",
        format!("GITHUB_TOKEN={old}\n").as_bytes(),
    );
    put(
        &repo,
        "deploy/dev/app.env",
        format!("GITHUB_TOKEN={old}\n").as_bytes(),
    );
    put(&repo, "keys/legacy.pem", &crypto("rsa1024.pkcs1.pem"));
    put(
        &repo,
        "keys/protected.pem",
        &crypto("rsa2048.pkcs8-enc.pem"),
    );
    // the same public certificate in dev and prod is fine
    put(&repo, "deploy/prod/tls/ca.crt", &crypto("ca.crt"));
    put(&repo, "deploy/dev/tls/ca.crt", &crypto("ca.crt"));
    repo.commit("2019-03-02T10:00:00Z", "initial deploy config");
    // 2021: a token that is later removed (secret-in-history)
    put(
        &repo,
        "scripts/sync.sh",
        format!("TOKEN={gone}\n").as_bytes(),
    );
    repo.commit("2021-05-01T10:00:00Z", "sync script");
    std::fs::remove_file(repo.dir.join("scripts/sync.sh")).unwrap();
    repo.commit("2022-02-01T10:00:00Z", "drop sync script");
    // 2025-11: a token one year old (not overdue), certificates
    put(
        &repo,
        "config/staging/app.env",
        format!("GITHUB_TOKEN={recent}\n").as_bytes(),
    );
    put(&repo, "certs/expired.crt", &crypto("expired.crt"));
    put(&repo, "certs/long.crt", &crypto("farfuture.crt"));
    put(&repo, "certs/sha1.crt", &crypto("sha1-selfsigned.crt"));
    put(&repo, "certs/modern.crt", &crypto("server.crt"));
    repo.commit("2025-11-24T10:00:00Z", "staging and certificates");

    let report = audit(&repo.dir, &[]);

    // rotation-overdue: the 2019 token (still at HEAD) yes, the 2025 one no
    assert!(has(&report, "rotation-overdue", "deploy/dev/app.env"));
    assert!(!has(&report, "rotation-overdue", "config/staging/app.env"));
    let msg = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "rotation-overdue" && v["locations"][0][0] == "deploy/dev/app.env")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("2019-03-02"), "{msg}");
    // env-reuse: the token in dev and prod yes; the certificate in dev and prod no
    assert!(has(&report, "env-reuse", "deploy/dev/app.env"));
    assert!(
        !violations(&report)
            .iter()
            .any(|(r, p)| r == "env-reuse" && p.ends_with("ca.crt"))
    );
    // secret-in-history: the removed token yes, the live ones no
    assert!(has(&report, "secret-in-history", "scripts/sync.sh"));
    assert!(!has(&report, "secret-in-history", "deploy/dev/app.env"));
    // certificates
    assert!(has(&report, "cert-expired", "certs/expired.crt"));
    assert!(!has(&report, "cert-expired", "certs/modern.crt"));
    assert!(has(&report, "cert-validity-too-long", "certs/long.crt"));
    assert!(
        !has(&report, "cert-validity-too-long", "deploy/dev/tls/ca.crt"),
        "CA exempt"
    );
    assert!(has(&report, "weak-signature", "certs/sha1.crt"));
    assert!(!has(&report, "weak-signature", "certs/modern.crt"));
    // keys
    assert!(has(&report, "weak-key", "keys/legacy.pem"));
    assert!(!has(&report, "weak-key", "keys/protected.pem"));
    assert!(has(&report, "unencrypted-private-key", "keys/legacy.pem"));
    assert!(!has(
        &report,
        "unencrypted-private-key",
        "keys/protected.pem"
    ));

    // the inventory: one entry for the reused token, with both environments and its age
    let token = entry_at(&report, "secret", "deploy/prod/app.env");
    assert_eq!(token["occurrences"].as_array().unwrap().len(), 2);
    assert_eq!(token["environments"], serde_json::json!(["dev", "prod"]));
    assert_eq!(token["first_seen"]["source"], "git");
    assert_eq!(token["first_seen"]["date"], "2019-03-02T10:00:00Z");
}

#[test]
fn certificate_expiry_warning_uses_the_configured_window() {
    let repo = Repo::new();
    put(&repo, "tls/server.crt", &crypto("server.crt"));
    repo.commit("2024-01-01T00:00:00Z", "tls");
    let probe = audit(&repo.dir, &[]);
    assert!(entry_at(&probe, "certificate", "tls/server.crt")["first_seen"].is_object());
    let cert = probe["findings"][0]["crypto"]["certificate"]["not_after_unix"]
        .as_i64()
        .unwrap();
    let day = 86_400;
    for (days_left, expected) in [(45, false), (20, true)] {
        let now = keyaudit::time::rfc3339(cert - days_left * day);
        let r = run_in(
            &repo.dir,
            &["scan", "--git", "-f", "json", "-q", "--now", &now, "."],
        );
        let report = json(&r);
        assert_eq!(
            has(&report, "cert-expiring", "tls/server.crt"),
            expected,
            "{days_left} days left"
        );
    }
}

#[test]
fn a_key_its_csr_certificate_and_public_key_in_different_folders_are_paired() {
    let tmp = tempfile::tempdir().unwrap();
    for (dir, name) in [
        ("secrets", "rsa2048.pkcs8.pem"),
        ("requests", "rsa2048.csr.pem"),
        ("certs", "rsa2048.selfsigned.crt"),
        ("public", "rsa2048.pub.pem"),
    ] {
        std::fs::create_dir_all(tmp.path().join(dir)).unwrap();
        std::fs::write(tmp.path().join(dir).join(name), crypto(name)).unwrap();
    }
    let r = run_in(tmp.path(), &["inventory", ".", "-f", "json", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let inv: Value = serde_json::from_str(&r.stdout).unwrap();
    let entries = inv["entries"].as_array().unwrap();
    let key = entries.iter().find(|e| e["kind"] == "private-key").unwrap();
    let mut paired: Vec<&str> = key["paired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    paired.sort();
    let kinds: Vec<&str> = paired
        .iter()
        .map(|p| p.split(':').next().unwrap())
        .collect();
    assert_eq!(kinds, ["certificate", "csr", "public-key"], "{paired:?}");
    for e in entries {
        assert_eq!(e["spki_sha256"], key["spki_sha256"]);
    }
}

#[test]
fn a_key_beside_the_data_it_decrypts_is_flagged_and_one_kept_elsewhere_is_not() {
    let repo = Repo::new();
    // sops file encrypted to an age recipient, its identity in the same directory
    put(&repo, "secrets/app.sops.yaml", &crypto("secrets.sops.yaml"));
    put(&repo, "secrets/keys.txt", &crypto("age-keys.txt"));
    // the same kind of file elsewhere, its key not there
    put(&repo, "deploy/app.sops.yaml", &crypto("secrets.sops.yaml"));
    // an ansible vault beside its password file, and one without
    let vault = "$ANSIBLE_VAULT;1.1;AES256\n\
        62313365396662343061393464336163383764373764613633653634306231386433626436623361\n\
        6435373965336134346630303730643766363538356165390a386362303839643065353839323735\n";
    put(&repo, "ansible/group_vars/all/vault.yml", vault.as_bytes());
    put(
        &repo,
        "ansible/group_vars/all/.vault_pass",
        b"Tr0ub4dor-horse-staple-91\n",
    );
    put(&repo, "ansible/host_vars/web/vault.yml", vault.as_bytes());
    repo.commit("2026-01-10T00:00:00Z", "encrypted configuration");

    let report = audit(&repo.dir, &[]);
    let mut kbd: Vec<(String, String)> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["rule"] == "key-beside-data")
        .map(|v| {
            let locs = v["locations"].as_array().unwrap();
            (
                locs[0][0].as_str().unwrap().to_string(),
                locs.last().unwrap()[0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    kbd.sort();
    assert_eq!(
        kbd,
        [
            (
                "ansible/group_vars/all/.vault_pass".to_string(),
                "ansible/group_vars/all/vault.yml".to_string()
            ),
            (
                "secrets/keys.txt".to_string(),
                "secrets/app.sops.yaml".to_string()
            ),
        ],
        "{:#}",
        report["violations"]
    );

    // SARIF: violations are results of policy/<id> rules, other places as related locations
    let out = repo._tmp.path().join("audit.sarif");
    let r = run_in(
        &repo.dir,
        &[
            "scan",
            "--git",
            "-q",
            "--now",
            NOW,
            "-o",
            out.to_str().unwrap(),
            ".",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    common::validate_sarif(&out);
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "policy/key-beside-data")
        .expect("a policy result");
    assert!(
        result["relatedLocations"]
            .as_array()
            .is_some_and(|l| !l.is_empty())
    );
}

/// `unlocks` is rule data the policy follows: a user rule for a custom vault password file makes
/// that file a key beside the vault; the same rule without the field does not.
#[test]
fn a_user_rule_that_unlocks_vaults_makes_its_secret_a_key_beside_one() {
    let rule = |unlocks: &str| {
        format!(
            r#"
[[rules]]
id = "team-vault-pass"
name = "Team vault password"
description = "The team's vault password file."
category = "credential-file"
severity = "critical"
{unlocks}
paths = ["**/team.vaultkey"]
pattern = '\A[ \t\r\n]*(?P<secret>[!-~]{{12,}})[ \t\r\n]*\z'
examples = ["Tr0ub4dor-horse-staple-91\n"]
example_path = "a/team.vaultkey"
"#
        )
    };
    let vault = "$ANSIBLE_VAULT;1.1;AES256\n\
        62313365396662343061393464336163383764373764613633653634306231386433626436623361\n\
        6435373965336134346630303730643766363538356165390a386362303839643065353839323735\n";
    let beside = |report: &Value| {
        violations(report)
            .iter()
            .any(|(r, p)| r == "key-beside-data" && p == "ansible/team.vaultkey")
    };
    for (unlocks, expected) in [("unlocks = [\"ansible-vault\"]", true), ("", false)] {
        let repo = Repo::new();
        put(&repo, "ansible/vault.yml", vault.as_bytes());
        put(
            &repo,
            "ansible/team.vaultkey",
            b"Tr0ub4dor-horse-staple-91\n",
        );
        repo.commit("2026-01-10T00:00:00Z", "vault and its password");
        let rules = repo._tmp.path().join("team.toml");
        std::fs::write(&rules, rule(unlocks)).unwrap();
        let report = audit(&repo.dir, &["--rules", rules.to_str().unwrap()]);
        let found = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "team-vault-pass");
        assert!(found, "the rule finds the password file either way");
        assert_eq!(
            beside(&report),
            expected,
            "{unlocks:?}: {:#}",
            report["violations"]
        );
    }
}

/// An RSA-2048 key pair made by openssl now: (private key PEM, public key PEM).
fn rsa_pair(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let private = common::openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ],
    );
    let file = dir.join("made.pem");
    std::fs::write(&file, &private).unwrap();
    let public = common::openssl(dir, &["pkey", "-in", "made.pem", "-pubout"]);
    std::fs::remove_file(file).unwrap();
    (private, public)
}

/// The violations of `rule`: (message, paths of its locations, sorted).
fn of_rule(report: &Value, rule: &str) -> Vec<(String, Vec<String>)> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["rule"] == rule)
        .map(|v| {
            let mut paths: Vec<String> = v["locations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l[0].as_str().unwrap().to_string())
                .collect();
            paths.sort();
            (v["message"].as_str().unwrap().to_string(), paths)
        })
        .collect()
}

/// `(path, service)` of every occurrence of the entry of `kind` found at `path`.
fn services_of(report: &Value, kind: &str, path: &str) -> Vec<(String, Option<String>)> {
    let mut all: Vec<(String, Option<String>)> = entry_at(report, kind, path)["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["path"].as_str().unwrap().to_string(),
                o["service"].as_str().map(str::to_string),
            )
        })
        .collect();
    all.sort();
    all
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|p| p.to_string()).collect()
}

#[test]
fn one_private_key_in_two_repositories_is_repo_reuse_with_evidence_in_both() {
    let parent = tempfile::tempdir().unwrap();
    let (api, billing) = (
        Repo::new_in(parent.path(), "api"),
        Repo::new_in(parent.path(), "billing"),
    );
    let (shared, shared_pub) = rsa_pair(parent.path());
    let (own, _) = rsa_pair(parent.path());
    // The run's configuration comes from the first repository and names services in both.
    put(
        &api,
        ".keyaudit.toml",
        b"[services]\nfolders = [\"services/*/\"]\n",
    );
    put(&api, "services/web/deploy.pem", &shared);
    put(&api, "keys/deploy.pem", &shared);
    put(&api, "keys/deploy.pub", &shared_pub);
    put(&api, "keys/own.pem", &own);
    api.commit("2025-06-01T10:00:00Z", "api deploy key");
    put(&billing, "services/pay/deploy.pem", &shared);
    put(&billing, "keys/deploy.pub", &shared_pub);
    billing.commit("2025-07-01T10:00:00Z", "billing deploy key");

    let r = run_in(
        parent.path(),
        &[
            "scan", "--git", "api", "billing", "-f", "json", "-q", "--now", NOW,
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = json(&r);
    common::assert_schema_valid(&report);
    let reuse = of_rule(&report, "repo-reuse");
    assert_eq!(
        reuse,
        [(
            "RSA-2048 private key is used in 2 repositories: api, billing".to_string(),
            s(&[
                "api/keys/deploy.pem",
                "api/services/web/deploy.pem",
                "billing/services/pay/deploy.pem"
            ])
        )],
        "only the shared private key: not its public key, not the key of one repository"
    );
    // Services are judged below each repository's name; two services of two repositories are
    // repo-reuse, not service-reuse.
    assert_eq!(
        services_of(&report, "private-key", "api/keys/deploy.pem"),
        [
            ("api/keys/deploy.pem".to_string(), None),
            (
                "api/services/web/deploy.pem".to_string(),
                Some("web".into())
            ),
            (
                "billing/services/pay/deploy.pem".to_string(),
                Some("pay".into())
            ),
        ]
    );
    assert!(of_rule(&report, "service-reuse").is_empty());
    let key = entry_at(&report, "private-key", "api/keys/deploy.pem");
    assert_eq!(key["services"], serde_json::json!(["pay", "web"]));
}

#[test]
fn one_key_in_two_services_of_a_repository_is_service_reuse() {
    let repo = Repo::new();
    let (shared, _) = rsa_pair(repo._tmp.path());
    put(
        &repo,
        ".keyaudit.toml",
        b"[services]\nfolders = [\"services/*/\"]\n",
    );
    put(&repo, "services/a/key.pem", &shared);
    put(&repo, "services/b/deploy/key.pem", &shared);
    put(&repo, "docs/key.pem", &shared);
    repo.commit("2025-06-01T10:00:00Z", "services");

    let report = audit(&repo.dir, &[]);
    let expected = (
        "RSA-2048 private key is used in 2 services: a, b".to_string(),
        s(&[
            "docs/key.pem",
            "services/a/key.pem",
            "services/b/deploy/key.pem",
        ]),
    );
    assert_eq!(
        of_rule(&report, "service-reuse"),
        std::slice::from_ref(&expected)
    );
    assert!(of_rule(&report, "repo-reuse").is_empty(), "one repository");
    assert_eq!(
        services_of(&report, "private-key", "docs/key.pem"),
        [
            ("docs/key.pem".to_string(), None),
            ("services/a/key.pem".to_string(), Some("a".into())),
            ("services/b/deploy/key.pem".to_string(), Some("b".into())),
        ]
    );

    // A scan of the subfolder judges services from the repository's top all the same.
    let r = run_in(
        &repo.dir,
        &["scan", "services", "-f", "json", "-q", "--now", NOW],
    );
    let sub = json(&r);
    common::assert_schema_valid(&sub);
    assert_eq!(
        of_rule(&sub, "service-reuse"),
        [(expected.0, s(&["a/key.pem", "b/deploy/key.pem"]))]
    );

    // Without [services] the rule has nothing to judge.
    let report = audit(&repo.dir, &["--no-config"]);
    assert!(of_rule(&report, "service-reuse").is_empty());
    assert!(entry_at(&report, "private-key", "docs/key.pem")["services"].is_null());
}

#[test]
fn one_key_twice_inside_one_service_is_no_service_reuse() {
    let repo = Repo::new();
    let (key, _) = rsa_pair(repo._tmp.path());
    let (other, _) = rsa_pair(repo._tmp.path());
    put(
        &repo,
        ".keyaudit.toml",
        b"[services]\nfolders = [\"services/*/\"]\n[services.named]\nb = [\"charts/b/\"]\n",
    );
    put(&repo, "services/a/key.pem", &key);
    put(&repo, "services/a/backup/key.pem", &key);
    // Named services count as services: `other` is in b twice, under two spellings of b.
    put(&repo, "services/b/other.pem", &other);
    put(&repo, "charts/b/other.pem", &other);
    repo.commit("2025-06-01T10:00:00Z", "one service each");
    put(&repo, "services/a/old/key.pem", &key);
    repo.commit("2025-06-02T10:00:00Z", "a second copy");

    let report = audit(&repo.dir, &[]);
    assert!(
        of_rule(&report, "service-reuse").is_empty(),
        "{:#}",
        report["violations"]
    );
    let a = entry_at(&report, "private-key", "services/a/key.pem");
    assert_eq!(a["occurrences"].as_array().unwrap().len(), 3);
    assert_eq!(a["services"], serde_json::json!(["a"]));
    let b = entry_at(&report, "private-key", "charts/b/other.pem");
    assert_eq!(b["services"], serde_json::json!(["b"]));
}
