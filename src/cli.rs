//! Command-line interface (clap derive). Parsing only: what each command does lives in `app`.

use crate::model::Severity;

pub mod audit;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Find cryptographic keys, certificates and hardcoded credentials in file trees, build an
/// inventory of them and report it as text, JSON or SARIF.
///
/// Exit status: 0 = nothing found (and the scan was complete); 1 (or --exit-code N) = findings at or above
/// --fail-on; 2 = usage or fatal error; 3 = no findings at or above --fail-on, but some input
/// could not be read (the scan is incomplete; see the report's `problems`).
#[derive(Debug, Parser)]
#[command(name = "keyaudit", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for secrets, keys and certificates.
    // The examples are laid out by hand: clap would otherwise reflow them into one paragraph.
    #[command(after_help = SCAN_EXAMPLES)]
    Scan(ScanCommand),
    /// Print the key inventory: one entry per distinct key, certificate or secret, with every
    /// place it occurs, its age, environments and paired keys. Takes the same options as scan.
    #[command(after_help = INVENTORY_EXAMPLES)]
    Inventory(InventoryCommand),
    /// Record the current findings as accepted, so that later scans with --baseline report
    /// new ones only. Takes the scan options; writes -o FILE (default .keyaudit-baseline.json).
    Baseline {
        #[command(subcommand)]
        command: BaselineCommand,
    },
    /// Audit repositories and directories (history, work tree, files) and record the audit in
    /// a store (SQLite file or PostgreSQL), so that later audits show what changed.
    #[command(after_help = AUDIT_EXAMPLES)]
    Audit(crate::cli::audit::AuditCommand),
    /// What changed between two stored audits: new, removed and rotated keys and secrets,
    /// violations that appeared or were resolved, and what expires before the next audit.
    Diff(crate::cli::audit::DiffCommand),
    /// One key's or secret's life across the stored audits: first seen, where, rotated by,
    /// last seen.
    History(crate::cli::audit::HistoryCommand),
    /// The report of a stored run (every shard of it): inventory, cross-repository reuse and
    /// policy, in the formats of scan.
    Report(crate::cli::audit::ReportCommand),
    /// List the runs a store holds, oldest first: date, shards, roots, complete or not.
    Runs(crate::cli::audit::RunsCommand),
    /// Install keyaudit as the repository's git pre-commit hook.
    Hook {
        #[command(subcommand)]
        command: HookCommand,
    },
    /// Inspect and test detection rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Check a configuration file (.keyaudit.toml).
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Print a shell completion script.
    #[command(after_help = COMPLETION_EXAMPLES)]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of keyaudit, or write one page per command to a directory.
    #[command(after_help = MAN_EXAMPLES)]
    Man {
        /// Write keyaudit.1 and a keyaudit-COMMAND.1 page for every subcommand into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

const SCAN_EXAMPLES: &str = "\
Examples:
  keyaudit scan                          # the current directory, text report
  keyaudit scan src/ -o report.sarif     # SARIF file (format from the extension)
  keyaudit scan . --format json --fail-on high
  keyaudit scan --git .                  # every blob of the repository's history
  git diff | keyaudit scan -             # standard input, reported as `-`";

const INVENTORY_EXAMPLES: &str = "\
Examples:
  keyaudit inventory .                   # a directory
  keyaudit inventory --git . -f json     # a repository's whole history, as JSON";

const AUDIT_EXAMPLES: &str = "\
Examples:
  keyaudit audit repos/*                 # every repository under repos/, into ./keyaudit.db
  keyaudit audit --repos-from list.txt --store postgres://audit@db/keyaudit
  keyaudit audit --repos-from list.txt --shard 0/4 --run 2026-w49 --store postgres://…
  keyaudit diff                          # the last two audits of the same roots
  keyaudit report --run 2026-w49 -o org.sarif";

const COMPLETION_EXAMPLES: &str = "\
Examples:
  keyaudit completions bash > /etc/bash_completion.d/keyaudit
  keyaudit completions zsh > \"${fpath[1]}/_keyaudit\"
  keyaudit completions fish > ~/.config/fish/completions/keyaudit.fish
  keyaudit completions powershell >> $PROFILE";

const MAN_EXAMPLES: &str = "\
Examples:
  keyaudit man | man -l -                # read it now
  keyaudit man --dir /usr/local/share/man/man1";

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a configuration: keys and types, globs, regexes, fingerprints, rule paths (their
    /// rules and examples are checked too) and disabled rule ids. Errors name the file, line and
    /// column, and exit 2.
    ///
    /// With no FILE, checks the file a scan of the current directory would use.
    Check {
        /// The configuration file.
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Scan and write the findings (rule, fingerprint, path; never the secret) as a baseline.
    Create(BaselineCreateCommand),
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write a pre-commit hook that runs `keyaudit scan --staged` and blocks commits that add
    /// secrets. Honours core.hooksPath; an existing hook that is not keyaudit's is kept unless
    /// --force.
    Install {
        /// The repository (default: the current directory).
        #[arg(default_value = ".")]
        repo: PathBuf,
        /// Replace an existing hook that keyaudit did not write.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules in effect (built-in plus --rules).
    List {
        #[command(flatten)]
        rules: RuleArgs,
        /// Print descriptions and remediation too.
        #[arg(long, short)]
        verbose: bool,
        /// Output as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate rule files and run every rule's examples and negative examples.
    ///
    /// With no FILE, checks the built-in rules.
    Check {
        /// Rule files or directories of `*.toml` rule files.
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// Extra rule file or directory of `*.toml` files; a rule with a built-in id replaces it.
    /// Repeatable.
    #[arg(long = "rules", value_name = "DIR_OR_FILE")]
    pub rules: Vec<PathBuf>,
    /// Use only the rules given with --rules, none of the built-in ones.
    #[arg(long, requires = "rules")]
    pub no_builtin_rules: bool,
}

/// Every report format; each command accepts the subset it can write (see the `*Format` enums).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    /// GitLab's secret-detection report (gl-secret-detection-report.json).
    Gitlab,
}

/// What `inventory` writes: no SARIF or GitLab form exists for an inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    Text,
    Json,
}

impl From<InventoryFormat> for Format {
    fn from(f: InventoryFormat) -> Format {
        match f {
            InventoryFormat::Text => Format::Text,
            InventoryFormat::Json => Format::Json,
        }
    }
}

/// What `baseline create` writes: a baseline is read back by `--baseline`, which reads JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BaselineFormat {
    Json,
}

/// `keyaudit scan`: the scan options, every report format and the gate's exit code.
#[derive(Debug, Clone, Args)]
pub struct ScanCommand {
    #[command(flatten)]
    pub scan: ScanArgs,

    /// Report format. Defaults to the extension of -o (.json, .sarif; gl-*.json is gitlab),
    /// else text.
    #[arg(long, short = 'f', value_enum, help_heading = "Report")]
    pub format: Option<Format>,

    /// The exit code when the gate fails (findings or violations at or above --fail-on); 0
    /// never fails. Avoid 2 and 3, which mean an error and an incomplete scan.
    #[arg(long, value_name = "N", default_value_t = 1, help_heading = "CI")]
    pub exit_code: u8,
}

/// `keyaudit inventory`: the scan options; text or JSON.
#[derive(Debug, Clone, Args)]
pub struct InventoryCommand {
    #[command(flatten)]
    pub scan: ScanArgs,

    /// Inventory format. Defaults to the extension of -o (.json), else text.
    #[arg(long, short = 'f', value_enum, help_heading = "Report")]
    pub format: Option<InventoryFormat>,
}

/// `keyaudit baseline create`: the scan options; the baseline is always JSON.
#[derive(Debug, Clone, Args)]
pub struct BaselineCreateCommand {
    #[command(flatten)]
    pub scan: ScanArgs,

    /// Baseline format: JSON only (what --baseline reads). A -o FILE must end in .json.
    #[arg(long, short = 'f', value_enum, help_heading = "Report")]
    pub format: Option<BaselineFormat>,
}

/// Diagnostics on stderr: what was skipped and why, and how long each phase took.
#[derive(Debug, Clone, Copy, Args)]
pub struct LogArgs {
    /// More diagnostics on stderr: -v is info, -vv debug.
    #[arg(long, short = 'v', action = clap::ArgAction::Count, help_heading = "Diagnostics")]
    pub verbose: u8,

    /// Diagnostics level on stderr (overrides -v).
    #[arg(long, value_enum, value_name = "LEVEL", help_heading = "Diagnostics")]
    pub log_level: Option<crate::log::Level>,
}

impl LogArgs {
    /// The level in effect: --log-level, else one step per -v above warn.
    pub fn level(&self) -> crate::log::Level {
        use crate::log::Level;
        self.log_level.unwrap_or(match self.verbose {
            0 => Level::Warn,
            1 => Level::Info,
            _ => Level::Debug,
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input (alone, not with --git or
    /// --staged).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// The path under which standard input (`-`) is reported (default `-`); contexts are judged
    /// from it, so `--stdin-name tests/x.py` is a test file.
    #[arg(long, value_name = "NAME")]
    pub stdin_name: Option<String>,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Write the report to FILE (created with mode 0600) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Report")]
    pub output: Option<PathBuf>,

    /// Exit 1 only for findings and violations at or above this severity: note, low, medium,
    /// high, critical. Default: `[scan] fail-on` of the configuration, else low (notes, such as
    /// a committed certificate or public key, are reported but never fail a run).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,

    /// The contexts whose findings fail the run, comma-separated: code, test, docs, example,
    /// vendor, or `all`. Default: `[scan] fail-contexts` of the configuration, else `code`.
    /// Tokens whose format proves a service issued them (checksummed) fail in any context;
    /// findings elsewhere are still reported.
    #[arg(long, value_name = "CONTEXTS", value_parser = parse_contexts)]
    pub fail_contexts: Option<ContextList>,

    /// Worker threads; 0 means all cores.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Skip files ignored by .gitignore and friends. By default they are scanned, because
    /// secrets live in ignored files such as `.env`.
    #[arg(long)]
    pub respect_gitignore: bool,

    /// Leave out paths matching GLOB (gitignore syntax). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Skip files larger than this many bytes (suffixes K, M, G allowed); they are counted.
    /// Default: `[scan] max-file-size` of the configuration, else 64M.
    #[arg(long, value_name = "SIZE", value_parser = crate::config::parse_size)]
    pub max_file_size: Option<u64>,

    /// Report at most this many findings per file, the first in it; the rest are counted in a
    /// `findings_capped` problem (the scan stays complete). 0: no cap. Default: `[scan]
    /// max-findings-per-file` of the configuration, else 1000.
    #[arg(long, value_name = "N")]
    pub max_findings_per_file: Option<usize>,

    /// Follow symbolic links (loops and dangling links are reported, not fatal).
    #[arg(long, short = 'L')]
    pub follow_symlinks: bool,

    /// Put secrets in clear into the report. Off by default: reports carry a redacted preview
    /// and a fingerprint only.
    #[arg(long)]
    pub show_secrets: bool,

    /// No progress display and no summary line; a clean text report prints nothing at all.
    #[arg(long, short)]
    pub quiet: bool,

    /// Colour in the text report: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,

    #[command(flatten)]
    pub log: LogArgs,

    /// Report only findings not accepted in this baseline (see `keyaudit baseline create`);
    /// in SARIF the accepted ones stay, marked with `suppressions`.
    #[arg(long, value_name = "FILE", help_heading = "CI")]
    pub baseline: Option<PathBuf>,

    /// With --baseline: leave accepted findings out of SARIF too.
    #[arg(long, requires = "baseline", help_heading = "CI")]
    pub baseline_drop: bool,

    /// Judge ages and expiry as of this date (YYYY-MM-DD or RFC 3339; default: now).
    #[arg(long, value_name = "DATE", value_parser = crate::time::parse_date, help_heading = "Policy")]
    pub now: Option<i64>,

    /// Configuration file (rules, excludes, allowlists, threshold, policy). Default: the first
    /// .keyaudit.toml (or keyaudit.toml) in the scanned root or a directory above it, up to the
    /// top of its git repository.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Use no configuration file, only the defaults and the command line.
    #[arg(long)]
    pub no_config: bool,

    /// Running as a hook: when the run fails (exit 1), say on stderr what to do about the
    /// findings (rotate, remove, or mark a false alarm). The `pre-commit` framework shows a
    /// failing hook's output, so its users see the advice too.
    #[arg(long, help_heading = "Hooks")]
    pub hook: bool,

    /// Scan what is staged for the next commit (the index), reporting only lines the commit
    /// adds or changes; unstaged edits do not count. For pre-commit hooks. PATH is the
    /// repository (default: the current directory).
    #[arg(long, conflicts_with_all = ["git", "refs", "since", "range", "all_occurrences", "worktree"], help_heading = "Git history")]
    pub staged: bool,

    /// Scan git history: every blob of every ref (branches, tags, remote-tracking refs, the
    /// stash), each distinct blob once, with the commit that first introduced it. PATHs are then
    /// repositories: a work tree, a directory inside one, or a bare repository. The work tree
    /// itself is not scanned unless --worktree is given.
    #[arg(long, help_heading = "Git history")]
    pub git: bool,

    /// Start from this ref or revision instead of all refs (repeatable; globs over full ref
    /// names such as 'refs/tags/*' allowed). Implies --git.
    #[arg(long = "ref", value_name = "REF", help_heading = "Git history")]
    pub refs: Vec<String>,

    /// Only what the commits of `git log REV..HEAD` introduced: what the checked-out branch adds
    /// (--since origin/main). With --ref, those refs replace HEAD. Other branches and tags are
    /// not scanned. An unknown REV is an error (exit 2). Implies --git.
    #[arg(
        long,
        value_name = "REV",
        conflicts_with = "range",
        help_heading = "Git history"
    )]
    pub since: Option<String>,

    /// Only what the commits of `git log A..B` (reachable from B, not from A) introduced.
    /// Implies --git.
    #[arg(long, value_name = "A..B", help_heading = "Git history")]
    pub range: Option<String>,

    /// List, for each finding, every commit and path that introduced its blob, not only the
    /// first. Implies --git.
    #[arg(long, help_heading = "Git history")]
    pub all_occurrences: bool,

    /// With --git, also scan the work tree (uncommitted and untracked files), skipping files
    /// whose exact content history already covered.
    #[arg(long, help_heading = "Git history")]
    pub worktree: bool,
}

impl ScanArgs {
    /// Whether the input is standard input (`-`).
    pub fn stdin(&self) -> bool {
        self.paths.iter().any(|p| p.as_os_str() == "-")
    }

    /// Whether history is scanned: `--git` or any option that only makes sense with it.
    pub fn git_mode(&self) -> bool {
        self.git
            || !self.refs.is_empty()
            || self.since.is_some()
            || self.range.is_some()
            || self.all_occurrences
            || self.worktree
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour: `always` always; `auto` on a terminal unless `NO_COLOR` holds a
    /// non-empty value (https://no-color.org); `never` never.
    pub fn enabled(self, no_color: Option<&std::ffi::OsStr>, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }
}

/// A comma-separated list of contexts, as one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextList(pub Vec<crate::model::Context>);

/// `code,test` or `all`.
fn parse_contexts(s: &str) -> Result<ContextList, String> {
    if s.trim().eq_ignore_ascii_case("all") {
        return Ok(ContextList(crate::model::Context::ALL.to_vec()));
    }
    s.split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map(ContextList)
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(crate::config::parse_size("64M"), Ok(64 << 20));
        assert_eq!(crate::config::parse_size("10"), Ok(10));
        assert!(crate::config::parse_size("5X").is_err());
        assert!(crate::config::parse_size("").is_err());
    }

    #[test]
    fn no_color_turns_auto_off_but_not_always() {
        use std::ffi::OsStr;
        let set = Some(OsStr::new("1"));
        assert!(ColorChoice::Auto.enabled(None, true));
        assert!(!ColorChoice::Auto.enabled(set, true));
        // An empty NO_COLOR does not count, as the convention says.
        assert!(ColorChoice::Auto.enabled(Some(OsStr::new("")), true));
        assert!(!ColorChoice::Auto.enabled(None, false));
        assert!(ColorChoice::Always.enabled(set, false));
        assert!(!ColorChoice::Never.enabled(None, true));
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
