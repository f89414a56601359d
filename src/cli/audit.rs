//! Command-line interface of the periodic-audit commands (`audit`, `diff`, `history`,
//! `report`): parsing only; `app::audit` and its neighbours do the work.

use crate::cli::{ColorChoice, Format, LogArgs, RuleArgs, ScanArgs};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Where audits are stored: `--store`, else `KEYAUDIT_STORE`, else `./keyaudit.db`.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// The store: a SQLite file (default ./keyaudit.db), or postgres://USER@HOST/DB for a
    /// PostgreSQL database that many machines share.
    #[arg(long, value_name = "URL", env = "KEYAUDIT_STORE", default_value = crate::store::DEFAULT_STORE, hide_env_values = true)]
    pub store: String,
}

/// `keyaudit audit`.
#[derive(Debug, Clone, Args)]
pub struct AuditCommand {
    /// Repositories (history and work tree) and directories (their files) to audit.
    pub roots: Vec<PathBuf>,

    /// Read more roots from FILE, one per line (`#` comments and blank lines skipped; `-` is
    /// standard input).
    #[arg(long, value_name = "FILE")]
    pub repos_from: Option<PathBuf>,

    #[command(flatten)]
    pub store: StoreArgs,

    /// Audit only slice I of N of the roots (I from 0 to N-1, as a Kubernetes Indexed Job's
    /// JOB_COMPLETION_INDEX), by sorted name, so every shard reading the same list takes its
    /// own part whatever the list's order. Requires --run.
    #[arg(long, value_name = "I/N", value_parser = parse_shard, requires = "run")]
    pub shard: Option<crate::store::Shard>,

    /// The run this audit belongs to: every shard of one audit gives the same name, and a
    /// shard run again under it replaces its earlier rows. Default: audit-<start time>.
    #[arg(long, value_name = "NAME")]
    pub run: Option<String>,

    /// Roots scanned at the same time. Without -j they share the cores (each gets cores/N
    /// threads), so a large repository does not hold N times the memory for nothing.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub parallel: usize,

    /// Also write the run's report (as `keyaudit report` would) in this format; default: the
    /// extension of -o, else only a summary.
    #[arg(long, short = 'f', value_enum, help_heading = "Report")]
    pub format: Option<Format>,

    /// Write the run's report to FILE (mode 0600).
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Report")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub scan: AuditScanArgs,
}

/// The scan options an audit passes to each root's scan.
#[derive(Debug, Clone, Args)]
pub struct AuditScanArgs {
    #[command(flatten)]
    pub rules: RuleArgs,

    /// Configuration file for every root and for the policy. Default: each root's own
    /// .keyaudit.toml for its scan, and the current directory's for the policy.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Use no configuration file.
    #[arg(long)]
    pub no_config: bool,

    /// Judge ages and expiry as of this date (YYYY-MM-DD or RFC 3339; default: now).
    #[arg(long, value_name = "DATE", value_parser = crate::time::parse_date)]
    pub now: Option<i64>,

    /// Worker threads per root; 0 means the cores divided among the --parallel roots.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Leave out paths matching GLOB (gitignore syntax). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Skip files and blobs larger than this (suffixes K, M, G); they are counted.
    #[arg(long, value_name = "SIZE", value_parser = crate::config::parse_size)]
    pub max_file_size: Option<u64>,

    /// No progress lines and no summary.
    #[arg(long, short)]
    pub quiet: bool,

    /// Colour in a text report: auto, always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,

    #[command(flatten)]
    pub log: LogArgs,
}

/// `keyaudit report`.
#[derive(Debug, Clone, Args)]
pub struct ReportCommand {
    #[command(flatten)]
    pub store: StoreArgs,

    /// The run to report (default: the latest).
    #[arg(long, value_name = "NAME")]
    pub run: Option<String>,

    /// Report format; default: the extension of -o, else text.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,

    /// Write the report to FILE (mode 0600).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub judge: JudgeArgs,
}

/// How stored audits are judged: the policy of a configuration, as of a date.
#[derive(Debug, Clone, Args)]
pub struct JudgeArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Exit 1 only for violations and findings at or above this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = |s: &str| s.parse::<crate::model::Severity>())]
    pub fail_on: Option<crate::model::Severity>,

    /// No summary line.
    #[arg(long, short)]
    pub quiet: bool,

    /// Colour in a text report: auto, always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

