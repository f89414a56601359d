//! One suite, run against SQLite and against PostgreSQL: what is written reads back the same,
//! nothing secret is stored, an audit not committed leaves nothing, a rerun shard replaces its
//! rows, and a newer store is refused. PostgreSQL comes from `KEYAUDIT_TEST_POSTGRES` (a server
//! URL; each test makes its own database); without it the PostgreSQL half is skipped, unless
//! `KEYAUDIT_REQUIRE_SERVICES` is set (CI sets it), when that is a failure.

use super::*;
use crate::model::crypto::{CryptoInfo, Kind};
use crate::model::{
    Context, Finding, Fingerprint, GitCommit, GitProvenance, Location, Position, Problem,
    ProblemKind, Severity,
};
use crate::scan::Stats;

fn finding(path: &str, secret: &str) -> Finding {
    let at = Position { line: 3, column: 7 };
    Finding {
        rule_id: "github-pat".into(),
        rule_name: "GitHub token".into(),
        category: "vcs".into(),
        severity: Severity::High,
        location: Location {
            path: path.into(),
            start: at,
            end: at,
            byte_start: 10,
            byte_end: 50,
        },
        preview: "ghp_abcd********xy".into(),
        fingerprint: Fingerprint::of(secret.as_bytes()),
        secret: Some(secret.into()),
        snippet: format!("token = {secret}\nother = line"),
        context: Context::Code,
        proof: None,
        gating: true,
        crypto: None,
        mtime: Some(1_700_000_000),
        git: Some(GitProvenance {
            blob_id: "b".repeat(40),
            commit: Some(GitCommit::sample('c', 1_690_000_000)),
            at_head: true,
            present_at_head: true,
            occurrences: None,
        }),
        unlocks: Vec::new(),
        open_keystore: true,
        k8s_key: Some("api-token".into()),
    }
}

fn root(name: &str, secrets: &[&str]) -> RootRecord {
    let mut findings: Vec<Finding> = secrets
        .iter()
        .enumerate()
        .map(|(i, s)| finding(&format!("src/f{i}.py"), s))
        .collect();
    let mut key = finding("keys/k.pem", "");
    let mut info = CryptoInfo::new(Kind::PrivateKey, "pkcs8");
    info.spki_sha256 = Some("ab".repeat(32));
    key.crypto = Some(info);
    findings.push(key);
    RootRecord {
        name: name.into(),
        kind: RootKind::Git,
        complete: true,
        findings,
        problems: vec![Problem {
            kind: ProblemKind::TooLarge,
            path: "big.bin".into(),
            message: "larger than 64M".into(),
        }],
        ciphertexts: Vec::new(),
        stats: Stats {
            blobs_scanned: 4,
            ..Stats::default()
        },
        git: Some(crate::model::GitScanSummary {
            head_commit: Some("c".repeat(40)),
            ..Default::default()
        }),
    }
}

fn meta(run: &str, index: u32, count: u32) -> AuditMeta {
    AuditMeta {
        run: run.into(),
        shard: Shard { index, count },
        started: 1_700_000_000,
        as_of: 1_700_000_100,
    }
}

const SECRET: &str = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";

/// Run `test` on a fresh SQLite file and, when a server is given, a fresh PostgreSQL database.
fn each_backend(test: impl Fn(&str)) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("store.db");
    test(&file.display().to_string());
    match std::env::var("KEYAUDIT_TEST_POSTGRES") {
        Ok(server) => test(&fresh_database(&server)),
        Err(_) => {
            assert!(
                std::env::var_os("KEYAUDIT_REQUIRE_SERVICES").is_none(),
                "KEYAUDIT_TEST_POSTGRES is not set but KEYAUDIT_REQUIRE_SERVICES is"
            );
            eprintln!("store tests: no KEYAUDIT_TEST_POSTGRES, PostgreSQL half skipped");
        }
    }
}

/// A new, empty database on the server at `server`; its URL.
pub(crate) fn fresh_database(server: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "keyaudit_unit_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let mut c = ::postgres::Client::connect(server, ::postgres::NoTls).expect("connect server");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .expect("drop database");
    c.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    match server.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("server URL without a database: {server}"),
    }
}

