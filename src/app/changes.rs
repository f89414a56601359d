//! `keyaudit diff` and `keyaudit history`: stored runs judged with today's configuration, then
//! compared by [`crate::lifecycle`].

use super::stored::{Snapshot, find_run, judge, judge_config, merged};
use super::*;
use crate::cli::audit::{ChangeFormat, DiffCommand, HistoryCommand};
use crate::lifecycle::{self, Side};
use crate::store::{RunInfo, Store};
use std::io::Write;

fn side(s: &Snapshot) -> Side<'_> {
    Side {
        run: &s.merged.info.name,
        as_of: s.merged.info.as_of,
        complete: s.merged.info.complete,
        roots: &s.merged.roots,
        inventory: &s.inventory,
        violations: &s.violations,
    }
}

pub(super) fn diff(c: &DiffCommand) -> Result<u8> {
    crate::log::set_level(c.judge.log.level());
    let config = judge_config(c.judge.config.as_deref(), c.judge.no_config)?;
    let mut store = Store::open_existing(&c.store.store)?;
    let runs = store.runs()?;
    let to = find_run(&runs, c.to.as_deref())?.clone();
    let from = match &c.from {
        Some(name) => find_run(&runs, Some(name))?.clone(),
        None => previous_of(&runs, &to)?.clone(),
    };
    let a = judge(merged(&mut store, &from)?, &config);
    let b = judge(merged(&mut store, &to)?, &config);
    let every = config
        .audit_every
        .unwrap_or(crate::config::DEFAULT_AUDIT_EVERY);
    let next = c.next.unwrap_or(to.as_of + every);
    let d = lifecycle::diff(&side(&a), &side(&b), &config.policy, next);
    let mut out = std::io::stdout().lock();
    match c.format {
        ChangeFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &d)?;
            writeln!(out)?;
        }
        ChangeFormat::Text => crate::report::changes::write_diff(&mut out, &d)?,
    }
    Ok(if from.complete && to.complete {
        exit::CLEAN
    } else {
        exit::INCOMPLETE
    })
}

/// The latest run before `to` over the same roots.
fn previous_of<'a>(runs: &'a [RunInfo], to: &RunInfo) -> Result<&'a RunInfo> {
    let names = |r: &RunInfo| -> Vec<String> { r.roots.iter().map(|x| x.name.clone()).collect() };
    let want = names(to);
    let at = runs.iter().position(|r| r.name == to.name).unwrap_or(0);
    runs[..at]
        .iter()
        .rev()
        .find(|r| names(r) == want)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no audit before {:?} covers the same roots ({}); name one with --from \
                 (keyaudit runs lists them)",
                to.name,
                want.join(", ")
            )
        })
}

/// `keyaudit runs`: what `--run`, `--from` and `--to` can name.
pub(super) fn runs(c: &crate::cli::audit::RunsCommand) -> Result<u8> {
    let mut store = Store::open_existing(&c.store.store)?;
    let runs = store.runs()?;
    let mut out = std::io::stdout().lock();
    if c.format == ChangeFormat::Json {
        serde_json::to_writer_pretty(&mut out, &runs)?;
        writeln!(out)?;
        return Ok(exit::CLEAN);
    }
    for r in &runs {
        let missing = r.missing_shards();
        let state = match (r.complete, missing.is_empty()) {
            (true, _) => "complete".to_string(),
            (false, true) => "INCOMPLETE (some input not read)".to_string(),
            (false, false) => format!("INCOMPLETE (shards missing: {missing:?})"),
        };
        let date = crate::time::rfc3339(r.as_of);
        writeln!(
            out,
            "{}  {}  {}/{} shards  {} roots  {state}",
            crate::escape::escaped(&r.name),
            date.get(..10).unwrap_or(&date),
            r.shards.len(),
            r.shard_count,
            r.roots.len()
        )?;
    }
    Ok(exit::CLEAN)
}

pub(super) fn history(c: &HistoryCommand) -> Result<u8> {
    crate::log::set_level(c.judge.log.level());
    let config = judge_config(c.judge.config.as_deref(), c.judge.no_config)?;
    let mut store = Store::open_existing(&c.store.store)?;
    let runs = store.runs()?;
    if runs.is_empty() {
        bail!("the store holds no audit yet: run keyaudit audit");
    }
    let mut snaps = Vec::with_capacity(runs.len());
    for r in &runs {
        snaps.push(judge(merged(&mut store, r)?, &config));
    }
    let id = resolve_entry(&snaps, &c.entry)?;
    let sides: Vec<Side<'_>> = snaps.iter().map(side).collect();
    let h = lifecycle::history(&id, &sides);
    let mut out = std::io::stdout().lock();
    match c.format {
        ChangeFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &h)?;
            writeln!(out)?;
        }
        ChangeFormat::Text => crate::report::changes::write_history(&mut out, &h)?,
    }
    Ok(exit::CLEAN)
}

/// The entry `query` names: an id or fingerprint, whole or a unique prefix, in any audit.
fn resolve_entry(snaps: &[Snapshot], query: &str) -> Result<String> {
    if query.trim().len() < 4 {
        bail!("{query:?} is too short to name an entry: give its id or fingerprint, or more of it");
    }
    let mut matches = std::collections::BTreeSet::new();
    for e in snaps.iter().flat_map(|s| &s.inventory.entries) {
        if e.id == query || e.fingerprint.as_str() == query {
            return Ok(e.id.clone());
        }
        if e.id.starts_with(query) || e.fingerprint.as_str().starts_with(query) {
            matches.insert(e.id.clone());
        }
    }
    let mut it = matches.into_iter();
    match (it.next(), it.next()) {
        (Some(one), None) => Ok(one),
        (None, _) => bail!("no entry {query:?} in any stored audit"),
        (Some(a), Some(b)) => {
            bail!("{query:?} names several entries ({a}, {b}, …): give more of it")
        }
    }
}
