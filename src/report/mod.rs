//! Stage 6: reports. Render a finished [`ScanOutcome`](crate::scan::ScanOutcome) as text, JSON,
//! SARIF or GitLab's secret-detection report. Reports only read what the earlier stages produced;
//! nothing flows back.
//!
//! Every format lists findings in the outcome's order (sorted by path, position, rule) and so is
//! byte-identical for the same input whatever the thread count. Only the GitLab report carries
//! timestamps, because its schema requires them (`SOURCE_DATE_EPOCH` pins them).

pub mod changes;
pub mod gitlab;
pub mod json;
mod output;
pub mod progress;
pub mod repo_uri;
pub mod sarif;
pub mod text;
pub mod uri_base;

pub use output::write_private;

pub use crate::model::RuleInfo;

/// What every report needs besides the outcome.
pub struct ReportContext<'a> {
    /// Metadata of every rule in effect, sorted by id.
    pub rules: &'a [RuleInfo],
    /// Roots as the user gave them.
    pub roots: &'a [String],
    /// How reported paths map onto repository tops, for SARIF's URIs.
    pub uri_bases: uri_base::UriBases,
    /// One entry per repository whose history was scanned (empty for a file-tree scan).
    pub git: &'a [GitRun],
    /// The scan's findings grouped by identity.
    pub inventory: &'a crate::inventory::Inventory,
    /// What the policy found wrong with the inventory.
    pub violations: &'a [crate::policy::Violation],
    /// Violations the baseline accepts: kept out of `violations`, shown suppressed in SARIF.
    pub baselined_violations: &'a [crate::policy::Violation],
}

/// A repository whose history was scanned, and what the history scan did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GitRun {
    /// The repository as the user named it.
    pub repo: String,
    #[serde(flatten)]
    pub summary: crate::model::GitScanSummary,
}
