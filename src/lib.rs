//! keyaudit: find keys, certificates and hardcoded credentials; inventory them; audit the
//! inventory against a key-management policy.
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! source ──Blob──▶ detect ──RawMatch──▶ scan ──Finding──▶ inventory ──Entry──▶ policy ──Violation──▶ report
//! (files, git)     (rules engine)       (positions,        (grouped by        (rules of
//!                                        fingerprints)      identity, age)     key management)
//! ```
//!
//! * [`source`] enumerates inputs and hands over bytes with provenance; it knows nothing of secrets.
//! * [`detect`] finds secrets in bytes; it knows nothing of where they came from.
//! * [`scan`] drives a source into the detectors and builds [`finding::Finding`]s.
//! * [`inventory`] groups findings by the identity of what they found, with ages and environments.
//! * [`policy`] judges inventory entries against the key-management policy.
//! * [`report`] renders a finished scan; it never feeds anything back.

pub mod allowlist;
pub mod app;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod context;
pub mod detect;
pub mod escape;
pub mod model;
// Transitional name of the model while other branches still say `crate::finding`.
pub use model as finding;
pub mod hook;
pub mod inventory;
pub mod log;
pub mod manual;
pub mod policy;
pub mod report;
pub mod scan;
pub mod source;
pub mod time;
pub mod toml_error;
