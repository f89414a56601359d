//! Periodic audits end to end, through the binary: audits stored in SQLite and PostgreSQL,
//! rotation and ageing seen by `diff`, one key's `history`, shards as separate processes
//! (one run twice, one killed mid-way) against one PostgreSQL equal to one audit byte for byte,
//! store failures that exit 2 and leave the store as it was, and the clone scripts of
//! docs/audit-kubernetes.yaml and docs/audit-matrix.yml taking exactly the slice --shard takes.
//!
//! PostgreSQL comes from `KEYAUDIT_TEST_POSTGRES` (a server URL; each test makes its own
//! database). Without it those tests are skipped, unless `KEYAUDIT_REQUIRE_SERVICES` is set,
//! as CI sets it: there a missing PostgreSQL is a failure.

use crate::common::{self, Run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A folder of repositories built with the git CLI, with real commit dates.
struct Org {
    tmp: tempfile::TempDir,
}

impl Org {
    fn new() -> Org {
        Org {
            tmp: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    fn git(&self, repo: &str, args: &[&str], date: &str) {
        let dir = self.dir().join(repo);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let out = Command::new("git")
            .args(args)
            .current_dir(&dir)
            .env("HOME", self.dir())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Alice Author")
            .env("GIT_AUTHOR_EMAIL", "alice@example.com")
            .env("GIT_COMMITTER_NAME", "Alice Author")
            .env("GIT_COMMITTER_EMAIL", "alice@example.com")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Write `files` into `repo` (made on first use) and commit them at `date`.
    fn commit(&self, repo: &str, files: &[(&str, &str)], date: &str) {
        if !self.dir().join(repo).join(".git").exists() {
            self.git(repo, &["init", "-q", "-b", "main"], date);
        }
        for (path, text) in files {
            let p = self.dir().join(repo).join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        self.git(repo, &["add", "-A"], date);
        self.git(repo, &["commit", "-q", "-m", "change"], date);
    }

    fn run(&self, args: &[&str]) -> Run {
        common::run_in(self.dir(), args)
    }
}

/// A fresh database on the test PostgreSQL server, or None when there is none (a failure when
/// KEYAUDIT_REQUIRE_SERVICES is set).
fn postgres_database() -> Option<String> {
    let Ok(server) = std::env::var("KEYAUDIT_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("KEYAUDIT_REQUIRE_SERVICES").is_none(),
            "KEYAUDIT_TEST_POSTGRES is not set but KEYAUDIT_REQUIRE_SERVICES is: CI must start \
             PostgreSQL (.ci/postgres)"
        );
        eprintln!("no KEYAUDIT_TEST_POSTGRES: PostgreSQL tests skipped");
        return None;
    };
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "keyaudit_it_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let mut c = postgres::Client::connect(&server, postgres::NoTls).expect("connect");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .expect("drop");
    c.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create");
    let (base, _) = server
        .rsplit_once('/')
        .expect("server URL names a database");
    Some(format!("{base}/{name}"))
}

/// Run `test` on a new organisation folder with a SQLite store in it, then on another with a
/// PostgreSQL store when there is one.
fn each_store(test: impl Fn(&Org, &str)) {
    let org = Org::new();
    let file = org.dir().join("audits.db").display().to_string();
    test(&org, &file);
    if let Some(db) = postgres_database() {
        test(&Org::new(), &db);
    }
}

fn ok(r: &Run, code: i32) -> &Run {
    assert_eq!(r.code, code, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r
}

fn key() -> String {
    common::fresh_private_key()
}

#[test]
fn diff_shows_the_rotation_the_key_still_in_history_and_the_key_aged_out_and_nothing_else() {
    each_store(|org, store| {
        org.commit("api", &[("deploy/tls.key", &key())], "2025-06-01T10:00:00Z");
        org.commit(
            "billing",
            &[("config/signing.key", &key())],
            "2024-01-10T10:00:00Z",
        );
        let first = [
            "audit", "api", "billing", "--store", store, "--run", "november",
        ];
        ok(
            &org.run(&[&first[..], &["--now", "2025-12-01"]].concat()),
            0,
        );
        // A new key at the same place; the old one stays in history.
        std::fs::write(org.dir().join("api/deploy/tls.key"), key()).expect("write");
        org.git("api", &["commit", "-qam", "rotate"], "2025-12-15T10:00:00Z");
        let second = [
            "audit", "api", "billing", "--store", store, "--run", "january",
        ];
        ok(
            &org.run(&[&second[..], &["--now", "2026-01-20"]].concat()),
            0,
        );
        let d = common::json(ok(&org.run(&["diff", "--store", store, "-f", "json"]), 0));
        common::assert_changes_schema_valid(&d);
        assert_eq!(d["from"]["run"], "november");
        assert_eq!(d["to"]["run"], "january");
        let rot = d["rotated"].as_array().expect("rotated");
        assert_eq!(rot.len(), 1, "{d:#}");
        assert_eq!(rot[0]["root"], "api");
        assert_eq!(rot[0]["path"], "deploy/tls.key");
        assert_eq!(
            rot[0]["old_still_present"], true,
            "the old key is in history"
        );
        assert_eq!(rot[0]["old_at_head"], false);
        assert_ne!(rot[0]["old"]["id"], rot[0]["new"]["id"]);
        // The new key's own verdicts are listed with it, not as newly violating.
        let verdicts = rot[0]["new"]["violations"].to_string();
        assert!(verdicts.contains("unencrypted-private-key"), "{d:#}");
        let newly = d["newly_violating"].as_array().expect("newly");
        assert_eq!(newly.len(), 1, "{d:#}");
        assert_eq!(newly[0]["rule"], "rotation-overdue");
        assert_eq!(newly[0]["places"][0]["root"], "billing");
        for empty in ["new", "removed", "resolved", "expiring_before_next"] {
            assert_eq!(d[empty], serde_json::json!([]), "{empty}: {d:#}");
        }
        // The old key's life: audited twice, replaced at its place by the new one.
        let old_id = rot[0]["old"]["id"].as_str().expect("id");
        let h = common::json(ok(
            &org.run(&["history", &old_id[..30], "--store", store, "-f", "json"]),
            0,
        ));
        common::assert_changes_schema_valid(&h);
        assert_eq!(h["entry"], old_id);
        assert_eq!(h["first_audit"], "november");
        assert_eq!(h["last_audit"], "january");
        assert_eq!(h["rotated_by"][0]["new"]["id"], rot[0]["new"]["id"]);
        assert_eq!(h["runs"][0]["at_head"], true);
        assert_eq!(h["runs"][1]["at_head"], false);
        let text = ok(&org.run(&["diff", "--store", store]), 0).stdout.clone();
        assert!(text.contains("api:deploy/tls.key"), "{text}");
        assert!(text.contains("still in history"), "{text}");
    });
}

#[test]
fn expiring_before_next_looks_ahead_to_the_cadence_or_the_date_given() {
    let org = Org::new();
    org.commit("svc", &[("keys/app.key", &key())], "2024-01-10T10:00:00Z");
    let store = org.dir().join("s.db").display().to_string();
    for (run, now) in [("one", "2025-11-01"), ("two", "2025-12-01")] {
        ok(
            &org.run(&[
                "audit", "svc", "--store", &store, "--run", run, "--now", now,
            ]),
            0,
        );
    }
    // Two years end on 2026-01-09: not within the default 30 days of 2025-12-01, within 60.
    let d = common::json(ok(&org.run(&["diff", "--store", &store, "-f", "json"]), 0));
    assert_eq!(d["expiring_before_next"], serde_json::json!([]), "{d:#}");
    std::fs::write(
        org.dir().join(".keyaudit.toml"),
        "[audit]\nevery = \"60d\"\n",
    )
    .expect("w");
    let d = common::json(ok(&org.run(&["diff", "--store", &store, "-f", "json"]), 0));
    assert_eq!(
        d["expiring_before_next"][0]["rule"], "rotation-overdue",
        "{d:#}"
    );
    let d = common::json(ok(
        &org.run(&[
            "diff",
            "--store",
            &store,
            "-f",
            "json",
            "--next",
            "2026-01-05",
        ]),
        0,
    ));
    assert_eq!(d["expiring_before_next"], serde_json::json!([]), "{d:#}");
}

#[test]
fn removed_says_whether_an_entry_is_still_in_history() {
    let org = Org::new();
    let token = common::github_token("ghp", 41);
    org.commit(
        "app",
        &[
            ("src/settings.py", &format!("TOKEN = \"{token}\"\n")),
            ("k.pem", &key()),
        ],
        "2025-01-10T10:00:00Z",
    );
    let store = org.dir().join("s.db").display().to_string();
    ok(
        &org.run(&[
            "audit",
            "app",
            "--store",
            &store,
            "--run",
            "a",
            "--now",
            "2025-02-01",
        ]),
        0,
    );
    std::fs::remove_file(org.dir().join("app/src/settings.py")).expect("rm");
    org.git(
        "app",
        &["commit", "-qam", "drop token"],
        "2025-02-10T10:00:00Z",
    );
    // A plain directory that vanished between audits: its entries are gone entirely.
    std::fs::create_dir_all(org.dir().join("loose")).expect("mkdir");
    ok(
        &org.run(&[
            "audit",
            "app",
            "--store",
            &store,
            "--run",
            "b",
            "--now",
            "2025-03-01",
        ]),
        0,
    );
    let d = common::json(ok(&org.run(&["diff", "--store", &store, "-f", "json"]), 0));
    let removed = d["removed"].as_array().expect("removed");
    assert_eq!(removed.len(), 1, "{d:#}");
    assert_eq!(removed[0]["state"], "gone-from-head");
    common::assert_changes_schema_valid(&d);
    assert_eq!(removed[0]["kind"], "secret");
    assert_eq!(
        d["newly_violating"][0]["rule"], "secret-in-history",
        "{d:#}"
    );
    assert!(!d.to_string().contains(&token), "the diff shows the secret");
}

#[test]
fn nothing_secret_reaches_the_store() {
    each_store(|org, store| {
        let token = common::github_token("ghp", 7);
        let env = format!("GITHUB_TOKEN={token}\n");
        org.commit("app", &[("deploy/prod.env", &env)], "2025-01-10T10:00:00Z");
        ok(
            &org.run(&["audit", "app", "--store", store, "--now", "2025-02-01"]),
            0,
        );
        let report = org.run(&["report", "--store", store, "-f", "json"]);
        ok(&report, 1);
        assert!(report.stdout.contains("github"), "{}", report.stdout);
        assert!(!report.stdout.contains(&token));
        if store.starts_with("postgres") {
            let mut c = postgres::Client::connect(store, postgres::NoTls).expect("connect");
            for table in ["findings", "problems", "entries", "roots", "audits"] {
                let dump = c
                    .query(&format!("SELECT t::text FROM {table} t"), &[])
                    .expect("dump");
                for row in dump {
                    let text: String = row.get(0);
                    assert!(!text.contains(&token), "{table} holds the token");
                }
            }
        } else {
            for f in std::fs::read_dir(org.dir()).expect("dir") {
                let path = f.expect("entry").path();
                if path.to_string_lossy().contains("audits.db") {
                    let bytes = std::fs::read(&path).expect("read");
                    assert!(
                        !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                        "{} holds the token",
                        path.display()
                    );
                }
            }
        }
    });
}

#[test]
fn a_root_that_cannot_be_read_is_stored_incomplete_and_named_so_later() {
    let org = Org::new();
    org.commit("good", &[("k.pem", &key())], "2025-01-10T10:00:00Z");
    let store = org.dir().join("s.db").display().to_string();
    let r = org.run(&["audit", "good", "missing", "--store", &store, "--run", "r1"]);
    ok(&r, 3);
    assert!(r.stderr.contains("INCOMPLETE"), "{}", r.stderr);
    let report = org.run(&["report", "--store", &store, "-f", "json"]);
    let j = common::json(&report);
    assert_eq!(j["complete"], false);
    assert!(j["problems"].to_string().contains("missing"), "{j:#}");
    ok(
        &org.run(&["audit", "good", "missing", "--store", &store, "--run", "r2"]),
        3,
    );
    let d = org.run(&["diff", "--store", &store]);
    ok(&d, 3);
    assert!(d.stdout.contains("INCOMPLETE"), "{}", d.stdout);
}

/// Roots `r0`…`r7`: repositories with keys (one key shared by two of them) and `r6`, a large
/// plain directory, so that a shard's audit is still running when it is killed.
fn an_organisation(org: &Org) -> Vec<String> {
    let shared = key();
    for i in 0..8 {
        let name = format!("r{i}");
        if i == 6 {
            let mut rng = common::Rng::new(6);
            for f in 0..40 {
                let text: String = (0..1 << 20)
                    .map(|_| char::from(b'a' + (rng.next() % 26) as u8))
                    .collect();
                let p = org.dir().join(&name).join(format!("blob{f}.txt"));
                std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
                std::fs::write(p, text).expect("write");
            }
            continue;
        }
        let own = key();
        let mut files = vec![("keys/own.pem", own.as_str())];
        if i == 1 || i == 5 {
            files.push(("deploy/shared.pem", shared.as_str()));
        }
        let date = format!("202{}-0{}-10T10:00:00Z", 2 + i % 3, 1 + i);
        org.commit(&name, &files, &date);
    }
    (0..8).map(|i| format!("r{i}")).collect()
}

#[test]
fn four_shards_as_processes_equal_one_audit_byte_for_byte() {
    let Some(store) = postgres_database() else {
        return;
    };
    let org = Org::new();
    let names = an_organisation(&org);
    let now = "2026-06-01";
    let mut single = vec!["audit", "--store", &store, "--run", "single", "--now", now];
    single.extend(names.iter().map(String::as_str));
    ok(&org.run(&single), 0);
    // The list in another order: every shard still takes the same roots.
    let mut listed = names.clone();
    listed.reverse();
    std::fs::write(
        org.dir().join("repos.txt"),
        format!("# org\n{}\n", listed.join("\n")),
    )
    .expect("list");
    let shard = |i: u32| -> Command {
        let mut c = Command::new(common::bin());
        let s = format!("{i}/4");
        c.args([
            "audit",
            "--repos-from",
            "repos.txt",
            "--shard",
            &s,
            "--run",
            "org",
        ])
        .args(["--store", &store, "--now", now, "--parallel", "1"])
        .current_dir(org.dir());
        c
    };
    let first = shard(0).output().expect("shard 0");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // Shard 2 (r2, then the large r6) is killed once r2 is written and r6 is being read.
    kill_after_first_root(shard(2), "r2");
    let partial =
        common::json(&org.run(&["report", "--store", &store, "--run", "org", "-f", "json"]));
    assert_eq!(
        partial["complete"], false,
        "nothing of the killed shard is stored"
    );
    let problems = partial["problems"].to_string();
    assert!(problems.contains("shard 2/4"), "{partial:#}");
    assert!(!problems.contains("shard 0/4"), "{partial:#}");
    // Every shard again, shard 1 twice, then shard 2 again.
    let mut children: Vec<_> = [0, 1, 1, 3]
        .iter()
        .map(|i| shard(*i).output().map(|o| (i, o)))
        .collect::<Result<_, _>>()
        .expect("shards");
    children.push((&2, shard(2).output().expect("rerun")));
    for (i, out) in &children {
        assert!(
            out.status.success(),
            "shard {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let one = ok(
        &org.run(&["report", "--store", &store, "--run", "single", "-f", "json"]),
        1,
    )
    .stdout
    .clone();
    let many = ok(
        &org.run(&["report", "--store", &store, "--run", "org", "-f", "json"]),
        1,
    )
    .stdout
    .clone();
    assert_eq!(
        one, many,
        "the sharded run's report differs from the single audit's"
    );
    let j: serde_json::Value = serde_json::from_str(&many).expect("json");
    assert_eq!(j["complete"], true);
    assert_eq!(j["roots"].as_array().map(Vec::len), Some(8));
    let shared: Vec<_> = j["inventory"]
        .as_array()
        .expect("inventory")
        .iter()
        .filter(|e| {
            let repos: std::collections::BTreeSet<_> = e["occurrences"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|o| o["repo"].to_string())
                .collect();
            repos.len() == 2
        })
        .collect();
    assert_eq!(shared.len(), 1, "the key shared by r1 and r5 is one entry");
    let reuse: Vec<_> = j["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter(|v| v["rule"] == "repo-reuse")
        .collect();
    assert_eq!(reuse.len(), 1, "{j:#}");
    assert_eq!(reuse[0]["entry"], shared[0]["id"]);
    let msg = reuse[0]["message"].as_str().expect("message");
    assert!(msg.contains("r1, r5"), "{msg}");
    common::assert_schema_valid(&j);
}

#[test]
fn shards_run_in_parallel_write_one_run_without_duplicates() {
    let Some(store) = postgres_database() else {
        return;
    };
    let org = Org::new();
    for i in 0..4 {
        org.commit(
            &format!("s{i}"),
            &[("k.pem", &key())],
            "2025-03-01T10:00:00Z",
        );
    }
    let children: Vec<_> = (0..4)
        .map(|i| {
            let s = format!("{}/2", i % 2);
            Command::new(common::bin())
                .args(["audit", "s0", "s1", "s2", "s3", "--shard", &s, "--run", "p"])
                .args(["--store", &store, "-q"])
                .current_dir(org.dir())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for mut c in children {
        assert!(c.wait().expect("wait").success());
    }
    let j = common::json(&org.run(&["report", "--store", &store, "--run", "p", "-f", "json"]));
    assert_eq!(j["inventory"].as_array().map(Vec::len), Some(4), "{j:#}");
    assert_eq!(j["findings"].as_array().map(Vec::len), Some(4));
}

/// Start `audit`, wait until it says it wrote root `first`, and kill it while it reads the next.
fn kill_after_first_root(mut audit: Command, first: &str) {
    let mut child = audit
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut err = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    std::io::BufRead::read_line(&mut err, &mut line).expect("read");
    assert!(line.contains(&format!("audited {first}")), "{line}");
    child.kill().expect("kill");
    child.wait().expect("wait");
}

fn sqlite_store(org: &Org) -> (String, PathBuf) {
    let path = org.dir().join("k.db");
    (path.display().to_string(), path)
}

#[test]
fn a_corrupt_store_is_a_clear_error_and_stays_as_it_was() {
    let org = Org::new();
    org.commit("app", &[("k.pem", &key())], "2025-01-10T10:00:00Z");
    let (store, path) = sqlite_store(&org);
    let junk: Vec<u8> = (0..16_384u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &junk).expect("write");
    let r = org.run(&["audit", "app", "--store", &store]);
    ok(&r, 2);
    assert!(
        r.stderr.contains("not a keyaudit store or is damaged"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&path).expect("read"), junk);
    ok(&org.run(&["report", "--store", &store]), 2);
}

#[test]
fn a_locked_store_is_a_clear_error_and_the_other_writer_loses_nothing() {
    let org = Org::new();
    org.commit("app", &[("k.pem", &key())], "2025-01-10T10:00:00Z");
    let (store, path) = sqlite_store(&org);
    ok(
        &org.run(&["audit", "app", "--store", &store, "--run", "first"]),
        0,
    );
    let holder = rusqlite::Connection::open(&path).expect("open");
    holder
        .execute_batch("BEGIN IMMEDIATE; UPDATE audits SET host = host")
        .expect("lock");
    let r = org.run(&["audit", "app", "--store", &store, "--run", "second"]);
    ok(&r, 2);
    assert!(
        r.stderr.contains("locked by another process"),
        "{}",
        r.stderr
    );
    holder.execute_batch("COMMIT").expect("commit");
    drop(holder);
    let runs = runs_in(&path);
    assert_eq!(runs, ["first"]);
}

fn runs_in(path: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(path).expect("open");
    let mut s = c
        .prepare("SELECT run FROM audits ORDER BY run")
        .expect("prepare");
    s.query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn a_store_from_a_newer_keyaudit_is_refused_untouched() {
    let org = Org::new();
    org.commit("app", &[("k.pem", &key())], "2025-01-10T10:00:00Z");
    let (store, path) = sqlite_store(&org);
    ok(
        &org.run(&["audit", "app", "--store", &store, "--run", "first"]),
        0,
    );
    rusqlite::Connection::open(&path)
        .expect("open")
        .execute_batch("UPDATE keyaudit_schema SET version = 42")
        .expect("bump");
    for cmd in [&["audit", "app"][..], &["report"], &["diff"]] {
        let r = org.run(&[cmd, &["--store", &store]].concat());
        ok(&r, 2);
        assert!(r.stderr.contains("schema version 42"), "{}", r.stderr);
    }
    assert_eq!(runs_in(&path), ["first"]);
}

#[test]
fn an_unreachable_postgres_is_a_clear_error_without_its_password() {
    let org = Org::new();
    org.commit("app", &[("k.pem", &key())], "2025-01-10T10:00:00Z");
    let url = "postgres://audit:hunter2secret@127.0.0.1:9/keyaudit";
    let r = org.run(&["audit", "app", "--store", url]);
    ok(&r, 2);
    assert!(r.stderr.contains("cannot reach the store"), "{}", r.stderr);
    assert!(!r.stderr.contains("hunter2secret"), "{}", r.stderr);
}

#[test]
fn an_audit_killed_mid_way_leaves_no_rows() {
    let org = Org::new();
    let _ = an_organisation(&org);
    let (store, path) = sqlite_store(&org);
    ok(
        &org.run(&["audit", "r0", "--store", &store, "--run", "before"]),
        0,
    );
    let mut audit = Command::new(common::bin());
    audit
        .args([
            "audit",
            "r2",
            "r6",
            "--parallel",
            "1",
            "--store",
            &store,
            "--run",
            "killed",
        ])
        .current_dir(org.dir());
    kill_after_first_root(audit, "r2");
    assert_eq!(runs_in(&path), ["before"]);
    let c = rusqlite::Connection::open(&path).expect("open");
    let roots: i64 = c
        .query_row("SELECT COUNT(*) FROM roots", [], |r| r.get(0))
        .expect("count");
    assert_eq!(roots, 1, "only the first audit's root");
}

#[test]
fn a_bare_mirror_is_audited_by_its_history_and_a_directory_by_its_files() {
    let org = Org::new();
    org.commit("app", &[("deploy/k.pem", &key())], "2025-01-10T10:00:00Z");
    org.git(
        "",
        &["clone", "-q", "--bare", "app", "app.git"],
        "2025-01-10T10:00:00Z",
    );
    std::fs::create_dir_all(org.dir().join("loose/certs")).expect("mkdir");
    std::fs::write(org.dir().join("loose/certs/k.pem"), key()).expect("write");
    let store = org.dir().join("s.db").display().to_string();
    let r = org.run(&["audit", "app.git", "loose", "--store", &store]);
    ok(&r, 0);
    assert!(!r.stderr.contains("bare repository"), "{}", r.stderr);
    assert!(
        r.stderr.contains("audited app.git (git, 1 finding)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("audited loose (directory, 1 finding)"),
        "{}",
        r.stderr
    );
    let j = common::json(&org.run(&["report", "--store", &store, "-f", "json"]));
    let paths: Vec<&str> = j["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["location"]["path"].as_str())
        .collect();
    assert_eq!(paths, ["app.git/deploy/k.pem", "loose/certs/k.pem"]);
    assert_eq!(j["git"][0]["repo"], "app.git");
}

fn secret_manifest(db: &str, api: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: backend\ntype: Opaque\nstringData:\n  \
         db-password: \"{db}\"\n  api-token: \"{api}\"\n"
    )
}

#[test]
fn a_kubernetes_secret_is_rotated_key_by_key() {
    let org = Org::new();
    let (db1, api1) = (common::random_base62(11, 28), common::random_base62(12, 28));
    let manifest = "k8s/backend-secret.yaml";
    org.commit(
        "ops",
        &[(manifest, &secret_manifest(&db1, &api1))],
        "2025-03-01T10:00:00Z",
    );
    let store = org.dir().join("s.db").display().to_string();
    ok(
        &org.run(&[
            "audit",
            "ops",
            "--store",
            &store,
            "--run",
            "a",
            "--now",
            "2025-04-01",
        ]),
        0,
    );
    let before = common::json(&org.run(&["report", "--store", &store, "-f", "json"]));
    let id_of = |key: &str| -> String {
        before["inventory"]
            .as_array()
            .expect("inventory")
            .iter()
            .find(|e| e["occurrences"][0]["k8s_key"] == key)
            .and_then(|e| e["id"].as_str())
            .unwrap_or_else(|| panic!("no entry under {key}: {before:#}"))
            .to_string()
    };
    let (old_db, old_api) = (id_of("db-password"), id_of("api-token"));
    // Both values replaced, and written in the other order: each key keeps its own history.
    let (db2, api2) = (common::random_base62(13, 28), common::random_base62(14, 28));
    let swapped = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: backend\nstringData:\n  \
         api-token: \"{api2}\"\n  db-password: \"{db2}\"\n"
    );
    org.commit("ops", &[(manifest, &swapped)], "2025-04-10T10:00:00Z");
    ok(
        &org.run(&[
            "audit",
            "ops",
            "--store",
            &store,
            "--run",
            "b",
            "--now",
            "2025-05-01",
        ]),
        0,
    );
    let d = common::json(ok(&org.run(&["diff", "--store", &store, "-f", "json"]), 0));
    common::assert_changes_schema_valid(&d);
    let rot = d["rotated"].as_array().expect("rotated");
    assert_eq!(rot.len(), 2, "{d:#}");
    for r in rot {
        assert_eq!(r["path"], manifest);
        let want = if r["k8s_key"] == "db-password" {
            &old_db
        } else {
            &old_api
        };
        assert_eq!(&r["old"]["id"], want, "{r:#}");
    }
    assert_eq!(d["new"], serde_json::json!([]), "{d:#}");
    let text = ok(&org.run(&["diff", "--store", &store]), 0).stdout.clone();
    assert!(text.contains("[db-password]"), "{text}");
    assert!(!text.contains(&db1) && !text.contains(&db2), "{text}");
}

/// The lines of the block scalar that follows the line `head` in `text` (its first line that
/// ends so), dedented: the shell scripts that docs/ embeds in YAML, as GitHub and Kubernetes
/// hand them to their shells.
fn block_after(text: &str, head: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.trim_end().ends_with(head));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no line ending {head:?}"));
    let indent = first.len() - first.trim_start().len();
    let body: Vec<&str> = lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .collect();
    let cut = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for l in body {
        out.push_str(l.get(cut..).unwrap_or(""));
        out.push('\n');
    }
    out
}

/// Remote repositories `github.com/NAME` under `dir` (NAME.git too), each with its own key,
/// and a git configuration that sends `https://` there: the docs' scripts clone with their own
/// URLs and never reach a network.
fn remotes(dir: &Path, names: &[&str]) -> PathBuf {
    for name in names {
        let repo = dir.join("github.com").join(name);
        std::fs::create_dir_all(&repo).expect("mkdir");
        let git = |args: &[&str]| {
            let out = Command::new("git")
                .args(args)
                .current_dir(&repo)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_AUTHOR_NAME", "Alice Author")
                .env("GIT_AUTHOR_EMAIL", "alice@example.com")
                .env("GIT_COMMITTER_NAME", "Alice Author")
                .env("GIT_COMMITTER_EMAIL", "alice@example.com")
                .output()
                .expect("git");
            assert!(out.status.success(), "git {args:?}");
        };
        git(&["init", "-q", "-b", "main"]);
        std::fs::write(repo.join("k.pem"), key()).expect("write");
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "key"]);
        let last = repo
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        std::os::unix::fs::symlink(&repo, repo.with_file_name(format!("{last}.git")))
            .expect("symlink");
    }
    let config = dir.join("gitconfig");
    std::fs::write(
        &config,
        format!("[url \"{}/\"]\n\tinsteadOf = https://\n", dir.display()),
    )
    .expect("write");
    config
}

fn shell(program: &str, script: &str, dir: &Path, env: &[(&str, &str)], git_config: &Path) {
    let out = Command::new(program)
        .args(["-c", script])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", git_config)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .envs(env.iter().copied())
        .output()
        .expect("shell");
    assert!(
        out.status.success(),
        "{program}: {}\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The run's report is complete and names every repository once: each shard found every root
/// of its slice cloned by the docs' script (an audit of a root that is not there is incomplete).
fn assert_one_complete_run(store: &Path, run: &str, roots: &[&str]) {
    let r = common::run_in(
        store.parent().expect("dir"),
        &[
            "report",
            "--store",
            &store.display().to_string(),
            "--run",
            run,
            "--no-config",
            "-f",
            "json",
            "-q",
        ],
    );
    let j = common::json(&r);
    assert_eq!(j["complete"], true, "{j:#}");
    let names: Vec<&str> = j["git"]
        .as_array()
        .expect("git")
        .iter()
        .filter_map(|g| g["repo"].as_str())
        .collect();
    assert_eq!(names, roots, "{j:#}");
}

/// Names in an order of their own, one twice, with comments, blank lines, a trailing slash
/// and a CR, as a hand-kept list has them.
const LISTED: &[&str] = &[
    "org/web/",
    "org/api",
    "",
    "# retired: org/old",
    "Other/tools\r",
    "org/billing",
    "org/api",
    "org/payments",
    "org/zeta",
];
const REPOS: &[&str] = &[
    "Other/tools",
    "org/api",
    "org/billing",
    "org/payments",
    "org/web",
    "org/zeta",
];

#[test]
fn the_kubernetes_init_container_clones_exactly_the_slice_its_shard_audits() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let git_config = remotes(&tmp.path().join("remote"), REPOS);
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/audit-kubernetes.yaml"),
    )
    .expect("manifest");
    assert!(manifest.contains("completions: 4") && manifest.contains("value: \"4\""));
    let list = tmp.path().join("repos.txt");
    let lines: Vec<String> = LISTED
        .iter()
        .map(|l| match l.trim() {
            "" => String::new(),
            t if t.starts_with('#') => l.to_string(),
            _ => format!("github.com/{l}"),
        })
        .collect();
    std::fs::write(&list, lines.join("\n") + "\n").expect("write");
    let script = block_after(&manifest, "clone.sh: |")
        .replace("/config/repos.txt", &list.display().to_string());
    let store = tmp.path().join("k8s.db");
    for i in 0..4 {
        let pod = tmp.path().join(format!("pod{i}"));
        std::fs::create_dir_all(&pod).expect("mkdir");
        let index = i.to_string();
        let env = [
            ("JOB_COMPLETION_INDEX", index.as_str()),
            ("SHARDS", "4"),
            ("GIT_BASE", "https://"),
            ("HOME", "/nonexistent"),
        ];
        shell("sh", &script, &pod, &env, &git_config);
        let shard = format!("{i}/4");
        let r = common::run_in(
            &pod,
            &[
                "audit",
                "--repos-from",
                &list.display().to_string(),
                "--shard",
                &shard,
                "--run",
                "k8s",
                "--store",
                &store.display().to_string(),
            ],
        );
        ok(&r, 0);
    }
    let roots: Vec<String> = REPOS.iter().map(|r| format!("github.com/{r}")).collect();
    let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
    assert_one_complete_run(&store, "k8s", &roots);
}

#[test]
fn the_github_matrix_clones_exactly_the_slice_its_shard_audits() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let git_config = remotes(&tmp.path().join("remote"), REPOS);
    let workflow = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/audit-matrix.yml"),
    )
    .expect("workflow");
    let clone = &workflow[workflow
        .find("- name: Clone this shard's repositories")
        .expect("clone step")..];
    let script = block_after(clone, "run: |");
    let audit = &workflow[workflow.find("- name: Audit shard").expect("audit step")..];
    let audit_line = block_after(audit, "run: |");
    assert!(
        audit_line.contains(r#"keyaudit audit --repos-from "$RUNNER_TEMP/roots.txt" --shard "$SHARD/$SHARDS" --run "$RUN""#),
        "{audit_line}"
    );
    let workspace = tmp.path().join("workspace");
    std::fs::create_dir_all(workspace.join("audit")).expect("mkdir");
    std::fs::write(workspace.join("audit/repos.txt"), LISTED.join("\n") + "\n").expect("write");
    let store = tmp.path().join("gh.db");
    let mut lists = Vec::new();
    for i in 0..4 {
        let temp = tmp.path().join(format!("runner{i}"));
        std::fs::create_dir_all(&temp).expect("mkdir");
        let (index, temp_s) = (i.to_string(), temp.display().to_string());
        let env = [
            ("SHARD", index.as_str()),
            ("SHARDS", "4"),
            ("RUNNER_TEMP", temp_s.as_str()),
            ("TOKEN", ""),
        ];
        shell("bash", &script, &workspace, &env, &git_config);
        lists.push(std::fs::read_to_string(temp.join("roots.txt")).expect("roots.txt"));
        let shard = format!("{i}/4");
        let r = common::run_in(
            &temp.join("repos"),
            &[
                "audit",
                "--repos-from",
                &temp.join("roots.txt").display().to_string(),
                "--shard",
                &shard,
                "--run",
                "1234",
                "--store",
                &store.display().to_string(),
            ],
        );
        ok(&r, 0);
    }
    assert!(
        lists.windows(2).all(|w| w[0] == w[1]),
        "every shard reads the same list"
    );
    let roots: Vec<String> = REPOS.iter().map(|r| format!("github.com/{r}")).collect();
    let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
    assert_one_complete_run(&store, "1234", &roots);
}

#[test]
fn runs_lists_the_store_and_reading_never_creates_one() {
    let org = Org::new();
    org.commit("app", &[("k.pem", &key())], "2025-01-10T10:00:00Z");
    let store = org.dir().join("s.db").display().to_string();
    ok(
        &org.run(&[
            "audit",
            "app",
            "--store",
            &store,
            "--run",
            "w1",
            "--now",
            "2025-02-01",
        ]),
        0,
    );
    ok(
        &org.run(&["audit", "app", "missing", "--store", &store, "--run", "w2"]),
        3,
    );
    let text = ok(&org.run(&["runs", "--store", &store]), 0).stdout.clone();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("w1  2025-02-01") && lines[0].ends_with("complete"),
        "{text}"
    );
    assert!(lines[1].contains("INCOMPLETE"), "{text}");
    let j = common::json(ok(&org.run(&["runs", "--store", &store, "-f", "json"]), 0));
    assert_eq!(j[1]["roots"][1]["name"], "missing");
    assert_eq!(j[1]["roots"][1]["complete"], false);
    // The problem names the missing root once.
    let report =
        common::json(&org.run(&["report", "--store", &store, "--run", "w2", "-f", "json"]));
    assert_eq!(report["problems"][0]["path"], "missing", "{report:#}");
    for cmd in ["runs", "report", "diff", "history"] {
        let mut args = vec![cmd, "--store", "typo.db"];
        if cmd == "history" {
            args.push("fp1:abcdef");
        }
        let r = org.run(&args);
        ok(&r, 2);
        assert!(r.stderr.contains("no such file"), "{cmd}: {}", r.stderr);
    }
    assert!(!org.dir().join("typo.db").exists());
}

#[test]
fn a_shared_store_over_tls_verifies_the_server_when_asked() {
    let Some(db) = postgres_database() else {
        return;
    };
    let Ok(ca) = std::env::var("KEYAUDIT_TEST_POSTGRES_CA") else {
        assert!(
            std::env::var_os("KEYAUDIT_REQUIRE_SERVICES").is_none(),
            "KEYAUDIT_TEST_POSTGRES_CA is not set but KEYAUDIT_REQUIRE_SERVICES is"
        );
        return;
    };
    let org = Org::new();
    org.commit("app", &[("k.pem", &key())], "2025-01-10T10:00:00Z");
    let verified = format!("{db}?sslmode=verify-full&sslrootcert={ca}");
    ok(
        &org.run(&["audit", "app", "--store", &verified, "--run", "tls"]),
        0,
    );
    ok(&org.run(&["report", "--store", &verified, "-f", "json"]), 1);
    // Without the CA, the server's certificate does not verify: an error, nothing written.
    let unknown = org.run(&[
        "audit",
        "app",
        "--store",
        &format!("{db}?sslmode=verify-full"),
    ]);
    ok(&unknown, 2);
    assert!(
        unknown.stderr.contains("invalid peer certificate"),
        "{}",
        unknown.stderr
    );
    // The certificate names 127.0.0.1, not localhost.
    let other_name = verified.replace("127.0.0.1", "localhost");
    let r = org.run(&["audit", "app", "--store", &other_name]);
    ok(&r, 2);
    assert!(r.stderr.contains("not valid for name"), "{}", r.stderr);
    let runs = ok(&org.run(&["runs", "--store", &verified]), 0)
        .stdout
        .clone();
    assert_eq!(runs.lines().count(), 1, "{runs}");
}
