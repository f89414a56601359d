//! The inventory on hand-built findings: grouping by identity, pairing by SPKI hash, the age's
//! evidence order, and what an entry sums up from its findings.

use super::*;
use crate::model::crypto::{CryptoInfo, Kind};
use crate::model::{Fingerprint, GitCommit, GitProvenance, Location, Position};

/// A finding by `rule` of the secret `secret`.
fn finding(rule: &str, path: &str, line: u32, secret: &str) -> Finding {
    let at = Position { line, column: 1 };
    Finding {
        rule_id: rule.into(),
        rule_name: rule.into(),
        category: "test".into(),
        severity: Severity::Medium,
        location: Location {
            path: path.into(),
            start: at,
            end: at,
            byte_start: 0,
            byte_end: 1,
        },
        preview: "abc…".into(),
        fingerprint: Fingerprint::of(secret.as_bytes()),
        secret: None,
        snippet: String::new(),
        context: Context::Code,
        proof: None,
        gating: true,
        crypto: None,
        mtime: None,
        git: None,
        unlocks: Vec::new(),
        open_keystore: false,
        k8s_key: None,
    }
}

fn key(kind: Kind, spki: &str, path: &str) -> Finding {
    let mut f = finding("private-key", path, 1, "");
    f.fingerprint = Fingerprint::of_public_key(spki);
    let mut info = CryptoInfo::new(kind, "pkcs8");
    info.spki_sha256 = Some(spki.into());
    f.crypto = Some(info);
    f
}

fn certificate(spki: &str, cert_hash: &str, not_before: i64) -> Finding {
    let mut f = key(Kind::Certificate, spki, &format!("certs/{cert_hash}.pem"));
    let cert = CertInfo {
        subject: "CN=a".into(),
        issuer: "CN=a".into(),
        serial: "01".into(),
        not_before: String::new(),
        not_after: String::new(),
        not_before_unix: not_before,
        not_after_unix: not_before + 86_400,
        signature_algorithm: "ecdsa-with-SHA256".into(),
        sans: Vec::new(),
        is_ca: false,
        path_len: None,
        key_usage: Vec::new(),
        extended_key_usage: Vec::new(),
        self_signed: true,
        cert_sha256: cert_hash.into(),
        subject_key_id: None,
        authority_key_id: None,
        version: 3,
    };
    if let Some(c) = f.crypto.as_mut() {
        c.certificate = Some(cert);
    }
    f
}

fn in_commit(mut f: Finding, id: char, time: i64, at_head: bool) -> Finding {
    f.git = Some(GitProvenance {
        blob_id: "b".repeat(40),
        commit: Some(GitCommit::sample(id, time)),
        at_head,
        present_at_head: at_head,
        occurrences: None,
    });
    f
}

fn build(findings: &[Finding]) -> Inventory {
    Inventory::build(findings, &Places::default())
}

#[test]
fn one_secret_in_several_places_is_one_entry_with_each_place_once() {
    let a = finding("token", "deploy/prod/app.env", 3, "aa");
    let mut b = finding("token", "deploy/staging/app.env", 7, "aa");
    b.severity = Severity::Critical;
    let other = finding("token", "x.env", 1, "bb");
    let inv = build(&[b.clone(), a.clone(), a, other]);
    assert_eq!(inv.entries.len(), 2);
    let id = |secret: &str| format!("secret:{}", Fingerprint::of(secret.as_bytes()));
    let e = inv.get(&id("aa")).expect("entry by id");
    let places: Vec<(&str, u32)> = e
        .occurrences
        .iter()
        .map(|o| (o.path.as_str(), o.line))
        .collect();
    assert_eq!(
        places,
        [("deploy/prod/app.env", 3), ("deploy/staging/app.env", 7)]
    );
    assert_eq!(e.severity, Severity::Critical, "the most severe finding");
    assert_eq!(
        e.environments
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["prod", "staging"]
    );
    assert!(inv.get(&id("cc")).is_none());
}

