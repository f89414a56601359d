//! Rule metadata as reports show it (SARIF `tool.driver.rules`, `rules list`): built by the
//! detect stage from every detector in effect, so reports never read detector internals.

use super::Severity;

/// What a report says about a rule: the metadata of every detector, built-in, user or native.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub category: String,
    /// The rule matches by shape or key name only (`precedence = "generic"`): reports rate its
    /// precision lower.
    #[serde(skip)]
    pub generic: bool,
    pub severity: Severity,
    pub remediation: Option<String>,
    pub references: Vec<String>,
}
