//! What a finished scan hands on: its findings in report order, problems and counters, and the
//! ciphertext it saw.

use crate::model::ciphertext::CiphertextAt;
use crate::model::{Finding, Problem, ProblemKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// Counters for the whole scan.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Stats {
    pub blobs_scanned: u64,
    pub bytes_scanned: u64,
    pub findings: u64,
    /// Findings suppressed by an inline `keyaudit:allow`.
    pub suppressed_inline: u64,
    /// Findings suppressed by an `[[allow]]` entry of the configuration.
    pub allowed_by_config: u64,
    /// Findings accepted in the baseline (`--baseline`): not counted in `findings`.
    pub baselined: u64,
    /// Policy violations accepted in the baseline: not reported as violations.
    pub baselined_violations: u64,
}

/// Everything a scan produced, in report order.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub stats: Stats,
    /// Findings the baseline accepts: left out of `findings`, kept for SARIF `suppressions`.
    pub baselined: Vec<Finding>,
    /// Encrypted data seen during the scan, for the policy's key-beside-data rule.
    pub ciphertexts: Vec<CiphertextAt>,
}

impl ScanOutcome {
    /// True when some requested content was not scanned.
    pub fn incomplete(&self) -> bool {
        self.problems.iter().any(|p| p.kind.makes_incomplete())
    }

    pub fn problem_counts(&self) -> BTreeMap<ProblemKind, u64> {
        let mut m = BTreeMap::new();
        for p in &self.problems {
            *m.entry(p.kind).or_insert(0) += 1;
        }
        m
    }
}
