//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers, built with `serde-sarif`.
//!
//! What GitHub needs and we give: `tool.driver.rules` with full descriptions, help and
//! `properties.security-severity`; results with `partialFingerprints` (our secret fingerprint, so
//! that an alert follows the secret, not the line); repository-relative URIs resolved through
//! `originalUriBaseIds` (`%SRCROOT%`, or one base per repository; see [`super::uri_base`]); regions with line and column (Unicode code points). Problems
//! that made the scan incomplete become tool execution notifications, and
//! `executionSuccessful` is false for an incomplete scan.

use super::uri_base::UriBases;
use super::{ReportContext, RuleInfo};
use crate::model::{Finding, Severity};
use crate::scan::ScanOutcome;
use serde_json::json;
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::io::Write;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Key of our fingerprint in `partialFingerprints`; versioned like the fingerprint itself.
pub const FINGERPRINT_KEY: &str = "keyauditSecret/v1";
/// Key of the introducing commit in `partialFingerprints` (history scans).
pub const COMMIT_KEY: &str = "commitSha/v1";

pub fn write(
    out: &mut dyn Write,
    outcome: &ScanOutcome,
    ctx: &ReportContext<'_>,
) -> std::io::Result<()> {
    let log = build(outcome, ctx);
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

fn bag(
    entries: impl IntoIterator<Item = (&'static str, serde_json::Value)>,
    tags: Option<Vec<String>>,
) -> sarif::PropertyBag {
    let additional: BTreeMap<String, serde_json::Value> = entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    match tags {
        Some(t) => sarif::PropertyBag::builder()
            .tags(t)
            .additional_properties(additional)
            .build(),
        None => sarif::PropertyBag::builder()
            .additional_properties(additional)
            .build(),
    }
}

fn text(s: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(s.into())
        .build()
}

/// SARIF `level` of a severity.
fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Note => "note",
        Severity::Low | Severity::Medium => "warning",
        Severity::High | Severity::Critical => "error",
    }
}

/// GitHub code scanning reads `security-severity` as a CVSS-like score: ≥9 critical, ≥7 high,
/// ≥4 medium, >0 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Note => "0.0",
        Severity::Low => "3.0",
        Severity::Medium => "5.5",
        Severity::High => "8.0",
        Severity::Critical => "9.5",
    }
}

fn descriptor(r: &RuleInfo) -> sarif::ReportingDescriptor {
    let mut help = format!("{}\n\n", r.description);
    let mut md = format!("**{}**\n\n{}\n\n", r.name, r.description);
    if let Some(rem) = &r.remediation {
        help.push_str(&format!("What to do: {rem}\n"));
        md.push_str(&format!("**What to do:** {rem}\n\n"));
    } else {
        let generic = "Revoke or rotate the credential at its issuer, remove it from the code and its history, and load it from a secret store at run time.";
        help.push_str(&format!("What to do: {generic}\n"));
        md.push_str(&format!("**What to do:** {generic}\n\n"));
    }
    for link in &r.references {
        md.push_str(&format!("- <{link}>\n"));
    }
    sarif::ReportingDescriptor::builder()
        .id(r.id.clone())
        .name(pascal_case(&r.id))
        .short_description(text(r.name.clone()))
        .full_description(text(r.description.clone()))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help)
                .markdown(md)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(sarif_level(r.severity)))
                .build(),
        )
        .properties(bag(
            [
                ("security-severity", json!(security_severity(r.severity))),
                (
                    "precision",
                    json!(if r.generic { "medium" } else { "high" }),
                ),
                (
                    "problem.severity",
                    json!(match sarif_level(r.severity) {
                        "error" => "error",
                        "warning" => "warning",
                        _ => "recommendation",
                    }),
                ),
            ],
            Some(vec!["security".into(), "secret".into(), r.category.clone()]),
        ))
        .build()
}

/// `aws-access-key-id` → `AwsAccessKeyId` (SARIF rule `name` is an identifier-like string).
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// A reported path as an artifact location: relative to its repository's top (see
/// [`super::uri_base`]).
fn artifact(path: &str, bases: &UriBases) -> sarif::ArtifactLocation {
    let at = bases.locate(path);
    match at.base {
        Some(base) => sarif::ArtifactLocation::builder()
            .uri(at.uri)
            .uri_base_id(base)
            .build(),
        None => sarif::ArtifactLocation::builder().uri(at.uri).build(),
    }
}

