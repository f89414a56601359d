//! The settings of one run, resolved once from the command line, the configuration and the
//! defaults (the way ripgrep resolves its arguments into ready objects), and the engine they
//! build.

use super::*;
use crate::cli::ScanArgs;
use crate::config::Config;
use crate::detect::{self, Engine};
use crate::log::{self as diag, Level, Phase};
use crate::model::roots::RepoPaths;
use crate::model::{Context as PlaceContext, Severity};
use crate::source::git::{self};
use anyhow::{Result, bail};
use std::path::Path;

/// Standard input (`-`) is one stream: it cannot be mixed with other paths, and is not a
/// repository.
pub(super) fn check_stdin_args(args: &ScanArgs) -> Result<()> {
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
pub(super) struct Settings {
    pub(super) config: Config,
    pub(super) fail_on: Severity,
    pub(super) fail_contexts: Vec<PlaceContext>,
    pub(super) max_file_size: u64,
    pub(super) max_findings_per_file: usize,
}

impl Settings {
    pub(super) fn resolve(args: &ScanArgs, work_tree: Option<&Path>) -> Result<Settings> {
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
pub(super) fn path_base(
    args: &ScanArgs,
    config: &Config,
    work_tree: Option<&Path>,
) -> Option<String> {
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

/// The top of the work tree of the repository at `path`, if it has one.
pub(super) fn work_tree_of(path: &Path) -> Option<std::path::PathBuf> {
    let repo = gix::discover(path).ok()?;
    repo.workdir().map(Path::to_path_buf)
}

/// Where each reported path sits in its repository (for contexts and SARIF URIs). History paths are relative to their
/// repository's top already (prefixed as [`scan_repositories`] does when there are several);
/// file-tree paths are relative to the scanned folder, or as given for files.
pub(super) fn repo_paths(args: &ScanArgs) -> RepoPaths {
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

/// The rules of the run, compiled for its workload (a commit's few lines, or bulk input).
pub(super) fn build_engine(args: &ScanArgs, config: &Config) -> Result<Engine> {
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

/// What the paths of a repository start with when several are scanned: the repository as given.
pub(super) fn repo_prefix(repo: &Path) -> String {
    let shown = crate::model::path_text::from_os(repo.as_os_str());
    format!("{}/", shown.trim_end_matches('/'))
}
