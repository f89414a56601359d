//! The git-history source: every blob reachable from the selected refs, scanned once, with who
//! introduced it and when.
//!
//! The scan runs in two passes over the object database (all object access in-process, through
//! gix and its pack crate, never a `git` subprocess):
//!
//! 1. **Introductions.** Walk the commits reachable from the tips (newest first, honouring an
//!    exclusion side for `since`/`range`), then diff every commit's tree against its parents'
//!    trees in parallel. Subtrees whose id is unchanged in any parent are skipped without being
//!    read, so a commit costs what it changed, not the size of its tree. Each added or modified
//!    `(path, blob)` is recorded with the earliest commit (by committer time) that introduced it.
//!    Only ids, interned paths and commit indices are kept; no content.
//! 2. **Content.** Stream the wanted blobs out of each pack in delta-tree order with keyaudit's
//!    own pack walk (built on gix-pack's index lookup, entry headers and inflate: only the delta
//!    chains that lead to a wanted blob are decoded, each once, depth first, on all cores), and
//!    hand each wanted blob to the sink the first time it appears. Whatever the walk did not yield
//!    (loose objects, objects behind a corrupt pack entry, or everything when few blobs are
//!    wanted, as in a short range) is read one by one; what cannot be read is reported as a
//!    [`Problem`], never a failure of the whole scan.
//!
//! Pass 1's tree diffs and pass 2's one-by-one reads run on one scoped worker pool, the pack walk
//! on a rayon pool; no output depends on which worker did what. Memory is the per-blob
//! bookkeeping (id → first introductions), the per-thread object caches and, during pass 2, some
//! twenty bytes per pack entry for the walk's plan plus the decoded levels of the delta chains
//! being walked (bounded per thread); blob content is never held beyond the blob being scanned.
//!
//! # Merges and renames
//!
//! A `(path, blob)` is new in a commit only when *no* parent has that blob at that path. A merge
//! therefore introduces nothing that came from one of its branches: the branch commit keeps the
//! credit. Only content that the merge itself created (a conflict resolution, an "evil merge") is
//! attributed to it.
//!
//! Introductions are per path. A rename keeps the blob id, so the blob is still scanned once; its
//! first introduction (and [`Blob::path`](super::Blob::path)) stays the original commit and path,
//! and the new path appears as a second [`GitIntroduction`] attributed to the renaming commit.

mod damaged;
mod deliver;
mod diff;
#[doc(hidden)]
pub mod fuzz;
mod graph;
mod pack;
mod pool;
mod refs;
mod tree;

use super::{BlobSink, Problem, ProblemKind};
pub use crate::model::{GitCommit, GitIntroduction, GitScanSummary, GitSubmodule};
use gix::ObjectId;
use serde::Serialize;
use std::path::PathBuf;

/// Cache of the single-threaded commit walk: commits are rarely deltas, so little is needed.
const WALK_CACHE_BYTES: usize = 8 << 20;

/// Default for [`GitOptions::max_blob_size`]: the same as the CLI's `--max-file-size`.
pub const DEFAULT_MAX_BLOB_SIZE: u64 = 64 << 20;

/// What to scan in a repository's history.
#[derive(Debug, Clone)]
pub struct GitOptions {
    /// The repository: a work tree (or any directory inside one), a `.git` directory or a bare
    /// repository.
    pub repo: PathBuf,
    /// Start points instead of every ref. Each is a revision (`main`, `v1.0`, `origin/dev`,
    /// `HEAD`, a commit id) or a glob over full ref names (`refs/tags/*`). `None`: all refs
    /// (branches, tags, remote-tracking refs, notes, the stash and its reflog) plus `HEAD`.
    pub refs: Option<Vec<String>>,
    /// Scan only what commits not reachable from this revision introduced, as `git log REV..HEAD`
    /// lists them: the tips are `refs` if given, else HEAD (never all refs: other branches and
    /// tags are not what a branch adds). Cannot be combined with `range`.
    pub since: Option<String>,
    /// Scan only what commits in `A..B` introduced (reachable from B, not from A): exactly the
    /// commits `git log A..B` lists. `refs` are ignored.
    pub range: Option<(String, String)>,
    /// Worker threads; 0 = all cores.
    pub threads: usize,
    /// Blobs larger than this are not scanned; each is reported as a `TooLarge` problem.
    pub max_blob_size: u64,
    /// Also list, for every blob, every commit that introduced it at any path (re-additions,
    /// cherry-picks, the same file on several branches), not only the earliest per path.
    pub all_occurrences: bool,
}

