//! Writing one audit: a transaction from [`Store::begin_audit`] to [`AuditWriter::commit`].
//! Readers never see a half-written audit, a killed one leaves nothing behind, and a shard run
//! again (retried, or started twice) replaces the rows of its earlier run instead of adding to
//! them: the shard's rows are deleted and written under one lock per (run, shard).

use super::record::{RootRecord, finding_json};
use super::sql::Value;
use super::{Store, StoreError, begin_write};
use crate::inventory::{Inventory, Places};
use sha2::{Digest, Sha256};

/// Shard `index` of `count` (from 0, as Kubernetes numbers an Indexed Job's completions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };
}

/// What an audit records about itself.
#[derive(Debug, Clone)]
pub struct AuditMeta {
    pub run: String,
    pub shard: Shard,
    pub started: i64,
    /// The instant policy is judged at (`--now`, else the start).
    pub as_of: i64,
}

/// An audit being written; dropped without [`AuditWriter::commit`], it is rolled back.
pub struct AuditWriter<'a> {
    store: &'a mut Store,
    id: String,
    roots: u64,
    open: bool,
}

/// Rows per multi-row INSERT: one round trip to PostgreSQL per hundred findings.
const CHUNK: usize = 100;

impl Store {
    /// Open the transaction of one audit, after removing an earlier run of the same shard.
    pub fn begin_audit(&mut self, meta: &AuditMeta) -> Result<AuditWriter<'_>, StoreError> {
        self.sql.batch(begin_write(self.sql.as_ref()))?;
        let mut w = AuditWriter {
            id: audit_id(meta),
            store: self,
            roots: 0,
            open: true,
        };
        w.start(meta)?;
        Ok(w)
    }
}

impl AuditWriter<'_> {
    fn start(&mut self, meta: &AuditMeta) -> Result<(), StoreError> {
        let sql = &mut self.store.sql;
        sql.lock_key(shard_lock(meta))?;
        let run = Value::from(meta.run.as_str());
        let counts = sql.query(
            "SELECT DISTINCT shard_count FROM audits WHERE run = $1",
            std::slice::from_ref(&run),
        )?;
        if let Some(other) = counts
            .iter()
            .filter_map(|r| r.first().and_then(Value::int))
            .find(|c| *c != i64::from(meta.shard.count))
        {
            let message = format!(
                "run {:?} is split into {other} shards; this shard says {}: give the run \
                 another --run name, or the same shard count",
                meta.run, meta.shard.count
            );
            return Err(self.store.conflict(message));
        }
        let earlier = sql.query(
            "SELECT id FROM audits WHERE run = $1 AND shard_index = $2",
            &[run.clone(), Value::Int(i64::from(meta.shard.index))],
        )?;
        for id in earlier
            .iter()
            .filter_map(|r| r.first().and_then(Value::text))
        {
            delete_audit(self.store, id)?;
        }
        self.store.sql.exec(
            "INSERT INTO audits (id, run, shard_index, shard_count, started, finished, as_of, \
             complete, tool_version, host) VALUES ($1, $2, $3, $4, $5, 0, $6, 0, $7, $8)",
            &[
                Value::from(self.id.as_str()),
                run,
                Value::Int(i64::from(meta.shard.index)),
                Value::Int(i64::from(meta.shard.count)),
                Value::Int(meta.started),
                Value::Int(meta.as_of),
                Value::from(env!("CARGO_PKG_VERSION")),
                Value::from(host_name()),
            ],
        )?;
        Ok(())
    }

    /// Write one root: its summary, findings, problems, ciphertexts and inventory entries.
    pub fn add_root(&mut self, r: &RootRecord) -> Result<(), StoreError> {
        self.roots += 1;
        let root_id = format!("{}/{}", self.id, self.roots);
        let git = match &r.git {
            Some(g) => Value::Text(json(self.store, g)?),
            None => Value::NullText,
        };
        let head = r.git.as_ref().and_then(|g| g.head_commit.as_deref());
        let origin = r.git.as_ref().and_then(|g| g.origin_url.as_deref());
        let stats = json(self.store, &r.stats)?;
        self.store.sql.exec(
            "INSERT INTO roots (id, audit_id, name, kind, complete, head_commit, origin_url, \
             stats, git) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                Value::from(root_id.as_str()),
                Value::from(self.id.as_str()),
                Value::from(r.name.as_str()),
                Value::from(r.kind.as_str()),
                Value::from(r.complete),
                Value::opt_text(head),
                Value::opt_text(origin),
                Value::Text(stats),
                git,
            ],
        )?;
        self.add_findings(&root_id, r)?;
        self.add_problems(&root_id, r)?;
        self.add_entries(&root_id, r)
    }

    fn add_findings(&mut self, root_id: &str, r: &RootRecord) -> Result<(), StoreError> {
        let mut rows = Vec::with_capacity(r.findings.len());
        for (seq, f) in r.findings.iter().enumerate() {
            let record = finding_json(f).map_err(|e| self.store.record_error(e.to_string()))?;
            let commit = f.git.as_ref().and_then(|g| g.commit.as_ref());
            rows.push(vec![
                Value::from(root_id),
                Value::Int(seq as i64),
                Value::from(crate::inventory::entry_id(f)),
                Value::from(f.rule_id.as_str()),
                Value::from(f.location.path.as_str()),
                Value::Int(i64::from(f.location.start.line)),
                Value::opt_text(commit.map(|c| c.id.as_str())),
                Value::Text(record),
            ]);
        }
        let columns = "root_id, seq, entry_id, rule_id, path, line, commit_id, record";
        insert_rows(self.store, "findings", columns, rows)
    }

    fn add_problems(&mut self, root_id: &str, r: &RootRecord) -> Result<(), StoreError> {
        let mut rows = Vec::new();
        for (seq, p) in r.problems.iter().enumerate() {
            let kind = serde_json::to_value(p.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            rows.push(vec![
                Value::from(root_id),
                Value::Int(seq as i64),
                Value::Text(kind),
                Value::from(p.path.as_str()),
                Value::Text(json(self.store, p)?),
            ]);
        }
        insert_rows(
            self.store,
            "problems",
            "root_id, seq, kind, path, record",
            rows,
        )?;
        let mut rows = Vec::new();
        for (seq, c) in r.ciphertexts.iter().enumerate() {
            rows.push(vec![
                Value::from(root_id),
                Value::Int(seq as i64),
                Value::from(c.path.as_str()),
                Value::Text(json(self.store, c)?),
            ]);
        }
        insert_rows(
            self.store,
            "ciphertexts",
            "root_id, seq, path, record",
            rows,
        )
    }

    /// The root's inventory in brief, for people who query the store with SQL.
    fn add_entries(&mut self, root_id: &str, r: &RootRecord) -> Result<(), StoreError> {
        let inv = Inventory::build(&r.findings, &Places::default());
        let rows = inv
            .entries
            .iter()
            .map(|e| {
                vec![
                    Value::from(root_id),
                    Value::from(e.id.as_str()),
                    Value::from(e.kind.as_str()),
                    Value::from(e.fingerprint.as_str()),
                    Value::opt_text(e.spki_sha256.as_deref()),
                    Value::from(e.preview.as_str()),
                    Value::from(e.present_at_head),
                    e.first_seen
                        .as_ref()
                        .map_or(Value::NullInt, |s| Value::Int(s.unix)),
                    e.last_seen
                        .as_ref()
                        .map_or(Value::NullInt, |s| Value::Int(s.unix)),
                    Value::Int(e.occurrences.len() as i64),
                ]
            })
            .collect();
        let columns = "root_id, entry_id, kind, fingerprint, spki_sha256, preview, \
                       present_at_head, first_seen, last_seen, occurrences";
        insert_rows(self.store, "entries", columns, rows)
    }

    /// Mark the audit finished and commit it: from here on every reader sees all of it.
    pub fn commit(mut self, finished: i64, complete: bool) -> Result<String, StoreError> {
        self.store.sql.exec(
            "UPDATE audits SET finished = $1, complete = $2 WHERE id = $3",
            &[
                Value::Int(finished),
                Value::from(complete),
                Value::from(self.id.as_str()),
            ],
        )?;
        self.store.sql.batch("COMMIT")?;
        self.open = false;
        Ok(self.id.clone())
    }
}

