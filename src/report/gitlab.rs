//! GitLab's secret-detection report (`artifacts: reports: secret_detection:`), security report
//! schema 15.1.0, so that findings show in merge requests and the vulnerability report.
//!
//! What the format requires and how keyaudit fills it:
//! * `scan` times are `YYYY-MM-DDTHH:MM:SS` in UTC with no zone suffix. They are the run's real
//!   start and end, which makes this the one report with timestamps; `SOURCE_DATE_EPOCH` pins
//!   both for reproducible output.
//! * `location.commit.sha` is required even outside git; `0000000` stands for "no commit", as
//!   GitLab's own analyzer writes. History findings carry their introducing commit.
//! * GitLab tracks a vulnerability by file, lines and the primary identifier, so the primary
//!   identifier is keyaudit's rule id (type `keyaudit_rule_id`): alerts stay apart from those of
//!   GitLab's own analyzer and never feed its automatic token revocation by accident.
//! * `raw_source_code_extract` is what GitLab treats as the token itself; it is written only with
//!   `--show-secrets` (a masked value there would be taken for a token). The description carries
//!   the redacted preview and the fingerprint instead.
//! * Notes (certificates, public keys) are left out: they are inventory, nothing to act on.
//! * Policy violations are vulnerabilities too (identifier type `keyaudit_policy_rule`), at the
//!   entry's first occurrence, so a CI job that fails on them shows why.
//!
//! GitLab publishes the schema only as a RubyGem and on its own npm registry, neither reachable
//! here, so the report is not validated against it in tests; the tests check each constraint the
//! schema states (listed above and in `tests/it/gitlab.rs`).

use super::ReportContext;
use crate::model::{Finding, Severity};
use crate::policy::Violation;
use crate::scan::ScanOutcome;
use serde_json::{Value, json};
use std::io::Write;

pub const SCHEMA_VERSION: &str = "15.1.0";
const SCHEMA_URL: &str = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.1.0/dist/secret-detection-report-format.json";
/// "No commit": what GitLab's analyzer writes for a file-tree scan.
const NO_COMMIT: &str = "0000000";
// The schema's limits, in characters.
const MAX_NAME: usize = 255;
const MAX_SOLUTION: usize = 7000;
const MAX_DESCRIPTION: usize = 1 << 20;

/// The run's start and end, seconds since the epoch.
#[derive(Debug, Clone, Copy)]
pub struct ScanTimes {
    pub start: i64,
    pub end: i64,
}

pub fn write(
    out: &mut dyn Write,
    outcome: &ScanOutcome,
    ctx: &ReportContext<'_>,
    times: ScanTimes,
) -> std::io::Result<()> {
    let tool = json!({
        "id": "keyaudit",
        "name": "keyaudit",
        "version": env!("CARGO_PKG_VERSION"),
        "vendor": { "name": "keyaudit" },
    });
    // Notes (certificates, public keys) are inventory, not vulnerabilities: listing them would
    // fill GitLab's vulnerability report with items nobody has to act on.
    let mut vulnerabilities: Vec<Value> = outcome
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Note)
        .map(|f| finding(f, ctx))
        .collect();
    vulnerabilities.extend(ctx.violations.iter().map(violation));
    let mut messages = Vec::new();
    if outcome.incomplete() {
        let unread = outcome
            .problems
            .iter()
            .filter(|p| p.kind.makes_incomplete())
            .count();
        messages.push(json!({
            "level": "warn",
            "value": format!(
                "incomplete scan: {unread} input(s) could not be read; findings may be missing \
                 (keyaudit exits 3; see its JSON report's problems)"
            ),
        }));
    }
    // A capped file was scanned whole, but its report is partial: say so where GitLab shows it.
    for p in outcome
        .problems
        .iter()
        .filter(|p| p.kind == crate::model::ProblemKind::FindingsCapped)
    {
        messages.push(json!({
            "level": "warn",
            "value": format!("findings capped in {}: {}", p.path, p.message),
        }));
    }
    let mut scan = json!({
        "analyzer": tool,
        "scanner": tool,
        "type": "secret_detection",
        "start_time": gitlab_time(times.start),
        "end_time": gitlab_time(times.end),
        "status": "success",
    });
    if !messages.is_empty() {
        scan["messages"] = Value::Array(messages);
    }
    let report = json!({
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": scan,
        "vulnerabilities": vulnerabilities,
    });
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}

