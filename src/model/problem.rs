//! Problems: inputs that could not be (fully) scanned, and why. Sources and the scan stage
//! raise them; reports list them and the exit status follows [`ProblemKind::makes_incomplete`].

use serde::{Deserialize, Serialize};

/// What kind of trouble an input gave. Serialised as a stable snake_case name in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
    /// A shard of a stored audit run is not in the store: its roots were not audited.
    MissingShard,
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
                | ProblemKind::MissingShard
        )
    }
}

/// An input that could not be (fully) scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub path: String,
    pub message: String,
}