/// How `diff`, `history` and `report` judge stored audits: a configuration's policy.
#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// Configuration file whose policy, environments and services judge the audits.
    /// Default: the current directory's .keyaudit.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Use no configuration file.
    #[arg(long)]
    pub no_config: bool,

    #[command(flatten)]
    pub log: LogArgs,
}

/// What `diff` and `history` write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChangeFormat {
    Text,
    Json,
}

/// `keyaudit diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffCommand {
    #[command(flatten)]
    pub store: StoreArgs,

    /// The earlier run (default: the latest run before --to whose roots are the same).
    #[arg(long, value_name = "RUN")]
    pub from: Option<String>,

    /// The later run (default: the latest).
    #[arg(long, value_name = "RUN")]
    pub to: Option<String>,

    /// The date of the next audit, for what expires or ages out before it. Default: the later
    /// run's date plus `[audit] every` of the configuration (30 days unless set).
    #[arg(long, value_name = "DATE", value_parser = crate::time::parse_date)]
    pub next: Option<i64>,

    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: ChangeFormat,

    #[command(flatten)]
    pub judge: PolicyArgs,
}

/// `keyaudit runs`.
#[derive(Debug, Clone, Args)]
pub struct RunsCommand {
    #[command(flatten)]
    pub store: StoreArgs,

    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: ChangeFormat,
}

/// `keyaudit history`.
#[derive(Debug, Clone, Args)]
pub struct HistoryCommand {
    /// The entry: its id as the inventory shows it (`private-key:spki-sha256:…`), its
    /// fingerprint (`fp1:…`), or a unique prefix of either.
    pub entry: String,

    #[command(flatten)]
    pub store: StoreArgs,

    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: ChangeFormat,

    #[command(flatten)]
    pub judge: PolicyArgs,
}

/// `I/N` with 0 ≤ I < N.
pub fn parse_shard(s: &str) -> Result<crate::store::Shard, String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?}: expected I/N, such as 0/4"))?;
    let index: u32 = i
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: I is not a number"))?;
    let count: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: N is not a number"))?;
    if count == 0 || index >= count {
        return Err(format!(
            "{s:?}: I must be from 0 to N-1 (shards count from 0, as JOB_COMPLETION_INDEX does)"
        ));
    }
    Ok(crate::store::Shard { index, count })
}

impl AuditScanArgs {
    /// The scan of one root: its history and work tree when `git`, else its files.
    pub fn for_root(&self, root: PathBuf, git: bool) -> ScanArgs {
        ScanArgs {
            paths: vec![root],
            stdin_name: None,
            rules: self.rules.clone(),
            output: None,
            fail_on: None,
            fail_contexts: None,
            threads: self.threads,
            respect_gitignore: false,
            exclude: self.exclude.clone(),
            max_file_size: self.max_file_size,
            max_findings_per_file: None,
            follow_symlinks: false,
            show_secrets: false,
            quiet: true,
            color: ColorChoice::Never,
            log: self.log,
            baseline: None,
            baseline_drop: false,
            now: self.now,
            config: self.config.clone(),
            no_config: self.no_config,
            hook: false,
            staged: false,
            git,
            refs: Vec::new(),
            since: None,
            range: None,
            all_occurrences: false,
            worktree: git,
        }
    }
}

impl JudgeArgs {
    /// Scan options that carry what a report of stored audits needs (output, colour, quiet).
    pub fn report_args(&self, output: Option<PathBuf>) -> ScanArgs {
        let base = AuditScanArgs {
            rules: RuleArgs {
                rules: Vec::new(),
                no_builtin_rules: false,
            },
            config: self.policy.config.clone(),
            no_config: self.policy.no_config,
            now: None,
            threads: 0,
            exclude: Vec::new(),
            max_file_size: None,
            quiet: self.quiet,
            color: self.color,
            log: self.policy.log,
        };
        let mut args = base.for_root(PathBuf::from("."), false);
        args.output = output;
        args.quiet = self.quiet;
        args.color = self.color;
        args.fail_on = self.fail_on;
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_count_from_zero() {
        assert_eq!(
            parse_shard("0/4"),
            Ok(crate::store::Shard { index: 0, count: 4 })
        );
        assert!(parse_shard("3/4").is_ok());
        for bad in ["4/4", "1/0", "x/2", "2", "-1/3"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}
