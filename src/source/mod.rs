//! Stage 1: sources. Enumerate inputs and hand each one over as a [`Blob`] with its provenance.
//!
//! A source knows how to find and read bytes (a file tree today; git history and the staged index
//! later) and nothing about what a secret is: it pushes blobs into a [`BlobSink`] supplied by the
//! scan stage, from as many threads as it likes, and reports what it could not read as
//! [`Problem`]s instead of failing. Keeping enumeration apart from matching is what lets the same
//! detectors serve every source.

pub mod fs;
pub mod git;
pub mod path_text;
pub mod roots;
pub mod sinks;
pub mod staged;
pub mod stdin;

use serde::Serialize;

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

/// What kind of trouble an input gave. Serialised as a stable snake_case name in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Could not be opened or read (permissions, vanished, I/O error). Makes the scan incomplete.
    Unreadable,
    /// The walk itself failed at this path (unreadable directory, symlink loop, broken link).
    WalkError,
    /// Larger than `--max-file-size`: skipped by choice, not an error.
    TooLarge,
    /// A FIFO, socket or device: never read, since reading could block forever.
    SpecialFile,
    /// A rule failed (e.g. its regex would not compile); the other rules still ran.
    RuleError,
    /// A git object (blob, tree, commit) referenced by history is absent from the object
    /// database (partial or damaged clone). Makes the scan incomplete.
    MissingObject,
    /// A pack index that cannot be used (truncated, damaged, its pack gone): every object of
    /// its pack is unreadable. Reported once per index. Makes the scan incomplete.
    CorruptIndex,
    /// A file changed (size or modification time) while it was read: what was scanned may be
    /// neither its old nor its new content. Makes the scan incomplete.
    ChangedDuringScan,
    /// More findings in one file than `--max-findings-per-file`: the first are reported, the
    /// rest counted. The file was scanned whole, so the scan is complete.
    FindingsCapped,
}

impl ProblemKind {
    /// Whether this kind means that some content the user asked for was not scanned.
    pub fn makes_incomplete(self) -> bool {
        matches!(
            self,
            ProblemKind::Unreadable
                | ProblemKind::WalkError
                | ProblemKind::RuleError
                | ProblemKind::MissingObject
                | ProblemKind::CorruptIndex
                | ProblemKind::ChangedDuringScan
        )
    }
}

/// An input that could not be (fully) scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub path: String,
    pub message: String,
}

/// A step of a source's work that takes long enough on a large repository to be worth naming
/// on a progress display, with its unit of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Following commits from the refs back through history.
    WalkingCommits,
    /// Diffing each commit's tree against its parents'.
    DiffingTrees,
    /// Reading blobs out of the packs and handing them over.
    ScanningBlobs,
}

impl Step {
    pub fn label(self) -> &'static str {
        match self {
            Step::WalkingCommits => "walking commits",
            Step::DiffingTrees => "diffing trees",
            Step::ScanningBlobs => "scanning blobs",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Step::WalkingCommits | Step::DiffingTrees => "commits",
            Step::ScanningBlobs => "blobs",
        }
    }
}

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
