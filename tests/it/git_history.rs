//! The git-history source against real repositories, built with the git CLI in temporary
//! directories with backdated commits. A recording sink stands in for the detectors.

use keyaudit::source::git::{
    GitError, GitOptions, GitOrigin, GitScanSummary, blob_id_of, scan_history,
};
use keyaudit::source::{Blob, BlobSink, Origin, Problem, ProblemKind};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use crate::common::git::Repo;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Helpers

/// Everything a scan handed to the sink.
#[derive(Default)]
struct Recorder {
    blobs: Mutex<Vec<Seen>>,
    problems: Mutex<Vec<Problem>>,
}

#[derive(Clone, Debug)]
struct Seen {
    path: String,
    data: Vec<u8>,
    origin: GitOrigin,
}

impl BlobSink for Recorder {
    fn blob(&self, blob: Blob<'_>) {
        let Origin::Git(origin) = blob.origin else {
            panic!("git source produced a non-git origin");
        };
        self.blobs.lock().unwrap().push(Seen {
            path: blob.path.to_string(),
            data: blob.data.to_vec(),
            origin: (**origin).clone(),
        });
    }

    fn problem(&self, problem: Problem) {
        self.problems.lock().unwrap().push(problem);
    }
}

struct Scan {
    summary: GitScanSummary,
    blobs: Vec<Seen>,
    problems: Vec<Problem>,
}

impl Scan {
    /// The one blob with exactly this content (panics unless there is exactly one).
    fn content(&self, data: &str) -> &Seen {
        let found: Vec<&Seen> = self
            .blobs
            .iter()
            .filter(|b| b.data == data.as_bytes())
            .collect();
        assert_eq!(found.len(), 1, "blobs with content {data:?}: {:#?}", found);
        found[0]
    }

    fn has_content(&self, data: &str) -> bool {
        self.blobs.iter().any(|b| b.data == data.as_bytes())
    }
}

fn scan(opts: &GitOptions) -> Scan {
    let sink = Recorder::default();
    let summary = scan_history(opts, &sink).expect("scan_history");
    let mut blobs = sink.blobs.into_inner().unwrap();
    blobs.sort_by(|a, b| a.origin.blob_id.cmp(&b.origin.blob_id));
    Scan {
        summary,
        blobs,
        problems: sink.problems.into_inner().unwrap(),
    }
}

fn scan_repo(dir: &Path) -> Scan {
    scan(&GitOptions::new(dir))
}

fn commit_of(intro: &keyaudit::source::git::GitIntroduction) -> &keyaudit::source::git::GitCommit {
    intro.commit.as_ref().expect("introduced by a commit")
}

// ---------------------------------------------------------------------------------------------
// Provenance

#[test]
fn deleted_secret_keeps_its_2020_introduction_and_is_not_at_head() {
    let r = Repo::new();
    r.write("README", "hello\n");
    r.commit("2019-06-01T10:00:00Z", "readme");
    r.write("config/.env", "API_TOKEN=s3cr3t-2020\n");
    let added = r.commit("2020-03-01T12:00:00Z", "add config");
    r.write("README", "hello again\n");
    r.commit("2021-01-01T00:00:00Z", "unrelated");
    std::fs::remove_file(r.dir.join("config/.env")).unwrap();
    r.commit("2022-05-05T05:05:05Z", "remove config");

    let s = scan_repo(&r.dir);
    let secret = s.content("API_TOKEN=s3cr3t-2020\n");
    assert_eq!(secret.path, "config/.env");
    assert!(!secret.origin.present_at_head);
    assert_eq!(secret.origin.introduced.len(), 1);
    let intro = &secret.origin.introduced[0];
    assert_eq!(intro.path, "config/.env");
    assert!(!intro.at_head);
    let c = commit_of(intro);
    assert_eq!(c.id, added);
    assert_eq!(c.author_name, "Alice Author");
    assert_eq!(c.author_email, "alice@example.com");
    assert_eq!(c.author_date, "2020-03-01T12:00:00Z");
    assert_eq!(c.author_time, 1_583_064_000);
    assert_eq!(c.commit_date, "2020-03-01T12:00:00Z");
    assert_eq!(
        secret.origin.blob_id,
        blob_id_of(b"API_TOKEN=s3cr3t-2020\n")
    );

    let readme = s.content("hello again\n");
    assert!(readme.origin.present_at_head);
    assert!(readme.origin.introduced[0].at_head);
    assert_eq!(s.summary.commits_walked, 4);
    assert_eq!(s.summary.blobs_scanned, 3);
    assert!(s.problems.is_empty(), "{:?}", s.problems);
}

