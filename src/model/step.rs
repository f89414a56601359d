//! The steps a source names on a progress display: sources announce them, the progress
//! display (a report) shows them, neither knowing the other.

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