#[test]
fn a_key_pairs_with_every_certificate_of_its_public_key() {
    let private = key(Kind::PrivateKey, "s1", "key.pem");
    let public = key(Kind::PublicKey, "s1", "key.pub");
    let (c1, c2) = (certificate("s1", "c1", 100), certificate("s1", "c2", 200));
    let stranger = key(Kind::PrivateKey, "s2", "other.pem");
    let inv = build(&[c2, private, stranger, public, c1]);
    let ids: Vec<&str> = inv.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "certificate:cert-sha256:c1",
            "certificate:cert-sha256:c2",
            "private-key:spki-sha256:s1",
            "private-key:spki-sha256:s2",
            "public-key:spki-sha256:s1",
        ],
        "certificates by their own hash, keys by SPKI, sorted by id"
    );
    let key = inv.get("private-key:spki-sha256:s1").expect("key");
    assert_eq!(
        key.paired,
        [
            "certificate:cert-sha256:c1",
            "certificate:cert-sha256:c2",
            "public-key:spki-sha256:s1"
        ]
    );
    assert!(
        inv.get("private-key:spki-sha256:s2")
            .expect("s2")
            .paired
            .is_empty()
    );
}

#[test]
fn age_comes_from_commits_before_not_before_before_mtime() {
    let mut cert = certificate("s1", "c1", 1_000);
    cert.mtime = Some(5_000);
    let from_cert = build(std::slice::from_ref(&cert));
    let e = &from_cert.entries[0];
    assert_eq!(
        e.first_seen.as_ref().map(|s| (s.unix, s.source)),
        Some((1_000, AgeSource::NotBefore))
    );

    let old = in_commit(cert.clone(), 'a', 3_000, false);
    let new = in_commit(cert, 'b', 4_000, true);
    let from_git = build(&[new, old]);
    let e = &from_git.entries[0];
    assert_eq!(
        e.first_seen.as_ref().map(|s| (s.unix, s.source)),
        Some((3_000, AgeSource::Git))
    );
    assert_eq!(e.last_seen.as_ref().map(|s| s.unix), Some(4_000));
    assert!(e.present_at_head, "one occurrence is at HEAD");
    assert_eq!(e.occurrences.len(), 2, "one per commit");

    let mut a = finding("token", "a.env", 1, "aa");
    let mut b = a.clone();
    (a.mtime, b.mtime) = (Some(700), Some(600));
    let from_mtime = build(&[a.clone(), b]);
    let e = &from_mtime.entries[0];
    assert_eq!(
        e.first_seen.as_ref().map(|s| (s.unix, s.source)),
        Some((600, AgeSource::Mtime))
    );
    a.mtime = None;
    assert!(
        build(&[a]).entries[0].first_seen.is_none(),
        "no evidence, no age"
    );
}

#[test]
fn a_key_that_the_empty_password_opens_is_not_encrypted() {
    let mut locked = key(Kind::PrivateKey, "s1", "a.pem");
    let mut open = key(Kind::PrivateKey, "s2", "b.pem");
    for (f, empty) in [(&mut locked, false), (&mut open, true)] {
        if let Some(c) = f.crypto.as_mut() {
            c.encrypted = true;
            c.empty_password = empty;
        }
    }
    let inv = build(&[locked, open]);
    assert!(inv.get("private-key:spki-sha256:s1").expect("s1").encrypted);
    assert!(!inv.get("private-key:spki-sha256:s2").expect("s2").encrypted);
}

#[test]
fn gating_and_contexts_sum_up_over_occurrences() {
    let mut test = finding("token", "tests/a.env", 1, "aa");
    (test.context, test.gating) = (Context::Test, false);
    let only_test = build(std::slice::from_ref(&test));
    assert!(!only_test.entries[0].gating);
    let code = finding("token", "src/a.env", 1, "aa");
    let both = build(&[test, code]);
    assert!(both.entries[0].gating, "a test key also in code gates");
    assert_eq!(
        both.entries[0].contexts.iter().copied().collect::<Vec<_>>(),
        [Context::Code, Context::Test]
    );
}

#[test]
fn the_longest_repository_name_claims_an_occurrence() {
    let mut inv = build(&[
        finding("token", "a/b/x.env", 1, "aa"),
        finding("token", "a/x.env", 1, "bb"),
        finding("token", "c/x.env", 1, "cc"),
    ]);
    inv.tag_repositories(&["a".into(), "a/b/".into()]);
    let mut repos: Vec<(&str, Option<&str>)> = inv
        .entries
        .iter()
        .map(|e| {
            (
                e.occurrences[0].path.as_str(),
                e.occurrences[0].repo.as_deref(),
            )
        })
        .collect();
    repos.sort();
    assert_eq!(
        repos,
        [
            ("a/b/x.env", Some("a/b/")),
            ("a/x.env", Some("a")),
            ("c/x.env", None)
        ]
    );
}

fn services(folders: &[&str], named: &[(&str, &str)]) -> Services {
    let mut s = Services::default();
    for f in folders {
        s.add_folder(f).expect("folder pattern");
    }
    for (name, glob) in named {
        s.add_named(name, glob).expect("named glob");
    }
    s
}

