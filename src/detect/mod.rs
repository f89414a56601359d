//! Stage 3: detectors. Given a blob (bytes plus its path), say where secrets are.
//!
//! The credential detectors are data: rules in TOML (see [`rule`]), run by one [`engine::Engine`]
//! that prefilters with a single keyword automaton. Nothing here knows where blobs come from
//! (files, git objects, the index) nor how findings are reported.

pub mod ciphertext;
pub mod crypto;
pub mod engine;
pub mod examples;
pub mod filter;
pub mod rule;
pub mod validate;
pub mod value_shape;

pub use engine::{CryptoHit, Engine, NATIVE, RawMatch, RuleFault};
pub use rule::{Rule, RuleError};
