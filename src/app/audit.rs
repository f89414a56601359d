//! `keyaudit audit`: scan each root (many at once, each on its own), write each into the store
//! as it finishes, and commit the audit when the last one is in. Roots are scanned by a few
//! workers and handed to the one writer through a channel of one slot, so memory holds a few
//! roots' findings at a time, whatever the number of roots.

use super::pipeline::Resolved;
use super::sources::walk_with_progress;
use super::*;
use crate::cli::audit::AuditCommand;
use crate::escape::escaped;
use crate::model::{Problem, ProblemKind};
use crate::store::{AuditMeta, RootKind, RootRecord, Shard, Store};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A root to audit: its name in the store (as listed) and where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Root {
    pub(super) name: String,
    pub(super) path: PathBuf,
}

pub(super) fn audit(c: &AuditCommand) -> Result<u8> {
    crate::log::set_level(c.scan.log.level());
    let started = unix_now();
    let all = roots_of(c)?;
    let shard = c.shard.unwrap_or(Shard::WHOLE);
    let mine = shard_slice(&all, shard);
    let meta = AuditMeta {
        run: c.run.clone().unwrap_or_else(|| default_run(started)),
        shard,
        started,
        as_of: c.scan.now.unwrap_or(started),
    };
    let mut store = Store::open(&c.store.store)?;
    let shown = store.shown().to_string();
    let mut writer = store.begin_audit(&meta)?;
    let mut incomplete = Vec::new();
    let mut entries = 0usize;
    scan_roots(c, &mine, |record| {
        if !record.complete {
            incomplete.push(record.name.clone());
        }
        entries += record.findings.len();
        if !c.scan.quiet {
            eprintln!(
                "keyaudit: audited {} ({}, {} finding{}{})",
                escaped(&record.name),
                record.kind.as_str(),
                record.findings.len(),
                if record.findings.len() == 1 { "" } else { "s" },
                if record.complete { "" } else { ", INCOMPLETE" }
            );
        }
        writer
            .add_root(&record.as_stored())
            .map_err(anyhow::Error::from)
    })?;
    writer.commit(unix_now(), incomplete.is_empty())?;
    drop(store);
    if !c.scan.quiet {
        summary(&meta, mine.len(), all.len(), entries, &incomplete, &shown);
    }
    if c.format.is_some() || c.output.is_some() {
        let judge = judge_args_of(c);
        super::stored::report_run(
            &c.store.store,
            Some(&meta.run),
            c.format,
            c.output.clone(),
            &judge,
        )?;
    }
    Ok(if incomplete.is_empty() {
        exit::CLEAN
    } else {
        exit::INCOMPLETE
    })
}

fn summary(
    meta: &AuditMeta,
    mine: usize,
    all: usize,
    findings: usize,
    bad: &[String],
    store: &str,
) {
    let shard = if meta.shard.count > 1 {
        format!(" shard {}/{}", meta.shard.index, meta.shard.count)
    } else {
        String::new()
    };
    let state = if bad.is_empty() {
        "complete".to_string()
    } else {
        format!(
            "INCOMPLETE ({} roots not fully read: {})",
            bad.len(),
            bad.join(", ")
        )
    };
    eprintln!(
        "keyaudit: run {}{shard}: {mine} of {all} roots, {findings} findings, {state}; stored in {}",
        escaped(&meta.run),
        escaped(store)
    );
}

fn judge_args_of(c: &AuditCommand) -> crate::cli::audit::JudgeArgs {
    crate::cli::audit::JudgeArgs {
        policy: crate::cli::audit::PolicyArgs {
            config: c.scan.config.clone(),
            no_config: c.scan.no_config,
            log: c.scan.log,
        },
        fail_on: None,
        quiet: c.scan.quiet,
        color: c.scan.color,
    }
}

/// `audit-2026-12-08T01:30:00Z`: one run per audit unless --run names a shared one.
fn default_run(started: i64) -> String {
    format!("audit-{}", crate::time::rfc3339(started))
}

/// The roots of the command line and of --repos-from, each once, sorted by name.
pub(super) fn roots_of(c: &AuditCommand) -> Result<Vec<Root>> {
    let mut paths: Vec<String> = c
        .roots
        .iter()
        .map(|p| crate::model::path_text::from_os(p.as_os_str()))
        .collect();
    if let Some(file) = &c.repos_from {
        paths.extend(read_list(file)?);
    }
    if paths.is_empty() {
        bail!("nothing to audit: name repositories or directories, or give --repos-from FILE");
    }
    let mut roots: Vec<Root> = paths
        .into_iter()
        .map(|p| Root {
            name: p.trim_end_matches('/').to_string(),
            path: PathBuf::from(&p),
        })
        .collect();
    roots.sort();
    roots.dedup_by(|a, b| a.name == b.name);
    Ok(roots)
}