impl Drop for AuditWriter<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.store.sql.batch("ROLLBACK");
        }
    }
}

fn json<T: serde::Serialize>(store: &Store, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| store.record_error(e.to_string()))
}

/// INSERT `rows` into `table`, [`CHUNK`] rows per statement.
fn insert_rows(
    store: &mut Store,
    table: &str,
    columns: &str,
    rows: Vec<Vec<Value>>,
) -> Result<(), StoreError> {
    let width = columns.split(',').count();
    for chunk in rows.chunks(CHUNK) {
        let mut sql = format!("INSERT INTO {table} ({columns}) VALUES ");
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let marks: Vec<String> = (0..width)
                .map(|_| {
                    n += 1;
                    format!("${n}")
                })
                .collect();
            sql.push('(');
            sql.push_str(&marks.join(", "));
            sql.push(')');
        }
        let params: Vec<Value> = chunk.iter().flatten().cloned().collect();
        store.sql.exec(&sql, &params)?;
    }
    Ok(())
}

/// Remove an audit and everything under it.
pub(super) fn delete_audit(store: &mut Store, id: &str) -> Result<(), StoreError> {
    let p = [Value::from(id)];
    for table in ["findings", "problems", "ciphertexts", "entries"] {
        let sql = format!(
            "DELETE FROM {table} WHERE root_id IN (SELECT id FROM roots WHERE audit_id = $1)"
        );
        store.sql.exec(&sql, &p)?;
    }
    store
        .sql
        .exec("DELETE FROM roots WHERE audit_id = $1", &p)?;
    store.sql.exec("DELETE FROM audits WHERE id = $1", &p)?;
    Ok(())
}

/// Unique per attempt: two runs of one shard get different ids, so nothing of the first
/// survives under the second's name.
fn audit_id(meta: &AuditMeta) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!(
        "{}\0{}\0{}\0{}\0{}\0{nanos}",
        meta.run,
        meta.shard.index,
        meta.started,
        std::process::id(),
        host_name()
    );
    hex::encode(&Sha256::digest(seed.as_bytes())[..12])
}

/// The advisory-lock key of one shard of one run.
fn shard_lock(meta: &AuditMeta) -> i64 {
    let seed = format!("keyaudit shard\0{}\0{}", meta.run, meta.shard.index);
    let d = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    i64::from_be_bytes(b)
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}
