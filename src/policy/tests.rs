//! Each policy rule on hand-built inventories: one case that fires, one that does not.

use super::*;
use crate::inventory::{AgeSource, EntryKind, Occurrence, Seen};
use crate::model::Context;
use crate::model::ciphertext::{CiphertextAt, CiphertextKind};
use crate::model::crypto::CertInfo;

const NOW: i64 = 1_800_000_000;

fn entry(id: &str, kind: EntryKind) -> Entry {
    Entry {
        id: id.into(),
        kind,
        category: "test".into(),
        severity: Severity::High,
        rule_ids: ["some-rule".to_string()].into(),
        algorithm: None,
        curve: None,
        bits: None,
        spki_sha256: None,
        encrypted: false,
        preview: "pre…".into(),
        fingerprint: crate::model::Fingerprint::of(id.as_bytes()),
        occurrences: vec![Occurrence {
            path: "app/key.pem".into(),
            line: 1,
            rule_id: "some-rule".into(),
            commit: None,
            commit_date: None,
            at_head: true,
            environment: None,
            service: None,
            context: Context::Code,
            gating: true,
            k8s_key: None,
            repo: None,
        }],
        first_seen: None,
        last_seen: None,
        present_at_head: true,
        environments: Default::default(),
        services: Default::default(),
        contexts: Default::default(),
        gating: true,
        paired: Vec::new(),
        certificate: None,
        rsa_exponent: None,
        pgp_ids: Vec::new(),
        unlocks: Vec::new(),
        open_keystore: false,
    }
}

fn seen(unix: i64) -> Option<Seen> {
    Some(Seen {
        unix,
        date: String::new(),
        source: AgeSource::Git,
    })
}

fn certificate(not_before: i64, not_after: i64, sig: &str, is_ca: bool) -> Entry {
    let mut e = entry("certificate:c1", EntryKind::Certificate);
    e.certificate = Some(CertInfo {
        subject: "CN=test".into(),
        issuer: "CN=test".into(),
        serial: "01".into(),
        not_before: String::new(),
        not_after: String::new(),
        not_before_unix: not_before,
        not_after_unix: not_after,
        signature_algorithm: sig.into(),
        sans: Vec::new(),
        is_ca,
        path_len: None,
        key_usage: Vec::new(),
        extended_key_usage: Vec::new(),
        self_signed: true,
        cert_sha256: "00".into(),
        subject_key_id: None,
        authority_key_id: None,
        version: 3,
    });
    e
}

fn run(entries: Vec<Entry>, ciphertexts: Vec<CiphertextAt>) -> Vec<Violation> {
    let inv = Inventory {
        entries,
        ciphertexts,
    };
    evaluate(&inv, &PolicyConfig::default(), NOW)
}

/// The violations of `rule`, as (entry, severity).
fn of(v: &[Violation], rule: &str) -> Vec<(String, Severity)> {
    v.iter()
        .filter(|v| v.rule == rule)
        .map(|v| (v.entry.clone(), v.severity))
        .collect()
}

fn one(id: &str, sev: Severity) -> Vec<(String, Severity)> {
    vec![(id.to_string(), sev)]
}

#[test]
fn rotation_overdue_fires_past_the_cryptoperiod_only() {
    let mut old = entry("secret:old", EntryKind::Secret);
    old.first_seen = seen(NOW - 731 * DAY);
    let mut young = entry("secret:young", EntryKind::Secret);
    young.first_seen = seen(NOW - 700 * DAY);
    let v = run(vec![old, young], Vec::new());
    assert_eq!(
        of(&v, "rotation-overdue"),
        one("secret:old", Severity::High)
    );
}

#[test]
fn rotation_overdue_uses_a_paired_certificate_validity() {
    let mut key = entry("private-key:k", EntryKind::PrivateKey);
    key.first_seen = seen(NOW - 100 * DAY);
    key.paired = vec!["certificate:c1".into()];
    let cert = certificate(NOW - 100 * DAY, NOW - 10 * DAY, "sha256WithRSA", false);
    let v = run(vec![cert.clone(), key.clone()], Vec::new());
    assert_eq!(
        of(&v, "rotation-overdue"),
        one("private-key:k", Severity::High)
    );
    // Without the certificate the private-key default (2 years) applies.
    key.paired.clear();
    assert!(of(&run(vec![key], Vec::new()), "rotation-overdue").is_empty());
}

