//! The audit store: what periodic audits remember. Each `keyaudit audit` writes one *audit* (one
//! shard of a *run*) with its *roots* (repositories and directories), each root's redacted
//! findings, problems and the ciphertext it saw — exactly what a scan hands the inventory — so
//! that `report`, `diff` and `history` rebuild inventories and judge policy later, on any
//! machine, as the scan itself would have.
//!
//! Two backends behind one schema ([`schema`]) and one set of queries ([`sql`]): SQLite in a
//! file (the default, `./keyaudit.db`) and PostgreSQL (`postgres://…`) for many machines. An
//! audit is one transaction from its first root to its last: a killed audit leaves nothing, a
//! rerun shard replaces its own rows. Nothing secret is stored: no secret, no code snippet; the
//! fingerprints, redacted previews, hashes, locations and dates that the reports show.

mod postgres;
mod read;
mod record;
pub mod schema;
pub mod sql;
mod sqlite;
#[cfg(test)]
mod tests;
mod tls;
mod write;

pub use postgres::redact_url;
pub use read::{RunInfo, RunRoot};
pub use record::{RootKind, RootRecord};
pub use write::{AuditMeta, AuditWriter, Shard};

use sql::{Sql, Value};
use std::path::Path;

/// What can go wrong with a store; each says which store and what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store {store}: {message}")]
    Open { store: String, message: String },
    #[error(
        "the store {store} is locked by another process (waited {waited} s); \
         wait for the other audit to finish, or give this one another --store"
    )]
    Locked { store: String, waited: u64 },
    #[error("the store {store} is not a keyaudit store or is damaged: {message}")]
    Corrupt { store: String, message: String },
    #[error("cannot reach the store {store}: {message}")]
    Unreachable { store: String, message: String },
    #[error(
        "the store {store} has schema version {found}, newer than this keyaudit knows \
         ({supported}); upgrade keyaudit (the store is left as it is)"
    )]
    Newer {
        store: String,
        found: i64,
        supported: i64,
    },
    #[error("store {store}: {message}")]
    Query { store: String, message: String },
    #[error("store {store}: a stored record does not read back: {message}")]
    Record { store: String, message: String },
    #[error("store {store}: {message}")]
    Conflict { store: String, message: String },
}

/// An open, migrated store.
pub struct Store {
    sql: Box<dyn Sql>,
}

/// The default store of `audit`, `diff`, `history` and `report`.
pub const DEFAULT_STORE: &str = "keyaudit.db";

impl Store {
    /// Open the store named by `url`: `postgres://…` or `postgresql://…` (or a `host=…`
    /// key-value string) for PostgreSQL, `sqlite:PATH` or any other text as a SQLite file.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let sql: Box<dyn Sql> = if is_postgres(url) {
            Box::new(postgres::Postgres::connect(url)?)
        } else {
            Box::new(sqlite::Sqlite::open(sqlite_path(url))?)
        };
        let mut store = Store { sql };
        store.migrate()?;
        Ok(store)
    }

    /// Open a store that must exist already (for reading: `report`, `diff`, `history`), so that
    /// a mistyped file name is an error rather than a new empty store.
    pub fn open_existing(url: &str) -> Result<Store, StoreError> {
        if !is_postgres(url) {
            let path = sqlite_path(url);
            if !path.exists() {
                return Err(StoreError::Open {
                    store: path.display().to_string(),
                    message: "no such file (keyaudit audit writes one; --store names another)"
                        .into(),
                });
            }
        }
        Store::open(url)
    }

    /// The store as messages show it.
    pub fn shown(&self) -> &str {
        self.sql.shown()
    }

    /// Apply the migrations this store lacks, in one transaction; refuse a newer store.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let version = self.version()?;
        if version > schema::LATEST {
            return Err(self.newer(version));
        }
        if version == schema::LATEST {
            return Ok(());
        }
        self.sql.batch(begin_write(self.sql.as_ref()))?;
        let applied = self.apply_migrations();
        match applied {
            Ok(()) => self.sql.batch("COMMIT"),
            Err(e) => {
                let _ = self.sql.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn apply_migrations(&mut self) -> Result<(), StoreError> {
        self.sql.lock_migrations()?;
        self.sql.batch(schema::VERSION_TABLE)?;
        // Another process may have migrated while this one waited for the lock.
        let version = self.version()?;
        if version > schema::LATEST {
            return Err(self.newer(version));
        }
        for (i, m) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            self.sql.batch(m)?;
            let n = i as i64 + 1;
            self.sql.exec("DELETE FROM keyaudit_schema", &[])?;
            self.sql.exec(
                "INSERT INTO keyaudit_schema (version) VALUES ($1)",
                &[Value::Int(n)],
            )?;
        }
        Ok(())
    }

    /// The schema version recorded, 0 for an empty database.
    fn version(&mut self) -> Result<i64, StoreError> {
        if !self.has_version_table()? {
            return Ok(0);
        }
        let rows = self
            .sql
            .query("SELECT MAX(version) FROM keyaudit_schema", &[])?;
        Ok(rows
            .first()
            .and_then(|r| r.first())
            .and_then(Value::int)
            .unwrap_or(0))
    }

    fn has_version_table(&mut self) -> Result<bool, StoreError> {
        // Both databases answer this standard query (SQLite through its pragma tables).
        let sql = if self.is_sqlite() {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'keyaudit_schema'"
        } else {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_name = 'keyaudit_schema' AND table_schema = current_schema()"
        };
        let rows = self.sql.query(sql, &[])?;
        Ok(rows.first().and_then(|r| r.first()).and_then(Value::int) == Some(1))
    }

    fn is_sqlite(&self) -> bool {
        self.sql.is_sqlite()
    }

    fn newer(&self, found: i64) -> StoreError {
        StoreError::Newer {
            store: self.shown().to_string(),
            found,
            supported: schema::LATEST,
        }
    }

    fn conflict(&self, message: String) -> StoreError {
        StoreError::Conflict {
            store: self.shown().to_string(),
            message,
        }
    }

    fn record_error(&self, message: String) -> StoreError {
        StoreError::Record {
            store: self.shown().to_string(),
            message,
        }
    }
}

/// The file of a SQLite store: `sqlite:PATH`, `sqlite://PATH` or the path itself.
fn sqlite_path(url: &str) -> &Path {
    let path = url.strip_prefix("sqlite:").unwrap_or(url);
    Path::new(path.strip_prefix("//").unwrap_or(path))
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://")
        || url.starts_with("postgresql://")
        || (url.contains("host=") && url.contains(' '))
}

/// SQLite takes the write lock at `BEGIN IMMEDIATE`, so a second writer fails at once rather
/// than after its work; PostgreSQL's rows lock as they are written.
fn begin_write(sql: &dyn Sql) -> &'static str {
    if sql.is_sqlite() {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    }
}
