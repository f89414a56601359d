//! Reports of stored audits: one run's roots put back together as one scan of several
//! repositories (paths prefixed with the root, as `scan --git a b` shows them), then judged and
//! reported exactly as a scan is. A run's own report (`audit -o`) and a later `report` take this
//! one path, so they are the same bytes.

use super::output::{emit_report, exit_code};
use super::*;
use crate::cli::audit::JudgeArgs;
use crate::cli::{Format, RuleArgs};
use crate::inventory::Inventory;
use crate::model::{Problem, ProblemKind};
use crate::policy;
use crate::report::{self, ReportContext};
use crate::scan::ScanOutcome;
use crate::store::{RootKind, RootRecord, RunInfo, Store};
use std::path::PathBuf;

/// A stored run as one scan.
pub(crate) struct Merged {
    pub(crate) info: RunInfo,
    pub(crate) outcome: ScanOutcome,
    pub(crate) git_runs: Vec<report::GitRun>,
    pub(crate) roots: Vec<String>,
}

/// A stored run judged: its inventory and violations as of the run's date.
pub(crate) struct Snapshot {
    pub(crate) merged: Merged,
    pub(crate) inventory: Inventory,
    pub(crate) violations: Vec<policy::Violation>,
}

/// The configuration that judges stored audits: --config, else the current directory's.
pub(super) fn judge_config(file: Option<&std::path::Path>, none: bool) -> Result<Config> {
    if none {
        return Ok(Config::default());
    }
    Ok(Config::load(file, &[PathBuf::from(".")])?)
}

/// The run named, or the latest.
pub(super) fn find_run<'a>(runs: &'a [RunInfo], name: Option<&str>) -> Result<&'a RunInfo> {
    match name {
        Some(n) => runs
            .iter()
            .find(|r| r.name == n)
            .ok_or_else(|| anyhow::anyhow!("no run {n:?} in the store ({} runs)", runs.len())),
        None => runs
            .last()
            .ok_or_else(|| anyhow::anyhow!("the store holds no audit yet: run keyaudit audit")),
    }
}

/// Load `info`'s roots and put them together.
pub(crate) fn merged(store: &mut Store, info: &RunInfo) -> Result<Merged> {
    let roots = store.load_run(&info.name)?;
    Ok(merge(info.clone(), roots))
}

fn merge(info: RunInfo, roots: Vec<RootRecord>) -> Merged {
    let many = roots.len() > 1;
    let mut outcome = ScanOutcome::default();
    let mut git_runs = Vec::new();
    let mut names = Vec::new();
    for mut r in roots {
        let prefix = if many {
            format!("{}/", r.name)
        } else {
            String::new()
        };
        for f in &mut r.findings {
            f.location.path.insert_str(0, &prefix);
        }
        for p in &mut r.problems {
            match p.path.is_empty() {
                true => p.path.clone_from(&r.name),
                false => p.path.insert_str(0, &prefix),
            }
        }
        for c in &mut r.ciphertexts {
            c.path.insert_str(0, &prefix);
        }
        add_stats(&mut outcome.stats, &r.stats);
        outcome.findings.append(&mut r.findings);
        outcome.problems.append(&mut r.problems);
        outcome.ciphertexts.append(&mut r.ciphertexts);
        if let (RootKind::Git, Some(summary)) = (r.kind, r.git) {
            git_runs.push(report::GitRun {
                repo: r.name.clone(),
                summary,
            });
        }
        names.push(r.name);
    }
    for shard in info.missing_shards() {
        outcome.problems.push(Problem {
            kind: ProblemKind::MissingShard,
            path: format!("shard {shard}/{}", info.shard_count),
            message: format!("run {} has no audit of this shard in the store", info.name),
        });
    }
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome.problems.sort();
    Merged {
        info,
        outcome,
        git_runs,
        roots: names,
    }
}

fn add_stats(sum: &mut crate::scan::Stats, s: &crate::scan::Stats) {
    sum.blobs_scanned += s.blobs_scanned;
    sum.bytes_scanned += s.bytes_scanned;
    sum.findings += s.findings;
    sum.suppressed_inline += s.suppressed_inline;
    sum.allowed_by_config += s.allowed_by_config;
    sum.baselined += s.baselined;
    sum.baselined_violations += s.baselined_violations;
}

/// Inventory and policy of a merged run, as of the run's date.
pub(crate) fn judge(merged: Merged, config: &Config) -> Snapshot {
    let places = crate::inventory::Places {
        envs: config.environments(),
        services: config.services.clone(),
        repo_paths: crate::model::roots::RepoPaths::for_stored_roots(&merged.roots),
    };
    let mut inventory = Inventory::build(&merged.outcome.findings, &places);
    inventory.ciphertexts = merged.outcome.ciphertexts.clone();
    if merged.roots.len() > 1 {
        inventory.tag_repositories(&merged.roots);
    }
    let violations = policy::evaluate(&inventory, &config.policy, merged.info.as_of);
    Snapshot {
        merged,
        inventory,
        violations,
    }
}

/// `keyaudit report`, and `audit -o`: the run's report in a scan's formats; the scan's exit
/// codes (1 when something gates, 3 when the run is incomplete).
pub(super) fn report_run(
    store_url: &str,
    run: Option<&str>,
    format: Option<Format>,
    output: Option<PathBuf>,
    judge_args: &JudgeArgs,
) -> Result<u8> {
    let policy = &judge_args.policy;
    crate::log::set_level(policy.log.level());
    let config = judge_config(policy.config.as_deref(), policy.no_config)?;
    let mut store = Store::open_existing(store_url)?;
    let runs = store.runs()?;
    let info = find_run(&runs, run)?.clone();
    let snap = judge(merged(&mut store, &info)?, &config);
    let rules = load_rules_with(
        &RuleArgs {
            rules: Vec::new(),
            no_builtin_rules: false,
        },
        &config,
    )?;
    let rule_info = detect::catalogue::catalogue(&rules);
    let args = judge_args.report_args(output);
    let ctx = ReportContext {
        rules: &rule_info,
        roots: &snap.merged.roots,
        uri_bases: report::uri_base::UriBases::new(Default::default()),
        git: &snap.merged.git_runs,
        inventory: &snap.inventory,
        violations: &snap.violations,
        baselined_violations: &[],
    };
    let times = report::gitlab::ScanTimes {
        start: info.started,
        end: info.finished,
    };
    let mode = Run {
        mode: Mode::Scan,
        format,
        gate_code: exit::FINDINGS,
    };
    emit_report(&args, mode, &snap.merged.outcome, &ctx, times, info.as_of)?;
    let fail_on = judge_args
        .fail_on
        .or(config.fail_on)
        .unwrap_or(crate::model::Severity::Low);
    Ok(exit_code(
        &snap.merged.outcome,
        &snap.violations,
        fail_on,
        exit::FINDINGS,
    ))
}
