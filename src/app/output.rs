//! What a finished run writes and returns: the report or baseline, the log summary and the
//! exit code.

use super::*;
use crate::cli::{Format, ScanArgs};
use crate::escape::escaped;
use crate::log::{self as diag, Level};
use crate::model::Severity;
use crate::policy;
use crate::report::{self, ReportContext};
use crate::scan::ScanOutcome;
use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// With --baseline: move accepted findings and violations aside; returns the accepted
/// violations (kept for SARIF's suppressions unless --baseline-drop).
pub(super) fn apply_baseline(
    args: &ScanArgs,
    outcome: &mut ScanOutcome,
    violations: &mut Vec<policy::Violation>,
) -> Result<Vec<policy::Violation>> {
    let Some(path) = &args.baseline else {
        return Ok(Vec::new());
    };
    let baseline = crate::baseline::Baseline::load(path)?;
    baseline.apply_to(outcome);
    let (mut accepted, kept): (Vec<_>, Vec<_>) = std::mem::take(violations)
        .into_iter()
        .partition(|v| baseline.accepts(v));
    *violations = kept;
    outcome.stats.baselined_violations = accepted.len() as u64;
    if args.baseline_drop {
        outcome.baselined.clear();
        accepted.clear();
    }
    Ok(accepted)
}

/// What was skipped and why, at info level; counts at debug. The log escapes every line;
/// problems never hold secret text (they say why an input was not read).
pub(super) fn log_outcome(outcome: &ScanOutcome) {
    for p in &outcome.problems {
        let kind = serde_json::to_value(p.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        diag::log(
            Level::Info,
            format_args!("skipped {}: {kind}: {}", p.path, p.message),
        );
    }
    diag::log(
        Level::Debug,
        format_args!(
            "{} inputs, {} bytes scanned, {} findings",
            outcome.stats.blobs_scanned,
            outcome.stats.bytes_scanned,
            outcome.findings.len()
        ),
    );
}

/// `baseline create`: write the findings and violations as accepted.
pub(super) fn write_baseline(
    args: &ScanArgs,
    outcome: &ScanOutcome,
    violations: &[policy::Violation],
) -> Result<u8> {
    let b = crate::baseline::Baseline::new(&outcome.findings, violations);
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(".keyaudit-baseline.json"));
    report::write_private(&path, &b.to_json())
        .with_context(|| format!("writing {}", path.display()))?;
    if !args.quiet {
        eprintln!(
            "keyaudit: baseline of {} findings and {} policy violations written to {}",
            b.findings.len(),
            b.violations.len(),
            escaped(&path.display().to_string())
        );
    }
    Ok(if outcome.incomplete() {
        exit::INCOMPLETE
    } else {
        exit::CLEAN
    })
}

/// Render the report in the run's format and write it to -o or stdout; the one-line summary
/// goes to stderr when the report went to a file. Under --quiet, a clean text report is not
/// printed at all.
pub(super) fn emit_report(
    args: &ScanArgs,
    run: Run,
    outcome: &ScanOutcome,
    ctx: &ReportContext<'_>,
    times: report::gitlab::ScanTimes,
    now: i64,
) -> Result<()> {
    let format = run
        .format
        .or_else(|| args.output.as_deref().and_then(format_from_extension))
        .unwrap_or(Format::Text);
    let terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = args
        .color
        .enabled(std::env::var_os("NO_COLOR").as_deref(), terminal);
    let inventory_only = run.mode == Mode::Inventory;
    let mut buf = Vec::new();
    match format {
        Format::Text if inventory_only => report::text::write_inventory(&mut buf, ctx.inventory)?,
        Format::Json if inventory_only => {
            report::json::write_inventory(&mut buf, outcome, ctx, now)?
        }
        Format::Sarif | Format::Gitlab if inventory_only => {
            bail!("the inventory is printed as text or JSON")
        }
        Format::Text => report::text::write(&mut buf, outcome, ctx, color)?,
        Format::Json => report::json::write(&mut buf, outcome, ctx)?,
        Format::Sarif => report::sarif::write(&mut buf, outcome, ctx)?,
        Format::Gitlab => {
            // Pinned by SOURCE_DATE_EPOCH for reproducible reports (the reproducible-builds
            // convention); otherwise the run's real start and end.
            let pinned = std::env::var("SOURCE_DATE_EPOCH")
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok());
            let times = report::gitlab::ScanTimes {
                start: pinned.unwrap_or(times.start),
                end: pinned.unwrap_or(times.end),
            };
            report::gitlab::write(&mut buf, outcome, ctx, times)?
        }
    }
    match &args.output {
        Some(path) => {
            report::write_private(path, &buf)
                .with_context(|| format!("writing {}", path.display()))?;
            if !args.quiet {
                eprintln!(
                    "{}",
                    report::text::one_line_summary(outcome, ctx.violations)
                );
            }
        }
        None if args.quiet && format == Format::Text && is_clean(outcome, ctx) => {}
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(&buf).and_then(|()| out.flush()) {
                // A reader that stops early (`| head`) is not a failure of the scan: the run
                // ends quietly with the scan's own exit status.
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
        }
    }
    Ok(())
}

/// Nothing to show: no finding, no violation, no problem.
pub(super) fn is_clean(outcome: &ScanOutcome, ctx: &ReportContext<'_>) -> bool {
    outcome.findings.is_empty() && ctx.violations.is_empty() && outcome.problems.is_empty()
}

/// `gate_code` (1 unless --exit-code) when the gate fails; 3 when nothing gates but some
/// input went unread; else 0.
pub(super) fn exit_code(
    outcome: &ScanOutcome,
    violations: &[policy::Violation],
    fail_on: Severity,
    gate_code: u8,
) -> u8 {
    if outcome
        .findings
        .iter()
        .any(|f| f.gating && f.severity >= fail_on)
        || violations.iter().any(|v| v.gating && v.severity >= fail_on)
    {
        gate_code
    } else if outcome.incomplete() {
        exit::INCOMPLETE
    } else {
        exit::CLEAN
    }
}

pub(super) fn format_from_extension(path: &Path) -> Option<Format> {
    // GitLab's report names: gl-secret-detection-report.json and the like.
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.starts_with("gl-") && name.ends_with(".json") {
        return Some(Format::Gitlab);
    }
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "json" => Some(Format::Json),
        "sarif" => Some(Format::Sarif),
        "txt" | "text" => Some(Format::Text),
        _ => None,
    }
}
