//! Baselines: findings a team has accepted, so that a CI gate fails on new ones only.
//!
//! A finding is in the baseline when its rule, secret fingerprint and path match an entry: moving
//! or reformatting the line keeps it accepted, a *changed* secret on the same line (a new
//! fingerprint) does not. The file holds fingerprints only, never a secret in clear.
//!
//! Policy violations are accepted by rule and inventory entry. Accepted findings still feed the
//! inventory, so a problem that appears later for an accepted key (its certificate expires, it
//! passes its cryptoperiod) is a new violation and fails the gate, as it should.

use crate::model::Finding;
use crate::policy::Violation;
use crate::scan::ScanOutcome;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Accepted {
    pub rule_id: String,
    pub fingerprint: crate::model::Fingerprint,
    pub path: String,
}

/// An accepted policy violation: its rule and the inventory entry it is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AcceptedViolation {
    pub rule: String,
    pub entry: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub keyaudit_baseline: u32,
    pub findings: BTreeSet<Accepted>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub violations: BTreeSet<AcceptedViolation>,
}

fn violation_key(v: &Violation) -> AcceptedViolation {
    AcceptedViolation {
        rule: v.rule.to_string(),
        entry: v.entry.clone(),
    }
}

fn key(f: &Finding) -> Accepted {
    Accepted {
        rule_id: f.rule_id.clone(),
        fingerprint: f.fingerprint.clone(),
        path: f.location.path.clone(),
    }
}

impl Baseline {
    pub fn new(findings: &[Finding], violations: &[Violation]) -> Baseline {
        Baseline {
            keyaudit_baseline: VERSION,
            findings: findings.iter().map(key).collect(),
            violations: violations.iter().map(violation_key).collect(),
        }
    }

    pub fn load(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading baseline {}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a keyaudit baseline", path.display()))?;
        if b.keyaudit_baseline != VERSION {
            bail!(
                "{}: baseline version {} (this keyaudit reads {VERSION})",
                path.display(),
                b.keyaudit_baseline
            );
        }
        Ok(b)
    }

    pub fn contains(&self, f: &Finding) -> bool {
        self.findings.contains(&key(f))
    }

    /// Move the findings this baseline accepts out of the outcome's findings, into `baselined`.
    pub fn apply_to(&self, outcome: &mut ScanOutcome) {
        let (old, new): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut outcome.findings)
            .into_iter()
            .partition(|f| self.contains(f));
        outcome.findings = new;
        outcome.stats.findings = outcome.findings.len() as u64;
        outcome.stats.baselined = old.len() as u64;
        outcome.baselined = old;
    }

    pub fn accepts(&self, v: &Violation) -> bool {
        self.violations.contains(&violation_key(v))
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }
}
