//! The human report: findings grouped by file, one line each with position, severity, rule and
//! redacted preview, then the snippet; a summary; problems. Colour only when asked or on a
//! terminal. Every string from the input (paths, names, messages, previews) goes through
//! [`escaped`]: the report is read on terminals and in CI logs.

use super::ReportContext;
use crate::escape::escaped;
use crate::model::{Context, Finding, Severity};
use crate::scan::ScanOutcome;
use std::io::Write;

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Note => "2",
    }
}

pub fn write(
    out: &mut dyn Write,
    outcome: &ScanOutcome,
    ctx: &ReportContext<'_>,
    color: bool,
) -> std::io::Result<()> {
    // Grouped by context, code first: what fails the run before the fixtures that do not.
    for context in Context::ALL {
        let group: Vec<&Finding> = outcome
            .findings
            .iter()
            .filter(|f| f.context == context)
            .collect();
        if group.is_empty() {
            continue;
        }
        let gating = group.iter().filter(|f| f.gating).count();
        let note = match gating {
            0 => " (reported; does not fail the run)".to_string(),
            n if n == group.len() => String::new(),
            n => format!(" ({n} of {} can fail the run)", group.len()),
        };
        let title = format!(
            "── {context}: {} finding{}{note}",
            group.len(),
            plural(group.len())
        );
        writeln!(out, "{}\n", paint(color, "1;4", &title))?;
        write_group(out, &group, color)?;
    }
    if !ctx.violations.is_empty() {
        writeln!(out, "{}", paint(color, "1", "policy violations"))?;
        for v in ctx.violations {
            writeln!(
                out,
                "  {:<8} {}  {}",
                paint(color, severity_color(v.severity), v.severity.as_str()),
                paint(color, "35", &format!("policy/{}", v.rule)),
                escaped(&v.message)
            )?;
            for (path, line) in v.locations.iter().take(5) {
                writeln!(out, "               {}:{line}", escaped(path))?;
            }
            if v.locations.len() > 5 {
                writeln!(out, "               … {} more", v.locations.len() - 5)?;
            }
        }
        writeln!(out)?;
    }
    if !outcome.problems.is_empty() {
        writeln!(out, "{}", paint(color, "1", "problems"))?;
        for p in &outcome.problems {
            let kind = serde_json::to_value(p.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            writeln!(
                out,
                "  {kind:<13} {}  {}",
                escaped(&p.path),
                escaped(&p.message)
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", one_line_summary(outcome, ctx.violations))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One context's findings, by file.
fn write_group(out: &mut dyn Write, group: &[&Finding], color: bool) -> std::io::Result<()> {
    let mut current: Option<&str> = None;
    for f in group {
        if current != Some(f.location.path.as_str()) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", paint(color, "1", &escaped(&f.location.path)))?;
            current = Some(&f.location.path);
        }
        write_finding(out, f, color)?;
    }
    writeln!(out)
}

fn write_finding(out: &mut dyn Write, f: &Finding, color: bool) -> std::io::Result<()> {
    writeln!(
        out,
        "  {:>5}:{:<4} {:<8} {}  {}  {}",
        f.location.start.line,
        f.location.start.column,
        paint(color, severity_color(f.severity), f.severity.as_str()),
        paint(color, "35", &escaped(&f.rule_id)),
        escaped(&f.rule_name),
        escaped(f.secret.as_deref().unwrap_or(&f.preview)),
    )?;
    // Not escaped: built with every character `escape::is_unsafe` names blanked (see
    // `scan::snippet`), and code's own backslashes read better undoubled.
    writeln!(out, "               {}", paint(color, "2", &f.snippet))?;
    if let (Some(p), Context::Test | Context::Docs | Context::Example | Context::Vendor) =
        (f.proof, f.context)
    {
        let why = match p {
            crate::model::Proof::Checksum => "its checksum proves it was issued",
            crate::model::Proof::Structure => "its structure proves it was issued",
        };
        writeln!(out, "               fails the run in any context: {why}")?;
    }
    if let Some(g) = &f.git {
        let when = match &g.commit {
            Some(c) => format!(
                "introduced {} by {} <{}> in {}",
                escaped(c.author_date.get(..10).unwrap_or(&c.author_date)),
                escaped(&c.author_name),
                escaped(&c.author_email),
                escaped(c.id.get(..12).unwrap_or(&c.id))
            ),
            None => "reached through a ref without a commit".to_string(),
        };
        let still = if g.present_at_head {
            "still at HEAD"
        } else {
            "only in history"
        };
        writeln!(out, "               {when}; {still}")?;
    }
    writeln!(out, "               fingerprint {}", f.fingerprint)
}

/// `(1 critical, 2 high)`, most severe first; empty for none.
fn by_severity(severities: impl Iterator<Item = Severity>) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for s in severities {
        *counts.entry(std::cmp::Reverse(s)).or_insert(0u64) += 1;
    }
    let by: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {}", s.0)).collect();
    if by.is_empty() {
        String::new()
    } else {
        format!(" ({})", by.join(", "))
    }
}

/// `3 findings (1 critical, 2 high), 1 policy violation (1 high; 1 gating) in 120 files
/// (4.2 MB); 1 problem; SCAN INCOMPLETE`. Violations count because they can fail the run too.
pub fn one_line_summary(outcome: &ScanOutcome, violations: &[crate::policy::Violation]) -> String {
    let mut line = format!(
        "{} finding{}{}",
        outcome.findings.len(),
        plural(outcome.findings.len()),
        by_severity(outcome.findings.iter().map(|f| f.severity)),
    );
    if !violations.is_empty() {
        let gating = violations.iter().filter(|v| v.gating).count();
        // Never empty here: every violation has a severity. `(1 high` + `; 1 gating)`.
        let by = by_severity(violations.iter().map(|v| v.severity));
        let by = by.trim_end_matches(')');
        line.push_str(&format!(
            ", {} policy violation{}{by}; {gating} gating)",
            violations.len(),
            plural(violations.len()),
        ));
    }
    line.push_str(&format!(
        " in {} file{} ({:.1} MB)",
        outcome.stats.blobs_scanned,
        plural(outcome.stats.blobs_scanned as usize),
        outcome.stats.bytes_scanned as f64 / 1e6,
    ));
    let gating = outcome.findings.iter().filter(|f| f.gating).count();
    if gating < outcome.findings.len() {
        line.push_str(&format!(
            "; {gating} in gating contexts, {} in tests, docs, examples or vendored code",
            outcome.findings.len() - gating
        ));
    }
    if outcome.stats.suppressed_inline > 0 {
        line.push_str(&format!(
            "; {} allowed inline",
            outcome.stats.suppressed_inline
        ));
    }
    if outcome.stats.allowed_by_config > 0 {
        line.push_str(&format!(
            "; {} allowed by the configuration",
            outcome.stats.allowed_by_config
        ));
    }
    if outcome.stats.baselined > 0 {
        line.push_str(&format!("; {} in the baseline", outcome.stats.baselined));
    }
    if outcome.stats.baselined_violations > 0 {
        line.push_str(&format!(
            "; {} policy violations in the baseline",
            outcome.stats.baselined_violations
        ));
    }
    if !outcome.problems.is_empty() {
        line.push_str(&format!(
            "; {} problem{}",
            outcome.problems.len(),
            if outcome.problems.len() == 1 { "" } else { "s" }
        ));
    }
    if outcome.incomplete() {
        line.push_str("; SCAN INCOMPLETE");
    }
    line
}

/// `keyaudit inventory`: one block per entry.
pub fn write_inventory(
    out: &mut dyn Write,
    inventory: &crate::inventory::Inventory,
) -> std::io::Result<()> {
    for e in &inventory.entries {
        let what = match (&e.algorithm, e.bits) {
            (Some(a), Some(b)) => format!("{a}-{b}"),
            (Some(a), None) => a.clone(),
            _ => e.rule_ids.iter().cloned().collect::<Vec<_>>().join(","),
        };
        let first = e.first_seen.as_ref().map_or_else(
            || "first seen: unknown".to_string(),
            |s| {
                format!(
                    "first seen {} ({:?})",
                    s.date.get(..10).unwrap_or(&s.date),
                    s.source
                )
            },
        );
        writeln!(
            out,
            "{:<14} {:<22} {}  {}  {}",
            e.kind.as_str(),
            escaped(&what),
            escaped(&e.preview),
            escaped(&first),
            if e.present_at_head {
                "at HEAD"
            } else {
                "history only"
            }
        )?;
        writeln!(out, "    id {}", e.id)?;
        if !e.environments.is_empty() {
            let envs: Vec<&str> = e.environments.iter().map(String::as_str).collect();
            writeln!(out, "    environments: {}", escaped(&envs.join(", ")))?;
        }
        if !e.services.is_empty() {
            let services: Vec<&str> = e.services.iter().map(String::as_str).collect();
            writeln!(out, "    services: {}", escaped(&services.join(", ")))?;
        }
        for p in &e.paired {
            writeln!(out, "    paired with {}", escaped(p))?;
        }
        for o in &e.occurrences {
            let context = match o.context {
                Context::Code => String::new(),
                other => format!("  [{other}]"),
            };
            match &o.commit {
                Some(c) => writeln!(
                    out,
                    "    {}:{}  {} {}{context}",
                    escaped(&o.path),
                    o.line,
                    escaped(c.get(..12).unwrap_or(c)),
                    escaped(o.commit_date.as_deref().unwrap_or(""))
                )?,
                None => writeln!(out, "    {}:{}{context}", escaped(&o.path), o.line)?,
            }
        }
    }
    writeln!(out, "{} inventory entries", inventory.entries.len())
}