fn finding(f: &Finding, ctx: &ReportContext<'_>) -> Value {
    let rule = ctx
        .rules
        .binary_search_by(|r| r.id.as_str().cmp(&f.rule_id))
        .ok()
        .map(|i| &ctx.rules[i]);
    let commit = f.git.as_ref().and_then(|g| g.commit.as_ref());
    let mut description = rule.map_or_else(String::new, |r| r.description.clone());
    description.push_str(&format!(
        "\n\nFound: {} (fingerprint {}).",
        f.preview, f.fingerprint
    ));
    description.push_str(&format!(" Context: {}", f.context));
    description.push_str(if f.gating {
        "."
    } else {
        " (reported; does not fail the gate)."
    });
    if let Some(g) = &f.git {
        description.push_str(if g.present_at_head {
            " Still in the current checkout."
        } else {
            " No longer in the current checkout: it lives on in history."
        });
    }
    let mut v = json!({
        "id": uuid_from(&[&f.rule_id, f.fingerprint.as_str(), &f.location.path, &f.location.start.line.to_string()]),
        "category": "secret_detection",
        "name": truncate(&f.rule_name, MAX_NAME),
        "description": truncate(&description, MAX_DESCRIPTION),
        "severity": severity(f.severity),
        "identifiers": [{
            "type": "keyaudit_rule_id",
            "name": truncate(&format!("keyaudit rule ID {}", f.rule_id), MAX_NAME),
            "value": f.rule_id,
        }],
        "location": {
            "file": f.location.path,
            "start_line": f.location.start.line,
            "end_line": f.location.end.line.max(f.location.start.line),
            "commit": match commit {
                Some(c) => json!({
                    "sha": c.id,
                    "author": format!("{} <{}>", c.author_name, c.author_email),
                    "date": c.author_date,
                }),
                None => json!({ "sha": NO_COMMIT }),
            },
        },
    });
    if let Some(rem) = rule.and_then(|r| r.remediation.as_deref()) {
        v["solution"] = Value::String(truncate(rem, MAX_SOLUTION));
    }
    if let Some(secret) = &f.secret {
        // Only with --show-secrets: GitLab reads this field as the credential itself.
        v["raw_source_code_extract"] = Value::String(secret.clone());
    }
    v
}

fn violation(v: &Violation) -> Value {
    let (file, line) = v.locations.first().cloned().unwrap_or_default();
    let id = format!("policy/{}", v.rule);
    let name = crate::policy::RULES
        .iter()
        .find(|(r, _, _)| *r == v.rule)
        .map_or(v.rule, |(_, _, text)| *text);
    let mut description = v.message.clone();
    if v.locations.len() > 1 {
        description.push_str("\n\nAlso at:");
        for (p, l) in &v.locations[1..] {
            description.push_str(&format!("\n- {p}:{l}"));
        }
    }
    json!({
        "id": uuid_from(&[&id, &v.entry, &file, &line.to_string()]),
        "category": "secret_detection",
        "name": truncate(name, MAX_NAME),
        "description": truncate(&description, MAX_DESCRIPTION),
        "severity": severity(v.severity),
        "identifiers": [{
            "type": "keyaudit_policy_rule",
            "name": format!("keyaudit policy rule {}", v.rule),
            "value": id,
        }],
        "location": {
            "file": file,
            "start_line": line.max(1),
            "end_line": line.max(1),
            "commit": { "sha": NO_COMMIT },
        },
    })
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Note => "Info",
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

/// `YYYY-MM-DDTHH:MM:SS`: RFC 3339 without the zone, as the schema's pattern demands.
fn gitlab_time(secs: i64) -> String {
    let t = crate::time::rfc3339(secs);
    t.trim_end_matches('Z').to_string()
}

/// A stable UUID-shaped id (SHA-256 of the parts, version 5-style bits set): the same finding has
/// the same id in every run.
fn uuid_from(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let mut b: [u8; 16] = h.finalize()[..16].try_into().unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_format_has_no_zone() {
        assert_eq!(gitlab_time(0), "1970-01-01T00:00:00");
        assert_eq!(gitlab_time(1_700_000_000), "2023-11-14T22:13:20");
    }

    #[test]
    fn ids_are_stable_uuids() {
        let a = uuid_from(&["r", "fp1:00", "a.env", "3"]);
        assert_eq!(a, uuid_from(&["r", "fp1:00", "a.env", "3"]));
        assert_ne!(a, uuid_from(&["r", "fp1:00", "a.env", "4"]));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "5");
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("ééé", 2), "éé");
        assert_eq!(truncate("ab", 5), "ab");
    }
}