fn location(f: &Finding, bases: &UriBases) -> sarif::Location {
    let region = sarif::Region::builder()
        .start_line(i64::from(f.location.start.line))
        .start_column(i64::from(f.location.start.column))
        .end_line(i64::from(f.location.end.line))
        .end_column(i64::from(f.location.end.column))
        .snippet(
            sarif::ArtifactContent::builder()
                .text(f.snippet.clone())
                .build(),
        )
        .build();
    sarif::Location::builder()
        .physical_location(
            sarif::PhysicalLocation::builder()
                .artifact_location(artifact(&f.location.path, bases))
                .region(region)
                .build(),
        )
        .build()
}

fn result(f: &Finding, rule_index: Option<usize>, bases: &UriBases) -> sarif::Result {
    let message = format!(
        "{} found: {} (fingerprint {}).",
        f.rule_name,
        f.secret.as_deref().unwrap_or(&f.preview),
        f.fingerprint
    );
    let mut props = vec![
        ("severity", json!(f.severity.as_str())),
        ("category", json!(f.category)),
        ("fingerprint", json!(f.fingerprint)),
        ("preview", json!(f.preview)),
        ("context", json!(f.context.as_str())),
        ("gating", json!(f.gating)),
    ];
    if let Some(p) = f.proof {
        props.push(("proof", json!(p)));
    }
    if let Some(s) = &f.secret {
        props.push(("secret", json!(s)));
    }
    if let Some(c) = &f.crypto {
        props.push((
            "crypto",
            serde_json::to_value(c).unwrap_or(serde_json::Value::Null),
        ));
    }
    if let Some(g) = &f.git {
        props.push(("blobId", json!(g.blob_id)));
        props.push(("presentAtHead", json!(g.present_at_head)));
        if let Some(c) = &g.commit {
            props.push(("commit", json!(c.id)));
            props.push(("authorName", json!(c.author_name)));
            props.push(("authorEmail", json!(c.author_email)));
            props.push(("authorDate", json!(c.author_date)));
            props.push(("commitDate", json!(c.commit_date)));
        }
        if let Some(o) = &g.occurrences {
            props.push((
                "occurrences",
                serde_json::to_value(o).unwrap_or(serde_json::Value::Null),
            ));
        }
    }
    // GitHub merges results whose partial fingerprints are equal, so the same secret in two files
    // must differ here; within one file it stays equal when lines move.
    let mut fps = BTreeMap::new();
    fps.insert(
        FINGERPRINT_KEY.to_string(),
        format!("{}:{}", f.fingerprint, path_hash(&f.location.path)),
    );
    // History findings: the same secret at the same path in two commits is two alerts.
    if let Some(c) = f.git.as_ref().and_then(|g| g.commit.as_ref()) {
        fps.insert(COMMIT_KEY.to_string(), c.id.clone());
    }
    let builder = sarif::Result::builder()
        .rule_id(f.rule_id.clone())
        .level(level(f))
        .message(sarif::Message::builder().text(message).build())
        .locations(vec![location(f, bases)])
        .partial_fingerprints(fps)
        .properties(bag(props, Some(vec![format!("context:{}", f.context)])));
    match rule_index {
        Some(i) => builder.rule_index(i as i64).build(),
        None => builder.build(),
    }
}

fn path_hash(path: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(path.as_bytes())[..8])
}

/// A finding that cannot fail the run (a fixture in a test folder) is a `note`, so that code
/// scanning does not raise it as an error; its real severity stays in the properties.
fn level(f: &Finding) -> sarif::ResultLevel {
    gated_level(f.severity, f.gating)
}

fn gated_level(severity: Severity, gating: bool) -> sarif::ResultLevel {
    match sarif_level(severity) {
        _ if !gating => sarif::ResultLevel::Note,
        "error" => sarif::ResultLevel::Error,
        "warning" => sarif::ResultLevel::Warning,
        _ => sarif::ResultLevel::Note,
    }
}