#[test]
fn env_reuse_needs_two_environments() {
    let mut two = entry("secret:two", EntryKind::Secret);
    two.environments = ["prod".to_string(), "staging".to_string()].into();
    let mut single = entry("secret:one", EntryKind::Secret);
    single.environments = ["prod".to_string()].into();
    let mut public = entry("public-key:p", EntryKind::PublicKey);
    public.environments = two.environments.clone();
    let v = run(vec![two, single, public], Vec::new());
    assert_eq!(of(&v, "env-reuse"), one("secret:two", Severity::High));
}

/// `e` found at each `(path, repo, service)`; `services` follows as the inventory sums it up.
fn placed(mut e: Entry, places: &[(&str, Option<&str>, Option<&str>)]) -> Entry {
    let template = e.occurrences[0].clone();
    e.occurrences = places
        .iter()
        .map(|(path, repo, service)| Occurrence {
            path: path.to_string(),
            repo: repo.map(str::to_string),
            service: service.map(str::to_string),
            ..template.clone()
        })
        .collect();
    e.services = e
        .occurrences
        .iter()
        .filter_map(|o| o.service.clone())
        .collect();
    e
}

#[test]
fn repo_reuse_needs_two_repositories_and_names_them() {
    let mut key = entry("private-key:k", EntryKind::PrivateKey);
    (key.algorithm, key.bits) = (Some("RSA".into()), Some(2048));
    let shared = placed(
        key,
        &[
            ("billing/k.pem", Some("billing"), None),
            ("api/deploy/k.pem", Some("api"), None),
            ("api/k.pem", Some("api"), None),
        ],
    );
    let one_repo = placed(
        entry("secret:one", EntryKind::Secret),
        &[
            ("api/a.env", Some("api"), None),
            ("api/b.env", Some("api"), None),
        ],
    );
    let untagged = placed(
        entry("secret:single-run", EntryKind::Secret),
        &[("a.env", None, None), ("b.env", None, None)],
    );
    let public = placed(
        entry("public-key:p", EntryKind::PublicKey),
        &[
            ("api/p.pub", Some("api"), None),
            ("web/p.pub", Some("web"), None),
        ],
    );
    let v = run(vec![shared, one_repo, untagged, public], Vec::new());
    assert_eq!(of(&v, "repo-reuse"), one("private-key:k", Severity::High));
    let found = v.iter().find(|v| v.rule == "repo-reuse");
    assert_eq!(
        found.map(|v| v.message.as_str()),
        Some("RSA-2048 private key is used in 2 repositories: api, billing")
    );
    assert_eq!(
        found.map(|v| v.locations.len()),
        Some(3),
        "every occurrence is evidence"
    );
}

#[test]
fn service_reuse_counts_services_within_one_repository() {
    let two = placed(
        entry("secret:two", EntryKind::Secret),
        &[
            ("services/a/.env", None, Some("a")),
            ("services/b/.env", None, Some("b")),
            ("README.md", None, None),
        ],
    );
    let same = placed(
        entry("secret:same", EntryKind::Secret),
        &[
            ("services/a/.env", None, Some("a")),
            ("services/a/test.env", None, Some("a")),
        ],
    );
    // Two services, but of two repositories: repo-reuse's business, not service-reuse's.
    let apart = placed(
        entry("secret:apart", EntryKind::Secret),
        &[
            ("x/services/a/.env", Some("x"), Some("a")),
            ("y/services/b/.env", Some("y"), Some("b")),
        ],
    );
    let public = placed(
        entry("public-key:p", EntryKind::PublicKey),
        &[
            ("services/a/p.pub", None, Some("a")),
            ("services/b/p.pub", None, Some("b")),
        ],
    );
    let v = run(vec![two, same, apart, public], Vec::new());
    assert_eq!(of(&v, "service-reuse"), one("secret:two", Severity::High));
    let found = v.iter().find(|v| v.rule == "service-reuse");
    assert_eq!(found.map(|v| v.locations.len()), Some(3));
    assert!(
        found.is_some_and(|v| v.message.ends_with("is used in 2 services: a, b")),
        "{found:?}"
    );
    assert_eq!(of(&v, "repo-reuse"), one("secret:apart", Severity::High));
}

