//! The scan pipeline: resolve the run, drive the sources, then judge (inventory, policy) and
//! report. Each step is its own function so the order reads top to bottom.

use super::output::*;
use super::settings::*;
use super::sources::*;
use super::*;
use crate::cli::ScanArgs;
use crate::config::Config;
use crate::detect::{self};
use crate::inventory::{Inventory, Places};
use crate::log::{self as diag, Phase};
use crate::model::roots::RepoPaths;
use crate::policy;
use crate::report::{self, ReportContext};
use crate::scan::{ScanOutcome, ScanSettings, Scanner};
use anyhow::Result;

/// Everything a run needs, resolved once before any input is read.
pub(super) struct Resolved {
    pub(super) settings: Settings,
    engine: detect::Engine,
    repo_paths: RepoPaths,
}

impl Resolved {
    pub(super) fn new(args: &ScanArgs) -> Result<Resolved> {
        // History and staged paths are relative to the repository's top: found once, used for
        // the allowlist's paths and the reports' root.
        let work_tree = match args.paths.as_slice() {
            [p] if args.git_mode() || args.staged => {
                work_tree_of(p).and_then(|d| std::fs::canonicalize(d).ok())
            }
            _ => None,
        };
        let settings = Settings::resolve(args, work_tree.as_deref())?;
        let engine = build_engine(args, &settings.config)?;
        Ok(Resolved {
            settings,
            engine,
            repo_paths: repo_paths(args),
        })
    }

    pub(super) fn scanner(&self, args: &ScanArgs) -> Scanner<'_> {
        let config = &self.settings.config;
        Scanner::new(
            &self.engine,
            ScanSettings {
                contexts: config.contexts.clone(),
                repo_paths: self.repo_paths.clone(),
                fail_contexts: self.settings.fail_contexts.clone(),
                max_findings_per_file: self.settings.max_findings_per_file,
                ..ScanSettings::new(args.show_secrets, config.allowlist.clone())
            },
        )
    }
}

/// What the judging stages made of a finished scan.
struct Judged {
    outcome: ScanOutcome,
    git_runs: Vec<report::GitRun>,
    inventory: Inventory,
    violations: Vec<policy::Violation>,
}

pub(super) fn scan(args: &ScanArgs, run: Run) -> Result<u8> {
    diag::set_level(args.log.level());
    check_stdin_args(args)?;
    let started = unix_now();
    let resolved = Resolved::new(args)?;
    let scanner = resolved.scanner(args);
    let git_runs = {
        let _t = Phase::start("walk/scan");
        walk_with_progress(args, &resolved.settings, &scanner)?
    };
    let outcome = scanner.finish();
    log_outcome(&outcome);
    let now = args.now.unwrap_or_else(unix_now);
    let judged = judge(outcome, git_runs, &resolved, now);
    if run.mode == Mode::Baseline {
        return write_baseline(args, &judged.outcome, &judged.violations);
    }
    report_and_exit(args, run, &resolved, judged, (started, now))
}

/// The inventory and the policy see every finding, accepted ones included: an accepted key
/// whose certificate expires later must still produce a (new) violation.
fn judge(
    outcome: ScanOutcome,
    git_runs: Vec<report::GitRun>,
    resolved: &Resolved,
    now: i64,
) -> Judged {
    let config = &resolved.settings.config;
    let inventory = build_inventory(&outcome, config, &resolved.repo_paths, &git_runs);
    let violations = {
        let _t = Phase::start("policy");
        policy::evaluate(&inventory, &config.policy, now)
    };
    Judged {
        outcome,
        git_runs,
        inventory,
        violations,
    }
}

/// Apply the baseline, write the report, and turn the outcome into the exit code.
fn report_and_exit(
    args: &ScanArgs,
    run: Run,
    resolved: &Resolved,
    judged: Judged,
    (started, now): (i64, i64),
) -> Result<u8> {
    let Judged {
        mut outcome,
        git_runs,
        inventory,
        mut violations,
    } = judged;
    let accepted_violations = apply_baseline(args, &mut outcome, &mut violations)?;
    let roots: Vec<String> = args
        .paths
        .iter()
        .map(|p| crate::model::path_text::from_os(p.as_os_str()))
        .collect();
    let rule_info = detect::catalogue::catalogue(resolved.engine.rules());
    let ctx = ReportContext {
        rules: &rule_info,
        roots: &roots,
        uri_bases: report::uri_base::UriBases::new(resolved.repo_paths.clone()),
        git: &git_runs,
        inventory: &inventory,
        violations: &violations,
        baselined_violations: &accepted_violations,
    };
    {
        let _t = Phase::start("report");
        let times = report::gitlab::ScanTimes {
            start: started,
            end: unix_now(),
        };
        emit_report(args, run, &outcome, &ctx, times, now)?;
    }
    if run.mode == Mode::Inventory {
        return Ok(if outcome.incomplete() {
            exit::INCOMPLETE
        } else {
            exit::CLEAN
        });
    }
    let code = exit_code(
        &outcome,
        &violations,
        resolved.settings.fail_on,
        run.gate_code,
    );
    if args.hook && code != exit::CLEAN && code != exit::INCOMPLETE {
        eprint!("{}", crate::hook::advice(args.staged));
    }
    Ok(code)
}

/// Group the findings by identity; over several repositories, name each occurrence's.
pub(super) fn build_inventory(
    outcome: &ScanOutcome,
    config: &Config,
    repo_paths: &RepoPaths,
    git: &[report::GitRun],
) -> Inventory {
    let _t = Phase::start("inventory");
    let places = Places {
        envs: config.environments(),
        services: config.services.clone(),
        repo_paths: repo_paths.clone(),
    };
    let mut inventory = Inventory::build(&outcome.findings, &places);
    inventory.ciphertexts = outcome.ciphertexts.clone();
    if git.len() > 1 {
        let repos: Vec<String> = git.iter().map(|g| g.repo.clone()).collect();
        inventory.tag_repositories(&repos);
    }
    inventory
}
