//! Stage 2: detectors. Given a blob (bytes plus its path), say where secrets are.
//!
//! The credential detectors are data: rules in TOML (see [`rule`]), run by one [`engine::Engine`]
//! that prefilters with a single keyword automaton. Where a value is a secret because of the
//! structure around it (a Kubernetes Secret), a rule delegates its matching to a structural
//! detector ([`k8s`]) and keeps its metadata as data. Nothing here knows where blobs come from
//! (files, git objects, the index) nor how findings are reported.

pub mod catalogue;
pub mod ciphertext;
pub mod crypto;
pub(crate) mod encoding;
pub mod engine;
pub mod examples;
pub mod filter;
pub mod k8s;
pub(crate) mod openpgp_frame;
pub mod rule;
pub mod validate;
pub mod value_shape;
pub(crate) mod words;

pub use engine::{BlobScan, CryptoHit, Engine, NATIVE, RawMatch, RuleFault};
pub use rule::{Rule, RuleError};