fn read_list(file: &Path) -> Result<Vec<String>> {
    let reader: Box<dyn BufRead> = if file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(file)
            .with_context(|| format!("reading --repos-from {}", file.display()))?;
        Box::new(std::io::BufReader::new(f))
    };
    let mut out = Vec::new();
    for line in reader.lines() {
        let line = line.with_context(|| format!("reading --repos-from {}", file.display()))?;
        let line = line.trim();
        if !line.is_empty() && !line.starts_with('#') {
            out.push(line.to_string());
        }
    }
    Ok(out)
}

/// Shard `index` of `count`: every count-th root of the sorted list, from the index-th. The
/// list is sorted by name first, so the slice does not depend on the order it was given in.
pub(super) fn shard_slice(roots: &[Root], shard: Shard) -> Vec<Root> {
    roots
        .iter()
        .enumerate()
        .filter(|(i, _)| *i % shard.count as usize == shard.index as usize)
        .map(|(_, r)| r.clone())
        .collect()
}

/// Scan `roots` with --parallel workers, handing each finished root to `write` (on this
/// thread, in the order they finish). A failed write stops the workers at their next root.
fn scan_roots(
    c: &AuditCommand,
    roots: &[Root],
    mut write: impl FnMut(RootRecord) -> Result<()>,
) -> Result<()> {
    let next = AtomicUsize::new(0);
    let workers = c.parallel.clamp(1, roots.len().max(1));
    let threads = threads_per_root(c, workers);
    let (tx, rx) = std::sync::mpsc::sync_channel::<RootRecord>(1);
    std::thread::scope(|s| {
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || {
                while let Some(root) = roots.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if tx.send(scan_root(c, root, threads)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut result = Ok(());
        for record in rx {
            if result.is_ok() {
                result = write(record);
                if result.is_err() {
                    // Let the workers stop: nothing more will be written.
                    next.store(roots.len(), Ordering::SeqCst);
                }
            }
        }
        result
    })
}

/// Without -j, the cores are shared among the roots scanned at once: each root's scan is
/// parallel already, and more threads than cores only add memory (measured in bench/audit.sh:
/// large repositories one at a time on all cores are as fast as two at a time on all cores, and
/// small ones two at a time on one core each are 1.7× faster than one at a time).
fn threads_per_root(c: &AuditCommand, workers: usize) -> usize {
    if c.scan.threads != 0 {
        return c.scan.threads;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (cores / workers.max(1)).max(1)
}

/// One root, scanned as `scan` would (a repository: its history and work tree; a directory:
/// its files). A root that cannot be scanned at all is recorded as such, not skipped.
fn scan_root(c: &AuditCommand, root: &Root, threads: usize) -> RootRecord {
    // A bare repository (an organisation's mirrors) has a history and no work tree.
    let (kind, work_tree) = match gix::open(&root.path) {
        Ok(repo) => (RootKind::Git, repo.workdir().is_some()),
        Err(_) => (RootKind::Directory, false),
    };
    match scan_one(c, root, kind, (work_tree, threads)) {
        Ok(r) => r,
        Err(e) => RootRecord {
            name: root.name.clone(),
            kind,
            complete: false,
            findings: Vec::new(),
            problems: vec![Problem {
                kind: ProblemKind::WalkError,
                // The root itself: reports name it (a prefix would name it twice).
                path: String::new(),
                message: format!("{e:#}"),
            }],
            ciphertexts: Vec::new(),
            stats: Default::default(),
            git: None,
        },
    }
}

fn scan_one(
    c: &AuditCommand,
    root: &Root,
    kind: RootKind,
    (work_tree, threads): (bool, usize),
) -> Result<RootRecord> {
    if !root.path.exists() {
        bail!("{} does not exist", root.path.display());
    }
    let mut args = c.scan.for_root(root.path.clone(), kind == RootKind::Git);
    args.worktree = work_tree;
    args.threads = threads;
    let resolved = Resolved::new(&args)?;
    let scanner = resolved.scanner(&args);
    let runs = walk_with_progress(&args, &resolved.settings, &scanner)?;
    let outcome = scanner.finish();
    Ok(RootRecord {
        name: root.name.clone(),
        kind,
        complete: !outcome.incomplete(),
        git: runs.into_iter().next().map(|r| r.summary),
        findings: outcome.findings,
        problems: outcome.problems,
        ciphertexts: outcome.ciphertexts,
        stats: outcome.stats,
    })
}
