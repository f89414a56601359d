//! keyaudit: find keys, certificates and hardcoded credentials; inventory them; audit the
//! inventory against a key-management policy.
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! source ──Blob──▶ detect ──RawMatch──▶ scan ──Finding──▶ report
//! (files, git)     (rules engine)       (positions, fingerprints)   (text, JSON, SARIF)
//! ```
//!
//! * [`source`] enumerates inputs and hands over bytes with provenance; it knows nothing of secrets.
//! * [`detect`] finds secrets in bytes; it knows nothing of where they came from.
//! * [`scan`] drives a source into the detectors and builds [`finding::Finding`]s.
//! * [`report`] renders a finished scan; it never feeds anything back.

pub mod app;
pub mod cli;
pub mod detect;
pub mod finding;
pub mod report;
pub mod scan;
pub mod source;
