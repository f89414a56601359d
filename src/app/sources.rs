//! Running the sources a scan asked for (file trees, standard input, history, staged changes)
//! into the scanner, with progress.

use super::settings::*;
use crate::cli::ScanArgs;
use crate::escape::escaped;
use crate::report::{self};
use crate::scan::Scanner;
use crate::source::fs::{self, FsOptions};
use crate::source::git::{self, GitOptions};
use crate::source::sinks;
use anyhow::{Context, Result, bail};
use std::io::IsTerminal;

/// Feed the run's inputs (files, history, the index or standard input) to the scanner, with
/// the progress display on a terminal. Returns what each history scan walked.
pub(super) fn walk_with_progress(
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

/// History options shared by every repository of the run.
pub(super) fn git_options(args: &ScanArgs, max_blob_size: u64) -> Result<GitOptions> {
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
pub(super) fn scan_repositories(
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

/// The staged changes of each repository named on the command line.
pub(super) fn scan_staged(
    args: &ScanArgs,
    max_file_size: u64,
    scanner: &Scanner<'_>,
) -> Result<Vec<report::GitRun>> {
    for repo in &args.paths {
        crate::source::staged::scan_staged(repo, max_file_size, scanner)?;
    }
    Ok(Vec::new())
}