fn baseline_suppression() -> sarif::Suppression {
    sarif::Suppression::builder()
        .kind(json!("external"))
        .justification("Accepted in the keyaudit baseline")
        .build()
}

pub fn build(outcome: &ScanOutcome, ctx: &ReportContext<'_>) -> sarif::Sarif {
    let mut catalogue = finding_rules(outcome, ctx);
    let mut results = finding_results(outcome, &catalogue.index, ctx);
    policy_rules(ctx, &mut catalogue);
    results.extend(violation_results(ctx, &catalogue.policy_index));
    let driver = sarif::ToolComponent::builder()
        .name("keyaudit")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(catalogue.descriptors)
        .build();
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation(outcome)])
        .column_kind(json!("unicodeCodePoints"))
        .build();
    let vcs = provenance(ctx);
    if !vcs.is_empty() {
        run.version_control_provenance = Some(vcs);
    }
    let originals = ctx.uri_bases.originals();
    if !originals.is_empty() {
        let bases = originals
            .into_iter()
            .map(|(id, uri)| (id, sarif::ArtifactLocation::builder().uri(uri).build()))
            .collect();
        run.original_uri_base_ids = Some(bases);
    }
    sarif::Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// `tool.driver.rules` and where each rule sits in it (`ruleIndex`).
struct Catalogue<'a> {
    descriptors: Vec<sarif::ReportingDescriptor>,
    index: BTreeMap<&'a str, usize>,
    policy_index: BTreeMap<&'static str, usize>,
}

/// Only the rules that have results, in id order; ruleIndex points into this list.
fn finding_rules<'a>(outcome: &'a ScanOutcome, ctx: &'a ReportContext<'_>) -> Catalogue<'a> {
    let used: std::collections::BTreeSet<&str> = outcome
        .findings
        .iter()
        .chain(&outcome.baselined)
        .map(|f| f.rule_id.as_str())
        .collect();
    let rules: Vec<&RuleInfo> = ctx
        .rules
        .iter()
        .filter(|r| used.contains(r.id.as_str()))
        .collect();
    Catalogue {
        index: rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect(),
        descriptors: rules.iter().map(|r| descriptor(r)).collect(),
        policy_index: BTreeMap::new(),
    }
}

/// Baselined findings stay, suppressed, so that code scanning keeps their alerts closed
/// instead of closing and reopening them.
fn finding_results(
    outcome: &ScanOutcome,
    index: &BTreeMap<&str, usize>,
    ctx: &ReportContext<'_>,
) -> Vec<sarif::Result> {
    let mut results: Vec<sarif::Result> = outcome
        .findings
        .iter()
        .map(|f| result(f, index.get(f.rule_id.as_str()).copied(), &ctx.uri_bases))
        .collect();
    for f in &outcome.baselined {
        let mut r = result(f, index.get(f.rule_id.as_str()).copied(), &ctx.uri_bases);
        r.suppressions = Some(vec![baseline_suppression()]);
        results.push(r);
    }
    results
}

/// Policy violations are results of their own rules, `policy/<id>`, after the findings' rules.
fn policy_rules(ctx: &ReportContext<'_>, catalogue: &mut Catalogue<'_>) {
    let used: std::collections::BTreeSet<&str> = ctx
        .violations
        .iter()
        .chain(ctx.baselined_violations)
        .map(|v| v.rule)
        .collect();
    for (id, severity, text) in crate::policy::RULES {
        if !used.contains(id) {
            continue;
        }
        catalogue
            .policy_index
            .insert(*id, catalogue.descriptors.len());
        catalogue.descriptors.push(descriptor(&RuleInfo {
            id: format!("policy/{id}"),
            name: text.to_string(),
            description: format!("Key-management policy: {text}."),
            category: "policy".into(),
            generic: false,
            severity: *severity,
            remediation: Some(
                "Rotate or replace the key or secret, remove every copy named here, and keep the new one in a secret store.".into(),
            ),
            references: vec!["https://csrc.nist.gov/pubs/sp/800/57/pt1/r5/final".into()],
        }));
    }
}

