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
//! * [`model`] holds what every stage shares (findings, severities, fingerprints, what a key
//!   is, git provenance, problems, rule metadata); it imports no stage.
//! * [`source`] enumerates inputs and hands over bytes with provenance; it knows nothing of secrets.
//! * [`detect`] finds secrets in bytes; it knows nothing of where they came from.
//! * [`scan`] drives a source into the detectors and builds [`model::Finding`]s, judging each
//!   one's [`context`] and [`allowlist`].
//! * [`inventory`] groups findings by the identity of what they found, with ages and environments.
//! * [`policy`] judges inventory entries against the key-management policy.
//! * [`baseline`] records accepted findings and violations; [`report`] renders a finished scan
//!   and never feeds anything back.
//!
//! This library is the stages and the model. The command line, the commands and the hook
//! installer are the `keyaudit` binary's own (`src/main.rs`), so nothing here depends on how a
//! command line was parsed; [`config`] reads `.keyaudit.toml` into the stages' settings.

pub mod allowlist;
pub mod baseline;
pub mod config;
pub mod context;
pub mod detect;
pub mod escape;
pub mod inventory;
pub mod lifecycle;
pub mod log;
pub mod model;
pub mod policy;
pub mod report;
pub mod scan;
pub mod source;
pub mod store;
pub mod time;
pub mod toml_error;