/// A rename keeps the blob: it is scanned once, its first introduction (and the path the sink
/// gets) is the original commit and path, and the new path is listed with the renaming commit.
#[test]
fn rename_keeps_first_introduction_and_lists_the_new_path() {
    let r = Repo::new();
    r.write("secret.txt", "password=hunter2-rename\n");
    let original = r.commit("2020-01-01T00:00:00Z", "add");
    std::fs::create_dir(r.dir.join("moved")).unwrap();
    r.git(&["mv", "secret.txt", "moved/secret.txt"]);
    let renamed = r.commit("2021-01-01T00:00:00Z", "rename");

    let s = scan_repo(&r.dir);
    let b = s.content("password=hunter2-rename\n");
    assert_eq!(b.path, "secret.txt", "the sink gets the first path");
    let intros: Vec<(&str, &str, bool)> = b
        .origin
        .introduced
        .iter()
        .map(|i| (i.path.as_str(), commit_of(i).id.as_str(), i.at_head))
        .collect();
    assert_eq!(
        intros,
        vec![
            ("secret.txt", original.as_str(), false),
            ("moved/secret.txt", renamed.as_str(), true)
        ]
    );
    assert!(b.origin.present_at_head);
    assert_eq!(s.summary.blobs_scanned, 1);
}