impl GitOptions {
    /// All refs of the repository at `repo`, all cores, the default size limit.
    pub fn new(repo: impl Into<PathBuf>) -> Self {
        GitOptions {
            repo: repo.into(),
            refs: None,
            since: None,
            range: None,
            threads: 0,
            max_blob_size: DEFAULT_MAX_BLOB_SIZE,
            all_occurrences: false,
        }
    }
}

/// Errors that stop a history scan before it starts. Everything that goes wrong later (missing or
/// corrupt objects, unreadable refs) is reported to the sink as a [`Problem`] instead.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("not a git repository: {path}: {message}")]
    NotARepository { path: String, message: String },
    /// A revision given in `since`, `range` or `refs` does not exist (map to exit code 2).
    #[error("unknown revision {rev:?}: {message}")]
    UnknownRevision { rev: String, message: String },
    #[error("--since and a commit range cannot be combined")]
    SinceWithRange,
    #[error("cannot read the repository's references: {0}")]
    Refs(String),
    #[error("cannot start worker threads: {0}")]
    Threads(String),
}

/// Where a blob came from in history: the value of [`Origin::Git`](super::Origin::Git).
///
/// The sink is called once per distinct blob. `introduced` has one entry per path the blob was
/// ever introduced at, earliest first; `introduced[0]` is the blob's first introduction and its
/// path is the [`Blob::path`](super::Blob::path) the sink receives. To report a finding at every
/// path, repeat it for `introduced[1..]` with that entry's path and commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GitOrigin {
    /// The blob's object id (40 hex digits).
    pub blob_id: String,
    /// Per path, the commit that first put this blob there; earliest first. Never empty.
    pub introduced: Vec<GitIntroduction>,
    /// The blob is somewhere in HEAD's tree (at any path): the secret is still in the current
    /// checkout, not only in history.
    pub present_at_head: bool,
    /// The blob is a Git LFS pointer file (the real content is not in the repository).
    pub lfs_pointer: bool,
    /// With [`GitOptions::all_occurrences`]: every commit that introduced this blob at any path,
    /// oldest first (a superset of `introduced`). `None` when not asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<Vec<GitIntroduction>>,
}

/// Git's id for a blob with this content: SHA-1 of `"blob <len>\0"` followed by the bytes.
pub fn blob_id_of(data: &[u8]) -> String {
    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, data)
        .map(|id| id.to_hex().to_string())
        // Only fails when the SHA-1 collision detector fires: no real content does that.
        .unwrap_or_default()
}

/// Scan every distinct blob of the selected history once. See the module documentation.
pub fn scan_history(opts: &GitOptions, sink: &dyn BlobSink) -> Result<GitScanSummary, GitError> {
    if opts.since.is_some() && opts.range.is_some() {
        return Err(GitError::SinceWithRange);
    }
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let timing = Timing::new();
    let repo = open(&opts.repo)?;
    let local = repo.to_thread_local();
    let packs = pack::Packs::open(&local);
    let top = local
        .workdir()
        .unwrap_or_else(|| local.git_dir())
        .to_path_buf();
    let folded = damaged::FoldMissing::new(sink, &packs.broken, &top);
    let sink: &dyn BlobSink = &folded;
    let mut objects = pack::Objects::new(&packs, repo.to_thread_local(), WALK_CACHE_BYTES, 1 << 30);

    let tips = refs::select(&local, &mut objects, opts, sink)?;
    let mut graph = graph::Graph::new(&local, sink);
    let shallow = graph.is_shallow();
    let include: Vec<ObjectId> = tips.include.iter().map(|t| t.id).collect();
    let mut loader = graph::Loader {
        objects: &mut objects,
        sink,
    };
    let in_scope = graph.walk(&mut loader, &include, &tips.exclude);
    timing.mark("refs and commit walk");

    let catalog = diff::introductions(
        &repo,
        &packs,
        &graph,
        &in_scope,
        &tips.others,
        opts,
        threads,
        sink,
    )?;
    timing.mark("tree diffs");

    let head = deliver::HeadInfo::read(&mut objects);
    drop(objects);
    let delivered = deliver::deliver(&repo, &packs, &graph, &catalog, &head, opts, threads, sink)?;
    timing.mark("blob delivery");

    Ok(GitScanSummary {
        refs_walked: tips.refs_walked,
        commits_walked: in_scope.len() as u64,
        blobs_seen: catalog.len() as u64,
        blobs_scanned: delivered.scanned,
        bytes_scanned: delivered.bytes,
        blobs_too_large: delivered.too_large,
        blobs_unreadable: delivered.unreadable,
        lfs_pointers: delivered.lfs_pointers,
        submodules: catalog.submodules(),
        shallow,
        head_commit: head.commit.map(|id| id.to_hex().to_string()),
        origin_url: origin_url(&local),
        scanned_blob_ids: delivered.scanned_ids,
    })
}

