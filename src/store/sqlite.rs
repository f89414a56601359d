//! The embedded store: one SQLite file (the bundled library, so nothing is assumed of the
//! machine), in WAL mode so that reports can read while an audit writes.

use super::StoreError;
use super::sql::{Sql, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// How long a writer waits for another process's write transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Sqlite {
    conn: Connection,
    shown: String,
}

impl Sqlite {
    /// Open (creating it, mode 0600, when absent) the store file at `path`.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let shown = path.display().to_string();
        create_private(path).map_err(|e| StoreError::Open {
            store: shown.clone(),
            message: e.to_string(),
        })?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| map_err(&shown, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| map_err(&shown, e))?;
        let mut store = Sqlite { conn, shown };
        // The first read of the file: a file that is not a database fails here.
        let mode = store.query("PRAGMA journal_mode=WAL", &[])?;
        if mode.first().and_then(|r| r.first()).and_then(Value::text) != Some("wal") {
            return Err(StoreError::Open {
                store: store.shown.clone(),
                message: "cannot switch the database to WAL mode".into(),
            });
        }
        store.batch("PRAGMA synchronous=NORMAL")?;
        Ok(store)
    }
}

/// The store holds where secrets are: only its owner may read it. SQLite gives its WAL and
/// shared-memory files the database file's mode.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

fn map_err(shown: &str, e: rusqlite::Error) -> StoreError {
    let code = e.sqlite_error_code();
    match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked {
            store: shown.to_string(),
            waited: BUSY_TIMEOUT.as_secs(),
        },
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            store: shown.to_string(),
            message: e.to_string(),
        },
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied | ErrorCode::CannotOpen) => {
            StoreError::Open {
                store: shown.to_string(),
                message: e.to_string(),
            }
        }
        _ => StoreError::Query {
            store: shown.to_string(),
            message: e.to_string(),
        },
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Int(i) => ToSqlOutput::from(*i),
            Value::Text(s) => ToSqlOutput::from(s.as_str()),
            Value::NullInt | Value::NullText => ToSqlOutput::from(rusqlite::types::Null),
        })
    }
}

fn value_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Text(t) | ValueRef::Blob(t) => Value::Text(String::from_utf8_lossy(t).into()),
        ValueRef::Real(r) => Value::Int(r as i64),
        ValueRef::Null => Value::NullText,
    }
}

impl Sql for Sqlite {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn
            .execute_batch(sql)
            .map_err(|e| map_err(&self.shown, e))
    }

    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| map_err(&self.shown, e))?;
        stmt.execute(rusqlite::params_from_iter(params))
            .map(|n| n as u64)
            .map_err(|e| map_err(&self.shown, e))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, StoreError> {
        let shown = self.shown.clone();
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| map_err(&shown, e))?;
        let n = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params))
            .map_err(|e| map_err(&shown, e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| map_err(&shown, e))? {
            let mut values = Vec::with_capacity(n);
            for i in 0..n {
                values.push(value_of(row.get_ref(i).map_err(|e| map_err(&shown, e))?));
            }
            out.push(values);
        }
        Ok(out)
    }

    fn lock_key(&mut self, _key: i64) -> Result<(), StoreError> {
        Ok(())
    }

    fn lock_migrations(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    fn shown(&self) -> &str {
        &self.shown
    }

    fn is_sqlite(&self) -> bool {
        true
    }
}
