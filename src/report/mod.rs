//! Stage 5: reports. Render a finished [`ScanOutcome`](crate::scan::ScanOutcome) as text, JSON,
//! SARIF or GitLab's secret-detection report. Reports only read what the earlier stages produced;
//! nothing flows back.
//!
//! Every format lists findings in the outcome's order (sorted by path, position, rule) and so is
//! byte-identical for the same input whatever the thread count. Only the GitLab report carries
//! timestamps, because its schema requires them (`SOURCE_DATE_EPOCH` pins them).

pub mod gitlab;
pub mod json;
mod output;
pub mod progress;
pub mod repo_uri;
pub mod sarif;
pub mod text;
pub mod uri_base;

pub use output::write_private;

use crate::finding::Severity;

/// What a report says about a rule: the metadata of every detector, built-in, user or native.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub severity: Severity,
    pub remediation: Option<String>,
    pub references: Vec<String>,
}

impl From<&crate::detect::Rule> for RuleInfo {
    fn from(r: &crate::detect::Rule) -> Self {
        RuleInfo {
            id: r.spec.id.clone(),
            name: r.spec.name.clone(),
            description: r.spec.description.clone(),
            category: r.spec.category.clone(),
            severity: r.spec.severity,
            remediation: r.spec.remediation.clone(),
            references: r.spec.references.clone(),
        }
    }
}

impl From<&crate::detect::crypto::NativeRule> for RuleInfo {
    fn from(r: &crate::detect::crypto::NativeRule) -> Self {
        RuleInfo {
            id: r.id.to_string(),
            name: r.name.to_string(),
            description: r.description.to_string(),
            category: r.category.to_string(),
            severity: r.severity,
            remediation: Some(r.remediation.to_string()),
            references: Vec::new(),
        }
    }
}

/// Metadata of every detector in effect (rules and the crypto parser's native rules), by id.
pub fn rule_catalogue(rules: &[crate::detect::Rule]) -> Vec<RuleInfo> {
    let mut all: Vec<RuleInfo> = rules.iter().map(RuleInfo::from).collect();
    all.extend(crate::detect::crypto::RULES.iter().map(RuleInfo::from));
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

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
    pub summary: crate::source::git::GitScanSummary,
}
