//! The JSON report. Its shape is versioned (`schema_version`) and described by
//! `schema/report.schema.json`, which the tests validate every report against.

use super::ReportContext;
use crate::model::Problem;
use crate::model::{Finding, Severity};
use crate::scan::{ScanOutcome, Stats};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// Bumped on any change a consumer could notice: major for removals and renames, minor for
/// additions.
pub const SCHEMA_VERSION: &str = "1.6.0";

#[derive(Serialize)]
struct Report<'a> {
    schema_version: &'static str,
    tool: Tool,
    roots: &'a [String],
    /// False when some requested input could not be read: the findings may not be all there is.
    complete: bool,
    summary: Summary<'a>,
    /// History scans: per repository, what was walked (refs, commits, blobs) and how.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    git: &'a [super::GitRun],
    findings: &'a [Finding],
    inventory: &'a [crate::inventory::Entry],
    violations: &'a [crate::policy::Violation],
    problems: &'a [Problem],
}

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

pub const TOOL: Tool = Tool {
    name: "keyaudit",
    version: env!("CARGO_PKG_VERSION"),
};

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(flatten)]
    stats: &'a Stats,
    by_severity: BTreeMap<Severity, u64>,
    by_rule: BTreeMap<&'a str, u64>,
    problems: BTreeMap<crate::model::ProblemKind, u64>,
}

pub fn write(
    out: &mut dyn Write,
    outcome: &ScanOutcome,
    ctx: &ReportContext<'_>,
) -> std::io::Result<()> {
    let mut by_severity = BTreeMap::new();
    let mut by_rule = BTreeMap::new();
    for f in &outcome.findings {
        *by_severity.entry(f.severity).or_insert(0) += 1;
        *by_rule.entry(f.rule_id.as_str()).or_insert(0) += 1;
    }
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: TOOL,
        roots: ctx.roots,
        complete: !outcome.incomplete(),
        summary: Summary {
            stats: &outcome.stats,
            by_severity,
            by_rule,
            problems: outcome.problem_counts(),
        },
        git: ctx.git,
        findings: &outcome.findings,
        inventory: &ctx.inventory.entries,
        violations: ctx.violations,
        problems: &outcome.problems,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}

/// The inventory document's own version (`schema/inventory.schema.json`), bumped like
/// [`SCHEMA_VERSION`].
pub const INVENTORY_SCHEMA_VERSION: &str = "1.1.0";

/// `keyaudit inventory -f json`: the entries with what a consumer needs to trust them, as a
/// scan report has: what was scanned, whether all of it was read, and as of which date the
/// policy judged ages and expiry.
#[derive(Serialize)]
struct InventoryReport<'a> {
    schema_version: &'static str,
    tool: Tool,
    roots: &'a [String],
    /// History scans: each repository with the commit its HEAD pointed at.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    repositories: Vec<Repository<'a>>,
    complete: bool,
    /// `--now`, or the time of the run (RFC 3339).
    policy_date: String,
    entries: &'a [crate::inventory::Entry],
    problems: &'a [Problem],
}

#[derive(Serialize)]
struct Repository<'a> {
    repo: &'a str,
    head_commit: Option<&'a str>,
}

pub fn write_inventory(
    out: &mut dyn Write,
    outcome: &ScanOutcome,
    ctx: &ReportContext<'_>,
    now: i64,
) -> std::io::Result<()> {
    let report = InventoryReport {
        schema_version: INVENTORY_SCHEMA_VERSION,
        tool: TOOL,
        roots: ctx.roots,
        repositories: ctx
            .git
            .iter()
            .map(|g| Repository {
                repo: &g.repo,
                head_commit: g.summary.head_commit.as_deref(),
            })
            .collect(),
        complete: !outcome.incomplete(),
        policy_date: crate::time::rfc3339(now),
        entries: &ctx.inventory.entries,
        problems: &outcome.problems,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}