#[test]
fn service_reuse_names_each_repository_that_shares_and_follows_its_config() {
    let e = placed(
        entry("secret:s", EntryKind::Secret),
        &[
            ("x/apps/a/.env", Some("x"), Some("a")),
            ("x/apps/b/.env", Some("x"), Some("b")),
            ("y/apps/c/.env", Some("y"), Some("c")),
        ],
    );
    let inv = Inventory {
        entries: vec![e],
        ciphertexts: Vec::new(),
    };
    let mut cfg = PolicyConfig::default();
    cfg.service_reuse.severity = Some(Severity::Medium);
    let v = evaluate(&inv, &cfg, NOW);
    assert_eq!(of(&v, "service-reuse"), one("secret:s", Severity::Medium));
    let message = v
        .iter()
        .find(|v| v.rule == "service-reuse")
        .map(|v| &v.message);
    assert!(
        message.is_some_and(|m| m.ends_with("is used in 2 services of x: a, b")),
        "{message:?}"
    );
    (cfg.service_reuse.enabled, cfg.repo_reuse.enabled) = (false, false);
    assert!(evaluate(&inv, &cfg, NOW).is_empty());
}

#[test]
fn cert_expired_and_expiring_are_exclusive() {
    let expired = certificate(NOW - 100 * DAY, NOW - DAY, "sha256WithRSA", false);
    let v = run(vec![expired], Vec::new());
    assert_eq!(
        of(&v, "cert-expired"),
        one("certificate:c1", Severity::High)
    );
    assert!(of(&v, "cert-expiring").is_empty());
}

#[test]
fn cert_expired_not_for_a_valid_or_removed_certificate() {
    let valid = certificate(NOW - 100 * DAY, NOW + 100 * DAY, "sha256WithRSA", false);
    let mut gone = certificate(NOW - 100 * DAY, NOW - DAY, "sha256WithRSA", false);
    gone.id = "certificate:gone".into();
    gone.present_at_head = false;
    let v = run(vec![valid, gone], Vec::new());
    assert!(of(&v, "cert-expired").is_empty());
}

#[test]
fn cert_expiring_within_the_warning_window() {
    let soon = certificate(NOW - 100 * DAY, NOW + 10 * DAY, "sha256WithRSA", false);
    let v = run(vec![soon], Vec::new());
    assert_eq!(
        of(&v, "cert-expiring"),
        one("certificate:c1", Severity::Medium)
    );
    let later = certificate(NOW - 100 * DAY, NOW + 31 * DAY, "sha256WithRSA", false);
    assert!(of(&run(vec![later], Vec::new()), "cert-expiring").is_empty());
}

#[test]
fn cert_expiring_reports_an_expired_one_when_cert_expired_is_off() {
    let expired = certificate(NOW - 100 * DAY, NOW - DAY, "sha256WithRSA", false);
    let inv = Inventory {
        entries: vec![expired],
        ciphertexts: Vec::new(),
    };
    let mut cfg = PolicyConfig::default();
    cfg.cert_expired.enabled = false;
    let v = evaluate(&inv, &cfg, NOW);
    assert_eq!(
        of(&v, "cert-expiring"),
        one("certificate:c1", Severity::Medium)
    );
}

#[test]
fn cert_validity_too_long_for_leaves_only() {
    let leaf = certificate(NOW - 10 * DAY, NOW + 390 * DAY, "sha256WithRSA", false);
    let v = run(vec![leaf], Vec::new());
    assert_eq!(
        of(&v, "cert-validity-too-long"),
        one("certificate:c1", Severity::Low)
    );
    let ca = certificate(NOW - 10 * DAY, NOW + 3000 * DAY, "sha256WithRSA", true);
    let short = certificate(NOW - 10 * DAY, NOW + 300 * DAY, "sha256WithRSA", false);
    let v = run(vec![ca, short], Vec::new());
    assert!(of(&v, "cert-validity-too-long").is_empty());
}

