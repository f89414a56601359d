//! The shared store: PostgreSQL, so that the shards of one organisation's audit, on as many
//! machines as it takes, write one inventory. The same schema and queries as SQLite.

use super::StoreError;
use super::sql::{Sql, Value};
use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

/// A store that does not answer within this is unreachable, not slow.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The advisory-lock key that serialises migrations (any constant unlikely to clash).
const MIGRATION_LOCK: i64 = 0x6b65_7961_7564_6974;

pub struct Postgres {
    client: Client,
    statements: HashMap<String, Statement>,
    shown: String,
}

impl Postgres {
    pub fn connect(url: &str) -> Result<Postgres, StoreError> {
        let shown = redact_url(url);
        let tls = super::tls::params(url);
        let mut config = postgres::Config::from_str(&tls.url).map_err(|e| StoreError::Open {
            store: shown.clone(),
            message: e.to_string(),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("keyaudit");
        let unreachable = |e: postgres::Error| StoreError::Unreachable {
            store: shown.clone(),
            message: with_causes(&e),
        };
        let client = match config.get_ssl_mode() {
            postgres::config::SslMode::Disable => config.connect(NoTls).map_err(unreachable)?,
            _ => {
                let tls = super::tls::connector(&tls, &shown)?;
                config.connect(tls).map_err(unreachable)?
            }
        };
        let mut store = Postgres {
            client,
            statements: HashMap::new(),
            shown,
        };
        // Warnings such as "relation already exists, skipping" are not the user's business.
        store.batch("SET client_min_messages = warning")?;
        Ok(store)
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql).map_err(|e| self.err(e))?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    fn err(&self, e: postgres::Error) -> StoreError {
        if e.is_closed() {
            return StoreError::Unreachable {
                store: self.shown.clone(),
                message: e.to_string(),
            };
        }
        let message = match e.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            None => e.to_string(),
        };
        StoreError::Query {
            store: self.shown.clone(),
            message,
        }
    }
}

/// An error with its causes (a TLS handshake failure says why only in its source).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`; `password=…` likewise.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (auth, host) = match rest.rsplit_once('@') {
            Some(parts) => parts,
            None => return url.to_string(),
        };
        let user = auth.split_once(':').map_or(auth, |(u, _)| u);
        let masked = if auth.contains(':') { ":***" } else { "" };
        let host = mask_password_param(host);
        return format!("{scheme}://{user}{masked}@{host}");
    }
    mask_password_param(url)
}

/// `password=…` in a key-value connection string or a URL query.
fn mask_password_param(s: &str) -> String {
    s.split_inclusive(['&', ' ', '?'])
        .map(|part| match part.find("password=") {
            Some(i) => {
                let end = part[i..].find(['&', ' ']).map_or(part.len(), |j| i + j);
                format!("{}password=***{}", &part[..i], &part[end..])
            }
            None => part.to_string(),
        })
        .collect()
}

fn params(values: &[Value]) -> Vec<Box<dyn ToSql + Sync>> {
    values
        .iter()
        .map(|v| -> Box<dyn ToSql + Sync> {
            match v {
                Value::Int(i) => Box::new(*i),
                Value::Text(s) => Box::new(s.clone()),
                Value::NullInt => Box::new(None::<i64>),
                Value::NullText => Box::new(None::<String>),
            }
        })
        .collect()
}

fn row_values(row: &postgres::Row) -> Result<Vec<Value>, postgres::Error> {
    let mut out = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let t = col.type_();
        let v = if *t == Type::INT8 {
            row.try_get::<_, Option<i64>>(i)?
                .map_or(Value::NullInt, Value::Int)
        } else if *t == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)?
                .map_or(Value::NullInt, |x| Value::Int(i64::from(x)))
        } else if *t == Type::BOOL {
            row.try_get::<_, Option<bool>>(i)?
                .map_or(Value::NullInt, |b| Value::Int(i64::from(b)))
        } else {
            row.try_get::<_, Option<String>>(i)?
                .map_or(Value::NullText, Value::Text)
        };
        out.push(v);
    }
    Ok(out)
}

impl Sql for Postgres {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client.batch_execute(sql).map_err(|e| self.err(e))
    }

    fn exec(&mut self, sql: &str, values: &[Value]) -> Result<u64, StoreError> {
        let stmt = self.statement(sql)?;
        let owned = params(values);
        let refs: Vec<&(dyn ToSql + Sync)> = owned.iter().map(|b| b.as_ref()).collect();
        self.client.execute(&stmt, &refs).map_err(|e| self.err(e))
    }

    fn query(&mut self, sql: &str, values: &[Value]) -> Result<Vec<Vec<Value>>, StoreError> {
        let stmt = self.statement(sql)?;
        let owned = params(values);
        let refs: Vec<&(dyn ToSql + Sync)> = owned.iter().map(|b| b.as_ref()).collect();
        let rows = self.client.query(&stmt, &refs).map_err(|e| self.err(e))?;
        rows.iter()
            .map(row_values)
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    fn lock_key(&mut self, key: i64) -> Result<(), StoreError> {
        self.exec("SELECT pg_advisory_xact_lock($1)", &[Value::Int(key)])
            .map(|_| ())
    }

    fn lock_migrations(&mut self) -> Result<(), StoreError> {
        self.lock_key(MIGRATION_LOCK)
    }

    fn shown(&self) -> &str {
        &self.shown
    }

    fn is_sqlite(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            (
                "postgres://audit:s3cr3t@db.internal:5432/keys",
                "postgres://audit:***@db.internal:5432/keys",
            ),
            ("postgres://audit@db/keys", "postgres://audit@db/keys"),
            (
                "postgresql://u@h/d?sslmode=require&password=hunter2",
                "postgresql://u@h/d?sslmode=require&password=***",
            ),
            (
                "host=db user=u password=hunter2 dbname=k",
                "host=db user=u password=*** dbname=k",
            ),
        ] {
            assert_eq!(redact_url(url), shown);
        }
    }
}
