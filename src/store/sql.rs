//! The few SQL operations the store needs, over either database. The store's queries are
//! written once, in the SQL both SQLite and PostgreSQL accept (`$1` parameters, `BIGINT` and
//! `TEXT` columns, no auto-increment), so the two backends cannot drift apart: each backend
//! only moves [`Value`]s in and out.

use super::StoreError;

/// One parameter or column value. Booleans are stored as 0/1 integers, which both databases
/// compare and index alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Text(String),
    /// NULL in an integer column (PostgreSQL types its parameters).
    NullInt,
    /// NULL in a text column.
    NullText,
}

impl Value {
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn opt_text(s: Option<&str>) -> Value {
        s.map_or(Value::NullText, |s| Value::Text(s.to_string()))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Int(i64::from(b))
    }
}

/// A database connection as the store uses it. Statements run inside the transactions the
/// store opens with [`Sql::batch`] (`BEGIN` … `COMMIT`).
pub trait Sql: Send {
    /// Statements without parameters, separated by `;`.
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// One statement with parameters; the number of rows it changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    /// One query with parameters; its rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, StoreError>;
    /// Serialise writers of one shard across machines until the transaction ends (PostgreSQL's
    /// transaction-scoped advisory lock); SQLite has one writer at a time already.
    fn lock_key(&mut self, key: i64) -> Result<(), StoreError>;
    /// Serialise schema migrations of concurrent processes.
    fn lock_migrations(&mut self) -> Result<(), StoreError>;
    /// The store as shown in messages (a PostgreSQL password is never shown).
    fn shown(&self) -> &str;
    /// SQLite, whose dialect differs in the few places [`super::Store`] names.
    fn is_sqlite(&self) -> bool;
}