#[test]
fn an_audit_reads_back_as_written_without_its_secrets() {
    each_backend(|url| {
        let open = || Store::open(url).expect("open");
        let mut store = open();
        let mut w = store.begin_audit(&meta("weekly", 0, 1)).expect("begin");
        w.add_root(&root("api", &[SECRET])).expect("root");
        w.add_root(&root("billing", &[])).expect("root");
        w.commit(1_700_000_200, true).expect("commit");
        let runs = store.runs().expect("runs");
        assert_eq!(runs.len(), 1);
        assert!(runs[0].complete);
        assert_eq!(runs[0].as_of, 1_700_000_100);
        let names: Vec<&str> = runs[0].roots.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["api", "billing"]);
        let roots = store.load_run("weekly").expect("load");
        let want = root("api", &[SECRET]).as_stored();
        assert_eq!(roots[0].findings.len(), want.findings.len());
        for (got, want) in roots[0].findings.iter().zip(&want.findings) {
            assert_eq!(got.secret, None);
            assert_eq!(got.snippet, "");
            assert_eq!(got.mtime, want.mtime);
            assert!(got.open_keystore);
            assert_eq!(
                serde_json::to_string(got).expect("json"),
                serde_json::to_string(want).expect("json")
            );
        }
        assert_eq!(roots[0].problems, want.problems);
        assert_eq!(roots[0].stats, want.stats);
        let head = roots[0].git.as_ref().and_then(|g| g.head_commit.clone());
        assert_eq!(head, Some("c".repeat(40)));
    });
}

#[test]
fn the_store_file_holds_no_secret_and_only_its_owner_reads_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("k.db");
    let mut store = Store::open(&file.display().to_string()).expect("open");
    let mut w = store.begin_audit(&meta("r", 0, 1)).expect("begin");
    w.add_root(&root("api", &[SECRET])).expect("root");
    w.commit(1, true).expect("commit");
    drop(store);
    for entry in std::fs::read_dir(dir.path()).expect("dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "{} holds the secret",
            path.display()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "{} is readable by others", path.display());
        }
    }
}

#[test]
fn an_audit_not_committed_leaves_nothing() {
    each_backend(|url| {
        let open = || Store::open(url).expect("open");
        let mut store = open();
        {
            let mut w = store.begin_audit(&meta("r", 0, 1)).expect("begin");
            w.add_root(&root("api", &[SECRET])).expect("root");
        }
        assert!(store.runs().expect("runs").is_empty());
        let mut other = open();
        assert!(other.runs().expect("runs").is_empty());
        assert!(other.load_run("r").expect("load").is_empty());
    });
}

#[test]
fn a_shard_run_again_replaces_its_own_rows_and_keeps_the_others() {
    each_backend(|url| {
        let open = || Store::open(url).expect("open");
        let mut store = open();
        for (index, name) in [(0, "a"), (1, "b"), (0, "a")] {
            let mut w = store.begin_audit(&meta("org", index, 2)).expect("begin");
            w.add_root(&root(name, &[SECRET])).expect("root");
            w.commit(10, true).expect("commit");
        }
        let runs = store.runs().expect("runs");
        assert_eq!(runs[0].shards, [0, 1]);
        assert!(runs[0].missing_shards().is_empty());
        let roots = store.load_run("org").expect("load");
        let names: Vec<&str> = roots.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(roots[0].findings.len(), 2);
        // A shard of the same run with another shard count is refused.
        let e = store
            .begin_audit(&meta("org", 0, 3))
            .err()
            .expect("refused");
        assert!(e.to_string().contains("split into 2 shards"), "{e}");
        // A run with a shard missing says so.
        let mut w = store.begin_audit(&meta("half", 1, 2)).expect("begin");
        w.add_root(&root("b", &[])).expect("root");
        w.commit(11, true).expect("commit");
        let half = store.runs().expect("runs");
        let half = half.iter().find(|r| r.name == "half").expect("half");
        assert_eq!(half.missing_shards(), [0]);
        assert!(!half.complete);
    });
}

#[test]
fn an_incomplete_root_makes_its_run_incomplete() {
    each_backend(|url| {
        let open = || Store::open(url).expect("open");
        let mut store = open();
        let mut w = store.begin_audit(&meta("r", 0, 1)).expect("begin");
        let mut bad = root("api", &[]);
        bad.complete = false;
        w.add_root(&bad).expect("root");
        w.commit(5, false).expect("commit");
        let runs = store.runs().expect("runs");
        assert!(!runs[0].complete);
        assert!(!runs[0].roots[0].complete);
    });
}

#[test]
fn a_store_newer_than_the_binary_is_refused_and_left_alone() {
    each_backend(|url| {
        let open = || Store::open(url).expect("open");
        let mut store = open();
        store
            .sql
            .exec(
                "UPDATE keyaudit_schema SET version = $1",
                &[sql::Value::Int(99)],
            )
            .expect("bump");
        drop(store);
        let e = Store::open(url).err().expect("a newer store opened");
        assert!(matches!(e, StoreError::Newer { found: 99, .. }), "{e}");
        assert!(e.to_string().contains("upgrade keyaudit"), "{e}");
        // Left as it was: still version 99, nothing migrated back.
        let e = Store::open(url).err().expect("still refused");
        assert!(matches!(e, StoreError::Newer { found: 99, .. }), "{e}");
    });
}

#[test]
fn a_file_that_is_not_a_store_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("x.db");
    std::fs::write(&file, vec![0x42u8; 8192]).expect("write");
    let e = Store::open(&file.display().to_string())
        .err()
        .expect("refused");
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert_eq!(std::fs::read(&file).expect("read"), vec![0x42u8; 8192]);
}
