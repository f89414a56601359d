//! What each command does: wires the stages together (source → detect → scan → report) and maps
//! outcomes to exit codes. No detection or formatting logic lives here.

use crate::cli::{
    BaselineCommand, Command, ConfigCommand, Format, HookCommand, RuleArgs, RulesCommand, ScanArgs,
};
use crate::config::Config;
use crate::detect::{self, Engine, Rule};
use crate::escape::escaped;
use crate::inventory::Inventory;
use crate::log::{self as diag, Level, Phase};
use crate::model::roots::RepoPaths;
use crate::model::{Context as PlaceContext, Severity};
use crate::policy;
use crate::report::{self, ReportContext};
use crate::scan::{ScanOutcome, ScanSettings, Scanner};
use crate::source::fs::{self, FsOptions};
use crate::source::git::{self, GitOptions};
use crate::source::sinks;
use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Process exit codes, documented in `--help` and the README.
pub mod exit {
    pub const CLEAN: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const ERROR: u8 = 2;
    pub const INCOMPLETE: u8 = 3;
}

pub fn run(command: Command) -> Result<u8> {
    match command {
        Command::Scan(c) => scan(
            &c.scan,
            Run {
                mode: Mode::Scan,
                format: c.format,
                gate_code: c.exit_code,
            },
        ),
        Command::Inventory(c) => scan(
            &c.scan,
            Run {
                mode: Mode::Inventory,
                format: c.format.map(Format::from),
                gate_code: exit::FINDINGS,
            },
        ),
        Command::Baseline {
            command: BaselineCommand::Create(c),
        } => {
            check_baseline_output(c.scan.output.as_deref())?;
            scan(
                &c.scan,
                Run {
                    mode: Mode::Baseline,
                    format: Some(Format::Json),
                    gate_code: exit::FINDINGS,
                },
            )
        }
        Command::Completions { shell } => crate::manual::completions(shell).map(|()| exit::CLEAN),
        Command::Man { dir } => crate::manual::man(dir.as_deref()).map(|()| exit::CLEAN),
        Command::Rules { command } => rules(command),
        Command::Config {
            command: ConfigCommand::Check { file },
        } => check_config(file.as_deref()),
        Command::Hook {
            command: HookCommand::Install { repo, force },
        } => crate::hook::install(&repo, force).map(|()| exit::CLEAN),
    }
}

/// Built-in rules plus the user's, merged by id.
pub fn load_rules(args: &RuleArgs) -> Result<Vec<Rule>> {
    load_rules_with(args, &Config::default())
}

/// Built-in rules (unless the command line or the configuration turns them off), the
/// configuration's rule paths, then the command line's (a later rule with an id replaces an
/// earlier one), less the rules the configuration disables.
fn load_rules_with(args: &RuleArgs, config: &Config) -> Result<Vec<Rule>> {
    let mut rules = if args.no_builtin_rules || !config.builtin_rules {
        Vec::new()
    } else {
        detect::rule::builtin_rules().context("built-in rules")?
    };
    for path in config.rule_paths.iter().chain(&args.rules) {
        let extra = detect::rule::load_user_rules(path)?;
        rules = detect::rule::merge(rules, extra);
    }
    Ok(config.apply_disable(rules)?)
}

/// What a scan run produces.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Scan,
    Inventory,
    Baseline,
}

/// What the command adds to the scan options: what to write, and the code of a failed gate.
#[derive(Clone, Copy)]
struct Run {
    mode: Mode,
    /// The format asked for with -f; None: from the extension of -o, else text.
    format: Option<Format>,
    gate_code: u8,
}

/// A baseline is read back as JSON: refuse an -o name that promises another format, rather
/// than write JSON under a `.sarif` name.
fn check_baseline_output(output: Option<&Path>) -> Result<()> {
    let Some(path) = output else { return Ok(()) };
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if !ext.eq_ignore_ascii_case("json") => bail!(
            "baseline create writes JSON only, but -o {} names a .{ext} file; use a .json name",
            path.display()
        ),
        _ => Ok(()),
    }
}