#[test]
fn weak_signature_md5_and_sha1_only() {
    let sha1 = certificate(
        NOW - 10 * DAY,
        NOW + 90 * DAY,
        "sha1WithRSAEncryption",
        false,
    );
    let v = run(vec![sha1], Vec::new());
    assert_eq!(
        of(&v, "weak-signature"),
        one("certificate:c1", Severity::Medium)
    );
    let sha256 = certificate(NOW - 10 * DAY, NOW + 90 * DAY, "sha256WithRSA", false);
    assert!(of(&run(vec![sha256], Vec::new()), "weak-signature").is_empty());
}

#[test]
fn weak_key_once_per_key_on_the_private_key() {
    let mut key = entry("private-key:k", EntryKind::PrivateKey);
    key.algorithm = Some("RSA".into());
    key.bits = Some(1024);
    key.encrypted = true;
    key.paired = vec!["public-key:k".into()];
    let mut public = entry("public-key:k", EntryKind::PublicKey);
    public.algorithm = Some("RSA".into());
    public.bits = Some(1024);
    public.paired = vec!["private-key:k".into()];
    let v = run(vec![key, public], Vec::new());
    assert_eq!(of(&v, "weak-key"), one("private-key:k", Severity::High));
}

#[test]
fn weak_key_not_for_strong_keys_or_secrets() {
    let mut key = entry("private-key:k", EntryKind::PrivateKey);
    key.algorithm = Some("RSA".into());
    key.bits = Some(2048);
    key.rsa_exponent = Some(65537);
    let mut secret = entry("secret:s", EntryKind::Secret);
    secret.algorithm = Some("DSA".into());
    let v = run(vec![key, secret], Vec::new());
    assert!(of(&v, "weak-key").is_empty());
}

#[test]
fn unencrypted_private_key_and_open_keystore() {
    let plain = entry("private-key:plain", EntryKind::PrivateKey);
    let mut store = entry("keystore:open", EntryKind::Keystore);
    store.rule_ids = ["crypto-keystore-passwordless".to_string()].into();
    store.open_keystore = true;
    let v = run(vec![plain, store], Vec::new());
    assert_eq!(
        of(&v, "unencrypted-private-key"),
        vec![
            ("keystore:open".to_string(), Severity::High),
            ("private-key:plain".to_string(), Severity::High)
        ]
    );
}

#[test]
fn unencrypted_private_key_not_for_protected_ones() {
    let mut sealed = entry("private-key:enc", EntryKind::PrivateKey);
    sealed.encrypted = true;
    let store = entry("keystore:locked", EntryKind::Keystore);
    let v = run(vec![sealed, store], Vec::new());
    assert!(of(&v, "unencrypted-private-key").is_empty());
}

#[test]
fn secret_in_history_only_when_gone_from_head() {
    let mut gone = entry("secret:gone", EntryKind::Secret);
    gone.present_at_head = false;
    let here = entry("secret:here", EntryKind::Secret);
    let v = run(vec![gone, here], Vec::new());
    assert_eq!(
        of(&v, "secret-in-history"),
        one("secret:gone", Severity::High)
    );
}

#[test]
fn configured_severity_wins_and_disabled_rules_stay_silent() {
    let mut gone = entry("secret:gone", EntryKind::Secret);
    gone.present_at_head = false;
    let inv = Inventory {
        entries: vec![gone],
        ciphertexts: Vec::new(),
    };
    let mut cfg = PolicyConfig::default();
    cfg.secret_in_history.severity = Some(Severity::Low);
    let v = evaluate(&inv, &cfg, NOW);
    assert_eq!(
        of(&v, "secret-in-history"),
        one("secret:gone", Severity::Low)
    );
    cfg.secret_in_history.enabled = false;
    assert!(evaluate(&inv, &cfg, NOW).is_empty());
}

fn sealed(path: &str, kind: CiphertextKind, at_head: bool) -> CiphertextAt {
    CiphertextAt {
        path: path.into(),
        kind,
        recipients: Vec::new(),
        recipient_spki: Vec::new(),
        at_head,
    }
}

#[test]
fn key_beside_data_same_directory() {
    let key = entry("private-key:plain", EntryKind::PrivateKey);
    let v = run(
        vec![key],
        vec![sealed(
            "app/data.enc",
            CiphertextKind::EncryptedBinary,
            true,
        )],
    );
    assert_eq!(
        of(&v, "key-beside-data"),
        one("private-key:plain", Severity::High)
    );
    let last = v.iter().find(|v| v.rule == "key-beside-data");
    assert_eq!(
        last.map(|v| v.locations.clone()),
        Some(vec![("app/key.pem".into(), 1), ("app/data.enc".into(), 1)])
    );
}