#[test]
fn folder_patterns_name_a_service_by_whole_components_from_the_top() {
    let s = services(&["services/*/", "apps/*/", "prod/*/"], &[]);
    for (path, service) in [
        ("services/billing/src/k.pem", Some("billing")),
        ("apps/web/.env", Some("web")),
        ("prod/api/k.pem", Some("api")),
        ("product/api/k.pem", None),
        ("servicesX/billing/k.pem", None),
        ("src/services/billing/k.pem", None),
        ("services/k.pem", None),
        ("services/billing", None),
        ("k.pem", None),
    ] {
        assert_eq!(s.of(path).as_deref(), service, "{path}");
    }
    assert_eq!(Services::default().of("services/billing/k.pem"), None);
}

#[test]
fn nested_folder_patterns_the_most_specific_wins_and_stars_join() {
    let s = services(
        &["services/*/", "services/*/workers/*/", "teams/*/svc/*/"],
        &[],
    );
    for (path, service) in [
        ("services/billing/k.pem", Some("billing")),
        ("services/billing/workers/mail/k.pem", Some("billing/mail")),
        ("services/billing/workers/k.pem", Some("billing")),
        ("teams/pay/svc/ledger/config/k.pem", Some("pay/ledger")),
        ("teams/pay/k.pem", None),
    ] {
        assert_eq!(s.of(path).as_deref(), service, "{path}");
    }
}

#[test]
fn named_services_glob_leading_folders_and_win_over_folder_patterns() {
    let s = services(
        &["services/*/"],
        &[
            ("billing", "charts/billing/"),
            ("billing", "deploy/billing-*/"),
            ("web", "services/frontend/"),
            ("ops", "infra/**/ops.env"),
        ],
    );
    for (path, service) in [
        ("charts/billing/values.yaml", Some("billing")),
        ("deploy/billing-prod/secret.yaml", Some("billing")),
        ("deploy/billing-prod/x/y/secret.yaml", Some("billing")),
        ("deploy/billing/secret.yaml", None),
        ("deploy/a/billing-prod/secret.yaml", None),
        ("deploy/billing-prod", None),
        ("services/frontend/k.pem", Some("web")),
        ("services/billing-api/k.pem", Some("billing-api")),
        ("infra/eu/west/ops.env", Some("ops")),
    ] {
        assert_eq!(s.of(path).as_deref(), service, "{path}");
    }
}

#[test]
fn service_patterns_that_name_nothing_are_errors_naming_the_pattern() {
    let mut s = Services::default();
    for bad in ["services/", "", "/", "svc-*/", "services/**/", "a//*/"] {
        let err = s.add_folder(bad).expect_err(bad);
        assert!(err.contains(&format!("{bad:?}")), "{bad:?}: {err}");
    }
    let err = s
        .add_named("billing", "deploy/[z-a/")
        .expect_err("bad glob");
    assert!(err.contains("\"deploy/[z-a/\""), "{err}");
    assert!(s.add_named("", "charts/").is_err());
    assert!(s.is_empty(), "nothing was added");
}

#[test]
fn a_multi_repository_run_judges_services_below_each_repository() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    for d in [&one, &two] {
        std::fs::create_dir(d).expect("mkdir");
    }
    let places = Places {
        services: services(&["services/*/"], &[]),
        repo_paths: RepoPaths::for_repositories(&[("one/".into(), one), ("two/".into(), two)]),
        ..Places::default()
    };
    let findings = [
        finding("token", "one/services/a/app.env", 1, "aa"),
        finding("token", "two/services/b/app.env", 1, "aa"),
        finding("token", "two/services/b/other.env", 1, "aa"),
        finding("token", "two/lib/x.env", 1, "aa"),
    ];
    let mut inv = Inventory::build(&findings, &places);
    inv.tag_repositories(&["one".into(), "two".into()]);
    let e = &inv.entries[0];
    let placed: Vec<(&str, Option<&str>, Option<&str>)> = e
        .occurrences
        .iter()
        .map(|o| (o.path.as_str(), o.repo.as_deref(), o.service.as_deref()))
        .collect();
    assert_eq!(
        placed,
        [
            ("one/services/a/app.env", Some("one"), Some("a")),
            ("two/lib/x.env", Some("two"), None),
            ("two/services/b/app.env", Some("two"), Some("b")),
            ("two/services/b/other.env", Some("two"), Some("b")),
        ]
    );
    assert_eq!(
        e.services.iter().map(String::as_str).collect::<Vec<_>>(),
        ["a", "b"]
    );
}
