//! What the store keeps of one root, and how a finding is written down: the finding as the JSON
//! report shows it, less the secret (kept only with --show-secrets, never stored) and the code
//! around it (which may hold what no rule recognised), plus the fields the report leaves out but
//! the inventory and policy read (file times, what a key unlocks, open keystores).

use crate::model::ciphertext::{CiphertextAt, CiphertextKind};
use crate::model::{Finding, GitScanSummary, Problem};
use crate::scan::Stats;
use serde::{Deserialize, Serialize};

/// A repository (history and work tree) or a plain directory (its files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RootKind {
    Git,
    Directory,
}

impl RootKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RootKind::Git => "git",
            RootKind::Directory => "directory",
        }
    }

    pub fn parse(s: &str) -> Option<RootKind> {
        match s {
            "git" => Some(RootKind::Git),
            "directory" => Some(RootKind::Directory),
            _ => None,
        }
    }
}

/// One root of an audit as scanned: what the inventory of that root is built from.
#[derive(Debug, Clone)]
pub struct RootRecord {
    /// The root as the repository list names it; stable across audits and machines.
    pub name: String,
    pub kind: RootKind,
    /// Every requested input was read (no problem that makes a scan incomplete).
    pub complete: bool,
    /// In report order, paths relative to the root.
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub ciphertexts: Vec<CiphertextAt>,
    pub stats: Stats,
    /// What the history scan walked, for repositories.
    pub git: Option<GitScanSummary>,
}

/// A finding as stored.
#[derive(Serialize, Deserialize)]
struct FindingRecord {
    finding: Finding,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mtime: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    unlocks: Vec<CiphertextKind>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    open_keystore: bool,
}

/// The stored form of `f`: never its secret, never the code around it.
pub(super) fn finding_json(f: &Finding) -> Result<String, serde_json::Error> {
    let mut finding = f.clone();
    finding.secret = None;
    finding.snippet = String::new();
    let record = FindingRecord {
        mtime: finding.mtime,
        unlocks: std::mem::take(&mut finding.unlocks),
        open_keystore: finding.open_keystore,
        finding,
    };
    serde_json::to_string(&record)
}

pub(super) fn finding_from_json(text: &str) -> Result<Finding, serde_json::Error> {
    let r: FindingRecord = serde_json::from_str(text)?;
    let mut f = r.finding;
    f.mtime = r.mtime;
    f.unlocks = r.unlocks;
    f.open_keystore = r.open_keystore;
    Ok(f)
}

impl RootRecord {
    /// The record as the store reads it back: what [`finding_json`] keeps of each finding. An
    /// audit's own report is built from this, so it equals a later `report` byte for byte.
    pub fn as_stored(mut self) -> RootRecord {
        for f in &mut self.findings {
            f.secret = None;
            f.snippet.clear();
        }
        self
    }
}