/// Standard input (`-`) is one stream: it cannot be mixed with other paths, and is not a
/// repository.
fn check_stdin_args(args: &ScanArgs) -> Result<()> {
    if args.stdin() {
        if args.paths.len() > 1 {
            bail!("`-` (standard input) cannot be combined with other paths");
        }
        if args.git_mode() || args.staged {
            bail!("`-` (standard input) is not a repository: drop --git/--staged or the `-`");
        }
    } else if args.stdin_name.is_some() {
        bail!("--stdin-name names standard input: give `-` as the path");
    }
    Ok(())
}

/// The settings of one run: the command line over the configuration over the defaults.
struct Settings {
    config: Config,
    fail_on: Severity,
    fail_contexts: Vec<PlaceContext>,
    max_file_size: u64,
    max_findings_per_file: usize,
}

impl Settings {
    fn resolve(args: &ScanArgs, work_tree: Option<&Path>) -> Result<Settings> {
        // Standard input has no place of its own: its configuration is the current directory's.
        let roots = if args.stdin() {
            vec![std::path::PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        let mut config = if args.no_config {
            Config::default()
        } else {
            Config::load(args.config.as_deref(), &roots)?
        };
        match &config.file {
            Some(f) => diag::log(Level::Info, format_args!("configuration {}", f.display())),
            None => diag::log(Level::Info, format_args!("no configuration file")),
        }
        config.allowlist.base = path_base(args, &config, work_tree);
        if !args.exclude.is_empty() {
            let compiled = crate::allowlist::gitignore(args.exclude.iter().map(String::as_str))
                .map_err(|(i, m)| {
                    let glob = args.exclude.get(i).map_or("", String::as_str);
                    anyhow::anyhow!("bad --exclude glob {glob:?}: {m}")
                })?;
            config.allowlist.cli_exclude = Some(compiled);
        }
        Ok(Settings {
            fail_on: args.fail_on.or(config.fail_on).unwrap_or(Severity::Low),
            fail_contexts: args
                .fail_contexts
                .as_ref()
                .map(|c| c.0.clone())
                .or_else(|| config.fail_contexts.clone())
                .unwrap_or_else(|| vec![PlaceContext::Code]),
            max_file_size: args
                .max_file_size
                .or(config.max_file_size)
                .unwrap_or(git::DEFAULT_MAX_BLOB_SIZE),
            max_findings_per_file: args
                .max_findings_per_file
                .or(config.max_findings_per_file)
                .unwrap_or(crate::scan::DEFAULT_MAX_FINDINGS_PER_FILE),
            config,
        })
    }
}

/// How the paths a scan reports relate to the configuration's directory (see
/// [`crate::allowlist::Allowlist::base`]): known for a single root inside that directory.
/// `work_tree` is that root's repository top, for history and staged scans.
fn path_base(args: &ScanArgs, config: &Config, work_tree: Option<&Path>) -> Option<String> {
    let dir = config.dir()?;
    let [root] = args.paths.as_slice() else {
        return None;
    };
    let reported_from = if args.git_mode() || args.staged {
        work_tree?.to_path_buf()
    } else if root.is_dir() {
        std::fs::canonicalize(root).ok()?
    } else {
        // A single file is reported by the path given: relative to the current directory.
        std::env::current_dir().ok()?
    };
    let rel = reported_from.strip_prefix(&dir).ok()?;
    Some(crate::model::path_text::from_os(rel.as_os_str()).replace(std::path::MAIN_SEPARATOR, "/"))
}

fn scan(args: &ScanArgs, run: Run) -> Result<u8> {
    diag::set_level(args.log.level());
    check_stdin_args(args)?;
    let started = unix_now();
    // History and staged paths are relative to the repository's top: found once, used for the
    // allowlist's paths and the reports' root.
    let work_tree = match args.paths.as_slice() {
        [p] if args.git_mode() || args.staged => {
            work_tree_of(p).and_then(|d| std::fs::canonicalize(d).ok())
        }
        _ => None,
    };
    let settings = Settings::resolve(args, work_tree.as_deref())?;
    let config = &settings.config;
    let engine = build_engine(args, config)?;
    let repo_paths = repo_paths(args);
    let scanner = Scanner::new(
        &engine,
        ScanSettings {
            contexts: config.contexts.clone(),
            repo_paths: repo_paths.clone(),
            fail_contexts: settings.fail_contexts.clone(),
            max_findings_per_file: settings.max_findings_per_file,
            ..ScanSettings::new(args.show_secrets, config.allowlist.clone())
        },
    );
    let git_runs = {
        let _t = Phase::start("walk/scan");
        walk_with_progress(args, &settings, &scanner)?
    };
    let mut outcome = scanner.finish();
    log_outcome(&outcome);
    let now = args.now.unwrap_or_else(unix_now);
    // The inventory and the policy see every finding, accepted ones included: an accepted key
    // whose certificate expires later must still produce a (new) violation.
    let inventory = build_inventory(&outcome, config, &git_runs);
    let mut violations = {
        let _t = Phase::start("policy");
        policy::evaluate(&inventory, &config.policy, now, &outcome.ciphertexts)
    };
    if run.mode == Mode::Baseline {
        return write_baseline(args, &outcome, &violations);
    }
    let accepted_violations = apply_baseline(args, &mut outcome, &mut violations)?;
    let roots: Vec<String> = args
        .paths
        .iter()
        .map(|p| crate::model::path_text::from_os(p.as_os_str()))
        .collect();
    let rule_info = detect::catalogue::catalogue(engine.rules());
    let ctx = ReportContext {
        rules: &rule_info,
        roots: &roots,
        uri_bases: report::uri_base::UriBases::new(repo_paths),
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
    let code = exit_code(&outcome, &violations, settings.fail_on, run.gate_code);
    if args.hook && code != exit::CLEAN && code != exit::INCOMPLETE {
        eprint!("{}", crate::hook::advice(args.staged));
    }
    Ok(code)
}

/// Group the findings by identity; over several repositories, name each occurrence's.
fn build_inventory(outcome: &ScanOutcome, config: &Config, git: &[report::GitRun]) -> Inventory {
    let _t = Phase::start("inventory");
    let mut inventory = Inventory::build(&outcome.findings, &config.environments());
    if git.len() > 1 {
        let repos: Vec<String> = git.iter().map(|g| g.repo.clone()).collect();
        inventory.tag_repositories(&repos);
    }
    inventory
}

/// The rules of the run, compiled for its workload (a commit's few lines, or bulk input).
fn build_engine(args: &ScanArgs, config: &Config) -> Result<Engine> {
    let _t = Phase::start("rules load");
    let rules = load_rules_with(&args.rules, config)?;
    diag::log(Level::Info, format_args!("{} rules in effect", rules.len()));
    let workload = if args.staged {
        detect::engine::Workload::Small
    } else {
        detect::engine::Workload::Bulk
    };
    Engine::for_workload(rules, workload).map_err(anyhow::Error::msg)
}

/// With --baseline: move accepted findings and violations aside; returns the accepted
/// violations (kept for SARIF's suppressions unless --baseline-drop).
fn apply_baseline(
    args: &ScanArgs,
    outcome: &mut ScanOutcome,
    violations: &mut Vec<policy::Violation>,
) -> Result<Vec<policy::Violation>> {
    let Some(path) = &args.baseline else {
        return Ok(Vec::new());
    };
    let baseline = crate::baseline::Baseline::load(path)?;
    outcome.apply_baseline(&baseline);
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

/// Feed the run's inputs (files, history, the index or standard input) to the scanner, with
/// the progress display on a terminal. Returns what each history scan walked.
fn walk_with_progress(
    args: &ScanArgs,
    settings: &Settings,
    scanner: &Scanner<'_>,
) -> Result<Vec<report::GitRun>> {
    let config = &settings.config;
    let mut excludes = args.exclude.clone();
    // The walker can skip the configuration's excluded paths without reading them when it walks
    // from the configuration's own directory; elsewhere the scan stage drops what they match.
    if config.allowlist.base.as_deref() == Some("") {
        excludes.extend(config.exclude.iter().cloned());
    }
    let opts = FsOptions {
        roots: args.paths.clone(),
        threads: args.threads,
        respect_gitignore: args.respect_gitignore || config.respect_gitignore,
        excludes,
        max_file_size: settings.max_file_size,
        follow_symlinks: args.follow_symlinks,
    };
    let git_opts = if args.git_mode() {
        Some(git_options(args, settings.max_file_size)?)
    } else {
        None
    };
    let progress =
        (!args.quiet && std::io::stderr().is_terminal()).then(report::progress::Display::start);
    std::thread::scope(|s| {
        let ticker = progress
            .as_ref()
            .map(|p| s.spawn(|| p.run(&scanner.progress)));
        let r = match &git_opts {
            _ if args.stdin() => {
                scanner.progress.set_phase("reading standard input");
                let name = args
                    .stdin_name
                    .as_deref()
                    .unwrap_or(crate::source::stdin::DEFAULT_NAME);
                let mut input = std::io::stdin().lock();
                crate::source::stdin::scan(&mut input, name, settings.max_file_size, scanner);
                Ok(Vec::new())
            }
            _ if args.staged => {
                scanner.progress.set_phase("staged changes");
                scan_staged(args, settings.max_file_size, scanner)
            }
            Some(g) => scan_repositories(args, g, &opts, scanner),
            None => {
                scanner.progress.set_phase("walking files");
                fs::walk(&opts, scanner)
                    .map(|()| Vec::new())
                    .map_err(anyhow::Error::from)
            }
        };
        if let Some(p) = &progress {
            p.stop();
        }
        if let Some(t) = ticker {
            let _ = t.join();
        }
        r
    })
}

/// What was skipped and why, at info level; counts at debug. The log escapes every line;
/// problems never hold secret text (they say why an input was not read).
fn log_outcome(outcome: &ScanOutcome) {
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
fn write_baseline(
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
fn emit_report(
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
fn is_clean(outcome: &ScanOutcome, ctx: &ReportContext<'_>) -> bool {
    outcome.findings.is_empty() && ctx.violations.is_empty() && outcome.problems.is_empty()
}

/// History options shared by every repository of the run.
fn git_options(args: &ScanArgs, max_blob_size: u64) -> Result<GitOptions> {
    let range = match &args.range {
        None => None,
        Some(r) => {
            let Some((a, b)) = r.split_once("..") else {
                bail!("--range {r:?}: expected A..B");
            };
            if b.starts_with('.') || a.is_empty() || b.is_empty() {
                bail!("--range {r:?}: expected A..B (two revisions, two dots)");
            }
            Some((a.to_string(), b.to_string()))
        }
    };
    let mut g = GitOptions::new(".");
    g.refs = (!args.refs.is_empty()).then(|| args.refs.clone());
    g.since.clone_from(&args.since);
    g.range = range;
    g.threads = args.threads;
    g.max_blob_size = max_blob_size;
    g.all_occurrences = args.all_occurrences;
    Ok(g)
}

/// Scan the history of each repository (and, with --worktree, its files), into one scanner.
/// With several repositories, paths are prefixed with the repository as given.
fn scan_repositories(
    args: &ScanArgs,
    template: &GitOptions,
    fs_opts: &FsOptions,
    scanner: &Scanner<'_>,
) -> Result<Vec<report::GitRun>> {
    let many = args.paths.len() > 1;
    let mut runs = Vec::new();
    for repo in &args.paths {
        let shown = crate::model::path_text::from_os(repo.as_os_str());
        scanner.progress.set_phase(format!("history of {shown}"));
        let prefix = many.then(|| repo_prefix(repo));
        let sink = sinks::Prefixed::new(scanner, prefix.as_deref());
        let opts = GitOptions {
            repo: repo.clone(),
            ..template.clone()
        };
        let summary = git::scan_history(&opts, &sink)
            .with_context(|| format!("scanning the history of {shown}"))?;
        if args.worktree {
            let work_tree = work_tree_of(repo);
            match work_tree {
                Some(dir) => {
                    scanner.progress.set_phase(format!("work tree of {shown}"));
                    let wt = FsOptions {
                        roots: vec![dir],
                        ..fs_opts.clone()
                    };
                    let dedup = sinks::SkipKnownBlobs::new(&sink, &summary);
                    fs::walk(&wt, &dedup)?;
                }
                None => eprintln!(
                    "keyaudit: {} is a bare repository: no work tree to scan",
                    escaped(&shown)
                ),
            }
        }
        runs.push(report::GitRun {
            repo: shown,
            summary,
        });
    }
    Ok(runs)
}

/// What the paths of a repository start with when several are scanned: the repository as given.
fn repo_prefix(repo: &Path) -> String {
    let shown = crate::model::path_text::from_os(repo.as_os_str());
    format!("{}/", shown.trim_end_matches('/'))
}

/// The staged changes of each repository named on the command line.
fn scan_staged(
    args: &ScanArgs,
    max_file_size: u64,
    scanner: &Scanner<'_>,
) -> Result<Vec<report::GitRun>> {
    for repo in &args.paths {
        crate::source::staged::scan_staged(repo, max_file_size, scanner)?;
    }
    Ok(Vec::new())
}

/// The top of the work tree of the repository at `path`, if it has one.
fn work_tree_of(path: &Path) -> Option<std::path::PathBuf> {
    let repo = gix::discover(path).ok()?;
    repo.workdir().map(Path::to_path_buf)
}

/// `gate_code` (1 unless --exit-code) when the gate fails; 3 when nothing gates but some
/// input went unread; else 0.
fn exit_code(
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

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn format_from_extension(path: &Path) -> Option<Format> {
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

/// Where each reported path sits in its repository (for contexts and SARIF URIs). History paths are relative to their
/// repository's top already (prefixed as [`scan_repositories`] does when there are several);
/// file-tree paths are relative to the scanned folder, or as given for files.
fn repo_paths(args: &ScanArgs) -> RepoPaths {
    if args.staged {
        // Several repositories' staged files are reported without a prefix: no way to tell them
        // apart, so only one is mapped.
        return match args.paths.as_slice() {
            [p] => RepoPaths::for_repositories(&[(String::new(), p.clone())]),
            _ => RepoPaths::default(),
        };
    }
    if !args.git_mode() {
        return RepoPaths::for_tree(&args.paths);
    }
    let many = args.paths.len() > 1;
    let repos: Vec<(String, std::path::PathBuf)> = args
        .paths
        .iter()
        .map(|p| {
            let prefix = if many { repo_prefix(p) } else { String::new() };
            (prefix, p.clone())
        })
        .collect();
    RepoPaths::for_repositories(&repos)
}

fn rules(command: RulesCommand) -> Result<u8> {
    match command {
        RulesCommand::List {
            rules,
            verbose,
            json,
        } => {
            let rules = load_rules(&rules)?;
            let mut out = std::io::stdout().lock();
            if json {
                let list: Vec<_> = rules.iter().map(|r| rule_summary(r)).collect();
                serde_json::to_writer_pretty(&mut out, &list)?;
                writeln!(out)?;
            } else {
                for r in &rules {
                    writeln!(
                        out,
                        "{:<40} {:<9} {:<12} {}",
                        escaped(&r.spec.id),
                        r.spec.severity,
                        escaped(&r.spec.category),
                        escaped(&r.spec.name)
                    )?;
                    if verbose {
                        writeln!(out, "    {}", escaped(&r.spec.description))?;
                        if let Some(rem) = &r.spec.remediation {
                            writeln!(out, "    fix: {}", escaped(rem))?;
                        }
                        let keywords = r.spec.keywords.join(", ");
                        writeln!(out, "    keywords: {}", escaped(&keywords))?;
                    }
                }
                writeln!(out, "{} rules", rules.len())?;
            }
            Ok(exit::CLEAN)
        }
        RulesCommand::Check { files } => {
            let mut sets = Vec::new();
            if files.is_empty() {
                sets.push(("built-in rules".to_string(), detect::rule::builtin_rules()?));
            }
            for f in &files {
                let mut rules = Vec::new();
                for file in detect::rule::rule_files_at(f)? {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("reading {}", file.display()))?;
                    rules.extend(detect::rule::parse_rule_file(
                        &text,
                        &file.display().to_string(),
                    )?);
                }
                sets.push((f.display().to_string(), rules));
            }
            let mut failed = 0;
            for (name, rules) in sets {
                let n = rules.len();
                let (failures, checked) =
                    detect::examples::check_examples(rules).map_err(anyhow::Error::msg)?;
                let mut out = std::io::stdout().lock();
                for f in &failures {
                    writeln!(out, "FAIL {}", escaped(&f.to_string()))?;
                }
                writeln!(
                    out,
                    "{}: {n} rules, {checked} examples, {} failed",
                    escaped(&name),
                    failures.len()
                )?;
                failed += failures.len();
            }
            if failed > 0 {
                bail!("{failed} example(s) failed");
            }
            Ok(exit::CLEAN)
        }
    }
}

/// `keyaudit config check [FILE]`: everything a scan would reject, without scanning.
fn check_config(file: Option<&Path>) -> Result<u8> {
    let config = match file {
        Some(f) => Config::from_file(f)?,
        None => match crate::config::discover(Path::new(".")) {
            Some(f) => Config::from_file(&f)?,
            None => bail!(
                "no configuration file here (looked for {} up to the repository top)",
                crate::config::FILE_NAMES.join(" and ")
            ),
        },
    };
    let shown = config
        .file
        .as_ref()
        .map_or_else(String::new, |p| p.display().to_string());
    let rules = load_rules_with(
        &RuleArgs {
            rules: Vec::new(),
            no_builtin_rules: false,
        },
        &config,
    )?;
    // The project's own rules must pass their examples, as `rules check` requires.
    let mut own = Vec::new();
    for path in &config.rule_paths {
        own.extend(detect::rule::load_user_rules(path)?);
    }
    let own_count = own.len();
    let (failures, examples) = detect::examples::check_examples(own).map_err(anyhow::Error::msg)?;
    let mut out = std::io::stdout().lock();
    for f in &failures {
        writeln!(out, "FAIL {}", escaped(&f.to_string()))?;
    }
    if !failures.is_empty() {
        bail!("{shown}: {} rule example(s) failed", failures.len());
    }
    writeln!(
        out,
        "{}: ok — {} rules in effect ({own_count} from rule paths, {examples} examples \
         passed; {} disable entries), {} allow entries, {} excluded path patterns, fail-on {}",
        escaped(&shown),
        rules.len(),
        config.disabled_count(),
        config.allowlist.entries.len(),
        config.exclude.len(),
        config.fail_on.unwrap_or(Severity::Low),
    )?;
    Ok(exit::CLEAN)
}

/// One rule as `rules list --json` shows it.
#[derive(serde::Serialize)]
struct RuleSummary<'a> {
    id: &'a str,
    name: &'a str,
    category: &'a str,
    severity: Severity,
    description: &'a str,
    keywords: &'a [String],
    origin: &'a str,
}

fn rule_summary(r: &crate::detect::Rule) -> RuleSummary<'_> {
    RuleSummary {
        id: &r.spec.id,
        name: &r.spec.name,
        category: &r.spec.category,
        severity: r.spec.severity,
        description: &r.spec.description,
        keywords: &r.spec.keywords,
        origin: &r.origin,
    }
}