#[test]
fn key_beside_data_not_elsewhere_nor_in_history_nor_encrypted() {
    let key = entry("private-key:plain", EntryKind::PrivateKey);
    let mut locked = entry("private-key:enc", EntryKind::PrivateKey);
    locked.encrypted = true;
    let v = run(
        vec![key, locked.clone()],
        vec![
            sealed("other/data.enc", CiphertextKind::EncryptedBinary, true),
            sealed("app/old.enc", CiphertextKind::EncryptedBinary, false),
        ],
    );
    assert!(of(&v, "key-beside-data").is_empty());
    let v = run(
        vec![locked],
        vec![sealed(
            "app/data.enc",
            CiphertextKind::EncryptedBinary,
            true,
        )],
    );
    assert!(of(&v, "key-beside-data").is_empty());
}

#[test]
fn key_beside_data_by_recipient_hash() {
    let mut key = entry("private-key:age", EntryKind::PrivateKey);
    key.spki_sha256 = Some("abc".into());
    let mut other = entry("private-key:other", EntryKind::PrivateKey);
    other.spki_sha256 = Some("def".into());
    let mut c = sealed("app/secrets.yaml", CiphertextKind::Sops, true);
    c.recipients = vec!["age1xyz".into()];
    c.recipient_spki = vec!["abc".into()];
    let v = run(vec![key, other], vec![c]);
    assert_eq!(
        of(&v, "key-beside-data"),
        one("private-key:age", Severity::High)
    );
}

#[test]
fn key_beside_data_passphrase_secret_opens_a_vault_only() {
    let mut pass = entry("secret:vault-pass", EntryKind::Secret);
    pass.rule_ids = ["ansible-vault-password-file".to_string()].into();
    pass.unlocks = vec![CiphertextKind::AnsibleVault];
    let token = entry("secret:token", EntryKind::Secret);
    let v = run(
        vec![pass, token],
        vec![sealed("app/vault.yml", CiphertextKind::AnsibleVault, true)],
    );
    assert_eq!(
        of(&v, "key-beside-data"),
        one("secret:vault-pass", Severity::High)
    );
}

#[test]
fn an_open_keystore_is_what_its_rule_data_says_not_its_rule_id() {
    let mut named = entry("keystore:named", EntryKind::Keystore);
    named.rule_ids = ["crypto-keystore-passwordless".to_string()].into();
    let mut marked = entry("keystore:marked", EntryKind::Keystore);
    marked.rule_ids = ["some-user-rule".to_string()].into();
    marked.open_keystore = true;
    let v = run(vec![named, marked], Vec::new());
    assert_eq!(
        of(&v, "unencrypted-private-key"),
        one("keystore:marked", Severity::High)
    );
}

#[test]
fn key_beside_data_a_secret_opens_what_its_rule_unlocks() {
    // Named like the vault password rule but without `unlocks`: not a key.
    let mut named = entry("secret:named", EntryKind::Secret);
    named.rule_ids = ["ansible-vault-password-file".to_string()].into();
    let mut age_pass = entry("secret:age-pass", EntryKind::Secret);
    age_pass.unlocks = vec![CiphertextKind::Age];
    let v = run(
        vec![named, age_pass.clone()],
        vec![
            sealed("app/vault.yml", CiphertextKind::AnsibleVault, true),
            sealed("app/notes.age", CiphertextKind::Age, true),
        ],
    );
    assert_eq!(
        of(&v, "key-beside-data"),
        one("secret:age-pass", Severity::High)
    );
    // A secret that unlocks something is a key to anonymous ciphertext too, never to a vault
    // unless it says so.
    let v = run(
        vec![age_pass],
        vec![
            sealed("app/vault.yml", CiphertextKind::AnsibleVault, true),
            sealed("app/blob.enc", CiphertextKind::EncryptedBinary, true),
        ],
    );
    let paths: Vec<String> = v
        .iter()
        .filter(|v| v.rule == "key-beside-data")
        .filter_map(|v| v.locations.last().map(|l| l.0.clone()))
        .collect();
    assert_eq!(paths, vec!["app/blob.enc".to_string()]);
}
