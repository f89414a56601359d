//! Reading audits back: the runs a store holds, and everything one run recorded, in the order
//! it was written, so that an inventory rebuilt from it equals the audit's own.

use super::record::{RootKind, RootRecord, finding_from_json};
use super::sql::Value;
use super::{Store, StoreError};
use std::collections::BTreeMap;

/// One root of a run, in brief.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunRoot {
    pub name: String,
    pub kind: RootKind,
    pub complete: bool,
}

/// A run: the audits (one per shard) stored under one name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunInfo {
    pub name: String,
    pub shard_count: u32,
    /// The shards stored, from 0.
    pub shards: Vec<u32>,
    pub started: i64,
    pub finished: i64,
    /// The instant its policy is judged at: the latest of its shards'.
    pub as_of: i64,
    /// Its roots, by name.
    pub roots: Vec<RunRoot>,
    /// Every shard stored, and every root of every shard scanned completely.
    pub complete: bool,
}

impl RunInfo {
    pub fn missing_shards(&self) -> Vec<u32> {
        (0..self.shard_count)
            .filter(|i| !self.shards.contains(i))
            .collect()
    }
}

impl Store {
    /// Every run, oldest first.
    pub fn runs(&mut self) -> Result<Vec<RunInfo>, StoreError> {
        let audits = self.sql.query(
            "SELECT run, shard_index, shard_count, started, finished, as_of, complete \
             FROM audits ORDER BY run, shard_index",
            &[],
        )?;
        let mut runs: BTreeMap<String, RunInfo> = BTreeMap::new();
        for row in &audits {
            let int = |i: usize| row.get(i).and_then(Value::int).unwrap_or(0);
            let name = row.first().and_then(Value::text).unwrap_or("").to_string();
            let run = runs.entry(name.clone()).or_insert_with(|| RunInfo {
                name,
                shard_count: int(2) as u32,
                shards: Vec::new(),
                started: int(3),
                finished: int(4),
                as_of: int(5),
                roots: Vec::new(),
                complete: true,
            });
            run.shards.push(int(1) as u32);
            run.started = run.started.min(int(3));
            run.finished = run.finished.max(int(4));
            run.as_of = run.as_of.max(int(5));
            run.complete &= int(6) == 1;
        }
        self.add_run_roots(&mut runs)?;
        let mut out: Vec<RunInfo> = runs.into_values().collect();
        for r in &mut out {
            r.complete &= r.missing_shards().is_empty();
        }
        // By the date each audit judges as of (its start, unless --now), then by when it ended.
        out.sort_by(|a, b| (a.as_of, a.finished, &a.name).cmp(&(b.as_of, b.finished, &b.name)));
        Ok(out)
    }

    fn add_run_roots(&mut self, runs: &mut BTreeMap<String, RunInfo>) -> Result<(), StoreError> {
        let rows = self.sql.query(
            "SELECT a.run, r.name, r.kind, r.complete FROM roots r \
             JOIN audits a ON r.audit_id = a.id ORDER BY a.run, r.name",
            &[],
        )?;
        for row in &rows {
            let text = |i: usize| row.get(i).and_then(Value::text).unwrap_or("");
            let Some(run) = runs.get_mut(text(0)) else {
                continue;
            };
            run.roots.push(RunRoot {
                name: text(1).to_string(),
                kind: RootKind::parse(text(2)).unwrap_or(RootKind::Directory),
                complete: row.get(3).and_then(Value::int) == Some(1),
            });
        }
        Ok(())
    }

    /// Everything `run` recorded, roots sorted by name.
    pub fn load_run(&mut self, run: &str) -> Result<Vec<RootRecord>, StoreError> {
        let rows = self.sql.query(
            "SELECT r.id, r.name, r.kind, r.complete, r.stats, r.git FROM roots r \
             JOIN audits a ON r.audit_id = a.id WHERE a.run = $1 ORDER BY r.name, r.id",
            &[Value::from(run)],
        )?;
        let mut out: Vec<RootRecord> = Vec::with_capacity(rows.len());
        for row in &rows {
            let text = |i: usize| row.get(i).and_then(Value::text).unwrap_or("");
            let record = self.load_root(text(0), row)?;
            // A root listed by two shards (a repository list changed between them): the later
            // row stands.
            if out.last().is_some_and(|l| l.name == record.name) {
                out.pop();
            }
            out.push(record);
        }
        Ok(out)
    }

    fn load_root(&mut self, id: &str, row: &[Value]) -> Result<RootRecord, StoreError> {
        let text = |i: usize| row.get(i).and_then(Value::text).unwrap_or("");
        let p = [Value::from(id)];
        let bad = |s: &Store, e: serde_json::Error| s.record_error(format!("root {id}: {e}"));
        let mut findings = Vec::new();
        for r in self.sql.query(
            "SELECT record FROM findings WHERE root_id = $1 ORDER BY seq",
            &p,
        )? {
            let t = r.first().and_then(Value::text).unwrap_or("");
            findings.push(finding_from_json(t).map_err(|e| bad(self, e))?);
        }
        let problems = self.load_json("problems", id)?;
        let ciphertexts = self.load_json("ciphertexts", id)?;
        let stats = serde_json::from_str(text(4)).map_err(|e| bad(self, e))?;
        let git = match row.get(5).and_then(Value::text) {
            Some(g) => Some(serde_json::from_str(g).map_err(|e| bad(self, e))?),
            None => None,
        };
        Ok(RootRecord {
            name: text(1).to_string(),
            kind: RootKind::parse(text(2)).unwrap_or(RootKind::Directory),
            complete: row.get(3).and_then(Value::int) == Some(1),
            findings,
            problems,
            ciphertexts,
            stats,
            git,
        })
    }

    fn load_json<T: serde::de::DeserializeOwned>(
        &mut self,
        table: &str,
        root_id: &str,
    ) -> Result<Vec<T>, StoreError> {
        let sql = format!("SELECT record FROM {table} WHERE root_id = $1 ORDER BY seq");
        let rows = self.sql.query(&sql, &[Value::from(root_id)])?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let t = r.first().and_then(Value::text).unwrap_or("");
            out.push(
                serde_json::from_str(t)
                    .map_err(|e| self.record_error(format!("{table} of root {root_id}: {e}")))?,
            );
        }
        Ok(out)
    }
}
