//! Git provenance: which commit put a blob at a path. Sources fill it, findings carry it, the
//! inventory dates keys by it and reports print it.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One path of a blob and the commit that put the blob there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GitIntroduction {
    /// `/`-separated path in the tree, encoded reversibly (see `source::path_text`). For a blob reached only
    /// through a ref that points at a tree or blob (no commit), the ref name, then `:` and the path.
    pub path: String,
    /// `None` only for blobs reached through a ref to a tree or blob rather than a commit.
    pub commit: Option<GitCommit>,
    /// HEAD's tree has this very blob at this very path.
    pub at_head: bool,
}

/// The commit that introduced a blob.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GitCommit {
    /// 40 hex digits.
    pub id: String,
    pub author_name: String,
    pub author_email: String,
    /// Author date, seconds since the Unix epoch.
    pub author_time: i64,
    /// Author date as RFC 3339 in UTC, e.g. `2020-03-01T12:00:00Z`.
    pub author_date: String,
    /// Committer date, seconds since the Unix epoch (what "earliest" is measured by).
    pub commit_time: i64,
    pub commit_date: String,
}

#[cfg(test)]
impl GitCommit {
    /// A commit for unit tests: id `c` forty times, committed and authored at `time`.
    pub fn sample(c: char, time: i64) -> GitCommit {
        GitCommit {
            id: c.to_string().repeat(40),
            author_name: "A".into(),
            author_email: "a@example.com".into(),
            author_time: time,
            author_date: crate::time::rfc3339(time),
            commit_time: time,
            commit_date: crate::time::rfc3339(time),
        }
    }
}

/// A submodule seen in history: gitlink entries are recorded, never followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitSubmodule {
    pub path: String,
    /// Distinct submodule commits this path pointed at in the scanned history.
    pub gitlinks: u64,
}

/// What a history scan did, for the report's summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GitScanSummary {
    /// Refs (and HEAD, stash reflog entries, revisions given) that resolved to a start point.
    pub refs_walked: u64,
    /// Commits in scope whose trees were diffed.
    pub commits_walked: u64,
    /// Distinct blobs introduced by those commits (scanned, too large, missing or unreadable).
    pub blobs_seen: u64,
    /// Distinct blobs handed to the sink; each exactly once.
    pub blobs_scanned: u64,
    /// Decompressed bytes handed to the sink.
    pub bytes_scanned: u64,
    /// Blobs over `max_blob_size`: not scanned, each reported as a `TooLarge` problem.
    pub blobs_too_large: u64,
    /// Blobs that could not be read: missing from the object database or corrupt.
    pub blobs_unreadable: u64,
    /// Blobs that are Git LFS pointer files (scanned like any other blob).
    pub lfs_pointers: u64,
    /// Submodule paths (gitlink entries), not followed.
    pub submodules: Vec<GitSubmodule>,
    /// The repository is a shallow clone: history before the shallow boundary is absent, and
    /// the boundary commits are credited with everything in their trees.
    pub shallow: bool,
    /// The commit HEAD points at, if any (unborn HEAD: `None`).
    pub head_commit: Option<String>,
    /// `remote.origin.url`, with any user name or password removed.
    pub origin_url: Option<String>,
    /// Ids of every blob handed to the sink, to skip work-tree files already scanned.
    #[serde(skip)]
    pub scanned_blob_ids: HashSet<gix::ObjectId>,
}

impl GitScanSummary {
    /// Whether history scanning already covered this exact content (`id_hex` as returned by
    /// `source::git::blob_id_of`). For `--git --worktree`: skip work-tree files whose id this returns true for.
    pub fn history_has_blob(&self, id_hex: &str) -> bool {
        gix::ObjectId::from_hex(id_hex.as_bytes())
            .is_ok_and(|id| self.scanned_blob_ids.contains(&id))
    }
}
