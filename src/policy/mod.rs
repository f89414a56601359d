//! Stage 5: the policy. Judges each inventory entry against key-management rules (NIST SP 800-57
//! Part 1 Rev. 5 cryptoperiods, CA/Browser Forum Baseline Requirements for certificates) and
//! produces [`Violation`]s. Rule ids are fixed; in SARIF a violation's rule is `policy/<id>`.
//!
//! Everything is judged "as of" a given instant (`--now`), so results are reproducible.

use crate::inventory::{Entry, Inventory};
use crate::model::Severity;
use serde::Serialize;

mod beside;
mod certs;
mod config;
mod keys;
mod lifetime;
mod shared;
#[cfg(test)]
mod tests;

pub use config::*;

const DAY: i64 = 86_400;

/// One breach of the policy by one inventory entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// `rotation-overdue`, `env-reuse`, … (SARIF rule id: `policy/<rule>`).
    pub rule: &'static str,
    pub severity: Severity,
    pub entry: String,
    /// One line a developer understands.
    pub message: String,
    /// Evidence: every occurrence of the entry (path, line).
    pub locations: Vec<(String, u32)>,
    /// Can fail the run: the entry occurs in a gating place (see [`Entry::gating`]).
    pub gating: bool,
}

/// The fixed rule ids with their default severities and one-line descriptions.
pub const RULES: &[(&str, Severity, &str)] = &[
    (
        "rotation-overdue",
        Severity::High,
        "A key or secret older than its cryptoperiod is still in use",
    ),
    (
        "env-reuse",
        Severity::High,
        "The same private key or secret is used in several environments",
    ),
    (
        "repo-reuse",
        Severity::High,
        "The same private key or secret is used in several repositories",
    ),
    (
        "service-reuse",
        Severity::High,
        "The same private key or secret is used by several services of one repository",
    ),
    (
        "cert-expired",
        Severity::High,
        "A certificate is past its notAfter",
    ),
    (
        "cert-expiring",
        Severity::Medium,
        "A certificate expires soon",
    ),
    (
        "cert-validity-too-long",
        Severity::Low,
        "A leaf certificate is valid for longer than the CA/Browser Forum limit",
    ),
    (
        "weak-key",
        Severity::High,
        "A key is too small or of a disallowed algorithm",
    ),
    (
        "weak-signature",
        Severity::Medium,
        "A certificate is signed with MD5 or SHA-1",
    ),
    (
        "unencrypted-private-key",
        Severity::High,
        "A private key is stored without a passphrase",
    ),
    (
        "key-beside-data",
        Severity::High,
        "A key is stored beside the data it encrypts",
    ),
    (
        "secret-in-history",
        Severity::High,
        "A secret removed from the code is still recoverable from git history",
    ),
];

fn default_severity(rule: &str) -> Severity {
    RULES
        .iter()
        .find(|r| r.0 == rule)
        .map_or(Severity::Medium, |r| r.1)
}

/// What every rule sees: the inventory, the policy configuration and the instant judged at.
pub struct Ctx<'a> {
    pub inv: &'a Inventory,
    pub cfg: &'a PolicyConfig,
    pub now: i64,
}

/// A rule judging one entry, pushing its violations.
type EntryRule = fn(&Ctx<'_>, &Entry, &mut Vec<Violation>);

/// The rules judged entry by entry (each also checks whether it is enabled).
const ENTRY_RULES: &[(&str, EntryRule)] = &[
    ("rotation-overdue", lifetime::rotation_overdue),
    ("env-reuse", lifetime::env_reuse),
    ("repo-reuse", shared::repo_reuse),
    ("service-reuse", shared::service_reuse),
    ("cert-expired", certs::cert_expired),
    ("cert-expiring", certs::cert_expiring),
    ("cert-validity-too-long", certs::cert_validity_too_long),
    ("weak-signature", certs::weak_signature),
    ("weak-key", keys::weak_key),
    ("unencrypted-private-key", keys::unencrypted_private_key),
    ("secret-in-history", lifetime::secret_in_history),
];

/// Judge every entry; violations sorted by rule, then entry.
pub fn evaluate(inv: &Inventory, cfg: &PolicyConfig, now: i64) -> Vec<Violation> {
    let ctx = Ctx { inv, cfg, now };
    let mut out = Vec::new();
    for e in &inv.entries {
        for (_, rule) in ENTRY_RULES {
            rule(&ctx, e, &mut out);
        }
    }
    if cfg.key_beside_data.enabled {
        beside::key_beside_data(&ctx, &mut out);
    }
    out.sort_by(|a, b| (a.rule, &a.entry).cmp(&(b.rule, &b.entry)));
    out
}

/// A violation of `rule` by `e`, with every occurrence of `e` as evidence.
fn violation(rule: &'static str, sev: Option<Severity>, e: &Entry, message: String) -> Violation {
    Violation {
        rule,
        severity: sev.unwrap_or_else(|| default_severity(rule)),
        entry: e.id.clone(),
        message,
        locations: e
            .occurrences
            .iter()
            .map(|o| (o.path.clone(), o.line))
            .collect(),
        gating: e.gating,
    }
}

fn years(days: i64) -> String {
    format!("{:.1} years", days as f64 / 365.25)
}

fn date(unix: i64) -> String {
    let d = crate::time::rfc3339(unix);
    d.get(..10).unwrap_or(&d).to_string()
}

fn describe(e: &Entry) -> String {
    match (&e.algorithm, e.bits) {
        (Some(a), Some(b)) => format!("{a}-{b} {}", e.kind.as_str().replace('-', " ")),
        (Some(a), None) => format!("{a} {}", e.kind.as_str().replace('-', " ")),
        _ => format!(
            "{} ({})",
            e.preview,
            e.rule_ids.iter().next().map_or("", |s| s)
        ),
    }
}