#[test]
fn merged_branch_commit_keeps_the_credit() {
    let r = Repo::new();
    r.write("conf.txt", "base\n");
    r.commit("2020-01-01T00:00:00Z", "base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("keys/deploy.pem", "-----BEGIN KEY----- feature\n");
    r.write("conf.txt", "feature side\n");
    let on_branch = r.commit("2020-02-01T00:00:00Z", "feature work");
    r.git(&["checkout", "-q", "main"]);
    r.write("conf.txt", "main side\n");
    r.write("other.txt", "main only\n");
    r.commit("2020-03-01T00:00:00Z", "main work");
    // Merge with a conflict, resolved with new content: that content is the merge's own.
    let merge = r
        .git_cmd(
            &r.dir,
            &["merge", "-q", "--no-ff", "feature", "-m", "merge"],
        )
        .output()
        .unwrap();
    assert!(!merge.status.success(), "expected a conflict");
    r.write("conf.txt", "resolved in the merge\n");
    let merge = r.commit("2020-04-01T00:00:00Z", "merge feature");
    assert_eq!(
        r.git(&["rev-list", "--parents", "-n1", "HEAD"])
            .split(' ')
            .count(),
        3
    );

    let mut opts = GitOptions::new(&r.dir);
    opts.all_occurrences = true;
    let s = scan(&opts);
    let key = s.content("-----BEGIN KEY----- feature\n");
    assert_eq!(commit_of(&key.origin.introduced[0]).id, on_branch);
    let occurrences = key
        .origin
        .occurrences
        .as_ref()
        .expect("asked for occurrences");
    assert_eq!(
        occurrences.len(),
        1,
        "the merge did not introduce it again: {occurrences:?}"
    );
    assert_eq!(commit_of(&occurrences[0]).id, on_branch);
    assert_eq!(
        commit_of(&s.content("main only\n").origin.introduced[0]).commit_date,
        "2020-03-01T00:00:00Z"
    );
    let resolved = s.content("resolved in the merge\n");
    assert_eq!(commit_of(&resolved.origin.introduced[0]).id, merge);
    assert!(s.has_content("feature side\n") && s.has_content("main side\n"));
}

#[test]
fn a_blob_in_fifty_commits_is_scanned_once() {
    let r = Repo::new();
    r.write("constant.txt", "token=the-same-in-every-commit\n");
    for i in 0..50 {
        r.write("counter.txt", &format!("{i}\n"));
        r.commit(&format!("2020-01-01T00:{:02}:00Z", i), &format!("c{i}"));
    }
    let s = scan_repo(&r.dir);
    let constant: Vec<&Seen> = s
        .blobs
        .iter()
        .filter(|b| b.data == b"token=the-same-in-every-commit\n")
        .collect();
    assert_eq!(constant.len(), 1);
    assert_eq!(
        commit_of(&constant[0].origin.introduced[0]).commit_date,
        "2020-01-01T00:00:00Z"
    );
    assert_eq!(s.summary.commits_walked, 50);
    assert_eq!(s.summary.blobs_scanned, 51);
    assert_eq!(s.summary.blobs_seen, 51);
    assert_eq!(s.blobs.len(), 51);
    let ids: Vec<String> = s.blobs.iter().map(|b| b.origin.blob_id.clone()).collect();
    assert_eq!(ids, r.all_blob_ids());
}

#[test]
fn content_is_exact_and_ids_match_git_when_packed_and_deltified() {
    // Enough blobs to take the pack-streaming path, with versions of the same files so that
    // the pack holds deep delta chains.
    let r = Repo::new();
    let mut big = String::new();
    for i in 0..100 {
        big.push_str(&format!(
            "line {i}: some text that stays the same across versions\n"
        ));
    }
    for round in 0..12 {
        for f in 0..200 {
            let content = format!("file {f} round {round}\n{big}");
            r.write(&format!("dir{}/f{f}.txt", f % 7), &content);
        }
        r.commit(&format!("2020-01-{:02}T00:00:00Z", round + 1), "round");
    }
    r.git(&["gc", "-q", "--aggressive"]);
    assert!(
        std::fs::read_dir(r.dir.join(".git/objects/pack"))
            .unwrap()
            .count()
            >= 2
    );
    let s = scan_repo(&r.dir);
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    for b in &s.blobs {
        assert_eq!(
            blob_id_of(&b.data),
            b.origin.blob_id,
            "content of {} is wrong",
            b.path
        );
        assert!(s.summary.history_has_blob(&b.origin.blob_id));
    }
    let ids: Vec<String> = s.blobs.iter().map(|b| b.origin.blob_id.clone()).collect();
    assert_eq!(ids, r.all_blob_ids());
    assert_eq!(s.summary.blobs_scanned, 2400);

    // One thread or many: the same blobs with the same provenance.
    let mut one = GitOptions::new(&r.dir);
    one.threads = 1;
    let single = scan(&one);
    let key = |s: &Scan| -> Vec<(String, GitOrigin)> {
        s.blobs
            .iter()
            .map(|b| (b.path.clone(), b.origin.clone()))
            .collect()
    };
    assert_eq!(key(&single), key(&s));
}

// ---------------------------------------------------------------------------------------------
// Ranges

#[test]
fn since_and_range_scan_only_newer_introductions() {
    let r = Repo::new();
    r.write("a.txt", "from 2020\n");
    let c1 = r.commit("2020-01-01T00:00:00Z", "c1");
    r.write("b.txt", "from 2021\n");
    let c2 = r.commit("2021-01-01T00:00:00Z", "c2");
    r.write("c.txt", "from 2022\n");
    r.commit("2022-01-01T00:00:00Z", "c3");

    let mut opts = GitOptions::new(&r.dir);
    opts.since = Some(c1.clone());
    let s = scan(&opts);
    assert!(!s.has_content("from 2020\n"));
    assert!(s.has_content("from 2021\n") && s.has_content("from 2022\n"));
    assert_eq!(s.summary.commits_walked, 2);

    let mut opts = GitOptions::new(&r.dir);
    opts.range = Some((c1.clone(), c2.clone()));
    let s = scan(&opts);
    let contents: Vec<&[u8]> = s.blobs.iter().map(|b| b.data.as_slice()).collect();
    assert_eq!(contents, vec![b"from 2021\n".as_slice()]);

    let mut opts = GitOptions::new(&r.dir);
    opts.range = Some(("main~2".into(), "main".into()));
    assert_eq!(scan(&opts).summary.commits_walked, 2);

    for bad in [
        GitOptions {
            since: Some("no-such-branch".into()),
            ..GitOptions::new(&r.dir)
        },
        GitOptions {
            range: Some(("main".into(), "deadbeef".into())),
            ..GitOptions::new(&r.dir)
        },
        GitOptions {
            refs: Some(vec!["nope".into()]),
            ..GitOptions::new(&r.dir)
        },
    ] {
        match scan_history(&bad, &Recorder::default()) {
            Err(GitError::UnknownRevision { rev, .. }) => {
                assert!(["no-such-branch", "deadbeef", "nope"].contains(&rev.as_str()))
            }
            other => panic!("expected UnknownRevision, got {other:?}"),
        }
    }
    let both = GitOptions {
        since: Some(c1),
        range: Some(("a".into(), "b".into())),
        ..GitOptions::new(&r.dir)
    };
    assert!(matches!(
        scan_history(&both, &Recorder::default()),
        Err(GitError::SinceWithRange)
    ));
    let not_a_repo = tempfile::tempdir().unwrap();
    assert!(matches!(
        scan_history(&GitOptions::new(not_a_repo.path()), &Recorder::default()),
        Err(GitError::NotARepository { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Refs and repository shapes

#[test]
fn all_kinds_of_refs_are_walked() {
    let r = Repo::new();
    r.write("main.txt", "on main\n");
    r.commit("2020-01-01T00:00:00Z", "main");
    r.git(&["checkout", "-q", "-b", "side"]);
    r.write("side.txt", "only on a branch\n");
    r.commit("2020-02-01T00:00:00Z", "side");
    r.git(&["checkout", "-q", "main"]);
    r.git(&["tag", "-a", "v1", "-m", "annotated", "side"]);
    r.git(&["branch", "-D", "side"]);
    // A detached commit reachable only from a remote-tracking ref.
    r.write("remote.txt", "only on a remote\n");
    let remote = r.commit("2020-03-01T00:00:00Z", "remote");
    r.git(&["update-ref", "refs/remotes/origin/feature", &remote]);
    r.git(&["reset", "-q", "--hard", "HEAD~1"]);
    // Two stashes: the newest is refs/stash, the older one lives in its reflog.
    r.write("main.txt", "stashed first\n");
    r.git(&["stash", "-q"]);
    r.write("main.txt", "stashed second\n");
    r.git(&["stash", "-q"]);
    // A tag pointing straight at a blob, and one at a tree.
    let tagged_blob = {
        let mut cmd = r.git_cmd(&r.dir, &["hash-object", "-w", "--stdin"]);
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"a key in a tagged blob\n")
            .unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string()
    };
    r.git(&["tag", "blob-tag", &tagged_blob]);

    let s = scan_repo(&r.dir);
    for content in [
        "on main\n",
        "only on a branch\n",
        "only on a remote\n",
        "stashed first\n",
        "stashed second\n",
    ] {
        assert!(s.has_content(content), "missing {content:?}");
    }
    let tagged = s.content("a key in a tagged blob\n");
    assert_eq!(tagged.path, "refs/tags/blob-tag");
    assert!(tagged.origin.introduced[0].commit.is_none());

    // Picking refs: only what they reach.
    let mut opts = GitOptions::new(&r.dir);
    opts.refs = Some(vec!["v1".into()]);
    let s = scan(&opts);
    assert!(s.has_content("only on a branch\n"));
    assert!(!s.has_content("only on a remote\n"));
    let mut opts = GitOptions::new(&r.dir);
    opts.refs = Some(vec!["refs/remotes/*".into()]);
    let s = scan(&opts);
    assert!(s.has_content("only on a remote\n"));
    assert!(!s.has_content("only on a branch\n"));
}

#[test]
fn bare_repositories_and_paths_inside_a_work_tree_open() {
    let r = Repo::new();
    r.write("src/deep/file.txt", "content\n");
    r.commit("2020-01-01T00:00:00Z", "c");
    let inside = scan_repo(&r.dir.join("src/deep"));
    assert_eq!(inside.summary.blobs_scanned, 1);
    let bare = r._tmp.path().join("bare.git");
    r.git(&[
        "clone",
        "-q",
        "--bare",
        r.dir.to_str().unwrap(),
        bare.to_str().unwrap(),
    ]);
    let s = scan_repo(&bare);
    assert_eq!(s.summary.blobs_scanned, 1);
    assert!(s.blobs[0].origin.present_at_head);
    assert_eq!(
        s.summary.head_commit.as_deref(),
        Some(r.git(&["rev-parse", "HEAD"]).as_str())
    );
}

#[test]
fn origin_url_is_reported_without_credentials() {
    let r = Repo::new();
    r.write("f", "x\n");
    r.commit("2020-01-01T00:00:00Z", "c");
    r.git(&[
        "remote",
        "add",
        "origin",
        "https://user:ghp_secret@example.com/org/repo.git",
    ]);
    let s = scan_repo(&r.dir);
    assert_eq!(
        s.summary.origin_url.as_deref(),
        Some("https://example.com/org/repo.git")
    );
}

#[test]
fn shallow_clone_scans_what_is_there_and_says_so() {
    let r = Repo::new();
    for i in 0..5 {
        r.write(&format!("f{i}.txt"), &format!("version {i}\n"));
        r.commit(&format!("202{i}-01-01T00:00:00Z"), "c");
    }
    let clone = r._tmp.path().join("shallow");
    let url = format!("file://{}", r.dir.display());
    r.git(&["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()]);
    let s = scan_repo(&clone);
    assert!(s.summary.shallow);
    assert_eq!(s.summary.commits_walked, 1);
    assert_eq!(s.summary.blobs_scanned, 5);
    assert!(
        s.problems.is_empty(),
        "a shallow boundary is not a missing object: {:?}",
        s.problems
    );
    let full = scan_repo(&r.dir);
    assert!(!full.summary.shallow);
}

#[test]
fn ten_thousand_refs() {
    let r = Repo::new();
    let mut commits = Vec::new();
    for i in 0..20 {
        r.write("f.txt", &format!("{i}\n"));
        commits.push(r.commit(&format!("2020-01-01T00:00:{i:02}Z"), "c"));
    }
    let mut packed = String::from("# pack-refs with: peeled fully-peeled sorted \n");
    for i in 0..10_000 {
        packed.push_str(&format!(
            "{} refs/tags/t{i:05}\n",
            commits[i % commits.len()]
        ));
    }
    std::fs::write(r.dir.join(".git/packed-refs"), packed).unwrap();
    let start = Instant::now();
    let s = scan_repo(&r.dir);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "took {:?}",
        start.elapsed()
    );
    assert!(s.summary.refs_walked >= 10_000, "{}", s.summary.refs_walked);
    assert_eq!(s.summary.blobs_scanned, 20);
    assert_eq!(s.summary.commits_walked, 20);
}

// ---------------------------------------------------------------------------------------------
// Damage and oddities

#[test]
fn missing_blob_is_reported_and_the_rest_is_scanned() {
    let r = Repo::new();
    r.write("gone.txt", "this blob will be lost\n");
    r.write("kept.txt", "this one survives\n");
    let c = r.commit("2020-01-01T00:00:00Z", "c");
    r.write("later.txt", "later\n");
    r.commit("2021-01-01T00:00:00Z", "c2");
    let id = blob_id_of(b"this blob will be lost\n");
    std::fs::remove_file(r.dir.join(".git/objects").join(&id[..2]).join(&id[2..])).unwrap();

    let s = scan_repo(&r.dir);
    assert!(s.has_content("this one survives\n") && s.has_content("later\n"));
    assert!(!s.has_content("this blob will be lost\n"));
    let p: Vec<&Problem> = s
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::MissingObject)
        .collect();
    assert_eq!(p.len(), 1, "{:?}", s.problems);
    assert_eq!(p[0].path, "gone.txt");
    assert!(
        p[0].message.contains(&id) && p[0].message.contains(&c),
        "{}",
        p[0].message
    );
    assert!(ProblemKind::MissingObject.makes_incomplete());
    assert_eq!(s.summary.blobs_unreadable, 1);
    assert_eq!(s.summary.blobs_scanned, 2);
}

#[test]
fn missing_tree_and_corrupt_loose_object_are_reported() {
    let r = Repo::new();
    r.write("dir/inner.txt", "under a tree that goes missing\n");
    r.write("top.txt", "top\n");
    r.write("bad.txt", "this loose object gets corrupted\n");
    r.commit("2020-01-01T00:00:00Z", "c");
    let tree = r.git(&["rev-parse", "HEAD:dir"]);
    std::fs::remove_file(r.dir.join(".git/objects").join(&tree[..2]).join(&tree[2..])).unwrap();
    let bad = blob_id_of(b"this loose object gets corrupted\n");
    let bad_path = r.dir.join(".git/objects").join(&bad[..2]).join(&bad[2..]);
    let mut perms = std::fs::metadata(&bad_path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&bad_path, perms).unwrap();
    std::fs::write(&bad_path, b"not zlib at all").unwrap();

    let s = scan_repo(&r.dir);
    assert!(s.has_content("top\n"));
    let kinds: Vec<(ProblemKind, &str)> = s
        .problems
        .iter()
        .map(|p| (p.kind, p.path.as_str()))
        .collect();
    assert!(
        kinds.contains(&(ProblemKind::MissingObject, "dir/")),
        "{:?}",
        s.problems
    );
    assert!(
        kinds.contains(&(ProblemKind::Unreadable, "bad.txt")),
        "{:?}",
        s.problems
    );
}

#[test]
fn corrupt_pack_entry_is_reported_and_the_rest_is_scanned() {
    let r = Repo::new();
    let mut filler = String::new();
    for i in 0..2_100 {
        filler.push_str(&format!("{i}\n"));
        r.write(&format!("many/f{i}.txt"), &format!("file number {i}\n"));
    }
    let victim = "the victim blob, long enough to find in the pack: ".repeat(20);
    r.write("victim.txt", &victim);
    r.commit("2020-01-01T00:00:00Z", "c");
    r.git(&["gc", "-q"]);
    let id = blob_id_of(victim.as_bytes());
    // Find the victim's entry with git itself and damage its zlib data.
    let pack_dir = r.dir.join(".git/objects/pack");
    let idx = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    let listing = r.git(&["verify-pack", "-v", idx.to_str().unwrap()]);
    let line = listing
        .lines()
        .find(|l| l.starts_with(&id))
        .expect("victim in pack");
    let fields: Vec<&str> = line.split_whitespace().collect();
    let (size_in_pack, offset): (usize, usize) =
        (fields[3].parse().unwrap(), fields[4].parse().unwrap());
    let pack = idx.with_extension("pack");
    let mut bytes = std::fs::read(&pack).unwrap();
    for b in &mut bytes[offset + size_in_pack / 2..offset + size_in_pack - 1] {
        *b = 0xff;
    }
    let mut perms = std::fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).unwrap();
    std::fs::write(&pack, bytes).unwrap();

    let s = scan_repo(&r.dir);
    assert_eq!(
        s.summary.blobs_scanned, 2_100,
        "every other blob is scanned"
    );
    let p: Vec<&Problem> = s
        .problems
        .iter()
        .filter(|p| p.path == "victim.txt")
        .collect();
    assert_eq!(p.len(), 1, "{:?}", s.problems);
    assert_eq!(p[0].kind, ProblemKind::Unreadable);
    assert!(p[0].kind.makes_incomplete());
    let _ = filler;
}

#[test]
fn submodules_lfs_pointers_non_utf8_paths_and_big_blobs() {
    let r = Repo::new();
    r.write("small.txt", "small\n");
    r.write("big.bin", &"x".repeat(5_000));
    r.write(
        "model.bin",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        std::fs::write(r.dir.join(name), "latin-1 name\n").unwrap();
    }
    r.git(&["add", "-A"]);
    // A gitlink to a commit that is not in this repository: recorded, never followed.
    r.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        "160000,1234567890123456789012345678901234567890,vendor/lib",
    ]);
    r.commit_staged("2020-01-01T00:00:00Z", "c");

    let mut opts = GitOptions::new(&r.dir);
    opts.max_blob_size = 1_000;
    let s = scan(&opts);
    assert_eq!(
        s.summary.submodules,
        vec![keyaudit::source::git::GitSubmodule {
            path: "vendor/lib".into(),
            gitlinks: 1
        }]
    );
    assert_eq!(s.summary.lfs_pointers, 1);
    assert!(
        s.blobs
            .iter()
            .any(|b| b.path == "model.bin" && b.origin.lfs_pointer)
    );
    assert!(
        s.blobs
            .iter()
            .all(|b| b.path == "model.bin" || !b.origin.lfs_pointer)
    );
    assert_eq!(s.summary.blobs_too_large, 1);
    let too_large: Vec<&Problem> = s
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::TooLarge)
        .collect();
    assert_eq!(too_large.len(), 1);
    assert_eq!(too_large[0].path, "big.bin");
    assert!(!s.blobs.iter().any(|b| b.path == "big.bin"));
    assert!(
        !s.problems.iter().any(|p| p.path.contains("vendor")),
        "{:?}",
        s.problems
    );
    #[cfg(unix)]
    // Reversibly encoded (src/source/path_text.rs): the byte, not a replacement character.
    assert_eq!(s.content("latin-1 name\n").path, "caf%E9.txt");
}

#[test]
fn all_occurrences_lists_every_introduction() {
    let r = Repo::new();
    r.write("a.txt", "comes and goes\n");
    let first = r.commit("2020-01-01T00:00:00Z", "add");
    std::fs::remove_file(r.dir.join("a.txt")).unwrap();
    r.commit("2020-02-01T00:00:00Z", "remove");
    r.write("a.txt", "comes and goes\n");
    let again = r.commit("2020-03-01T00:00:00Z", "add again");

    let s = scan_repo(&r.dir);
    let b = s.content("comes and goes\n");
    assert!(b.origin.occurrences.is_none());
    assert_eq!(b.origin.introduced.len(), 1);
    assert_eq!(commit_of(&b.origin.introduced[0]).id, first);

    let mut opts = GitOptions::new(&r.dir);
    opts.all_occurrences = true;
    let s = scan(&opts);
    let b = s.content("comes and goes\n");
    let ids: Vec<&str> = b
        .origin
        .occurrences
        .as_ref()
        .unwrap()
        .iter()
        .map(|o| commit_of(o).id.as_str())
        .collect();
    assert_eq!(ids, vec![first.as_str(), again.as_str()]);
}

#[test]
fn worktree_files_already_in_history_can_be_skipped() {
    let r = Repo::new();
    r.write("same.txt", "identical in history and work tree\n");
    r.commit("2020-01-01T00:00:00Z", "c");
    r.write("new.txt", "only in the work tree\n");
    let s = scan_repo(&r.dir);
    let mut by_file = BTreeMap::new();
    for name in ["same.txt", "new.txt"] {
        let data = std::fs::read(r.dir.join(name)).unwrap();
        let id = blob_id_of(&data);
        assert_eq!(id, r.git(&["hash-object", name]));
        by_file.insert(name, s.summary.history_has_blob(&id));
    }
    assert_eq!(
        by_file,
        BTreeMap::from([("new.txt", false), ("same.txt", true)])
    );
    assert!(!s.summary.history_has_blob("not hex"));
}
