//! Stage 1 of the flow (source → detect → scan → inventory → policy → report): enumerate inputs
//! and hand each one over as a [`Blob`] with its provenance ([`Origin`]).
//!
//! Four sources: [`fs`] walks file trees, [`git`] reads every blob of a repository's history
//! once with who introduced it, [`staged`] reads what the next commit would add, and [`stdin`]
//! reads standard input; [`sinks`] adapts the sink between them (path prefixes for several
//! repositories, work-tree files a history scan already covered). A source knows how to find and
//! read bytes and nothing about what a secret is: it pushes blobs into a [`BlobSink`] supplied by
//! the scan stage, from as many threads as it likes, and reports what it could not read as
//! [`Problem`]s instead of failing. Keeping enumeration apart from matching is what lets the same
//! detectors serve every source. It names only the shared model below it.

pub mod fs;
pub mod git;

pub mod sinks;
pub mod staged;
pub mod stdin;

/// Where a blob came from, beyond its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file in a directory tree; `mtime` in seconds since the Unix epoch, when known.
    File { mtime: Option<i64> },
    /// A blob in git history: its id, every path it was introduced at and by which commit.
    /// Boxed: the history details are large and `Origin` travels with every blob.
    Git(Box<git::GitOrigin>),
    /// Content staged in the index; only findings on `added_lines` (1-based, sorted) are new.
    Staged { added_lines: Vec<u32> },
}

/// One input to scan: bytes plus where they came from.
#[derive(Debug, Clone, Copy)]
pub struct Blob<'a> {
    /// Display path: relative to the scan root, `/`-separated, encoded by [`path_text`].
    pub path: &'a str,
    pub data: &'a [u8],
    pub origin: &'a Origin,
}

pub use crate::model::{Problem, ProblemKind, Step, path_text, roots};

/// Receives blobs and problems from a source. Called concurrently from the source's threads.
pub trait BlobSink: Sync {
    fn blob(&self, blob: Blob<'_>);
    fn problem(&self, problem: Problem);
    /// The source starts `step`, of `total` units when known. For progress only: the default
    /// ignores it, so sinks that do not show progress need nothing.
    fn step(&self, _step: Step, _total: Option<u64>) {}
    /// `n` more units of the current step are done.
    fn advance(&self, _n: u64) {}
}
