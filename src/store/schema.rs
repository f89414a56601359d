//! The store's schema, as numbered migrations. A store records the highest migration applied;
//! a binary applies the ones it lacks and refuses a store that has more than it knows, since an
//! older binary writing a newer schema would lose what the newer one records.
//!
//! One text for both databases: `BIGINT` and `TEXT` columns, booleans as 0/1, identifiers made
//! by the writer (no auto-increment), and no `ON DELETE CASCADE` (SQLite ignores it unless told).

/// Each migration's statements, in order; migration `n` is `MIGRATIONS[n - 1]`.
pub const MIGRATIONS: &[&str] = &[V1];

/// The version this binary writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub const VERSION_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS keyaudit_schema (version BIGINT NOT NULL)";

/// Runs group the audits of one shard each; a root is one repository or directory of an
/// audit; findings are its redacted findings (the record is the finding as JSON, never the
/// secret or the code around it); entries summarise its inventory for queries.
const V1: &str = "
CREATE TABLE audits (
  id TEXT PRIMARY KEY,
  run TEXT NOT NULL,
  shard_index BIGINT NOT NULL,
  shard_count BIGINT NOT NULL,
  started BIGINT NOT NULL,
  finished BIGINT NOT NULL,
  as_of BIGINT NOT NULL,
  complete BIGINT NOT NULL,
  tool_version TEXT NOT NULL,
  host TEXT NOT NULL,
  UNIQUE (run, shard_index)
);
CREATE TABLE roots (
  id TEXT PRIMARY KEY,
  audit_id TEXT NOT NULL REFERENCES audits (id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  complete BIGINT NOT NULL,
  head_commit TEXT,
  origin_url TEXT,
  stats TEXT NOT NULL,
  git TEXT,
  UNIQUE (audit_id, name)
);
CREATE TABLE findings (
  root_id TEXT NOT NULL REFERENCES roots (id),
  seq BIGINT NOT NULL,
  entry_id TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  path TEXT NOT NULL,
  line BIGINT NOT NULL,
  commit_id TEXT,
  record TEXT NOT NULL,
  PRIMARY KEY (root_id, seq)
);
CREATE TABLE problems (
  root_id TEXT NOT NULL REFERENCES roots (id),
  seq BIGINT NOT NULL,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (root_id, seq)
);
CREATE TABLE ciphertexts (
  root_id TEXT NOT NULL REFERENCES roots (id),
  seq BIGINT NOT NULL,
  path TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (root_id, seq)
);
CREATE TABLE entries (
  root_id TEXT NOT NULL REFERENCES roots (id),
  entry_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  spki_sha256 TEXT,
  preview TEXT NOT NULL,
  present_at_head BIGINT NOT NULL,
  first_seen BIGINT,
  last_seen BIGINT,
  occurrences BIGINT NOT NULL,
  PRIMARY KEY (root_id, entry_id)
);
CREATE INDEX entries_by_entry ON entries (entry_id);
CREATE INDEX roots_by_audit ON roots (audit_id);
CREATE INDEX audits_by_run ON audits (run)
";