fn violation_results(
    ctx: &ReportContext<'_>,
    policy_index: &BTreeMap<&'static str, usize>,
) -> Vec<sarif::Result> {
    let mut results: Vec<sarif::Result> = ctx
        .violations
        .iter()
        .map(|v| violation_result(v, policy_index.get(v.rule).copied(), &ctx.uri_bases))
        .collect();
    for v in ctx.baselined_violations {
        let mut r = violation_result(v, policy_index.get(v.rule).copied(), &ctx.uri_bases);
        r.suppressions = Some(vec![baseline_suppression()]);
        results.push(r);
    }
    results
}

/// Whether the run read everything, and the problems it met as notifications.
fn invocation(outcome: &ScanOutcome) -> sarif::Invocation {
    let notifications: Vec<sarif::Notification> = outcome
        .problems
        .iter()
        .map(|p| {
            let kind = serde_json::to_value(p.kind).unwrap_or(json!("problem"));
            sarif::Notification::builder()
                .level(json!(if p.kind.makes_incomplete() {
                    "error"
                } else {
                    "note"
                }))
                .message(
                    sarif::Message::builder()
                        .text(format!(
                            "{}: {}: {}",
                            kind.as_str().unwrap_or("problem"),
                            p.path,
                            p.message
                        ))
                        .build(),
                )
                .build()
        })
        .collect();
    sarif::Invocation::builder()
        .execution_successful(!outcome.incomplete())
        .tool_execution_notifications(notifications)
        .build()
}

/// Each scanned repository with the commit its HEAD pointed at.
fn provenance(ctx: &ReportContext<'_>) -> Vec<sarif::VersionControlDetails> {
    ctx.git
        .iter()
        .filter_map(|g| {
            let head = g.summary.head_commit.clone()?;
            // A clone of a local path (or an scp-like address) is made an absolute URI; when
            // it cannot be, the repository itself is named.
            let origin = g.summary.origin_url.as_deref();
            let uri = origin
                .and_then(super::repo_uri::absolute)
                .unwrap_or_else(|| {
                    let given = crate::model::path_text::to_os(&g.repo);
                    let dir = std::fs::canonicalize(&given).unwrap_or_else(|_| given.into());
                    format!("file://{}", super::uri_base::os_uri(&dir))
                });
            Some(
                sarif::VersionControlDetails::builder()
                    .repository_uri(uri)
                    .revision_id(head)
                    .build(),
            )
        })
        .collect()
}

fn plain_location(path: &str, line: u32, bases: &UriBases) -> sarif::Location {
    sarif::Location::builder()
        .physical_location(
            sarif::PhysicalLocation::builder()
                .artifact_location(artifact(path, bases))
                .region(
                    sarif::Region::builder()
                        .start_line(i64::from(line.max(1)))
                        .build(),
                )
                .build(),
        )
        .build()
}

/// A policy violation: located at its entry's first occurrence, every other occurrence related.
fn violation_result(
    v: &crate::policy::Violation,
    rule_index: Option<usize>,
    bases: &UriBases,
) -> sarif::Result {
    let mut locs = v
        .locations
        .iter()
        .map(|(p, l)| plain_location(p, *l, bases));
    let first = locs.next();
    let related: Vec<sarif::Location> = locs.collect();
    let mut fps = BTreeMap::new();
    fps.insert(
        "keyauditPolicy/v1".to_string(),
        format!("{}:{}", v.rule, v.entry),
    );
    let b = sarif::Result::builder()
        .rule_id(format!("policy/{}", v.rule))
        .level(gated_level(v.severity, v.gating))
        .message(sarif::Message::builder().text(v.message.clone()).build())
        .locations(first.into_iter().collect::<Vec<_>>())
        .partial_fingerprints(fps)
        .properties(bag(
            [
                ("severity", json!(v.severity.as_str())),
                ("inventoryEntry", json!(v.entry)),
                ("gating", json!(v.gating)),
            ],
            None,
        ));
    let mut r = match rule_index {
        Some(i) => b.rule_index(i as i64).build(),
        None => b.build(),
    };
    if !related.is_empty() {
        r.related_locations = Some(related);
    }
    r
}