/// Phase timings on stderr when `KEYAUDIT_GIT_TIMING` is set: for benchmarks and profiling.
struct Timing(Option<std::cell::Cell<std::time::Instant>>);

impl Timing {
    fn new() -> Self {
        Timing(
            std::env::var_os("KEYAUDIT_GIT_TIMING")
                .map(|_| std::cell::Cell::new(std::time::Instant::now())),
        )
    }

    fn mark(&self, what: &str) {
        if let Some(t) = &self.0 {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let mem: Vec<&str> = status
                .lines()
                .filter(|l| {
                    l.starts_with("VmHWM") || l.starts_with("RssAnon") || l.starts_with("RssFile")
                })
                .flat_map(|l| l.split_whitespace().nth(1))
                .collect();
            // utime + stime in clock ticks (fields 14 and 15 of /proc/self/stat).
            let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
            let cpu: u64 = stat
                .rsplit(')')
                .next()
                .map(|rest| {
                    rest.split_whitespace()
                        .skip(11)
                        .take(2)
                        .filter_map(|x| x.parse::<u64>().ok())
                        .sum()
                })
                .unwrap_or(0);
            eprintln!(
                "git history: {what}: {:.2} s wall, cpu total {:.2} s, hwm/anon/file KB {mem:?}",
                t.get().elapsed().as_secs_f64(),
                cpu as f64 / 100.0
            );
            t.set(std::time::Instant::now());
        }
    }
}

fn open(path: &std::path::Path) -> Result<gix::ThreadSafeRepository, GitError> {
    let not_a_repo = |message: String| GitError::NotARepository {
        path: path.display().to_string(),
        message,
    };
    if !path.exists() {
        return Err(not_a_repo("no such file or directory".into()));
    }
    // A repository owned by someone else opens with reduced trust (its configuration is not
    // allowed to run programs), which is all a read-only scan needs.
    gix::ThreadSafeRepository::discover_opts(path, Default::default(), Default::default())
        .map_err(|e| not_a_repo(e.to_string()))
}

/// `remote.origin.url` for SARIF's versionControlProvenance, minus credentials: a URL such as
/// `https://user:token@host/repo` must never end up in a report.
fn origin_url(repo: &gix::Repository) -> Option<String> {
    let url = repo.config_snapshot().string("remote.origin.url")?;
    let url = String::from_utf8_lossy(&url).into_owned();
    Some(strip_userinfo(&url))
}

fn strip_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string(); // scp-like `git@host:path`: a user name, never a password
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end + 3], &rest[at + 1..]),
        None => url.to_string(),
    }
}

pub(crate) use crate::time::rfc3339 as rfc3339_utc;

fn problem(sink: &dyn BlobSink, kind: ProblemKind, path: impl Into<String>, message: String) {
    sink.problem(Problem {
        kind,
        path: path.into(),
        message,
    });
}

/// A tree path as reports write it (reversibly, see [`super::path_text`]).
fn shown_path(path: &[u8]) -> String {
    super::path_text::from_bytes(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_match_git() {
        assert_eq!(blob_id_of(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        assert_eq!(
            blob_id_of(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }

    #[test]
    fn credentials_are_stripped() {
        assert_eq!(
            strip_userinfo("https://u:tok@example.com/a/b.git"),
            "https://example.com/a/b.git"
        );
        assert_eq!(
            strip_userinfo("https://example.com/a@b"),
            "https://example.com/a@b"
        );
        assert_eq!(
            strip_userinfo("git@example.com:a/b.git"),
            "git@example.com:a/b.git"
        );
    }
}
